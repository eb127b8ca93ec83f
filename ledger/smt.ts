// The state tree on the producer side: a compact sparse Merkle tree (proof.ts defines its hashes) kept
// as immutable nodes, so a block's writes copy only their paths (O(log n) new nodes each), hashes are
// computed once per block for the nodes that changed, and the previous root stays valid for undo.
import { bytesEqual, compareBytes, hex } from "./bytes.ts";
import {
  bitAt,
  EMPTY,
  leafHash,
  nodeHash,
  pathOf,
  STATE_VERSION,
  stateRootOf,
  valueHashOf,
  type StateProof,
} from "./proof.ts";

export interface Leaf {
  readonly leaf: true;
  readonly path: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  hash: Uint8Array | null;
  /** Whether the store already holds this node (content-addressed, see store.ts `nodes`). */
  stored: boolean;
}

export interface Internal {
  readonly leaf: false;
  readonly left: TreeNode;
  readonly right: TreeNode;
  hash: Uint8Array | null;
  stored: boolean;
}

/** A stored node known by its hash only, read from the store (and kept) when a walk reaches it. */
export interface Ref {
  readonly leaf: undefined;
  readonly hash: Uint8Array;
  readonly stored: true;
  resolved?: Leaf | Internal;
}

export type TreeNode = Leaf | Internal | Ref | null;
type Node = Leaf | Internal | null;

/** Reads a stored node (its stored form) by hash; the tree checks that what it gets hashes to what it asked for. */
export type NodeLoader = (hash: Uint8Array) => Uint8Array | undefined;

const mkLeaf = (path: Uint8Array, key: Uint8Array, value: Uint8Array): Leaf => ({ leaf: true, path, key, value, hash: null, stored: false });
const mkNode = (left: TreeNode, right: TreeNode): Internal => ({ leaf: false, left, right, hash: null, stored: false });
const mkRef = (hash: Uint8Array): Ref | null => (bytesEqual(hash, EMPTY) ? null : { leaf: undefined, hash, stored: true });

export function hashOf(n: TreeNode): Uint8Array {
  if (n === null) return EMPTY;
  if (n.hash) return n.hash;
  const m = n as Leaf | Internal;
  m.hash = m.leaf ? leafHash(m.path, valueHashOf(m.value)) : nodeHash(hashOf(m.left), hashOf(m.right));
  return m.hash;
}

/** Counts nodes read from the store and kept in memory (the resident part of the tree). */
interface Resolver {
  load: NodeLoader | null;
  resolvedCount: number;
}

function resolveWith(r: Resolver, n: TreeNode): Node {
  if (n === null || n.leaf !== undefined) return n;
  if (n.resolved) return n.resolved;
  if (!r.load) throw new Error(`state tree node ${hex(n.hash)} is not in memory and the tree has no store`);
  const raw = r.load(n.hash);
  if (!raw) throw new Error(`state tree node ${hex(n.hash)} is missing from the store; run 'mote ledger rebuild'`);
  const rec = decodeNode(raw);
  let node: Leaf | Internal;
  if (rec.leaf) {
    node = { leaf: true, path: rec.path, key: rec.key, value: rec.value, hash: null, stored: true };
    if (!bytesEqual(node.path, pathOf(node.key))) throw new Error(`state tree node ${hex(n.hash)} in the store holds a leaf whose path is not its key's; run 'mote ledger rebuild'`);
  } else {
    node = rec.chunk;
  }
  // what the store gave must be what the parent committed to
  if (!bytesEqual(hashOf(node), n.hash)) throw new Error(`state tree node ${hex(n.hash)} in the store does not hash to its key (changed outside the ledger?); run 'mote ledger rebuild'`);
  r.resolvedCount += node.leaf ? 1 : internalsOf(node);
  n.resolved = node;
  return node;
}

function insert(r: Resolver, t: TreeNode, depth: number, l: Leaf): TreeNode {
  const n = resolveWith(r, t);
  if (n === null) return l;
  if (n.leaf) {
    if (bytesEqual(n.path, l.path)) return l;
    // split: one internal node per shared bit, then the two leaves apart
    return split(n, l, depth);
  }
  return bitAt(l.path, depth) === 0 ? mkNode(insert(r, n.left, depth + 1, l), n.right) : mkNode(n.left, insert(r, n.right, depth + 1, l));
}

