// Parsing and printing of VM-level values on the command line: decimal integers and 0x-hex bytes.
// Typed parsing by a contract's ABI lives in compiler/abi.ts.
import { CliError } from "./errors.ts";
import { quoteInput } from "../compiler/escape.ts";

export function toHex(b: Uint8Array): string {
  return "0x" + Buffer.from(b).toString("hex");
}

/** A decimal integer in -2^63..2^64-1 (negative values are i64, stored as their u64 bit pattern). */
export function parseIntArg(text: string, what: string): bigint {
  if (!/^-?[0-9]+$/.test(text)) throw new CliError(`${what}: expected a decimal integer or 0x-hex bytes, got '${quoteInput(text)}'`, 2);
  const v = BigInt(text);
  if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new CliError(`${what}: ${quoteInput(text)} is outside the 64-bit range`, 2);
  return BigInt.asUintN(64, v);
}

export function parseHexArg(text: string, what: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(text)) throw new CliError(`${what}: expected 0x followed by an even number of hex digits, got '${quoteInput(text)}'`, 2);
  return new Uint8Array(Buffer.from(text.slice(2), "hex"));
}
