// Diagnostics that named the wrong problem: a second contract in a file (E0012, once, with a hint that fits),
// the text of a constant expression that overflows (E0041, no `--N`, fixed values as decimals), and a value
// that must be a compile-time constant but is a parameter, local or storage field (E0054, not E0020). Each
// regression asserts code, line:col, message and hint, beside the source one step away that compiles.
import { beforeAll, describe, expect, it } from "vitest";
import { foldBinary, foldConvert, foldUnary, FIXED_ONE } from "../../compiler/constfold.ts";
import { compileSource } from "../../compiler/index.ts";
import { all, loc, show } from "./source-helpers.ts";
import { FIXED, I64, U64 } from "../../compiler/types.ts";
import { MemoryStateStore, MoteVM, type Value } from "../../vm/host/index.ts";



let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

/** Compiles `src` (no diagnostics at all allowed) and runs `fn`. */
function run(src: string, fn: string, args: Value[] = [], files: Record<string, string> = {}) {
  const out = compileSource(src, "c.mote", (p) => files[p]);
  expect(out.diagnostics.map(show)).toEqual([]);
  const r = vm.call(out.module!, fn, args, { store: new MemoryStateStore() });
  return { status: r.status, returns: r.returns };
}

describe("E0012: a second contract in the file being compiled", () => {
  it("regression: two contracts of one name were reported twice (E0012 and E0023), with the hint to add a contract", () => {
    expect(all("contract A { }\ncontract A { }\n")).toEqual([
      "E0012 2:1: a file defines one contract, and `A` is already defined at line 1 [hint: remove this second `contract A`, or merge its members into the first]",
    ]);
    // a repeat after a contract of another name: each extra contract once, none of them again as E0023
    expect(all("contract A { }\ncontract B { }\ncontract A { }\n")).toEqual([
      "E0012 2:1: a file defines one contract, and `A` is already defined at line 1 [hint: move `B` to a file of its own; to read its storage from `A`, import that file or declare `extern contract B { storage … }` here]",
      "E0012 3:1: a file defines one contract, and `A` is already defined at line 1 [hint: remove this second `contract A`, or merge its members into the first]",
    ]);
    // the first one alone compiles and runs
    expect(run("contract A { pub fn f() -> u64 { return 7; } }\n", "f")).toEqual({ status: "ok", returns: [7n] });
  });

  it("regression: a second contract of another name got the hint to add a contract", () => {
    const two = "contract A {\n  pub fn f() -> u64 { return 1; }\n}\ncontract B { storage n: u64; }\n";
    expect(all(two)).toEqual([
      "E0012 4:1: a file defines one contract, and `A` is already defined at line 1 [hint: move `B` to a file of its own; to read its storage from `A`, import that file or declare `extern contract B { storage … }` here]",
    ]);
    // what the hint says to do compiles: B declared as an extern contract, or B in its own file, imported
    const reader = "contract A {\n  pub fn f(id: hash) -> u64 { return B(id).n; }\n}\n";
    expect(all(`${reader}extern contract B { storage n: u64; }\n`)).toEqual([]);
    expect(all(`import "b.mote";\n${reader}`, { "b.mote": "contract B { storage n: u64; pub fn g() { n = 1; } }\n" })).toEqual([]);
  });

  it("the other E0012 and E0023 cases keep their wording", () => {
    expect(all("fn f() -> u64 { return 1; }\n")).toEqual(["E0012 1:1: c.mote defines no contract [hint: add `contract Name { … }`]"]);
    expect(all("extern contract A { storage n: u64; }\ncontract A { }\n")).toEqual(["E0023 1:1: `A` is defined more than once"]);
    expect(all("contract A { }\nextern contract D { storage x: u64; }\nextern contract D { storage y: u64; }\n")).toEqual(["E0023 3:1: `D` is defined more than once"]);
  });
});

