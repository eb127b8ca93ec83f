// The Mote text assembler and disassembler: `mote asm` / `mote disasm`, golden tests and fuzzers.
// disassemble(assemble(text)) reassembles to the same bytes; assemble(disassemble(bytes)) === bytes.
import { OPCODE_BY_NAME } from "../spec/opcodes.ts";
import {
  type ExportDef,
  type FunctionDef,
  Label,
  CodeBuilder,
  ModuleFormatError,
  computeMaxStack,
  decodeInstruction,
  decodeModule,
  encodeModule,
  selectorOf,
} from "../spec/module.ts";

/** An assembly error at file:line:col. */
export class AsmError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
    this.name = "AsmError";
  }
}

interface Token {
  text: string;
  col: number;
}

/** Splits a line into whitespace-separated tokens, keeping "quoted strings" whole, dropping `; comments`. */
function tokenize(line: string, lineNo: number, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ";") break;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') i += line[i] === "\\" ? 2 : 1;
      if (i >= line.length) throw new AsmError(file, lineNo, start + 1, "unterminated string");
      i++;
    } else {
      while (i < line.length && !" \t\r;".includes(line[i]!)) i++;
    }
    out.push({ text: line.slice(start, i), col: start + 1 });
  }
  return out;
}

function parseHex(text: string): Uint8Array | undefined {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(text)) return undefined;
  const hex = text.slice(2);
  const b = new Uint8Array(hex.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function parseInteger(text: string): bigint | undefined {
  if (!/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) return undefined;
  return text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text);
}

function parseMask(text: string): number | undefined {
  if (!/^[ib]{0,8}$/.test(text)) return undefined;
  let m = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === "b") m |= 1 << i;
  return m;
}

interface PendingFunc {
  name: string;
  line: number;
  params: number;
  results: number;
  locals: number;
  maxStack?: number;
  body: { tokens: Token[]; line: number }[];
}

interface PendingExport {
  name: string;
  selector: number;
  func: string;
  view: boolean;
  argMask?: number;
  retMask?: number;
  line: number;
  col: number;
}

/**
 * Assembles Mote assembly text into a module.
 *
 *   .const NAME 0xHEX | "text"
 *   .func NAME params=N results=0|1 locals=N [maxstack=N]   ; maxstack is computed when omitted
 *   LABEL:
 *     OPCODE OPERAND...      ; jumps take labels, call a function name, pushb a const name
 *   .end
 *   .export NAME|0xSELECTOR [func=FNAME] [view] [args=ib..] [ret=i|b]
 *   .meta 0xHEX32
 */