function split(a: Leaf, b: Leaf, depth: number): Internal {
  const ba = bitAt(a.path, depth);
  if (ba !== bitAt(b.path, depth)) return ba === 0 ? mkNode(a, b) : mkNode(b, a);
  const below = split(a, b, depth + 1);
  return ba === 0 ? mkNode(below, null) : mkNode(null, below);
}

/** Removes `path`; an unchanged subtree comes back as the very node (or reference) passed in. */
function remove(r: Resolver, t: TreeNode, depth: number, path: Uint8Array): TreeNode {
  const n = resolveWith(r, t);
  if (n === null) return null;
  if (n.leaf) return bytesEqual(n.path, path) ? null : t;
  const left = bitAt(path, depth) === 0 ? remove(r, n.left, depth + 1, path) : n.left;
  const right = bitAt(path, depth) === 1 ? remove(r, n.right, depth + 1, path) : n.right;
  if (left === n.left && right === n.right) return t;
  // a subtree left with one leaf is that leaf
  const l = resolveWith(r, left);
  const rr = resolveWith(r, right);
  // Stryker disable next-line ConditionalExpression: equivalent, left and right are never both empty here (an internal node holds two leaves or more; one was removed)
  if (l === null && (rr === null || rr.leaf)) return rr;
  // Stryker disable next-line ConditionalExpression: equivalent, l === null with rr === null never reaches this line (above)
  if (rr === null && l !== null && l.leaf) return l;
  return mkNode(left, right);
}

/** Builds the tree of `leaves` sorted by path: O(n) nodes, each hashed once. */
function build(leaves: Leaf[], lo: number, hi: number, depth: number): TreeNode {
  if (lo === hi) return null;
  if (hi - lo === 1) return leaves[lo]!;
  let mid = lo;
  while (mid < hi && bitAt(leaves[mid]!.path, depth) === 0) mid++;
  return mkNode(build(leaves, lo, mid, depth + 1), build(leaves, mid, hi, depth + 1));
}

/**
 * Levels of internal nodes one stored record holds. A write at 10^6 entries makes a new path of about 21
 * internal nodes; stored one per row, each is a row at a random place of the `nodes` index, so a block of
 * writes dirties a page per node, which COMMIT writes to the WAL and a checkpoint writes again (the larger
 * part of a write's cost on the ledger). Stored as chunks, the internal nodes at depths d..d+3 below an
 * internal node at a depth d divisible by 4 in one row (keyed by that node's hash), a write stores about 5
 * rows. Hashes, roots and proofs are the binary tree's (proof.ts): only what a row holds changes.
 */
export const CHUNK_LEVELS = 4;

/** A leaf's stored form: 0x00 path valueHash keyLen:u8 key value. */
export function encodeNode(n: Leaf): Uint8Array {
  const b = new Uint8Array(1 + 32 + 32 + 1 + n.key.length + n.value.length);
  b[0] = 0;
  b.set(n.path, 1);
  b.set(valueHashOf(n.value), 33);
  b[65] = n.key.length;
  b.set(n.key, 66);
  b.set(n.value, 66 + n.key.length);
  return b;
}

const CHUNK = 0x03;
/** A chunk's positions: an internal node held in the row (then its left and right), a reference, an empty subtree. */
const INNER = 0x01;
const REF = 0x00;
const NONE = 0x02;

/**
 * A chunk's stored form: 0x03, then its top node's subtree to CHUNK_LEVELS levels in pre-order, each position
 * one of 0x01 (an internal node, then its left and right), 0x00 hash (a leaf, or an internal node at the
 * chunk's bottom, itself the top of a chunk), 0x02 (empty). Marks the internal nodes it holds stored.
 */
