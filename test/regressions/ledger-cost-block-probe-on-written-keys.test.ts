// Regression (issue 11, point 1): `npm run bench:ledger-cost -- --entries 1000000 --reps 5 --record` stopped in its
// block phase with `status out_of_gas (gas 50000000)`. A block's iterations per transaction are estimated from two
// probes (0 and 1 iteration), and the probe of a workload of new entries ran on keys an earlier measurement had
// already written (the key ranges of the op measurements overlapped the blocks'), so it was priced as an overwrite:
// the estimate was too low and a transaction of new 1 KiB entries ran out of gas. Even when it did not, the first
// transaction of a block of new entries re-wrote the probe's keys, so the block was timed partly on overwrites.
//
// The bench now gives every measurement keys of its own. This checks the recorded result (deterministic gas, no
// wall time): every transaction of a block of new entries or absent reads used whole iterations of the op row's
// gas per iteration (an iteration on written keys costs another amount), plus the call's fixed gas.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const bench = JSON.parse(readFileSync(join(import.meta.dirname, "../../bench/results/ledger-cost.json"), "utf8")) as {
  ops: { id: string; gasPerIteration: number }[];
  blocks: { workload: string; gas: number; txs: number }[];
};
/** Workloads on keys of the counter map that must be untouched: new entries, and reads of absent keys. */
const FRESH = ["ledger:mstore new", "ledger:sstore new 240", "ledger:mstore new 1024", "ledger:mload absent"];
/** A call of 0 iterations costs a few tens of gas; an iteration of these workloads millions. */
const FIXED_GAS_BOUND = 1_000;

describe("bench:ledger-cost blocks of new entries run on keys no probe wrote", () => {
  for (const w of FRESH) {
    it(`${w}: each transaction is whole iterations of new-key gas`, () => {
      const op = bench.ops.find((o) => o.id === w);
      const block = bench.blocks.find((b) => b.workload === w);
      expect(op, `bench/results/ledger-cost.json has no op row ${w}`).toBeDefined();
      expect(block, `bench/results/ledger-cost.json has no block of ${w}`).toBeDefined();
      expect(op!.gasPerIteration).toBeGreaterThan(FIXED_GAS_BOUND * 100);
      expect(block!.gas % block!.txs, `${w}: the block's transactions used different gas`).toBe(0);
      const perTx = block!.gas / block!.txs;
      const iterations = Math.floor(perTx / op!.gasPerIteration);
      expect(iterations, `${w}: a transaction ran no whole iteration`).toBeGreaterThan(0);
      // gas above whole iterations is the call's fixed gas, not part of an iteration on written keys
      expect(perTx - iterations * op!.gasPerIteration, `${w}: ${perTx} gas per tx is not whole iterations of ${op!.gasPerIteration}`).toBeLessThan(FIXED_GAS_BOUND);
    });
  }
});
