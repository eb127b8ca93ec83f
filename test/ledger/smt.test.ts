// The state tree over a store (ledger/smt.ts): what takeNewNodes hands the store is exactly what a stored tree
// reads back; a stored tree reads only the nodes a walk reaches, each checked against its hash, and names the
// problem when the store is wrong; proveStored answers as prove() does and refuses what is not a root record;
// trim keeps the top RESIDENT_DEPTH levels; the stored form decodes back and refuses any other length; the
// tree copies what it is given. (merkle.test.ts checks the roots against the definition in memory.)
import { describe, expect, it } from "vitest";
import { hex } from "../../ledger/bytes.ts";
import { bitAt, EMPTY, pathOf, STATE_VERSION, stateRootOf, type StateProof } from "../../ledger/proof.ts";
import { CHUNK_LEVELS, decodeNode, hashOf, encodeChunk, encodeNode, encodeRootRecord, proveStored, RESIDENT_DEPTH, SparseMerkleTree, type Internal, type Leaf } from "../../ledger/smt.ts";

const enc = (n: number): Uint8Array => new TextEncoder().encode(`smt key ${n}`);
const val = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, 1);

/** An in-memory tree of `n` entries and the store its takeNewNodes fills (hash hex -> stored form). */
function committed(n: number): { t: SparseMerkleTree; nodes: Map<string, Uint8Array>; get: (h: Uint8Array) => Uint8Array | undefined } {
  const t = new SparseMerkleTree();
  t.load(
    Array.from({ length: n }, (_, i) => [enc(i), val(i)] as [Uint8Array, Uint8Array]),
    false,
  );
  const nodes = new Map(t.takeNewNodes().map(([h, b]) => [hex(h), b] as const));
  return { t, nodes, get: (h) => nodes.get(hex(h)) };
}

/** The tree's shape from its definition (proof.ts): nodes per depth of the compact tree over these paths. */
function nodesByDepth(paths: Uint8Array[], depth = 0, out: number[] = []): number[] {
  if (paths.length === 0) return out;
  out[depth] = (out[depth] ?? 0) + 1;
  if (paths.length === 1) return out;
  nodesByDepth(paths.filter((p) => bitAt(p, depth) === 0), depth + 1, out);
  nodesByDepth(paths.filter((p) => bitAt(p, depth) === 1), depth + 1, out);
  return out;
}

/** Internal nodes per depth of the compact tree over `paths` (a prefix two paths or more share is one). */
function internalsByDepth(paths: Uint8Array[], depth = 0, out: number[] = []): number[] {
  if (paths.length < 2) return out;
  out[depth] = (out[depth] ?? 0) + 1;
  internalsByDepth(paths.filter((p) => bitAt(p, depth) === 0), depth + 1, out);
  internalsByDepth(paths.filter((p) => bitAt(p, depth) === 1), depth + 1, out);
  return out;
}

/** The paths below the node at depth `d` on `p`'s path (with `sibling`, below that node's sibling). */
function under(paths: Uint8Array[], p: Uint8Array, d: number, sibling = false): Uint8Array[] {
  return paths.filter((q) => {
    for (let b = 0; b < d; b++) if (bitAt(q, b) !== (sibling && b === d - 1 ? 1 - bitAt(p, b) : bitAt(p, b))) return false;
    return true;
  });
}

/** Internal nodes one stored row holds: a chunk's top at depth `c` over `paths`, and those below it to CHUNK_LEVELS. */
const chunkSize = (paths: Uint8Array[], c: number): number => internalsByDepth(paths, c).slice(c, c + CHUNK_LEVELS).reduce((a, b) => a + (b ?? 0), 0);

/** Nodes a cold read of `key` (its leaf at `depth`) loads: every chunk on its path, whole, and its leaf. */
function coldRead(paths: Uint8Array[], key: Uint8Array, depth: number): number {
  let n = 1;
  for (let c = 0; c < depth; c += CHUNK_LEVELS) n += chunkSize(under(paths, pathOf(key), c), c);
  return n;
}

/** Rows a write of a present key at `depth` hands the store: the root record, the chunks on its path, its leaf. */
const pathRows = (depth: number): number => 1 + Math.ceil(depth / CHUNK_LEVELS) + 1;

