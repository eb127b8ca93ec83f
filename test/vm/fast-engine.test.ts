// The fast engine (vm/host/fast.ts: modules translated to WebAssembly) against the interpreter, the reference:
// every conformance vector gives the recorded result and state, and a call stopped at every possible gas
// limit stops at the same place with the same gas, status and state as on the interpreter.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { assemble, disassemble } from "../../vm/asm/index.ts";
import { untranslatedOpcodes } from "../../vm/host/fast.ts";
import { MemoryStateStore, MoteVM, resultToJson, type Value } from "../../vm/host/index.ts";
import { argFromString, vectorPath, type VectorFile } from "../vectors/generate.ts";

const ROOT = join(new URL(".", import.meta.url).pathname, "../..");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
const masm = (name: string): Uint8Array => assemble(readFileSync(join(ROOT, "test/programs", name), "utf8"), name);

let interp: MoteVM;
let fast: MoteVM;
beforeAll(async () => {
  interp = await MoteVM.create();
  fast = await MoteVM.create({ engine: "fast" });
});

describe("fast engine", () => {
  it("translates every opcode of the table", () => {
    expect(untranslatedOpcodes()).toEqual([]);
  });

  it("is the engine it was asked for, and refuses the trace build", async () => {
    expect(interp.engine).toBe("interp");
    expect(fast.engine).toBe("fast");
    await expect(MoteVM.create({ engine: "fast", trace: true })).rejects.toThrow(/fast engine/);
  });

  for (const name of ["programs", "edge", "ed25519", "contracts"]) {
    it(`gives every ${name} conformance vector's recorded result and state`, () => {
      const file = JSON.parse(readFileSync(vectorPath(name), "utf8")) as VectorFile;
      expect(file.vectors.length).toBeGreaterThan(0);
      for (const v of file.vectors) {
        const store = MemoryStateStore.fromJSON(v.stateBefore);
        const r = fast.call(unhex(v.module), v.fn ?? v.selector, v.args.map(argFromString), {
          store, caller: unhex(v.caller), timestamp: BigInt(v.timestamp), height: BigInt(v.height), gas: v.gas,
          self: v.self ? unhex(v.self) : undefined, value: v.value !== undefined ? BigInt(v.value) : undefined,
        });
        expect(resultToJson(r), v.name).toBe(v.expected);
        expect(store.toJSON(), `${v.name}: state after`).toEqual(v.stateAfter);
      }
    });
  }

  /**
   * Runs the call on both engines at every gas limit where the interpreter's stop moves, from 0 to what it
   * needs (+1): identical outcomes. Every limit up to 4,000 and in the last 4,000; beyond, state prices put
   * millions of gas between stops, so the limits either side of each stop are found by bisection.
   */
  function limitsOf(module: Uint8Array, fn: string, args: Value[], seed: (s: MemoryStateStore) => void, caller: Uint8Array | undefined, total: number): number[] {
    const stopAt = (gas: number): string => {
      const r = interp.call(module, fn, args, { store: withSeed(seed), gas, caller });
      return `${r.status}:${r.stopOffset}`;
    };
    const out = new Set<number>();
    for (let g = 0; g <= Math.min(total + 1, 4000); g++) out.add(g);
    for (let g = Math.max(0, total - 4000); g <= total + 1; g++) out.add(g);
    const stride = 997;
    for (let lo = 4000; lo < total - 4000; lo += stride) {
      const hi = Math.min(lo + stride, total);
      let a = lo;
      let b = hi;
      if (stopAt(a) === stopAt(b)) continue;
      // the one stop change in (a, b] nearest a: bisect while the outcome at a holds
      const at = stopAt(a);
      while (b - a > 1) {
        const m = (a + b) >> 1;
        if (stopAt(m) === at) a = m;
        else b = m;
      }
      for (const g of [a - 1, a, b, b + 1]) out.add(g);
    }
    return [...out].sort((x, y) => x - y);
  }

  /** Runs the call on both engines at every gas limit where a stop moves, from 0 to what it needs (+1): identical outcomes. */
  function sweep(module: Uint8Array, fn: string, args: Value[], seed: (s: MemoryStateStore) => void, caller?: Uint8Array): number {
    const full = interp.call(module, fn, args, { store: withSeed(seed), gas: 100_000_000, caller });
    expect(full.status, `${fn} runs`).not.toBe("out_of_gas");
    let stops = 0;
    for (const gas of limitsOf(module, fn, args, seed, caller, full.gasUsed)) {
      const a = withSeed(seed);
      const b = withSeed(seed);
      const ra = resultToJson(interp.call(module, fn, args, { store: a, gas, caller }));
      const rb = resultToJson(fast.call(module, fn, args, { store: b, gas, caller }));
      expect(rb, `${fn} with gas ${gas}`).toBe(ra);
      expect(b.toJSON(), `${fn} with gas ${gas}: state`).toEqual(a.toJSON());
      if (ra.includes('"out_of_gas"')) stops++;
    }
    return stops;
  }
  const withSeed = (seed: (s: MemoryStateStore) => void): MemoryStateStore => {
    const s = new MemoryStateStore();
    seed(s);
    return s;
  };

  it("stops out of gas exactly where the interpreter does, at every limit (recursive fib, checked sum loop)", () => {
    expect(sweep(masm("fib.masm"), "fib", [10n], () => {})).toBeGreaterThan(100);
    expect(sweep(masm("sum.masm"), "sum", [30n], () => {})).toBeGreaterThan(100);
  });

  it("stops out of gas exactly where the interpreter does, at every limit (a compiled token transfer)", () => {
    const out = compileFile(join(ROOT, "contracts/token.mote"));
    const token = out.module!;
    const owner = new Uint8Array(32).fill(1);
    const to = new Uint8Array(32).fill(2);
    const seed = (s: MemoryStateStore): void => {
      const r = interp.call(token, "init", [1_000_000n], { store: s, caller: owner, gas: 100_000_000 });
      expect(r.status).toBe("ok");
    };
    expect(sweep(token, "transfer", [to, 250n], seed, owner)).toBeGreaterThan(50);
  });

  it("runs the short forms (once, req32 and the one-operand storage forms) as the interpreter does, at every gas limit", () => {
    const token = compileFile(join(ROOT, "contracts/token.mote")).module!;
    const ops = new Set(disassemble(token).split("\n").map((l) => l.trim().split(/\s+/)[0]));
    for (const op of ["once", "req32", "sstorei", "mloadbi", "mstorebi"]) expect(ops.has(op), `token uses ${op}`).toBe(true);
    const owner = new Uint8Array(32).fill(1);
    const deployed = (s: MemoryStateStore): void => {
      expect(interp.call(token, "init", [1_000n], { store: s, caller: owner, gas: 100_000_000 }).status).toBe("ok");
    };
    expect(sweep(token, "init", [1_000n], () => {}, owner)).toBeGreaterThan(10); // once: the first run writes its flag
    expect(sweep(token, "init", [1_000n], deployed, owner)).toBeGreaterThan(0); // once: a second run reverts
    expect(sweep(token, "transfer", [new Uint8Array(31), 1n], deployed, owner)).toBeGreaterThan(0); // req32: 31 bytes revert
  });

  it("translates a module once per process, whichever VM runs it", async () => {
    const other = await MoteVM.create({ engine: "fast" });
    const sum = masm("sum.masm");
    const store = new MemoryStateStore();
    const a = fast.call(sum, "sum", [100n], { store });
    const b = other.call(sum, "sum", [100n], { store });
    expect(resultToJson(a)).toBe(resultToJson(b));
    const cache = (fast as unknown as { loadedFast: { fm: unknown } }).loadedFast.fm;
    expect((other as unknown as { loadedFast: { fm: unknown } }).loadedFast.fm).toBe(cache);
  });
});
