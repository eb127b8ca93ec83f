// `npm run fuzz -- --seconds N --seed S [--differential] [--save]`: long fuzz campaigns with progress,
// final figures as JSON, and every distinct finding minimized into test/regressions/ for replay forever.
import { writeFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { MoteVM } from "../../vm/host/index.ts";
import { runCampaign, STRATEGIES, type CampaignStats, type FoundCase, type Strategy } from "./campaign.ts";
import { aotHostCurrent, firmwareHostAvailable } from "./differential.ts";
import { minimizeCase, minimizeSource } from "./minimize.ts";
import { replayCase } from "./replay.ts";
import { ROOT } from "./corpus.ts";
import type { CaseFile } from "./case-file.ts";
import { checkSource, runCompilerFuzz, type CompilerFinding } from "./compiler-fuzz.ts";
import { Rng } from "./random.ts";

const int = (what: string, max: number) => (v: string): number => {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n > max) throw new InvalidArgumentError(`${what} must be an integer 0..${max}, got '${v}'`);
  return n;
};

const program = new Command("fuzz")
  .description("Fuzz the Mote VM: generated valid programs, mutated real modules and random bytes, checked by the oracle")
  .option("--seconds <n>", "stop after this many seconds", int("--seconds", 7 * 24 * 3600), 60)
  .option("--cases <n>", "stop after this many cases (whichever comes first)", int("--cases", Number.MAX_SAFE_INTEGER))
  .option("--seed <s>", "campaign seed (default: from the clock, printed)", int("--seed", 0xffffffff))
  .option("--differential", "also run every case through firmware-host/build/mote-host (and mote-host-aot when built from the current VM) and compare", false)
  .option("--strategy <name...>", `only these strategies (${STRATEGIES.join(", ")})`)
  .option("--save", "minimize each distinct finding and write it to test/regressions/", false)
  .option("--json <file>", "write the final figures to this file")
  .option("--compiler", "fuzz the compiler (mutated sources) instead of the VM", false)
  .option("--light", "per-call checks and the engine comparison only (no determinism, gas-exactness or round-trip reruns): more cases per second", false)
  .showHelpAfterError();

const opts = program.parse().opts<{ seconds: number; cases?: number; seed?: number; differential: boolean; strategy?: string[]; save: boolean; json?: string; compiler: boolean; light: boolean }>();
for (const s of opts.strategy ?? []) {
  if (!STRATEGIES.includes(s as Strategy)) program.error(`fuzz: unknown strategy '${s}' (expected one of ${STRATEGIES.join(", ")})`);
}
if (opts.differential && !firmwareHostAvailable()) program.error("fuzz: --differential needs firmware-host/build/mote-host: run npm run build:firmware first");

const seed = opts.seed ?? ((Date.now() ^ (process.pid << 16)) >>> 0);
if (!opts.compiler) console.log(`fuzz: seed ${seed}, ${opts.seconds} s${opts.cases !== undefined ? `, at most ${opts.cases} cases` : ""}${opts.differential ? `, differential (node + mote-host${aotHostCurrent() ? " + mote-host-aot" : ""})` : ""}`);

if (opts.compiler) {
  console.log(`fuzz: compiler, seed ${seed}, ${opts.seconds} s`);
  const s = await runCompilerFuzz({ seed, seconds: opts.seconds, ...(opts.cases !== undefined ? { cases: opts.cases } : {}) });
  const kinds = new Map<string, CompilerFinding>();
  for (const f of s.findings) if (!kinds.has(`${f.kind}:${f.detail.slice(0, 40)}`)) kinds.set(`${f.kind}:${f.detail.slice(0, 40)}`, f);
  for (const f of kinds.values()) {
    console.log(`finding ${f.kind}: ${f.detail.slice(0, 300)}\n  in a mutation of ${f.file}`);
    if (opts.save) {
      const vm = await MoteVM.create();
      const fails = (t: string): boolean => checkSource(vm, new Rng(1), f.file, t).findings.some((x) => x.kind === f.kind);
      const source = minimizeSource(f.source, fails);
      const name = `${f.kind}-seed${seed}-${kinds.size}.json`;
      writeFileSync(join(ROOT, "test/regressions/compiler", name), JSON.stringify({ what: `${f.kind}: ${f.detail.slice(0, 300)}`, found: `compiler fuzz, seed ${seed}`, file: f.file, source }, null, 2) + "\n");
      console.log(`saved test/regressions/compiler/${name}; rename it after what broke`);
    }
  }
  const { findings, ...figures } = s;
  const summary = { seed, ...figures, findings: findings.length, distinctFindings: kinds.size };
  if (opts.json) writeFileSync(opts.json, JSON.stringify(summary, null, 2) + "\n");
  console.log(JSON.stringify(summary));
  process.exit(kinds.size > 0 ? 1 : 0);
}

