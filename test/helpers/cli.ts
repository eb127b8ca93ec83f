// Runs `mote` commands in-process through commander, as the CLI tests drive them: stdout and stderr
// captured, exit codes as bin/mote.js gives them (0 ok, 1 failed work, 2 usage), CliError messages as
// "mote: ..." lines. Faster than spawning a process per command.
import { Command, CommanderError } from "commander";
import { vi } from "vitest";
import { CliError } from "../../cli/errors.ts";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** A runner for the commands that `registers` add to a fresh program. */
export function inProcessMote(...registers: ((program: Command) => void)[]): (...args: string[]) => Promise<CliRun> {
  return async (...args) => {
    const program = new Command("mote").exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    for (const r of registers) r(program);
    let out = "";
    let err = "";
    const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
    let code = 0;
    try {
      await program.parseAsync(["node", "mote", ...args]);
    } catch (x) {
      if (x instanceof CommanderError) code = x.exitCode === 0 ? 0 : 2;
      else if (x instanceof CliError) {
        if (x.message) err += `mote: ${x.message}\n`;
        code = x.exitCode;
      } else throw x;
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    return { code, out, err };
  };
}
