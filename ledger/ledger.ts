// The ledger a tool or test holds: opens or creates a chain in a data directory (or in memory), signs
// and submits transactions as blocks, answers views, events and proofs, and audits, exports and imports.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { MoteVM, type CallResult, type EngineKind } from "../vm/host/index.ts";
import { LIMITS } from "../vm/spec/limits.ts";
import { selectorOf } from "../vm/spec/module.ts";
import { LedgerApp, checkArgs, INIT_SELECTOR, type BlockBuilder, type ContractVM } from "./app.ts";
import { auditReport, replayChain, type AuditReport } from "./audit.ts";
import { decodeBlock, ZERO_HASH, type Block, type DecodedBlock, type Receipt } from "./block.ts";
import { bytesEqual, compareBytes, hex, type Value } from "./bytes.ts";
import { ChainBroken, LedgerError, TxRejected } from "./errors.ts";
import { checkExportEnd, encodeExport, parseExport } from "./export.ts";
import type { KeyPair } from "./keys.ts";
import { encodeStateProof, STATE_VERSION, type StateProof } from "./proof.ts";
import { proveStored } from "./smt.ts";
import {
  balanceOf,
  contractOf,
  instanceId,
  nonceOf,
  paramsOf,
  readOnlyStorage,
  storageKey,
  WorldState,
  type ContractInfo,
} from "./state.ts";
import { checkGenesis, defaultGenesis, LEDGER_LIMITS, type ChainParams, type GenesisConfig } from "./params.ts";
import { DB_FILE, derivedEvents, LedgerStore } from "./store.ts";
import { TableAudit } from "./tables.ts";
import { checkChainId, signTx, type SignedTx, type UnsignedTx } from "./tx.ts";

/**
 * The engine a ledger runs contracts on when not given a VM: the fast engine (vm/host/fast.ts), whose
 * results the differential fuzzer and the conformance vectors hold identical to the interpreter's.
 */
export const LEDGER_ENGINE: EngineKind = "fast";

export interface LedgerOptions {
  /** Required to create a chain; when opening one, it must match. */
  chainId?: string;
  /** Create the chain if the directory holds none (default: true when chainId is given). */
  create?: boolean;
  /** Block timestamps in seconds; default: the system clock. Inject one for reproducible chains. */
  clock?: () => bigint;
  /** Genesis timestamp when creating (default: the clock). */
  genesisTimestamp?: bigint;
  /** Chain parameters, initial balances and genesis salt when creating (default: no fees, no balances, a random salt). */
  genesis?: Partial<GenesisConfig>;
  vm?: ContractVM;
}

export interface TxOptions {
  nonce?: bigint;
  gas?: number;
  /** Native units per gas (default: the chain's minimum). */
  gasPrice?: bigint;
  /** Native value attached to the call or deploy (default 0). */
  value?: bigint;
  /**
   * This block's timestamp (seconds), as its producer proposes it: not before the head's and at most
   * MAX_TIME_DRIFT ahead of the producer's clock. Default: the clock (never before the head's).
   */
  timestamp?: bigint;
}

export type TxOutcome =
  | { ok: true; txId: Uint8Array; height: bigint; index: number; receipt: Receipt }
  | { ok: false; txId: Uint8Array | null; error: TxRejected };

/** A block executed and applied to the in-memory state but not yet written (between FinalizeBlock and Commit). */
export interface StagedBlock {
  block: Block;
  diff: import("./state.ts").StateDiff;
  undo: () => void;
}

export interface SubmitResult {
  /** The new block, or null when every transaction was rejected. */
  block: Block | null;
  outcomes: TxOutcome[];
}

export interface DeployResult {
  txId: Uint8Array;
  height: bigint;
  /** The new instance's id, SHA-256("mote/contract" || genesis hash || deployer || nonce); it exists only if receipt.status is "ok". */
  contract: Uint8Array;
  receipt: Receipt;
}

