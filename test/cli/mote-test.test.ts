// `mote init` and `mote test` end to end, in fresh directories outside the repository, as a new user runs
// them: Mote-native tests with cheats, fuzzing with shrinking, gas report and snapshot, exit codes.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

function mote(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function newProject(): string {
  const parent = mkdtempSync(join(tmpdir(), "mote-init-"));
  const r = mote(parent, "init", "demo");
  expect(r.code, r.stderr).toBe(0);
  return join(parent, "demo");
}

const FAILING = `import "../contracts/counter.mote";

const STRANGER: pubkey = 0x5555555555555555555555555555555555555555555555555555555555555555;

test fn too_large() {
  step(101);
}

test fn small_only(x: u64, who: pubkey) {
  assert(x < 1000, "x is small");
}

test fn wrong_message() {
  prank(STRANGER);
  expect_revert("step too large");
  step(1);
}

test fn no_revert() {
  expect_revert("step too large");
  step(1);
}

test fn wrong_event() {
  expect_emit();
  emit Stepped(caller(), 99);
  step(3);
}

test fn clock() {
  warp(1234);
  roll(7);
  assert(now() == 1234 && height() == 7, "warp and roll");
}

test fn prank_is_caller() {
  prank(STRANGER);
  assert(caller() == STRANGER, "prank sets the caller");
}
`;

describe("mote init", () => {
  it("creates a project whose tests pass: mote init demo && cd demo && mote test", () => {
    const dir = newProject();
    for (const f of ["mote.json", ".gitignore", "contracts/counter.mote", "tests/counter.t.mote", "README.md"]) expect(existsSync(join(dir, f)), f).toBe(true);
    const ignore = readFileSync(join(dir, ".gitignore"), "utf8").split("\n");
    for (const p of ["*.key", ".mote/", "build/"]) expect(ignore).toContain(p);
    const cfg = JSON.parse(readFileSync(join(dir, "mote.json"), "utf8"));
    expect(cfg).toEqual({ contracts: { Counter: { source: "contracts/counter.mote", init: ["10"] } }, tests: "tests" });
    const r = mote(dir, "test");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("5 passed, 0 failed");
    expect(lines.slice(0, -1).every((l) => l.startsWith("[PASS] tests/counter.t.mote::"))).toBe(true);
    expect(r.stdout).toMatch(/\[PASS\] tests\/counter\.t\.mote::steps_add_up\(u64,u64\) \(runs: 256, median gas: \d+\)/);
    // also from a subdirectory: the project is found upward
    expect(mote(join(dir, "contracts"), "test").code).toBe(0);
  });

  it("refuses a non-empty directory and a bad name", () => {
    const dir = newProject();
    const again = mote(join(dir, ".."), "init", "demo");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^mote: demo: already exists and is not an empty directory\n$/);
    expect(mote(dir, "init", "bad name").code).toBe(2);
  });
});

describe("mote test", () => {
  it("reports each failure on its test's line, shrinks fuzzed inputs, and exits 1", () => {
    const dir = newProject();
    writeFileSync(join(dir, "tests/failing.t.mote"), FAILING);
    const r = mote(dir, "test", "tests/failing.t.mote");
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out).toContain("[FAIL: revert: contracts/counter.mote:18:5: step too large] tests/failing.t.mote::too_large() (gas:");
    expect(out).toMatch(/\[FAIL: revert: tests\/failing\.t\.mote:10:3: x is small\] tests\/failing\.t\.mote::small_only\(u64,pubkey\) \(runs: \d+, median gas: \d+\) counterexample: x=1000, who=0x0{64} \(seed 1\)/);
    expect(out).toContain('[FAIL: expected a revert with "step too large", got revert: contracts/counter.mote:17:5: only the owner steps] tests/failing.t.mote::wrong_message()');
    expect(out).toContain('[FAIL: expected a revert with "step too large", got ok (no revert)] tests/failing.t.mote::no_revert()');
    expect(out).toMatch(/\[FAIL: expected event Stepped\(by=0x0{64}, count=99\) was not emitted after expect_emit\(\)\] tests\/failing\.t\.mote::wrong_event\(\)/);
    expect(out).toContain("[PASS] tests/failing.t.mote::clock()");
    expect(out).toContain("[PASS] tests/failing.t.mote::prank_is_caller()");
    expect(out.trim().split("\n").at(-1)).toBe("2 passed, 5 failed");
    // another seed finds other inputs but shrinks to the same boundary; the same seed repeats exactly
    const s7 = mote(dir, "test", "tests/failing.t.mote", "--match", "small_only", "--seed", "7");
    expect(s7.stdout).toMatch(/counterexample: x=1000, who=0x0{64} \(seed 7\)/);
    expect(mote(dir, "test", "tests/failing.t.mote", "--seed", "7").stdout).toBe(mote(dir, "test", "tests/failing.t.mote", "--seed", "7").stdout);
  });

  it("writes a gas snapshot and --check fails on a difference", () => {
    const dir = newProject();
    const w = mote(dir, "test", "--gas-snapshot");
    expect(w.code, w.stdout + w.stderr).toBe(0);
    const snap = readFileSync(join(dir, ".gas-snapshot"), "utf8");
    expect(snap).toMatch(/^tests\/counter\.t\.mote::owner_steps\(\) \(gas: \d+\)$/m);
    expect(snap.trim().split("\n")).toHaveLength(5);
    expect(mote(dir, "test", "--gas-snapshot", "--check").code).toBe(0);
    writeFileSync(join(dir, ".gas-snapshot"), snap.replace(/owner_steps\(\) \(gas: (\d+)\)/, (_, g) => `owner_steps() (gas: ${Number(g) + 1})`));
    const c = mote(dir, "test", "--gas-snapshot", "--check");
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/gas snapshot \.gas-snapshot differs:\n- tests\/counter\.t\.mote::owner_steps\(\) \(gas: \d+\)\n\+ tests\/counter\.t\.mote::owner_steps\(\) \(gas: \d+\)/);
    expect(mote(dir, "test", "--check").code).toBe(2);
  });

  it("prints a per-function gas report and JSON", () => {
    const dir = newProject();
    const r = mote(dir, "test", "--gas-report");
    expect(r.stdout).toMatch(/Counter \(tests\/counter\.t\.mote, test build \d+ bytes\)\n {2}function +min +median +max +calls\n/);
    expect(r.stdout).toMatch(/steps_add_up +\d+ +\d+ +\d+ +256/);
    const j = JSON.parse(mote(dir, "test", "--json").stdout) as { passed: number; failed: number; results: { tests: { name: string; ok: boolean }[] }[] };
    expect(j.passed).toBe(5);
    expect(j.failed).toBe(0);
    expect(j.results[0]!.tests.map((t) => t.name)).toEqual(["starts_at_init_value", "owner_steps", "step_emits", "stranger_cannot_step", "steps_add_up"]);
  });

  it("fails when a test file does not compile or init arguments do not fit, and outside a project", () => {
    const dir = newProject();
    writeFileSync(join(dir, "tests/bad.t.mote"), 'import "../contracts/counter.mote";\ntest fn t() { prank(5); }\n');
    const r = mote(dir, "test", "tests/bad.t.mote");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tests\/bad\.t\.mote:2:\d+: error/);
    expect(r.stdout).toMatch(/\[FAIL\] tests\/bad\.t\.mote: does not compile\n0 passed, 1 failed\n$/);
    writeFileSync(join(dir, "mote.json"), JSON.stringify({ contracts: { Counter: { source: "contracts/counter.mote", init: [] } } }));
    const i = mote(dir, "test", "tests/counter.t.mote");
    expect(i.code).toBe(1);
    expect(i.stdout).toContain("[FAIL: init arguments for Counter: init(start: u64) takes 1 argument(s), the config gives 0]");
    const empty = mkdtempSync(join(tmpdir(), "mote-noproj-"));
    mkdirSync(join(empty, "x"));
    const n = mote(empty, "test");
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(/no mote\.json here or above/);
  });
});

