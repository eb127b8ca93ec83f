// The Ledger API's edges (ledger/ledger.ts), each driven as a tool or a test would: the refusals of open, init
// and import with the message naming the directory and the problem; a store damaged outside the ledger
// (no blocks, a genesis or head block that does not decode, the state root's record missing, short, mistagged,
// of another version or not the head's); the bounds of a block's timestamp; the refusals of view; the bounds
// of prove; events from a dangling or rewritten row; the decoded-block cache; the audit of a state table with
// an extra, a missing or a changed entry; and the defaults (the fast engine, the system clock, the caller
// and gas of a view). (Found by Stryker over ledger/ledger.ts: npm run mutate:js -- ledger/ledger.ts.)
import { afterEach, describe, expect, it, vi } from "vitest";
import { existsSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ChainBroken, decodeBlock, encodeExport, hex, Ledger, LedgerError, LEDGER_LIMITS, resolveSelector, TxRejected, type ContractVM } from "../../ledger/index.ts";
import { INIT_SELECTOR } from "../../ledger/app.ts";
import { STATE_VERSION } from "../../ledger/proof.ts";
import { assemble } from "../../vm/asm/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { enc, key, program, tempDir, ticking, thrown } from "./helpers.ts";

const alice = key(1);
const vm = await MoteVM.create();
const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const FIX = "(changed outside the ledger?); run 'mote ledger rebuild' to re-derive it from the blocks";

/** A view `who` answering its caller, and a function that is no view. */
const probe = assemble(
  [".func who params=0 results=1 locals=0", "caller", "ret", ".end", ".func poke params=0 results=0 locals=0", "halt", ".end", ".export who view ret=b", ".export poke"].join("\n"),
  "probe.masm",
);

function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}


async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a refusal, got none");
}

function expectError(e: unknown, type: abstract new (...a: never[]) => Error, message: string): void {
  expect(e).toBeInstanceOf(type);
  expect((e as Error).message).toBe(message);
}

function sql(d: string, statement: string, ...args: unknown[]): void {
  const db = new Database(join(d, "ledger.sqlite"));
  db.prepare(statement).run(...args);
  db.close();
}

function count(d: string, table: string): number {
  const db = new Database(join(d, "ledger.sqlite"), { readonly: true });
  const n = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  db.close();
  return n;
}

/** A chain on disk: genesis, a book deployed by alice (block 1), one put with its event (block 2). */
async function chain(): Promise<{ d: string; book: Uint8Array }> {
  const d = dir();
  const l = await Ledger.open(d, { chainId: "edges", clock: ticking(), vm });
  const book = l.deploy(alice, program("book.masm"), [50n]).contract;
  l.call(alice, book, "put", [enc("k"), 7n]);
  l.close();
  return { d, book };
}

describe("Ledger.open, init and importChain refusals", () => {
  it("refuses a directory with no ledger unless asked to create one with a chain id", async () => {
    const d = dir();
    const none = `${d}: no ledger here (no ledger.sqlite); run 'mote ledger init' or pass a chain id to create one`;
    expectError(await rejected(Ledger.open(d, { vm })), LedgerError, none);
    // a chain id with create: false does not create one
    expectError(await rejected(Ledger.open(d, { vm, chainId: "edges", create: false })), LedgerError, none);
    expectError(await rejected(Ledger.open(d, { vm, create: true })), LedgerError, none);
    expect(existsSync(join(d, "ledger.sqlite"))).toBe(false);
    const l = await Ledger.open(d, { vm, chainId: "edges", clock: ticking() });
    expect(l.location).toBe(join(d, "ledger.sqlite"));
    l.close();
    expectError(await rejected(Ledger.open(d, { vm, chainId: "other" })), LedgerError, `${d}: holds chain 'edges', not 'other'`);
  });

  it("init and importChain refuse a directory that holds a ledger, naming it, and take ':memory:'", async () => {
    const d = dir();
    const l = await Ledger.init(d, { chainId: "edges", vm, clock: ticking() });
    const exported = l.exportChain();
    l.close();
    expectError(await rejected(Ledger.init(d, { chainId: "edges", vm })), LedgerError, `${d}: already holds a ledger`);
    expectError(await rejected(Ledger.importChain(d, exported, { vm })), LedgerError, `${d}: already holds a ledger; import needs an empty data directory`);
    // ":memory:" is a fresh chain in memory, for init and import alike
    const m = await Ledger.init(":memory:", { chainId: "mem", vm, clock: ticking() });
    expect([m.chainId, m.location, m.height]).toEqual(["mem", ":memory:", 0n]);
    m.close();
    const i = await Ledger.importChain(":memory:", exported, { vm });
    expect([i.chainId, i.location]).toEqual(["edges", ":memory:"]);
    i.close();
  });

  it("importChain names the export header when its chain id is not the genesis block's", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking() });
    l.deploy(alice, program("book.masm"), [50n]);
    const forged = encodeExport("other", [l.block(0n)!, l.block(1n)!]);
    l.close();
    const e = await rejected(Ledger.importChain(":memory:", forged, { vm }));
    expectError(e, ChainBroken, "export header: chain id 'other' differs from the genesis block's 'edges'");
  });

  it("importChain keeps the VM and the clock it is given, and runs the fast engine when given none", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking(1000n) });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    const exported = l.exportChain();
    l.close();
    const i = await Ledger.importChain(":memory:", exported, { vm, clock: () => 5000n });
    expect(i.vm).toBe(vm);
    i.call(alice, book, "put", [enc("k"), 1n]);
    expect(i.headBlock.header.timestamp).toBe(5000n);
    i.close();
    const create = vi.spyOn(MoteVM, "create");
    const f = await Ledger.importChain(":memory:", exported);
    expect(create.mock.calls).toEqual([[{ engine: "fast" }]]);
    expect((f.vm as MoteVM).engine).toBe("fast");
    expect(f.height).toBe(1n);
    f.close();
  });
});

