// The compiler's public API: source text (and its imports) in, module bytes + ABI + diagnostics out.
// It never throws: lexing, parsing, checking and codegen failures all become diagnostics.
import { fsReason } from "./fs-reason.ts";
import { withoutTests } from "./testing.ts";
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { LIMITS } from "../vm/spec/limits.ts";
import { selectorOf } from "../vm/spec/module.ts";
import type { IToken } from "chevrotain";
import { type Abi, metadataHashInput } from "./abi.ts";
import type { SourceFile } from "./ast.ts";
import { Checker } from "./checker.ts";
import { ConstPool, FunctionGen } from "./codegen.ts";
import { type Diagnostic, DiagnosticSink, type Span } from "./diagnostics.ts";
import { decodeUtf8Lossless, quotePath } from "./escape.ts";
import { MAX_NESTING, withinDepthLimit, withinNestingLimits } from "./depth.ts";
import { emitModule } from "./emit.ts";
import type { Ins, IrFunction } from "./ir.ts";
import { minimal, optimize } from "./optimizer.ts";
import { parseTokens } from "./parser.ts";
import * as T from "./tokens.ts";
import { MoteLexer } from "./tokens.ts";
import type { CheckedProgram, NameUse } from "./typed.ts";
import { isRefAtRuntime, sigName, type Type } from "./types.ts";
import { AstBuilder } from "./visitor.ts";
import { COMPILER_NAME, COMPILER_VERSION } from "./version.ts";

export { formatDiagnostic } from "./diagnostics.ts";
export type { Diagnostic } from "./diagnostics.ts";
export type { Abi } from "./abi.ts";

export interface CompileOutput {
  diagnostics: Diagnostic[];
  module?: Uint8Array;
  abi?: Abi;
}

export interface CompileOptions {
  /** Run the optimizer (default true). Off, codegen's naive output is encoded as is; for measurement and tests. */
  optimize?: boolean;
  /**
   * Write the SHA-256 of the ABI text (with an empty moduleHash) into the module's META section
   * (default false). Without it the module, and so its id, depends on the code alone.
   */
  embedAbiHash?: boolean;
  /**
   * `mote test` only (compiler/testing.ts): rewrites the parsed files before checking — moves a test
   * file's `test fn`s into the contract under test and lowers cheats — and names the main file.
   * Without it, every `test fn` is dropped.
   */
  testBuild?: (files: SourceFile[], mainFile: string, sink: DiagnosticSink) => { files: SourceFile[]; mainFile: string } | undefined;
  /**
   * Filled in for tools (the language server): the parsed files, when they all parsed, and every name
   * the checker resolved, when it ran. The compilation itself is the same with or without it.
   */
  tooling?: ToolingInfo;
  /**
   * Parsed files kept between compilations by a tool that compiles the same files again and again (the
   * language server, on every keystroke): a file whose text is unchanged and parsed cleanly is not
   * parsed again. The checker does not change the trees it reads, so sharing them is safe.
   */
  parseCache?: Map<string, { source: string; ast: SourceFile }>;
}

export interface ToolingInfo {
  files?: SourceFile[];
  uses?: NameUse[];
}

/** Everything a compilation produced, for tests and tools that want the intermediate forms. */
export interface CompileDetail extends CompileOutput {
  program?: CheckedProgram;
  ir?: { fn: IrFunction; ins: Ins[] }[];
}

const TOKEN_TEXT: Record<string, string> = Object.fromEntries(
  T.ALL_TOKENS.filter((t) => typeof t.PATTERN === "object" && t.PATTERN instanceof RegExp).map((t) => {
    const src = (t.PATTERN as RegExp).source.replace(/\\b$/, "");
    const literal = src.replace(/\\(.)/g, "$1");
    return [t.name, /^[A-Za-z]+$/.test(literal) || /^[^A-Za-z0-9\\[\](){}*+?|^$]+$|^[(){}[\]]$/.test(literal) ? `\`${literal}\`` : t.name];
  }),
);
const READABLE: Record<string, string> = {
  Identifier: "a name",
  IntLiteral: "an integer",
  FixedLiteral: "a fixed-point number",
  HexLiteral: "a hex byte string",
  StringLiteral: "a string",
  TypeName: "a type",
  CompoundAssign: "`+=`",
  EOF: "end of file",
};
const tokenText = (name: string): string => READABLE[name] ?? TOKEN_TEXT[name] ?? name;