describe("E0041: the text of a constant expression that always fails", () => {
  const MIN = "-9223372036854775807 - 1";
  const inC = (consts: string, ret: string, body: string) => `contract C {\n${consts}  pub fn f() -> ${ret} { return ${body}; }\n}\n`;

  it("regression: negating a negative constant printed a double minus (--9223372036854775808)", () => {
    const src = inC("", "i64", `-(${MIN})`);
    expect(all(src)).toEqual([`E0041 ${loc(src, "-(")}: constant expression overflows i64 (-(-9223372036854775808))`]);
    const viaConst = inC(`  const M: i64 = ${MIN};\n`, "i64", "-M");
    expect(all(viaConst)).toEqual([`E0041 ${loc(viaConst, "-M;")}: constant expression overflows i64 (-(-9223372036854775808))`]);
    // one step away: the negation of a negative that fits
    expect(run(inC("", "i64", "-(-9223372036854775807)"), "f")).toEqual({ status: "ok", returns: [9223372036854775807n] });
  });

  it("regression: a negative right operand was printed bare after its operator (1 - -9223372036854775808)", () => {
    const consts = `  const M: i64 = ${MIN};\n  const X: i64 = 9223372036854775807;\n`;
    const cases: [string, string][] = [
      ["1 - M", "overflows i64 (1 - (-9223372036854775808))"],
      ["X - M", "overflows i64 (9223372036854775807 - (-9223372036854775808))"],
      ["M + -1", "overflows i64 (-9223372036854775808 + (-1))"],
      ["M * -1", "overflows i64 (-9223372036854775808 * (-1))"],
      ["M / -1", "overflows i64 (-9223372036854775808 / (-1))"],
      ["M - 1", "overflows i64 (-9223372036854775808 - 1)"],
      ["-5 / 0", "divides by zero (-5 / 0)"],
      ["-5 % 0", "divides by zero (-5 % 0)"],
    ];
    for (const [body, what] of cases) {
      const src = inC(consts, "i64", body);
      expect(all(src), body).toEqual([`E0041 ${loc(src, `${body};`)}: constant expression ${what}`]);
    }
    expect(run(inC(consts, "i64", "-1 - M + (X - 5) / -2"), "f")).toEqual({ status: "ok", returns: [9223372036854775807n - 4611686018427387901n] });
  });

  it("regression: a fixed operand was printed as its raw Q47.16 bits", () => {
    const consts = "  const BIG: fixed = 140737488355327.5;\n  const NEG: fixed = -1.5;\n";
    const cases: [string, string, string][] = [
      ["fixed", "BIG * 2.0", "overflows fixed (140737488355327.5 * 2.0)"],
      ["fixed", "BIG * -3.25", "overflows fixed (140737488355327.5 * (-3.25))"],
      ["fixed", "-BIG - 2.0", "overflows fixed (-140737488355327.5 - 2.0)"],
      ["fixed", "-(-140737488355328.0)", "overflows fixed (-(-140737488355328.0))"],
      ["fixed", "NEG / 0.0", "divides by zero (-1.5 / 0.0)"],
      ["u64", "u64(NEG)", "overflows u64 (-1.5 as u64)"],
    ];
    for (const [ret, body, what] of cases) {
      const src = inC(consts, ret, body);
      expect(all(src), body).toEqual([`E0041 ${loc(src, `${body};`)}: constant expression ${what}`]);
    }
    expect(run(inC(consts, "fixed", "BIG - 0.5 + NEG * 2.0"), "f")).toEqual({ status: "ok", returns: [140737488355324n * FIXED_ONE] });
  });

  it("every path of compiler/constfold.ts that writes the expression: no `--`, no `- -`, negatives in parentheses", () => {
    const min = -(1n << 63n);
    expect(foldUnary("-", I64, min)).toEqual({ error: "overflows i64 (-(-9223372036854775808))" });
    expect(foldBinary("-", I64, 0n, min)).toEqual({ error: "overflows i64 (0 - (-9223372036854775808))" });
    expect(foldBinary("+", I64, min, -1n)).toEqual({ error: "overflows i64 (-9223372036854775808 + (-1))" });
    expect(foldBinary("*", I64, min, -1n)).toEqual({ error: "overflows i64 (-9223372036854775808 * (-1))" });
    expect(foldBinary("/", I64, min, -1n)).toEqual({ error: "overflows i64 (-9223372036854775808 / (-1))" });
    expect(foldBinary("/", I64, -7n, 0n)).toEqual({ error: "divides by zero (-7 / 0)" });
    expect(foldBinary("%", I64, -7n, 0n)).toEqual({ error: "divides by zero (-7 % 0)" });
    expect(foldConvert(I64, U64, -1n)).toEqual({ error: "overflows u64 (-1 as u64)" });
    expect(foldConvert(FIXED, U64, -FIXED_ONE - FIXED_ONE / 4n)).toEqual({ error: "overflows u64 (-1.25 as u64)" });
    // the smallest fixed step is written exactly, all 16 decimals of 2^-16
    expect(foldBinary("/", FIXED, 1n, 0n)).toEqual({ error: "divides by zero (0.0000152587890625 / 0.0)" });
    expect(foldUnary("-", I64, -5n)).toEqual({ value: 5n });
  });
});

