// The ledger as an ABCI 2.0 application: maps CometBFT's requests onto the same LedgerApp the embedded
// devnet runs (ledger/app.ts through ledger/ledger.ts). The engine orders transactions and fixes height
// and time; this file decides nothing of the ledger's rules. It never throws at a client: every failure
// becomes a result code (node/wire.ts).
import { createHash } from "node:crypto";
import {
  Request,
  Response,
  ResponseProcessProposal_ProposalStatus,
  type Event,
  type ExecTxResult,
} from "cosmjs-types/tendermint/abci/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { MoteVM } from "../vm/host/index.ts";
import { encodeReceipt, type Receipt } from "../ledger/block.ts";
import { hex, type Value } from "../ledger/bytes.ts";
import { Ledger, type StagedBlock } from "../ledger/ledger.ts";
import { TxRejected, LedgerError, DecodeError } from "../ledger/errors.ts";
import { balanceOf, instanceId, nonceOf, NS_ACCOUNT, NS_BALANCE, u64le, type StateView } from "../ledger/state.ts";
import type { BlockBuilder, ContractVM } from "../ledger/app.ts";
import type { SignedTx } from "../ledger/tx.ts";
import { DB_FILE } from "../ledger/store.ts";
import { GENESIS_SALT_BYTES, type GenesisConfig } from "../ledger/params.ts";
import { randomBytes } from "node:crypto";
import { defaultSnapshotConfig, SnapshotRestorer, SnapshotServer, type SnapshotConfig } from "./snapshot.ts";
import {
  NODE_LIMITS,
  resultCode,
  valueFromJson,
  valueToJson,
  type EventAnswer,
  type EventQuery,
  type ResultCodeName,
  type ViewAnswer,
  type ViewQuery,
} from "./wire.ts";

export const APP_VERSION = 1n;

/** Statelessly checked transactions remembered (node/app.ts `verified`): more than a full mempool (5,000). */
const MAX_VERIFIED = 20_000;

/** The genesis.json `app_state` of a Mote network: the ledger's genesis configuration in JSON. */
export interface AppStateJson {
  minGasPrice: string;
  blockGasLimit: string;
  feeAccount: string;
  alloc: { id: string; amount: string }[];
  /** The genesis salt (32 bytes of hex), drawn once when the network is made: every validator's genesis hash depends on it. */
  salt: string;
}

/** A fresh app_state salt: two networks made the same way still sign for different chains. */
export function newAppStateSalt(): string {
  return Buffer.from(randomBytes(GENESIS_SALT_BYTES)).toString("hex");
}

export function genesisFromAppState(bytes: Uint8Array): Partial<GenesisConfig> {
  if (bytes.length === 0) throw new RangeError("genesis.json has no app_state: a Mote chain needs at least its genesis salt there (mote net up / mote node init write it)");
  const j = JSON.parse(Buffer.from(bytes).toString("utf8")) as Partial<AppStateJson>;
  const id = (t: unknown, what: string): Uint8Array => {
    if (typeof t !== "string" || !/^[0-9a-f]{64}$/.test(t)) throw new RangeError(`app_state.${what}: expected 32 bytes of hex`);
    return new Uint8Array(Buffer.from(t, "hex"));
  };
  const u64 = (t: unknown, what: string): bigint => {
    if (typeof t !== "string" || !/^[0-9]{1,20}$/.test(t)) throw new RangeError(`app_state.${what}: expected a decimal string`);
    return BigInt(t);
  };
  const salt = (t: unknown): Uint8Array => {
    if (typeof t !== "string" || !new RegExp(`^[0-9a-f]{${2 * GENESIS_SALT_BYTES}}$`).test(t)) throw new RangeError(`app_state.salt: expected ${GENESIS_SALT_BYTES} bytes of hex (the chain's genesis salt)`);
    return new Uint8Array(Buffer.from(t, "hex"));
  };
  const g: Partial<GenesisConfig> = {};
  if (j.minGasPrice !== undefined) g.minGasPrice = u64(j.minGasPrice, "minGasPrice");
  if (j.blockGasLimit !== undefined) g.blockGasLimit = u64(j.blockGasLimit, "blockGasLimit");
  if (j.feeAccount !== undefined) g.feeAccount = id(j.feeAccount, "feeAccount");
  // Required: a validator that drew its own salt would compute a genesis hash no other validator shares.
  g.salt = salt(j.salt);
  if (j.alloc !== undefined) g.alloc = j.alloc.map((a, i) => ({ id: id(a.id, `alloc[${i}].id`), amount: u64(a.amount, `alloc[${i}].amount`) }));
  return g;
}

