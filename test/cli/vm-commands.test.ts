// The VM-level CLI end to end: mote asm / disasm / verify / run, exit codes and one-line errors.
// Runs bin/mote.js as a user would; the VM is built by the global setup.
import { describe, expect, it, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "mote-cli-"));

function mote(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

beforeAll(() => {
  for (const p of ["fib", "counter", "revert", "oog"]) {
    const r = mote("asm", join(root, "test/programs", `${p}.masm`), "-o", join(dir, `${p}.mbc`));
    expect(r.code, r.stderr).toBe(0);
  }
});

describe("mote run", () => {
  it("runs iterative fib and prints the result and gas", () => {
    const r = mote("run", "fib.mbc", "fib", "10");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok\nreturns: 55\ngas used: \d+\n$/);
  });

  it("prints the VM-level JSON result with --json", () => {
    const r = mote("run", "fib.mbc", "fib", "10", "--json");
    expect(r.code).toBe(0);
    const line = r.stdout.trim();
    expect(line).toMatch(/^\{"status":"ok","gasUsed":\d+,"returns":\["55"\],"events":\[\],"error":null,"at":null\}$/);
  });

  it("gives the same result twice", () => {
    expect(mote("run", "fib.mbc", "fib", "30", "--json").stdout).toBe(mote("run", "fib.mbc", "fib", "30", "--json").stdout);
  });

  it("reports a revert with its error id and exits 1", () => {
    const r = mote("run", "revert.mbc", "check", "101", "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "revert", error: 3, returns: [], events: [] });
  });

  it("stops an endless loop with out_of_gas, using exactly the limit", () => {
    const r = mote("run", "oog.mbc", "spin", "--gas", "5000", "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "out_of_gas", gasUsed: 5000 });
  });

  it("keeps storage between runs with --state", () => {
    const state = join(dir, "counter.state.json");
    expect(mote("run", "counter.mbc", "increment", "--state", state, "--json").code).toBe(0);
    const second = JSON.parse(mote("run", "counter.mbc", "increment", "--state", state, "--json").stdout);
    expect(second.returns).toEqual(["2"]);
    expect(second.events).toEqual([{ topic: "1", values: ["2"] }]);
    expect(JSON.parse(mote("run", "counter.mbc", "get", "--state", state, "--json").stdout).returns).toEqual(["2"]);
    expect(existsSync(state)).toBe(true);
  });

  it("holds several contracts in one state: a second is deployed beside the first and reads its storage", () => {
    writeFileSync(join(dir, "registry.mote"), [
      "struct Device { kind: u64, active: bool }",
      "contract Registry {",
      "  storage devices: map<u64, Device>;",
      "  init(first: u64) { devices[first] = Device { kind: 7, active: true }; }",
      "  pub fn add(d: u64, kind: u64) { devices[d] = Device { kind: kind, active: true }; }",
      "}",
    ].join("\n"));
    writeFileSync(join(dir, "gate.mote"), [
      "struct Device { kind: u64, active: bool }",
      "extern contract Registry { storage devices: map<u64, Device>; }",
      "contract Gate {",
      "  pub view fn kind(registry: hash, d: u64) -> u64 { return Registry(registry).devices[d].kind; }",
      "}",
    ].join("\n"));
    const state = join(dir, "two.state.json");
    expect(mote("run", "registry.mote", "add", "5", "9", "--init", "3", "--state", state).code).toBe(0);
    const id = JSON.parse(readFileSync(state, "utf8")).contracts[0].module as string;
    expect(mote("run", "gate.mote", "kind", id, "5", "--state", state).stdout).toMatch(/^ok\nreturns: 9\n/);
    expect(mote("run", "gate.mote", "kind", id, "3", "--state", state).stdout).toMatch(/^ok\nreturns: 7\n/);
    const doc = JSON.parse(readFileSync(state, "utf8"));
    expect(doc.format).toBe("mote-state/2");
    expect(doc.contracts).toHaveLength(2);
    // the registry is deployed once: --init again is refused, a call works on the kept storage
    expectOneLineError(mote("run", "registry.mote", "add", "6", "1", "--init", "3", "--state", state), /already holds this contract/);
    expect(mote("run", "registry.mote", "add", "6", "1", "--state", state).code).toBe(0);
    expect(mote("run", "gate.mote", "kind", id, "6", "--state", state).stdout).toMatch(/^ok\nreturns: 1\n/);
  });

  it("reads a one-contract mote-state/1 file", () => {
    const state = join(dir, "v1.state.json");
    expect(mote("run", "counter.mbc", "increment", "--state", state).code).toBe(0);
    const v2 = JSON.parse(readFileSync(state, "utf8"));
    writeFileSync(state, JSON.stringify({ format: "mote-state/1", module: v2.contracts[0].module, storage: v2.contracts[0].storage }));
    expect(JSON.parse(mote("run", "counter.mbc", "increment", "--state", state, "--json").stdout).returns).toEqual(["2"]);
  });

  it("gives one-line errors for bad input", () => {
    expectOneLineError(mote("run", "missing.mbc", "fib", "1"), /missing\.mbc: no such file/);
    writeFileSync(join(dir, "garbage.mbc"), Buffer.from("not a module at all"));
    expectOneLineError(mote("run", "garbage.mbc", "fib", "1"), /garbage\.mbc: not a valid module: bad magic/);
    expectOneLineError(mote("run", "fib.mbc", "nope"), /no exported function 'nope'/);
    expectOneLineError(mote("run", "fib.mbc", "fib", "ten"), /argument 1: expected a decimal integer/);
    expectOneLineError(mote("run", "fib.mbc", "fib", "1", "--gas", "-5"), /--gas/);
    expectOneLineError(mote("run", "fib.mbc", "fib", "1", "--caller", "0x12"), /--caller: expected 32 bytes/);
  });

  it("exits 2 on usage errors", () => {
    expect(mote("run").code).toBe(2);
    expect(mote("frobnicate").code).toBe(2);
  });
});

describe("mote asm / disasm / verify", () => {
  it("round-trips assembly byte for byte", () => {
    const d = mote("disasm", "fib.mbc");
    expect(d.code, d.stderr).toBe(0);
    writeFileSync(join(dir, "fib2.masm"), d.stdout);
    expect(mote("asm", "fib2.masm", "-o", "fib2.mbc").code).toBe(0);
    expect(readFileSync(join(dir, "fib2.mbc"))).toEqual(readFileSync(join(dir, "fib.mbc")));
  });

  it("verifies a good module and names the byte offset of a bad one", () => {
    const ok = mote("verify", "fib.mbc");
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/fib\.mbc: ok, \d+ bytes, 1 function\(s\), 1 export\(s\), id 0x[0-9a-f]{64}/);
    const bytes = readFileSync(join(dir, "fib.mbc"));
    bytes[0] = 0x4e;
    writeFileSync(join(dir, "badmagic.mbc"), bytes);
    const bad = mote("verify", "badmagic.mbc", "--json");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, code: 1, name: "bad_magic", offset: 0 });
  });

  it("reports assembly errors at file:line:col", () => {
    writeFileSync(join(dir, "bad.masm"), ".func f params=0 results=0 locals=0\n    frob 1\n.end\n");
    expectOneLineError(mote("asm", "bad.masm"), /bad\.masm:2:5: unknown opcode 'frob'/);
  });
});

