// The language service: answers hover, definition, completion and outline questions about one .mote
// document from what the compiler itself produced (its AST and the checker's resolved names). Pure: no
// editor protocol, no file system, so the server and the playground can both use it.
import { BUILTINS } from "../compiler/checker.ts";
import { compileSource, type Diagnostic, type ToolingInfo } from "../compiler/index.ts";
import { BUILTIN_DOCS } from "../compiler/builtins-doc.ts";
import type * as A from "../compiler/ast.ts";
import type { Span } from "../compiler/diagnostics.ts";
import type { NameUse } from "../compiler/typed.ts";
import { BUILTIN_TYPES, typeName, type Type } from "../compiler/types.ts";

/** A position as the compiler counts it: 1-based line and column (UTF-16 code units, as chevrotain counts). */
export interface Pos {
  line: number;
  col: number;
}

/** What one compilation taught us about a document (and the files it imports). */
export interface Analysis {
  file: string;
  text: string;
  /** Parsed files (the document first, then its imports); empty when the document did not parse. */
  files: A.SourceFile[];
  uses: NameUse[];
  /** The text of each parsed file (the document's own text under `file`). */
  sources: Map<string, string>;
}

const sourceOf = (an: Analysis, file: string): string => (file === an.file ? an.text : (an.sources.get(file) ?? ""));

/**
 * Compiles a document as `mote check` does (same diagnostics) and keeps what tools need. `readFile`
 * resolves imports (an editor passes its open buffers first, then the disk).
 */
export function analyze(
  text: string,
  file: string,
  readFile: (path: string) => string | undefined,
  parseCache?: Map<string, { source: string; ast: A.SourceFile }>,
): { analysis: Analysis; diagnostics: Diagnostic[] } {
  const sources = new Map<string, string>();
  const tooling: ToolingInfo = {};
  const read = (path: string): string | undefined => {
    const t = readFile(path);
    if (t !== undefined) sources.set(path, t);
    return t;
  };
  const { diagnostics } = compileSource(text, file, read, { tooling, ...(parseCache ? { parseCache } : {}) });
  return { analysis: { file, text, files: tooling.files ?? [], uses: tooling.uses ?? [], sources }, diagnostics };
}

export interface HoverAnswer {
  markdown: string;
  span: Span;
}

export type CompletionKind = "local" | "storage" | "const" | "function" | "builtin" | "struct" | "enum" | "variant" | "field" | "event" | "keyword" | "type" | "contract";

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
  doc?: string;
}

export interface SymbolNode {
  name: string;
  kind: "contract" | "struct" | "enum" | "const" | "function" | "storage" | "event" | "field" | "variant" | "import";
  detail?: string;
  span: Span;
  selection: Span;
  children: SymbolNode[];
}

export const KEYWORDS = [
  "contract", "extern", "storage", "event", "init", "pub", "view", "fn", "let", "const", "if", "else", "while", "for", "in",
  "break", "continue", "return", "emit", "true", "false", "import", "struct", "enum", "map",
];

const before = (a: Pos, b: Pos): boolean => a.line < b.line || (a.line === b.line && a.col < b.col);
const startOf = (s: Span): Pos => ({ line: s.line, col: s.col });
const endOf = (s: Span): Pos => ({ line: s.endLine, col: s.endCol });

/** Whether `p` is inside `s`; with `touching`, the position just past its end counts (a cursor after a word). */
export function spanContains(s: Span, p: Pos, touching = false): boolean {
  if (before(p, startOf(s))) return false;
  const end = endOf(s);
  return touching ? !before(end, p) : before(p, end);
}

const spanSize = (s: Span): number => (s.endLine - s.line) * 100000 + (s.endCol - s.col);
const sameSpan = (a: Span, b: Span): boolean => a.file === b.file && a.line === b.line && a.col === b.col && a.endLine === b.endLine && a.endCol === b.endCol;

/** The innermost resolved name at `p` in `file`. */
export function useAt(an: Analysis, p: Pos): NameUse | undefined {
  let best: NameUse | undefined;
  for (const u of an.uses) {
    if (u.span.file !== an.file || !spanContains(u.span, p, true)) continue;
    if (!best || spanSize(u.span) < spanSize(best.span)) best = u;
  }
  return best;
}

function signature(name: string, params: { name: string; type: Type }[] | undefined, result: Type | undefined): string {
  const ps = (params ?? []).map((x) => `${x.name}: ${typeName(x.type)}`).join(", ");
  return `fn ${name}(${ps})${result && result.k !== "unit" ? ` -> ${typeName(result)}` : ""}`;
}