const seconds = (t: Timestamp | undefined): bigint => (t ? t.seconds : 0n);

/** A proposal executed once (PrepareProposal / ProcessProposal) and reused by FinalizeBlock. */
interface Executed {
  builder: BlockBuilder;
  results: ExecTxResult[];
  rejected: number;
  /** An unexpected failure (a bug, never a client's input) stopped execution part way. */
  broken: boolean;
}

function rejectResult(name: ResultCodeName, log: string): ExecTxResult {
  return { code: resultCode(name), data: new Uint8Array(0), log, info: "", gasWanted: 0n, gasUsed: 0n, events: [], codespace: name };
}

function receiptEvents(s: SignedTx, receipt: Receipt, contract: Uint8Array): Event[] {
  const evs: Event[] = [{ type: "mote_tx", attributes: [{ key: "id", value: hex(s.id), index: true }, { key: "status", value: receipt.status, index: false }] }];
  for (const e of receipt.events) {
    evs.push({
      type: "mote_event",
      attributes: [
        { key: "contract", value: hex(contract), index: true },
        { key: "topic", value: String(e.topic >>> 0), index: true },
        { key: "values", value: JSON.stringify(e.values.map(valueToJson)), index: false },
      ],
    });
  }
  return evs;
}

export class MoteNodeApp {
  private ledger: Ledger | null = null;
  /** The block between FinalizeBlock and Commit; queries and Info wait for it to be committed. */
  private staged: { block: StagedBlock; settled: Promise<void>; resolve: () => void } | null = null;
  /** Mempool view: committed state plus every accepted pending transaction's nonce and maximum spend. */
  private checkState: MempoolView | null = null;
  private readonly proposals = new Map<string, Executed>();
  /**
   * Transactions that passed the stateless checks (decoding, chain id, Ed25519 signature), by their bytes
   * (verifiedKey): a pure function of the bytes, so CheckTx, ReCheck after every block, PrepareProposal,
   * ProcessProposal and FinalizeBlock verify each signature once instead of up to five times.
   * `settled`: the transaction also passed the ledger's whole checkTxState once on this node (see checkTx).
   */
  private readonly verified = new Map<string, Verified>();
  /** Messages for the operator's log (the node's stderr), never for a client. */
  log: (line: string) => void = (l) => process.stderr.write(`mote-app: ${l}\n`);

  /** State sync (node/snapshot.ts): snapshots this node serves, and the restore of one when it joins empty. */
  readonly snapshots: SnapshotServer;
  readonly restorer: SnapshotRestorer;

  private constructor(
    readonly dataDir: string,
    private readonly vm: ContractVM,
    snapshots: SnapshotConfig,
    genesisFile: string | undefined,
  ) {
    this.snapshots = new SnapshotServer(dataDir, snapshots, (l) => this.log(l));
    this.restorer = new SnapshotRestorer(dataDir, vm, genesisFile, (l) => this.log(l));
  }

  /** `genesisFile`: the engine's genesis.json, against which a restored snapshot's genesis block is checked. */
  static async open(dataDir: string, opts: { vm?: ContractVM; snapshots?: SnapshotConfig; genesisFile?: string } = {}): Promise<MoteNodeApp> {
    const app = new MoteNodeApp(dataDir, opts.vm ?? (await MoteVM.create()), opts.snapshots ?? defaultSnapshotConfig(), opts.genesisFile);
    if (existsSync(join(dataDir, DB_FILE))) app.adopt(await Ledger.open(dataDir, { vm: app.vm }));
    return app;
  }

  /**
   * Takes the ledger this node runs. Its blocks commit without an fsync each (synchronous=NORMAL): a
   * killed app loses nothing, and an OS crash loses at most the last blocks, which CometBFT (it keeps
   * them) replays in the handshake. The fsync had held the mempool lock and this event loop at every Commit.
   */
  private adopt(l: Ledger): Ledger {
    l.relaxDurabilityUnderEngine();
    this.ledger = l;
    return l;
  }

  get height(): bigint {
    return this.ledger?.height ?? 0n;
  }