const RULE_TEXT: Record<string, string> = {
  topDecl: "a declaration (import, struct, enum, const, fn or contract)",
  member: "a contract member (storage, event, init, fn or const)",
  stmt: "a statement",
  type: "a type",
  primary: "an expression",
  unaryExpr: "an expression",
  postfixExpr: "an expression",
  arrayLiteral: "an array literal",
};

/** Rules that parse comma-separated lists, with the token that closes them. */
const LIST_RULES: Record<string, string> = { paramList: "RParen", argList: "RParen", structDecl: "RBrace", structLiteral: "RBrace", arrayLiteral: "RBracket" };

interface ParsedFile {
  ast: SourceFile;
  source: string;
}

/** The one-character span at a string offset, counting lines as the lexer does. */
function spanAt(source: string, at: number, file: string): Span {
  const before = source.slice(0, at);
  const lines = before.split(/\r\n|\r|\n/);
  const line = lines.length;
  const col = lines[lines.length - 1]!.length + 1;
  return { file, line, col, endLine: line, endCol: col + 1 };
}

/** The lexical and syntax errors of one file (no imports, no type checking): what `mote fmt` needs to hold. */
export function syntaxDiagnostics(source: string, file: string): Diagnostic[] {
  const sink = new DiagnosticSink();
  parseFile(source, file, sink);
  return sink.list;
}

/** Lexes and parses one file, reporting lexical and syntax errors; returns undefined when it has any. */
function parseFile(source: string, file: string, sink: DiagnosticSink): SourceFile | undefined {
  const before = sink.errorCount;
  const nul = source.indexOf("\u0000");
  if (nul >= 0) {
    sink.report("bad_encoding", spanAt(source, nul, file), ["it contains a NUL byte"]);
    return undefined;
  }
  // decodeSource keeps each byte that is not UTF-8 as a lone surrogate U+DC80..U+DCFF (shown as \xNN)
  const bad = source.search(/(?<![\ud800-\udbff])[\udc80-\udcff]/);
  if (bad >= 0) {
    sink.report("bad_encoding", spanAt(source, bad, file), ["it contains bytes that are not UTF-8"]);
    return undefined;
  }
  const lexed = MoteLexer.tokenize(source);
  let lastEnd = -2;
  for (const e of lexed.errors) {
    // one diagnostic per run of bad characters, not one per character
    if (e.offset <= lastEnd + 1) {
      lastEnd = e.offset + e.length - 1;
      continue;
    }
    lastEnd = e.offset + e.length - 1;
    const ch = source.slice(e.offset, e.offset + Math.max(1, e.length)).slice(0, 1);
    const line = e.line ?? 1;
    const col = e.column ?? 1;
    const shown = /[\x20-\x7e]/.test(ch) ? `\`${ch}\`` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    sink.report("bad_character", { file, line, col, endLine: line, endCol: col + 1 }, [shown]);
  }
  const tokens: IToken[] = [];
  let unterminated = false;
  for (const t of lexed.tokens) {
    if (t.tokenType === T.UnterminatedComment || t.tokenType === T.UnterminatedString) unterminated = true;
    const span: Span = { file, line: t.startLine ?? 1, col: t.startColumn ?? 1, endLine: t.startLine ?? 1, endCol: (t.startColumn ?? 1) + 2 };
    if (t.tokenType === T.UnterminatedComment) sink.report("unterminated_comment", span);
    else if (t.tokenType === T.UnterminatedString) sink.report("unterminated_string", { ...span, endCol: (t.endColumn ?? span.col) + 1 });
    else tokens.push(t);
  }
  if (!withinNestingLimits(tokens, file, sink)) return undefined;
  const { cst, errors } = parseTokens(tokens);
  // an error explained by a hint ends its line's report: what the parser finds after it is a cascade
  let quietLine = -1;
  for (const e of errors) {
    const tok = e.token;
    if (Number.isFinite(tok.startLine) && tok.startLine === quietLine) continue;
    const atEof = tok.tokenType?.name === "EOF" || !Number.isFinite(tok.startLine);
    const last = tokens[tokens.length - 1];
    let line = atEof ? (last?.endLine ?? 1) : tok.startLine!;
    let col = atEof ? (last?.endColumn ?? 0) + 1 : tok.startColumn!;
    let width = atEof ? 1 : Math.max(1, tok.image.length);
    const found = atEof ? "end of file" : `\`${tok.image}\``;
    const expectedTok = /-->\s*(\w+)\s*<--/.exec(e.message)?.[1];
    let message: string;
    if (atEof && unterminated) continue; // the unterminated comment or string already explains it
    if ((e.kind === "MismatchedTokenException" && expectedTok === "EOF") || e.kind === "NotAllInputParsedException") {
      message = `expected ${RULE_TEXT.topDecl}, found ${found}`;
    } else if (e.kind === "MismatchedTokenException" && expectedTok) {
      message = `expected ${tokenText(expectedTok)}, found ${found}`;
      // inside a comma-separated list, the missing token may as well be the comma
      const list = LIST_RULES[e.ruleStack[e.ruleStack.length - 1] ?? ""];
      if (list && list === expectedTok) message = `expected \`,\` or ${tokenText(expectedTok)}, found ${found}`;
      // a missing `;` or closing bracket belongs at the end of what came before, not at the next line's start
      const prev = e.previous;
      if (prev && !atEof && Number.isFinite(prev.endLine) && [ "Semi", "RParen", "RBracket", "Greater"].includes(expectedTok) && prev.endLine !== tok.startLine) {
        line = prev.endLine!;
        col = prev.endColumn! + 1;
        width = 1;
        message = `expected ${tokenText(expectedTok)} after \`${prev.image}\``;
      }
    } else {
      const ctx = [...e.ruleStack].reverse().find((r) => RULE_TEXT[r]);
      message = ctx ? `expected ${RULE_TEXT[ctx]}, found ${found}` : `unexpected ${found}`;
    }
    let hint: string | undefined;
    const before = e.previous;
    if (!atEof && [")", "]", "}"].includes(tok.image) && before?.image === ",") {
      hint = `remove the trailing comma before \`${tok.image}\`: a list ends with its last item`;
    } else if (!atEof && tok.image === "=" && expectedTok === "LBrace" && e.ruleStack.some((r) => r === "ifStmt" || r === "whileStmt")) {
      message = "a condition cannot assign: found `=`";
      hint = "did you mean `==`? `=` assigns a value, `==` compares two";
      quietLine = tok.startLine!;
    }
    sink.report("syntax", { file, line, col, endLine: line, endCol: col + width }, [message], hint);
  }
  const ast = new AstBuilder(file, sink).sourceFile(cst);
  if (sink.errorCount === before) withinDepthLimit(ast, sink);
  return sink.errorCount > before ? undefined : ast;
}