export interface CallTxResult {
  txId: Uint8Array;
  height: bigint;
  receipt: Receipt;
}

export interface EventRecord {
  height: bigint;
  tx: number;
  index: number;
  txId: Uint8Array;
  contract: Uint8Array;
  topic: number;
  values: Value[];
}

export interface EventFilter {
  contract?: Uint8Array;
  topic?: number;
  fromHeight?: bigint;
  toHeight?: bigint;
}

export interface StorageProof {
  height: bigint;
  stateRoot: Uint8Array;
  contract: Uint8Array;
  key: Uint8Array;
  value: Uint8Array | null;
  proof: StateProof;
  encoded: Uint8Array;
}

const systemClock = (): bigint => BigInt(Math.floor(Date.now() / 1000));

export function resolveSelector(fn: string | number): number {
  return typeof fn === "number" ? fn >>> 0 : selectorOf(fn);
}

export class Ledger {
  private head: { block: DecodedBlock };
  private readonly app: LedgerApp;
  private readonly blockCache = new Map<bigint, DecodedBlock>();

  private constructor(
    private readonly store: LedgerStore,
    readonly state: WorldState,
    head: DecodedBlock,
    genesisHash: Uint8Array,
    readonly vm: ContractVM,
    private readonly clock: () => bigint,
  ) {
    this.head = { block: head };
    this.app = new LedgerApp(vm, head.header.chainId, genesisHash);
  }

  /** Opens the chain in `dir` (or a fresh one in memory for ":memory:"), creating it when asked. */
  static async open(dir: string, opts: LedgerOptions = {}): Promise<Ledger> {
    const vm = opts.vm ?? (await MoteVM.create({ engine: LEDGER_ENGINE }));
    const clock = opts.clock ?? systemClock;
    let store = LedgerStore.open(dir);
    if (!store) {
      // Stryker disable next-line ConditionalExpression: equivalent, without a chain id the next line refuses whether or not create is set
      const create = opts.create ?? opts.chainId !== undefined;
      if (!create || opts.chainId === undefined) {
        throw new LedgerError(`${dir}: no ledger here (no ${DB_FILE}); run 'mote ledger init' or pass a chain id to create one`);
      }
      store = Ledger.createStore(dir, opts.chainId, opts.genesisTimestamp ?? clock(), vm, { ...defaultGenesis(), ...opts.genesis });
    }
    try {
      if (opts.chainId !== undefined && store.chainId !== opts.chainId) {
        throw new LedgerError(`${dir}: holds chain '${store.chainId}', not '${opts.chainId}'`);
      }
      return Ledger.load(store, vm, clock, dir);
    } catch (e) {
      store.close();
      throw e;
    }
  }

  /** Creates a new chain (genesis only) in `dir`; refuses a directory that already holds one. */
  static async init(
    dir: string,
    opts: { chainId: string; timestamp?: bigint; vm?: ContractVM; clock?: () => bigint; genesis?: Partial<GenesisConfig> },
  ): Promise<Ledger> {
    if (dir !== ":memory:" && existsSync(join(dir, DB_FILE))) throw new LedgerError(`${dir}: already holds a ledger`);
    return Ledger.open(dir, { chainId: opts.chainId, create: true, genesisTimestamp: opts.timestamp, vm: opts.vm, clock: opts.clock, genesis: opts.genesis });
  }

  private static createStore(dir: string, chainId: string, timestamp: bigint, vm: ContractVM, genesis: GenesisConfig): LedgerStore {
    checkChainId(chainId);
    const config = checkGenesis(genesis);
    const app = new LedgerApp(vm, chainId, null);
    const state = new WorldState();
    const { block, diff } = app.genesis(state, timestamp, config).finish({ hash: ZERO_HASH }, state);
    return LedgerStore.create(dir, chainId, [{ block, diff }]);
  }

