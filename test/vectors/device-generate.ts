// Conformance vectors for the device SDK (ledger/ ↔ firmware-host/src/mote_sdk.h): keys from seeds,
// signed transactions, signed readings and state proofs, each case's expected bytes or refusal code
// computed by the TypeScript side. Each vector carries the mote-device batch line that runs it in C.
// `npm run vectors` writes test/vectors/device.json; test/firmware/device-sdk.test.ts checks the C side.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { KeyPair } from "../../ledger/keys.ts";
import { signTx, type UnsignedTx } from "../../ledger/tx.ts";
import { deviceMessage, readingMessage, sealedReadingMessage } from "../../ledger/device-message.ts";
import type { Value } from "../../ledger/bytes.ts";
import { accountKey, u64le } from "../../ledger/state.ts";
import { decodeStateProof, encodeStateProof, verifyStateProof, type StateProof } from "../../ledger/proof.ts";
import { SparseMerkleTree } from "../../ledger/smt.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { LIMITS } from "../../vm/spec/limits.ts";

export interface DeviceVector {
  name: string;
  /** the mote-device batch line (without the program name) */
  line: string;
  expect: { ok: string } | { error: string };
}

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const label = (s: string): Uint8Array => sha256(new TextEncoder().encode(s));
const seedOf = (i: number): Uint8Array => label(`device vector seed ${i}`);
/** The genesis hash the transaction vectors are signed for. */
export const VECTOR_GENESIS = label("device vector genesis");

function outcome(f: () => string): DeviceVector["expect"] {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof RangeError) return { error: "argument" };
    throw e;
  }
}

// -- keys --------------------------------------------------------------------------------------------
function keyVectors(): DeviceVector[] {
  return [0, 1, 2, 3].map((i) => ({
    name: `public key of seed ${i}`,
    line: `pubkey --seed ${hex(seedOf(i))}`,
    expect: { ok: hex(KeyPair.fromSeed(seedOf(i)).publicKey) },
  }));
}

// -- transactions ------------------------------------------------------------------------------------
const argText = (v: Value): string => (typeof v === "bigint" ? BigInt.asIntN(64, v).toString() : hex(v));

interface TxCase {
  name: string;
  seed: number;
  genesisHash: Uint8Array;
  nonce: bigint;
  gasLimit: number;
  gasPrice: bigint;
  value: bigint;
  body: { kind: "deploy"; module: Uint8Array } | { kind: "call"; contract: Uint8Array; fn: string };
  args: Value[];
}

function txLine(c: TxCase): string {
  const parts = ["tx", c.body.kind, "--seed", hex(seedOf(c.seed)), "--genesis-hash", hex(c.genesisHash), "--nonce", c.nonce.toString(), "--gas", String(c.gasLimit),
    "--gas-price", c.gasPrice.toString(), "--value", c.value.toString()];
  if (c.body.kind === "deploy") parts.push("--module", hex(c.body.module));
  else parts.push("--contract", hex(c.body.contract), "--function", c.body.fn);
  return [...parts, ...c.args.map(argText)].join(" ");
}

