// Sealed device data: a payload encrypted by a device to a set of readers, bound to where it belongs.
// One ephemeral X25519 key per message (forward secrecy: the device keeps no key that opens an old
// message), a random content key under XChaCha20-Poly1305, and that key wrapped for each reader under
// a key derived with BLAKE2b from the X25519 secret shared with that reader. The associated data binds
// chain id, contract instance, device and sequence number, so a ciphertext cannot be replayed
// elsewhere or moved to another device, contract or position. Libraries: @noble/curves (X25519),
// @noble/ciphers (XChaCha20-Poly1305), @noble/hashes (BLAKE2b). The C twin is
// firmware-host/src/mote_seal.c (Monocypher); test/vectors/seal.json keeps the two byte-identical.
//
// Layout (integers little-endian):
//   0        u8    version (1)
//   1        u8    reader count n (1..SEAL_MAX_READERS)
//   2        32 B  ephemeral X25519 public key
//   34       24 B  nonce
//   58       n × 56 B: reader key id (8 B) ‖ wrapped content key (32 B) ‖ its tag (16 B)
//   58+56n   u16   payload length L (0..SEAL_MAX_PAYLOAD)
//   60+56n   L B   ciphertext ‖ tag (16 B)
// Associated data of every AEAD in it: "mote/seal/v1" ‖ u8 len ‖ chain id ‖ contract (32 B) ‖
// device (32 B) ‖ sequence (u64) ‖ the 58-byte header above.
import { randomBytes } from "node:crypto";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { ByteWriter, concat, hex } from "./bytes.ts";
import { readSecretFile, writeSecretFile } from "./keys.ts";
import { LedgerError } from "./errors.ts";

export const SEAL_VERSION = 1;
/** The largest payload a device seals: a reading with its context fits many times over, and a sealed
 * payload of 8 readers stays under 2 KiB, which a transaction argument carries and gas prices by byte. */
export const SEAL_MAX_PAYLOAD = 1024;
/** Readers per payload: each costs 56 bytes on chain and one X25519 on the device (≈ the cost of a seal). */
export const SEAL_MAX_READERS = 8;
export const SEAL_HEADER_BYTES = 58;
export const SEAL_ENTRY_BYTES = 56;
export const SEAL_TAG_BYTES = 16;
const DOMAIN = new TextEncoder().encode("mote/seal/v1");
const KEK_LABEL = new TextEncoder().encode("mote/seal/v1/kek");
const ID_LABEL = new TextEncoder().encode("mote/seal/v1/id");

/** Where a payload belongs: the associated data of every AEAD in it. */
export interface SealContext {
  chainId: string;
  /** The contract instance the payload is submitted to (32 bytes). */
  contract: Uint8Array;
  /** The device's Ed25519 public key (32 bytes). */
  device: Uint8Array;
  /** The device's sequence number for this payload (the reading's nonce): never reused. */
  seq: bigint;
}

/** The randomness of one seal; drawn from the platform RNG unless a test or a vector fixes it. */
export interface SealRandomness {
  ephemeralSecret: Uint8Array;
  nonce: Uint8Array;
  contentKey: Uint8Array;
}

export type SealErrorCode = "format" | "context" | "bad_reader_key" | "not_a_reader" | "key_unwrap_failed" | "payload_auth_failed";

/** A refusal naming the problem and, for a malformed payload, the field and byte offset. */
export class SealError extends Error {
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SealError";
  }
}

function checkContext(ctx: SealContext): Uint8Array {
  const chain = new TextEncoder().encode(ctx.chainId);
  if (chain.length < 1 || chain.length > 255) throw new SealError("context", `chain id: 1..255 bytes of UTF-8, got ${chain.length}`);
  if (ctx.contract.length !== 32) throw new SealError("context", `contract: a 32-byte instance id, got ${ctx.contract.length} bytes`);
  if (ctx.device.length !== 32) throw new SealError("context", `device: a 32-byte public key, got ${ctx.device.length} bytes`);
  if (ctx.seq < 0n || ctx.seq >= 2n ** 64n) throw new SealError("context", `seq: a u64, got ${ctx.seq}`);
  return chain;
}

/** The associated data: the context, then the header (version, reader count, ephemeral key, nonce). */
export function sealAssociatedData(ctx: SealContext, header: Uint8Array): Uint8Array {
  const chain = checkContext(ctx);
  return new ByteWriter().bytes(DOMAIN).u8(chain.length).bytes(chain).bytes(ctx.contract).bytes(ctx.device).u64(ctx.seq).bytes(header).finish();
}

/** A reader's key id inside a sealed payload: the first 8 bytes of BLAKE2b of its public key. */
export function readerKeyId(readerPublic: Uint8Array): Uint8Array {
  return blake2b(concat(ID_LABEL, readerPublic), { dkLen: 8 });
}

/**
 * Refuses a reader key no secret can be shared with: not 32 bytes, or a point of small order (X25519
 * with any clamped scalar gives zero, so its "shared secret" would be public).
 */
