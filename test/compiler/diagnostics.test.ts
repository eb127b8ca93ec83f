// Every diagnostic code is produced by a test; recovery reports all errors of a file; the rendering of
// a diagnostic (file:line:col, source line, caret, hint) is exact.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE, formatDiagnostic, MAX_DIAGNOSTICS } from "../../compiler/diagnostics.ts";
import { compileFile, compileSource } from "../../compiler/index.ts";

const codesOf = (src: string, files: Record<string, string> = {}): string[] =>
  compileSource(src, "main.mote", (p) => files[p]).diagnostics.map((d) => d.code);

describe("diagnostics catalogue", () => {
  it("has unique, well-formed codes", () => {
    const codes = CATALOGUE.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of CATALOGUE) {
      expect(r.code).toMatch(r.severity === "error" ? /^E\d{4}$/ : /^W\d{4}$/);
      expect(r.explain.length).toBeGreaterThan(20);
    }
  });

  for (const r of CATALOGUE.filter((x) => x.example !== "")) {
    it(`${r.code} ${r.title}: its example reports it`, () => {
      const out = compileSource(r.example, "example.mote");
      const d = out.diagnostics.find((x) => x.code === r.code);
      expect(d, JSON.stringify(out.diagnostics)).toBeDefined();
      expect(d!.severity).toBe(r.severity);
      const lines = r.example.split("\n");
      expect(d!.line).toBeGreaterThanOrEqual(1);
      expect(d!.line).toBeLessThanOrEqual(lines.length);
      expect(d!.col).toBeGreaterThanOrEqual(1);
      if (r.severity === "error") expect(out.module).toBeUndefined();
    });
  }

  it("E0008: stops after MAX_DIAGNOSTICS errors", () => {
    const src = `contract C {\n${"  storage x: nope;\n".repeat(300)}}`;
    const d = compileSource(src, "many.mote").diagnostics;
    expect(d).toHaveLength(MAX_DIAGNOSTICS);
    expect(d[d.length - 1]!.code).toBe("E0008");
  });

  it("E0009: binary input (a NUL byte, bytes that are not UTF-8) is rejected before lexing", () => {
    const d = compileSource("contract C {}\n  \u0000\u0001\u0002", "bin.mote").diagnostics;
    expect(d.map((x) => `${x.line}:${x.col}:${x.code}`)).toEqual(["2:3:E0009"]);
    const dir = mkdtempSync(join(tmpdir(), "mote-"));
    writeFileSync(join(dir, "latin1.mote"), Uint8Array.from([...Buffer.from("contract C {}\n// caf"), 0xe9, 0x0a]));
    const out = compileFile(join(dir, "latin1.mote")).diagnostics;
    expect(out.map((x) => `${x.line}:${x.col}:${x.code}:${x.message}`)).toEqual(["2:7:E0009:the source is not UTF-8 text (it contains bytes that are not UTF-8)"]);
  });

  it("E0010 and E0011: missing imports and import cycles", () => {
    expect(codesOf('import "nowhere.mote";\ncontract C { }')).toEqual(["E0010"]);
    const files = { "a.mote": 'import "b.mote";\nfn fa() -> u64 { return 1; }', "b.mote": 'import "a.mote";\nfn fb() -> u64 { return 2; }' };
    const codes = compileSource('import "a.mote";\ncontract C { pub view fn f() -> u64 { return fa(); } }', "main.mote", (p) => files[p as "a.mote"]).diagnostics;
    expect(codes.map((d) => d.code)).toEqual(["E0011"]);
    expect(codes[0]!.message).toBe("import cycle: a.mote → b.mote → a.mote");
    expect(codes[0]!.file).toBe("b.mote");
  });

  it("E0013: a missing input file", () => {
    const out = compileFile("/nonexistent/dir/x.mote");
    expect(out.diagnostics.map((d) => d.code)).toEqual(["E0013"]);
  });

  it("E0099: misuse from TypeScript becomes an internal-error diagnostic, not a throw", () => {
    const out = compileSource(undefined as unknown as string, "x.mote");
    expect(out.diagnostics.map((d) => d.code)).toEqual(["E0099"]);
  });

  it("E0014: every way of nesting deeply gets a diagnostic, never a stack overflow", () => {
    const fn = (body: string): string => `contract C { pub view fn f(a: u64) -> u64 { ${body} } }`;
    const cases: [string, string][] = [
      [fn(`return ${"(".repeat(5000)}a${")".repeat(5000)};`), "brackets nested more than 64 deep"],
      [fn(`${"{".repeat(5000)}${"}".repeat(5000)} return a;`), "brackets nested more than 64 deep"],
      [fn(`return ${"g(".repeat(5000)}a${")".repeat(5000)};`), "brackets nested more than 64 deep"],
      [fn(`return ${"-".repeat(5000)}1;`), "more than 64 prefix operators in a row"],
      [fn(`return a${" + a".repeat(100000)};`), "an expression nested more than 256 levels deep (operators chain into depth too)"],
      [fn(`if a == 0 { return 0; }${" else if a == 1 { return 1; }".repeat(5000)} return 2;`), "an `else if` chain longer than 128"],
      [`contract C { storage s: ${"map<u64, ".repeat(5000)}u64${">".repeat(5000)}; }`, "map types nested more than 64 deep"],
    ];
    for (const [src, message] of cases) {
      const d = compileSource(src, "deep.mote").diagnostics;
      expect(d.map((x) => `${x.code} ${x.message}`)).toEqual([`E0014 ${message}`]);
    }
    // at the limits, programs still compile
    expect(compileSource(fn(`return ${"(".repeat(60)}a${")".repeat(60)};`), "ok.mote").diagnostics).toEqual([]);
    expect(compileSource(fn(`return a${" + a".repeat(200)};`), "ok.mote").diagnostics).toEqual([]);
  });

  it("E0014: imports nested more than 64 files deep", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 100; i++) files[`f${i}.mote`] = `import "f${i + 1}.mote";\nfn g${i}() -> u64 { return 1; }`;
    files["f100.mote"] = "fn last() -> u64 { return 1; }";
    const d = compileSource('import "f0.mote";\ncontract C { }', "main.mote", (p) => files[p]).diagnostics;
    expect(d.map((x) => `${x.code} ${x.file} ${x.message}`)).toEqual(["E0014 f63.mote imports nested more than 64 files deep"]);
  });

  it("E0050: two public functions whose selectors collide", () => {
    // f29738 and f52122 share the selector 0x4f400bcd (found by search; the VM would reject the module)
    const d = compileSource("contract C { pub fn f29738() { } pub fn f52122() { } }", "s.mote").diagnostics;
    expect(d.map((x) => `${x.code} ${x.message}`)).toEqual(["E0050 `f52122` and `f29738` have the same selector 0x4f400bcd; rename one"]);
  });

  it("imported files report errors at their own path", () => {
    const files = { "lib/util.mote": "fn helper() -> u64 { return true; }" };
    const d = compileSource('import "lib/util.mote";\ncontract C { }', "main.mote", (p) => files[p as "lib/util.mote"]).diagnostics;
    expect(d.map((x) => `${x.file}:${x.line}:${x.code}`)).toEqual(["lib/util.mote:1:E0030"]);
  });
});

