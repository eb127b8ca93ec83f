// `mote test`: runs Mote-native contract tests (`test fn`, cheats, fuzzing; see compiler/testing.ts and
// cli/test-runner.ts) and prints a line per test, a gas report or snapshot, and `N passed, N failed`.
// Exit 0 when every test passed, 1 when one failed, a file did not compile or --check found a change.
import type { Command } from "commander";
import { existsSync, readFileSync, watch, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { MoteVM } from "../../vm/host/index.ts";
import { LEDGER_LIMITS } from "../../ledger/params.ts";
import { quoteInput, quotePath } from "../../compiler/escape.ts";
import { CliError, fsReason } from "../errors.ts";
import { findProject, findTestFiles } from "../project.ts";
import { runTestFile, type FileResult, type TestResult } from "../test-runner.ts";

interface TestOptions {
  match?: string;
  seed: string;
  runs: string;
  gasReport?: boolean;
  gasSnapshot?: string | boolean;
  check?: boolean;
  watch?: boolean;
  json?: boolean;
  v?: number;
}

const DEFAULT_SNAPSHOT = ".gas-snapshot";
/** Gas of one test function: a ledger block's (a test may do what a block of transactions does, at the ledger's state prices). */
const TEST_GAS = LEDGER_LIMITS.DEFAULT_BLOCK_GAS_LIMIT.value;

function testLabel(t: TestResult, base: string): string {
  const sig = t.params.map((p) => `${p.type}`).join(",");
  return `${quotePath(relative(base, t.file))}::${t.name}(${sig})`;
}

function gasText(t: TestResult): string {
  return t.runs > 1 || t.params.length > 0 ? `(runs: ${t.runs}, median gas: ${t.gas})` : `(gas: ${t.gas})`;
}

/** The snapshot text: one line per passing test, sorted, as `forge snapshot` writes it. */
export function snapshotText(results: FileResult[], base: string): string {
  const lines = results.flatMap((r) => r.tests.filter((t) => t.ok).map((t) => `${testLabel(t, base)} ${gasText(t)}`));
  return lines.sort().join("\n") + (lines.length ? "\n" : "");
}

async function runAll(files: string[], base: string, opts: TestOptions, initArgs: (c: string) => string[] | undefined): Promise<{ failed: number; results: FileResult[] }> {
  const { formatDiagnostic, readSourceFile } = await import("../../compiler/index.ts");
  const vm = await MoteVM.create({ trace: (opts.v ?? 0) >= 3 });
  const seed = BigInt(opts.seed);
  const runs = Number(opts.runs);
  let match: RegExp | undefined;
  if (opts.match !== undefined) {
    try {
      match = new RegExp(opts.match);
    } catch (e) {
      throw new CliError(`--match: not a regular expression: ${(e as Error).message}`, 2);
    }
  }
  const results: FileResult[] = [];
  let passed = 0;
  let failed = 0;
  const out: string[] = [];
  for (const file of files) {
    const r = await runTestFile(file, vm, { initArgs, seed, runs, match, gas: TEST_GAS, trace: (opts.v ?? 0) >= 3 });
    results.push(r);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0 || (!r.contract && r.tests.length === 0)) {
      failed++;
      const text = r.diagnostics.map((d) => (d.code === "E0013" ? `${d.file}: error[${d.code}]: ${d.message}` : formatDiagnostic(d, readSourceFile(d.file) ?? ""))).join("\n\n");
      if (!opts.json) process.stderr.write(`${text}\n`);
      out.push(`[FAIL] ${quotePath(relative(base, file))}: does not compile`);
      continue;
    }
    for (const t of r.tests) {
      if (t.ok) passed++;
      else failed++;
      if (opts.json) continue;
      const head = t.ok ? "[PASS]" : `[FAIL: ${t.reason}]`;
      const ce = t.counterexample ? ` counterexample: ${t.counterexample.join(", ")} (seed ${opts.seed})` : "";
      out.push(`${head} ${testLabel(t, base)} ${gasText(t)}${ce}`);
      if ((opts.v ?? 0) >= 2 && !t.trace) for (const e of t.events) out.push(`    event ${e}`);
      if (t.trace) for (const l of t.trace) out.push(`    ${l}`);
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ passed, failed, results: results.map((r) => ({ file: relative(base, r.file), contract: r.contract ?? null, diagnostics: r.diagnostics, tests: r.tests.map((t) => ({ ...t, file: relative(base, t.file) })) })) })}\n`);
  } else {
    process.stdout.write(`${out.join("\n")}\n`);
    if (opts.gasReport) process.stdout.write(gasReport(results, base));
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
  }
  return { failed, results };
}

/** Per test function: calls (runs), min, median and max gas, grouped by file and contract. */
function gasReport(results: FileResult[], base: string): string {
  const lines: string[] = [];
  for (const r of results) {
    if (!r.contract || r.tests.length === 0) continue;
    const rows = r.tests.map((t) => [t.name, String(t.gasMin), String(t.gas), String(t.gasMax), String(t.runs)]);
    const head = ["function", "min", "median", "max", "calls"];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
    const fmt = (x: string[]): string => x.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
    lines.push(`${r.contract} (${relative(base, r.file)}, test build ${r.moduleBytes} bytes)`, `  ${fmt(head)}`, ...rows.map((x) => `  ${fmt(x)}`), "");
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

export function register(program: Command): void {
  program
    .command("test")
    .description("run the project's Mote tests (test fn in tests/*.t.mote or in a contract): a line per test, then N passed, N failed")
    .argument("[files...]", "test files (default: every *.t.mote under the project's tests directory)")
    .option("--match <regex>", "only tests whose name matches")
    .option("--seed <n>", "fuzzing seed (decimal)", "1")
    .option("--runs <n>", "inputs per fuzzed test", "256")
    .option("--gas-report", "print min / median / max gas per test function")
    .option("--gas-snapshot [file]", `write each test's gas to FILE (default ${DEFAULT_SNAPSHOT} in the project)`)
    .option("--check", "with --gas-snapshot: compare with the snapshot instead of writing it; fail on any difference")
    .option("--watch", "run again whenever a .mote file or mote.json changes")
    .option("--json", "print the results as one JSON object")
    .option("-v, --verbose", "-vv: each test's events; -vvv: each test's trace (instructions with stack and gas, storage reads and writes, events, revert point)", (_: string, prev: number) => prev + 1, 0)
    .action(async (fileArgs: string[], o: TestOptions & { verbose?: number }) => {
      const opts: TestOptions = { ...o, v: o.verbose };
      if (!/^[0-9]+$/.test(opts.seed) || BigInt(opts.seed) >= 2n ** 64n) throw new CliError(`--seed: expected a decimal integer below 2^64, got '${quoteInput(opts.seed)}'`, 2);
      if (!/^[0-9]+$/.test(opts.runs) || Number(opts.runs) < 1 || Number(opts.runs) > 100_000) throw new CliError(`--runs: expected an integer in 1..100000, got '${quoteInput(opts.runs)}'`, 2);
      if (opts.check && opts.gasSnapshot === undefined) throw new CliError("--check: compares a gas snapshot; use it with --gas-snapshot", 2);
      const project = findProject();
      const base = project?.root ?? process.cwd();
      const files = fileArgs.length > 0 ? fileArgs.map((f) => resolve(f)) : project ? findTestFiles(resolve(project.root, project.config.tests)) : [];
      if (files.length === 0) {
        throw new CliError(
          project
            ? `no test files (*.t.mote) under ${quotePath(resolve(project.root, project.config.tests))}`
            : "no mote.json here or above, and no test files given (create a project with 'mote init NAME')",
        );
      }
      for (const f of files) if (!existsSync(f)) throw new CliError(`${quotePath(relative(process.cwd(), f))}: no such file`);
      const initArgs = (contract: string): string[] | undefined => project?.config.contracts[contract]?.init;
      const once = async (): Promise<number> => {
        const { failed, results } = await runAll(files, base, opts, initArgs);
        let bad = failed;
        if (opts.gasSnapshot !== undefined) {
          const path = resolve(base, typeof opts.gasSnapshot === "string" ? opts.gasSnapshot : DEFAULT_SNAPSHOT);
          const now = snapshotText(results, base);
          if (opts.check) {
            let before: string;
            try {
              before = readFileSync(path, "utf8");
            } catch (e) {
              throw new CliError(`${quotePath(path)}: cannot read the gas snapshot: ${fsReason(e)} (write one with --gas-snapshot)`);
            }
            const diff = diffSnapshot(before, now);
            if (diff.length > 0) {
              process.stdout.write(`gas snapshot ${relative(base, path)} differs:\n${diff.join("\n")}\n`);
              bad++;
            } else process.stdout.write(`gas snapshot ${relative(base, path)} matches\n`);
          } else if (failed === 0) {
            try {
              writeFileSync(path, now);
            } catch (e) {
              throw new CliError(`${quotePath(path)}: cannot write the gas snapshot: ${fsReason(e)}`);
            }
            process.stdout.write(`wrote ${relative(base, path)}\n`);
          }
        }
        return bad;
      };
      if (!opts.watch) {
        if ((await once()) > 0) throw new CliError("", 1);
        return;
      }
      await watchLoop(base, once);
    });
}

/** Lines only in the old snapshot (-) and only in the new one (+), by test. */
export function diffSnapshot(before: string, after: string): string[] {
  const parse = (t: string): Map<string, string> => new Map(t.split("\n").filter(Boolean).map((l) => [l.slice(0, l.lastIndexOf(" (")), l]));
  const a = parse(before);
  const b = parse(after);
  const out: string[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (a.get(k) === b.get(k)) continue;
    if (a.has(k)) out.push(`- ${a.get(k)}`);
    if (b.has(k)) out.push(`+ ${b.get(k)}`);
  }
  return out;
}

async function watchLoop(base: string, once: () => Promise<number>): Promise<void> {
  const run = async (): Promise<void> => {
    try {
      await once();
    } catch (e) {
      process.stderr.write(`mote: ${(e as Error).message}\n`);
    }
    process.stdout.write("watching for changes (Ctrl-C to stop)\n");
  };
  await run();
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  watch(base, { recursive: true }, (_event, name) => {
    if (!name || !(/\.mote$/.test(name) || name.endsWith("mote.json")) || /node_modules|(^|\/)\./.test(name)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (busy) return;
      busy = true;
      void run().finally(() => (busy = false));
    }, 100);
  });
  await new Promise(() => undefined);
}
