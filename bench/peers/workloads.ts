// The peer benchmark's workloads, defined once for every engine: sizes, inputs (accounts, devices,
// signed readings) and reference answers computed independently of any engine (node:crypto, BigInt).
import { deviceMessage } from "../../ledger/device-message.ts";
import { createHash } from "node:crypto";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

export type WorkloadName = "fib" | "loop" | "sha_chain" | "token_transfer" | "attest";

export interface Sizes {
  /** fib(n), recursive. */
  fibN: number;
  /** sum 1..n with checked additions. */
  loopN: number;
  /** h <- SHA-256(h), n times, from 32 zero bytes. */
  shaN: number;
  /** token transfers, one call (transaction) each. */
  transfers: number;
  /** ed25519-signed sensor readings, one call each. */
  readings: number;
}

export const FULL: Sizes = { fibN: 25, loopN: 1_000_000, shaN: 1000, transfers: 1000, readings: 100 };
/** What the tests run: every engine and workload in about a second; 9 readings a device pass the guard's warm-up. */
export const SMALL: Sizes = { fibN: 12, loopN: 1000, shaN: 10, transfers: 24, readings: 90 };

export const WORKLOADS: readonly { name: WorkloadName; title: string; unit: string }[] = [
  { name: "fib", title: "fib(25), recursive", unit: "call" },
  { name: "loop", title: "sum 1..1e6, checked adds", unit: "iteration" },
  { name: "sha_chain", title: "1,000 chained SHA-256", unit: "hash" },
  { name: "token_transfer", title: "1,000 token transfers", unit: "transfer" },
  { name: "attest", title: "100 ed25519-signed readings", unit: "reading" },
];

/** Work units of each workload at these sizes (the per-unit cost divides the median by this). */
export function units(s: Sizes): Record<WorkloadName, number> {
  return { fib: fibCalls(s.fibN), loop: s.loopN, sha_chain: s.shaN, token_transfer: s.transfers, attest: s.readings };
}

export function fibCalls(n: number): number {
  let a = 1;
  let b = 1; // calls(0) = calls(1) = 1, calls(n) = calls(n-1) + calls(n-2) + 1
  for (let i = 2; i <= n; i++) [a, b] = [b, a + b + 1];
  return n < 1 ? 1 : b;
}

export function fibRef(n: number): bigint {
  let a = 0n;
  let b = 1n;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

export function sumRef(n: number): bigint {
  const N = BigInt(n);
  return (N * (N + 1n)) / 2n;
}

export const SHA_SEED = new Uint8Array(32);

export function sha256(b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(b).digest());
}

export function shaChainRef(seed: Uint8Array, n: number): Uint8Array {
  let h = seed;
  for (let i = 0; i < n; i++) h = sha256(h);
  return h;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));

// -- token ----------------------------------------------------------------------------------------

export const TOKEN_ACCOUNTS = 8;
/** Each account starts with this balance; account 0 deploys with the whole supply and funds the rest. */
export const TOKEN_FUNDING = 1_000_000n;

/** 32-byte account keys (Mote callers are public keys; the EVM uses the first 20 bytes as an address). */
export const accounts: readonly Uint8Array[] = Array.from({ length: TOKEN_ACCOUNTS }, (_, i) => sha256(new TextEncoder().encode(`mote-bench account ${i}`)));

export interface Transfer {
  from: number;
  to: number;
  amount: bigint;
}

/** A fixed pattern: every account sends in turn, to every other account, amounts 1..1000; none reverts. */
export function transfers(count: number): Transfer[] {
  return Array.from({ length: count }, (_, i) => {
    const from = i % TOKEN_ACCOUNTS;
    const to = (from + 1 + ((i >> 3) % (TOKEN_ACCOUNTS - 1))) % TOKEN_ACCOUNTS;
    return { from, to, amount: BigInt(1 + ((i * 7919) % 1000)) };
  });
}

export function balancesRef(list: readonly Transfer[]): bigint[] {
  const b = new Array<bigint>(TOKEN_ACCOUNTS).fill(TOKEN_FUNDING);
  for (const t of list) {
    if (b[t.from]! < t.amount) throw new Error(`transfer pattern overdraws account ${t.from}`);
    b[t.from]! -= t.amount;
    b[t.to]! += t.amount;
  }
  return b;
}

// -- attestation ----------------------------------------------------------------------------------

export const DEVICES = 10;

export interface Device {
  secret: Uint8Array;
  pubkey: Uint8Array;
}

export const devices: readonly Device[] = Array.from({ length: DEVICES }, (_, i) => {
  const secret = sha256(new TextEncoder().encode(`mote-bench device ${i}`));
  return { secret, pubkey: ed.getPublicKey(secret) };
});

export interface Reading {
  device: number;
  nonce: bigint;
  /** Q47.16 fixed point (Mote's `fixed`): a temperature around 20 degrees. */
  value: bigint;
  timestamp: bigint;
}

/** One in Q47.16. */
export const FIXED_ONE = 65536n;

/** Readings round-robin over the devices; each device's nonces run 1, 2, 3, ... */
export function readings(count: number): Reading[] {
  return Array.from({ length: count }, (_, j) => ({
    device: j % DEVICES,
    nonce: BigInt(Math.floor(j / DEVICES) + 1),
    value: 20n * FIXED_ONE + BigInt(((j * 37) % 50) - 25) * 655n, // 20 degrees ± 0.25
    timestamp: BigInt(1_700_000_000 + 60 * j),
  }));
}

