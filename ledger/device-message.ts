// The messages devices sign for contracts (a reading, a handoff), in the one documented device domain
// (docs/ledger.md, "Chain binding"; contracts/lib/device_message.mote builds the same bytes on chain).
import { sha256 } from "@noble/hashes/sha2.js";
import { selectorOf } from "../vm/spec/module.ts";
import { ByteWriter } from "./bytes.ts";
import type { KeyPair } from "./keys.ts";

/** "mote/device/v1" and two zero bytes: never the start of a transaction's signed bytes ("mote/tx/v3\0"). */
export const DEVICE_TAG = new Uint8Array([...new TextEncoder().encode("mote/device/v1"), 0, 0]);

/**
 * tag (16) ‖ instance id (32, chain-bound: it derives from the chain's genesis hash) ‖ selector of
 * `fn` (u32 LE) ‖ payload: what a device signs so the signature counts for one function of one
 * instance on one chain.
 */
export function deviceMessage(instance: Uint8Array, fn: string, payload: Uint8Array): Uint8Array {
  if (instance.length !== 32) throw new RangeError(`instance id must be 32 bytes, got ${instance.length}`);
  return new ByteWriter().bytes(DEVICE_TAG).bytes(instance).u32(selectorOf(fn)).bytes(payload).finish();
}

/** The 76 bytes a device signs for a reading (contracts/sensor_attestation.mote `submit`); value is fixed Q47.16 as i64. */
export function readingMessage(instance: Uint8Array, nonce: bigint, value: bigint, timestamp: bigint): Uint8Array {
  return deviceMessage(instance, "submit", new ByteWriter().u64(nonce).u64(BigInt.asUintN(64, value)).u64(timestamp).finish());
}

/** The 108 bytes a device signs for a sealed reading (`submit_sealed`): the reading and SHA-256 of the sealed payload. */
export function sealedReadingMessage(instance: Uint8Array, nonce: bigint, value: bigint, timestamp: bigint, sealed: Uint8Array): Uint8Array {
  return deviceMessage(instance, "submit_sealed", new ByteWriter().u64(nonce).u64(BigInt.asUintN(64, value)).u64(timestamp).bytes(sha256(sealed)).finish());
}

/** The 124 bytes both parties of a handoff sign (contracts/supply_chain.mote `handoff`). */
export function handoffMessage(instance: Uint8Array, item: Uint8Array, to: Uint8Array, seq: bigint): Uint8Array {
  return deviceMessage(instance, "handoff", new ByteWriter().bytes(item).bytes(to).u64(seq).finish());
}

/** A device's signature over a reading for `instance`. */
export function signReading(device: KeyPair, instance: Uint8Array, nonce: bigint, value: bigint, timestamp: bigint): Uint8Array {
  return device.sign(readingMessage(instance, nonce, value, timestamp));
}
