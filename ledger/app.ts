// The ledger as an ABCI-shaped application: checkTx (validation before ordering), then per block
// begin/deliver/end (deterministic execution through the VM) producing one state root, then commit.
import type { CallOptions, CallResult, VerifyResult } from "../vm/host/index.ts";
import { decodeModule, ModuleFormatError, selectorOf, type ExportDef, type ModuleDef } from "../vm/spec/module.ts";
import { bytesEqual, hex, type Value } from "./bytes.ts";
import { makeBlock, type Block, type Receipt } from "./block.ts";
import { DecodeError, TxRejected } from "./errors.ts";
import {
  accountKey,
  balanceOf,
  BlockOverlay,
  concatInfo,
  contractKey,
  contractOf,
  GENESIS_SALT_KEY,
  instanceId,
  nonceOf,
  paramsOf,
  PARAMS_KEY,
  setBalance,
  u64le,
  WorldState,
  type StateDiff,
  type StateView,
} from "./state.ts";
import { decodeTx, txSignatureValid, type SignedTx } from "./tx.ts";
import { encodeParams, LEDGER_LIMITS, U64_MAX, type ChainParams, type GenesisConfig } from "./params.ts";
import { sha256 } from "@noble/hashes/sha2.js";

/** What the ledger needs of a VM: vm/host's MoteVM fits it; tests may wrap it. */
export interface ContractVM {
  verify(module: Uint8Array): VerifyResult;
  call(module: Uint8Array, fn: string | number, args: Value[], opts: CallOptions): CallResult;
}

export const INIT_SELECTOR = selectorOf("init");

export interface ExportInfo {
  export: ExportDef;
  params: number;
}

/** Exports of a module by selector; modules are content-addressed, so this caches by id forever. */
export class ModuleIndex {
  private readonly cache = new Map<string, Map<number, ExportInfo>>();

  exportsOf(id: Uint8Array, module: Uint8Array): Map<number, ExportInfo> {
    const key = hex(id);
    let m = this.cache.get(key);
    // Stryker disable next-line ConditionalExpression: equivalent, a miss decodes the same module to the same exports again; only the cost differs
    if (!m) {
      const def: ModuleDef = decodeModule(module);
      m = new Map(def.exports.map((e) => [e.selector, { export: e, params: def.functions[e.func]!.params }]));
      this.cache.set(key, m);
    }
    return m;
  }
}

function describeFn(selector: number, name?: string): string {
  return name ?? `selector 0x${selector.toString(16).padStart(8, "0")}`;
}

/** Arguments must match the export's parameter count and int/bytes mask, else the VM would answer bad_call. */
export function checkArgs(info: ExportInfo, args: readonly Value[], fn: string): void {
  if (args.length !== info.params) {
    throw new TxRejected(`${fn} takes ${info.params} argument(s), got ${args.length}`, "bad_arguments");
  }
  args.forEach((a, i) => {
    const wantBytes = (info.export.argMask >> i) & 1;
    const isBytes = typeof a === "bigint" ? 0 : 1;
    if (wantBytes !== isBytes) {
      throw new TxRejected(`${fn} argument ${i + 1} must be ${wantBytes ? "bytes" : "an integer"}, got ${isBytes ? "bytes" : "an integer"}`, "bad_arguments");
    }
  });
}

export interface BlockContext {
  height: bigint;
  timestamp: bigint;
}

export class LedgerApp {
  readonly modules = new ModuleIndex();

  /**
   * The hash of this chain's genesis block: what every transaction signs over and every instance id
   * derives from. Null only while the genesis block itself is being built (it holds no transactions).
   */
  genesisHash: Uint8Array | null;

  constructor(
    readonly vm: ContractVM,
    readonly chainId: string,
    genesisHash: Uint8Array | null,
  ) {
    this.genesisHash = genesisHash;
  }

  private boundGenesis(): Uint8Array {
    if (!this.genesisHash) throw new TxRejected("the genesis block holds no transactions", "malformed");
    return this.genesisHash;
  }

