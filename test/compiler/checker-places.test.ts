// What the checker decides about places (names, fields, indexes, contract references), assignments, the
// constant conditions of `require`/`assert`, the messages built from source text, type coercions and the
// typing of untyped literals: each rule's diagnostic (code, line:col, full message and hint) beside the source
// one step away that it accepts, and what the accepted source computes on the VM (issue 20: Stryker survivors
// of compiler/checker.ts, lines 760-1090).
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource, type CompileOptions } from "../../compiler/index.ts";
import type { Diagnostic } from "../../compiler/diagnostics.ts";
import type { NameUse } from "../../compiler/typed.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";

const PRELUDE = [
  "enum Phase { Open, Locked, Settled }",
  "struct P { a: u64, ok: bool }",
  "extern contract Registry {",
  "  storage count: u64;",
  "  storage devices: map<pubkey, P>;",
  "}",
  "const LIMIT: u64 = 5;",
  "fn sum2(x: [u64; 2]) -> u64 { return x[0] + x[1]; }",
  "fn mk(a: u64) -> P { return P { a: a, ok: true }; }",
  "fn noop() { }",
].join("\n");

/** A contract after the prelude, with two storage fields and an event, holding `members`. */
const contract = (members: string): string =>
  `${PRELUDE}\ncontract C {\n  storage total: u64;\n  storage m: map<u64, u64>;\n  event Moved(n: u64);\n${members}\n}\n`;
/** One public function `f(params)` whose body is `stmts`. */
const fnBody = (params: string, stmts: string): string => contract(`  pub fn f(${params}) {\n    ${stmts}\n  }`);

const fmt = (d: Diagnostic): string => `${d.code} ${d.line}:${d.col}: ${d.message}${d.hint ? ` [${d.hint}]` : ""}`;
/** The errors of a compilation, as `code line:col: message [hint]`. */
const errs = (src: string): string[] => compileSource(src, "c.mote").diagnostics.filter((d) => d.severity === "error").map(fmt);
/** Every diagnostic, warnings included. */
const all = (src: string): string[] => compileSource(src, "c.mote").diagnostics.map(fmt);