export function assemble(text: string, file = "<asm>"): Uint8Array {
  const consts: Uint8Array[] = [];
  const constNames = new Map<string, number>();
  const funcs: PendingFunc[] = [];
  const exports: PendingExport[] = [];
  let metaHash: Uint8Array | undefined;
  let cur: PendingFunc | undefined;
  const err = (line: number, col: number, msg: string): never => {
    throw new AsmError(file, line, col, msg);
  };
  const attrs = (toks: Token[], line: number, allowed: string[]): Map<string, Token> => {
    const m = new Map<string, Token>();
    for (const t of toks) {
      const eq = t.text.indexOf("=");
      const key = eq < 0 ? t.text : t.text.slice(0, eq);
      if (!allowed.includes(key)) err(line, t.col, `unexpected '${t.text}' (expected one of ${allowed.join(", ")})`);
      if (m.has(key)) err(line, t.col, `'${key}' given twice`);
      m.set(key, { text: eq < 0 ? "" : t.text.slice(eq + 1), col: t.col + eq + 1 });
    }
    return m;
  };
  const byteAttr = (m: Map<string, Token>, key: string, line: number, dflt?: number): number => {
    const t = m.get(key);
    if (!t) {
      if (dflt === undefined) err(line, 1, `missing ${key}=N`);
      return dflt!;
    }
    const v = parseInteger(t.text);
    if (v === undefined || v < 0n || v > 255n) err(line, t.col, `${key} must be an integer 0..255, got '${t.text}'`);
    return Number(v);
  };

  const lines = text.split("\n");
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const toks = tokenize(raw, line, file);
    if (toks.length === 0) return;
    const head = toks[0]!;
    if (cur) {
      if (head.text === ".end") {
        if (toks.length > 1) err(line, toks[1]!.col, "unexpected text after .end");
        funcs.push(cur);
        cur = undefined;
      } else if (head.text.startsWith(".")) err(line, head.col, `${head.text} inside .func ${cur.name} (missing .end?)`);
      else cur.body.push({ tokens: toks, line });
      return;
    }
    switch (head.text) {
      case ".const": {
        const [name, value] = [toks[1], toks[2]];
        if (!name || !value || toks.length > 3) err(line, head.col, 'expected .const NAME 0xHEX|"text"');
        if (constNames.has(name!.text)) err(line, name!.col, `constant '${name!.text}' defined twice`);
        let bytes = parseHex(value!.text);
        if (!bytes && value!.text.startsWith('"')) {
          try {
            bytes = new TextEncoder().encode(JSON.parse(value!.text) as string);
          } catch {
            err(line, value!.col, "bad string literal");
          }
        }
        if (!bytes) err(line, value!.col, `expected 0x-hex bytes or a "string", got '${value!.text}'`);
        constNames.set(name!.text, consts.length);
        consts.push(bytes!);
        return;
      }
      case ".func": {
        const name = toks[1];
        if (!name || name.text.includes("=")) err(line, head.col, "expected .func NAME params=N results=N locals=N");
        if (funcs.some((f) => f.name === name!.text)) err(line, name!.col, `function '${name!.text}' defined twice`);
        const a = attrs(toks.slice(2), line, ["params", "results", "locals", "maxstack"]);
        cur = {
          name: name!.text,
          line,
          params: byteAttr(a, "params", line, 0),
          results: byteAttr(a, "results", line, 0),
          locals: byteAttr(a, "locals", line, 0),
          maxStack: a.has("maxstack") ? byteAttr(a, "maxstack", line) : undefined,
          body: [],
        };
        return;
      }
      case ".export": {
        const name = toks[1];
        if (!name) err(line, head.col, "expected .export NAME|0xSELECTOR");
        const a = attrs(toks.slice(2), line, ["func", "view", "args", "ret"]);
        const sel = /^0x[0-9a-fA-F]{8}$/.test(name!.text) ? parseInt(name!.text.slice(2), 16) : selectorOf(name!.text);
        const mask = (key: string): number | undefined => {
          const t = a.get(key);
          if (!t) return undefined;
          const m = parseMask(t.text);
          if (m === undefined) err(line, t.col, `${key} must be a string of i/b (int/bytes), got '${t.text}'`);
          return m;
        };
        exports.push({
          name: name!.text,
          selector: sel,
          func: a.get("func")?.text ?? name!.text,
          view: a.has("view"),
          argMask: mask("args"),
          retMask: mask("ret"),
          line,
          col: name!.col,
        });
        return;
      }
      case ".meta": {
        const h = toks[1] ? parseHex(toks[1].text) : undefined;
        if (!h || h.length !== 32) err(line, (toks[1] ?? head).col, "expected .meta followed by 32 bytes of 0x-hex");
        metaHash = h;
        return;
      }
      default:
        err(line, head.col, head.text.startsWith(".") ? `unknown directive ${head.text}` : `'${head.text}' outside a .func`);
    }
  });
  if (cur) err(cur.line, 1, `.func ${cur.name} has no .end`);

  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const functions: FunctionDef[] = funcs.map((f) => {
    const b = new CodeBuilder();
    const labels = new Map<string, Label>();
    const labelAt = (name: string): Label => {
      let l = labels.get(name);
      if (!l) labels.set(name, (l = b.newLabel(name)));
      return l;
    };
    for (const { tokens, line } of f.body) {
      let toks = tokens;
      while (toks.length > 0 && toks[0]!.text.endsWith(":")) {
        const name = toks[0]!.text.slice(0, -1);
        if (!/^[A-Za-z_.$][\w.$]*$/.test(name)) err(line, toks[0]!.col, `bad label '${name}'`);
        const l = labelAt(name);
        if (l.pos >= 0) err(line, toks[0]!.col, `label '${name}' defined twice`);
        b.bind(l);
        toks = toks.slice(1);
      }
      if (toks.length === 0) continue;
      const [opTok, ...args] = toks as [Token, ...Token[]];
      const row = OPCODE_BY_NAME.get(opTok.text);
      if (!row) err(line, opTok.col, `unknown opcode '${opTok.text}'`);
      if (args.length !== row!.operands.length) {
        err(line, opTok.col, `${row!.name} takes ${row!.operands.length} operand(s), got ${args.length}`);
      }
      if (row!.operands.length === 1 && row!.operands[0]!.kind === "target") {
        const t = args[0]!;
        const n = parseInteger(t.text);
        if (n !== undefined) {
          // A raw target: disassembled invalid modules print targets that are not instruction starts.
          if (n < 0n || n > 0xffffn) err(line, t.col, "jump target must be 0..65535");
          b.emitJumpTo(row!.name, Number(n));
          continue;
        }
        if (!/^[A-Za-z_.$][\w.$]*$/.test(t.text)) err(line, t.col, `expected a label, got '${t.text}'`);
        b.emitJump(row!.name, labelAt(t.text));
        continue;
      }
      const values = args.map((t, i) => {
        const kind = row!.operands[i]!.kind;
        if (kind === "const" && constNames.has(t.text)) return constNames.get(t.text)!;
        if (kind === "func" && funcIndex.has(t.text)) return funcIndex.get(t.text)!;
        const v = parseInteger(t.text);
        if (v === undefined) {
          const what = kind === "const" ? "a constant name or index" : kind === "func" ? "a function name or index" : "an integer";
          err(line, t.col, `expected ${what} for ${row!.operands[i]!.name}, got '${t.text}'`);
        }
        return kind === "sleb" ? v! : Number(v);
      });
      try {
        b.emit(row!.name, ...values);
      } catch (e) {
        err(line, opTok.col, (e as Error).message);
      }
    }
    let code: Uint8Array;
    try {
      code = b.finish();
    } catch (e) {
      err(f.line, 1, `.func ${f.name}: ${(e as Error).message}`);
    }
    return { params: f.params, results: f.results, locals: f.locals, maxStack: f.maxStack ?? -1, code: code! };
  });
  const shapes = functions.map((f) => ({ params: f.params, results: f.results }));
  functions.forEach((f, i) => {
    if (f.maxStack >= 0) return;
    try {
      f.maxStack = computeMaxStack(f.code, shapes);
    } catch (e) {
      const at = e instanceof ModuleFormatError ? ` (code offset ${e.offset})` : "";
      err(funcs[i]!.line, 1, `.func ${funcs[i]!.name}: cannot compute maxstack${at}: ${(e as Error).message}; give maxstack=N`);
    }
    if (f.maxStack > 255) err(funcs[i]!.line, 1, `.func ${funcs[i]!.name}: stack height ${f.maxStack} exceeds 255`);
  });
  const exportDefs: ExportDef[] = exports.map((e) => {
    const fi = funcIndex.get(e.func) ?? (/^[0-9]+$/.test(e.func) ? Number(e.func) : undefined);
    if (fi === undefined) err(e.line, e.col, `.export names unknown function '${e.func}'`);
    // a raw index (disassembled invalid modules print them) must still fit the format's u32
    if (fi! > 0xffffffff) err(e.line, e.col, `.export function index ${e.func} is outside 0..4294967295`);
    return { name: e.name, selector: e.selector, func: fi!, view: e.view, argMask: e.argMask ?? 0, retMask: e.retMask ?? 0 };
  });
  return encodeModule({ functions, consts, exports: exportDefs, metaHash });
}

