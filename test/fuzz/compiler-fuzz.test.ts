// The bounded compiler fuzz run of `npm test`: mutated contracts and behaviour sources (seed printed,
// MOTE_SEED replays) never crash the compiler, keep spans valid, and emit modules that verify and run.
import { describe, expect, it } from "vitest";
import { runCompilerFuzz } from "./compiler-fuzz.ts";
import { seedFromEnv } from "./random.ts";

const SEED = seedFromEnv();
const CASES = Number(process.env.MOTE_FUZZ_COMPILER_CASES ?? 1500);

describe(`compiler fuzz (MOTE_SEED=${SEED})`, () => {
  it(`${CASES} mutated sources: no crash, valid spans, emitted modules verify, round-trip and run`, async () => {
    console.log(`compiler fuzz seed: MOTE_SEED=${SEED}`);
    const s = await runCompilerFuzz({ seed: SEED, cases: CASES });
    console.log(`compiler fuzz: ${s.cases} sources, ${s.compiled} compiled, ${s.diagnostics} diagnostics, ${s.ran} calls run, ${s.seconds.toFixed(1)} s`);
    const shown = s.findings.slice(0, 5).map((f) => `${f.kind}: ${f.detail}\n  source (${f.file}): ${JSON.stringify(f.source).slice(0, 400)}`);
    expect(s.findings.length, shown.join("\n")).toBe(0);
    expect(s.compiled).toBeGreaterThan(0);
    expect(s.diagnostics).toBeGreaterThan(CASES / 2);
  }, 240_000);
});
