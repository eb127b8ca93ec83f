// docs/gas.md is generated: `npx tsx bench/calibrate-gas.ts --docs` writes it from an RV32 calibration (and records
// that calibration in bench/results/gas-proposal.json), then `npm run docs:figures` fills its <!--fig:--> figures.
// A hand edit of the page, or a change of bench/calibrate-gas.ts's prose or of the opcode table not followed by a
// re-run, leaves the page saying what the generator would not: this test re-derives the page from the recording.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { calibrationFromProposal, gasDoc } from "../../bench/calibrate-gas.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
/** The page with every figure's value taken out (docs:figures owns those, from other recordings). */
const withoutFigures = (s: string): string => s.replace(/(<!--fig:[^>]*-->)[\s\S]*?(<!--\/fig-->)/g, "$1$2");

describe("docs/gas.md", () => {
  const recorded = readFileSync(`${ROOT}bench/results/gas-proposal.json`, "utf8");
  const page = readFileSync(`${ROOT}docs/gas.md`, "utf8");

  it("regression: is what calibrate-gas --docs writes from the recorded calibration (no test compared them)", () => {
    const generated = withoutFigures(gasDoc(calibrationFromProposal(recorded)));
    const actual = withoutFigures(page);
    if (generated !== actual) {
      const g = generated.split("\n");
      const a = actual.split("\n");
      const i = g.findIndex((line, k) => line !== a[k]);
      expect(`docs/gas.md:${i + 1}: ${a[i]}`, "run `npx tsx bench/calibrate-gas.ts --docs && npm run docs:figures`").toBe(`docs/gas.md:${i + 1}: ${g[i]}`);
    }
    expect(generated).toBe(actual);
  });

  it("refuses a recording without the charged gas it needs, naming the remedy", () => {
    const j = JSON.parse(recorded);
    delete j.proposed.charged;
    expect(() => calibrationFromProposal(JSON.stringify(j))).toThrow(/no proposed\.charged .*calibrate-gas\.ts --docs/);
  });
});
