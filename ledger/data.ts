// Sealed readings end to end on the TypeScript side: what a device signs and submits to
// contracts/sensor_attestation.mote's submit_sealed, and what a reader does with the chain's record of
// them (fetch the Sealed events, check each against its signature, commitment and sequence number,
// and open the ones sealed to its key). Sealing itself is ./seal.ts; docs/data.md has the threat model.
import { sha256 } from "@noble/hashes/sha2.js";
import { ByteWriter, hex } from "./bytes.ts";
import type { KeyPair } from "./keys.ts";
import { verifySignature } from "./keys.ts";
import type { EventRecord } from "./ledger.ts";
import { sealedReadingMessage } from "./device-message.ts";
import { seal, SealError, type ReaderKey, type SealContext, type SealRandomness } from "./seal.ts";

/** The event submit_sealed emits: `Sealed(device: pubkey, nonce: u64, signature: sig, sealed: bytes)`. */
export const SEALED_EVENT_SIGNATURE = "Sealed(pubkey,u64,sig,bytes)";
/** Its topic as the compiler computes every event's: SHA-256 of the signature, first 4 bytes LE. */
export const SEALED_TOPIC = new DataView(sha256(new TextEncoder().encode(SEALED_EVENT_SIGNATURE)).buffer).getUint32(0, true);
/** Public reading fields the Attested event carries: `Attested(device, nonce, value, timestamp, chain)`. */
export const ATTESTED_TOPIC = new DataView(sha256(new TextEncoder().encode("Attested(pubkey,u64,fixed,u64,hash)")).buffer).getUint32(0, true);
/** The largest sealed payload the attestation accepts (its MAX_SEALED): the event must fit 1,024 bytes. */
export const MAX_SEALED_ON_CHAIN = 896;

/**
 * The plaintext of a sealed reading: the exact value (fixed Q47.16 as i64) and timestamp, then the
 * context the device adds (unit, location, raw samples, …), which only readers see.
 */
export interface ReadingPayload {
  value: bigint;
  timestamp: bigint;
  context: Uint8Array;
}

export function encodeReadingPayload(p: ReadingPayload): Uint8Array {
  return new ByteWriter().u64(BigInt.asUintN(64, p.value)).u64(p.timestamp).bytes(p.context).finish();
}

