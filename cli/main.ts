// The `mote` command line: parses arguments with commander and hands the work to the parts it wires.
// Errors reach the user as one line ("mote: ..."), usage errors exit 2, failed work exits 1. Every
// message passes through escapeText on its way out, so input quoted in it cannot break the line or
// reach the terminal as control characters, whichever part of the code built the message.
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { escapeText, quoteInput, quotePath } from "../compiler/escape.ts";
import { CliError, fsReason } from "./errors.ts";
import { register as registerCompile } from "./commands/compile.ts";
import { register as registerData } from "./commands/data.ts";
import { register as registerLedger } from "./commands/ledger.ts";
import { register as registerVm } from "./commands/vm.ts";
import { register as registerInit } from "./commands/init.ts";
import { register as registerTest } from "./commands/test.ts";
import { register as registerFmt } from "./commands/fmt.ts";
import { register as registerVerify } from "./commands/verify.ts";
import { register as registerLsp } from "./commands/lsp.ts";
import { register as registerNet } from "./commands/net.ts";
import { register as registerFleet } from "./commands/fleet.ts";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command("mote")
  .description("Mote: contracts and a VM small enough for a $3 microcontroller")
  .version(pkg.version)
  .configureOutput({
    // commander's own errors ("error: unknown option '--x'") quote the arguments as given
    outputError: (str, write) =>
      write(`mote: ${oneLine(str.replace(/'([^'\n]*)'/g, (_, quoted: string) => `'${quoteInput(quoted)}'`))} (run mote --help for usage)\n`),
  })
  .exitOverride();

/** A message as one line of printable text: escaped by the one rule, line breaks included. */
function oneLine(message: string): string {
  return escapeText(message.replace(/\n+$/, ""));
}

registerCompile(program);
registerVm(program);
registerLedger(program);
registerInit(program);
registerTest(program);
registerFmt(program);
registerData(program);
registerVerify(program);
registerLsp(program);
registerNet(program);
registerFleet(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error.
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  if (e instanceof CliError) {
    if (e.message) process.stderr.write(`mote: ${oneLine(e.message)}\n`);
    process.exit(e.exitCode);
  }
  const errno = e as NodeJS.ErrnoException;
  if (errno && typeof errno.code === "string" && typeof errno.path === "string") {
    // a file operation no command anticipated: the path and the reason, never Node's errno text
    process.stderr.write(`mote: ${oneLine(`${quotePath(errno.path)}: ${fsReason(e)}`)}\n`);
    process.exit(1);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`mote: ${oneLine(msg.split("\n")[0]!)}\n`);
  if (process.env.MOTE_DEBUG) process.stderr.write(`${(e as Error).stack ?? ""}\n`);
  process.exit(1);
}