describe("mote run on a contract source", () => {
  const alice = "0x" + "aa".repeat(32);
  const bob = "0x" + "bb".repeat(32);
  const token = join(root, "contracts/token.mote");

  it("deploys the token with --init, transfers, reads balances and decodes a revert to its source line", () => {
    const state = join(dir, "token.state.json");
    const t = mote("run", token, "transfer", bob, "10", "--init", "1000", "--caller", alice, "--state", state);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain(`event Transfer(from=${alice}, to=${bob}, amount=10)`);
    expect(mote("run", token, "balance_of", bob, "--state", state).stdout).toMatch(/^ok\nreturns: 10\n/);
    expect(mote("run", token, "balance_of", alice, "--state", state).stdout).toMatch(/^ok\nreturns: 990\n/);
    const r = mote("run", token, "transfer", alice, "50", "--caller", bob, "--state", state);
    expect(r.code).toBe(1);
    const line = readFileSync(token, "utf8").split("\n").findIndex((l) => l.includes('"insufficient balance"')) + 1;
    expect(r.stdout).toMatch(new RegExp(`^revert: .*token\\.mote:${line}:\\d+: insufficient balance\\n`));
    // The revert left the state as it was.
    expect(mote("run", token, "balance_of", bob, "--state", state).stdout).toMatch(/^ok\nreturns: 10\n/);
  });

  it("checks arguments against the ABI's types", () => {
    expectOneLineError(mote("run", token, "balance_of", "0x12", "--init", "5"), /argument 1 \(who: pubkey\)/);
    expectOneLineError(mote("run", token, "balance_of", "--init", "5"), /balance_of\(who: pubkey\) takes 1 argument\(s\), got 0/);
  });
});

describe("mote disasm with metadata", () => {
  it("names functions and interleaves source lines from the ABI beside the module", () => {
    const out = join(dir, "tok.mbc");
    expect(mote("compile", join(root, "contracts/token.mote"), "-o", out).code).toBe(0);
    const d = mote("disasm", out, "--source-dir", join(root, "contracts"));
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/\.func transfer params=2/);
    expect(d.stdout).toMatch(/; token\.mote:\d+: balances\[caller\(\)\] = total;/);
  });
});
