// Call-level behaviour of the VM: every status reached, exact gas, effects kept only on ok, determinism,
// the memory bound, and the sample programs in test/programs/.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { STATUSES, type StatusName } from "../../vm/spec/format.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { DYNAMIC_GAS as D, OPCODE_BY_NAME } from "../../vm/spec/opcodes.ts";
import { assemble } from "../../vm/asm/index.ts";
import { codeLayout } from "../../vm/spec/module.ts";
import { MemoryStateStore, resultToJson, type CallResult } from "../../vm/host/index.ts";
import { getVm, prog, run, text } from "./helpers.ts";

const program = (name: string): Uint8Array =>
  assemble(readFileSync(join(import.meta.dirname, "../programs", `${name}.masm`), "utf8"), `${name}.masm`);

describe("statuses", () => {
  const reached: Record<StatusName, () => Promise<CallResult>> = {
    ok: () => run(prog("push1\nret")),
    revert: () => run(prog("revert 4")),
    out_of_gas: () => run(prog("loop:\njmp loop", { results: 0 }), [], { gas: 100 }),
    stack_overflow: () => run(prog("call f\nret", { locals: 63 })),
    call_depth: () => run(prog("call f\nret")),
    arena_full: () => run(prog("loop:\npush 1\nitob 8\ndrop\njmp loop", { results: 0 })),
    div_zero: () => run(prog("push1\npush0\ndivu\nret")),
    overflow: () => run(prog("push -1\npush1\naddu\nret")),
    bounds: () => run(prog("push 3\nblen\nret")),
    invalid_module: () => run(Uint8Array.from([1, 2, 3])),
    bad_call: () => run(prog("push1\nret"), [5n]),
    host_error: () => run(prog("sload 0 0\nret"), [], { store: { get: () => { throw new Error("down"); }, set: () => {} } }),
    insufficient_balance: () => run(prog("self\npush1\npay\npush0\nret")),
  };

  it("every status is covered here", () => {
    expect(Object.keys(reached).sort()).toEqual(STATUSES.map((s) => s.name).sort());
  });
  for (const [name, f] of Object.entries(reached)) {
    it(`reaches ${name}`, async () => expect((await f()).status).toBe(name));
  }

  it("bad_call: unknown function, wrong arg count or types", async () => {
    const m = prog("lget0\nret", { args: "b" });
    expect((await run(m, [], {}, "nope")).status).toBe("bad_call");
    expect((await run(m, [])).status).toBe("bad_call");
    expect((await run(m, [1n])).status).toBe("bad_call");
    expect((await run(m, [text("a"), text("b")])).status).toBe("bad_call");
    expect((await run(m, [text("a")])).status).toBe("ok");
  });
});

/** Static gas of a sequence of opcodes, from the table (the VM must charge exactly what the table says). */
const g = (...names: string[]): number => names.reduce((sum, n) => sum + OPCODE_BY_NAME.get(n)!.gas, 0);

