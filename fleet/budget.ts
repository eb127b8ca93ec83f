// Deterministic counts for bench/budgets.json: the fleet guard's gas per scored window (and per reading:
// a window is `window` readings) and the model's bytes. A fixed synthetic training set (seeded) and fixed
// windows to score, so the figure depends only on the contract, the compiler and the gas table.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "../ledger/index.ts";
import { compileContract } from "./contracts.ts";
import { NF, type WindowRow } from "./features.ts";
import { packFeatures, quantizeFeatures, train } from "./model.ts";
import { rng, seededKey, SMALL } from "./sim.ts";

export interface FleetBudgetFigures {
  gasPerScoredWindow: number;
  gasPerScoredReading: number;
  modelBytes: number;
  installGas: number;
}

export function syntheticRows(n: number, seed = 18): WindowRow[] {
  const r = rng(seed);
  const noise = (s: number): number => (r() + r() - 1) * s;
  return Array.from({ length: n }, (_, i) => ({
    device: `d${i}`,
    group: `g${i % 8}`,
    window: 1 + (i % 2),
    readings: [],
    x: [noise(0.1), noise(0.1), noise(0.04), r() < 0.2 ? 1 : 0, 0.3 + noise(0.15), 1, 1, 0, 0.07],
  }));
}

export async function measureFleetBudgets(): Promise<FleetBudgetFigures> {
  const model = train(syntheticRows(200), [1, 2]);
  const fg = compileContract("contracts/fleet_guard.mote");
  const dir = mkdtempSync(join(tmpdir(), "mote-fleet-budget-"));
  const ops = [1, 2, 3].map((k) => seededKey(0, `budget-op-${k}`));
  let ts = 1_767_225_600n;
  const ledger = await Ledger.open(dir, { chainId: "fleet-budget", genesisTimestamp: ts, clock: () => (ts += 1n) });
  try {
    // a block's gas for each (installing a model writes dozens of entries)
    const gas = Number(ledger.params.blockGasLimit);
    const id = ledger.deploy(ops[0]!, fg.module, [new Uint8Array(ops.flatMap((k) => [...k.publicKey])), 2n], { gas }).contract;
    const p = ledger.call(ops[0]!, id, "propose", [Buffer.from(model.bytes, "hex")], { gas });
    const a = ledger.call(ops[1]!, id, "approve", [p.receipt.returns[0]!], { gas });
    if (a.receipt.status !== "ok") throw new Error(`fleet budget: approve ${a.receipt.status}`);
    // normal windows and far-out ones (the clamp, an isolation): the most expensive sets the figure
    const windows = [...syntheticRows(6, 99).map((w) => w.x), Array.from({ length: NF }, () => 5000), [3, -3, 1, 5, 9, 12, 3, 4, 0.9]];
    let worst = 0;
    for (const [k, x] of windows.entries()) {
      const s = ledger.call(ops[0]!, id, "score", [ops[2]!.publicKey, BigInt(k), packFeatures(quantizeFeatures(x))], { gas });
      if (s.receipt.status !== "ok") throw new Error(`fleet budget: score ${s.receipt.status}`);
      worst = Math.max(worst, s.receipt.gasUsed);
    }
    return { gasPerScoredWindow: worst, gasPerScoredReading: Math.ceil(worst / SMALL.window), modelBytes: model.bytes.length / 2, installGas: p.receipt.gasUsed + a.receipt.gasUsed };
  } finally {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