function txVectors(): DeviceVector[] {
  const module = Uint8Array.from({ length: 300 }, (_, i) => (i * 31 + 7) & 0xff);
  const contract = label("device vector contract");
  const base = { seed: 0, genesisHash: VECTOR_GENESIS, nonce: 0n, gasLimit: 100_000, gasPrice: 0n, value: 0n };
  const cases: TxCase[] = [
    { ...base, name: "deploy, no arguments", body: { kind: "deploy", module }, args: [] },
    { ...base, name: "deploy with init arguments, fee and value", seed: 1, nonce: 7n, gasPrice: 3n, value: 1000n, body: { kind: "deploy", module }, args: [label("registry"), 42n] },
    { ...base, name: "deploy of the largest module", body: { kind: "deploy", module: Uint8Array.from({ length: LIMITS.MODULE_MAX_BYTES.value }, (_, i) => i & 0xff) }, args: [] },
    { ...base, name: "call submit with a reading's arguments", seed: 2, nonce: 12n, body: { kind: "call", contract, fn: "submit" },
      args: [KeyPair.fromSeed(seedOf(2)).publicKey, 5n, -(3n << 16n), 1_700_000_000n, new Uint8Array(64).fill(9)] },
    { ...base, name: "call with every integer edge", seed: 3, nonce: 2n ** 64n - 1n, gasLimit: LIMITS.MAX_GAS.value, gasPrice: 2n ** 64n - 1n, value: 2n ** 64n - 1n,
      body: { kind: "call", contract, fn: "transfer" }, args: [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, new Uint8Array(0), new Uint8Array(LIMITS.MAX_BYTES_LEN.value).fill(0xee)] },
    { ...base, name: "call for another chain (another genesis hash)", genesisHash: label("another genesis"), body: { kind: "call", contract, fn: "ping" }, args: [] },
    // refusals: the TypeScript encoder throws RangeError, the C encoder returns MOTE_E_ARGUMENT
    { ...base, name: "refused: gas limit 0", gasLimit: 0, body: { kind: "call", contract, fn: "ping" }, args: [] },
    { ...base, name: "refused: gas limit above MAX_GAS", gasLimit: LIMITS.MAX_GAS.value + 1, body: { kind: "call", contract, fn: "ping" }, args: [] },
    { ...base, name: "refused: nine arguments", body: { kind: "call", contract, fn: "ping" }, args: Array.from({ length: 9 }, (_, i) => BigInt(i)) },
    { ...base, name: "refused: a byte argument of MAX_BYTES_LEN + 1", body: { kind: "call", contract, fn: "ping" }, args: [new Uint8Array(LIMITS.MAX_BYTES_LEN.value + 1)] },
  ];
  return cases.map((c) => ({
    name: `tx: ${c.name}`,
    line: txLine(c),
    expect: outcome(() => {
      const key = KeyPair.fromSeed(seedOf(c.seed));
      const head = { genesisHash: c.genesisHash, sender: key.publicKey, nonce: c.nonce, gasLimit: c.gasLimit, gasPrice: c.gasPrice, value: c.value };
      const tx: UnsignedTx = c.body.kind === "deploy"
        ? { ...head, kind: "deploy", module: c.body.module, args: c.args }
        : { ...head, kind: "call", contract: c.body.contract, selector: selectorOf(c.body.fn), args: c.args };
      return hex(signTx(tx, key).bytes);
    }),
  }));
}

// -- readings and other device messages (ledger/device-message.ts) ----------------------------------

function readingVectors(): DeviceVector[] {
  const contract = label("device vector attestation");
  const cases: { name: string; seed: number; nonce: bigint; value: bigint; timestamp: bigint; sealed?: Uint8Array }[] = [
    { name: "21.5 degrees", seed: 0, nonce: 1n, value: 21n * 65536n + 32768n, timestamp: 1_700_000_000n },
    { name: "a negative value", seed: 1, nonce: 9n, value: -(40n * 65536n), timestamp: 1_700_000_123n },
    { name: "the largest nonce and timestamp", seed: 2, nonce: 2n ** 64n - 1n, value: 2n ** 63n - 1n, timestamp: 2n ** 64n - 1n },
    { name: "sealed (submit_sealed)", seed: 3, nonce: 4n, value: 65536n, timestamp: 1_700_000_500n, sealed: Uint8Array.from({ length: 200 }, (_, i) => i) },
    { name: "sealed, the largest payload", seed: 3, nonce: 5n, value: 0n, timestamp: 1_700_000_501n, sealed: new Uint8Array(896).fill(0x5a) },
  ];
  const out: DeviceVector[] = cases.map((c) => {
    const key = KeyPair.fromSeed(seedOf(c.seed));
    const msg = c.sealed ? sealedReadingMessage(contract, c.nonce, c.value, c.timestamp, c.sealed) : readingMessage(contract, c.nonce, c.value, c.timestamp);
    return {
      name: `reading: ${c.name}`,
      line: [`sign-reading --seed ${hex(seedOf(c.seed))} --contract ${hex(contract)} --nonce ${c.nonce} --value ${c.value} --timestamp ${c.timestamp}`,
        ...(c.sealed ? [`--sealed ${hex(c.sealed)}`] : [])].join(" "),
      expect: { ok: hex(key.sign(msg)) },
    };
  });
  out.push({
    name: "reading: refused: a sealed payload above the attestation's MAX_SEALED",
    line: `sign-reading --seed ${hex(seedOf(0))} --contract ${hex(contract)} --nonce 1 --value 0 --timestamp 1 --sealed ${hex(new Uint8Array(897))}`,
    expect: { error: "argument" },
  });
  // a handoff (contracts/supply_chain.mote): item (32) || to (32) || seq u64, in the device domain
  const supply = label("device vector supply chain");
  const handoff = new Uint8Array([...label("item 7"), ...KeyPair.fromSeed(seedOf(1)).publicKey, 3, 0, 0, 0, 0, 0, 0, 0]);
  out.push({
    name: "message: a supply-chain handoff",
    line: `sign-message --seed ${hex(seedOf(2))} --contract ${hex(supply)} --function handoff ${hex(handoff)}`,
    expect: { ok: hex(KeyPair.fromSeed(seedOf(2)).sign(deviceMessage(supply, "handoff", handoff))) },
  });
  out.push({
    name: "message: refused: a payload above the SDK's 96 bytes",
    line: `sign-message --seed ${hex(seedOf(2))} --contract ${hex(supply)} --function handoff ${hex(new Uint8Array(97))}`,
    expect: { error: "argument" },
  });
  return out;
}

