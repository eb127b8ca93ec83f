// CST → AST: walks chevrotain's concrete syntax tree and builds the typed AST of ast.ts.
// Tolerates the partial nodes error recovery leaves behind (they become `error` expressions).
import type { CstElement, CstNode, IToken } from "chevrotain";
import type * as A from "./ast.ts";
import type { DiagnosticSink, Span } from "./diagnostics.ts";

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

export class AstBuilder {
  constructor(
    private readonly file: string,
    private readonly sink: DiagnosticSink,
  ) {}

  // -- spans ------------------------------------------------------------------------------------------
  tokSpan(t: IToken): Span {
    const line = t.startLine ?? 1;
    const col = t.startColumn ?? 1;
    const ok = Number.isFinite(line) && Number.isFinite(col);
    return {
      file: this.file,
      line: ok ? line : 1,
      col: ok ? col : 1,
      endLine: ok ? (t.endLine ?? line) : 1,
      endCol: ok ? (t.endColumn ?? col) + 1 : 2,
    };
  }

  nodeSpan(n: CstNode | undefined, fallback?: Span): Span {
    const loc = n?.location;
    if (!loc || !Number.isFinite(loc.startLine) || !Number.isFinite(loc.startColumn)) {
      return fallback ?? { file: this.file, line: 1, col: 1, endLine: 1, endCol: 2 };
    }
    const endOk = Number.isFinite(loc.endLine) && Number.isFinite(loc.endColumn);
    return {
      file: this.file,
      line: loc.startLine!,
      col: loc.startColumn!,
      endLine: endOk ? loc.endLine! : loc.startLine!,
      endCol: endOk ? loc.endColumn! + 1 : loc.startColumn! + 1,
    };
  }

  join(a: Span, b: Span): Span {
    return { file: a.file, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol };
  }

  // -- child access -------------------------------------------------------------------------------------
  private nodes(n: CstNode, key: string): CstNode[] {
    return ((n.children[key] ?? []) as CstElement[]).filter((e): e is CstNode => !isToken(e));
  }
  private node(n: CstNode, key: string): CstNode | undefined {
    return this.nodes(n, key)[0];
  }
  private tokens(n: CstNode, key: string): IToken[] {
    return ((n.children[key] ?? []) as CstElement[]).filter(isToken).filter((t) => !t.isInsertedInRecovery);
  }
  private token(n: CstNode, key: string): IToken | undefined {
    return this.tokens(n, key)[0];
  }
  private ident(n: CstNode): string {
    return this.token(n, "Identifier")?.image ?? "<missing>";
  }

  // -- declarations ---------------------------------------------------------------------------------------
  sourceFile(cst: CstNode): A.SourceFile {
    const decls: A.TopDecl[] = [];
    for (const top of this.nodes(cst, "topDecl")) {
      const d = this.topDecl(top);
      if (d) decls.push(d);
    }
    return { file: this.file, decls };
  }

  private topDecl(n: CstNode): A.TopDecl | undefined {
    const imp = this.node(n, "importDecl");
    if (imp) {
      const s = this.token(imp, "StringLiteral");
      if (!s) return undefined;
      return { kind: "import", path: unquote(s.image), span: this.nodeSpan(imp) };
    }
    const st = this.node(n, "structDecl");
    if (st) return { kind: "struct", name: this.ident(st), span: this.nodeSpan(st), fields: this.nodes(st, "param").map((p) => this.param(p)) };
    const en = this.node(n, "enumDecl");
    if (en) {
      return {
        kind: "enum",
        name: this.ident(en),
        span: this.nodeSpan(en),
        variants: this.tokens(en, "variant").map((t) => ({ name: t.image, span: this.tokSpan(t) })),
      };
    }
    const c = this.node(n, "constDecl");
    if (c) return this.constDecl(c);
    const f = this.node(n, "fnDecl");
    if (f) return this.fnDecl(f, false);
    const k = this.node(n, "contractDecl");
    if (k) return this.contractDecl(k);
    return undefined;
  }

