// Every bound of a transaction's fields (docs/ledger.md, "Transaction"), at the bound and one past it, on both
// sides: encodeUnsignedTx accepts exactly what decodeTx accepts, and each refusal names the field and the value
// (issue 20: Stryker survivors of ledger/tx.ts). Limits come from vm/spec/limits.ts, not literals.
import { describe, expect, it } from "vitest";
import { chainIdFromBytes, checkChainId, decodeTx, encodeUnsignedTx, signTx, txSignatureValid, type UnsignedTx } from "../../ledger/tx.ts";
import { DecodeError } from "../../ledger/errors.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { key } from "./helpers.ts";

const alice = key(1);
const U64 = 2n ** 64n;
const MAX_GAS = LIMITS.MAX_GAS.value;
const MAX_MODULE = LIMITS.MODULE_MAX_BYTES.value;
const MAX_ARGS = LIMITS.MAX_PARAMS.value;

const header = { genesisHash: new Uint8Array(32).fill(0x6e), sender: alice.publicKey, nonce: 3n, gasLimit: 50_000, gasPrice: 7n, value: 9n };
const callTx = (over: Partial<UnsignedTx> = {}): UnsignedTx => ({ ...header, kind: "call", contract: new Uint8Array(32).fill(0xcc), selector: 1, args: [], ...over }) as UnsignedTx;
const deployTx = (over: Partial<UnsignedTx> = {}): UnsignedTx => ({ ...header, kind: "deploy", module: new Uint8Array(10).fill(1), args: [], ...over }) as UnsignedTx;

/** Signs and decodes: the transaction must come back field for field, with a valid signature. */
function roundTrip(tx: UnsignedTx): void {
  const s = signTx(tx, alice);
  const d = decodeTx(s.bytes);
  expect(d.tx).toEqual(tx);
  expect(txSignatureValid(d)).toBe(true);
}

/** The bytes of `tx` with the u32/u16 at `at` overwritten (little-endian), as a forger would. */
function patched(tx: UnsignedTx, at: number, width: 2 | 4, v: number): Uint8Array {
  const b = signTx(tx, alice).bytes.slice();
  const dv = new DataView(b.buffer);
  if (width === 4) dv.setUint32(at, v, true);
  else dv.setUint16(at, v, true);
  return b;
}

function decodeMessage(b: Uint8Array): string {
  try {
    decodeTx(b);
  } catch (e) {
    if (e instanceof DecodeError) return e.message;
    throw e;
  }
  return "decoded";
}

