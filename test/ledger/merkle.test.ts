// The commitments: RFC 9162 list roots for transactions and receipts; the v2 state tree (a compact sparse
// Merkle tree): incremental roots equal a reference written from the definition under random edits,
// presence and absence proofs verify and fail when anything in them is changed, and updates cost O(log n) hashes.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sha256 } from "@noble/hashes/sha2.js";
import { EMPTY_TREE, listPath, listRoot, itemLeaf, nodeHash, verifyInclusion } from "../../ledger/merkle.ts";
import { SparseMerkleTree } from "../../ledger/smt.ts";
import {
  bitAt,
  decodeStateProof,
  EMPTY,
  EMPTY_ROOT,
  encodeStateProof,
  hashCounter,
  leafHash,
  nodeHash as smtNode,
  pathOf,
  stateRootOf,
  valueHashOf,
  verifyStateProof,
  type StateProof,
} from "../../ledger/proof.ts";
import { hex } from "../../ledger/bytes.ts";

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

/** The state tree straight from its definition (proof.ts): split on bit `depth` until a subtree holds at most one entry. */
function refTree(entries: { path: Uint8Array; value: Uint8Array }[], depth: number): Uint8Array {
  if (entries.length === 0) return EMPTY;
  if (entries.length === 1) return leafHash(entries[0]!.path, valueHashOf(entries[0]!.value));
  const l = entries.filter((e) => bitAt(e.path, depth) === 0);
  const r = entries.filter((e) => bitAt(e.path, depth) === 1);
  return smtNode(refTree(l, depth + 1), refTree(r, depth + 1));
}

function reference(entries: Map<string, [Uint8Array, Uint8Array]>): Uint8Array {
  return stateRootOf(refTree([...entries.values()].map(([k, v]) => ({ path: pathOf(k), value: v })), 0));
}

const enc = (n: number): Uint8Array => new TextEncoder().encode(`key ${n}`);

