// The light client's details (ledger/lightclient.ts) the recorded commits do not reach: the zero values
// CometBFT leaves out of a header hash and a vote's sign bytes (hand-written from types/block.go's cdcEncode
// and canonical.proto, not from the code), every refusal's message naming what and where, ZIP-215-only
// signatures refused, the total-power cap, the RPC JSON's absent and optional fields, the genesis trust root.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ed from "@noble/ed25519";
import { sha256 } from "@noble/hashes/sha2.js";
import types from "cosmjs-types/tendermint/types/types";
import validator from "cosmjs-types/tendermint/types/validator";
import type { Commit, SignedHeader as SignedHeaderT } from "cosmjs-types/tendermint/types/types";
import { describe, expect, it } from "vitest";
import { concat, hex } from "../../ledger/bytes.ts";
import { listRoot } from "../../ledger/merkle.ts";
import {
  decodeSignedHeader,
  decodeValidatorSet,
  encodeValidatorSet,
  headerHash,
  LightClientError,
  signedHeaderFromRpc,
  timestampFromRpc,
  validatorAddress,
  validatorSetHash,
  validatorsFromGenesis,
  validatorsFromRpc,
  verifyCommit,
  verifyStorageProof,
  voteSignBytes,
  type Validator,
} from "../../ledger/lightclient.ts";
import { encodeStateProof } from "../../ledger/proof.ts";
import { SparseMerkleTree } from "../../ledger/smt.ts";
import { storageKey } from "../../ledger/state.ts";
import { four, load, single, unhex, vectors } from "./lightclient-vectors.ts";
import type { VerifyProofFixture } from "../vectors/verify-proof-record.ts";

const { SignedHeader } = types;
const { ValidatorSet } = validator;

/** The refusal's code and whole message (`code: detail`). */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof LightClientError) {
      expect(e.name).toBe("LightClientError");
      expect(e.message).toBe(`${e.code}: ${e.detail}`);
      return e.message;
    }
    throw e;
  }
  throw new Error("accepted");
}

/** A chain of validators with known keys (power 10, 11, ...) and a commit every one of them signed. */
function simulated(keys: Uint8Array[], chainId = "mote-detail"): { vals: Validator[]; sh: SignedHeaderT; secrets: Uint8Array[] } {
  const secrets = keys.map((k) => sha256(k));
  const vals: Validator[] = secrets.map((s, i) => ({
    address: validatorAddress(ed.getPublicKey(s)),
    pubKey: { ed25519: ed.getPublicKey(s) },
    votingPower: BigInt(10 + i),
    proposerPriority: 0n,
  }));
  const base = signedHeaderFromRpc(single.blocks[0]!.signedHeader);
  const header = { ...base.header!, chainId, validatorsHash: validatorSetHash(vals) };
  const commit: Commit = {
    height: header.height,
    round: 0,
    blockId: { hash: headerHash(header), partSetHeader: { total: 1, hash: sha256(Uint8Array.of(9)) } },
    signatures: vals.map((v) => ({ blockIdFlag: 2, validatorAddress: v.address, timestamp: header.time, signature: new Uint8Array() })),
  };
  commit.signatures.forEach((s, i) => (s.signature = ed.sign(voteSignBytes(chainId, commit, i), secrets[i]!)));
  return { vals, sh: { header, commit }, secrets };
}

const b = (...parts: (number | number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === "number" ? [p] : [...p])));
const fill = (n: number, x: number): number[] => new Array<number>(n).fill(x);
const zeroTime = { seconds: 0n, nanos: 0 };

