// Compiler fuzzing: mutated real sources (token and character level, edge literals, deep nesting)
// must never crash the compiler, every diagnostic must carry a valid one-line message and span, and
// every module it emits must verify, round-trip through disasm/asm and run without a VM fault.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { compileSource, formatDiagnostic, readSourceFile, type Diagnostic } from "../../compiler/index.ts";
import { assemble, disassemble } from "../../vm/asm/index.ts";
import { decodeModule, selectorOf } from "../../vm/spec/module.ts";
import { MoteVM, MemoryStateStore, resultToJson, type CallResult } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { ROOT } from "./corpus.ts";
import { checkCase, usesOpcode } from "./oracle.ts";
import { randomCall, type CallSpec, type Ty } from "./program-gen.ts";
import { Rng } from "./random.ts";
import { existsSync, readdirSync } from "node:fs";

export interface SourceSeed {
  /** Path relative to the repository root (imports resolve against it). */
  file: string;
  text: string;
}

export function loadSources(): SourceSeed[] {
  const out: SourceSeed[] = [];
  for (const dir of ["contracts", "contracts/lib", "test/compiler/behaviour", "test/compiler/behaviour/lib"]) {
    const abs = join(ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).filter((x) => x.endsWith(".mote")).sort()) out.push({ file: `${dir}/${f}`, text: readFileSync(join(abs, f), "utf8") });
  }
  return out;
}

const KEYWORDS = ["contract", "extern", "storage", "event", "init", "pub", "view", "fn", "let", "const", "if", "else", "while", "for", "in", "break",
  "continue", "return", "emit", "true", "false", "import", "struct", "map", "u64", "i64", "bool", "bytes", "pubkey", "fixed", "hash"];
const PUNCT = ["{", "}", "(", ")", "[", "]", "->", "..", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "<", ">", "=",
  "+", "-", "*", "/", "%", "!", "~", "&", "|", "^", ".", ",", ":", ";", "//", "/*", "*/", "\""];
const LITERALS = ["0", "1", "18446744073709551615", "18446744073709551616", "9223372036854775808", "99999999999999999999999999", "0x", "0x1", "0xzz",
  "0x" + "ab".repeat(600), "1.5", "0.00001", "140737488355327.99999", "1_000", "1__", "\"\\u{110000}\"", "\"\\x\"", "\"" + "a".repeat(2000) + "\"",
  "\"unterminated", "'", "@", "#", "$", "`", "\\", "\u0000", "\u00a0", "\u202e", "\ud800", "\ufeff", "é", "𝓍", "\r", "\t", "\r\n"];

/** The source's tokens as the fuzzer sees them: words, numbers, strings, operators, whitespace runs. */
function split(text: string): string[] {
  return text.match(/\s+|[A-Za-z_][A-Za-z0-9_]*|0x[0-9A-Za-z_]*|[0-9][0-9A-Za-z_.]*|"(?:[^"\\\n]|\\.)*"?|\/\/[^\n]*|->|\.\.|[=!<>]=|&&|\|\||<<|>>|[+\-*/%]=|[^\s]/g) ?? [];
}

/** `maxNesting` caps the deep-nesting mutation (the bounded test keeps below the known crash depth). */
export function mutateSource(r: Rng, text: string, vocabulary: readonly string[], maxNesting = 3000): string {
  const toks = split(text);
  const word = (): string => r.weighted<string>([[3, r.pick(vocabulary)], [2, r.pick(KEYWORDS)], [2, r.pick(PUNCT)], [2, r.pick(LITERALS)]]);
  const steps = r.weighted<number>([[5, 1], [3, 2], [2, 4], [1, 10]]);
  for (let s = 0; s < steps && toks.length > 0; s++) {
    const i = r.int(toks.length);
    switch (r.int(9)) {
      case 0: toks.splice(i, r.range(1, 3)); break;
      case 1: toks.splice(i, 0, " ", word(), " "); break;
      case 2: toks[i] = word(); break;
      case 3: toks.splice(i, 0, ...toks.slice(r.int(toks.length), r.int(toks.length) + r.range(1, 30))); break;
      case 4: {
        const j = r.int(toks.length);
        [toks[i], toks[j]] = [toks[j]!, toks[i]!];
        break;
      }
      case 5: toks.length = r.int(toks.length + 1); break;
      case 6: {
        // deep nesting: recursive-descent parsers and checkers must report a limit, not overflow the stack
        const depth = Math.min(maxNesting, r.pick([20, 60, 100, 500, 3000]));
        const open = r.pick(["(", "[", "{", "-", "!", "if true {"]);
        const close = open === "(" ? ")" : open === "[" ? "]" : open === "{" || open === "if true {" ? "}" : "";
        toks.splice(i, 0, open.repeat(depth) + "1" + close.repeat(depth));
        break;
      }
      case 7: {
        // a character-level edit inside one token
        const t = toks[i]!;
        const k = r.int(t.length + 1);
        toks[i] = t.slice(0, k) + r.pick(LITERALS.filter((l) => l.length <= 2)) + t.slice(k + (r.chance(0.5) ? 1 : 0));
        break;
      }
      default: {
        // a number or identifier swapped for an edge value
        const nums = toks.map((t, k) => (/^[0-9]/.test(t) ? k : -1)).filter((k) => k >= 0);
        if (nums.length) toks[r.pick(nums)] = r.pick(LITERALS.slice(0, 16));
      }
    }
  }
  return toks.join("");
}

