// Regression: the fast engine's runtime called the interpreter's fmul/fdiv without clearing their overflow
// flag first (the interpreter clears it before each), so after one overflowing fixed-point operation every
// later fmul and fdiv stopped with `overflow` (found by the fuzz campaign's engine comparison).
import { describe, expect, it } from "vitest";
import { assemble } from "../../vm/asm/index.ts";
import { MemoryStateStore, MoteVM, resultToJson } from "../../vm/host/index.ts";

const M = assemble(
  `.func mul params=2 results=1 locals=0
    lget0
    lget1
    fmul
    ret
.end
.func div params=2 results=1 locals=0
    lget0
    lget1
    fdiv
    ret
.end
.export mul args=ii
.export div args=ii`,
  "fixed.masm",
);

describe("fast engine fmul/fdiv after an overflow", () => {
  it("an overflowing fmul does not make later fmul and fdiv overflow", async () => {
    const fast = await MoteVM.create({ engine: "fast" });
    const interp = await MoteVM.create();
    const store = new MemoryStateStore();
    const calls: [string, bigint[]][] = [["mul", [2n ** 62n, 2n ** 40n]], ["mul", [3n << 16n, 2n << 16n]], ["div", [2n ** 62n, 1n]], ["div", [6n << 16n, 2n << 16n]]];
    const want = ["overflow", "ok", "overflow", "ok"];
    calls.forEach(([fn, args], i) => {
      const a = interp.call(M, fn, args, { store });
      const b = fast.call(M, fn, args, { store });
      expect(a.status).toBe(want[i]);
      expect(resultToJson(b)).toBe(resultToJson(a));
    });
  });
});
