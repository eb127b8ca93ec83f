// What the checker decides about expressions, each at its edge (issue 20: Stryker survivors of
// compiler/checker.ts, expr/arrayOf/structLit/unary/pair/binary/fold): every rejection of a literal, an array,
// a struct literal, a unary or a binary operator names the problem and where (code, line:col, message, hint),
// one step away compiles; a literal takes the type of its context or of the other operand; constant operands
// fold (so a `const` may use them, and `true && x` compiles to exactly `x`); what compiles runs on the VM.
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource, type ToolingInfo } from "../../compiler/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";

const MAX = LIMITS.MAX_BYTES_LEN.value;
/** The declarations every source starts with: the body begins on line 5. */
const wrap = (body: string) => `enum Phase { Open, Locked }\nstruct P { a: u64, ok: bool }\ncontract C {\n  storage n: u64;\n${body}\n}\n`;
const fmt = (d: { code: string; line: number; col: number; message: string; hint?: string }) =>
  `${d.code} ${d.line}:${d.col}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ""}`;
/** The errors of a whole source, as `code line:col: message (hint: …)`. */
const errorsOf = (src: string) =>
  compileSource(src, "c.mote")
    .diagnostics.filter((d) => d.severity === "error")
    .map(fmt);
/** The errors of one contract member (on line 5). */
const errs = (body: string) => errorsOf(wrap(body));
/** The bytecode of a contract member, which must compile. */
const moduleOf = (body: string): string => {
  const out = compileSource(wrap(body), "c.mote");
  expect(out.diagnostics.filter((d) => d.severity === "error").map(fmt)).toEqual([]);
  return Buffer.from(out.module!).toString("hex");
};
const i64 = (v: bigint) => BigInt.asIntN(64, v);
const FIX = (n: bigint) => n << 16n;

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});
/** Compiles `body` (it must compile) and calls `fn`; returns the status and the results (i64 read as signed). */
function run(body: string, fn: string, args: (bigint | Uint8Array)[] = [], store = new MemoryStateStore()) {
  const out = compileSource(wrap(body), "c.mote");
  expect(out.diagnostics.filter((d) => d.severity === "error").map(fmt)).toEqual([]);
  const r = vm.call(out.module!, fn, args.map((a) => (typeof a === "bigint" ? BigInt.asUintN(64, a) : a)), { store });
  return { status: r.status, returns: r.returns.map((v) => (typeof v === "bigint" ? i64(v) : v)) };
}
const ret = (body: string, fn = "f", args: (bigint | Uint8Array)[] = []) => {
  const r = run(body, fn, args);
  expect(r.status).toBe("ok");
  return r.returns;
};

describe("hex byte-string literals (E0005, E0050)", () => {
  const HINT = "byte strings take two hex digits per byte";
  it("a digit that is not hex, anywhere in the literal, is E0005 naming the literal", () => {
    for (const lit of ["0xZZ", "0xg1", "0x1g", "0x12_3z"]) {
      expect(errs(`  pub fn f() -> bytes { return ${lit}; }`)).toEqual([`E0005 5:32: invalid hex literal ${lit}: not a hex digit (hint: ${HINT})`]);
    }
  });

  it("no digits and an odd number of digits are told apart", () => {
    expect(errs("  pub fn f() -> bytes { return 0x; }")).toEqual([`E0005 5:32: invalid hex literal 0x: no digits (hint: ${HINT})`]);
    expect(errs("  pub fn f() -> bytes { return 0x_; }")).toEqual([`E0005 5:32: invalid hex literal 0x_: no digits (hint: ${HINT})`]);
    expect(errs("  pub fn f() -> bytes { return 0x123; }")).toEqual([`E0005 5:32: invalid hex literal 0x123: odd number of digits (hint: ${HINT})`]);
    expect(ret("  pub fn f() -> bytes { return 0xaB_0f; }")).toEqual([Uint8Array.of(0xab, 0x0f)]);
  });

  it(`a literal of ${MAX} bytes is a value, one of ${MAX + 1} is E0050`, () => {
    expect(ret(`  pub fn f() -> u64 { return len(0x${"5a".repeat(MAX)}); }`)).toEqual([BigInt(MAX)]);
    expect(errs(`  pub fn f() -> u64 { return len(0x${"5a".repeat(MAX + 1)}); }`)).toEqual([`E0050 5:34: a byte string is at most ${MAX} bytes`]);
  });
});

