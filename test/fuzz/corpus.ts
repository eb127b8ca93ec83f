// The seed corpus: real modules the fuzzers mutate — the hand-written test programs and every contract
// and compiler behaviour case that compiles today — each with the shapes of its exports for calls.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assemble } from "../../vm/asm/index.ts";
import { decodeModule } from "../../vm/spec/module.ts";
import { compileFile } from "../../compiler/index.ts";
import type { Ty } from "./program-gen.ts";

export const ROOT = join(import.meta.dirname, "../..");

export interface CorpusEntry {
  name: string;
  bytes: Uint8Array;
  exports: { selector: number; params: Ty[] }[];
}

function shapes(bytes: Uint8Array): { selector: number; params: Ty[] }[] {
  const m = decodeModule(bytes);
  return m.exports.map((e) => ({
    selector: e.selector,
    params: Array.from({ length: m.functions[e.func]?.params ?? 0 }, (_, i) => ((e.argMask >> i) & 1 ? "b" : "i") as Ty),
  }));
}

const list = (dir: string, ext: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => join(dir, f)) : [];

let cached: { entries: CorpusEntry[]; skipped: string[] } | undefined;

/** Loads the corpus once; sources that do not compile (yet) are listed in `skipped`, not fatal. */
export function loadCorpus(): { entries: CorpusEntry[]; skipped: string[] } {
  if (cached) return cached;
  const entries: CorpusEntry[] = [];
  const skipped: string[] = [];
  for (const f of list(join(ROOT, "test/programs"), ".masm")) {
    const bytes = assemble(readFileSync(f, "utf8"), f);
    entries.push({ name: f.slice(ROOT.length + 1), bytes, exports: shapes(bytes) });
  }
  for (const f of [...list(join(ROOT, "contracts"), ".mote"), ...list(join(ROOT, "test/compiler/behaviour"), ".mote")]) {
    const name = f.slice(ROOT.length + 1);
    try {
      const out = compileFile(f);
      if (!out.module) {
        skipped.push(`${name}: ${out.diagnostics[0]?.message ?? "no module"}`);
        continue;
      }
      entries.push({ name, bytes: out.module, exports: shapes(out.module) });
    } catch (e) {
      skipped.push(`${name}: compiler threw ${(e as Error).message}`);
    }
  }
  cached = { entries, skipped };
  return cached;
}
