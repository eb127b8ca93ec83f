// Runs a .mote program with inline expectations through the compiler and the VM, returning mismatches.
// Shared by the behaviour tests (test/compiler/behaviour/*.mote) and the docs/language.md example tests.
//
// Expectations are comments:
//   // error: E0030            this line has an error with that code (several: "E0030 E0031")
//   // warning: W0002          this line has that warning
//   // expect: 42              on a `fn name(` line: call name() and expect this result ("ok" for none)
//   // expect revert: "msg"    ... expect a revert with this message (decoded through the ABI)
//   // expect status: overflow ... expect this VM status
//   // expect events: Transfer(from=0x…, amount=3)   ... expect a successful call emitting exactly these
//   // name(1, bob) as alice expect: 3   an explicit call, with arguments parsed by the ABI's types;
//                                        alice/bob/carol stand for fixed public keys
// Diagnostics must match the error and warning annotations exactly. Calls run in file order against
// one store; `init` runs first (with no arguments) unless an explicit `init(…)` call is written.
import { type Abi, describeRevert, formatEvent, formatValue, parseArg, type Value } from "../../compiler/abi.ts";
import { type CompileOptions, compileSource } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { MemoryStateStore, type MoteVM } from "../../vm/host/index.ts";

export const KEYS: Record<string, Uint8Array> = {
  alice: new Uint8Array(32).fill(0xa1),
  bob: new Uint8Array(32).fill(0xb0),
  carol: new Uint8Array(32).fill(0xc0),
};

interface Call {
  line: number;
  fn: string;
  args: string[];
  as: string;
  kind: "value" | "revert" | "status" | "events";
  expected: string;
}

/** Splits an argument list on top-level commas. */
function splitArgs(text: string): string[] {
  const t = text.trim();
  return t === "" ? [] : t.split(",").map((s) => s.trim());
}

export function parseAnnotations(source: string): { errors: string[]; calls: Call[]; explicitInit: boolean } {
  const errors: string[] = [];
  const calls: Call[] = [];
  source.split("\n").forEach((text, i) => {
    const line = i + 1;
    const comment = text.indexOf("//");
    if (comment < 0) return;
    const c = text.slice(comment + 2).trim();
    let m = /^(error|warning):\s*(.*)$/.exec(c);
    if (m) {
      for (const code of m[2]!.split(/[\s,]+/).filter(Boolean)) errors.push(`${line}:${code}`);
      return;
    }
    m = /^(?:(\w+)\((.*)\)\s+)?(?:as\s+(\w+)\s+)?expect(?:\s+(revert|status|events))?:\s*(.*)$/.exec(c);
    if (!m) return;
    let fn = m[1];
    const args = m[2] !== undefined ? splitArgs(m[2]) : [];
    if (!fn) {
      const decl = /\b(?:fn\s+(\w+)|(init))\s*\(/.exec(text.slice(0, comment));
      if (!decl) throw new Error(`line ${line}: an expectation without a call must sit on a function's line`);
      fn = decl[1] ?? decl[2]!;
    }
    calls.push({ line, fn, args, as: m[3] ?? "alice", kind: (m[4] as "revert" | "status" | "events" | undefined) ?? "value", expected: m[5]!.trim() });
  });
  return { errors, calls, explicitInit: calls.some((c) => c.fn === "init") };
}

function argValue(text: string, type: string, size?: number): Value {
  const key = KEYS[text];
  if (key && (type === "pubkey" || type === "hash" || type === "bytes")) return key;
  return parseArg(text, type, size);
}

export interface AnnotatedResult {
  failures: string[];
  abi?: Abi;
  module?: Uint8Array;
  calls: number;
}

export function runAnnotated(
  vm: MoteVM,
  source: string,
  file: string,
  readFile?: (p: string) => string | undefined,
  options?: CompileOptions,
): AnnotatedResult {
  const failures: string[] = [];
  const { errors, calls, explicitInit } = parseAnnotations(source);
  const out = compileSource(source, file, readFile, options);
  const got = out.diagnostics.filter((d) => d.file === file).map((d) => `${d.line}:${d.code}`);
  const want = [...errors].sort();
  const have = [...got].sort();
  if (JSON.stringify(want) !== JSON.stringify(have)) {
    failures.push(`diagnostics: expected [${want.join(", ")}], got [${have.join(", ")}]\n${out.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n")}`);
    return { failures, calls: 0 };
  }
  if (errors.some((e) => e.includes(":E"))) return { failures, calls: 0 };
  if (!out.module || !out.abi) {
    failures.push("compiled without errors but produced no module");
    return { failures, calls: 0 };
  }
  const abi = out.abi;
  const module = out.module;
  const store = new MemoryStateStore();
  const all = [...calls];
  const init = abi.functions.find((f) => f.name === "init");
  if (init && !explicitInit) all.unshift({ line: 0, fn: "init", args: [], as: "alice", kind: "value", expected: "ok" });
  for (const c of all) {
    const where = `line ${c.line}: ${c.fn}(${c.args.join(", ")})`;
    const f = abi.functions.find((x) => x.name === c.fn);
    if (!f) {
      failures.push(`${where}: no public function ${c.fn}`);
      continue;
    }
    let args: Value[];
    try {
      if (c.args.length !== f.params.length) throw new Error(`takes ${f.params.length} argument(s)`);
      args = c.args.map((a, i) => argValue(a, f.params[i]!.type, f.params[i]!.size));
    } catch (e) {
      failures.push(`${where}: ${(e as Error).message}`);
      continue;
    }
    const r = vm.call(module, c.fn, args, { store, caller: KEYS[c.as] ?? KEYS.alice!, timestamp: 1_700_000_000n, height: 42n });
    let actual: string;
    const events = r.events.map((e) => formatEvent(abi, e.topic, e.values) ?? String(e.topic)).join("; ");
    if (c.kind === "status") actual = r.status;
    else if (c.kind === "events") actual = r.status === "ok" ? events : `status ${r.status}`;
    else if (c.kind === "revert") actual = r.status === "revert" ? JSON.stringify(abi.errors.find((e) => e.id === r.error)?.message ?? `unknown error ${r.error}`) : `status ${r.status}`;
    else if (r.status !== "ok") actual = `status ${r.status}${r.error !== null ? ` (${describeRevert(abi, r.error) ?? r.error})` : ""}`;
    else actual = f.returns === null ? "ok" : formatValue(r.returns[0]!, f.returns);
    if (actual !== c.expected) {
      failures.push(`${where}: expected ${c.kind === "value" ? "" : `${c.kind} `}${c.expected}, got ${actual}${events ? ` [events: ${events}]` : ""}`);
    }
  }
  return { failures, abi, module, calls: all.length };
}
