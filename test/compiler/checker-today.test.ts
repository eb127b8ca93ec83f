// The checker's scopes for a contract's constants outside function bodies, pinned where today's changes left
// them untested: an imported or `extern` contract's own constants and fields in its storage types (it does not
// see the compiled contract's fields or functions), unknown names in the compiled contract's storage types and
// constants, a file-level constant calling a contract function, and a constant cycle reached through a constant
// that is not on it. Each case is the full diagnostic a contract author sees (code, line:col, message, hint).
import { describe, expect, it } from "vitest";
import { all, loc } from "./source-helpers.ts";



const fieldHint = "[hint: a storage field is known only at run time; use a `const` here]";
const reader = (i: number) => `contract Main {\n  pub view fn peek(id: hash) -> u64 { return Lib(id).xs[${i}]; }\n}\n`;

describe("an imported or `extern` contract's own constants in its storage types", () => {
  it("regression: an `extern contract`'s duplicate constant was not reported (the first one silently counted)", () => {
    const ext = ["extern contract Lib {", "  const K: u64 = 2;", "  const K: u64 = 3;", "  storage xs: [u64; K];", "}", ""].join("\n");
    const src = `${ext}${reader(2)}`;
    // reported as in the compiled contract, and the first one still gives the length: index 2 is past the end
    expect(all(src)).toEqual([
      `E0023 ${loc(src, "const K", 1)}: \`K\` is defined more than once`,
      `E0053 ${loc(src, "2]; }")}: index 2 is out of range for [u64; 2]`,
    ]);
    // the compiled contract reports its own the same way
    const own = ["contract C {", "  const K: u64 = 2;", "  const K: u64 = 3;", "  storage xs: [u64; K];", "  pub view fn f() -> u64 { return xs[2]; }", "}"].join("\n");
    expect(all(own)).toEqual([
      `E0023 ${loc(own, "const K", 1)}: \`K\` is defined more than once`,
      `E0053 ${loc(own, "2]; }")}: index 2 is out of range for [u64; 2]`,
    ]);
  });

  it("a second contract in the file is one E0012: its constants are not checked as an `extern contract`'s are", () => {
    const src = ["contract A {}", "contract B {", "  const K: u64 = 1;", "  const K: u64 = 2;", "  storage xs: [u64; K];", "}"].join("\n");
    expect(all(src).filter((d) => d.startsWith("E"))).toEqual([
      `E0012 ${loc(src, "contract B")}: a file defines one contract, and \`A\` is already defined at line 1 [hint: move \`B\` to a file of its own; to read its storage from \`A\`, import that file or declare \`extern contract B { storage … }\` here]`,
    ]);
  });

  it("regression: an `extern contract`'s constant named as a builtin was not reported", () => {
    const ext = ["extern contract Lib {", "  const len: u64 = 2;", "  storage xs: [u64; len];", "}", ""].join("\n");
    const src = `${ext}${reader(0)}`;
    expect(all(src)).toEqual([
      `E0026 ${loc(src, "const len")}: \`len\` is a builtin and cannot be redefined`,
      `E0033 ${loc(src, "len]")}: function \`len\` is not a value`,
    ]);
  });

  it("an imported contract's duplicate and builtin-named constants are reported where it is compiled; here the first counts", () => {
    const lib = ["contract Lib {", "  const K: u64 = 2;", "  const K: u64 = 3;", "  storage xs: [u64; K];", "}", ""].join("\n");
    expect(all(lib, {}, "lib.mote")).toEqual([`E0023 lib.mote:${loc(lib, "const K", 1)}: \`K\` is defined more than once`]);
    const past = `import "lib.mote";\n${reader(2)}`;
    expect(all(past, { "lib.mote": lib })).toEqual([`E0053 ${loc(past, "2]; }")}: index 2 is out of range for [u64; 2]`]);
    expect(all(`import "lib.mote";\n${reader(1)}`, { "lib.mote": lib })).toEqual([]);
    // a builtin's name is no constant of it: the storage type names the builtin
    const blt = ["contract Lib {", "  const len: u64 = 2;", "  storage xs: [u64; len];", "}", ""].join("\n");
    expect(all(`import "lib.mote";\n${reader(0)}`, { "lib.mote": blt })).toEqual([`E0033 lib.mote:${loc(blt, "len]")}: function \`len\` is not a value`]);
  });

  it("an `extern contract` of an imported file has its duplicates reported where that file is compiled", () => {
    const lib = ["extern contract Lib {", "  const K: u64 = 2;", "  const K: u64 = 3;", "  storage xs: [u64; K];", "}", "contract Other {}", ""].join("\n");
    expect(all(lib, {}, "lib.mote").filter((d) => d.startsWith("E"))).toEqual([`E0023 lib.mote:${loc(lib, "const K", 1)}: \`K\` is defined more than once`]);
    const past = `import "lib.mote";\n${reader(2)}`;
    expect(all(past, { "lib.mote": lib })).toEqual([`E0053 ${loc(past, "2]; }")}: index 2 is out of range for [u64; 2]`]);
  });

  it("regression: an imported or `extern` contract's own storage field as a length was 'cannot find', not E0054", () => {
    const ext = ["extern contract Lib {", "  storage n: u64;", "  storage xs: [u64; n];", "}", ""].join("\n");
    const src = `${ext}${reader(0)}`;
    expect(all(src)).toEqual([`E0054 ${loc(src, "n]")}: storage field \`n\` is not a compile-time constant ${fieldHint}`]);
    const lib = ["contract Lib {", "  storage n: u64;", "  storage xs: [u64; n];", "  const L: u64 = n;", "  storage ys: [u64; L];", "}", ""].join("\n");
    // read through one of its constants too: the field is named there as well
    expect(all(`import "lib.mote";\n${reader(0)}`, { "lib.mote": lib })).toEqual([
      `E0054 lib.mote:${loc(lib, "n]")}: storage field \`n\` is not a compile-time constant ${fieldHint}`,
      `E0054 lib.mote:${loc(lib, "n;")}: storage field \`n\` is not a compile-time constant ${fieldHint}`,
    ]);
  });

  it("does not see the compiled contract's storage fields or functions (no hint naming them either)", () => {
    const field = ["extern contract Lib {", "  storage xs: [u64; total];", "}", "contract Main {", "  storage total: u64;", "}"].join("\n");
    expect(all(field)).toEqual([`E0020 ${loc(field, "total]")}: cannot find \`total\` in this scope`]);
    const typo = field.replace("[u64; total]", "[u64; totl]");
    expect(all(typo)).toEqual([`E0020 ${loc(typo, "totl]")}: cannot find \`totl\` in this scope`]);
    const fn = ["extern contract Lib {", "  storage xs: [u64; f()];", "}", "contract Main {", "  fn f() -> u64 { return 2; }", "}"].join("\n");
    expect(all(fn)).toEqual([`E0022 ${loc(fn, "f()")}: cannot find function \`f\``]);
    // the compiled contract's constant is not seen there either; the hint says how to share it
    const konst = ["extern contract Lib {", "  storage xs: [u64; N];", "}", "contract Main {", "  const N: u64 = 2;", "}"].join("\n");
    expect(all(konst)).toEqual([
      `E0020 ${loc(konst, "N]")}: cannot find \`N\` in this scope [hint: \`N\` is a constant of contract \`Main\`, seen only inside it; to use it here, declare it at the top level of the file]`,
    ]);
    // its own constants are found all the same, and the compiled contract's constant does not hide them
    const own = ["extern contract Lib {", "  const K: u64 = 3;", "  storage xs: [u64; K];", "}", "contract Main {", "  const K: u64 = 1;", "  pub view fn peek(id: hash) -> u64 { return Lib(id).xs[2]; }", "}"].join("\n");
    expect(all(own)).toEqual([]);
  });
});

