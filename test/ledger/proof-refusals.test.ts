// Each refusal of ledger/proof.ts by name: the verifier's reasons (a device maps them to the statuses of
// docs/device.md: proof_depth, proof_empty_value, proof_other_is_own, proof_other_diverges, proof_root_mismatch)
// and the decoder's one-line errors naming the field and the byte offset (docs/ledger.md's encoding: version:u8
// keyLen:u8 key, end:u8 (0 | 1 valueLen:u16 value | 2 path(32) valueHash(32)), depth:u16, bitmap, siblings).
// Offsets are derived from that layout, bounds from the format (a path has 256 bits), hash counts from the tree's
// definition at the top of proof.ts.
import { describe, expect, it } from "vitest";
import { SparseMerkleTree } from "../../ledger/smt.ts";
import {
  bitAt,
  decodeStateProof,
  EMPTY,
  encodeStateProof,
  hashCounter,
  leafHash,
  nodeHash,
  pathOf,
  PROOF_VERSION,
  stateRootOf,
  valueHashOf,
  verifyStateProof,
  type StateProof,
} from "../../ledger/proof.ts";

const enc = (i: number): Uint8Array => Uint8Array.of(1, i >> 8, i & 0xff);
const filled = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

/** The root a proof leads to, computed from the definition (leaf/internal/root hashes), whatever its depth. */
function rootOf(p: StateProof): Uint8Array {
  const path = pathOf(p.key);
  let node = p.end.kind === "empty" ? EMPTY : p.end.kind === "leaf" ? leafHash(path, valueHashOf(p.end.value)) : leafHash(p.end.path, p.end.valueHash);
  for (let i = p.siblings.length - 1; i >= 0; i--) node = bitAt(path, i) === 0 ? nodeHash(node, p.siblings[i]!) : nodeHash(p.siblings[i]!, node);
  return stateRootOf(node);
}

/** A path equal to `path` on its first `bit` bits, differing at bit `bit`. */
function divergingAt(path: Uint8Array, bit: number): Uint8Array {
  const c = path.slice();
  c[bit >> 3]! ^= 0x80 >> (bit & 7);
  return c;
}

function tree(): { t: SparseMerkleTree; root: Uint8Array } {
  const t = new SparseMerkleTree();
  for (let i = 0; i < 64; i++) t.set(enc(i), Uint8Array.of(i + 1));
  return { t, root: t.root() };
}

describe("verifyStateProof names each refusal", () => {
  const { t, root } = tree();
  const present = t.prove(enc(5));

  it("more than 256 siblings is refused by count; exactly 256 is judged by the root (a path has 256 bits)", () => {
    const deep = (n: number): StateProof => ({ key: enc(1), end: { kind: "empty" }, siblings: Array.from({ length: n }, (_, i) => filled(32, i + 1)) });
    expect(verifyStateProof(rootOf(deep(257)), deep(257))).toEqual({ ok: false, reason: "257 siblings: a path has 256 bits" });
    // 256 siblings is the deepest a path allows: such a proof is checked, and it holds against the root it leads to
    expect(verifyStateProof(rootOf(deep(256)), deep(256))).toEqual({ ok: true, value: null });
    expect(verifyStateProof(root, deep(256))).toEqual({ ok: false, reason: "the path does not lead to the root" });
  });

  it("a leaf holding an empty value (a stored value never is)", () => {
    const p: StateProof = { ...present, end: { kind: "leaf", value: new Uint8Array(0) } };
    expect(verifyStateProof(rootOf(p), p)).toEqual({ ok: false, reason: "a stored value is never empty" });
  });

  it("another key's leaf whose path or value hash is not 32 bytes, each alone", () => {
    const reason = "another key's leaf needs a 32-byte path and value hash";
    const other = divergingAt(pathOf(enc(5)), 0);
    for (const end of [
      { kind: "other" as const, path: other.subarray(0, 31), valueHash: filled(32, 7) },
      { kind: "other" as const, path: Uint8Array.of(...other, 0), valueHash: filled(32, 7) },
      { kind: "other" as const, path: other, valueHash: filled(31, 7) },
      { kind: "other" as const, path: other, valueHash: filled(33, 7) },
    ]) {
      const p: StateProof = { key: enc(5), end, siblings: [] };
      expect(verifyStateProof(rootOf(p), p)).toEqual({ ok: false, reason });
    }
  });

  it("absence claimed with the key's own leaf", () => {
    const p: StateProof = { key: enc(5), end: { kind: "other", path: pathOf(enc(5)), valueHash: valueHashOf(Uint8Array.of(6)) }, siblings: [] };
    expect(verifyStateProof(rootOf(p), p)).toEqual({ ok: false, reason: "the other leaf is the key's own: that proves presence, not absence" });
  });

  it("absence claimed with a leaf whose path leaves the key's above the proof's depth, naming the bit", () => {
    const path = pathOf(enc(5));
    const siblings = Array.from({ length: 6 }, (_, i) => filled(32, i + 1));
    for (const bit of [0, 3, 5]) {
      const p: StateProof = { key: enc(5), end: { kind: "other", path: divergingAt(path, bit), valueHash: filled(32, 9) }, siblings };
      expect(verifyStateProof(rootOf(p), p)).toEqual({ ok: false, reason: `the other leaf's path leaves the key's at bit ${bit}` });
    }
    // diverging at the proof's depth is where another leaf may sit: such a proof is judged by the root alone
    const atDepth: StateProof = { key: enc(5), end: { kind: "other", path: divergingAt(path, 6), valueHash: filled(32, 9) }, siblings };
    expect(verifyStateProof(rootOf(atDepth), atDepth)).toEqual({ ok: true, value: null });
  });

  it("a sibling that is not 32 bytes, naming which", () => {
    const siblings = present.siblings.map((s, i) => (i === 2 ? s.subarray(0, 31) : s));
    expect(present.siblings.length).toBeGreaterThan(2);
    expect(verifyStateProof(root, { ...present, siblings })).toEqual({ ok: false, reason: "sibling 2 is not 32 bytes" });
  });

  it("a root that differs, or is the right 32 bytes with one more", () => {
    expect(verifyStateProof(root, present)).toEqual({ ok: true, value: Uint8Array.of(6) });
    const reason = { ok: false, reason: "the path does not lead to the root" };
    expect(verifyStateProof(Uint8Array.of(...root, 0), present)).toEqual(reason);
    expect(verifyStateProof(root.subarray(0, 31), present)).toEqual(reason);
    expect(verifyStateProof(divergingAt(root, 255), present)).toEqual(reason);
  });

  it("costs exactly the hashes the definition implies: the key's path, value hash, leaf, one per sibling, the root", () => {
    const before = hashCounter.n;
    expect(verifyStateProof(root, present).ok).toBe(true);
    expect(hashCounter.n - before).toBe(present.siblings.length + 4);
  });
});

