// docs/ledger.md promises `journal_mode=WAL` and `synchronous=FULL` on the store: every SQLite connection the
// ledger opens on a file (create, reopen, import, audit) is recorded here and must run with both when it
// closes (or at the end of the test). A store that set `synchronous = OFF` or NORMAL anywhere fails this.
import { afterAll, describe, expect, it, vi } from "vitest";

const seen = vi.hoisted(() => ({ connections: [] as { file: string; journal: string; synchronous: number; closed: boolean; db: unknown }[] }));

vi.mock("better-sqlite3", async (importOriginal) => {
  const actual = (await importOriginal()) as { default: new (...a: unknown[]) => { memory: boolean; name: string; open: boolean; pragma(s: string, o?: { simple: boolean }): unknown; close(): unknown } };
  const Real = actual.default;
  const snapshot = (db: InstanceType<typeof Real>, entry: (typeof seen.connections)[number]): void => {
    entry.journal = String(db.pragma("journal_mode", { simple: true }));
    entry.synchronous = Number(db.pragma("synchronous", { simple: true }));
  };
  class Recorded extends Real {
    constructor(...args: unknown[]) {
      super(...args);
      if (!this.memory) seen.connections.push({ file: this.name, journal: "", synchronous: -1, closed: false, db: this });
    }
    close(): unknown {
      const entry = seen.connections.find((c) => c.db === this);
      if (entry && this.open) {
        snapshot(this, entry);
        entry.closed = true;
      }
      return super.close();
    }
  }
  return { ...actual, default: Recorded };
});

const { Ledger } = await import("../../ledger/index.ts");
const { MoteVM } = await import("../../vm/host/index.ts");
const { enc, key, program, tempDir } = await import("./helpers.ts");

describe("every store connection runs with the pragmas docs/ledger.md promises", () => {
  const open: Awaited<ReturnType<typeof Ledger.open>>[] = [];
  afterAll(() => {
    for (const l of open) l.close();
  });

  it("create, reopen, write, import and audit: WAL and synchronous=FULL (2) on each", async () => {
    const vm = await MoteVM.create();
    let t = 1_700_000_000n;
    const dir = tempDir();
    const a = await Ledger.open(dir, { chainId: "pragmas", clock: () => t++, vm });
    const { contract } = a.deploy(key(1), program("book.masm"), [9n]);
    a.submit([a.signCall(key(1), contract, "put", [enc("a"), 1n])]);
    const exported = a.exportChain();
    a.close();
    const b = await Ledger.open(dir, { vm, clock: () => t++ });
    b.submit([b.signCall(key(1), contract, "put", [enc("b"), 2n])]);
    open.push(b);
    open.push(await Ledger.importChain(tempDir(), exported, { vm }));
    expect((await Ledger.auditStore(dir, { vm })).ok).toBe(true);

    for (const c of seen.connections) {
      if (!c.closed) {
        const db = c.db as { open: boolean; pragma(s: string, o: { simple: boolean }): unknown };
        if (!db.open) continue;
        c.journal = String(db.pragma("journal_mode", { simple: true }));
        c.synchronous = Number(db.pragma("synchronous", { simple: true }));
      }
    }
    const checked = seen.connections.filter((c) => c.synchronous !== -1);
    // the create path's temporary file, the reopened stores, the second process's open, the import, the audit
    expect(checked.length).toBeGreaterThanOrEqual(6);
    expect(checked.map((c) => ({ file: c.file.replace(/^.*\//, ""), journal: c.journal, synchronous: c.synchronous }))).toEqual(
      checked.map((c) => ({ file: c.file.replace(/^.*\//, ""), journal: "wal", synchronous: 2 })),
    );
    expect(checked.some((c) => c.file.endsWith(".creating"))).toBe(true);
  });
});
