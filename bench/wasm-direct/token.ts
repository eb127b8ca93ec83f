// bench/wasm-direct/token.ts: the `token_transfer` workload (contracts/token.mote's transfer) compiled straight to
// wasm, the wasmDirect baseline: the same storage keys and values, checks and Transfer event, through the same host.
// @ts-nocheck: AssemblyScript, not TypeScript (i64, u64, usize); the root tsconfig type-checks bench/ as TS.
import { IO, host_emit, host_sstore, key, readU64, tagBytes, tagInt, writeU64 } from "./host";

const VAL: usize = memory.data(8);
const EVENT: usize = memory.data(96);
const TRANSFER_TOPIC: u32 = 1202438292; // the compiled contract's topic of Transfer

export function io_ptr(): usize {
  return IO;
}

/** init: IO = caller (32 B) ++ total (u64 LE). The owner, the caller's balance and the supply, as the contract's init. */
export function init(len: i64): i64 {
  if (len != 40) return 9;
  if (host_sstore(key(0, 0, 0), 1, IO, 32) != 0) unreachable();
  const total = load<u64>(IO + 32);
  writeU64(1, IO, 32, VAL, total);
  writeU64(2, 0, 0, VAL, total);
  return 0;
}

/** transfer: IO = caller (32 B) ++ to (32 B) ++ amount (u64 LE). 0 on success, 1 insufficient balance, 2 overflow. */
export function transfer(len: i64): i64 {
  if (len != 72) return 9;
  const from = IO;
  const to = IO + 32;
  const amount = load<u64>(IO + 64);
  const bal = readU64(1, from, 32, VAL);
  if (bal < amount) return 1;
  writeU64(1, from, 32, VAL, bal - amount);
  const tb = readU64(1, to, 32, VAL);
  const t = tb + amount;
  if (t < tb) return 2;
  writeU64(1, to, 32, VAL, t);
  store<u32>(EVENT, TRANSFER_TOPIC);
  store<u8>(EVENT + 4, 3);
  let p = tagBytes(EVENT + 5, from, 32);
  p = tagBytes(p, to, 32);
  p = tagInt(p, amount);
  if (host_emit(EVENT, <i32>(p - EVENT)) != 0) unreachable();
  return 0;
}