export interface CompilerFinding {
  kind: string;
  detail: string;
  file: string;
  source: string;
}

export interface CompilerStats {
  cases: number;
  compiled: number;
  diagnostics: number;
  ran: number;
  findings: CompilerFinding[];
  seconds: number;
}

/** Span checks: 1-based, inside the text of the file the diagnostic names, end not before start. */
export function spanProblem(d: Diagnostic, text: string | undefined): string | null {
  if (!Number.isInteger(d.line) || !Number.isInteger(d.col) || !Number.isInteger(d.endLine) || !Number.isInteger(d.endCol)) return "non-integer span";
  if (d.line < 1 || d.col < 1) return `span starts at ${d.line}:${d.col}`;
  if (d.endLine < d.line || (d.endLine === d.line && d.endCol < d.col)) return `span ends (${d.endLine}:${d.endCol}) before it starts (${d.line}:${d.col})`;
  if (text === undefined) return null;
  const lines = text.split(/\r\n|\r|\n/);
  if (d.line > lines.length) return `line ${d.line} past the last line ${lines.length}`;
  if (d.col > lines[d.line - 1]!.length + 1) return `col ${d.col} past the end of line ${d.line} (${lines[d.line - 1]!.length} chars)`;
  if (d.endLine > lines.length) return `end line ${d.endLine} past the last line ${lines.length}`;
  if (d.endCol > lines[d.endLine - 1]!.length + 2) return `end col ${d.endCol} past the end of line ${d.endLine} (${lines[d.endLine - 1]!.length} chars)`;
  return null;
}

/** Compiles one source and checks everything; `vm` runs what it emits. */
export function checkSource(vm: MoteVM, r: Rng, file: string, source: string): { findings: CompilerFinding[]; compiled: boolean; diagnostics: number; ran: number } {
  const findings: CompilerFinding[] = [];
  const add = (kind: string, detail: string): void => void findings.push({ kind, detail, file, source });
  const readFile = (p: string): string | undefined => readSourceFile(join(ROOT, p));
  let out;
  try {
    out = compileSource(source, file, readFile);
  } catch (e) {
    add("compiler-throws", (e as Error).stack?.split("\n").slice(0, 3).join(" | ") ?? String(e));
    return { findings, compiled: false, diagnostics: 0, ran: 0 };
  }
  for (const d of out.diagnostics) {
    if (d.code === "E0099") add("internal-error", d.message);
    if (/[\r\n]/.test(d.message)) add("multiline-message", JSON.stringify(d.message).slice(0, 200));
    const text = d.file === file ? source : readFile(relative(ROOT, join(ROOT, d.file)));
    const bad = spanProblem(d, text);
    if (bad) add("bad-span", `${d.code} ${d.message.slice(0, 100)} at ${d.file}:${d.line}:${d.col}-${d.endLine}:${d.endCol}: ${bad}`);
    try {
      formatDiagnostic(d, text ?? "");
    } catch (e) {
      add("format-throws", (e as Error).message);
    }
  }
  const errors = out.diagnostics.filter((d) => d.severity === "error").length;
  if (out.module && errors > 0) add("module-with-errors", `${errors} error(s) yet a module was emitted`);
  if (!out.module && errors === 0) add("no-module-no-error", "no module and no error diagnostic");
  let ran = 0;
  if (out.module) {
    const m = out.module;
    const v = vm.verify(m);
    if (!v.ok) add("emits-invalid-module", `the VM rejects the compiler's output: ${v.name} at byte ${v.offset}`);
    try {
      if (Buffer.compare(Buffer.from(assemble(disassemble(m))), Buffer.from(m)) !== 0) add("asm-roundtrip", "compile -> disassemble -> assemble changed the bytes");
    } catch (e) {
      add("asm-roundtrip", `disassemble/assemble failed: ${(e as Error).message.split("\n")[0]}`);
    }
    let again;
    try {
      again = compileSource(source, file, readFile);
    } catch {
      again = undefined;
    }
    if (!again?.module || Buffer.compare(Buffer.from(again.module), Buffer.from(m)) !== 0) add("nondeterministic-compile", "compiling the same source twice gave different bytes");
    if (out.abi) {
      const abi = out.abi;
      for (const e of decodeModule(m).exports) {
        const f = abi.functions.find((x) => selectorOf(x.name) === e.selector >>> 0);
        if (!f || f.index !== e.func || f.selector >>> 0 !== e.selector >>> 0) add("abi-mismatch", `export 0x${e.selector.toString(16)} (function ${e.func}) has no matching ABI function`);
      }
      if (abi.moduleHash !== Buffer.from(sha256(m)).toString("hex")) add("abi-mismatch", "abi.moduleHash is not SHA-256 of the module");
    }
    if (v.ok) {
      const d = decodeModule(m);
      const calls = d.exports.map((e) =>
        randomCall(r, `0x${e.selector.toString(16)}`, e.selector, Array.from({ length: d.functions[e.func]!.params }, (_, i) => ((e.argMask >> i) & 1 ? "b" : "i") as Ty)),
      );
      const res = checkCase(vm, m, calls, new MemoryStateStore(), {});
      ran = calls.length;
      for (const f of res.findings) add(`vm-${f.kind}`, f.detail);
      const diff = optimizerDifference(vm, m, source, file, readFile, calls);
      if (diff) add("optimizer-changes-behaviour", diff);
    }
  }
  return { findings, compiled: out.module !== undefined, diagnostics: out.diagnostics.length, ran };
}

