// ledger/block.ts's decoder refuses each malformed field by name and byte offset (docs/ledger.md: "every
// malformed, truncated or extended input rejected with the field and byte offset"), the receipt limits hold at
// their bounds (MAX_GAS, MAX_EVENTS from vm/spec/limits.ts), and makeBlock refuses what no chain holds.
// Offsets come from the header layout: version u8, chain id length u8 + id, height u64, prev hash 32,
// timestamp u64, tx count u32, tx root, state root, receipts root (32 each).
import { describe, expect, it } from "vitest";
import { decodeBlock, decodeReceipt, encodeReceipt, makeBlock, ZERO_HASH, type Receipt } from "../../ledger/block.ts";
import { defaultGenesis } from "../../ledger/params.ts";
import { signTx, type UnsignedTx } from "../../ledger/tx.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { STATUSES } from "../../vm/spec/format.ts";
import { key, decodeError } from "./helpers.ts";

const alice = key(1);
const tx = (nonce: bigint) =>
  signTx(
    {
      genesisHash: new Uint8Array(32).fill(0x6e),
      sender: alice.publicKey,
      nonce,
      gasLimit: 50_000,
      gasPrice: 7n,
      value: 0n,
      kind: "call",
      contract: new Uint8Array(32).fill(0xcc),
      selector: 0x11223344,
      args: [5n],
    } as UnsignedTx,
    alice,
  );

const CHAIN = "devnet";
// field start offsets for a 6-character chain id
const AT = { version: 0, cidLen: 1, cid: 2, height: 8, prev: 16, time: 48, count: 56, txRoot: 60, stateRoot: 92, receiptsRoot: 124, end: 156 };
const head = { chainId: CHAIN, height: 1n, prevHash: ZERO_HASH, timestamp: 1n, stateRoot: ZERO_HASH };
const okReceipt: Receipt = { status: "ok", gasUsed: 110, error: 0, returns: [1n], events: [{ topic: 7, values: [Uint8Array.of(1), 2n] }] };

const messageOf = (bytes: Uint8Array): string => decodeError(() => decodeBlock(bytes)).message;
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

