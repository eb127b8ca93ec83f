// A contract's own `const` in the types of its declarations: storage fields (also nested in a map), the
// parameters and result of its functions, and its events' fields take it as an array length, resolved before
// any of them is read, in any order. Each case compiles and runs, and the ABI shows the resolved length. A
// struct is a file-level declaration and sees file-level constants only; a contract constant hides a
// file-level one of the same name inside the contract (docs/language.md, Constants). Cycles, non-constant
// initializers, storage fields, calls and parameters used as lengths are one diagnostic each, never a throw or
// a hang; hover and go-to-definition find the constant in a declaration's type.
import { beforeAll, describe, expect, it } from "vitest";
import { eventTopic } from "../../compiler/checker.ts";
import { compileSource } from "../../compiler/index.ts";
import { all, loc, show } from "./source-helpers.ts";
import { analyze, definition, hover } from "../../lsp/analysis.ts";
import { MemoryStateStore, MoteVM, type Value } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";



/** u64 values packed as an array of them travels: 8 bytes each, little-endian. */
function packed(...xs: bigint[]): Uint8Array {
  const b = new Uint8Array(8 * xs.length);
  const v = new DataView(b.buffer);
  xs.forEach((x, i) => v.setBigUint64(8 * i, x, true));
  return b;
}

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

/** Compiles `src` (no diagnostics at all allowed); returns the output and a runner over one store. */
function compiled(src: string, files: Record<string, string> = {}) {
  const out = compileSource(src, "c.mote", (p) => files[p]);
  expect(out.diagnostics.map(show)).toEqual([]);
  const store = new MemoryStateStore();
  const call = (fn: string, args: Value[] = []) => {
    const r = vm.call(out.module!, fn, args, { store });
    return { status: r.status, returns: r.returns, events: r.events };
  };
  return { out, call };
}