  private static load(store: LedgerStore, vm: ContractVM, clock: () => bigint, dir: string): Ledger {
    // the head, the state and the modules from one snapshot: another process may be appending blocks
    const { h, head, genesisHash, state, lost } = store.readSnapshot(() => {
      const h = store.headHeight();
      if (h === null) throw new LedgerError(`${dir}: the store holds no blocks`);
      // from the genesis block's bytes, not the hash column beside them: it is what every signature binds
      let genesisHash: Uint8Array;
      try {
        genesisHash = decodeBlock(store.block(0n)!.bytes).hash;
      } catch (e) {
        throw new LedgerError(`${dir}: the genesis block does not decode (${(e as Error).message}); run 'mote audit'`);
      }
      const rec = store.block(h)!;
      let head: DecodedBlock;
      try {
        head = decodeBlock(rec.bytes);
      } catch (e) {
        throw new LedgerError(`${dir}: head block ${h} does not decode (${(e as Error).message}); run 'mote audit'`);
      }
      // O(1) in the state's size: the root record only; tree nodes and modules are read when used
      const rootRec = store.node(head.header.stateRoot);
      if (!rootRec || rootRec.length !== 34 || rootRec[0] !== 0x02) {
        throw new LedgerError(`${dir}: block ${h}'s state root ${hex(head.header.stateRoot)} is not in the nodes table (changed outside the ledger?); run 'mote ledger rebuild' to re-derive it from the blocks`);
      }
      if (rootRec[1] !== STATE_VERSION) {
        throw new LedgerError(`${dir}: the state tree is version ${rootRec[1]}, this ledger reads version ${STATE_VERSION}`);
      }
      const state = WorldState.stored(rootRec.slice(2), (hash) => store.node(hash), (id) => store.module(id));
      return { h, head, genesisHash, state, lost: store.missingModule() };
    });
    // The state root does not cover module bytes: a contract whose module row is gone would read as unknown.
    if (lost) {
      throw new LedgerError(
        `${dir}: the modules table has no module ${hex(lost.module)}, which contract ${hex(lost.instance)} runs (changed outside the ledger?); run 'mote ledger rebuild' to re-derive it from the blocks`,
      );
    }
    if (!bytesEqual(state.root(), head.header.stateRoot)) {
      throw new LedgerError(
        `${dir}: the nodes table's root record does not match block ${h}'s state root (changed outside the ledger?); run 'mote ledger rebuild' to re-derive it from the blocks`,
      );
    }
    return new Ledger(store, state, head, genesisHash, vm, clock);
  }

  /** Imports an export into an empty directory after replaying and checking all of it; nothing is written unless it all checks out. */
  static async importChain(dir: string, bytes: Uint8Array, opts: { vm?: ContractVM; clock?: () => bigint } = {}): Promise<Ledger> {
    if (dir !== ":memory:" && existsSync(join(dir, DB_FILE))) {
      throw new LedgerError(`${dir}: already holds a ledger; import needs an empty data directory`);
    }
    const vm = opts.vm ?? (await MoteVM.create({ engine: LEDGER_ENGINE }));
    const parsed = parseExport(bytes);
    const r = replayChain(parsed.records, vm, { chainId: parsed.chainId, container: "export header", keep: true });
    checkExportEnd(parsed, r.blocks, r.head.hash);
    const store = LedgerStore.create(dir, r.chainId, r.kept);
    return Ledger.load(store, vm, opts.clock ?? systemClock, dir);
  }

  /** Audits an export without touching any store. */
  static async auditExport(bytes: Uint8Array, opts: { vm?: ContractVM } = {}): Promise<AuditReport> {
    const vm = opts.vm ?? (await MoteVM.create({ engine: LEDGER_ENGINE }));
    return auditReport(() => {
      const parsed = parseExport(bytes);
      const r = replayChain(parsed.records, vm, { chainId: parsed.chainId, container: "export header" });
      checkExportEnd(parsed, r.blocks, r.head.hash);
      return r;
    });
  }

  get chainId(): string {
    return this.app.chainId;
  }

