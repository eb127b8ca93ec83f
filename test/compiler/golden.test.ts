// Golden tests: compiled disassembly and diagnostics of test/compiler/cases/*.mote match the
// committed .asm/.json (review changes as diffs; regenerate with golden.ts --update).
import { existsSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { assemble } from "../../vm/asm/index.ts";
import { CASES_DIR, caseNames, readRelative, renderCase, updateGoldens } from "./golden.ts";

if (process.env.UPDATE_GOLDEN === "1") updateGoldens();

describe("golden cases", () => {
  it("exist", () => expect(caseNames().length).toBeGreaterThan(5));
  for (const name of caseNames()) {
    it(name, () => {
      const base = posix.join(CASES_DIR, name);
      const r = renderCase(name);
      expect(existsSync(`${base}.json`), `${base}.json missing: run npx tsx test/compiler/golden.ts --update`).toBe(true);
      expect(r.json).toBe(readFileSync(`${base}.json`, "utf8"));
      if (r.asm === undefined) expect(existsSync(`${base}.asm`)).toBe(false);
      else expect(r.asm).toBe(readFileSync(`${base}.asm`, "utf8"));
    });
  }
});

describe("compile → disassemble → assemble", () => {
  for (const name of caseNames()) {
    const file = posix.join(CASES_DIR, `${name}.mote`);
    const out = compileSource(readFileSync(file, "utf8"), file, readRelative);
    if (!out.module) continue;
    it(`${name} round-trips byte for byte`, () => {
      const r = renderCase(name);
      expect(Buffer.from(assemble(r.asm!))).toEqual(Buffer.from(out.module!));
    });
  }
});