describe("the header hash and vote bytes leave zero values out, as CometBFT does", () => {
  it("a header's zero chain id, height and hashes are empty leaves; non-zero ones their wrapper messages", () => {
    const zero = {
      version: { block: 0n, app: 0n },
      chainId: "",
      height: 0n,
      time: zeroTime,
      lastBlockId: { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } },
      lastCommitHash: new Uint8Array(),
      dataHash: new Uint8Array(),
      validatorsHash: new Uint8Array(),
      nextValidatorsHash: new Uint8Array(),
      consensusHash: new Uint8Array(),
      appHash: new Uint8Array(),
      lastResultsHash: new Uint8Array(),
      evidenceHash: new Uint8Array(),
      proposerAddress: new Uint8Array(),
    };
    // leaf 4 is BlockID with its (non-nullable) part set header: field 2, empty
    const leaves = (chain: Uint8Array, height: Uint8Array, app: Uint8Array): Uint8Array[] => [b(), chain, height, b(), b(0x12, 0x00), b(), b(), b(), b(), b(), app, b(), b(), b()];
    expect(hex(headerHash(zero))).toBe(hex(listRoot(leaves(b(), b(), b()))));
    // StringValue{1: "a"}, Int64Value{1: 1}, BytesValue{1: 07}
    const set = { ...zero, chainId: "a", height: 1n, appHash: Uint8Array.of(7) };
    expect(hex(headerHash(set))).toBe(hex(listRoot(leaves(b(0x0a, 0x01, 0x61), b(0x08, 0x01), b(0x0a, 0x01, 0x07)))));
  });

  it("vote sign bytes: CanonicalVote fields in order, zero height, round, block id parts and chain id left out, nil votes without a block id", () => {
    const sig = (blockIdFlag: number, timestamp = zeroTime) => ({ blockIdFlag, validatorAddress: new Uint8Array(20), timestamp, signature: new Uint8Array(64) });
    const full: Commit = {
      height: 5n,
      round: 0,
      blockId: { hash: new Uint8Array(32).fill(0x11), partSetHeader: { total: 1, hash: new Uint8Array(32).fill(0x22) } },
      signatures: [sig(2, { seconds: 1n, nanos: 2 })],
    };
    const bodyA = b(0x08, 0x02, 0x11, 5, fill(7, 0), 0x22, 72, 0x0a, 32, fill(32, 0x11), 0x12, 36, 0x08, 0x01, 0x12, 32, fill(32, 0x22), 0x2a, 4, 0x08, 0x01, 0x10, 0x02, 0x32, 1, 0x63);
    expect(hex(voteSignBytes("c", full, 0))).toBe(hex(b(bodyA.length, bodyA)));
    // height 0 and chain id "" left out, round 3 written, a nil vote has no block id, a zero time is an empty message
    const nil: Commit = { ...full, height: 0n, round: 3, signatures: [sig(3)] };
    const bodyB = b(0x08, 0x02, 0x19, 3, fill(7, 0), 0x2a, 0x00);
    expect(hex(voteSignBytes("", nil, 0))).toBe(hex(b(bodyB.length, bodyB)));
    // a commit vote for an empty block id: the part set header is still there, empty
    const empty: Commit = { height: 1n, round: 0, blockId: { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } }, signatures: [sig(2)] };
    const bodyC = b(0x08, 0x02, 0x11, 1, fill(7, 0), 0x22, 0x02, 0x12, 0x00, 0x2a, 0x00, 0x32, 1, 0x78);
    expect(hex(voteSignBytes("x", empty, 0))).toBe(hex(b(bodyC.length, bodyC)));
    expect(refusal(() => voteSignBytes("x", empty, 1))).toBe("commit_size: no signature 1");
  });
});

