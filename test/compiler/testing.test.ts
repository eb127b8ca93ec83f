// Test builds (compiler/testing.ts): `test fn` is compiled only for `mote test`, is a contextual word,
// and cheats lower to hidden storage fields declared after the contract's own.
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { revertMessageTag, testBuild, CHEATS } from "../../compiler/testing.ts";

const CONTRACT = `contract C {
  storage n: u64;
  pub fn bump() { n += 1; }
  pub view fn get() -> u64 { return n; }
  test fn bump_once() { bump(); assert(get() == 1); }
}
`;
const TESTS = `import "c.mote";
test fn from_file() { prank(0x${"11".repeat(32)}); warp(5); roll(6); expect_emit(); expect_revert("m"); }
fn helper(x: u64) -> u64 { return x; }
`;
const reader = (p: string): string | undefined => (p === "c.mote" ? CONTRACT : p === "c.t.mote" ? TESTS : undefined);

describe("test builds", () => {
  it("an ordinary build drops every test fn, so the module does not change", () => {
    const withTests = compileSource(CONTRACT, "c.mote", reader);
    const without = compileSource(CONTRACT.replace(/ {2}test fn.*\n/, ""), "c.mote", reader);
    expect(withTests.diagnostics).toEqual([]);
    expect(withTests.abi!.functions.map((f) => f.name)).toEqual(["bump", "get"]);
    expect(Buffer.from(withTests.module!).equals(Buffer.from(without.module!))).toBe(true);
  });

  it("a test build exports the test fns of the contract and of the test file, cheat fields last", () => {
    const r = compileSource(TESTS, "c.t.mote", reader, { testBuild });
    expect(r.diagnostics).toEqual([]);
    expect(r.abi!.functions.map((f) => f.name)).toEqual(["bump", "get", "bump_once", "from_file"]);
    expect(r.abi!.storage.map((s) => s.name)).toEqual(["n", ...Object.values(CHEATS).map((c) => c.field)]);
    expect(r.abi!.storage[0]!.slot).toBe(0);
  });

  it("test stays an ordinary name, and cheats exist only in test builds", () => {
    const r = compileSource("contract C { pub view fn test() -> u64 { let test = 2; return test; } }", "t.mote");
    expect(r.diagnostics).toEqual([]);
    const cheat = compileSource("contract C { pub fn f() { warp(3); } }", "t.mote");
    expect(cheat.diagnostics.map((d) => d.message).join()).toMatch(/warp/);
  });

  it("a test file must import exactly one contract to test", () => {
    const none = compileSource("test fn t() { }", "x.t.mote", reader, { testBuild });
    expect(none.diagnostics[0]!.message).toMatch(/declares the contract it tests or imports it/);
  });

  it("expect_revert tags a message by 48 bits of its SHA-256", () => {
    expect(revertMessageTag("m")).not.toBe(revertMessageTag("n"));
    expect(revertMessageTag("insufficient balance") < 2n ** 48n).toBe(true);
  });
});
