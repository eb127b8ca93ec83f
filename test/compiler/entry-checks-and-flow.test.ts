// What docs/language.md promises of public functions' arguments and of control flow, each at its edge: an
// enum argument past the last variant, a struct or array argument of the wrong packed size, the message naming
// the argument; `init` runs once; a value-returning function that may fall off its end is E0042, one that
// cannot (both branches, a nested block, `while true` without `break`, `revert`) is not; code after a
// `return`, `break` or `continue` is warned about once (issue 20: Stryker survivors of compiler/checker.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";

const diags = (src: string) => compileSource(src, "c.mote").diagnostics.map((d) => `${d.code} ${d.line}: ${d.message}`);
const wrap = (body: string) => `enum Phase { Open, Locked, Settled }\nstruct P { a: u64, ok: bool }\ncontract C {\n  storage n: u64;\n${body}\n}\n`;

describe("entry checks of enum, struct and array arguments", () => {
  let vm: MoteVM;
  beforeAll(async () => {
    vm = await MoteVM.create();
  });
  const SRC = wrap(
    [
      "  pub fn phase(p: Phase) -> u64 { return u64(p); }",
      "  pub fn rec(r: P) -> u64 { return r.a; }",
      "  pub fn arr(x: [u64; 3]) -> u64 { return x[2]; }",
      "  pub view fn vphase(p: Phase) -> u64 { return u64(p); }",
    ].join("\n"),
  );
  const run = (fn: string, args: (bigint | Uint8Array)[]) => {
    const out = compileSource(SRC, "entry.mote");
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const r = vm.call(out.module!, fn, args, { store: new MemoryStateStore() });
    const message = r.status === "revert" ? out.abi!.errors.find((e) => e.id === r.error)?.message : undefined;
    return { status: r.status, returns: r.returns, message };
  };

  it("an enum argument: the last variant is accepted, one past it reverts naming the argument and the range", () => {
    expect(run("phase", [0n])).toMatchObject({ status: "ok", returns: [0n] });
    expect(run("phase", [2n])).toMatchObject({ status: "ok", returns: [2n] });
    for (const v of [3n, 4n, (1n << 64n) - 1n]) expect(run("phase", [v])).toEqual({ status: "revert", returns: [], message: "argument `p` of `phase` must be a Phase (0..2)" });
  });

  it("a view's enum argument is not checked", () => {
    expect(run("vphase", [3n])).toMatchObject({ status: "ok", returns: [3n] });
  });

  it("a struct argument must have its packed size (9 bytes for u64 + bool)", () => {
    const good = Uint8Array.of(7, 0, 0, 0, 0, 0, 0, 0, 1);
    expect(run("rec", [good])).toMatchObject({ status: "ok", returns: [7n] });
    for (const n of [8, 10]) expect(run("rec", [new Uint8Array(n)])).toEqual({ status: "revert", returns: [], message: "argument `r` of `rec` must be 9 bytes (a packed P)" });
  });

  it("an array argument must have its packed size (24 bytes for [u64; 3])", () => {
    const good = new Uint8Array(24);
    good[16] = 5;
    expect(run("arr", [good])).toMatchObject({ status: "ok", returns: [5n] });
    expect(run("arr", [new Uint8Array(23)])).toMatchObject({ status: "revert", message: "argument `x` of `arr` must be 24 bytes (a packed [u64; 3])" });
  });

  it("init runs once: a second call reverts with `init already ran`", async () => {
    const out = compileSource(wrap("  init(v: u64) { n = v; }\n  pub view fn get() -> u64 { return n; }"), "init.mote");
    const store = new MemoryStateStore();
    expect(vm.call(out.module!, "init", [4n], { store }).status).toBe("ok");
    const again = vm.call(out.module!, "init", [5n], { store });
    expect(again.status).toBe("revert");
    expect(out.abi!.errors.find((e) => e.id === again.error)?.message).toBe("init already ran");
    expect(vm.call(out.module!, "get", [], { store }).returns).toEqual([4n]);
  });
});