describe("gas", () => {
  it("straight-line code: the sum of static costs", async () => {
    expect((await run(prog("push 1\npush 2\nadd\nret"))).gasUsed).toBe(g("push", "push", "add", "ret"));
  });

  it("integer immediates cost 1 gas per LEB byte beyond the first (push, laddi)", async () => {
    // push -1 is 1 byte of SLEB, 1000000 is 3, 2^63-1 is 10; laddi 0 1 is 1 byte of ULEB, 2^32-1 is 5.
    expect((await run(prog("push -1\nret"))).gasUsed).toBe(g("push", "ret"));
    expect((await run(prog("push 1000000\nret"))).gasUsed).toBe(g("push", "ret") + 2);
    expect((await run(prog("push 9223372036854775807\nret"))).gasUsed).toBe(g("push", "ret") + 9);
    expect((await run(prog("laddi 0 1\nlget0\nret", { params: 1 }), [5n])).gasUsed).toBe(g("laddi", "lget0", "ret"));
    expect((await run(prog("laddi 0 4294967295\nlget0\nret", { params: 1 }), [5n])).gasUsed).toBe(g("laddi", "lget0", "ret") + 4);
    // A stop mid-block refunds the long immediate's surcharge with the rest of the block.
    expect((await run(prog("push0\nrequire 1\npush 9223372036854775807\nret"))).gasUsed).toBe(g("push0", "require"));
  });

  it("a revert in the middle of a block refunds the rest of the block", async () => {
    // push0 and require ran; push, push, add, ret did not
    const r = await run(prog("push0\nrequire 9\npush 5\npush 6\nadd\nret"));
    expect(r).toMatchObject({ status: "revert", error: 9, gasUsed: g("push0", "require") });
  });

  it("an overflow in the middle of a block refunds the rest", async () => {
    const r = await run(prog("push -1\npush1\naddu\npush 2\nmul\nret"));
    expect(r).toMatchObject({ status: "overflow", gasUsed: g("push", "push1", "addu") });
  });

  it("dynamic costs are added: bcat of 40 bytes costs 5 words", async () => {
    const r = await run(prog("pushb c0\npushb c1\nbcat\nblen\nret", { consts: ["0x" + "11".repeat(20), "0x" + "22".repeat(20)] }));
    expect(r).toMatchObject({ status: "ok", returns: [40n], gasUsed: g("pushb", "pushb", "bcat", "blen", "ret") + 5 * D.COPY_PER_WORD });
  });

  it("sha256 of 64 bytes: two blocks", async () => {
    const r = await run(prog("pushb c0\nsha256\nblen\nret", { consts: ["0x" + "00".repeat(64)] }));
    expect(r.gasUsed).toBe(g("pushb", "sha256", "blen", "ret") + 2 * D.SHA256_PER_BLOCK);
  });

  it("storage: sload, sstore and emit", async () => {
    // counter.increment on an empty store: sload of nothing (0 words), sstore of 8 bytes (1 word),
    // emit of a 14-byte event (2 words)
    const r = await run(program("counter"), [], {}, "increment");
    const statics = g("sload", "push1", "addu", "dup", "sstore", "dup", "emit", "ret");
    expect(r).toMatchObject({ status: "ok", gasUsed: statics + D.SLOAD + D.SSTORE + D.SSTORE_PER_WORD + D.EMIT + 2 * D.EMIT_PER_WORD });
  });

  it("calls: caller's block, callee's blocks, the continuation", async () => {
    const m = prog("push 2\npush 3\ncall g\nret", { extra: ".func g params=2 results=1 locals=0\nlget0\nlget1\nadd\nret\n.end" });
    expect((await run(m)).gasUsed).toBe(g("push", "push", "call") + g("lget0", "lget1", "add", "ret") + g("ret"));
  });

  it("a loop: sum(n) costs entry + exit + n iterations", async () => {
    // sum.masm: push1 lset2 | loop: lget0 lget2 jltu | lget1 lget2 addu lset1 laddi jmp | done: lget1 ret
    const test = g("lget0", "lget2", "jltu");
    const fixed = g("push1", "lset2") + test + g("lget1", "ret");
    const perIteration = g("lget1", "lget2", "addu", "lset1", "laddi", "jmp") + test;
    for (const n of [0n, 1n, 10n, 1000n]) {
      const r = await run(program("sum"), [n], {}, "sum");
      expect(r).toMatchObject({ status: "ok", returns: [(n * (n + 1n)) / 2n], gasUsed: fixed + perIteration * Number(n) });
    }
  });

  it("out of gas: gasUsed is the limit and nothing takes effect", async () => {
    const store = new MemoryStateStore();
    const vm = await getVm();
    const m = program("counter");
    const cost = vm.call(m, "increment", [], { store: new MemoryStateStore() }).gasUsed;
    // Limits below the cost stop at every stage: before the block, at sload, sstore and emit.
    for (const gas of [0, 1, g("sload"), cost - D.EMIT - 1, cost - 2, cost - 1]) {
      const r = vm.call(m, "increment", [], { store, gas });
      expect(r).toMatchObject({ status: "out_of_gas", gasUsed: gas, returns: [], events: [] });
    }
    expect([...store.entries()]).toEqual([]);
    expect(vm.call(m, "increment", [], { store, gas: cost })).toMatchObject({ status: "ok", gasUsed: cost });
    expect([...store.entries()]).toHaveLength(1);
  });

  it("never exceeds the limit and matches for every limit around the cost", async () => {
    const vm = await getVm();
    const m = program("fib");
    const full = vm.call(m, "fib", [20n], { store: new MemoryStateStore() });
    for (let gas = full.gasUsed - 3; gas <= full.gasUsed + 3; gas++) {
      const r = vm.call(m, "fib", [20n], { store: new MemoryStateStore(), gas });
      expect(r.gasUsed).toBe(gas < full.gasUsed ? gas : full.gasUsed);
      expect(r.status).toBe(gas < full.gasUsed ? "out_of_gas" : "ok");
    }
  });
});