export function encodeChunk(top: Internal, edge: (t: TreeNode) => void = () => {}): Uint8Array {
  const out: number[] = [CHUNK];
  const put = (t: TreeNode, level: number): void => {
    if (t === null) {
      out.push(NONE);
      return;
    }
    // a reference is a leaf or tops a chunk (the store's chunks hold every internal node above the next chunk)
    if (level < CHUNK_LEVELS && t.leaf === false) {
      out.push(INNER);
      put(t.left, level + 1);
      put(t.right, level + 1);
      t.stored = true;
      return;
    }
    out.push(REF, ...hashOf(t));
    edge(t);
  };
  put(top, 0);
  return Uint8Array.from(out);
}

function decodeChunk(b: Uint8Array): Internal {
  let at = 1;
  const bad = (): Error => new Error(`malformed tree node of ${b.length} bytes`);
  const take = (level: number): TreeNode => {
    const tag = b[at++];
    if (tag === NONE) return null;
    if (tag === REF) {
      // (a hash cut short is the row's end: the length check below refuses it)
      const h = b.slice(at, at + 32);
      at += 32;
      const r = mkRef(h);
      if (r === null) throw bad();
      return r;
    }
    if (tag !== INNER || level === CHUNK_LEVELS) throw bad();
    const left = take(level + 1);
    const right = take(level + 1);
    // an internal node holds two leaves or more (proof.ts): never two empty subtrees
    if (left === null && right === null) throw bad();
    return { leaf: false, left, right, hash: null, stored: true };
  };
  if (b[1] !== INNER) throw bad();
  const top = take(0) as Internal;
  if (at !== b.length) throw bad();
  return top;
}

/** Internal nodes held in memory from `n` down (a chunk just read: those its row held). */
function internalsOf(n: TreeNode): number {
  return n === null || n.leaf !== false ? 0 : 1 + internalsOf(n.left) + internalsOf(n.right);
}

/** A stored leaf, or a stored chunk (its internal nodes, with references below and to its leaves). */
export type NodeRecord = { leaf: true; path: Uint8Array; valueHash: Uint8Array; key: Uint8Array; value: Uint8Array } | { leaf: false; chunk: Internal };

export function decodeNode(b: Uint8Array): NodeRecord {
  if (b[0] === CHUNK) return { leaf: false, chunk: decodeChunk(b) };
  // a leaf: the key length byte (absent below 66 bytes) and that many key bytes are there
  if (b[0] === 0 && b.length >= 66 + (b[65] ?? 0)) {
    return { leaf: true, path: b.slice(1, 33), valueHash: b.slice(33, 65), key: b.slice(66, 66 + b[65]!), value: b.slice(66 + b[65]!) };
  }
  throw new Error(`malformed tree node of ${b.length} bytes`);
}

/** The stored form of a state root: 0x02 version treeRoot, kept under the state root's hash like a node. */
export function encodeRootRecord(treeRoot: Uint8Array): Uint8Array {
  return Uint8Array.of(0x02, STATE_VERSION, ...treeRoot);
}

/**
 * A proof from stored nodes: resolves a block's state root to its tree root and walks the key's path
 * through `getNode` (hash -> stored form), so any committed root can be proven against, not only the head's.
 */
export function proveStored(stateRoot: Uint8Array, key: Uint8Array, getNode: (hash: Uint8Array) => Uint8Array | undefined): StateProof {
  const rec = getNode(stateRoot);
  if (!rec || rec.length !== 34 || rec[0] !== 0x02 || rec[1] !== STATE_VERSION) throw new Error(`state root ${hex(stateRoot)} is not in the store`);
  const path = pathOf(key);
  const siblings: Uint8Array[] = [];
  let at: TreeNode = mkRef(rec.slice(2));
  for (let depth = 0; ; depth++) {
    if (at === null) return { key: key.slice(), end: { kind: "empty" }, siblings };
    let n: Leaf | Internal;
    if (at.leaf === undefined) {
      const raw = getNode(at.hash);
      if (!raw) throw new Error(`state tree node ${hex(at.hash)} is missing from the store`);
      const r = decodeNode(raw);
      if (r.leaf) {
        if (bytesEqual(r.path, path)) return { key: key.slice(), end: { kind: "leaf", value: r.value }, siblings };
        return { key: key.slice(), end: { kind: "other", path: r.path, valueHash: r.valueHash }, siblings };
      }
      n = r.chunk;
    } else {
      n = at;
    }
    // (a chunk's own positions are internal nodes or references: never a leaf held in the row)
    const bit = bitAt(path, depth);
    siblings.push(hashOf(bit === 0 ? (n as Internal).right : (n as Internal).left));
    at = bit === 0 ? (n as Internal).left : (n as Internal).right;
  }
}