/** Loads the main file and, transitively, its imports (each once; cycles reported). */
function loadAll(
  source: string,
  file: string,
  readFile: ((path: string) => string | undefined) | undefined,
  sink: DiagnosticSink,
  cache?: Map<string, { source: string; ast: SourceFile }>,
): ParsedFile[] | undefined {
  const loaded = new Map<string, ParsedFile | null>();
  const order: ParsedFile[] = [];
  let ok = true;
  const visit = (src: string, path: string, stack: string[]): void => {
    loaded.set(path, null);
    const cached = cache?.get(path);
    let ast: SourceFile | undefined;
    if (cached && cached.source === src) ast = cached.ast;
    else {
      const reported = sink.list.length;
      ast = parseFile(src, path, sink);
      if (ast && cache && sink.list.length === reported) cache.set(path, { source: src, ast });
    }
    if (!ast) {
      ok = false;
      return;
    }
    const pf = { ast, source: src };
    loaded.set(path, pf);
    order.push(pf);
    for (const d of ast.decls) {
      if (d.kind !== "import") continue;
      const target = posix.normalize(posix.join(posix.dirname(path), d.path));
      if (stack.length >= MAX_NESTING) {
        sink.report("too_deep", d.span, [`imports nested more than ${MAX_NESTING} files deep`]);
        ok = false;
        continue;
      }
      const chain = [...stack, path];
      if (chain.includes(target)) {
        sink.report("import_cycle", d.span, [[...chain.slice(chain.indexOf(target)), target].map(quotePath).join(" → ")]);
        ok = false;
        continue;
      }
      if (loaded.has(target)) continue;
      let text: string | undefined;
      try {
        text = readFile?.(target);
      } catch {
        text = undefined;
      }
      if (text === undefined) {
        sink.report("import_unreadable", d.span, [`"${quotePath(d.path)}" (looked for ${quotePath(target)})`]);
        ok = false;
        continue;
      }
      visit(text, target, [...stack, path]);
    }
  };
  visit(source, file, []);
  return ok ? order : undefined;
}