  /** The ledger's durability at Commit (NORMAL under the engine, see adopt); null before genesis. */
  get synchronous(): "FULL" | "NORMAL" | null {
    return this.ledger?.synchronous ?? null;
  }

  get appHash(): Uint8Array {
    return this.ledger?.stateRoot ?? new Uint8Array(0);
  }

  close(): void {
    this.ledger?.close();
    this.ledger = null;
  }

  /** Every request, answered; an unexpected failure becomes an exception response (CometBFT stops), never a crash here. */
  handle = async (req: Request): Promise<Response> => {
    try {
      return await this.dispatch(req);
    } catch (e) {
      this.log(`internal error: ${(e as Error).stack ?? String(e)}`);
      return Response.fromPartial({ exception: { error: (e as Error).message } });
    }
  };

  private async dispatch(req: Request): Promise<Response> {
    if (req.flush) return Response.fromPartial({ flush: {} });
    if (req.echo) return Response.fromPartial({ echo: { message: req.echo.message } });
    if (req.info) {
      await this.staged?.settled;
      return Response.fromPartial({ info: { data: "mote", version: "mote-ledger-v2", appVersion: APP_VERSION, lastBlockHeight: this.height, lastBlockAppHash: this.appHash } });
    }
    if (req.initChain) return Response.fromPartial({ initChain: await this.initChain(req.initChain.chainId, req.initChain.time, req.initChain.appStateBytes) });
    if (req.checkTx) {
      // Never waits for Commit: CometBFT flushes the mempool connection before it sends Commit, so a
      // CheckTx held until then would deadlock. Between FinalizeBlock and Commit it checks against the
      // block's state (already applied in memory); Commit's ReCheck then re-validates against committed state.
      return Response.fromPartial({ checkTx: this.checkTx(req.checkTx.tx) });
    }
    if (req.query) {
      await this.staged?.settled;
      return Response.fromPartial({ query: this.query(req.query.path, req.query.data, req.query.height) });
    }
    if (req.prepareProposal) {
      const p = req.prepareProposal;
      return Response.fromPartial({ prepareProposal: { txs: this.prepare(p.txs, p.maxTxBytes, p.height, p.time) } });
    }
    if (req.processProposal) {
      const p = req.processProposal;
      const ex = this.execute(p.txs, p.height, p.time);
      const ok = ex.rejected === 0;
      if (!ok) this.log(`rejecting proposal at height ${p.height}: ${ex.rejected} invalid transaction(s)`);
      return Response.fromPartial({
        processProposal: { status: ok ? ResponseProcessProposal_ProposalStatus.ACCEPT : ResponseProcessProposal_ProposalStatus.REJECT },
      });
    }
    if (req.finalizeBlock) {
      const f = req.finalizeBlock;
      return Response.fromPartial({ finalizeBlock: this.finalize(f.txs, f.height, f.time) });
    }
    if (req.commit) {
      this.commit();
      return Response.fromPartial({ commit: { retainHeight: 0n } });
    }
    if (req.extendVote) return Response.fromPartial({ extendVote: { voteExtension: new Uint8Array(0) } });
    if (req.verifyVoteExtension) return Response.fromPartial({ verifyVoteExtension: { status: 1 } });
    if (req.listSnapshots) return Response.fromPartial({ listSnapshots: { snapshots: this.snapshots.list() } });
    if (req.offerSnapshot) return Response.fromPartial({ offerSnapshot: this.restorer.offer(req.offerSnapshot.snapshot, req.offerSnapshot.appHash, this.ledger !== null) });
    if (req.loadSnapshotChunk) {
      const c = req.loadSnapshotChunk;
      return Response.fromPartial({ loadSnapshotChunk: { chunk: this.snapshots.loadChunk(c.height, c.format, c.chunk) } });
    }
    if (req.applySnapshotChunk) {
      const c = req.applySnapshotChunk;
      const a = await this.restorer.apply(c.index, c.chunk, c.sender, (l) => {
        this.adopt(l);
        this.checkState = null;
      });
      return Response.fromPartial({ applySnapshotChunk: a });
    }
    return Response.fromPartial({ exception: { error: "unknown ABCI request" } });
  }

