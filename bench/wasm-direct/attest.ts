// bench/wasm-direct/attest.ts: the `attest` workload (contracts/sensor_attestation.mote's submit) compiled straight
// to wasm, the wasmDirect baseline: the same cross-contract reads, checks, signed message, hash chain, storage and event.
// @ts-nocheck: AssemblyScript, not TypeScript (i64, u64, usize); the root tsconfig type-checks bench/ as TS.
import { IO, host_ed25519_verify, host_emit, host_sha256, host_sload, host_sstore, host_xload, key, readU64, tagBytes, tagInt, writeU64 } from "./host";

const REGISTRY: usize = memory.data(32);
const GUARD: usize = memory.data(32);
const DEVICE_REC: usize = memory.data(64); // the registry's Device: status, kind, location, registered_at
const STATS: usize = memory.data(96); // the guard's Stats: seen, samples, mean, variance, strikes, window_start, anomalies, isolated
const LATEST: usize = memory.data(64); // Reading: count, nonce, value, timestamp, chain
const CHAIN_IN: usize = memory.data(96); // chain ++ message
const VAL: usize = memory.data(8);
const EVENT: usize = memory.data(160);
const ATTESTED_TOPIC: u32 = 1046222804; // the compiled contract's topic of Attested
const MAX_CLOCK_SKEW: u64 = 300;

export function io_ptr(): usize {
  return IO;
}

/** init: IO = registry id (32 B) ++ guard id (32 B). */
export function init(len: i64): i64 {
  if (len != 64) return 9;
  if (host_sstore(key(0, 0, 0), 1, IO, 32) != 0 || host_sstore(key(1, 0, 0), 1, IO + 32, 32) != 0) unreachable();
  return 0;
}

/**
 * submit: IO = device (32) ++ nonce ++ value ++ timestamp (u64 LE each) ++ signature (64) ++ block time (u64)
 * ++ this contract's id (32): the host supplies the last two, as the Mote VM's now() and self().
 * 0 on success, else the number of the failed requirement.
 */
export function submit(len: i64): i64 {
  if (len != 160) return 99;
  const device = IO;
  const nonce = load<u64>(IO + 32);
  const value = load<u64>(IO + 40);
  const timestamp = load<u64>(IO + 48);
  const sig = IO + 56;
  const now = load<u64>(IO + 120);
  const self = IO + 128;
  if (host_sload(key(0, 0, 0), 1, REGISTRY, 32) != 32 || host_sload(key(1, 0, 0), 1, GUARD, 32) != 32) unreachable();
  memory.fill(DEVICE_REC, 0, 64);
  if (host_xload(REGISTRY, key(1, device, 32), 33, DEVICE_REC, 64) < 0) unreachable();
  const status = load<u64>(DEVICE_REC);
  if (status == 0) return 1;
  if (status != 1) return 2;
  memory.fill(STATS, 0, 96);
  if (host_xload(GUARD, key(2, device, 32), 33, STATS, 96) < 0) unreachable();
  if (load<u8>(STATS + 56) != 0) return 3;
  memory.fill(LATEST, 0, 64);
  if (host_sload(key(2, device, 32), 33, LATEST, 64) < 0) unreachable();
  const count = load<u64>(LATEST);
  if (load<u64>(STATS) != count) return 4;
  if (nonce <= load<u64>(LATEST + 8)) return 5;
  if (timestamp <= load<u64>(LATEST + 24)) return 6;
  if (timestamp > now + MAX_CLOCK_SKEW) return 7;
  const msg = CHAIN_IN + 32;
  memory.copy(msg, self, 32);
  store<u64>(msg + 32, nonce);
  store<u64>(msg + 40, value);
  store<u64>(msg + 48, timestamp);
  if (host_ed25519_verify(device, msg, 56, sig) != 1) return 8;
  memory.copy(CHAIN_IN, LATEST + 32, 32);
  host_sha256(CHAIN_IN, 88, LATEST + 32);
  store<u64>(LATEST, count + 1);
  store<u64>(LATEST + 8, nonce);
  store<u64>(LATEST + 16, value);
  store<u64>(LATEST + 24, timestamp);
  if (host_sstore(key(2, device, 32), 33, LATEST, 64) != 0) unreachable();
  writeU64(3, 0, 0, VAL, readU64(3, 0, 0, VAL) + 1);
  store<u32>(EVENT, ATTESTED_TOPIC);
  store<u8>(EVENT + 4, 5);
  let p = tagBytes(EVENT + 5, device, 32);
  p = tagInt(p, nonce);
  p = tagInt(p, value);
  p = tagInt(p, timestamp);
  p = tagBytes(p, LATEST + 32, 32);
  if (host_emit(EVENT, <i32>(p - EVENT)) != 0) unreachable();
  return 0;
}
