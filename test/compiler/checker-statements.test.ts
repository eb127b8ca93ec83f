// What the checker decides about struct layouts, constants, function bodies and statements, each rule at
// its edge: the diagnostic (code, line:col and the full message) for the source that breaks it, nothing for
// the source one step away, no cascade of a second diagnostic for one mistake, and what compiles to what
// (constant conditions folded, a bare `return` compiled), run on the VM where it is behaviour
// (issue 20: Stryker survivors of compiler/checker.ts, struct layouts to `require`).
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { NameUse } from "../../compiler/typed.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";

/** Every diagnostic, errors and warnings, as `code line:col: message`. */
const diags = (src: string): string[] => compileSource(src, "c.mote").diagnostics.map((d) => `${d.code} ${d.line}:${d.col}: ${d.message}`);

/** A contract `C` with a u64 storage field `n` and an event `Poked(n: u64)`, around member lines. */
const contract = (...members: string[]): string => ["contract C {", "  storage n: u64;", "  event Poked(v: u64);", ...members.map((m) => `  ${m}`), "}", ""].join("\n");

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

/** Compiles `src` (no errors allowed) and calls functions in order on one store; the results. */
const runAll = (src: string, calls: [string, (bigint | Uint8Array)[]][]) => {
  const out = compileSource(src, "c.mote");
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const store = new MemoryStateStore();
  return calls.map(([fn, args]) => {
    const r = vm.call(out.module!, fn, args, { store });
    const message = r.status === "revert" ? out.abi!.errors.find((e) => e.id === r.error)?.message : undefined;
    return { status: r.status, returns: r.returns, ...(message !== undefined ? { message } : {}) };
  });
};
const run1 = (src: string, fn: string, args: (bigint | Uint8Array)[]) => runAll(src, [[fn, args]])[0]!;

/** The module `src` compiles to, as hex (it must compile). */
const moduleHex = (src: string): string => {
  const out = compileSource(src, "c.mote");
  expect(out.diagnostics).toEqual([]);
  return Buffer.from(out.module!).toString("hex");
};

describe("struct layouts", () => {
  it("a field that cannot be packed makes the struct an error type: E0038 once, no cascade where it is used", () => {
    const use = "contract C { pub fn f() { let _s: S = 5; } }";
    expect(diags(`struct S { a: u64, b: bytes }\n${use}`)).toEqual(["E0038 1:23: bytes cannot be a struct field or array element"]);
    expect(diags(`struct S { b: bytes }\n${use}`)).toEqual(["E0038 1:15: bytes cannot be a struct field or array element"]);
    // one step away: a struct of packable fields is a type, so the mismatch is reported
    expect(diags(`struct S { a: u64, b: bool }\n${use}`)).toEqual(["E0030 2:39: expected S, found u64"]);
  });

  it("a struct with no fields is E0002 at the struct, once, and then an error type", () => {
    expect(diags("struct E { }\ncontract C { pub fn f() { let _s: E = 5; } }")).toEqual(["E0002 1:1: struct `E` has no fields"]);
  });

  it(`a struct packs to at most ${LIMITS.MAX_BYTES_LEN.value} bytes: that many compile, one more is E0050 once`, () => {
    const max = LIMITS.MAX_BYTES_LEN.value;
    const n = (max - 8) / 8; // [u64; n] and one u64 fill the limit exactly
    const at = `struct B { a: [u64; ${n}], b: u64 }`;
    const src = `${at}\ncontract C {\n  storage s: B;\n  pub view fn size() -> u64 { return len(bytes(s)); }\n}\n`;
    expect(run1(src, "size", [])).toEqual({ status: "ok", returns: [BigInt(max)] });
    const over = `struct B { a: [u64; ${n}], b: u64, c: bool }\ncontract C { pub fn f() { let _s: B = 5; } }`;
    expect(diags(over)).toEqual([`E0050 1:1: struct \`B\` packs to ${max + 1} bytes; values are at most ${max}`]);
  });
});

