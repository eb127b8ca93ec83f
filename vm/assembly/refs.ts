// Byte-string references, the per-call arena and storage keys: the helpers the interpreter (interp.ts,
// index.ts) and the fast engine's runtime (fast.ts) share. Each wasm built from them has its own copy of
// these globals (mote.wasm and mote-fast.wasm are separate builds over one linear-memory layout).
import { IO, CTX, ARENA, ARENA_BYTES, MAX_KEY_BYTES } from "./gen/spec";

/** Lowest address a byte-string reference may point at: CTX (which holds self) and IMAGE are contiguous below the arena. */
export const REF_LO: i32 = CTX;
export const ARENA_END: i32 = ARENA + ARENA_BYTES;
/** Where storage values are read to and written from: the I/O buffer past the key. */
export const VALBUF: i32 = IO + MAX_KEY_BYTES;

export let arenaTop: i32 = 0; // set to ARENA at the start of each call
/** Length of the storage key buildKey last wrote at IO. */
export let keyLen: i32 = 0;

@inline export function refAddr(v: u64): i32 {
  return <i32>v;
}
@inline export function refLen(v: u64): i32 {
  return <i32>(v >>> 32);
}
/** A byte-string reference is valid when it lies within [REF_LO, arenaTop). */
@inline export function refOk(v: u64): bool {
  const a = <u32>v;
  const l = <u32>(v >>> 32);
  return a >= <u32>REF_LO && a <= <u32>arenaTop && l <= <u32>arenaTop - a;
}
@inline export function mkRef(addr: i32, len: i32): u64 {
  return (<u64>len << 32) | <u64><u32>addr;
}
@inline export function words(n: i32): i32 {
  return (n + 7) >>> 3;
}
/** A reference the program may write in place: inside the arena's live part, never the module or context. */
@inline export function writableRef(v: u64): bool {
  return <u32>v >= <u32>ARENA && refOk(v);
}
/** Bump-allocates n bytes in the arena; -1 when it is full. */
@inline export function alloc(n: i32): i32 {
  const a = arenaTop;
  if (n > ARENA_END - a) return -1;
  arenaTop = a + n;
  return a;
}

/** Builds the storage key slot ++ key at IO (mode bit0: key is bytes). false: key invalid or too long. */
export function buildKey(slot: u32, mode: u32, hasKey: bool, k: u64): bool {
  store<u8>(IO, <u8>slot);
  if (!hasKey) {
    keyLen = 1;
    return true;
  }
  if ((mode & 1) == 0) {
    store<u64>(IO + 1, k);
    keyLen = 9;
    return true;
  }
  if (!refOk(k)) return false;
  const l = refLen(k);
  if (l > MAX_KEY_BYTES - 1) return false;
  memory.copy(IO + 1, refAddr(k), l);
  keyLen = l + 1;
  return true;
}
