// `mote run --trace` and `mote test -vvv`: storage reads and writes, events and the revert point, in the
// order the call made them, decoded by the ABI and resolved to the source line.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LEDGER_LIMITS } from "../../ledger/params.ts";

const root = new URL("../..", import.meta.url).pathname;
const A = `0x${"aa".repeat(32)}`;
const B = `0x${"bb".repeat(32)}`;

function mote(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("mote run --trace", () => {
  it("traces each instruction under its source line, with storage accesses, events, stack and gas", () => {
    const state = join(mkdtempSync(join(tmpdir(), "mote-trace-")), "s.json");
    const r = mote(root, "run", "contracts/token.mote", "transfer", B, "10", "--init", "1000", "--caller", A, "--state", state, "--trace");
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    const call = out.slice(out.indexOf("trace transfer:\n"));
    // the source line, then its instructions; a storage access right after the instruction that made it
    expect(call).toContain("  token.mote:45: let bal = balances[from];\n");
    expect(call).toMatch(/ {4}helper6\+1 +mloadbi 1 +stack 1, top \d+; gas left \d+\n {6}-> sload {2}balances\[0x(aa){32}\] -> 1000\n {4}helper6\+3 +ltee 3 +stack 1, top 1000; gas left \d+\n/);
    expect(call).toMatch(/ {4}helper6\+12 +subu +stack 3, top 10; gas left \d+\n {4}helper6\+13 +mstorebi 1 +stack 2, top 990;/);
    expect(call).toContain(`      -> sstore balances[${B}] = 10\n`);
    expect(call).toContain(`      -> emit   Transfer(from=${A}, to=${B}, amount=10)\n`);
    // the last instruction's gas left and the gas used add up to the limit (mote run's default, LEDGER_LIMITS.DEFAULT_TX_GAS)
    const end = / {4}transfer\+8 +ret +stack 0; gas left (\d+)\n {2}end: ok, gas used (\d+)\nok\n/.exec(call);
    expect(end).not.toBeNull();
    expect(Number(end![1]) + Number(end![2])).toBe(LEDGER_LIMITS.DEFAULT_TX_GAS.value);
    // gas left only goes down, and ends at the limit minus the gas used
    const gas = [...call.matchAll(/gas left (\d+)/g)].map((m) => Number(m[1]));
    expect(gas.every((g, i) => i === 0 || g <= gas[i - 1]!)).toBe(true);
    expect(out).toContain("trace init:\n");
    expect(out).toContain("      -> sstore supply = 1000\n");
    const rev = mote(root, "run", "contracts/token.mote", "transfer", A, "50", "--caller", B, "--state", state, "--trace");
    expect(rev.code).toBe(1);
    expect(rev.stdout).toMatch(/ {2}token\.mote:46: require\(bal >= amount, "insufficient balance"\);\n(.*\n){3} {2}revert at token\.mote:46:5: insufficient balance {2}\| require\(bal >= amount, "insufficient balance"\);\n {2}end: revert, gas used \d+\n/);
  });

  it("leaves the ordinary VM without the trace hook", async () => {
    const { readFileSync } = await import("node:fs");
    const imports = (p: string): string[] => WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(root, p)))).map((i) => i.name);
    expect(imports("vm/build/mote.wasm")).not.toContain("host_trace");
    expect(imports("vm/build/mote-trace.wasm")).toContain("host_trace");
  });
});

describe("mote test -vvv", () => {
  it("prints each test's trace: instructions, cheats, storage, revert point", () => {
    const parent = mkdtempSync(join(tmpdir(), "mote-trace-"));
    expect(mote(parent, "init", "demo").code).toBe(0);
    const r = mote(join(parent, "demo"), "test", "-vvv", "--match", "stranger_cannot_step");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^\[PASS\] tests\/counter\.t\.mote::stranger_cannot_step\(\) \(gas: \d+\)\n {4}\.\.\/tests\/counter\.t\.mote:\d+: prank\(STRANGER\);\n/);
    expect(out).toMatch(/stranger_cannot_step\+\d+ +sstore \d+ \d+ +stack 1, top \d+; gas left \d+\n {8}-> sstore \$cheat_prank = 0x(55){32}\n/);
    expect(out).toContain("    counter.mote:17: require(caller() == owner, \"only the owner steps\");\n");
    expect(out).toMatch(/ {8}-> sload {2}owner -> 0x0{64}\n/);
    expect(out).toMatch(/ {4}revert at counter\.mote:17:5: only the owner steps {2}\| require\(caller\(\) == owner, "only the owner steps"\);\n {4}end: revert, gas used \d+\n1 passed, 0 failed\n$/);
  });
});