/** `line:col` of the first `needle` in the contract `C` of `src` (else in the whole of `src`, or there if `inPrelude`). */
function at(src: string, needle: string, inPrelude = false): string {
  const start = inPrelude ? -1 : src.indexOf("contract C {");
  let i = start >= 0 ? src.indexOf(needle, start) : -1;
  if (i < 0) i = src.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in source`);
  const before = src.slice(0, i).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

const compiles = (src: string) => {
  const out = compileSource(src, "c.mote");
  expect(out.diagnostics.filter((d) => d.severity === "error").map(fmt)).toEqual([]);
  return out;
};

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

/** Compiles `src` and calls `fn`; a revert comes back with its message from the ABI. */
const run = (src: string, fn: string, args: (bigint | Uint8Array)[] = []) => {
  const out = compiles(src);
  const r = vm.call(out.module!, fn, args, { store: new MemoryStateStore() });
  const message = r.status === "revert" ? out.abi!.errors.find((e) => e.id === r.error)?.message : undefined;
  return { status: r.status, returns: r.returns, message, gasUsed: r.gasUsed };
};
const errorMessages = (src: string): string[] => compiles(src).abi!.errors.map((e) => e.message);

describe("require and assert with a constant condition", () => {
  const moduleOf = (body: string) => compiles(contract(`  pub fn f(x: u64) -> u64 { ${body} return x + 1; }`)).module!;

  it("`require(false, m)` and `assert(1 == 2)` compile to exactly what `revert(m)` does", () => {
    expect(run(contract('  pub fn f() {\n    require(false, "never");\n  }'), "f")).toMatchObject({ status: "revert", message: "never", returns: [] });
    expect(run(contract("  pub fn f() {\n    assert(1 == 2);\n  }"), "f")).toMatchObject({ status: "revert", message: "assertion failed: 1 == 2" });
    expect(moduleOf('require(false, "never");')).toEqual(moduleOf('revert("never");'));
    expect(moduleOf("assert(1 == 2);")).toEqual(moduleOf('revert("assertion failed: 1 == 2");'));
  });

  it("`require(true, m)` and `assert(1 < 2)` compile to nothing: the module and its gas are those of the function without them", () => {
    const plain = run(contract("  pub fn f(x: u64) -> u64 { return x + 1; }"), "f", [4n]);
    expect(plain).toMatchObject({ status: "ok", returns: [5n] });
    for (const check of ['require(true, "m");', "assert(1 < 2);", 'require(LIMIT == 5, "five");']) {
      const src = contract(`  pub fn f(x: u64) -> u64 { ${check} return x + 1; }`);
      expect(all(src)).toEqual([]);
      expect(run(src, "f", [4n]), check).toEqual(plain);
      expect(moduleOf(check), check).toEqual(moduleOf(""));
    }
  });

  it("a condition known only at run time stays a check: not unreachable, and it passes or reverts", () => {
    const src = contract('  pub fn f(x: u64) -> u64 {\n    require(x > 1, "small");\n    return x;\n  }');
    expect(all(src)).toEqual([]);
    expect(run(src, "f", [2n])).toMatchObject({ status: "ok", returns: [2n] });
    expect(run(src, "f", [1n])).toMatchObject({ status: "revert", message: "small" });
  });
});

describe("`assert(cond)` without a message is named after the condition's source text", () => {
  const checks = [
    ["x > 1", "x > 1"],
    ["b == true", "b == true"],
    ["fx > 1.5", "fx > 1.5"],
    ["h == 0x01ff", "h == 0x01ff"],
    ["!b", "!b"],
    ["-i < 0", "-i < 0"],
    ["u64(i) > 0", "u64(i) > 0"],
    ["sum2([x, 2]) > 0", "sum2([x, 2]) > 0"],
    ["min(x, 2) < 5", "min(x, 2) < 5"],
    ["sum2([0; 2]) == 0", "sum2([0; 2]) == 0"],
    ["p == P { a: 1, ok: true }", "p == P { … }"],
    ["p.a > 0", "p.a > 0"],
    ["arr[x] > 0", "arr[x] > 0"],
    ["mk(x).ok", "mk(x).ok"],
    ["u64(Phase.Locked) == 1", "u64(Phase.Locked) == 1"],
  ] as const;
  // a view, so that no argument check adds its own error entry
  const src = contract(`  pub view fn f(x: u64, b: bool, fx: fixed, h: bytes, i: i64, p: P, arr: [u64; 3]) {\n    ${checks.map(([c]) => `assert(${c});`).join("\n    ")}\n  }`);

  it("each kind of expression, and the run-time checks inside them, named after their source too", () => {
    const msgs = errorMessages(src);
    const want: string[] = checks.map(([, text]) => `assertion failed: ${text}`);
    want.splice(want.indexOf("assertion failed: u64(i) > 0"), 0, "conversion out of range: u64(i)");
    want.splice(want.indexOf("assertion failed: arr[x] > 0"), 0, "index out of bounds: arr[x] (length 3)");
    expect(msgs).toEqual(want);
  });

  it("a failing one reverts with its message", () => {
    const s = fnBody("x: u64, b: bool", "assert(b == true);\n    assert(-i64(x) < -2);");
    expect(run(s, "f", [5n, 0n])).toMatchObject({ status: "revert", message: "assertion failed: b == true" });
    expect(run(s, "f", [2n, 1n])).toMatchObject({ status: "revert", message: "assertion failed: -i64(x) < -2" });
    expect(run(s, "f", [3n, 1n])).toMatchObject({ status: "ok" });
  });
});

describe("E0045, E0046, E0031: what an assignment may write", () => {
  const cases: [string, string, string, string][] = [
    // [params, statement, where, message]
    ["", "Phase.Open = Phase.Locked;", "Phase.Open", "E0045 {at}: cannot assign to `Phase.Open`"],
    ["", "mk(1).a = 3;", "mk(1).a", "E0045 {at}: cannot assign to `mk(1).a`"],
    ["", "mk(1) = mk(2);", "mk(1)", "E0045 {at}: cannot assign to the result of a call"],
    ["h: bytes", "h[0] = 1;", "h[0]", "E0045 {at}: cannot assign to `h[0]`"],
    ["", "LIMIT = 3;", "LIMIT =", "E0045 {at}: cannot assign to constant `LIMIT`"],
    ["", "m = 3;", "m =", "E0045 {at}: cannot assign to map `m` (assign its entries)"],
    ["id: hash", "Registry(id).count = 1;", "Registry(id)", "E0046 {at}: cannot write to the storage of contract `Registry`"],
    ["id: hash, k: pubkey", "Registry(id).devices[k].a += 1;", "Registry(id)", "E0046 {at}: cannot write to the storage of contract `Registry`"],
    ["b: bool", "b += true;", "b +=", "E0031 {at}: operator `+=` cannot be applied to bool"],
    ["fx: fixed", "fx &= 1.0;", "fx &=", "E0031 {at}: operator `&=` cannot be applied to fixed"],
    ["fx: fixed", "fx <<= 1;", "fx <<=", "E0031 {at}: operator `<<=` cannot be applied to fixed"],
    ["h: bytes", "h += 0x01;", "h +=", "E0031 {at}: operator `+=` cannot be applied to bytes"],
  ];
  for (const [params, stmt, where, msg] of cases) {
    it(stmt, () => {
      const src = fnBody(params, stmt);
      expect(errs(src)).toEqual([msg.replace("{at}", at(src, where))]);
    });
  }

  it("the value of a rejected assignment is still checked", () => {
    for (const stmt of ["Phase.Open = nope;", "Registry(id).count = nope;"]) {
      const src = fnBody("id: hash", stmt);
      expect(errs(src), stmt).toHaveLength(2);
      expect(errs(src)[1]).toBe(`E0020 ${at(src, "nope")}: cannot find \`nope\` in this scope`);
    }
  });

  it("regression: an assignment to a whole map checks its value too (it was skipped)", () => {
    const src = fnBody("", "m = nope;");
    expect(errs(src)).toEqual([
      `E0045 ${at(src, "m =")}: cannot assign to map \`m\` (assign its entries)`,
      `E0020 ${at(src, "nope")}: cannot find \`nope\` in this scope`,
    ]);
  });

  it("a compound assignment to a name whose type is already an error reports nothing more", () => {
    const src = fnBody("", "let e = nope;\n    e += 1;\n    e <<= 1;");
    expect(errs(src)).toEqual([`E0020 ${at(src, "nope")}: cannot find \`nope\` in this scope`]);
  });

  it("the assignments one step away compile and run: entries, fields, elements, `+=` on fixed, `&=` on bool, `>>=` by a u64", () => {
    const src = contract(
      [
        "  pub fn s(n: u64) {",
        "    m[n] = 3;",
        "    m[n] += 4;",
        "    total = m[n];",
        "  }",
        "  pub fn f(i: i64, n: u64, fx: fixed, b: bool) -> i64 {",
        "    let p = mk(1);",
        "    p.a = 9;",
        "    let a = [1, 2, 3];",
        "    a[n - 1] = 7;",
        "    let r = i + i64(p.a + a[1]);",
        "    i >>= n;",
        "    r += i;",
        "    fx += 1.5;",
        "    fx *= 2;",
        "    b &= true;",
        "    b |= false;",
        "    b ^= true;",
        "    if b { r += 100; }",
        "    if fx == 5.0 { r += 1000; }",
        "    return r;",
        "  }",
        "  pub view fn t() -> u64 { return total; }",
      ].join("\n"),
    );
    const out = compiles(src);
    // r = -16 + (9 + 7) = 0, then += -16 >> 2 = -4; b = true & true | false ^ true = false; fx = (1.0 + 1.5) * 2 = 5.0
    const r = vm.call(out.module!, "f", [BigInt.asUintN(64, -16n), 2n, 1n << 16n, 1n], { store: new MemoryStateStore() });
    expect(r.status).toBe("ok");
    expect(r.returns).toEqual([BigInt.asUintN(64, 996n)]);
    const store = new MemoryStateStore();
    expect(vm.call(out.module!, "s", [2n], { store }).status).toBe("ok");
    expect(vm.call(out.module!, "t", [], { store }).returns).toEqual([7n]);
  });
});

