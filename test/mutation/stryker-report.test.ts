// `npm run mutate:js -- --report` (scripts/stryker.ts): the recorded Stryker scores per folder, counted here
// independently from bench/results/stryker.json over the files of each folder that have been run.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

describe("the recorded Stryker report", () => {
  it("gives ledger/ the score over every ledger file run, and names those not run yet", () => {
    const rec = JSON.parse(readFileSync(`${root}bench/results/stryker.json`, "utf8")) as {
      files: Record<string, { killed: number; timeout: number; survived: number; noCoverage: number }>;
    };
    const ledger = readdirSync(`${root}ledger`)
      .filter((f) => f.endsWith(".ts") && f !== "index.ts")
      .map((f) => `ledger/${f}`);
    const run = ledger.filter((f) => rec.files[f]);
    let detected = 0;
    let valid = 0;
    for (const f of run) {
      const s = rec.files[f]!;
      detected += s.killed + s.timeout;
      valid += s.killed + s.timeout + s.survived + s.noCoverage;
    }
    const score = Math.round((1000 * detected) / valid) / 10;
    const r = spawnSync("npx", ["tsx", "scripts/stryker.ts", "--report"], { cwd: root, encoding: "utf8" });
    const line = r.stdout.split("\n").find((l) => l.startsWith("ledger: "));
    expect(line, r.stdout + r.stderr).toBeDefined();
    expect(line!.startsWith(`ledger: ${score}% of ${valid} mutants over ${run.length}/${ledger.length} files`)).toBe(true);
    for (const f of ledger.filter((x) => !rec.files[x])) expect(line).toContain(f);
    // a recorded whole file of a folder with a goal (85 %) below it, or a complete folder below it, fails the command
    const fileScore = (f: string): number => {
      const s = rec.files[f]!;
      return Math.round((1000 * (s.killed + s.timeout)) / (s.killed + s.timeout + s.survived + s.noCoverage)) / 10;
    };
    const goaled = Object.keys(rec.files).filter((f) => f.startsWith("ledger/") || f === "compiler/checker.ts");
    const below = goaled.some((f) => fileScore(f) < 85) || (run.length === ledger.length && score < 85);
    expect(r.status).toBe(below ? 1 : 0);
  }, 60_000);
});
