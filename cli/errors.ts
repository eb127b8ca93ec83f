// The CLI's one error type: a message for the user and the exit code to leave with.
//
// The one exit-code rule: 2 = what was typed does not fit the command or the contract (an unknown
// command, option or function, a missing, extra or malformed argument or option value); 1 = the work
// failed (a file that cannot be read or written or is not what it should be, compile errors, a call
// that did not end ok, a rejected transaction, a failed test).

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
