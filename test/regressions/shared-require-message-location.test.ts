// Regression (issue 14): a revert message used by several `require`s was reported at its first use,
// and VM statuses (overflow, bounds, ...) had no source location. The VM now reports where a call
// stopped (mote_stop_offset) and the ABI's source map resolves it: in `mote run`, in the test helper.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileSource } from "../../compiler/index.ts";
import { locateStop } from "../../compiler/abi.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { deploy, expectRevert } from "../helpers/contract.ts";

const FILE = "test/regressions/shared-require-message.mote";
const root = new URL("../..", import.meta.url).pathname;
const SOURCE = readFileSync(join(root, FILE), "utf8");

const dir = mkdtempSync(join(tmpdir(), "mote-loc-"));
writeFileSync(join(dir, "roles.mote"), SOURCE);

function compiled() {
  const r = compileSource(SOURCE, "roles.mote");
  if (!r.module || !r.abi) throw new Error(JSON.stringify(r.diagnostics));
  return { module: r.module, abi: r.abi };
}

describe("exact stop locations", () => {
  it("a shared require message resolves to the require that failed, not its first use", async () => {
    const { module, abi } = compiled();
    const vm = await MoteVM.create();
    const r = vm.call(module, "second", [1n, 0n], { store: new MemoryStateStore() });
    expect(r.status).toBe("revert");
    expect(abi.errors.find((e) => e.id === r.error)!.line).toBe(5); // the ABI still records the first use
    expect(locateStop(abi, module, r.stopOffset)).toMatchObject({ line: 11, col: 5 });
    const r2 = vm.call(module, "second", [0n, 1n], { store: new MemoryStateStore() });
    expect(locateStop(abi, module, r2.stopOffset)).toMatchObject({ line: 10, col: 5 });
  });

  it("VM statuses resolve to the statement that stopped the call", async () => {
    const { module, abi } = compiled();
    const vm = await MoteVM.create();
    const o = vm.call(module, "under", [1n], { store: new MemoryStateStore() });
    expect(o.status).toBe("overflow");
    expect(locateStop(abi, module, o.stopOffset)?.line).toBe(17);
    const b = vm.call(module, "index", [5n], { store: new MemoryStateStore() });
    expect(b.status).toBe("revert");
    expect(locateStop(abi, module, b.stopOffset)?.line).toBe(22);
  });

  it("mote run prints the failing require's line for a shared message, and a status's line", () => {
    const run = (...a: string[]) => spawnSync(process.execPath, [join(root, "bin/mote.js"), "run", "roles.mote", ...a], { cwd: dir, encoding: "utf8" });
    const r = run("second", "1", "0");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^revert: roles\.mote:11:5: missing role\n/);
    const o = run("under", "1");
    expect(o.stdout).toMatch(/^roles\.mote:17:\d+: arithmetic overflow\n/);
  });

  it("the contract-test helper reports the failing statement for reverts and statuses", async () => {
    const t = await deploy(FILE);
    const e = await expectRevert(t.call("second", [1n, 0n]), "missing role");
    expect(e.location).toBe("shared-require-message.mote:11:5");
    const o = await expectRevert(t.call("under", [1n]), "overflow");
    expect(o.location).toMatch(/^shared-require-message\.mote:17:/);
    const v = await expectRevert(t.view("check", [0n, 1n]), "missing role");
    expect(v.location).toBe("shared-require-message.mote:27:5"); // the message first appears on line 5
  });
});
