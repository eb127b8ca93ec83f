// The light-client check a gateway or device runs to trust a CometBFT block without trusting the node
// that served it: header hash, >2/3 of a trusted validator set's power over canonical vote bytes, then
// a state proof against the header's app hash. Protobuf through cosmjs-types, Ed25519 through @noble.
import * as ed from "@noble/ed25519";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
// cosmjs-types is CommonJS whose enums Node's named-export detection misses: import each module whole.
import binary from "cosmjs-types/binary";
import timestamp from "cosmjs-types/google/protobuf/timestamp";
import version from "cosmjs-types/tendermint/version/types";
import types from "cosmjs-types/tendermint/types/types";
import validator from "cosmjs-types/tendermint/types/validator";
import type { Timestamp as TimestampT } from "cosmjs-types/google/protobuf/timestamp";
import type { BlockID as BlockIDT, Commit, Header, SignedHeader as SignedHeaderT } from "cosmjs-types/tendermint/types/types";
import type { Validator, ValidatorSet as ValidatorSetT } from "cosmjs-types/tendermint/types/validator";
import { bytesEqual, hex } from "./bytes.ts";
import { listRoot } from "./merkle.ts";
import { decodeStateProof, verifyStateProof } from "./proof.ts";
import { storageKey } from "./state.ts";

ed.hashes.sha512 = sha512;

const { BinaryWriter } = binary;
const { Timestamp } = timestamp;
const { Consensus } = version;
const { BlockID, SignedHeader, SignedMsgType } = types;
const { BlockIDFlag, SimpleValidator, ValidatorSet } = validator;
export type { Validator };

/**
 * Why a header, commit, validator set or proof was refused. The numbers are the C verifier's
 * (firmware-host/src/mote_light.h, MOTE_LIGHT_E_*): the same input gets the same code on both sides.
 */
export const LIGHT_ERRORS = {
  malformed: 1, // a protobuf message does not decode (truncated, bad wire type) or a required part is missing
  non_canonical: 2, // decodes, but is not the canonical encoding of what it decodes to (padding, reordering)
  chain_id: 3, // the header belongs to another chain
  header_hash: 4, // the commit signs a different block than this header (a header field was changed)
  commit_height: 5, // the commit is for another height than the header
  validators_hash: 6, // the trusted validator set is not the header's
  commit_size: 7, // the commit's signature count is not the validator set's size
  validator_address: 8, // a signature names another validator than the one at its index
  signature: 9, // an Ed25519 signature does not verify over the canonical vote bytes
  insufficient_power: 10, // the valid signatures hold 2/3 of the power or less
  bad_validator: 11, // a validator has no Ed25519 key, a key of the wrong length, or no power
  bad_commit_sig: 12, // a signature entry has an unknown flag or a signature of the wrong length
  proof_key: 13, // the state proof is for another key
  proof_root: 14, // the state proof does not lead to the header's app hash
  proof_malformed: 15, // the state proof does not decode
} as const;
export type LightErrorCode = keyof typeof LIGHT_ERRORS;

export class LightClientError extends Error {
  constructor(
    readonly code: LightErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = "LightClientError";
  }
  /** The C verifier's number for this code. */
  get number(): number {
    return LIGHT_ERRORS[this.code];
  }
}

const fail = (code: LightErrorCode, detail: string): never => {
  throw new LightClientError(code, detail);
};

// ---- encodings the header hash and the vote sign bytes are made of ----
// cosmjs-types has Header, Commit and the validator types but not tendermint/types/canonical.proto nor
// google/protobuf/wrappers.proto; these few messages are written field by field with its BinaryWriter,
// in the shape of its generated code (zero values omitted, as proto3 and gogoproto do).

/** gogotypes.StringValue / Int64Value / BytesValue: CometBFT's cdcEncode of one header field. */
const stringValue = (s: string): Uint8Array => (s === "" ? new Uint8Array() : BinaryWriter.create().uint32(10).string(s).finish());
const int64Value = (n: bigint): Uint8Array => (n === 0n ? new Uint8Array() : BinaryWriter.create().uint32(8).int64(n).finish());
const bytesValue = (b: Uint8Array): Uint8Array => (b.length === 0 ? new Uint8Array() : BinaryWriter.create().uint32(10).bytes(b).finish());

