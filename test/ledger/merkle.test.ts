// The state commitment: RFC 9162 tree shape, incremental roots equal from-scratch roots under random
// edits, and presence/absence proofs that verify and that fail when anything in them is changed.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sha256 } from "@noble/hashes/sha2.js";
import { SortedMerkleMap, listPath, listRoot, itemLeaf } from "../../ledger/merkle.ts";
import { decodeStateProof, EMPTY_TREE, encodeStateProof, leafHash, nodeHash, stateRootOf, verifyInclusion, verifyStateProof } from "../../ledger/proof.ts";
import { compareBytes, hex } from "../../ledger/bytes.ts";

// RFC 9162 §2.1.1, written straight from the definition as the reference.
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function mthPath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...mthPath(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...mthPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

const items = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => new Uint8Array([i, i >> 8, 7]));

describe("list roots", () => {
  it("the empty list's root is SHA-256 of nothing", () => {
    expect(hex(listRoot([]))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex(EMPTY_TREE)).toBe(hex(listRoot([])));
  });

  it("matches RFC 9162's recursive definition, and every path verifies, for sizes 1..70", () => {
    for (let n = 1; n <= 70; n++) {
      const it = items(n);
      const leaves = it.map(itemLeaf);
      const root = listRoot(it);
      expect(hex(root)).toBe(hex(mth(leaves)));
      for (let m = 0; m < n; m++) {
        const path = listPath(it, m);
        expect(path.map(hex)).toEqual(mthPath(m, leaves).map(hex));
        expect(verifyInclusion(leaves[m]!, m, n, path, root)).toBe(true);
        if (n > 1) expect(verifyInclusion(leaves[m]!, (m + 1) % n, n, path, root)).toBe(false);
      }
    }
  });

  it("domain-separates leaves from nodes (a node's preimage is not a leaf)", () => {
    const a = itemLeaf(new Uint8Array([1]));
    const b = itemLeaf(new Uint8Array([2]));
    const two = listRoot([new Uint8Array([1]), new Uint8Array([2])]);
    expect(hex(two)).toBe(hex(nodeHash(a, b)));
    const forged = new Uint8Array(64);
    forged.set(a, 0);
    forged.set(b, 32);
    expect(hex(listRoot([forged]))).not.toBe(hex(two));
  });
});

type Op = { key: number[]; value: number[] };
const opArb = fc.record({
  key: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
  value: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 3 }),
});

function reference(entries: Map<string, [Uint8Array, Uint8Array]>): Uint8Array {
  const sorted = [...entries.values()].sort((x, y) => compareBytes(x[0], y[0]));
  return stateRootOf(sorted.length, mth(sorted.map(([k, v]) => leafHash(k, v))));
}

describe("SortedMerkleMap", () => {
  it("keeps an incremental root equal to the from-scratch root under random inserts, updates and deletes", () => {
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { maxLength: 12 }), { maxLength: 8 }), (batches: Op[][]) => {
        const map = new SortedMerkleMap();
        const ref = new Map<string, [Uint8Array, Uint8Array]>();
        for (const batch of batches) {
          for (const op of batch) {
            const k = Uint8Array.from(op.key);
            const v = Uint8Array.from(op.value);
            map.set(k, v);
            if (v.length === 0) ref.delete(hex(k));
            else ref.set(hex(k), [k, v]);
          }
          expect(map.size).toBe(ref.size);
          expect(hex(map.root())).toBe(hex(reference(ref)));
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it("proves presence and absence of every key in a small universe, and a changed proof fails", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 20 }), (ops: Op[]) => {
        const map = new SortedMerkleMap();
        for (const op of ops) map.set(Uint8Array.from(op.key), Uint8Array.from(op.value));
        const root = map.root();
        for (let a = 0; a < 4; a++) {
          for (const k of [[a], [a, 0], [a, 3, 1], [a, 2, 2]]) {
            const key = Uint8Array.from(k);
            const proof = map.prove(key);
            const verdict = verifyStateProof(root, proof);
            const want = map.get(key);
            expect(verdict).toEqual({ ok: true, value: want ?? null });
            const back = decodeStateProof(encodeStateProof(proof));
            expect(verifyStateProof(root, back)).toEqual(verdict);
            // The same proof must not vouch for a different root, nor for the other answer.
            const otherRoot = sha256(root);
            expect(verifyStateProof(otherRoot, proof).ok).toBe(false);
            if (proof.leaves.length > 0) {
              const forged = structuredClone(proof);
              forged.leaves[0]!.value = Uint8Array.of(...forged.leaves[0]!.value, 1);
              expect(verifyStateProof(root, forged).ok).toBe(false);
            }
          }
        }
      }),
      { numRuns: 200, seed: 9 },
    );
  });

  it("binds the entry count: a path valid for several tree sizes cannot pass an inner leaf off as the last", () => {
    const map = new SortedMerkleMap();
    for (let k = 0; k < 24; k++) map.set(Uint8Array.of(k), Uint8Array.of(1));
    const root = map.root();
    const real = map.prove(Uint8Array.of(23)).leaves[0]!;
    // In RFC 9162 alone, leaf 23's path of a 24-leaf tree also verifies as leaf 46 of a 47-leaf tree,
    // which would make it "last" and so "prove" key 0x30 absent whatever the state holds.
    expect(verifyInclusion(leafHash(real.key, real.value), 46, 47, real.path, map.treeHash())).toBe(true);
    const v = verifyStateProof(root, { key: Uint8Array.of(0x30), size: 47, leaves: [{ ...real, index: 46 }] });
    expect(v.ok).toBe(false);
    expect(verifyStateProof(root, { key: Uint8Array.of(0x30), size: 24, leaves: [real] })).toEqual({ ok: true, value: null });
  });

  it("rejects an absence proof built from non-adjacent neighbours", () => {
    const map = new SortedMerkleMap();
    for (const k of [1, 3, 5, 7]) map.set(Uint8Array.of(k), Uint8Array.of(k));
    const root = map.root();
    const lo = map.prove(Uint8Array.of(1)).leaves[0]!;
    const hi = map.prove(Uint8Array.of(5)).leaves[0]!;
    // Key 4 is absent, but 1 and 5 are not neighbours: 3 sits between them and would hide a lie about 2.
    const v = verifyStateProof(root, { key: Uint8Array.of(2), size: 4, leaves: [lo, hi] });
    expect(v).toEqual({ ok: false, reason: "the neighbours are not adjacent" });
    // Hiding a present key: claim 3 is absent using its neighbours 1 and 5.
    expect(verifyStateProof(root, { key: Uint8Array.of(3), size: 4, leaves: [lo, hi] }).ok).toBe(false);
  });

  it("decodes only well-formed proofs, naming the byte offset", () => {
    const map = new SortedMerkleMap();
    map.set(Uint8Array.of(1), Uint8Array.of(9));
    const enc = encodeStateProof(map.prove(Uint8Array.of(1)));
    expect(() => decodeStateProof(enc.subarray(0, enc.length - 1))).toThrow(/truncated at byte/);
    expect(() => decodeStateProof(Uint8Array.of(...enc, 0))).toThrow(/1 trailing byte\(s\) at byte/);
    expect(() => decodeStateProof(Uint8Array.of(2, ...enc.subarray(1)))).toThrow(/version 2 at byte 0/);
  });
});