export interface DisasmOptions {
  /** Names for functions by index (defaults f0, f1, ...). */
  funcNames?: readonly string[];
  /** Names for exports by selector (defaults to the selector in hex). */
  exportNames?: ReadonlyMap<number, string>;
  /** A comment line to print before the instruction at (function, offset), e.g. a source line. */
  annotate?: (func: number, offset: number) => string | undefined;
  /** Append `; @offset` to each instruction. */
  offsets?: boolean;
}

const hex = (b: Uint8Array): string => "0x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const maskText = (m: number, n: number): string => {
  let s = "";
  for (let i = 0; i < n; i++) s += m & (1 << i) ? "b" : "i";
  return s;
};

/**
 * Disassembles a module into text that assembles back to the same bytes. Throws ModuleFormatError
 * when the module's structure cannot be decoded.
 */
export function disassemble(bytes: Uint8Array, opts: DisasmOptions = {}): string {
  const m = decodeModule(bytes);
  const out: string[] = [];
  const fname = (i: number): string => opts.funcNames?.[i] ?? `f${i}`;
  m.consts.forEach((c, i) => out.push(`.const c${i} ${hex(c)}`));
  if (m.consts.length) out.push("");
  const shapes = m.functions.map((f) => ({ params: f.params, results: f.results }));
  m.functions.forEach((f, fi) => {
    let computed: number | undefined;
    try {
      computed = computeMaxStack(f.code, shapes);
    } catch {
      computed = undefined;
    }
    const ms = computed === f.maxStack ? "" : ` maxstack=${f.maxStack}`;
    out.push(`.func ${fname(fi)} params=${f.params} results=${f.results} locals=${f.locals}${ms}`);
    // First pass: instruction starts and jump targets.
    const targets = new Set<number>();
    const ins = [];
    let pc = 0;
    while (pc < f.code.length) {
      let i;
      try {
        i = decodeInstruction(f.code, pc);
      } catch (e) {
        if (e instanceof ModuleFormatError) throw new ModuleFormatError(`function ${fi}: ${e.message.replace(/ \(at byte \d+\)$/, "")}`, e.offset);
        throw e;
      }
      ins.push(i);
      i.row.operands.forEach((o, k) => o.kind === "target" && targets.add(Number(i.operands[k])));
      pc = i.next;
    }
    const starts = new Set(ins.map((i) => i.offset));
    for (const i of ins) {
      const note = opts.annotate?.(fi, i.offset);
      if (note !== undefined) out.push(`  ; ${note}`);
      if (targets.has(i.offset)) out.push(`L${i.offset}:`);
      const ops = i.row.operands.map((o, k) => {
        const v = i.operands[k]!;
        if (o.kind === "target") return starts.has(Number(v)) ? `L${v}` : String(v);
        if (o.kind === "const" && Number(v) < m.consts.length) return `c${v}`;
        if (o.kind === "func" && Number(v) < m.functions.length) return fname(Number(v));
        return String(v);
      });
      const text = `    ${[i.row.name, ...ops].join(" ")}`;
      out.push(opts.offsets ? `${text.padEnd(28)} ; @${i.offset}` : text);
    }
    out.push(".end", "");
  });
  for (const e of m.exports) {
    const name = opts.exportNames?.get(e.selector);
    const sel = name !== undefined && selectorOf(name) === e.selector ? name : `0x${e.selector.toString(16).padStart(8, "0")}`;
    const f = m.functions[e.func];
    const parts = [`.export ${sel}`, `func=${e.func < m.functions.length ? fname(e.func) : e.func}`];
    if (e.view) parts.push("view");
    const nArgs = f ? Math.max(f.params, 32 - Math.clz32(e.argMask)) : 32 - Math.clz32(e.argMask);
    if (e.argMask) parts.push(`args=${maskText(e.argMask, nArgs)}`);
    if (e.retMask) parts.push(`ret=${maskText(e.retMask, 32 - Math.clz32(e.retMask))}`);
    out.push(parts.join(" "));
  }
  if (m.metaHash) out.push(`.meta ${hex(m.metaHash)}`);
  return out.join("\n") + "\n";
}