describe("E0054: a value that must be a compile-time constant", () => {
  const HINT = "write the width as 1, 2, 4 or 8, or as a `const` of one of them";
  /** A contract whose `f(x)` returns `to_bytes(x, arg)`, after `pre` (members) and `lets` (statements). */
  const width = (pre: string, arg: string, lets = "") => `contract C {\n${pre}  pub fn f(x: u64) -> bytes { ${lets}return to_bytes(x, ${arg}); }\n}\n`;

  it("regression: a parameter as the width of to_bytes was reported as a name not in scope (E0020)", () => {
    const src = width("", "x");
    expect(all(src)).toEqual([`E0054 ${loc(src, "x); }")}: the width of \`to_bytes\` is not a compile-time constant [hint: ${HINT}]`]);
    // a local, a storage field, a function call and a run-time builtin: named as not constant, once
    const local = width("", "w", "let w = 2; ");
    expect(all(local)).toEqual([`E0054 ${loc(local, "w); }")}: the width of \`to_bytes\` is not a compile-time constant [hint: ${HINT}]`]);
    for (const [pre, arg] of [["  storage n: u64;\n", "n"], ["  fn g() -> u64 { return 2; }\n", "g()"], ["", "now()"]] as const) {
      const s = width(pre, arg);
      expect(all(s), arg).toEqual([`E0054 ${loc(s, `${arg}); }`)}: the width of \`to_bytes\` is not a compile-time constant [hint: ${HINT}]`]);
    }
    // a name that exists nowhere is still E0020
    const unknown = width("", "zz");
    expect(all(unknown)).toEqual([`E0020 ${loc(unknown, "zz")}: cannot find \`zz\` in this scope`]);
    // one step away: a literal width, a global constant and a constant expression compile and run
    expect(run(width("", "2"), "f", [0x0102_0304n])).toEqual({ status: "ok", returns: [Uint8Array.of(4, 3)] });
    expect(run(`const W: u64 = 4;\n${width("", "W")}`, "f", [0x0102_0304n])).toEqual({ status: "ok", returns: [Uint8Array.of(4, 3, 2, 1)] });
    expect(run(width("", "1 + 1"), "f", [0x0102n])).toEqual({ status: "ok", returns: [Uint8Array.of(2, 1)] });
  });

  it("regression: the contract's own constant as the width of to_bytes was not found (E0020)", () => {
    expect(run(width("  const W: u64 = 1;\n", "W"), "f", [0x0102n])).toEqual({ status: "ok", returns: [Uint8Array.of(2)] });
    // a local of the constant's name hides it, and is no constant
    const hidden = width("  const W: u64 = 1;\n", "W", "let W = 2; ");
    expect(all(hidden)).toEqual([`E0054 ${loc(hidden, "W); }")}: the width of \`to_bytes\` is not a compile-time constant [hint: ${HINT}]`]);
  });

  it("regression: the width of to_bytes that was no constant was called `this length`", () => {
    const src = width("", "height()");
    expect(all(src)).toEqual([`E0054 ${loc(src, "height()")}: the width of \`to_bytes\` is not a compile-time constant [hint: ${HINT}]`]);
  });

  it("regression: a parameter or local as an array length or repeat count was reported as a name not in scope (E0020)", () => {
    const LEN = "write the length as a literal or a `const`";
    const typeLen = "contract C {\n  pub fn f(n: u64) -> u64 { let a: [u64; n] = [1, 2]; return a[0]; }\n}\n";
    expect(all(typeLen)).toEqual([`E0054 ${loc(typeLen, "n] =")}: this length is not a compile-time constant [hint: ${LEN}]`]);
    const repeat = "contract C {\n  pub fn f() -> u64 { let n = 2; let a = [7; n]; return a[0]; }\n}\n";
    expect(all(repeat)).toEqual([`E0054 ${loc(repeat, "n];")}: this length is not a compile-time constant [hint: ${LEN}]`]);
    // one step away: the contract's constant as the length, and as the count
    const ok = "contract C {\n  const N: u64 = 2;\n  pub fn f(i: u64) -> u64 { let a: [u64; N] = [7; N]; a[1] = 9; return a[0] + a[i]; }\n}\n";
    expect(run(ok, "f", [1n])).toEqual({ status: "ok", returns: [16n] });
  });
});
