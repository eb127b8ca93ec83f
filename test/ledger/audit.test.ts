// The auditor on exports and stores: every single-byte change of an export is caught and named by
// the block it sits in; tampered stores are caught; import re-validates and loses nothing on failure.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Ledger, ChainBroken, LedgerError, hex } from "../../ledger/index.ts";
import { parseExport } from "../../ledger/export.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { bookVariant, enc, key, program, tempDir, ticking } from "./helpers.ts";

const alice = key(1);
const bob = key(2);
const vm = await MoteVM.create();

/** A small chain that exercises every receipt shape: deploy with init, ok with events, revert, out of gas. */
async function smallChain(dir = ":memory:"): Promise<Ledger> {
  const l = await Ledger.open(dir, { chainId: "audit", clock: ticking(), vm });
  const { contract } = l.deploy(alice, program("book.masm"), [9n]);
  l.submit([l.signCall(alice, contract, "put", [enc("a"), 1n]), l.signCall(bob, contract, "put", [enc("b"), 99n])]);
  l.call(bob, contract, "stamp", [], { gas: 5 });
  return l;
}

/** Which part of the export each byte belongs to: "header", "block K" or "end". */
function regions(bytes: Uint8Array): string[] {
  const out: string[] = new Array(bytes.length);
  const cidLen = bytes[5]!;
  const headerEnd = 6 + cidLen;
  out.fill("export header", 0, headerEnd);
  let at = headerEnd;
  let k = 0;
  while (bytes[at] === 1) {
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 33, true);
    out.fill(`block ${k}`, at, at + 1 + 32 + 4 + len);
    at += 1 + 32 + 4 + len;
    k++;
  }
  out.fill("export end record", at);
  expect(bytes.length - at).toBe(41);
  return out;
}

function where(r: { height?: string | null; section?: string | null }): string {
  return r.height !== null && r.height !== undefined ? `block ${r.height}` : r.section!;
}

describe("audit of an export", () => {
  it("passes an untouched export and reports its head", async () => {
    const l = await smallChain();
    const ex = l.exportChain();
    const r = await Ledger.auditExport(ex, { vm });
    expect(r).toEqual({ ok: true, chainId: "audit", blocks: 4, txs: 4, headHeight: "3", headHash: hex(l.headHash), stateRoot: hex(l.stateRoot) });
  });

  it("catches every single-byte change and names the block that holds it", async () => {
    const l = await smallChain();
    const ex = l.exportChain();
    const want = regions(ex);
    const misses: string[] = [];
    const misnamed: string[] = [];
    for (let i = 0; i < ex.length; i++) {
      const t = ex.slice();
      t[i] ^= 0x01 << (i % 8);
      const r = await Ledger.auditExport(t, { vm });
      if (r.ok) misses.push(`byte ${i}`);
      else if (where(r) !== want[i]) misnamed.push(`byte ${i} (${want[i]}): ${r.error}`);
      else expect(r.error).toMatch(/^(block \d+( tx \d+)?|export header|export end record): \S/);
    }
    expect(misses).toEqual([]);
    expect(misnamed).toEqual([]);
    expect(ex.length).toBeGreaterThan(500);
  }, 120_000);

  it("answers any corruption (several bytes, cuts, splices) with a report, never an exception", async () => {
    const ex = (await smallChain()).exportChain();
    const cases = fc.sample(
      fc.record({
        edits: fc.array(fc.tuple(fc.nat(ex.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 5 }),
        cut: fc.option(fc.nat(ex.length), { nil: undefined }),
        junk: fc.uint8Array({ maxLength: 8 }),
      }),
      { numRuns: 60, seed: 11 },
    );
    for (const c of cases) {
      const t = ex.slice();
      for (const [at, x] of c.edits) t[at] ^= x;
      const input = Uint8Array.of(...t.subarray(0, c.cut ?? t.length), ...c.junk);
      const r = await Ledger.auditExport(input, { vm });
      // Two edits of one byte can cancel out; only an unchanged export may pass.
      expect(r.ok).toBe(Buffer.compare(input, ex) === 0);
      if (!r.ok) expect(r.error).toMatch(/^(block \d+( tx \d+)?|export header|export end record): \S/);
    }
  });

  it("names the transaction for a tampered receipt or signature", async () => {
    const l = await smallChain();
    const ex = l.exportChain();
    const p = parseExport(ex);
    const recs = [...p.records];
    const b2 = recs[2]!;
    // The last byte of block 2 belongs to its second receipt (bob's revert): its event count.
    const t = ex.slice();
    t[b2.base + b2.bytes.length - 1] = 1;
    const r = await Ledger.auditExport(t, { vm });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^block 2 tx 1: malformed block: receipts\[1\]\.events\.count at byte \d+: status revert emits no events$/);
    // A signature byte of block 2's first transaction.
    const u = ex.slice();
    const headerLen = 1 + 1 + 5 + 8 + 32 + 8 + 4 + 96;
    const txLen = new DataView(b2.bytes.buffer, b2.bytes.byteOffset).getUint32(headerLen, true);
    u[b2.base + headerLen + 4 + txLen - 1] ^= 1;
    const r2 = await Ledger.auditExport(u, { vm });
    expect(r2.error).toMatch(/^block 2 tx 0: transaction [0-9a-f]{64} is invalid: bad signature by [0-9a-f]{64}$/);
  });

  it("refuses truncated exports and trailing garbage", async () => {
    const ex = (await smallChain()).exportChain();
    expect((await Ledger.auditExport(ex.subarray(0, ex.length - 1), { vm })).error).toMatch(/^block 4: /);
    expect((await Ledger.auditExport(Uint8Array.of(...ex, 0), { vm })).error).toMatch(/^block 4: end record at byte \d+ is followed by 1 more byte/);
    expect((await Ledger.auditExport(new Uint8Array(0), { vm })).error).toMatch(/^export header: magic at byte 0: truncated/);
  });
});