describe("constants", () => {
  it("a constant that refers to itself is E0054 at its declaration", () => {
    expect(diags("const A: u64 = A + 1;\ncontract C { pub fn f() -> u64 { return A; } }")).toEqual([
      "E0054 1:1: `A` (it refers to itself) is not a compile-time constant",
    ]);
  });

  it("a constant whose value is an error is reported once, where the error is, however often it is used", () => {
    expect(diags("const A: u64 = nosuch;\ncontract C { pub fn f() -> u64 { return A + A; } }")).toEqual(["E0020 1:16: cannot find `nosuch` in this scope"]);
  });

  it("regression: a constant that is not a compile-time constant is reported once, not once per use", () => {
    expect(diags("const N: u64 = height();\ncontract C { pub fn f() -> u64 { return N + N; } }")).toEqual([
      "E0054 1:16: the value of `N` is not a compile-time constant",
    ]);
    const inContract = contract("storage s: u64;", "const J: u64 = s;", "pub fn f() -> u64 { return J + J; }");
    expect(diags(inContract)).toEqual(["E0054 5:18: the value of `J` is not a compile-time constant"]);
  });

  it("a constant of the wrong type is E0030, not also E0054", () => {
    expect(diags("const A: u64 = height() == 1;\ncontract C { }")).toEqual(["E0030 1:16: expected u64, found bool"]);
    expect(diags("const A: u64 = [1, 2];\ncontract C { }")).toEqual(["E0030 1:16: expected u64, found [u64; 2]"]);
  });

  it("a constant's type cannot be a map (E0036, nothing more)", () => {
    expect(diags("const M: map<u64, u64> = 1;\ncontract C { }")).toEqual(["E0036 1:10: a map can only be a storage field"]);
  });

  it("contract constants see each other in any order; a top-level constant does not see them", () => {
    expect(run1(contract("const K: u64 = J + 1;", "const J: u64 = 4;", "pub fn f() -> u64 { return K; }"), "f", [])).toEqual({ status: "ok", returns: [5n] });
    expect(diags("const G: u64 = K;\ncontract C { const K: u64 = 3; pub fn f() -> u64 { return G; } }")).toEqual([
      "E0020 1:16: cannot find `K` in this scope",
    ]);
  });

  it("an array length must be a compile-time constant (E0054); a constant one is", () => {
    expect(diags("contract C { pub fn f() -> u64 { let x: [u64; height()] = [0; 2]; return x[0]; } }")).toEqual([
      "E0054 1:47: this length is not a compile-time constant",
    ]);
    expect(diags("contract C { pub fn f() -> u64 { let x = [7; height()]; return x[0]; } }")).toEqual(["E0054 1:46: this length is not a compile-time constant"]);
    expect(run1("const N: u64 = 2;\ncontract C { pub fn f() -> u64 { let x: [u64; N] = [7; N]; return x[1]; } }", "f", [])).toEqual({ status: "ok", returns: [7n] });
  });

  it("an array length of the wrong type is E0030, not also E0054", () => {
    expect(diags("contract C { pub fn f() -> u64 { let x: [u64; height() == 1] = [0; 2]; return x[0]; } }")).toEqual([
      "E0030 1:47: expected u64, found bool",
    ]);
  });

  it("regression: an array length that is an error is reported once, not again as a length of 0", () => {
    expect(diags("contract C { pub fn f(_n: u64) -> u64 { let _x: [u64; nosuch] = [0; 2]; return 1; } }")).toEqual([
      "E0020 1:55: cannot find `nosuch` in this scope",
    ]);
    expect(diags("contract C { pub fn f() -> u64 { let x = [7; nosuch]; return x[0]; } }")).toEqual(["E0020 1:46: cannot find `nosuch` in this scope"]);
  });
});