  /** InitChain: the ledger's genesis block from genesis.json; again after a wiped store, idempotent on the same genesis. */
  private async initChain(chainId: string, time: Timestamp | undefined, appState: Uint8Array): Promise<{ appHash: Uint8Array }> {
    const genesis = genesisFromAppState(appState);
    if (this.ledger) {
      if (this.ledger.chainId !== chainId) throw new LedgerError(`${this.dataDir}: holds chain '${this.ledger.chainId}', the engine runs '${chainId}'`);
      if (this.ledger.height !== 0n) throw new LedgerError(`${this.dataDir}: InitChain on a ledger at height ${this.ledger.height}`);
      // Idempotent only on the same genesis: the engine's genesis must give this ledger's genesis root.
      const fresh = await Ledger.init(":memory:", { chainId, timestamp: seconds(time), vm: this.vm, genesis });
      const same = Buffer.compare(fresh.stateRoot, this.ledger.stateRoot) === 0;
      fresh.close();
      if (!same) throw new LedgerError(`${this.dataDir}: holds a genesis other than the engine's genesis.json (state root ${hex(this.ledger.stateRoot)})`);
      return { appHash: this.ledger.stateRoot };
    }
    const l = this.adopt(await Ledger.init(this.dataDir, { chainId, timestamp: seconds(time), vm: this.vm, genesis }));
    this.checkState = null;
    this.log(`genesis of '${chainId}': state root ${hex(l.stateRoot)}`);
    return { appHash: l.stateRoot };
  }

  private checkTx(tx: Uint8Array): { code: number; log: string; codespace: string; gasWanted: bigint } {
    const refuse = (name: ResultCodeName, log: string) => ({ code: resultCode(name), log, codespace: name, gasWanted: 0n });
    const l = this.ledger;
    if (!l) return refuse("not_ready", "the node has no genesis yet");
    if (tx.length > NODE_LIMITS.MAX_TX_BYTES.value) return refuse("oversized", `transaction of ${tx.length} bytes exceeds the node's limit of ${NODE_LIMITS.MAX_TX_BYTES.value}`);
    try {
      const v = this.verifiedEntry(tx);
      const { s } = v;
      const { tx: t } = s;
      const cs = (this.checkState ??= new MempoolView(l.state));
      const pending = cs.account(v.sender, t.sender);
      const need = t.value + BigInt(t.gasLimit) * t.gasPrice;
      // The ledger's checkTxState checks the nonce and funds against the sender's pending account, and the rest
      // (gas price and gas limit against the chain's parameters; the contract, its function and the arguments)
      // against what never changes once written: the parameters are written at genesis only and a contract's
      // record at its deploy only (ledger/app.ts), and a transaction's module and arguments are its own bytes.
      // So a transaction that passed the whole check once passes the rest at every later height, and the
      // ReCheck of a mempool after each block (thousands deep under load, every one of them again after every
      // block) checks only what can have changed: the nonce and the funds. Anything short of passing takes
      // the whole check again, so a refusal names its reason exactly as a first check would.
      if (!(v.settled && t.nonce === pending.nonce && pending.balance >= need)) {
        l.application.checkTxState(s, cs);
        v.settled = true;
      }
      // Reserve what the transaction can spend at most, so a sender's next pending nonce must follow it
      // and the pending ones together never promise more than the committed balance.
      pending.nonce = t.nonce + 1n;
      pending.balance -= need;
      cs.reserve(v.sender, pending);
      return { code: 0, log: "", codespace: "", gasWanted: BigInt(t.gasLimit) };
    } catch (e) {
      if (e instanceof TxRejected) return refuse(e.code, e.reason);
      this.log(`CheckTx internal error: ${(e as Error).stack ?? String(e)}`);
      return refuse("internal", `the node failed checking this transaction: ${(e as Error).message}`);
    }
  }

  /** LedgerApp.checkTxStateless, remembered for the last MAX_VERIFIED distinct transactions. */
  private stateless(tx: Uint8Array): SignedTx {
    return this.verifiedEntry(tx).s;
  }