describe("transaction field bounds, at and one past each", () => {
  it("nonce, gas price and value: 0 and 2^64 - 1 round-trip, -1 and 2^64 are refused by name", () => {
    for (const f of ["nonce", "gasPrice", "value"] as const) {
      roundTrip(callTx({ [f]: 0n }));
      roundTrip(callTx({ [f]: U64 - 1n }));
      const name = { nonce: "nonce", gasPrice: "gas price", value: "value" }[f];
      expect(() => encodeUnsignedTx(callTx({ [f]: U64 }))).toThrow(`${name} ${U64} is outside u64`);
      expect(() => encodeUnsignedTx(callTx({ [f]: -1n }))).toThrow(`${name} -1 is outside u64`);
    }
  });

  it("gas limit: 1 and MAX_GAS round-trip; 0, MAX_GAS + 1 and fractions are refused when encoding and decoding", () => {
    roundTrip(callTx({ gasLimit: 1 }));
    roundTrip(callTx({ gasLimit: MAX_GAS }));
    for (const g of [0, MAX_GAS + 1, 1.5]) expect(() => encodeUnsignedTx(callTx({ gasLimit: g }))).toThrow(`gas limit ${g} is outside 1..${MAX_GAS}`);
    // gas_limit sits after version, kind, genesis hash, sender and nonce: 1 + 1 + 32 + 32 + 8 = 74.
    expect(decodeMessage(patched(callTx(), 74, 4, MAX_GAS + 1))).toBe(`tx.gas_limit at byte 74: gas limit ${MAX_GAS + 1} is outside 1..${MAX_GAS}`);
    expect(decodeMessage(patched(callTx(), 74, 4, MAX_GAS))).toBe("decoded");
    expect(decodeMessage(patched(callTx(), 74, 4, 1))).toBe("decoded");
  });

  it("a deploy's module: 1 and MODULE_MAX_BYTES bytes round-trip; 0 and one more are refused when encoding and decoding", () => {
    roundTrip(deployTx({ module: new Uint8Array(1).fill(7) }));
    roundTrip(deployTx({ module: new Uint8Array(MAX_MODULE).fill(7) }));
    for (const n of [0, MAX_MODULE + 1]) {
      expect(() => encodeUnsignedTx(deployTx({ module: new Uint8Array(n) }))).toThrow(`module of ${n} bytes is outside 1..${MAX_MODULE}`);
    }
    // The module length (u16) follows the value: 74 + 4 + 8 + 8 = 94.
    expect(decodeMessage(patched(deployTx(), 94, 2, 0))).toBe(`tx.module.length at byte 94: module of 0 bytes is outside 1..${MAX_MODULE}`);
    expect(decodeMessage(patched(deployTx({ module: new Uint8Array(MAX_MODULE) }), 94, 2, MAX_MODULE + 1))).toBe(
      `tx.module.length at byte 94: module of ${MAX_MODULE + 1} bytes is outside 1..${MAX_MODULE}`,
    );
  });

  it("a truncated deploy names the field it stops in: module length, module, argument count, first argument", () => {
    const b = signTx(deployTx({ module: new Uint8Array(10).fill(1), args: [5n] }), alice).bytes;
    expect(decodeMessage(b.subarray(0, 95))).toBe("tx.module.length at byte 94: truncated: needs 2 byte(s), 1 left");
    expect(decodeMessage(b.subarray(0, 100))).toBe("tx.module at byte 96: truncated: needs 10 byte(s), 4 left");
    expect(decodeMessage(b.subarray(0, 106))).toBe("tx.args.count at byte 106: truncated: needs 1 byte(s), 0 left");
    expect(decodeMessage(b.subarray(0, 107))).toBe("tx.args[0].tag at byte 107: truncated: needs 1 byte(s), 0 left");
  });

  it("a decoded transaction keeps its own bytes: reusing the input buffer afterwards changes nothing decoded", () => {
    const input = signTx(callTx(), alice).bytes.slice();
    const d = decodeTx(input);
    const want = input.slice();
    input.fill(0);
    expect(d.bytes).toEqual(want);
    expect(txSignatureValid(d)).toBe(true);
  });

  it("arguments: MAX_PARAMS round-trip, one more is refused", () => {
    roundTrip(callTx({ args: Array.from({ length: MAX_ARGS }, (_, i) => BigInt(i)) }));
    expect(() => encodeUnsignedTx(callTx({ args: Array.from({ length: MAX_ARGS + 1 }, () => 0n) }))).toThrow(`${MAX_ARGS + 1} arguments, at most ${MAX_ARGS}`);
  });

  it("32-byte fields: genesis hash, sender and contract id of 31 or 33 bytes are refused with their length", () => {
    for (const n of [31, 33]) {
      expect(() => encodeUnsignedTx(callTx({ genesisHash: new Uint8Array(n) }))).toThrow(`genesis hash must be 32 bytes, got ${n}`);
      expect(() => encodeUnsignedTx(callTx({ sender: new Uint8Array(n) }))).toThrow(`sender must be a 32-byte public key, got ${n} bytes`);
      expect(() => encodeUnsignedTx(callTx({ contract: new Uint8Array(n) }))).toThrow(`contract id must be 32 bytes, got ${n}`);
    }
  });

  it("a signature over another transaction's bytes, or by another key, does not verify", () => {
    const s = signTx(callTx(), alice);
    const other = signTx(callTx({ nonce: 4n }), alice);
    expect(txSignatureValid(decodeTx(Uint8Array.of(...s.bytes.subarray(0, s.bytes.length - 64), ...other.signature)))).toBe(false);
    const bob = key(2);
    const byBob = signTx(callTx({ sender: bob.publicKey }), bob);
    const claimed = Uint8Array.of(...encodeUnsignedTx(callTx()), ...byBob.signature);
    expect(txSignatureValid(decodeTx(claimed))).toBe(false);
  });
});

describe("chain ids: 1-32 characters of A-Z a-z 0-9 . _ -, as bytes and as strings", () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it("accepts every allowed character and both lengths at the bounds", () => {
    const all = "AZaz09._-";
    expect(chainIdFromBytes(enc(all))).toBe(all);
    for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") expect(chainIdFromBytes(enc(c))).toBe(c);
    expect(chainIdFromBytes(enc("a".repeat(32)))).toBe("a".repeat(32));
    expect(() => checkChainId("a".repeat(32))).not.toThrow();
    expect(() => checkChainId("x")).not.toThrow();
  });

  it("refuses 0 and 33 characters and every byte just outside each allowed range", () => {
    expect(chainIdFromBytes(new Uint8Array(0))).toBeUndefined();
    expect(chainIdFromBytes(enc("a".repeat(33)))).toBeUndefined();
    // Neighbours of 0-9 (0x30-0x39), A-Z (0x41-0x5a), a-z (0x61-0x7a), and of . _ -
    for (const b of [0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x2c, 0x5e, 0x20, 0x00, 0xef]) {
      expect(chainIdFromBytes(Uint8Array.of(0x61, b)), `byte 0x${b.toString(16)}`).toBeUndefined();
    }
    for (const s of ["", "a".repeat(33), "a b", "a/b", "é"]) expect(() => checkChainId(s)).toThrow(`chain id '${s}' must be 1-32 characters of A-Z a-z 0-9 . _ -`);
  });
});
