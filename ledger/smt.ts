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

export type TreeNode = Leaf | Internal | null;

const mkLeaf = (path: Uint8Array, key: Uint8Array, value: Uint8Array): Leaf => ({ leaf: true, path, key, value, hash: null, stored: false });
const mkNode = (left: TreeNode, right: TreeNode): Internal => ({ leaf: false, left, right, hash: null, stored: false });

export function hashOf(n: TreeNode): Uint8Array {
  if (n === null) return EMPTY;
  if (n.hash) return n.hash;
  n.hash = n.leaf ? leafHash(n.path, valueHashOf(n.value)) : nodeHash(hashOf(n.left), hashOf(n.right));
  return n.hash;
}

function insert(n: TreeNode, depth: number, l: Leaf): TreeNode {
  if (n === null) return l;
  if (n.leaf) {
    if (bytesEqual(n.path, l.path)) return l;
    // split: one internal node per shared bit, then the two leaves apart
    return split(n, l, depth);
  }
  return bitAt(l.path, depth) === 0 ? mkNode(insert(n.left, depth + 1, l), n.right) : mkNode(n.left, insert(n.right, depth + 1, l));
}

function split(a: Leaf, b: Leaf, depth: number): Internal {
  const ba = bitAt(a.path, depth);
  if (ba !== bitAt(b.path, depth)) return ba === 0 ? mkNode(a, b) : mkNode(b, a);
  const below = split(a, b, depth + 1);
  return ba === 0 ? mkNode(below, null) : mkNode(null, below);
}

