// mote-host on the command line: the same JSON and exit codes as `mote run --json`, the state file that stands
// in for NVS (atomic, checksummed, readable from TypeScript), and one-line errors for every kind of bad input.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { assemble } from "../../vm/asm/index.ts";
import { MoteVM, MemoryStateStore, resultToJson } from "../../vm/host/index.ts";
import { HOST_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { decodeStateFile, encodeStateFile } from "../../firmware-host/scripts/state-file.ts";
import { runBatch } from "../../firmware-host/scripts/batch.ts";
import { compileContract, loadCompiler } from "../vectors/generate.ts";

const ROOT = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "mote-host-cli-"));
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const A = sha256(new TextEncoder().encode("cli holder A"));
const B = sha256(new TextEncoder().encode("cli holder B"));

function host(args: string[]) {
  const r = spawnSync(HOST_PATH, args, { encoding: "utf8", cwd: dir });
  return { out: r.stdout, err: r.stderr, code: r.status };
}
function mote(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/mote.js"), ...args], { encoding: "utf8", cwd: dir });
  return { out: r.stdout, err: r.stderr, code: r.status };
}
function program(name: string): string {
  const p = join(dir, `${name}.mbc`);
  writeFileSync(p, assemble(readFileSync(join(ROOT, "test/programs", `${name}.masm`), "utf8"), `${name}.masm`));
  return p;
}

let vm: MoteVM;
beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
  vm = await MoteVM.create();
  for (const p of ["sum", "fib", "counter", "revert", "wallet"]) program(p);
}, 300_000);