describe("a type name is not a value (E0033)", () => {
  it("`u64` alone is rejected, `u64(…)` converts", () => {
    expect(errs("  pub fn f() -> u64 { return u64; }")).toEqual(["E0033 5:30: type `u64` is not a value"]);
    expect(ret("  pub fn f() -> u64 { return u64(7); }")).toEqual([7n]);
  });
});

describe("array literals `[v; N]` and `[a, b, …]`", () => {
  it("a repeat count that is not an integer is reported once, and so is an element that does not resolve", () => {
    expect(errs("  pub fn f() -> u64 { let z = [0; 0x01]; return z[0]; }")).toEqual(["E0030 5:35: expected u64, found bytes"]);
    expect(errs("  pub fn f() -> u64 { let z = [zz; 4]; return z[0]; }")).toEqual(["E0020 5:32: cannot find `zz` in this scope"]);
    expect(errs("  pub fn f() -> u64 { let z = [zz, 1]; return z[0]; }")).toEqual(["E0020 5:32: cannot find `zz` in this scope"]);
  });

  it("an element of no fixed size is E0038: at the value of a repeat, at the `[` of a list", () => {
    expect(errs("  pub fn f() -> u64 { let z = [0x00; 2]; return len(z[0]); }")).toEqual(["E0038 5:32: bytes cannot be a struct field or array element"]);
    expect(errs("  pub fn f() -> u64 { let z = [0x00, 0x01]; return len(z[0]); }")).toEqual(["E0038 5:31: bytes cannot be a struct field or array element"]);
  });

  it(`an array packs to 1..${MAX} bytes: a zero count and one element past ${MAX} bytes are E0050`, () => {
    const LIMIT = `an array packs to at most ${MAX} bytes`;
    const n64 = MAX / 8;
    expect(errs("  pub fn f() -> u64 { let z = [7; 0]; return 0; }")).toEqual([`E0050 5:31: ${LIMIT}`]);
    expect(ret("  pub fn f() -> u64 { let z = [7; 1]; return z[0] + len(bytes(z)); }")).toEqual([15n]);
    expect(ret(`  pub fn f() -> u64 { let z = [7; ${n64}]; return len(bytes(z)) + z[${n64 - 1}]; }`)).toEqual([BigInt(MAX + 7)]);
    expect(errs(`  pub fn f() -> u64 { let z = [7; ${n64 + 1}]; return 0; }`)).toEqual([`E0050 5:31: ${LIMIT}`]);
    expect(ret(`  pub fn f() -> u64 { let z = [true; ${MAX}]; return len(bytes(z)); }`)).toEqual([BigInt(MAX)]);
    expect(errs(`  pub fn f() -> u64 { let z = [true; ${MAX + 1}]; return 0; }`)).toEqual([`E0050 5:31: ${LIMIT}`]);
    const list = (n: number, v: string) => `[${Array(n).fill(v).join(", ")}]`;
    expect(ret(`  pub fn f() -> u64 { let z = ${list(n64, "3")}; return len(bytes(z)); }`)).toEqual([BigInt(MAX)]);
    expect(errs(`  pub fn f() -> u64 { let z = ${list(n64 + 1, "3")}; return 0; }`)).toEqual([`E0050 5:31: ${LIMIT}`]);
    expect(ret(`  pub fn f() -> u64 { let z = ${list(MAX, "false")}; return len(bytes(z)); }`)).toEqual([BigInt(MAX)]);
    expect(errs(`  pub fn f() -> u64 { let z = ${list(MAX + 1, "false")}; return 0; }`)).toEqual([`E0050 5:31: ${LIMIT}`]);
  });

  it("a repeat packs count × element size bytes and its elements take the wanted element type", () => {
    expect(ret("  pub fn f() -> u64 { let z = [9; 3]; return len(bytes(z)) * 100 + z[2]; }")).toEqual([2409n]);
    expect(ret("  pub fn f() -> i64 { let z: [i64; 2] = [-4; 2]; return z[0] + z[1]; }")).toEqual([-8n]);
    expect(ret("  pub fn f() -> fixed { let z: [fixed; 2] = [3, 1]; return z[0] / z[1]; }")).toEqual([FIX(3n)]);
    expect(ret("  pub fn f() -> u64 { let z = [[5; 3]; 2]; z[1][2] = 6; return len(bytes(z)) * 100 + z[1][2] * 10 + z[0][2]; }")).toEqual([4865n]);
  });
});

