// The ledger commands as a user drives them: keygen, init, deploy, call, view, events, prove, show,
// export, audit and import, with --json, one-line errors and exit codes; run in-process through commander.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Command, CommanderError } from "commander";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { register } from "../../cli/commands/ledger.ts";
import { CliError } from "../../cli/errors.ts";
import { decodeStateProof, verifyStateProof, fromHex, instanceId, readKeyFile } from "../../ledger/index.ts";
import { program as assembleProgram, tempDir } from "./helpers.ts";

interface Run {
  code: number;
  out: string;
  err: string;
  raw: Buffer;
}

async function mote(...args: string[]): Promise<Run> {
  const program = new Command("mote").exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program);
  const chunks: Buffer[] = [];
  let err = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    chunks.push(Buffer.from(c));
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
    err += String(c);
    return true;
  });
  let code = 0;
  try {
    await program.parseAsync(["node", "mote", ...args]);
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof CliError) {
      if (e.message) err += `mote: ${e.message}\n`;
      code = e.exitCode;
    } else throw e;
  } finally {
    out.mockRestore();
    errSpy.mockRestore();
  }
  const raw = Buffer.concat(chunks);
  return { code, out: raw.toString(), err, raw };
}

describe("mote ledger commands", () => {
  let dir: string;
  let data: string;
  let keyFile: string;
  let mbc: string;
  let contract: string;

  beforeAll(() => {
    dir = tempDir("mote-cli-");
    data = join(dir, "chain");
    keyFile = join(dir, "op.key");
    mbc = join(dir, "book.mbc");
    mkdirSync(join(dir, "garbage"));
    writeFileSync(join(dir, "garbage", "ledger.sqlite"), "this is not a database, just text long enough to look like a header\n".repeat(20));
    const bytes = assembleProgram("book.masm");
    writeFileSync(mbc, bytes);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keygen writes a 0600 key, prints only the public key, and never overwrites", async () => {
    const r = await mote("keygen", "--out", keyFile, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { publicKey: string; file: string };
    expect(j.publicKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(keyFile, "utf8").split(" ")[1]!.trim();
    expect(r.out).not.toContain(secret);
    const again = await mote("keygen", "--out", keyFile);
    expect(again).toMatchObject({ code: 1, err: `mote: ${keyFile}: already exists; refusing to overwrite a key\n` });
  });

  it("init, deploy, call, view, events and show", async () => {
    const init = await mote("ledger", "init", "--data", data, "--chain-id", "cli-test", "--timestamp", "1000", "--json");
    expect(init.code).toBe(0);
    const genesis = fromHex((JSON.parse(init.out) as { genesis: string }).genesis, "genesis");
    expect(await mote("ledger", "init", "--data", data)).toMatchObject({ code: 1, err: `mote: ${data}: already holds a ledger\n` });
    const d = await mote("tx", "deploy", mbc, "100", "--key", keyFile, "--data", data, "--timestamp", "1001", "--json");
    expect(d.code).toBe(0);
    const dj = JSON.parse(d.out) as { contract: string; height: string; receipt: { status: string } };
    // the instance id follows from the deployer and its nonce (0), not from the module
    contract = Buffer.from(instanceId(genesis, readKeyFile(keyFile).publicKey, 0n)).toString("hex");
    expect(dj).toMatchObject({ contract: `0x${contract}`, height: "1", receipt: { status: "ok" } });
    const c = await mote("tx", "call", contract, "put", "0x6162", "7", "--key", keyFile, "--data", data, "--timestamp", "1002");
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/^tx 0x[0-9a-f]{64} in block 2\nstatus: ok\nevent 7: 0x6162, 7\ngas used: \d+\n$/);
    const rv = await mote("tx", "call", contract, "put", "0x6162", "700", "--key", keyFile, "--data", data, "--timestamp", "1003", "--json");
    expect(rv.code).toBe(1);
    expect(JSON.parse(rv.out).receipt).toMatchObject({ status: "revert", error: 1, returns: [], events: [] });
    const v = await mote("ledger", "view", contract, "get", "0x6162", "--data", data, "--json");
    expect(JSON.parse(v.out)).toMatchObject({ status: "ok", returns: ["7"] });
    const ev = await mote("events", "--contract", contract, "--name", "7", "--data", data, "--json");
    expect(JSON.parse(ev.out)).toEqual([
      { height: "2", tx: expect.stringMatching(/^0x[0-9a-f]{64}$/), index: 0, contract: `0x${contract}`, topic: "7", name: null, values: ["0x6162", "7"] },
    ]);
    const show = await mote("ledger", "show", "--height", "3", "--data", data, "--json");
    expect(JSON.parse(show.out)).toMatchObject({ height: "3", timestamp: "1003", chainId: "cli-test", txs: [{ kind: "call", nonce: "2", receipt: { status: "revert" } }] });
    expect((await mote("ledger", "show", "--height", "9", "--data", data)).err).toBe("mote: --height: no block 9 (head is 3)\n");
  });

  it("refuses bad input with one line and the right exit code", async () => {
    const cases: [string[], number, RegExp][] = [
      [["tx", "call", contract, "nope", "--key", keyFile, "--data", data], 1, /^mote: rejected \(unknown_function\): contract [0-9a-f]{64} exports no function nope\n$/],
      [["tx", "call", "abc", "put", "--key", keyFile, "--data", data], 2, /^mote: contract: expected a 32-byte contract id in hex \(64 digits\), got 'abc'\n$/],
      [["tx", "call", contract, "put", "0xzz", "1", "--key", keyFile, "--data", data], 2, /^mote: argument 1: expected 0x followed by an even number of hex digits/],
      [["tx", "call", contract, "put", "0x61", "1", "--data", data], 2, /^mote: --key FILE is required/],
      [["tx", "call", contract, "put", "0x61", "1", "--key", keyFile, "--data", data, "--timestamp", "5"], 1, /^mote: timestamp 5 is before the head block's 1003\n$/],
      [["tx", "deploy", join(dir, "missing.mbc"), "--key", keyFile, "--data", data], 1, /missing\.mbc: no such file\n$/],
      [["tx", "deploy", keyFile, "--key", keyFile, "--data", data], 1, /op\.key: not a valid module: bad magic/],
      [["tx", "call", contract, "put", "0x61", "1", "--key", keyFile, "--data", data, "--timestamp", "18446744073709551615"], 1,
        /^mote: timestamp 18446744073709551615 is more than 15 s ahead of this producer's clock \(\d+\)\n$/],
      [["tx", "call", contract, "put", "0x61", "1", "--key", keyFile, "--data", data, "--value", "5"], 1,
        /^mote: rejected \(insufficient_funds\): 0x[0-9a-f]{64} holds 0, the transaction needs 5 |^mote: rejected \(insufficient_funds\): [0-9a-f]{64} holds 0, the transaction needs 5 /],
      [["tx", "call", contract, "put", "0x61", "1", "--key", keyFile, "--data", data, "--value", "-1"], 2, /^mote: --value: expected a non-negative integer, got '-1'\n$/],
      [["tx", "call", contract, "put", "0x61", "1", "--key", keyFile, "--data", data, "--gas-price", "2x"], 2, /^mote: --gas-price: expected a non-negative integer, got '2x'\n$/],
      [["ledger", "init", "--data", join(dir, "bad-alloc"), "--alloc", "0x12=5"], 2, /^mote: --alloc: expected ID=AMOUNT with a 32-byte hex id, got '0x12=5'\n$/],
      [["balance", "xyz", "--data", data], 2, /^mote: id: expected a 32-byte public key or contract id in hex \(64 digits\), got 'xyz'\n$/],
      [["ledger", "show", "--data", join(dir, "none")], 1, /none: no ledger here \(no ledger\.sqlite\); run 'mote ledger init'/],
      [["ledger", "show", "--data", join(dir, "garbage")], 1, /garbage\/ledger\.sqlite: cannot open the ledger store \(file is not a database\)\n$/],
      [["prove", contract, "balances[1]", "--data", data], 2, /^mote: key: no storage named 'balances' \(no ABI stored for this contract; use a slot number\)\n$/],
    ];
    for (const [args, code, err] of cases) {
      const r = await mote(...args);
      expect({ args: args.join(" "), code: r.code }).toEqual({ args: args.join(" "), code });
      expect(r.err).toMatch(err);
      expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
    }
  });

  it("prove prints a value or its absence with a proof that verifies against the printed root", async () => {
    for (const [key, present] of [["2[0x6162]", true], ["2[0x6163]", false], ["0", true]] as const) {
      const r = await mote("prove", contract, key, "--data", data, "--json");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as { present: boolean; value: string | null; proof: string; stateRoot: string };
      expect(j.present).toBe(present);
      const v = verifyStateProof(fromHex(j.stateRoot, "root"), decodeStateProof(fromHex(j.proof, "proof")));
      expect(v.ok).toBe(true);
      expect(v.ok && v.value ? `0x${Buffer.from(v.value).toString("hex")}` : null).toBe(j.value);
    }
    // against an older block: the entry 0x6162 was written in block 2, so block 1 proves it absent
    const old = JSON.parse((await mote("prove", contract, "2[0x6162]", "--height", "1", "--data", data, "--json")).out) as { present: boolean; proof: string; stateRoot: string };
    expect(old.present).toBe(false);
    expect(verifyStateProof(fromHex(old.stateRoot, "root"), decodeStateProof(fromHex(old.proof, "proof")))).toEqual({ ok: true, value: null });
    expect((await mote("prove", contract, "2[0x6162]", "--height", "99", "--data", data)).err).toBe("mote: --height: no block 99 (head is 3)\n");
    const text = await mote("prove", contract, "2[0x6162]", "--data", data);
    expect(text.out).toMatch(/^contract 0x[0-9a-f]{64} key 0x026162\nvalue: 0x0700000000000000 \(7 as an integer\)\nstate root 0x[0-9a-f]{64} \(block 3, path depth \d+\)\nproof \(\d+ bytes, inclusion\): 0x[0-9a-f]+\n$/);
  });

  it("deploys a .mote source, keeps its ABI beside the chain, and uses it for arguments, reverts and event names", async () => {
    const token = new URL("../../contracts/token.mote", import.meta.url).pathname;
    const d = await mote("tx", "deploy", token, "1000", "--key", keyFile, "--data", data, "--json");
    expect(d.code).toBe(0);
    const id = (JSON.parse(d.out) as { contract: string }).contract;
    const bob = `0x${"bb".repeat(32)}`;
    const t = await mote("tx", "call", id, "transfer", bob, "10", "--key", keyFile, "--data", data);
    expect(t.out).toMatch(/\nevent Transfer\(from=0x[0-9a-f]{64}, to=0xb{64}, amount=10\)\n/);
    const rv = await mote("tx", "call", id, "transfer", bob, "100000", "--key", keyFile, "--data", data);
    expect(rv.code).toBe(1);
    expect(rv.out).toMatch(/\nstatus: revert: .*token\.mote:\d+:\d+: insufficient balance\n/);
    const typed = await mote("tx", "call", id, "transfer", "5", "10", "--key", keyFile, "--data", data);
    expect(typed).toMatchObject({ code: 2, err: 'mote: argument 1 (to: pubkey): expected 0x followed by an even number of hex digits (pubkey), got "5"\n' });
    const ev = await mote("events", "--name", "Transfer", "--data", data, "--json");
    expect((JSON.parse(ev.out) as { name: string; values: string[] }[]).map((e) => [e.name, e.values[2]])).toEqual([["Transfer", "10"]]);
    const p = await mote("prove", id, `balances[${bob}]`, "--data", data, "--json");
    expect(JSON.parse(p.out)).toMatchObject({ present: true, value: "0x0a00000000000000" });
    const show = await mote("ledger", "show", "--data", data);
    expect(show.out).toMatch(/call 0x[0-9a-f]{64} transfer by 0x[0-9a-f]{64} nonce \d+: revert: .*token\.mote:\d+:\d+: insufficient balance, gas \d+, 0 event\(s\)\n$/);
    expect((await mote("events", "--name", "Nope", "--data", data)).err).toBe("mote: --name: no stored ABI declares an event 'Nope' (give a numeric topic instead)\n");
  });

  it("exports, audits the export and the store, catches a flipped byte naming the block, and imports", async () => {
    const ex = await mote("ledger", "export", "--data", data);
    expect(ex.code).toBe(0);
    const file = join(dir, "chain.bin");
    writeFileSync(file, ex.raw);
    const ok = await mote("audit", "--file", file, "--json");
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, blocks: 7, txs: 6, headHeight: "6" });
    expect((await mote("audit", "--data", data)).out).toMatch(/: ok, 7 block\(s\), 6 transaction\(s\), head 6 [0-9a-f]{64}/);
    const bad = Buffer.from(ex.raw);
    bad[bad.length - 60] ^= 0x04;
    const badFile = join(dir, "bad.bin");
    writeFileSync(badFile, bad);
    const r = await mote("audit", "--file", badFile);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^mote: audit of .*bad\.bin failed: block 6( tx 0)?: /);
    const imp = join(dir, "imported");
    const refused = await mote("ledger", "import", badFile, "--data", imp);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^mote: .*bad\.bin: import refused, nothing written: block 6( tx 0)?: /);
    const good = await mote("ledger", "import", file, "--data", imp, "--json");
    expect(JSON.parse(good.out)).toMatchObject({ chainId: "cli-test", height: "6" });
    expect((await mote("ledger", "import", file, "--data", imp)).err).toMatch(/already holds a ledger; import needs an empty data directory/);
  });

  it("init --alloc funds accounts, --value moves native value, and balance prints it", async () => {
    const d2 = join(dir, "funded");
    const pub = readKeyFile(keyFile).publicKeyHex;
    expect((await mote("ledger", "init", "--data", d2, "--alloc", `${pub}=1000`, "--timestamp", "1000")).code).toBe(0);
    expect(JSON.parse((await mote("balance", pub, "--data", d2, "--json")).out)).toMatchObject({ kind: "account", balance: "1000" });
    const tipjar = new URL("programs/tipjar.mote", import.meta.url).pathname;
    const d = await mote("tx", "deploy", tipjar, "--value", "300", "--key", keyFile, "--data", d2, "--json");
    expect(d.code).toBe(0);
    const id = (JSON.parse(d.out) as { contract: string }).contract;
    expect((await mote("balance", id, "--data", d2)).out).toMatch(new RegExp(`^contract ${id}: 300 \\(block 1\\)\n$`));
    expect((await mote("balance", pub, "--data", d2)).out).toMatch(/: 700 \(block 1\)\n$/);
  });

  it("audits a ledger whose state table was edited, naming it (reads never use it), and `ledger rebuild` restores it", async () => {
    const dbFile = join(data, "ledger.sqlite");
    const before = (await mote("audit", "--data", data, "--json")).out;
    const db = new Database(dbFile);
    db.prepare("UPDATE state SET value = ? WHERE key = (SELECT key FROM state ORDER BY key DESC LIMIT 1)").run(Buffer.from("ffffffffffffffff", "hex"));
    db.prepare("DELETE FROM events").run();
    db.close();
    expect((await mote("ledger", "show", "--data", data)).code).toBe(0);
    const r = await mote("audit", "--data", data);
    expect(r.code).toBe(1);
    // the first damage the audit meets (events before the state table); the state table's own is test/ledger/audit.test.ts
    expect(r.err).toMatch(/^mote: audit of .* failed: store events table, block 2 tx 0: event \(tx 0, index 0\) \(topic 7\) has no row\n$/);
    const rb = await mote("ledger", "rebuild", "--data", data);
    expect(rb.code).toBe(0);
    expect(rb.out).toMatch(/^rebuilt .*: 7 block\(s\), 6 transaction\(s\), state root [0-9a-f]{64} \(every block's root checked\)\n$/);
    expect((await mote("ledger", "show", "--data", data)).code).toBe(0);
    expect((await mote("audit", "--data", data, "--json")).out).toBe(before);
    expect(JSON.parse((await mote("events", "--contract", contract, "--name", "7", "--data", data, "--json")).out)).toHaveLength(1);
    // a damaged block cannot be rebuilt from: refused, naming the block, and nothing changes
    const db2 = new Database(dbFile);
    db2.prepare("UPDATE blocks SET bytes = substr(bytes, 1, length(bytes) - 1) WHERE height = 2").run();
    db2.close();
    const refused = await mote("ledger", "rebuild", "--data", data);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^mote: rebuild refused, nothing changed: block 2( tx \d+)?: /);
    expect((await mote("ledger", "show", "--data", data)).code).toBe(0);
  });
});
