// The C light-client commit check (firmware-host/src/mote_light.c, driven by mote-light under ASan/UBSan)
// against the TypeScript one (ledger/lightclient.ts): the real CometBFT commits of test/vectors/lightclient.json
// verify with the same counts and hashes, and every hostile variant is refused with the same numbered code.
import { spawnSync } from "node:child_process";
import * as ed from "@noble/ed25519";
import { sha256 } from "@noble/hashes/sha2.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import types from "cosmjs-types/tendermint/types/types";
import type { SignedHeader as SignedHeaderT } from "cosmjs-types/tendermint/types/types";
import type { Validator } from "cosmjs-types/tendermint/types/validator";
import { beforeAll, describe, expect, it } from "vitest";
import { ASAN_LIGHT_PATH, LIGHT_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { concat, hex } from "../../ledger/bytes.ts";
import {
  decodeSignedHeader,
  decodeValidatorSet,
  encodeValidatorSet,
  LIGHT_ERRORS,
  LightClientError,
  signedHeaderFromRpc,
  validatorsFromRpc,
  headerHash,
  validatorAddress,
  validatorSetHash,
  validatorsFromGenesis,
  verifyCommit,
  voteSignBytes,
  type LightErrorCode,
} from "../../ledger/lightclient.ts";
import type { LightVectors } from "../vectors/lightclient-generate.ts";
import type { VerifyProofFixture } from "../vectors/verify-proof-record.ts";

const { SignedHeader } = types;
const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "../vectors/lightclient.json"), "utf8")) as LightVectors;
const [single, four] = vectors.chains as [LightVectors["chains"][0], LightVectors["chains"][0]];
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));

interface Case {
  name: string;
  chainId: string;
  valset: Uint8Array;
  header: Uint8Array;
  expect: "ok" | LightErrorCode;
}

/** The TypeScript verdict on a case, as the C driver prints it (minus the hashes' case). */
function tsVerdict(c: Case): string {
  try {
    const v = verifyCommit(decodeValidatorSet(c.valset).validators, decodeSignedHeader(c.header), c.chainId);
    return `ok height=${v.height} signers=${v.signers} validators=${v.validators} power=${v.signedPower}/${v.totalPower} block_hash=${Buffer.from(v.blockHash).toString("hex")} app_hash=${Buffer.from(v.appHash).toString("hex")}`;
  } catch (e) {
    if (e instanceof LightClientError) return `error ${e.number} ${e.code}`;
    throw e;
  }
}

const sh = (chain: typeof single, i = 0): SignedHeaderT => signedHeaderFromRpc(chain.blocks[i]!.signedHeader);
const vals = (chain: typeof single): Validator[] => validatorsFromRpc(chain.validators);
const enc = (s: SignedHeaderT): Uint8Array => SignedHeader.encode(s).finish();

