// The fuzzers' own checks can fail: a VM stand-in that misbehaves in one way at a time must be caught
// by the oracle, a tampered result by the differential, and ddmin must shrink to the essential bytes.
import { describe, expect, it } from "vitest";
import { assemble } from "../../vm/asm/index.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { InternalVmFault, MemoryStateStore, MoteVM, type CallResult } from "../../vm/host/index.ts";
import { checkCase, armMemorySentinel, memoryIntact } from "./oracle.ts";
import { ddmin, minimizeCase } from "./minimize.ts";
import { DifferentialBatch, firmwareHostAvailable } from "./differential.ts";
import { caseToJson } from "./case-file.ts";
import { replayCase } from "./replay.ts";
import type { CallSpec } from "./program-gen.ts";

const MOD = assemble(
  `.func f params=0 results=1 locals=0
    push 5
    ret
.end
.export f`,
  "<oracle>",
);
const call = (gas = 100): CallSpec => ({ name: "f", selector: selectorOf("f"), args: [], gas, caller: new Uint8Array(32), timestamp: 0n, height: 0n });

/** A MoteVM stand-in whose call() returns what `f` says: the oracle only sees verify() and call(). */
function fakeVm(real: MoteVM, f: (gas: number, store: MemoryStateStore, n: number) => CallResult): MoteVM {
  let n = 0;
  return { verify: (m: Uint8Array) => real.verify(m), call: (_m: Uint8Array, _fn: unknown, _a: unknown, o: { gas: number; store: MemoryStateStore }) => f(o.gas, o.store, n++) } as unknown as MoteVM;
}
const ok = (gasUsed: number, extra: Partial<CallResult> = {}): CallResult => ({ status: "ok", gasUsed, returns: [5n], events: [], error: null, errorOffset: null, ...extra });

describe("fuzz oracle", () => {
  it("passes the real VM on a correct program", async () => {
    const vm = await MoteVM.create();
    const out = checkCase(vm, MOD, [call()], new MemoryStateStore(), {
      determinism: true,
      gasExactness: true,
      roundTrip: true,
    });
    expect(out.findings).toEqual([]);
    expect(out.results).toHaveLength(1);
    expect(out.results[0]).toMatch(/^\{"status":"ok","gasUsed":\d+,"returns":\["5"\],"events":\[\],"error":null,"at":null\}$/);
  });

  it("catches each kind of misbehaviour", async () => {
    const real = await MoteVM.create();
    const kinds = (vm: MoteVM, o = {}) => checkCase(vm, MOD, [call()], new MemoryStateStore(), o).findings.map((f) => f.kind);
    expect(kinds(fakeVm(real, () => ok(101)))).toContain("gas-exceeded");
    expect(kinds(fakeVm(real, () => ok(3, { status: "out_of_gas", returns: [] })))).toContain("oog-gas");
    expect(kinds(fakeVm(real, () => ok(3, { status: "bogus" as never })))).toContain("unknown-status");
    expect(kinds(fakeVm(real, () => ok(3, { status: "revert", returns: [1n] })))).toContain("effects-on-failure");
    expect(
      kinds(
        fakeVm(real, (_g, store) => {
          store.set(new Uint8Array(32), Uint8Array.of(0), Uint8Array.of(1));
          return ok(3, { status: "bounds", returns: [] });
        }),
      ),
    ).toContain("effects-on-failure");
    expect(kinds(fakeVm(real, () => ok(3, { returns: [5n, 6n] })))).toContain("result-count");
    expect(kinds(fakeVm(real, () => ok(3, { returns: [Uint8Array.of(1)] })))).toContain("result-type");
    expect(kinds(fakeVm(real, () => { throw new InternalVmFault("call", new WebAssembly.RuntimeError("unreachable")); }))).toContain("vm-fault");
    expect(kinds(fakeVm(real, (_g, _s, n) => ok(3, { returns: [BigInt(n)] })), { determinism: true })).toContain("nondeterministic");
    // a VM whose results depend on what ran before it (the twin is dirtied first)
    expect(kinds(real, { determinism: true, twin: fakeVm(real, (_g, _s, n) => ok(3, { returns: [n > 2 ? 6n : 5n] })) })).toContain("nondeterministic");
    // exactly gasUsed must reproduce an ok result, and one less must run out
    expect(kinds(fakeVm(real, (g) => (g < 10 ? ok(g, { status: "out_of_gas", returns: [] }) : ok(3))), { gasExactness: true })).toContain("gas-inexact");
    expect(kinds(fakeVm(real, () => ok(3)), { gasExactness: true })).toContain("gas-inexact");
    expect(kinds(fakeVm(real, (g) => ok(3, { returns: [g > 100 ? 1n : 5n] })), { gasExactness: true })).toContain("gas-monotonic");
  });

  it("reports a write above the VM's memory bound", async () => {
    const vm = await MoteVM.create();
    armMemorySentinel(vm);
    expect(memoryIntact(vm)).toBeNull();
    vm.memory[vm.memoryUsed + 100] = 0;
    expect(memoryIntact(vm)?.kind).toBe("memory-bound");
  });

  it("ddmin keeps only the bytes the failure needs", () => {
    const input = Uint8Array.from({ length: 200 }, (_, i) => (i === 37 ? 0x13 : i === 150 ? 0x54 : 0x99));
    const out = ddmin(input, (b) => b.includes(0x13) && b.includes(0x54) && b.indexOf(0x13) < b.indexOf(0x54));
    expect([...out]).toEqual([0x13, 0x54]);
  });

  it("minimizeCase drops calls, state and bytes that do not matter", () => {
    const file = caseToJson("x", Uint8Array.of(1, 2, 3, 4, 5, 6), { ["0x" + "00".repeat(32)]: { "0x00": "0x01" } }, [call(), call(7)], "test");
    const min = minimizeCase(file, (c) => c.module.includes("04") && c.calls.some((k) => k.gas === 7));
    expect(min.module).toBe("0x04");
    expect(min.calls.map((c) => c.gas)).toEqual([7]);
    expect(min.state).toEqual({});
  });
});

