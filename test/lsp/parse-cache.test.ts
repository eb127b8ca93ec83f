// CompileOptions.parseCache (the language server's per-keystroke reuse of parsed imports): a compilation
// with a warm cache gives the same module and diagnostics as a cold one, and an import whose text
// changed is parsed again rather than served stale.
import { join } from "node:path";
import { expect, it } from "vitest";
import type { SourceFile } from "../../compiler/ast.ts";
import { compileFile, compileSource, readSourceFile } from "../../compiler/index.ts";
import { ROOT } from "./client.ts";

it("reuses parsed imports only while their text is unchanged", () => {
  const main = join(ROOT, "contracts", "anomaly_guard.mote").split("\\").join("/");
  const text = readSourceFile(main)!;
  const cache = new Map<string, { source: string; ast: SourceFile }>();
  const cold = compileFile(main);
  const first = compileSource(text, main, readSourceFile, { parseCache: cache });
  expect(cache.size).toBeGreaterThan(1);
  const warm = compileSource(text, main, readSourceFile, { parseCache: cache });
  for (const r of [first, warm]) {
    expect(r.diagnostics).toEqual(cold.diagnostics);
    expect(r.module).toEqual(cold.module);
  }
  // an import edited to no longer declare what the main file uses: the error must appear
  const stats = [...cache.keys()].find((k) => k.endsWith("lib/stats.mote"))!;
  const broken = (p: string): string | undefined => (p === stats ? "// emptied\n" : readSourceFile(p));
  const edited = compileSource(text, main, broken, { parseCache: cache });
  expect(edited.diagnostics.some((d) => d.severity === "error")).toBe(true);
  expect(compileSource(text, main, broken).diagnostics).toEqual(edited.diagnostics);
});
