// `mote fmt`: one canonical layout for .mote sources, from the lexer's tokens and the comments between
// them. Like gofmt it keeps the author's line breaks (at most one blank line in a row, none just inside
// braces) and decides everything else: indentation (two spaces per open brace, bracket or parenthesis,
// two more for a continued expression), the spaces between tokens, comments (kept verbatim, a trailing
// one a single space after the code), no trailing whitespace, one final newline. Formatting formatted
// text changes nothing, and the tokens — so the program — are the same before and after: only
// whitespace changes. A file that does not parse is refused (formatted code must compile as before).
import type { IToken, TokenType } from "chevrotain";
import * as T from "./tokens.ts";

export type FormatResult = { ok: true; text: string } | { ok: false; line: number; col: number; message: string };

const BINARY = new Set<TokenType>([
  T.Assign, T.CompoundAssign, T.EqEq, T.NotEq, T.Less, T.Greater, T.LessEq, T.GreaterEq, T.AndAnd, T.OrOr,
  T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Amp, T.Pipe, T.Caret, T.ShiftLeft, T.Arrow,
]);
/** After these a `-` is a sign, not a subtraction. */
const OPERAND_START = new Set<TokenType>([
  ...BINARY, T.LParen, T.LBracket, T.LBrace, T.Comma, T.Colon, T.Semi, T.Return, T.Bang, T.Tilde, T.DotDot, T.In, T.If, T.While,
]);
const OPENERS = new Set<TokenType>([T.LBrace, T.LParen, T.LBracket]);
const CLOSERS = new Set<TokenType>([T.RBrace, T.RParen, T.RBracket]);
/** A line ending in one of these ends a statement or opens/closes a group: the next line is not a continuation. */
const LINE_END = new Set<TokenType>([T.Semi, T.LBrace, T.RBrace, T.LParen, T.LBracket, T.Comma]);
const CALLABLE = new Set<TokenType>([T.Identifier, T.TypeName, T.RParen, T.RBracket, T.Init]);

interface Item {
  kind: "token" | "comment";
  text: string;
  tok?: IToken;
  /** Newlines in the source before this item. */
  breaks: number;
}