function describeUse(u: NameUse): string {
  switch (u.kind) {
    case "function":
      return signature(u.name, u.params, u.type);
    case "event":
      return `event ${u.name}(${(u.params ?? []).map((x) => `${x.name}: ${typeName(x.type)}`).join(", ")})`;
    case "struct":
      return u.type?.k === "struct" ? `struct ${u.name} { ${u.type.fields.map((f) => `${f.name}: ${typeName(f.type)}`).join(", ")} }` : `struct ${u.name}`;
    case "enum":
      return u.type?.k === "enum" ? `enum ${u.name} { ${u.type.variants.join(", ")} }` : `enum ${u.name}`;
    case "variant":
      return `${u.name}: ${u.type ? typeName(u.type) : "?"}`;
    default:
      return `${u.kind === "local" ? "let" : u.kind} ${u.name}: ${u.type ? typeName(u.type) : "?"}`;
  }
}

const code = (s: string): string => `\`\`\`mote\n${s}\n\`\`\``;

/** Hover: the type of a name, the signature of a function, the doc of a builtin, the text of a declaration. */
export function hover(an: Analysis, p: Pos): HoverAnswer | undefined {
  const u = useAt(an, p);
  if (u) {
    if (u.kind === "builtin") {
      const d = BUILTIN_DOCS[u.name];
      return { markdown: d ? `${code(d.signature)}\n\n${d.doc}` : code(u.name), span: u.span };
    }
    return { markdown: code(describeUse(u)), span: u.span };
  }
  // a declaration's own name (functions, structs, storage …) that no use covers
  for (const s of flatSymbols(symbols(an))) {
    if (s.kind === "import" || !spanContains(s.selection, p, true)) continue;
    const w = wordAt(an.text, p);
    if (w && w.word === s.name.split(".").pop()) return { markdown: code(s.detail ?? s.name), span: s.selection };
  }
  return undefined;
}

/** Go to definition: the declaration of the name at `p`, or the file an `import` names. */
export function definition(an: Analysis, p: Pos, resolveImport: (from: string, path: string) => string): Span | undefined {
  const u = useAt(an, p);
  if (u?.decl) return u.decl;
  const main = an.files[0];
  for (const d of main?.decls ?? []) {
    if (d.kind === "import" && spanContains(d.span, p, true)) {
      const target = resolveImport(an.file, d.path);
      return { file: target, line: 1, col: 1, endLine: 1, endCol: 1 };
    }
  }
  return undefined;
}

function textOf(text: string, s: Span): string {
  const lines = text.split(/\r\n|\r|\n/);
  if (s.line === s.endLine) return (lines[s.line - 1] ?? "").slice(s.col - 1, s.endCol - 1);
  const out = [(lines[s.line - 1] ?? "").slice(s.col - 1)];
  for (let l = s.line + 1; l < s.endLine; l++) out.push(lines[l - 1] ?? "");
  out.push((lines[s.endLine - 1] ?? "").slice(0, s.endCol - 1));
  return out.join("\n");
}

/** A function's header as written: from its start to the opening brace of its body. */
function fnHeader(text: string, d: A.FnDecl): string {
  const whole = textOf(text, { ...d.span, endLine: d.body.span.line, endCol: d.body.span.col });
  return whole.replace(/\s+/g, " ").trim();
}

/** The outline of the document: declarations, nested as they are in the source. */
export function symbols(an: Analysis): SymbolNode[] {
  const main = an.files[0];
  if (!main) return [];
  const src = (d: { span: Span }): string => textOf(an.text, d.span).replace(/\s+/g, " ").trim();
  const nameSpan = (s: Span, name: string): Span => {
    // the name inside a declaration's span: its first occurrence as a whole word
    const t = textOf(an.text, s);
    const m = new RegExp(`\\b${name}\\b`).exec(t);
    if (!m) return s;
    const head = t.slice(0, m.index).split(/\r\n|\r|\n/);
    const line = s.line + head.length - 1;
    const col = head.length === 1 ? s.col + m.index : head[head.length - 1]!.length + 1;
    return { file: s.file, line, col, endLine: line, endCol: col + name.length };
  };
  const fn = (d: A.FnDecl): SymbolNode => ({ name: d.name, kind: "function", detail: fnHeader(an.text, d), span: d.span, selection: d.nameSpan, children: [] });
  const member = (m: A.ContractDecl["members"][number]): SymbolNode => {
    if (m.kind === "fn") return fn(m);
    const detail = src(m).replace(/;$/, "");
    return { name: m.name, kind: m.kind === "event" ? "event" : m.kind === "const" ? "const" : "storage", detail, span: m.span, selection: nameSpan(m.span, m.name), children: [] };
  };
  const out: SymbolNode[] = [];
  for (const d of main.decls) {
    switch (d.kind) {
      case "contract":
        out.push({ name: d.name, kind: "contract", detail: d.isExtern ? "extern contract" : "contract", span: d.span, selection: nameSpan(d.span, d.name), children: d.members.filter((m) => m.name).map(member) });
        break;
      case "fn":
        out.push(fn(d));
        break;
      case "struct":
        out.push({
          name: d.name,
          kind: "struct",
          detail: `struct ${d.name}`,
          span: d.span,
          selection: nameSpan(d.span, d.name),
          children: d.fields.map((f) => ({ name: f.name, kind: "field" as const, detail: src(f), span: f.span, selection: nameSpan(f.span, f.name), children: [] })),
        });
        break;
      case "enum":
        out.push({
          name: d.name,
          kind: "enum",
          detail: `enum ${d.name}`,
          span: d.span,
          selection: nameSpan(d.span, d.name),
          children: d.variants.map((v) => ({ name: v.name, kind: "variant" as const, span: v.span, selection: v.span, children: [] })),
        });
        break;
      case "const":
        out.push({ name: d.name, kind: "const", detail: src(d).replace(/;$/, ""), span: d.span, selection: nameSpan(d.span, d.name), children: [] });
        break;
      case "import":
        out.push({ name: d.path, kind: "import", span: d.span, selection: d.span, children: [] });
        break;
    }
  }
  return out;
}