describe("audit of a store", () => {
  it("names the block whose stored bytes were changed, and a changed state table", async () => {
    const dir = tempDir();
    try {
      (await smallChain(dir)).close();
      const db = new Database(join(dir, "ledger.sqlite"));
      const row = db.prepare("SELECT bytes FROM blocks WHERE height = 2").get() as { bytes: Buffer };
      const b = Buffer.from(row.bytes);
      b[b.length - 20] ^= 0x40;
      db.prepare("UPDATE blocks SET bytes = ? WHERE height = 2").run(b);
      db.close();
      const l = await Ledger.open(dir, { vm });
      const r = l.audit();
      expect(r.ok).toBe(false);
      expect(r.height).toBe("2");
      l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers from the state tree, not from a state table changed behind its back, and refuses a changed tree node when it reads it", async () => {
    const dir = tempDir();
    try {
      (await smallChain(dir)).close();
      const db = new Database(join(dir, "ledger.sqlite"));
      const row = db.prepare("SELECT key, value FROM state WHERE hex(key) LIKE '03%' ORDER BY key LIMIT 1").get() as { key: Buffer; value: Buffer };
      db.prepare("UPDATE state SET value = x'0900000000000001' WHERE key = ?").run(row.key);
      db.close();
      // The state table is an index the audit checks; opening and reading never use it (O(1) open).
      const l0 = await Ledger.open(dir, { vm });
      expect(hex(l0.state.read(new Uint8Array(row.key))!)).toBe(hex(new Uint8Array(row.value)));
      l0.close();
      // The audit names the damage.
      const r = await Ledger.auditStore(dir, { vm });
      expect(r).toMatchObject({ ok: false, height: null, section: "store state table" });
      expect(r.error).toMatch(/^store state table: entry 03[0-9a-f]+ differs from the replayed state$/);
      // Recovery: rebuild re-derives the state from the blocks, checking every root.
      expect(await Ledger.rebuild(dir, { vm })).toMatchObject({ ok: true, blocks: 4 });
      const l = await Ledger.open(dir, { vm });
      expect(l.audit()).toMatchObject({ ok: true });
      l.close();
      // What reads do use, the tree's nodes, is checked against its hash when read: an edited leaf is refused.
      const db2 = new Database(join(dir, "ledger.sqlite"));
      const edited = db2
        .prepare("UPDATE nodes SET node = CAST(substr(node, 1, length(node) - 1) || x'ee' AS BLOB) WHERE substr(node, 1, 1) = x'00' AND substr(node, 67, ?) = ?")
        .run(row.key.length, row.key).changes;
      db2.close();
      expect(edited).toBeGreaterThan(0);
      const l2 = await Ledger.open(dir, { vm });
      expect(() => l2.state.read(new Uint8Array(row.key))).toThrow(/^state tree node [0-9a-f]{64} in the store does not hash to its key \(changed outside the ledger\?\); run 'mote ledger rebuild'$/);
      l2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("import", () => {
  it("round-trips: export, import into an empty directory, export again gives the same bytes, and the chain continues", async () => {
    const dir = tempDir();
    try {
      const src = await smallChain();
      const ex = src.exportChain();
      const target = join(dir, "copy");
      const l = await Ledger.importChain(target, ex, { vm, clock: ticking(2_000_000_000n) });
      expect(hex(l.exportChain())).toBe(hex(ex));
      expect(hex(l.stateRoot)).toBe(hex(src.stateRoot));
      const contract = l.events({ topic: 7 })[0]!.contract;
      expect(l.call(alice, contract, "put", [enc("c"), 2n]).receipt.status).toBe("ok");
      expect(l.audit()).toMatchObject({ ok: true, blocks: 5 });
      l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes nothing when the export fails its audit, and never touches an existing ledger", async () => {
    const dir = tempDir();
    try {
      const ex = (await smallChain()).exportChain();
      const bad = ex.slice();
      bad[ex.length - 100] ^= 1;
      const target = join(dir, "copy");
      await expect(Ledger.importChain(target, bad, { vm })).rejects.toThrow(ChainBroken);
      expect(existsSync(join(target, "ledger.sqlite"))).toBe(false);
      // A good import afterwards still works in the same directory.
      (await Ledger.importChain(target, ex, { vm })).close();
      const existing = await Ledger.open(target, { vm });
      const head = hex(existing.headHash);
      existing.close();
      await expect(Ledger.importChain(target, ex, { vm })).rejects.toThrow(LedgerError);
      const after = await Ledger.open(target, { vm });
      expect(hex(after.headHash)).toBe(head);
      expect(after.audit().ok).toBe(true);
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replays contracts that read each other, deployed by different keys", async () => {
    const l = await Ledger.open(":memory:", { chainId: "x", clock: ticking(), vm });
    const a = l.deploy(alice, bookVariant(7), [5n]).contract;
    const b = l.deploy(bob, bookVariant(8), [5n]).contract;
    l.call(alice, a, "put", [enc("q"), 4n]);
    expect(l.view(b, "peer", [a, enc("q")]).returns).toEqual([4n]);
    const r = await Ledger.auditExport(l.exportChain(), { vm });
    expect(r.ok).toBe(true);
  });
});