describe("names: E0048, E0033, E0020 and its hint", () => {
  it("a storage field read or written outside the contract is E0048", () => {
    const read = contract("  pub view fn g() -> u64 { return 1; }").replace("fn noop() { }", "fn noop() -> u64 { return total; }");
    expect(errs(read)).toEqual([`E0048 ${at(read, "total;")}: \`total\` needs a contract`]);
    const write = contract("  pub view fn g() -> u64 { return 1; }").replace("fn noop() { }", "fn noop() { total = 1; }");
    expect(errs(write)).toEqual([`E0048 ${at(write, "total =")}: \`total\` needs a contract`]);
  });

  it("a misspelt name is E0020, its hint drawn from the locals, constants and (in the contract) storage", () => {
    const cases: [string, string, string][] = [
      ["return LIMT;", "LIMT", "did you mean `LIMIT`?"],
      ["return totl;", "totl", "did you mean `total`?"],
      ["let count = 1; return cont;", "cont;", "did you mean `count`?"],
    ];
    for (const [stmt, name, hint] of cases) {
      const src = contract(`  pub view fn g() -> u64 { ${stmt} }`);
      expect(errs(src), stmt).toEqual([`E0020 ${at(src, name)}: cannot find \`${name.replace(";", "")}\` in this scope [${hint}]`]);
    }
  });

  it("outside the contract the hint does not suggest a storage field", () => {
    const src = contract("  pub view fn g() -> u64 { return 1; }").replace("fn noop() { }", "fn noop() -> u64 { return totl; }");
    expect(errs(src)).toEqual([`E0020 ${at(src, "totl")}: cannot find \`totl\` in this scope`]);
  });

  it("a constant's value may misspell a name: E0020 with a hint, once", () => {
    const src = contract("  pub view fn g() -> u64 { return TWICE; }").replace("const LIMIT: u64 = 5;", "const LIMIT: u64 = 5;\nconst TWICE: u64 = LIMT * 2;");
    expect(errs(src)).toEqual([`E0020 ${at(src, "LIMT")}: cannot find \`LIMT\` in this scope [did you mean \`LIMIT\`?]`]);
    const inContract = contract("  const TWICE: u64 = totl * 2;\n  pub view fn g() -> u64 { return TWICE; }");
    expect(errs(inContract)).toEqual([`E0020 ${at(inContract, "totl")}: cannot find \`totl\` in this scope [did you mean \`total\`?]`]);
  });

  it("regression: an enum's name used as a value is E0033, not E0020 `cannot find` (the enum is there)", () => {
    const src = contract("  pub view fn g() -> u64 { return Phase; }");
    expect(errs(src)).toEqual([`E0033 ${at(src, "Phase;")}: \`Phase\` is not a value`]);
  });

  it("a contract constant may use another contract constant and a global one", () => {
    const src = contract("  const A: u64 = 2;\n  const B: u64 = A * 3 + LIMIT;\n  pub view fn g() -> u64 { return B; }");
    expect(run(src, "g")).toMatchObject({ status: "ok", returns: [11n] });
  });

  it("a constant whose value is an error is reported once, wherever it is used", () => {
    const src = contract("  const BAD: u64 = nope;\n  pub view fn g() -> u64 { let x: u64 = BAD; return BAD + x; }");
    expect(errs(src)).toEqual([`E0020 ${at(src, "nope")}: cannot find \`nope\` in this scope`]);
    const notConst = contract("  const BAD: u64 = sum2([1, 2]);\n  pub view fn g() -> u64 { let x: u64 = BAD; return BAD + x; }");
    expect(errs(notConst)).toEqual([`E0054 ${at(notConst, "sum2([1, 2])")}: a call to \`sum2\` is not a compile-time constant`]);
    const selfRef = contract("  pub view fn g() -> u64 { return AGAIN + 1; }").replace("const LIMIT: u64 = 5;", "const AGAIN: u64 = AGAIN + 1;");
    expect(errs(selfRef)).toEqual([`E0054 ${at(selfRef, "const AGAIN", true)}: \`AGAIN\` (it refers to itself) is not a compile-time constant`]);
  });

  it("a function, a type, a contract or an event is not a value (E0033)", () => {
    const cases: [string, string, string][] = [
      ["return sum2;", "sum2;", "function `sum2`"],
      ["return g;", "g;", "function `g`"],
      ["return len;", "len;", "function `len`"],
      ["return P;", "P;", "`P`"],
      ["return C;", "C;", "`C`"],
      ["return Registry;", "Registry;", "`Registry`"],
      ["return Moved;", "Moved;", "`Moved`"],
    ];
    for (const [stmt, where, what] of cases) {
      const src = contract(`  pub view fn g() -> u64 { ${stmt} }`);
      expect(errs(src), stmt).toEqual([`E0033 ${at(src, where)}: ${what} is not a value`]);
    }
  });
});