describe("struct literals", () => {
  it("an unknown struct is E0021 with a guess, and its field values are still checked", () => {
    expect(errs("  pub fn f() -> u64 { let r = Pt { a: zz }; return 0; }")).toEqual([
      "E0021 5:31: unknown type `Pt` (hint: did you mean `P`?)",
      "E0020 5:39: cannot find `zz` in this scope",
    ]);
  });

  it("a literal of a struct whose declaration was rejected adds nothing to that error", () => {
    const src = "struct Bad { b: bytes }\ncontract C {\n  pub fn f() -> u64 { let r = Bad { b: 0x00 }; return 0; }\n}\n";
    expect(errorsOf(src)).toEqual(["E0038 1:17: bytes cannot be a struct field or array element"]);
  });

  it("a field given twice is E0023 at the second", () => {
    expect(errs("  pub fn f() -> u64 { let r = P { a: 1, a: 2, ok: true }; return r.a; }")).toEqual(["E0023 5:41: `a` is defined more than once"]);
  });

  it("a field the struct lacks is E0024 with a guess, and its value is still checked", () => {
    expect(errs("  pub fn f() -> u64 { let r = P { a: 1, ok: true, oj: qq }; return r.a; }")).toEqual([
      "E0024 5:51: struct `P` has no field `oj` (hint: did you mean `ok`?)",
      "E0020 5:55: cannot find `qq` in this scope",
    ]);
  });

  it("a missing field is E0002 at the struct name, and the literal is then not reported again as mistyped", () => {
    expect(errs("  pub fn f() -> u64 { let r: u64 = P { a: 1 }; return r; }")).toEqual(["E0002 5:36: missing field `ok` in `P { … }`"]);
  });

  it("fields given in any order pack in declaration order", () => {
    const body = "  pub fn f() -> u64 { let r = P { ok: true, a: 4 }; let b = bytes(r); if r.ok { return r.a * 1000 + len(b) * 10 + u64(b[8]); } return 0; }";
    expect(ret(body)).toEqual([4091n]);
  });

  it("the names in a literal are resolved for tools: the struct and each field, with their declarations and types", () => {
    const tooling: ToolingInfo = {};
    const src = "struct P { a: u64, ok: bool }\ncontract C {\n  pub fn f() -> u64 { let r = P { ok: true, a: 4 }; return r.a; }\n}\n";
    compileSource(src, "c.mote", undefined, { tooling });
    const P = { k: "struct", name: "P", fields: [{ name: "a", type: { k: "u64" }, offset: 0 }, { name: "ok", type: { k: "bool" }, offset: 8 }], size: 9 };
    const at = (line: number, col: number, endLine: number, endCol: number) => ({ file: "c.mote", line, col, endLine, endCol });
    expect(tooling.uses!.filter((u) => u.span.line === 3 && u.span.col < 50 && (u.kind === "struct" || u.kind === "field"))).toEqual([
      { span: at(3, 31, 3, 32), kind: "struct", name: "P", type: P, decl: at(1, 1, 1, 30) },
      { span: at(3, 35, 3, 37), kind: "field", name: "P.ok", type: { k: "bool" }, decl: at(1, 20, 1, 28) },
      { span: at(3, 45, 3, 46), kind: "field", name: "P.a", type: { k: "u64" }, decl: at(1, 12, 1, 18) },
    ]);
  });
});

