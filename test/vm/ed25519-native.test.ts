// The native Ed25519 path (vm/host/ed25519.ts) decides exactly as @noble/ed25519 with zip215: false:
// on the conformance edge vectors, on the speccheck classes built here (non-canonical R and A, S >= L,
// all small-order points as key and as R, mixed-order keys and R with every torsion component), and on
// random and mutated input. It must also take the native path for honest signatures, or it is no faster.
import { generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalPointEncoding,
  ed25519Paths,
  KEY_CACHE_MAX,
  keyCacheSize,
  smallOrderEncoding,
  verifyEd25519,
  verifyEd25519Noble,
} from "../../vm/host/ed25519.ts";

ed.hashes.sha512 = sha512;
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (n: bigint): Uint8Array => {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) b[i] = Number(n & 255n);
  return b;
};
const fromLe = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const cat = (...p: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(p.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of p) out.set(x, o), (o += x.length);
  return out;
};
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/^0x/, ""), "hex"));
const modL = (n: bigint): bigint => ((n % L) + L) % L;
const challenge = (R: Uint8Array, A: Uint8Array, m: Uint8Array): bigint => modL(fromLe(sha512(cat(R, A, m))));
const G = ed.Point.BASE;
const T8 = ed.Point.fromBytes(unhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));
const torsion = Array.from({ length: 8 }, (_, i) => (i === 0 ? ed.Point.ZERO : T8.multiply(BigInt(i))));

type Case = [name: string, pk: Uint8Array, msg: Uint8Array, sig: Uint8Array];

function agree([name, pk, msg, sig]: Case): boolean {
  const want = verifyEd25519Noble(sig, msg, pk);
  const got = verifyEd25519(sig, msg, pk);
  if (got !== want) throw new Error(`${name}: native path says ${got}, noble says ${want}`);
  return want;
}

/** Edge cases by construction: each returns noble's verdict so the test can check both verdicts occur. */
function edgeCases(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, pk: Uint8Array, m: Uint8Array, s: Uint8Array): void => void cases.push([name, pk, m, s]);
  const sk = sha512(new TextEncoder().encode("ed25519 native edge key")).subarray(0, 32);
  const { scalar: a, pointBytes: A } = ed.utils.getExtendedPublicKey(sk);
  const msg = new TextEncoder().encode("reading 21.5C at 12:00");
  const sig = ed.sign(msg, sk);
  const R = sig.subarray(0, 32);
  const S = fromLe(sig.subarray(32));
  add("valid", A, msg, sig);
  // S >= L in every way it can be written in 32 bytes
  for (const [n, s] of [["S + L", S + L], ["L", L], ["S + 2L", S + 2n * L], ["2^256 - 1", 2n ** 256n - 1n], ["S | 2^255", S | (1n << 255n)]] as const) {
    add(`S = ${n}`, A, msg, cat(R, le(s)));
  }
  add("S = 0 with R = A-free equation", A, msg, cat(le(1n), le(0n)));
  // every encoding of every small-order point, canonical or not, as the key and as R
  const smallEncodings: Uint8Array[] = [];
  for (const t of torsion) {
    const e = t.toBytes();
    smallEncodings.push(e, cat(e.subarray(0, 31), Uint8Array.of(e[31]! ^ 0x80)));
    const y = fromLe(cat(e.subarray(0, 31), Uint8Array.of(e[31]! & 0x7f)));
    if (y + P < 2n ** 255n) smallEncodings.push(le(y + P), le((y + P) | (1n << 255n)));
  }
  for (const [i, T] of smallEncodings.entries()) {
    // with a small-order key, R = [r]B + anything, S = r satisfies the cofactored equation
    const r = 4242n + BigInt(i);
    add(`small-order key ${i}, R = [r]B`, T, msg, cat(G.multiply(r).toBytes(), le(r)));
    add(`small-order key ${i}, R = key, S = 0`, T, msg, cat(T, le(0n)));
    // small-order R with an honest key: S = k a makes [S]B = [k]A, the cofactor clears R
    const k = challenge(T, A, msg);
    add(`small-order R ${i}, S = k a`, A, msg, cat(T, le(modL(k * a))));
  }
  // non-canonical encodings of ordinary points (y + p for the few y < 19 on the curve) as R and A
  for (let y = 0n; y < 19n; y++) {
    for (const sign of [0n, 1n << 255n]) {
      const e = le((y + P) | sign);
      add(`non-canonical key y = ${y} + p${sign ? ", sign" : ""}`, e, msg, sig);
      const k = challenge(e, A, msg);
      let Rpt: ed.Point | null = null;
      try {
        Rpt = ed.Point.fromBytes(e, true);
      } catch {
        Rpt = null;
      }
      // S chosen so the cofactored equation would hold with R decoded leniently: only the encoding is wrong
      const s = Rpt ? modL(k * a) : 1n;
      add(`non-canonical R y = ${y} + p${sign ? ", sign" : ""}`, A, msg, cat(e, le(s)));
    }
  }
  // mixed-order keys A + T_i with R = [r]B + T_j: the cofactored equation holds for every i, j; the
  // cofactorless one only when T_j = [k]T_i, so OpenSSL rejects most and noble must be asked
  for (let i = 1; i < 8; i++) {
    const A2 = ed.Point.fromBytes(A).add(torsion[i]!).toBytes();
    for (let j = 0; j < 8; j++) {
      const r = 777n + BigInt(i * 8 + j);
      const Rr = G.multiply(r).add(torsion[j]!).toBytes();
      const k = challenge(Rr, A2, msg);
      add(`mixed-order key T${i}, R + T${j}`, A2, msg, cat(Rr, le(modL(r + k * a))));
    }
  }
  // mixed-order R with an honest key
  for (let j = 1; j < 8; j++) {
    const r = 999n + BigInt(j);
    const Rr = G.multiply(r).add(torsion[j]!).toBytes();
    add(`mixed-order R T${j}`, A, msg, cat(Rr, le(modL(r + challenge(Rr, A, msg) * a))));
  }
  add("key not on the curve", le(2n), msg, sig);
  add("R not on the curve", A, msg, cat(le(2n), sig.subarray(32)));
  add("wrong message", A, new TextEncoder().encode("reading 21.6C at 12:00"), sig);
  return cases;
}

