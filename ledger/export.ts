// The chain's canonical export: a header naming the chain, one record per block (recorded hash and
// block bytes) and an end record with the count and head hash; parsed lazily so a break names its block.
import { ByteReader, ByteWriter, hex } from "./bytes.ts";
import { ChainBroken, DecodeError } from "./errors.ts";
import type { ChainRecord } from "./audit.ts";
import { chainIdFromBytes } from "./tx.ts";

export const EXPORT_MAGIC = new Uint8Array([0x4d, 0x4f, 0x54, 0x4c]); // "MOTL"
/** 2: blocks hold chain-bound (genesis-hash) transactions and a salted genesis. */
export const EXPORT_VERSION = 2;
const TAG_BLOCK = 0x01;
const TAG_END = 0x00;
const END_LENGTH = 1 + 8 + 32;

export function encodeExport(chainId: string, blocks: Iterable<{ hash: Uint8Array; bytes: Uint8Array }>): Uint8Array {
  const cid = new TextEncoder().encode(chainId);
  const w = new ByteWriter().bytes(EXPORT_MAGIC).u8(EXPORT_VERSION).u8(cid.length).bytes(cid);
  let count = 0n;
  let head: Uint8Array | null = null;
  for (const b of blocks) {
    w.u8(TAG_BLOCK).bytes(b.hash).u32(b.bytes.length).bytes(b.bytes);
    head = b.hash;
    count++;
  }
  if (!head) throw new RangeError("an export holds at least the genesis block");
  w.u8(TAG_END).u64(count).bytes(head);
  return w.finish();
}

export interface ParsedExport {
  chainId: string;
  /** Lazily parsed block records; after they are exhausted, `end` is filled in. */
  records: Iterable<ChainRecord>;
  end: { count: bigint; head: Uint8Array } | null;
}

/** Parses the export header now and block records on iteration, each failure a ChainBroken naming its block. */
export function parseExport(bytes: Uint8Array): ParsedExport {
  const r = new ByteReader(bytes);
  const headerBroken = (what: string): never => {
    throw new ChainBroken(what, null, null, "export header");
  };
  let chainId = "";
  try {
    const magic = r.bytes(4, "magic");
    if (hex(magic) !== hex(EXPORT_MAGIC)) headerBroken(`not a Mote chain export (magic ${hex(magic)} at byte 0, expected "MOTL")`);
    const v = r.u8("version");
    if (v !== EXPORT_VERSION) {
      const old = v === 1 ? " (made by a Mote before chain-bound signatures; its transactions are not valid on any chain of this version)" : "";
      headerBroken(`unsupported export version ${v} at byte 4, expected ${EXPORT_VERSION}${old}`);
    }
    const n = r.u8("chain_id.length");
    chainId = chainIdFromBytes(r.bytes(n, "chain_id")) ?? headerBroken(`chain id at byte 6 must be 1-32 characters of A-Z a-z 0-9 . _ -`);
  } catch (e) {
    if (e instanceof DecodeError) headerBroken(e.message);
    throw e;
  }
  const out: ParsedExport = { chainId, records: [], end: null };
  out.records = (function* (): Generator<ChainRecord> {
    let k = 0n;
    for (;;) {
      const at = r.offset;
      const left = r.remaining;
      const broken = (what: string): never => {
        throw new ChainBroken(what, k, null);
      };
      try {
        const tag = r.u8("record.tag");
        if (tag === TAG_END && left === END_LENGTH) {
          const count = r.u64("end.count");
          const head = r.bytes(32, "end.head_hash");
          out.end = { count, head };
          return;
        }
        if (tag !== TAG_BLOCK) {
          if (left === END_LENGTH) throw new ChainBroken(`unknown record tag ${tag} at byte ${at}`, null, null, "export end record");
          broken(tag === TAG_END ? `end record at byte ${at} is followed by ${left - END_LENGTH} more byte(s)` : `unknown record tag ${tag} at byte ${at}`);
        }
        const hash = r.bytes(32, "record.hash");
        const lenAt = r.offset;
        const len = r.u32("record.length");
        if (len > r.remaining) broken(`record length ${len} at byte ${lenAt} runs past the end of the export`);
        const base = r.offset;
        yield { hash, bytes: r.bytes(len, "record.block"), base };
      } catch (e) {
        if (e instanceof DecodeError) broken(e.message);
        throw e;
      }
      k++;
    }
  })();
  return out;
}

/** Checks the end record against what the replay saw. */
export function checkExportEnd(p: ParsedExport, blocks: number, headHash: Uint8Array): void {
  const end = p.end;
  if (!end) throw new ChainBroken("missing end record", null, null, "export end record");
  if (end.count !== BigInt(blocks)) throw new ChainBroken(`says ${end.count} blocks, the export holds ${blocks}`, null, null, "export end record");
  if (hex(end.head) !== hex(headHash)) throw new ChainBroken(`head hash ${hex(end.head)} is not the last block's ${hex(headHash)}`, null, null, "export end record");
}
