// The device SDK alone on RV32IMC under QEMU -icount (bench/rv32/sdk.ts): the bench checks every answer
// (key, recovered nonce, reading signature, signed transaction, proven value) against ledger/ before it
// reports, the heap stays empty, and each figure stays within its budget in bench/budgets.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureSdkRv32 } from "../../bench/rv32/sdk.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const budgets = JSON.parse(readFileSync(join(ROOT, "bench/budgets.json"), "utf8")) as Record<string, { max?: number }>;

describe("the device SDK on RV32", () => {
  it("signs and verifies exactly as ledger/ does, allocates nothing, and stays within its budgets", { timeout: 600_000 }, async () => {
    const f = await measureSdkRv32();
    expect(f.heapBytes).toBe(0);
    expect(f.proofDepth).toBeGreaterThan(5);
    const keys = Object.keys(budgets).filter((k) => k.startsWith("rv32Sdk."));
    expect(keys.length).toBeGreaterThanOrEqual(8);
    for (const k of keys) {
      const v = (f as unknown as Record<string, number>)[k.slice("rv32Sdk.".length)];
      expect(v, k).toBeTypeOf("number");
      expect(v, k).toBeLessThanOrEqual(budgets[k]!.max!);
    }
    // where the flash goes adds up to the total
    expect(Object.values(f.flashByObject).reduce((a, b) => a + b, 0)).toBe(f.flashBytes);
  });
});
