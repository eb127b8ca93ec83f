// The Mote abstract syntax tree, produced by the CST→AST visitor and consumed by the checker.
// Nodes carry spans for diagnostics and the source map; the checker annotates expressions with types.
import type { Span } from "./diagnostics.ts";
import type { Type } from "./types.ts";

export interface TypeRef {
  kind: "name" | "map" | "array";
  span: Span;
  name?: string; // kind "name": u64 … sig, or a struct name
  key?: TypeRef; // kind "map"
  value?: TypeRef; // kind "map"
  elem?: TypeRef; // kind "array"
  length?: Expr; // kind "array"
}

export interface Param {
  name: string;
  type: TypeRef;
  span: Span;
}

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||" | "&" | "|" | "^" | "<<" | ">>";
export type UnaryOp = "-" | "!" | "~";

interface ExprBase {
  span: Span;
  /** Filled by the checker. */
  type?: Type;
}

export type Expr =
  | (ExprBase & { kind: "int"; text: string })
  | (ExprBase & { kind: "fixedLit"; text: string })
  | (ExprBase & { kind: "hex"; text: string })
  | (ExprBase & { kind: "string"; value: string })
  | (ExprBase & { kind: "bool"; value: boolean })
  | (ExprBase & { kind: "name"; name: string })
  | (ExprBase & { kind: "typeName"; name: string })
  | (ExprBase & { kind: "unary"; op: UnaryOp; operand: Expr })
  | (ExprBase & { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; opSpan: Span })
  | (ExprBase & { kind: "call"; callee: Expr; args: Expr[] })
  | (ExprBase & { kind: "index"; target: Expr; index: Expr })
  | (ExprBase & { kind: "field"; target: Expr; field: string; fieldSpan: Span })
  | (ExprBase & { kind: "structLit"; name: string; nameSpan: Span; fields: { name: string; value: Expr; span: Span }[] })
  | (ExprBase & { kind: "arrayLit"; elems: Expr[] })
  | (ExprBase & { kind: "arrayRepeat"; value: Expr; count: Expr })
  | (ExprBase & { kind: "error" });

export type ExprKind = Expr["kind"];
export type ExprOf<K extends ExprKind> = Extract<Expr, { kind: K }>;

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>=";

export type Stmt =
  | { kind: "let"; span: Span; name: string; nameSpan: Span; type?: TypeRef; init: Expr }
  | { kind: "assign"; span: Span; op: AssignOp; target: Expr; value: Expr }
  | { kind: "expr"; span: Span; expr: Expr }
  | { kind: "if"; span: Span; cond: Expr; then: Block; else?: Block }
  | { kind: "while"; span: Span; cond: Expr; body: Block }
  | { kind: "for"; span: Span; name: string; nameSpan: Span; from: Expr; to: Expr; body: Block }
  | { kind: "break"; span: Span }
  | { kind: "continue"; span: Span }
  | { kind: "return"; span: Span; value?: Expr }
  | { kind: "emit"; span: Span; event: string; eventSpan: Span; args: Expr[] }
  | { kind: "block"; span: Span; block: Block };

export interface Block {
  span: Span;
  stmts: Stmt[];
}

export interface FnDecl {
  kind: "fn";
  name: string;
  span: Span;
  nameSpan: Span;
  isPub: boolean;
  isView: boolean;
  isInit: boolean;
  /** `test fn`: compiled only by `mote test` (compiler/testing.ts), dropped from every other build. */
  isTest?: boolean;
  params: Param[];
  returns?: TypeRef;
  body: Block;
}

export interface StorageDecl {
  kind: "storage";
  name: string;
  span: Span;
  type: TypeRef;
}

export interface EventDecl {
  kind: "event";
  name: string;
  span: Span;
  fields: Param[];
}

export interface ConstDecl {
  kind: "const";
  name: string;
  span: Span;
  type?: TypeRef;
  value: Expr;
}

export interface StructDecl {
  kind: "struct";
  name: string;
  span: Span;
  fields: Param[];
}

/** `enum Name { A, B }`: a type whose values are its variants, `Name.A` (0), `Name.B` (1), … */
export interface EnumDecl {
  kind: "enum";
  name: string;
  span: Span;
  variants: { name: string; span: Span }[];
}

export interface ContractDecl {
  kind: "contract";
  name: string;
  span: Span;
  isExtern: boolean;
  members: (FnDecl | StorageDecl | EventDecl | ConstDecl)[];
}

export interface ImportDecl {
  kind: "import";
  path: string;
  span: Span;
}

export type TopDecl = ImportDecl | StructDecl | EnumDecl | ConstDecl | FnDecl | ContractDecl;

export interface SourceFile {
  file: string;
  decls: TopDecl[];
}