  private verifiedEntry(tx: Uint8Array): Verified {
    const key = verifiedKey(tx);
    const hit = this.verified.get(key);
    if (hit) return hit;
    const s = this.ledger!.application.checkTxStateless(tx);
    const e: Verified = { s, settled: false, sender: hex(s.tx.sender) };
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, e);
    return e;
  }

  private proposalKey(txs: Uint8Array[], height: bigint, time: Timestamp | undefined): string {
    const h = createHash("sha256");
    const len = Buffer.alloc(4);
    for (const t of txs) {
      len.writeUInt32LE(t.length);
      h.update(len);
      h.update(t);
    }
    return `${height}:${time?.seconds ?? 0n}:${time?.nanos ?? 0}:${h.digest("hex")}`;
  }

  /** Executes `txs` in order against committed state: one result per transaction, rejected ones with their code. */
  private execute(txs: Uint8Array[], height: bigint, time: Timestamp | undefined): Executed {
    const key = this.proposalKey(txs, height, time);
    const cached = this.proposals.get(key);
    if (cached) return cached;
    const l = this.ledger;
    if (!l) throw new LedgerError("a block before InitChain");
    if (height !== l.height + 1n) throw new LedgerError(`block ${height} offered to a ledger at height ${l.height}`);
    const builder = l.beginBlock(seconds(time));
    const results: ExecTxResult[] = [];
    let rejected = 0;
    for (const tx of txs) {
      let r: ExecTxResult;
      try {
        r = this.deliverOne(builder, tx);
      } catch {
        // The builder may be half-written: not cached, and FinalizeBlock refuses it (the node halts).
        return { builder, results, rejected: rejected + 1, broken: true };
      }
      if (r.code !== 0) rejected++;
      results.push(r);
    }
    const ex = { builder, results, rejected, broken: false };
    this.proposals.set(key, ex);
    return ex;
  }

  private deliverOne(builder: BlockBuilder, tx: Uint8Array): ExecTxResult {
    if (tx.length > NODE_LIMITS.MAX_TX_BYTES.value) return rejectResult("oversized", `transaction of ${tx.length} bytes exceeds ${NODE_LIMITS.MAX_TX_BYTES.value}`);
    try {
      const s = this.stateless(tx);
      const receipt = builder.deliver(s);
      const { tx: t } = s;
      // A deploy's events come from its init, run as the new instance.
      const contract = t.kind === "call" ? t.contract : instanceId(this.ledger!.genesisHash, t.sender, t.nonce);
      return {
        code: 0,
        data: encodeReceipt(receipt),
        log: "",
        info: receipt.status,
        gasWanted: BigInt(t.gasLimit),
        gasUsed: BigInt(receipt.gasUsed),
        events: receiptEvents(s, receipt, contract),
        codespace: "",
      };
    } catch (e) {
      if (e instanceof TxRejected) return rejectResult(e.code, e.reason);
      if (e instanceof DecodeError) return rejectResult("malformed", e.message);
      // Deterministic in the inputs as far as the ledger is; logged for the operator.
      this.log(`deliver internal error: ${(e as Error).stack ?? String(e)}`);
      throw e;
    }
  }

  /** PrepareProposal: the mempool's transactions that are valid in sequence, within max_tx_bytes and the block gas limit. */
  private prepare(txs: Uint8Array[], maxTxBytes: bigint, height: bigint, time: Timestamp | undefined): Uint8Array[] {
    const l = this.ledger;
    if (!l) return [];
    const builder = l.beginBlock(seconds(time));
    const chosen: Uint8Array[] = [];
    const results: ExecTxResult[] = [];
    let bytes = 0n;
    for (const tx of txs) {
      // CometBFT counts each transaction's protobuf framing (tag, length varint) against max_tx_bytes.
      const cost = BigInt(tx.length + 1 + writeLen(tx.length));
      if (bytes + cost > maxTxBytes) continue;
      // A transaction whose gas limit no longer fits is passed over before its state checks: under load the
      // mempool CometBFT offers holds many blocks' worth, and each one checked against state only to be
      // refused for block gas had cost the proposer's event loop (and the CheckTx waiting behind it) per block.
      let gas: bigint;
      try {
        gas = BigInt(this.stateless(tx).tx.gasLimit);
      } catch (e) {
        if (e instanceof TxRejected) continue;
        gas = 0n;
      }
      if (builder.gasReserved + gas > builder.params.blockGasLimit) continue;
      let r: ExecTxResult;
      try {
        r = this.deliverOne(builder, tx);
      } catch {
        // An unexpected failure may have left the builder half-written: rebuild from the chosen ones.
        return this.prepare(chosen, maxTxBytes, height, time);
      }
      if (r.code !== 0) continue;
      bytes += cost;
      chosen.push(tx);
      results.push(r);
    }
    this.proposals.set(this.proposalKey(chosen, height, time), { builder, results, rejected: 0, broken: false });
    return chosen;
  }

  private finalize(txs: Uint8Array[], height: bigint, time: Timestamp | undefined): { txResults: ExecTxResult[]; appHash: Uint8Array; events: Event[] } {
    const ex = this.execute(txs, height, time);
    if (ex.broken) throw new LedgerError(`block ${height}: execution failed unexpectedly (see the log above); this node stops rather than diverge`);
    const block = this.ledger!.stageBlock(ex.builder);
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    this.staged = { block, settled, resolve };
    this.proposals.clear();
    return { txResults: ex.results, appHash: block.block.header.stateRoot, events: [] };
  }

  private commit(): void {
    const s = this.staged;
    if (!s) throw new LedgerError("Commit without a finalized block");
    this.ledger!.commitStaged(s.block);
    this.staged = null;
    this.checkState = null;
    s.resolve();
    this.snapshots.afterCommit(this.ledger!.height);
  }

  private query(path: string, data: Uint8Array, height: bigint): { code: number; log: string; codespace: string; value: Uint8Array; key: Uint8Array; height: bigint } {
    const l = this.ledger;
    const fail = (name: ResultCodeName, log: string) => ({ code: resultCode(name), log, codespace: name, value: new Uint8Array(0), key: data, height: l?.height ?? 0n });
    if (!l) return fail("not_ready", "the node has no genesis yet");
    const json = (v: unknown) => ({ code: 0, log: "", codespace: "", value: new TextEncoder().encode(JSON.stringify(v)), key: data, height: l.height });
    const parse = <T>(): T => JSON.parse(Buffer.from(data).toString("utf8")) as T;
    const id32 = (t: unknown, what: string): Uint8Array => {
      if (typeof t !== "string" || !/^[0-9a-f]{64}$/.test(t)) throw new RangeError(`${what}: expected 32 bytes of hex`);
      return new Uint8Array(Buffer.from(t, "hex"));
    };
    try {
      switch (path) {
        case "/prove": {
          if (data.length < 33) return fail("bad_query", `/prove takes contract id (32 bytes) || storage key, got ${data.length} bytes`);
          if (height > l.height) return fail("bad_query", `no committed height ${height} (head is ${l.height})`);
          const p = l.prove(data.slice(0, 32), data.slice(32), { height: height === 0n ? undefined : height });
          return { code: 0, log: p.value === null ? "absent" : "present", codespace: "", value: p.encoded, key: data, height: p.height };
        }
        case "/view": {
          const q = parse<ViewQuery>();
          if (typeof q.fn !== "string" && typeof q.fn !== "number") throw new RangeError("fn: expected a name or selector");
          const args: Value[] = (Array.isArray(q.args) ? q.args : []).map(valueFromJson);
          const r = l.view(id32(q.contract, "contract"), q.fn, args, { caller: q.caller === undefined ? undefined : id32(q.caller, "caller") });
          const a: ViewAnswer = {
            height: l.height.toString(),
            status: r.status,
            gasUsed: r.gasUsed,
            error: r.error ?? null,
            returns: r.returns.map(valueToJson),
            events: r.events.map((e) => ({ topic: e.topic >>> 0, values: e.values.map(valueToJson) })),
            stopOffset: r.stopOffset ?? null,
          };
          return json(a);
        }
        case "/events": {
          const q = parse<EventQuery>();
          const big = (t: unknown, what: string) => {
            if (t === undefined) return undefined;
            if (typeof t !== "string" || !/^[0-9]{1,20}$/.test(t)) throw new RangeError(`${what}: expected a decimal string`);
            return BigInt(t);
          };
          const evs = l.events({
            contract: q.contract === undefined ? undefined : id32(q.contract, "contract"),
            topic: q.topic === undefined ? undefined : Number(q.topic) >>> 0,
            fromHeight: big(q.fromHeight, "fromHeight"),
            toHeight: big(q.toHeight, "toHeight"),
          });
          const a: EventAnswer[] = evs.map((e) => ({
            height: e.height.toString(),
            tx: e.tx,
            index: e.index,
            txId: hex(e.txId),
            contract: hex(e.contract),
            topic: e.topic >>> 0,
            values: e.values.map(valueToJson),
          }));
          return json(a);
        }
        case "/account": {
          if (data.length !== 32) return fail("bad_query", `/account takes a 32-byte id, got ${data.length} bytes`);
          const pending = this.checkState ?? l.state;
          return json({ nonce: nonceOf(l.state, data).toString(), pendingNonce: nonceOf(pending, data).toString(), balance: balanceOf(l.state, data).toString() });
        }
        case "/params": {
          const p = l.params;
          return json({ chainId: l.chainId, genesisHash: hex(l.genesisHash), height: l.height.toString(), minGasPrice: p.minGasPrice.toString(), blockGasLimit: p.blockGasLimit.toString(), feeAccount: hex(p.feeAccount) });
        }
        case "/contract": {
          if (data.length !== 32) return fail("bad_query", `/contract takes a 32-byte id, got ${data.length} bytes`);
          const c = l.contract(data);
          if (!c) return fail("unknown_contract", `unknown contract ${hex(data)}`);
          return { code: 0, log: "", codespace: "", value: c.module, key: data, height: l.height };
        }
        default:
          return fail("bad_query", `unknown query path '${path.slice(0, 64)}' (paths: /prove /view /events /account /params /contract)`);
      }
    } catch (e) {
      if (e instanceof TxRejected) return fail(e.code, e.reason);
      if (e instanceof SyntaxError || e instanceof RangeError || e instanceof LedgerError) return fail("bad_query", e.message);
      this.log(`query internal error: ${(e as Error).stack ?? String(e)}`);
      return fail("internal", (e as Error).message);
    }
  }
}

