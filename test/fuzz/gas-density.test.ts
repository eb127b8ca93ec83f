// The gas-density programs stay measurable: one per loopable row of the opcode table (a new row gets
// one automatically), each verified and running out of gas, not failing, inside its measured window.
import { describe, expect, it } from "vitest";
import { OPCODES } from "../../vm/spec/opcodes.ts";
import { MoteVM, MemoryStateStore } from "../../vm/host/index.ts";
import { densityPrograms, gasWindow } from "./gas-density.ts";

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
});
