// Blocks: the header (height, previous hash, timestamp, transaction/state/receipt roots), receipts
// (status, gas used, error, returns, events) and the block's canonical encoding; a block's hash is SHA-256 of its header.
import { sha256 } from "@noble/hashes/sha2.js";
import { STATUSES, type StatusName } from "../vm/spec/format.ts";
import { LIMITS } from "../vm/spec/limits.ts";
import { ByteReader, ByteWriter, readValues, writeValues, type Value } from "./bytes.ts";
import { DecodeError } from "./errors.ts";
import { listRoot } from "./merkle.ts";
import { chainIdFromBytes, checkChainId, decodeTx, type SignedTx } from "./tx.ts";
import { encodeGenesis, readGenesis, type GenesisConfig } from "./params.ts";

export const BLOCK_VERSION = 2;
export const ZERO_HASH = new Uint8Array(32);

export interface BlockHeader {
  chainId: string;
  height: bigint;
  prevHash: Uint8Array;
  /** Seconds since the Unix epoch, chosen by the block producer; never decreases along the chain. */
  timestamp: bigint;
  txCount: number;
  txRoot: Uint8Array;
  stateRoot: Uint8Array;
  receiptsRoot: Uint8Array;
}

export interface ReceiptEvent {
  topic: number;
  values: Value[];
}

export interface Receipt {
  status: StatusName;
  gasUsed: number;
  /** The revert's error id, or the verifier's code for invalid_module; 0 otherwise. */
  error: number;
  returns: Value[];
  events: ReceiptEvent[];
  /**
   * Where a call that did not end `ok` stopped: the VM's module byte offset (docs/host-abi.md), which the
   * contract's ABI source map resolves to file:line:col. Committed with the receipt (u32, 0xffffffff for
   * none), so every node and every later reader of the block sees the same location.
   */
  stopOffset?: number;
}

export interface Block {
  header: BlockHeader;
  /** Genesis (height 0) only: the chain parameters and initial balances its state root commits to. */
  genesis?: GenesisConfig;
  txs: SignedTx[];
  receipts: Receipt[];
  /** SHA-256 of the encoded header. */
  hash: Uint8Array;
  bytes: Uint8Array;
}

const STATUS_CODE = new Map<string, number>(STATUSES.map((s) => [s.name, s.code]));
const STATUS_BY_CODE = new Map<number, StatusName>(STATUSES.map((s) => [s.code, s.name]));

export function encodeHeader(h: BlockHeader): Uint8Array {
  checkChainId(h.chainId);
  const cid = new TextEncoder().encode(h.chainId);
  return new ByteWriter()
    .u8(BLOCK_VERSION)
    .u8(cid.length)
    .bytes(cid)
    .u64(h.height)
    .bytes(h.prevHash)
    .u64(h.timestamp)
    .u32(h.txCount)
    .bytes(h.txRoot)
    .bytes(h.stateRoot)
    .bytes(h.receiptsRoot)
    .finish();
}

function readHeader(r: ByteReader): BlockHeader {
  const vAt = r.offset;
  const version = r.u8("header.version");
  if (version !== BLOCK_VERSION) r.fail("header.version", `unsupported block version ${version}`, vAt);
  const cidAt = r.offset;
  const cidLen = r.u8("header.chain_id.length");
  const chainId = chainIdFromBytes(r.bytes(cidLen, "header.chain_id")) ?? r.fail("header.chain_id", "chain id must be 1-32 characters of A-Z a-z 0-9 . _ -", cidAt);
  return {
    chainId,
    height: r.u64("header.height"),
    prevHash: r.bytes(32, "header.prev_hash"),
    timestamp: r.u64("header.timestamp"),
    txCount: r.u32("header.tx_count"),
    txRoot: r.bytes(32, "header.tx_root"),
    stateRoot: r.bytes(32, "header.state_root"),
    receiptsRoot: r.bytes(32, "header.receipts_root"),
  };
}

/** A receipt's stop offset when the call stopped nowhere in particular (it ended ok, or failed before running). */
const NO_STOP = 0xffffffff;

export function encodeReceipt(rc: Receipt): Uint8Array {
  const w = new ByteWriter().u8(STATUS_CODE.get(rc.status)!).u32(rc.gasUsed).u32(rc.error).u32(rc.stopOffset ?? NO_STOP);
  writeValues(w, rc.returns);
  w.u8(rc.events.length);
  for (const e of rc.events) {
    w.u32(e.topic);
    writeValues(w, e.values);
  }
  return w.finish();
}