/** A transaction that passed the stateless checks on this node (MoteNodeApp `verified`). */
interface Verified {
  s: SignedTx;
  /** It also passed the ledger's whole checkTxState once on this node (MoteNodeApp.checkTx). */
  settled: boolean;
  /** Its sender in hex: the mempool view's key for the sender's pending account. */
  sender: string;
}

/** Up to this many bytes a transaction is its own cache key; a longer one (a deploy) is keyed by its SHA-256. */
const KEY_BYTES = 1024;

/**
 * The verified-transaction cache's key: a cache key, not a consensus value. A transfer's bytes as a one-byte
 * string cost a copy; hashing them cost more (node:crypto's SHA-256 object per call), and CheckTx, every ReCheck
 * and the block each look a transaction up. Longer transactions by their SHA-256, so the cache stays small.
 */
function verifiedKey(tx: Uint8Array): string {
  if (tx.length <= KEY_BYTES) return `b${Buffer.from(tx.buffer, tx.byteOffset, tx.length).toString("latin1")}`;
  return `h${createHash("sha256").update(tx).digest("base64")}`;
}

/**
 * The mempool's view of state: committed state with each sender's pending account, its next nonce and the
 * balance left after what its accepted transactions reserve. The ledger's checkTxState reads it as any state
 * (the account and balance entries of ledger/state.ts); CheckTx reserves by sender, without encoding a key.
 */