describe("the compiled contract's storage types and constants: unknown names and calls", () => {
  it("an unknown name in a storage type or in a constant read meanwhile is E0020, not a storage field", () => {
    const src = ["contract C {", "  storage a: [u64; N];", "  const K: u64 = Q;", "  storage b: [u64; K];", "}"].join("\n");
    expect(all(src)).toEqual([
      `E0020 ${loc(src, "N]")}: cannot find \`N\` in this scope`,
      `E0020 ${loc(src, "Q;")}: cannot find \`Q\` in this scope`,
    ]);
    // a near name is suggested: a constant of the contract
    const near = ["contract C {", "  const COUNT: u64 = 2;", "  storage a: [u64; CONT];", "}"].join("\n");
    expect(all(near)).toEqual([`E0020 ${loc(near, "CONT]")}: cannot find \`CONT\` in this scope [hint: did you mean \`COUNT\`?]`]);
  });

  it("an unknown function in a storage type or a constant is E0022, not 'a call is no constant'", () => {
    const src = ["contract C {", "  storage a: [u64; g()];", "  const K: u64 = h();", "}"].join("\n");
    expect(all(src)).toEqual([
      `E0022 ${loc(src, "g()")}: cannot find function \`g\``,
      `E0022 ${loc(src, "h()")}: cannot find function \`h\``,
    ]);
  });

  it("a file-level constant does not see the contract's functions: E0022, while the contract's own constant is told E0054", () => {
    const src = ["const G: u64 = f();", "contract C {", "  const K: u64 = f();", "  fn f() -> u64 { return 2; }", "}"].join("\n");
    expect(all(src)).toEqual([
      `E0022 ${loc(src, "f()")}: cannot find function \`f\``,
      `E0054 ${loc(src, "f()", 1)}: a call to \`f\` is not a compile-time constant`,
    ]);
  });

  it("a contract constant's misspelt call is told the contract's function; a file-level constant's is not", () => {
    const src = ["const G: u64 = fo();", "contract C {", "  const K: u64 = fo();", "  fn foo() -> u64 { return 2; }", "}"].join("\n");
    expect(all(src)).toEqual([
      `E0022 ${loc(src, "fo()")}: cannot find function \`fo\``,
      `E0022 ${loc(src, "fo()", 1)}: cannot find function \`fo\` [hint: did you mean \`foo\`?]`,
    ]);
  });

  it("a cycle reached through a constant not on it names the cycle only", () => {
    const src = ["contract C {", "  const A: u64 = B;", "  const B: u64 = D;", "  const D: u64 = B;", "  storage a: [u64; A];", "}"].join("\n");
    expect(all(src)).toEqual([`E0054 ${loc(src, "const B")}: \`B\` (it refers to itself through \`D\`) is not a compile-time constant`]);
  });
});

