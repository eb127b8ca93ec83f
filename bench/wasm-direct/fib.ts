// bench/wasm-direct/fib.ts: the `fib` workload (recursive, checked u64 arithmetic) compiled straight to wasm,
// the wasmDirect baseline of bench/measure-budgets.ts; one unit is one call of fib.
// @ts-nocheck: AssemblyScript, not TypeScript (i64, u64, usize); the root tsconfig type-checks bench/ as TS.

function fib(n: u64): u64 {
  if (n < 2) return n;
  const a = fib(n - 1);
  const b = fib(n - 2);
  const t = a + b;
  if (t < a) unreachable(); // checked, as Mote's `addu`
  return t;
}

export function run(n: i64): i64 {
  return <i64>fib(<u64>n);
}