  private constDecl(n: CstNode): A.ConstDecl {
    const t = this.node(n, "type");
    return {
      kind: "const",
      name: this.ident(n),
      span: this.nodeSpan(n),
      ...(t ? { type: this.type(t) } : {}),
      value: this.expr(this.node(n, "expr"), this.nodeSpan(n)),
    };
  }

  private fnDecl(n: CstNode, isInit: boolean): A.FnDecl {
    const nameTok = isInit ? this.token(n, "Init") : this.token(n, "Identifier");
    const ret = this.node(n, "type");
    const span = this.nodeSpan(n);
    return {
      kind: "fn",
      name: isInit ? "init" : (nameTok?.image ?? "<missing>"),
      span,
      nameSpan: nameTok ? this.tokSpan(nameTok) : span,
      isPub: isInit || this.token(n, "Pub") !== undefined,
      isView: this.token(n, "View") !== undefined,
      isInit,
      ...(this.token(n, "testKw") !== undefined ? { isTest: true } : {}),
      params: this.paramList(this.node(n, "paramList")),
      ...(ret ? { returns: this.type(ret) } : {}),
      body: this.block(this.node(n, "block"), span),
    };
  }

  private paramList(n: CstNode | undefined): A.Param[] {
    return n ? this.nodes(n, "param").map((p) => this.param(p)) : [];
  }

  private param(n: CstNode): A.Param {
    const t = this.node(n, "type");
    const span = this.nodeSpan(n);
    return { name: this.ident(n), span, type: t ? this.type(t) : { kind: "name", name: "<missing>", span } };
  }

  private contractDecl(n: CstNode): A.ContractDecl {
    const members: A.ContractDecl["members"] = [];
    for (const m of this.nodes(n, "member")) {
      const s = this.node(m, "storageDecl");
      if (s) {
        const t = this.node(s, "type");
        const span = this.nodeSpan(s);
        members.push({ kind: "storage", name: this.ident(s), span, type: t ? this.type(t) : { kind: "name", name: "<missing>", span } });
        continue;
      }
      const e = this.node(m, "eventDecl");
      if (e) {
        members.push({ kind: "event", name: this.ident(e), span: this.nodeSpan(e), fields: this.paramList(this.node(e, "paramList")) });
        continue;
      }
      const i = this.node(m, "initDecl");
      if (i) {
        members.push(this.fnDecl(i, true));
        continue;
      }
      const f = this.node(m, "fnDecl");
      if (f) {
        members.push(this.fnDecl(f, false));
        continue;
      }
      const c = this.node(m, "constDecl");
      if (c) members.push(this.constDecl(c));
    }
    return { kind: "contract", name: this.ident(n), span: this.nodeSpan(n), isExtern: this.token(n, "Extern") !== undefined, members };
  }

  type(n: CstNode): A.TypeRef {
    const span = this.nodeSpan(n);
    const tn = this.token(n, "TypeName") ?? this.token(n, "Identifier");
    if (tn) return { kind: "name", name: tn.image, span };
    if (this.token(n, "Map")) {
      const k = this.node(n, "key");
      const v = this.node(n, "value");
      const missing: A.TypeRef = { kind: "name", name: "<missing>", span };
      return { kind: "map", span, key: k ? this.type(k) : missing, value: v ? this.type(v) : missing };
    }
    const elem = this.node(n, "elem");
    return {
      kind: "array",
      span,
      elem: elem ? this.type(elem) : { kind: "name", name: "<missing>", span },
      length: this.expr(this.node(n, "length"), span),
    };
  }

  // -- statements ---------------------------------------------------------------------------------------
  block(n: CstNode | undefined, fallback: Span): A.Block {
    if (!n) return { span: fallback, stmts: [] };
    const stmts: A.Stmt[] = [];
    for (const s of this.nodes(n, "stmt")) {
      const st = this.stmt(s);
      if (st) stmts.push(st);
    }
    return { span: this.nodeSpan(n, fallback), stmts };
  }

