// bench/wasm-direct/loop.ts: the `loop` workload (sum 1..n with checked adds) compiled straight to wasm, the
// wasmDirect baseline of bench/measure-budgets.ts: what the same work costs when a contract is its own module.
// @ts-nocheck: AssemblyScript, not TypeScript (i64, u64, usize); the root tsconfig type-checks bench/ as TS.

/** sum 1..n; a carry out of 64 bits traps, as Mote's `addu` stops with `overflow`. */
export function run(n: i64): i64 {
  let s: u64 = 0;
  for (let i: u64 = 1; i <= <u64>n; i++) {
    const t = s + i;
    if (t < s) unreachable();
    s = t;
  }
  return <i64>s;
}
