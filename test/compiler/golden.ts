// Golden files for the compiler: each test/compiler/cases/NAME.mote compiles to NAME.asm (the
// disassembly, source lines interleaved) and NAME.json (the diagnostics, in order).
// Regenerate with `npx tsx test/compiler/golden.ts --update` (or UPDATE_GOLDEN=1 npx vitest run test/compiler).
import { readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { posix } from "node:path";
import { type Abi, functionNames, sourceAnnotator } from "../../compiler/abi.ts";
import { compileSource } from "../../compiler/index.ts";
import { disassemble } from "../../vm/asm/index.ts";

export const CASES_DIR = "test/compiler/cases";

export function caseNames(): string[] {
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith(".mote"))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function readRelative(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

/** The disassembly of a compiled module with each new source line shown above its first instruction. */
export function annotatedDisassembly(module: Uint8Array, abi: Abi, sources: (file: string) => string | undefined): string {
  return disassemble(module, {
    funcNames: functionNames(abi),
    exportNames: new Map(abi.functions.map((f) => [f.selector, f.name])),
    annotate: sourceAnnotator(abi, sources),
  });
}

export function renderCase(name: string): { asm?: string; json: string } {
  const file = posix.join(CASES_DIR, `${name}.mote`);
  const source = readFileSync(file, "utf8");
  const out = compileSource(source, file, readRelative);
  const json = `${JSON.stringify({ diagnostics: out.diagnostics, ...(out.module ? { moduleBytes: out.module.length } : {}) }, null, 2)}\n`;
  if (!out.module || !out.abi) return { json };
  // metadata paths are relative to the compiled file's directory
  const asm = annotatedDisassembly(out.module, out.abi, (f) => readRelative(posix.join(CASES_DIR, f)));
  return { asm, json };
}

export function updateGoldens(): string[] {
  const written: string[] = [];
  for (const name of caseNames()) {
    const r = renderCase(name);
    const base = posix.join(CASES_DIR, name);
    writeFileSync(`${base}.json`, r.json);
    written.push(`${base}.json`);
    if (r.asm !== undefined) {
      writeFileSync(`${base}.asm`, r.asm);
      written.push(`${base}.asm`);
    } else if (existsSync(`${base}.asm`)) rmSync(`${base}.asm`);
  }
  return written;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!) && process.argv.includes("--update")) {
  for (const f of updateGoldens()) process.stdout.write(`wrote ${f}\n`);
}