describe("block header refusals", () => {
  const empty = makeBlock(head, [], []);

  it("lays out the header where the offsets above say", () => {
    expect(empty.bytes.length).toBe(AT.end);
    expect(decodeBlock(empty.bytes).headerLength).toBe(AT.end);
    expect(empty.bytes[AT.cidLen]).toBe(CHAIN.length);
  });

  it("names each header field a truncation cuts", () => {
    const fields: [number, string][] = [
      [AT.version, "header.version"],
      [AT.cidLen, "header.chain_id.length"],
      [AT.cid, "header.chain_id"],
      [AT.height, "header.height"],
      [AT.prev, "header.prev_hash"],
      [AT.time, "header.timestamp"],
      [AT.count, "header.tx_count"],
      [AT.txRoot, "header.tx_root"],
      [AT.stateRoot, "header.state_root"],
      [AT.receiptsRoot, "header.receipts_root"],
    ];
    for (const [at, field] of fields) {
      for (const cut of [at, at + 1]) {
        if (field.endsWith("version") || field.endsWith("length")) if (cut > at) continue;
        expect(messageOf(empty.bytes.subarray(0, cut))).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")} at byte ${at}: truncated: needs \\d+ byte\\(s\\), ${cut - at} left$`));
      }
    }
  });

  it("an unsupported version, at byte 0", () => {
    for (const v of [0, 1, 3, 255]) {
      const b = empty.bytes.slice();
      b[0] = v;
      expect(messageOf(b)).toBe(`header.version at byte 0: unsupported block version ${v}`);
    }
  });

  it("a chain id outside the alphabet, at its length byte", () => {
    const b = empty.bytes.slice();
    b[AT.cid + 2] = 0x21; // "!"
    expect(messageOf(b)).toBe("header.chain_id at byte 1: chain id must be 1-32 characters of A-Z a-z 0-9 . _ -");
  });

  it("a transaction count that cannot fit in what follows (4 bytes each at least), at the count's byte", () => {
    const withCount = (count: number, tail: number): Uint8Array => {
      const b = Uint8Array.of(...empty.bytes, ...new Uint8Array(tail));
      b.set(le32(count), AT.count);
      return b;
    };
    expect(messageOf(withCount(1, 0))).toBe(`header.tx_count at byte ${AT.count}: 1 transactions cannot fit in 0 bytes`);
    expect(messageOf(withCount(3, 8))).toBe(`header.tx_count at byte ${AT.count}: 3 transactions cannot fit in 8 bytes`);
    expect(messageOf(withCount(0xffffffff, 11))).toBe(`header.tx_count at byte ${AT.count}: 4294967295 transactions cannot fit in 11 bytes`);
    // exactly as many as fit gets past the count: the first transaction's (zero) length then fails to decode
    expect(messageOf(withCount(2, 8))).toMatch(/^txs\[0\]\.tx\.version at byte 160: truncated/);
  });

  it("a transaction's length or bytes cut short, naming the transaction", () => {
    const one = makeBlock(head, [tx(0n)], [okReceipt]);
    const t = tx(0n).bytes;
    // claim two transactions: the second's length field has 3 bytes left, or its bytes run past the end
    const two = (tail: number[]): Uint8Array => {
      const b = Uint8Array.of(...one.bytes.subarray(0, AT.end + 4 + t.length), ...tail);
      b.set(le32(2), AT.count);
      return b;
    };
    const second = AT.end + 4 + t.length;
    expect(messageOf(two([1, 2, 3]))).toBe(`txs[1].length at byte ${second}: truncated: needs 4 byte(s), 3 left`);
    expect(messageOf(two([...le32(9), 1, 2]))).toBe(`txs[1] at byte ${second + 4}: truncated: needs 9 byte(s), 2 left`);
  });

  it("the decoded block's bytes are its own copy", () => {
    const b = makeBlock(head, [tx(0n)], [okReceipt]).bytes.slice();
    const d = decodeBlock(b);
    b.fill(0);
    expect(decodeBlock(d.bytes).hash).toEqual(d.hash);
  });

  it("trailing bytes after the last receipt", () => {
    expect(messageOf(Uint8Array.of(...empty.bytes, 0, 0))).toBe(`block at byte ${AT.end}: 2 trailing byte(s)`);
  });
});