class MempoolView implements StateView {
  private readonly accounts = new Map<string, { nonce: bigint; balance: bigint }>();

  constructor(private readonly base: StateView) {}

  /**
   * The sender's pending account (`key` = hex of its id): what its accepted transactions left, or else a fresh
   * copy of its committed account, kept only once `reserve` is called, so a refused check remembers nothing.
   */
  account(key: string, sender: Uint8Array): { nonce: bigint; balance: bigint } {
    return this.accounts.get(key) ?? { nonce: nonceOf(this.base, sender), balance: balanceOf(this.base, sender) };
  }

  /** Keeps `a` (from `account`) as the sender's pending account: an accepted transaction reserved from it. */
  reserve(key: string, a: { nonce: bigint; balance: bigint }): void {
    this.accounts.set(key, a);
  }

  read(key: Uint8Array): Uint8Array | undefined {
    if (key.length === 33 && (key[0] === NS_ACCOUNT || key[0] === NS_BALANCE)) {
      const a = this.accounts.get(hex(key.subarray(1)));
      if (a) {
        const v = key[0] === NS_ACCOUNT ? a.nonce : a.balance;
        // absent reads as 0, as the ledger stores a zero balance
        return v === 0n ? undefined : u64le(v);
      }
    }
    return this.base.read(key);
  }

  module(id: Uint8Array): Uint8Array | undefined {
    return this.base.module(id);
  }
}

function writeLen(n: number): number {
  let k = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    k++;
  }
  return k;
}
