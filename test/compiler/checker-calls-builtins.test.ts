// What docs/language.md promises of calls, conversions and builtins, each at its edge (issue 20: Stryker survivors of
// compiler/checker.ts, lines 1360-1648: call, convert, builtin, finish). Every rejection is asserted with its code,
// line:col and full message (and hint where there is one), beside the source one step away that compiles; what the
// checker decides (constant folding, which conversions are checked, module order, the ABI) is run on the VM.
import { beforeAll, describe, expect, it } from "vitest";
import { INIT_SLOT } from "../../compiler/checker.ts";
import { compileDetailed, compileSource, type ToolingInfo } from "../../compiler/index.ts";
import { BALANCE_KEY, encodeBalance, MemoryStateStore, MoteVM, readBalance, type Value } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";

/** `line:col` of the first `needle` at or after `from` in `src`, counted as diagnostics count (1-based). */
function loc(src: string, needle: string, from = 0): string {
  const at = src.indexOf(needle, from);
  if (at < 0) throw new Error(`\`${needle}\` is not in the source`);
  const lines = src.slice(0, at).split("\n");
  return `${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

const show = (d: { code: string; line: number; col: number; message: string; hint?: string }) =>
  `${d.code} ${d.line}:${d.col}: ${d.message}${d.hint ? ` [hint: ${d.hint}]` : ""}`;
const errors = (src: string) => compileSource(src, "c.mote").diagnostics.filter((d) => d.severity === "error").map(show);

const PRE = [
  "enum Phase { Open, Locked }",
  "struct P { a: u64, ok: bool }",
  "extern contract R { storage n: u64; }",
  "fn free_helper() -> u64 { return 1; }",
  "contract C {",
  "  storage n: u64;",
  "  event E(v: u64);",
  "  fn helper(a: u64) -> u64 { return a; }",
  "",
].join("\n");
const HEAD = "  pub fn f(x: u64, i: i64, fx: fixed, h: hash, b: bytes, p: P, q: Phase, ok: bool) {\n";
/** A contract whose function `f` has one local of every kind the cases need, and `body` as its statements. */
const inFn = (body: string) => `${PRE}${HEAD}    ${body}\n  }\n}\n`;

/** One expected diagnostic: [code, the source text it points at, message, hint]. */
type Want = [code: string, at: string, message: string, hint?: string];
/** Checks that `body` in `f` reports exactly `want`, each located at the first occurrence of its text in `f`. */
function expectErrors(body: string, want: Want[]): void {
  const src = inFn(body);
  const from = src.indexOf(HEAD) + HEAD.length;
  expect(errors(src), body).toEqual(want.map(([code, at, message, hint]) => `${code} ${loc(src, at, from)}: ${message}${hint ? ` [hint: ${hint}]` : ""}`));
}

const U = (v: bigint) => BigInt.asUintN(64, v);
const MAX = (1n << 64n) - 1n;

describe("calls to functions", () => {
  it("a contract reference is not a value, one of its storage fields is", () => {
    expectErrors("let _r = R(h);", [["E0033", "R(h)", "contract reference `R(…)` (read one of its storage fields) is not a value"]]);
    expectErrors("let _r = R(h).n;", []);
  });

  it("an unknown function is named, with the nearest known one as a hint", () => {
    expectErrors("let _v = helpr(1);", [["E0022", "helpr", "cannot find function `helpr`", "did you mean `helper`?"]]);
    expectErrors("let _v = free_helpr();", [["E0022", "free_helpr", "cannot find function `free_helpr`", "did you mean `free_helper`?"]]);
    expectErrors("let _v = helper(1) + free_helper();", []);
  });

  it("a call is not a compile-time constant: in a file's constant, and in a contract's (regression: a contract constant calling the contract's function was told the function did not exist)", () => {
    const global = `const K: u64 = free_helper();\n${PRE}  pub fn f() -> u64 { return K; }\n}\n`;
    expect(errors(global)).toEqual([`E0054 ${loc(global, "free_helper()")}: a call to \`free_helper\` is not a compile-time constant`]);
    const own = `${PRE}  const L: u64 = helper(1);\n  pub fn f() -> u64 { return L; }\n}\n`;
    expect(errors(own)).toEqual([`E0054 ${loc(own, "helper(1);")}: a call to \`helper\` is not a compile-time constant`]);
    // a file's constant sees no contract function: that one is unknown there
    const outside = `const K: u64 = helper(1);\n${PRE}  pub fn f() -> u64 { return K; }\n}\n`;
    expect(errors(outside)).toEqual([`E0022 ${loc(outside, "helper(1)")}: cannot find function \`helper\``]);
    const unknown = `${PRE}  const L: u64 = helpr(1);\n  pub fn f() -> u64 { return L; }\n}\n`;
    expect(errors(unknown)).toEqual([`E0022 ${loc(unknown, "helpr")}: cannot find function \`helpr\` [hint: did you mean \`helper\`?]`]);
    const literal = `const K: u64 = 7;\n${PRE}  const L: u64 = K + 1;\n  pub fn f() -> u64 { return L; }\n}\n`;
    expect(errors(literal)).toEqual([]);
  });

  it("tools are told each call's function or builtin, where it is written and declared", () => {
    const src = inFn("let _v = helper(now());");
    const tooling: ToolingInfo = {};
    compileSource(src, "c.mote", undefined, { tooling });
    const at = (needle: string) => loc(src, needle, src.indexOf(HEAD));
    const calls = tooling.uses!.filter((u) => u.kind === "function" || u.kind === "builtin");
    expect(calls.map((u) => ({ kind: u.kind, name: u.name, at: `${u.span.line}:${u.span.col}`, returns: u.type?.k, decl: u.decl && `${u.decl.line}:${u.decl.col}`, params: u.params?.map((p) => `${p.name}: ${p.type.k}`) }))).toEqual([
      { kind: "function", name: "helper", at: at("helper("), returns: "u64", decl: loc(src, "helper(a"), params: ["a: u64"] },
      { kind: "builtin", name: "now", at: at("now"), returns: undefined, decl: undefined, params: undefined },
    ]);
  });
});