  /** Stateless checks: canonical decoding, genesis hash (the chain), signature. Throws TxRejected. */
  checkTxStateless(input: Uint8Array | SignedTx): SignedTx {
    // A SignedTx handed in as an object is decoded again from its bytes: what executes is exactly what was signed.
    let s: SignedTx;
    try {
      s = decodeTx(input instanceof Uint8Array ? input : input.bytes);
    } catch (e) {
      if (e instanceof DecodeError) throw new TxRejected(`malformed transaction: ${e.message}`, "malformed");
      throw e;
    }
    const genesis = this.boundGenesis();
    if (!bytesEqual(s.tx.genesisHash, genesis)) {
      throw new TxRejected(
        `signed for another chain: the transaction's genesis hash is ${hex(s.tx.genesisHash)}, chain '${this.chainId}' has ${hex(genesis)}`,
        "chain_id",
      );
    }
    if (!txSignatureValid(s)) throw new TxRejected(`bad signature by ${hex(s.tx.sender)}`, "signature");
    return s;
  }

  /**
   * Stateful checks against `view` (committed state, or a block's pending state): nonce, fees and funds,
   * contract, function, arguments. Returns the module the transaction will run.
   */
  checkTxState(s: SignedTx, view: StateView): Uint8Array {
    const { tx } = s;
    const next = nonceOf(view, tx.sender);
    if (tx.nonce < next) throw new TxRejected(`nonce ${tx.nonce} already used by ${hex(tx.sender)} (next is ${next})`, "nonce_replayed");
    if (tx.nonce > next) throw new TxRejected(`nonce ${tx.nonce} skips ahead for ${hex(tx.sender)} (next is ${next})`, "nonce_skipped");
    const params = paramsOf(view);
    if (tx.gasPrice < params.minGasPrice) throw new TxRejected(`gas price ${tx.gasPrice} is below this chain's minimum ${params.minGasPrice}`, "gas_price");
    if (BigInt(tx.gasLimit) > params.blockGasLimit) throw new TxRejected(`gas limit ${tx.gasLimit} exceeds the block gas limit ${params.blockGasLimit}`, "block_gas");
    // The sender must hold the attached value and the most the transaction can pay in fees.
    const need = tx.value + BigInt(tx.gasLimit) * tx.gasPrice;
    const has = balanceOf(view, tx.sender);
    if (need > U64_MAX || has < need) {
      throw new TxRejected(`${hex(tx.sender)} holds ${has}, the transaction needs ${need} (value ${tx.value} + gas limit ${tx.gasLimit} × gas price ${tx.gasPrice})`, "insufficient_funds");
    }
    if (tx.kind === "deploy") {
      const v = this.vm.verify(tx.module);
      if (!v.ok) throw new TxRejected(`invalid module: ${v.name} (verifier code ${v.code}) at module byte ${v.offset}`, "invalid_module");
      let exports: Map<number, ExportInfo>;
      try {
        exports = this.modules.exportsOf(v.id, tx.module);
      } catch (e) {
        if (e instanceof ModuleFormatError) throw new TxRejected(`invalid module: ${e.message}`, "invalid_module");
        throw e;
      }
      const init = exports.get(INIT_SELECTOR);
      if (init) checkArgs(init, tx.args, "init");
      else if (tx.args.length > 0) throw new TxRejected(`the module exports no init, so a deploy takes no arguments (got ${tx.args.length})`, "bad_arguments");
      else if (tx.value > 0n) throw new TxRejected(`the module exports no init, so a deploy cannot take value (got ${tx.value})`, "bad_arguments");
      return tx.module;
    }
    const c = contractOf(view, tx.contract);
    const module = c ? view.module(c.moduleHash) : undefined;
    if (!c || !module) throw new TxRejected(`unknown contract ${hex(tx.contract)}`, "unknown_contract");
    const fn = describeFn(tx.selector);
    if (tx.selector === INIT_SELECTOR) throw new TxRejected("init runs once, when the contract is deployed", "unknown_function");
    const info = this.modules.exportsOf(c.moduleHash, module).get(tx.selector);
    if (!info) throw new TxRejected(`contract ${hex(tx.contract)} exports no function ${fn}`, "unknown_function");
    checkArgs(info, tx.args, fn);
    return module;
  }