// -- state proofs ------------------------------------------------------------------------------------
/**
 * The TypeScript verdict on an encoded proof of `key` against `root`, in the order the device decides:
 * decode (ledger/proof.ts decodeStateProof), the key asked about, then verifyStateProof. Each reason is
 * mapped to the C SDK's status name.
 */
export function tsProofVerdict(root: Uint8Array, key: Uint8Array, bytes: Uint8Array): DeviceVector["expect"] {
  let p: StateProof;
  try {
    p = decodeStateProof(bytes);
  } catch (e) {
    const m = (e as Error).message;
    const code = /truncated/.test(m) ? "proof_truncated" : /trailing/.test(m) ? "proof_trailing" : /version/.test(m) ? "proof_version"
      : /end kind/.test(m) ? "proof_end_kind" : /exceeds 256/.test(m) ? "proof_depth" : /bitmap/.test(m) ? "proof_bitmap" : undefined;
    if (!code) throw new Error(`unmapped decode error: ${m}`);
    return { error: code };
  }
  if (Buffer.compare(p.key, key) !== 0) return { error: "proof_wrong_key" };
  const v = verifyStateProof(root, p);
  if (v.ok) return { ok: v.value === null ? "absent" : `value ${hex(v.value)}` };
  const code = /never empty/.test(v.reason) ? "proof_empty_value" : /key's own/.test(v.reason) ? "proof_other_is_own"
    : /leaves the key's/.test(v.reason) ? "proof_other_diverges" : /does not lead to the root/.test(v.reason) ? "proof_root_mismatch" : undefined;
  if (!code) throw new Error(`unmapped verify reason: ${v.reason}`);
  return { error: code };
}

/** The tree the proof vectors are cut from: storage-like entries and three device accounts. */
export function vectorTree(): SparseMerkleTree {
  const t = new SparseMerkleTree();
  for (let i = 0; i < 60; i++) t.set(label(`entry ${i}`).subarray(0, 1 + (i % 40)), label(`value ${i}`).subarray(0, 1 + ((i * 7) % 32)));
  for (let i = 0; i < 3; i++) t.set(accountKey(KeyPair.fromSeed(seedOf(i)).publicKey), u64le(BigInt(5 + i)));
  return t;
}

function proofLine(root: Uint8Array, key: Uint8Array, proof: Uint8Array): string {
  return `verify-proof --root ${hex(root)} --state-key ${hex(key)} ${hex(proof)}`;
}

