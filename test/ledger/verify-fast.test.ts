// verifySignature (OpenSSL fast path for accepted signatures under vetted keys) must give exactly the
// reference's (noble, RFC 8032 strict) answer on every input: valid, mutated, non-canonical S, R and A,
// small-order keys and signatures that only a cofactored check accepts.
import { describe, expect, it } from "vitest";
import { ed25519 } from "@noble/curves/ed25519.js";
import { KeyPair, verifySignature } from "../../ledger/keys.ts";
import { verifySignatureReference } from "../../ledger/keys.ts";

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const le = (n: bigint, len = 32): Uint8Array => Uint8Array.from({ length: len }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLe = (b: Uint8Array): bigint => b.reduceRight((a, x) => (a << 8n) | BigInt(x), 0n);

function same(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const want = verifySignatureReference(sig, msg, pk);
  expect(verifySignature(sig, msg, pk), `sig ${Buffer.from(sig).toString("hex")} pk ${Buffer.from(pk).toString("hex")}`).toBe(want);
  return want;
}

describe("verifySignature's fast path", () => {
  it("agrees with the reference on valid and mutated signatures", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    for (let i = 0; i < 40; i++) {
      const k = KeyPair.fromSeed(Uint8Array.from({ length: 32 }, rnd));
      const msg = Uint8Array.from({ length: 1 + (rnd() % 100) }, rnd);
      const sig = ed25519.sign(msg, Uint8Array.from(Buffer.from(k.serialize().split(" ")[1]!.trim(), "hex")));
      expect(same(sig, msg, k.publicKey)).toBe(true);
      const bad = sig.slice();
      bad[rnd() % 64]! ^= 1 << rnd() % 8;
      expect(same(bad, msg, k.publicKey)).toBe(false);
      const m2 = msg.slice();
      m2[0]! ^= 1;
      expect(same(sig, m2, k.publicKey)).toBe(false);
    }
  });

  it("agrees on non-canonical S (S + L), non-canonical keys, small-order keys and wrong lengths", () => {
    const secret = new Uint8Array(32).fill(3);
    const pk = ed25519.getPublicKey(secret);
    const msg = new TextEncoder().encode("mote");
    const sig = ed25519.sign(msg, secret);
    const s = fromLe(sig.subarray(32));
    const sPlusL = new Uint8Array([...sig.subarray(0, 32), ...le(s + L)]);
    expect(same(sPlusL, msg, pk)).toBe(false);
    // the identity point as a key, with R = identity and S = 0: RFC 8032's equation holds for any message
    const identity = le(1n);
    const trivial = new Uint8Array([...identity, ...le(0n)]);
    same(trivial, msg, identity);
    // the identity encoded non-canonically (y = p + 1)
    same(trivial, msg, le(P + 1n));
    // a key of order 8 (y = 0 is not on the curve's small subgroup list; use the order-4 point (0, -1) = y p-1)
    same(trivial, msg, le(P - 1n));
    // an honest signature under a key given with the sign bit flipped (another point, or not a point)
    const flipped = pk.slice();
    flipped[31]! ^= 0x80;
    expect(same(sig, msg, flipped)).toBe(false);
    expect(same(sig.subarray(0, 63), msg, pk)).toBe(false);
    expect(same(sig, msg, pk.subarray(0, 31))).toBe(false);
  });
});
