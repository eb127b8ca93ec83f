// The on-disk form of one fuzz case (test/regressions/*.json): a module, the state before, the calls,
// and optionally the exact result lines once the bug is fixed. Readable, diffable, replayable forever.
import { fromHex, toHex } from "../../vm/host/store.ts";
import type { Value } from "../../vm/host/index.ts";
import type { CallSpec } from "./program-gen.ts";

export interface CallJson {
  /** Selector as 0x + 8 hex digits (a u32, big-endian text). */
  selector: string;
  /** Integers as decimal strings (u64 pattern), byte strings as 0x-hex. */
  args: string[];
  gas: number;
  caller: string;
  timestamp: string;
  height: string;
}

export interface CaseFile {
  /** One line: what broke. */
  what: string;
  /** How it was found (strategy, seed, case index) or who wrote it. */
  found: string;
  module: string;
  /** Modules loaded (verified) into the same VM before `module`: its results must not depend on them. */
  preload?: string[];
  /** {"0x<contract id>": {"0x<key>": "0x<value>"}} before the first call. */
  state: Record<string, Record<string, string>>;
  calls: CallJson[];
  /** The canonical result line of each call, when pinned. */
  expect?: string[];
}

const h = (b: Uint8Array): string => "0x" + toHex(b);

export function caseToJson(what: string, module: Uint8Array, state: Record<string, Record<string, string>>, calls: readonly CallSpec[], found: string): CaseFile {
  return {
    what,
    found,
    module: h(module),
    state,
    calls: calls.map((c) => ({
      selector: "0x" + (c.selector >>> 0).toString(16).padStart(8, "0"),
      args: c.args.map((a) => (typeof a === "bigint" ? BigInt.asUintN(64, a).toString() : h(a))),
      gas: c.gas,
      caller: h(c.caller),
      timestamp: BigInt.asUintN(64, c.timestamp).toString(),
      height: BigInt.asUintN(64, c.height).toString(),
    })),
  };
}

/** Reads a case back; throws an Error naming the field when the file is malformed. */
export function callsFromJson(file: CaseFile, where: string): CallSpec[] {
  if (!Array.isArray(file.calls)) throw new Error(`${where}: 'calls' must be an array`);
  return file.calls.map((c, i) => {
    const at = `${where}: calls[${i}]`;
    if (!/^0x[0-9a-f]{8}$/.test(c.selector)) throw new Error(`${at}.selector must be 0x and 8 lower-case hex digits`);
    const args: Value[] = c.args.map((a, k) => {
      if (/^0x([0-9a-f]{2})*$/.test(a)) return fromHex(a);
      if (/^[0-9]+$/.test(a)) return BigInt(a);
      throw new Error(`${at}.args[${k}] must be a decimal integer or 0x-hex, got '${a}'`);
    });
    return {
      name: c.selector,
      selector: parseInt(c.selector.slice(2), 16) >>> 0,
      args,
      gas: c.gas,
      caller: fromHex(c.caller),
      timestamp: BigInt(c.timestamp),
      height: BigInt(c.height),
    };
  });
}