  /** CheckTx: both kinds of checks against committed state. */
  checkTx(input: Uint8Array | SignedTx, view: StateView): SignedTx {
    const s = this.checkTxStateless(input);
    this.checkTxState(s, view);
    return s;
  }

  beginBlock(state: WorldState, ctx: BlockContext): BlockBuilder {
    return new BlockBuilder(this, new BlockOverlay(state), ctx, paramsOf(state));
  }

  /** The genesis block's builder: the chain parameters and the allocation are its only writes. */
  genesis(state: WorldState, timestamp: bigint, config: GenesisConfig): BlockBuilder {
    const o = new BlockOverlay(state);
    o.write(PARAMS_KEY, encodeParams(config));
    o.write(GENESIS_SALT_KEY, config.salt);
    for (const a of config.alloc) setBalance(o, a.id, a.amount);
    return new BlockBuilder(this, o, { height: 0n, timestamp }, config, config);
  }
}

/** FinalizeBlock in progress: transactions execute in order against the block's overlay. */
export class BlockBuilder {
  readonly txs: SignedTx[] = [];
  readonly receipts: Receipt[] = [];

  /** Gas the block's transactions have reserved so far (their limits summed). */
  gasReserved = 0n;

  /** Bytes the block's transactions have added to the state so far (see stateGrowth). */
  stateGrowth = 0;

  constructor(
    private readonly app: LedgerApp,
    readonly overlay: BlockOverlay,
    readonly ctx: BlockContext,
    readonly params: ChainParams,
    private readonly genesisConfig?: GenesisConfig,
  ) {}

  /**
   * Executes a transaction that passed checkTxStateless; re-checks its stateful validity against the
   * block's pending state (a valid tx can be invalidated by an earlier one in the same block).
   */
  deliver(s: SignedTx): Receipt {
    if (this.genesisConfig) throw new TxRejected("the genesis block holds no transactions", "malformed");
    const module = this.app.checkTxState(s, this.overlay);
    const { tx } = s;
    if (this.gasReserved + BigInt(tx.gasLimit) > this.params.blockGasLimit) {
      throw new TxRejected(`gas limit ${tx.gasLimit} does not fit in this block (${this.params.blockGasLimit - this.gasReserved} of ${this.params.blockGasLimit} left)`, "block_gas");
    }
    const o = this.overlay;
    // The transaction's own overlay: the attached value, the VM's writes and payments, the new instance.
    // It reaches the block only if the transaction ends ok; the nonce and the fee stay either way.
    const t = new BlockOverlay(o);
    const self = tx.kind === "deploy" ? instanceId(this.app.genesisHash!, tx.sender, tx.nonce) : tx.contract;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, moving 0 rewrites both balances as they are (0 deletes an absent entry)
    if (tx.value > 0n) {
      setBalance(t, tx.sender, balanceOf(t, tx.sender) - tx.value);
      setBalance(t, self, balanceOf(t, self) + tx.value);
    }
    const opts = { store: t.storage(), self, value: tx.value, caller: tx.sender, timestamp: this.ctx.timestamp, height: this.ctx.height, gas: tx.gasLimit };
    let receipt: Receipt;
    if (tx.kind === "deploy") {
      const hash = sha256(tx.module);
      const hasInit = this.app.modules.exportsOf(hash, tx.module).has(INIT_SELECTOR);
      const r: CallResult | null = hasInit ? this.app.vm.call(tx.module, INIT_SELECTOR, tx.args, opts) : null;
      receipt = r ? toReceipt(r) : { status: "ok", gasUsed: 0, error: 0, returns: [], events: [] };
      // Stryker disable next-line ConditionalExpression: equivalent, the transaction's overlay t reaches the block only when the receipt is ok
      if (receipt.status === "ok") {
        t.write(contractKey(self), concatInfo(hash, tx.sender, this.ctx.height));
        t.addModule(hash, tx.module);
      }
    } else {
      receipt = toReceipt(this.app.vm.call(module, tx.selector, tx.args, opts));
    }
    // State growth is paid by the byte (LEDGER_LIMITS.STATE_BYTE_GAS), a deleted entry by STATE_DELETE_GAS, and growth is bounded per block
    // (MAX_BLOCK_STATE_GROWTH); a transaction that would pass the block's bound leaves no trace, so it is
    // decided before the nonce is written (a contract cannot read nonces).
    let growth = 0;
    if (receipt.status === "ok") {
      const g = stateGrowth(t, o);
      growth = g.entries + g.modules;
      const growthGas = g.entries * LEDGER_LIMITS.STATE_BYTE_GAS.value + g.deletes * LEDGER_LIMITS.STATE_DELETE_GAS.value;
      if (receipt.gasUsed + growthGas > tx.gasLimit) {
        receipt = { status: "out_of_gas", gasUsed: tx.gasLimit, error: 0, returns: [], events: [] };
        growth = 0;
      } else {
        const max = LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH.value;
        if (this.stateGrowth + growth > max) {
          throw new TxRejected(
            `the transaction would add ${growth} bytes to the state; this block has ${max - this.stateGrowth} of its ${max} left (LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH); send it in a later block`,
            "state_growth",
          );
        }
        receipt = { ...receipt, gasUsed: receipt.gasUsed + growthGas };
      }
    }
    this.gasReserved += BigInt(tx.gasLimit);
    this.stateGrowth += growth;
    o.write(accountKey(tx.sender), u64le(tx.nonce + 1n));
    if (receipt.status === "ok") t.mergeInto(o);
    const fee = BigInt(receipt.gasUsed) * tx.gasPrice;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, a fee of 0 rewrites both balances as they are, and the fee account paying itself ends where it began (it holds at least the fee)
    if (fee > 0n && Buffer.compare(this.params.feeAccount, tx.sender) !== 0) {
      setBalance(o, tx.sender, balanceOf(o, tx.sender) - fee);
      setBalance(o, this.params.feeAccount, balanceOf(o, this.params.feeAccount) + fee);
    }
    this.txs.push(s);
    this.receipts.push(receipt);
    return receipt;
  }