describe("function bodies", () => {
  it("a repeated parameter name is reported once", () => {
    expect(diags("contract C { pub fn f(a: u64, a: u64) -> u64 { return a; } }")).toEqual(["E0023 1:31: `a` is defined more than once"]);
  });

  it("a function whose return type is unknown is not also said to fall off its end or to need a value", () => {
    expect(diags("contract C { pub fn f() -> Nope { } }")).toEqual(["E0021 1:28: unknown type `Nope`"]);
    expect(diags("contract C { pub fn f() -> Nope { return; } }")).toEqual(["E0021 1:28: unknown type `Nope`"]);
  });

  it("`return;` needs a function without a result, `return value;` one with a result (E0043)", () => {
    expect(diags("contract C { pub fn f() { return; } }")).toEqual([]);
    expect(diags("contract C { pub fn f() -> u64 { return; } }")).toEqual(["E0043 1:34: `f` returns u64; write `return value;`"]);
    expect(diags("contract C { pub fn f() { return 1; } }")).toEqual(["E0043 1:34: `f` has no return type, so it cannot return a value"]);
  });

  it("a bare `return;` leaves the function there", () => {
    const src = contract("pub fn f(x: u64) { if x > 1 { return; } n = 5; }", "pub view fn get() -> u64 { return n; }");
    expect(runAll(src, [["f", [2n]], ["get", []], ["f", [1n]], ["get", []]]).map((r) => r.returns)).toEqual([[], [0n], [], [5n]]);
  });

  it("only the literal `while true` without `break` ends a function: `while false`, `while 1` and `while \"x\"` may end", () => {
    expect(diags("contract C { pub fn f() -> u64 { while false { } } }")).toEqual(["E0042 1:21: function `f` may end without returning a value"]);
    expect(diags("contract C { pub fn f() -> u64 { while 1 { } } }")).toEqual([
      "E0030 1:40: expected bool, found u64",
      "E0042 1:21: function `f` may end without returning a value",
    ]);
    expect(diags('contract C { pub fn f() -> u64 { while "x" { } } }')).toEqual([
      "E0040 1:40: a string literal can only be a message of require, assert or revert",
      "E0042 1:21: function `f` may end without returning a value",
    ]);
  });

  it("an `if` without `else` inside `while true` is no `break`", () => {
    expect(diags(contract("pub fn f(x: u64) -> u64 { while true { if x > 1 { n = 1; } } }"))).toEqual([]);
  });
});

describe("statements", () => {
  it("an expression that is not a call does nothing as a statement (E0056); one that failed to parse is only E0002", () => {
    expect(diags("contract C { pub fn f(x: u64) -> u64 { x + 1; return x; } }")).toEqual(["E0056 1:40: this expression does nothing as a statement"]);
    expect(diags("contract C { pub fn f(x: u64) { x.; } }")).toEqual(["E0002 1:35: expected a name, found `;`"]);
  });

  it("`let` of a call with no result is E0030", () => {
    expect(diags("contract C { fn g() { } pub fn f() { let _x = g(); } }")).toEqual(["E0030 1:47: expected a value, found a call with no result"]);
  });

  it("a constant `if` condition keeps only the branch it takes, and runs it", () => {
    const fn = (body: string) => contract(`pub fn f(_x: u64) -> u64 {`, body, "  return n;", "}");
    expect(moduleHex(fn("  if true { n = 1; }"))).toBe(moduleHex(fn("  n = 1;")));
    expect(moduleHex(fn("  if false { n = 1; } else { n = 2; }"))).toBe(moduleHex(fn("  n = 2;")));
    expect(moduleHex(fn("  if false { n = 1; }"))).toBe(moduleHex(fn("")));
    expect(run1(fn("  if false { n = 1; } else { n = 2; }"), "f", [0n])).toEqual({ status: "ok", returns: [2n] });
    expect(run1(fn("  if true { n = 1; } else { n = 2; }"), "f", [0n])).toEqual({ status: "ok", returns: [1n] });
    // an `if` without `else` compiles as one with an empty `else`: no jump over nothing
    expect(moduleHex(fn("  if _x > 1 { n = 1; }"))).toBe(moduleHex(fn("  if _x > 1 { n = 1; } else { }")));
  });

  it("`while false` compiles to nothing; another condition loops", () => {
    const fn = (body: string) => contract(`pub fn f(x: u64) -> u64 {`, body, "  return n + x;", "}");
    expect(moduleHex(fn("  while false { n = 1; }"))).toBe(moduleHex(fn("")));
    expect(run1(fn("  while x > 1 { x -= 1; n += 10; }"), "f", [4n])).toEqual({ status: "ok", returns: [31n] });
  });

  it("`break` and `continue` after a loop are outside it (E0044)", () => {
    expect(diags("contract C { pub fn f(x: u64) { while x > 1 { x = x - 1; } break; } }")).toEqual(["E0044 1:60: `break` outside of a loop"]);
    expect(diags("contract C { pub fn f(x: u64) { for _i in 0..x { } continue; } }")).toEqual(["E0044 1:52: `continue` outside of a loop"]);
    expect(diags("contract C { pub fn f(x: u64) { for _i in 0..x { break; } } }")).toEqual([]);
  });
});