function flatSymbols(list: SymbolNode[]): SymbolNode[] {
  return list.flatMap((s) => [s, ...flatSymbols(s.children)]);
}

/** The identifier under or just before `p`, with where it starts. */
export function wordAt(text: string, p: Pos): { word: string; col: number } | undefined {
  const line = text.split(/\r\n|\r|\n/)[p.line - 1] ?? "";
  let s = p.col - 1;
  let e = p.col - 1;
  while (s > 0 && /\w/.test(line[s - 1]!)) s--;
  while (e < line.length && /\w/.test(line[e]!)) e++;
  return e > s ? { word: line.slice(s, e), col: s + 1 } : undefined;
}

/** The function whose body holds `p`, in any parsed file of the document. */
function enclosingFn(an: Analysis, p: Pos): { fn: A.FnDecl; contract?: A.ContractDecl } | undefined {
  for (const d of an.files[0]?.decls ?? []) {
    if (d.kind === "fn" && spanContains(d.span, p, true)) return { fn: d };
    if (d.kind === "contract" && spanContains(d.span, p, true)) {
      for (const m of d.members) if (m.kind === "fn" && spanContains(m.span, p, true)) return { fn: m, contract: d };
    }
  }
  return undefined;
}

function contractAt(an: Analysis, p: Pos): A.ContractDecl | undefined {
  return an.files[0]?.decls.find((d): d is A.ContractDecl => d.kind === "contract" && !d.isExtern && spanContains(d.span, p, true));
}

/** The locals visible at `p` in `fn`: parameters, then `let`s and loop variables of the enclosing blocks declared before it. */
function localsAt(fn: A.FnDecl, p: Pos): { name: string; decl: Span }[] {
  const out: { name: string; decl: Span }[] = fn.params.map((x) => ({ name: x.name, decl: x.span }));
  const walk = (b: A.Block): void => {
    if (!spanContains(b.span, p, true)) return;
    for (const s of b.stmts) {
      if (!before(startOf(s.span), p)) break;
      if (s.kind === "let" && before(endOf(s.span), p)) out.push({ name: s.name, decl: s.nameSpan });
      if (s.kind === "for" && spanContains(s.body.span, p, true)) {
        out.push({ name: s.name, decl: s.nameSpan });
        walk(s.body);
      }
      if (s.kind === "if") {
        walk(s.then);
        if (s.else) walk(s.else);
      }
      if (s.kind === "while") walk(s.body);
      if (s.kind === "block") walk(s.block);
    }
  };
  walk(fn.body);
  // a later declaration hides an earlier one of the same name
  const seen = new Map<string, { name: string; decl: Span }>();
  for (const l of out) seen.set(l.name, l);
  return [...seen.values()];
}

/** The type the checker gave the local declared at `decl`. */
function localType(an: Analysis, decl: Span): Type | undefined {
  return an.uses.find((u) => u.kind === "local" && u.decl && sameSpan(u.decl, decl))?.type;
}

/** Struct fields or contract storage reachable with `.` from a value of type `t`. */
function membersOf(an: Analysis, t: Type | undefined): CompletionItem[] {
  if (!t) return [];
  if (t.k === "struct") return t.fields.map((f) => ({ label: f.name, kind: "field" as const, detail: typeName(f.type) }));
  if (t.k === "enum") return t.variants.map((v) => ({ label: v, kind: "variant" as const, detail: t.name }));
  if (t.k === "contract") {
    for (const f of an.files) {
      const c = f.decls.find((d): d is A.ContractDecl => d.kind === "contract" && d.name === t.name);
      if (c) return c.members.filter((m): m is A.StorageDecl => m.kind === "storage").map((m) => ({ label: m.name, kind: "storage" as const, detail: textOf(sourceOf(an, m.span.file), m.type.span) }));
    }
  }
  return [];
}