  /**
   * EndBlock: applies the block's writes to the state tree, computes the block with its roots, and
   * returns how to take the writes back if Commit (the store's transaction) fails.
   */
  finish(prev: { hash: Uint8Array }, state: WorldState): { block: Block; diff: StateDiff; undo: () => void } {
    const diff = this.overlay.diff;
    const undo = state.apply(diff);
    const block = makeBlock(
      { chainId: this.app.chainId, height: this.ctx.height, prevHash: prev.hash, timestamp: this.ctx.timestamp, stateRoot: state.root() },
      this.txs,
      this.receipts,
      this.genesisConfig,
    );
    return { block, diff, undo };
  }
}

/**
 * Bytes a transaction's writes add to the state below it: `entries`, a new entry's key and value or a
 * value's growth (charged by the byte); `modules`, module bytes the state did not hold (the verifier and
 * the deploy's size bound price those; they count toward the block's bound); `deletes`, entries it removes
 * (each charged STATE_DELETE_GAS: the tree collapses the path). Deletions refund nothing.
 */
export function stateGrowth(t: BlockOverlay, below: StateView): { entries: number; modules: number; deletes: number } {
  let n = 0;
  let m = 0;
  let d = 0;
  for (const { key, value } of t.diff.writes.values()) {
    const old = below.read(key);
    if (value.length === 0) {
      if (old !== undefined) d++;
      continue;
    }
    n += old === undefined ? key.length + value.length : Math.max(0, value.length - old.length);
  }
  for (const [id, bytes] of t.diff.modules) if (!below.module(Buffer.from(id, "hex"))) m += bytes.length;
  return { entries: n, modules: m, deletes: d };
}

export function toReceipt(r: CallResult): Receipt {
  return {
    status: r.status,
    gasUsed: r.gasUsed,
    error: r.error ?? 0,
    returns: r.returns.map((v) => (typeof v === "bigint" ? BigInt.asUintN(64, v) : v)),
    events: r.events.map((e) => ({ topic: e.topic >>> 0, values: e.values.map((v) => (typeof v === "bigint" ? BigInt.asUintN(64, v) : v)) })),
    ...(r.stopOffset !== null && r.stopOffset !== undefined ? { stopOffset: r.stopOffset } : {}),
  };
}