export function decodeReadingPayload(b: Uint8Array): ReadingPayload {
  if (b.length < 16) throw new SealError("format", `reading payload: needs 16 bytes (value, timestamp), got ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { value: dv.getBigInt64(0, true), timestamp: dv.getBigUint64(8, true), context: b.slice(16) };
}

export { sealedReadingMessage } from "./device-message.ts";

export interface SealedReading {
  device: Uint8Array;
  nonce: bigint;
  /** the public value the contracts judge (exact or a band of it, as the operator chooses) */
  value: bigint;
  timestamp: bigint;
  sealed: Uint8Array;
  signature: Uint8Array;
}

/**
 * What a device does for one reading: seal the exact reading and its context to `readers` (the keys
 * data_readers.mote lists for this nonce), then sign the public value together with the commitment.
 */
export function sealReading(
  device: KeyPair,
  chainId: string,
  contract: Uint8Array,
  nonce: bigint,
  reading: ReadingPayload,
  readers: readonly Uint8Array[],
  opts: { publicValue?: bigint; random?: SealRandomness } = {},
): SealedReading {
  const ctx: SealContext = { chainId, contract, device: device.publicKey, seq: nonce };
  const sealed = seal(encodeReadingPayload(reading), readers, ctx, opts.random);
  if (sealed.length > MAX_SEALED_ON_CHAIN) {
    throw new SealError("format", `sealed reading: ${sealed.length} bytes, the attestation takes at most ${MAX_SEALED_ON_CHAIN}; shorten the context or seal to fewer readers`);
  }
  const value = opts.publicValue ?? reading.value;
  return { device: device.publicKey, nonce, value, timestamp: reading.timestamp, sealed, signature: device.sign(sealedReadingMessage(contract, nonce, value, reading.timestamp, sealed)) };
}

/** The exact public value rounded down to a band of `width` (Q47.16), for operators who publish bands. */
export function band(value: bigint, width: bigint): bigint {
  if (width <= 0n) return value;
  const q = value / width;
  return (value < 0n && q * width !== value ? q - 1n : q) * width;
}

export type ReadOutcome =
  | { status: "opened"; payload: ReadingPayload; publicMatches: boolean }
  | { status: "not_a_reader" }
  | { status: "refused"; reason: string };

export interface ReadResult {
  height: bigint;
  txId: Uint8Array;
  nonce: bigint;
  value: bigint;
  timestamp: bigint;
  sealedBytes: number;
  outcome: ReadOutcome;
}

/**
 * A reader's view of one device's sealed readings: the Sealed events (and their Attested companions,
 * which carry the public value and timestamp) of `contract` for `device`, each checked against the
 * device's signature over the public fields and the commitment, refused when its sequence number
 * was used before, and opened when it was sealed to `key`. Everyone else sees only ciphertext.
 * `band` (Q47.16; 0 = exact) is the width the operator publishes values in: an opened reading whose
 * public value is not its exact value banded so is flagged.
 */
export function readSealedReadings(
  events: readonly EventRecord[],
  opts: { chainId: string; contract: Uint8Array; device: Uint8Array; key: ReaderKey; band?: bigint },
): ReadResult[] {
  const dev = hex(opts.device);
  const cid = hex(opts.contract);
  const attested = new Map<string, EventRecord>();
  for (const e of events) {
    if (hex(e.contract) === cid && e.topic === ATTESTED_TOPIC && e.values[0] instanceof Uint8Array && hex(e.values[0]) === dev) {
      attested.set(`${hex(e.txId)}:${String(e.values[1])}`, e);
    }
  }
  const seen = new Set<bigint>();
  const out: ReadResult[] = [];
  for (const e of events) {
    if (hex(e.contract) !== cid || e.topic !== SEALED_TOPIC) continue;
    const [device, nonce, signature, sealed] = e.values;
    if (!(device instanceof Uint8Array) || hex(device) !== dev) continue;
    if (typeof nonce !== "bigint" || !(signature instanceof Uint8Array) || !(sealed instanceof Uint8Array)) continue;
    const pub = attested.get(`${hex(e.txId)}:${nonce}`);
    const value = pub && typeof pub.values[2] === "bigint" ? BigInt.asIntN(64, pub.values[2]) : 0n;
    const timestamp = pub && typeof pub.values[3] === "bigint" ? pub.values[3] : 0n;
    const base = { height: e.height, txId: e.txId, nonce, value, timestamp, sealedBytes: sealed.length };
    const refuse = (reason: string): void => void out.push({ ...base, outcome: { status: "refused", reason } });
    if (!pub) {
      refuse("no Attested event beside it in the transaction: its public fields are unknown");
      continue;
    }
    if (seen.has(nonce)) {
      refuse(`sequence number ${nonce} was used before by this device: a replayed payload`);
      continue;
    }
    seen.add(nonce);
    if (!verifySignature(signature, sealedReadingMessage(opts.contract, nonce, value, timestamp, sealed), opts.device)) {
      refuse("the device's signature does not cover these public fields and this ciphertext");
      continue;
    }
    try {
      const payload = decodeReadingPayload(opts.key.open(sealed, { chainId: opts.chainId, contract: opts.contract, device: opts.device, seq: nonce }));
      const publicMatches = payload.timestamp === timestamp && band(payload.value, opts.band ?? 0n) === value;
      out.push({ ...base, outcome: { status: "opened", payload, publicMatches } });
    } catch (err) {
      if (err instanceof SealError && err.code === "not_a_reader") out.push({ ...base, outcome: { status: "not_a_reader" } });
      else if (err instanceof SealError) refuse(err.message);
      else throw err;
    }
  }
  return out;
}
