// `mote compile` and `mote check`: run the compiler on a .mote file and print its diagnostics.
// Parsing and printing only; the compiler lives in compiler/. Exit 0 ok, 1 compile errors, 2 usage.
import type { Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { abiText } from "../../compiler/abi.ts";
import type { CompileOutput } from "../../compiler/index.ts";
import { CliError, fsReason } from "../errors.ts";
import { quoteInput, quotePath } from "../../compiler/escape.ts";

// The compiler builds its chevrotain parser when first imported (about a second); load it only when a
// command needs it, so every other `mote` command starts fast.
const compiler = (): Promise<typeof import("../../compiler/index.ts")> => import("../../compiler/index.ts");

async function report(out: CompileOutput, json: boolean, extra: Record<string, unknown> = {}): Promise<void> {
  const { formatDiagnostic, readSourceFile } = await compiler();
  const errors = out.diagnostics.filter((d) => d.severity === "error").length;
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: errors === 0, diagnostics: out.diagnostics, ...extra })}\n`);
  } else if (out.diagnostics.length > 0) {
    // each diagnostic shows a line of its own file (the main file or an import)
    const sources = new Map<string, string>();
    const text = out.diagnostics.map((d) => {
      // an unreadable file has no line to show: one line, naming the file and the reason
      if (d.code === "E0013") return `${d.file}: error[${d.code}]: ${d.message}`;
      if (!sources.has(d.file)) sources.set(d.file, readSourceFile(d.file) ?? "");
      return formatDiagnostic(d, sources.get(d.file)!);
    });
    const warnings = out.diagnostics.length - errors;
    const summary = [errors ? `${errors} error${errors > 1 ? "s" : ""}` : "", warnings ? `${warnings} warning${warnings > 1 ? "s" : ""}` : ""].filter(Boolean).join(", ");
    process.stderr.write(out.diagnostics.length === 1 && out.diagnostics[0]!.code === "E0013" ? `${text[0]}\n` : `${text.join("\n\n")}\n\n${summary}\n`);
  }
  if (errors > 0) throw new CliError("", 1);
}

export function register(program: Command): void {
  program
    .command("compile")
    .description("compile a contract: writes OUT.mbc and OUT.abi.json (metadata: ABI, error messages, source map)")
    .argument("<file>", "the .mote source file")
    .option("-o, --out <file>", "output module path (default: build/NAME.mbc in the working directory)")
    .option("--json", "print one JSON object (diagnostics, output paths, size, module hash) instead of text")
    .option("--embed-abi-hash", "write the ABI's SHA-256 into the module's META section (34 bytes; the id then changes with the source map)")
    .action(async (file: string, opts: { out?: string; json?: boolean; embedAbiHash?: boolean }) => {
      const { compileFile } = await compiler();
      // Output goes to build/ (git-ignored in a `mote init` project and in this repository), never
      // beside the source, so compiling does not write into a tracked contracts/ directory.
      const out = opts.out ?? join("build", `${basename(file).replace(/\.mote$/, "")}.mbc`);
      if (!out.endsWith(".mbc")) throw new CliError(`-o: the module path must end in .mbc, got '${quoteInput(out)}'`, 2);
      const abiPath = `${out.slice(0, -4)}.abi.json`;
      const r = compileFile(file, { embedAbiHash: opts.embedAbiHash === true });
      const ok = r.module !== undefined && r.abi !== undefined && !r.diagnostics.some((d) => d.severity === "error");
      if (ok) {
        try {
          mkdirSync(dirname(out), { recursive: true });
          writeFileSync(out, r.module!);
          writeFileSync(abiPath, abiText(r.abi!));
        } catch (e) {
          throw new CliError(`${quotePath(out)}: cannot write the module: ${fsReason(e)}`);
        }
      }
      await report(r, opts.json === true, ok ? { module: out, abi: abiPath, size: r.module!.length, moduleHash: `0x${r.abi!.moduleHash}` } : {});
      if (ok && !opts.json) process.stdout.write(`wrote ${out} (${r.module!.length} bytes) and ${abiPath}\n`);
    });

  program
    .command("check")
    .description("type-check a contract and print its diagnostics; writes nothing")
    .argument("<file>", "the .mote source file")
    .option("--json", "print the diagnostics as one JSON object")
    .action(async (file: string, opts: { json?: boolean }) => {
      const { compileFile } = await compiler();
      const r = compileFile(file);
      await report(r, opts.json === true);
      if (!opts.json) process.stdout.write(`${quotePath(file)}: ok\n`);
    });
}