describe("mote-host --self and --value set the call context as the Node host does", () => {
  it("runs as the given instance with the given value", () => {
    const self = `0x${"ab".repeat(32)}`;
    const wallet = join(dir, "wallet.mbc");
    const module = readFileSync(wallet);
    const node = (fn: string, o: { self?: Uint8Array; value?: bigint }) =>
      vm.call(module, fn, [], { store: new MemoryStateStore(), ...o });
    expect(host(["wallet.mbc", "deposit", "--value", "18446744073709551615"]).out.trim()).toBe(resultToJson(node("deposit", { value: 2n ** 64n - 1n })));
    expect(host(["wallet.mbc", "who", "--self", self]).out.trim()).toBe(resultToJson(node("who", { self: new Uint8Array(32).fill(0xab) })));
    expect(host(["wallet.mbc", "who", "--self", self]).out).toContain(`"returns":["${self}"]`);
    const bad = host(["wallet.mbc", "who", "--self", "0x12"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--self: expected 32 bytes of 0x-hex \(a contract instance id\), got '0x12'/);
  });
});

// Regression (issue 14): `mote run X.mbc control 20` passed fixed 20.0 (parsed by the ABI) while mote-host
// passed the raw value 20, and a 1-byte sig reached the contract through mote-host only.
describe("mote-host reads arguments by the types of the .abi.json beside the module", () => {
  const SRC = [
    "struct Gains { p: fixed, i: fixed }",
    "contract Ctl {",
    "  pub view fn control(x: fixed) -> fixed { return x * 2; }",
    "  pub view fn sub(a: i64, b: i64) -> i64 { return a - b; }",
    "  pub fn check(s: sig) -> u64 { return len(s); }",
    "  pub view fn flag(b: bool, n: u64) -> u64 { if b { return n; } return 0; }",
    "  pub view fn gains(g: Gains) -> fixed { return g.p + g.i; }",
    "}",
  ].join("\n");
  beforeAll(() => {
    writeFileSync(join(dir, "ctl.mote"), SRC);
    const r = mote(["compile", "ctl.mote", "-o", "ctl.mbc"]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(dir, "ctl.abi.json"))).toBe(true);
  }, 60_000);

  it("prints the same bytes as mote run --json for typed arguments", () => {
    const calls = [
      ["control", "20"],
      ["control", "-0.5"],
      ["control", "1.00000762939453125"],
      ["control", "0.1234567890123456789012345678901234567"],
      ["sub", "-5", "7"],
      ["flag", "true", "9"],
      ["gains", "0x00800000000000000000010000000000"],
    ];
    // typed parsing in one batch of mote run processes would cost seconds each: compare mote-host with the
    // Node host fed by the CLI's own parser (compiler/abi.ts parseArg), and spot-check two through mote run
    for (const [fn, ...args] of calls.slice(0, 2)) {
      const n = mote(["run", "ctl.mbc", fn!, ...args, "--json"]);
      expect(host(["ctl.mbc", fn!, ...args]).out, `${fn} ${args.join(" ")}`).toBe(n.out);
    }
    expect(host(["ctl.mbc", "control", "20"]).out).toMatch(/"returns":\["2621440"\]/); // 40.0, not 40 raw
    for (const [fn, ...args] of calls) {
      const c = host(["ctl.mbc", fn!, ...args]);
      expect(c.code, `${fn} ${args.join(" ")}: ${c.err}`).toBe(0);
    }
  }, 60_000);

  it("refuses what the type does not allow, with mote run's message and exit code", () => {
    for (const [args, msg] of [
      [["check", "0x01"], "argument 1 (s: sig): a sig is 64 bytes (128 hex digits), got 1"],
      [["control", "1", "2"], "control(x: fixed) takes 1 argument(s), got 2"],
      [["flag", "1", "9"], 'argument 1 (b: bool): expected true or false (bool), got "1"'],
      [["sub", "1.5", "0"], 'argument 1 (a: i64): expected a decimal integer (i64), got "1.5"'],
    ] as [string[], string][]) {
      const c = host(["ctl.mbc", ...args]);
      expect(c.code).toBe(2);
      expect(c.err).toBe(`mote-host: ${msg}\n`);
    }
    const n = mote(["run", "ctl.mbc", "check", "0x01", "--json"]);
    expect(n.code).toBe(2);
    expect(n.err).toBe("mote: argument 1 (s: sig): a sig is 64 bytes (128 hex digits), got 1\n");
  }, 60_000);

  it("takes the ABI from --abi, and reads VM-level values without one", () => {
    const abi = readFileSync(join(dir, "ctl.abi.json"));
    writeFileSync(join(dir, "bare.mbc"), readFileSync(join(dir, "ctl.mbc")));
    writeFileSync(join(dir, "elsewhere.json"), abi);
    expect(host(["bare.mbc", "control", "20"]).out).toMatch(/"returns":\["40"\]/);
    expect(host(["--abi", "elsewhere.json", "bare.mbc", "control", "20"]).out).toMatch(/"returns":\["2621440"\]/);
  });
});