describe("`for` ranges", () => {
  const sum = (t: string, range: string, params = `x: ${t}`) => `contract C { pub fn f(${params}) -> ${t} { let s: ${t} = 0; for i in ${range} { s += i; } return s; } }`;

  it("a literal start takes the type of the end: `0..x` and `-3..x` count in i64", () => {
    expect(run1(sum("i64", "0..x"), "f", [4n])).toEqual({ status: "ok", returns: [6n] });
    expect(run1(sum("i64", "-3..x"), "f", [2n])).toEqual({ status: "ok", returns: [BigInt.asUintN(64, -5n)] });
  });

  it("a negative literal start against a u64 end is reported at the start", () => {
    expect(diags(sum("u64", "-3..x"))).toEqual(["E0030 1:65: expected u64, found i64"]);
  });

  it("only a literal or a negated literal takes the end's type: `~5`, `-y` and `x - 1` set the type themselves", () => {
    expect(diags(sum("i64", "~5..x"))).toEqual(["E0030 1:69: expected u64, found i64", "E0030 1:78: expected i64, found u64"]);
    expect(diags(sum("i64", "-y..x", "x: u64, y: i64"))).toEqual(["E0030 1:77: expected i64, found u64"]);
    expect(run1(sum("u64", "x - 1..x + 2"), "f", [3n])).toEqual({ status: "ok", returns: [9n] });
  });

  it("a range of anything but u64 or i64 is E0030; of an unknown name, only E0020", () => {
    expect(diags("contract C { pub fn f() { for _i in true..false { } } }")).toEqual(["E0030 1:37: expected u64 or i64, found bool"]);
    expect(diags("contract C { pub fn f() { for _i in 0.5..2.0 { } } }")).toEqual(["E0030 1:37: expected u64 or i64, found fixed"]);
    expect(diags("contract C { pub fn f() { for _i in nope..3 { } } }")).toEqual(["E0020 1:37: cannot find `nope` in this scope"]);
  });

  it("the loop variable counts as used", () => {
    expect(diags(contract("pub fn f() { for i in 0..3 { n += 1; } }"))).toEqual([]);
  });
});

describe("emit", () => {
  it("outside a contract is E0048, and its arguments are still checked", () => {
    expect(diags("contract C { event Poked(n: u64); }\nfn g() { emit Poked(nosuch); }")).toEqual([
      "E0048 2:10: `emit` needs a contract",
      "E0020 2:21: cannot find `nosuch` in this scope",
    ]);
  });

  it("of an unknown event is E0025 with a suggestion, and its arguments are still checked", () => {
    const out = compileSource("contract C { event Poked(n: u64); pub fn f() { emit Pokd(nosuch); } }", "c.mote");
    expect(out.diagnostics.map((d) => `${d.code} ${d.line}:${d.col}: ${d.message}`)).toEqual([
      "E0025 1:53: cannot find event `Pokd`",
      "E0020 1:58: cannot find `nosuch` in this scope",
    ]);
    expect(out.diagnostics[0]!.hint).toBe("did you mean `Poked`?");
  });

  it("with too many or too few values is E0032 at the statement", () => {
    expect(diags("contract C { event Poked(n: u64); pub fn f() { emit Poked(1, 2); } }")).toEqual(["E0032 1:48: event `Poked` takes 1 argument(s), 2 given"]);
    expect(diags("contract C { event Poked(n: u64); pub fn f() { emit Poked(); } }")).toEqual(["E0032 1:48: event `Poked` takes 1 argument(s), 0 given"]);
    expect(diags("contract C { event Poked(n: u64); pub fn f() { emit Poked(1); } }")).toEqual([]);
  });
});

