// Measured figures in the docs, written from bench/results so they cannot go stale: a figure in a doc is
// `<!--fig:NAME-->value<!--/fig-->`, NAME a row of FIGURES below. `npm run docs:figures` rewrites every marked
// value from the last measurement; test/docs/figures.test.ts fails when a doc disagrees with it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(new URL(".", import.meta.url).pathname, "..");

/** The docs whose figures are marked. */
export const FIGURE_DOCS = ["docs/embedding.md", "docs/robustness.md", "docs/fleet.md"];

/**
 * Everything a figure may be computed from: the result files of `npm run rv32`, `npm run bench:budgets`, the
 * last long fuzz run (`npm run fuzz -- ... --json bench/results/fuzz-long.json`) and `npm run mutate`.
 */
export interface Results {
  rv32: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  latest: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  fuzz: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  mutation: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  fleet: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  fleetRun: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  fleetFull: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  fleetFullRun: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function loadResults(dir = root): Results {
  const read = (f: string) => JSON.parse(readFileSync(join(dir, "bench/results", f), "utf8"));
  return { rv32: read("rv32.json"), latest: read("latest.json"), fuzz: read("fuzz-long.json"), mutation: read("mutation.json"), fleet: read("fleet-small.json"), fleetRun: read("fleet-small-run.json"), fleetFull: read("fleet.json"), fleetFullRun: read("fleet-run.json") };
}

const n = (x: number): string => Math.round(x).toLocaleString("en-US");
const d1 = (x: number): string => x.toFixed(1);

/** Each figure: its value, formatted, from the results. */
export const FIGURES: Record<string, (r: Results) => string> = {
  // RV32 build (npm run rv32 → bench/results/rv32.json)
  "rv32.wasmBytes": (r) => n(r.rv32.wasmBytes),
  "rv32.flash": (r) => n(r.rv32.rv32FlashBytes),
  "rv32.data": (r) => n(r.rv32.rv32Ram.data),
  "rv32.bss": (r) => n(r.rv32.rv32Ram.bss),
  "rv32.heapPeak": (r) => n(r.rv32.rv32Ram.heapPeak),
  "rv32.linearMemory": (r) => n(r.rv32.rv32Ram.linearMemory),
  "rv32.compiledCode": (r) => n(r.rv32.rv32Ram.compiledCode),
  "rv32.wasmStack": (r) => n(r.rv32.rv32Ram.wasmStack),
  "rv32.wasmStackUsed": (r) => n(r.rv32.rv32Ram.wasmStackUsed),
  "rv32.nativeStack": (r) => n(r.rv32.rv32Ram.nativeStack),
  "rv32.nativeStackSteady": (r) => n(r.rv32.rv32Ram.nativeStackSteady),
  "rv32.ramPeak": (r) => n(r.rv32.rv32RamPeakBytes),
  "rv32.compiledOverWasm": (r) => d1(r.rv32.rv32Ram.compiledCode / r.rv32.wasmBytes),
  "x86.compiledOverWasm": (r) => d1(r.rv32.x86Memory.codePageBytes / r.rv32.wasmBytes),
  "rv32.engineNew": (r) => n(r.rv32.rv32EngineNewInstr),
  ...Object.fromEntries(
    ["loop", "fib_iter", "fib", "token_transfer", "attest"].flatMap((w) => [
      [`rv32.ops.${w}`, (r: Results) => n(r.rv32.vmOpsPerUnit[w])],
      [`rv32.instr.${w}`, (r: Results) => n(r.rv32.rv32InstrPerUnit[w])],
      [`rv32.perOp.${w}`, (r: Results) => n(r.rv32.rv32InstrPerVmOp[w])],
      [`x86.ir.${w}`, (r: Results) => n(r.rv32.x86IrPerUnit[w])],
      [`x86.perOp.${w}`, (r: Results) => n(r.rv32.x86IrPerVmOp[w])],
    ]),
  ),
  // at 160 MHz, one instruction per cycle
  "rv32.loopMicros": (r) => n(r.rv32.rv32InstrPerUnit.loop / 160),
  "rv32.transferMillis": (r) => (r.rv32.rv32InstrPerUnit.token_transfer / 160_000).toFixed(2),
  "rv32.attestMillis": (r) => n(r.rv32.rv32InstrPerUnit.attest / 160_000),
  "x86.heapPeak": (r) => n(r.rv32.x86Memory.heapPeakBytes),
  "x86.codePages": (r) => n(r.rv32.x86Memory.codePageBytes),
  "x86.nativeStack": (r) => n(r.rv32.x86Memory.nativeStackBytes),
  "x86.wasmStackUsed": (r) => n(r.rv32.x86Memory.wasmStackBytes),
  "x86.wasmStackLimit": (r) => n(r.rv32.x86Memory.wasmStackLimitBytes),
  "x86.highestNonZero": (r) => n(r.rv32.x86Memory.linearMemoryHighestNonZero),
  // the last long fuzz run (bench/results/fuzz-long.json)
  "fuzz.seed": (r) => String(r.fuzz.seed),
  "fuzz.seconds": (r) => n(r.fuzz.seconds),
  "fuzz.cases": (r) => n(r.fuzz.cases),
  "fuzz.calls": (r) => n(r.fuzz.calls),
  "fuzz.differentialCalls": (r) => n(r.fuzz.differentialCalls),
  "fuzz.verified": (r) => n(r.fuzz.verified),
  "fuzz.rejected": (r) => n(r.fuzz.rejected),
  "fuzz.findings": (r) => n(r.fuzz.findings),
  "fuzz.statuses": (r) =>
    Object.entries(r.fuzz.statuses as Record<string, number>)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(", "),
  // npm run mutate (bench/results/mutation.json)
  ...Object.fromEntries(
    ["firmware-host/src", "vm/assembly", "ledger", "compiler"].flatMap((f) => [
      [`mutation.${f}.killed`, (r: Results) => n(r.mutation.folders[f].killed)],
      [`mutation.${f}.total`, (r: Results) => n(r.mutation.folders[f].killed + r.mutation.folders[f].survived)],
    ]),
  ),
  "mutation.total": (r) => n(r.mutation.outcomes.length),
  // the fleet benchmark, small (npm run fleet:bench -- --small --record → bench/results/fleet-small*.json)
  ...Object.fromEntries(
    ["ewma", "float", "onchain"].flatMap((d) => [
      [`fleet.${d}.f1`, (r: Results) => r.fleet.detectors[d].overall.f1.toFixed(3)],
      [`fleet.${d}.precision`, (r: Results) => r.fleet.detectors[d].overall.precision.toFixed(3)],
      [`fleet.${d}.recall`, (r: Results) => r.fleet.detectors[d].overall.recall.toFixed(3)],
      [`fleet.${d}.delay`, (r: Results) => String(r.fleet.detectors[d].overall.delay ?? "–")],
      ...["drift", "spike", "stuck", "disagree", "replay", "burst", "shift"].map((k) => [`fleet.${d}.${k}.f1`, (r: Results) => r.fleet.detectors[d].byKind[k].f1.toFixed(2)]),
    ]),
  ),
  // the full one (npm run fleet:bench -- --record → bench/results/fleet*.json)
  ...Object.fromEntries(
    ["ewma", "float", "onchain"].flatMap((d) => [
      [`fleetFull.${d}.f1`, (r: Results) => r.fleetFull.detectors[d].overall.f1.toFixed(3)],
      [`fleetFull.${d}.precision`, (r: Results) => r.fleetFull.detectors[d].overall.precision.toFixed(3)],
      [`fleetFull.${d}.recall`, (r: Results) => r.fleetFull.detectors[d].overall.recall.toFixed(3)],
      [`fleetFull.${d}.delay`, (r: Results) => String(r.fleetFull.detectors[d].overall.delay ?? "–")],
      ...["drift", "spike", "stuck", "disagree", "replay", "burst", "shift"].map((k) => [`fleetFull.${d}.${k}.f1`, (r: Results) => r.fleetFull.detectors[d].byKind[k].f1.toFixed(2)]),
    ]),
  ),
  "fleetFull.healthyIsolated": (r) => n(r.fleetFull.healthyIsolated),
  "fleetFull.transactions": (r) => n(r.fleetFullRun.transactions),
  "fleetFull.simulateSeconds": (r) => n(r.fleetFullRun.simulateSeconds),
  "fleetFull.simulateCpuSeconds": (r) => n(r.fleetFullRun.simulateCpuSeconds),
  "fleetFull.scoredWindows": (r) => n(r.fleetFullRun.scoredWindows),
  "fleetFull.trainingRows": (r) => n(r.fleetFullRun.model.trainingRows),
  "fleet.healthyIsolated": (r) => n(r.fleet.healthyIsolated),
  "fleet.devices": (r) => n(r.fleetRun.devices),
  "fleet.transactions": (r) => n(r.fleetRun.transactions),
  "fleet.modelBytes": (r) => n(r.fleetRun.model.bytes),
  "fleet.threshold": (r) => r.fleetRun.model.threshold.toFixed(2),
  "fleet.scoredWindows": (r) => n(r.fleetRun.scoredWindows),
  "fleet.gasPerWindow": (r) => n(r.fleetRun.gasPerScoredWindow.max),
  "fleet.gasPerReading": (r) => n(Math.ceil(r.fleetRun.gasPerScoredWindow.max / r.fleetRun.config.window)),
  "fleet.simulateCpuSeconds": (r) => n(r.fleetRun.simulateCpuSeconds),
  // the current build (npm run bench:budgets → bench/results/latest.json)
  "latest.wasmBytes": (r) => n(r.latest.wasmBytes),
  "latest.vmMemory": (r) => n(r.latest.vmMemoryBytes),
};

const MARK = /<!--fig:([\w./-]+)-->([^<]*)<!--\/fig-->/g;

/** Every marked figure of a doc: its name, the value written, and the value the results give. */
export function figuresOf(text: string, r: Results): { name: string; written: string; want: string | undefined }[] {
  return [...text.matchAll(MARK)].map((m) => ({ name: m[1]!, written: m[2]!, want: FIGURES[m[1]!]?.(r) }));
}

export function rewrite(text: string, r: Results): string {
  return text.replace(MARK, (all, name: string) => {
    const f = FIGURES[name];
    if (!f) throw new Error(`unknown figure ${name}: add it to FIGURES in scripts/doc-figures.ts`);
    return `<!--fig:${name}-->${f(r)}<!--/fig-->`;
  });
}

const isMain = process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const r = loadResults();
  for (const doc of FIGURE_DOCS) {
    const path = join(root, doc);
    const text = readFileSync(path, "utf8");
    const out = rewrite(text, r);
    if (out !== text) writeFileSync(path, out);
    process.stdout.write(`${doc}: ${figuresOf(out, r).length} figures${out !== text ? " rewritten" : " up to date"}\n`);
  }
}
