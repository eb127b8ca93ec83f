// The engine of `mote test`: compiles a test file into a test build of the contract it tests
// (compiler/testing.ts), then runs each `test fn` on a fresh state — init with the configured arguments,
// then the test as one call — acting on cheats as the VM writes them (vm/host store hook). Tests with
// parameters are fuzzed: seeded inputs (edge values first), and a failing input is shrunk before it is
// reported. Deterministic for a given seed: no clock, no randomness but the seeded generator.
import { selectorOf } from "../vm/spec/module.ts";
import { MemoryStateStore, MoteVM, type CallControl, type CallResult, type Value, type VmEvent } from "../vm/host/index.ts";
import { traceWriter } from "./trace.ts";
import { readFileSync } from "node:fs";

function readSourceFileSync(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
import { formatEvent, formatValue, parseArg, type Abi } from "../compiler/abi.ts";
import { dirname, relative, resolve } from "node:path";
import { CHEATS, revertMessageTag, testBuild } from "../compiler/testing.ts";
import type { Diagnostic } from "../compiler/diagnostics.ts";

export interface TestResult {
  file: string;
  name: string;
  params: { name: string; type: string }[];
  ok: boolean;
  /** Why it failed, one line. */
  reason?: string;
  /** Gas of the test call (the median over the runs of a fuzzed test). */
  gas: number;
  runs: number;
  gasMin: number;
  gasMax: number;
  /** A fuzzed test's failing inputs after shrinking, as `name=value`. */
  counterexample?: string[];
  events: string[];
  /** With RunOptions.trace: the test call's storage reads and writes, events and revert point. */
  trace?: string[];
}

export interface FileResult {
  file: string;
  diagnostics: Diagnostic[];
  contract?: string;
  moduleBytes?: number;
  tests: TestResult[];
}

export interface RunOptions {
  /** init arguments (text, parsed by the ABI) for a contract name, or undefined for none. */
  initArgs: (contract: string) => string[] | undefined;
  seed: bigint;
  runs: number;
  match?: RegExp;
  gas: number;
  /** Record a trace of each test call (of the shrunk failing input for a fuzzed test). */
  trace?: boolean;
}

/** The caller of init and of every test unless it calls prank(): all zeros, as `mote run` uses. */
export const DEFAULT_CALLER = new Uint8Array(32);

// -- seeded generator (SplitMix64) ------------------------------------------------------------------

export class Rng {
  private s: bigint;
  constructor(seed: bigint) {
    this.s = BigInt.asUintN(64, seed);
  }
  next(): bigint {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  below(n: number): number {
    return Number(this.next() % BigInt(n));
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Number(this.next() & 0xffn);
    return b;
  }
}

const U64_EDGES = [0n, 1n, 2n, 255n, 256n, 65535n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n];

/** One input of ABI type `type`: edge values on the first runs, then random ones (small ones often). */
export function genValue(type: string, rng: Rng, run: number): Value {
  switch (type) {
    case "bool":
      return BigInt(run % 2 === 0 ? rng.below(2) : run & 1);
    case "u64":
    case "i64":
    case "fixed": {
      if (run < U64_EDGES.length && rng.below(2) === 0) return U64_EDGES[run]!;
      const r = rng.below(8);
      if (r < 3) return rng.next() % 1024n;
      if (r === 3) return rng.next() % 65536n;
      if (r === 4) return rng.next() % 2n ** 32n;
      return rng.next();
    }
    case "hash":
    case "pubkey":
      return rng.below(8) === 0 ? new Uint8Array(32) : rng.bytes(32);
    case "sig":
      return rng.bytes(64);
    default:
      return rng.bytes(rng.below(4) === 0 ? 0 : rng.below(65));
  }
}

/** Simpler values to try in place of `v` (smaller integers, shorter or zeroed byte strings). */
function shrinkCandidates(v: Value, type: string): Value[] {
  if (typeof v === "bigint") {
    if (v === 0n) return [];
    const signed = type === "i64" || type === "fixed" ? BigInt.asIntN(64, v) : v;
    const out = new Set<bigint>([0n, signed / 2n, signed > 0n ? signed - 1n : signed + 1n]);
    return [...out].filter((x) => x !== signed).map((x) => BigInt.asUintN(64, x));
  }
  const fixed = type === "hash" || type === "pubkey" || type === "sig";
  const out: Uint8Array[] = [];
  if (!fixed && v.length > 0) out.push(new Uint8Array(0), v.slice(0, v.length >> 1), v.slice(0, v.length - 1));
  const firstNonZero = v.findIndex((b) => b !== 0);
  if (firstNonZero >= 0) {
    const z = v.slice();
    z.fill(0, firstNonZero);
    if (z.some((b, i) => b !== v[i])) out.push(z);
    const one = v.slice();
    one[firstNonZero] = 0;
    out.push(one);
  }
  return out;
}

// -- one test call ---------------------------------------------------------------------------------

interface Outcome {
  ok: boolean;
  reason?: string;
  gas: number;
  events: VmEvent[];
}

function cheatSlots(abi: Abi): Map<number, string> {
  const m = new Map<number, string>();
  for (const s of abi.storage) if (s.name.startsWith("$cheat_")) m.set(s.slot, s.name);
  return m;
}

function u64le(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function sameEvent(a: VmEvent, b: VmEvent): boolean {
  if (a.topic !== b.topic || a.values.length !== b.values.length) return false;
  return a.values.every((x, i) => {
    const y = b.values[i]!;
    if (typeof x === "bigint" || typeof y === "bigint") return x === y;
    return x.length === y.length && x.every((c, j) => c === y[j]);
  });
}

/** "expected a revert with "msg"", the message found among the contract's by its tag. */
function expectedRevert(abi: Abi, tag: bigint): string {
  const e = abi.errors.find((x) => revertMessageTag(x.message) === tag);
  return e ? `expected a revert with "${e.message}"` : "expected a revert with a message that no require or revert of the contract has";
}

function runOne(vm: MoteVM, module: Uint8Array, abi: Abi, init: Value[] | undefined, fn: string, args: Value[], gas: number, trace?: string[]): Outcome {
  const store = new MemoryStateStore();
  if (abi.functions.some((f) => f.name === "init")) {
    const r = vm.call(module, "init", init ?? [], { store, caller: DEFAULT_CALLER, gas });
    if (r.status !== "ok") return { ok: false, reason: `init failed: ${statusText(r, abi)}`, gas: 0, events: [] };
  }
  const slots = cheatSlots(abi);
  let expectRevert: bigint | undefined;
  const expectedEvents: number[] = []; // indexes of the events the test itself emitted as expectations
  let expectNext = 0;
  let attachOverflow = false;
  const onStore = (key: Uint8Array, value: Uint8Array, call: CallControl): void => {
    if (key.length !== 1) return;
    const cheat = slots.get(key[0]!);
    if (!cheat) return;
    if (cheat === CHEATS.prank.field) call.setCaller(value.length === 32 ? value : new Uint8Array(32));
    else if (cheat === CHEATS.warp.field) call.setTimestamp(u64le(value));
    else if (cheat === CHEATS.roll.field) call.setHeight(u64le(value));
    else if (cheat === CHEATS.expect_revert.field) expectRevert = u64le(value);
    else if (cheat === CHEATS.expect_emit.field) expectNext++;
    else if (cheat === CHEATS.attach.field && !call.attachValue(u64le(value))) attachOverflow = true;
  };
  // expect_emit(): the event emitted right after the marker is the expectation. The hook sees the
  // marker; the expectation's index is the number of events at that moment.
  const hook = (key: Uint8Array, value: Uint8Array, call: CallControl): void => {
    const before = expectNext;
    onStore(key, value, call);
    if (expectNext > before) expectedEvents.push(call.events.length);
  };
  // -vvv: the same trace as `mote run --trace` (instructions when the VM is the trace build)
  const tw = trace ? traceWriter(abi, (f) => readSourceFileSync(resolve(abiDir, f)), module, (l) => void trace.push(l.replace(/^ {2}/, ""))) : undefined;
  tw?.begin(fn);
  const r = vm.call(module, fn, args, { store, caller: DEFAULT_CALLER, timestamp: 0n, height: 0n, gas, onStore: hook, ...(tw ? { onTrace: tw.entry, onStep: tw.step } : {}) });
  if (tw) {
    tw.end(r);
    trace!.shift(); // the "trace FN:" header: the test's own line says which test this is
  }
  if (attachOverflow) return { ok: false, reason: "attach(): the contract's balance would exceed 2^64-1", gas: r.gasUsed, events: [] };
  if (expectRevert !== undefined) {
    if (r.status === "revert") {
      const e = abi.errors.find((x) => x.id === r.error);
      if (e && revertMessageTag(e.message) === expectRevert) return { ok: true, gas: r.gasUsed, events: [] };
      return { ok: false, reason: `${expectedRevert(abi, expectRevert)}, got revert: ${describeRevert(abi, r.error!) ?? `error ${r.error}`}`, gas: r.gasUsed, events: [] };
    }
    return { ok: false, reason: `${expectedRevert(abi, expectRevert)}, got ${r.status === "ok" ? "ok (no revert)" : statusText(r, abi)}`, gas: r.gasUsed, events: r.events };
  }
  if (r.status !== "ok") return { ok: false, reason: statusText(r, abi), gas: r.gasUsed, events: [] };
  const expected = new Set(expectedEvents);
  for (const i of expectedEvents) {
    const want = r.events[i];
    if (!want) return { ok: false, reason: "expect_emit() was not followed by an emit stating the expected event", gas: r.gasUsed, events: r.events };
    const found = r.events.some((e, j) => j > i && !expected.has(j) && sameEvent(e, want));
    if (!found) {
      return { ok: false, reason: `expected event ${formatEvent(abi, want.topic, want.values) ?? want.topic} was not emitted after expect_emit()`, gas: r.gasUsed, events: r.events };
    }
  }
  return { ok: true, gas: r.gasUsed, events: r.events.filter((_, j) => !expected.has(j)) };
}

/** Where the ABI's paths are relative to (the contract's directory), set per test file. */
let abiDir = ".";

/** "file:line:col: message" of a revert, the file relative to the working directory. */
function describeRevert(abi: Abi, id: number): string | undefined {
  const e = abi.errors.find((x) => x.id === id);
  return e ? `${relative(process.cwd(), resolve(abiDir, e.file)) || e.file}:${e.line}:${e.col}: ${e.message}` : undefined;
}

function statusText(r: CallResult, abi: Abi): string {
  if (r.status === "revert") return `revert: ${describeRevert(abi, r.error!) ?? `error ${r.error}`}`;
  return r.status;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : Math.floor((s[n / 2 - 1]! + s[n / 2]!) / 2);
}

// -- a test file -------------------------------------------------------------------------------------

export async function runTestFile(file: string, vm: MoteVM, opts: RunOptions): Promise<FileResult> {
  const { compileSource, readSourceFile } = await import("../compiler/index.ts");
  const text = readSourceFile(file);
  if (text === undefined) {
    return { file, tests: [], diagnostics: [{ code: "E0013", severity: "error", message: `cannot read ${file}`, file, line: 1, col: 1, endLine: 1, endCol: 2 }] };
  }
  let tests: string[] = [];
  let contractFile = file;
  const out = compileSource(text, file, readSourceFile, {
    testBuild: (files, main, sink) => {
      const t = testBuild(files, main, sink);
      if (t) {
        contractFile = t.mainFile;
        tests = t.files.flatMap((f) => f.decls.flatMap((d) => (d.kind === "contract" && !d.isExtern ? d.members : []))).flatMap((m) => (m.kind === "fn" && m.isTest ? [m.name] : []));
      }
      return t;
    },
  });
  if (!out.module || !out.abi) return { file, tests: [], diagnostics: out.diagnostics };
  const abi = out.abi;
  const module = out.module;
  abiDir = dirname(resolve(contractFile));
  const verified = vm.verify(module);
  if (!verified.ok) {
    return { file, tests: [], diagnostics: [{ code: "E0000", severity: "error", message: `the test build does not verify: ${verified.name} at byte ${verified.offset}`, file, line: 1, col: 1, endLine: 1, endCol: 2 }] };
  }
  const result: FileResult = { file, diagnostics: out.diagnostics, contract: abi.contract, moduleBytes: module.length, tests: [] };
  const initFn = abi.functions.find((f) => f.name === "init");
  let init: Value[] | undefined;
  const initTexts = opts.initArgs(abi.contract) ?? [];
  try {
    if (initFn && initTexts.length !== initFn.params.length) {
      throw new Error(`init(${initFn.params.map((p) => `${p.name}: ${p.type}`).join(", ")}) takes ${initFn.params.length} argument(s), the config gives ${initTexts.length}`);
    }
    init = initFn ? initFn.params.map((p, i) => parseArg(initTexts[i]!, p.type)) : [];
  } catch (e) {
    for (const name of tests) {
      result.tests.push({ file, name, params: [], ok: false, reason: `init arguments for ${abi.contract}: ${(e as Error).message}`, gas: 0, gasMin: 0, gasMax: 0, runs: 0, events: [] });
    }
    return result;
  }
  for (const name of tests) {
    if (opts.match && !opts.match.test(name)) continue;
    const f = abi.functions.find((x) => x.name === name)!;
    const params = f.params;
    if (params.length === 0) {
      const trace = opts.trace ? [] : undefined;
      const o = runOne(vm, module, abi, init, name, [], opts.gas, trace);
      result.tests.push({ file, name, params, ok: o.ok, reason: o.reason, gas: o.gas, gasMin: o.gas, gasMax: o.gas, runs: 1, events: o.events.map((e) => formatEvent(abi, e.topic, e.values) ?? String(e.topic)), ...(trace ? { trace } : {}) });
      continue;
    }
    // fuzzing: the seed and the test's selector decide every input
    const rng = new Rng(opts.seed ^ BigInt(selectorOf(name)));
    const gases: number[] = [];
    let failure: { args: Value[]; o: Outcome } | undefined;
    let run = 0;
    for (; run < opts.runs; run++) {
      const args = params.map((p) => genValue(p.type, rng, run));
      const o = runOne(vm, module, abi, init, name, args, opts.gas);
      gases.push(o.gas);
      if (!o.ok) {
        failure = { args, o };
        run++;
        break;
      }
    }
    if (failure) {
      // shrink: take any simpler input that still fails, until none does
      let { args, o } = failure;
      for (let steps = 0, progress = true; progress && steps < 1000; steps++) {
        progress = false;
        for (let i = 0; i < args.length && !progress; i++) {
          for (const c of shrinkCandidates(args[i]!, params[i]!.type)) {
            const tryArgs = args.map((a, j) => (j === i ? c : a));
            const t = runOne(vm, module, abi, init, name, tryArgs, opts.gas);
            if (!t.ok) {
              args = tryArgs;
              o = t;
              progress = true;
              break;
            }
          }
        }
      }
      const counterexample = params.map((p, i) => `${p.name}=${formatValue(args[i]!, p.type)}`);
      const trace = opts.trace ? [] : undefined;
      if (trace) runOne(vm, module, abi, init, name, args, opts.gas, trace);
      result.tests.push({ file, name, params, ok: false, reason: o.reason, gas: o.gas, gasMin: Math.min(...gases), gasMax: Math.max(...gases), runs: run, counterexample, events: [], ...(trace ? { trace } : {}) });
    } else {
      result.tests.push({ file, name, params, ok: true, gas: median(gases), gasMin: Math.min(...gases), gasMax: Math.max(...gases), runs: run, events: [] });
    }
  }
  return result;
}
