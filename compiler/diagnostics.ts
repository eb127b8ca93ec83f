// The compiler's diagnostics catalogue (stable codes, message templates, hints) and the Diagnostic type.
// Every error or warning the compiler reports comes from a row here; docs/errors.md is generated from it.
import { escapeCodePoint, escapeText } from "./escape.ts";

export interface Diagnostic {
  code: string;
  severity: "error" | "warning";
  message: string;
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  hint?: string;
}

/** A source range: 1-based line and column, end exclusive (endCol is one past the last character). */
export interface Span {
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface CatalogueRow {
  readonly code: string;
  readonly severity: "error" | "warning";
  /** Short name used in code (`report("unknown_name", …)`). */
  readonly title: string;
  /** Message template; `{0}`, `{1}` … are filled from the report's arguments. */
  readonly message: string;
  readonly hint?: string;
  /** One paragraph for docs/errors.md: when it happens and how to fix it. */
  readonly explain: string;
  /** A minimal program that triggers it (docs/errors.md shows it; a test compiles it and checks the code). */
  readonly example: string;
}

const row = (
  code: string,
  title: string,
  message: string,
  explain: string,
  example: string,
  hint?: string,
  severity: "error" | "warning" = "error",
): CatalogueRow => ({ code, severity, title, message, explain, example, ...(hint ? { hint } : {}) });

export const CATALOGUE = [
  // -- reading the source ----------------------------------------------------------------------------
  row("E0001", "bad_character", "unexpected character {0}",
    "The lexer found a character that starts no token of the language (binary data, a stray symbol).",
    "contract C { pub fn f() { let x = 1 @ 2; } }"),
  row("E0002", "syntax", "{0}",
    "The parser expected one construct and found another. Parsing resumes at the next statement or declaration, so every syntax error of a file is reported at once.",
    "contract C { pub fn f() { let = 3; } }"),
  row("E0003", "unterminated_comment", "unterminated block comment",
    "A `/*` comment has no closing `*/` before the end of the file.",
    "contract C { /* never closed }", "close it with */"),
  row("E0004", "unterminated_string", "unterminated string literal",
    "A string literal has no closing quote on its line; strings cannot span lines.",
    'contract C { pub fn f() { revert("oops); } }'),
  row("E0005", "bad_hex", "invalid hex literal {0}: {1}",
    "A `0x` literal is a byte string: it needs an even number of hex digits (two per byte), at least one byte.",
    "contract C { pub view fn f() -> bytes { return 0xabc; } }", "byte strings take two hex digits per byte"),
  row("E0006", "int_too_large", "integer literal {0} does not fit in {1}",
    "An integer literal is larger than its type allows (u64: 0..2^64-1, i64: -2^63..2^63-1).",
    "contract C { pub view fn f() -> u64 { return 18446744073709551616; } }"),
  row("E0007", "bad_fixed", "fixed-point literal {0} {1}",
    "A `fixed` literal must fit Q47.16 (about ±1.4e14); it is rounded to the nearest 1/65536.",
    "contract C { pub view fn f() -> fixed { return 999999999999999.5; } }"),
  row("E0008", "too_many_errors", "too many errors ({0}); stopping here",
    "The compiler stops reporting after this many diagnostics in one compilation, so that a binary file or a badly broken one gives a readable answer.",
    "", "fix the first errors and compile again"),
  row("E0009", "bad_encoding", "the source is not UTF-8 text ({0})",
    "A source file must be UTF-8 text without NUL bytes; binary files are rejected before lexing.",
    ""),

  // -- files and imports -------------------------------------------------------------------------------
  row("E0010", "import_unreadable", "cannot read imported file {0}",
    "An `import` names a file that does not exist or cannot be read; the path is relative to the importing file.",
    'import "missing.mote";\ncontract C { }'),
  row("E0013", "file_unreadable", "cannot read {0}",
    "The file given to the compiler does not exist or cannot be read.",
    ""),
  row("E0014", "too_deep", "{0}",
    "Brackets, braces and parentheses nest at most 64 deep, prefix operators repeat at most 64 times, an `else if` chain has at most 128 links, and an expression tree is at most 256 levels deep (a chain `a + b + …` is as deep as it is long), so that the compiler handles any input within a fixed stack. Split the code with `let` or helper functions.",
    "contract C { pub view fn f() -> u64 { return ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))); } }"),
  row("E0011", "import_cycle", "import cycle: {0}",
    "Files import each other in a loop. Move the shared part into a third file that both import.",
    ""),
  row("E0012", "no_contract", "{0}",
    "The file being compiled must define exactly one `contract` (contracts in imported files, and `extern contract`, only describe storage layouts).",
    "fn helper() -> u64 { return 1; }", "add `contract Name { … }`"),

  // -- names -------------------------------------------------------------------------------------------
  row("E0020", "unknown_name", "cannot find `{0}` in this scope",
    "A name is used that no `let`, parameter, storage field, constant or builtin defines at that point.",
    "contract C { pub view fn f() -> u64 { return y; } }"),
  row("E0021", "unknown_type", "unknown type `{0}`",
    "A type name is neither a builtin type nor a `struct` defined in this file or an imported one.",
    "contract C { storage x: u32; }", "integer types are u64 and i64"),
  row("E0022", "unknown_function", "cannot find function `{0}`",
    "A call names no builtin, no function of the contract and no free function of this file or its imports.",
    "contract C { pub fn f() { g(); } }"),
  row("E0023", "duplicate", "`{0}` is defined more than once",
    "Two declarations of the same kind share a name in the same scope (functions, storage fields, events, structs, fields, parameters, locals in one block).",
    "contract C { storage a: u64; storage a: u64; }"),
  row("E0024", "unknown_field", "{0} has no field `{1}`",
    "A `.field` names no field of the struct, or no storage field of the other contract.",
    "struct P { x: u64 }\ncontract C { pub view fn f(p: u64) -> u64 { let q = P { x: 1 }; return q.y; } }"),
  row("E0025", "unknown_event", "cannot find event `{0}`",
    "`emit` names no event declared in the contract.",
    "contract C { pub fn f() { emit Gone(1); } }"),
  row("E0026", "shadowed_builtin", "`{0}` is a builtin and cannot be redefined",
    "Functions, constants and locals may not take the name of a builtin (`caller`, `sha256`, `require`, …).",
    "contract C { fn caller() -> u64 { return 1; } }"),

  // -- types -------------------------------------------------------------------------------------------
  row("E0030", "type_mismatch", "expected {0}, found {1}",
    "A value of one type is used where another is required. There are no implicit conversions between integer types; convert with `u64(x)`, `i64(x)`, `fixed(x)`.",
    "contract C { pub view fn f(a: i64) -> u64 { return a; } }"),
  row("E0031", "bad_operator", "operator `{0}` cannot be applied to {1}",
    "The operator is not defined for the operand types (e.g. `-` on u64, `<` on byte strings, `&&` on integers).",
    "contract C { pub view fn f(a: u64) -> u64 { return -a; } }"),
  row("E0032", "arity", "{0} takes {1} argument(s), {2} given",
    "A call passes the wrong number of arguments.",
    "contract C { fn g(a: u64) -> u64 { return a; } pub view fn f() -> u64 { return g(1, 2); } }"),
  row("E0033", "not_a_value", "{0} is not a value",
    "A name that denotes a function, event, struct, contract or map was used as a value (maps are read by key).",
    "contract C { storage m: map<u64, u64>; pub view fn f() -> u64 { let x = m; return 0; } }"),
  row("E0034", "not_indexable", "{0} cannot be indexed",
    "`[ ]` applies to maps, fixed-size arrays and byte strings only.",
    "contract C { pub view fn f(a: u64) -> u64 { return a[0]; } }"),
  row("E0035", "chained_comparison", "comparison operators cannot be chained",
    "`a < b < c` is ambiguous; write `a < b && b < c`.",
    "contract C { pub view fn f(a: u64, b: u64, c: u64) -> bool { return a < b < c; } }"),
  row("E0036", "map_not_storage", "a map can only be a storage field",
    "Maps live in contract storage; they cannot be locals, parameters, struct fields or return values.",
    "contract C { pub fn f() { let m: map<u64, u64> = 0; } }"),
  row("E0037", "bad_map_key", "{0} cannot be a map key",
    "Map keys are u64, i64, bool, hash, pubkey, sig or bytes (nested maps take fixed-size keys only, because their keys are concatenated).",
    "struct P { x: u64 }\ncontract C { storage m: map<P, u64>; }"),
  row("E0038", "bad_struct_field", "{0} cannot be a struct field or array element",
    "Structs and arrays are packed into fixed-size byte strings, so their members must have a fixed size: no `bytes`, no maps.",
    "struct P { data: bytes }\ncontract C { }"),
  row("E0039", "bad_conversion", "cannot convert {0} to {1}",
    "Conversions exist between u64, i64 and fixed, and from a byte string to hash, pubkey or sig (checked length).",
    "contract C { pub view fn f(a: bool) -> u64 { return u64(a); } }"),
  row("E0040", "string_not_allowed", "a string literal can only be a message of require, assert or revert",
    "Mote has no string values; strings name revert messages, which compile to small error ids.",
    'contract C { pub view fn f() -> u64 { let s = "hi"; return 0; } }'),
  row("E0041", "const_overflow", "constant expression {0}",
    "Arithmetic on constants is done at compile time with the same checks the VM makes at run time; this one would always fail.",
    "contract C { pub view fn f() -> u64 { return 0 - 1; } }"),
  row("E0042", "missing_return", "function `{0}` may end without returning a value",
    "A function with a return type must end every path with `return value;` (or `revert`).",
    "contract C { pub view fn f(a: u64) -> u64 { if a > 1 { return 1; } } }"),
  row("E0043", "bad_return", "{0}",
    "`return value;` in a function without a return type, or a bare `return;` in one that has one.",
    "contract C { pub fn f() { return 1; } }"),
  row("E0044", "loop_control_outside_loop", "`{0}` outside of a loop",
    "`break` and `continue` only make sense inside `while` or `for`.",
    "contract C { pub fn f() { break; } }"),
  row("E0045", "bad_assignment", "cannot assign to {0}",
    "The left side of `=` must be a local, a storage field, a map entry, a struct field or an array element.",
    "contract C { pub fn f(a: u64) { f(a) = 1; } }"),
  row("E0046", "foreign_write", "cannot write to the storage of contract {0}",
    "Another contract's storage is read-only: contracts compose by reading each other's state, never by writing it.",
    "extern contract R { storage n: u64; }\ncontract C { pub fn f(id: hash) { R(id).n = 1; } }"),
  row("E0047", "view_writes", "view function `{0}` {1}",
    "A `view` function cannot write storage, emit events or call a function that does.",
    "contract C { storage n: u64; pub view fn f() { n = 1; } }"),
  row("E0048", "storage_outside_contract", "`{0}` needs a contract",
    "Free functions (outside a contract, e.g. in a library file) cannot touch storage or emit events; pass the values in as parameters.",
    "fn f() { emit E(1); }\ncontract C { }"),
  row("E0049", "bad_export_type", "{0} cannot be a parameter or result of a public function",
    "Public functions take and return the values a transaction can carry: u64, i64, bool, fixed, bytes, hash, pubkey, sig, and structs and arrays as their packed bytes. Every type a local can have now qualifies, so this code is no longer reported; it keeps its number so that old output still means the same.",
    ""),
  row("E0050", "limit", "{0}",
    "A VM limit from vm/spec/limits.ts (parameters, locals, storage slots, functions, exports, constants, event fields, code size, the bytes of a map key) would be exceeded.",
    "contract C { pub fn f(a: u64, b: u64, c: u64, d: u64, e: u64, g: u64, h: u64, i: u64, j: u64) { } }"),
  row("E0051", "bad_init", "{0}",
    "A contract has at most one `init`; it returns nothing and is exported as \"init\".",
    "contract C { init() { } init() { } }"),
  row("E0052", "bytes_length", "{0} needs exactly {1} bytes, this literal has {2}",
    "A hex literal used as a hash or pubkey must have 32 bytes (64 hex digits), as a sig 64 bytes.",
    "contract C { pub view fn f() -> hash { return 0x01; } }"),
  row("E0053", "index_out_of_range", "index {0} is out of range for {1}",
    "A constant index is outside a fixed-size array.",
    "contract C { pub view fn f() -> u64 { let a = [1, 2]; return a[2]; } }"),
  row("E0054", "not_constant", "{0} is not a compile-time constant",
    "`const` values, array lengths and repeat counts, and the width of `to_bytes` must be computed from literals and other constants; a parameter, local or storage field is known only at run time.",
    "contract C { const K: u64 = now(); }"),
  row("E0055", "bad_call_target", "{0} cannot be called",
    "Only functions, builtins, conversions (`u64(x)`) and contract names (`Registry(id)`) can be called.",
    "contract C { pub view fn f(a: u64) -> u64 { return a(1); } }"),
  row("E0056", "not_a_statement", "this expression does nothing as a statement",
    "Only calls, assignments and control flow can stand alone as statements.",
    "contract C { pub fn f(a: u64) { a + 1; } }"),
  row("E0058", "recursive_type", "struct `{0}` contains itself",
    "A struct cannot contain itself, directly or through other structs or arrays: its packed size would be infinite.",
    "struct P { q: Q }\nstruct Q { p: P }\ncontract C { }"),

  row("E0099", "internal", "internal compiler error: {0}",
    "A bug in the compiler, not in your program. Please report it with the source that caused it.",
    ""),

  // -- warnings ----------------------------------------------------------------------------------------
  row("W0001", "unreachable", "unreachable code",
    "Statements after `return`, `break`, `continue` or `revert` in the same block never run; they are not compiled.",
    "contract C { pub view fn f() -> u64 { return 1; let x = 2; } }", undefined, "warning"),
  row("W0002", "unused_variable", "unused variable `{0}`",
    "A local or parameter is never read. Prefix it with `_` to say that is intended.",
    "contract C { pub fn f(a: u64) { } }", "prefix it with an underscore: `_name`", "warning"),
] as const satisfies readonly CatalogueRow[];

export type DiagnosticTitle = (typeof CATALOGUE)[number]["title"];

const BY_TITLE = new Map<string, CatalogueRow>(CATALOGUE.map((r) => [r.title, r]));

/** The most diagnostics one compilation reports; the last one is E0008. */
export const MAX_DIAGNOSTICS = 100;

/** Collects diagnostics for one compilation, in the order they were found, capped at MAX_DIAGNOSTICS. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private stopped = false;

  report(title: DiagnosticTitle, span: Span, args: readonly (string | number)[] = [], hint?: string): void {
    if (this.stopped) return;
    const r = BY_TITLE.get(title)!;
    const errors = this.list.filter((d) => d.severity === "error").length;
    if (r.severity === "error" && errors >= MAX_DIAGNOSTICS - 1) {
      this.stopped = true;
      this.push(BY_TITLE.get("too_many_errors")!, span, [MAX_DIAGNOSTICS - 1], undefined);
      return;
    }
    this.push(r, span, args, hint);
  }

  private push(r: CatalogueRow, span: Span, args: readonly (string | number)[], hint: string | undefined): void {
    const message = r.message.replace(/\{(\d)\}/g, (_, i: string) => String(args[Number(i)] ?? ""));
    const h = hint ?? r.hint;
    this.list.push({
      code: r.code,
      severity: r.severity,
      message,
      file: span.file,
      line: span.line,
      col: span.col,
      endLine: span.endLine,
      endCol: span.endCol,
      ...(h ? { hint: h } : {}),
    });
  }

  get errorCount(): number {
    return this.list.filter((d) => d.severity === "error").length;
  }
}

/** The widest source line a diagnostic shows; a longer one (a minified or binary file) is cut to a
 * window around the caret, marked with "…" at each cut end. */
export const SOURCE_LINE_MAX = 240;

/**
 * A source line as a diagnostic shows it, escaped by the one rule of ./escape.ts (control characters,
 * terminal escapes, bidirectional overrides and bytes that were not UTF-8 become `\xNN` or `\u{…}`),
 * with the caret columns moved by the width of each escape so the caret stays under the span.
 * `col` and `endCol` are 1-based UTF-16 columns as the lexer counts them; the result's are 0-based.
 */
export function renderSourceLine(text: string, col: number, endCol: number): { shown: string; start: number; end: number } {
  const pieces: { s: string; at: number; w: number; unit: number }[] = [];
  let width = 0;
  let unit = 0;
  for (const ch of text) {
    const s = ch === "\t" ? " " : escapeCodePoint(ch.codePointAt(0)!); // a tab shows as one space, as before
    const w = [...s].length;
    pieces.push({ s, at: width, w, unit });
    width += w;
    unit += ch.length;
  }
  const columnOf = (c: number): number => {
    const u = Math.max(0, c - 1);
    const p = pieces.find((x) => x.unit >= u);
    return p ? p.at : width;
  };
  let start = columnOf(col);
  let end = Math.max(start + 1, columnOf(endCol));
  if (width <= SOURCE_LINE_MAX) return { shown: pieces.map((p) => p.s).join(""), start, end };
  // a window of SOURCE_LINE_MAX columns holding the caret's start, 40 columns of context before it
  let from = Math.max(0, Math.min(start - 40, width - (SOURCE_LINE_MAX - 2)));
  const kept = pieces.filter((p) => p.at >= from && p.at + p.w <= from + SOURCE_LINE_MAX - 2);
  from = kept.length > 0 ? kept[0]!.at : from;
  const to = kept.length > 0 ? kept[kept.length - 1]!.at + kept[kept.length - 1]!.w : from;
  const lead = from > 0 ? "…" : "";
  const shown = lead + kept.map((p) => p.s).join("") + (to < width ? "…" : "");
  start = Math.max(0, start - from) + lead.length;
  end = Math.max(start + 1, Math.min(end - from + lead.length, to - from + lead.length + 1));
  return { shown, start, end };
}

/**
 * `file:line:col: error[E0012]: message`, then the source line with a caret under the span and the
 * hint. Multi-line spans are underlined to the end of their first line. Everything taken from the
 * input (the path, the message's quoted parts, the line) is escaped, so the head is one line.
 */
export function formatDiagnostic(d: Diagnostic, source: string): string {
  const head = escapeText(`${d.file}:${d.line}:${d.col}: ${d.severity}[${d.code}]: ${d.message}`);
  const lines = source.split(/\r\n|\r|\n/); // as the lexer counts lines
  const text = lines[d.line - 1];
  const out = [head];
  if (text !== undefined && d.line >= 1) {
    const endCol = d.endLine === d.line ? d.endCol : text.length + 1;
    const { shown, start, end } = renderSourceLine(text, d.col, endCol);
    const gutter = String(d.line);
    const pad = " ".repeat(gutter.length);
    out.push(`${pad} |`);
    out.push(`${gutter} | ${shown}`);
    out.push(`${pad} | ${" ".repeat(start)}${"^".repeat(end - start)}`);
    if (d.hint) out.push(`${pad} = hint: ${escapeText(d.hint)}`);
  } else if (d.hint) {
    out.push(`  = hint: ${escapeText(d.hint)}`);
  }
  return out.join("\n");
}
