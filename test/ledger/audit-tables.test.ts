// Issue 11 point 5: the store audit re-derives every table the blocks define (tx index, events,
// modules, tree nodes) and names the first row that differs; `mote events` refuses a row the blocks
// do not derive instead of throwing a TypeError; `mote ledger rebuild` re-derives them all.
import { afterEach, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { register } from "../../cli/commands/ledger.ts";
import { inProcessMote } from "../helpers/cli.ts";
import { Ledger, LedgerError, hex } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { decodeNode, hashOf, type TreeNode } from "../../ledger/smt.ts";
import { bookVariant, enc, key, program, tempDir, ticking } from "./helpers.ts";

const alice = key(1);
const bob = key(2);
const vm = await MoteVM.create();
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Two books (block 1, block 2), then block 3 with three puts (events at tx 0 and tx 2, a revert at
 * tx 1), block 4 one put in the second book. Returns the data directory and the two contract ids.
 */
async function chain(): Promise<{ dir: string; a: Uint8Array; b: Uint8Array }> {
  const dir = tempDir();
  dirs.push(dir);
  const l = await Ledger.open(dir, { chainId: "tables", clock: ticking(), vm });
  const a = l.deploy(alice, program("book.masm"), [50n]).contract;
  const b = l.deploy(bob, bookVariant(3), [50n]).contract;
  l.submit([l.signCall(alice, a, "put", [enc("x"), 1n]), l.signCall(bob, a, "put", [enc("y"), 99n]), l.signCall(bob, a, "put", [enc("z"), 2n], { nonce: l.nonce(bob.publicKey) + 1n })]);
  l.call(alice, b, "put", [enc("w"), 3n]);
  expect(l.events().map((e) => `${e.height}/${e.tx}/${e.index}`)).toEqual(["3/0/0", "3/2/0", "4/0/0"]);
  l.close();
  return { dir, a, b };
}

function tamper(dir: string, sql: string, ...args: unknown[]): void {
  const db = new Database(join(dir, "ledger.sqlite"));
  db.prepare(sql).run(...args);
  db.close();
}

const mote = inProcessMote(register);

/** After the damage: rebuild re-derives the tables, the store audits clean and answers as before. */
async function rebuildRestores(dir: string): Promise<void> {
  expect(await Ledger.rebuild(dir, { vm })).toMatchObject({ ok: true, blocks: 5, txs: 6 });
  expect(await Ledger.auditStore(dir, { vm })).toMatchObject({ ok: true });
  const l = await Ledger.open(dir, { vm });
  expect(l.events().map((e) => `${e.height}/${e.tx}/${e.index}`)).toEqual(["3/0/0", "3/2/0", "4/0/0"]);
  expect(l.txCount).toBe(6);
  l.close();
}

describe("store audit of the derived tables (issue 11 point 5)", () => {
  it("re-attributed event: a rewritten events.contract is named by table, row and block, and `mote events` refuses it", async () => {
    const { dir, a, b } = await chain();
    tamper(dir, "UPDATE events SET contract = ? WHERE height = 3 AND tx = 2", b);
    const r = await Ledger.auditStore(dir, { vm });
    expect(r).toMatchObject({ ok: false, height: "3", tx: 2, section: "store events table" });
    expect(r.error).toBe(`store events table, block 3 tx 2: row (tx 2, index 0) attributes the event to contract ${hex(b)}, the block to ${hex(a)}`);
    const l = await Ledger.open(dir, { vm });
    expect(() => l.events({ contract: b })).toThrow(LedgerError);
    expect(() => l.events({ contract: b })).toThrow(
      `events table: row (block 3, tx 2, index 0) says contract ${hex(b)} topic 7, block 3 says ${hex(a)} topic 7 (changed outside the ledger?); run 'mote ledger rebuild' to re-derive it from the blocks`,
    );
    l.close();
    await rebuildRestores(dir);
  });

  it("deleted event rows: each missing event is named, first by block", async () => {
    const { dir } = await chain();
    tamper(dir, "DELETE FROM events WHERE height = 3 AND tx = 2");
    tamper(dir, "DELETE FROM events WHERE height = 4");
    const r = await Ledger.auditStore(dir, { vm });
    expect(r).toMatchObject({ ok: false, height: "3", tx: 2, section: "store events table" });
    expect(r.error).toBe("store events table, block 3 tx 2: event (tx 2, index 0) (topic 7) has no row");
    await rebuildRestores(dir);
  });

  it("dangling event row: `mote events` gives a one-line error naming the table (no TypeError), the audit names the row", async () => {
    const { dir, a } = await chain();
    tamper(dir, "INSERT INTO events (height, tx, idx, contract, topic) VALUES (3, 1, 0, ?, 7)", a);
    const ev = await mote("events", "--data", dir);
    expect(ev.code).toBe(1);
    expect(ev.out).toBe("");
    expect(ev.err).toBe(
      "mote: events table: row (block 3, tx 1, index 0) names no event of the blocks (changed outside the ledger?); run 'mote ledger rebuild' to re-derive it from the blocks\n",
    );
    const audit = await mote("audit", "--data", dir);
    expect(audit.code).toBe(1);
    expect(audit.err).toBe(`mote: audit of ${dir} failed: store events table, block 3 tx 1: row (tx 1, index 0) names no event of the block (topic 7, contract ${hex(a)})\n`);
    // A row past the head escapes the per-block comparison but not the count.
    tamper(dir, "DELETE FROM events WHERE height = 3 AND tx = 1");
    tamper(dir, "INSERT INTO events (height, tx, idx, contract, topic) VALUES (9, 0, 0, ?, 7)", a);
    expect((await Ledger.auditStore(dir, { vm })).error).toBe("store events table: holds 4 row(s), the blocks emit 3 event(s): row (block 9, tx 0, index 0) names no block");
    expect((await mote("ledger", "rebuild", "--data", dir)).code).toBe(0);
    await rebuildRestores(dir);
  });

  it("emptied modules table: the store refuses to open naming the module, the audit names the block that deployed it", async () => {
    const { dir, a, b } = await chain();
    tamper(dir, "DELETE FROM modules");
    const mod = (await Ledger.auditStore(dir, { vm })).error!;
    expect(mod).toMatch(/^store modules table, block 1: module [0-9a-f]{64} deployed here has no row$/);
    await expect(Ledger.open(dir, { vm })).rejects.toThrow(
      new RegExp(
        `: the modules table has no module [0-9a-f]{64}, which contract (${hex(a)}|${hex(b)}) runs \\(changed outside the ledger\\?\\); run 'mote ledger rebuild' to re-derive it from the blocks$`,
      ),
    );
    await rebuildRestores(dir);
    const l = await Ledger.open(dir, { vm });
    expect(l.call(alice, a, "put", [enc("v"), 4n]).receipt.status).toBe("ok");
    l.close();
  });

  it("a module row no block deployed, and a state-tree node deleted, are named", async () => {
    const { dir } = await chain();
    tamper(dir, "INSERT INTO modules (id, bytes) VALUES (?, x'00')", Buffer.alloc(32, 0xab));
    expect((await Ledger.auditStore(dir, { vm })).error).toBe(`store modules table: holds 3 row(s), the blocks deploy 2 module(s): module ${"ab".repeat(32)} was deployed by no block`);
    await rebuildRestores(dir);
    const db = new Database(join(dir, "ledger.sqlite"));
    const node = db.prepare("SELECT hash FROM nodes ORDER BY hash LIMIT 1").get() as { hash: Buffer };
    db.prepare("DELETE FROM nodes WHERE hash = ?").run(node.hash);
    db.close();
    expect((await Ledger.auditStore(dir, { vm })).error).toMatch(new RegExp(`^store nodes table, block \\d: state-tree node ${node.hash.toString("hex")} written here has no row$`));
    await rebuildRestores(dir);
  });

  it("edited txs: a moved, a deleted and an added tx-index row are each named", async () => {
    const { dir } = await chain();
    const db = new Database(join(dir, "ledger.sqlite"));
    const row = db.prepare("SELECT id FROM txs WHERE height = 3 AND idx = 1").get() as { id: Buffer };
    db.close();
    const id = row.id.toString("hex");
    tamper(dir, "UPDATE txs SET idx = 7 WHERE id = ?", row.id);
    expect(await Ledger.auditStore(dir, { vm })).toMatchObject({
      ok: false,
      height: "3",
      tx: 1,
      section: "store txs table",
      error: `store txs table, block 3 tx 1: the row for transaction ${id} says block 3 index 7`,
    });
    tamper(dir, "DELETE FROM txs WHERE id = ?", row.id);
    expect((await Ledger.auditStore(dir, { vm })).error).toBe(`store txs table, block 3 tx 1: transaction ${id} has no row`);
    await rebuildRestores(dir);
    tamper(dir, "INSERT INTO txs (id, height, idx) VALUES (?, 3, 3)", Buffer.alloc(32, 0xcd));
    expect((await Ledger.auditStore(dir, { vm })).error).toBe(
      `store txs table: holds 7 row(s), the blocks hold 6 transaction(s): the row for ${"cd".repeat(32)} (block 3 index 3) names no transaction of the blocks`,
    );
    await rebuildRestores(dir);
  });
});

describe("a store of the schema before chunked tree rows (3)", () => {
  it("is refused with what to run, and `mote ledger rebuild` re-derives its tree in chunks from its blocks", async () => {
    const { dir, a } = await chain();
    const before = await Ledger.open(dir, { vm });
    const root = hex(before.stateRoot);
    const value = before.view(a, "get", [enc("x")]);
    before.close();
    // the store as schema 3 wrote it: one row per internal node (0x01 left right) instead of a row per chunk
    const db = new Database(join(dir, "ledger.sqlite"));
    const chunks = db.prepare("SELECT hash, node FROM nodes WHERE substr(node, 1, 1) = x'03'").all() as { hash: Buffer; node: Buffer }[];
    expect(chunks.length).toBeGreaterThan(0);
    const binary = (n: TreeNode): void => {
      if (n === null || n.leaf !== false) return;
      db.prepare("INSERT OR IGNORE INTO nodes (hash, node) VALUES (?, ?)").run(hashOf(n), Buffer.concat([Buffer.of(1), hashOf(n.left), hashOf(n.right)]));
      binary(n.left);
      binary(n.right);
    };
    for (const c of chunks) {
      db.prepare("DELETE FROM nodes WHERE hash = ?").run(c.hash);
      const d = decodeNode(new Uint8Array(c.node));
      if (!d.leaf) binary(d.chunk);
    }
    db.prepare("UPDATE meta SET value = '3' WHERE key = 'schema'").run();
    db.close();
    const why = "not a Mote ledger store (schema 3, expected 4); made by a Mote that stored the state tree a node per row: its blocks are valid, run 'mote ledger rebuild' to re-derive its tables from them";
    await expect(Ledger.open(dir, { vm })).rejects.toThrow(why);
    expect((await mote("ledger", "show", "--data", dir)).err).toBe(`mote: ${join(dir, "ledger.sqlite")}: ${why}\n`);
    expect((await mote("ledger", "rebuild", "--data", dir)).code).toBe(0);
    const after = await Ledger.open(dir, { vm });
    expect(hex(after.stateRoot)).toBe(root);
    expect(after.view(a, "get", [enc("x")])).toEqual(value);
    after.close();
    expect(await Ledger.auditStore(dir, { vm })).toMatchObject({ ok: true });
    const tags = new Database(join(dir, "ledger.sqlite")).prepare("SELECT DISTINCT substr(node, 1, 1) AS t FROM nodes ORDER BY t").all() as { t: Buffer }[];
    expect(tags.map((r) => r.t[0])).toEqual([0, 2, 3]);
  });
});