describe("unary operators", () => {
  it("a negative literal takes an i64 or fixed context, and is i64 otherwise", () => {
    expect(ret("  pub fn f() -> fixed { return -2; }")).toEqual([-FIX(2n)]);
    expect(ret("  pub fn f() -> fixed { let x: fixed = -3; return x; }")).toEqual([-FIX(3n)]);
    expect(ret("  pub fn f() -> i64 { let x = -3; return x * 2; }")).toEqual([-6n]);
    expect(ret("  pub fn f() -> i64 { return -9223372036854775808; }")).toEqual([-(1n << 63n)]);
    expect(ret("  pub fn f() -> fixed { return -140737488355328; }")).toEqual([-(1n << 63n)]);
    expect(errs("  pub fn f() -> u64 { let x: u64 = -1; return x; }")).toEqual(["E0030 5:36: expected u64, found i64 (hint: convert explicitly: `u64(…)`)"]);
  });

  it("a negative literal out of range, or malformed, is rejected naming it", () => {
    expect(errs("  pub fn f() -> i64 { return -12ab; }")).toEqual(["E0002 5:31: invalid integer literal `12ab`"]);
    expect(errs("  pub fn f() -> i64 { return -9223372036854775809; }")).toEqual(["E0006 5:30: integer literal -9223372036854775809 does not fit in i64"]);
    expect(errs("  pub fn f() -> fixed { return -140737488355329; }")).toEqual(["E0006 5:32: integer literal -140737488355329 does not fit in fixed"]);
  });

  it("a negative fixed literal reaches -2^47 exactly (its positive counterpart does not fit)", () => {
    expect(ret("  pub fn f() -> fixed { return -140737488355328.0; }")).toEqual([-(1n << 63n)]);
    expect(ret("  pub fn f() -> fixed { return -1.5; }")).toEqual([-FIX(3n) / 2n]);
    expect(errs("  pub fn f() -> fixed { return -140737488355328.5; }")).toEqual(["E0007 5:32: fixed-point literal -140737488355328.5 is out of range"]);
    expect(errs("  pub fn f() -> fixed { return 140737488355328.0; }")).toEqual([
      "E0007 5:32: fixed-point literal 140737488355328.0 is out of range (Q47.16 holds about ±1.4e14)",
    ]);
  });

  it("`!` wants a bool operand, `-` passes the context's type to its operand", () => {
    expect(errs("  pub fn f() -> bool { return !1.5; }")).toEqual(["E0031 5:31: operator `!` cannot be applied to fixed"]);
    expect(errs("  pub fn f() -> fixed { return !1; }")).toEqual(["E0031 5:32: operator `!` cannot be applied to u64"]);
    expect(ret("  pub fn f() -> i64 { return -(2 * 3); }")).toEqual([-6n]);
    expect(ret("  pub fn f() -> fixed { return -(1 + 2); }")).toEqual([-FIX(3n)]);
  });

  it("E0031 names the operator and the operand type; only `-` on u64 hints at i64(…)", () => {
    expect(errs("  pub fn f(x: u64, b: bool) -> u64 { let y = -x; let z = -b; let w = ~b; let v = !x; return 0; }")).toEqual([
      "E0031 5:46: operator `-` cannot be applied to u64 (hint: u64 has no negative values; convert with i64(…))",
      "E0031 5:58: operator `-` cannot be applied to bool",
      "E0031 5:70: operator `~` cannot be applied to bool",
      "E0031 5:82: operator `!` cannot be applied to u64",
    ]);
    expect(errs("  pub fn f() -> i64 { return -zz; }")).toEqual(["E0020 5:31: cannot find `zz` in this scope"]);
  });

  it("`-`, `!` and `~` on run-time values", () => {
    const body = "  pub fn f(a: i64, x: u64, b: bool, q: fixed) -> i64 { if !b { return -a; } return i64(~x) + i64(-q); }";
    expect(ret(body, "f", [5n, 0n, 0n, 0n])).toEqual([-5n]);
    expect(ret(body, "f", [5n, (1n << 64n) - 8n, 1n, FIX(2n)])).toEqual([5n]);
  });

  it("constant operands fold: a `const` may negate or invert another, and an overflow is E0041", () => {
    const body = "  const K: i64 = 5;\n  const M: i64 = -K;\n  const N: u64 = ~K2;\n  const K2: u64 = 0;\n  const T: bool = !false;\n" +
      "  pub fn f() -> i64 { if T { return M + i64(N - 18446744073709551600); } return 0; }";
    expect(ret(body)).toEqual([10n]);
    expect(errs("  const MIN: i64 = -9223372036854775807 - 1;\n  pub fn f() -> i64 { return -MIN; }")).toEqual([
      "E0041 6:30: constant expression overflows i64 (-(-9223372036854775808))",
    ]);
  });
});