describe("fields: enum variants, struct fields, another contract's storage (E0024)", () => {
  it("a misspelt variant, field or storage field names where it looked, with a hint", () => {
    const cases: [string, string, string, string][] = [
      ["", "return u64(Phase.Lockd);", "Lockd", "E0024 {at}: enum `Phase` has no field `Lockd` [did you mean `Locked`?]"],
      ["id: hash", "return Registry(id).cont;", "cont;", "E0024 {at}: contract `Registry` has no field `cont` [did you mean `count`?]"],
      ["p: P", "return p.aa;", "aa", "E0024 {at}: struct `P` has no field `aa` [did you mean `a`?]"],
      ["x: u64", "return x.a;", "a;", "E0024 {at}: u64 has no field `a`"],
    ];
    for (const [params, stmt, where, msg] of cases) {
      const src = contract(`  pub view fn g(${params}) -> u64 { ${stmt} }`);
      expect(errs(src), stmt).toEqual([msg.replace("{at}", at(src, where))]);
    }
  });

  it("a field of something already in error reports nothing more", () => {
    for (const stmt of ["return nope.a;", "let e = nope; return e.a;", "return nope.a.b;"]) {
      const src = contract(`  pub view fn g() -> u64 { ${stmt} }`);
      expect(errs(src), stmt).toEqual([`E0020 ${at(src, "nope")}: cannot find \`nope\` in this scope`]);
    }
  });

  it("a contract reference takes exactly one id (E0032)", () => {
    for (const [args, n] of [["id, id", 2], ["", 0]] as const) {
      const src = contract(`  pub view fn g(id: hash) -> u64 { return Registry(${args}).count; }`);
      expect(errs(src)).toEqual([`E0032 ${at(src, `Registry(${args})`)}: contract reference \`Registry(id)\` takes 1 argument(s), ${n} given`]);
    }
  });

  it("a local named like an enum hides the enum", () => {
    const src = contract("  pub view fn g(x: u64) -> u64 { let Phase = mk(x); return Phase.a; }");
    expect(run(src, "g", [7n])).toMatchObject({ status: "ok", returns: [7n] });
  });

  it("variants are their positions; fields of a call's result and of literals are read", () => {
    const src = contract(
      [
        "  pub view fn v() -> u64 { let q = Phase.Settled; return u64(q) * 10 + u64(Phase.Locked); }",
        "  pub view fn r(x: u64) -> u64 { return mk(x).a + P { a: 5, ok: false }.a; }",
        "  pub view fn ok(x: u64) -> bool { return mk(x).ok; }",
      ].join("\n"),
    );
    expect(run(src, "v")).toMatchObject({ status: "ok", returns: [21n] });
    expect(run(src, "r", [3n])).toMatchObject({ status: "ok", returns: [8n] });
    expect(run(src, "ok", [3n])).toMatchObject({ status: "ok", returns: [1n] });
  });
});

