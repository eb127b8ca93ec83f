// Differential test of the code generator, optimizer and constant folder: random typed u64/bool
// expressions are evaluated by a reference model in TS, compiled with and without the optimizer and run
// in the VM, and compiled again with their inputs as constants (so the checker folds them).
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";

type Outcome = { ok: bigint } | { fault: "overflow" | "div_zero" };
interface Gen {
  text: string;
  eval: (env: bigint[]) => Outcome;
}
const M = 1n << 64n;

function bin(op: string, l: Gen, r: Gen, f: (a: bigint, b: bigint) => Outcome): Gen {
  return {
    text: `(${l.text} ${op} ${r.text})`,
    eval: (env) => {
      const a = l.eval(env);
      if (!("ok" in a)) return a;
      const b = r.eval(env);
      if (!("ok" in b)) return b;
      return f(a.ok, b.ok);
    },
  };
}
const checked = (v: bigint): Outcome => (v < 0n || v >= M ? { fault: "overflow" } : { ok: v });
const ok = (v: bigint): Outcome => ({ ok: v });
const b2i = (c: boolean): bigint => (c ? 1n : 0n);

const { u64: u64Arb } = fc.letrec<{ u64: Gen; bool: Gen }>((tie) => ({
  u64: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(0, 1, 2).map((i): Gen => ({ text: "abc"[i]!, eval: (env) => ok(env[i]!) })),
    fc.constantFrom(0n, 1n, 2n, 3n, 7n, 255n, 4294967296n, 18446744073709551615n).map((v): Gen => ({ text: `${v}`, eval: () => ok(v) })),
    fc.tuple(fc.constantFrom("+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "wadd", "wsub", "wmul"), tie("u64"), tie("u64")).map(([op, l, r]): Gen => {
      switch (op) {
        case "+": return bin(op, l, r, (a, b) => checked(a + b));
        case "-": return bin(op, l, r, (a, b) => checked(a - b));
        case "*": return bin(op, l, r, (a, b) => checked(a * b));
        case "/": return bin(op, l, r, (a, b) => (b === 0n ? { fault: "div_zero" } : ok(a / b)));
        case "%": return bin(op, l, r, (a, b) => (b === 0n ? { fault: "div_zero" } : ok(a % b)));
        case "&": return bin(op, l, r, (a, b) => ok(a & b));
        case "|": return bin(op, l, r, (a, b) => ok(a | b));
        case "^": return bin(op, l, r, (a, b) => ok(a ^ b));
        case "<<": return bin(op, l, r, (a, b) => ok((a << (b & 63n)) % M));
        case ">>": return bin(op, l, r, (a, b) => ok(a >> (b & 63n)));
        default: {
          const name = { wadd: "wrapping_add", wsub: "wrapping_sub", wmul: "wrapping_mul" }[op]!;
          const f = { wadd: (a: bigint, b: bigint) => a + b, wsub: (a: bigint, b: bigint) => a - b, wmul: (a: bigint, b: bigint) => a * b }[op]!;
          const g = bin(",", l, r, (a, b) => ok(BigInt.asUintN(64, f(a, b))));
          return { text: `${name}(${l.text}, ${r.text})`, eval: g.eval };
        }
      }
    }),
    fc.tuple(tie("bool"), tie("u64"), tie("u64")).map(([c, t, e]): Gen => ({
      // a call: its arguments are evaluated first, in order, then the helper's `if` picks one
      text: `pick(${c.text}, ${t.text}, ${e.text})`,
      eval: (env) => {
        const cv = c.eval(env);
        if (!("ok" in cv)) return cv;
        const tv = t.eval(env);
        if (!("ok" in tv)) return tv;
        const ev = e.eval(env);
        if (!("ok" in ev)) return ev;
        return cv.ok === 1n ? tv : ev;
      },
    })),
  ),
  bool: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(true, false).map((v): Gen => ({ text: `${v}`, eval: () => ok(b2i(v)) })),
    fc.tuple(fc.constantFrom("==", "!=", "<", "<=", ">", ">="), tie("u64"), tie("u64")).map(([op, l, r]) =>
      bin(op, l, r, (a, b) => ok(b2i({ "==": a === b, "!=": a !== b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b }[op]!))),
    ),
    fc.tuple(fc.constantFrom("&&", "||"), tie("bool"), tie("bool")).map(([op, l, r]): Gen => ({
      text: `(${l.text} ${op} ${r.text})`,
      eval: (env) => {
        const a = l.eval(env);
        if (!("ok" in a)) return a;
        if (op === "&&" ? a.ok === 0n : a.ok === 1n) return a;
        return r.eval(env);
      },
    })),
    tie("bool").map((b): Gen => ({ text: `!${b.text}`, eval: (env) => { const v = b.eval(env); return "ok" in v ? ok(1n - v.ok) : v; } })),
  ),
})) as unknown as { u64: fc.Arbitrary<Gen> };

const PICK = "fn pick(c: bool, t: u64, e: u64) -> u64 { if c { return t; } return e; }";

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

