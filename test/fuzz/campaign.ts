// The fuzz campaign engine shared by `npm test` (bounded) and `npm run fuzz` (long runs): picks a
// strategy per case, runs it through the oracle (and mote-host when asked), and keeps every finding
// as a replayable case file.
import { decodeModule } from "../../vm/spec/module.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { loadCorpus, type CorpusEntry } from "./corpus.ts";
import { mutateBytes, mutateStructure, randomModule } from "./mutate.ts";
import { armMemorySentinel, checkCase, memoryIntact, runOnEngine, seededStore, type Finding } from "./oracle.ts";
import { ProgramGen, randomCall, refWindowFor, type CallSpec, type Ty } from "./program-gen.ts";
import { Rng } from "./random.ts";
import { DifferentialBatch, snapshotHosts } from "./differential.ts";
import { caseToJson, type CaseFile } from "./case-file.ts";

export type Strategy = "generate" | "mutate-generated" | "mutate-corpus" | "structure" | "random";
export const STRATEGIES: readonly Strategy[] = ["generate", "mutate-generated", "mutate-corpus", "structure", "random"];

export interface CampaignOptions {
  seed: number;
  /** Stop after this many cases... */
  cases?: number;
  /** ...or after this many seconds, whichever comes first. */
  seconds?: number;
  /** Also run every case through mote-host and compare. */
  differential?: boolean;
  /** Only these strategies (default all). */
  strategies?: readonly Strategy[];
  /** Called about once a second with the running figures. */
  progress?: (s: CampaignStats) => void;
  /** Stop at the first finding (tests); long runs keep going and collect. */
  stopOnFinding?: boolean;
  /** Run every case on the fast engine too and compare with the interpreter (default true). */
  fast?: boolean;
  /**
   * Only the per-call checks and the engine comparison: no determinism reruns, gas-exactness reruns or
   * assembler round trips (long engine-differential runs, several times the cases per second).
   */
  light?: boolean;
}

export interface FoundCase {
  finding: Finding;
  strategy: Strategy;
  caseIndex: number;
  file: CaseFile;
}

export interface CampaignStats {
  seed: number;
  cases: number;
  calls: number;
  verified: number;
  rejected: number;
  byStrategy: Record<string, number>;
  statuses: Record<string, number>;
  verifyCodes: Record<string, number>;
  differentialCases: number;
  differentialCalls: number;
  /** Calls also compared on mote-host-aot (the VM translated by wasm2c), when it was current at the start. */
  differentialAotCalls?: number;
  /** Cases and calls run on the fast engine as well, and how many of them differed from the interpreter. */
  fastCases: number;
  fastCalls: number;
  fastDivergences: number;
  findings: FoundCase[];
  /** Every finding counted, including those whose cases were not kept. */
  findingsByKind: Record<string, number>;
  seconds: number;
  corpus: number;
  corpusSkipped: string[];
  opcodeCoverage: Record<string, number>;
}

const WEIGHTS: readonly (readonly [number, Strategy])[] = [
  [40, "generate"],
  [15, "mutate-generated"],
  [25, "mutate-corpus"],
  [12, "structure"],
  [8, "random"],
];

