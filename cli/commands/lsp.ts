// `mote lsp --stdio`: starts the language server (lsp/server.ts) on stdin and stdout for an editor.
// Parsing only; the server and everything it answers live in lsp/ and compiler/.
import type { Command } from "commander";
import { CliError } from "../errors.ts";

export function register(program: Command): void {
  program
    .command("lsp")
    .description("run the language server for editors (diagnostics, hover, definition, completion, symbols, formatting)")
    .option("--stdio", "talk the Language Server Protocol over stdin and stdout (the only transport)")
    .action(async (opts: { stdio?: boolean }) => {
      if (!opts.stdio) throw new CliError("lsp: give --stdio (the server talks LSP over stdin and stdout)", 2);
      const { runStdioServer } = await import("../../lsp/server.ts");
      runStdioServer();
      // the connection keeps the process alive; it exits when the editor sends `exit` or closes stdin
      await new Promise<never>(() => {});
    });
}
