// The Mote language's tokens and the chevrotain lexer built from them.
// Token order matters to chevrotain (first match wins), so it is spelled out and commented below.
import { createToken, Lexer, type TokenType } from "chevrotain";

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

const kw = (word: string, name: string): TokenType => createToken({ name, pattern: new RegExp(`${word}\\b`), longer_alt: Identifier });

export const Contract = kw("contract", "Contract");
export const Extern = kw("extern", "Extern");
export const Storage = kw("storage", "Storage");
export const Event = kw("event", "Event");
export const Init = kw("init", "Init");
export const Pub = kw("pub", "Pub");
export const View = kw("view", "View");
export const Fn = kw("fn", "Fn");
export const Let = kw("let", "Let");
export const Const = kw("const", "Const");
export const If = kw("if", "If");
export const Else = kw("else", "Else");
export const While = kw("while", "While");
export const For = kw("for", "For");
export const In = kw("in", "In");
export const Break = kw("break", "Break");
export const Continue = kw("continue", "Continue");
export const Return = kw("return", "Return");
export const Emit = kw("emit", "Emit");
export const True = kw("true", "True");
export const False = kw("false", "False");
export const Import = kw("import", "Import");
export const Struct = kw("struct", "Struct");
export const Enum = kw("enum", "Enum");
export const Map = kw("map", "Map");

/** Builtin type names are keywords; `u64(x)` and friends are conversions, parsed as calls. */
export const TypeName = createToken({
  name: "TypeName",
  pattern: /(?:u64|i64|bool|fixed|bytes|hash|pubkey|sig)\b/,
  longer_alt: Identifier,
});

// Literals. Hex byte strings before integers ("0x…" would otherwise lex as 0 then x…); fixed before
// integers ("1.5" would otherwise lex as 1 . 5). "1..5" is an integer, a range and an integer.
export const HexLiteral = createToken({ name: "HexLiteral", pattern: /0x[0-9A-Za-z_]*/ });
export const FixedLiteral = createToken({ name: "FixedLiteral", pattern: /[0-9][0-9_]*\.[0-9][0-9_]*/ });
export const IntLiteral = createToken({ name: "IntLiteral", pattern: /[0-9][0-9A-Za-z_]*/ });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\r\n]|\\.)*"/ });
/** Recognised so that the error is "unterminated string" rather than a cascade; reported by the front end. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\r\n]|\\.)*/ });

// Punctuation: every multi-character operator before its one-character prefix. There is no `>>`
// token: `map<K, map<K2, V>>` must close two type argument lists, so a right shift is two adjacent
// `>` tokens, joined by the parser (the visitor checks they touch).
// `<<=` and `>>=` come before `<<`, `<` and `>` (a `>>=` is never two closing `>` of type arguments).
export const CompoundAssign = createToken({ name: "CompoundAssign", pattern: /(?:<<|>>|[+\-*/%&|^])=/ });
export const Arrow = createToken({ name: "Arrow", pattern: /->/ });
export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/ });
export const GreaterEq = createToken({ name: "GreaterEq", pattern: />=/ });
export const AndAnd = createToken({ name: "AndAnd", pattern: /&&/ });
export const OrOr = createToken({ name: "OrOr", pattern: /\|\|/ });
export const ShiftLeft = createToken({ name: "ShiftLeft", pattern: /<</ });
export const Less = createToken({ name: "Less", pattern: /</ });
export const Greater = createToken({ name: "Greater", pattern: />/ });
export const Assign = createToken({ name: "Assign", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Percent = createToken({ name: "Percent", pattern: /%/ });
export const Bang = createToken({ name: "Bang", pattern: /!/ });
export const Tilde = createToken({ name: "Tilde", pattern: /~/ });
export const Amp = createToken({ name: "Amp", pattern: /&/ });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/ });
export const Caret = createToken({ name: "Caret", pattern: /\^/ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Semi = createToken({ name: "Semi", pattern: /;/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });

// Trivia, skipped. A block comment that never closes is its own token so it gets its own diagnostic.
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
// a lone CR ends a line comment too, so the lexer and formatDiagnostic agree on line numbers
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\r\n]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
export const UnterminatedComment = createToken({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/ });

export const ALL_TOKENS: TokenType[] = [
  // trivia first: comments must win over `/`
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  // keywords before Identifier (each has longer_alt: Identifier, so `format` is not `for` + `mat`)
  Contract,
  Extern,
  Storage,
  Event,
  Init,
  Pub,
  View,
  Fn,
  Let,
  Const,
  If,
  Else,
  While,
  For,
  In,
  Break,
  Continue,
  Return,
  Emit,
  True,
  False,
  Import,
  Struct,
  Enum,
  Map,
  TypeName,
  Identifier,
  HexLiteral,
  FixedLiteral,
  IntLiteral,
  StringLiteral,
  UnterminatedString,
  CompoundAssign,
  Arrow,
  DotDot,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  AndAnd,
  OrOr,
  ShiftLeft,
  Less,
  Greater,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  Tilde,
  Amp,
  Pipe,
  Caret,
  Dot,
  Comma,
  Colon,
  Semi,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
];

export const MoteLexer = new Lexer(ALL_TOKENS, { positionTracking: "full", ensureOptimizations: false });
