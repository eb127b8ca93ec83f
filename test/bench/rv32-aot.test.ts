// The AOT engine (mote.wasm translated by wasm2c) on RV32 under QEMU: every workload's results equal the Node
// host's (measureAotRv32 throws otherwise), and flash, RAM and instructions stay within bench/budgets.json,
// which holds issue 15's device goals (RAM <= 48 KiB running token.transfer, flash <= 96 KiB, loop <= 800).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureAotRv32 } from "../../firmware-host/scripts/rv32.ts";
import { vmMemoryUsed } from "../../firmware-host/scripts/build.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const budgets = JSON.parse(readFileSync(join(ROOT, "bench/budgets.json"), "utf8")) as Record<string, { max?: number; goal?: number }>;

describe("the AOT engine on RV32", () => {
  it("gives the Node host's results and stays within its budgets and issue 15's device goals", { timeout: 900_000 }, async () => {
    const f = await measureAotRv32();
    // the linear memory is the wasm3 build's clamp: what the VM reports it uses, no more
    expect(f.ram.linearMemory).toBe(await vmMemoryUsed(new Uint8Array(readFileSync(join(ROOT, "vm/build/mote.wasm")))));
    expect(f.ramPeakBytes).toBe(f.ram.data + f.ram.bss + f.ram.heapPeak + f.ram.nativeStack);
    const checks: [string, number][] = [
      ["rv32Aot.flashBytes", f.flashBytes],
      ["rv32Aot.ramPeakBytes", f.ramPeakBytes],
      ["rv32Aot.instrPerUnit.loop", f.instrPerUnit.loop!],
      ["rv32Aot.instrPerUnit.token_transfer", f.instrPerUnit.token_transfer!],
      ["rv32Aot.instrPerUnit.fib", f.instrPerUnit.fib!],
    ];
    for (const [key, value] of checks) {
      expect(budgets[key]?.max, `${key} has a budget`).toBeDefined();
      expect(value, key).toBeLessThanOrEqual(budgets[key]!.max!);
      if (budgets[key]!.goal !== undefined) expect(value, `${key} (issue 15 goal)`).toBeLessThanOrEqual(budgets[key]!.goal!);
    }
  });
});