/** Calls for a module of unknown validity: its exports as decoded (if they decode), else a corpus shape. */
function callsFor(r: Rng, bytes: Uint8Array, fallback: CorpusEntry | undefined): CallSpec[] {
  let shapes: { selector: number; params: Ty[] }[] = [];
  try {
    const m = decodeModule(bytes);
    shapes = m.exports.map((e) => ({
      selector: e.selector,
      params: Array.from({ length: Math.min(m.functions[e.func]?.params ?? 0, 8) }, (_, i) => ((e.argMask >> i) & 1 ? "b" : "i") as Ty),
    }));
  } catch {
    shapes = fallback?.exports ?? [];
  }
  const out: CallSpec[] = [];
  for (let k = r.range(1, 3); k > 0; k--) {
    const s = shapes.length ? r.pick(shapes) : { selector: r.u32(), params: [] };
    out.push(randomCall(r, `0x${s.selector.toString(16)}`, s.selector, s.params));
  }
  return out;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignStats> {
  // in differential mode both hosts run one snapshot of the VM, whatever gets rebuilt during the run
  const snap = opts.differential ? snapshotHosts() : undefined;
  const vm = await MoteVM.create();
  const twin = await MoteVM.create();
  const fast = opts.fast === false ? undefined : await MoteVM.create({ engine: "fast" });
  armMemorySentinel(vm);
  const corpus = loadCorpus();
  const master = new Rng(opts.seed);
  const gen = new ProgramGen({ refWindow: refWindowFor(vm.memoryUsed) });
  const weights = WEIGHTS.filter(([, s]) => !opts.strategies || opts.strategies.includes(s));
  const diff = snap ? new DifferentialBatch(snap.host, snap.vm) : undefined;
  const diffAot = snap?.aotHost ? new DifferentialBatch(snap.aotHost, undefined, "mote-host-aot") : undefined;
  const stats: CampaignStats = {
    seed: opts.seed, cases: 0, calls: 0, verified: 0, rejected: 0, byStrategy: {}, statuses: {}, verifyCodes: {},
    differentialCases: 0, differentialCalls: 0, fastCases: 0, fastCalls: 0, fastDivergences: 0, findings: [], findingsByKind: {}, seconds: 0, corpus: corpus.entries.length, corpusSkipped: corpus.skipped,
    opcodeCoverage: {},
  };
  const start = performance.now();
  const deadline = opts.seconds !== undefined ? start + opts.seconds * 1000 : Infinity;
  const maxCases = opts.cases ?? Infinity;
  let lastProgress = start;
  const pendingFiles = new Map<number, { strategy: Strategy; file: CaseFile }>();
  const perKind = new Map<string, number>();
  const record = (finding: Finding, strategy: Strategy, caseIndex: number, file: CaseFile): void => {
    // a long run that hits one bug a million times keeps the first few cases of it, and the count
    const n = (perKind.get(finding.kind) ?? 0) + 1;
    perKind.set(finding.kind, n);
    stats.findingsByKind[finding.kind] = n;
    if (n > 50) return;
    stats.findings.push({ finding, strategy, caseIndex, file: { ...file, what: `${finding.kind}: ${finding.detail}` } });
  };
  const flushDiff = (): void => {
    if (!diff) return;
    for (const d of [...diff.flush(), ...(diffAot?.flush() ?? [])]) {
      const p = pendingFiles.get(d.caseId);
      if (p) record({ kind: "host-divergence", detail: d.detail }, p.strategy, d.caseId, p.file);
    }
    pendingFiles.clear();
    stats.differentialCases = diff.cases;
    stats.differentialCalls = diff.calls;
    if (diffAot) stats.differentialAotCalls = diffAot.calls;
  };

  while (stats.cases < maxCases && performance.now() < deadline) {
    const idx = stats.cases;
    const r = master.fork();
    const strategy = r.weighted(weights);
    let bytes: Uint8Array;
    let calls: CallSpec[];
    const donor = corpus.entries.length ? r.pick(corpus.entries) : undefined;
    switch (strategy) {
      case "generate": {
        const p = gen.generate(r);
        bytes = p.bytes;
        calls = p.calls;
        break;
      }
      case "mutate-generated": {
        const p = gen.generate(r);
        bytes = (r.chance(0.6) ? mutateStructure(r, p.bytes) : null) ?? mutateBytes(r, p.bytes, corpus.entries.map((e) => e.bytes));
        calls = p.calls;
        break;
      }
      case "mutate-corpus":
        bytes = donor ? mutateBytes(r, donor.bytes, corpus.entries.map((e) => e.bytes)) : randomModule(r);
        calls = callsFor(r, bytes, donor);
        break;
      case "structure": {
        let b = donor?.bytes ?? randomModule(r);
        for (let k = r.range(1, 3); k > 0; k--) b = mutateStructure(r, b) ?? b;
        bytes = b;
        calls = callsFor(r, bytes, donor);
        break;
      }
      default:
        bytes = randomModule(r);
        calls = callsFor(r, bytes, donor);
    }
    if (diff) for (const c of calls) if (c.gas === 0) c.gas = 1; // mote-host takes --gas 1..MAX_GAS
    const store = seededStore(bytes, diff ? null : r);
    const stateBefore = store.toJSON();
    const diffBefore = diff ? DifferentialBatch.stateHex(store) : "";
    // the costlier checks on a share of cases keep the throughput up
    const out = checkCase(vm, bytes, calls, store, {
      determinism: !opts.light && idx % 4 === 0,
      twin,
      gasExactness: !opts.light && idx % 8 === 1,
      roundTrip: !opts.light && idx % 3 === 0,
    });
    if (fast) {
      // the same calls from the same state on the fast engine: every result line and the final state agree
      const fstore = MemoryStateStore.fromJSON(stateBefore);
      const got = runOnEngine(fast, bytes, calls, fstore);
      stats.fastCases++;
      stats.fastCalls += calls.length;
      const k = got.results.findIndex((line, i) => line !== out.results[i]);
      const detail =
        k >= 0 ? `call ${k}: interpreter ${String(out.results[k]).slice(0, 240)} | fast ${got.results[k]!.slice(0, 240)}`
        : JSON.stringify(fstore.toJSON()) !== JSON.stringify(store.toJSON()) ? "final state differs between the interpreter and the fast engine"
        : null;
      if (detail) {
        stats.fastDivergences++;
        out.findings.push({ kind: "engine-divergence", detail });
      }
    }
    stats.cases++;
    stats.calls += calls.length;
    stats.byStrategy[strategy] = (stats.byStrategy[strategy] ?? 0) + 1;
    if (out.verified) stats.verified++;
    else {
      stats.rejected++;
      stats.verifyCodes[out.verifyCode] = (stats.verifyCodes[out.verifyCode] ?? 0) + 1;
    }
    for (const line of out.results) {
      const st = /"status":"([a-z_]+)"/.exec(line)?.[1] ?? "exception";
      stats.statuses[st] = (stats.statuses[st] ?? 0) + 1;
    }
    const file: CaseFile = caseToJson("", bytes, stateBefore, calls, `fuzz ${strategy}, seed ${opts.seed}, case ${idx}`);
    if (idx % 256 === 255) {
      const m = memoryIntact(vm);
      if (m) {
        out.findings.push(m);
        armMemorySentinel(vm);
      }
    }
    for (const f of out.findings) record(f, strategy, idx, file);
    if (diff && !out.results.includes("exception")) {
      diff.add(idx, bytes, diffBefore, calls, out.results, DifferentialBatch.stateHex(store));
      diffAot?.add(idx, bytes, diffBefore, calls, out.results, DifferentialBatch.stateHex(store));
      pendingFiles.set(idx, { strategy, file });
      if (diff.size >= 400) flushDiff();
    }
    if (opts.stopOnFinding && stats.findings.length) break;
    const now = performance.now();
    if (opts.progress && now - lastProgress > 1000) {
      lastProgress = now;
      stats.seconds = (now - start) / 1000;
      opts.progress(stats);
    }
  }
  flushDiff();
  snap?.cleanup();
  stats.seconds = (performance.now() - start) / 1000;
  stats.opcodeCoverage = Object.fromEntries(gen.coverage.counts);
  return stats;
}

