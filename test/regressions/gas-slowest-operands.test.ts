// Regression (issue 11, point 1): gas was calibrated on operands that take an opcode's fastest path. Every
// binary opcode was measured on 1000 and 7, where a checked multiply skips its 128-bit test, a division is
// short and fdiv is one division, while fdiv of a numerator past 2^48 ran 64 restoring-division steps. On
// RV32 the slowest paths then cost 5.6x (mulu) and 4.7x (fdiv) the mean per gas. Now fdiv is at most two
// 64-bit divisions, mulu checks its product by one division, and the calibration (bench/calibrate-gas.ts)
// measures every data-dependent opcode on its slowest path, so gasCalibration.maxOverMean covers it. The
// ledger's cost benchmark also stopped timing dead code: V8 removed a dropped division's result.
import { beforeAll, describe, expect, it } from "vitest";
import { calibrationPlan } from "../../bench/calibrate-gas.ts";
import { units, workloadModule } from "../../bench/ledger-cost.ts";
import { assemble } from "../../vm/asm/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { FIXED_FRAC_BITS } from "../../vm/spec/limits.ts";
import { OPCODES } from "../../vm/spec/opcodes.ts";
import { MODEL } from "../fuzz/arith-model.ts";
import { Rng } from "../fuzz/random.ts";

const U = (x: bigint): bigint => BigInt.asUintN(64, x);
const S = (x: bigint): bigint => BigInt.asIntN(64, x);
const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const F = BigInt(FIXED_FRAC_BITS);

let interp: MoteVM;
let fast: MoteVM;
beforeAll(async () => {
  interp = await MoteVM.create();
  fast = await MoteVM.create({ engine: "fast" });
});

/** A random integer in [lo, hi). */
function between(r: Rng, lo: bigint, hi: bigint): bigint {
  const span = hi - lo;
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 16n) | BigInt(r.int(0x10000));
  return lo + (v % span);
}

describe("fdiv on every path, both engines", () => {
  const fdiv = assemble(".func f params=2 results=1 locals=0\nlget0\nlget1\nfdiv\nret\n.end\n.export f func=f", "fdiv.masm");
  it("gives the model's quotient below 2^48, past it with a small divisor, and past it with a divisor past 2^48 (where the estimate is one too high)", () => {
    const r = new Rng(20261207);
    const paths = { short: 0, small: 0, large: 0, corrected: 0, overflow: 0 };
    for (let i = 0; i < 3000; i++) {
      const kind = i % 3;
      // |a| below 2^48 (one division); past it with |b| below 2^48; both past 2^48
      const a = kind === 0 ? between(r, 1n, 1n << 48n) : between(r, 1n << 48n, 1n << 63n);
      // past 2^48: half near 2^48 with a large low 16 bits, where |b| >> 16 understates |b| the most
      const near = (1n << 48n) + (between(r, 0n, 1n << 32n) << 16n) + between(r, 0x8000n, 0x10000n);
      // below 2^48: a quarter of them below 2^16, where the quotient overflows
      const small = r.int(4) === 0 ? between(r, 1n, 1n << 16n) : between(r, 1n, 1n << 48n);
      const b = kind === 2 ? (r.int(2) ? near : between(r, 1n << 48n, 1n << 63n)) : small;
      const sa = r.int(2) ? -a : a;
      const sb = r.int(2) ? -b : b;
      const want = MODEL.fdiv!(U(sa), U(sb));
      if (want === "overflow") paths.overflow++;
      else if (kind === 0) paths.short++;
      else if (kind === 1) paths.small++;
      else {
        paths.large++;
        // the estimate |a| / (|b| >> 16) the VM starts from overshoots here
        if (abs(sa) / (abs(sb) >> F) !== abs(sa << F) / abs(sb)) paths.corrected++;
      }
      for (const [name, vm] of [["interpreter", interp], ["fast", fast]] as const) {
        const res = vm.call(fdiv, "f", [U(sa), U(sb)], { store: new MemoryStateStore(), gas: 1000 });
        const got = res.status === "ok" ? res.returns[0] : res.status;
        expect(got, `${name}: fdiv(${sa}, ${sb})`).toBe(want);
      }
    }
    expect(paths.short).toBeGreaterThan(500);
    expect(paths.small).toBeGreaterThan(100);
    expect(paths.large).toBeGreaterThan(500);
    expect(paths.corrected, "cases where the one-step correction is needed").toBeGreaterThan(20);
    expect(paths.overflow).toBeGreaterThan(100);
  });
});