describe("a literal operand takes the type of the other operand", () => {
  it("on the left of an arithmetic operator or a comparison, with no context type", () => {
    expect(ret("  pub fn f(a: i64) -> i64 { let y = 1 - a; return y; }", "f", [4n])).toEqual([-3n]);
    expect(ret("  pub fn f(a: i64) -> bool { return 1 < a; }", "f", [4n])).toEqual([1n]);
    expect(ret("  pub fn f(q: fixed) -> bool { return 2 > q; }", "f", [FIX(3n) / 2n])).toEqual([1n]);
  });

  it("when the other operand is in error, a literal still takes the context's type", () => {
    expect(errs("  pub fn f() -> hash { return 0x00 + zz; }")).toEqual([
      "E0020 5:38: cannot find `zz` in this scope",
      "E0052 5:31: hash needs exactly 32 bytes, this literal has 1",
    ]);
    expect(errs("  pub fn f() -> hash { return zz + 0x00; }")).toEqual([
      "E0020 5:31: cannot find `zz` in this scope",
      "E0052 5:36: hash needs exactly 32 bytes, this literal has 1",
    ]);
  });
});

describe("`&&` and `||`", () => {
  it("both operands constant: folded, so a `const` may use them", () => {
    const cases: [string, bigint][] = [
      ["true && true", 1n], ["true && false", 0n], ["false && true", 0n], ["false && false", 0n],
      ["true || true", 1n], ["true || false", 1n], ["false || true", 1n], ["false || false", 0n],
    ];
    for (const [e, v] of cases) expect(ret(`  const A: bool = ${e};\n  pub fn f() -> bool { return A; }`), e).toEqual([v]);
  });

  it("a constant left operand: `true && x` and `false || x` compile to x, `false && x` and `true || x` to the constant", () => {
    const same = (a: string, b: string) => expect(moduleOf(`  pub fn f(b: bool) -> bool { return ${a}; }`)).toBe(moduleOf(`  pub fn f(b: bool) -> bool { return ${b}; }`));
    same("true && b", "b");
    same("false || b", "b");
    same("false && b", "false");
    same("true || b", "true");
    expect(moduleOf("  pub fn f(b: bool) -> bool { return b && true; }")).not.toBe(moduleOf("  pub fn f(b: bool) -> bool { return b; }"));
  });

  it("short-circuit at run time: the right operand runs only when it decides", () => {
    const body =
      "  fn g(v: bool) -> bool { n += 1; return v; }\n" +
      "  pub fn f(a: bool, b: bool) -> u64 { let x = a && g(b); let y = a || g(b); let r: u64 = 0; if x { r += 10; } if y { r += 20; } return r * 10 + n; }";
    const cases: [bigint, bigint, bigint][] = [
      [0n, 0n, 1n], [0n, 1n, 201n], [1n, 0n, 201n], [1n, 1n, 301n],
    ];
    for (const [a, b, v] of cases) expect(ret(body, "f", [a, b])).toEqual([v]);
  });
});

describe("shift operators", () => {
  it("a non-integer left operand is E0031 at the operator; an operand in error is reported once", () => {
    expect(errs("  pub fn f(b: bool) -> bool { return b << 1; }")).toEqual(["E0031 5:40: operator `<<` cannot be applied to bool"]);
    expect(errs("  pub fn f(q: fixed) -> fixed { return q >> 1; }")).toEqual(["E0031 5:42: operator `>>` cannot be applied to fixed"]);
    expect(errs("  pub fn f() -> u64 { return zz << 1; }")).toEqual(["E0020 5:30: cannot find `zz` in this scope"]);
    expect(errs("  pub fn f(x: u64) -> u64 { return x << zz; }")).toEqual(["E0020 5:41: cannot find `zz` in this scope"]);
    expect(errs("  pub fn f(x: u64) -> u64 { return x << true; }")).toEqual(["E0030 5:41: expected u64, found bool"]);
  });

  it("the result has the left operand's type; `>>` is arithmetic on i64", () => {
    expect(ret("  pub fn f(a: i64, s: u64) -> i64 { return a >> s; }", "f", [-64n, 3n])).toEqual([-8n]);
    expect(ret("  pub fn f(x: u64) -> u64 { return x << 4; }", "f", [3n])).toEqual([48n]);
  });
});