  /** The hash of block 0, which commits to the chain id, genesis time, parameters, allocation and salt: the chain's identity, signed by every transaction. */
  get genesisHash(): Uint8Array {
    return this.app.genesisHash!;
  }

  get height(): bigint {
    return this.head.block.header.height;
  }

  get headBlock(): DecodedBlock {
    return this.head.block;
  }

  get headHash(): Uint8Array {
    return this.head.block.hash;
  }

  get stateRoot(): Uint8Array {
    return this.head.block.header.stateRoot;
  }

  get location(): string {
    return this.store.location;
  }

  /** Rows read from the state-sized tables since this ledger was opened (opening reads O(1) of them). */
  get storeReads(): { nodes: number; state: number; modules: number } {
    return { ...this.store.reads };
  }

  nonce(pubkey: Uint8Array): bigint {
    return nonceOf(this.state, pubkey);
  }

  /** The native balance of an account or contract instance at the head. */
  balance(id: Uint8Array): bigint {
    return balanceOf(this.state, id);
  }

  /** The chain parameters fixed at genesis. */
  get params(): ChainParams {
    return paramsOf(this.state);
  }

  contract(id: Uint8Array): (ContractInfo & { module: Uint8Array }) | undefined {
    const c = contractOf(this.state, id);
    return c ? { ...c, module: this.state.module(c.moduleHash)! } : undefined;
  }

  private unsignedBase(key: KeyPair, opts: TxOptions): Pick<UnsignedTx, "genesisHash" | "sender" | "nonce" | "gasLimit" | "gasPrice" | "value"> {
    return {
      genesisHash: this.genesisHash,
      sender: key.publicKey,
      nonce: opts.nonce ?? this.nonce(key.publicKey),
      gasLimit: opts.gas ?? LEDGER_LIMITS.DEFAULT_TX_GAS.value,
      gasPrice: opts.gasPrice ?? this.params.minGasPrice,
      value: opts.value ?? 0n,
    };
  }

  signDeploy(key: KeyPair, module: Uint8Array, initArgs: Value[] = [], opts: TxOptions = {}): SignedTx {
    return signTx({ ...this.unsignedBase(key, opts), kind: "deploy", module, args: initArgs }, key);
  }

  signCall(key: KeyPair, contract: Uint8Array, fn: string | number, args: Value[] = [], opts: TxOptions = {}): SignedTx {
    return signTx({ ...this.unsignedBase(key, opts), kind: "call", contract, selector: resolveSelector(fn), args }, key);
  }

  /** CheckTx against committed state, without submitting. */
  checkTx(tx: Uint8Array | SignedTx): SignedTx {
    return this.app.checkTx(tx, this.state);
  }

  /**
   * Trusted time: a block's timestamp is at least its parent's and at most MAX_TIME_DRIFT seconds ahead
   * of this producer's clock, so no one (a transaction's sender least of all) can push `now()` ahead.
   */
  private nextTimestamp(explicit?: bigint): bigint {
    const last = this.head.block.header.timestamp;
    const now = this.clock();
    if (explicit !== undefined) {
      if (explicit < last) throw new LedgerError(`timestamp ${explicit} is before the head block's ${last}`);
      const limit = now + BigInt(LEDGER_LIMITS.MAX_TIME_DRIFT.value);
      if (explicit > limit) {
        throw new LedgerError(`timestamp ${explicit} is more than ${LEDGER_LIMITS.MAX_TIME_DRIFT.value} s ahead of this producer's clock (${now})`);
      }
      return explicit;
    }
    // Stryker disable next-line EqualityOperator: equivalent, when the clock equals the head's time both branches give the same value
    return now > last ? now : last;
  }

