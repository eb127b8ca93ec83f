// The state-proof verifier a device runs to trust state it cannot store: SHA-256 only, no allocation
// beyond the proof itself, about as long as its C port will be. Also the proof's binary encoding.
import { sha256 } from "@noble/hashes/sha2.js";

// The tree is RFC 9162 (Certificate Transparency v2) Merkle Tree Hash over the state's entries sorted
// by key: leaf = SHA-256(0x00 || keyLen:u8 || key || value), node = SHA-256(0x01 || left || right),
// the empty tree's hash = SHA-256(""). The state root also commits to the entry count:
// stateRoot = SHA-256(0x02 || size:u64 LE || treeHash). Without it a prover could claim a smaller or
// larger tree (an RFC 9162 path for a leaf in a perfect left subtree is valid for several sizes) and
// pass off an inner leaf as the last one, "proving" every later key absent.
// Proofs are inclusion paths; absence is proven by the two neighbouring entries (or one at an edge)
// whose indices are adjacent in the sorted order.

export interface ProofLeaf {
  index: number;
  key: Uint8Array;
  value: Uint8Array;
  /** Sibling hashes from the leaf upwards. */
  path: Uint8Array[];
}

export interface StateProof {
  /** The state key asked about. */
  key: Uint8Array;
  /** Number of entries in the tree the proof is against. */
  size: number;
  /** Present: one leaf, the key itself. Absent: the neighbours, lower first (none if the tree is empty). */
  leaves: ProofLeaf[];
}

export type ProofVerdict = { ok: true; value: Uint8Array | null } | { ok: false; reason: string };

export const PROOF_VERSION = 1;
export const EMPTY_TREE = sha256(new Uint8Array(0));

/** The state root: the tree hash bound to the number of entries. */
export function stateRootOf(size: number, treeHash: Uint8Array): Uint8Array {
  const b = new Uint8Array(41);
  b[0] = 0x02;
  new DataView(b.buffer).setBigUint64(1, BigInt(size), true);
  b.set(treeHash, 9);
  return sha256(b);
}

export const EMPTY_ROOT = stateRootOf(0, EMPTY_TREE);

