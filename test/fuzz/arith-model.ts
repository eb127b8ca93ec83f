// The integer rows' BigInt model and the differential run over it, shared by arith-diff.test.ts (the CI run)
// and the test that the run finds a planted trap. Operands: every pair of EDGE_I64 first (the same in every
// seed), then seeded edge-biased operand sets.
import { OPCODES, type OpcodeRow } from "../../vm/spec/opcodes.ts";
import { FIXED_FRAC_BITS } from "../../vm/spec/limits.ts";
import { CodeBuilder, encodeModule, selectorOf } from "../../vm/spec/module.ts";
import { MemoryStateStore, type MoteVM } from "../../vm/host/index.ts";
import { typedSig } from "./program-gen.ts";
import { Rng } from "./random.ts";

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
export const MODEL: Record<string, (a: bigint, b: bigint) => Out> = {
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
export const INTEGER_ROWS: OpcodeRow[] = OPCODES.filter(
  (r) => r.flow === "next" && r.operands.length === 0 && r.pop >= 1 && r.push === 1 && typedSig(r, []) === undefined && !["dup", "swap", "over", "drop"].includes(r.name),
);

/**
 * The edges every pair of which each binary row meets in every run: 0, ±1, ±2, MIN, MIN+1, MAX, MAX−1,
 * the 32-bit edges, powers of two around the Q47.16 range, the shift counts 63, 64 and the alternating bit
 * patterns 0x5555… and 0xaaaa… (0x5555… + 0x5555… is the one signed overflow whose sign test sees all ones).
 */
export const EDGE_I64: readonly bigint[] = [
  0n, 1n, 2n, -1n, -2n, MIN, MIN + 1n, MAX, MAX - 1n, 0x7fffffffn, 0x80000000n, -0x80000000n, 0xffffffffn, 1n << 32n,
  1n << 16n, -(1n << 16n), 1n << 47n, -(1n << 47n), 63n, 64n, 0x5555555555555555n, -0x5555555555555556n,
];

/** The fixed seeds CI runs (printed), beside one random seed per run. */
export const CI_SEEDS: readonly number[] = [1, 2, 3, 20261206];

export interface ArithDiff {
  checked: number;
  /** Results that differ from the model. */
  wrong: string[];
  /** Calls on which the VM itself failed (a WebAssembly trap or a host exception). */
  faults: string[];
}

/** One module per row: f(a[, b]) = row(a[, b]). */
function rowModule(row: OpcodeRow): Uint8Array {
  const code = new CodeBuilder();
  for (let i = 0; i < row.pop; i++) code.emit("lget", i);
  code.emit(row.name).emit("ret");
  return encodeModule({
    functions: [{ params: row.pop, results: 1, locals: 0, maxStack: row.pop, code: code.finish() }],
    consts: [],
    exports: [{ selector: selectorOf("f"), func: 0, view: true, argMask: 0, retMask: 0 }],
  });
}

/** The operand sets of one row: every edge (pair), then `perRow` seeded edge-biased sets. */
export function* operandSets(row: OpcodeRow, r: Rng, perRow: number): Generator<bigint[]> {
  const edges = EDGE_I64.map(u);
  if (row.pop === 1) for (const a of edges) yield [a];
  else for (const a of edges) for (const c of edges) yield [a, c];
  for (let k = 0; k < perRow; k++) {
    // small shift counts and Q47.16 magnitudes near the overflow edge come up often on purpose
    const a = r.chance(0.15) ? u(BigInt(r.range(-5, 5)) << 16n) : r.u64();
    const c = row.name.startsWith("sh") && r.chance(0.5) ? BigInt(r.int(130)) : r.chance(0.15) ? u(BigInt(r.range(-5, 5)) << 16n) : r.u64();
    yield row.pop === 1 ? [a] : [a, c];
  }
}

/** Runs every integer row of `vm` against the model on the edge pairs and `perRow` sets from `seed`. */
export function arithDiff(vm: MoteVM, seed: number, perRow: number): ArithDiff {
  const r = new Rng(seed);
  const store = new MemoryStateStore();
  const out: ArithDiff = { checked: 0, wrong: [], faults: [] };
  for (const row of INTEGER_ROWS) {
    const model = MODEL[row.name]!;
    const mod = rowModule(row);
    for (const args of operandSets(row, r, perRow)) {
      const want = String(model(args[0]!, args[1]!));
      out.checked++;
      let got: string;
      try {
        const res = vm.call(mod, "f", args, { store, gas: 1000 });
        got = res.status === "ok" ? String(res.returns[0]) : res.status;
      } catch (e) {
        out.faults.push(`${row.name}(${args.join(", ")}): ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (got !== want) out.wrong.push(`${row.name}(${args.join(", ")}): VM ${got}, model ${want}`);
    }
  }
  return out;
}
