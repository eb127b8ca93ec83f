// A quick random-program smoke test (seeded; set MOTE_SEED to replay): random bytes, mutated valid
// modules and random valid programs never trap, always end with a status, never exceed the gas limit,
// and never write above the VM's memory bound.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OPCODES, type OpcodeRow } from "../../vm/spec/opcodes.ts";
import { STATUSES } from "../../vm/spec/format.ts";
import { CodeBuilder, computeMaxStack, encodeModule, selectorOf, decodeModule } from "../../vm/spec/module.ts";
import { assemble } from "../../vm/asm/index.ts";
import { MoteVM, MemoryStateStore, type Value } from "../../vm/host/index.ts";
import { rng } from "./helpers.ts";

const SEED = Number(process.env.MOTE_SEED ?? Date.now() % 2 ** 31);
const STATUS_NAMES = new Set(STATUSES.map((s) => s.name));

const programs = readdirSync(join(import.meta.dirname, "../programs"))
  .filter((f) => f.endsWith(".masm"))
  .map((f) => assemble(readFileSync(join(import.meta.dirname, "../programs", f), "utf8"), f));

describe(`random smoke (MOTE_SEED=${SEED})`, () => {
  it("never traps, always a status, gas within the limit, memory within the bound", async () => {
    console.log(`random smoke seed: MOTE_SEED=${SEED}`);
    const r = rng(SEED);
    const int = (n: number) => Math.floor(r() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const vm = await MoteVM.create();
    vm.memory.fill(0x5a, vm.memoryUsed);
    const store = new MemoryStateStore();
    const randomValue = (): Value =>
      r() < 0.6 ? pick([0n, 1n, 2n, 7n, 2n ** 63n, 2n ** 64n - 1n, BigInt(int(1000))]) : Uint8Array.from({ length: pick([0, 1, 8, 32, 64]) }, () => int(256));
    let verified = 0;
    let ran = 0;
    const statuses = new Map<string, number>();

    const exercise = (bytes: Uint8Array): void => {
      const v = vm.verify(bytes);
      if (!v.ok) {
        expect(v.code).toBeGreaterThan(0);
        expect(v.offset).toBeGreaterThanOrEqual(0);
        expect(v.offset).toBeLessThanOrEqual(Math.max(bytes.length, 1));
        return;
      }
      verified++;
      let targets: { selector: number; params: number; argMask: number }[] = [];
      try {
        const d = decodeModule(bytes);
        targets = d.exports.map((e) => ({ selector: e.selector, params: d.functions[e.func]?.params ?? 0, argMask: e.argMask }));
      } catch {
        targets = [];
      }
      for (const t of [...targets, { selector: 0x12345678, params: 0, argMask: 0 }]) {
        const sel = t.selector;
        // mostly well-typed arguments, sometimes anything
        const args =
          r() < 0.8
            ? Array.from({ length: t.params }, (_x, k) => ((t.argMask >> k) & 1 ? Uint8Array.from({ length: int(40) }, () => int(256)) : pick([0n, 1n, 5n, 2n ** 64n - 1n, BigInt(int(100))])))
            : Array.from({ length: int(4) }, randomValue);
        const gas = pick([0, 1, 10, 100, 1000, 20000]);
        const res = vm.call(bytes, sel, args, { store, gas, caller: new Uint8Array(32).fill(3), timestamp: 5n, height: 6n });
        ran++;
        expect(STATUS_NAMES.has(res.status)).toBe(true);
        expect(res.gasUsed).toBeGreaterThanOrEqual(0);
        expect(res.gasUsed).toBeLessThanOrEqual(gas);
        if (res.status === "out_of_gas") expect(res.gasUsed).toBe(gas);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };

    // 1. random bytes after a valid header, and fully random bytes
    for (let i = 0; i < 1500; i++) {
      const body = Uint8Array.from({ length: int(120) }, () => int(256));
      exercise(i % 4 === 0 ? body : Uint8Array.from([0x4d, 0x4f, 0x54, 0x45, 1, ...body]));
    }
    // 2. mutated valid modules
    for (let i = 0; i < 2500; i++) {
      const m = pick(programs).slice();
      for (let k = 1 + int(3); k > 0; k--) m[5 + int(m.length - 5)] = r() < 0.5 ? int(256) : m[5 + int(m.length - 5)]! ^ (1 << int(8));
      exercise(m);
    }
    // 3. random valid programs: a loop around random straight-line code, heights tracked
    const straight = OPCODES.filter((o) => o.flow === "next" && o.name !== "require" || o.name === "call");
    for (let i = 0; i < 1500; i++) {
      const b = new CodeBuilder();
      const top = b.newLabel();
      b.bind(top);
      let h = 0;
      for (let n = int(25); n > 0; n--) {
        const row: OpcodeRow = pick(straight);
        let pop = row.pop;
        let push = row.push;
        const ops: (number | bigint)[] = [];
        if (row.name === "call") {
          pop = 1;
          push = 1;
        }
        if (row.name === "emit") pop = 0;
        if (h < pop || h - pop + push > 12) continue;
        for (const o of row.operands) {
          switch (o.kind) {
            case "local": ops.push(int(4)); break;
            case "sleb": ops.push(pick([0n, -1n, 63n, 64n, 2n ** 63n - 1n, -(2n ** 63n), BigInt(int(100000))])); break;
            case "const": ops.push(int(2)); break;
            case "func": ops.push(1); break;
            case "width": ops.push(pick([1, 2, 4, 8])); break;
            case "slot": ops.push(int(3)); break;
            case "mode": ops.push(row.name === "sload" || row.name === "sstore" || row.name === "xload" ? pick([0, 2]) : int(4)); break;
            case "u32": ops.push(int(2 ** 32)); break;
            case "u8": ops.push(0); break;
            default: ops.push(int(1000));
          }
        }
        if (/^l(get|set)[0-3]$/.test(row.name) && Number(row.name.at(-1)) > 3) continue;
        b.emit(row.name, ...ops);
        h = h - pop + push;
      }
      while (h > 0) {
        b.emit("drop");
        h--;
      }
      b.emit("laddi", 0, 1);
      b.emit("lget0");
      b.emit("push", BigInt(1 + int(50)));
      b.emitJump("jltu", top);
      b.emit("halt");
      const code = b.finish();
      const helper = Uint8Array.of(0x13, 0x54); // lget0 ret
      const shapes = [{ params: 0, results: 0 }, { params: 1, results: 1 }];
      let maxStack = 12;
      try {
        maxStack = computeMaxStack(code, shapes);
      } catch {
        // the verifier judges it
      }
      const bytes = encodeModule({
        functions: [
          { params: 0, results: 0, locals: 4, maxStack, code },
          { params: 1, results: 1, locals: 0, maxStack: 1, code: helper },
        ],
        consts: [Uint8Array.from({ length: int(40) }, () => int(256)), new Uint8Array(32)],
        exports: [{ selector: selectorOf("main"), func: 0, view: false, argMask: 0, retMask: 0 }],
      });
      exercise(bytes);
    }
    console.log(`verified ${verified}, ran ${ran}, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(verified).toBeGreaterThan(1500);
    expect(statuses.get("ok") ?? 0).toBeGreaterThan(100);
    expect(vm.memory.subarray(vm.memoryUsed).every((x) => x === 0x5a)).toBe(true);
  });
});