/** The type of the expression that ends just before a `.` at column `dotCol` of line `line`, if simple enough to tell. */
function typeBeforeDot(an: Analysis, line: string, dotCol: number, p: Pos): Type | undefined {
  let head = line.slice(0, dotCol - 1);
  // strip trailing index expressions: `a[i].` is an element of `a`, `m[k].` a value of map `m`
  let indexes = 0;
  while (head.endsWith("]")) {
    let depth = 0;
    let i = head.length - 1;
    for (; i >= 0; i--) {
      if (head[i] === "]") depth++;
      else if (head[i] === "[" && --depth === 0) break;
    }
    if (i < 0) return undefined;
    head = head.slice(0, i);
    indexes++;
  }
  // `Other(id).field`: a contract reference
  const call = /([A-Za-z_]\w*)\s*\([^()]*\)$/.exec(head);
  if (call && indexes === 0) {
    const name = call[1]!;
    if (an.files.some((f) => f.decls.some((d) => d.kind === "contract" && d.name === name))) return { k: "contract", name };
    return undefined;
  }
  const m = /([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$/.exec(head);
  if (!m) return undefined;
  const parts = m[1]!.split(".");
  let t = nameType(an, parts[0]!, p);
  for (const f of parts.slice(1)) t = t?.k === "struct" ? t.fields.find((x) => x.name === f)?.type : undefined;
  for (let i = 0; i < indexes && t; i++) t = t.k === "map" ? t.value : t.k === "array" ? t.elem : undefined;
  return t;
}

/** The type of a bare name at `p`: a local in scope, a storage field, a constant, or an enum (for `Enum.`). */
function nameType(an: Analysis, name: string, p: Pos): Type | undefined {
  const f = enclosingFn(an, p);
  if (f) {
    const l = localsAt(f.fn, p).find((x) => x.name === name);
    if (l) return localType(an, l.decl);
  }
  const u = [...an.uses].reverse().find((x) => x.name === name && (x.kind === "storage" || x.kind === "const" || x.kind === "enum"));
  if (u?.type) return u.type;
  for (const file of an.files) {
    for (const d of file.decls) {
      if (d.kind === "enum" && d.name === name) return { k: "enum", name, variants: d.variants.map((v) => v.name) };
    }
  }
  return undefined;
}

/** Completion at `p`: after a `.`, the members of what precedes it; elsewhere every name in scope. */
export function complete(an: Analysis, text: string, p: Pos): CompletionItem[] {
  const line = text.split(/\r\n|\r|\n/)[p.line - 1] ?? "";
  let s = p.col - 1;
  while (s > 0 && /\w/.test(line[s - 1]!)) s--;
  if (s > 0 && line[s - 1] === ".") return membersOf(an, typeBeforeDot(an, line, s, p));

  const items: CompletionItem[] = [];
  const f = enclosingFn(an, p);
  if (f) for (const l of localsAt(f.fn, p)) {
    const t = localType(an, l.decl);
    items.push({ label: l.name, kind: "local", ...(t ? { detail: typeName(t) } : {}) });
  }
  const contract = f?.contract ?? contractAt(an, p);
  if (contract) {
    for (const m of contract.members) {
      if (m.kind === "storage") items.push({ label: m.name, kind: "storage", detail: textOf(an.text, m.type.span) });
      else if (m.kind === "const") items.push({ label: m.name, kind: "const" });
      else if (m.kind === "fn" && !m.isInit) items.push({ label: m.name, kind: "function", detail: fnHeader(an.text, m) });
      else if (m.kind === "event") items.push({ label: m.name, kind: "event" });
    }
  }
  for (const file of an.files) {
    for (const d of file.decls) {
      if (d.kind === "fn" && !d.isTest) items.push({ label: d.name, kind: "function", detail: fnHeader(sourceOf(an, d.span.file), d) });
      else if (d.kind === "struct") items.push({ label: d.name, kind: "struct" });
      else if (d.kind === "enum") items.push({ label: d.name, kind: "enum" });
      else if (d.kind === "const") items.push({ label: d.name, kind: "const" });
      else if (d.kind === "contract" && d !== contract) items.push({ label: d.name, kind: "contract" });
    }
  }
  for (const b of BUILTINS) {
    const doc = BUILTIN_DOCS[b];
    items.push({ label: b, kind: "builtin", ...(doc ? { detail: doc.signature, doc: doc.doc } : {}) });
  }
  for (const t of Object.keys(BUILTIN_TYPES)) items.push({ label: t, kind: "type" });
  for (const k of KEYWORDS) items.push({ label: k, kind: "keyword" });
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.label) ? false : (seen.add(i.label), true)));
}