describe("hints", () => {
  it("suggest the closest known name", () => {
    const src = [
      "struct Point { x: u64, y: u64 }",
      "contract C {",
      "  storage balances: map<pubkey, u64>;",
      "  event Transfer(a: u64);",
      "  pub fn f(amount: u64) -> u64 {",
      "    emit Transfr(1);",
      "    let q: Pont = Point { x: 1, y: 2 };",
      "    return balance[caller()] + amout + q.z + sha265(0x00) + zzz;", // q has no type: no cascade on q.z
      "  }",
      "}",
    ].join("\n");
    const d = compileSource(src, "h.mote").diagnostics.filter((x) => x.severity === "error");
    expect(d.map((x) => `${x.code} ${x.hint ?? "-"}`)).toEqual([
      "E0025 did you mean `Transfer`?",
      "E0021 did you mean `Point`?",
      "E0020 did you mean `balances`?",
      "E0020 did you mean `amount`?",
      "E0022 did you mean `sha256`?",
      "E0020 -",
    ]);
  });
});

describe("recovery", () => {
  it("reports every syntax error of a file, not only the first", () => {
    const src = [
      "contract C {",
      "  storage a: u64",
      "  pub fn f() { let = 1; }",
      "  pub fn g() { return 1 +; }",
      "  pub fn h() -> u64 { return 2; }",
      "}",
    ].join("\n");
    const d = compileSource(src, "r.mote").diagnostics;
    expect(d.map((x) => `${x.line}:${x.col}: ${x.message}`)).toEqual([
      "2:17: expected `;` after `u64`",
      "3:20: expected a name, found `=`",
      "4:26: expected an expression, found `;`",
    ]);
  });

  it("reports every type error of a file", () => {
    const src = [
      "contract C {",
      "  pub fn f() -> u64 { return true; }",
      "  pub fn g() { let x: i64 = y; }",
      "  pub fn h(a: u64) -> bool { return a; }",
      "}",
    ].join("\n");
    const d = compileSource(src, "t.mote").diagnostics.filter((x) => x.severity === "error");
    expect(d.map((x) => `${x.line}:${x.code}`)).toEqual(["2:E0030", "3:E0020", "4:E0030"]);
  });
});

describe("formatDiagnostic", () => {
  it("prints file:line:col, the source line, a caret under the span and the hint", () => {
    const src = "contract C {\n  pub view fn f(a: i64) -> u64 { return a; }\n}\n";
    const [d] = compileSource(src, "dir/c.mote").diagnostics;
    expect(formatDiagnostic(d!, src)).toBe(
      [
        "dir/c.mote:2:41: error[E0030]: expected u64, found i64",
        "  |",
        "2 |   pub view fn f(a: i64) -> u64 { return a; }",
        "  |                                         ^",
        "  = hint: convert explicitly: `u64(…)`",
      ].join("\n"),
    );
  });

  it("never passes terminal escapes or bidi overrides through", () => {
    const src = 'contract C { pub fn f() { let x = "\u001b[2J\u202e"; } }';
    const text = compileSource(src, "e.mote").diagnostics.map((d) => formatDiagnostic(d, src)).join("\n");
    expect(text).toContain("E0040");
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text).toContain(String.raw`let x = "\x1b[2J\u{202e}";`);
  });

  it("survives a diagnostic whose line is not in the source", () => {
    const text = formatDiagnostic({ code: "E0013", severity: "error", message: "cannot read x", file: "x", line: 9, col: 1, endLine: 9, endCol: 2 }, "");
    expect(text).toBe("x:9:1: error[E0013]: cannot read x");
  });
});

describe("compileFile", () => {
  it("reads imports relative to the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-"));
    writeFileSync(join(dir, "lib.mote"), "fn two() -> u64 { return 2; }\n");
    writeFileSync(join(dir, "main.mote"), 'import "lib.mote";\ncontract M { pub view fn f() -> u64 { return two(); } }\n');
    const out = compileFile(join(dir, "main.mote"));
    expect(out.diagnostics).toEqual([]);
    expect(out.module).toBeInstanceOf(Uint8Array);
  });
});