describe("a store damaged outside the ledger is refused at open, by name", () => {
  it("a store with no blocks", async () => {
    const d = dir();
    (await Ledger.open(d, { chainId: "edges", vm, clock: ticking() })).close();
    sql(d, "DELETE FROM blocks");
    expectError(await rejected(Ledger.open(d, { vm })), LedgerError, `${d}: the store holds no blocks`);
  });

  it("a genesis or head block that does not decode, with the decoder's reason", async () => {
    const { d } = await chain();
    const reason = (bytes: Uint8Array): string => (thrown(() => decodeBlock(bytes)) as Error).message;
    const db = new Database(join(d, "ledger.sqlite"));
    const row = (h: number): Buffer => (db.prepare("SELECT bytes FROM blocks WHERE height = ?").get(h) as { bytes: Buffer }).bytes;
    const genesis = row(0);
    const head = row(2);
    db.close();
    sql(d, "UPDATE blocks SET bytes = ? WHERE height = 0", Buffer.from([0x00]));
    expectError(await rejected(Ledger.open(d, { vm })), LedgerError, `${d}: the genesis block does not decode (${reason(Uint8Array.of(0))}); run 'mote audit'`);
    sql(d, "UPDATE blocks SET bytes = ? WHERE height = 0", genesis);
    const cut = head.subarray(0, head.length - 1);
    sql(d, "UPDATE blocks SET bytes = ? WHERE height = 2", cut);
    expectError(await rejected(Ledger.open(d, { vm })), LedgerError, `${d}: head block 2 does not decode (${reason(cut)}); run 'mote audit'`);
    sql(d, "UPDATE blocks SET bytes = ? WHERE height = 2", head);
    (await Ledger.open(d, { vm })).close();
  });

  it("the head's state root record: missing, of the wrong length, tag or version, or not the head's root", async () => {
    const { d } = await chain();
    const l = await Ledger.open(d, { vm });
    const root = l.stateRoot;
    const h = l.height;
    l.close();
    const db = new Database(join(d, "ledger.sqlite"));
    const record = new Uint8Array((db.prepare("SELECT node FROM nodes WHERE hash = ?").get(root) as { node: Buffer }).node);
    db.close();
    expect([record.length, record[0], record[1]]).toEqual([34, 0x02, STATE_VERSION]);
    const notInTable = `${d}: block ${h}'s state root ${hex(root)} is not in the nodes table ${FIX}`;
    const set = (node: Uint8Array): void => sql(d, "UPDATE nodes SET node = ? WHERE hash = ?", node, root);
    const cases: [string, () => void, string][] = [
      ["missing", () => sql(d, "DELETE FROM nodes WHERE hash = ?", root), notInTable],
      ["33 bytes", () => set(record.subarray(0, 33)), notInTable],
      ["35 bytes", () => set(Uint8Array.of(...record, 0)), notInTable],
      ["tag 0x03", () => set(Uint8Array.of(0x03, ...record.subarray(1))), notInTable],
      ["version + 1", () => set(Uint8Array.of(0x02, STATE_VERSION + 1, ...record.subarray(2))), `${d}: the state tree is version ${STATE_VERSION + 1}, this ledger reads version ${STATE_VERSION}`],
      ["another tree", () => set(Uint8Array.of(0x02, STATE_VERSION, ...new Uint8Array(32).fill(0x5a))), `${d}: the nodes table's root record does not match block ${h}'s state root ${FIX}`],
    ];
    for (const [what, damage, message] of cases) {
      damage();
      const e = await rejected(Ledger.open(d, { vm }));
      expect(e, what).toBeInstanceOf(LedgerError);
      expect((e as Error).message, what).toBe(message);
      sql(d, "INSERT OR REPLACE INTO nodes (hash, node) VALUES (?, ?)", root, record);
    }
    (await Ledger.open(d, { vm })).close();
  });
});

