// The gas-density programs stay measurable: one per loopable row of the opcode table (a new row gets
// one automatically), each verified and running out of gas, not failing, inside its measured window.
import { describe, expect, it } from "vitest";
import { OPCODES, lebImmediate } from "../../vm/spec/opcodes.ts";
import { encodeInstruction } from "../../vm/spec/module.ts";
import { MoteVM, MemoryStateStore } from "../../vm/host/index.ts";
import { densityPrograms, gasWindow, longestImmediate } from "./gas-density.ts";

describe("gas-density programs", () => {
  it("cover every row that can loop, verify, and run out of gas rather than stopping", async () => {
    const vm = await MoteVM.create();
    const progs = densityPrograms();
    const rows = new Set(progs.map((p) => p.row));
    for (const r of OPCODES) expect(rows.has(r.name), r.name).toBe(r.flow !== "exit");
    for (const p of progs) {
      const v = vm.verify(p.module);
      expect(v.ok, `${p.row} ${p.variant}`).toBe(true);
      const g = gasWindow(vm, p.module);
      expect(g, `${p.row} ${p.variant} stops before running out of gas`).not.toBeNull();
      // the window's lower quarter (the measurement's other point) runs out of gas too
      const r = vm.call(p.module, "spin", [], { store: new MemoryStateStore(), gas: Math.floor(g! / 4) });
      expect(r.status, `${p.row} ${p.variant}`).toBe("out_of_gas");
    }
  });

  it("run every row with a LEB128 immediate at its longest legal immediate, from the table", () => {
    const progs = densityPrograms();
    const long = new Set(progs.filter((p) => p.variant === "long imm").map((p) => p.row));
    // every row with a LEB128 operand, except those that end the call (they cannot loop)
    const expected = OPCODES.filter((r) => lebImmediate(r) && r.flow !== "exit").map((r) => r.name);
    expect([...long].sort()).toEqual(expected.sort());
    expect(expected).toEqual(expect.arrayContaining(["push", "pushb", "laddi", "call", "require"]));
    for (const name of expected) {
      const row = OPCODES.find((r) => r.name === name)!;
      const leb = lebImmediate(row)!;
      // the instruction with its longest immediate appears in the program (fixed operands may differ)
      const insn = encodeInstruction(name, row.operands.map((o, i) => (i === leb.index ? longestImmediate(o.kind) : 0)));
      const tail = insn.slice(leb.offset);
      const m = progs.find((p) => p.row === name && p.variant === "long imm")!.module;
      const found = m.some((b, i) => b === row.code && tail.every((t, k) => m[i + leb.offset + k] === t));
      expect(found, `${name} with immediate ${longestImmediate(leb.operand.kind)} (${tail.length} bytes)`).toBe(true);
    }
  });
});