function remove(n: TreeNode, depth: number, path: Uint8Array): TreeNode {
  if (n === null) return null;
  if (n.leaf) return bytesEqual(n.path, path) ? null : n;
  const left = bitAt(path, depth) === 0 ? remove(n.left, depth + 1, path) : n.left;
  const right = bitAt(path, depth) === 1 ? remove(n.right, depth + 1, path) : n.right;
  if (left === n.left && right === n.right) return n;
  // a subtree left with one leaf is that leaf
  if (left === null && (right === null || right.leaf)) return right;
  if (right === null && left !== null && left.leaf) return left;
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

/** A node's stored form: 0x00 path valueHash keyLen:u8 key value | 0x01 leftHash rightHash. */
export function encodeNode(n: Leaf | Internal): Uint8Array {
  if (!n.leaf) {
    const b = new Uint8Array(65);
    b[0] = 1;
    b.set(hashOf(n.left), 1);
    b.set(hashOf(n.right), 33);
    return b;
  }
  const b = new Uint8Array(1 + 32 + 32 + 1 + n.key.length + n.value.length);
  b[0] = 0;
  b.set(n.path, 1);
  b.set(valueHashOf(n.value), 33);
  b[65] = n.key.length;
  b.set(n.key, 66);
  b.set(n.value, 66 + n.key.length);
  return b;
}

export type NodeRecord = { leaf: true; path: Uint8Array; valueHash: Uint8Array; key: Uint8Array; value: Uint8Array } | { leaf: false; left: Uint8Array; right: Uint8Array };

export function decodeNode(b: Uint8Array): NodeRecord {
  if (b[0] === 1 && b.length === 65) return { leaf: false, left: b.slice(1, 33), right: b.slice(33, 65) };
  if (b[0] === 0 && b.length >= 66 && b.length >= 66 + b[65]!) {
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
  let at: Uint8Array = rec.slice(2);
  for (let depth = 0; ; depth++) {
    if (bytesEqual(at, EMPTY)) return { key: key.slice(), end: { kind: "empty" }, siblings };
    const raw = getNode(at);
    if (!raw) throw new Error(`state tree node ${hex(at)} is missing from the store`);
    const n = decodeNode(raw);
    if (n.leaf) {
      if (bytesEqual(n.path, path)) return { key: key.slice(), end: { kind: "leaf", value: n.value }, siblings };
      return { key: key.slice(), end: { kind: "other", path: n.path, valueHash: n.valueHash }, siblings };
    }
    const bit = bitAt(path, depth);
    siblings.push(bit === 0 ? n.right : n.left);
    at = bit === 0 ? n.left : n.right;
  }
}

/** The state map: byte-string keys (at most 255 bytes) to non-empty values, authenticated by the tree. */
export class SparseMerkleTree {
  private rootNode: TreeNode = null;
  private readonly values = new Map<string, { key: Uint8Array; value: Uint8Array }>();

  get size(): number {
    return this.values.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.values.get(hex(key))?.value;
  }

  /** Sets a value; an empty value deletes the key (storage's "absent"). */
  set(key: Uint8Array, value: Uint8Array): void {
    if (key.length > 255) throw new RangeError(`state key of ${key.length} bytes exceeds 255`);
    const k = hex(key);
    if (value.length === 0) {
      if (!this.values.delete(k)) return;
      this.rootNode = remove(this.rootNode, 0, pathOf(key));
      return;
    }
    const cur = this.values.get(k);
    if (cur && bytesEqual(cur.value, value)) return;
    const entry = { key: key.slice(), value: value.slice() };
    this.values.set(k, entry);
    this.rootNode = insert(this.rootNode, 0, mkLeaf(pathOf(key), entry.key, entry.value));
  }

  /** Replaces the whole content (loading a store): one bulk build instead of n inserts. */
  load(entries: Iterable<[Uint8Array, Uint8Array]>, stored: boolean): void {
    this.values.clear();
    const leaves: Leaf[] = [];
    for (const [key, value] of entries) {
      if (value.length === 0) continue;
      const e = { key: key.slice(), value: value.slice() };
      this.values.set(hex(key), e);
      leaves.push(mkLeaf(pathOf(key), e.key, e.value));
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
   * so the old root node is the old tree, and only the changed entries need restoring.
   */
  applyAll(writes: Iterable<{ key: Uint8Array; value: Uint8Array }>): () => void {
    const oldRoot = this.rootNode;
    const before: [string, { key: Uint8Array; value: Uint8Array } | undefined][] = [];
    for (const { key, value } of writes) {
      before.push([hex(key), this.values.get(hex(key))]);
      this.set(key, value);
    }
    return () => {
      this.rootNode = oldRoot;
      for (let i = before.length - 1; i >= 0; i--) {
        const [k, v] = before[i]!;
        if (v) this.values.set(k, v);
        else this.values.delete(k);
      }
    };
  }

  treeRoot(): Uint8Array {
    return hashOf(this.rootNode);
  }

  /** The versioned state root (proof.ts). */
  root(): Uint8Array {
    return stateRootOf(this.treeRoot());
  }

  /**
   * Nodes not yet in the store, as (hash, stored form), and the root record; marks them stored. Only
   * what changed since the last call.
   */
  takeNewNodes(): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = [[this.root(), encodeRootRecord(this.treeRoot())]];
    const walk = (n: TreeNode): void => {
      if (n === null || n.stored) return;
      if (!n.leaf) {
        walk(n.left);
        walk(n.right);
      }
      out.push([hashOf(n), encodeNode(n)]);
      n.stored = true;
    };
    hashOf(this.rootNode);
    walk(this.rootNode);
    return out;
  }

  prove(key: Uint8Array): StateProof {
    const path = pathOf(key);
    const siblings: Uint8Array[] = [];
    let n = this.rootNode;
    for (let depth = 0; ; depth++) {
      if (n === null) return { key: key.slice(), end: { kind: "empty" }, siblings };
      if (n.leaf) {
        if (bytesEqual(n.path, path)) return { key: key.slice(), end: { kind: "leaf", value: n.value }, siblings };
        return { key: key.slice(), end: { kind: "other", path: n.path, valueHash: valueHashOf(n.value) }, siblings };
      }
      const bit = bitAt(path, depth);
      siblings.push(hashOf(bit === 0 ? n.right : n.left));
      n = bit === 0 ? n.left : n.right;
    }
  }

  /** Entries sorted by key. */
  *entries(): Iterable<[Uint8Array, Uint8Array]> {
    const all = [...this.values.values()].sort((a, b) => compareBytes(a.key, b.key));
    for (const e of all) yield [e.key, e.value];
  }
}

function markStored(n: TreeNode): void {
  if (n === null || n.stored) return;
  n.stored = true;
  if (!n.leaf) {
    markStored(n.left);
    markStored(n.right);
  }
}