describe("every refusal names what and where", () => {
  it("decoding: what does not decode and its size, where a non-canonical encoding differs, a missing part, an empty set, a wrong total", () => {
    const sh = unhex(four.blocks[0]!.signedHeaderProto);
    expect(refusal(() => decodeSignedHeader(sh.subarray(0, 10)))).toMatch(/^malformed: signed header \(10 bytes\) does not decode: .+/);
    expect(refusal(() => decodeValidatorSet(Uint8Array.of(0x0a, 0x05)))).toMatch(/^malformed: validator set \(2 bytes\) does not decode: .+/);
    // an unknown field appended: the canonical form ends where it starts
    expect(refusal(() => decodeSignedHeader(concat(sh, Uint8Array.of(0x18, 0x01))))).toBe(
      `non_canonical: signed header is not canonically encoded: differs at byte ${sh.length} (${sh.length + 2} bytes, canonical ${sh.length})`,
    );
    // the first field's length as a two-byte varint: differs at byte 1
    const vs = unhex(four.validatorSetProto);
    expect(vs[0]).toBe(0x0a);
    expect(vs[1]).toBeLessThan(0x80);
    const padded = b(0x0a, vs[1]! | 0x80, 0x00, vs.subarray(2));
    expect(refusal(() => decodeValidatorSet(padded))).toBe(`non_canonical: validator set is not canonically encoded: differs at byte 1 (${vs.length + 1} bytes, canonical ${vs.length})`);
    const { sh: whole } = load(single);
    expect(refusal(() => decodeSignedHeader(SignedHeader.encode({ header: undefined, commit: whole.commit }).finish()))).toBe("malformed: signed header has no header");
    expect(refusal(() => decodeSignedHeader(SignedHeader.encode({ header: whole.header, commit: undefined }).finish()))).toBe("malformed: signed header has no commit");
    expect(refusal(() => decodeValidatorSet(new Uint8Array()))).toBe("malformed: validator set has no validators");
    const vals = validatorsFromRpc(four.validators);
    const wrongTotal = ValidatorSet.encode({ validators: vals, proposer: undefined, totalVotingPower: 61n }).finish();
    expect(refusal(() => decodeValidatorSet(wrongTotal))).toBe("malformed: validator set total_voting_power 61 is not its validators' sum 60");
  });

  it("the commit check: each refusal with the values that differ", () => {
    const { vals, sh } = load(four);
    const h = sh.header!;
    const c = sh.commit!;
    expect(refusal(() => verifyCommit(vals, { header: undefined, commit: c }, four.chainId))).toBe("malformed: signed header has no header");
    expect(refusal(() => verifyCommit(vals, { header: h, commit: undefined }, four.chainId))).toBe("malformed: signed header has no commit");
    expect(refusal(() => verifyCommit(vals, sh, "other"))).toBe(`chain_id: header is on chain "${four.chainId}", expected "other"`);
    expect(refusal(() => verifyCommit(vals, { header: { ...h, height: h.height + 1n }, commit: c }, four.chainId))).toBe(`commit_height: commit is for height ${c.height}, header is ${h.height + 1n}`);
    const forged = { ...h, appHash: new Uint8Array(32) };
    expect(refusal(() => verifyCommit(vals, { header: forged, commit: c }, four.chainId))).toBe(`header_hash: commit signs block ${hex(c.blockId.hash)}, header hashes to ${hex(headerHash(forged))}`);
    expect(refusal(() => verifyCommit([], sh, four.chainId))).toBe("bad_validator: the trusted validator set is empty");
    const noKey = vals.map((v, i) => (i === 2 ? { ...v, pubKey: { secp256k1: new Uint8Array(33) } } : v));
    expect(refusal(() => verifyCommit(noKey, sh, four.chainId))).toBe("bad_validator: validator 2 has no Ed25519 key");
    const shortKey = vals.map((v, i) => (i === 1 ? { ...v, pubKey: { ed25519: v.pubKey!.ed25519!.slice(0, 31) } } : v));
    expect(refusal(() => verifyCommit(shortKey, sh, four.chainId))).toBe("bad_validator: validator 1's key is 31 bytes, not 32");
    const noPower = vals.map((v, i) => (i === 3 ? { ...v, votingPower: -1n } : v));
    expect(refusal(() => verifyCommit(noPower, sh, four.chainId))).toBe("bad_validator: validator 3 has voting power -1");
    const other = validatorsFromRpc(single.validators);
    expect(refusal(() => verifyCommit(other, sh, four.chainId))).toBe(`validators_hash: trusted validator set hashes to ${hex(validatorSetHash(other))}, header names ${hex(h.validatorsHash)}`);
    expect(refusal(() => verifyCommit(vals, { header: h, commit: { ...c, signatures: c.signatures.slice(1) } }, four.chainId))).toBe("commit_size: commit has 3 signatures for 4 validators");
    const sigs = (f: (s: Commit["signatures"]) => void): SignedHeaderT => {
      const s = c.signatures.map((x) => ({ ...x }));
      f(s);
      return { header: h, commit: { ...c, signatures: s } };
    };
    expect(refusal(() => verifyCommit(vals, sigs((s) => (s[1]!.blockIdFlag = 7 as never)), four.chainId))).toBe("bad_commit_sig: signature 1 has block id flag 7");
    expect(refusal(() => verifyCommit(vals, sigs((s) => ([s[1], s[2]] = [s[2]!, s[1]!])), four.chainId))).toBe(
      `validator_address: signature 1 is from ${hex(c.signatures[2]!.validatorAddress)}, validator 1 is ${hex(validatorAddress(vals[1]!.pubKey!.ed25519!))}`,
    );
    expect(refusal(() => verifyCommit(vals, sigs((s) => (s[2]!.signature = s[2]!.signature.slice(0, 63))), four.chainId))).toBe("bad_commit_sig: signature 2 is 63 bytes, not 64");
    expect(refusal(() => verifyCommit(vals, sigs((s) => (s[0]!.signature = s[0]!.signature.map((x, i) => (i === 0 ? x ^ 1 : x)))), four.chainId))).toBe(
      `signature: signature 0 (validator ${hex(c.signatures[0]!.validatorAddress)}) does not verify`,
    );
    const absent = { blockIdFlag: 1, validatorAddress: new Uint8Array(), timestamp: zeroTime, signature: new Uint8Array() };
    expect(refusal(() => verifyCommit(vals, sigs((s) => ((s[2] = absent), (s[3] = absent))), four.chainId))).toBe("insufficient_power: signatures hold 40 of 60 voting power, need more than 2/3");
  });

  it("a storage proof: for which key, against which app hash and height", () => {
    const contract = sha256(Uint8Array.of(1));
    const tree = new SparseMerkleTree();
    tree.set(storageKey(contract, Uint8Array.of(1)), Uint8Array.of(5));
    const { vals, sh } = simulated([Uint8Array.of(1)]);
    const v = { ...verifyCommit(vals, sh, "mote-detail"), appHash: tree.root() };
    const p = encodeStateProof(tree.prove(storageKey(contract, Uint8Array.of(1))));
    expect(verifyStorageProof(v, contract, Uint8Array.of(1), p)).toEqual(Uint8Array.of(5));
    expect(refusal(() => verifyStorageProof(v, contract, Uint8Array.of(2), p))).toBe(
      `proof_key: proof is for state key ${hex(storageKey(contract, Uint8Array.of(1)))}, asked for ${hex(storageKey(contract, Uint8Array.of(2)))}`,
    );
    const elsewhere = { ...v, appHash: new SparseMerkleTree().root() };
    expect(refusal(() => verifyStorageProof(elsewhere, contract, Uint8Array.of(1), p))).toMatch(new RegExp(`^proof_root: .+ \\(app hash ${hex(elsewhere.appHash)} at height ${v.height}\\)$`));
  });
});

