// Replays the assembler regressions in test/regressions/asm/*.json: each minimized source must assemble
// or fail with an AsmError that names file:line:col in one line — never another exception.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AsmError, assemble } from "../../vm/asm/index.ts";

const DIR = join(import.meta.dirname, "asm");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

describe(`assembler regressions (${FILES.length})`, () => {
  for (const name of FILES) {
    it(name.replace(/\.json$/, ""), () => {
      const c = JSON.parse(readFileSync(join(DIR, name), "utf8")) as { what: string; found: string; source: string };
      expect(typeof c.source, `${name}: 'source'`).toBe("string");
      try {
        assemble(c.source, "case.masm");
      } catch (e) {
        expect(e, `${name}: ${c.what}`).toBeInstanceOf(AsmError);
        expect((e as Error).message).toMatch(/^case\.masm:\d+:\d+: [^\n]+$/);
      }
    });
  }
});
