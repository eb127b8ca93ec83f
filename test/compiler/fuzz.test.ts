// The compiler never throws: random text, binary garbage, token soup and mutations of real contracts
// all come back as diagnostics (never the internal-error code), with positions inside the source.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";

const TOKEN = readFileSync("contracts/token.mote", "utf8");
const VOCAB = [
  "contract", "storage", "event", "init", "pub", "view", "fn", "let", "const", "if", "else", "while", "for", "in",
  "break", "continue", "return", "emit", "true", "false", "import", "struct", "map", "extern", "u64", "i64", "bool",
  "fixed", "bytes", "hash", "pubkey", "sig", "x", "y", "C", "P", "caller", "sha256", "require", "revert", "0", "1",
  "18446744073709551616", "1.5", "0x00", "0xabc", '"m"', "(", ")", "{", "}", "[", "]", "<", ">", ">>", "=", "==", "+=",
  "+", "-", "*", "/", "%", "&&", "||", "!", "~", ".", "..", ",", ":", ";", "->", "//c\n", "/*", "*/", "@",
];

function check(src: string): void {
  const out = compileSource(src, "fuzz.mote", () => undefined);
  const lines = src.split(/\r\n|\r|\n/).length;
  for (const d of out.diagnostics) {
    expect(d.code).not.toBe("E0099");
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines);
    expect(d.col).toBeGreaterThanOrEqual(1);
  }
  const errors = out.diagnostics.filter((d) => d.severity === "error").length;
  expect(errors === 0).toBe(out.module !== undefined);
}

describe("the compiler never throws", () => {
  it("on random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 300 });
  });

  it("on binary garbage decoded as UTF-8", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => check(new TextDecoder().decode(b))), { numRuns: 300 });
  });

  it("on token soup", () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...VOCAB), { maxLength: 80 }), (ts) => check(ts.join(" "))), { numRuns: 400 });
  });

  it("on mutations of a real contract", () => {
    const edit = fc.record({ at: fc.nat(TOKEN.length), del: fc.nat(12), ins: fc.constantFrom("", ";", "}", "{", "(", "x", "1", "u64", "let ", "->", "\"", "/*", "]") });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let s = TOKEN;
        for (const e of edits) s = s.slice(0, e.at) + e.ins + s.slice(e.at + e.del);
        check(s);
      }),
      { numRuns: 300 },
    );
  });
});
