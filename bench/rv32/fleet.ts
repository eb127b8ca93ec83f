// The fleet model at the edge on RV32IMC, measured as the VM is (QEMU -icount shift=0, exact counts): the
// instructions the firmware host (wasm3 running mote.wasm) retires for contracts/fleet_guard.mote's
// `score_with`, the function a device runs to screen a window of its readings before signing them
// (mote-device sign-reading --screen). One call and five calls, so the per-window figure is the
// difference over four windows (engine start and module load cancel out); per reading is that over the
// window's readings. Every answer is checked against the Node host's before a figure is reported.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileContract } from "../../fleet/contracts.ts";
import { syntheticRows } from "../../fleet/budget.ts";
import { packFeatures, quantizeFeatures, train } from "../../fleet/model.ts";
import { SMALL } from "../../fleet/sim.ts";
import { resultPath } from "../results-path.ts";
import { ensureTools, runRv32, type MoteCase } from "./driver.ts";

export interface FleetRv32Figures {
  /** RV32 instructions of one score_with call (one window screened) */
  instrPerScoredWindow: number;
  /** ... over the window's readings */
  instrPerScoredReading: number;
  windowReadings: number;
}

const GAS = 2_000_000_000;

export async function measureFleetRv32(log: (s: string) => void = () => {}): Promise<FleetRv32Figures> {
  ensureTools(log);
  const fg = compileContract("contracts/fleet_guard.mote");
  const model = Buffer.from(train(syntheticRows(200), [1, 2]).bytes, "hex");
  // normal windows and a far-out one (the clamp): the same mix as fleet/budget.ts
  const windows = [...syntheticRows(4, 99).map((w) => w.x), [3, -3, 1, 5, 9, 12, 3, 4, 0.9]].map((x) => packFeatures(quantizeFeatures(x)));
  const call = (name: string, xs: Uint8Array[]): MoteCase => ({ kind: "mote", name, module: fg.module, fn: "score_with", args: xs.map((x) => [model, x]), gas: GAS, repeat: xs.length, fresh: true });
  const cases = [call("fleet/1", windows.slice(0, 1)), call("fleet/5", windows)];
  const run = await runRv32(cases, [], log);
  const one = run.cases.get("fleet/1")!.instret;
  const five = run.cases.get("fleet/5")!.instret;
  const perWindow = Math.round((five - one) / 4);
  return { instrPerScoredWindow: perWindow, instrPerScoredReading: Math.ceil(perWindow / SMALL.window), windowReadings: SMALL.window };
}

// `npx tsx bench/rv32/fleet.ts [--record]`: writes bench/results/local/rv32-fleet.json (with --record the
// committed bench/results/rv32-fleet.json, which docs/fleet.md's figures come from).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = await measureFleetRv32((s) => process.stderr.write(`rv32 fleet: ${s}\n`));
  const out = resultPath("rv32-fleet.json");
  writeFileSync(out.path, JSON.stringify(f, null, 2) + "\n");
  console.log(`${f.instrPerScoredWindow} RV32 instructions per screened window, ${f.instrPerScoredReading} per reading; wrote ${out.rel}`);
}
