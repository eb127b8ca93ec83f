// Device and operator identities: Ed25519 keys (@noble/ed25519), transaction signing, and key files
// that hold the secret with mode 0600 and are never printed.
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import * as ed from "@noble/ed25519";
import { ed25519 } from "@noble/curves/ed25519.js";
import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { sha512 } from "@noble/hashes/sha2.js";
import { hex } from "./bytes.ts";
import { LedgerError } from "./errors.ts";

ed.hashes.sha512 = sha512;

/** A signing identity. The secret stays inside; only `publicKey` is meant to be shown. */
export class KeyPair {
  readonly publicKey: Uint8Array;
  readonly #secret: Uint8Array;

  private constructor(secret: Uint8Array) {
    this.#secret = secret.slice();
    this.publicKey = ed.getPublicKey(this.#secret);
  }

  static generate(): KeyPair {
    return new KeyPair(ed.utils.randomSecretKey());
  }

  /** A deterministic key from a 32-byte seed (tests, demos); never use a guessable seed for a real device. */
  static fromSeed(seed: Uint8Array): KeyPair {
    if (seed.length !== 32) throw new RangeError(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
    return new KeyPair(seed);
  }

  sign(message: Uint8Array): Uint8Array {
    return ed.sign(message, this.#secret);
  }

  get publicKeyHex(): string {
    return hex(this.publicKey);
  }

  /** Keeps the secret out of logs and JSON dumps. */
  toJSON(): { publicKey: string } {
    return { publicKey: this.publicKeyHex };
  }

  /** The key file's text: one line, `mote-ed25519-seed <64 hex digits>`. */
  serialize(): string {
    return `${KEY_FILE_TAG} ${hex(this.#secret)}\n`;
  }
}

const KEY_FILE_TAG = "mote-ed25519-seed";

/** RFC 8032 verification with canonical encodings required, as the VM's `edverify` does (the reference: noble). */
export function verifySignatureReference(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

const ED25519_SPKI = Buffer.from("302a300506032b6570032100", "hex");
/** Public keys seen, by hex: their OpenSSL key object, or null when the fast path must not be used for them. */
const fastKeys = new Map<string, KeyObject | null>();

function fastKey(publicKey: Uint8Array): KeyObject | null {
  const k = hex(publicKey);
  let o = fastKeys.get(k);
  if (o === undefined) {
    o = null;
    try {
      // Only a canonical encoding (y < p) of a point outside the small-order subgroup: for such a key,
      // OpenSSL's acceptance (S < L and the encoded [S]B - [k]A equal to R's bytes) implies noble's.
      const p = ed25519.Point.fromBytes(publicKey, false);
      if (!p.isSmallOrder()) o = createPublicKey({ key: Buffer.concat([ED25519_SPKI, publicKey]), format: "der", type: "spki" });
    } catch {
      o = null;
    }
    if (fastKeys.size >= 4096) fastKeys.clear();
    fastKeys.set(k, o);
  }
  return o;
}

/**
 * RFC 8032 verification with canonical encodings required: exactly verifySignatureReference's answer.
 * OpenSSL (node:crypto, about 40x faster than the pure-JS reference) answers only the signatures it
 * accepts under a key vetted by fastKey; everything else (every rejection, every unusual key) is
 * decided by the reference. A validator verifies every transaction it receives, so this is its CheckTx
 * throughput; test/ledger/verify-fast.test.ts holds the two to the same answers on edge cases.
 */
export function verifySignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length === 64 && publicKey.length === 32) {
    const key = fastKey(publicKey);
    if (key && cryptoVerify(null, message, key, signature)) return true;
  }
  return verifySignatureReference(signature, message, publicKey);
}

/** Writes a new key file with mode 0600; refuses to overwrite an existing file. */
export function writeKeyFile(path: string, key: KeyPair): void {
  writeSecretFile(path, key.serialize());
}

/** Writes a new secret file (any key's text) with mode 0600; refuses to overwrite an existing file. */
export function writeSecretFile(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new LedgerError(`${path}: already exists; refusing to overwrite a key`);
    throw new LedgerError(`${path}: cannot create key file (${code ?? (e as Error).message})`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** A secret file's text; like ssh, refuses one that others can read. */
export function readSecretFile(path: string): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new LedgerError(`${path}: not a key file (a ${st.isDirectory() ? "directory" : "special file"})`);
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
      throw new LedgerError(`${path}: key file is accessible by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${path}`);
    }
    return readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    throw new LedgerError(`${path}: cannot read key file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Reads a key file; like ssh, refuses one that others can read. */
export function readKeyFile(path: string): KeyPair {
  const text = readSecretFile(path);
  const m = /^mote-ed25519-seed ([0-9a-f]{64})\n?$/.exec(text);
  if (!m) throw new LedgerError(`${path}:1:1: not a Mote key file (expected '${KEY_FILE_TAG}' and 64 lower-case hex digits)`);
  return KeyPair.fromSeed(new Uint8Array(Buffer.from(m[1]!, "hex")));
}