describe("effects", () => {
  it("writes and events are discarded on revert", async () => {
    const store = new MemoryStateStore();
    const r = await run(prog("push 5\nsstore 0 0\npush 1\nemit 9 1 0\nrevert 2", { results: 0 }), [], { store });
    expect(r).toMatchObject({ status: "revert", error: 2, events: [], returns: [] });
    expect([...store.entries()]).toEqual([]);
  });

  it("writes and events are discarded on any other stop", async () => {
    const store = new MemoryStateStore();
    const r = await run(prog("push 5\nsstore 0 0\nemit 9 0 0\npush1\npush0\ndivu\nret"), [], { store });
    expect(r).toMatchObject({ status: "div_zero", events: [] });
    expect([...store.entries()]).toEqual([]);
  });

  it("a call reads its own writes; another contract reads committed state only", async () => {
    const store = new MemoryStateStore();
    const vm = await getVm();
    const counter = program("counter");
    const id = (vm.verify(counter) as { id: Uint8Array }).id;
    vm.call(counter, "increment", [], { store });
    const reader = prog("lget0\nxload 0 0\nret", { args: "b" });
    expect(vm.call(reader, "f", [id], { store })).toMatchObject({ status: "ok", returns: [1n] });
  });
});

describe("determinism", () => {
  it("the same call twice gives identical results", async () => {
    const vm = await getVm();
    for (const [name, fn, args] of [["fib", "fib", [50n]], ["counter", "get", []], ["revert", "check", [101n]]] as const) {
      const m = program(name);
      const a = resultToJson(vm.call(m, fn, [...args], { store: new MemoryStateStore() }));
      const b = resultToJson(vm.call(m, fn, [...args], { store: new MemoryStateStore() }));
      expect(a).toBe(b);
    }
  });

  it("a fresh VM instance gives the same results as a used one", async () => {
    const { MoteVM } = await import("../../vm/host/index.ts");
    const fresh = await MoteVM.create();
    const used = await getVm();
    const m = program("fib");
    used.call(program("counter"), "increment", [], { store: new MemoryStateStore() });
    expect(resultToJson(fresh.call(m, "fib", [30n], { store: new MemoryStateStore() }))).toBe(
      resultToJson(used.call(m, "fib", [30n], { store: new MemoryStateStore() })),
    );
  });
});

