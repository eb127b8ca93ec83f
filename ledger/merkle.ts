// RFC 9162 Merkle trees over lists: the roots of a block's transactions and receipts, audit paths, and
// the inclusion check a device runs on them (SHA-256 only). The state tree is smt.ts.
import { sha256 } from "@noble/hashes/sha2.js";

/** The empty list's root: SHA-256(""). */
export const EMPTY_TREE = sha256(new Uint8Array(0));

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const b = new Uint8Array(65);
  b[0] = 0x01;
  b.set(left, 1);
  b.set(right, 33);
  return sha256(b);
}

/** Leaf hash of an item of a list (a transaction or a receipt): SHA-256(0x00 || bytes). */
export function itemLeaf(bytes: Uint8Array): Uint8Array {
  const b = new Uint8Array(1 + bytes.length);
  b.set(bytes, 1);
  return sha256(b);
}

/** Levels bottom-up; an odd last node moves up unchanged, which is exactly RFC 9162's split at 2^k. */
function buildLevels(leaves: readonly Uint8Array[]): Uint8Array[][] {
  // Stryker disable next-line MethodExpression: equivalent, levels[0] is only read (every caller passes a fresh array too)
  const levels: Uint8Array[][] = [leaves.slice()];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    const up: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2) up.push(i + 1 < below.length ? nodeHash(below[i]!, below[i + 1]!) : below[i]!);
    levels.push(up);
  }
  return levels;
}

function rootOf(levels: Uint8Array[][]): Uint8Array {
  const top = levels[levels.length - 1]!;
  return top.length === 0 ? EMPTY_TREE : top[0]!;
}

function pathOf(levels: Uint8Array[][], index: number): Uint8Array[] {
  const path: Uint8Array[] = [];
  let i = index;
  // Stryker disable next-line EqualityOperator: equivalent, the top level holds one node, which has no sibling to push
  for (let l = 0; l < levels.length - 1; l++) {
    const sib = i ^ 1;
    if (sib < levels[l]!.length) path.push(levels[l]![sib]!);
    i >>= 1;
  }
  return path;
}

export function listRoot(items: readonly Uint8Array[]): Uint8Array {
  return rootOf(buildLevels(items.map(itemLeaf)));
}

export function listPath(items: readonly Uint8Array[], index: number): Uint8Array[] {
  return pathOf(buildLevels(items.map(itemLeaf)), index);
}


/** RFC 9162 §2.1.3.2: does `path` lead from leaf `index` of a list of `size` items to `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromPath(leaf, index, size, path);
  return r !== null && Buffer.compare(r, root) === 0;
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
      // Stryker disable next-line ConditionalExpression: equivalent, fn is never 0 here (fn === sn === 0 returned above; halving an even fn > 0 stops at an odd one)
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