describe("a block's timestamp", () => {
  it("may equal the head's and run MAX_TIME_DRIFT seconds ahead of the clock, not one more, nor go back", async () => {
    let now = 2000n;
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: () => now, genesisTimestamp: 1000n });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    expect(l.headBlock.header.timestamp).toBe(2000n);
    // the clock behind the head: the head's time
    now = 1500n;
    l.call(alice, book, "put", [enc("a"), 1n]);
    expect(l.headBlock.header.timestamp).toBe(2000n);
    now = 3000n;
    l.call(alice, book, "put", [enc("b"), 1n], { timestamp: 2000n });
    expect(l.headBlock.header.timestamp).toBe(2000n);
    const drift = BigInt(LEDGER_LIMITS.MAX_TIME_DRIFT.value);
    l.call(alice, book, "put", [enc("c"), 1n], { timestamp: now + drift });
    expect(l.headBlock.header.timestamp).toBe(now + drift);
    const height = l.height;
    expectError(thrown(() => l.call(alice, book, "put", [enc("d"), 1n], { timestamp: now + drift - 1n })), LedgerError, `timestamp ${now + drift - 1n} is before the head block's ${now + drift}`);
    now += 10n;
    expectError(
      thrown(() => l.call(alice, book, "put", [enc("d"), 1n], { timestamp: now + drift + 1n })),
      LedgerError,
      `timestamp ${now + drift + 1n} is more than ${drift} s ahead of this producer's clock (${now})`,
    );
    expect(l.height).toBe(height);
    l.close();
  });

  it("comes from the system clock when the ledger is given none", async () => {
    const before = BigInt(Math.floor(Date.now() / 1000));
    const l = await Ledger.open(":memory:", { chainId: "edges", vm });
    l.deploy(alice, program("book.masm"), [50n]);
    const after = BigInt(Math.floor(Date.now() / 1000));
    for (const h of [0n, 1n]) {
      const t = l.block(h)!.header.timestamp;
      expect(t >= before && t <= after, `block ${h} at ${t}, clock ${before}..${after}`).toBe(true);
    }
    l.close();
  });
});