describe("receipt refusals", () => {
  const txs = [tx(0n)];
  const block = (rc: Receipt): { bytes: Uint8Array; at: number } => {
    const b = makeBlock(head, txs, [rc]);
    // the one receipt is the block's last field
    return { bytes: b.bytes, at: b.bytes.length - encodeReceipt(rc).length };
  };

  it("an unknown status code, at the status byte", () => {
    const { bytes, at } = block(okReceipt);
    const unknown = Math.max(...STATUSES.map((s) => s.code)) + 1;
    expect(decodeBlock(bytes).receiptOffsets).toEqual([at]);
    const b = bytes.slice();
    b[at] = unknown;
    expect(messageOf(b)).toBe(`receipts[0].status at byte ${at}: unknown status code ${unknown}`);
  });

  it("gas used over MAX_GAS, at the gas field; MAX_GAS itself decodes", () => {
    const max = LIMITS.MAX_GAS.value;
    const over = block({ ...okReceipt, gasUsed: max + 1 });
    expect(messageOf(over.bytes)).toBe(`receipts[0].gas_used at byte ${over.at + 1}: gas used ${max + 1} exceeds ${max}`);
    expect(decodeBlock(block({ ...okReceipt, gasUsed: max }).bytes).receipts[0]!.gasUsed).toBe(max);
  });

  it("an error id only with revert or invalid_module", () => {
    for (const status of ["revert", "invalid_module"] as const) {
      expect(decodeBlock(block({ status, gasUsed: 1, error: 5, returns: [], events: [] }).bytes).receipts[0]).toEqual({ status, gasUsed: 1, error: 5, returns: [], events: [] });
    }
    for (const status of ["ok", "out_of_gas", "bounds"] as const) {
      const { bytes, at } = block({ status, gasUsed: 1, error: 5, returns: [], events: [] });
      expect(messageOf(bytes)).toBe(`receipts[0].error at byte ${at + 5}: status ${status} carries no error id`);
    }
  });

  it("events over MAX_EVENTS, at the count; MAX_EVENTS itself decodes", () => {
    const max = LIMITS.MAX_EVENTS.value;
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: i, values: [BigInt(i)] }));
    const over = block({ ...okReceipt, returns: [], events: events(max + 1) });
    // status 1, gas 4, error 4, stop offset 4, returns count 1: the event count is at +14
    expect(messageOf(over.bytes)).toBe(`receipts[0].events.count at byte ${over.at + 14}: ${max + 1} events, at most ${max}`);
    expect(decodeBlock(block({ ...okReceipt, returns: [], events: events(max) }).bytes).receipts[0]!.events).toEqual(events(max));
  });

  it("names each receipt field a truncation cuts", () => {
    const rc: Receipt = { status: "ok", gasUsed: 3, error: 0, returns: [], events: [{ topic: 9, values: [] }] };
    const enc = encodeReceipt(rc);
    const fields: [number, string][] = [
      [0, "receipt.status"],
      [1, "receipt.gas_used"],
      [5, "receipt.error"],
      [9, "receipt.stop_offset"],
      [13, "receipt.returns.count"],
      [14, "receipt.events.count"],
      [15, "receipt.events[0].topic"],
      [19, "receipt.events[0].values.count"],
    ];
    expect(enc.length).toBe(20);
    for (const [at, field] of fields) {
      expect(decodeError(() => decodeReceipt(enc.subarray(0, at))).message).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")} at byte ${at}: truncated`));
    }
    expect(decodeReceipt(enc)).toEqual(rc);
    expect(decodeError(() => decodeReceipt(Uint8Array.of(...enc, 1))).message).toBe("receipt at byte 20: 1 trailing byte(s)");
  });

  it("an event may carry up to 255 values (its own count byte), not only MAX_PARAMS", () => {
    const values = Array.from({ length: LIMITS.MAX_PARAMS.value + 1 }, (_, i) => BigInt(i));
    const rc: Receipt = { status: "ok", gasUsed: 3, error: 0, returns: [], events: [{ topic: 1, values }] };
    expect(decodeReceipt(encodeReceipt(rc))).toEqual(rc);
    const returns = { ...rc, events: [], returns: values };
    expect(decodeError(() => decodeReceipt(encodeReceipt(returns))).message).toBe(`receipt.returns.count at byte 13: ${values.length} values, at most ${LIMITS.MAX_PARAMS.value} allowed`);
  });
});

describe("makeBlock", () => {
  it("puts a genesis record in the block of height 0 and in no other", () => {
    expect(() => makeBlock({ ...head, height: 0n }, [], [])).toThrow(/^the genesis block, and only it, carries a genesis record$/);
    expect(() => makeBlock(head, [], [], defaultGenesis())).toThrow(/^the genesis block, and only it, carries a genesis record$/);
    const genesis = { ...defaultGenesis(), salt: new Uint8Array(32).fill(3) };
    const g = makeBlock({ ...head, height: 0n }, [], [], genesis);
    expect(g.genesis).toEqual(genesis);
    expect(decodeBlock(g.bytes).genesis).toEqual(genesis);
    expect(decodeBlock(makeBlock(head, [], []).bytes).genesis).toBeUndefined();
  });

  it("needs one receipt per transaction", () => {
    expect(() => makeBlock(head, [tx(0n)], [])).toThrow(/^one receipt per transaction$/);
    expect(() => makeBlock(head, [], [okReceipt])).toThrow(/^one receipt per transaction$/);
  });

  it("keeps the header's fields through a decode, and the block's hash is SHA-256 of the header alone", () => {
    const h = { chainId: "a.b_c-9", height: 77n, prevHash: new Uint8Array(32).fill(1), timestamp: 1_700_000_000n, stateRoot: new Uint8Array(32).fill(2) };
    const b = makeBlock(h, [tx(0n), tx(1n)], [okReceipt, { status: "revert", gasUsed: 26, error: 3, returns: [], events: [], stopOffset: 12 }]);
    const d = decodeBlock(b.bytes, 500);
    expect(d.header).toEqual(b.header);
    expect(d.header).toMatchObject({ ...h, txCount: 2 });
    expect(d.receipts).toEqual(b.receipts);
    expect(d.txOffsets[0]).toBe(d.headerLength);
    expect(d.hash).toEqual(b.hash);
  });
});
