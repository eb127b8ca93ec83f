// Device and operator identities: Ed25519 keys (@noble/ed25519), transaction signing, and key files
// that hold the secret with mode 0600 and are never printed.
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { verifyEd25519 } from "../vm/host/ed25519.ts";
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

/**
 * RFC 8032 verification with canonical encodings required, as the VM's `edverify` does: @noble/ed25519's
 * strict verdict, answered by Node's native crypto where that gives the same answer (vm/host/ed25519.ts).
 */
export function verifySignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyEd25519(signature, message, publicKey);
}

/** RFC 8032 verification with canonical encodings required, as the VM's `edverify` does (the reference: noble). */
export function verifySignatureReference(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
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