describe("a contract's own const as an array length in its declarations", () => {
  it("regression: a contract's own const as an array length in a storage type was 'cannot find'", () => {
    const src = [
      "contract C {",
      "  const N: u64 = 2;",
      "  storage a: [u64; N];",
      "  pub fn put(v: u64) { a[N - 1] = v; }",
      "  pub view fn last() -> u64 { return a[1]; }",
      "  pub view fn first() -> u64 { return a[0]; }",
      "}",
    ].join("\n");
    const { out, call } = compiled(src);
    expect(out.abi!.storage).toEqual([{ name: "a", slot: 0, type: "[u64;2]" }]);
    expect(call("put", [41n]).status).toBe("ok");
    expect(call("last")).toMatchObject({ status: "ok", returns: [41n] });
    expect(call("first")).toMatchObject({ status: "ok", returns: [0n] });
    // an index equal to the constant is past the end: the existing E0053, naming the resolved type
    const past = src.replace("return a[1];", "return a[N];");
    expect(all(past)).toEqual([`E0053 ${loc(past, "N];", 1)}: index 2 is out of range for [u64; 2]`]);
  });

  it("in a map's value type, and in a map nested in a map", () => {
    const src = [
      "contract C {",
      "  const N: u64 = 3;",
      "  storage m: map<u64, [u64; N]>;",
      "  storage mm: map<u64, map<bool, [i64; N]>>;",
      "  pub fn put(k: u64, v: u64) { m[k][N - 1] = v; mm[k][true][N - 1] = -1; }",
      "  pub view fn get(k: u64) -> u64 { return m[k][2]; }",
      "  pub view fn neg(k: u64) -> i64 { return mm[k][true][2]; }",
      "}",
    ].join("\n");
    const { out, call } = compiled(src);
    expect(out.abi!.storage.map((s) => s.type)).toEqual(["map<u64,[u64;3]>", "map<u64,map<bool,[i64;3]>>"]);
    expect(call("put", [7n, 99n]).status).toBe("ok");
    expect(call("get", [7n])).toMatchObject({ status: "ok", returns: [99n] });
    expect(call("get", [8n])).toMatchObject({ status: "ok", returns: [0n] });
    expect(call("neg", [7n])).toMatchObject({ status: "ok", returns: [BigInt.asUintN(64, -1n)] });
  });

  it("in a function's parameter and return types, with the packed size in the ABI", () => {
    const src = [
      "contract C {",
      "  const N: u64 = 2;",
      "  pub fn swap(xs: [u64; N]) -> [u64; N] { return [xs[1], xs[0]]; }",
      "  pub view fn sum(xs: [u64; N]) -> u64 { return xs[0] + xs[N - 1]; }",
      "  fn twice(xs: [u64; N]) -> [u64; N] { return [xs[0] * 2, xs[1] * 2]; }",
      "  pub view fn doubled(x: u64) -> u64 { let d = twice([x, x + 1]); return d[1]; }",
      "}",
    ].join("\n");
    const { out, call } = compiled(src);
    const swap = out.abi!.functions.find((f) => f.name === "swap")!;
    expect(swap.params).toEqual([{ name: "xs", type: "[u64;2]", size: 16 }]);
    expect(swap.returns).toBe("[u64;2]");
    expect(call("swap", [packed(5n, 9n)])).toMatchObject({ status: "ok", returns: [packed(9n, 5n)] });
    expect(call("sum", [packed(5n, 9n)])).toMatchObject({ status: "ok", returns: [14n] });
    expect(call("doubled", [20n])).toMatchObject({ status: "ok", returns: [42n] });
    // the length is checked on entry, as for a literal length: 3 elements are not a [u64; 2]
    expect(call("swap", [packed(5n, 9n, 1n)]).status).toBe("revert");
  });

  it("in an event's field, whose signature and topic use the resolved length", () => {
    const src = [
      "contract C {",
      "  const N: u64 = 2;",
      "  event Pair(xs: [u64; N], tag: u64);",
      "  pub fn f(a: u64) { emit Pair([a, a + 1], N); }",
      "}",
    ].join("\n");
    const { out, call } = compiled(src);
    expect(out.abi!.events).toEqual([
      { name: "Pair", topic: eventTopic("Pair([u64;2],u64)"), signature: "Pair([u64;2],u64)", fields: [{ name: "xs", type: "[u64;2]" }, { name: "tag", type: "u64" }] },
    ]);
    const r = call("f", [10n]);
    expect(r.status).toBe("ok");
    expect(r.events).toEqual([{ topic: eventTopic("Pair([u64;2],u64)"), values: [packed(10n, 11n), 2n] }]);
  });

  it("a constant computed from another, both declared after the type that uses them", () => {
    const src = [
      "contract C {",
      "  storage a: [u64; M];",
      "  pub fn put(v: u64) { a[M - 1] = v; }",
      "  pub view fn get() -> u64 { return a[M - 1]; }",
      "  const M: u64 = N + 1;",
      "  const N: u64 = 2;",
      "}",
    ].join("\n");
    const { out, call } = compiled(src);
    expect(out.abi!.storage).toEqual([{ name: "a", slot: 0, type: "[u64;3]" }]);
    expect(call("put", [8n]).status).toBe("ok");
    expect(call("get")).toMatchObject({ status: "ok", returns: [8n] });
  });

  it("an imported or `extern` contract's storage types see that contract's own constants", () => {
    const lib = "contract Lib {\n  const K: u64 = 3;\n  storage xs: [u64; K];\n  pub fn set(v: u64) { xs[K - 1] = v; }\n}\n";
    const reader = (i: number) => `contract Main {\n  pub view fn peek(id: hash) -> u64 { return Lib(id).xs[${i}]; }\n}\n`;
    expect(all(`import "lib.mote";\n${reader(2)}`, { "lib.mote": lib })).toEqual([]);
    const ext = `extern contract Lib {\n  const K: u64 = 3;\n  storage xs: [u64; K];\n}\n`;
    expect(all(`${ext}${reader(2)}`)).toEqual([]);
    // its length is the one its constant gives: index 3 is past the end
    const past = `${ext}${reader(3)}`;
    expect(all(past)).toEqual([`E0053 ${loc(past, "3]; }")}: index 3 is out of range for [u64; 3]`]);
    // the compiled contract's constants are not the imported one's: `K` is Lib's alone
    const other = `import "lib.mote";\ncontract Main {\n  storage ys: [u64; K];\n}\n`;
    expect(all(other, { "lib.mote": lib })).toEqual([`E0020 ${loc(other, "K]")}: cannot find \`K\` in this scope`]);
  });
});

