// Regression: a fast-engine VM kept an instance of every module it had ever run (an unbounded map), so a
// fuzz campaign's VM held ~61,000 translated modules and V8 stopped with "Commit wasm code space
// Allocation failed - process out of memory". The per-VM instances and the process-wide translations
// are bounded caches now; past their bounds the oldest go, and calls still give the interpreter's results.
import { describe, expect, it } from "vitest";
import { assemble } from "../../vm/asm/index.ts";
import { MemoryStateStore, MoteVM, resultToJson } from "../../vm/host/index.ts";

describe("fast engine translations are bounded", () => {
  it("a VM that runs more distinct modules than its cache holds keeps at most the bound", async () => {
    const fast = await MoteVM.create({ engine: "fast" });
    const interp = await MoteVM.create();
    const store = new MemoryStateStore();
    const instances = (fast as unknown as { fastInstances: { size: number; limit: number } }).fastInstances;
    const n = instances.limit + 20;
    for (let i = 0; i < n; i++) {
      const m = assemble(`.func f params=0 results=1 locals=0\n    push ${i + 1000}\n    ret\n.end\n.export f`, `m${i}`);
      const a = resultToJson(fast.call(m, "f", [], { store }));
      expect(a).toBe(resultToJson(interp.call(m, "f", [], { store })));
      expect(a).toContain(`"${i + 1000}"`);
    }
    expect(instances.size).toBe(instances.limit);
  });
});
