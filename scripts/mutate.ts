// `npm run mutate`: applies each mutation of scripts/mutations.ts, alone, to a scratch copy of the repository,
// rebuilds what it touches, reruns its folder's tests, and reports killed / survived per folder against the
// folder's goal (exit 1 below it). Writes bench/results/mutation.json. Slow (a rebuild per VM mutant), so it
// is not part of `npm test`.
//   npm run mutate                      every mutation
//   npm run mutate -- --only ID,ID      some of them
//   npm run mutate -- --folder vm/assembly
//   npm run mutate -- --full            rerun the whole suite per mutant instead of the folder's tests
// It ends with the recorded Stryker scores per folder (npm run mutate:js -- --report).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { applyMutation, FOLDERS, folderOf, MUTATIONS, type Mutation } from "./mutations.ts";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = opt("--only")?.split(",");
const folder = opt("--folder");
const full = argv.includes("--full");
const keep = argv.includes("--keep");

const chosen = MUTATIONS.filter((m) => (!only || only.includes(m.id)) && (!folder || folderOf(m) === folder));
if (only) for (const id of only) if (!MUTATIONS.some((m) => m.id === id)) throw new Error(`no mutation named ${id}`);
if (chosen.length === 0) throw new Error("no mutation chosen");

/** A copy of the tracked files (as in the working tree), the build outputs, and node_modules linked. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mote-mutate-"));
  const files = spawnSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      cpSync(join(root, f), join(dir, f), { preserveTimestamps: true });
    } catch {
      // deleted in the working tree but not yet committed
    }
  }
  for (const built of ["vm/build", "firmware-host/build"]) {
    try {
      cpSync(join(root, built), join(dir, built), { recursive: true, preserveTimestamps: true });
    } catch {
      // not built yet: the tests' global setup builds it
    }
  }
  symlinkSync(realpathSync(join(root, "node_modules")), join(dir, "node_modules"));
  return dir;
}

const log = (s: string): void => void process.stderr.write(`mutate: ${s}\n`);

interface Outcome {
  id: string;
  folder: string;
  file: string;
  result: "killed" | "survived" | "does not build";
  seconds: number;
  /** The first failing test, when killed. */
  by?: string;
}

function run(dir: string, cmd: string, args: string[], timeoutMs: number) {
  return spawnSync(cmd, args, { cwd: dir, encoding: "utf8", timeout: timeoutMs, maxBuffer: 256 << 20, env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
}

/** Builds what the mutated file feeds; false when the mutant does not compile. */
function build(dir: string, m: Mutation): boolean {
  if (m.file.startsWith("vm/assembly/")) {
    if (run(dir, "npx", ["tsx", "scripts/build-vm.ts"], 600_000).status !== 0) return false;
  }
  if (m.file.startsWith("vm/assembly/") || m.file.startsWith("firmware-host/")) {
    if (run(dir, "npx", ["tsx", "firmware-host/scripts/build.ts"], 900_000).status !== 0) return false;
  }
  return true;
}

const dir = scratchCopy();
log(`scratch copy in ${dir}; ${chosen.length} mutation(s)${full ? ", whole suite per mutant" : ""}`);
const outcomes: Outcome[] = [];
try {
  for (const m of chosen) {
    const t0 = Date.now();
    const path = join(dir, m.file);
    const original = readFileSync(path, "utf8");
    writeFileSync(path, applyMutation(original, m));
    const f = folderOf(m);
    let outcome: Outcome;
    try {
      if (!build(dir, m)) {
        outcome = { id: m.id, folder: f, file: m.file, result: "does not build", seconds: 0 };
      } else {
        const r = run(dir, "npx", ["vitest", "run", ...(full ? [] : FOLDERS[f]!.tests)], 1_800_000);
        // eslint-disable-next-line no-control-regex
        const plain = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "");
        const failed = /(?:FAIL|×)\s+(.+)/.exec(plain)?.[1]?.trim();
        outcome = { id: m.id, folder: f, file: m.file, result: r.status === 0 ? "survived" : "killed", seconds: 0, ...(r.status !== 0 && failed ? { by: failed.slice(0, 160) } : {}) };
      }
    } finally {
      // restore, and let the next build see a change (the restored file is newer than the mutant's build)
      writeFileSync(path, original);
    }
    outcome.seconds = Math.round((Date.now() - t0) / 1000);
    outcomes.push(outcome);
    log(`${outcome.result.padEnd(14)} ${m.id} (${outcome.seconds} s)${outcome.by ? ` by ${outcome.by}` : ""}`);
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

// A partial run (--only, --folder) updates its mutations' rows of the last full run's record.
const recordPath = join(root, "bench/results/mutation.json");
if ((only || folder) && existsSync(recordPath)) {
  const last = JSON.parse(readFileSync(recordPath, "utf8")) as { outcomes: Outcome[] };
  const fresh = new Map(outcomes.map((o) => [o.id, o]));
  const merged = last.outcomes.map((o) => fresh.get(o.id) ?? o);
  for (const o of outcomes) if (!last.outcomes.some((x) => x.id === o.id)) merged.push(o);
  outcomes.splice(0, outcomes.length, ...merged.filter((o) => MUTATIONS.some((m) => m.id === o.id)));
}

const folders: Record<string, { killed: number; survived: number; notBuilt: number; score: number; goal: number; survivors: string[] }> = {};
for (const o of outcomes) {
  const s = (folders[o.folder] ??= { killed: 0, survived: 0, notBuilt: 0, score: 0, goal: FOLDERS[o.folder]!.goal, survivors: [] });
  if (o.result === "killed") s.killed++;
  else if (o.result === "survived") {
    s.survived++;
    s.survivors.push(o.id);
  } else s.notBuilt++;
}
const failures: string[] = [];
console.log("folder              killed  survived  not built  score   goal");
for (const [name, s] of Object.entries(folders)) {
  s.score = s.killed + s.survived === 0 ? 100 : Math.round((1000 * s.killed) / (s.killed + s.survived)) / 10;
  console.log(`${name.padEnd(18)}  ${String(s.killed).padStart(6)}  ${String(s.survived).padStart(8)}  ${String(s.notBuilt).padStart(9)}  ${`${s.score}%`.padStart(6)}  ${`${s.goal}%`.padStart(5)}`);
  if (s.score < s.goal) failures.push(`${name}: ${s.score}% killed, goal ${s.goal}% (survivors: ${s.survivors.join(", ")})`);
}
for (const o of outcomes.filter((x) => x.result === "does not build")) failures.push(`${o.id} does not build: fix the mutation in scripts/mutations.ts`);
mkdirSync(join(root, "bench/results"), { recursive: true });
if ((!only && !folder) || existsSync(recordPath)) writeFileSync(recordPath, JSON.stringify({ full, folders, outcomes }, null, 2) + "\n");
// The generated mutants (Stryker, run one file at a time by `npm run mutate:js`): the recorded scores per folder.
if (existsSync(join(root, "bench/results/stryker.json"))) {
  console.log("\nStryker, recorded (bench/results/stryker.json; npm run mutate:js -- FILE --record):");
  spawnSync("npx", ["tsx", "scripts/stryker.ts", "--report"], { cwd: root, stdio: "inherit" });
}
for (const f of failures) console.error(`mutate: ${f}`);
process.exit(failures.length ? 1 : 0);
