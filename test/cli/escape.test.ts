// Input echoed into messages: one escaping rule for both CLIs (compiler/escape.ts and its C twin
// firmware-host/src/escape.c), no control byte reaching the terminal, every message one line, carets
// under the right character of an escaped source line. Regression for issue 21: mote-host echoed a
// form feed from a batch line raw into its error, and `mote check` echoed a binary file's bytes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeUtf8Lossless, escapeCodePoint, escapeText, QUOTE_MAX, quoteInput } from "../../compiler/escape.ts";
import { compileFile, formatDiagnostic, readSourceFile } from "../../compiler/index.ts";
import { renderSourceLine, SOURCE_LINE_MAX } from "../../compiler/diagnostics.ts";
import { HOST_PATH } from "../../firmware-host/scripts/build.ts";
import { firmwareHostAvailable } from "../fuzz/differential.ts";
import { Rng, seedFromEnv } from "../fuzz/random.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "mote-escape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Any control character (C0, DEL, C1) or bidi/separator control left in text that reaches a terminal. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/;

const CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f];
const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

function mote(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd: dir, encoding: "utf8", input, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function host(args: string[], input?: Uint8Array): { code: number; signal: string | null; stderr: string } {
  const r = spawnSync(HOST_PATH, args, { input, encoding: "utf8", timeout: 20_000 });
  return { code: r.status ?? -1, signal: r.signal, stderr: r.stderr ?? "" };
}

function expectOneSafeLine(stderr: string, prefix: RegExp): string {
  const lines = stderr.split("\n");
  expect(lines.at(-1), "the message ends with a newline").toBe("");
  expect(lines.length, `one line: ${JSON.stringify(stderr)}`).toBe(2);
  expect(lines[0]).toMatch(prefix);
  expect(lines[0], `control characters reached the terminal: ${JSON.stringify(lines[0])}`).not.toMatch(UNSAFE);
  return lines[0]!;
}

describe("the escaping rule", () => {
  it("escapes every C0 control and DEL as \\xNN, and nothing printable", () => {
    for (const c of CONTROLS) expect(escapeText(`a${String.fromCharCode(c)}b`)).toBe(`a\\x${hex2(c)}b`);
    const printable = Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)).join("") + "é€😀\uFFFD";
    expect(escapeText(printable)).toBe(printable);
  });

  it("escapes C1 controls, bidi overrides, separators and the BOM as \\u{…}", () => {
    for (const cp of [0x80, 0x85, 0x9b, 0x9f, 0x061c, 0x200e, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069, 0x2028, 0x2029, 0xfeff]) {
      expect(escapeText(String.fromCodePoint(cp))).toBe(`\\u{${cp.toString(16)}}`);
    }
    expect(escapeText("\ud800x\udfff")).toBe("\\u{d800}x\\u{dfff}"); // lone surrogates
  });

  it("shows each byte that is not UTF-8 as \\xNN, and valid UTF-8 as itself", () => {
    const bytes = Uint8Array.from([0x61, 0xff, 0xc3, 0xa9, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82, 0x62, 0xf0, 0x9f, 0x98, 0x80, 0xc3]);
    expect(quoteInput(bytes, 1000)).toBe("a\\xffé\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe2\\x82b😀\\xc3");
    // valid text decodes as TextDecoder decodes it
    const text = new TextEncoder().encode("mote é € 😀 \u202e");
    expect(decodeUtf8Lossless(text)).toBe(new TextDecoder().decode(text));
  });

  it("is idempotent: escaping escaped text changes nothing", () => {
    const r = new Rng(seedFromEnv() ^ 0x21);
    for (let i = 0; i < 200; i++) {
      const once = escapeText(decodeUtf8Lossless(r.bytes(r.int(60))));
      expect(once).not.toMatch(UNSAFE);
      expect(escapeText(once)).toBe(once);
    }
  });

  it("cuts a long token to the budget with an ellipsis, never inside an escape", () => {
    expect(quoteInput("a".repeat(QUOTE_MAX))).toBe("a".repeat(QUOTE_MAX));
    expect(quoteInput("a".repeat(QUOTE_MAX + 1))).toBe("a".repeat(QUOTE_MAX - 1) + "…");
    const esc = quoteInput("\u001b".repeat(40));
    expect(esc).toBe("\\x1b".repeat(15) + "…"); // 15 × 4 = 60 ≤ 63; a 16th would pass the budget
    expect([...quoteInput("0x" + "ab".repeat(40000))].length).toBe(QUOTE_MAX);
  });
});