  /**
   * Validates each transaction against the state so far, executes the valid ones in order, and commits
   * them as one block (one transaction of the store); rejected ones are reported and leave no trace.
   */
  submit(txs: readonly (Uint8Array | SignedTx)[], opts: { timestamp?: bigint } = {}): SubmitResult {
    const height = this.height + 1n;
    const timestamp = this.nextTimestamp(opts.timestamp);
    const builder = this.app.beginBlock(this.state, { height, timestamp });
    const outcomes: TxOutcome[] = [];
    for (const input of txs) {
      let s: SignedTx | null = input instanceof Uint8Array ? null : input;
      try {
        s = this.app.checkTxStateless(input);
        const index = builder.txs.length;
        const receipt = builder.deliver(s);
        outcomes.push({ ok: true, txId: s.id, height, index, receipt });
      } catch (e) {
        if (!(e instanceof TxRejected)) throw e;
        outcomes.push({ ok: false, txId: s ? s.id : null, error: e });
      }
    }
    if (builder.txs.length === 0) return { block: null, outcomes };
    const staged = this.stageBlock(builder);
    this.commitStaged(staged);
    return { block: staged.block, outcomes };
  }

  /** The application, for a driver that runs CheckTx and blocks itself (the CometBFT adapter, node/app.ts). */
  get application(): LedgerApp {
    return this.app;
  }

  /**
   * A block at the next height whose time the caller fixes: the network driver passes the engine's BFT
   * time (never this clock), delivers the ordered transactions, then stages and commits it.
   */
  beginBlock(timestamp: bigint): BlockBuilder {
    return this.app.beginBlock(this.state, { height: this.height + 1n, timestamp });
  }

  /**
   * EndBlock: applies the block's writes to the in-memory state (its state root is the block's, and the
   * network's app hash); nothing is written until commitStaged. `undo` takes it back.
   */
  stageBlock(builder: BlockBuilder): StagedBlock {
    return builder.finish({ hash: this.headHash }, this.state);
  }

  /** Commit: the staged block, its state diff and indexes in one store transaction; the head moves. */
  commitStaged(staged: StagedBlock): void {
    try {
      this.store.appendBlock(staged.block, staged.diff);
    } catch (e) {
      staged.undo();
      throw e;
    }
    const decoded: DecodedBlock = { ...staged.block, txOffsets: [], receiptOffsets: [], headerLength: 0 };
    this.head = { block: decoded };
  }

  private submitOne(tx: SignedTx, timestamp?: bigint): { txId: Uint8Array; height: bigint; receipt: Receipt } {
    const r = this.submit([tx], { timestamp });
    const o = r.outcomes[0]!;
    if (!o.ok) throw o.error;
    return { txId: o.txId, height: o.height, receipt: o.receipt };
  }

  /** Signs and submits a deploy as its own block; throws TxRejected if it is refused. */
  deploy(key: KeyPair, module: Uint8Array, initArgs: Value[] = [], opts: TxOptions = {}): DeployResult {
    const tx = this.signDeploy(key, module, initArgs, opts);
    const r = this.submitOne(tx, opts.timestamp);
    return { ...r, contract: instanceId(this.genesisHash, key.publicKey, tx.tx.nonce) };
  }

  /** Signs and submits a call as its own block; throws TxRejected if it is refused (a revert is a receipt, not a rejection). */
  call(key: KeyPair, contract: Uint8Array, fn: string | number, args: Value[] = [], opts: TxOptions = {}): CallTxResult {
    try {
      return this.submitOne(this.signCall(key, contract, fn, args, opts), opts.timestamp);
    } catch (e) {
      // The transaction carries only the selector; name the function the caller asked for.
      if (e instanceof TxRejected && typeof fn === "string") {
        const sel = `selector 0x${resolveSelector(fn).toString(16).padStart(8, "0")}`;
        // Stryker disable next-line ConditionalExpression: equivalent, replacing a selector the reason does not name leaves the same reason and code
        if (e.reason.includes(sel)) throw new TxRejected(e.reason.replace(sel, fn), e.code);
      }
      throw e;
    }
  }

