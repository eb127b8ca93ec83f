// Driving mote-host from TypeScript: its batch format (`mote-host --batch`), used by the conformance tests and
// meant for the fuzzer — thousands of calls through one process, each answered by one JSON line.
import { spawnSync } from "node:child_process";
import { MemoryStateStore } from "../../vm/host/store.ts";
import { HOST_PATH } from "./build.ts";
import { decodeStateFile, encodeStateFile } from "./state-file.ts";

export interface BatchCall {
  module: Uint8Array;
  /** An export name, or a raw selector (u32). */
  fn: string | number;
  /** Integers as decimal strings (u64 pattern, or negative i64), byte strings as 0x-hex. */
  args: string[];
  caller?: Uint8Array;
  timestamp?: bigint;
  height?: bigint;
  gas?: number;
  /** The contract instance the call runs as (default: the module id). */
  self?: Uint8Array;
  value?: bigint;
}

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");

/** Batch lines for one call on a given state: set the state, the module, call, then print the state. */
export function callLines(c: BatchCall, stateBefore?: MemoryStateStore): string[] {
  const lines: string[] = [];
  if (stateBefore) lines.push(`state ${hex(encodeStateFile(stateBefore))}`);
  lines.push(`module ${hex(c.module)}`);
  const fn = typeof c.fn === "number" ? `@${c.fn >>> 0}` : c.fn;
  if (!/^[!-~]+$/.test(fn) || fn.startsWith("#")) throw new RangeError(`function name '${fn}' cannot be written on a batch line`);
  const opts: string[] = [];
  if (c.gas !== undefined) opts.push("--gas", String(c.gas));
  if (c.caller) opts.push("--caller", hex(c.caller));
  if (c.timestamp !== undefined) opts.push("--timestamp", c.timestamp.toString());
  if (c.height !== undefined) opts.push("--height", c.height.toString());
  if (c.self) opts.push("--self", hex(c.self));
  if (c.value !== undefined) opts.push("--value", c.value.toString());
  lines.push(["call", fn, ...c.args, ...opts].join(" "));
  if (stateBefore) lines.push("state");
  return lines;
}

export interface BatchRun {
  stdout: string[];
  stderr: string;
  status: number | null;
}

/** Runs mote-host --batch on these lines (through stdin) and returns its output lines. */
export function runBatch(lines: string[], extraArgs: string[] = [], host = HOST_PATH): BatchRun {
  const r = spawnSync(host, [...extraArgs, "--batch", "-"], { input: lines.join("\n") + "\n", encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { stdout: r.stdout.split("\n").filter((l) => l !== ""), stderr: r.stderr, status: r.status };
}

/** Parses a `{"state":"0x..."}` line of the batch output back into a store. */
export function parseStateLine(line: string): MemoryStateStore {
  const m = /^\{"state":"0x([0-9a-f]*)"\}$/.exec(line);
  if (!m) throw new Error(`not a state line: ${line.slice(0, 80)}`);
  return decodeStateFile(new Uint8Array(Buffer.from(m[1]!, "hex")));
}
