// The CLI's one error type: a message for the user and the exit code to leave with.
// 1 = the work failed (bad input, failed call), 2 = usage.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}