function cases(): Case[] {
  const out: Case[] = [];
  const add = (name: string, chain: typeof single, expect: Case["expect"], mutate: { sh?: (s: SignedHeaderT) => void; vals?: (v: Validator[]) => void } = {}, chainId = chain.chainId): void => {
    const s = sh(chain);
    const v = vals(chain);
    mutate.sh?.(s);
    mutate.vals?.(v);
    out.push({ name, chainId, valset: encodeValidatorSet(v), header: enc(s), expect });
  };
  for (const chain of vectors.chains) {
    chain.blocks.forEach((b, i) => out.push({ name: `${chain.name} height ${b.height}`, chainId: chain.chainId, valset: unhex(chain.validatorSetProto), header: unhex(b.signedHeaderProto), expect: "ok" }));
  }
  // commits of a live 4-validator Mote network (the Mote app's 32-byte state root as app hash)
  const mote = JSON.parse(readFileSync(join(import.meta.dirname, "../vectors/verify-proof.json"), "utf8")) as VerifyProofFixture;
  const trust = validatorsFromGenesis((mote.calls.find((c) => c.method === "genesis")!.result as { genesis: unknown }).genesis);
  for (const c of mote.calls.filter((x) => x.method === "commit")) {
    const s = signedHeaderFromRpc((c.result as { signed_header: unknown }).signed_header);
    out.push({ name: `Mote network block ${c.params.height}`, chainId: trust.chainId, valset: encodeValidatorSet(trust.validators), header: enc(s), expect: "ok" });
  }
  // regression (vote bytes buffer): the longest vote there is, a 50-byte chain id and 10-byte varint
  // timestamps, signed by three known keys; a 160-byte buffer in mote_light.c refused it as malformed
  {
    const secrets = [1, 2, 3].map((i) => sha256(Uint8Array.of(i)));
    const v: Validator[] = secrets.map((k) => ({ address: validatorAddress(ed.getPublicKey(k)), pubKey: { ed25519: ed.getPublicKey(k) }, votingPower: 1n << 40n, proposerPriority: 0n }));
    const chainId = "c".repeat(50);
    const time = { seconds: -62135596800n, nanos: 999_999_999 };
    const header = { ...sh(single).header!, chainId, time, height: (1n << 62n) + 1n, validatorsHash: validatorSetHash(v), appHash: new Uint8Array(32).fill(7) };
    const commit = {
      height: header.height,
      round: 0x7fffffff,
      blockId: { hash: headerHash(header), partSetHeader: { total: 0xffffffff, hash: new Uint8Array(32).fill(9) } },
      signatures: v.map((x) => ({ blockIdFlag: 2, validatorAddress: x.address, timestamp: time, signature: new Uint8Array() })),
    };
    commit.signatures.forEach((sig, i) => (sig.signature = ed.sign(voteSignBytes(chainId, commit, i), secrets[i]!)));
    out.push({ name: "longest vote bytes (50-byte chain id)", chainId, valset: encodeValidatorSet(v), header: enc({ header, commit }), expect: "ok" });
  }
  add("forged app_hash", four, "header_hash", { sh: (s) => (s.header!.appHash = concat(s.header!.appHash, Uint8Array.of(1))) });
  add("forged data_hash", four, "header_hash", { sh: (s) => (s.header!.dataHash[0]! ^= 1) });
  add("forged time", four, "header_hash", { sh: (s) => (s.header!.time.nanos += 1) });
  add("forged version", four, "header_hash", { sh: (s) => (s.header!.version.app += 1n) });
  add("forged last_block_id", four, "header_hash", { sh: (s) => (s.header!.lastBlockId.partSetHeader.total += 1) });
  add("forged proposer", single, "header_hash", { sh: (s) => (s.header!.proposerAddress[0]! ^= 1) });
  add("header height changed", single, "commit_height", { sh: (s) => (s.header!.height += 1n) });
  add("commit round changed", four, "signature", { sh: (s) => (s.commit!.round += 1) });
  for (const bit of [0, 255, 511]) add(`signature bit ${bit} flipped`, four, "signature", { sh: (s) => (s.commit!.signatures[1]!.signature[bit >> 3]! ^= 1 << (bit & 7)) });
  add("signature timestamp changed", single, "signature", { sh: (s) => (s.commit!.signatures[0]!.timestamp.nanos ^= 1) });
  const absent = (s: SignedHeaderT, i: number): void => {
    s.commit!.signatures[i] = { blockIdFlag: 1, validatorAddress: new Uint8Array(), timestamp: { seconds: -62135596800n, nanos: 0 }, signature: new Uint8Array() };
  };
  add("30+10+10 of 60 signed", four, "ok", { sh: (s) => absent(s, 3) });
  add("30+10 of 60 signed (exactly 2/3)", four, "insufficient_power", { sh: (s) => (absent(s, 3), absent(s, 2)) });
  add("the only signature absent", single, "insufficient_power", { sh: (s) => absent(s, 0) });
  add("the only vote nil", single, "insufficient_power", { sh: (s) => (s.commit!.signatures[0]!.blockIdFlag = 3) });
  add("another chain id", single, "chain_id", {}, `${single.chainId}x`);
  out.push({ name: "another chain's validator set", chainId: single.chainId, valset: unhex(four.validatorSetProto), header: unhex(single.blocks[0]!.signedHeaderProto), expect: "validators_hash" });
  add("a validator's power changed", four, "validators_hash", { vals: (v) => (v[1]!.votingPower = 11n) });
  add("two validators swapped", four, "validators_hash", { vals: (v) => ([v[2], v[3]] = [v[3]!, v[2]!]) });
  add("a signature dropped", four, "commit_size", { sh: (s) => s.commit!.signatures.pop() });
  add("a signature added", four, "commit_size", { sh: (s) => s.commit!.signatures.push(s.commit!.signatures[0]!) });
  add("two signatures swapped", four, "validator_address", { sh: (s) => ([s.commit!.signatures[1], s.commit!.signatures[2]] = [s.commit!.signatures[2]!, s.commit!.signatures[1]!]) });
  add("an unknown block id flag", four, "bad_commit_sig", { sh: (s) => (s.commit!.signatures[0]!.blockIdFlag = 7 as never) });
  add("a 63-byte signature", four, "bad_commit_sig", { sh: (s) => (s.commit!.signatures[0]!.signature = s.commit!.signatures[0]!.signature.slice(0, 63)) });
  add("a validator without power", four, "bad_validator", { vals: (v) => (v[0]!.votingPower = 0n) });
  add("a validator with a secp256k1 key", four, "bad_validator", { vals: (v) => (v[0]!.pubKey = { secp256k1: new Uint8Array(33).fill(2) }) });
  add("a validator with a 31-byte key", four, "bad_validator", { vals: (v) => (v[0]!.pubKey = { ed25519: v[0]!.pubKey.ed25519!.slice(0, 31) }) });
  const goodVs = unhex(four.validatorSetProto);
  const goodSh = unhex(four.blocks[0]!.signedHeaderProto);
  for (let n = 0; n < goodSh.length; n++) out.push({ name: `signed header cut to ${n} bytes`, chainId: four.chainId, valset: goodVs, header: goodSh.subarray(0, n), expect: "malformed" });
  for (let n = 0; n < goodVs.length; n++) out.push({ name: `validator set cut to ${n} bytes`, chainId: four.chainId, valset: goodVs.subarray(0, n), header: goodSh, expect: "malformed" });
  // an unknown varint field, an unknown empty message field, a repeated or explicitly zero scalar
  for (const pad of [Uint8Array.of(0x18, 0x01), Uint8Array.of(0x7a, 0x00)]) {
    out.push({ name: `signed header padded with ${hex(pad)}`, chainId: four.chainId, valset: goodVs, header: concat(goodSh, pad), expect: "non_canonical" });
    out.push({ name: `validator set padded with ${hex(pad)}`, chainId: four.chainId, valset: concat(goodVs, pad), header: goodSh, expect: "non_canonical" });
  }
  out.push({ name: "validator set with total_voting_power 0 written out", chainId: four.chainId, valset: concat(goodVs, Uint8Array.of(0x18, 0x00)), header: goodSh, expect: "non_canonical" });
  return out;
}

