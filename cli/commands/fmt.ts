// `mote fmt [--check] [PATH...]`: rewrites .mote files in the canonical layout (compiler/format.ts).
// With --check nothing is written: it lists the files that are not formatted and exits 1 if any is.
// Directories are searched for *.mote (node_modules and dot-directories skipped); the default is the
// project (mote.json's directory) or the working directory.
import type { Command } from "commander";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { quotePath } from "../../compiler/escape.ts";
import { CliError, fsReason } from "../errors.ts";
import { findProject } from "../project.ts";

export function moteFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".mote")) out.push(p);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new CliError(`${quotePath(p)}: no such file or directory`);
    if (statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command("fmt")
    .description("format .mote files in the canonical layout (comments kept); --check only reports")
    .argument("[paths...]", "files or directories (default: the project, else the working directory)")
    .option("--check", "write nothing; list unformatted files and exit 1 if there is one")
    .action(async (paths: string[], opts: { check?: boolean }) => {
      const { formatSource } = await import("../../compiler/format.ts");
      const { syntaxDiagnostics, decodeSource } = await import("../../compiler/index.ts");
      const roots = paths.length > 0 ? paths : [findProject()?.root ?? "."];
      const files = moteFiles(roots);
      let unformatted = 0;
      let failed = 0;
      for (const f of files) {
        const shown = relative(process.cwd(), f) || f;
        let src: string;
        try {
          src = decodeSource(new Uint8Array(readFileSync(f)));
        } catch (e) {
          process.stderr.write(`mote: ${quotePath(shown)}: cannot read: ${fsReason(e)}\n`);
          failed++;
          continue;
        }
        const errs = syntaxDiagnostics(src, shown).filter((d) => d.severity === "error");
        const r = formatSource(src);
        if (errs.length > 0 || !r.ok) {
          const where = errs[0] ? `${errs[0].line}:${errs[0].col}: ${errs[0].message}` : r.ok ? "" : `${r.line}:${r.col}: ${r.message}`;
          process.stderr.write(`mote: ${quotePath(shown)}:${where} (not formatted: fix the syntax first)\n`);
          failed++;
          continue;
        }
        if (r.text === src) continue;
        unformatted++;
        if (opts.check) {
          process.stdout.write(`${quotePath(shown)}: not formatted\n`);
          continue;
        }
        try {
          writeFileSync(f, r.text);
        } catch (e) {
          process.stderr.write(`mote: ${quotePath(shown)}: cannot write: ${fsReason(e)}\n`);
          failed++;
          continue;
        }
        process.stdout.write(`formatted ${quotePath(shown)}\n`);
      }
      if (opts.check) {
        process.stdout.write(`${files.length} file(s) checked, ${unformatted} not formatted\n`);
      }
      if (failed > 0 || (opts.check && unformatted > 0)) throw new CliError("", 1);
    });
}