describe("native Ed25519 verification decides as @noble/ed25519 (zip215: false)", () => {
  it("agrees on every Ed25519 conformance vector (test/vectors/ed25519.json)", () => {
    const file = JSON.parse(readFileSync(join(import.meta.dirname, "../vectors/ed25519.json"), "utf8")) as {
      vectors: { name: string; args: string[]; expected: string }[];
    };
    let checked = 0;
    for (const v of file.vectors) {
      const [pk, m, s] = v.args.map(unhex) as [Uint8Array, Uint8Array, Uint8Array];
      const want = (JSON.parse(v.expected) as { returns: string[] }).returns[0];
      if (want === undefined) continue; // length cases the VM refuses before the host
      expect(verifyEd25519(s, m, pk) ? "1" : "0", v.name).toBe(want);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("agrees on the speccheck classes: S >= L, non-canonical R and A, small-order and mixed-order points", () => {
    const cases = edgeCases();
    const verdicts = cases.map(agree);
    // both verdicts occur, and among the accepts some are ones OpenSSL alone would reject
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(50);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(50);
    const before = ed25519Paths.noble;
    const mixed = cases.filter(([n]) => n.startsWith("mixed-order key"));
    for (const c of mixed) expect(verifyEd25519(c[3], c[2], c[1]), c[0]).toBe(true);
    expect(ed25519Paths.noble - before).toBeGreaterThan(0);
  });

  it("recognises the small-order encodings and strict point encodings as noble decodes them", () => {
    for (const t of torsion) expect(smallOrderEncoding(t.toBytes())).toBe(true);
    expect(smallOrderEncoding(G.toBytes())).toBe(false);
    for (const y of [0n, 1n, 2n, P - 1n, P, P + 1n, P + 18n, 2n ** 255n - 1n, 1n | (1n << 255n), (P - 1n) | (1n << 255n), 1n << 255n]) {
      const e = le(y);
      let noble = true;
      try {
        ed.Point.fromBytes(e, false);
      } catch (err) {
        // off-curve points are refused by decoding, not by the encoding rule; tell the two apart
        noble = (err as Error).message.includes("sqrt");
      }
      expect(canonicalPointEncoding(e), `y = ${y}`).toBe(noble);
    }
  });

  it("agrees on random keys, messages and signatures, honest and mutated", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(64 * 8 + 32 * 8 + 8),
        fc.constantFrom("honest", "flip", "random-sig", "random-key"),
        (seed, msg, bit, mode) => {
          const pk = ed.getPublicKey(seed);
          let sig: Uint8Array = ed.sign(msg, seed);
          let key: Uint8Array = pk;
          let m: Uint8Array = msg;
          if (mode === "flip") {
            // one bit anywhere in signature, key or (if any) message
            if (bit < 512) (sig = sig.slice())[bit >> 3] ^= 1 << (bit & 7);
            else if (bit < 768) (key = pk.slice())[(bit - 512) >> 3] ^= 1 << (bit & 7);
            else if (m.length > 0) (m = msg.slice())[0] ^= 1;
          } else if (mode === "random-sig") sig = sha512(cat(seed, msg));
          else if (mode === "random-key") key = sha512(seed).subarray(0, 32);
          const ok = agree([`${mode} bit ${bit}`, key, m, sig]);
          if (mode === "honest") expect(ok).toBe(true);
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });

  it("answers honest signatures natively, without asking noble", () => {
    const seed = new Uint8Array(32).fill(9);
    const pk = ed.getPublicKey(seed);
    const before = { ...ed25519Paths };
    for (let i = 0; i < 20; i++) {
      const m = Uint8Array.of(i);
      expect(verifyEd25519(ed.sign(m, seed), m, pk)).toBe(true);
    }
    expect(ed25519Paths.native - before.native).toBe(20);
    expect(ed25519Paths.noble - before.noble).toBe(0);
  });

  it("refuses wrong lengths without throwing", () => {
    const seed = new Uint8Array(32).fill(3);
    const pk = ed.getPublicKey(seed);
    const sig = ed.sign(new Uint8Array(0), seed);
    expect(verifyEd25519(sig.subarray(0, 63), new Uint8Array(0), pk)).toBe(false);
    expect(verifyEd25519(sig, new Uint8Array(0), pk.subarray(0, 31))).toBe(false);
  });
});

// The pre-checks are what make an OpenSSL accept a noble accept (the header of vm/host/ed25519.ts): they must
// refuse exactly S >= L, the encodings RFC 8032 calls non-canonical and the small-order keys, and nothing else.
// A verdict cannot show it (OpenSSL or noble refuses the same inputs later), so these cases check which path
// answered, against a model written from the RFC rather than from the code.
describe("the pre-checks refuse exactly what RFC 8032 strict decoding and noble refuse", () => {
  /** RFC 8032 5.1.3 with noble's strictness: y (bit 255 cleared) < p, and not x = 0 (y = 1 or y = p - 1) with the sign bit. */
  const canonicalModel = (e: Uint8Array): boolean => {
    const v = fromLe(e);
    const y = v & ((1n << 255n) - 1n);
    const sign = v >> 255n === 1n;
    return y < P && !(sign && (y === 1n || y === P - 1n));
  };

  /** Encodings at the edges the byte loops test: every byte 0 value that matters, middles all 00, all ff, or one byte off, every top byte class. */
  function edgeEncodings(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const middles: ((e: Uint8Array) => void)[] = [(e) => e.fill(0x00, 1, 31), (e) => e.fill(0xff, 1, 31)];
    for (let i = 1; i < 31; i++) {
      for (const [base, off] of [[0xff, 0xfe], [0xff, 0x00], [0x00, 0x01]] as const) {
        middles.push((e) => {
          e.fill(base, 1, 31);
          e[i] = off;
        });
      }
    }
    for (const b0 of [0x00, 0x01, 0x02, 0xeb, 0xec, 0xed, 0xee, 0xff]) {
      for (const mid of middles) {
        for (const b31 of [0x00, 0x7e, 0x7f, 0x80, 0xfe, 0xff]) {
          const e = new Uint8Array(32);
          mid(e);
          e[0] = b0;
          e[31] = b31;
          out.push(e);
        }
      }
    }
    return out;
  }

  it("canonicalPointEncoding matches the RFC 8032 strict rule on every edge encoding and random bytes", () => {
    const edges = edgeEncodings();
    const random = Array.from({ length: 2000 }, (_, i) => sha512(Uint8Array.of(i >> 8, i & 255)).subarray(0, 32));
    for (const e of [...edges, ...random]) expect(canonicalPointEncoding(e), Buffer.from(e).toString("hex")).toBe(canonicalModel(e));
    // the edges hold 8 refusals: y >= p (byte 0 ed, ee or ff under 7f or ff with a middle of ff) and x = 0 with the sign bit (y = 1, y = p - 1)
    expect(edges.filter((e) => !canonicalModel(e)).length).toBe(8);
    for (const y of [1n, P - 1n]) {
      expect(canonicalPointEncoding(le(y | (1n << 255n))), `y = ${y} with sign`).toBe(false);
      expect(canonicalPointEncoding(le(y)), `y = ${y}`).toBe(true);
    }
    expect(canonicalPointEncoding(le(P - 1n))).toBe(true);
    expect(canonicalPointEncoding(le(P))).toBe(false);
  });

  it("canonicalPointEncoding refuses any length but 32", () => {
    for (const n of [0, 1, 31, 33, 64]) {
      expect(canonicalPointEncoding(new Uint8Array(n)), `${n} zero bytes`).toBe(false);
      expect(canonicalPointEncoding(new Uint8Array(n).fill(0x11)), `${n} bytes 0x11`).toBe(false);
    }
  });

  it("answers by the pre-check exactly for S >= L, non-canonical keys and small-order keys", () => {
    const seed = new Uint8Array(32).fill(5);
    const pk = ed.getPublicKey(seed);
    const msg = new TextEncoder().encode("precheck");
    const sig = ed.sign(msg, seed);
    const R = sig.subarray(0, 32);
    const cases: [name: string, key: Uint8Array, sig: Uint8Array, precheck: boolean][] = [];
    // S around L: only S >= L is the pre-check's, S = L - 1 (same top byte as L, lower first byte) goes on to OpenSSL
    for (const [n, s] of [
      ["L - 1", L - 1n],
      ["L - 2^8", L - 256n],
      ["0x10 << 248 - 1", (0x10n << 248n) - 1n],
      ["L", L],
      ["L + 1", L + 1n],
      ["L + 2^8", L + 256n],
      ["0x11 << 248", 0x11n << 248n],
      ["2^256 - 1", 2n ** 256n - 1n],
      ["0", 0n],
    ] as const) {
      cases.push([`S = ${n}`, pk, cat(R, le(s)), s >= L]);
    }
    for (const e of [...edgeEncodings().filter((_, i) => i % 23 === 0), ...torsion.map((t) => t.toBytes())]) {
      cases.push([`key ${Buffer.from(e).toString("hex")}`, e, sig, !canonicalModel(e) || torsion.some((t) => Buffer.from(t.toBytes()).equals(e))]);
    }
    let pre = 0;
    for (const [name, key, s, precheck] of cases) {
      const before = { ...ed25519Paths };
      expect(verifyEd25519(s, msg, key), name).toBe(false);
      expect(ed25519Paths.precheck - before.precheck, name).toBe(precheck ? 1 : 0);
      expect(ed25519Paths.native - before.native + ed25519Paths.noble - before.noble, name).toBe(precheck ? 0 : 1);
      if (precheck) pre++;
    }
    expect(pre).toBeGreaterThan(10);
    expect(cases.length - pre).toBeGreaterThan(100);
  });

  it("refuses wrong lengths before any path, and noble's reference refuses them without throwing", () => {
    const seed = new Uint8Array(32).fill(6);
    const pk = ed.getPublicKey(seed);
    const msg = Uint8Array.of(1, 2, 3);
    const sig = ed.sign(msg, seed);
    // each length wrong alone, with the rest an honest signature (a 65-byte signature holds the honest 64)
    const cases: [string, Uint8Array, Uint8Array][] = [
      ["63-byte signature", sig.subarray(0, 63), pk],
      ["65-byte signature", cat(sig, Uint8Array.of(0)), pk],
      ["31-byte key", sig, pk.subarray(0, 31)],
      ["33-byte key", sig, cat(pk, Uint8Array.of(0))],
      ["both wrong", sig.subarray(0, 63), pk.subarray(0, 31)],
    ];
    for (const [name, s, k] of cases) {
      const before = { ...ed25519Paths };
      expect(verifyEd25519(s, msg, k), name).toBe(false);
      expect(ed25519Paths, name).toEqual(before);
      expect(verifyEd25519Noble(s, msg, k), `noble: ${name}`).toBe(false);
    }
    expect(verifyEd25519(sig, msg, pk)).toBe(true);
  });
});

describe("the key cache stays bounded", () => {
  it(`holds at most KEY_CACHE_MAX (${KEY_CACHE_MAX}) keys, fills up to it, and starts over when full`, () => {
    const msg = Uint8Array.of(7);
    const sizes: number[] = [];
    // distinct honest keys (made and signed by OpenSSL: noble would take seconds for this many)
    for (let i = 0; i < KEY_CACHE_MAX + 2; i++) {
      const { publicKey, privateKey } = generateKeyPairSync("ed25519");
      const pub = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(12));
      expect(verifyEd25519(nodeSign(null, msg, privateKey), msg, pub)).toBe(true);
      // the same key again is answered from the cache: no growth
      if (i === 0) {
        const n = keyCacheSize();
        expect(verifyEd25519(nodeSign(null, msg, privateKey), msg, pub)).toBe(true);
        expect(keyCacheSize()).toBe(n);
      }
      sizes.push(keyCacheSize());
    }
    expect(Math.max(...sizes)).toBe(KEY_CACHE_MAX);
    // one clear in KEY_CACHE_MAX + 2 new keys: the size falls to 1 right after it reached the maximum
    const drops = sizes.flatMap((n, i) => (i > 0 && n < sizes[i - 1]! ? [i] : []));
    expect(drops.length).toBe(1);
    expect(sizes[drops[0]! - 1]).toBe(KEY_CACHE_MAX);
    expect(sizes[drops[0]!]).toBe(1);
  });
});