/** Nodes of a stored tree kept in memory at most (past it, the tree drops all but its top levels after a block). */
export const RESIDENT_NODES = 200_000;
/**
 * Levels of a stored tree kept in memory once read (at most 2^17 nodes, within RESIDENT_NODES): every
 * path's top is shared by all reads and writes, so a cold read at 10^6 entries loads the chunk below that
 * depth and its leaf (about 2 rows; ~5 when the tree stored a node per row).
 */
export const RESIDENT_DEPTH = 16;
// a reference trim makes at RESIDENT_DEPTH must be the top of a chunk
// Stryker disable next-line all: a check of two constants at load, true for every build (a module that failed it would not load)
if (RESIDENT_DEPTH % CHUNK_LEVELS !== 0) throw new Error("RESIDENT_DEPTH must be a multiple of CHUNK_LEVELS");

/**
 * The state map: byte-string keys (at most 255 bytes) to non-empty values, authenticated by the tree. In
 * memory (`new SparseMerkleTree()`, for replays and tests), or over a store (`SparseMerkleTree.stored`):
 * then nodes are read by hash when a read, a write or a proof walks to them, each checked against its hash,
 * and at most RESIDENT_NODES of them stay in memory; opening one reads nothing but the root.
 */
export class SparseMerkleTree {
  private rootNode: TreeNode = null;
  private readonly r: Resolver;

  constructor(load: NodeLoader | null = null) {
    this.r = { load, resolvedCount: 0 };
  }

  /** The tree whose root hash is `treeRoot`, its nodes read from a store on demand. */
  static stored(treeRoot: Uint8Array, load: NodeLoader): SparseMerkleTree {
    const t = new SparseMerkleTree(load);
    t.rootNode = mkRef(treeRoot);
    return t;
  }

  /** Nodes read from the store and still in memory since the last trim. */
  get resident(): number {
    return this.r.resolvedCount;
  }

  private leafAt(path: Uint8Array): Leaf | undefined {
    let n = resolveWith(this.r, this.rootNode);
    for (let depth = 0; n !== null; depth++) {
      if (n.leaf) return bytesEqual(n.path, path) ? n : undefined;
      n = resolveWith(this.r, bitAt(path, depth) === 0 ? n.left : n.right);
    }
    return undefined;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.leafAt(pathOf(key))?.value;
  }

  /** Sets a value; an empty value deletes the key (storage's "absent"). */
  set(key: Uint8Array, value: Uint8Array): void {
    if (key.length > 255) throw new RangeError(`state key of ${key.length} bytes exceeds 255`);
    const path = pathOf(key);
    if (value.length === 0) {
      this.rootNode = remove(this.r, this.rootNode, 0, path);
      return;
    }
    const cur = this.leafAt(path);
    if (cur && bytesEqual(cur.value, value)) return;
    this.rootNode = insert(this.r, this.rootNode, 0, mkLeaf(path, key.slice(), value.slice()));
  }

  /** Replaces the whole content (an in-memory tree): one bulk build instead of n inserts. */
  load(entries: Iterable<[Uint8Array, Uint8Array]>, stored: boolean): void {
    const leaves: Leaf[] = [];
    for (const [key, value] of entries) {
      if (value.length === 0) continue;
      leaves.push(mkLeaf(pathOf(key), key.slice(), value.slice()));
    }
    leaves.sort((a, b) => compareBytes(a.path, b.path));
    this.rootNode = build(leaves, 0, leaves.length, 0);
    if (stored) {
      hashOf(this.rootNode);
      markStored(this.rootNode);
    }
  }