describe("indexes", () => {
  it("array elements, literals' elements and a byte string's bytes are read", () => {
    const src = contract(
      [
        "  pub view fn a(i: u64) -> u64 { return [10, 20, 30][i]; }",
        "  pub view fn r(i: u64) -> u64 { return [4; 3][i] + sum2([i, 1]); }",
        "  pub view fn b(h: bytes, i: u64) -> u64 { return h[i] + h[0]; }",
        "  pub view fn e(i: u64) -> u64 { return mk(i).a; }",
      ].join("\n"),
    );
    expect(run(src, "a", [1n])).toMatchObject({ status: "ok", returns: [20n] });
    expect(run(src, "a", [3n])).toMatchObject({ status: "revert", message: "index out of bounds: [10, 20, 30][i] (length 3)" });
    expect(run(src, "r", [2n])).toMatchObject({ status: "ok", returns: [7n] });
    expect(run(src, "b", [Uint8Array.of(1, 0xff), 1n])).toMatchObject({ status: "ok", returns: [256n] });
    expect(run(src, "e", [6n])).toMatchObject({ status: "ok", returns: [6n] });
  });

  it("a constant index is checked when compiling (E0053), so it needs no run-time check or error entry", () => {
    const ok = contract("  pub view fn g(a: [u64; 3], i: u64) -> u64 { return a[2] + a[i]; }");
    expect(errorMessages(ok)).toEqual(["index out of bounds: a[i] (length 3)"]);
    const bad = contract("  pub view fn g(a: [u64; 3]) -> u64 { return a[3]; }");
    expect(errs(bad)).toEqual([`E0053 ${at(bad, "3]; }")}: index 3 is out of range for [u64; 3]`]);
  });

  it("a map read whole is not a value (E0033), and nothing more is reported about it", () => {
    const src = contract("  pub view fn g() -> u64 { let x: u64 = m; return m + x; }");
    const msg = (w: string) => `E0033 ${w}: map \`m\` (read it by key) is not a value`;
    expect(errs(src)).toEqual([msg(at(src, "m;")), msg(at(src, "m + x"))]);
  });

  it("indexing what cannot be indexed is E0034; indexing something already in error reports nothing more", () => {
    const bad = contract("  pub view fn g(v: u64) -> u64 { return v[0]; }");
    expect(errs(bad)).toEqual([`E0034 ${at(bad, "v[0]")}: u64 cannot be indexed`]);
    for (const stmt of ["let e = nope; return e[0];", "return nope[LIMT];"]) {
      const src = contract(`  pub view fn g() -> u64 { ${stmt} }`);
      const want = [`E0020 ${at(src, "nope")}: cannot find \`nope\` in this scope`];
      if (stmt.includes("LIMT")) want.push(`E0020 ${at(src, "LIMT")}: cannot find \`LIMT\` in this scope [did you mean \`LIMIT\`?]`);
      expect(errs(src), stmt).toEqual(want);
    }
  });
});