describe("the ledger's defaults", () => {
  it("open runs the fast engine when given no VM", async () => {
    const create = vi.spyOn(MoteVM, "create");
    const l = await Ledger.open(":memory:", { chainId: "edges", clock: ticking() });
    expect(create.mock.calls).toEqual([[{ engine: "fast" }]]);
    expect((l.vm as MoteVM).engine).toBe("fast");
    l.close();
  });

  it("auditExport, auditStore and rebuild run the fast engine when given no VM, and the VM they are given otherwise", async () => {
    const { d } = await chain();
    const l = await Ledger.open(d, { vm });
    const exported = l.exportChain();
    l.close();
    const create = vi.spyOn(MoteVM, "create");
    const ok = { ok: true, chainId: "edges", blocks: 3, txs: 2 };
    expect(await Ledger.auditExport(exported, { vm })).toMatchObject(ok);
    expect(await Ledger.auditStore(d, { vm })).toMatchObject(ok);
    expect(await Ledger.rebuild(d, { vm })).toMatchObject(ok);
    expect(create).not.toHaveBeenCalled();
    expect(await Ledger.auditExport(exported)).toMatchObject(ok);
    expect(await Ledger.auditStore(d)).toMatchObject(ok);
    expect(await Ledger.rebuild(d)).toMatchObject(ok);
    expect(create.mock.calls).toEqual([[{ engine: "fast" }], [{ engine: "fast" }], [{ engine: "fast" }]]);
  });

  it("auditStore and rebuild refuse a directory with no ledger, and close the store they open", async () => {
    const empty = dir();
    expectError(await rejected(Ledger.auditStore(empty, { vm })), LedgerError, `${empty}: no ledger here (no ledger.sqlite)`);
    expectError(await rejected(Ledger.rebuild(empty, { vm })), LedgerError, `${empty}: no ledger here (no ledger.sqlite)`);
    const { d } = await chain();
    // the file descriptors this process holds on the store's files (Linux: /proc/self/fd)
    const open = (): number => readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(d);
      } catch {
        return false;
      }
    }).length;
    expect(open()).toBe(0);
    expect(await Ledger.auditStore(d, { vm })).toMatchObject({ ok: true });
    expect(open()).toBe(0);
    expect(await Ledger.rebuild(d, { vm })).toMatchObject({ ok: true });
    expect(open()).toBe(0);
  });

  it("a view runs as the zero caller with the default gas unless told otherwise", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking() });
    const p = l.deploy(alice, probe).contract;
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    expect(l.view(p, "who").returns).toEqual([new Uint8Array(32)]);
    expect(l.view(p, "who", [], { caller: alice.publicKey }).returns).toEqual([alice.publicKey]);
    const r = l.view(book, "get", [enc("k")]);
    expect(r.status).toBe("ok");
    // a gas limit given is the view's: one short of the run stops it
    expect(l.view(book, "get", [enc("k")], { gas: r.gasUsed - 1 }).status).toBe("out_of_gas");
    expect(l.view(book, "get", [enc("k")], { gas: r.gasUsed }).status).toBe("ok");
    l.close();
  });

  it("signDeploy and signCall sign no arguments when given none", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking() });
    const p = l.deploy(alice, probe).contract;
    const d = l.signDeploy(alice, probe);
    expect(d.tx).toMatchObject({ kind: "deploy", args: [] });
    const c = l.signCall(alice, p, "poke");
    expect(c.tx).toMatchObject({ kind: "call", selector: selectorOf("poke"), args: [] });
    expect(l.checkTx(c).id).toEqual(c.id);
    l.close();
  });
});

describe("API for a driver of its own blocks", () => {
  it("checkTx checks against committed state; beginBlock, stageBlock and commitStaged make the next block at the caller's time", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking(1000n) });
    const p = l.deploy(alice, probe).contract;
    const tx = l.signCall(alice, p, "poke");
    expect(hex(l.checkTx(tx.bytes).id)).toBe(hex(tx.id));
    expect(l.application.chainId).toBe("edges");
    expect(hex(l.application.genesisHash!)).toBe(hex(l.genesisHash));
    const b = l.beginBlock(77_777n);
    expect(b.ctx).toEqual({ height: 2n, timestamp: 77_777n });
    expect(b.deliver(tx).status).toBe("ok");
    l.commitStaged(l.stageBlock(b));
    expect([l.height, l.headBlock.header.timestamp, l.headBlock.txs.length]).toEqual([2n, 77_777n, 1]);
    const e = thrown(() => l.checkTx(tx));
    expect(e).toBeInstanceOf(TxRejected);
    expect((e as TxRejected).code).toBe("nonce_replayed");
    l.close();
  });

  it("submit reports a rejected transaction but lets any other failure through, leaving no block", async () => {
    const failing: ContractVM = {
      verify: (m) => vm.verify(m),
      call: (m, fn, args, opts) => {
        if (fn === selectorOf("poke")) throw new Error("the VM failed");
        return vm.call(m, fn, args, opts);
      },
    };
    const l = await Ledger.open(":memory:", { chainId: "edges", vm: failing, clock: ticking() });
    const p = l.deploy(alice, probe).contract;
    const e = thrown(() => l.submit([l.signCall(alice, p, "poke")]));
    expectError(e, Error, "the VM failed");
    expect(l.height).toBe(1n);
    l.close();
  });
});