describe("E0042: a function returning a value must not fall off its end", () => {
  const fn = (body: string) => wrap(`  pub fn f(x: u64) -> u64 {\n${body}\n  }`);
  const e0042 = (body: string) => diags(fn(body)).filter((d) => d.startsWith("E0042"));

  it("is reported when only one branch returns, or a loop may break, or nothing returns", () => {
    expect(e0042("    if x > 1 { return 1; }")).toEqual(["E0042 5: function `f` may end without returning a value"]);
    expect(e0042("    if x > 1 { return 1; } else { n = 2; }")).toHaveLength(1);
    expect(e0042("    while true { if x > 1 { break; } }")).toHaveLength(1);
    expect(e0042("    while true { if x > 1 { n = 1; } else { break; } }")).toHaveLength(1);
    expect(e0042("    while true { { break; } }")).toHaveLength(1);
    expect(e0042("    while x > 1 { return 1; }")).toHaveLength(1);
    expect(e0042("    n = x;")).toHaveLength(1);
  });

  it("is not reported when every path returns or reverts", () => {
    expect(e0042("    if x > 1 { return 1; } else { return 2; }")).toEqual([]);
    expect(e0042("    { return x; }")).toEqual([]);
    expect(e0042("    while true { n += 1; }")).toEqual([]);
    expect(e0042("    while true { if x > 1 { n = 1; } }")).toEqual([]);
    expect(e0042("    while true { if x > 1 { n = 1; } else { n = 2; } }")).toEqual([]);
    expect(e0042('    revert("no");')).toEqual([]);
    expect(e0042("    if x > 1 { { return 1; } } else { if x > 0 { return 2; } else { return 3; } }")).toEqual([]);
  });

  it("a function returning nothing may end anywhere", () => {
    expect(diags(wrap("  pub fn g(x: u64) { if x > 1 { n = 1; } }")).filter((d) => d.startsWith("E0042"))).toEqual([]);
  });
});

describe("warnings and declarations", () => {
  it("unreachable code is warned about once per block, after return, break or continue", () => {
    const w = (body: string) => diags(wrap(`  pub fn f(x: u64) -> u64 {\n${body}\n  }`)).filter((d) => d.startsWith("W0001"));
    expect(w("    return 1;\n    n = 1;\n    n = 2;")).toEqual(["W0001 7: unreachable code"]);
    expect(w("    while x > 0 { break;\n n = 1; }\n    return 1;")).toEqual(["W0001 7: unreachable code"]);
    expect(w("    while x > 0 { continue;\n n = 1; }\n    return 1;")).toEqual(["W0001 7: unreachable code"]);
    expect(w("    n = 1;\n    return 1;")).toEqual([]);
  });

  it("code after an unreachable point is still checked for errors", () => {
    expect(diags(wrap("  pub fn f() -> u64 {\n    return 1;\n    n = nope;\n  }")).some((d) => /^E\d+ 7: .*nope/.test(d))).toBe(true);
  });

  it("an unused local or parameter is warned about, one starting with _ is not", () => {
    const w = diags(wrap("  pub fn f(a: u64, _b: u64) { let c = 1; let _d = 2; }")).filter((d) => d.startsWith("W0002"));
    expect(w).toEqual(["W0002 5: unused variable `a`", "W0002 5: unused variable `c`"]);
  });

  it("a parameter named like a builtin, and a duplicate parameter, are errors naming it", () => {
    expect(diags(wrap("  pub fn f(len: u64) -> u64 { return 1; }"))).toContain("E0026 5: `len` is a builtin and cannot be redefined");
    // (reported twice today: once by the parameter list's check and once when the second is declared)
    expect(diags(wrap("  pub fn f(a: u64, a: u64) -> u64 { return a; }"))).toContain("E0023 5: `a` is defined more than once");
    expect(diags(wrap("  pub fn f(a: u64) -> u64 { let a = 2; return a; }"))).toContain("E0023 5: `a` is defined more than once");
  });

  it("a function may hold MAX_LOCALS locals, parameters included, and not one more", () => {
    const max = LIMITS.MAX_LOCALS.value;
    const body = (n: number) => `  pub fn f(p: u64) -> u64 {\n${Array.from({ length: n - 1 }, (_, i) => `    let v${i} = p;\n    n = v${i};`).join("\n")}\n    return p;\n  }`;
    expect(diags(wrap(body(max))).filter((d) => d.startsWith("E"))).toEqual([]);
    const over = diags(wrap(body(max + 1))).filter((d) => d.startsWith("E"));
    expect(over).toEqual([`E0050 ${6 + 2 * (max - 1)}: a function has at most ${max} locals (parameters included)`]);
  });

  it("locals may shadow an outer block's, and a block's locals end with it", () => {
    const d = diags(wrap("  pub fn f(x: u64) -> u64 {\n    let a = x;\n    { let a = 2; n = a; }\n    { let b = 3; n = b; }\n    return a;\n  }"));
    expect(d.filter((m) => m.startsWith("E"))).toEqual([]);
  });
});
