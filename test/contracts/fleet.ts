// Fixtures of the IoT contract tests: a devnet with the registry, anomaly guard and attestation deployed
// by an operator, signed sensor readings in the attestation's canonical encoding, and a reference model
// of the guard's fixed-point statistics that the contract's results are compared against.
import { readingMessage as deviceReadingMessage } from "../../ledger/device-message.ts";
import type { KeyPair } from "../../ledger/index.ts";
import { account, CallFailed, nextContractId, Devnet, type DevnetOptions, toFixed, type CallOutcome, type Contract } from "../helpers/contract.ts";

export const REGISTRY = "contracts/device_registry.mote";
export const ATTESTATION = "contracts/sensor_attestation.mote";
export const GUARD = "contracts/anomaly_guard.mote";
export const MARKET = "contracts/energy_market.mote";
export const SUPPLY = "contracts/supply_chain.mote";

export const operator = account("operator");
export const gateway = account("gateway");
export const sensor = (i: number): KeyPair => account(`sensor-${i}`);

export const KIND_THERMOMETER = 1n;
export const KIND_METER = 2n;
export const KIND_PARTY = 3n;

export const location = (name: string): Uint8Array => {
  const b = new Uint8Array(32);
  b.set(new TextEncoder().encode(name).subarray(0, 32));
  return b;
};

export interface Fleet {
  chain: Devnet;
  registry: Contract;
  guard: Contract;
  attestation: Contract;
}

/**
 * Registry, then the guard (told the attestation's id, which follows from the operator's next nonce and
 * so is known before it is deployed), then the attestation (told both): the order the demo and a real
 * operator follow.
 */
export async function fleet(opts: DevnetOptions = {}): Promise<Fleet> {
  const chain = await Devnet.create(opts);
  const registry = await chain.deploy(REGISTRY, { from: operator });
  // the attestation is the operator's deploy after the guard's
  const guard = await chain.deploy(GUARD, { init: [registry, nextContractId(chain, operator, 1n)], from: operator });
  const attestation = await chain.deploy(ATTESTATION, { init: [registry, guard], from: operator });
  return { chain, registry, guard, attestation };
}


/** The 76-byte message a device signs (ledger/device-message.ts; the header of contracts/sensor_attestation.mote). */
export function readingMessage(contract: Uint8Array, nonce: bigint, value: number | string, timestamp: bigint): Uint8Array {
  return deviceReadingMessage(contract, nonce, toFixed(value), timestamp);
}

export interface Reading {
  nonce: bigint;
  /** A number, or a decimal string for values a double cannot hold exactly. */
  value: number | string;
  timestamp: bigint;
}

export function signReading(device: KeyPair, contract: Uint8Array, r: Reading): Uint8Array {
  return device.sign(readingMessage(contract, r.nonce, r.value, r.timestamp));
}

/** The `submit` arguments of a reading signed by `signer` (the device itself unless a test forges one). */
export function submitArgs(f: Fleet, device: KeyPair, r: Reading, signer: KeyPair = device): [KeyPair, bigint, number | string, bigint, Uint8Array] {
  return [device, r.nonce, r.value, r.timestamp, signReading(signer, f.attestation.id, r)];
}

/**
 * What a gateway does per reading: submit it and have the guard observe it, in one block. Returns the
 * two outcomes (either may be CallFailed).
 */
export async function report(f: Fleet, device: KeyPair, r: Reading): Promise<[CallOutcome | CallFailed, CallOutcome | CallFailed]> {
  const out = await f.chain.block([
    f.attestation.prepare("submit", submitArgs(f, device, r), { from: gateway }),
    f.guard.prepare("observe", [device], { from: gateway }),
  ]);
  return [out[0]!, out[1]!];
}

/** Registers `device` and reports each value with nonces 1, 2, ... and timestamps at block time. */
export async function feed(f: Fleet, device: KeyPair, values: (number | string)[], firstNonce = 1n): Promise<void> {
  let nonce = firstNonce;
  for (const value of values) {
    const [a, g] = await report(f, device, { nonce, value, timestamp: f.chain.now });
    if (a instanceof CallFailed) throw a;
    if (g instanceof CallFailed) throw g;
    nonce += 1n;
  }
}

// -- reference model of anomaly_guard.mote (same constants, same Q47.16 arithmetic) -------------------

const Q = 16n;
const fix = (x: number | string): bigint => toFixed(x);
/** fmul: 128-bit product shifted right by 16, truncating toward zero (vm/spec/opcodes.ts). */
const fmul = (a: bigint, b: bigint): bigint => {
  const p = a * b;
  return p < 0n ? -(-p >> Q) : p >> Q;
};

export const GUARD_PARAMS = { alpha: fix(0.125), warmup: 8n, k2: fix(16), minVariance: fix(0.01), window: 10n, strikes: 3n, maxReading: fix(1_000_000_000), maxDeviation: fix(1_000_000) };

export interface ModelStats {
  seen: bigint;
  samples: bigint;
  mean: bigint;
  variance: bigint;
  strikes: bigint;
  windowStart: bigint;
  anomalies: bigint;
  isolated: boolean;
}

export const freshStats = (): ModelStats => ({ seen: 0n, samples: 0n, mean: 0n, variance: 0n, strikes: 0n, windowStart: 0n, anomalies: 0n, isolated: false });

/** One observation; returns whether it was an anomaly and whether it isolated the device. */
export function modelObserve(s: ModelStats, value: number | string): { anomaly: boolean; isolated: boolean } {
  const p = GUARD_PARAMS;
  const x = fix(value);
  s.seen += 1n;
  let anomaly = x > p.maxReading || x < -p.maxReading;
  if (!anomaly && s.samples === 0n) {
    s.samples = 1n;
    s.mean = x;
    s.variance = 0n;
    return { anomaly: false, isolated: false };
  }
  let d = 0n;
  if (!anomaly) {
    d = x - s.mean;
    if (d > p.maxDeviation || d < -p.maxDeviation) anomaly = true;
    else if (s.samples >= p.warmup) anomaly = fmul(d, d) > fmul(p.k2, s.variance < p.minVariance ? p.minVariance : s.variance);
  }
  if (anomaly) {
    if (s.strikes === 0n || s.seen - s.windowStart >= p.window) {
      s.windowStart = s.seen;
      s.strikes = 0n;
    }
    s.strikes += 1n;
    s.anomalies += 1n;
    const isolated = s.strikes >= p.strikes;
    if (isolated) s.isolated = true;
    return { anomaly, isolated };
  }
  s.samples += 1n;
  const inc = fmul(d, p.alpha);
  s.mean += inc;
  s.variance = fmul(s.variance + fmul(d, inc), fix(1) - p.alpha);
  return { anomaly: false, isolated: false };
}

export const fromFixed = (raw: bigint): number => Number(raw) / 65536;