describe("a stored tree reads what takeNewNodes stored", () => {
  it("gives every value, the same root, proofs and entries, opening with no read", () => {
    const { t, get } = committed(300);
    const s = SparseMerkleTree.stored(t.treeRoot(), get);
    expect(s.resident).toBe(0);
    expect(hex(s.root())).toBe(hex(t.root()));
    for (let i = 0; i < 320; i++) {
      expect(s.get(enc(i)), `key ${i}`).toEqual(i < 300 ? val(i) : undefined);
      expect(s.prove(enc(i))).toEqual(t.prove(enc(i)));
    }
    expect([...s.entries()]).toEqual([...t.entries()]);
  });

  it("a cold read loads exactly the chunks on its path and its leaf, once; a delete also the siblings it hashes with that are not in those chunks", () => {
    const n = 500;
    const { t, get } = committed(n);
    const paths = Array.from({ length: n }, (_, i) => pathOf(enc(i)));
    for (const i of [0, 7, 123, 499]) {
      const depth = t.prove(enc(i)).siblings.length;
      const s = SparseMerkleTree.stored(t.treeRoot(), get);
      s.get(enc(i));
      const read = coldRead(paths, enc(i), depth);
      expect(s.resident, `read ${i}`).toBe(read);
      s.get(enc(i));
      s.prove(enc(i));
      expect(s.resident, `read ${i} again`).toBe(read);

      const d = SparseMerkleTree.stored(t.treeRoot(), get);
      d.set(enc(i), new Uint8Array(0));
      // a sibling is its own row when it is a leaf, or an internal node topping a chunk
      let siblings = 0;
      for (let at = 1; at <= depth; at++) {
        const below = under(paths, pathOf(enc(i)), at, true);
        if (below.length === 1) siblings++;
        else if (below.length > 1 && at % CHUNK_LEVELS === 0) siblings += chunkSize(below, at);
      }
      expect(d.resident, `delete ${i}`).toBe(read + siblings);
      expect(d.get(enc(i))).toBeUndefined();
    }
  });

  it("takeNewNodes gives only the root record when nothing changed: after opening and reading, after a write of the value a key holds, after a delete of an absent key, and the second time", () => {
    const { t, get } = committed(200);
    const s = SparseMerkleTree.stored(t.treeRoot(), get);
    for (let i = 0; i < 200; i++) s.get(enc(i));
    const only = (x: SparseMerkleTree): string[] => x.takeNewNodes().map(([h]) => hex(h));
    expect(only(s)).toEqual([hex(t.root())]);
    s.set(enc(5), val(5));
    expect(only(s)).toEqual([hex(t.root())]);
    s.set(enc(1000), new Uint8Array(0));
    expect(only(s)).toEqual([hex(t.root())]);
    expect(only(t)).toEqual([hex(t.root())]);
    // a real write gives its path: the chunks on it and the leaf, besides the root record
    const depth = t.prove(enc(5)).siblings.length;
    s.set(enc(5), val(6));
    const fresh = s.takeNewNodes();
    expect(fresh.length).toBe(pathRows(depth));
    expect(only(s)).toEqual([hex(s.root())]);
  });

  it("a tree loaded as stored has nothing new to store; loaded as not stored, every node", () => {
    const entries = Array.from({ length: 64 }, (_, i) => [enc(i), val(i)] as [Uint8Array, Uint8Array]);
    const a = new SparseMerkleTree();
    a.load(entries, true);
    expect(a.takeNewNodes().length).toBe(1);
    const b = new SparseMerkleTree();
    b.load(entries, false);
    // a row per leaf and per internal node at a depth divisible by CHUNK_LEVELS (the chunks' tops)
    const tops = internalsByDepth(entries.map(([k]) => pathOf(k))).filter((_, d) => d % CHUNK_LEVELS === 0).reduce((x, y) => x + y, 0);
    expect(b.takeNewNodes().length).toBe(1 + entries.length + tops);
    expect(hex(a.root())).toBe(hex(b.root()));
  });

  it("load skips empty values (absent), as set does", () => {
    const a = new SparseMerkleTree();
    a.load([[enc(1), val(1)], [enc(2), new Uint8Array(0)], [enc(3), val(3)]], false);
    const b = new SparseMerkleTree();
    b.set(enc(1), val(1));
    b.set(enc(3), val(3));
    expect(hex(a.root())).toBe(hex(b.root()));
    expect(a.get(enc(2))).toBeUndefined();
  });

  it("names the node and the remedy when the store lacks a node, holds other bytes, or a leaf off its key's path", () => {
    const { t, nodes, get } = committed(50);
    const leafHashHex = [...nodes.entries()].find(([, b]) => b[0] === 0 && hex(b.subarray(1, 33)) === hex(pathOf(enc(3))))![0];
    // missing
    const without = new Map(nodes);
    without.delete(leafHashHex);
    const m = SparseMerkleTree.stored(t.treeRoot(), (h) => without.get(hex(h)));
    expect(() => m.get(enc(3))).toThrow(new RegExp(`^state tree node ${leafHashHex} is missing from the store; run 'mote ledger rebuild'$`));
    // changed: the leaf's value byte changed behind the tree
    const changed = new Map(nodes);
    const bad = nodes.get(leafHashHex)!.slice();
    bad[bad.length - 1]! ^= 1;
    changed.set(leafHashHex, bad);
    const c = SparseMerkleTree.stored(t.treeRoot(), (h) => changed.get(hex(h)));
    expect(() => c.get(enc(3))).toThrow(new RegExp(`^state tree node ${leafHashHex} in the store does not hash to its key \\(changed outside the ledger\\?\\); run 'mote ledger rebuild'$`));
    // a leaf whose hash is consistent but whose path is not its key's
    const liar: Leaf = { leaf: true, path: pathOf(enc(4)), key: enc(3), value: val(3), hash: null, stored: false };
    const liarBytes = encodeNode(liar);
    const one = new SparseMerkleTree();
    one.set(enc(4), val(3));
    const rootOfLiar = one.treeRoot(); // leafHash(pathOf(enc(4)), valueHash(val(3))): the liar's hash
    const l = SparseMerkleTree.stored(rootOfLiar, (h) => (hex(h) === hex(rootOfLiar) ? liarBytes : undefined));
    expect(() => l.get(enc(4))).toThrow(/^state tree node [0-9a-f]{64} in the store holds a leaf whose path is not its key's; run 'mote ledger rebuild'$/);
  });

  it("refuses keys over 255 bytes, with the length", () => {
    const t = new SparseMerkleTree();
    t.set(new Uint8Array(255).fill(1), val(1));
    expect(t.get(new Uint8Array(255).fill(1))).toEqual(val(1));
    expect(() => t.set(new Uint8Array(256), val(1))).toThrow(new RangeError("state key of 256 bytes exceeds 255"));
  });

  it("copies the keys and values it is given, and the keys of the proofs it gives", () => {
    const k = enc(1);
    const v = val(1);
    const t = new SparseMerkleTree();
    t.set(k, v);
    const lk = enc(2);
    const lv = val(2);
    const u = new SparseMerkleTree();
    u.load([[lk, lv]], false);
    // a proof of each end (leaf, empty, another leaf) from prove() and proveStored, of a key mutated afterwards
    const { t: c, get } = committed(30);
    const firstOf = (kind: string): Uint8Array => enc(Array.from({ length: 500 }, (_, i) => 100 + i).find((i) => c.prove(enc(i)).end.kind === kind)!);
    const ends = { leaf: enc(3), other: firstOf("other"), empty: firstOf("empty") };
    const proofs: [Uint8Array, Uint8Array, StateProof][] = [];
    for (const [kind, key] of Object.entries(ends)) {
      const a = key.slice();
      const b = key.slice();
      proofs.push([key, a, c.prove(a)], [key, b, proveStored(c.root(), b, get)]);
      expect(proofs.at(-1)![2].end.kind, kind).toBe(kind);
      expect(proofs.at(-2)![2].end.kind, kind).toBe(kind);
    }
    const e = enc(5);
    proofs.push([enc(5), e, new SparseMerkleTree().prove(e)]);
    k.fill(0);
    v.fill(0);
    lk.fill(0);
    lv.fill(0);
    for (const [, given] of proofs) given.fill(0);
    expect(t.get(enc(1))).toEqual(val(1));
    expect([...t.entries()][0]![0]).toEqual(enc(1));
    expect(u.get(enc(2))).toEqual(val(2));
    expect([...u.entries()][0]![0]).toEqual(enc(2));
    for (const [want, , p] of proofs) expect(p.key).toEqual(want);
  });
});

describe("proveStored", () => {
  it("answers as prove() for present keys, absent keys ending empty or at another leaf, and the empty tree", () => {
    const { t, get } = committed(200);
    const kinds = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const p: StateProof = proveStored(t.root(), enc(i), get);
      expect(p, `key ${i}`).toEqual(t.prove(enc(i)));
      kinds.add(p.end.kind);
    }
    expect([...kinds].sort()).toEqual(["empty", "leaf", "other"]);
    const e = new SparseMerkleTree();
    const store = new Map(e.takeNewNodes().map(([h, b]) => [hex(h), b] as const));
    expect(proveStored(e.root(), enc(1), (h) => store.get(hex(h)))).toEqual(e.prove(enc(1)));
  });

  it("refuses a root that is not a root record of this version, and names a missing node", () => {
    const { t, nodes, get } = committed(20);
    const root = t.root();
    const rec = get(root)!;
    expect(rec).toEqual(encodeRootRecord(t.treeRoot()));
    const withRecord = (r: Uint8Array | undefined) => (h: Uint8Array) => (hex(h) === hex(root) ? r : get(h));
    const notRoot = new RegExp(`^state root ${hex(root)} is not in the store$`);
    for (const [name, r] of [
      ["absent", undefined],
      ["33 bytes", rec.subarray(0, 33)],
      ["35 bytes", Uint8Array.of(...rec, 0)],
      ["tag 0x01", Uint8Array.of(0x01, ...rec.subarray(1))],
      ["tag 0x00", Uint8Array.of(0x00, ...rec.subarray(1))],
      [`version ${STATE_VERSION + 1}`, Uint8Array.of(0x02, STATE_VERSION + 1, ...rec.subarray(2))],
      [`version ${STATE_VERSION - 1}`, Uint8Array.of(0x02, STATE_VERSION - 1, ...rec.subarray(2))],
    ] as const) {
      expect(() => proveStored(root, enc(1), withRecord(r)), name).toThrow(notRoot);
    }
    const top = hex(t.treeRoot());
    const without = new Map(nodes);
    without.delete(top);
    expect(() => proveStored(root, enc(1), (h) => without.get(hex(h)))).toThrow(new RegExp(`^state tree node ${top} is missing from the store$`));
  });
});