describe("decodeStateProof names the field and the byte offset", () => {
  const key = Uint8Array.of(9, 9, 9);
  // version, keyLen, key (3), then the end kind at byte 5
  const head = [PROOF_VERSION, key.length, ...key];
  const decode = (bytes: number[]) => () => decodeStateProof(Uint8Array.from(bytes));

  it("truncation inside each field, at the offset where the missing bytes start", () => {
    expect(decode([])).toThrow(/^state proof truncated at byte 0 \(version\)$/);
    expect(decode([PROOF_VERSION])).toThrow(/^state proof truncated at byte 1 \(key length\)$/);
    expect(decode([PROOF_VERSION, 3, 9, 9])).toThrow(/^state proof truncated at byte 2 \(key\)$/);
    expect(decode(head)).toThrow(/^state proof truncated at byte 5 \(end kind\)$/);
    expect(decode([...head, 1, 4])).toThrow(/^state proof truncated at byte 6 \(value length\)$/);
    expect(decode([...head, 1, 4, 0, 1, 2, 3])).toThrow(/^state proof truncated at byte 8 \(value\)$/);
    expect(decode([...head, 2, ...filled(63, 1)])).toThrow(/^state proof truncated at byte 6 \(other leaf\)$/);
    expect(decode([...head, 0, 1])).toThrow(/^state proof truncated at byte 6 \(depth\)$/);
    expect(decode([...head, 0, 9, 0, 0])).toThrow(/^state proof truncated at byte 8 \(sibling bitmap\)$/);
    // depth 3, bitmap 0b101: sibling 0 present, sibling 2 cut short
    expect(decode([...head, 0, 3, 0, 0b101, ...filled(32, 1), ...filled(31, 2)])).toThrow(/^state proof truncated at byte 41 \(sibling 2\)$/);
  });

  it("an end kind other than 0, 1 or 2, at its byte", () => {
    for (const kind of [3, 255]) expect(decode([...head, kind, ...filled(64, 1), 0, 0])).toThrow(new RegExp(`^state proof end kind ${kind} at byte 5 is not 0, 1 or 2$`));
  });

  it("a depth over 256 at its byte; 256 itself decodes", () => {
    expect(decode([...head, 0, 1, 1, ...filled(33, 0)])).toThrow(/^state proof depth 257 at byte 6 exceeds 256$/);
    const p = decodeStateProof(Uint8Array.from([...head, 0, 0, 1, ...filled(32, 0)]));
    expect(p.siblings.length).toBe(256);
    expect(p.siblings.every((s) => s.length === 32 && s.every((x) => x === 0))).toBe(true);
  });

  it("bitmap bits set past the depth, naming the bitmap's last byte", () => {
    // depth 5: one bitmap byte at byte 8, bits 5..7 must be clear
    for (const bit of [5, 7]) expect(decode([...head, 0, 5, 0, 1 << bit])).toThrow(/^state proof bitmap at byte 8 sets bits past depth 5$/);
    // depth 12: two bitmap bytes at 8 and 9; a bit past the depth in the second
    expect(decode([...head, 0, 12, 0, 0, 1 << 4])).toThrow(/^state proof bitmap at byte 9 sets bits past depth 12$/);
    // the depth's own last bit is fine
    expect(decodeStateProof(Uint8Array.from([...head, 0, 12, 0, 0, 1 << 3, ...filled(32, 4)])).siblings[11]).toEqual(filled(32, 4));
  });

  it("trailing bytes, counted, at the offset they start", () => {
    const b = encodeStateProof({ key, end: { kind: "empty" }, siblings: [] });
    expect(b.length).toBe(8);
    expect(() => decodeStateProof(Uint8Array.of(...b, 0))).toThrow(/^state proof has 1 trailing byte\(s\) at byte 8$/);
    expect(() => decodeStateProof(Uint8Array.of(...b, 0, 0, 0))).toThrow(/^state proof has 3 trailing byte\(s\) at byte 8$/);
  });

  it("decodes the same bytes at an offset inside a larger buffer", () => {
    const { t } = tree();
    const b = encodeStateProof(t.prove(enc(7)));
    const big = new Uint8Array(b.length + 10);
    big.set(b, 10);
    expect(decodeStateProof(big.subarray(10))).toEqual(decodeStateProof(b));
  });
});
