// The checked program: a typed, name-resolved tree the checker builds and codegen lowers to bytecode.
// Every name here is resolved (locals to indexes, storage to slots, calls to functions or builtins).
import type { Span } from "./diagnostics.ts";
import type { Type } from "./types.ts";

/** One step inside a packed value: a struct field at a constant offset, or an array element. */
export type PathStep =
  | { kind: "field"; offset: number; type: Type }
  | { kind: "elem"; index: TExpr; elemType: Type; length: number; errorId: number };

export interface StorageField {
  name: string;
  slot: number;
  type: Type;
  span: Span;
}

/** Somewhere a value lives: a local, this contract's storage, another contract's storage, or a computed value. */
export type Place =
  | { kind: "local"; index: number; type: Type; baseType: Type; path: PathStep[] }
  | {
      kind: "storage";
      field: StorageField;
      keys: TExpr[];
      /** Error id of the run-time check that a `bytes` map key fits MAX_MAP_KEY; absent when no check is needed. */
      keyErrorId?: number;
      foreignId?: TExpr;
      path: PathStep[];
      type: Type;
    }
  | { kind: "value"; value: TExpr; path: PathStep[]; type: Type };

export type BuiltinName =
  | "caller"
  | "self"
  | "now"
  | "height"
  | "gas_left"
  | "sha256"
  | "verify"
  | "concat"
  | "len"
  | "slice"
  | "to_bytes"
  | "from_bytes"
  | "wrapping_add"
  | "wrapping_sub"
  | "wrapping_mul"
  | "call_value"
  | "native_balance"
  | "pay"
  | "min"
  | "max"
  | "abs";

export type TExpr = { span: Span; type: Type } & (
  | { k: "int"; value: bigint }
  | { k: "bytes"; value: Uint8Array }
  | { k: "read"; place: Place }
  | { k: "unary"; op: "-" | "!" | "~"; operand: TExpr }
  | { k: "binary"; op: string; left: TExpr; right: TExpr; operandType: Type }
  | { k: "logical"; op: "&&" | "||"; left: TExpr; right: TExpr }
  | { k: "call"; func: FuncInfo; args: TExpr[] }
  | { k: "builtin"; name: BuiltinName; args: TExpr[]; width?: number }
  | { k: "convert"; from: Type; arg: TExpr; errorId?: number }
  | { k: "pack"; parts: TExpr[] }
  | { k: "repeat"; value: TExpr; count: number }
);

export type TStmt =
  | { k: "let"; span: Span; local: number; init: TExpr }
  | { k: "assign"; span: Span; place: Place; value: TExpr }
  | { k: "compound"; span: Span; place: Place; op: string; value: TExpr; operandType: Type }
  | { k: "expr"; span: Span; expr: TExpr }
  | { k: "if"; span: Span; cond: TExpr; then: TStmt[]; else: TStmt[] }
  | { k: "while"; span: Span; cond: TExpr; body: TStmt[] }
  | { k: "for"; span: Span; local: number; endLocal: number; from: TExpr; to: TExpr; signed: boolean; body: TStmt[] }
  | { k: "break"; span: Span }
  | { k: "continue"; span: Span }
  | { k: "return"; span: Span; value?: TExpr }
  | { k: "emit"; span: Span; topic: number; args: TExpr[] }
  | { k: "require"; span: Span; cond: TExpr; errorId: number }
  | { k: "revert"; span: Span; errorId: number };

export interface FuncInfo {
  name: string;
  /** Module function index, assigned when the function is known to be reachable. */
  index: number;
  params: { name: string; type: Type }[];
  returns: Type;
  isPub: boolean;
  isView: boolean;
  isInit: boolean;
  span: Span;
  /** Locals used by the checker (params included); codegen adds its temporaries above. */
  locals: number;
  body: TStmt[];
  /** Checks made on entry of a public function (argument lengths and booleans), run before the body. */
  entryChecks: TStmt[];
  /** Functions this one calls, for reachability and view checking. */
  calls: { func: FuncInfo; span: Span }[];
  /** Direct storage writes and emits, for view checking. */
  effects: { span: Span; what: string }[];
}

export interface ErrorEntry {
  id: number;
  message: string;
  span: Span;
}

export interface EventInfo {
  name: string;
  topic: number;
  signature: string;
  fields: { name: string; type: Type }[];
}

export interface CheckedProgram {
  contract: string;
  /** Functions in module order: exports first in source order, then reachable private helpers. */
  functions: FuncInfo[];
  storage: StorageField[];
  events: EventInfo[];
  errors: ErrorEntry[];
}

/**
 * A name in the source and what the checker resolved it to. Codegen never reads these: they are for
 * tools (the language server's hover and go-to-definition) that want the checker's own answer.
 */
export interface NameUse {
  /** The name as written. */
  span: Span;
  kind: "local" | "storage" | "const" | "function" | "builtin" | "struct" | "enum" | "variant" | "field" | "event" | "contract";
  name: string;
  /** The value's type (locals, storage, constants, fields, variants); a function's result type. */
  type?: Type;
  /** Where the name is declared; none for builtins. */
  decl?: Span;
  /** A function's parameters, for its signature. */
  params?: { name: string; type: Type }[];
}
