// Shared by the compiler's diagnostic tests: where a needle sits in a source, and every diagnostic of a compilation
// in one line each.
import { compileSource } from "../../compiler/index.ts";
import type { Diagnostic } from "../../compiler/diagnostics.ts";

/** `line:col` of the `nth` (0-based) occurrence of `needle` in `src`, 1-based as diagnostics count. */
export function loc(src: string, needle: string, nth = 0): string {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = src.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`\`${needle}\` is not in the source ${nth + 1} times`);
  }
  const lines = src.slice(0, at).split("\n");
  return `${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

/** A diagnostic as `code [file:]line:col: message [hint: …]` (the file only when it is not c.mote). */
export const show = (d: Diagnostic): string =>
  `${d.code} ${d.file === "c.mote" ? "" : `${d.file}:`}${d.line}:${d.col}: ${d.message}${d.hint ? ` [hint: ${d.hint}]` : ""}`;

/** Every diagnostic of compiling `src` as `file` (imports from `files`), warnings included, shown as above. */
export const all = (src: string, files: Record<string, string> = {}, file = "c.mote"): string[] =>
  compileSource(src, file, (p) => files[p]).diagnostics.map(show);