  /** A read-only query at the head: runs a view export against committed state; nothing is recorded. */
  view(contract: Uint8Array, fn: string | number, args: Value[] = [], opts: { caller?: Uint8Array; gas?: number } = {}): CallResult {
    const c = this.contract(contract);
    if (!c) throw new TxRejected(`unknown contract ${hex(contract)}`, "unknown_contract");
    const module = c.module;
    const selector = resolveSelector(fn);
    const name = typeof fn === "string" ? fn : `selector 0x${selector.toString(16).padStart(8, "0")}`;
    if (selector === INIT_SELECTOR) throw new TxRejected("init runs once, when the contract is deployed", "unknown_function");
    const info = this.app.modules.exportsOf(c.moduleHash, module).get(selector);
    if (!info) throw new TxRejected(`contract ${hex(contract)} exports no function ${name}`, "unknown_function");
    if (!info.export.view) throw new TxRejected(`${name} is not a view function; send it as a transaction`, "unknown_function");
    checkArgs(info, args, name);
    return this.vm.call(module, selector, args, {
      store: readOnlyStorage(this.state),
      self: contract,
      caller: opts.caller ?? new Uint8Array(32),
      timestamp: this.head.block.header.timestamp,
      height: this.height,
      gas: opts.gas ?? LEDGER_LIMITS.DEFAULT_TX_GAS.value,
    });
  }

  block(height: bigint): DecodedBlock | undefined {
    const cached = this.blockCache.get(height);
    if (cached) return cached;
    const rec = this.store.block(height);
    if (!rec) return undefined;
    const b = decodeBlock(rec.bytes);
    if (this.blockCache.size > 256) this.blockCache.clear();
    this.blockCache.set(height, b);
    return b;
  }

  txLocation(id: Uint8Array): { height: bigint; idx: number } | undefined {
    return this.store.txLocation(id);
  }

  get txCount(): number {
    return this.store.txCount();
  }

  /**
   * Events from the events table, each checked against the block it points into: a row the blocks do
   * not derive (changed outside the ledger) is refused by name, never answered from.
   */
  events(filter: EventFilter = {}): EventRecord[] {
    return this.store.events(filter).map((row) => {
      const b = this.block(row.height);
      const ev = b?.receipts[row.tx]?.events[row.idx];
      const where = `events table: row (block ${row.height}, tx ${row.tx}, index ${row.idx})`;
      const fix = "(changed outside the ledger?); run 'mote ledger rebuild' to re-derive it from the blocks";
      if (!b || !ev) throw new LedgerError(`${where} names no event of the blocks ${fix}`);
      const want = derivedEvents({ header: b.header, txs: [b.txs[row.tx]!], receipts: [b.receipts[row.tx]!] })[row.idx]!;
      if (!bytesEqual(want.contract, row.contract) || want.topic !== row.topic) {
        throw new LedgerError(`${where} says contract ${hex(row.contract)} topic ${row.topic >>> 0}, block ${row.height} says ${hex(want.contract)} topic ${want.topic >>> 0} ${fix}`);
      }
      return { height: row.height, tx: row.tx, index: row.idx, txId: b.txs[row.tx]!.id, contract: row.contract, topic: ev.topic, values: ev.values };
    });
  }

  /**
   * Value and presence/absence proof of one storage entry against the head's state root, or against
   * block `height`'s (from the tree nodes the store keeps for every block).
   */
  prove(contract: Uint8Array, key: Uint8Array, opts: { height?: bigint } = {}): StorageProof {
    if (key.length === 0 || key.length > LIMITS.MAX_KEY_BYTES.value) {
      throw new RangeError(`a storage key is 1..${LIMITS.MAX_KEY_BYTES.value} bytes, got ${key.length}`);
    }
    const height = opts.height ?? this.height;
    let stateRoot = this.stateRoot;
    let proof: StateProof;
    if (height === this.height) {
      proof = this.state.prove(storageKey(contract, key));
    } else {
      const b = this.block(height);
      if (!b) throw new RangeError(`no block ${height} (head is ${this.height})`);
      stateRoot = b.header.stateRoot;
      proof = proveStored(stateRoot, storageKey(contract, key), (h) => this.store.node(h));
    }
    return {
      height,
      stateRoot,
      contract,
      key,
      value: proof.end.kind === "leaf" ? proof.end.value : null,
      proof,
      encoded: encodeStateProof(proof),
    };
  }