export function leafHash(key: Uint8Array, value: Uint8Array): Uint8Array {
  const b = new Uint8Array(2 + key.length + value.length);
  b[0] = 0x00;
  b[1] = key.length;
  b.set(key, 2);
  b.set(value, 2 + key.length);
  return sha256(b);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const b = new Uint8Array(65);
  b[0] = 0x01;
  b.set(left, 1);
  b.set(right, 33);
  return sha256(b);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/** RFC 9162 §2.1.3.2: does `path` lead from leaf `index` of a tree of `size` leaves to `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromPath(leaf, index, size, path);
  return r !== null && same(r, root);
}

/** The tree hash a leaf's path leads to, or null if the path cannot belong to that index and size. */
export function rootFromPath(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): Uint8Array | null {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** Checks a presence or absence proof against a state root; on success gives the value (null = absent). */
export function verifyStateProof(root: Uint8Array, proof: StateProof): ProofVerdict {
  const { key, size, leaves } = proof;
  const bad = (reason: string): ProofVerdict => ({ ok: false, reason });
  if (size === 0) {
    if (leaves.length !== 0) return bad("an empty tree has no leaves to show");
    return same(root, EMPTY_ROOT) ? { ok: true, value: null } : bad("root is not the empty tree's root");
  }
  if (leaves.length === 0) return bad("a proof against a non-empty tree shows at least one leaf");
  let tree: Uint8Array | null = null;
  for (const l of leaves) {
    const r = rootFromPath(leafHash(l.key, l.value), l.index, size, l.path);
    if (r === null || (tree !== null && !same(r, tree))) return bad(`leaf ${l.index}: inclusion path does not lead to the root`);
    tree = r;
  }
  if (!same(stateRootOf(size, tree!), root)) return bad(`leaf ${leaves[0]!.index}: inclusion path does not lead to the root`);
  if (leaves.length === 1 && compare(leaves[0]!.key, key) === 0) {
    return leaves[0]!.value.length > 0 ? { ok: true, value: leaves[0]!.value } : bad("a stored value is never empty");
  }
  // Absence: the key falls strictly between two adjacent entries, or before the first, or after the last.
  const lo = leaves.length >= 1 && compare(leaves[0]!.key, key) < 0 ? leaves[0]! : null;
  const hi = leaves.length >= 1 && compare(leaves[leaves.length - 1]!.key, key) > 0 ? leaves[leaves.length - 1]! : null;
  if (leaves.length === 2) {
    if (!lo || !hi || lo === hi) return bad("absence needs one neighbour below and one above the key");
    return hi.index === lo.index + 1 ? { ok: true, value: null } : bad("the neighbours are not adjacent");
  }
  if (leaves.length === 1) {
    if (hi && hi.index === 0) return { ok: true, value: null };
    if (lo && lo.index === size - 1) return { ok: true, value: null };
    return bad("a single neighbour must be the first entry (above the key) or the last (below it)");
  }
  return bad(`a proof shows 1 or 2 leaves, not ${leaves.length}`);
}

// Binary encoding, for sending a proof to a device (all integers little-endian):
//   version:u8 size:u32 keyLen:u8 key count:u8
//   count x ( index:u32 keyLen:u8 key valueLen:u16 value pathLen:u8 pathLen x 32 bytes )

export function encodeStateProof(p: StateProof): Uint8Array {
  let n = 1 + 4 + 1 + p.key.length + 1;
  for (const l of p.leaves) n += 4 + 1 + l.key.length + 2 + l.value.length + 1 + 32 * l.path.length;
  const b = new Uint8Array(n);
  const dv = new DataView(b.buffer);
  let o = 0;
  b[o++] = PROOF_VERSION;
  dv.setUint32(o, p.size, true);
  o += 4;
  b[o++] = p.key.length;
  b.set(p.key, o);
  o += p.key.length;
  b[o++] = p.leaves.length;
  for (const l of p.leaves) {
    dv.setUint32(o, l.index, true);
    o += 4;
    b[o++] = l.key.length;
    b.set(l.key, o);
    o += l.key.length;
    dv.setUint16(o, l.value.length, true);
    o += 2;
    b.set(l.value, o);
    o += l.value.length;
    b[o++] = l.path.length;
    for (const h of l.path) {
      b.set(h, o);
      o += 32;
    }
  }
  return b;
}

/** Decodes a proof; throws a one-line Error naming the byte offset on malformed input. */
export function decodeStateProof(b: Uint8Array): StateProof {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  const need = (n: number, what: string): void => {
    if (o + n > b.length) throw new Error(`state proof truncated at byte ${o} (${what})`);
  };
  need(1, "version");
  if (b[o] !== PROOF_VERSION) throw new Error(`state proof version ${b[o]} at byte 0 is not ${PROOF_VERSION}`);
  o++;
  need(4, "size");
  const size = dv.getUint32(o, true);
  o += 4;
  need(1, "key length");
  const kl = b[o++]!;
  need(kl, "key");
  const key = b.slice(o, o + kl);
  o += kl;
  need(1, "leaf count");
  const count = b[o++]!;
  const leaves: ProofLeaf[] = [];
  for (let i = 0; i < count; i++) {
    need(5, "leaf index");
    const index = dv.getUint32(o, true);
    o += 4;
    const lkl = b[o++]!;
    need(lkl + 2, "leaf key");
    const lkey = b.slice(o, o + lkl);
    o += lkl;
    const vl = dv.getUint16(o, true);
    o += 2;
    need(vl + 1, "leaf value");
    const value = b.slice(o, o + vl);
    o += vl;
    const pl = b[o++]!;
    need(32 * pl, "path");
    const path: Uint8Array[] = [];
    for (let j = 0; j < pl; j++, o += 32) path.push(b.slice(o, o + 32));
    leaves.push({ index, key: lkey, value, path });
  }
  if (o !== b.length) throw new Error(`state proof has ${b.length - o} trailing byte(s) at byte ${o}`);
  return { key, size, leaves };
}
