// Replays the compiler regressions in test/regressions/compiler/*.json: each source, once minimized from
// a fuzz finding, must compile without any broken property (no internal error, valid spans, ...).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MoteVM } from "../../vm/host/index.ts";
import { checkSource } from "../fuzz/compiler-fuzz.ts";
import { Rng } from "../fuzz/random.ts";

interface CompilerCase {
  what: string;
  found: string;
  file: string;
  source: string;
}

const DIR = join(import.meta.dirname, "compiler");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

describe(`compiler regressions (${FILES.length})`, () => {
  for (const name of FILES) {
    it(name.replace(/\.json$/, ""), async () => {
      const c = JSON.parse(readFileSync(join(DIR, name), "utf8")) as CompilerCase;
      for (const k of ["what", "found", "file", "source"] as const) expect(typeof c[k], `${name}: field '${k}'`).toBe("string");
      const vm = await MoteVM.create();
      const r = checkSource(vm, new Rng(1), c.file, c.source);
      expect(r.findings.map((f) => `${f.kind}: ${f.detail}`), `${name}: ${c.what}`).toEqual([]);
    });
  }
});
