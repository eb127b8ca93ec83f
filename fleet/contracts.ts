// The fleet's contracts, compiled with repository-relative file names (they are part of the ABI hashed
// into each module, so they decide every contract id and hash of a fleet run).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { compileSource, formatDiagnostic, readSourceFile } from "../compiler/index.ts";
import { type Abi, eventByTopic } from "../compiler/abi.ts";
import type { Receipt, Value } from "../ledger/index.ts";

/** The repository root: the nearest directory above this module holding contracts/ (this file runs from
 * fleet/ under tsx and from a chunk of dist/ in the bundled CLI). */
function findRoot(): string {
  let d = import.meta.dirname;
  while (!existsSync(join(d, "contracts", "fleet_guard.mote"))) {
    const up = dirname(d);
    if (up === d) throw new Error("cannot find the contracts/ directory above " + import.meta.dirname);
    d = up;
  }
  return d;
}
const root = findRoot();

export interface Compiled {
  path: string;
  module: Uint8Array;
  abi: Abi;
}

export function compileContract(path: string): Compiled {
  const text = readSourceFile(join(root, path));
  if (text === undefined) throw new Error(`${path}: cannot read the contract source`);
  const r = compileSource(text, path, (p) => readSourceFile(join(root, p)));
  if (!r.module || !r.abi) throw new Error(`${path} does not compile:\n${r.diagnostics.map((d) => formatDiagnostic(d, text)).join("\n")}`);
  return { path, module: r.module, abi: r.abi };
}

export function topicOf(c: Compiled, name: string): number {
  const e = c.abi.events.find((x) => x.name === name);
  if (!e) throw new Error(`${c.path}: no event ${name}`);
  return e.topic;
}

export function eventsNamed(c: Compiled, r: Receipt, name: string): Value[][] {
  return r.events.filter((e) => eventByTopic(c.abi, e.topic)?.name === name).map((e) => e.values);
}

export function errorMessage(c: Compiled, r: Receipt): string {
  if (r.status !== "revert") return r.status;
  return c.abi.errors.find((e) => e.id === r.error)?.message ?? `error id ${r.error}`;
}