describe("scope: file-level declarations, and a name declared at both levels", () => {
  it("a struct, a free function and a file-level constant do not see a contract's constant (E0020 with a hint)", () => {
    const src = [
      "struct P { xs: [u64; N] }",
      "const G: u64 = N;",
      "fn h() -> u64 { return N; }",
      "contract C {",
      "  const N: u64 = 2;",
      "}",
    ].join("\n");
    const hint = "[hint: `N` is a constant of contract `C`, seen only inside it; to use it here, declare it at the top level of the file]";
    expect(all(src)).toEqual([
      `E0020 ${loc(src, "N] }")}: cannot find \`N\` in this scope ${hint}`,
      `E0020 ${loc(src, "N;")}: cannot find \`N\` in this scope ${hint}`,
      `E0020 ${loc(src, "N; }")}: cannot find \`N\` in this scope ${hint}`,
    ]);
    // what the hint says: the constant at the top level serves the struct, and the contract runs
    const moved = ["const N: u64 = 2;", "struct P { xs: [u64; N] }", "contract C {", "  storage p: P;", "  pub fn f() -> u64 { p.xs[N - 1] = 6; return p.xs[1]; }", "}"].join("\n");
    expect(compiled(moved).call("f")).toMatchObject({ status: "ok", returns: [6n] });
  });

  it("a contract constant hides a file-level one of the same name inside the contract, and only there", () => {
    const src = [
      "const N: u64 = 3;",
      "struct P { xs: [u64; N] }",
      "contract C {",
      "  const N: u64 = 2;",
      "  storage a: [u64; N];",
      "  storage p: P;",
      "  pub fn f(xs: [u64; N]) -> u64 { a = xs; p.xs[2] = 5; return a[1] * 10 + p.xs[2]; }",
      "}",
    ].join("\n");
    const { out, call } = compiled(src);
    expect(out.abi!.storage.find((s) => s.name === "a")!.type).toBe("[u64;2]");
    expect(out.abi!.structs).toEqual([{ name: "P", size: 24, fields: [{ name: "xs", type: "[u64;3]", offset: 0 }] }]);
    expect(out.abi!.functions[0]!.params).toEqual([{ name: "xs", type: "[u64;2]", size: 16 }]);
    expect(call("f", [packed(1n, 4n)])).toMatchObject({ status: "ok", returns: [45n] });
  });
});

