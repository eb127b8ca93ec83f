// Canonical encodings of transactions and blocks: round trips, and every malformed, truncated or
// extended input rejected with the field and byte offset where it goes wrong.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeTx, encodeUnsignedTx, signTx, txSignatureValid, type UnsignedTx } from "../../ledger/tx.ts";
import { decodeBlock, encodeReceipt, makeBlock, ZERO_HASH, type Receipt } from "../../ledger/block.ts";
import { DecodeError } from "../../ledger/errors.ts";
import { hex } from "../../ledger/bytes.ts";
import { key, decodeError } from "./helpers.ts";

const alice = key(1);
const callTx = (over: Partial<UnsignedTx> = {}): UnsignedTx =>
  ({
    genesisHash: new Uint8Array(32).fill(0x6e),
    sender: alice.publicKey,
    nonce: 3n,
    gasLimit: 50_000,
    gasPrice: 7n,
    value: 9n,
    kind: "call",
    contract: new Uint8Array(32).fill(0xcc),
    selector: 0x11223344,
    args: [5n, Uint8Array.of(1, 2, 3), -1n],
    ...over,
  }) as UnsignedTx;

describe("transaction encoding", () => {
  it("lays out a call exactly as documented", () => {
    const b = encodeUnsignedTx(callTx({ args: [] }));
    // version, kind, genesis hash, sender, nonce, gas limit, gas price, value, contract, selector, arg count
    expect(b.length).toBe(1 + 1 + 32 + 32 + 8 + 4 + 8 + 8 + 32 + 4 + 1);
    expect(hex(b.subarray(0, 34))).toBe("0302" + "6e".repeat(32));
    expect(hex(b.subarray(34, 66))).toBe(hex(alice.publicKey));
    expect(hex(b.subarray(66, 74))).toBe("0300000000000000");
    expect(hex(b.subarray(74, 78))).toBe("50c30000");
    expect(hex(b.subarray(78, 86))).toBe("0700000000000000");
    expect(hex(b.subarray(86, 94))).toBe("0900000000000000");
    expect(hex(b.subarray(94, 126))).toBe("cc".repeat(32));
    expect(hex(b.subarray(126, 130))).toBe("44332211");
    expect(b[130]).toBe(0);
  });

  it("round-trips signed deploys and calls, and the signature covers every byte before it", () => {
    for (const tx of [callTx(), callTx({ kind: "deploy", module: Uint8Array.of(0x4d, 0x4f, 0x54, 0x45, 1), args: [7n] } as Partial<UnsignedTx>)]) {
      const s = signTx(tx, alice);
      const d = decodeTx(s.bytes);
      expect(hex(d.bytes)).toBe(hex(s.bytes));
      expect(hex(d.id)).toBe(hex(s.id));
      expect(txSignatureValid(d)).toBe(true);
      expect(d.tx.args.map((a) => (typeof a === "bigint" ? a.toString() : hex(a)))).toEqual(
        tx.args.map((a) => (typeof a === "bigint" ? BigInt.asUintN(64, a).toString() : hex(a))),
      );
      for (let i = 0; i < s.bytes.length - 64; i++) {
        const t = s.bytes.slice();
        t[i] ^= 0x01;
        let valid = false;
        try {
          valid = txSignatureValid(decodeTx(t));
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
        expect(valid, `flipping byte ${i} left a valid signature`).toBe(false);
      }
    }
  });

  it("rejects every truncation and any trailing byte, naming the field and offset", () => {
    const s = signTx(callTx(), alice);
    for (let n = 0; n < s.bytes.length; n++) {
      const e = decodeError(() => decodeTx(s.bytes.subarray(0, n)));
      expect(e.message).toMatch(/^tx\.[a-z_.[\]0-9]+ at byte \d+: /);
      expect(e.offset).toBeLessThanOrEqual(n);
    }
    const e = decodeError(() => decodeTx(Uint8Array.of(...s.bytes, 0)));
    expect(e.message).toBe(`tx at byte ${s.bytes.length}: 1 trailing byte(s)`);
  });

  it("names the bad field of non-canonical input", () => {
    const s = signTx(callTx(), alice).bytes;
    const at = (i: number, v: number): Uint8Array => {
      const t = s.slice();
      t[i] = v;
      return t;
    };
    expect(decodeError(() => decodeTx(at(0, 1))).message).toBe("tx.version at byte 0: unsupported transaction version 1, expected 3");
    expect(decodeError(() => decodeTx(at(1, 9))).message).toBe("tx.kind at byte 1: unknown transaction kind 9 (1 deploy, 2 call)");
    expect(decodeError(() => decodeTx(at(0, 2))).message).toMatch(/^tx\.version at byte 0: unsupported transaction version 2, expected 3 \(version 2 named the chain by its id only/);
    const noGas = s.slice();
    noGas.fill(0, 74, 78);
    expect(decodeError(() => decodeTx(noGas)).message).toBe("tx.gas_limit at byte 74: gas limit 0 is outside 1..2000000000");
    // args start at 130: count 3, then arg 0's tag
    expect(decodeError(() => decodeTx(at(130, 9))).message).toBe("tx.args.count at byte 130: 9 values, at most 8 allowed");
    expect(decodeError(() => decodeTx(at(131, 7))).message).toBe("tx.args[0].tag at byte 131: unknown value tag 7 (0 int, 1 bytes)");
  });

  it("refuses to encode out-of-range fields", () => {
    expect(() => encodeUnsignedTx(callTx({ genesisHash: new Uint8Array(31) }))).toThrow(/^genesis hash must be 32 bytes, got 31$/);
    expect(() => encodeUnsignedTx(callTx({ gasLimit: 0 }))).toThrow(/gas limit 0/);
    expect(() => encodeUnsignedTx(callTx({ value: 2n ** 64n }))).toThrow(/^value 18446744073709551616 is outside u64$/);
    expect(() => encodeUnsignedTx(callTx({ gasPrice: -1n }))).toThrow(/^gas price -1 is outside u64$/);
    expect(() => encodeUnsignedTx(callTx({ args: [2n ** 64n] }))).toThrow(/argument 0: .* outside the 64-bit range/);
    expect(() => signTx(callTx({ sender: key(2).publicKey }), alice)).toThrow(/signing key/);
  });

  it("decodes arbitrary bytes without throwing anything but DecodeError", () => {
    const valid = signTx(callTx(), alice).bytes;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(valid.length), (junk, cut) => {
        for (const input of [junk, Uint8Array.of(...valid.subarray(0, cut), ...junk)]) {
          try {
            decodeTx(input);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});

describe("block encoding", () => {
  const receipts: Receipt[] = [
    { status: "ok", gasUsed: 110, error: 0, returns: [1n], events: [{ topic: 7, values: [Uint8Array.of(1), 2n] }] },
    { status: "revert", gasUsed: 26, error: 3, returns: [], events: [] },
  ];

  it("round-trips, and its hash is the header's", () => {
    const txs = [signTx(callTx({ nonce: 0n }), alice), signTx(callTx({ nonce: 1n }), alice)];
    const b = makeBlock({ chainId: "devnet", height: 4n, prevHash: ZERO_HASH, timestamp: 99n, stateRoot: new Uint8Array(32).fill(5) }, txs, receipts);
    const d = decodeBlock(b.bytes);
    expect(hex(d.hash)).toBe(hex(b.hash));
    expect(d.header.txCount).toBe(2);
    expect(d.receipts.map(encodeReceipt).map(hex)).toEqual(receipts.map(encodeReceipt).map(hex));
    expect(d.txs.map((t) => hex(t.id))).toEqual(txs.map((t) => hex(t.id)));
  });

  it("rejects receipts that no execution can produce", () => {
    const txs = [signTx(callTx({ nonce: 0n }), alice)];
    const bad = (rc: Receipt): string => {
      const b = makeBlock({ chainId: "devnet", height: 1n, prevHash: ZERO_HASH, timestamp: 1n, stateRoot: ZERO_HASH }, txs, [rc]);
      return decodeError(() => decodeBlock(b.bytes)).message;
    };
    expect(bad({ status: "ok", gasUsed: 1, error: 4, returns: [], events: [] })).toMatch(/^receipts\[0\]\.error at byte \d+: status ok carries no error id$/);
    expect(bad({ status: "out_of_gas", gasUsed: 1, error: 0, returns: [1n], events: [] })).toMatch(/receipts\[0\]\.returns at byte \d+: status out_of_gas returns nothing/);
    expect(bad({ status: "revert", gasUsed: 1, error: 1, returns: [], events: [{ topic: 1, values: [] }] })).toMatch(/status revert emits no events/);
    expect(bad({ status: "ok", gasUsed: 1, error: 0, returns: [], events: [], stopOffset: 12 })).toMatch(/^receipts\[0\]\.stop_offset at byte \d+: status ok carries no stop offset$/);
  });

  it("keeps where a call stopped in the committed receipt", () => {
    const txs = [signTx(callTx({ nonce: 0n }), alice)];
    const rc: Receipt = { status: "revert", gasUsed: 9, error: 2, returns: [], events: [], stopOffset: 57 };
    const b = makeBlock({ chainId: "devnet", height: 1n, prevHash: ZERO_HASH, timestamp: 1n, stateRoot: ZERO_HASH }, txs, [rc]);
    expect(decodeBlock(b.bytes).receipts[0]).toEqual(rc);
    const none = makeBlock({ chainId: "devnet", height: 1n, prevHash: ZERO_HASH, timestamp: 1n, stateRoot: ZERO_HASH }, txs, [{ ...rc, stopOffset: undefined }]);
    expect(decodeBlock(none.bytes).receipts[0]!.stopOffset).toBeUndefined();
  });

  it("names the transaction whose bytes are malformed, with the offset in the block", () => {
    const txs = [signTx(callTx({ nonce: 0n }), alice)];
    const b = makeBlock({ chainId: "devnet", height: 1n, prevHash: ZERO_HASH, timestamp: 1n, stateRoot: ZERO_HASH }, txs, receipts.slice(0, 1));
    const headerLen = 1 + 1 + 6 + 8 + 32 + 8 + 4 + 96;
    const t = b.bytes.slice();
    t[headerLen + 4 + 1] = 5; // tx kind
    const e = decodeError(() => decodeBlock(t, 1000));
    expect(e.message).toBe(`txs[0].tx.kind at byte ${1000 + headerLen + 5}: unknown transaction kind 5 (1 deploy, 2 call)`);
  });
});