function typeString(t: Type): string {
  return sigName(t);
}

/**
 * Paths in metadata are relative to the main file's directory, so that the ABI — and through its hash
 * in the META section, the module and its id — is the same wherever the sources sit on disk.
 */
function metadataPath(mainFile: string, file: string): string {
  return posix.relative(posix.dirname(mainFile), file) || posix.basename(file);
}

function buildAbi(prog: CheckedProgram, mainFile: string, sourceMap: { func: number; pc: number; file: string; line: number; col: number }[]): Abi {
  const rel = (f: string): string => metadataPath(mainFile, f);
  const files: string[] = [];
  const fileIndex = (f: string): number => {
    let i = files.indexOf(f);
    if (i < 0) {
      i = files.length;
      files.push(f);
    }
    return i;
  };
  const structs = new Map<string, Type & { k: "struct" }>();
  const collect = (t: Type): void => {
    if (t.k === "struct" && !structs.has(t.name)) {
      structs.set(t.name, t);
      t.fields.forEach((f) => collect(f.type));
    } else if (t.k === "array") collect(t.elem);
    else if (t.k === "map") {
      collect(t.key);
      collect(t.value);
    }
  };
  prog.storage.forEach((s) => collect(s.type));
  prog.events.forEach((e) => e.fields.forEach((f) => collect(f.type)));
  return {
    compiler: { name: COMPILER_NAME, version: COMPILER_VERSION },
    contract: prog.contract,
    moduleHash: "",
    functions: prog.functions
      .filter((f) => f.isPub)
      .map((f) => ({
        name: f.name,
        index: f.index,
        selector: 0,
        params: f.params.map((p) => ({ name: p.name, type: typeString(p.type), ...(p.type.k === "struct" || p.type.k === "array" ? { size: p.type.size } : {}) })),
        returns: f.returns.k === "unit" ? null : typeString(f.returns),
        view: f.isView,
      })),
    events: prog.events.map((e) => ({ name: e.name, topic: e.topic, signature: e.signature, fields: e.fields.map((f) => ({ name: f.name, type: typeString(f.type) })) })),
    errors: prog.errors.map((e) => ({ id: e.id, message: e.message, file: rel(e.span.file), line: e.span.line, col: e.span.col })),
    storage: prog.storage.map((s) => ({ name: s.name, slot: s.slot, type: typeString(s.type) })),
    structs: [...structs.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((s) => ({ name: s.name, size: s.size, fields: s.fields.map((f) => ({ name: f.name, type: typeString(f.type), offset: f.offset })) })),
    sourceMap: { files, entries: sourceMap.map((e) => [e.func, e.pc, fileIndex(rel(e.file)), e.line, e.col]) },
  };
}

/** The full pipeline with intermediate results; compileSource is this without the extras. */
export function compileDetailed(
  source: string,
  file: string,
  readFile?: (path: string) => string | undefined,
  options: CompileOptions = {},
): CompileDetail {
  const sink = new DiagnosticSink();
  try {
    const files = loadAll(source, file, readFile, sink, options.parseCache);
    if (!files) return { diagnostics: sink.list };
    let asts = files.map((f) => f.ast);
    if (options.tooling) options.tooling.files = asts;
    if (options.testBuild) {
      const t = options.testBuild(asts, file, sink);
      if (!t) return { diagnostics: sink.list };
      ({ files: asts, mainFile: file } = t);
    } else asts = withoutTests(asts);
    const checker = new Checker(sink);
    if (options.tooling) options.tooling.uses = checker.uses;
    const prog = checker.run(file, asts);
    if (!prog || sink.errorCount > 0) return { diagnostics: sink.list };
    const pool = new ConstPool();
    const ir = prog.functions.map((f) => ({ fn: new FunctionGen(f, pool, sink).generate(), ins: [] as Ins[] }));
    if (pool.list.length > LIMITS.MAX_CONSTANTS.value) {
      sink.report("limit", prog.functions[0]?.span ?? { file, line: 1, col: 1, endLine: 1, endCol: 2 }, [
        `the contract needs ${pool.list.length} distinct byte-string constants; the VM allows ${LIMITS.MAX_CONSTANTS.value}`,
      ]);
    }
    if (sink.errorCount > 0) return { diagnostics: sink.list, program: prog };
    for (const x of ir) x.ins = options.optimize === false ? minimal(x.fn.ins) : optimize(x.fn.ins);
    const exports = prog.functions
      .filter((f) => f.isPub)
      .map((f) => ({
        name: f.name,
        func: f.index,
        view: f.isView,
        argMask: f.params.reduce((m, p, i) => m | (isRefAtRuntime(p.type) ? 1 << i : 0), 0),
        retMask: isRefAtRuntime(f.returns) ? 1 : 0,
      }));
    const bySelector = new Map<number, string>();
    for (const e of exports) {
      const sel = selectorOf(e.name);
      const other = bySelector.get(sel);
      const fn = prog.functions[e.func]!;
      if (other !== undefined) sink.report("limit", fn.span, [`\`${e.name}\` and \`${other}\` have the same selector 0x${sel.toString(16).padStart(8, "0")}; rename one`]);
      bySelector.set(sel, e.name);
    }
    if (sink.errorCount > 0) return { diagnostics: sink.list, program: prog, ir };
    try {
      const fns = ir.map((x) => x.fn);
      const bodies = ir.map((x) => x.ins);
      let emitted = emitModule(fns, bodies, pool.list, exports);
      const abi = buildAbi(prog, file, emitted.sourceMap);
      abi.functions.forEach((f) => (f.selector = selectorOf(f.name)));
      // opt-in: the META section binds the module to this ABI, at 34 bytes and at the price of a module
      // id that changes with comments and file names (the source map is in the ABI)
      if (options.embedAbiHash) emitted = emitModule(fns, bodies, pool.list, exports, sha256(metadataHashInput(abi)));
      abi.moduleHash = Buffer.from(sha256(emitted.bytes)).toString("hex");
      return { diagnostics: sink.list, module: emitted.bytes, abi, program: prog, ir };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      sink.report("limit", { file, line: 1, col: 1, endLine: 1, endCol: 2 }, [msg]);
      return { diagnostics: sink.list, program: prog, ir };
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    sink.report("internal", { file, line: 1, col: 1, endLine: 1, endCol: 2 }, [msg]);
    return { diagnostics: sink.list };
  }
}

/** Compiles one source text. `readFile` resolves imports (paths relative to `file`); without it imports fail. */
export function compileSource(source: string, file: string, readFile?: (path: string) => string | undefined, options?: CompileOptions): CompileOutput {
  const { diagnostics, module, abi } = compileDetailed(source, file, readFile, options);
  return { diagnostics, ...(module ? { module } : {}), ...(abi ? { abi } : {}) };
}

/**
 * Reads a file as text, or undefined when it is missing or unreadable. Bytes that are not UTF-8 become
 * U+FFFD, which the lexer reports where it matters; compileFile rejects such a main file outright.
 */
export function readSourceFile(path: string): string | undefined {
  try {
    return decodeSource(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * A source file's text: UTF-8 without its byte-order mark, as TextDecoder gives it, except that a byte
 * that is not UTF-8 is kept (as a lone surrogate, see ./escape.ts) rather than replaced by U+FFFD, so
 * the compiler can refuse it with E0009 and a diagnostic can show it as `\xNN`.
 */
export function decodeSource(bytes: Uint8Array): string {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return decodeUtf8Lossless(bom ? bytes.subarray(3) : bytes);
}

/** Compiles a file from disk; imports are read relative to it. */
export function compileFile(path: string, options?: CompileOptions): CompileOutput {
  const file = posix.normalize(path.split("\\").join("/"));
  const sink = new DiagnosticSink();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    sink.report("file_unreadable", { file, line: 1, col: 1, endLine: 1, endCol: 2 }, [`${file} (${fsReason(e)})`]);
    return { diagnostics: sink.list };
  }
  return compileSource(decodeSource(bytes), file, readSourceFile, options);
}