describe("binary operators: operand types", () => {
  it("an operand in error is reported once, whichever side", () => {
    expect(errs("  pub fn f() -> u64 { return zz + 1; }")).toEqual(["E0020 5:30: cannot find `zz` in this scope"]);
    expect(errs("  pub fn f(x: u64) -> u64 { return x + zz; }")).toEqual(["E0020 5:40: cannot find `zz` in this scope"]);
    expect(errs("  pub fn f(x: u64) -> bool { return zz == x; }")).toEqual(["E0020 5:37: cannot find `zz` in this scope"]);
  });

  it("two number types are E0030 at the right operand, with the conversion to write", () => {
    expect(errs("  pub fn f(x: u64, a: i64) -> u64 { return x + a; }")).toEqual(["E0030 5:48: expected u64, found i64 (hint: convert explicitly: `u64(…)`)"]);
    expect(errs("  pub fn f(x: u64, a: i64) -> bool { return a < x; }")).toEqual(["E0030 5:49: expected i64, found u64 (hint: convert explicitly: `i64(…)`)"]);
  });

  it("a fixed-length byte string compares with bytes by `==` and `!=` only", () => {
    const body = "  pub fn f(h: hash, b: bytes) -> u64 { let r: u64 = 0; if h == b { r += 1; } if b != h { r += 10; } return r; }";
    const h = new Uint8Array(32).fill(7);
    expect(ret(body, "f", [h, h])).toEqual([1n]);
    expect(ret(body, "f", [h, h.slice(1)])).toEqual([10n]);
    expect(ret(body, "f", [h, Uint8Array.from(h, (x, i) => (i === 31 ? 8 : x))])).toEqual([10n]);
    expect(errs("  pub fn f(h: hash, b: bytes) -> bool { return h < b; }")).toEqual([
      "E0030 5:52: expected hash, found bytes (hint: convert with a length check: `hash(…)`)",
    ]);
    expect(errs("  pub fn f(h: hash, x: u64) -> bool { return h == x; }")).toEqual(["E0030 5:51: expected hash, found u64"]);
  });

  it("which operators apply to which type: E0031 at the operator", () => {
    expect(errs("  pub fn f(a: bool, b: bool) -> bool { return a < b; }")).toEqual(["E0031 5:49: operator `<` cannot be applied to bool"]);
    expect(errs("  pub fn f(a: bool, b: bool) -> bool { return a + b; }")).toEqual(["E0031 5:49: operator `+` cannot be applied to bool"]);
    expect(errs("  pub fn f(a: fixed, b: fixed) -> fixed { return a & b; }")).toEqual(["E0031 5:52: operator `&` cannot be applied to fixed"]);
    expect(errs("  pub fn f(a: bytes, b: bytes) -> bool { return a >= b; }")).toEqual(["E0031 5:51: operator `>=` cannot be applied to bytes"]);
    expect(errs("  pub fn f(a: Phase, b: Phase) -> bool { return a < b; }")).toEqual(["E0031 5:51: operator `<` cannot be applied to Phase"]);
  });

  it("`&`, `|` and `^` apply to bool as well as to integers", () => {
    const body = "  pub fn f(a: bool, b: bool) -> u64 { let r: u64 = 0; if a & b { r += 1; } if a | b { r += 10; } if a ^ b { r += 100; } return r; }";
    const cases: [bigint, bigint, bigint][] = [
      [0n, 0n, 0n], [0n, 1n, 110n], [1n, 0n, 110n], [1n, 1n, 11n],
    ];
    for (const [a, b, v] of cases) expect(ret(body, "f", [a, b])).toEqual([v]);
    expect(ret("  pub fn f(a: u64) -> u64 { return (a & 12) | 1 ^ 3; }", "f", [6n])).toEqual([6n]);
  });
});

