// Transactions: the one canonical binary encoding of deploy and call, bound to one chain by its genesis
// hash, signing over everything but the signature, and the strict decoder that names the field and byte
// offset of any malformed input. Byte layout: docs/ledger.md, "Transaction".
import { sha256 } from "@noble/hashes/sha2.js";
import { LIMITS } from "../vm/spec/limits.ts";
import { ByteReader, ByteWriter, checkValue, concat, readValues, writeValues, type Value } from "./bytes.ts";
import { verifySignature, type KeyPair } from "./keys.ts";

/** Version 3 replaced the chain id string by the chain's genesis hash. */
export const TX_VERSION = 3;
export const TX_KIND = { deploy: 1, call: 2 } as const;
/** Prepended to the signed bytes so a transaction signature can never be replayed as another message. */
export const TX_SIGN_DOMAIN = new TextEncoder().encode("mote/tx/v3\0");

const CHAIN_ID_RE = /^[A-Za-z0-9._-]{1,32}$/;

/**
 * A chain id from its encoded bytes, or undefined when they are not one: exactly the bytes of 1-32
 * characters of A-Z a-z 0-9 . _ -, nothing decoded or skipped (a UTF-8 decoder would strip a leading
 * byte-order mark and accept a second encoding of the same id).
 */
export function chainIdFromBytes(b: Uint8Array): string | undefined {
  if (b.length < 1 || b.length > 32) return undefined;
  let s = "";
  for (const c of b) {
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f || c === 0x2d;
    if (!ok) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

export function checkChainId(id: string): void {
  if (!CHAIN_ID_RE.test(id)) throw new RangeError(`chain id '${id}' must be 1-32 characters of A-Z a-z 0-9 . _ -`);
}

export interface TxHeader {
  /** The hash of the genesis block of the one chain this transaction is for (Ledger.genesisHash). */
  genesisHash: Uint8Array;
  sender: Uint8Array;
  nonce: bigint;
  gasLimit: number;
  /** Native units paid per gas used, to the chain's fee account; at least the chain's minimum. */
  gasPrice: bigint;
  /** Native value credited to the contract (the new instance, for a deploy) before it runs; returned if it does not end ok. */
  value: bigint;
}

export type TxBody =
  | { kind: "deploy"; module: Uint8Array; args: Value[] }
  | { kind: "call"; contract: Uint8Array; selector: number; args: Value[] };

export type UnsignedTx = TxHeader & TxBody;

export interface SignedTx {
  tx: UnsignedTx;
  signature: Uint8Array;
  /** The canonical encoding, signature included. */
  bytes: Uint8Array;
  /** SHA-256 of `bytes`. */
  id: Uint8Array;
}

export function encodeUnsignedTx(tx: UnsignedTx): Uint8Array {
  if (tx.genesisHash.length !== 32) throw new RangeError(`genesis hash must be 32 bytes, got ${tx.genesisHash.length}`);
  if (tx.sender.length !== 32) throw new RangeError(`sender must be a 32-byte public key, got ${tx.sender.length} bytes`);
  if (tx.nonce < 0n || tx.nonce >= 2n ** 64n) throw new RangeError(`nonce ${tx.nonce} is outside u64`);
  if (!Number.isInteger(tx.gasLimit) || tx.gasLimit < 1 || tx.gasLimit > LIMITS.MAX_GAS.value) {
    throw new RangeError(`gas limit ${tx.gasLimit} is outside 1..${LIMITS.MAX_GAS.value}`);
  }
  if (tx.gasPrice < 0n || tx.gasPrice >= 2n ** 64n) throw new RangeError(`gas price ${tx.gasPrice} is outside u64`);
  if (tx.value < 0n || tx.value >= 2n ** 64n) throw new RangeError(`value ${tx.value} is outside u64`);
  if (tx.args.length > LIMITS.MAX_PARAMS.value) throw new RangeError(`${tx.args.length} arguments, at most ${LIMITS.MAX_PARAMS.value}`);
  tx.args.forEach((a, i) => checkValue(a, `argument ${i}`));
  const w = new ByteWriter().u8(TX_VERSION).u8(TX_KIND[tx.kind]).bytes(tx.genesisHash).bytes(tx.sender).u64(tx.nonce).u32(tx.gasLimit).u64(tx.gasPrice).u64(tx.value);
  if (tx.kind === "deploy") {
    if (tx.module.length < 1 || tx.module.length > LIMITS.MODULE_MAX_BYTES.value) {
      throw new RangeError(`module of ${tx.module.length} bytes is outside 1..${LIMITS.MODULE_MAX_BYTES.value}`);
    }
    w.u16(tx.module.length).bytes(tx.module);
  } else {
    if (tx.contract.length !== 32) throw new RangeError(`contract id must be 32 bytes, got ${tx.contract.length}`);
    w.bytes(tx.contract).u32(tx.selector);
  }
  writeValues(w, tx.args);
  return w.finish();
}

export function signTx(tx: UnsignedTx, key: KeyPair): SignedTx {
  if (Buffer.compare(tx.sender, key.publicKey) !== 0) throw new RangeError("the sender must be the signing key's public key");
  const unsigned = encodeUnsignedTx(tx);
  const signature = key.sign(concat(TX_SIGN_DOMAIN, unsigned));
  const bytes = concat(unsigned, signature);
  return { tx, signature, bytes, id: sha256(bytes) };
}

/** Decodes a transaction; `base` shifts reported offsets when the bytes sit inside a block or export. */
export function decodeTx(bytes: Uint8Array, base = 0): SignedTx {
  const r = new ByteReader(bytes, base);
  const version = r.u8("tx.version");
  if (version !== TX_VERSION) {
    const why = version === 2 ? " (version 2 named the chain by its id only; sign it again for this chain)" : "";
    r.fail("tx.version", `unsupported transaction version ${version}, expected ${TX_VERSION}${why}`, 0);
  }
  const kindAt = r.offset;
  const kindCode = r.u8("tx.kind");
  const kind: "deploy" | "call" =
    kindCode === TX_KIND.deploy ? "deploy" : kindCode === TX_KIND.call ? "call" : r.fail("tx.kind", `unknown transaction kind ${kindCode} (1 deploy, 2 call)`, kindAt);
  const genesisHash = r.bytes(32, "tx.genesis_hash");
  const sender = r.bytes(32, "tx.sender");
  const nonce = r.u64("tx.nonce");
  const gasAt = r.offset;
  const gasLimit = r.u32("tx.gas_limit");
  if (gasLimit < 1 || gasLimit > LIMITS.MAX_GAS.value) r.fail("tx.gas_limit", `gas limit ${gasLimit} is outside 1..${LIMITS.MAX_GAS.value}`, gasAt);
  const gasPrice = r.u64("tx.gas_price");
  const value = r.u64("tx.value");
  let body: TxBody;
  if (kind === "deploy") {
    const lenAt = r.offset;
    const len = r.u16("tx.module.length");
    if (len < 1 || len > LIMITS.MODULE_MAX_BYTES.value) r.fail("tx.module.length", `module of ${len} bytes is outside 1..${LIMITS.MODULE_MAX_BYTES.value}`, lenAt);
    const module = r.bytes(len, "tx.module");
    body = { kind, module, args: readValues(r, "tx.args", LIMITS.MAX_PARAMS.value) };
  } else {
    const contract = r.bytes(32, "tx.contract");
    const selector = r.u32("tx.selector");
    body = { kind, contract, selector, args: readValues(r, "tx.args", LIMITS.MAX_PARAMS.value) };
  }
  const signature = r.bytes(64, "tx.signature");
  r.end("tx");
  return { tx: { genesisHash, sender, nonce, gasLimit, gasPrice, value, ...body }, signature, bytes: bytes.slice(), id: sha256(bytes) };
}

/** Whether the signature is the sender's over the domain tag and every other byte of the transaction (the genesis hash among them). */
export function txSignatureValid(s: SignedTx): boolean {
  const unsigned = s.bytes.subarray(0, s.bytes.length - 64);
  return verifySignature(s.signature, concat(TX_SIGN_DOMAIN, unsigned), s.tx.sender);
}

