// Gas semantics the fuzz oracle first flagged, pinned with limits computed from the current gas table
// (so a recalibration does not break them): the mid-block refund, and gasleft's dependence on the limit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MoteVM, MemoryStateStore } from "../../vm/host/index.ts";
import { fromHex } from "../../vm/host/store.ts";

const load = (name: string): Uint8Array => fromHex((JSON.parse(readFileSync(join(import.meta.dirname, name), "utf8")) as { module: string }).module);

describe("gas semantics", () => {
  it("a mid-block stop reports the gas of what ran, which is less than its block needs; an ok call's gasUsed suffices", async () => {
    const vm = await MoteVM.create();
    const m = load("gas-limit-equal-to-gasUsed-after-mid-block-stop.json");
    const call = (arg: bigint, gas: number) => vm.call(m, "f", [arg], { store: new MemoryStateStore(), gas });
    const failed = call(200n, 1000);
    expect(failed.status).toBe("revert");
    expect(failed.error).toBe(3);
    // the refund: the same call with exactly gasUsed cannot pay the block it stopped in
    expect(call(200n, failed.gasUsed).status).toBe("out_of_gas");
    const ok = call(5n, 1000);
    expect(ok.status).toBe("ok");
    expect(ok.gasUsed).toBeGreaterThan(failed.gasUsed);
    expect(call(5n, ok.gasUsed)).toEqual(ok);
    expect(call(5n, ok.gasUsed - 1).status).toBe("out_of_gas");
  });

  it("gasleft makes the outcome depend on the limit", async () => {
    const vm = await MoteVM.create();
    const m = load("gasleft-outcome-depends-on-limit.json");
    const results = [29, 1058].map((gas) => vm.call(m, "f", [], { store: new MemoryStateStore(), gas }).returns[0]);
    expect(results).toEqual([0n, 1n]);
  });
});