/** CometBFT's Header.Hash(): the RFC 6962 Merkle root (ledger/merkle.ts is the same tree) of its fields. */
export function headerHash(h: Header): Uint8Array {
  return listRoot([
    Consensus.encode(h.version).finish(),
    stringValue(h.chainId),
    int64Value(h.height),
    Timestamp.encode(h.time).finish(),
    BlockID.encode(h.lastBlockId).finish(),
    bytesValue(h.lastCommitHash),
    bytesValue(h.dataHash),
    bytesValue(h.validatorsHash),
    bytesValue(h.nextValidatorsHash),
    bytesValue(h.consensusHash),
    bytesValue(h.appHash),
    bytesValue(h.lastResultsHash),
    bytesValue(h.evidenceHash),
    bytesValue(h.proposerAddress),
  ]);
}

/** CometBFT's ValidatorSet.Hash(): the Merkle root of each validator's SimpleValidator encoding, in order. */
export function validatorSetHash(vals: readonly Validator[]): Uint8Array {
  return listRoot(vals.map((v) => SimpleValidator.encode({ pubKey: v.pubKey, votingPower: v.votingPower }).finish()));
}

/** A validator's address: the first 20 bytes of SHA-256 of its Ed25519 public key. */
export const validatorAddress = (pubKey: Uint8Array): Uint8Array => sha256(pubKey).subarray(0, 20);

/**
 * The bytes validator `index` signed for a precommit in `commit`: CanonicalVote (canonical.proto:
 * type=1 enum, height=2 sfixed64, round=3 sfixed64, block_id=4 CanonicalBlockID{hash=1,
 * part_set_header=2{total=1 uint32, hash=2}}, timestamp=5, chain_id=6), prefixed by its length as a varint.
 */
export function voteSignBytes(chainId: string, commit: Commit, index: number): Uint8Array {
  const sig = commit.signatures[index];
  if (!sig) return fail("commit_size", `no signature ${index}`);
  const w = BinaryWriter.create();
  w.uint32(8).int32(SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT);
  if (commit.height !== 0n) w.uint32(17).sfixed64(commit.height);
  if (commit.round !== 0) w.uint32(25).sfixed64(BigInt(commit.round));
  if (sig.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT) {
    const id = w.uint32(34).fork();
    if (commit.blockId.hash.length !== 0) id.uint32(10).bytes(commit.blockId.hash);
    const psh = id.uint32(18).fork();
    if (commit.blockId.partSetHeader.total !== 0) psh.uint32(8).uint32(commit.blockId.partSetHeader.total);
    if (commit.blockId.partSetHeader.hash.length !== 0) psh.uint32(18).bytes(commit.blockId.partSetHeader.hash);
    psh.ldelim();
    id.ldelim();
  }
  Timestamp.encode(sig.timestamp, w.uint32(42).fork()).ldelim();
  if (chainId !== "") w.uint32(50).string(chainId);
  const body = w.finish();
  return BinaryWriter.create().bytes(body).finish();
}

// ---- strict decoding of what a node sends ----

function strictDecode<T>(what: string, bytes: Uint8Array, codec: { decode(b: Uint8Array): T; encode(m: T): { finish(): Uint8Array } }): T {
  let m: T;
  try {
    m = codec.decode(bytes);
  } catch (e) {
    return fail("malformed", `${what} (${bytes.length} bytes) does not decode: ${(e as Error).message}`);
  }
  const again = codec.encode(m).finish();
  if (!bytesEqual(again, bytes)) {
    // they differ, so the walk stops at a differing byte or where the shorter ends (undefined !== a byte)
    let i = 0;
    while (again[i] === bytes[i]) i++;
    fail("non_canonical", `${what} is not canonically encoded: differs at byte ${i} (${bytes.length} bytes, canonical ${again.length})`);
  }
  return m;
}

/** tendermint.types.SignedHeader from its protobuf bytes; both parts must be present. */
export function decodeSignedHeader(bytes: Uint8Array): SignedHeaderT {
  const sh = strictDecode("signed header", bytes, SignedHeader);
  if (!sh.header) fail("malformed", "signed header has no header");
  if (!sh.commit) fail("malformed", "signed header has no commit");
  return sh;
}

/** tendermint.types.ValidatorSet from its protobuf bytes (only `validators` is used). */
export function decodeValidatorSet(bytes: Uint8Array): ValidatorSetT {
  const set = strictDecode("validator set", bytes, ValidatorSet);
  if (set.validators.length === 0) fail("malformed", "validator set has no validators");
  // A set cut between two validators still decodes; its total no longer adds up.
  const sum = set.validators.reduce((a, v) => a + v.votingPower, 0n);
  if (set.totalVotingPower !== sum) fail("malformed", `validator set total_voting_power ${set.totalVotingPower} is not its validators' sum ${sum}`);
  return set;
}

// ---- the check ----

export interface VerifiedHeader {
  chainId: string;
  height: bigint;
  /** The header's app hash: the state root after block height - 1. */
  appHash: Uint8Array;
  blockHash: Uint8Array;
  /** Validators whose valid precommit for this block counted, and the set's size. */
  signers: number;
  validators: number;
  signedPower: bigint;
  totalPower: bigint;
}