export function proofVectors(): DeviceVector[] {
  const t = vectorTree();
  const root = t.root();
  const out: DeviceVector[] = [];
  const add = (name: string, r: Uint8Array, key: Uint8Array, bytes: Uint8Array) => out.push({ name: `proof: ${name}`, line: proofLine(r, key, bytes), expect: tsProofVerdict(r, key, bytes) });
  const present = label("entry 3").subarray(0, 4);
  const acct = accountKey(KeyPair.fromSeed(seedOf(1)).publicKey);
  for (const [name, key] of [["a stored entry", present], ["a device's account nonce", acct], ["a short key", label("entry 0").subarray(0, 1)]] as const) {
    add(name, root, key, encodeStateProof(t.prove(key)));
  }
  // absences: search keys until both kinds of end appear
  let empty: Uint8Array | undefined;
  let other: Uint8Array | undefined;
  for (let i = 0; (!empty || !other) && i < 1000; i++) {
    const k = label(`absent ${i}`);
    const kind = t.prove(k).end.kind;
    if (kind === "empty" && !empty) empty = k;
    if (kind === "other" && !other) other = k;
  }
  add("absent, the path ends in an empty subtree", root, empty!, encodeStateProof(t.prove(empty!)));
  add("absent, the path ends in another key's leaf", root, other!, encodeStateProof(t.prove(other!)));
  add("absent from the empty tree", new SparseMerkleTree().root(), present, encodeStateProof(new SparseMerkleTree().prove(present)));
  // forgeries and malformations
  const good = encodeStateProof(t.prove(present));
  const otherTree = vectorTree();
  otherTree.set(label("one more"), Uint8Array.of(1));
  add("forged: a proof for another key", root, label("entry 4").subarray(0, 5), good);
  add("forged: another root (the tree one write later)", otherTree.root(), present, good);
  add("forged: a proof from another tree", root, present, encodeStateProof(otherTree.prove(present)));
  add("forged: truncated by one byte", root, present, good.slice(0, -1));
  add("forged: truncated inside the header", root, present, good.slice(0, 3));
  add("forged: empty", root, present, new Uint8Array(0));
  add("forged: padded with one zero byte", root, present, Uint8Array.of(...good, 0));
  const flip = (at: number) => {
    const b = good.slice();
    b[at]! ^= 1;
    return b;
  };
  add("forged: a changed value byte", root, present, flip(1 + 1 + present.length + 1 + 2));
  add("forged: a changed sibling byte", root, present, flip(good.length - 1));
  add("forged: version 1", root, present, Uint8Array.of(1, ...good.subarray(1)));
  const endAt = 1 + 1 + present.length;
  add("forged: end kind 3", root, present, Uint8Array.of(...good.subarray(0, endAt), 3, ...good.subarray(endAt + 1)));
  const p = t.prove(present);
  const valueLeaf = { ...p, end: { kind: "leaf" as const, value: new Uint8Array(0) } };
  add("forged: an empty value", root, present, encodeStateProof(valueLeaf));
  const path = sha256(present);
  add("forged: the key's own leaf as the other leaf", root, present, encodeStateProof({ ...p, end: { kind: "other", path, valueHash: sha256(Uint8Array.of(1)) } }));
  const diverging = path.slice();
  diverging[0]! ^= 0x80;
  add("forged: another leaf whose path leaves the key's", root, present, encodeStateProof({ ...p, end: { kind: "other", path: diverging, valueHash: new Uint8Array(32) } }));
  const deep = { ...p, siblings: Array.from({ length: 257 }, () => new Uint8Array(32)) };
  add("forged: 257 siblings", root, present, encodeStateProof(deep));
  // a stray bitmap bit past the depth
  const enc = encodeStateProof(p);
  const depthAt = enc.length - 32 * p.siblings.filter((s) => s.some((x) => x !== 0)).length - ((p.siblings.length + 7) >> 3) - 2;
  const mapEnd = depthAt + 2 + ((p.siblings.length + 7) >> 3) - 1;
  if (p.siblings.length % 8 !== 0) {
    const b = enc.slice();
    b[mapEnd]! |= 0x80;
    add("forged: a bitmap bit past the depth", root, present, b);
  }
  return out;
}

export function deviceVectors(): DeviceVector[] {
  return [...keyVectors(), ...txVectors(), ...readingVectors(), ...proofVectors()];
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const file = join(dirname(fileURLToPath(import.meta.url)), "device.json");
  const vectors = deviceVectors();
  writeFileSync(file, JSON.stringify({ note: "generated by test/vectors/device-generate.ts (npm run vectors); do not edit", vectors }, null, 1) + "\n");
  process.stdout.write(`wrote ${vectors.length} device SDK vectors to ${file}\n`);
}
