// The state-proof verifier a device runs to trust state it cannot store: SHA-256 only, no allocation
// beyond the proof itself, small enough to port to C line by line. Also the proof's binary encoding.
import { hash } from "node:crypto";

// State tree v2: a compact sparse Merkle tree over 256-bit paths, as Diem/Aptos' Jellyfish tree.
//   path       = SHA-256(state key), read from its most significant bit
//   leaf       = SHA-256(0x00 || path || SHA-256(value))
//   internal   = SHA-256(0x01 || left || right)
//   empty      = 32 zero bytes (no preimage is known; never a leaf or internal hash)
// A subtree holding one entry is that entry's leaf, wherever it sits (no chains of one-child nodes),
// so a key's leaf sits at the depth of its path's shortest unique prefix: about log2(n) levels.
//   state root = SHA-256(0x02 || version || tree root), version = STATE_VERSION
// A proof walks the key's path from the root: the siblings along it, and what the path ends in: the
// key's own leaf (present), an empty subtree, or another key's leaf sharing the path so far (absent).

export const STATE_VERSION = 2;
export const PROOF_VERSION = 2;
export const EMPTY = new Uint8Array(32);

/** What the key's path ends in. */
export type ProofEnd =
  | { kind: "empty" }
  | { kind: "leaf"; value: Uint8Array }
  | { kind: "other"; path: Uint8Array; valueHash: Uint8Array };

export interface StateProof {
  /** The state key asked about. */
  key: Uint8Array;
  end: ProofEnd;
  /** Sibling hashes from the root down (EMPTY for an empty sibling); its length is the end's depth. */
  siblings: Uint8Array[];
}

export type ProofVerdict = { ok: true; value: Uint8Array | null } | { ok: false; reason: string };

/** The number of SHA-256 compressions a tree operation ran; the benchmark reads it (see bench/ledger.ts). */
export const hashCounter = { n: 0 };

function h(...parts: Uint8Array[]): Uint8Array {
  hashCounter.n++;
  let len = 0;
  for (const p of parts) len += p.length;
  const b = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    b.set(p, o);
    o += p.length;
  }
  // node:crypto's one-shot SHA-256 (OpenSSL): the same digest at about half noble's cost per call, and
  // the state tree hashes dozens of nodes per transaction at every block. Copied out of the Buffer so
  // callers get a plain Uint8Array (Buffer.slice would be a view).
  return new Uint8Array(hash("sha256", b, "buffer") as Buffer);
}

const TAG_LEAF = Uint8Array.of(0x00);
const TAG_NODE = Uint8Array.of(0x01);
const TAG_ROOT = Uint8Array.of(0x02, STATE_VERSION);

export const pathOf = (key: Uint8Array): Uint8Array => h(key);
export const valueHashOf = (value: Uint8Array): Uint8Array => h(value);
export const leafHash = (path: Uint8Array, valueHash: Uint8Array): Uint8Array => h(TAG_LEAF, path, valueHash);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array => h(TAG_NODE, left, right);
export const stateRootOf = (treeRoot: Uint8Array): Uint8Array => h(TAG_ROOT, treeRoot);
export const EMPTY_ROOT = stateRootOf(EMPTY);

/** Bit `i` of a path, most significant first. */
export const bitAt = (path: Uint8Array, i: number): number => (path[i >> 3]! >> (7 - (i & 7))) & 1;

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  // Stryker disable next-line EqualityOperator: equivalent, one more step reads a[len] ^ b[len] = undefined ^ undefined = 0 (lengths are equal here)
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Checks a presence or absence proof against a state root; on success gives the value (null = absent). */
export function verifyStateProof(root: Uint8Array, proof: StateProof): ProofVerdict {
  const bad = (reason: string): ProofVerdict => ({ ok: false, reason });
  const depth = proof.siblings.length;
  if (depth > 256) return bad(`${depth} siblings: a path has 256 bits`);
  const path = pathOf(proof.key);
  let node: Uint8Array;
  const end = proof.end;
  if (end.kind === "empty") {
    node = EMPTY;
  } else if (end.kind === "leaf") {
    if (end.value.length === 0) return bad("a stored value is never empty");
    node = leafHash(path, valueHashOf(end.value));
  } else {
    if (end.path.length !== 32 || end.valueHash.length !== 32) return bad("another key's leaf needs a 32-byte path and value hash");
    if (same(end.path, path)) return bad("the other leaf is the key's own: that proves presence, not absence");
    for (let i = 0; i < depth; i++) if (bitAt(end.path, i) !== bitAt(path, i)) return bad(`the other leaf's path leaves the key's at bit ${i}`);
    node = leafHash(end.path, end.valueHash);
  }
  for (let i = depth - 1; i >= 0; i--) {
    const s = proof.siblings[i]!;
    if (s.length !== 32) return bad(`sibling ${i} is not 32 bytes`);
    node = bitAt(path, i) === 0 ? nodeHash(node, s) : nodeHash(s, node);
  }
  if (!same(stateRootOf(node), root)) return bad("the path does not lead to the root");
  return { ok: true, value: end.kind === "leaf" ? end.value : null };
}