/**
 * Verifies `sh` (a header and the commit for it) against a trusted validator set: the header is on
 * `chainId`, the set is the header's, the commit signs this header's hash, and valid precommit
 * signatures hold more than 2/3 of the set's power. Nil and absent votes count for nothing. Every
 * signature for the block is checked (not only up to 2/3), so `signers` is exact.
 */
export function verifyCommit(trusted: readonly Validator[], sh: SignedHeaderT, chainId: string): VerifiedHeader {
  const header = sh.header ?? fail("malformed", "signed header has no header");
  const commit = sh.commit ?? fail("malformed", "signed header has no commit");
  if (header.chainId !== chainId) fail("chain_id", `header is on chain "${header.chainId}", expected "${chainId}"`);
  if (commit.height !== header.height) fail("commit_height", `commit is for height ${commit.height}, header is ${header.height}`);
  const blockHash = headerHash(header);
  if (!bytesEqual(commit.blockId.hash, blockHash)) {
    fail("header_hash", `commit signs block ${hex(commit.blockId.hash)}, header hashes to ${hex(blockHash)}`);
  }
  if (trusted.length === 0) fail("bad_validator", "the trusted validator set is empty");
  let totalPower = 0n;
  trusted.forEach((v, i) => {
    if (!v.pubKey || v.pubKey.ed25519 === undefined) fail("bad_validator", `validator ${i} has no Ed25519 key`);
    if (v.pubKey!.ed25519!.length !== 32) fail("bad_validator", `validator ${i}'s key is ${v.pubKey!.ed25519!.length} bytes, not 32`);
    if (v.votingPower <= 0n) fail("bad_validator", `validator ${i} has voting power ${v.votingPower}`);
    totalPower += v.votingPower;
  });
  // CometBFT caps the total at MaxInt64 / 8; more would overflow its own arithmetic.
  if (totalPower > 0x7fffffffffffffffn / 8n) fail("bad_validator", `total voting power ${totalPower} exceeds CometBFT's maximum`);
  const setHash = validatorSetHash(trusted);
  if (!bytesEqual(setHash, header.validatorsHash)) {
    fail("validators_hash", `trusted validator set hashes to ${hex(setHash)}, header names ${hex(header.validatorsHash)}`);
  }
  if (commit.signatures.length !== trusted.length) {
    fail("commit_size", `commit has ${commit.signatures.length} signatures for ${trusted.length} validators`);
  }
  let signedPower = 0n;
  let signers = 0;
  commit.signatures.forEach((s, i) => {
    if (s.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_ABSENT || s.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_NIL) return;
    if (s.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_COMMIT) fail("bad_commit_sig", `signature ${i} has block id flag ${s.blockIdFlag}`);
    const v = trusted[i]!;
    const pk = v.pubKey!.ed25519!;
    if (!bytesEqual(s.validatorAddress, validatorAddress(pk))) {
      fail("validator_address", `signature ${i} is from ${hex(s.validatorAddress)}, validator ${i} is ${hex(validatorAddress(pk))}`);
    }
    if (s.signature.length !== 64) fail("bad_commit_sig", `signature ${i} is ${s.signature.length} bytes, not 64`);
    if (!ed.verify(s.signature, voteSignBytes(chainId, commit, i), pk, { zip215: false })) {
      fail("signature", `signature ${i} (validator ${hex(s.validatorAddress)}) does not verify`);
    }
    signedPower += v.votingPower;
    signers++;
  });
  if (signedPower * 3n <= totalPower * 2n) {
    fail("insufficient_power", `signatures hold ${signedPower} of ${totalPower} voting power, need more than 2/3`);
  }
  return { chainId, height: header.height, appHash: header.appHash, blockHash, signers, validators: trusted.length, signedPower, totalPower };
}

/**
 * Checks an encoded state proof (ledger/proof.ts) for storage entry (`contract`, `key`) against a
 * verified header's app hash; gives the value, or null for a proven absence.
 */
export function verifyStorageProof(verified: VerifiedHeader, contract: Uint8Array, key: Uint8Array, proofBytes: Uint8Array): Uint8Array | null {
  let proof;
  try {
    proof = decodeStateProof(proofBytes);
  } catch (e) {
    return fail("proof_malformed", (e as Error).message);
  }
  const want = storageKey(contract, key);
  if (!bytesEqual(proof.key, want)) fail("proof_key", `proof is for state key ${hex(proof.key)}, asked for ${hex(want)}`);
  const verdict = verifyStateProof(verified.appHash, proof);
  if (!verdict.ok) fail("proof_root", `${verdict.reason} (app hash ${hex(verified.appHash)} at height ${verified.height})`);
  return verdict.ok ? verdict.value : null;
}

