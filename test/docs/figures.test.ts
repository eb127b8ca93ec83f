// The measured figures of the docs match the last measurement by construction: every `<!--fig:NAME-->` value in
// docs/embedding.md and docs/robustness.md equals what scripts/doc-figures.ts computes from bench/results.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIGURE_DOCS, FIGURES, figuresOf, loadResults, rewrite } from "../../scripts/doc-figures.ts";

const root = new URL("../..", import.meta.url).pathname;
const results = loadResults(root);

describe("figures in the docs come from bench/results", () => {
  for (const doc of FIGURE_DOCS) {
    it(`${doc}: every marked figure equals the last measurement (fix: npm run docs:figures)`, () => {
      const figs = figuresOf(readFileSync(join(root, doc), "utf8"), results);
      expect(figs.filter((f) => f.want === undefined).map((f) => f.name)).toEqual([]);
      expect(figs.filter((f) => f.written !== f.want)).toEqual([]);
    });
  }

  it("docs/embedding.md marks its RV32 and x86 tables", () => {
    const names = new Set(figuresOf(readFileSync(join(root, "docs/embedding.md"), "utf8"), results).map((f) => f.name));
    for (const n of ["rv32.flash", "rv32.ramPeak", "rv32.heapPeak", "rv32.instr.loop", "rv32.instr.token_transfer", "x86.ir.loop", "rv32.wasmBytes",
      "rv32Aot.flash", "rv32Aot.ramPeak", "rv32Aot.instr.loop", "rv32Aot.instr.token_transfer"]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it("docs/robustness.md marks the last long fuzz run and the mutation scores", () => {
    const names = new Set(figuresOf(readFileSync(join(root, "docs/robustness.md"), "utf8"), results).map((f) => f.name));
    for (const n of ["fuzz.seed", "fuzz.cases", "fuzz.calls", "fuzz.findings", "mutation.vm/assembly.killed", "mutation.firmware-host/src.total"]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it("docs/device.md marks the device SDK's RV32 figures", () => {
    const names = new Set(figuresOf(readFileSync(join(root, "docs/device.md"), "utf8"), results).map((f) => f.name));
    for (const n of ["device.flashBytes", "device.ramBytes", "device.heapBytes", "device.instrSignTx", "device.instrSignReading", "device.instrVerifyProof"]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it("a changed measurement changes the rewritten doc (the check can fail)", () => {
    const text = "flash <!--fig:rv32.flash-->1<!--/fig--> bytes";
    const changed = { ...results, rv32: { ...results.rv32, rv32FlashBytes: 123456 } };
    expect(rewrite(text, changed)).toBe("flash <!--fig:rv32.flash-->123,456<!--/fig--> bytes");
    expect(figuresOf(rewrite(text, results), changed)[0]!.written).not.toBe(FIGURES["rv32.flash"]!(changed));
    expect(() => rewrite("<!--fig:no.such-->1<!--/fig-->", results)).toThrow(/unknown figure no.such/);
  });
});