// Binary encoding, for sending a proof to a device (all integers little-endian):
//   version:u8 (2)  keyLen:u8 key
//   end:u8  0 empty | 1 leaf: valueLen:u16 value | 2 other: path(32) valueHash(32)
//   depth:u16  bitmap: ceil(depth/8) bytes, bit i (LSB first) set = sibling i is not empty
//   the non-empty siblings, 32 bytes each, root side first

export function encodeStateProof(p: StateProof): Uint8Array {
  const depth = p.siblings.length;
  const present = p.siblings.filter((s) => !same(s, EMPTY));
  const endLen = p.end.kind === "empty" ? 0 : p.end.kind === "leaf" ? 2 + p.end.value.length : 64;
  const n = 1 + 1 + p.key.length + 1 + endLen + 2 + ((depth + 7) >> 3) + 32 * present.length;
  const b = new Uint8Array(n);
  const dv = new DataView(b.buffer);
  let o = 0;
  b[o++] = PROOF_VERSION;
  b[o++] = p.key.length;
  b.set(p.key, o);
  o += p.key.length;
  if (p.end.kind === "empty") b[o++] = 0;
  else if (p.end.kind === "leaf") {
    b[o++] = 1;
    dv.setUint16(o, p.end.value.length, true);
    b.set(p.end.value, o + 2);
    o += 2 + p.end.value.length;
  } else {
    b[o++] = 2;
    b.set(p.end.path, o);
    b.set(p.end.valueHash, o + 32);
    o += 64;
  }
  dv.setUint16(o, depth, true);
  o += 2;
  p.siblings.forEach((s, i) => {
    if (!same(s, EMPTY)) b[o + (i >> 3)]! |= 1 << (i & 7);
  });
  o += (depth + 7) >> 3;
  for (const s of present) {
    b.set(s, o);
    o += 32;
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
  need(1, "key length");
  const kl = b[o++]!;
  need(kl, "key");
  const key = b.slice(o, o + kl);
  o += kl;
  need(1, "end kind");
  const kindAt = o;
  const kind = b[o++]!;
  let end: ProofEnd;
  if (kind === 0) end = { kind: "empty" };
  else if (kind === 1) {
    need(2, "value length");
    const vl = dv.getUint16(o, true);
    o += 2;
    need(vl, "value");
    end = { kind: "leaf", value: b.slice(o, o + vl) };
    o += vl;
  } else if (kind === 2) {
    need(64, "other leaf");
    end = { kind: "other", path: b.slice(o, o + 32), valueHash: b.slice(o + 32, o + 64) };
    o += 64;
  } else throw new Error(`state proof end kind ${kind} at byte ${kindAt} is not 0, 1 or 2`);
  need(2, "depth");
  const depthAt = o;
  const depth = dv.getUint16(o, true);
  o += 2;
  if (depth > 256) throw new Error(`state proof depth ${depth} at byte ${depthAt} exceeds 256`);
  const mapLen = (depth + 7) >> 3;
  need(mapLen, "sibling bitmap");
  const map = b.subarray(o, o + mapLen);
  o += mapLen;
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < depth; i++) {
    if ((map[i >> 3]! >> (i & 7)) & 1) {
      need(32, `sibling ${i}`);
      siblings.push(b.slice(o, o + 32));
      o += 32;
    } else siblings.push(EMPTY);
  }
  if (depth % 8 !== 0 && map[mapLen - 1]! >> (depth % 8) !== 0) throw new Error(`state proof bitmap at byte ${depthAt + 2 + mapLen - 1} sets bits past depth ${depth}`);
  if (o !== b.length) throw new Error(`state proof has ${b.length - o} trailing byte(s) at byte ${o}`);
  return { key, end, siblings };
}
