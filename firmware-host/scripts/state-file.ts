// The firmware host's state file (`mote-host --state FILE`, the stand-in for NVS) in TypeScript, so Node-side
// tests can build a state for mote-host and read back what it wrote. Byte-for-byte the C codec (src/mote_store.c).
//
//   "MOTS" version:u8 (1) reserved:3B (0) count:u32 LE
//   count x { id:32B keyLen:u8 key[keyLen] valLen:u16 LE val[valLen] }   sorted by (id, key) bytes, valLen >= 1
//   (keyLen 0: the id's native balance, valLen 8)
//   sha256:32B of every byte before it
import { sha256 } from "@noble/hashes/sha2.js";
import { LIMITS } from "../../vm/spec/limits.ts";
import { MemoryStateStore, fromHex } from "../../vm/host/store.ts";

export const STATE_MAGIC = "MOTS";
export const STATE_VERSION = 1;

export class StateFileError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`byte ${offset}: ${detail}`);
    this.name = "StateFileError";
  }
}

interface Row {
  id: Uint8Array;
  key: Uint8Array;
  value: Uint8Array;
}

/** Byte order of (id, key): the order the C table keeps and the file requires. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function rowsOf(store: MemoryStateStore): Row[] {
  const rows = [...store.entries()].map(([c, k, v]) => ({ id: fromHex(c), key: fromHex(k), value: fromHex(v) }));
  return rows.sort((x, y) => compareBytes(x.id, y.id) || compareBytes(x.key, y.key));
}

export function encodeStateFile(store: MemoryStateStore): Uint8Array {
  const rows = rowsOf(store);
  const out: number[] = [...Buffer.from(STATE_MAGIC, "latin1"), STATE_VERSION, 0, 0, 0];
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  u32(rows.length);
  for (const r of rows) {
    if (r.id.length !== 32) throw new RangeError(`contract id must be 32 bytes, got ${r.id.length}`);
    if (r.key.length > LIMITS.MAX_KEY_BYTES.value) throw new RangeError(`key length ${r.key.length} is outside 0..${LIMITS.MAX_KEY_BYTES.value}`);
    if (r.key.length === 0 && r.value.length !== 8) throw new RangeError(`a balance (empty key) is 8 bytes, got ${r.value.length}`);
    if (r.value.length > LIMITS.MAX_BYTES_LEN.value) throw new RangeError(`value length ${r.value.length} exceeds ${LIMITS.MAX_BYTES_LEN.value}`);
    out.push(...r.id, r.key.length, ...r.key, r.value.length & 0xff, r.value.length >>> 8, ...r.value);
  }
  const body = new Uint8Array(out);
  const file = new Uint8Array(body.length + 32);
  file.set(body);
  file.set(sha256(body), body.length);
  return file;
}

export function decodeStateFile(buf: Uint8Array): MemoryStateStore {
  if (buf.length < 44) throw new StateFileError(0, `file is ${buf.length} bytes, shorter than the 44-byte empty state`);
  if (Buffer.from(buf.subarray(0, 4)).toString("latin1") !== STATE_MAGIC) throw new StateFileError(0, 'magic is not "MOTS"');
  if (buf[4] !== STATE_VERSION) throw new StateFileError(4, `version ${buf[4]} is not ${STATE_VERSION}`);
  if (buf[5] || buf[6] || buf[7]) throw new StateFileError(5, "reserved bytes are not zero");
  const end = buf.length - 32;
  if (Buffer.compare(sha256(buf.subarray(0, end)), buf.subarray(end)) !== 0) {
    throw new StateFileError(end, "SHA-256 trailer does not match the contents (torn or corrupted write)");
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = dv.getUint32(8, true);
  const store = new MemoryStateStore();
  let p = 12;
  let prev: Row | undefined;
  for (let i = 0; i < count; i++) {
    const at = p;
    if (end - p < 33) throw new StateFileError(at, `entry ${i} is truncated (id and key length)`);
    const kl = buf[p + 32]!;
    if (kl > LIMITS.MAX_KEY_BYTES.value) throw new StateFileError(p + 32, `entry ${i} key length ${kl} is outside 0..${LIMITS.MAX_KEY_BYTES.value}`);
    if (end - p - 33 < kl + 2) throw new StateFileError(p + 33, `entry ${i} is truncated (key and value length)`);
    const id = buf.slice(p, p + 32);
    const key = buf.slice(p + 33, p + 33 + kl);
    p += 33 + kl;
    const vl = dv.getUint16(p, true);
    if (vl === 0 || vl > LIMITS.MAX_BYTES_LEN.value) throw new StateFileError(p, `entry ${i} value length ${vl} is outside 1..${LIMITS.MAX_BYTES_LEN.value}`);
    if (end - p - 2 < vl) throw new StateFileError(p + 2, `entry ${i} value is truncated`);
    if (kl === 0 && vl !== 8) throw new StateFileError(p, `entry ${i} is a balance (empty key) but its value is ${vl} bytes, not 8`);
    const row = { id, key, value: buf.slice(p + 2, p + 2 + vl) };
    if (prev && (compareBytes(id, prev.id) || compareBytes(key, prev.key)) <= 0) {
      throw new StateFileError(at, `entry ${i} is not in (id, key) order after the previous one`);
    }
    store.set(row.id, row.key, row.value);
    prev = row;
    p += 2 + vl;
  }
  if (p !== end) throw new StateFileError(p, `${end - p} bytes after the last of ${count} entries`);
  return store;
}