  /** Replays the whole stored chain and compares the result with the stored state. */
  audit(): AuditReport {
    return auditStoreContents(this.store, this.vm);
  }

  /** Audits the store in `dir` without loading it, so a store too damaged to open can still be audited. */
  static async auditStore(dir: string, opts: { vm?: ContractVM } = {}): Promise<AuditReport> {
    const store = LedgerStore.open(dir);
    if (!store) throw new LedgerError(`${dir}: no ledger here (no ${DB_FILE})`);
    try {
      return auditStoreContents(store, opts.vm ?? (await MoteVM.create({ engine: LEDGER_ENGINE })));
    } finally {
      store.close();
    }
  }

  /**
   * Recovery: replays the stored blocks from genesis, checking every block's hashes and roots as the
   * audit does, and only if all of it checks out replaces the state, tree nodes, modules and indexes
   * by the replayed ones. Works on a store too damaged to open.
   */
  static async rebuild(dir: string, opts: { vm?: ContractVM } = {}): Promise<AuditReport> {
    const store = LedgerStore.open(dir, true);
    if (!store) throw new LedgerError(`${dir}: no ledger here (no ${DB_FILE})`);
    try {
      const vm = opts.vm ?? (await MoteVM.create({ engine: LEDGER_ENGINE }));
      // Stryker disable next-line ArrayDeclaration: equivalent, kept is read only when the report is ok, after the replay assigned it
      let kept: { block: Block; diff: import("./state.ts").StateDiff }[] = [];
      const report = auditReport(() => {
        const records = (function* () {
          for (const b of store.blocks()) yield { hash: b.hash, bytes: b.bytes, base: 0 };
        })();
        const r = replayChain(records, vm, { chainId: store.chainId, container: "store", keep: true });
        kept = r.kept;
        return r;
      });
      if (report.ok) store.rederive(kept);
      return report;
    } finally {
      store.close();
    }
  }

  exportChain(): Uint8Array {
    return encodeExport(this.chainId, this.store.blocks());
  }

  /** The store's durability at COMMIT (ledger/store.ts `synchronous`): FULL unless a network node relaxed it. */
  get synchronous(): "FULL" | "NORMAL" {
    return this.store.synchronous;
  }

  /**
   * For the network node (node/app.ts): blocks commit without an fsync each. CometBFT keeps every block and
   * its handshake replays those an OS crash took from the application; the embedded devnet stays FULL.
   */
  relaxDurabilityUnderEngine(): void {
    this.store.synchronous = "NORMAL";
  }

  close(): void {
    this.store.close();
  }
}

function auditStoreContents(store: LedgerStore, vm: ContractVM): AuditReport {
  return auditReport(() => {
    const records = (function* () {
      for (const b of store.blocks()) yield { hash: b.hash, bytes: b.bytes, base: 0 };
    })();
    // Every table the blocks derive is re-derived block by block and compared, then counted.
    const tables = new TableAudit(store);
    const r = replayChain(records, vm, { chainId: store.chainId, container: "store", onBlock: (b, d) => tables.block(b, d) });
    tables.finish();
    const want = [...r.state.tree.entries()];
    const got = [...store.stateEntries()];
    const n = Math.max(want.length, got.length);
    for (let i = 0; i < n; i++) {
      const w = want[i];
      const g = got[i];
      if (!w || !g || !bytesEqual(w[0], g[0]) || !bytesEqual(w[1], g[1])) {
        throw new ChainBroken(`entry ${hex((g ?? w)![0])} differs from the replayed state`, null, null, "store state table");
      }
    }
    return r;
  });
}