describe("the commit check's rules beyond the recorded commits", () => {
  it("refuses a signature only ZIP-215 accepts (a small-order key): RFC 8032 strict, as CometBFT's Go verifier", () => {
    const { vals, sh } = simulated([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
    expect(verifyCommit(vals, sh, "mote-detail").signers).toBe(3);
    // the identity point as a key, and R = identity, S = 0: the cofactored equation holds for any message
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const forgedSig = concat(identity, new Uint8Array(32));
    expect(ed.verify(forgedSig, Uint8Array.of(1), identity, { zip215: true })).toBe(true);
    const weak = vals.map((v, i) => (i === 2 ? { ...v, pubKey: { ed25519: identity }, votingPower: 1000n } : v));
    const header = { ...sh.header!, validatorsHash: validatorSetHash(weak) };
    const commit = { ...sh.commit!, blockId: { ...sh.commit!.blockId, hash: headerHash(header) } };
    commit.signatures = commit.signatures.map((s, i) => ({ ...s, validatorAddress: validatorAddress(weak[i]!.pubKey!.ed25519!), signature: forgedSig }));
    expect(refusal(() => verifyCommit(weak, { header, commit }, "mote-detail"))).toBe(`signature: signature 0 (validator ${hex(commit.signatures[0]!.validatorAddress)}) does not verify`);
    // only the small-order validator's forged signature, the others absent: still refused
    const absent = { blockIdFlag: 1, validatorAddress: new Uint8Array(), timestamp: zeroTime, signature: new Uint8Array() };
    const onlyWeak = { ...commit, signatures: commit.signatures.map((s, i) => (i === 2 ? s : absent)) };
    expect(refusal(() => verifyCommit(weak, { header, commit: onlyWeak }, "mote-detail"))).toMatch(/^signature: signature 2 /);
  });

  it("caps the total voting power at CometBFT's MaxInt64 / 8", () => {
    const cap = 0x7fffffffffffffffn / 8n;
    const { vals, sh } = load(four);
    const at = vals.map((v, i) => (i === 0 ? { ...v, votingPower: cap - 30n } : v));
    // at the cap: past this check, refused only because the header names another set
    expect(refusal(() => verifyCommit(at, sh, four.chainId))).toMatch(/^validators_hash: /);
    const over = vals.map((v, i) => (i === 0 ? { ...v, votingPower: cap - 29n } : v));
    expect(refusal(() => verifyCommit(over, sh, four.chainId))).toBe(`bad_validator: total voting power ${cap + 1n} exceeds CometBFT's maximum`);
  });
});

describe("RPC JSON and genesis into the protobuf types", () => {
  it("RFC 3339 times with 0 to 9 fractional digits; anything else is malformed, with the text", () => {
    expect(timestampFromRpc("2026-12-07T02:23:56Z")).toEqual({ seconds: 1796610236n, nanos: 0 });
    expect(timestampFromRpc("2026-12-07T02:23:56.5Z")).toEqual({ seconds: 1796610236n, nanos: 500_000_000 });
    expect(timestampFromRpc("2026-12-07T02:23:56.972581665Z")).toEqual({ seconds: 1796610236n, nanos: 972_581_665 });
    expect(timestampFromRpc("0001-01-01T00:00:00Z")).toEqual({ seconds: -62135596800n, nanos: 0 });
    for (const s of ["yesterday", "x2026-12-07T02:23:56Z", "2026-12-07T02:23:56Zx", "2026-12-07T02:23:56.1234567890Z", "2026-12-07 02:23:56Z", "2026-12-07T02:23:56+01:00"]) {
      expect(refusal(() => timestampFromRpc(s)), s).toBe(`malformed: time "${s}" is not RFC 3339 UTC`);
    }
    expect(refusal(() => timestampFromRpc("2026-13-45T02:23:56Z"))).toBe('malformed: time "2026-13-45T02:23:56Z" is not a date');
  });

  it("an absent vote's null signature and empty address are empty bytes; the header's JSON gives the recorded protobuf", () => {
    for (const chain of vectors.chains) {
      for (const blk of chain.blocks) expect(hex(SignedHeader.encode(signedHeaderFromRpc(blk.signedHeader)).finish())).toBe(blk.signedHeaderProto.toLowerCase());
    }
    const i = four.blocks.findIndex((x) => x.signedHeader.commit.signatures.some((s: { signature: string | null }) => s.signature === null));
    expect(i).toBeGreaterThanOrEqual(0);
    const sh = signedHeaderFromRpc(four.blocks[i]!.signedHeader);
    const k = four.blocks[i]!.signedHeader.commit.signatures.findIndex((s: { signature: string | null }) => s.signature === null);
    expect(sh.commit!.signatures[k]!.signature).toEqual(new Uint8Array());
    expect(sh.commit!.signatures[k]!.validatorAddress).toEqual(new Uint8Array());
  });

  it("validators: Ed25519 keys only, proposer priority as given or 0, and a device's stored set decodes back with its total", () => {
    const json: Record<string, unknown>[] = four.validators.map((v: object, i: number) => ({ ...v, proposer_priority: String(i - 2) }));
    const vals = validatorsFromRpc(json);
    expect(vals.map((v) => v.proposerPriority)).toEqual([-2n, -1n, 0n, 1n]);
    const { proposer_priority: _, ...noPriority } = four.validators[0] as { proposer_priority: string };
    expect(validatorsFromRpc([noPriority])[0]!.proposerPriority).toBe(0n);
    expect(refusal(() => validatorsFromRpc([json[0], { ...json[1], pub_key: { type: "tendermint/PubKeySecp256k1", value: "AA==" } }]))).toBe(
      "bad_validator: validator 1 has a tendermint/PubKeySecp256k1 key, not Ed25519",
    );
    const { pub_key: __, ...noKey } = json[0]!;
    expect(refusal(() => validatorsFromRpc([noKey]))).toBe("bad_validator: validator 0 has a undefined key, not Ed25519");
    const set = decodeValidatorSet(encodeValidatorSet(vals));
    expect(set.validators).toEqual(vals);
    expect(set.totalVotingPower).toBe(60n);
    expect(set.proposer).toBeUndefined();
  });

  it("a genesis: its chain id, its validators ordered by power then address, addresses derived when absent", () => {
    const mote = JSON.parse(readFileSync(join(import.meta.dirname, "../vectors/verify-proof.json"), "utf8")) as VerifyProofFixture;
    const genesis = (mote.calls.find((c) => c.method === "genesis")!.result as { genesis: { chain_id: string; validators: { address: string; pub_key: unknown; power: string }[] } }).genesis;
    const g = validatorsFromGenesis(genesis);
    expect(g.chainId).toBe(genesis.chain_id);
    expect(g.validators.map((v) => hex(v.address))).toEqual(genesis.validators.map((v) => v.address.toLowerCase()).sort());
    expect(g.validators.map((v) => v.votingPower)).toEqual(genesis.validators.map(() => 1n));
    // powers differ: highest first whatever the address; equal powers by address; "power" or "voting_power"; no address: derived from the key
    const [a, b2, c] = genesis.validators;
    const mixed = {
      chain_id: "mixed",
      validators: [
        { ...a, address: "AB".repeat(20), power: "1" },
        { ...b2, address: "", power: "5" },
        { pub_key: c!.pub_key, address: c!.address, voting_power: "5" },
      ],
    };
    const m = validatorsFromGenesis(mixed);
    expect(m.validators.map((v) => v.votingPower)).toEqual([5n, 5n, 1n]);
    const top = [b2!, c!].map((v) => v.address.toLowerCase()).sort();
    expect(m.validators.slice(0, 2).map((v) => hex(v.address))).toEqual(top);
    // a given address is kept as given
    expect(hex(m.validators[2]!.address)).toBe("ab".repeat(20));
    // the derived address is the key's: SHA-256, first 20 bytes
    expect(hex(m.validators.find((v) => hex(v.address) === b2!.address.toLowerCase())!.address)).toBe(b2!.address.toLowerCase());
    // four powers given lowest first come out highest first; two equal powers given in either order come out by address
    const all = genesis.validators;
    expect(all.length).toBe(4);
    const asc = validatorsFromGenesis({ chain_id: "asc", validators: all.map((v, i) => ({ ...v, power: String(i + 1) })) });
    expect(asc.validators.map((v) => v.votingPower)).toEqual([4n, 3n, 2n, 1n]);
    expect(asc.validators.map((v) => hex(v.address))).toEqual([...all].reverse().map((v) => v.address.toLowerCase()));
    // and in every one of the 24 orders they can be given in
    const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    for (const p of perms([0, 1, 2, 3])) {
      const given = validatorsFromGenesis({ chain_id: "p", validators: p.map((i) => ({ ...all[i]!, power: String(i + 1) })) });
      expect(given.validators.map((v) => v.votingPower), p.join()).toEqual([4n, 3n, 2n, 1n]);
    }
    const byAddress = [...all].sort((x, y) => x.address.localeCompare(y.address));
    for (const pair of [byAddress.slice(0, 2), byAddress.slice(0, 2).reverse()]) {
      const eq = validatorsFromGenesis({ chain_id: "eq", validators: pair.map((v) => ({ ...v, power: "7" })) });
      expect(eq.validators.map((v) => hex(v.address))).toEqual(byAddress.slice(0, 2).map((v) => v.address.toLowerCase()));
    }
    for (const bad of [null, {}, { chain_id: 5, validators: [] }, { chain_id: "x" }, { chain_id: "x", validators: {} }]) {
      expect(refusal(() => validatorsFromGenesis(bad)), JSON.stringify(bad)).toBe("malformed: genesis has no chain_id or validators");
    }
  });
});