// ---- CometBFT RPC JSON (what /commit and /validators return) into the protobuf types ----

// Stryker disable next-line StringLiteral: equivalent, Buffer.from(text, "hex") stops at the first character that is not hex: Stryker's "Stryker was here!" decodes to nothing, as "" does
const unhex = (s: string | null | undefined): Uint8Array => new Uint8Array(Buffer.from(s ?? "", "hex"));
const unb64 = (s: string | null | undefined): Uint8Array => new Uint8Array(Buffer.from(s ?? "", "base64"));

/** RFC 3339 with up to 9 fractional digits, as CometBFT prints times, to a protobuf Timestamp. */
export function timestampFromRpc(s: string): TimestampT {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) return fail("malformed", `time "${s}" is not RFC 3339 UTC`);
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) return fail("malformed", `time "${s}" is not a date`);
  return { seconds: BigInt(ms / 1000), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

interface RpcBlockId {
  hash: string;
  parts: { total: number; hash: string };
}
const blockIdFromRpc = (b: RpcBlockId): BlockIDT => ({ hash: unhex(b.hash), partSetHeader: { total: b.parts.total, hash: unhex(b.parts.hash) } });

/** The `signed_header` of CometBFT's /commit result. */
export function signedHeaderFromRpc(j: any): SignedHeaderT {
  const h = j.header;
  const c = j.commit;
  return {
    header: {
      version: { block: BigInt(h.version.block), app: BigInt(h.version.app ?? 0) },
      chainId: h.chain_id,
      height: BigInt(h.height),
      time: timestampFromRpc(h.time),
      lastBlockId: blockIdFromRpc(h.last_block_id),
      lastCommitHash: unhex(h.last_commit_hash),
      dataHash: unhex(h.data_hash),
      validatorsHash: unhex(h.validators_hash),
      nextValidatorsHash: unhex(h.next_validators_hash),
      consensusHash: unhex(h.consensus_hash),
      appHash: unhex(h.app_hash),
      lastResultsHash: unhex(h.last_results_hash),
      evidenceHash: unhex(h.evidence_hash),
      proposerAddress: unhex(h.proposer_address),
    },
    commit: {
      height: BigInt(c.height),
      round: Number(c.round),
      blockId: blockIdFromRpc(c.block_id),
      signatures: c.signatures.map((s: any) => ({
        blockIdFlag: Number(s.block_id_flag),
        validatorAddress: unhex(s.validator_address),
        timestamp: timestampFromRpc(s.timestamp),
        signature: unb64(s.signature),
      })),
    },
  };
}

/** The `validators` of CometBFT's /validators result (all pages, in the order returned). */
export function validatorsFromRpc(list: any[]): Validator[] {
  return list.map((v, i) => {
    if (v.pub_key?.type !== "tendermint/PubKeyEd25519") fail("bad_validator", `validator ${i} has a ${v.pub_key?.type} key, not Ed25519`);
    return {
      address: unhex(v.address),
      pubKey: { ed25519: unb64(v.pub_key.value) },
      votingPower: BigInt(v.voting_power),
      proposerPriority: BigInt(v.proposer_priority ?? 0),
    };
  });
}

/** A trusted set's protobuf form, as a device stores it: ValidatorSet with only `validators` and the total. */
export function encodeValidatorSet(vals: readonly Validator[]): Uint8Array {
  const total = vals.reduce((a, v) => a + v.votingPower, 0n);
  return ValidatorSet.encode({ validators: [...vals], proposer: undefined, totalVotingPower: total }).finish();
}

/**
 * The validator set a CometBFT genesis.json starts with, in the order the engine keeps a set (voting power
 * descending, then address ascending): the trust root a client holds before it has verified anything.
 */
export function validatorsFromGenesis(genesis: any): { chainId: string; validators: Validator[] } {
  if (typeof genesis?.chain_id !== "string" || !Array.isArray(genesis.validators)) fail("malformed", "genesis has no chain_id or validators");
  const vals = validatorsFromRpc(genesis.validators.map((v: any) => ({ ...v, voting_power: v.power ?? v.voting_power })));
  for (const v of vals) if (v.address.length === 0) v.address = validatorAddress(v.pubKey.ed25519!);
  vals.sort((a, b) => (a.votingPower > b.votingPower ? -1 : a.votingPower < b.votingPower ? 1 : Buffer.compare(a.address, b.address)));
  return { chainId: genesis.chain_id, validators: vals };
}
