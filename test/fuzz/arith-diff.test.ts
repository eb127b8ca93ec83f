// Differential test of the integer rows against a BigInt model written from their docs (arith-model.ts):
// every row that takes and gives integers only meets every pair of edge values, then thousands of
// edge-biased operand sets, under the fixed CI seeds and one random seed (all printed; MOTE_SEED replays).
// A new integer row without a model fails the test, so no arithmetic goes unchecked.
import { beforeAll, describe, expect, it } from "vitest";
import { MoteVM } from "../../vm/host/index.ts";
import { arithDiff, CI_SEEDS, EDGE_I64, INTEGER_ROWS, MODEL } from "./arith-model.ts";
import { seedFromEnv } from "./random.ts";

const RANDOM_SEED = seedFromEnv();
const PER_ROW = 1000;
const SEEDS = [...CI_SEEDS, RANDOM_SEED];

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

describe(`integer rows against the BigInt model (seeds ${CI_SEEDS.join(", ")} and MOTE_SEED=${RANDOM_SEED})`, () => {
  it("every integer row has a model", () => {
    expect(INTEGER_ROWS.map((r) => r.name).filter((n) => !MODEL[n])).toEqual([]);
    expect(INTEGER_ROWS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(SEEDS)(`seed %i: every edge pair and ${PER_ROW} edge-biased operand sets per row agree`, (seed) => {
    console.log(`arith diff seed: MOTE_SEED=${seed}`);
    const d = arithDiff(vm, seed, PER_ROW);
    expect(d.faults.slice(0, 10)).toEqual([]);
    expect(d.wrong.slice(0, 20)).toEqual([]);
    const unary = INTEGER_ROWS.filter((r) => r.pop === 1).length;
    const binary = INTEGER_ROWS.length - unary;
    expect(d.checked).toBe(unary * EDGE_I64.length + binary * EDGE_I64.length ** 2 + INTEGER_ROWS.length * PER_ROW);
  });
});