describe("E0030 type mismatches and their conversion hints", () => {
  const cases: [string, string, string, string][] = [
    ["x: u64", "let y: i64 = x;", "x;", "E0030 {at}: expected i64, found u64 [convert explicitly: `i64(…)`]"],
    ["fx: fixed", "let y: u64 = fx;", "fx;", "E0030 {at}: expected u64, found fixed [convert explicitly: `u64(…)`]"],
    ["hb: bytes", "let y: hash = hb;", "hb;", "E0030 {at}: expected hash, found bytes [convert with a length check: `hash(…)`]"],
    ["hb: bytes", "let y: u64 = hb;", "hb;", "E0030 {at}: expected u64, found bytes"],
    ["b: bool", "let y: hash = b;", "b;", "E0030 {at}: expected hash, found bool"],
    ["b: bool", "let y: u64 = b;", "b;", "E0030 {at}: expected u64, found bool"],
    ["", "let y: u64 = noop();", "noop()", "E0030 {at}: expected u64, found a call with no result"],
  ];
  for (const [params, stmt, where, msg] of cases) {
    it(stmt, () => {
      const src = fnBody(params, `${stmt} total = 1;`);
      expect(errs(src)).toEqual([msg.replace("{at}", at(src, where))]);
    });
  }

  it("a value or a type already in error is not reported again", () => {
    const a = fnBody("", "let y: u64 = nope;");
    expect(errs(a)).toEqual([`E0020 ${at(a, "nope")}: cannot find \`nope\` in this scope`]);
    const b = fnBody("", "let y: Nope = 1;");
    expect(errs(b)).toHaveLength(1);
    expect(errs(b)[0]).toMatch(/^E\d+ /);
    expect(errs(b)[0]).toContain("Nope");
  });
});