export function checkReaderKey(readerPublic: Uint8Array, what = "reader key"): void {
  if (readerPublic.length !== 32) throw new SealError("bad_reader_key", `${what}: an X25519 public key is 32 bytes, got ${readerPublic.length}`);
  const probe = new Uint8Array(32).fill(9);
  if (sharedSecret(probe, readerPublic).every((b) => b === 0)) {
    throw new SealError("bad_reader_key", `${what}: 0x${hex(readerPublic)} is a point of small order; no secret can be shared with it`);
  }
}

/** X25519 as RFC 7748 defines it, zero result included (the caller decides what zero means). */
function sharedSecret(secret: Uint8Array, pub: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(secret, pub);
  } catch {
    return new Uint8Array(32); // @noble refuses an all-zero result; Monocypher returns it
  }
}

function keyEncryptionKey(shared: Uint8Array, ephemeralPublic: Uint8Array, readerPublic: Uint8Array): Uint8Array {
  return blake2b(concat(KEK_LABEL, ephemeralPublic, readerPublic), { key: shared, dkLen: 32 });
}

function freshRandomness(): SealRandomness {
  return { ephemeralSecret: new Uint8Array(randomBytes(32)), nonce: new Uint8Array(randomBytes(24)), contentKey: new Uint8Array(randomBytes(32)) };
}

/** Seals `payload` to `readers` (X25519 public keys) for the place `ctx` names. */
export function seal(payload: Uint8Array, readers: readonly Uint8Array[], ctx: SealContext, rnd: SealRandomness = freshRandomness()): Uint8Array {
  checkContext(ctx);
  if (payload.length > SEAL_MAX_PAYLOAD) throw new SealError("format", `payload: at most ${SEAL_MAX_PAYLOAD} bytes, got ${payload.length}`);
  if (readers.length < 1 || readers.length > SEAL_MAX_READERS) throw new SealError("format", `readers: 1..${SEAL_MAX_READERS}, got ${readers.length}`);
  readers.forEach((r, i) => {
    if (r.length !== 32) throw new SealError("bad_reader_key", `reader ${i + 1}: an X25519 public key is 32 bytes, got ${r.length}`);
  });
  const ids = readers.map((r) => hex(readerKeyId(r)));
  if (new Set(ids).size !== ids.length) throw new SealError("format", "readers: the same key is listed twice");
  if (rnd.ephemeralSecret.length !== 32 || rnd.nonce.length !== 24 || rnd.contentKey.length !== 32) {
    throw new SealError("format", "randomness: a 32-byte ephemeral secret, a 24-byte nonce and a 32-byte content key");
  }
  const ephemeralPublic = x25519.getPublicKey(rnd.ephemeralSecret);
  const header = new ByteWriter().u8(SEAL_VERSION).u8(readers.length).bytes(ephemeralPublic).bytes(rnd.nonce).finish();
  const ad = sealAssociatedData(ctx, header);
  const w = new ByteWriter().bytes(header);
  for (const [i, r] of readers.entries()) {
    const shared = sharedSecret(rnd.ephemeralSecret, r);
    // zero iff the reader key has small order (the scalar is clamped): its "secret" would be public
    if (shared.every((b) => b === 0)) throw new SealError("bad_reader_key", `reader ${i + 1}: 0x${hex(r)} is a point of small order; no secret can be shared with it`);
    const kek = keyEncryptionKey(shared, ephemeralPublic, r);
    w.bytes(readerKeyId(r)).bytes(xchacha20poly1305(kek, rnd.nonce, ad).encrypt(rnd.contentKey));
  }
  w.u16(payload.length).bytes(xchacha20poly1305(rnd.contentKey, rnd.nonce, ad).encrypt(payload));
  return w.finish();
}

/** The parts of a sealed payload, checked field by field. */
export interface SealedParts {
  version: number;
  ephemeralPublic: Uint8Array;
  nonce: Uint8Array;
  entries: { keyId: Uint8Array; wrapped: Uint8Array }[];
  ciphertext: Uint8Array;
  header: Uint8Array;
}