export function formatSource(source: string): FormatResult {
  const lexed = T.MoteLexer.tokenize(source);
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0]!;
    return { ok: false, line: e.line ?? 1, col: e.column ?? 1, message: "unexpected character" };
  }
  const bad = lexed.tokens.find((t) => t.tokenType === T.UnterminatedString || t.tokenType === T.UnterminatedComment);
  if (bad) return { ok: false, line: bad.startLine ?? 1, col: bad.startColumn ?? 1, message: bad.tokenType === T.UnterminatedString ? "unterminated string" : "unterminated comment" };

  markUnary(lexed.tokens);
  // tokens, and the comments in the gaps between them, each with the line breaks before it
  const items: Item[] = [];
  let pos = 0;
  const gap = (end: number): void => {
    const text = source.slice(pos, end);
    let breaks = 0;
    const re = /\/\/[^\r\n]*|\/\*[\s\S]*?\*\/|\r\n|\r|\n|[ \t]+/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const s = m[0];
      if (s === "\n" || s === "\r\n" || s === "\r") breaks++;
      else if (s.startsWith("//") || s.startsWith("/*")) {
        items.push({ kind: "comment", text: s.replace(/[ \t]+$/, ""), breaks });
        breaks = 0;
      }
    }
    pending = breaks;
  };
  let pending = 0;
  for (const t of lexed.tokens) {
    gap(t.startOffset);
    items.push({ kind: "token", text: t.image, tok: t, breaks: pending });
    pos = t.endOffset! + 1;
  }
  gap(source.length);

  const lines: string[] = [];
  let line = "";
  let lineIndent = 0;
  let depth = 0; // open braces, brackets and parentheses
  let generic = 0; // open `map<` type argument lists
  let prev: IToken | undefined; // previous token (comments excluded)
  let lastOnLine: Item | undefined;
  let continued = false;
  const flush = (): void => {
    lines.push(line === "" ? "" : "  ".repeat(lineIndent) + line);
    line = "";
  };
  // open groups; a brace is a block when a line break follows it: its statements then go one per line
  const groups: { type: TokenType; block: boolean }[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const top = groups[groups.length - 1];
    if (it.breaks > 0 && top && prev && OPENERS.has(prev.tokenType) && lastOnLine?.tok === prev) top.block = true;
    if (it.kind === "token" && it.breaks === 0 && line !== "" && top?.type === T.LBrace && top.block && prev?.tokenType === T.Semi) it.breaks = 1;
    const startsLine = it.breaks > 0 || lines.length === 0 && line === "";
    if (it.breaks > 0 && (line !== "" || lines.length > 0)) {
      if (line !== "") flush();
      // one blank line at most, none right after an opening brace or before a closing one
      const closing = it.kind === "token" && it.tok!.tokenType === T.RBrace;
      const afterOpen = lastOnLine?.kind === "token" && lastOnLine.tok!.tokenType === T.LBrace && lines.length > 0 && lines[lines.length - 1] !== "";
      if (it.breaks > 1 && !closing && !afterOpen && lines.length > 0) lines.push("");
    }
    if (it.kind === "comment") {
      if (line === "") {
        lineIndent = depth + (continued ? 1 : 0);
        line = it.text;
      } else line += ` ${it.text}`;
      lastOnLine = it;
      if (it.text.startsWith("//")) {
        // a line comment ends its line
        flush();
        // the next item starts a line whatever its own breaks say
        const next = items[i + 1];
        if (next && next.breaks === 0) next.breaks = 1;
      }
      continue;
    }
    const tok = it.tok!;
    const type = tok.tokenType;
    if (line === "") {
      // a new line: its indentation
      const lead = CLOSERS.has(type) ? depth - 1 : depth;
      const prevLast = lastOnLine?.kind === "token" ? lastOnLine.tok!.tokenType : undefined;
      continued = startsLine && prev !== undefined && prevLast !== undefined && !LINE_END.has(prevLast) && !CLOSERS.has(type) && type !== T.LBrace;
      if (lastOnLine?.kind === "comment") continued = continued && prev !== undefined && !LINE_END.has(prev.tokenType);
      lineIndent = Math.max(0, lead) + (continued ? 1 : 0);
      line = tok.image;
    } else {
      line += spaceBetween(prev!, tok, generic > 0) + tok.image;
    }
    // bookkeeping
    if (type === T.Less && prev?.tokenType === T.Map) generic++;
    else if (type === T.Greater && generic > 0) generic--;
    if (OPENERS.has(type)) {
      depth++;
      groups.push({ type, block: false });
    } else if (CLOSERS.has(type)) {
      depth = Math.max(0, depth - 1);
      groups.pop();
    }
    prev = tok;
    lastOnLine = it;
  }
  if (line !== "") flush();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  while (lines.length > 0 && lines[0] === "") lines.shift();
  const text = lines.length ? `${lines.join("\n")}\n` : "";
  // only whitespace may change: the same tokens, and the same comments, in the same order
  const after = T.MoteLexer.tokenize(text).tokens.map((t) => t.image);
  const before = lexed.tokens.map((t) => t.image);
  const comments = (s: string): string[] => s.match(/\/\/[^\r\n]*|\/\*[\s\S]*?\*\//g)?.map((c) => c.replace(/[ \t]+$/, "")) ?? [];
  if (after.length !== before.length || after.some((x, i) => x !== before[i]) || comments(text).join("\n") !== comments(source).join("\n")) {
    return { ok: false, line: 1, col: 1, message: "internal error: formatting would change more than whitespace; file left as is" };
  }
  return { ok: true, text };
}

function spaceBetween(a: IToken, b: IToken, inGeneric: boolean): string {
  const at = a.tokenType;
  const bt = b.tokenType;
  // `>>` is two touching `>` tokens; keep them touching
  if (at === T.Greater && bt === T.Greater && a.endOffset! + 1 === b.startOffset && !inGeneric) return "";
  if (inGeneric && (bt === T.Greater || at === T.Less)) return "";
  if (bt === T.Less && at === T.Map) return "";
  if (bt === T.Comma || bt === T.Semi || bt === T.Colon || bt === T.Dot || bt === T.RParen || bt === T.RBracket) return "";
  if (at === T.Dot || at === T.LParen || at === T.LBracket || at === T.Bang || at === T.Tilde) return "";
  if (at === T.DotDot || bt === T.DotDot) return "";
  if (bt === T.LParen && CALLABLE.has(at)) return "";
  if (bt === T.LBracket && (at === T.Identifier || at === T.RParen || at === T.RBracket || at === T.HexLiteral)) return "";
  if (at === T.LBrace && bt === T.RBrace) return "";
  if (at === T.Minus && isUnaryMinus(a)) return "";
  return " ";
}

const minusPrev = new WeakMap<IToken, boolean>();
function isUnaryMinus(t: IToken): boolean {
  return minusPrev.get(t) ?? false;
}

/** Marks each `-` that is a sign (unary), from the token before it. */
function markUnary(tokens: IToken[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenType !== T.Minus) continue;
    const p = tokens[i - 1];
    minusPrev.set(t, p === undefined || OPERAND_START.has(p.tokenType));
  }
}