describe("state tree", () => {
  it("the empty tree's root is SHA-256(0x02 || version 2 || 32 zero bytes)", () => {
    expect(hex(new SparseMerkleTree().root())).toBe(hex(EMPTY_ROOT));
    expect(hex(EMPTY_ROOT)).toBe(hex(sha256(Uint8Array.of(2, 2, ...new Uint8Array(32)))));
  });

  it("incremental roots equal the definition's under random inserts, updates and deletes", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops: Op[]) => {
        const t = new SparseMerkleTree();
        const model = new Map<string, [Uint8Array, Uint8Array]>();
        for (const op of ops) {
          const k = Uint8Array.from(op.key);
          const v = Uint8Array.from(op.value);
          t.set(k, v);
          if (v.length === 0) model.delete(hex(k));
          else model.set(hex(k), [k, v]);
          expect(hex(t.root())).toBe(hex(reference(model)));
        }
        // a bulk load of the same content gives the same root
        const loaded = new SparseMerkleTree();
        loaded.load([...model.values()], false);
        expect(hex(loaded.root())).toBe(hex(t.root()));
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it("undo restores the previous root and values exactly", () => {
    const t = new SparseMerkleTree();
    for (let i = 0; i < 50; i++) t.set(enc(i), Uint8Array.of(i + 1));
    const root = hex(t.root());
    const undo = t.applyAll([{ key: enc(3), value: new Uint8Array(0) }, { key: enc(99), value: Uint8Array.of(9) }, { key: enc(4), value: Uint8Array.of(77) }]);
    expect(hex(t.root())).not.toBe(root);
    undo();
    expect(hex(t.root())).toBe(root);
    expect(t.get(enc(3))).toEqual(Uint8Array.of(4));
    expect(t.get(enc(99))).toBeUndefined();
  });

  it("proves presence and absence (empty subtree and another key's leaf), through the binary encoding", () => {
    const t = new SparseMerkleTree();
    for (let i = 0; i < 300; i++) t.set(enc(i), Uint8Array.of(i & 0xff, 1));
    const root = t.root();
    const kinds = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const p = decodeStateProof(encodeStateProof(t.prove(enc(i))));
      kinds.add(p.end.kind);
      const v = verifyStateProof(root, p);
      expect(v).toEqual({ ok: true, value: i < 300 ? Uint8Array.of(i & 0xff, 1) : null });
    }
    expect([...kinds].sort()).toEqual(["empty", "leaf", "other"]);
    expect(verifyStateProof(new SparseMerkleTree().root(), new SparseMerkleTree().prove(enc(1)))).toEqual({ ok: true, value: null });
  });

  it("refuses any changed proof: sibling, value, other leaf, key, or a presence shown as absence", () => {
    const t = new SparseMerkleTree();
    for (let i = 0; i < 64; i++) t.set(enc(i), Uint8Array.of(i + 1));
    const root = t.root();
    const present = t.prove(enc(5));
    expect(present.end.kind).toBe("leaf");
    const flip = (b: Uint8Array): Uint8Array => {
      const c = b.slice();
      c[0]! ^= 1;
      return c;
    };
    const variants: StateProof[] = [
      { ...present, siblings: present.siblings.map((s, i) => (i === 0 ? flip(s) : s)) },
      { ...present, end: { kind: "leaf", value: Uint8Array.of(99) } },
      { ...present, key: enc(6) },
      { ...present, end: { kind: "empty" } },
      { ...present, siblings: present.siblings.slice(1) },
      { ...present, siblings: [...present.siblings, EMPTY] },
    ];
    // another key's leaf can never stand in for the key itself, nor can the key's own leaf prove absence
    const absent = [...Array(200).keys()].map((i) => t.prove(enc(1000 + i))).find((p) => p.end.kind === "other")!;
    expect(absent).toBeDefined();
    if (absent.end.kind === "other") {
      variants.push({ ...absent, end: { ...absent.end, valueHash: flip(absent.end.valueHash) } });
      variants.push({ ...present, end: { kind: "other", path: pathOf(enc(5)), valueHash: valueHashOf(Uint8Array.of(6)) } });
    }
    for (const v of variants) expect(verifyStateProof(root, v).ok).toBe(false);
    expect(verifyStateProof(root, present)).toEqual({ ok: true, value: Uint8Array.of(6) });
  });

  it("rejects malformed encodings with the byte offset", () => {
    const t = new SparseMerkleTree();
    for (let i = 0; i < 20; i++) t.set(enc(i), Uint8Array.of(1));
    const b = encodeStateProof(t.prove(enc(3)));
    expect(() => decodeStateProof(b.subarray(0, b.length - 1))).toThrow(/^state proof truncated at byte \d+/);
    expect(() => decodeStateProof(Uint8Array.of(...b, 0))).toThrow(/trailing byte/);
    expect(() => decodeStateProof(Uint8Array.of(1, ...b.subarray(1)))).toThrow(/^state proof version 1 at byte 0 is not 2$/);
  });

  it("costs O(log n) hashes per insert and update (the budget bench/ledger.ts reports at up to 1e6 entries)", () => {
    const perOp: number[] = [];
    for (const n of [1_000, 10_000]) {
      const t = new SparseMerkleTree();
      t.load(Array.from({ length: n }, (_, i) => [enc(i), Uint8Array.of(1)] as [Uint8Array, Uint8Array]), false);
      t.root();
      hashCounter.n = 0;
      for (let i = 0; i < 100; i++) {
        t.set(enc(n + i), Uint8Array.of(2));
        t.root();
      }
      perOp.push(hashCounter.n / 100);
      const log2 = Math.log2(n);
      // a path (log2 n + a few levels of shared prefix) plus the key, value and leaf hashes
      expect(hashCounter.n / 100).toBeLessThan(1.5 * log2 + 8);
    }
    // ten times the entries costs a few more hashes, not ten times as many
    expect(perOp[1]! - perOp[0]!).toBeLessThan(8);
  });

  it("verifies proofs of present and absent keys at 1e5 entries", () => {
    const n = 100_000;
    const t = new SparseMerkleTree();
    t.load(Array.from({ length: n }, (_, i) => [enc(i), Uint8Array.of(i & 0xff, 7)] as [Uint8Array, Uint8Array]), false);
    const root = t.root();
    for (const i of [0, 1, 4242, 99_999, n + 1, n + 77_777]) {
      const p = t.prove(enc(i));
      const bytes = encodeStateProof(p);
      expect(bytes.length).toBeLessThan(1024);
      expect(verifyStateProof(root, decodeStateProof(bytes))).toEqual({ ok: true, value: i < n ? Uint8Array.of(i & 0xff, 7) : null });
    }
  }, 60_000);
});