  /**
   * Applies writes (an empty value deletes) and returns how to take them back: nodes are never mutated,
   * so the old root node is the old tree. A stored tree first drops what it holds beyond its bound.
   */
  applyAll(writes: Iterable<{ key: Uint8Array; value: Uint8Array }>): () => void {
    if (this.r.load && this.r.resolvedCount > RESIDENT_NODES) this.trim();
    const oldRoot = this.rootNode;
    for (const { key, value } of writes) this.set(key, value);
    return () => {
      this.rootNode = oldRoot;
    };
  }

  /** Keeps the top RESIDENT_DEPTH levels of a committed tree in memory and turns everything below into references. */
  trim(): void {
    let kept = 0;
    const walk = (t: TreeNode, depth: number): TreeNode => {
      if (t === null) return null;
      // a reference read since: walked like any node (at RESIDENT_DEPTH or below, that makes it a reference again)
      if (t.leaf === undefined) return t.resolved ? walk(t.resolved, depth) : mkRef(t.hash);
      if (!t.stored) return t;
      if (depth >= RESIDENT_DEPTH) return mkRef(hashOf(t));
      kept++;
      if (t.leaf) return t;
      return { leaf: false, left: walk(t.left, depth + 1), right: walk(t.right, depth + 1), hash: hashOf(t), stored: true };
    };
    this.rootNode = walk(this.rootNode, 0);
    this.r.resolvedCount = kept;
  }

  treeRoot(): Uint8Array {
    return hashOf(this.rootNode);
  }

  root(): Uint8Array {
    return stateRootOf(this.treeRoot());
  }

  /**
   * Nodes not yet in the store, as (hash, stored form), and the root record; marks them stored. Only
   * what changed since the last call.
   */
  takeNewNodes(): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = [[this.root(), encodeRootRecord(this.treeRoot())]];
    // from the root, which tops the first chunk: a new leaf is a row; a new internal node reached here tops a
    // chunk (its parent's chunk ended above it), whose row holds the new nodes below it to CHUNK_LEVELS
    const walk = (t: TreeNode): void => {
      if (t === null || t.stored) return;
      if (t.leaf) out.push([hashOf(t), encodeNode(t)]);
      else out.push([hashOf(t), encodeChunk(t, walk)]);
      t.stored = true;
    };
    hashOf(this.rootNode);
    walk(this.rootNode);
    return out;
  }

  prove(key: Uint8Array): StateProof {
    const path = pathOf(key);
    const siblings: Uint8Array[] = [];
    let n = resolveWith(this.r, this.rootNode);
    for (let depth = 0; ; depth++) {
      if (n === null) return { key: key.slice(), end: { kind: "empty" }, siblings };
      if (n.leaf) {
        if (bytesEqual(n.path, path)) return { key: key.slice(), end: { kind: "leaf", value: n.value }, siblings };
        return { key: key.slice(), end: { kind: "other", path: n.path, valueHash: valueHashOf(n.value) }, siblings };
      }
      const bit = bitAt(path, depth);
      siblings.push(hashOf(bit === 0 ? n.right : n.left));
      n = resolveWith(this.r, bit === 0 ? n.left : n.right);
    }
  }

  /** Entries sorted by key (walks the whole tree: for audits and tests, never on a ledger's path). */
  *entries(): Iterable<[Uint8Array, Uint8Array]> {
    const all: Leaf[] = [];
    const walk = (t: TreeNode): void => {
      const n = resolveWith(this.r, t);
      if (n === null) return;
      if (n.leaf) all.push(n);
      else {
        walk(n.left);
        walk(n.right);
      }
    };
    walk(this.rootNode);
    all.sort((a, b) => compareBytes(a.key, b.key));
    for (const e of all) yield [e.key, e.value];
  }
}

function markStored(t: TreeNode): void {
  if (t === null || t.stored) return;
  const n = t as Leaf | Internal;
  n.stored = true;
  if (!n.leaf) {
    markStored(n.left);
    markStored(n.right);
  }
}