describe("mote-host prints what mote run --json prints", () => {
  it.each([
    ["sum.mbc", "sum", "100"],
    ["fib.mbc", "fib", "94"],
    ["counter.mbc", "increment"],
    ["revert.mbc", "check", "101"],
    ["sum.mbc", "sum", "0x01"],
    ["sum.mbc", "sum", "true"],
    ["wallet.mbc", "deposit", "--value", "5"],
  ])("%s %s %s", (...args) => {
    const c = host(args);
    const n = mote(["run", ...args, "--json"]);
    expect(c.out).toBe(n.out);
    expect(c.code).toBe(n.code);
    expect(c.out).toMatch(/^\{"status":"[a-z_]+","gasUsed":\d+,/);
  }, 30_000);

  it("gives the same one-line errors and exit codes for bad input", () => {
    // each `mote run` costs a few seconds of tsx start-up: a handful of cases, one per kind of error
    const cases = [
      ["missing.mbc", "sum"],
      ["sum.mbc", "nope"],
      ["sum.mbc", "sum", "18446744073709551616"],
      ["sum.mbc", "sum", "1", "--gas", "0"],
      ["sum.mbc", "sum", "1", "--timestamp", "-3"],
    ];
    for (const args of cases) {
      const c = host(args);
      const n = mote(["run", ...args, "--json"]);
      expect(c.code, args.join(" ")).toBe(n.code);
      expect(c.out).toBe("");
      expect(c.err.split("\n").filter(Boolean)).toHaveLength(1);
      expect(c.err.replace(/^mote-host: /, ""), args.join(" ")).toBe(n.err.replace(/^mote: /, ""));
    }
  }, 60_000);

  it.each([
    [["sum.mbc", "sum", "12x"], 2, /^mote-host: argument 1: expected a decimal integer or 0x-hex bytes, got '12x'$/],
    [["sum.mbc", "sum", "1", "--caller", "0x00"], 2, /^mote-host: --caller: expected 32 bytes of 0x-hex \(a public key\), got 1$/],
    [["sum.mbc", "sum", "1", "--gas", "2000000001"], 2, /^mote-host: --gas: must be 1\.\.2000000000, got 2000000001$/],
    [["sum.mbc", "sum", "1", "--bogus"], 2, /^mote-host: unknown option '--bogus'/],
    [["sum.mbc"], 2, /^mote-host: missing FN, the function to call \(run mote-host --help for usage\)$/],
    [["garbage.mbc", "f"], 1, /^mote-host: garbage\.mbc: invalid module at byte 0: bad_magic \(V1\)$/],
  ])("%j exits %i with a one-line error", (args, code, msg) => {
    writeFileSync(join(dir, "garbage.mbc"), "not a module");
    const c = host(args);
    expect(c.code).toBe(code);
    expect(c.out).toBe("");
    expect(c.err.trim().split("\n")[0]).toMatch(msg);
    if (code !== 2 || !String(msg).includes("usage")) expect(c.err.trim().split("\n")).toHaveLength(1);
  });

  it("takes negative integers as arguments, with or without --", () => {
    const expected = host(["sum.mbc", "sum", "--gas", "5000", "--", "-1"]).out;
    expect(host(["sum.mbc", "sum", "-1", "--gas", "5000"]).out).toBe(expected);
    expect(expected).toBe('{"status":"out_of_gas","gasUsed":5000,"returns":[],"events":[],"error":null,"at":21}\n');
  });
});

describe("--state: the NVS stand-in", () => {
  it("persists committed writes, matches the Node host's state, and leaves no temporary file", () => {
    const st = join(dir, "counter.state");
    const store = new MemoryStateStore();
    const counter = readFileSync(join(dir, "counter.mbc"));
    for (let i = 1; i <= 3; i++) {
      const c = host(["counter.mbc", "increment", "--state", st]);
      expect(c.code).toBe(0);
      expect(JSON.parse(c.out).returns).toEqual([String(i)]);
      vm.call(counter, "increment", [], { store });
    }
    expect(decodeStateFile(readFileSync(st)).toJSON()).toEqual(store.toJSON());
    expect(new Uint8Array(readFileSync(st))).toEqual(encodeStateFile(store));
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("leaves the file untouched when the call fails", () => {
    const st = join(dir, "counter2.state");
    expect(host(["counter.mbc", "increment", "--state", st]).code).toBe(0);
    const before = readFileSync(st);
    const c = host(["counter.mbc", "increment", "--state", st, "--gas", "30"]);
    expect(JSON.parse(c.out).status).toBe("out_of_gas");
    expect(c.code).toBe(1);
    expect(readFileSync(st)).toEqual(before);
  });

  it("reads a state the TypeScript writer made (another contract's storage for xload included)", () => {
    const st = join(dir, "prepared.state");
    const store = new MemoryStateStore();
    const counter = readFileSync(join(dir, "counter.mbc"));
    store.set(sha256(counter), new Uint8Array([0]), new Uint8Array([41, 0, 0, 0, 0, 0, 0, 0]));
    store.set(sha256(new TextEncoder().encode("elsewhere")), new Uint8Array([1, 2]), new Uint8Array([9]));
    writeFileSync(st, encodeStateFile(store));
    const c = host(["counter.mbc", "increment", "--state", st]);
    expect(JSON.parse(c.out).returns).toEqual(["42"]);
    vm.call(counter, "increment", [], { store });
    expect(decodeStateFile(readFileSync(st)).toJSON()).toEqual(store.toJSON());
  });

  it.each([
    ["a flipped value byte", (b: Uint8Array) => { b[b.length - 40]! ^= 1; }, /^mote-host: .*bad\.state: byte \d+: SHA-256 trailer does not match/],
    ["a wrong magic", (b: Uint8Array) => { b[0] = 0x58; }, /^mote-host: .*bad\.state: byte 0: magic is not "MOTS"/],
    ["a truncated file", (b: Uint8Array) => b.subarray(0, 20), /^mote-host: .*bad\.state: byte 0: file is 20 bytes/],
  ])("rejects %s with a one-line error naming the byte", (_what, damage, msg) => {
    const st = join(dir, "bad.state");
    rmSync(st, { force: true });
    expect(host(["counter.mbc", "increment", "--state", st]).code).toBe(0);
    const b = new Uint8Array(readFileSync(st));
    writeFileSync(st, (damage(b) as Uint8Array | undefined) ?? b);
    const c = host(["counter.mbc", "increment", "--state", st]);
    expect(c.code).toBe(1);
    expect(c.out).toBe("");
    expect(c.err).toMatch(msg);
    expect(c.err.trim().split("\n")).toHaveLength(1);
  });

  it("deploys a contract with --init on a new state, as mote run does", async () => {
    const compileFile = await loadCompiler();
    if (!compileFile || !existsSync(join(ROOT, "contracts/token.mote"))) return;
    const { module } = compileContract(compileFile, join(ROOT, "contracts/token.mote"));
    const mbc = join(dir, "token.mbc");
    writeFileSync(mbc, module);
    const st = join(dir, "token.state");
    const init = host(["token.mbc", "transfer", hex(B), "250", "--init", "1000", "--caller", hex(A), "--state", st]);
    expect(init.code).toBe(0);
    expect(host(["token.mbc", "balance_of", hex(A), "--state", st]).out).toMatch(/"returns":\["750"\]/);
    expect(host(["token.mbc", "balance_of", hex(B), "--state", st]).out).toMatch(/"returns":\["250"\]/);
    const again = host(["token.mbc", "balance_of", hex(A), "--init", "5", "--state", st]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^mote-host: --init: .* already holds a deployed contract/);
    const store = new MemoryStateStore();
    vm.call(module, "init", [1000n], { store, caller: A });
    vm.call(module, "transfer", [B, 250n], { store, caller: A });
    expect(decodeStateFile(readFileSync(st)).toJSON()).toEqual(store.toJSON());
  });
});

describe("--batch", () => {
  it("runs many calls on one state, prints one line per call and the state on request", () => {
    const counter = hex(new Uint8Array(readFileSync(join(dir, "counter.mbc"))));
    const r = runBatch(["# a comment", "", `module ${counter}`, "call increment", "call increment --gas 30", "call get", "state", "reset", "call get"]);
    expect(r.status).toBe(0);
    expect(r.stdout.map((l) => (JSON.parse(l) as { status?: string }).status ?? "state")).toEqual(["ok", "out_of_gas", "ok", "state", "ok"]);
    expect(JSON.parse(r.stdout[2]!).returns).toEqual(["1"]);
    expect(JSON.parse(r.stdout[4]!).returns).toEqual(["0"]);
  });

  it.each([
    [["call f"], /^mote-host: -:1: call before any module line$/],
    [["module 0x00", "frobnicate"], /^mote-host: -:2: unknown command 'frobnicate'/],
    [["module 0x0", "call f"], /^mote-host: -:1: module: expected 0x followed by an even number of hex digits$/],
    [["module 0x00", "call f 12x"], /^mote-host: -:2: argument 1: expected a decimal integer or 0x-hex bytes, got '12x'$/],
    [["module 0x00", "call f --gas"], /^mote-host: -:2: --gas needs a value$/],
    [["module 0x00", "call @99999999999"], /^mote-host: -:2: @selector must be/],
    [["state 0x00"], /^mote-host: -:1: state: byte 0: file is 1 bytes/],
  ])("reports bad line %j with its line number and exit 2", (lines, msg) => {
    const r = runBatch(lines);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(msg);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