describe("a length that is not a constant, or a constant that has no value: one diagnostic, at its cause", () => {
  it("two constants that refer to each other, used as a length: E0054 once, naming the cycle", () => {
    const src = ["contract C {", "  const A: u64 = B;", "  const B: u64 = A;", "  storage a: [u64; A];", "}"].join("\n");
    expect(all(src)).toEqual([`E0054 ${loc(src, "const A")}: \`A\` (it refers to itself through \`B\`) is not a compile-time constant`]);
    const three = ["contract C {", "  storage a: [u64; B];", "  const A: u64 = B + 1;", "  const B: u64 = D;", "  const D: u64 = A * 2;", "}"].join("\n");
    expect(all(three)).toEqual([`E0054 ${loc(three, "const B")}: \`B\` (it refers to itself through \`D\`, then \`A\`) is not a compile-time constant`]);
    // one that refers to itself directly keeps its wording
    const self = ["contract C {", "  const A: u64 = A + 1;", "  pub fn f(xs: [u64; A]) { }", "}"].join("\n");
    expect(all(self).filter((d) => d.startsWith("E"))).toEqual([`E0054 ${loc(self, "const A")}: \`A\` (it refers to itself) is not a compile-time constant`]);
  });

  it("a constant whose type uses itself as a length, and a struct whose length constant builds that struct", () => {
    const src = ["contract C {", "  const N: [u64; N] = [1, 2];", "}"].join("\n");
    expect(all(src)).toEqual([
      `E0054 ${loc(src, "const N")}: \`N\` (it refers to itself) is not a compile-time constant`,
      `E0054 ${loc(src, "[1, 2]")}: the value of \`N\` is not a compile-time constant`,
    ]);
    const struct = ["const L: u64 = len(bytes(P { x: 1 }));", "struct P { x: u64, ys: [u64; L] }", "contract C { storage p: P; }"].join("\n");
    expect(all(struct)).toEqual([`E0058 ${loc(struct, "P {")}: struct \`P\` contains itself`]);
  });

  it("a non-constant initializer keeps its diagnostic, and the length that uses it adds none", () => {
    const src = ["contract C {", "  const K: u64 = now();", "  storage a: [u64; K];", "  event E(xs: [u64; K]);", "}"].join("\n");
    expect(all(src)).toEqual([`E0054 ${loc(src, "now()")}: the value of \`K\` is not a compile-time constant`]);
    const overflow = ["contract C {", "  const K: u64 = 1 - 2;", "  storage a: [u64; K];", "}"].join("\n");
    expect(all(overflow)).toEqual([`E0041 ${loc(overflow, "1 - 2")}: constant expression overflows u64 (1 - 2)`]);
    const signed = ["contract C {", "  const K: i64 = 2;", "  storage a: [u64; K];", "}"].join("\n");
    expect(all(signed)).toEqual([`E0030 ${loc(signed, "K]")}: expected u64, found i64 [hint: convert explicitly: \`u64(…)\`]`]);
  });

  it("a constant outside 1..the limit is the array limit, as a literal is", () => {
    const max = LIMITS.MAX_BYTES_LEN.value;
    const zero = ["contract C {", "  const Z: u64 = 0;", "  storage a: [u64; Z];", "}"].join("\n");
    expect(all(zero)).toEqual([`E0050 ${loc(zero, "[u64")}: an array has 1..${max} elements, not 0`]);
    const big = ["contract C {", `  const Z: u64 = ${max + 1};`, "  storage a: [bool; Z];", "}"].join("\n");
    expect(all(big)).toEqual([`E0050 ${loc(big, "[bool")}: an array has 1..${max} elements, not ${max + 1}`]);
  });

  it("a storage field or a parameter as a length is E0054 naming it, not 'cannot find'", () => {
    const field = ["contract C {", "  storage n: u64;", "  storage a: [u64; n];", "  const L: u64 = n * 2;", "}"].join("\n");
    expect(all(field)).toEqual([
      `E0054 ${loc(field, "n];")}: storage field \`n\` is not a compile-time constant [hint: a storage field is known only at run time; use a \`const\` here]`,
      // a constant's initializer, read after the layout, finds the field and keeps its own wording
      `E0054 ${loc(field, "n * 2")}: the value of \`L\` is not a compile-time constant`,
    ]);
    // a field declared later, read by the constant its own type needs
    const later = ["contract C {", "  storage a: [u64; N];", "  const N: u64 = b;", "  storage b: u64;", "}"].join("\n");
    expect(all(later)).toEqual([
      `E0054 ${loc(later, "b;")}: storage field \`b\` is not a compile-time constant [hint: a storage field is known only at run time; use a \`const\` here]`,
    ]);
    // a function of the contract, not yet collected when storage types are read, is found and is no constant
    const call = ["contract C {", "  storage a: [u64; f()];", "  fn f() -> u64 { return 2; }", "}"].join("\n");
    expect(all(call)).toEqual([`E0054 ${loc(call, "f()")}: a call to \`f\` is not a compile-time constant`]);
    const param = ["contract C {", "  pub fn f(n: u64, xs: [u64; n]) -> u64 { return n + xs[0]; }", "}"].join("\n");
    expect(all(param)).toEqual([
      `E0054 ${loc(param, "n]")}: parameter \`n\` is not a compile-time constant [hint: a parameter is known only at run time; use a \`const\` here]`,
    ]);
  });
});

describe("tools resolve the constant in a declaration's type", () => {
  it("hover and go-to-definition on a contract constant in a storage type and in a parameter type", () => {
    const src = ["contract C {", "  storage a: [u64; N];", "  pub fn f(xs: [u64; N]) { a = xs; }", "  const N: u64 = 2 * 2;", "}"].join("\n");
    const { analysis, diagnostics } = analyze(src, "c.mote", () => undefined);
    expect(diagnostics).toEqual([]);
    for (const [line, col] of [loc(src, "N]"), loc(src, "N]", 1)].map((l) => l.split(":").map(Number) as [number, number])) {
      expect(hover(analysis, { line, col })?.markdown).toBe("```mote\nconst N: u64\n```");
      expect(definition(analysis, { line, col }, (_, p) => p)).toMatchObject({ file: "c.mote", line: 4, col: 3 });
    }
  });
});