  private stmt(n: CstNode): A.Stmt | undefined {
    const [key, child] = Object.entries(n.children)[0] ?? [];
    const c = (child as CstElement[] | undefined)?.[0];
    if (!c || isToken(c)) return undefined;
    const span = this.nodeSpan(c);
    switch (key) {
      case "letStmt": {
        const nameTok = this.token(c, "Identifier");
        const t = this.node(c, "type");
        return {
          kind: "let",
          span,
          name: nameTok?.image ?? "<missing>",
          nameSpan: nameTok ? this.tokSpan(nameTok) : span,
          ...(t ? { type: this.type(t) } : {}),
          init: this.expr(this.node(c, "expr"), span),
        };
      }
      case "ifStmt":
        return this.ifStmt(c);
      case "whileStmt":
        return { kind: "while", span, cond: this.expr(this.node(c, "expr"), span), body: this.block(this.node(c, "block"), span) };
      case "forStmt": {
        const nameTok = this.token(c, "Identifier");
        return {
          kind: "for",
          span,
          name: nameTok?.image ?? "<missing>",
          nameSpan: nameTok ? this.tokSpan(nameTok) : span,
          from: this.expr(this.node(c, "from"), span),
          to: this.expr(this.node(c, "to"), span),
          body: this.block(this.node(c, "block"), span),
        };
      }
      case "breakStmt":
        return { kind: "break", span };
      case "continueStmt":
        return { kind: "continue", span };
      case "returnStmt": {
        const e = this.node(c, "expr");
        return { kind: "return", span, ...(e ? { value: this.expr(e, span) } : {}) };
      }
      case "emitStmt": {
        const nameTok = this.token(c, "Identifier");
        const args = this.node(c, "argList");
        return {
          kind: "emit",
          span,
          event: nameTok?.image ?? "<missing>",
          eventSpan: nameTok ? this.tokSpan(nameTok) : span,
          args: args ? this.nodes(args, "expr").map((e) => this.expr(e, span)) : [],
        };
      }
      case "block":
        return { kind: "block", span, block: this.block(c, span) };
      case "exprStmt": {
        const target = this.expr(this.node(c, "target"), span);
        const value = this.node(c, "value");
        if (!value) return { kind: "expr", span, expr: target };
        const opTok = this.token(c, "Assign") ?? this.token(c, "CompoundAssign");
        return { kind: "assign", span, op: (opTok?.image ?? "=") as A.AssignOp, target, value: this.expr(value, span) };
      }
    }
    return undefined;
  }

  private ifStmt(c: CstNode): A.Stmt {
    const span = this.nodeSpan(c);
    const elseIf = this.node(c, "elseIf");
    const elseBlock = this.node(c, "else");
    let els: A.Block | undefined;
    if (elseIf) {
      const inner = this.ifStmt(elseIf);
      els = { span: inner.span, stmts: [inner] };
    } else if (elseBlock) {
      els = this.block(elseBlock, span);
    }
    return { kind: "if", span, cond: this.expr(this.node(c, "expr"), span), then: this.block(this.node(c, "then"), span), ...(els ? { else: els } : {}) };
  }

  // -- expressions ---------------------------------------------------------------------------------------
  expr(n: CstNode | undefined, fallback: Span): A.Expr {
    if (!n) return { kind: "error", span: fallback };
    const span = this.nodeSpan(n, fallback);
    switch (n.name) {
      case "expr":
      case "andExpr":
      case "cmpExpr":
      case "bitOrExpr":
      case "bitXorExpr":
      case "bitAndExpr":
      case "shiftExpr":
      case "addExpr":
      case "mulExpr":
        return this.binaryChain(n, span);
      case "unaryExpr":
        return this.unary(n, span);
      case "postfixExpr":
        return this.postfix(n, span);
      default:
        return { kind: "error", span };
    }
  }

