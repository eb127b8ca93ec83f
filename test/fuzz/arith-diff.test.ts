// Differential test of the integer rows against a BigInt model written from their docs: every row of
// the table that takes and gives integers only gets thousands of edge-biased operands through the VM.
// A new integer row without a model here fails the test, so no arithmetic goes unchecked.
import { describe, expect, it } from "vitest";
import { OPCODES, type OpcodeRow } from "../../vm/spec/opcodes.ts";
import { FIXED_FRAC_BITS } from "../../vm/spec/limits.ts";
import { CodeBuilder, encodeModule, selectorOf } from "../../vm/spec/module.ts";
import { MoteVM, MemoryStateStore } from "../../vm/host/index.ts";
import { typedSig } from "./program-gen.ts";
import { Rng, seedFromEnv } from "./random.ts";

const SEED = seedFromEnv();
const PER_ROW = 1000;
const M = 2n ** 64n;
const u = (x: bigint): bigint => BigInt.asUintN(64, x);
const s = (x: bigint): bigint => BigInt.asIntN(64, x);
const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;
type Out = bigint | "overflow" | "div_zero";
const checkedU = (x: bigint): Out => (x < 0n || x >= M ? "overflow" : x);
const checkedS = (x: bigint): Out => (x < MIN || x > MAX ? "overflow" : u(x));
const b = (c: boolean): bigint => (c ? 1n : 0n);
/** Truncating division toward zero on bigints (BigInt's / already truncates). */
const tdiv = (x: bigint, y: bigint): bigint => x / y;

/** The model: operands as u64 bit patterns (a below b on the stack), result as a u64 pattern or a status. */
const MODEL: Record<string, (a: bigint, b: bigint) => Out> = {
  add: (x, y) => u(x + y),
  sub: (x, y) => u(x - y),
  mul: (x, y) => u(x * y),
  addu: (x, y) => checkedU(x + y),
  subu: (x, y) => checkedU(x - y),
  mulu: (x, y) => checkedU(x * y),
  adds: (x, y) => checkedS(s(x) + s(y)),
  subs: (x, y) => checkedS(s(x) - s(y)),
  muls: (x, y) => checkedS(s(x) * s(y)),
  divu: (x, y) => (y === 0n ? "div_zero" : x / y),
  divs: (x, y) => (y === 0n ? "div_zero" : checkedS(tdiv(s(x), s(y)))),
  remu: (x, y) => (y === 0n ? "div_zero" : x % y),
  rems: (x, y) => (y === 0n ? "div_zero" : u(s(x) % s(y))),
  fmul: (x, y) => checkedS(tdiv(s(x) * s(y), 1n << BigInt(FIXED_FRAC_BITS))),
  fdiv: (x, y) => (y === 0n ? "div_zero" : checkedS(tdiv(s(x) << BigInt(FIXED_FRAC_BITS), s(y)))),
  neg: (x) => checkedS(-s(x)),
  eq: (x, y) => b(x === y),
  ne: (x, y) => b(x !== y),
  ltu: (x, y) => b(x < y),
  lts: (x, y) => b(s(x) < s(y)),
  gtu: (x, y) => b(x > y),
  gts: (x, y) => b(s(x) > s(y)),
  leu: (x, y) => b(x <= y),
  les: (x, y) => b(s(x) <= s(y)),
  geu: (x, y) => b(x >= y),
  ges: (x, y) => b(s(x) >= s(y)),
  eqz: (x) => b(x === 0n),
  and: (x, y) => x & y,
  or: (x, y) => x | y,
  xor: (x, y) => x ^ y,
  shl: (x, y) => u(x << (y & 63n)),
  shru: (x, y) => x >> (y & 63n),
  shrs: (x, y) => u(s(x) >> (y & 63n)),
  bnot: (x) => u(~x),
};

/** Rows that take integers and give one integer, with no operands, no control flow and no context. */
const INTEGER_ROWS: OpcodeRow[] = OPCODES.filter(
  (r) => r.flow === "next" && r.operands.length === 0 && r.pop >= 1 && r.push === 1 && typedSig(r, []) === undefined && !["dup", "swap", "over", "drop"].includes(r.name),
);

describe(`integer rows against the BigInt model (MOTE_SEED=${SEED})`, () => {
  it("every integer row has a model", () => {
    expect(INTEGER_ROWS.map((r) => r.name).filter((n) => !MODEL[n])).toEqual([]);
    expect(INTEGER_ROWS.length).toBeGreaterThanOrEqual(30);
  });

  it(`agrees on ${PER_ROW} edge-biased operand sets per row`, async () => {
    console.log(`arith diff seed: MOTE_SEED=${SEED}`);
    const vm = await MoteVM.create();
    const r = new Rng(SEED);
    const store = new MemoryStateStore();
    const wrong: string[] = [];
    let checked = 0;
    for (const row of INTEGER_ROWS) {
      const model = MODEL[row.name]!;
      const code = new CodeBuilder();
      for (let i = 0; i < row.pop; i++) code.emit("lget", i);
      code.emit(row.name).emit("ret");
      const mod = encodeModule({
        functions: [{ params: row.pop, results: 1, locals: 0, maxStack: row.pop, code: code.finish() }],
        consts: [],
        exports: [{ selector: selectorOf("f"), func: 0, view: true, argMask: 0, retMask: 0 }],
      });
      for (let k = 0; k < PER_ROW; k++) {
        // small shift counts and Q47.16 magnitudes near the overflow edge come up often on purpose
        const a = r.chance(0.15) ? u(BigInt(r.range(-5, 5)) << 16n) : r.u64();
        const c = row.name.startsWith("sh") && r.chance(0.5) ? BigInt(r.int(130)) : r.chance(0.15) ? u(BigInt(r.range(-5, 5)) << 16n) : r.u64();
        const args = row.pop === 1 ? [a] : [a, c];
        const want = model(a, c);
        const got = vm.call(mod, "f", args, { store, gas: 1000 });
        const gotText = got.status === "ok" ? String(got.returns[0]) : got.status;
        checked++;
        if (gotText !== String(want)) wrong.push(`${row.name}(${args.join(", ")}): VM ${gotText}, model ${String(want)}`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(checked).toBe(INTEGER_ROWS.length * PER_ROW);
  });
});