/** The block time every attestation call sees: no reading is ahead of it (the contracts refuse those). */
export function blockTime(list: readonly Reading[]): bigint {
  return list.reduce((t, r) => (r.timestamp > t ? r.timestamp : t), 0n);
}

/** How one engine lays out the signed message and starts each device's hash chain. */
export interface AttestFormat {
  message(r: Reading): Uint8Array;
  /** The chain before a device's first reading: 32 zero bytes (contracts/sensor_attestation.mote). */
  initialHead: Uint8Array;
}

export interface SignedReading extends Reading {
  message: Uint8Array;
  sig: Uint8Array;
}

export function signReadings(list: readonly Reading[], format: AttestFormat): SignedReading[] {
  return list.map((r) => {
    const message = format.message(r);
    return { ...r, message, sig: ed.sign(message, devices[r.device]!.secret) };
  });
}

export function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Mote's layout (and the Lua, QuickJS and JS peers'): the device domain prefix (tag ++ instance id ++
 * selector of `submit`, ledger/device-message.ts) ++ nonce ++ value ++ timestamp, u64 LE.
 */
export function moteFormat(domain: Uint8Array): AttestFormat {
  return {
    message: (r) => concat(domain, u64le(r.nonce), u64le(r.value), u64le(r.timestamp)),
    initialHead: new Uint8Array(32),
  };
}

/** The device domain prefix of a reading for `submit` of `instance`: the 52 bytes before its payload. */
export function readingDomain(instance: Uint8Array): Uint8Array {
  return deviceMessage(instance, "submit", new Uint8Array(0));
}

/** The domain prefix the Lua, QuickJS and JS peers sign over (their "contract id"), standing for an instance's. */
export const PEER_CONTRACT_ID = readingDomain(sha256(new TextEncoder().encode("mote-bench attestation")));

/** The anomaly guard's constants (contracts/anomaly_guard.mote), in Q47.16 where fixed. */
export const GUARD = {
  ALPHA: FIXED_ONE / 8n,
  WARMUP: 8n,
  K2: 16n * FIXED_ONE,
  MIN_VARIANCE: 655n,
  WINDOW: 10n,
  STRIKES: 3n,
  MAX_DEVIATION: 1_000_000n * FIXED_ONE,
} as const;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
function i64(v: bigint): bigint {
  if (v < I64_MIN || v > I64_MAX) throw new Error("fixed-point overflow in the reference");
  return v;
}
/** Mote's fmul: exact product, shifted by 16 truncating toward zero (BigInt division truncates). */
export const fmulRef = (a: bigint, b: bigint): bigint => i64((a * b) / FIXED_ONE);

export interface GuardStats {
  seen: bigint;
  samples: bigint;
  mean: bigint;
  variance: bigint;
  strikes: bigint;
  windowStart: bigint;
  anomalies: bigint;
  isolated: boolean;
}

/** One `observe` of the guard on a device's latest reading (count, value), exactly as the contract. */
export function observeRef(s: GuardStats, count: bigint, x: bigint): GuardStats {
  const n = { ...s, seen: count };
  if (n.samples === 0n) return { ...n, samples: 1n, mean: x, variance: 0n };
  const d = i64(x - n.mean);
  let anomalous = false;
  if (n.samples >= GUARD.WARMUP) {
    if (d > GUARD.MAX_DEVIATION || d < -GUARD.MAX_DEVIATION) anomalous = true;
    else anomalous = fmulRef(d, d) > fmulRef(GUARD.K2, n.variance < GUARD.MIN_VARIANCE ? GUARD.MIN_VARIANCE : n.variance);
  }
  if (anomalous) {
    if (n.strikes === 0n || n.seen - n.windowStart >= GUARD.WINDOW) {
      n.windowStart = n.seen;
      n.strikes = 0n;
    }
    n.strikes += 1n;
    n.anomalies += 1n;
    if (n.strikes >= GUARD.STRIKES) n.isolated = true;
    return n;
  }
  const inc = fmulRef(d, GUARD.ALPHA);
  return { ...n, samples: n.samples + 1n, mean: i64(n.mean + inc), variance: fmulRef(i64(n.variance + fmulRef(d, inc)), FIXED_ONE - GUARD.ALPHA) };
}

export interface AttestOutcome {
  heads: Uint8Array[];
  nonces: bigint[];
  /** The guard's mean and variance per device (Q47.16). */
  means: bigint[];
  variances: bigint[];
}

/** Each device's chain head, nonce and guard statistics after the readings (submit, then observe). */
export function attestRef(list: readonly Reading[], format: AttestFormat): AttestOutcome {
  const heads: Uint8Array[] = devices.map(() => format.initialHead);
  const nonces: bigint[] = devices.map(() => 0n);
  const counts: bigint[] = devices.map(() => 0n);
  let stats: GuardStats[] = devices.map(() => ({ seen: 0n, samples: 0n, mean: 0n, variance: 0n, strikes: 0n, windowStart: 0n, anomalies: 0n, isolated: false }));
  for (const r of list) {
    if (r.nonce <= nonces[r.device]!) throw new Error(`reading pattern replays device ${r.device}`);
    if (stats[r.device]!.isolated) throw new Error(`reading pattern isolates device ${r.device}`);
    nonces[r.device] = r.nonce;
    counts[r.device]! += 1n;
    heads[r.device] = sha256(concat(heads[r.device]!, format.message(r)));
    stats = stats.map((s, i) => (i === r.device ? observeRef(s, counts[i]!, r.value) : s));
  }
  return { heads, nonces, means: stats.map((s) => s.mean), variances: stats.map((s) => s.variance) };
}
