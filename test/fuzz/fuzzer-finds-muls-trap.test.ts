// A test of the fuzzer: the integer differential run of `npm test` must find a planted VM bug in every seed it
// runs. The bug is the mutation as-muls-minus-one-traps of scripts/mutations.ts (muls(-1, MIN) computes
// MIN / -1, a WebAssembly trap), built into a separate mote.wasm; docs/robustness.md credits fuzzing with
// "no trap escapes", and before edge pairs the run found this trap in about 6 of 20 seeds.
import { beforeAll, describe, expect, it } from "vitest";
import { ASC_FLAGS } from "../../scripts/build-vm.ts";
import { buildMutantVm } from "../../scripts/mutations.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { arithDiff, CI_SEEDS } from "./arith-model.ts";
import { seedFromEnv } from "./random.ts";

const RANDOM_SEED = seedFromEnv();
const root = new URL("../..", import.meta.url).pathname;
const MINUS_ONE = (2n ** 64n - 1n).toString();
const MIN = (2n ** 63n).toString();

let mutant: MoteVM;
beforeAll(async () => {
  mutant = await MoteVM.create(await buildMutantVm(root, "as-muls-minus-one-traps", ASC_FLAGS));
}, 300_000);

describe("the bounded integer fuzz run finds the muls(-1, MIN) trap", () => {
  it.each([...CI_SEEDS, RANDOM_SEED])("seed %i", (seed) => {
    const d = arithDiff(mutant, seed, 1000);
    expect(d.faults.some((f) => f.startsWith(`muls(${MINUS_ONE}, ${MIN}): internal VM fault`)), d.faults.slice(0, 3).join("\n")).toBe(true);
  });
});