describe("a `bytes` map key that is itself an error", () => {
  it("is that error alone: no map-key limit and no second diagnostic", () => {
    const src = ["contract C {", "  storage m: map<bytes, u64>;", "  pub fn f() { m[nope] = 1; m[5] = 2; }", "}"].join("\n");
    expect(all(src)).toEqual([`E0020 ${loc(src, "nope]")}: cannot find \`nope\` in this scope`, `E0030 ${loc(src, "5]")}: expected bytes, found u64`]);
  });
});

describe("a contract's function or event named in a type read before it is collected", () => {
  it("regression: a contract function or event named as a length in a storage type (or an event's field) was 'cannot find', not E0033", () => {
    const src = ["contract C {", "  storage a: [u64; f];", "  storage b: [u64; E];", "  event E(xs: [u64; f]);", "  fn f() -> u64 { return 1; }", "}"].join("\n");
    expect(all(src)).toEqual([
      `E0033 ${loc(src, "f];")}: function \`f\` is not a value`,
      `E0033 ${loc(src, "E];")}: \`E\` is not a value`,
      `E0033 ${loc(src, "f]);")}: function \`f\` is not a value`,
    ]);
    // as in a function body
    const body = ["contract C {", "  pub fn g() -> u64 { let x: u64 = f; return x; }", "  fn f() -> u64 { return 1; }", "}"].join("\n");
    expect(all(body)).toEqual([`E0033 ${loc(body, "f;")}: function \`f\` is not a value`]);
  });

  it("regression: an imported contract's storage type calling or naming its own function was E0022/E0020 here, E0054/E0033 where it is compiled", () => {
    const lib = ["contract Lib {", "  storage xs: [u64; f()];", "  storage ys: [u64; f];", "  storage zs: [u64; E];", "  event E(a: u64);", "  fn f() -> u64 { return 2; }", "}", ""].join("\n");
    const want = [
      `E0054 lib.mote:${loc(lib, "f()")}: a call to \`f\` is not a compile-time constant`,
      `E0033 lib.mote:${loc(lib, "f];")}: function \`f\` is not a value`,
      `E0033 lib.mote:${loc(lib, "E];")}: \`E\` is not a value`,
    ];
    expect(all(lib, {}, "lib.mote")).toEqual(want);
    expect(all(`import "lib.mote";\ncontract Main {}\n`, { "lib.mote": lib })).toEqual(want);
  });
});
