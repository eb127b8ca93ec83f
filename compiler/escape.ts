// The one rule for showing untrusted input (a token, a path, a source line) inside a message, shared by
// the mote CLI and the compiler's diagnostics; firmware-host/src/escape.c is its C twin, kept identical
// by test/cli/escape.test.ts. Escaped text holds no control character, so a message stays one line and
// a crafted file, argument or batch line cannot rewrite the operator's terminal:
//   - C0 controls and DEL (0x00-0x1f, 0x7f)                      -> \xNN   (tab too: it has no fixed width)
//   - a byte that is not part of valid UTF-8                     -> \xNN   (that byte)
//   - C1 controls (U+0080-U+009F), bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
//     U+2066-U+2069, "Trojan Source"), line and paragraph separators (U+2028, U+2029), the BOM (U+FEFF),
//     a lone UTF-16 surrogate                                  -> \u{hex}
//   - everything else, the backslash included, as it is (so escaping twice changes nothing).
// Width is counted in code points of the output; a quoted token is cut to a budget and ends in "…".

/**
 * Decodes UTF-8 without losing a byte: every byte that is not part of a valid sequence becomes the
 * lone surrogate U+DC00+byte (Python's "surrogateescape"), which `escapeText` shows as `\xNN`. Valid
 * text decodes exactly as TextDecoder does, one UTF-16 unit per invalid byte, so columns stay countable.
 */
export function decodeUtf8Lossless(bytes: Uint8Array): string {
  let out = "";
  let chunk: number[] = [];
  const flush = (): void => {
    if (chunk.length > 0) out += String.fromCharCode(...chunk);
    chunk = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SequenceLength(bytes, i);
    let cp: number;
    if (n === 0) {
      cp = 0xdc00 + bytes[i]!;
      i += 1;
    } else {
      cp = n === 1 ? bytes[i]! : n === 2 ? ((bytes[i]! & 0x1f) << 6) | (bytes[i + 1]! & 0x3f)
        : n === 3 ? ((bytes[i]! & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f)
        : ((bytes[i]! & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
      i += n;
    }
    if (cp > 0xffff) chunk.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else chunk.push(cp);
    if (chunk.length > 4096) flush();
  }
  flush();
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i` (1-4), or 0 when the byte there starts none. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0; // no overlong forms
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no surrogates
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0; // ≤ U+10FFFF
  return 0;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

/** How one code point is shown: itself, or its escape. Lone surrogates arrive as their own value. */
export function escapeCodePoint(cp: number): string {
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex2(cp)}`;
  if (cp >= 0xdc80 && cp <= 0xdcff) return `\\x${hex2(cp - 0xdc00)}`; // a byte that was not UTF-8
  if (
    (cp >= 0x80 && cp <= 0x9f) ||
    cp === 0x061c || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x2028 || cp === 0x2029 || cp === 0xfeff ||
    (cp >= 0xd800 && cp <= 0xdfff)
  ) {
    return `\\u{${cp.toString(16)}}`;
  }
  return String.fromCodePoint(cp);
}

/** The code points of `s`, a lone surrogate as itself (String iteration yields it as one unit). */
function* codePoints(s: string): Generator<number> {
  for (const ch of s) yield ch.codePointAt(0)!;
}

/** `s` with every control and invisible character escaped, whole: for a message or a source line. */
export function escapeText(s: string): string {
  // fast path: most messages hold nothing to escape
  if (!/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]/.test(s)) return s;
  let out = "";
  for (const cp of codePoints(s)) out += escapeCodePoint(cp);
  return out;
}

/** Output budget of a quoted token, in code points, the ellipsis included. */
export const QUOTE_MAX = 64;

/**
 * A piece of input for quoting in a one-line message: escaped as `escapeText` does and cut to `max`
 * code points of output. When it does not fit, whole escapes are kept while they fit in `max - 1` and
 * "…" ends it; an escape is never cut in half.
 */
export function quoteInput(input: string | Uint8Array, max = QUOTE_MAX): string {
  const s = typeof input === "string" ? input : decodeUtf8Lossless(input);
  const parts: string[] = [];
  let width = 0;
  for (const cp of codePoints(s)) {
    const e = escapeCodePoint(cp);
    parts.push(e);
    width += [...e].length;
    if (width > max) break;
  }
  if (width <= max) return parts.join("");
  let out = "";
  let used = 0;
  for (const e of parts) {
    const w = [...e].length;
    if (used + w > max - 1) break;
    out += e;
    used += w;
  }
  return out + "…";
}

/** Output budget of a file path in a message: paths run longer than tokens and are worth showing whole. */
export const PATH_QUOTE_MAX = 200;

/** A path from the input (an argument, a batch line), for a message: escaped, cut at PATH_QUOTE_MAX. */
export function quotePath(path: string): string {
  return quoteInput(path, PATH_QUOTE_MAX);
}
