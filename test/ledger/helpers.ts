// Shared fixtures of the ledger tests: assembled test programs, deterministic keys and clocks.
// Nothing here asserts; the tests do.
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assemble } from "../../vm/asm/index.ts";
import { KeyPair } from "../../ledger/index.ts";
import { DecodeError } from "../../ledger/errors.ts";

const here = new URL(".", import.meta.url);

export function program(name: string): Uint8Array {
  const path = name.includes("/") ? new URL(name, here) : new URL(`programs/${name}`, here);
  return assemble(readFileSync(path, "utf8"), name);
}

/** The book program with a different META hash: same code, different bytes, so a distinct contract. */
export function bookVariant(tag: number): Uint8Array {
  const text = readFileSync(new URL("programs/book.masm", here), "utf8");
  return assemble(`${text}\n.meta 0x${tag.toString(16).padStart(2, "0").repeat(32)}\n`, "book-variant.masm");
}

export function key(n: number): KeyPair {
  return KeyPair.fromSeed(new Uint8Array(32).fill(n));
}

/** A clock that ticks one second per block, from `start`. */
export function ticking(start = 1_700_000_000n): () => bigint {
  let t = start;
  return () => t++;
}

export function tempDir(prefix = "mote-ledger-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The DecodeError that f throws (any other error is rethrown; none at all fails). */
export function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error("expected a DecodeError");
}

/** What f throws, for refusals checked by hand (`toThrow(regex)` also passes on a thrown undefined); fails when f throws nothing. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a refusal, got none");
}
