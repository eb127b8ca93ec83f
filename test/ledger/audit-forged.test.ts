// The auditor against a forger who re-hashes and re-links: each export below breaks exactly one rule of
// docs/ledger.md's audit (heights, chain id, links, genesis, roots, receipts against re-execution) and
// recomputes every hash and root the rule does not cover, so only that rule can catch it. Each must fail at
// the right block and transaction with a message that names the problem and both values (issue 20: Stryker
// survivors of ledger/audit.ts). Built through the ledger's public encoders, as audit-timestamps.test.ts.
import { sha256 } from "@noble/hashes/sha2.js";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBlock, encodeExport, replayChain, encodeHeader, hex, Ledger, parseExport, type BlockHeader, type Receipt } from "../../ledger/index.ts";
import { makeBlock } from "../../ledger/block.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { enc, key, program, ticking } from "./helpers.ts";

type Rec = { hash: Uint8Array; bytes: Uint8Array };

let vm: MoteVM;
let chain: Rec[];
beforeAll(async () => {
  vm = await MoteVM.create();
  // Block 1: a deploy; block 2: alice's put (ok, one event) and bob's put (revert, error 1); block 3: out of gas.
  const l = await Ledger.open(":memory:", { chainId: "audit", clock: ticking(), vm });
  const { contract } = l.deploy(key(1), program("book.masm"), [9n]);
  l.submit([l.signCall(key(1), contract, "put", [enc("a"), 1n]), l.signCall(key(2), contract, "put", [enc("b"), 99n])]);
  l.call(key(2), contract, "stamp", [], { gas: 5 });
  chain = [...parseExport(l.exportChain()).records].map((r) => ({ hash: r.hash, bytes: r.bytes }));
});

/** Block `rec` with header fields replaced (roots kept as given: a forged root stays forged). */
function withHeader(rec: Rec, patch: Partial<BlockHeader>): Rec {
  const d = decodeBlock(rec.bytes);
  const hb = encodeHeader({ ...d.header, ...patch });
  const bytes = new Uint8Array(hb.length + d.bytes.length - d.headerLength);
  bytes.set(hb);
  bytes.set(d.bytes.subarray(d.headerLength), hb.length);
  return { hash: sha256(hb), bytes };
}

/** Block `rec` with its receipts edited, both roots recomputed over the forged lists (as a careful forger would). */
function withReceipts(rec: Rec, edit: (rs: Receipt[]) => Receipt[]): Rec {
  const d = decodeBlock(rec.bytes);
  const b = makeBlock({ chainId: d.header.chainId, height: d.header.height, prevHash: d.header.prevHash, timestamp: d.header.timestamp, stateRoot: d.header.stateRoot }, d.txs, edit(d.receipts.map((r) => ({ ...r }))), d.genesis);
  return { hash: b.hash, bytes: b.bytes };
}

/** The chain with block `at` replaced by `forge(block)`, every later block re-linked to it. */
function forged(at: number, forge: (r: Rec) => Rec): Rec[] {
  const out = chain.slice(0, at);
  out.push(forge(chain[at]!));
  for (let k = at + 1; k < chain.length; k++) out.push(withHeader(chain[k]!, { prevHash: out[k - 1]!.hash }));
  return out;
}

const audit = (recs: Rec[], chainId = "audit") => Ledger.auditExport(encodeExport(chainId, recs), { vm });

describe("audit: a re-hashed receipt that disagrees with re-execution is named by its field", () => {
  it("the forging is sound: re-building block 2 unchanged and re-linking the rest audits ok", async () => {
    const r = await audit(forged(2, (b) => withReceipts(b, (rs) => rs)));
    expect(r.ok, r.error).toBe(true);
    expect(r).toMatchObject({ blocks: 4, txs: 4, headHeight: "3" });
  });

  it("gas used", async () => {
    const r = await audit(forged(2, (b) => withReceipts(b, (rs) => ((rs[0]!.gasUsed -= 1), rs))));
    const want = decodeBlock(chain[2]!.bytes).receipts[0]!.gasUsed;
    expect(r).toMatchObject({ ok: false, height: "2", tx: 0 });
    expect(r.error).toBe(`block 2 tx 0: receipt does not match re-execution: gas used is ${want - 1}, re-execution gives ${want}`);
  });

  it("status", async () => {
    const r = await audit(forged(2, (b) => withReceipts(b, (rs) => ((rs[1] = { ...rs[1]!, status: "out_of_gas", error: 0 }), rs))));
    expect(r).toMatchObject({ ok: false, height: "2", tx: 1 });
    expect(r.error).toBe("block 2 tx 1: receipt does not match re-execution: status is out_of_gas, re-execution gives revert");
  });

  it("error id", async () => {
    const r = await audit(forged(2, (b) => withReceipts(b, (rs) => ((rs[1]!.error = 2), rs))));
    expect(r).toMatchObject({ ok: false, height: "2", tx: 1 });
    expect(r.error).toBe("block 2 tx 1: receipt does not match re-execution: error id is 2, re-execution gives 1");
  });

  it("number of return values", async () => {
    const r = await audit(forged(2, (b) => withReceipts(b, (rs) => ((rs[0]!.returns = [5n]), rs))));
    expect(r.error).toBe("block 2 tx 0: receipt does not match re-execution: 1 return value(s), re-execution gives 0");
  });

  it("number of events", async () => {
    const r = await audit(forged(2, (b) => withReceipts(b, (rs) => ((rs[0]!.events = []), rs))));
    expect(r.error).toBe("block 2 tx 0: receipt does not match re-execution: 0 event(s), re-execution gives 1");
  });

  it("an event's topic, counts equal", async () => {
    const r = await audit(forged(2, (b) => withReceipts(b, (rs) => ((rs[0]!.events = rs[0]!.events.map((e) => ({ ...e, topic: e.topic + 1 }))), rs))));
    expect(r.error).toBe("block 2 tx 0: receipt does not match re-execution: returns or events differ from re-execution");
  });
});