describe("untyped literals take the other operand's type", () => {
  it("a literal, a negated literal or literal arithmetic on the left of a typed operand", () => {
    const src = contract(
      [
        "  pub view fn a(i: i64) -> i64 { let y = 2 * i; return y; }",
        "  pub view fn b(i: i64) -> i64 { let y = -2 * i; return y; }",
        "  pub view fn c(fx: fixed) -> fixed { let y = -2 * fx; return y; }",
        "  pub view fn d(i: i64) -> i64 { let y = (2 + 3) * i; return y; }",
        "  pub view fn d2(i: i64) -> i64 { let y = (5 - 3) * i; return y; }",
        "  pub view fn e(i: i64) -> bool { return 1 < i; }",
      ].join("\n"),
    );
    const neg = (v: bigint) => BigInt.asUintN(64, v);
    expect(run(src, "a", [neg(-3n)]).returns).toEqual([neg(-6n)]);
    expect(run(src, "b", [neg(-3n)]).returns).toEqual([6n]);
    expect(run(src, "c", [3n << 15n]).returns).toEqual([neg(-3n << 16n)]);
    expect(run(src, "d", [neg(-3n)]).returns).toEqual([neg(-15n)]);
    expect(run(src, "d2", [neg(-3n)]).returns).toEqual([neg(-6n)]);
    expect(run(src, "e", [neg(-3n)]).returns).toEqual([0n]);
  });

  it("regression: `~0 & i` reads the literal as i's type, as `i & ~0` and `-1 & i` do (it was E0030)", () => {
    const src = contract(
      [
        "  pub view fn a(i: i64) -> i64 { let y = ~0 & i; return y; }",
        "  pub view fn b(i: i64) -> i64 { let y = i & ~0; return y; }",
        "  pub view fn c(i: i64) -> i64 { let y = ~1 & i; return y; }",
      ].join("\n"),
    );
    const neg = (v: bigint) => BigInt.asUintN(64, v);
    expect(run(src, "a", [neg(-6n)]).returns).toEqual([neg(-6n)]);
    expect(run(src, "b", [neg(-6n)]).returns).toEqual([neg(-6n)]);
    expect(run(src, "c", [7n]).returns).toEqual([6n]);
  });

  it("a hex literal compared with a hash must be 32 bytes on either side (E0052)", () => {
    for (const cmp of ["0x0102 == h", "h == 0x0102"]) {
      const src = contract(`  pub view fn g(h: hash) -> bool { return ${cmp}; }`);
      expect(errs(src), cmp).toEqual([`E0052 ${at(src, "0x0102")}: hash needs exactly 32 bytes, this literal has 2`]);
    }
    const ok = contract(`  pub view fn g(h: hash) -> bool { return 0x${"00".repeat(32)} == h; }`);
    expect(run(ok, "g", [new Uint8Array(32)])).toMatchObject({ status: "ok", returns: [1n] });
  });

  it("a converted literal is read as the target type", () => {
    const big = contract("  pub view fn g() -> i64 { return i64(10000000000000000000); }");
    expect(errs(big)).toEqual([`E0006 ${at(big, "10000000000000000000")}: integer literal 10000000000000000000 does not fit in i64`]);
    const ok = contract("  pub view fn g() -> fixed { return fixed(3) + fixed(2 * 2); }");
    expect(run(ok, "g").returns).toEqual([7n << 16n]);
  });

  it("a comparison or logic operand is not an untyped literal: diagnostics stay left to right", () => {
    for (const op of ["==", "!=", "<", "<=", ">", ">=", "&&", "||"]) {
      const src = contract(`  pub view fn g() -> bool { return (99999999999999999999 ${op} 1) == nope; }`);
      const e = errs(src).map((d) => d.split(" ")[0]);
      // `&&` and `||` want bools: the 1 is E0030 there
      expect(e, op).toEqual(op === "&&" || op === "||" ? ["E0006", "E0030", "E0020"] : ["E0006", "E0020"]);
    }
    const src = contract("  pub view fn g() -> u64 { return (nope + 1) * nix; }");
    expect(errs(src).map((d) => d.split(":")[2]!.trim())).toEqual(["cannot find `nope` in this scope", "cannot find `nix` in this scope"]);
  });
});