describe("conversions: diagnostics", () => {
  it("a conversion takes exactly one argument; the extra ones are still checked, and the result is no value", () => {
    expectErrors("let _v = u64();", [["E0032", "u64()", "`u64(…)` takes 1 argument(s), 0 given"]]);
    expectErrors("let _v = u64(1, 2);", [["E0032", "u64(1, 2)", "`u64(…)` takes 1 argument(s), 2 given"]]);
    expectErrors("let _v = u64(y, 2);", [["E0032", "u64(y, 2)", "`u64(…)` takes 1 argument(s), 2 given"], ["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v: u64 = u64(1, 2) + 1;", [["E0032", "u64(1, 2)", "`u64(…)` takes 1 argument(s), 2 given"]]);
    expectErrors("let _v: u64 = u64(1) + 1;", []);
  });

  it("an argument that is already wrong is reported once, not again as a bad conversion", () => {
    expectErrors("let _v: u64 = u64(y) + 1;", [["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v: hash = hash(y);", [["E0020", "y", "cannot find `y` in this scope"]]);
  });

  it("what converts to what: an enum only to u64, bytes only from byte strings, structs and arrays, fixed-size only from byte strings", () => {
    expectErrors("let _v = i64(q);", [["E0039", "i64(q)", "cannot convert Phase to i64"]]);
    expectErrors("let _v = u64(q);", []);
    expectErrors("let _v = u64(ok);", [["E0039", "u64(ok)", "cannot convert bool to u64"]]);
    expectErrors("let _v = hash(x);", [["E0039", "hash(x)", "cannot convert u64 to hash"]]);
    expectErrors("let _v = hash(p);", [["E0039", "hash(p)", "cannot convert P to hash"]]);
    expectErrors("let _v = bytes(x);", [["E0039", "bytes(x)", "cannot convert u64 to bytes"]]);
    expectErrors("let _v = sig(ok);", [["E0039", "sig(ok)", "cannot convert bool to sig"]]);
    expectErrors("let _a = bytes(p); let _b = bytes(h); let _c = bytes(b); let _d = hash(b); let _e = pubkey(h);", []);
  });

  it("a hex literal converted to hash, pubkey or sig must have the length: the message names the type, the length and the literal's", () => {
    expectErrors("let _v = hash(0x01);", [["E0052", "0x01", "hash needs exactly 32 bytes, this literal has 1"]]);
    expectErrors(`let _v = sig(0x${"ab".repeat(32)});`, [["E0052", "0xab", "sig needs exactly 64 bytes, this literal has 32"]]);
    expectErrors(`let _v = pubkey(0x${"ab".repeat(33)});`, [["E0052", "0xab", "pubkey needs exactly 32 bytes, this literal has 33"]]);
    expectErrors(`let _v = pubkey(0x${"ab".repeat(32)});`, []);
  });

  it("a constant is converted at compile time: one out of range is E0041, not a revert at run time", () => {
    const src = `const NEG: i64 = -1;\nconst BIG: u64 = 9223372036854775808;\n${PRE}  pub fn f() -> u64 {\n    let _a = i64(BIG);\n    return u64(NEG);\n  }\n}\n`;
    expect(errors(src)).toEqual([
      `E0041 ${loc(src, "i64(BIG)")}: constant expression overflows i64 (9223372036854775808 as i64)`,
      `E0041 ${loc(src, "u64(NEG)")}: constant expression overflows u64 (-1 as u64)`,
    ]);
    const fits = `const NEG: i64 = -1;\nconst OK: u64 = u64(-NEG);\nconst FX: fixed = fixed(OK);\n${PRE}  pub fn f() -> u64 { return OK; }\n}\n`;
    expect(errors(fits)).toEqual([]);
  });

  it("a literal argument takes the target type; any other argument is typed on its own", () => {
    // 2^63 is a u64 literal, one past the largest i64: as i64's argument it is too large for i64 itself
    expectErrors("let _v = i64(9223372036854775808);", [["E0006", "9223372036854775808", "integer literal 9223372036854775808 does not fit in i64"]]);
    // wrapping_sub(0, 1) is typed on its own (u64: 2^64 - 1), then converted
    expectErrors("let _v = i64(wrapping_sub(0, 1));", [["E0041", "i64(wrapping_sub(0, 1))", "constant expression overflows i64 (18446744073709551615 as i64)"]]);
    expectErrors("let _v = i64(-5); let _w = fixed(-3); let _z = i64(9223372036854775807);", []);
  });
});

describe("conversions on the VM", () => {
  let vm: MoteVM;
  beforeAll(async () => {
    vm = await MoteVM.create();
  });
  const B32 = "0x" + "0102030405060708".repeat(4);
  const SRC = [
    "struct P { a: u64, ok: bool }",
    "const NEG: i64 = -7;",
    "const FX: fixed = fixed(NEG);",
    "contract V {",
    "  pub fn to_u64(i: i64) -> u64 { return u64(i); }",
    "  pub fn to_i64(x: u64) -> i64 { return i64(x); }",
    "  pub fn same(x: u64) -> u64 { return u64(x); }",
    "  pub fn i_fx(i: i64) -> fixed { return fixed(i); }",
    "  pub fn fx_i(v: fixed) -> i64 { return i64(v); }",
    "  pub fn neg() -> i64 { return i64(-5); }",
    "  pub fn konst() -> fixed { return FX; }",
    "  pub fn h(b: bytes) -> hash { return hash(b); }",
    "  pub fn pk(b: bytes) -> pubkey { return pubkey(b); }",
    `  pub fn lit() -> hash { return hash(${B32}); }`,
    "  pub fn hb(x: hash) -> bytes { return bytes(x); }",
    "  pub fn hh(x: hash) -> hash { return hash(x); }",
    "  pub fn sb(p: P) -> bytes { return bytes(p); }",
    "}",
  ].join("\n");
  const compiled = () => {
    const out = compileSource(SRC, "v.mote");
    expect(out.diagnostics.filter((d) => d.severity === "error").map(show)).toEqual([]);
    return out;
  };
  const run = (fn: string, args: Value[]) => {
    const out = compiled();
    const r = vm.call(out.module!, fn, args, { store: new MemoryStateStore() });
    return { status: r.status, returns: r.returns, message: r.status === "revert" ? out.abi!.errors.find((e) => e.id === r.error)?.message : undefined };
  };

  it("only the conversions that can fail get a revert message: sign checks and length checks, each naming the source", () => {
    const messages = compiled().abi!.errors.map((e) => e.message).filter((m) => !m.startsWith("argument "));
    expect(messages).toEqual(["conversion out of range: u64(i)", "conversion out of range: i64(x)", "hash(b): expected 32 bytes", "pubkey(b): expected 32 bytes"]);
  });

  it("i64 to u64 and u64 to i64 are checked at run time; u64 to u64 is the value itself", () => {
    expect(run("to_u64", [5n])).toMatchObject({ status: "ok", returns: [5n] });
    expect(run("to_u64", [U(-1n)])).toEqual({ status: "revert", returns: [], message: "conversion out of range: u64(i)" });
    expect(run("to_i64", [(1n << 63n) - 1n])).toMatchObject({ status: "ok", returns: [(1n << 63n) - 1n] });
    expect(run("to_i64", [1n << 63n])).toEqual({ status: "revert", returns: [], message: "conversion out of range: i64(x)" });
    expect(run("same", [MAX])).toMatchObject({ status: "ok", returns: [MAX] });
  });

  it("i64 to fixed and back keep the sign (no sign check); constants convert at compile time", () => {
    expect(run("i_fx", [U(-2n)])).toMatchObject({ status: "ok", returns: [U(-2n << 16n)] });
    expect(run("fx_i", [U(-3n << 16n)])).toMatchObject({ status: "ok", returns: [U(-3n)] });
    expect(run("neg", [])).toMatchObject({ status: "ok", returns: [U(-5n)] });
    expect(run("konst", [])).toMatchObject({ status: "ok", returns: [U(-7n << 16n)] });
  });

  it("a byte string to hash or pubkey must have 32 bytes at run time; a literal of the right length is the value", () => {
    const b32 = Uint8Array.from({ length: 32 }, (_, k) => k + 1);
    expect(run("h", [b32])).toMatchObject({ status: "ok", returns: [b32] });
    expect(run("h", [b32.subarray(0, 31)])).toEqual({ status: "revert", returns: [], message: "hash(b): expected 32 bytes" });
    expect(run("pk", [new Uint8Array(33)])).toEqual({ status: "revert", returns: [], message: "pubkey(b): expected 32 bytes" });
    expect(run("lit", [])).toMatchObject({ status: "ok", returns: [Uint8Array.from(Buffer.from(B32.slice(2), "hex"))] });
    expect(run("hb", [b32])).toMatchObject({ status: "ok", returns: [b32] });
    expect(run("hh", [b32])).toMatchObject({ status: "ok", returns: [b32] });
    const packed = Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0, 1);
    expect(run("sb", [packed])).toMatchObject({ status: "ok", returns: [packed] });
  });
});

describe("builtins: diagnostics", () => {
  it("each builtin's argument count, the message saying how many it takes", () => {
    expectErrors("let _v = caller(1);", [["E0032", "caller(1)", "`caller` takes 0 argument(s), 1 given"]]);
    expectErrors("let _v = sha256();", [["E0032", "sha256()", "`sha256` takes at least 1 argument(s), 0 given"]]);
    expectErrors("let _v = concat(b);", [["E0032", "concat(b)", "`concat` takes at least 2 argument(s), 1 given"]]);
    expectErrors("let _v = to_bytes();", [["E0032", "to_bytes()", "`to_bytes` takes 1 to 2 argument(s), 0 given"]]);
    expectErrors("let _v = to_bytes(x, 1, 2);", [["E0032", "to_bytes(x, 1, 2)", "`to_bytes` takes 1 to 2 argument(s), 3 given"]]);
    expectErrors("let _v = native_balance();", [["E0032", "native_balance()", "`native_balance` takes 1 argument(s), 0 given"]]);
    expectErrors("pay(h);", [["E0032", "pay(h)", "`pay` takes 2 argument(s), 1 given"]]);
    expectErrors("let _v = slice(b, 1);", [["E0032", "slice(b, 1)", "`slice` takes 3 argument(s), 2 given"]]);
    expectErrors("let _v = verify(h, b);", [["E0032", "verify(h, b)", "`verify` takes 3 argument(s), 2 given"]]);
    expectErrors("let _v = from_bytes();", [["E0032", "from_bytes()", "`from_bytes` takes 1 argument(s), 0 given"]]);
    expectErrors("let _v = wrapping_mul(x);", [["E0032", "wrapping_mul(x)", "`wrapping_mul` takes 2 argument(s), 1 given"]]);
    expectErrors("let _v = min(x);", [["E0032", "min(x)", "`min` takes 2 argument(s), 1 given"]]);
    expectErrors("let _v = abs();", [["E0032", "abs()", "`abs` takes 1 argument(s), 0 given"]]);
    expectErrors(
      "let _a = sha256(b); let _b = sha256(b, h, b); let _c = concat(b, h); let _d = to_bytes(x); let _e = to_bytes(x, 4); let _f = slice(b, 0, 1); let _g = from_bytes(b); let _h = native_balance(h);",
      [],
    );
  });

  it("a wrong argument count still checks the arguments, and the call is no value to complain about again", () => {
    expectErrors("let _v = now(y);", [["E0032", "now(y)", "`now` takes 0 argument(s), 1 given"], ["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v: u64 = caller(1);", [["E0032", "caller(1)", "`caller` takes 0 argument(s), 1 given"]]);
    expectErrors("let _v: pubkey = caller();", []);
  });

  it("byte-string arguments: anything else is named; a wrong argument is reported once", () => {
    expectErrors("let _v = len(x);", [["E0030", "x", "expected a byte string, found u64"]]);
    expectErrors("let _v: bool = len(y);", [["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v: u64 = len(h) + len(b);", []);
  });

  it("to_bytes takes an integer, fixed or bool, and a constant width of 1, 2, 4 or 8", () => {
    expectErrors("let _v = to_bytes(h);", [["E0030", "h", "expected an integer, fixed or bool, found hash"]]);
    expectErrors("let _v = to_bytes(y);", [["E0020", "y)", "cannot find `y` in this scope"]]);
    expectErrors("let _v = to_bytes(x, 3);", [["E0030", "3)", "expected a width of 1, 2, 4 or 8, found 3"]]);
    expectErrors("let _v = to_bytes(x, now());", [["E0054", "now()", "the width of `to_bytes` is not a compile-time constant", "write the width as 1, 2, 4 or 8, or as a `const` of one of them"]]);
    expectErrors("let _a = to_bytes(ok); let _b = to_bytes(i, 2); let _c = to_bytes(fx, 8); let _d = to_bytes(x, 1);", []);
  });

  it("wrapping arithmetic: integers of one type only; a wrong argument is reported once", () => {
    expectErrors("let _v = wrapping_add(y, 1);", [["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v = wrapping_add(x, y);", [["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v = wrapping_add(fx, fx);", [["E0031", "wrapping_add(fx, fx)", "operator `wrapping_add` cannot be applied to fixed"]]);
    expectErrors("let _v = wrapping_mul(x, i);", [["E0030", "i)", "expected u64, found i64"]]);
    expectErrors("let _a = wrapping_mul(x, 3); let _b = wrapping_sub(i, i);", []);
  });

  it("min and max: numbers of one type only (with the conversion to write); a wrong argument is reported once", () => {
    expectErrors("let _v = min(y, 1);", [["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v = max(x, y);", [["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _v = min(ok, ok);", [["E0031", "min(ok, ok)", "operator `min` cannot be applied to bool"]]);
    expectErrors("let _v = max(x, i);", [["E0030", "i)", "expected u64, found i64", "convert explicitly: `u64(…)`"]]);
    expectErrors("let _a = max(x, u64(i)); let _b = min(fx, fx); let _c = min(i, -1);", []);
  });

  it("abs: of i64 and fixed only, with a hint for u64", () => {
    expectErrors("let _v = abs(x);", [["E0031", "abs(x)", "operator `abs` cannot be applied to u64", "a u64 is never negative: use the value itself"]]);
    expectErrors("let _v = abs(ok);", [["E0031", "abs(ok)", "operator `abs` cannot be applied to bool"]]);
    expectErrors("let _v = abs(y);", [["E0020", "y", "cannot find `y` in this scope"]]);
    expectErrors("let _a = abs(i); let _b = abs(fx);", []);
  });

  it("require, assert and revert are statements, not values", () => {
    expectErrors('let _v = require(ok, "no");', [["E0033", "require(", "`require(…)` (use it as a statement) is not a value"]]);
    expectErrors("let _v = assert(ok);", [["E0033", "assert(", "`assert(…)` (use it as a statement) is not a value"]]);
    expectErrors('let _v = revert("no");', [["E0033", "revert(", "`revert(…)` (use it as a statement) is not a value"]]);
    expectErrors('require(ok, "no"); assert(ok); if ok { revert("no"); }', []);
  });

  it("verify takes a pubkey, a byte string and a sig", () => {
    expectErrors("let _v: bool = verify(pubkey(h), b, sig(concat(h, h)));", []);
    // a hex literal is taken as the sig it must be (64 bytes), not as bytes
    expectErrors(`let _v: bool = verify(pubkey(h), b, 0x${"00".repeat(64)});`, []);
    expectErrors(`let _v: bool = verify(pubkey(h), b, 0x${"00".repeat(63)});`, [["E0052", "0x00", "sig needs exactly 64 bytes, this literal has 63"]]);
    expectErrors("let _v: bool = verify(pubkey(h), b, h);", [["E0030", "h);", "expected sig, found hash"]]);
  });

  it("pay is an effect: a view may not pay; it is no constant", () => {
    const view = `contract C {\n  pub view fn v(to: pubkey) {\n    pay(to, 1);\n  }\n}\n`;
    expect(errors(view)).toEqual([`E0047 ${loc(view, "pay(")}: view function \`v\` pays native value`]);
    expect(errors(view.replace("view ", ""))).toEqual([]);
    const konst = `contract C {\n  const K: u64 = pay(0x${"00".repeat(32)}, 1);\n  pub fn f() -> u64 { return 0; }\n}\n`;
    expect(errors(konst)).toEqual([`E0030 ${loc(konst, "pay(")}: expected u64, found a call with no result`]);
  });
});

describe("builtins on the VM", () => {
  let vm: MoteVM;
  beforeAll(async () => {
    vm = await MoteVM.create();
  });
  const SRC = [
    "const WA: u64 = wrapping_add(18446744073709551615, 2);",
    "const WM: u64 = wrapping_mul(4294967296, 4294967297);",
    "const WS: i64 = wrapping_sub(0 - 9223372036854775807, 2);",
    "const MN: u64 = min(18446744073709551615, 1);",
    "const MX: u64 = max(18446744073709551615, 1);",
    "const MN2: u64 = min(3, 5);",
    "const MX2: u64 = max(5, 3);",
    "const MNI: i64 = min(-3, 2);",
    "const MXI: i64 = max(2, -3);",
    "contract B {",
    "  pub fn consts() -> [u64; 6] { return [WA, WM, MN, MX, MN2, MX2]; }",
    "  pub fn iconsts() -> [i64; 3] { return [WS, MNI, MXI]; }",
    "  pub fn cv() -> u64 { return call_value(); }",
    "  pub fn bal() -> u64 { return native_balance(self()); }",
    "  pub fn give(to: pubkey, amount: u64) -> u64 { pay(to, amount); return native_balance(self()); }",
    "  pub fn t() -> u64 { return now(); }",
    "  pub fn tb(x: u64) -> bytes { return to_bytes(x); }",
    "  pub fn tb2(x: u64) -> bytes { return to_bytes(x, 2); }",
    "  pub fn tbb(v: bool) -> bytes { return to_bytes(v); }",
    "  pub fn wm(a: u64, b: u64) -> u64 { return wrapping_mul(a, b); }",
    "  pub fn wa1(a: u64) -> u64 { return wrapping_add(1, a); }",
    "  pub fn ab(i: i64) -> i64 { return abs(i); }",
    "  pub fn mn(a: i64, b: i64) -> i64 { return min(a, b); }",
    "  pub fn ver(pk: pubkey, m: bytes, s: sig) -> bool { return verify(pk, m, s); }",
    "}",
  ].join("\n");
  // compiled afresh for every call: a module kept from one test would hide from Stryker's per-test coverage that the
  // later tests depend on the checker too
  const out = () => {
    const o = compileSource(SRC, "b.mote");
    expect(o.diagnostics.filter((d) => d.severity === "error").map(show)).toEqual([]);
    return o;
  };
  const words = (b: Value) => {
    const v = b as Uint8Array;
    return Array.from({ length: v.length / 8 }, (_, k) => new DataView(v.buffer, v.byteOffset + 8 * k, 8).getBigUint64(0, true));
  };
  const call = (fn: string, args: Value[], extra: { value?: bigint; timestamp?: bigint; self?: Uint8Array; store?: MemoryStateStore } = {}) =>
    vm.call(out().module!, fn, args, { store: extra.store ?? new MemoryStateStore(), ...extra });

  it("wrapping_add/mul/sub, min and max of constants are constants (folded, u64 compared unsigned, i64 signed)", () => {
    const r = call("consts", []);
    expect(r.status).toBe("ok");
    expect(words(r.returns[0]!)).toEqual([1n, 1n << 32n, 1n, MAX, 3n, 5n]);
    const s = call("iconsts", []);
    expect(words(s.returns[0]!)).toEqual([U((1n << 63n) - 1n), U(-3n), 2n]);
  });

  it("call_value, native_balance and pay: the value arrives, the payment leaves", () => {
    const self = new Uint8Array(32).fill(3);
    const funded = () => {
      const store = new MemoryStateStore();
      store.set(self, BALANCE_KEY, encodeBalance(40n));
      return store;
    };
    expect(call("cv", [], { value: 40n, self, store: funded() })).toMatchObject({ status: "ok", returns: [40n] });
    expect(call("bal", [], { self, store: funded() })).toMatchObject({ status: "ok", returns: [40n] });
    const store = funded();
    const to = new Uint8Array(32).fill(7);
    expect(call("give", [to, 15n], { self, store })).toMatchObject({ status: "ok", returns: [25n] });
    expect([readBalance(store, self), readBalance(store, to)]).toEqual([25n, 15n]);
  });

  it("now, to_bytes (8 bytes by default, the width asked, 1 for a bool), wrapping_mul, wrapping_add with a literal first, abs, min", () => {
    expect(call("t", [], { timestamp: 1234n })).toMatchObject({ status: "ok", returns: [1234n] });
    expect(call("tb", [0x0102n]).returns).toEqual([Uint8Array.of(2, 1, 0, 0, 0, 0, 0, 0)]);
    expect(call("tb2", [0x0102n]).returns).toEqual([Uint8Array.of(2, 1)]);
    expect(call("tbb", [1n]).returns).toEqual([Uint8Array.of(1)]);
    expect(call("wm", [1n << 63n, 3n]).returns).toEqual([1n << 63n]);
    expect(call("wa1", [MAX]).returns).toEqual([0n]);
    expect(call("ab", [U(-9n)]).returns).toEqual([9n]);
    expect(call("mn", [U(-9n), 4n]).returns).toEqual([U(-9n)]);
    expect(call("ver", [new Uint8Array(32), new Uint8Array(3), new Uint8Array(64)])).toMatchObject({ status: "ok", returns: [0n] });
  });
});

describe("the whole program: module order, views, limits, storage", () => {
  it("exports come first in source order, then the helpers they reach in order of first call; an unreached helper is left out", () => {
    const src = "contract C {\n  fn unused() -> u64 { return 0; }\n  fn h2() -> u64 { return 2; }\n  fn h1() -> u64 { return h2(); }\n  pub fn a() -> u64 { return h1(); }\n  pub fn b() -> u64 { return h2(); }\n}\n";
    const d = compileDetailed(src, "c.mote");
    expect(d.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
    expect(d.program!.functions.map((f) => `${f.index}:${f.name}`)).toEqual(["0:a", "1:b", "2:h1", "3:h2"]);
    expect(d.abi!.functions.map((f) => `${f.index}:${f.name}`)).toEqual(["0:a", "1:b"]);
  });

  it("a view calling a function that writes is told the first effect of that function, not one further down", () => {
    const src = "contract C {\n  storage n: u64;\n  event E(v: u64);\n  fn g() { emit E(1); }\n  fn f() { n = 1; g(); }\n  pub view fn v() { f(); }\n}\n";
    expect(errors(src)).toEqual([`E0047 ${loc(src, "f();")}: view function \`v\` calls \`f\`, which writes storage \`n\``]);
  });

  it("regression: a view reaching a write through a cycle is rejected, also after another view's search passed through the cycle", () => {
    const src = [
      "contract C {",
      "  storage n: u64;",
      "  fn w() { n = 1; }",
      "  fn a() { b(); w(); }",
      "  fn b() { if n > 5 { a(); } }",
      "  pub view fn v1() { a(); }",
      "  pub view fn v2() { b(); }",
      "}",
    ].join("\n");
    expect(errors(src)).toEqual([
      `E0047 ${loc(src, "a(); }\n  pub view fn v2")}: view function \`v1\` calls \`a\`, which writes storage \`n\``,
      `E0047 ${loc(src, "b(); }\n}")}: view function \`v2\` calls \`b\`, which writes storage \`n\``,
    ]);
    // alone, v2 was always rejected
    const alone = src.replace("  pub view fn v1() { a(); }\n", "");
    expect(errors(alone)).toEqual([`E0047 ${loc(alone, "b(); }\n}")}: view function \`v2\` calls \`b\`, which writes storage \`n\``]);
  });

  /** A contract with `pubs` public functions and `helpers` private ones, each helper called by one public function. */
  const many = (pubs: number, helpers: number) => {
    const lines = ["contract C {"];
    for (let k = 0; k < helpers; k++) lines.push(`  fn h${k}() -> u64 { return ${k}; }`);
    for (let k = 0; k < pubs; k++) {
      const calls = Array.from({ length: helpers }, (_, j) => j).filter((j) => j % pubs === k).map((j) => `h${j}()`);
      lines.push(`  pub fn p${k}() -> u64 { return ${calls.length ? calls.join(" + ") : "0"}; }`);
    }
    lines.push("}");
    return lines.join("\n") + "\n";
  };

  it(`a module has at most ${LIMITS.MAX_FUNCTIONS.value} functions and ${LIMITS.MAX_EXPORTS.value} exports: the limit itself compiles, one more is E0050 at the contract`, () => {
    const F = LIMITS.MAX_FUNCTIONS.value;
    const X = LIMITS.MAX_EXPORTS.value;
    expect(errors(many(X, F - X))).toEqual([]);
    const overF = many(X, F - X + 1);
    expect(errors(overF)).toEqual([`E0050 ${loc(overF, "contract")}: a module has at most ${F} functions, this one needs ${F + 1}`]);
    const overX = many(X + 1, 0);
    expect(errors(overX)).toEqual([`E0050 ${loc(overX, "contract")}: a module has at most ${X} public functions, this one has ${X + 1}`]);
  });

  it("the ABI lists the `init ran` flag as storage when there is an init, and only then", () => {
    const withInit = compileSource("contract C {\n  storage n: u64;\n  init() { n = 1; }\n}\n", "c.mote");
    expect(withInit.abi!.storage).toEqual([
      { name: "n", slot: 0, type: "u64" },
      { name: "$initialized", slot: INIT_SLOT, type: "bool" },
    ]);
    const without = compileSource("contract C {\n  storage n: u64;\n  pub fn f() { n = 1; }\n}\n", "c.mote");
    expect(without.abi!.storage).toEqual([{ name: "n", slot: 0, type: "u64" }]);
  });
});
