// `npm run fleet:bench`: the fleet intelligence benchmark (docs/fleet.md). Simulates the labelled fleet
// (1,000 devices by default; `--medium` 200, `--small` the test's 48) into a fresh ledger, trains the model from the
// ledger's audit trail, installs it by 2-of-3 operator approval, scores every window on chain, and
// evaluates the EWMA guard, the float model and the on-chain model against the labels. Writes fleet.json
// ({"detectors": {...}, "healthyIsolated": N}), fleet-run.json (sizes, timings, gas, model) and the HTML
// report under bench/results/local/; with --record, bench/results/ and the report's charts as
// docs/img/fleet-*.svg (what docs/fleet.md shows).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resultPath, recording } from "../bench/results-path.ts";
import { FULL, MEDIUM, SMALL, simulate } from "../fleet/sim.ts";
import { readLabels, trainEnforceEvaluate } from "../fleet/pipeline.ts";
import { chartSpecs, renderReport, renderSvg } from "../fleet/report.ts";

const small = process.argv.includes("--small");
const medium = process.argv.includes("--medium");
const cfg = small ? SMALL : medium ? MEDIUM : FULL;
const dir = mkdtempSync(join(tmpdir(), "mote-fleet-bench-"));
const log = (s: string): void => void process.stderr.write(`fleet:bench: ${s}\n`);
try {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sim = await simulate(join(dir, "ledger"), cfg, log);
  const cpuSim = process.cpuUsage(cpu0);
  log(`simulated ${cfg.groups * cfg.groupSize} devices: ${sim.txs} transactions in ${sim.blocks} blocks, ${sim.seconds.toFixed(1)} s wall, ${((cpuSim.user + cpuSim.system) / 1e6).toFixed(1)} s CPU`);
  const t1 = performance.now();
  const r = await trainEnforceEvaluate(join(dir, "ledger"));
  const t2 = performance.now();
  const fleet = { detectors: r.evaluation.results, healthyIsolated: r.evaluation.healthyIsolated };
  const gas = r.enforced.scored.map((s) => s.gas);
  const run = {
    devices: cfg.groups * cfg.groupSize,
    config: cfg,
    transactions: sim.txs,
    reverted: sim.reverted,
    blocks: sim.blocks,
    simulateSeconds: Math.round(sim.seconds),
    simulateCpuSeconds: Math.round((cpuSim.user + cpuSim.system) / 1e6),
    trainEnforceEvaluateSeconds: Math.round((t2 - t1) / 1000),
    totalSeconds: Math.round((performance.now() - t0) / 1000),
    model: { hash: r.model.hash, bytes: r.model.bytes.length / 2, threshold: r.model.threshold, trainingRows: r.model.training.rows },
    scoredWindows: gas.length,
    gasPerScoredWindow: { min: Math.min(...gas), max: Math.max(...gas) },
    installGas: r.enforced.installGas,
    isolated: r.enforced.isolated.size,
  };
  const name = small ? "fleet-small" : medium ? "fleet-medium" : "fleet";
  const out = resultPath(`${name}.json`);
  writeFileSync(out.path, JSON.stringify(fleet, null, 2) + "\n");
  const runOut = resultPath(`${name}-run.json`);
  writeFileSync(runOut.path, JSON.stringify(run, null, 2) + "\n");
  const input = { data: r.data, model: r.model, labels: readLabels(join(dir, "ledger")), ...r.evaluation };
  const html = resultPath(`${name}-report.html`, false);
  writeFileSync(html.path, await renderReport(input));
  if (recording() && !medium) {
    // the charts docs/fleet.md shows: those of the run last recorded
    mkdirSync("docs/img", { recursive: true });
    for (const [k, spec] of Object.entries(await chartSpecs(input))) writeFileSync(`docs/img/fleet-${k}.svg`, await renderSvg(spec));
  }
  const o = fleet.detectors.onchain.overall;
  console.log(`on-chain F1 ${o.f1} (P ${o.precision}, R ${o.recall}, delay ${o.delay}); EWMA F1 ${fleet.detectors.ewma.overall.f1}; float F1 ${fleet.detectors.float.overall.f1}; healthy isolated ${fleet.healthyIsolated}`);
  console.log(`wrote ${out.rel}, ${runOut.rel}, ${html.rel}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