describe("integer literals", () => {
  it("E0002, E0006, E0007 at the literal", () => {
    const cases: [string, string, string][] = [
      ["let x = 12ab;", "12ab", "E0002 {at}: invalid integer literal `12ab`"],
      ["let x: i64 = 9223372036854775808;", "9223", "E0006 {at}: integer literal 9223372036854775808 does not fit in i64"],
      ["let x = 18446744073709551616;", "1844", "E0006 {at}: integer literal 18446744073709551616 does not fit in u64"],
      ["let x: fixed = 200000000000000;", "2000", "E0007 {at}: fixed-point literal 200000000000000 is out of range"],
    ];
    for (const [stmt, where, msg] of cases) {
      const src = fnBody("", `${stmt} total = 1;`);
      expect(errs(src), stmt).toEqual([msg.replace("{at}", at(src, where))]);
    }
    const edge = contract("  pub view fn g() -> i64 { let a: i64 = 9223372036854775807; let b: fixed = 100000000000000; return a - i64(b); }");
    expect(run(edge, "g").returns).toEqual([9223372036854775807n - 100000000000000n]);
  });
});

describe("names resolved for tools (CompileOptions.tooling)", () => {
  const src = contract(
    [
      "  const K: u64 = 3;",
      "  pub view fn g(id: hash, v: P) -> u64 {",
      "    let loc = Registry(id).count + total + K + LIMIT + u64(Phase.Locked);",
      "    if v.ok { return loc + v.a; }",
      "    return loc;",
      "  }",
    ].join("\n"),
  );
  // compiled inside each test, so that mutation testing sees the tests cover the checker's code
  const compileForTools = () => {
    const tooling: NonNullable<CompileOptions["tooling"]> = {};
    return { out: compileSource(src, "c.mote", undefined, { tooling }), uses: tooling.uses! };
  };
  const pos = (s: { line: number; col: number }) => `${s.line}:${s.col}`;
  /** The use of `name` as a `kind` written at `needle`. */
  const use = (kind: NameUse["kind"], name: string, needle: string): NameUse => {
    const u = compileForTools().uses.find((x) => x.kind === kind && x.name === name && pos(x.span) === at(src, needle));
    expect(u, `${kind} ${name} at ${needle}`).toBeDefined();
    return u!;
  };

  it("compiles", () => {
    expect(compileForTools().out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("locals, storage, constants: where used, where declared, their type", () => {
    const loc = use("local", "loc", "loc + v.a");
    expect(pos(loc.decl!)).toBe(at(src, "loc ="));
    expect(loc.type).toEqual({ k: "u64" });
    const total = use("storage", "total", "total +");
    expect(pos(total.decl!)).toBe(at(src, "storage total"));
    expect(total.type).toEqual({ k: "u64" });
    const k = use("const", "K", "K +");
    expect(pos(k.decl!)).toBe(at(src, "const K"));
    expect(k.type).toEqual({ k: "u64" });
    expect(pos(use("const", "LIMIT", "LIMIT +").decl!)).toBe(at(src, "const LIMIT", true));
  });

  it("another contract's storage, enums and variants, struct fields", () => {
    const count = use("storage", "Registry.count", "count +");
    expect(pos(count.decl!)).toBe(at(src, "storage count", true));
    expect(count.type).toEqual({ k: "u64" });
    const en = use("enum", "Phase", "Phase.Locked");
    expect(pos(en.decl!)).toBe(at(src, "enum Phase", true));
    const variant = use("variant", "Phase.Locked", "Locked)");
    expect(pos(variant.decl!)).toBe(at(src, "Locked", true));
    expect(variant.type).toMatchObject({ k: "enum", name: "Phase" });
    const okField = use("field", "P.ok", "ok { return");
    expect(pos(okField.decl!)).toBe(at(src, "ok: bool", true));
    expect(okField.type).toEqual({ k: "bool" });
    const aField = use("field", "P.a", "a; }");
    expect(pos(aField.decl!)).toBe(at(src, "a: u64", true));
    expect(aField.type).toEqual({ k: "u64" });
  });
});
