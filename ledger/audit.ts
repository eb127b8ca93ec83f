// The auditor: replays a chain from genesis (a store's blocks or an export's records), re-checking
// every hash link, signature and nonce and re-executing every transaction; the first break is named.
import { LedgerApp, type ContractVM } from "./app.ts";
import { decodeBlock, encodeReceipt, ZERO_HASH, type Block, type DecodedBlock, type Receipt } from "./block.ts";
import { bytesEqual, hex } from "./bytes.ts";
import { ChainBroken, DecodeError, TxRejected } from "./errors.ts";
import { WorldState, type StateDiff } from "./state.ts";

export interface ChainRecord {
  /** The hash recorded beside the block (store column or export record). */
  hash: Uint8Array;
  bytes: Uint8Array;
  /** Where the block's bytes start in the export (0 for a store), so decode errors give absolute offsets. */
  base: number;
}

export interface ReplayOptions {
  /** The chain id the container claims (export header, store meta); genesis must agree. */
  chainId?: string;
  /** Names the container in a chain-id disagreement ("export header", "store"). */
  container?: string;
  /** Keep every block with its state diff (import needs them). */
  keep?: boolean;
  /** Called with each block once it checks out, with the state diff it derives (the store audit compares its tables). */
  onBlock?: (block: Block, diff: StateDiff) => void;
}

export interface ReplayResult {
  chainId: string;
  state: WorldState;
  head: Block;
  blocks: number;
  txs: number;
  kept: { block: Block; diff: StateDiff }[];
}

function txOfField(field: string): number | null {
  const m = /^(?:txs|receipts)\[(\d+)\]/.exec(field);
  return m ? Number(m[1]) : null;
}

function describeReceiptDiff(got: Receipt, want: Receipt): string {
  if (got.status !== want.status) return `status is ${got.status}, re-execution gives ${want.status}`;
  if (got.gasUsed !== want.gasUsed) return `gas used is ${got.gasUsed}, re-execution gives ${want.gasUsed}`;
  if (got.error !== want.error) return `error id is ${got.error}, re-execution gives ${want.error}`;
  if (got.returns.length !== want.returns.length) return `${got.returns.length} return value(s), re-execution gives ${want.returns.length}`;
  if (got.events.length !== want.events.length) return `${got.events.length} event(s), re-execution gives ${want.events.length}`;
  return "returns or events differ from re-execution";
}

/** Replays `records` in order; throws ChainBroken at the first block (and tx) that does not check out. */
export function replayChain(records: Iterable<ChainRecord>, vm: ContractVM, opts: ReplayOptions = {}): ReplayResult {
  const state = new WorldState();
  let app: LedgerApp | null = null;
  let prev: DecodedBlock | null = null;
  let height = 0n;
  let txs = 0;
  const kept: { block: Block; diff: StateDiff }[] = [];
  for (const rec of records) {
    const k = height;
    const broken = (reason: string, tx: number | null = null): never => {
      throw new ChainBroken(reason, k, tx);
    };
    let b: DecodedBlock;
    try {
      b = decodeBlock(rec.bytes, rec.base);
    } catch (e) {
      if (e instanceof DecodeError) broken(`malformed block: ${e.message}`, txOfField(e.field));
      throw e;
    }
    const h = b!.header;
    if (h.height !== k) broken(`header says height ${h.height}, expected ${k}`);
    if (!bytesEqual(b!.hash, rec.hash)) broken(`header hashes to ${hex(b!.hash)}, but the recorded block hash is ${hex(rec.hash)}`);
    if (k === 0n) {
      if (opts.chainId !== undefined && h.chainId !== opts.chainId) {
        throw new ChainBroken(`chain id '${opts.chainId}' differs from the genesis block's '${h.chainId}'`, null, null, opts.container ?? "container");
      }
      if (!bytesEqual(h.prevHash, ZERO_HASH)) broken("genesis prev_hash is not all zeros");
      if (h.txCount !== 0) broken("genesis holds transactions");
      app = new LedgerApp(vm, h.chainId, b!.hash);
    } else {
      if (h.chainId !== app!.chainId) broken(`chain id '${h.chainId}' differs from genesis '${app!.chainId}'`);
      if (!bytesEqual(h.prevHash, prev!.hash)) broken(`prev_hash ${hex(h.prevHash)} is not the hash of block ${k - 1n} (${hex(prev!.hash)})`);
      if (h.timestamp < prev!.header.timestamp) broken(`timestamp ${h.timestamp} is before block ${k - 1n}'s ${prev!.header.timestamp}`);
    }
    if (k === 0n && !b!.genesis) broken("genesis block carries no genesis record");
    const builder = k === 0n ? app!.genesis(state, h.timestamp, b!.genesis!) : app!.beginBlock(state, { height: k, timestamp: h.timestamp });
    b!.txs.forEach((s, i) => {
      try {
        builder.deliver(app!.checkTxStateless(s));
      } catch (e) {
        if (e instanceof TxRejected) broken(`transaction ${hex(s.id)} is invalid: ${e.message}`, i);
        throw e;
      }
      const want = builder.receipts[i]!;
      const got = b!.receipts[i]!;
      if (!bytesEqual(encodeReceipt(got), encodeReceipt(want))) broken(`receipt does not match re-execution: ${describeReceiptDiff(got, want)}`, i);
    });
    const { block, diff } = builder.finish(prev ?? { hash: ZERO_HASH }, state);
    if (!bytesEqual(block.header.txRoot, h.txRoot)) broken(`tx_root ${hex(h.txRoot)} does not commit to the block's transactions (${hex(block.header.txRoot)})`);
    if (!bytesEqual(block.header.receiptsRoot, h.receiptsRoot)) {
      broken(`receipts_root ${hex(h.receiptsRoot)} does not commit to the block's receipts (${hex(block.header.receiptsRoot)})`);
    }
    if (!bytesEqual(block.header.stateRoot, h.stateRoot)) broken(`state_root ${hex(h.stateRoot)} differs from the re-executed state's ${hex(block.header.stateRoot)}`);
    if (!bytesEqual(block.bytes, b!.bytes)) broken("block bytes differ from the re-built block");
    if (opts.keep) kept.push({ block, diff });
    opts.onBlock?.(block, diff);
    txs += b!.txs.length;
    prev = b!;
    height++;
  }
  if (!prev) throw new ChainBroken("no blocks: a chain starts with its genesis block", null, null, "chain");
  return { chainId: app!.chainId, state, head: prev, blocks: Number(height), txs, kept };
}

export interface AuditReport {
  ok: boolean;
  chainId?: string;
  blocks?: number;
  txs?: number;
  headHeight?: string;
  headHash?: string;
  stateRoot?: string;
  /** On failure: where the chain breaks. */
  height?: string | null;
  tx?: number | null;
  section?: string | null;
  error?: string;
}

export function auditReport(run: () => ReplayResult): AuditReport {
  try {
    const r = run();
    return {
      ok: true,
      chainId: r.chainId,
      blocks: r.blocks,
      txs: r.txs,
      headHeight: r.head.header.height.toString(),
      headHash: hex(r.head.hash),
      stateRoot: hex(r.head.header.stateRoot),
    };
  } catch (e) {
    if (e instanceof ChainBroken) {
      return { ok: false, height: e.height === null ? null : e.height.toString(), tx: e.tx, section: e.section, error: e.message };
    }
    throw e;
  }
}

