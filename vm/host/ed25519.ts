// Ed25519 verification as @noble/ed25519 with `zip215: false` decides it (RFC 8032 strict encodings,
// small-order keys refused, the cofactored equation), answered by Node's native crypto where it can be.
//
// OpenSSL checks the cofactorless equation [S]B = R + [k]A on the exact bytes; noble checks the
// cofactored [8][S]B = [8]R + [8][k]A and refuses encodings OpenSSL lets through. So:
//   - an OpenSSL accept implies noble's equation; noble also needs S < L, a canonical A (y < p, not
//     x = 0 with the sign bit set) that is not of small order, and a canonical R, which the cofactorless
//     equation gives for free (R's bytes equal an encoding OpenSSL computed). The pre-checks below refuse
//     exactly the keys and scalars noble refuses; what passes them and OpenSSL is noble's accept;
//   - an OpenSSL reject may still be a noble accept (a small-order or mixed-order component that the
//     cofactor clears), so a reject is asked again of noble. Honest signatures never take that path.
// test/vm/ed25519-native.test.ts compares this with noble on the speccheck edge vectors and random input.
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L_LE = Uint8Array.from(Buffer.from("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", "hex"));

/** Whether the little-endian 32 bytes at `b[off..off+32)` encode an integer below L. */
function belowL(b: Uint8Array, off: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = b[off + i]!;
    const l = L_LE[i]!;
    if (x < l) return true;
    if (x > l) return false;
  }
  return false;
}

/**
 * RFC 8032 strict point encoding as noble's `Point.fromBytes(bytes, false)` requires it before decoding:
 * y < p = 2^255 - 19, and not x = 0 with the sign bit set (the encodings y = 1 and y = p - 1 with bit 255).
 */
export function canonicalPointEncoding(e: Uint8Array): boolean {
  if (e.length !== 32) return false;
  // y >= p <=> bytes 31..1 are 7f ff .. ff (sign bit ignored) and byte 0 >= 0xed
  let allOnes = (e[31]! & 0x7f) === 0x7f;
  for (let i = 30; i >= 1 && allOnes; i--) allOnes = e[i] === 0xff;
  if (allOnes && e[0]! >= 0xed) return false;
  // x = 0 with the sign bit: y = 1 (01 00 .. 00 80) or y = p - 1 (ec ff .. ff ff)
  let isOne = e[0] === 0x01;
  let isPm1 = e[0] === 0xec;
  for (let i = 1; i < 31; i++) {
    isOne &&= e[i] === 0x00;
    isPm1 &&= e[i] === 0xff;
  }
  return !((isOne && e[31] === 0x80) || (isPm1 && e[31] === 0xff));
}

/**
 * The canonical encodings of the eight points of small order (the torsion subgroup), computed by noble
 * from one point of order 8 rather than typed in: with canonical encodings required, a key is of small
 * order exactly when its bytes are one of these.
 */
const SMALL_ORDER: readonly string[] = (() => {
  const t = ed.Point.fromBytes(Uint8Array.from(Buffer.from("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "hex")));
  const out: string[] = [];
  let p = ed.Point.ZERO;
  for (let i = 0; i < 8; i++, p = p.add(t)) out.push(Buffer.from(p.toBytes()).toString("hex"));
  // Stryker disable next-line StringLiteral: equivalent, unreachable: the point of order 8 generates 8 distinct points
  if (new Set(out).size !== 8 || !p.equals(ed.Point.ZERO)) throw new Error("ed25519: the torsion table is not the 8 points of small order");
  return out;
})();
const SMALL_ORDER_SET = new Set(SMALL_ORDER);

export function smallOrderEncoding(e: Uint8Array): boolean {
  return SMALL_ORDER_SET.has(Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString("hex"));
}

/** SubjectPublicKeyInfo DER prefix of an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * OpenSSL's verifier per key hex: a validator sees the same few senders over and over, and building a
 * KeyObject (DER parse, point decoding) costs about as much as a verification. Bounded; cleared when full.
 */
export const KEY_CACHE_MAX = 4096;
type Verifier = (message: Uint8Array, signature: Uint8Array) => boolean;
const keyCache = new Map<string, Verifier>();

/** How many keys the cache holds (tests check it stays bounded). */
export const keyCacheSize = (): number => keyCache.size;

function nativeVerifier(pub: Uint8Array): Verifier {
  const id = Buffer.from(pub.buffer, pub.byteOffset, 32).toString("hex");
  let v = keyCache.get(id);
  // Stryker disable next-line ConditionalExpression: equivalent as `true`, a miss builds the same verifier again (the cache only saves time); `false` throws on every key
  if (v === undefined) {
    v = verifierOf(pub);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(id, v);
  }
  return v;
}

function verifierOf(pub: Uint8Array): Verifier {
  try {
    const k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: "der", type: "spki" });
    return (message, signature) => nodeVerify(null, message, k, signature);
  } catch /* Stryker disable next-line BlockStatement: equivalent, unreachable: OpenSSL 3 imports any 32 bytes as an Ed25519 key and decodes the point only when verifying (kept for an OpenSSL that decodes on import) */ {
    // Stryker disable next-line ArrowFunction,BooleanLiteral: equivalent, unreachable (above)
    return () => false; // OpenSSL cannot decode it: noble decides
  }
}

/** The reference: @noble/ed25519, strict. */
export function verifyEd25519Noble(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** How many verifications each path answered (tests and benchmarks read it; nothing depends on it). */
export const ed25519Paths = { native: 0, noble: 0, precheck: 0 };

/** Verifies as `verifyEd25519Noble` does, with OpenSSL answering every accept it can. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (!belowL(signature, 32) || !canonicalPointEncoding(publicKey) || smallOrderEncoding(publicKey)) {
    ed25519Paths.precheck++;
    return false;
  }
  if (nativeVerifier(publicKey)(message, signature)) {
    ed25519Paths.native++;
    return true;
  }
  ed25519Paths.noble++;
  return verifyEd25519Noble(signature, message, publicKey);
}
