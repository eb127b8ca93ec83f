// The store audit's row checks (ledger/tables.ts) one field at a time: a tx-index row moved to another block at the
// same index, an event row whose index or topic changed, a module or state-tree node row holding other bytes, and
// a state-tree node row no block wrote; each is named by table, block and row.
import { afterEach, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Ledger } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { enc, key, program, tempDir, ticking } from "./helpers.ts";

const alice = key(1);
const vm = await MoteVM.create();
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A book (block 1), then one put per block (blocks 2 and 3), each emitting topic 7 at (tx 0, index 0). */
async function chain(): Promise<string> {
  const dir = tempDir();
  dirs.push(dir);
  const l = await Ledger.open(dir, { chainId: "rows", clock: ticking(), vm });
  const a = l.deploy(alice, program("book.masm"), [50n]).contract;
  l.call(alice, a, "put", [enc("x"), 1n]);
  l.call(alice, a, "put", [enc("y"), 2n]);
  expect(l.events().map((e) => `${e.height}/${e.tx}/${e.index}/${e.topic}`)).toEqual(["2/0/0/7", "3/0/0/7"]);
  l.close();
  return dir;
}

function sql<T>(dir: string, f: (db: Database.Database) => T): T {
  const db = new Database(join(dir, "ledger.sqlite"));
  try {
    return f(db);
  } finally {
    db.close();
  }
}

const audit = async (dir: string) => (await Ledger.auditStore(dir, { vm })).error;

describe("store audit: each field of a derived row", () => {
  it("a tx-index row moved to another block at the same index names the block it claims", async () => {
    const dir = await chain();
    const id = sql(dir, (db) => (db.prepare("SELECT id FROM txs WHERE height = 2 AND idx = 0").get() as { id: Buffer }).id);
    sql(dir, (db) => db.prepare("UPDATE txs SET height = 3 WHERE id = ?").run(id));
    expect(await audit(dir)).toBe(`store txs table, block 2 tx 0: the row for transaction ${id.toString("hex")} says block 3 index 0`);
  });

  it("an event row whose index changed leaves the block's event without a row", async () => {
    const dir = await chain();
    sql(dir, (db) => db.prepare("UPDATE events SET idx = 5 WHERE height = 2").run());
    expect(await audit(dir)).toBe("store events table, block 2 tx 0: event (tx 0, index 0) (topic 7) has no row");
  });

  it("an event row whose topic changed names both topics", async () => {
    const dir = await chain();
    sql(dir, (db) => db.prepare("UPDATE events SET topic = 9 WHERE height = 3").run());
    expect(await audit(dir)).toBe("store events table, block 3 tx 0: row (tx 0, index 0) says topic 9, the block 7");
  });

  it("a module row holding other bytes names the module and both lengths", async () => {
    const dir = await chain();
    const m = sql(dir, (db) => db.prepare("SELECT id, bytes FROM modules").get() as { id: Buffer; bytes: Buffer });
    sql(dir, (db) => db.prepare("UPDATE modules SET bytes = x'0001' WHERE id = ?").run(m.id));
    expect(await audit(dir)).toBe(`store modules table, block 1: the row for module ${m.id.toString("hex")} deployed here holds other bytes (2 bytes, deployed ${m.bytes.length})`);
  });

  it("a state-tree node row holding other bytes, and one no block wrote, are named", async () => {
    const dir = await chain();
    const n = sql(dir, (db) => db.prepare("SELECT hash, node FROM nodes ORDER BY hash LIMIT 1").get() as { hash: Buffer; node: Buffer });
    const count = sql(dir, (db) => (db.prepare("SELECT count(*) AS n FROM nodes").get() as { n: number }).n);
    sql(dir, (db) => db.prepare("UPDATE nodes SET node = ? WHERE hash = ?").run(Buffer.concat([n.node, Buffer.of(0)]), n.hash));
    expect(await audit(dir)).toMatch(new RegExp(`^store nodes table, block \\d: the row for state-tree node ${n.hash.toString("hex")} written here holds other bytes$`));
    sql(dir, (db) => db.prepare("UPDATE nodes SET node = ? WHERE hash = ?").run(n.node, n.hash));
    expect(await audit(dir)).toBeUndefined();
    sql(dir, (db) => db.prepare("INSERT INTO nodes (hash, node) VALUES (?, x'00')").run(Buffer.alloc(32, 0xee)));
    expect(await audit(dir)).toBe(`store nodes table: holds ${count + 1} row(s), the blocks write ${count} state-tree node(s)`);
  });
});
