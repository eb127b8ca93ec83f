// The bounded VM fuzz run of `npm test`: every strategy through the oracle, seed printed (MOTE_SEED
// replays it); a finding fails the test with the case JSON to save under test/regressions/.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCampaign, type CampaignStats } from "./campaign.ts";
import { seedFromEnv } from "./random.ts";

const SEED = seedFromEnv();
const CASES = Number(process.env.MOTE_FUZZ_CASES ?? 12_000);

/** Names each finding and writes its case where a human can pick it up for test/regressions/. */
function report(s: CampaignStats): string {
  return s.findings
    .slice(0, 5)
    .map((f, i) => {
      const path = join(tmpdir(), `mote-fuzz-${s.seed}-${f.caseIndex}-${i}.json`);
      writeFileSync(path, JSON.stringify(f.file, null, 2) + "\n");
      return `${f.finding.kind}: ${f.finding.detail.slice(0, 300)}\n  case written to ${path}`;
    })
    .join("\n") + `\n  minimize and save: npm run fuzz -- --seed ${s.seed} --cases ${s.cases} --save`;
}

describe(`VM fuzz (MOTE_SEED=${SEED})`, () => {
  it(`${CASES} cases: no trap, known statuses, exact gas, no effects on failure, deterministic, verifier = decoder, fast engine = interpreter`, async () => {
    console.log(`VM fuzz seed: MOTE_SEED=${SEED}`);
    const s = await runCampaign({ seed: SEED, cases: CASES });
    console.log(
      `VM fuzz: ${s.cases} cases, ${s.calls} calls, ${s.verified} verified, ${s.rejected} rejected, ${s.fastCalls} calls on the fast engine (${s.fastDivergences} divergences), ${s.seconds.toFixed(1)} s; statuses ${JSON.stringify(s.statuses)}`,
    );
    expect(s.findings.length, report(s)).toBe(0);
    expect(s.cases).toBe(CASES);
    // every case also ran on the fast engine, with the interpreter's results and final state
    expect(s.fastCases).toBe(CASES);
    expect(s.fastDivergences).toBe(0);
    // every strategy ran and reached both sides of the verifier
    for (const k of ["generate", "mutate-generated", "mutate-corpus", "structure", "random"]) expect(s.byStrategy[k] ?? 0).toBeGreaterThan(CASES / 50);
    expect(s.verified).toBeGreaterThan(CASES / 4);
    expect(s.rejected).toBeGreaterThan(CASES / 10);
    // the corpus holds the hand-written programs and the compiled contracts
    expect(s.corpus).toBeGreaterThanOrEqual(5);
    // the common outcomes all show up; rare ones (arena_full, host_error) are checked by the generator test
    for (const st of ["ok", "revert", "out_of_gas", "overflow", "bounds", "call_depth", "stack_overflow", "bad_call", "invalid_module"]) {
      expect(s.statuses[st] ?? 0, `status ${st}`).toBeGreaterThan(0);
    }
  }, 240_000);
});