describe("the calibration measures data-dependent opcodes on their slowest path", () => {
  const plan = new Map(calibrationPlan().map((m) => [m.id, m]));
  const operands = (op: string): [bigint, bigint] => {
    const m = plan.get(op);
    expect(m?.operands, `${op} is measured on chosen operands`).toBeDefined();
    expect(m!.unit).toBe(`lget 8\nlget 9\n${op}\ndrop`);
    return m!.operands!;
  };
  const out32 = (x: bigint): boolean => S(x) < -(1n << 31n) || S(x) >= 1n << 31n;
  it("takes the operands from the opcode table (`slowest`), for exactly the rows that name them", () => {
    const named = OPCODES.filter((r) => r.slowest).map((r) => r.name);
    expect(named.sort()).toEqual(["divs", "divu", "fdiv", "fmul", "muls", "mulu", "rems", "remu"]);
    expect([...plan.values()].filter((m) => m.operands).map((m) => m.id).sort()).toEqual(named);
    for (const r of OPCODES.filter((x) => x.slowest)) expect(operands(r.name)).toEqual([...r.slowest!]);
  });
  it("mulu past 32 bits (its product checked), muls outside i32 and not -1 (checked by a division); both in range", () => {
    const [a, b] = operands("mulu");
    expect((U(a) | U(b)) >> 32n).not.toBe(0n);
    expect(MODEL.mulu!(U(a), U(b))).not.toBe("overflow");
    const [c, d] = operands("muls");
    expect(out32(c) || out32(d)).toBe(true);
    expect(S(c)).not.toBe(-1n);
    expect(MODEL.muls!(U(c), U(d))).not.toBe("overflow");
  });
  it("divisions and remainders with both operands past 32 bits", () => {
    for (const op of ["divu", "remu", "divs", "rems"]) {
      const [a, b] = operands(op);
      expect(abs(S(a)) >> 32n, op).not.toBe(0n);
      expect(abs(S(b)) >> 32n, op).not.toBe(0n);
    }
  });
  it("fdiv and fmul past 2^48 / 2^32, in range", () => {
    const [a, b] = operands("fdiv");
    expect(abs(S(a)) >> 48n).not.toBe(0n);
    expect(abs(S(b)) >> 48n).not.toBe(0n);
    expect(MODEL.fdiv!(U(a), U(b))).not.toBe("overflow");
    const [c, d] = operands("fmul");
    expect(abs(S(c)) >> 32n).not.toBe(0n);
    expect(MODEL.fmul!(U(c), U(d))).not.toBe("overflow");
  });
});

describe("the ledger cost benchmark times what it claims", () => {
  it("returns the sum of every copy's result, each on operands moved by one (nothing for V8 to drop or hoist)", () => {
    const all = units().filter((u) => u.id === "divu");
    const m = workloadModule(all, new Uint8Array(32).fill(7));
    const [a, b] = all[0]!.operands!;
    let want = 0n;
    for (let c = 1n; c <= 16n; c++) want ^= U(a + c) / U(b);
    for (const vm of [interp, fast]) {
      const r = vm.call(m, "u0", [1n, 0n], { store: new MemoryStateStore(), gas: 1_000_000 });
      expect(r.status).toBe("ok");
      expect(r.returns[0]).toBe(want);
    }
  });
});