describe("random expressions: reference model = naive code = optimized code = folded constants", () => {
  it("agree", () => {
    const input = fc.constantFrom(0n, 1n, 3n, 64n, 65n, 4294967295n, 9223372036854775808n, 18446744073709551615n);
    fc.assert(
      fc.property(u64Arb, fc.tuple(input, input, input), (g, env) => {
        const expected = g.eval(env);
        const src = `contract F { pub view fn f(a: u64, b: u64, c: u64) -> u64 { return ${g.text}; } ${PICK} }`;
        const outcomes: string[] = [];
        for (const optimize of [false, true]) {
          const out = compileSource(src, "f.mote", undefined, { optimize });
          if (!out.module) {
            // a constant subexpression that always fails is rejected at compile time: fine if the model faults too
            expect(out.diagnostics.map((d) => d.code)).toContain("E0041");
            outcomes.push("compile-time fault");
            continue;
          }
          const r = vm.call(out.module, "f", env, { store: new MemoryStateStore() });
          outcomes.push(r.status === "ok" ? `ok ${r.returns[0]}` : r.status);
        }
        expect(outcomes[0]).toBe(outcomes[1]);
        if (outcomes[0] !== "compile-time fault") {
          expect(outcomes[0]).toBe("ok" in expected ? `ok ${expected.ok}` : expected.fault);
        }
        // the same expression over constants: folded by the checker, or the same fault at compile time
        const folded = `contract G { const a: u64 = ${env[0]}; const b: u64 = ${env[1]}; const c: u64 = ${env[2]}; pub view fn f() -> u64 { return ${g.text}; } ${PICK} }`;
        const fo = compileSource(folded, "g.mote");
        if (!fo.module) {
          // folding rejects a failing constant subexpression even where `&&`/`||` would skip it at run time
          // (as rustc does); without short-circuits, a compile-time fault means a run-time one
          expect(new Set(fo.diagnostics.map((d) => d.code))).toEqual(new Set(["E0041"]));
          if (!/&&|\|\|/.test(g.text)) expect("ok" in expected, fo.diagnostics.map((d) => d.message).join("; ")).toBe(false);
        } else {
          const r = vm.call(fo.module, "f", [], { store: new MemoryStateStore() });
          expect(r.status === "ok" ? `ok ${r.returns[0]}` : r.status).toBe("ok" in expected ? `ok ${expected.ok}` : expected.fault);
        }
      }),
      { numRuns: Number(process.env.MOTE_FUZZ_RUNS ?? 250) },
    );
  });
});

// i64 and fixed: the constant folder must compute exactly what the VM computes (checked signed
// arithmetic, truncating division, Q47.16 multiply and divide), and the optimizer must not change it.
const signedExpr = (lits: string[]): fc.Arbitrary<string> =>
  fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom("a", "b", ...lits),
      fc.tuple(fc.constantFrom("+", "-", "*", "/", "%"), tie("e"), tie("e")).map(([op, l, r]) => `(${l} ${op} ${r})`),
      tie("e").map((x) => `(-${x})`),
    ),
  })).e;

for (const [type, lits, inputs] of [
  ["i64", ["0", "1", "-1", "3", "-7", "9223372036854775807", "-9223372036854775808"], [0n, 1n, -1n, 5n, -6n, 3037000499n, -(2n ** 63n), 2n ** 63n - 1n]],
  ["fixed", ["0.0", "1.0", "-1.5", "0.001", "3", "65536.25", "-0.0000152587890625"], [0n, 65536n, -98304n, 1n, -1n, 2n ** 40n, -(2n ** 62n), 2n ** 63n - 1n]],
] as const) {
  describe(`random ${type} expressions: run time = folded at compile time, optimized = naive`, () => {
    it("agree", () => {
      const input = fc.constantFrom(...inputs);
      fc.assert(
        fc.property(signedExpr([...lits]), input, input, (text, a, b) => {
          const run = (src: string, args: bigint[], optimize: boolean): string => {
            const out = compileSource(src, "s.mote", undefined, { optimize });
            if (!out.module) return `compile ${[...new Set(out.diagnostics.map((d) => d.code))].join(",")}`;
            const r = vm.call(out.module, "f", args, { store: new MemoryStateStore() });
            return r.status === "ok" ? `ok ${BigInt.asIntN(64, r.returns[0] as bigint)}` : r.status;
          };
          const args = [BigInt.asUintN(64, a), BigInt.asUintN(64, b)];
          const lit = (v: bigint): string => (type === "i64" ? `${v}` : `${v < 0n ? "-" : ""}${(v < 0n ? -v : v) * 10n ** 16n / 65536n / 10n ** 16n}.${((((v < 0n ? -v : v) % 65536n) * 10n ** 16n) / 65536n).toString().padStart(16, "0")}`);
          const dynamic = `contract S { pub view fn f(a: ${type}, b: ${type}) -> ${type} { return ${text}; } }`;
          const folded = `contract S { const a: ${type} = ${lit(a)}; const b: ${type} = ${lit(b)}; pub view fn f() -> ${type} { return ${text}; } }`;
          const naive = run(dynamic, args, false);
          expect(run(dynamic, args, true)).toBe(naive);
          const f = run(folded, [], true);
          if (naive.startsWith("compile")) return; // a literal-only subexpression already fails to fold
          if (f.startsWith("compile")) expect(["overflow", "div_zero"]).toContain(naive);
          else expect(f).toBe(naive);
        }),
        { numRuns: Number(process.env.MOTE_FUZZ_RUNS ?? 200) },
      );
    });
  });
}