describe("audit: header rules, each broken alone", () => {
  const zeros = new Uint8Array(32);

  it("a height out of sequence", async () => {
    const r = await audit(forged(2, (b) => withHeader(b, { height: 5n })));
    expect(r).toMatchObject({ ok: false, height: "2", tx: null });
    expect(r.error).toBe("block 2: header says height 5, expected 2");
  });

  it("a later block under another chain id", async () => {
    const r = await audit(forged(2, (b) => withHeader(b, { chainId: "other" })));
    expect(r.error).toBe("block 2: chain id 'other' differs from genesis 'audit'");
  });

  it("a prev_hash that is not the previous block's hash", async () => {
    const r = await audit(forged(2, (b) => withHeader(b, { prevHash: chain[0]!.hash })));
    expect(r.error).toBe(`block 2: prev_hash ${hex(chain[0]!.hash)} is not the hash of block 1 (${hex(chain[1]!.hash)})`);
  });

  it("a recorded hash that is not the header's", async () => {
    const recs = chain.slice();
    recs[2] = { hash: chain[1]!.hash, bytes: chain[2]!.bytes };
    const r = await audit(recs);
    expect(r.error).toBe(`block 2: header hashes to ${hex(chain[2]!.hash)}, but the recorded block hash is ${hex(chain[1]!.hash)}`);
  });

  it("tx_root, receipts_root and state_root that commit to nothing", async () => {
    const real = decodeBlock(chain[2]!.bytes).header;
    const tx = await audit(forged(2, (b) => withHeader(b, { txRoot: zeros })));
    expect(tx.error).toBe(`block 2: tx_root ${hex(zeros)} does not commit to the block's transactions (${hex(real.txRoot)})`);
    const rc = await audit(forged(2, (b) => withHeader(b, { receiptsRoot: zeros })));
    expect(rc.error).toBe(`block 2: receipts_root ${hex(zeros)} does not commit to the block's receipts (${hex(real.receiptsRoot)})`);
    const st = await audit(forged(2, (b) => withHeader(b, { stateRoot: zeros })));
    expect(st.error).toBe(`block 2: state_root ${hex(zeros)} differs from the re-executed state's ${hex(real.stateRoot)}`);
  });

  it("a genesis block whose prev_hash is not all zeros", async () => {
    const r = await audit(forged(0, (b) => withHeader(b, { prevHash: new Uint8Array(32).fill(1) })));
    expect(r).toMatchObject({ ok: false, height: "0" });
    expect(r.error).toBe("block 0: genesis prev_hash is not all zeros");
  });

  it("a genesis block holding a transaction", async () => {
    const g = decodeBlock(chain[0]!.bytes);
    const b1 = decodeBlock(chain[1]!.bytes);
    const b = makeBlock({ chainId: "audit", height: 0n, prevHash: zeros, timestamp: g.header.timestamp, stateRoot: g.header.stateRoot }, b1.txs, b1.receipts, g.genesis);
    const r = await audit(forged(0, () => ({ hash: b.hash, bytes: b.bytes })));
    expect(r).toMatchObject({ ok: false, height: "0" });
    expect(r.error).toBe("block 0: genesis holds transactions");
  });

  it("an export header naming another chain than its genesis", async () => {
    const r = await audit(chain, "other");
    expect(r).toMatchObject({ ok: false, height: null, section: "export header" });
    expect(r.error).toBe("export header: chain id 'other' differs from the genesis block's 'audit'");
  });

  it("a container (store, export) naming another chain than its genesis is named as the container, when the caller gives no name", () => {
    expect(() => replayChain(chain.map((r) => ({ ...r, base: 0 })), vm, { chainId: "other" })).toThrow(/^container: chain id 'other' differs from the genesis block's 'audit'$/);
  });

  it("a malformed transaction past the ninth of a block is named by its two-digit index", async () => {
    const l = await Ledger.open(":memory:", { chainId: "audit", clock: ticking(), vm });
    const { contract } = l.deploy(key(1), program("book.masm"), [9n]);
    // twelve transactions in one block: each limited to a twelfth of the block's gas
    const gas = Math.floor(Number(l.params.blockGasLimit) / 12);
    l.submit(Array.from({ length: 12 }, (_, i) => l.signCall(key(10 + i), contract, "put", [enc(`k${i}`), BigInt(i)], { gas })));
    const ex = l.exportChain();
    const b2 = [...parseExport(ex).records][2]!;
    const d = decodeBlock(b2.bytes);
    const t = ex.slice();
    t[b2.base + d.txOffsets[11]! + 4] = 9; // tx 11's version byte, after its u32 length
    const r = await Ledger.auditExport(t, { vm });
    expect(r).toMatchObject({ ok: false, height: "2", tx: 11 });
    expect(r.error).toMatch(/^block 2 tx 11: malformed block: txs\[11\]\.tx\.version at byte \d+: unsupported transaction version 9/);
  });

  it("a chain with no blocks (an export cannot even be written without genesis)", () => {
    expect(() => encodeExport("audit", [])).toThrow(/at least the genesis block/);
    expect(() => replayChain([], vm)).toThrow(/^chain: no blocks: a chain starts with its genesis block$/);
  });
});
