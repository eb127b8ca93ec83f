// RFC 9162 Merkle trees on the producer side: roots of transaction and receipt lists, and the state
// map (sorted entries, cached levels, incremental updates per block, inclusion and absence proofs).
import { sha256 } from "@noble/hashes/sha2.js";
import { EMPTY_TREE, leafHash, nodeHash, stateRootOf, type ProofLeaf, type StateProof } from "./proof.ts";
import { compareBytes } from "./bytes.ts";

/** Leaf hash of an item of a list (a transaction or a receipt): SHA-256(0x00 || bytes). */
export function itemLeaf(bytes: Uint8Array): Uint8Array {
  const b = new Uint8Array(1 + bytes.length);
  b.set(bytes, 1);
  return sha256(b);
}

/** Levels bottom-up; an odd last node moves up unchanged, which is exactly RFC 9162's split at 2^k. */
function buildLevels(leaves: readonly Uint8Array[]): Uint8Array[][] {
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

/**
 * The state: byte-string keys (at most 255 bytes) to non-empty values, sorted by key, with the tree's
 * levels cached so a block's writes cost the changed paths plus the nodes right of the first insert.
 */
export class SortedMerkleMap {
  private keys: Uint8Array[] = [];
  private values: Uint8Array[] = [];
  private levels: Uint8Array[][] = [[]];
  private dirtyFrom = Infinity;
  private dirty = new Set<number>();

  get size(): number {
    return this.keys.length;
  }

  private find(key: Uint8Array): { found: boolean; at: number } {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(this.keys[mid]!, key);
      if (c === 0) return { found: true, at: mid };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { found: false, at: lo };
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const f = this.find(key);
    return f.found ? this.values[f.at] : undefined;
  }

  /** Sets a value; an empty value deletes the key (storage's "absent"). */
  set(key: Uint8Array, value: Uint8Array): void {
    if (key.length > 255) throw new RangeError(`state key of ${key.length} bytes exceeds 255`);
    const f = this.find(key);
    if (value.length === 0) {
      if (!f.found) return;
      this.keys.splice(f.at, 1);
      this.values.splice(f.at, 1);
      this.levels[0]!.splice(f.at, 1);
      this.dirtyFrom = Math.min(this.dirtyFrom, f.at);
      return;
    }
    const v = value.slice();
    const h = leafHash(key, v);
    if (f.found) {
      this.values[f.at] = v;
      this.levels[0]![f.at] = h;
      this.dirty.add(f.at);
    } else {
      this.keys.splice(f.at, 0, key.slice());
      this.values.splice(f.at, 0, v);
      this.levels[0]!.splice(f.at, 0, h);
      this.dirtyFrom = Math.min(this.dirtyFrom, f.at);
    }
  }

  /** The tree hash, recomputing only nodes above changed leaves (and everything right of a shift). */
  treeHash(): Uint8Array {
    if (this.dirtyFrom !== Infinity || this.dirty.size > 0) this.rehash();
    return rootOf(this.levels);
  }

  /** The state root: the tree hash bound to the entry count (see proof.ts). */
  root(): Uint8Array {
    return stateRootOf(this.keys.length, this.treeHash());
  }

  private rehash(): void {
    // `from`: every node at or right of this index on the current level is new or stale.
    let from = this.dirtyFrom;
    let dirty = new Set([...this.dirty].filter((i) => i < from));
    let l = 0;
    while (this.levels[l]!.length > 1) {
      const below = this.levels[l]!;
      const upLen = Math.ceil(below.length / 2);
      const up = (this.levels[l + 1] ??= []);
      const node = (j: number): Uint8Array => (2 * j + 1 < below.length ? nodeHash(below[2 * j]!, below[2 * j + 1]!) : below[2 * j]!);
      const pfrom = from === Infinity ? Infinity : from >> 1;
      const pdirty = new Set<number>();
      for (const i of dirty) if (i >> 1 < pfrom) pdirty.add(i >> 1);
      for (const j of pdirty) up[j] = node(j);
      if (pfrom !== Infinity) {
        up.length = upLen;
        for (let j = pfrom; j < upLen; j++) up[j] = node(j);
      }
      from = pfrom;
      dirty = pdirty;
      l++;
    }
    this.levels.length = l + 1;
    this.dirtyFrom = Infinity;
    this.dirty.clear();
  }

  prove(key: Uint8Array): StateProof {
    this.treeHash();
    const size = this.keys.length;
    const leaf = (i: number): ProofLeaf => ({ index: i, key: this.keys[i]!, value: this.values[i]!, path: pathOf(this.levels, i) });
    if (size === 0) return { key: key.slice(), size, leaves: [] };
    const f = this.find(key);
    if (f.found) return { key: key.slice(), size, leaves: [leaf(f.at)] };
    const leaves: ProofLeaf[] = [];
    if (f.at > 0) leaves.push(leaf(f.at - 1));
    if (f.at < size) leaves.push(leaf(f.at));
    return { key: key.slice(), size, leaves };
  }

  *entries(): Iterable<[Uint8Array, Uint8Array]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i]!, this.values[i]!];
  }
}
