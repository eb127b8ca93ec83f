// `mote run --trace` and `mote test -vvv`: storage reads and writes, events and the revert point, in the
// order the call made them, decoded by the ABI and resolved to the source line.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const A = `0x${"aa".repeat(32)}`;
const B = `0x${"bb".repeat(32)}`;

function mote(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("mote run --trace", () => {
  it("traces init and the call: storage by name, values by type, events, then the result", () => {
    const state = join(mkdtempSync(join(tmpdir(), "mote-trace-")), "s.json");
    const r = mote(root, "run", "contracts/token.mote", "transfer", B, "10", "--init", "1000", "--caller", A, "--state", state, "--trace");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        "trace init:",
        "  1. sload  $initialized -> (absent)",
        "  2. sstore $initialized = true",
        `  3. sstore owner = ${A}`,
        `  4. sstore balances[${A}] = 1000`,
        "  5. sstore supply = 1000",
        "  end: ok, gas used 247",
        "trace transfer:",
        `  1. sload  balances[${A}] -> 1000`,
        `  2. sstore balances[${A}] = 990`,
        `  3. sload  balances[${B}] -> (absent)`,
        `  4. sstore balances[${B}] = 10`,
        `  5. emit   Transfer(from=${A}, to=${B}, amount=10)`,
        "  end: ok, gas used 177",
        "ok",
        `event Transfer(from=${A}, to=${B}, amount=10)`,
        "gas used: 177",
        "",
      ].join("\n"),
    );
    const rev = mote(root, "run", "contracts/token.mote", "transfer", A, "50", "--caller", B, "--state", state, "--trace");
    expect(rev.code).toBe(1);
    expect(rev.stdout).toContain(`  1. sload  balances[${B}] -> 10\n  revert at token.mote:46:5: insufficient balance  | require(bal >= amount, "insufficient balance");\n  end: revert, gas used 30\n`);
  });
});

describe("mote test -vvv", () => {
  it("prints each test's trace, cheats included", () => {
    const parent = mkdtempSync(join(tmpdir(), "mote-trace-"));
    expect(mote(parent, "init", "demo").code).toBe(0);
    const r = mote(join(parent, "demo"), "test", "-vvv", "--match", "stranger_cannot_step");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[PASS\] tests\/counter\.t\.mote::stranger_cannot_step\(\) \(gas: \d+\)\n {4}1\. sstore \$cheat_prank = 0x(55){32}\n {4}2\. sstore \$cheat_expect_revert = \d+\n {4}3\. sload {2}owner -> 0x0{64}\n {4}revert at contracts\/counter\.mote:17:5: only the owner steps\n {4}end: revert, gas used \d+\n1 passed, 0 failed\n$/);
  });
});