const line = (s: CampaignStats): string =>
  `${s.seconds.toFixed(0).padStart(6)} s  ${String(s.cases).padStart(9)} cases  ${String(s.calls).padStart(9)} calls  ` +
  `${(s.cases / Math.max(s.seconds, 1e-9)).toFixed(0).padStart(6)} cases/s  verified ${s.verified}  ` +
  `${opts.differential ? `diff ${s.differentialCalls} calls${s.differentialAotCalls !== undefined ? ` (aot ${s.differentialAotCalls})` : ""}  ` : ""}fast ${s.fastCalls} calls (${s.fastDivergences} divergent)  findings ${s.findings.length}`;

let printed = 0;
const stats = await runCampaign({
  seed,
  seconds: opts.seconds,
  ...(opts.cases !== undefined ? { cases: opts.cases } : {}),
  differential: opts.differential,
  light: opts.light,
  ...(opts.strategy ? { strategies: opts.strategy as Strategy[] } : {}),
  progress: (s) => {
    if (process.stdout.isTTY) process.stdout.write(`\r${line(s)}`);
    else if (Math.floor(s.seconds / 30) > printed) {
      // a log file gets a line every 30 s
      printed = Math.floor(s.seconds / 30);
      console.log(line(s));
    }
  },
});
if (process.stdout.isTTY) process.stdout.write("\n");
console.log(line(stats));

// One saved case per distinct (kind, first words of detail): a long run finds the same bug many times.
const distinct = new Map<string, FoundCase>();
for (const f of stats.findings) {
  const key = `${f.finding.kind}:${f.finding.detail.replace(/[0-9]+/g, "N").slice(0, 60)}`;
  if (!distinct.has(key)) distinct.set(key, f);
}
for (const [key, f] of distinct) console.log(`finding ${key}\n  ${f.finding.detail.slice(0, 400)}\n  (${f.file.found})`);

if (opts.save && distinct.size > 0) {
  const vm = await MoteVM.create();
  const dir = join(ROOT, "test/regressions");
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  for (const f of distinct.values()) {
    const kind = f.finding.kind;
    const fails = (c: CaseFile): boolean => {
      try {
        const r = replayCase(vm, c, "minimize", { differential: kind === "host-divergence" });
        return kind === "host-divergence" ? r.divergences.length > 0 : r.findings.some((x) => x.kind === kind);
      } catch {
        return false;
      }
    };
    const min = minimizeCase(f.file, fails);
    let name = `${kind}-seed${seed}-case${f.caseIndex}.json`;
    for (let k = 2; existsSync(join(dir, name)); k++) name = `${kind}-seed${seed}-case${f.caseIndex}-${k}.json`;
    writeFileSync(join(dir, name), JSON.stringify({ ...min, what: `${f.finding.kind}: ${f.finding.detail.slice(0, 300)}` }, null, 2) + "\n");
    console.log(`saved test/regressions/${name} (module ${(min.module.length - 2) / 2} bytes, ${min.calls.length} call(s)); rename it after what broke`);
  }
}

const { findings, ...figures } = stats;
const summary = { ...figures, findings: findings.length, distinctFindings: distinct.size, casesPerSecond: Math.round(stats.cases / Math.max(stats.seconds, 1e-9)) };
if (opts.json) writeFileSync(opts.json, JSON.stringify(summary, null, 2) + "\n");
console.log(JSON.stringify(summary));
process.exitCode = distinct.size > 0 ? 1 : 0;
