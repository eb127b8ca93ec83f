// verifyInclusion (RFC 9162 §2.1.3.2, what a device runs on a transaction or receipt proof) accepts a path only
// when its length matches the leaf's index and the list's size: a path one level too long or too short, an index
// at or past the size, or a sibling that is not 32 bytes must fail, even where the hashes would line up. Each case
// below is built so that a verifier without that rule would say true (issue 20: Stryker survivors of ledger/merkle.ts).
import { describe, expect, it } from "vitest";
import { itemLeaf, listPath, listRoot, nodeHash, verifyInclusion } from "../../ledger/merkle.ts";

const items = (n: number, tag = 0): Uint8Array[] => Array.from({ length: n }, (_, i) => new Uint8Array([i, tag, 9]));

describe("verifyInclusion refuses a path that does not fit the index and size", () => {
  it("an index equal to the size: a one-item list's leaf at index 1 with the empty path", () => {
    const leaf = itemLeaf(new Uint8Array([1]));
    const root = listRoot([new Uint8Array([1])]);
    expect(verifyInclusion(leaf, 0, 1, [], root)).toBe(true);
    expect(verifyInclusion(leaf, 1, 1, [], root)).toBe(false);
    expect(verifyInclusion(leaf, 2, 1, [], root)).toBe(false);
  });

  it("a path one level too long: the right leaf of a two-item list posing as the only item of a one-item list", () => {
    const [a, b] = items(2).map(itemLeaf);
    const root = listRoot(items(2));
    expect(verifyInclusion(b!, 1, 2, [a!], root)).toBe(true);
    // H(a, b) is the root, so a verifier that lets a path run past the top would accept this.
    expect(verifyInclusion(b!, 0, 1, [a!], root)).toBe(false);
  });

  it("a path one level too short: an inner node posing as a leaf of a four-item list", () => {
    const l = items(4).map(itemLeaf);
    const root = listRoot(items(4));
    const left = nodeHash(l[0]!, l[1]!);
    const right = nodeHash(l[2]!, l[3]!);
    expect(nodeHash(left, right)).toEqual(root);
    expect(verifyInclusion(left, 0, 4, [right], root)).toBe(false);
    expect(verifyInclusion(l[0]!, 0, 4, listPath(items(4), 0), root)).toBe(true);
  });

  it("a sibling of 31 bytes, even one whose missing last byte is zero (it would hash the same)", () => {
    // Find a list and index whose first sibling ends in 0x00: dropping that byte leaves nodeHash's input unchanged.
    let found = false;
    for (let tag = 0; tag < 256 && !found; tag++) {
      for (const n of [2, 3, 5, 8]) {
        const list = items(n, tag);
        const root = listRoot(list);
        for (let m = 0; m < n && !found; m++) {
          const path = listPath(list, m);
          if (path[0]![31] !== 0) continue;
          found = true;
          const short = [path[0]!.subarray(0, 31), ...path.slice(1)];
          expect(verifyInclusion(itemLeaf(list[m]!), m, n, path, root)).toBe(true);
          expect(verifyInclusion(itemLeaf(list[m]!), m, n, short, root)).toBe(false);
          const long = [Uint8Array.of(...path[0]!, 0), ...path.slice(1)];
          expect(verifyInclusion(itemLeaf(list[m]!), m, n, long, root)).toBe(false);
        }
      }
    }
    expect(found).toBe(true);
  });
});
