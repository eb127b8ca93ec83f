// Checks an ABI file read from disk against the module it is used with.
import { sha256 } from "@noble/hashes/sha2.js";
import type { Abi } from "../compiler/abi.ts";
import { quoteInput, quotePath } from "../compiler/escape.ts";
import { CliError } from "./errors.ts";

/** Refuses an ABI whose moduleHash is not the SHA-256 of the module it is used with. */
export function checkAbiMatches(abi: Abi, module: Uint8Array, abiFile: string, moduleFile: string): void {
  const actual = Buffer.from(sha256(module)).toString("hex");
  const claimed = typeof abi.moduleHash === "string" ? abi.moduleHash.replace(/^0x/, "").toLowerCase() : "";
  if (claimed !== actual) {
    throw new CliError(
      `${quotePath(abiFile)}: stale or foreign ABI: its moduleHash is ${claimed ? `0x${quoteInput(claimed)}` : "missing"}, but ${quotePath(moduleFile)} hashes to 0x${actual}; recompile the contract or remove the ABI file`,
    );
  }
}
