// `npm run bench`: the peer benchmark of issue 6. The same five workloads on Mote, Lua, QuickJS, the EVM
// and plain JS (tinybench, one process); answers checked before timing; medians and ratios to Mote.
import { arch, cpus, loadavg, platform } from "node:os";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { Bench } from "tinybench";
import { checkWorkload } from "./peers/check.ts";
import { PeerError, type EngineName, type PeerEngine } from "./peers/engine.ts";
import { createEngine, ENGINE_NAMES } from "./peers/engines/index.ts";
import { fastGoals, renderMarkdown, renderSvg, type PeerResults, type SizeRow, type WorkloadResult } from "./peers/report.ts";
import { FULL, readings, SHA_SEED, transfers, units, WORKLOADS, type Sizes, type WorkloadName } from "./peers/workloads.ts";
import { loadResults, rewrite } from "../scripts/doc-figures.ts";

const root = new URL("..", import.meta.url).pathname;
const WORKLOAD_NAMES = WORKLOADS.map((w) => w.name);

const program = new Command()
  .name("npm run bench --")
  .description("Peer benchmark: Mote vs Lua 5.4 (wasm), QuickJS (wasm), the EVM and plain JavaScript")
  .addOption(new Option("--engine <names...>", "engines to run").choices(ENGINE_NAMES as string[]).default([...ENGINE_NAMES]))
  .addOption(new Option("--workload <names...>", "workloads to run").choices(WORKLOAD_NAMES).default([...WORKLOAD_NAMES]))
  .option("--time <ms>", "time budget per task for the fast engines, in ms", (v) => {
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected a whole number of milliseconds.");
    return n;
  }, 1000)
  .showHelpAfterError();
program.parse();
const opts = program.opts<{ engine: EngineName[]; workload: WorkloadName[]; time: number }>();
const engines = ENGINE_NAMES.filter((e) => opts.engine.includes(e));
const workloads = WORKLOAD_NAMES.filter((w) => opts.workload.includes(w));
const full = engines.length === ENGINE_NAMES.length && workloads.length === WORKLOAD_NAMES.length;

const progress = (s: string): void => void process.stderr.write(s);

/**
 * Sizes per engine. The EVM needs about 45 µs per fib call and 55 µs per loop iteration here, a minute
 * per full-size loop, so it runs fib(20) and sum 1..50,000 and is compared per unit of work.
 */
function sizesFor(engine: EngineName): Sizes {
  return engine === "evm" ? { ...FULL, fibN: 20, loopN: 50_000 } : FULL;
}

/**
 * How each engine is sampled: the EVM a fixed three runs (the answer check before them is its warm-up
 * run); the others for a time budget, at least five runs after a short warm-up.
 */
function benchOptions(engine: EngineName): { time: number; iterations: number; warmup: boolean; warmupIterations: number; warmupTime: number } {
  return engine === "evm"
    ? { time: 0, iterations: 3, warmup: false, warmupIterations: 0, warmupTime: 0 }
    : { time: opts.time, iterations: 5, warmup: true, warmupIterations: 3, warmupTime: Math.min(250, opts.time) };
}

function task(e: PeerEngine, w: WorkloadName, sizes: Sizes, transferList: ReturnType<typeof transfers>): { fn: () => Promise<unknown>; beforeEach?: () => Promise<void> } {
  switch (w) {
    case "fib":
      return { fn: () => e.fib(sizes.fibN) };
    case "loop":
      return { fn: () => e.sum(sizes.loopN) };
    case "sha_chain":
      return { fn: () => e.shaChain(SHA_SEED, sizes.shaN) };
    case "token_transfer":
      return { fn: () => e.token.run(transferList), beforeEach: () => e.token.reset() };
    case "attest":
      return { fn: () => e.attest.run(), beforeEach: () => e.attest.reset() };
  }
}

async function measure(e: PeerEngine, w: WorkloadName): Promise<WorkloadResult> {
  const sizes = sizesFor(e.name);
  const unitCount = units(sizes)[w];
  progress(`  ${w} on ${e.name}: checking the answer… `);
  await checkWorkload(e, w, sizes);
  progress("ok; timing… ");
  const { fn, beforeEach } = task(e, w, sizes, transfers(sizes.transfers));
  const bench = new Bench({ name: `${e.name} ${w}`, throws: true, ...benchOptions(e.name) });
  bench.add(w, fn, beforeEach ? { beforeEach } : {});
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== "completed") throw new PeerError(e.name, w, `benchmark ended in state ${r.state}`);
  const medianMs = r.latency.p50;
  progress(`median ${medianMs.toFixed(2)} ms over ${r.latency.samplesCount} runs\n`);
  return { medianMs, samples: r.latency.samplesCount, units: unitCount, perUnitUs: (medianMs * 1000) / unitCount };
}

async function sizeRows(): Promise<SizeRow[]> {
  const { evmBytes } = await import("./evm.ts");
  const { moteContractBytes } = await import("./peers/sizes.ts");
  const evm = await evmBytes();
  const mote = await moteContractBytes(Object.keys(evm));
  return Object.keys(evm).map((name) => ({ name, evmBytes: evm[name]!, mote: mote[name] ?? null }));
}

const started = Date.now();
const results: PeerResults = {
  date: new Date().toISOString(),
  machine: { node: process.version, platform: `${platform()} ${arch()}`, cpu: cpus()[0]?.model.trim() ?? "unknown", cores: cpus().length, loadStart: loadavg()[0]!, loadEnd: 0 },
  sizes: FULL,
  engines: {},
  contractSizes: [],
};
const live: PeerEngine[] = [];
try {
  // Every engine is created first and the workloads run one at a time across all of them, so a change
  // in the machine's load during the run falls on every engine's row alike.
  for (const name of engines) {
    progress(`starting ${name}\n`);
    const e = await createEngine(name);
    live.push(e);
    results.engines[name] = { title: e.title, notes: e.notes, sizes: sizesFor(name), workloads: {} };
    if (workloads.includes("attest")) await e.attest.prepare(readings(sizesFor(name).readings));
  }
  for (const w of workloads) {
    progress(`${w}\n`);
    for (const e of live) results.engines[e.name]!.workloads[w] = await measure(e, w);
  }
  results.contractSizes = await sizeRows();
} catch (err) {
  console.error(`bench failed: ${(err as Error).message.split("\n")[0]}`);
  process.exit(1);
} finally {
  for (const e of live) e.dispose();
}
results.machine.loadEnd = loadavg()[0]!;
results.goals = { fastEngine: fastGoals(results) };

const md = renderMarkdown(results);
console.log(md.table);
mkdirSync(join(root, "bench/results"), { recursive: true });
const write = (path: string, text: string): void => {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
};
if (full) {
  write(join(root, "bench/results/peers.json"), JSON.stringify(results, null, 2) + "\n");
  write(join(root, "docs/benchmarks.md"), rewrite(md.document, loadResults(root)));
  write(join(root, "docs/benchmarks.svg"), renderSvg(results));
  progress(`wrote bench/results/peers.json, docs/benchmarks.md and docs/benchmarks.svg in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
} else {
  // A partial run must not pass for the full table the docs are rendered from.
  write(join(root, "bench/results/peers-partial.json"), JSON.stringify(results, null, 2) + "\n");
  progress(`wrote bench/results/peers-partial.json (docs/benchmarks.md and peers.json hold the last full run) in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