describe.skipIf(!firmwareHostAvailable())("differential batch", () => {
  it("agrees with mote-host on a real call and flags a tampered result or state", async () => {
    const vm = await MoteVM.create();
    const c = call();
    const store = new MemoryStateStore();
    const before = DifferentialBatch.stateHex(store);
    const out = checkCase(vm, MOD, [c], store, {});
    const d = new DifferentialBatch();
    d.add(0, MOD, before, [c], out.results, DifferentialBatch.stateHex(store));
    d.add(1, MOD, before, [c], [out.results[0]!.replace('"5"', '"6"')], DifferentialBatch.stateHex(store));
    const other = new MemoryStateStore();
    other.set(new Uint8Array(32), Uint8Array.of(0), Uint8Array.of(1));
    d.add(2, MOD, before, [c], out.results, DifferentialBatch.stateHex(other));
    const div = d.flush();
    expect(div.map((x) => x.caseId)).toEqual([1, 2]);
    expect(d.calls).toBe(3);
    // and a saved case replays through both hosts
    const r = replayCase(vm, caseToJson("x", MOD, {}, [c], "test"), "test", { differential: true });
    expect(r.divergences).toEqual([]);
  });
});

describe("differential batch on mote-host-aot (the VM translated by wasm2c)", () => {
  it("agrees with the AOT host on a real call and names it in a divergence", async () => {
    const { AOT_HOST_PATH, buildFirmwareHost } = await import("../../firmware-host/scripts/build.ts");
    await buildFirmwareHost({ quiet: true, aot: true });
    const vm = await MoteVM.create();
    const c = call();
    const store = new MemoryStateStore();
    const before = DifferentialBatch.stateHex(store);
    const out = checkCase(vm, MOD, [c], store, {});
    const d = new DifferentialBatch(AOT_HOST_PATH, undefined, "mote-host-aot");
    d.add(0, MOD, before, [c], out.results, DifferentialBatch.stateHex(store));
    d.add(1, MOD, before, [c], [out.results[0]!.replace('"5"', '"6"')], DifferentialBatch.stateHex(store));
    const div = d.flush();
    expect(div.map((x) => x.caseId)).toEqual([1]);
    expect(div[0]!.detail).toMatch(/\| mote-host-aot \{"status":"ok"/);
    expect(d.calls).toBe(2);
  }, 300_000);
});