describe("require, assert and revert", () => {
  it("a local named like the builtin is reported, and a call of it is a call of the local", () => {
    expect(diags("contract C { pub fn f(x: u64) { let require = 5; require(x > 1, \"m\"); } }")).toEqual([
      "E0026 1:37: `require` is a builtin and cannot be redefined",
      "E0055 1:50: local `require` cannot be called",
      "E0040 1:65: a string literal can only be a message of require, assert or revert",
      "W0002 1:37: unused variable `require`",
    ]);
  });

  it("the message must be a string literal (E0030 at the message)", () => {
    expect(diags("contract C { pub fn f(x: u64) { require(x > 1, 5); } }")).toEqual(["E0030 1:48: expected a string literal message, found an expression"]);
    expect(diags("contract C { pub fn f(x: u64) { assert(x > 1, x); } }")).toEqual(["E0030 1:47: expected a string literal message, found an expression"]);
    expect(diags("contract C { pub fn f() { revert(5); } }")).toEqual(["E0030 1:34: expected a string literal message, found an expression"]);
  });

  it("`revert` takes one message (E0032)", () => {
    expect(diags("contract C { pub fn f() { revert(); } }")).toEqual(["E0032 1:27: `revert` takes 1 argument(s), 0 given"]);
    expect(diags("contract C { pub fn f() { revert(\"a\", \"b\"); } }")).toEqual(["E0032 1:27: `revert` takes 1 argument(s), 2 given"]);
  });

  it("`require` takes a condition and a message, `assert` a condition and maybe a message (E0032)", () => {
    expect(diags("contract C { pub fn f() { require(); } }")).toEqual(["E0032 1:27: `require` takes 2 argument(s), 0 given"]);
    expect(diags("contract C { pub fn f(x: u64) { require(x > 1); } }")).toEqual(["E0032 1:33: `require` takes 2 argument(s), 1 given"]);
    expect(diags("contract C { pub fn f(x: u64) { require(x > 1, \"a\", \"b\"); } }")).toEqual(["E0032 1:33: `require` takes 2 argument(s), 3 given"]);
    expect(diags("contract C { pub fn f() { assert(); } }")).toEqual(["E0032 1:27: `assert` takes 1 or 2 argument(s), 0 given"]);
    expect(diags("contract C { pub fn f(x: u64) { assert(x > 1, \"m\", \"n\"); } }")).toEqual(["E0032 1:33: `assert` takes 1 or 2 argument(s), 3 given"]);
    expect(diags("contract C { pub fn f(x: u64) { require(x > 1, \"m\"); assert(x > 2); assert(x > 3, \"n\"); } }")).toEqual([]);
  });

  it("regression: the arguments of a call of the wrong arity are still checked (no unused-variable warning, unknown names reported)", () => {
    expect(diags("contract C { pub fn f(x: u64) { require(x > nosuch); } }")).toEqual([
      "E0032 1:33: `require` takes 2 argument(s), 1 given",
      "E0020 1:45: cannot find `nosuch` in this scope",
    ]);
    expect(diags("contract C { pub fn f(x: u64) { revert(\"a\", x); } }")).toEqual(["E0032 1:33: `revert` takes 1 argument(s), 2 given"]);
  });
});

describe("names the checker records for tools", () => {
  const usesOf = (src: string): NameUse[] => {
    const tooling: { uses?: NameUse[] } = {};
    compileSource(src, "c.mote", undefined, { tooling });
    return tooling.uses!;
  };
  const at = (line: number, col: number, endCol: number) => ({ file: "c.mote", line, col, endLine: line, endCol });

  it("a local's declaration, an emitted event and a `require` call", () => {
    const line3 = '  pub fn f(x: u64) { let y = x; require(y > 1, "m"); emit Poked(y); }';
    const uses = usesOf(`contract C {\n  event Poked(v: u64);\n${line3}\n}\n`);
    const col = (text: string) => line3.indexOf(text) + 1;
    const y = at(3, col("y ="), col("y =") + 1);
    expect(uses).toContainEqual({ span: y, kind: "local", name: "y", type: { k: "u64" }, decl: y });
    expect(uses).toContainEqual({ span: at(3, col("require"), col("require") + 7), kind: "builtin", name: "require" });
    const events = uses.filter((u) => u.kind === "event");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ span: at(3, col("Poked"), col("Poked") + 5), name: "Poked", decl: { line: 2, col: 3 }, params: [{ name: "v", type: { k: "u64" } }] });
  });
});
