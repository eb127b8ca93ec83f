// Bounds on how deeply a program may nest, checked before the recursive passes run, so that the
// parser, checker and codegen handle any input within a fixed JS stack and answer with E0014.
import type { IToken } from "chevrotain";
import type * as A from "./ast.ts";
import type { DiagnosticSink, Span } from "./diagnostics.ts";

/** How deep brackets may nest and prefix operators repeat: the parser recurses about a dozen rules per level. */
export const MAX_NESTING = 64;
/** How long an `else if` chain may be: each link nests one `if` inside the previous one's `else`. */
export const MAX_ELSE_IF = 128;
/** How deep one expression's tree may be: a chain `a + b + …` is as deep as it is long. */
export const MAX_EXPR_DEPTH = 256;

const OPENERS = new Set(["LParen", "LBracket", "LBrace"]);
const CLOSERS = new Set(["RParen", "RBracket", "RBrace"]);
const PREFIX = new Set(["Minus", "Bang", "Tilde"]);
/** Tokens after which `-` is a negation rather than a binary minus. */
const BEFORE_PREFIX = new Set([
  ...["OrOr", "AndAnd", "EqEq", "NotEq", "LessEq", "GreaterEq", "Less", "Greater", "Pipe", "Caret", "Amp", "ShiftLeft", "Plus", "Minus", "Star", "Slash", "Percent"],
  ...PREFIX,
  ...OPENERS,
  ...["Comma", "Assign", "CompoundAssign", "Return", "Arrow", "DotDot", "Colon", "Semi"],
]);

/**
 * Before parsing: brackets at most MAX_NESTING deep, at most MAX_NESTING prefix operators in a row,
 * `else if` chains at most MAX_ELSE_IF long.
 */
export function withinNestingLimits(tokens: IToken[], file: string, sink: DiagnosticSink): boolean {
  let depth = 0;
  let prefixRun = 0;
  // `else if` links of the chain running at each brace depth
  const elseIfs: number[] = [0];
  let maps = 0;
  const at = (t: IToken): Span => ({ file, line: t.startLine ?? 1, col: t.startColumn ?? 1, endLine: t.startLine ?? 1, endCol: (t.startColumn ?? 1) + t.image.length });
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const name = t.tokenType.name;
    if (OPENERS.has(name) && ++depth > MAX_NESTING) {
      sink.report("too_deep", at(t), [`brackets nested more than ${MAX_NESTING} deep`]);
      return false;
    }
    if (CLOSERS.has(name)) depth = Math.max(0, depth - 1);
    const prev = tokens[i - 1]?.tokenType.name;
    elseIfs.length = depth + 1;
    elseIfs[depth] ??= 0;
    if (name === "If" && prev === "Else") {
      if (++elseIfs[depth]! > MAX_ELSE_IF) {
        sink.report("too_deep", at(t), [`an \`else if\` chain longer than ${MAX_ELSE_IF}`]);
        return false;
      }
    } else if (name === "If" || name === "Semi") elseIfs[depth] = 0;
    // `map<K, map<…>>` nests without brackets: count the maps of one declaration
    if (name === "Map" && ++maps > MAX_NESTING) {
      sink.report("too_deep", at(t), [`map types nested more than ${MAX_NESTING} deep`]);
      return false;
    }
    if (name === "Semi" || OPENERS.has(name) || CLOSERS.has(name)) maps = 0;
    prefixRun = PREFIX.has(name) && (prev === undefined || BEFORE_PREFIX.has(prev)) ? prefixRun + 1 : 0;
    if (prefixRun > MAX_NESTING) {
      sink.report("too_deep", at(t), [`more than ${MAX_NESTING} prefix operators in a row`]);
      return false;
    }
  }
  return true;
}

function children(e: A.Expr): A.Expr[] {
  switch (e.kind) {
    case "unary":
      return [e.operand];
    case "binary":
      return [e.left, e.right];
    case "call":
      return [e.callee, ...e.args];
    case "index":
      return [e.target, e.index];
    case "field":
      return [e.target];
    case "structLit":
      return e.fields.map((f) => f.value);
    case "arrayLit":
      return e.elems;
    case "arrayRepeat":
      return [e.value, e.count];
    default:
      return [];
  }
}

/** The depth of an expression tree, measured without recursion. */
function depthOf(root: A.Expr): number {
  let max = 0;
  const stack: [A.Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, d] = stack.pop()!;
    if (d > max) max = d;
    for (const c of children(e)) stack.push([c, d + 1]);
  }
  return max;
}

function stmtExprs(s: A.Stmt): { exprs: A.Expr[]; blocks: A.Block[] } {
  switch (s.kind) {
    case "let":
      return { exprs: [s.init], blocks: [] };
    case "assign":
      return { exprs: [s.target, s.value], blocks: [] };
    case "expr":
      return { exprs: [s.expr], blocks: [] };
    case "if":
      return { exprs: [s.cond], blocks: s.else ? [s.then, s.else] : [s.then] };
    case "while":
      return { exprs: [s.cond], blocks: [s.body] };
    case "for":
      return { exprs: [s.from, s.to], blocks: [s.body] };
    case "return":
      return { exprs: s.value ? [s.value] : [], blocks: [] };
    case "emit":
      return { exprs: s.args, blocks: [] };
    case "block":
      return { exprs: [], blocks: [s.block] };
    default:
      return { exprs: [], blocks: [] };
  }
}

/** After parsing: every expression at most MAX_EXPR_DEPTH deep (reports the first that is not). */
export function withinDepthLimit(file: A.SourceFile, sink: DiagnosticSink): boolean {
  const exprs: A.Expr[] = [];
  const blocks: A.Block[] = [];
  const fn = (f: A.FnDecl): void => {
    blocks.push(f.body);
  };
  for (const d of file.decls) {
    if (d.kind === "fn") fn(d);
    else if (d.kind === "const") exprs.push(d.value);
    else if (d.kind === "contract") for (const m of d.members) m.kind === "fn" ? fn(m) : m.kind === "const" ? exprs.push(m.value) : undefined;
  }
  while (blocks.length > 0) {
    for (const s of blocks.pop()!.stmts) {
      const r = stmtExprs(s);
      exprs.push(...r.exprs);
      blocks.push(...r.blocks);
    }
  }
  for (const e of exprs) {
    if (depthOf(e) > MAX_EXPR_DEPTH) {
      sink.report("too_deep", e.span, [`an expression nested more than ${MAX_EXPR_DEPTH} levels deep (operators chain into depth too)`]);
      return false;
    }
  }
  return true;
}