function readReceipt(r: ByteReader, f: string): Receipt {
  const sAt = r.offset;
  const code = r.u8(`${f}.status`);
  const status = STATUS_BY_CODE.get(code);
  if (status === undefined) r.fail(`${f}.status`, `unknown status code ${code}`, sAt);
  const gasUsed = r.u32(`${f}.gas_used`);
  if (gasUsed > LIMITS.MAX_GAS.value) r.fail(`${f}.gas_used`, `gas used ${gasUsed} exceeds ${LIMITS.MAX_GAS.value}`, sAt + 1);
  const eAt = r.offset;
  const error = r.u32(`${f}.error`);
  if (error !== 0 && status !== "revert" && status !== "invalid_module") r.fail(`${f}.error`, `status ${status} carries no error id`, eAt);
  const soAt = r.offset;
  const stop = r.u32(`${f}.stop_offset`);
  if (stop !== NO_STOP && status === "ok") r.fail(`${f}.stop_offset`, "status ok carries no stop offset", soAt);
  const rAt = r.offset;
  const returns = readValues(r, `${f}.returns`, LIMITS.MAX_PARAMS.value);
  if (returns.length > 0 && status !== "ok") r.fail(`${f}.returns`, `status ${status} returns nothing`, rAt);
  const nAt = r.offset;
  const n = r.u8(`${f}.events.count`);
  if (n > LIMITS.MAX_EVENTS.value) r.fail(`${f}.events.count`, `${n} events, at most ${LIMITS.MAX_EVENTS.value}`, nAt);
  if (n > 0 && status !== "ok") r.fail(`${f}.events.count`, `status ${status} emits no events`, nAt);
  const events: ReceiptEvent[] = [];
  for (let i = 0; i < n; i++) {
    const topic = r.u32(`${f}.events[${i}].topic`);
    events.push({ topic, values: readValues(r, `${f}.events[${i}].values`, 255) });
  }
  return { status: status!, gasUsed, error, returns, events, ...(stop !== NO_STOP ? { stopOffset: stop } : {}) };
}

export function blockHash(headerBytes: Uint8Array): Uint8Array {
  return sha256(headerBytes);
}

/** Assembles a block from its header fields and contents, computing both roots over the lists. */
export function makeBlock(h: Omit<BlockHeader, "txCount" | "txRoot" | "receiptsRoot">, txs: SignedTx[], receipts: Receipt[], genesis?: GenesisConfig): Block {
  if ((h.height === 0n) !== (genesis !== undefined)) throw new RangeError("the genesis block, and only it, carries a genesis record");
  if (txs.length !== receipts.length) throw new RangeError("one receipt per transaction");
  const encReceipts = receipts.map(encodeReceipt);
  const header: BlockHeader = {
    ...h,
    txCount: txs.length,
    txRoot: listRoot(txs.map((t) => t.bytes)),
    receiptsRoot: listRoot(encReceipts),
  };
  const hb = encodeHeader(header);
  const w = new ByteWriter().bytes(hb);
  if (genesis) w.bytes(encodeGenesis(genesis));
  for (const t of txs) w.u32(t.bytes.length).bytes(t.bytes);
  for (const r of encReceipts) w.bytes(r);
  return { header, ...(genesis ? { genesis } : {}), txs, receipts, hash: blockHash(hb), bytes: w.finish() };
}

export interface DecodedBlock extends Block {
  /** Byte offsets (within the block) where each transaction and each receipt start, for error reports. */
  txOffsets: number[];
  receiptOffsets: number[];
  headerLength: number;
}

/**
 * Decodes a block's structure strictly (no trailing bytes, known codes, limits); whether its roots and
 * contents are right is the auditor's business. DecodeError fields are prefixed with the tx index.
 */
export function decodeBlock(bytes: Uint8Array, base = 0): DecodedBlock {
  const r = new ByteReader(bytes, base);
  const header = readHeader(r);
  const headerLength = r.offset;
  const genesis = header.height === 0n ? readGenesis(r) : undefined;
  const maxTxs = Math.floor(r.remaining / 4);
  if (header.txCount > maxTxs) r.fail("header.tx_count", `${header.txCount} transactions cannot fit in ${r.remaining} bytes`, headerLength - 3 * 32 - 4);
  const txs: SignedTx[] = [];
  const txOffsets: number[] = [];
  for (let i = 0; i < header.txCount; i++) {
    const at = r.offset;
    const len = r.u32(`txs[${i}].length`);
    const b = r.bytes(len, `txs[${i}]`);
    txOffsets.push(at);
    try {
      txs.push(decodeTx(b, base + at + 4));
    } catch (e) {
      // Stryker disable next-line ConditionalExpression: equivalent, decodeTx throws DecodeError only (test/ledger/encoding.test.ts: arbitrary bytes)
      if (e instanceof DecodeError) throw new DecodeError(e.what, `txs[${i}].${e.field}`, e.offset);
      throw e;
    }
  }
  const receipts: Receipt[] = [];
  const receiptOffsets: number[] = [];
  for (let i = 0; i < header.txCount; i++) {
    receiptOffsets.push(r.offset);
    receipts.push(readReceipt(r, `receipts[${i}]`));
  }
  r.end("block");
  return { header, ...(genesis ? { genesis } : {}), txs, receipts, hash: blockHash(bytes.subarray(0, headerLength)), bytes: bytes.slice(), txOffsets, receiptOffsets, headerLength };
}

/** One receipt on its own, as a network node returns it in a transaction's result (node/app.ts). */
export function decodeReceipt(bytes: Uint8Array): Receipt {
  const r = new ByteReader(bytes);
  const rc = readReceipt(r, "receipt");
  r.end("receipt");
  return rc;
}
