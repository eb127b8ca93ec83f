// bench/wasm-direct/host.ts: the host imports a contract compiled straight to wasm would use, with the same
// names and signatures as the Mote host ABI (docs/host-abi.md), and the tagged event encoding of format.ts.
// @ts-nocheck: AssemblyScript, not TypeScript (i32, usize, load<T>); the root tsconfig type-checks bench/ as TS.
import { host_sload, host_sstore } from "./env";

export { host_ed25519_verify, host_emit, host_sha256, host_sload, host_sstore, host_xload } from "./env";


/** Arguments in: the driver writes each call's bytes here (bench/rv32/bench_main.c). */
export const IO: usize = memory.data(256);
const KEY: usize = memory.data(72);

/** A storage key: slot byte, then `len` bytes of map key (0 for a plain slot). */
export function key(slot: u8, mapKey: usize, len: i32): usize {
  store<u8>(KEY, slot);
  if (len > 0) memory.copy(KEY + 1, mapKey, <usize>len);
  return KEY;
}

export function readU64(slot: u8, mapKey: usize, len: i32, buf: usize): u64 {
  const n = host_sload(key(slot, mapKey, len), 1 + len, buf, 8);
  if (n < 0) unreachable();
  return n == 0 ? 0 : load<u64>(buf);
}

export function writeU64(slot: u8, mapKey: usize, len: i32, buf: usize, v: u64): void {
  store<u64>(buf, v);
  if (host_sstore(key(slot, mapKey, len), 1 + len, buf, 8) != 0) unreachable();
}

/** Appends a tagged byte string to an event at p; returns the next position. */
export function tagBytes(p: usize, src: usize, len: i32): usize {
  store<u8>(p, 1);
  store<u16>(p + 1, <u16>len);
  memory.copy(p + 3, src, <usize>len);
  return p + 3 + <usize>len;
}

/** Appends a tagged integer to an event at p; returns the next position. */
export function tagInt(p: usize, v: u64): usize {
  store<u8>(p, 0);
  store<u64>(p + 1, v);
  return p + 9;
}