describe("names of functions in refusals", () => {
  it("resolveSelector takes a selector as a u32 and a name by its hash", () => {
    expect(resolveSelector(0x1234)).toBe(0x1234);
    expect(resolveSelector(-1)).toBe(0xffffffff);
    expect(resolveSelector("get")).toBe(selectorOf("get"));
  });

  it("call names the function it was asked for, or the 8-digit selector it was given", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking() });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    // "absent" hashes to a selector below 0x10000000: its 8 hex digits start with 0
    expect(selectorOf("absent")).toBeLessThan(0x10000000);
    const byName = thrown(() => l.call(alice, book, "absent"));
    expectError(byName, TxRejected, `contract ${hex(book)} exports no function absent`);
    expect((byName as TxRejected).code).toBe("unknown_function");
    const bySelector = thrown(() => l.call(alice, book, 0xabcd));
    expectError(bySelector, TxRejected, `contract ${hex(book)} exports no function selector 0x0000abcd`);
    expect((bySelector as TxRejected).code).toBe("unknown_function");
    l.close();
  });

  it("view refuses an unknown contract, init, an unknown function and a function that is no view, each by name and code", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking() });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    const refused = (f: () => unknown, message: string, code: string): void => {
      const e = thrown(f);
      expectError(e, TxRejected, message);
      expect((e as TxRejected).code, message).toBe(code);
    };
    const nobody = new Uint8Array(32).fill(9);
    refused(() => l.view(nobody, "get", [enc("k")]), `unknown contract ${hex(nobody)}`, "unknown_contract");
    refused(() => l.view(book, "init", [1n]), "init runs once, when the contract is deployed", "unknown_function");
    refused(() => l.view(book, INIT_SELECTOR, [1n]), "init runs once, when the contract is deployed", "unknown_function");
    refused(() => l.view(book, "absent"), `contract ${hex(book)} exports no function absent`, "unknown_function");
    refused(() => l.view(book, 0xabcd), `contract ${hex(book)} exports no function selector 0x0000abcd`, "unknown_function");
    refused(() => l.view(book, "put", [enc("k"), 1n]), "put is not a view function; send it as a transaction", "unknown_function");
    refused(() => l.view(book, selectorOf("put"), [enc("k"), 1n]), `selector 0x${selectorOf("put").toString(16).padStart(8, "0")} is not a view function; send it as a transaction`, "unknown_function");
    expect(l.view(book, selectorOf("owner")).returns).toEqual([alice.publicKey]);
    l.close();
  });
});

describe("blocks, events and proofs", () => {
  it("block() answers a decoded block from a cache of at most 257, and undefined past the head", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking() });
    for (let i = 0; i < 257; i++) l.commitStaged(l.stageBlock(l.beginBlock(2_000_000_000n + BigInt(i))));
    expect(l.height).toBe(257n);
    expect(l.block(258n)).toBeUndefined();
    const first = l.block(0n)!;
    expect(l.block(0n)).toBe(first);
    // blocks 0..256: 257 entries, the cache's bound, still holding block 0
    for (let h = 1n; h <= 256n; h++) expect(l.block(h)!.header.height).toBe(h);
    expect(l.block(0n)).toBe(first);
    // one more: the cache starts over
    expect(l.block(257n)!.header.height).toBe(257n);
    const again = l.block(0n)!;
    expect(again).not.toBe(first);
    expect(hex(again.hash)).toBe(hex(first.hash));
    l.close();
  });

  it("events() refuses a row that names no event of the blocks (a missing tx, a block past the head) or another topic", async () => {
    const { d, book } = await chain();
    const l = await Ledger.open(d, { vm });
    expect(l.events().map((e) => [e.height, e.tx, e.index, e.topic])).toEqual([[2n, 0, 0, 7]]);
    const insert = "INSERT INTO events (height, tx, idx, contract, topic) VALUES (?, ?, ?, ?, ?)";
    sql(d, insert, 2, 5, 0, book, 7);
    expectError(thrown(() => l.events()), LedgerError, `events table: row (block 2, tx 5, index 0) names no event of the blocks ${FIX}`);
    sql(d, "DELETE FROM events WHERE tx = 5");
    sql(d, insert, 9, 0, 0, book, 7);
    expectError(thrown(() => l.events()), LedgerError, `events table: row (block 9, tx 0, index 0) names no event of the blocks ${FIX}`);
    sql(d, "DELETE FROM events WHERE height = 9");
    sql(d, "UPDATE events SET topic = 8");
    expectError(thrown(() => l.events()), LedgerError, `events table: row (block 2, tx 0, index 0) says contract ${hex(book)} topic 8, block 2 says ${hex(book)} topic 7 ${FIX}`);
    l.close();
  });

  it("prove takes keys of 1..MAX_KEY_BYTES bytes and a block that exists", async () => {
    const l = await Ledger.open(":memory:", { chainId: "edges", vm, clock: ticking() });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    const max = LIMITS.MAX_KEY_BYTES.value;
    for (const n of [0, max + 1]) expectError(thrown(() => l.prove(book, new Uint8Array(n))), RangeError, `a storage key is 1..${max} bytes, got ${n}`);
    expect(l.prove(book, new Uint8Array(max)).value).toBeNull();
    expect(l.prove(book, new Uint8Array(1), { height: 0n }).height).toBe(0n);
    expectError(thrown(() => l.prove(book, new Uint8Array(1), { height: 2n })), RangeError, "no block 2 (head is 1)");
    l.close();
  });

  it("a proof at the head walks the state the ledger holds: repeated, it reads no tree node from the store; at an older block it reads them", async () => {
    const { d, book } = await chain();
    const l = await Ledger.open(d, { vm });
    const first = l.prove(book, enc("k"));
    const reads = l.storeReads.nodes;
    const again = l.prove(book, enc("k"));
    expect(l.storeReads.nodes).toBe(reads);
    expect(hex(again.encoded)).toBe(hex(first.encoded));
    expect(hex(l.prove(book, enc("k"), { height: l.height }).encoded)).toBe(hex(first.encoded));
    expect(l.storeReads.nodes).toBe(reads);
    // block 1's root: the put of block 2 is not under it, and its nodes come from the store
    expect(l.prove(book, enc("k"), { height: 1n }).value).toBeNull();
    expect(l.storeReads.nodes).toBeGreaterThan(reads);
    l.close();
  });
});