describe("trim", () => {
  it("keeps exactly the nodes above RESIDENT_DEPTH of what was read, and the tree still reads right", () => {
    // 1,500 random paths go past depth 16 in places (pairs sharing 17+ bits): the birthday bound
    const n = 1500;
    const { t, get } = committed(n);
    const byDepth = nodesByDepth(Array.from({ length: n }, (_, i) => pathOf(enc(i))));
    expect(byDepth.length).toBeGreaterThan(RESIDENT_DEPTH + 1);
    const total = byDepth.reduce((a, b) => a + b, 0);
    const top = byDepth.slice(0, RESIDENT_DEPTH).reduce((a, b) => a + b, 0);
    const s = SparseMerkleTree.stored(t.treeRoot(), get);
    expect([...s.entries()].length).toBe(n);
    expect(s.resident).toBe(total);
    // under RESIDENT_NODES a block's writes do not trim
    s.applyAll([])();
    expect(s.resident).toBe(total);
    s.trim();
    expect(s.resident).toBe(top);
    // what was dropped is read again on demand; nothing is new to store
    for (let i = 0; i < n; i += 7) expect(s.get(enc(i))).toEqual(val(i));
    expect(s.takeNewNodes().length).toBe(1);
    expect(hex(s.root())).toBe(hex(t.root()));
  });

  it("walks past what was never read: after one read, the read path stays and nothing else is loaded", () => {
    const { t, get } = committed(300);
    const s = SparseMerkleTree.stored(t.treeRoot(), get);
    s.get(enc(42));
    const depth = t.prove(enc(42)).siblings.length;
    expect(depth).toBeLessThan(RESIDENT_DEPTH);
    s.trim();
    expect(s.resident).toBe(coldRead(Array.from({ length: 300 }, (_, i) => pathOf(enc(i))), enc(42), depth));
    expect(s.get(enc(43))).toEqual(val(43));
    expect(s.takeNewNodes().length).toBe(1);
  });

  it("turns stored nodes below RESIDENT_DEPTH of an in-memory tree into references: read again from the store, or refused without one", () => {
    const n = 1500;
    const paths = Array.from({ length: n }, (_, i) => pathOf(enc(i)));
    const byDepth = nodesByDepth(paths);
    const top = byDepth.slice(0, RESIDENT_DEPTH).reduce((a, b) => a + b, 0);
    // a key whose leaf is below RESIDENT_DEPTH, and one above
    const { t, nodes, get } = committed(n);
    const deep = Array.from({ length: n }, (_, i) => i).find((i) => t.prove(enc(i)).siblings.length >= RESIDENT_DEPTH)!;
    const shallow = Array.from({ length: n }, (_, i) => i).find((i) => t.prove(enc(i)).siblings.length < RESIDENT_DEPTH - 4)!;
    expect(deep).toBeDefined();
    // all of t is stored (takeNewNodes) and in memory: trim keeps the top levels and counts them
    t.trim();
    expect(t.resident).toBe(top);
    expect(t.get(enc(shallow))).toEqual(val(shallow));
    expect(() => t.get(enc(deep))).toThrow(/^state tree node [0-9a-f]{64} is not in memory and the tree has no store$/);
    // a stored tree's own writes, once handed to the store, are trimmed the same way and read back from it
    const s = SparseMerkleTree.stored(t.treeRoot(), get);
    s.set(enc(deep), val(deep + 1));
    for (const [h, b] of s.takeNewNodes()) nodes.set(hex(h), b);
    s.trim();
    const before = s.resident;
    expect(s.get(enc(deep))).toEqual(val(deep + 1));
    expect(s.resident).toBeGreaterThan(before);
  });

  it("a tree loaded as stored marks every node stored: a write then hands the store only its path", () => {
    const entries = Array.from({ length: 200 }, (_, i) => [enc(i), val(i)] as [Uint8Array, Uint8Array]);
    const a = new SparseMerkleTree();
    a.load(entries, true);
    const depth = a.prove(enc(9)).siblings.length;
    a.set(enc(9), val(10));
    expect(a.takeNewNodes().length).toBe(pathRows(depth));
  });

  it("keeps writes not yet stored, and they are still handed to the store after it", () => {
    const { t, get } = committed(100);
    const s = SparseMerkleTree.stored(t.treeRoot(), get);
    s.set(enc(1), val(9));
    s.set(enc(500), val(500));
    s.trim();
    expect(s.get(enc(1))).toEqual(val(9));
    expect(s.get(enc(500))).toEqual(val(500));
    const fresh = s.takeNewNodes();
    const store = new Map([...[...t.takeNewNodes()], ...fresh].map(([h, b]) => [hex(h), b] as const));
    const again = SparseMerkleTree.stored(s.treeRoot(), (h) => store.get(hex(h)) ?? get(h));
    expect(again.get(enc(1))).toEqual(val(9));
    expect(again.get(enc(500))).toEqual(val(500));
    expect(hex(again.root())).toBe(hex(s.root()));
  });
});

