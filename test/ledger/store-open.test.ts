// The store's own rules (ledger/store.ts), each driven through the store or the ledger: which schema versions
// open and which `mote ledger rebuild` may bring forward, with the message naming each; a file that is no
// SQLite database; create over an existing ledger; the state table losing a deleted key; the events filter and a
// deploy's events attributed to the new instance; the read counters; the durability setting; close.
// (Found by Stryker over ledger/store.ts: npm run mutate:js -- ledger/store.ts.)
import { afterEach, describe, expect, it } from "vitest";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Ledger, LedgerError, hex } from "../../ledger/index.ts";
import { LedgerStore } from "../../ledger/store.ts";
import { assemble } from "../../vm/asm/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { enc, key, program, tempDir, ticking } from "./helpers.ts";

const alice = key(1);
const vm = await MoteVM.create();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function made(): Promise<{ dir: string; l: Ledger }> {
  const dir = tempDir();
  dirs.push(dir);
  return { dir, l: await Ledger.open(dir, { chainId: "store", clock: ticking(), vm }) };
}

function setSchema(dir: string, value: string | null): void {
  const db = new Database(join(dir, "ledger.sqlite"));
  if (value === null) db.prepare("DELETE FROM meta WHERE key = 'schema'").run();
  else db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(value);
  db.close();
}

describe("the store's schema versions", () => {
  it("refuses a store of schema 2, 5 or none with the version it found, naming the remedy only where there is one; rebuild takes none of them", async () => {
    const { dir, l } = await made();
    l.close();
    const file = join(dir, "ledger.sqlite");
    const cases: [string | null, string][] = [
      ["2", `${file}: not a Mote ledger store (schema 2, expected 4); made by a Mote before chain-bound signatures (genesis hash), so its transactions are not valid here: create the chain again with 'mote ledger init'`],
      ["5", `${file}: not a Mote ledger store (schema 5, expected 4)`],
      [null, `${file}: not a Mote ledger store (schema missing, expected 4)`],
    ];
    for (const [schema, message] of cases) {
      setSchema(dir, schema === null ? "4" : schema);
      if (schema === null) setSchema(dir, null);
      const refused = (f: () => unknown): unknown => {
        try {
          f();
        } catch (e) {
          return e;
        }
        return "opened";
      };
      expect(refused(() => LedgerStore.open(dir)), `schema ${schema}`).toEqual(new LedgerError(message));
      // only the schema before (3) may be brought forward by a rebuild
      expect(refused(() => LedgerStore.open(dir, true)), `rebuild of schema ${schema}`).toEqual(new LedgerError(message));
      await expect(Ledger.rebuild(dir, { vm })).rejects.toThrow(message);
      if (schema === null) {
        const db = new Database(file);
        db.prepare("INSERT INTO meta (key, value) VALUES ('schema', '4')").run();
        db.close();
      }
    }
    setSchema(dir, "4");
    (await Ledger.open(dir, { vm })).close();
  });

  it("names a file that is not a SQLite database", async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, "ledger.sqlite"), "not a database, just bytes\n".repeat(200));
    expect(() => LedgerStore.open(dir)).toThrow(new RegExp(`^${join(dir, "ledger.sqlite").replace(/[.]/g, "\\.")}: cannot open the ledger store \\(file is not a database\\)$`));
  });

  it("create refuses a directory that already holds a ledger, naming the file", async () => {
    const { dir, l } = await made();
    l.close();
    expect(() => LedgerStore.create(dir, "store", [])).toThrow(new LedgerError(`${dir}: already holds a ledger (${join(dir, "ledger.sqlite")})`));
  });
});

describe("what the store keeps", () => {
  it("drops a deleted key from the state table, and counts the rows it reads", async () => {
    const { dir, l } = await made();
    const book = l.deploy(alice, program("book.masm"), [100n]).contract;
    l.call(alice, book, "put", [enc("k"), 5n]);
    const rows = (): number => {
      const db = new Database(join(dir, "ledger.sqlite"), { readonly: true });
      const n = (db.prepare("SELECT count(*) AS n FROM state").get() as { n: number }).n;
      db.close();
      return n;
    };
    const before = rows();
    l.call(alice, book, "clear", [enc("k")]);
    expect(rows()).toBe(before - 1);
    l.close();
    // a reopened ledger has read its root record only; a call reads its contract's module and tree rows
    const again = await Ledger.open(dir, { vm });
    expect(again.storeReads).toEqual({ nodes: 1, state: 0, modules: 0 });
    again.call(alice, book, "put", [enc("j"), 6n]);
    const r = again.storeReads;
    expect(r.modules).toBe(1);
    expect(r.nodes).toBeGreaterThan(1);
    expect(r.state).toBe(0);
    again.close();
  });

  it("attributes a deploy's events to the new instance, and filters events by contract and topic", async () => {
    const { l } = await made();
    const emitter = assemble([".func init params=0 results=0 locals=0", "push1", "emit 9 1 0", "halt", ".end", ".export init"].join("\n"), "emitter.masm");
    const a = l.deploy(alice, emitter, []).contract;
    const book = l.deploy(alice, program("book.masm"), [100n]).contract;
    l.call(alice, book, "put", [enc("k"), 5n]);
    expect(l.events({ contract: a }).map((e) => [hex(e.contract), e.topic])).toEqual([[hex(a), 9]]);
    expect(l.events({ contract: book }).map((e) => [hex(e.contract), e.topic])).toEqual([[hex(book), 7]]);
    expect(l.events({ topic: 9 }).map((e) => hex(e.contract))).toEqual([hex(a)]);
    expect(l.events().length).toBe(2);
    l.close();
  });

  it("commits with synchronous FULL unless relaxed under an engine, and a closed store is closed", async () => {
    const { dir, l } = await made();
    expect(l.synchronous).toBe("FULL");
    l.relaxDurabilityUnderEngine();
    expect(l.synchronous).toBe("NORMAL");
    l.close();
    expect(() => l.height).not.toThrow(); // the head is kept in memory
    expect(() => l.events()).toThrow(/database connection is not open/);
    const again = await Ledger.open(dir, { vm });
    expect(again.synchronous).toBe("FULL");
    again.close();
  });
});
