// Regression (found by Stryker over compiler/checker.ts): a parameter name repeated in a function's signature
// was reported as E0023 twice at the same place, once by the signature check and again when the body declared
// its parameters as locals. One mistake, one diagnostic; a repeated `let` in a body is still reported.
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";

const dup = (src: string) => compileSource(src, "main.mote", () => undefined).diagnostics.filter((d) => d.code === "E0023");

describe("a repeated parameter name", () => {
  it("gives one E0023, at the second parameter", () => {
    const d = dup("contract A {\n  pub fn f(x: u64, x: u64) -> u64 { return x; }\n}\n");
    expect(d.map((x) => `${x.line}:${x.col} ${x.message}`)).toEqual(["2:20 `x` is defined more than once"]);
  });

  it("in a private helper too", () => {
    expect(dup("fn g(a: u64, b: u64, a: u64) -> u64 { return a; }\ncontract A { pub fn f() -> u64 { return g(1, 2, 3); } }\n")).toHaveLength(1);
  });

  it("while a repeated let in one scope is still reported", () => {
    expect(dup("contract A {\n  pub fn f(x: u64) -> u64 { let y: u64 = 1; let y: u64 = 2; return x + y; }\n}\n")).toHaveLength(1);
    expect(dup("contract A {\n  pub fn f(x: u64) -> u64 { let x: u64 = 1; return x; }\n}\n")).toHaveLength(1);
  });
});