describe("memory", () => {
  it("reports its bound, within 24 KiB and one page", async () => {
    const vm = await getVm();
    expect(vm.memoryUsed).toBeLessThanOrEqual(24 * 1024);
    expect(vm.memory.length).toBe(65536);
  });

  it("never writes above mote_memory_used()", async () => {
    const { MoteVM } = await import("../../vm/host/index.ts");
    const vm = await MoteVM.create();
    vm.memory.fill(0xa5, vm.memoryUsed);
    const store = new MemoryStateStore();
    const deep = prog("lget0\ncall g\nret", { args: "i", extra: ".func g params=1 results=1 locals=4\nlget0\neqz\njnz base\nlget0\npush1\nsub\ncall g\nret\nbase:\npush 7\nret\n.end" });
    vm.call(deep, "f", [40n], { store });
    vm.call(deep, "f", [1000n], { store });
    for (const [n, fn, a] of [["fib", "fib", [90n]], ["counter", "increment", []], ["revert", "check", [500n]], ["oog", "spin", []]] as const) {
      vm.call(program(n), fn, [...a], { store, gas: 100_000 });
    }
    const big = "0x" + "ab".repeat(LIMITS.MAX_BYTES_LEN.value);
    vm.call(prog("pushb c0\nsstore 1 2\nsload 1 2\nret", { consts: [big], ret: "b" }), "f", [], { store });
    vm.call(prog("loop:\npush 1\nitob 8\ndrop\njmp loop", { results: 0 }), "f", [], { store });
    vm.call(prog("lget0\nret", { args: "b", ret: "b" }), "f", [new Uint8Array(LIMITS.MAX_BYTES_LEN.value)], { store });
    const above = vm.memory.subarray(vm.memoryUsed);
    expect(above.every((b) => b === 0xa5)).toBe(true);
  });
});

describe("sample programs", () => {
  it("fib: iterative Fibonacci", async () => {
    const m = program("fib");
    expect(await run(m, [10n], {}, "fib")).toMatchObject({ status: "ok", returns: [55n] });
    expect(await run(m, [0n], {}, "fib")).toMatchObject({ status: "ok", returns: [0n] });
    expect(await run(m, [92n], {}, "fib")).toMatchObject({ status: "ok", returns: [7540113804746346429n] });
    expect((await run(m, [200n], {}, "fib")).status).toBe("overflow");
  });

  it("counter: storage persists across calls, with an event each", async () => {
    const store = new MemoryStateStore();
    const vm = await getVm();
    const m = program("counter");
    for (let i = 1n; i <= 3n; i++) {
      const r = vm.call(m, "increment", [], { store });
      expect(r).toMatchObject({ status: "ok", returns: [i], events: [{ topic: 1, values: [i] }] });
    }
    expect(vm.call(m, "get", [], { store })).toMatchObject({ status: "ok", returns: [3n] });
  });

  it("revert: error ids", async () => {
    const m = program("revert");
    expect(await run(m, [50n], {}, "check")).toMatchObject({ status: "ok", returns: [50n] });
    expect(await run(m, [101n], {}, "check")).toMatchObject({ status: "revert", error: 3, returns: [] });
    expect(await run(m, [], {}, "fail")).toMatchObject({ status: "revert", error: 7 });
  });

  it("oog: an endless loop uses exactly the limit", async () => {
    const r = await run(program("oog"), [], { gas: 5000 }, "spin");
    expect(r).toMatchObject({ status: "out_of_gas", gasUsed: 5000 });
    const d = await run(program("oog"), [], { gas: undefined }, "spin");
    expect(d).toMatchObject({ status: "out_of_gas", gasUsed: LIMITS.DEFAULT_GAS.value });
  });

  it("result JSON is the documented one-line form", async () => {
    const r = await run(prog("push 7\npushb c0\nemit 3740250381 2 2\npush 55\nret", { consts: ["0x0a0b"] }));
    expect(resultToJson(r)).toBe(`{"status":"ok","gasUsed":${r.gasUsed},"returns":["55"],"events":[{"topic":"3740250381","values":["7","0x0a0b"]}],"error":null,"at":null}`);
  });

  it("a call that stops names the module byte offset of the instruction that stopped it", async () => {
    const m = prog("push 3\npush0\nrequire 4\nret");
    const r = await run(m);
    const layout = codeLayout(m);
    // require sits at body offset 3 (push 3: 2 bytes, push0: 1); the offset is inside its 2 bytes
    expect(r.stopOffset! - layout.bodies[0]!).toBeGreaterThanOrEqual(3);
    expect(r.stopOffset! - layout.bodies[0]!).toBeLessThan(5);
    expect(resultToJson(r)).toBe(`{"status":"revert","gasUsed":${r.gasUsed},"returns":[],"events":[],"error":4,"at":${r.stopOffset}}`);
  });
});
