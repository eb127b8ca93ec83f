// The fleet model at the edge on RV32IMC under QEMU -icount (bench/rv32/fleet.ts): every score_with answer
// of the firmware host equals the Node host's before a figure is reported, and the instructions per
// screened window and per reading stay within their budgets in bench/budgets.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureFleetRv32 } from "../../bench/rv32/fleet.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const budgets = JSON.parse(readFileSync(join(ROOT, "bench/budgets.json"), "utf8")) as Record<string, { max?: number }>;

describe("the fleet model on RV32", () => {
  it("scores as the Node host does and stays within its instruction budgets", { timeout: 600_000 }, async () => {
    const f = await measureFleetRv32();
    const keys = Object.keys(budgets).filter((k) => k.startsWith("rv32Fleet."));
    expect(keys.sort()).toEqual(["rv32Fleet.instrPerScoredReading", "rv32Fleet.instrPerScoredWindow"]);
    for (const k of keys) {
      const v = (f as unknown as Record<string, number>)[k.slice("rv32Fleet.".length)];
      expect(v, k).toBeTypeOf("number");
      expect(v, k).toBeLessThanOrEqual(budgets[k]!.max!);
    }
    expect(f.instrPerScoredReading).toBe(Math.ceil(f.instrPerScoredWindow / f.windowReadings));
  });
});