  private binaryChain(n: CstNode, span: Span): A.Expr {
    const operands = this.nodes(n, "operand");
    const ops = this.tokens(n, "operator");
    if (operands.length === 0) return { kind: "error", span };
    let left = this.expr(operands[0], span);
    if (n.name === "cmpExpr" && ops.length > 1) this.sink.report("chained_comparison", this.tokSpan(ops[1]!));
    const shr2 = this.tokens(n, "shr2");
    for (let i = 0; i < ops.length && i + 1 < operands.length; i++) {
      const tok = ops[i]!;
      let op = tok.image as A.BinaryOp;
      let opSpan = this.tokSpan(tok);
      if (n.name === "shiftExpr" && tok.image === ">") {
        const second = shr2.find((t) => t.startOffset === tok.startOffset + 1);
        if (!second) this.sink.report("syntax", opSpan, ["expected `>>` (the two `>` must touch)"]);
        op = ">>";
        opSpan = { ...opSpan, endCol: opSpan.endCol + 1 };
      }
      const right = this.expr(operands[i + 1], span);
      left = { kind: "binary", op, left, right, opSpan, span: this.join(left.span, right.span) };
    }
    return left;
  }

  private unary(n: CstNode, span: Span): A.Expr {
    const post = this.node(n, "postfix");
    if (post) return this.expr(post, span);
    const opTok = this.token(n, "operator");
    const operand = this.expr(this.node(n, "operand"), span);
    return { kind: "unary", op: (opTok?.image ?? "-") as A.UnaryOp, operand, span };
  }

  private postfix(n: CstNode, span: Span): A.Expr {
    const prim = this.node(n, "primary");
    let e = this.primary(prim, span);
    for (const s of this.nodes(n, "suffix")) {
      const sSpan = this.nodeSpan(s, span);
      if (s.name === "fieldSuffix") {
        const id = this.token(s, "Identifier");
        if (!id) return { kind: "error", span };
        e = { kind: "field", target: e, field: id.image, fieldSpan: this.tokSpan(id), span: this.join(e.span, sSpan) };
      } else if (s.name === "indexSuffix") {
        e = { kind: "index", target: e, index: this.expr(this.node(s, "expr"), sSpan), span: this.join(e.span, sSpan) };
      } else {
        e = { kind: "call", callee: e, args: this.nodes(s, "expr").map((a) => this.expr(a, sSpan)), span: this.join(e.span, sSpan) };
      }
    }
    return e;
  }

  private primary(n: CstNode | undefined, fallback: Span): A.Expr {
    if (!n) return { kind: "error", span: fallback };
    const span = this.nodeSpan(n, fallback);
    const t = (key: string): IToken | undefined => this.token(n, key);
    let tok: IToken | undefined;
    if ((tok = t("IntLiteral"))) return { kind: "int", text: tok.image, span };
    if ((tok = t("FixedLiteral"))) return { kind: "fixedLit", text: tok.image, span };
    if ((tok = t("HexLiteral"))) return { kind: "hex", text: tok.image, span };
    if ((tok = t("StringLiteral"))) return { kind: "string", value: unquote(tok.image), span };
    if (t("True")) return { kind: "bool", value: true, span };
    if (t("False")) return { kind: "bool", value: false, span };
    if ((tok = t("TypeName"))) return { kind: "typeName", name: tok.image, span };
    const sl = this.node(n, "structLiteral");
    if (sl) {
      const nameTok = this.token(sl, "Identifier");
      return {
        kind: "structLit",
        name: nameTok?.image ?? "<missing>",
        nameSpan: nameTok ? this.tokSpan(nameTok) : span,
        fields: this.nodes(sl, "fieldInit").map((f) => ({ name: this.ident(f), value: this.expr(this.node(f, "expr"), span), span: this.nodeSpan(f, span) })),
        span,
      };
    }
    if ((tok = t("Identifier"))) return { kind: "name", name: tok.image, span };
    const inner = this.node(n, "expr");
    if (inner) return { ...this.expr(inner, span), span };
    const al = this.node(n, "arrayLiteral");
    if (al) {
      const first = this.expr(this.node(al, "first"), span);
      const count = this.node(al, "count");
      if (count) return { kind: "arrayRepeat", value: first, count: this.expr(count, span), span };
      return { kind: "arrayLit", elems: [first, ...this.nodes(al, "rest").map((r) => this.expr(r, span))], span };
    }
    return { kind: "error", span };
  }
}

/** The text of a string literal; escapes `\"`, `\\`, `\n` and `\t` are understood. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}