/** What a call did, minus its gas (which the optimizer is there to change). */
function behaviour(r: CallResult): string {
  // gas and the stop offset depend on the code, which the optimizer changes; the outcome must not
  return resultToJson({ ...r, gasUsed: 0, stopOffset: null });
}

/** Storage of one contract as sorted key=value text, whatever the contract's id. */
function storageOf(store: MemoryStateStore, id: Uint8Array): string {
  const c = "0x" + Buffer.from(id).toString("hex");
  return [...store.entries()].filter(([k]) => k === c).map(([, k, v]) => `${k}=${v}`).join(",");
}

/**
 * The same source compiled without the optimizer must behave the same: statuses, results, events,
 * revert ids and storage, call after call. Modules that read their own id (`self`) are skipped: the
 * two builds differ in bytes, so in id. Returns a description of the first difference, or null.
 */
export function optimizerDifference(vm: MoteVM, optimized: Uint8Array, source: string, file: string, readFile: (p: string) => string | undefined, calls: readonly CallSpec[]): string | null {
  let plain;
  try {
    plain = compileSource(source, file, readFile, { optimize: false }).module;
  } catch (e) {
    return `compiling without the optimizer threw: ${(e as Error).message}`;
  }
  if (!plain) return "the source compiles with the optimizer but not without it";
  if (usesOpcode(optimized, "self") || usesOpcode(plain, "self")) return null;
  const sa = new MemoryStateStore();
  const sb = new MemoryStateStore();
  for (const [i, c] of calls.entries()) {
    const o = { caller: c.caller, timestamp: c.timestamp, height: c.height, gas: LIMITS.DEFAULT_GAS.value };
    const a = vm.call(optimized, c.selector, c.args, { ...o, store: sa });
    const b = vm.call(plain, c.selector, c.args, { ...o, store: sb });
    if (a.status === "out_of_gas" || b.status === "out_of_gas") return null;
    if (behaviour(a) !== behaviour(b)) return `call ${i} (0x${c.selector.toString(16)}): optimized ${behaviour(a).slice(0, 200)} | unoptimized ${behaviour(b).slice(0, 200)}`;
    if (storageOf(sa, sha256(optimized)) !== storageOf(sb, sha256(plain))) return `call ${i} (0x${c.selector.toString(16)}): storage differs between the optimized and unoptimized builds`;
  }
  return null;
}

export async function runCompilerFuzz(opts: { seed: number; cases?: number; seconds?: number; maxNesting?: number }): Promise<CompilerStats> {
  const vm = await MoteVM.create();
  const seeds = loadSources();
  const vocabulary = [...new Set(seeds.flatMap((s) => split(s.text)).filter((t) => /^[A-Za-z_]/.test(t)))];
  const master = new Rng(opts.seed);
  const stats: CompilerStats = { cases: 0, compiled: 0, diagnostics: 0, ran: 0, findings: [], seconds: 0 };
  const start = performance.now();
  const deadline = opts.seconds !== undefined ? start + opts.seconds * 1000 : Infinity;
  while (stats.cases < (opts.cases ?? Infinity) && performance.now() < deadline) {
    const r = master.fork();
    const s = r.pick(seeds);
    // unmutated seeds now and then: the real sources must pass every check too
    const text = r.chance(0.05) ? s.text : mutateSource(r, s.text, vocabulary, opts.maxNesting);
    const res = checkSource(vm, r, s.file, text);
    stats.cases++;
    if (res.compiled) stats.compiled++;
    stats.diagnostics += res.diagnostics;
    stats.ran += res.ran;
    for (const f of res.findings) if (stats.findings.length < 200) stats.findings.push(f);
  }
  stats.seconds = (performance.now() - start) / 1000;
  return stats;
}