describe("mote/testing", () => {
  it("the TypeScript helper loads as a library in a project and drives its contract", () => {
    const dir = newProject();
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/mote"));
    writeFileSync(
      join(dir, "it.mjs"),
      `import { deploy, expectRevert, account } from "mote/testing";
const owner = account("alice");
const c = await deploy("contracts/counter.mote", { init: [10n], from: owner });
await c.call("step", [5n], { from: owner });
const v = await c.view("get", []);
await expectRevert(c.call("step", [1n], { from: account("bob") }), "only the owner steps");
console.log(String(v), c.events("Stepped").length);
`,
    );
    const r = spawnSync(process.execPath, ["it.mjs"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("15 1\n");
  });
});

describe("mote test --watch", () => {
  it("runs again when a test file changes", async () => {
    const dir = newProject();
    const child = spawn(process.execPath, [join(root, "bin/mote.js"), "test", "--watch"], { cwd: dir });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const until = async (s: string): Promise<void> => {
      for (let i = 0; i < 400 && !out.includes(s); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(s);
    };
    try {
      await until("5 passed, 0 failed\nwatching for changes");
      const f = join(dir, "tests/counter.t.mote");
      writeFileSync(f, `${readFileSync(f, "utf8")}\ntest fn broken() { assert(get() == 11, "not eleven"); }\n`);
      await until("5 passed, 1 failed\nwatching for changes");
      expect(out).toMatch(/\[FAIL: revert: tests\/counter\.t\.mote:\d+:\d+: not eleven\] tests\/counter\.t\.mote::broken\(\)/);
    } finally {
      child.kill();
    }
  });
});

describe("mote test: attach(v)", () => {
  it("attaches native value: call_value() says it and the contract holds it, so it can pay", () => {
    const dir = newProject();
    writeFileSync(
      join(dir, "contracts/jar.mote"),
      `contract Jar {
  storage tips: u64;

  pub fn tip() {
    tips += call_value();
  }

  pub fn give(to: pubkey, n: u64) {
    pay(to, n);
  }

  pub view fn funds() -> u64 {
    return native_balance(self());
  }
}
`,
    );
    writeFileSync(
      join(dir, "tests/jar.t.mote"),
      `import "../contracts/jar.mote";

const BOB: pubkey = 0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;

test fn tip_counts_value() {
  attach(25);
  tip();
  assert(tips == 25 && funds() == 25, "the tip and the balance");
  give(BOB, 20);
  assert(funds() == 5 && native_balance(BOB) == 20, "paid out");
}

test fn cannot_pay_without_value() {
  give(BOB, 1);
}
`,
    );
    const r = mote(dir, "test", "tests/jar.t.mote");
    expect(r.stdout).toMatch(/\[PASS\] tests\/jar\.t\.mote::tip_counts_value\(\)/);
    expect(r.stdout).toMatch(/\[FAIL: insufficient_balance\] tests\/jar\.t\.mote::cannot_pay_without_value\(\)/);
    expect(r.stdout).toMatch(/1 passed, 1 failed\n$/);
  });
});
