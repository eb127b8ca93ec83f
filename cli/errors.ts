// The CLI's one error type: a message for the user and the exit code to leave with.
//
// The one exit-code rule: 2 = the command line itself is wrong (an unknown command or option, a missing
// or malformed argument or option value: fixable by rereading `mote --help`); 1 = the command line was
// well formed but the work failed (a file that cannot be read or written, input that is not what it
// should be, compile errors, a call that did not end ok, a rejected transaction).

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export { fsReason } from "../compiler/fs-reason.ts";