describe("the store audit compares the state table with the replayed state, entry by entry", () => {
  it("names an extra entry (after the last or between two), a missing one and a changed one", async () => {
    const { d } = await chain();
    const db = new Database(join(d, "ledger.sqlite"));
    const rows = db.prepare("SELECT key, value FROM state ORDER BY key").all() as { key: Buffer; value: Buffer }[];
    db.close();
    expect(rows.length).toBeGreaterThan(2);
    const last = rows[rows.length - 1]!;
    const mid = rows[1]!;
    const between = Buffer.concat([rows[0]!.key, Buffer.from([0])]);
    expect(Buffer.compare(between, mid.key)).toBe(-1);
    const broken = (key: Uint8Array) => ({ ok: false, height: null, tx: null, section: "store state table", error: `store state table: entry ${hex(key)} differs from the replayed state` });
    const after = Buffer.from(new Uint8Array(40).fill(0xff));
    const cases: [string, () => void, () => void, Uint8Array][] = [
      ["extra after the last", () => sql(d, "INSERT INTO state (key, value) VALUES (?, ?)", after, Buffer.from([1])), () => sql(d, "DELETE FROM state WHERE key = ?", after), after],
      ["extra between", () => sql(d, "INSERT INTO state (key, value) VALUES (?, ?)", between, Buffer.from([1])), () => sql(d, "DELETE FROM state WHERE key = ?", between), between],
      ["last missing", () => sql(d, "DELETE FROM state WHERE key = ?", last.key), () => sql(d, "INSERT INTO state (key, value) VALUES (?, ?)", last.key, last.value), last.key],
      ["changed", () => sql(d, "UPDATE state SET value = ? WHERE key = ?", Buffer.concat([mid.value, Buffer.from([0])]), mid.key), () => sql(d, "UPDATE state SET value = ? WHERE key = ?", mid.value, mid.key), mid.key],
    ];
    for (const [what, damage, repair, named] of cases) {
      damage();
      expect(await Ledger.auditStore(d, { vm }), what).toEqual(broken(named));
      repair();
    }
    expect(await Ledger.auditStore(d, { vm })).toMatchObject({ ok: true });
  });

  it("names the store when its chain id is not the genesis block's, and rebuild then changes nothing", async () => {
    const { d } = await chain();
    sql(d, "UPDATE meta SET value = 'other' WHERE key = 'chain_id'");
    const broken = { ok: false, height: null, tx: null, section: "store", error: "store: chain id 'other' differs from the genesis block's 'edges'" };
    expect(await Ledger.auditStore(d, { vm })).toEqual(broken);
    const tables = ["state", "nodes", "modules", "txs", "events"];
    const before = tables.map((t) => count(d, t));
    expect(await Ledger.rebuild(d, { vm })).toEqual(broken);
    expect(tables.map((t) => count(d, t))).toEqual(before);
    sql(d, "UPDATE meta SET value = 'edges' WHERE key = 'chain_id'");
    expect(await Ledger.auditStore(d, { vm })).toMatchObject({ ok: true, blocks: 3 });
  });
});
