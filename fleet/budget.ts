// Deterministic counts for bench/budgets.json: the fleet guard's gas per scored window (the `observe` that
// closes a window and scores it, or an operator's `score` of a closed window: the dearer), per reading (a
// window's `observe` calls, the closing one included, over its readings) and the model's bytes. A fixed
// synthetic training set (seeded) and fixed readings on a small live fleet (fleet/mini.ts), so the figures
// depend only on the contracts, the compiler and the gas table.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WindowRow } from "./features.ts";
import { errorMessage } from "./contracts.ts";
import { MiniFleet } from "./mini.ts";
import { packFeatures, quantizeFeatures, train } from "./model.ts";
import { GAS, rng, SMALL } from "./sim.ts";

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
  const dir = mkdtempSync(join(tmpdir(), "mote-fleet-budget-"));
  const f = await MiniFleet.open(dir, SMALL.window);
  try {
    const install = f.install(Buffer.from(model.bytes, "hex"));
    const r = rng(7);
    // three devices of one group: two normal, one whose readings run away (the clamp, an isolation)
    const devices = [0, 1, 2].map((i) => f.device(i));
    let worstWindow = 0;
    let worstReadingsOfWindow = 0;
    for (let w = 0; w < 3; w++) {
      for (const [i, d] of devices.entries()) {
        f.heartbeat(d);
        let readings = 0;
        for (let k = 0; k < SMALL.window; k++) {
          const far = i === 2 && w === 2 && k === SMALL.window - 1;
          const rc = f.reading(d, 20 + (r() + r() - 1) * 0.05 + (far ? 5000 : 0));
          for (const [what, x] of Object.entries(rc)) if (x.status !== "ok") throw new Error(`fleet budget: device ${i} window ${w} reading ${k}: ${what} ended ${errorMessage(what === "fleet" ? f.fg : f.att, x)}`);
          readings += rc.fleet.gasUsed;
          if (k === SMALL.window - 1) worstWindow = Math.max(worstWindow, rc.fleet.gasUsed);
        }
        worstReadingsOfWindow = Math.max(worstReadingsOfWindow, readings);
      }
    }
    // the operator's score of a closed window with the three features a contract cannot see
    for (const [i, d] of devices.entries()) {
      const s = f.ledger.call(f.operators[0]!, f.fleetGuardId, "score", [d.publicKey, 1n, packFeatures(quantizeFeatures(i === 2 ? [12, 3, 4] : [1, 0, 0.07]))], { gas: GAS }).receipt;
      if (s.status !== "ok") throw new Error(`fleet budget: score ${s.status}`);
      worstWindow = Math.max(worstWindow, s.gasUsed);
    }
    return {
      gasPerScoredWindow: worstWindow,
      gasPerScoredReading: Math.ceil(worstReadingsOfWindow / SMALL.window),
      modelBytes: model.bytes.length / 2,
      installGas: install[0]!.gasUsed + install[1]!.gasUsed,
    };
  } finally {
    f.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