describe("diagnostics render escaped source lines with aligned carets", () => {
  /** For each E0001 diagnostic, the text under the caret must start with the escaped character. */
  function checkCarets(file: string): number {
    const out = compileFile(file);
    const source = readSourceFile(file)!;
    let checked = 0;
    for (const d of out.diagnostics) {
      const text = formatDiagnostic(d, source);
      const lines = text.split("\n");
      expect(lines[0]).not.toMatch(UNSAFE);
      if (lines.length < 4) continue;
      const shown = lines[2]!.slice(lines[2]!.indexOf("| ") + 2);
      const caretLine = lines[3]!.slice(lines[3]!.indexOf("| ") + 2);
      expect(shown).not.toMatch(UNSAFE);
      const at = caretLine.indexOf("^");
      const original = source.split(/\r\n|\r|\n/)[d.line - 1]!;
      const ch = String.fromCodePoint(original.codePointAt(d.col - 1)!);
      const want = ch === "\t" ? " " : escapeCodePoint(ch.codePointAt(0)!);
      expect(shown.slice(at), `${text}`).toMatch(new RegExp(`^${want.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}`));
      expect(caretLine.slice(at)).toMatch(new RegExp(`^\\^{${Math.max(1, [...want].length)},}`));
      checked++;
    }
    return checked;
  }

  it("every control byte in a source file is shown as \\xNN with the caret under it", () => {
    const file = join(dir, "controls.mote");
    // one control character per line, after some text, so each gets its own diagnostic and a caret
    const body = CONTROLS.filter((c) => c !== 0x00 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x20)
      .map((c) => `  let v${c} = 1 ${String.fromCharCode(c)} 2; // \u001b[2J\u202e`)
      .join("\n");
    writeFileSync(file, `contract C {\n pub fn f() {\n${body}\n } }\n`);
    expect(checkCarets(file)).toBeGreaterThanOrEqual(25);
  });

  it("a NUL byte or bytes that are not UTF-8 are refused (E0009) and shown as \\xNN", () => {
    const nul = join(dir, "nul.mote");
    writeFileSync(nul, Buffer.from("contract C { \u0000 }"));
    const a = compileFile(nul);
    expect(a.diagnostics.map((d) => d.code)).toEqual(["E0009"]);
    const fa = formatDiagnostic(a.diagnostics[0]!, readSourceFile(nul)!);
    expect(fa).toContain("1 | contract C { \\x00 }");
    expect(fa).toContain("  |              ^^^^");
    const bad = join(dir, "bad-utf8.mote");
    writeFileSync(bad, Buffer.concat([Buffer.from("contract C {\n  é "), Buffer.from([0xff, 0xc3]), Buffer.from(" }\n")]));
    const b = compileFile(bad);
    expect(b.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([["E0009", 2, 5]]);
    const fb = formatDiagnostic(b.diagnostics[0]!, readSourceFile(bad)!);
    expect(fb).toContain("2 |   é \\xff\\xc3 }");
    expect(fb).toContain("  |     ^^^^");
  });

  it("a lone CR is a line break, never a carriage return in the output", () => {
    const file = join(dir, "cr.mote");
    writeFileSync(file, "contract C {\r pub fn f() { let x = 1 \u001b 2; } }\n");
    expect(checkCarets(file)).toBeGreaterThanOrEqual(1);
  });

  it("a long line (a binary or minified file) is cut to a window around the caret", () => {
    const line = "x".repeat(500) + "\u001b" + "y".repeat(500);
    const { shown, start, end } = renderSourceLine(line, 501, 502);
    expect([...shown].length).toBeLessThanOrEqual(SOURCE_LINE_MAX);
    expect(shown.startsWith("…") && shown.endsWith("…")).toBe(true);
    expect(shown.slice(start, end)).toBe("\\x1b");
    const early = renderSourceLine(line, 3, 4);
    expect(early.shown.startsWith("xxx")).toBe(true);
    expect(early.start).toBe(2);
  });
});

describe("mote: every message is one escaped line", () => {
  const nasty = ["\u001b[2J\u001b[31mred", "a\rhidden", "tab\tand\u0007bell", "\u202eevil", CONTROLS.filter((c) => c !== 0).map((c) => String.fromCharCode(c)).join("")];

  it("mote check on a binary file prints no raw byte of it", () => {
    const file = join(dir, "binary.mote");
    writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), "check", file], { cwd: dir });
    expect(r.status).toBe(1);
    const err = r.stderr.toString("utf8");
    expect(new TextDecoder("utf-8", { fatal: true }).decode(r.stderr), "the output is valid UTF-8").toBe(err);
    expect(err).toContain("error[E0009]");
    for (const line of err.split("\n")) {
      expect(line).not.toMatch(UNSAFE);
      expect([...line].length).toBeLessThanOrEqual(SOURCE_LINE_MAX + 8);
    }
  });

  it("mote run: bad arguments, paths and options are quoted escaped", () => {
    writeFileSync(join(dir, "C.mote"), "contract C { pub view fn f(a: u64) -> u64 { return a; } }\n");
    for (const arg of nasty) {
      const r = mote(["run", "C.mote", "f", arg]);
      expect(r.code).toBe(2);
      const line = expectOneSafeLine(r.stderr, /^mote: argument 1 \(a: u64\): /);
      expect(line).toContain(quoteInput(arg));
    }
    const p = mote(["run", `missing\u001b[2J.mbc`, "f"]);
    expect(expectOneSafeLine(p.stderr, /^mote: /)).toContain("missing\\x1b[2J.mbc: no such file");
    const o = mote(["run", "C.mote", "f", "1", `--no\u001b]0;title\u0007`]);
    expect(o.code).toBe(2);
    expect(expectOneSafeLine(o.stderr, /^mote: error: unknown option/)).toContain("--no\\x1b]0;title\\x07");
    const huge = mote(["run", "C.mote", "f", "1", `--no${"x".repeat(100_000)}`]);
    expect(huge.code).toBe(2);
    expect(expectOneSafeLine(huge.stderr, /^mote: error: unknown option '--noxxx/).length).toBeLessThan(200);
  });

  it("mote tx: a bad contract id is quoted escaped and cut", () => {
    const id = `0x${"ab".repeat(100)}\u001b[2K\r`;
    const r = mote(["tx", "call", id, "f"]);
    expect(r.code).toBe(2);
    const line = expectOneSafeLine(r.stderr, /^mote: contract: expected a 32-byte contract id/);
    expect(line).toContain(`got '0x${"ab".repeat(30)}a…'`);
    expect(line).toContain(`got '${quoteInput(id)}'`);
    for (const arg of nasty) {
      const n = mote(["tx", "call", arg, "f"]);
      expect(n.code).toBe(2);
      expect(expectOneSafeLine(n.stderr, /^mote: contract: expected a 32-byte contract id/)).toContain(`got '${quoteInput(arg)}'`);
    }
  });

  it("mote check: a path with control characters is escaped in the diagnostic head", () => {
    const name = "we\u001b[1mird\r.mote";
    writeFileSync(join(dir, name), "contract C { pub fn f() { let x = ; } }\n");
    const r = mote(["check", name]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(UNSAFE);
    expect(r.stderr).toContain("we\\x1b[1mird\\x0d.mote:1:35: error[E0002]");
  });
});

describe.skipIf(!firmwareHostAvailable())("mote-host: the same rule in C, byte for byte", () => {
  /** Bytes a batch token can hold: no separator, no comment sign, no NUL (a C string ends there). */
  const SEPARATORS = new Set([0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x23]);

  function viaBatch(token: Uint8Array): string {
    const input = Buffer.concat([Buffer.from("z"), token, Buffer.from("\n")]);
    const r = host(["--batch", "-"], input);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    const line = expectOneSafeLine(r.stderr, /^mote-host: -:1: unknown command '/);
    return line.slice("mote-host: -:1: unknown command '".length, line.lastIndexOf("' (module, call, state, reset)"));
  }

  it("every byte 0x01-0xff inside a batch token is shown as compiler/escape.ts shows it", () => {
    for (let b = 1; b < 256; b++) {
      if (SEPARATORS.has(b)) continue;
      const token = Uint8Array.of(0x61, b, 0x62);
      expect(viaBatch(token), `byte 0x${hex2(b)}`).toBe(quoteInput(Uint8Array.of(0x7a, ...token)));
    }
  });

  it("random byte strings, valid and broken UTF-8, and long tokens agree with the TypeScript rule", () => {
    const seed = seedFromEnv();
    const r = new Rng(seed ^ 0x2121);
    const pieces = [[0xe2, 0x80, 0xae], [0xc2, 0x85], [0xc3, 0xa9], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf], [0x1b, 0x5b, 0x32, 0x4a], [0xe2, 0x80], [0xff], [0x5c, 0x78, 0x31, 0x62]];
    for (let i = 0; i < 60; i++) {
      const bytes: number[] = [];
      const n = r.chance(0.2) ? r.range(60, 300) : r.int(30);
      while (bytes.length < n) {
        if (r.chance(0.4)) bytes.push(...r.pick(pieces));
        else {
          const b = r.int(256);
          if (!SEPARATORS.has(b)) bytes.push(b);
        }
      }
      const token = Uint8Array.from(bytes);
      expect(viaBatch(token), `MOTE_SEED=${seed} case ${i}: ${Buffer.from(token).toString("hex")}`).toBe(quoteInput(Uint8Array.of(0x7a, ...token)));
    }
  });

  it("arguments with control bytes, ESC sequences, CR and invalid UTF-8 give one escaped line", () => {
    const bad = host([`--zz\u001b[2J\u001b]0;t\u0007\r\n`]);
    expect(bad.code).toBe(2);
    expect(expectOneSafeLine(bad.stderr, /^mote-host: unknown option '/)).toContain("--zz\\x1b[2J\\x1b]0;t\\x07\\x0d\\x0a'");
    for (const c of CONTROLS.filter((c) => c !== 0)) {
      const r = host([join(dir, "m.mbc"), "f", `0x${String.fromCharCode(c)}`]);
      expect(r.code).not.toBe(0);
      expectOneSafeLine(r.stderr, /^mote-host: /);
    }
    // invalid UTF-8 in an argument (through the shell: Node passes arguments as UTF-8 strings)
    const sh = spawnSync("sh", ["-c", `exec "$0" "$(printf '\\377\\376\\342\\200\\256.mbc')" f`, HOST_PATH], { encoding: "utf8" });
    expect(sh.status).toBe(1);
    expect(expectOneSafeLine(sh.stderr, /^mote-host: /)).toBe("mote-host: \\xff\\xfe\\u{202e}.mbc: no such file");
  });

  it("regression: a form feed in a batch line is whitespace, and a long token is cut (MOTE_SEED=977775016)", () => {
    const hexModule = "0x4d4f5445" + "00".repeat(3000);
    const ff = host(["--batch", "-"], Buffer.from(`module \f${hexModule}\n`));
    expect(ff.stderr).toBe("");
    expect(ff.code).toBe(0);
    const long = host(["--batch", "-"], Buffer.from(`module \u0001${hexModule}\n`));
    const line = expectOneSafeLine(long.stderr, /^mote-host: \\x01/);
    expect(line.length).toBeLessThan(300);
    expect(line).toContain("…");
  });
});
