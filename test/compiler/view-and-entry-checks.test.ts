// The two promises docs/language.md makes about public functions that the type tags cannot keep: a `pub view
// fn` writes nothing, not even through the helpers it calls (E0047), and a non-view `pub fn` reverts on a
// `bool` argument other than 0 or 1 (and on a `hash`/`pubkey`/`sig` of the wrong length) before its body runs.
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";

const errorsOf = (src: string) =>
  compileSource(src, "view.mote")
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => ({ code: d.code, line: d.line, message: d.message }));

const contract = (body: string): string => `contract C {\n  storage count: u64;\n  event Poked(n: u64);\n${body}\n}\n`;

describe("E0047: a view writes nothing, directly or through the functions it calls", () => {
  it("a view writing storage itself", () => {
    expect(errorsOf(contract("  pub view fn sneaky() { count = 0; }"))).toEqual([
      { code: "E0047", line: 4, message: "view function `sneaky` writes storage `count`" },
    ]);
  });

  it("a view calling a helper that writes storage", () => {
    const src = contract("  fn reset() { count = 0; }\n  pub view fn sneaky() -> u64 { reset(); return count; }");
    expect(errorsOf(src)).toEqual([{ code: "E0047", line: 5, message: "view function `sneaky` calls `reset`, which writes storage `count`" }]);
  });

  it("a view calling a helper that emits an event", () => {
    const src = contract("  fn poke() { emit Poked(1); }\n  pub view fn sneaky() { poke(); }");
    const errs = errorsOf(src);
    expect(errs.map((e) => [e.code, e.line])).toEqual([["E0047", 5]]);
    expect(errs[0]!.message).toMatch(/^view function `sneaky` calls `poke`, which /);
  });

  it("a view reaching a write two helpers deep, and through recursion", () => {
    const src = contract(
      [
        "  fn inner() { count += 1; }",
        "  fn outer() { inner(); }",
        "  fn spin(n: u64) { if n > 0 { spin(n - 1); } else { outer(); } }",
        "  pub view fn a() { outer(); }",
        "  pub view fn b() { spin(3); }",
      ].join("\n"),
    );
    expect(errorsOf(src)).toEqual([
      { code: "E0047", line: 7, message: "view function `a` calls `outer`, which writes storage `count`" },
      { code: "E0047", line: 8, message: "view function `b` calls `spin`, which writes storage `count`" },
    ]);
  });

  it("a view calling a public function that writes", () => {
    const src = contract("  pub fn bump() { count += 1; }\n  pub view fn sneaky() { bump(); }");
    expect(errorsOf(src).map((e) => [e.code, e.line])).toEqual([["E0047", 5]]);
  });

  it("a view calling helpers that only read compiles, and so does a non-view calling a writer", () => {
    const src = contract(
      "  fn twice() -> u64 { return count * 2; }\n  fn reset() { count = 0; }\n  pub view fn get() -> u64 { return twice(); }\n  pub fn clear() { reset(); }",
    );
    const out = compileSource(src, "view.mote");
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.module).toBeDefined();
  });
});

describe("entry checks of non-view public functions", () => {
  let vm: MoteVM;
  beforeAll(async () => {
    vm = await MoteVM.create();
  });
  const SRC = contract(
    [
      "  pub fn flag(b: bool) -> u64 { if b { return 1; } return 0; }",
      "  pub fn key(k: pubkey) -> u64 { return len(k); }",
      "  pub view fn peek(b: bool) -> u64 { if b { return 1; } return 0; }",
    ].join("\n"),
  );
  const run = (fn: string, args: (bigint | Uint8Array)[]) => {
    const out = compileSource(SRC, "entry.mote");
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const r = vm.call(out.module!, fn, args, { store: new MemoryStateStore() });
    const message = r.status === "revert" ? out.abi!.errors.find((e) => e.id === r.error)?.message : undefined;
    return { status: r.status, returns: r.returns, message };
  };

  it("a bool argument of 0 or 1 is accepted", () => {
    expect(run("flag", [0n])).toMatchObject({ status: "ok", returns: [0n] });
    expect(run("flag", [1n])).toMatchObject({ status: "ok", returns: [1n] });
  });

  it.each([2n, 3n, 255n, 1n << 63n, (1n << 64n) - 1n])("a bool argument of %s reverts, naming the argument", (v) => {
    expect(run("flag", [v])).toEqual({ status: "revert", returns: [], message: "argument `b` of `flag` must be 0 or 1 (a bool)" });
  });

  it("a pubkey of the wrong length reverts; 32 bytes are accepted", () => {
    expect(run("key", [new Uint8Array(31)])).toMatchObject({ status: "revert", message: "argument `k` of `key` must be a 32-byte pubkey" });
    expect(run("key", [new Uint8Array(33)])).toMatchObject({ status: "revert" });
    expect(run("key", [new Uint8Array(32)])).toMatchObject({ status: "ok", returns: [32n] });
  });

  it("a view's arguments are not checked (docs/language.md: a malformed key simply finds nothing)", () => {
    expect(run("peek", [2n])).toMatchObject({ status: "ok" });
  });
});