describe("constant folding of binary operators", () => {
  it("a constant expression that always fails is E0041, once", () => {
    expect(errs("  pub fn f() -> u64 { return 0 - 1; }")).toEqual(["E0041 5:30: constant expression overflows u64 (0 - 1)"]);
    expect(errs("  const A: u64 = 0 - 1;\n  pub fn f() -> u64 { return A; }")).toEqual(["E0041 5:18: constant expression overflows u64 (0 - 1)"]);
    expect(errs("  pub fn f() -> u64 { return 7 / 0; }")).toEqual(["E0041 5:30: constant expression divides by zero (7 / 0)"]);
  });

  it("two byte-string literals compare at compile time, by length and every byte", () => {
    const cases: [string, bigint][] = [
      ["0x0102 == 0x0102", 1n], ["0x0102 == 0x0103", 0n], ["0x0102 == 0x0201", 0n], ["0x01 == 0x0102", 0n], ["0x0102 == 0x01", 0n],
      ["0x0102 != 0x0102", 0n], ["0x0102 != 0x0103", 1n], ["0x01 != 0x0102", 1n], ["0x0102 != 0x01", 1n],
    ];
    for (const [e, v] of cases) expect(ret(`  const A: bool = ${e};\n  pub fn f() -> bool { return A; }`), e).toEqual([v]);
  });

  it("a literal compared with a run-time byte string compares at run time", () => {
    const body = "  pub fn f(b: bytes) -> bool { return 0x0102 == b; }";
    expect(ret(body, "f", [Uint8Array.of(1, 2)])).toEqual([1n]);
    expect(ret(body, "f", [Uint8Array.of(1)])).toEqual([0n]);
    expect(ret("  pub fn f(b: bytes) -> bool { return b != 0x0102; }", "f", [Uint8Array.of(1, 3)])).toEqual([1n]);
  });
});

describe("calls to what is not a function", () => {
  it("an unknown function is E0022 and its arguments are still checked", () => {
    expect(errs("  pub fn f() -> u64 { return nope(zz); }")).toEqual([
      "E0022 5:30: cannot find function `nope`",
      "E0020 5:35: cannot find `zz` in this scope",
    ]);
  });

  it("calling a field is E0055 naming it, and its arguments are still checked", () => {
    expect(errs("  pub fn f(r: P) -> u64 { return r.a(zz); }")).toEqual([
      "E0055 5:34: `r.a` cannot be called",
      "E0020 5:38: cannot find `zz` in this scope",
    ]);
  });
});

describe("a constant whose value is rejected", () => {
  it("is reported once, where the value is, and not again where the constant is used", () => {
    const cases: [string, string][] = [
      ["[zz, 1]", "E0020 5:19: cannot find `zz` in this scope"],
      ["[0x00, 0x01]", "E0038 5:18: bytes cannot be a struct field or array element"],
      [`[${Array(MAX / 8 + 1).fill("1").join(", ")}]`, `E0050 5:18: an array packs to at most ${MAX} bytes`],
      ["Pt { a: 1 }", "E0021 5:18: unknown type `Pt` (hint: did you mean `P`?)"],
      ["P { a: 1 }", "E0002 5:18: missing field `ok` in `P { … }`"],
      ["-12ab", "E0002 5:19: invalid integer literal `12ab`"],
      ["-9223372036854775809", "E0006 5:18: integer literal -9223372036854775809 does not fit in i64"],
      ["-140737488355328.5", "E0007 5:18: fixed-point literal -140737488355328.5 is out of range"],
      ["-true", "E0031 5:18: operator `-` cannot be applied to bool"],
      ["-(-9223372036854775807 - 1)", "E0041 5:18: constant expression overflows i64 (-(-9223372036854775808))"],
      ["1 + true", "E0030 5:22: expected u64, found bool"],
      ["nope(1)", "E0022 5:18: cannot find function `nope`"],
      ["0 - 1", "E0041 5:18: constant expression overflows u64 (0 - 1)"],
    ];
    for (const [e, d] of cases) expect(errs(`  const A: u64 = ${e};\n  pub fn f() -> u64 { return A; }`), e).toEqual([d]);
    const bad = "struct Bad { b: bytes }\ncontract C {\n  const A: u64 = Bad { b: 0x00 };\n  pub fn f() -> u64 { return A; }\n}\n";
    expect(errorsOf(bad)).toEqual(["E0038 1:17: bytes cannot be a struct field or array element"]);
  });
});