export function parseSealed(b: Uint8Array): SealedParts {
  const need = (n: number, field: string, at: number): void => {
    if (b.length < at + n) throw new SealError("format", `sealed payload: ${field} at byte ${at}: needs ${n} bytes, ${Math.max(0, b.length - at)} left`);
  };
  need(1, "version", 0);
  if (b[0] !== SEAL_VERSION) throw new SealError("format", `sealed payload: version at byte 0: ${b[0]} is not a known version (${SEAL_VERSION})`);
  need(1, "reader count", 1);
  const n = b[1]!;
  if (n < 1 || n > SEAL_MAX_READERS) throw new SealError("format", `sealed payload: reader count at byte 1: ${n} is outside 1..${SEAL_MAX_READERS}`);
  need(56, "ephemeral key and nonce", 2);
  const entries = [];
  let at = SEAL_HEADER_BYTES;
  for (let i = 0; i < n; i++, at += SEAL_ENTRY_BYTES) {
    need(SEAL_ENTRY_BYTES, `reader entry ${i + 1}`, at);
    entries.push({ keyId: b.subarray(at, at + 8), wrapped: b.subarray(at + 8, at + SEAL_ENTRY_BYTES) });
  }
  need(2, "payload length", at);
  const len = b[at]! | (b[at + 1]! << 8);
  if (len > SEAL_MAX_PAYLOAD) throw new SealError("format", `sealed payload: payload length at byte ${at}: ${len} exceeds ${SEAL_MAX_PAYLOAD}`);
  at += 2;
  need(len + SEAL_TAG_BYTES, "ciphertext", at);
  if (b.length !== at + len + SEAL_TAG_BYTES) {
    throw new SealError("format", `sealed payload: ${b.length - at - len - SEAL_TAG_BYTES} trailing byte(s) at byte ${at + len + SEAL_TAG_BYTES}`);
  }
  return { version: b[0]!, ephemeralPublic: b.subarray(2, 34), nonce: b.subarray(34, 58), entries, ciphertext: b.subarray(at), header: b.subarray(0, SEAL_HEADER_BYTES) };
}

/**
 * Opens a sealed payload with a reader's X25519 secret, for the place `ctx` names. Refuses, with a
 * reason, a payload not sealed to this reader, one whose bytes or nonce were changed, and one moved
 * to another chain, contract, device or sequence number (its associated data then differs).
 */
export function openSealed(sealed: Uint8Array, readerSecret: Uint8Array, ctx: SealContext): Uint8Array {
  checkContext(ctx);
  if (readerSecret.length !== 32) throw new SealError("bad_reader_key", `reader secret: 32 bytes, got ${readerSecret.length}`);
  const p = parseSealed(sealed);
  const ad = sealAssociatedData(ctx, p.header);
  const readerPublic = x25519.getPublicKey(readerSecret);
  const id = hex(readerKeyId(readerPublic));
  const entry = p.entries.find((e) => hex(e.keyId) === id);
  if (!entry) throw new SealError("not_a_reader", `reader 0x${hex(readerPublic)} is not among the payload's ${p.entries.length} reader(s)`);
  const kek = keyEncryptionKey(sharedSecret(readerSecret, p.ephemeralPublic), p.ephemeralPublic, readerPublic);
  let contentKey: Uint8Array;
  try {
    contentKey = xchacha20poly1305(kek, p.nonce, ad).decrypt(entry.wrapped);
  } catch {
    throw new SealError("key_unwrap_failed", "the content key wrapped for this reader does not authenticate: the payload, its nonce or its context (chain, contract, device, sequence) was changed");
  }
  try {
    return xchacha20poly1305(contentKey, p.nonce, ad).decrypt(p.ciphertext);
  } catch {
    throw new SealError("payload_auth_failed", "the ciphertext does not authenticate: the payload was changed after sealing");
  }
}

// -- reader keys -------------------------------------------------------------------------------------

/** A reader's X25519 key. The secret stays inside; `publicKey` is what gets registered on chain. */
export class ReaderKey {
  readonly publicKey: Uint8Array;
  readonly #secret: Uint8Array;

  private constructor(secret: Uint8Array) {
    this.#secret = secret.slice();
    this.publicKey = x25519.getPublicKey(this.#secret);
  }

  static generate(): ReaderKey {
    return new ReaderKey(new Uint8Array(randomBytes(32)));
  }

  /** A deterministic key from a 32-byte seed (tests, demos); never use a guessable seed for real data. */
  static fromSeed(seed: Uint8Array): ReaderKey {
    if (seed.length !== 32) throw new RangeError(`an X25519 secret is 32 bytes, got ${seed.length}`);
    return new ReaderKey(seed);
  }

  open(sealed: Uint8Array, ctx: SealContext): Uint8Array {
    return openSealed(sealed, this.#secret, ctx);
  }

  toJSON(): { publicKey: string } {
    return { publicKey: hex(this.publicKey) };
  }

  serialize(): string {
    return `${READER_KEY_TAG} ${hex(this.#secret)}\n`;
  }
}

const READER_KEY_TAG = "mote-x25519-secret";

/** Writes a reader key file (mode 0600, never overwritten), as device and operator keys are written. */
export function writeReaderKeyFile(path: string, key: ReaderKey): void {
  writeSecretFile(path, key.serialize());
}

/** Reads a reader key file; like a device or operator key, refused when others can read it. */
export function readReaderKeyFile(path: string): ReaderKey {
  const text = readSecretFile(path);
  const m = /^mote-x25519-secret ([0-9a-f]{64})\n?$/.exec(text);
  if (!m) throw new LedgerError(`${path}: not a reader key file (expected one line 'mote-x25519-secret' and 64 hex digits)`);
  return ReaderKey.fromSeed(Uint8Array.from(Buffer.from(m[1]!, "hex")));
}