describe("the stored form of a node", () => {
  it("decodes back what encodeNode wrote, for every key length and values of 0 to 300 bytes", () => {
    for (let kl = 0; kl <= 255; kl += kl < 4 ? 1 : 37) {
      for (const vl of [0, 1, 2, 300]) {
        const key = new Uint8Array(kl).fill(0xab);
        const value = new Uint8Array(vl).fill(0xcd);
        const leaf: Leaf = { leaf: true, path: pathOf(key), key, value, hash: null, stored: false };
        const b = encodeNode(leaf);
        const d = decodeNode(b);
        expect(d.leaf).toBe(true);
        if (d.leaf) {
          expect(d.key).toEqual(key);
          expect(d.value).toEqual(value);
          expect(d.path).toEqual(pathOf(key));
        }
      }
    }
  });

  it("decodes a chunk back to the nodes it holds: the same hash, references where it ends, every one of its internal nodes", () => {
    const { nodes } = committed(400);
    const chunks = [...nodes.entries()].filter(([, b]) => b[0] === 0x03);
    expect(chunks.length).toBeGreaterThan(10);
    let inner = 0;
    for (const [h, b] of chunks) {
      const d = decodeNode(b);
      expect(d.leaf).toBe(false);
      if (d.leaf) continue;
      // the decoded chunk hashes to its key and encodes back to its own bytes
      expect(hex(hashOf(d.chunk))).toBe(h);
      const again = encodeChunk(d.chunk);
      expect(again).toEqual(b);
      const count = (x: Internal | null, level: number): number => {
        if (x === null || x.leaf !== false) return 0;
        expect(level).toBeLessThan(CHUNK_LEVELS);
        return 1 + count(x.left as Internal | null, level + 1) + count(x.right as Internal | null, level + 1);
      };
      inner += count(d.chunk, 0);
    }
    expect(inner).toBe(internalsByDepth(Array.from({ length: 400 }, (_, i) => pathOf(enc(i)))).reduce((a, b) => a + b, 0));
  });

  it("refuses every other length, tag or key length past the end, with the length", () => {
    const leaf = encodeNode({ leaf: true, path: pathOf(enc(1)), key: enc(1), value: val(1), hash: null, stored: false });
    const h = new Uint8Array(32).fill(7);
    const bad: Uint8Array[] = [
      // a binary internal node (a store before chunks)
      Uint8Array.of(1, ...new Uint8Array(32).fill(1), ...new Uint8Array(32).fill(2)),
      // chunks: empty, topped by a reference or an empty subtree, an internal node at the fifth level, an
      // internal node over two empty subtrees, a cut or empty-tree reference, an unknown tag, a byte after it
      Uint8Array.of(3),
      Uint8Array.of(3, 0, ...h),
      Uint8Array.of(3, 2),
      Uint8Array.of(3, ...[1, 1, 1, 1, 1], 0, ...h, 0, ...h, 2, 2, 2, 2),
      Uint8Array.of(3, 1, 2, 1, 2, 1, 2, 1, 2, 1, 0, ...h, 0, ...h), // the same down the right
      Uint8Array.of(3, 1, 2, 2),
      Uint8Array.of(3, 1, 0, ...h.subarray(1)),
      Uint8Array.of(3, 1, 0, ...EMPTY, 0, ...h),
      Uint8Array.of(3, 1, 4, 0, ...h),
      Uint8Array.of(3, 1, 0, ...h, 0, ...h, 0),
      new Uint8Array(0),
      Uint8Array.of(1),
      new Uint8Array(64).fill(1, 0, 1),
      Uint8Array.of(1, ...new Uint8Array(65)),
      Uint8Array.of(0, ...new Uint8Array(64)), // a leaf without its key length
      Uint8Array.of(2, ...new Uint8Array(64)),
      Uint8Array.of(0x02, ...new Uint8Array(65)),
      leaf.subarray(0, 66 + enc(1).length - 1), // cut inside the key
    ];
    // a key length claiming more bytes than follow
    const over = new Uint8Array(66 + 5);
    over[65] = 10;
    bad.push(over);
    // (caught by hand: toThrow(regex) also passes when the thrown value is no Error at all)
    const refusal = (b: Uint8Array): unknown => {
      try {
        decodeNode(b);
      } catch (e) {
        return e;
      }
      return "decoded";
    };
    for (const b of bad) expect(refusal(b), hex(b)).toEqual(new Error(`malformed tree node of ${b.length} bytes`));
    expect(decodeNode(leaf.subarray(0, 66 + enc(1).length)).leaf).toBe(true);
  });
});