function runC(bin: string, list: Case[]): string[] {
  const input = list.map((c) => `${c.chainId} ${Buffer.from(c.valset).toString("hex")} ${Buffer.from(c.header).toString("hex")}`).join("\n") + "\n";
  const r = spawnSync(bin, ["--batch", "-"], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  expect(r.stderr).toBe(""); // a sanitizer report would land here
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines.length).toBe(list.length);
  return lines;
}

beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
  await buildFirmwareHost({ quiet: true, sanitized: true });
}, 600_000);

describe("mote-light (C, ASan/UBSan) agrees with ledger/lightclient.ts", () => {
  const list = cases();

  it(`${list.length} cases: each refused with its expected code by TypeScript and by C, or verified alike`, () => {
    const c = runC(ASAN_LIGHT_PATH, list);
    list.forEach((k, i) => {
      const ts = tsVerdict(k);
      expect(ts.startsWith(k.expect === "ok" ? "ok " : `error ${LIGHT_ERRORS[k.expect]} ${k.expect}`), `TS on ${k.name}: ${ts}`).toBe(true);
      if (k.expect === "ok") expect(c[i], k.name).toBe(ts);
      else expect(c[i]!.startsWith(`${ts}: `), `C on ${k.name}: ${c[i]}`).toBe(true);
    });
    const seen = new Set(list.map((k) => k.expect));
    for (const code of Object.keys(LIGHT_ERRORS) as LightErrorCode[]) {
      if (!code.startsWith("proof_")) expect(seen.has(code), `no case for ${code}`).toBe(true);
    }
  });

  it("a message field sent with a varint wire type: C stops decoding at its byte (malformed), cosmjs-types reads an empty message (non_canonical)", () => {
    const header = concat(unhex(four.blocks[0]!.signedHeaderProto), Uint8Array.of(0x08, 0x00));
    const k: Case = { name: "wire type", chainId: four.chainId, valset: unhex(four.validatorSetProto), header, expect: "malformed" };
    expect(runC(ASAN_LIGHT_PATH, [k])[0]).toMatch(/^error 1 malformed: signed header \(888 bytes\) does not decode at byte 887$/);
    expect(tsVerdict(k)).toBe("error 2 non_canonical");
  });

  it("the unsanitized build gives the same lines", () => {
    const few = list.filter((k, i) => i < 40);
    expect(runC(LIGHT_PATH, few)).toEqual(runC(ASAN_LIGHT_PATH, few));
  });

  it("more validators than MOTE_LIGHT_MAX_VALIDATORS (16) is refused as malformed, with the byte offset", () => {
    const v = vals(four);
    const many = Array.from({ length: 17 }, (_, i) => ({ ...v[i % 4]! }));
    const [line] = runC(ASAN_LIGHT_PATH, [{ name: "17", chainId: four.chainId, valset: encodeValidatorSet(many), header: unhex(four.blocks[0]!.signedHeaderProto), expect: "malformed" }]);
    expect(line).toMatch(/^error 1 malformed: validator set \(\d+ bytes\) does not decode at byte \d+$/);
  });

  it("one-line usage errors with exit code 2; a refusal exits 1, a verified commit 0", () => {
    const b = four.blocks[0]!;
    const ok = spawnSync(LIGHT_PATH, ["verify-commit", four.chainId, four.validatorSetProto, b.signedHeaderProto], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok height=2 signers=4 validators=4 power=60\/60 /);
    const bad = spawnSync(LIGHT_PATH, ["verify-commit", "other", four.validatorSetProto, b.signedHeaderProto], { encoding: "utf8" });
    expect([bad.status, bad.stdout]).toEqual([1, `error 3 chain_id: header is on chain "${four.chainId}", expected "other"\n`]);
    const usage = spawnSync(LIGHT_PATH, ["verify-commit", four.chainId, "zz", b.signedHeaderProto], { encoding: "utf8" });
    expect(usage.status).toBe(2);
    expect(usage.stdout.split("\n").length).toBe(2);
  });
});
