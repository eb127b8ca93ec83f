// Shared helpers for the VM tests: one MoteVM per test file, and small programs written as assembly.
import { assemble } from "../../vm/asm/index.ts";
import { MoteVM, MemoryStateStore, type CallOptions, type CallResult, type Value } from "../../vm/host/index.ts";

let vmPromise: Promise<MoteVM> | undefined;
export function getVm(): Promise<MoteVM> {
  return (vmPromise ??= MoteVM.create());
}

export interface ProgOpts {
  params?: number;
  results?: number;
  locals?: number;
  maxstack?: number;
  /** Argument types, one letter per parameter: i (int) or b (bytes). */
  args?: string;
  /** Result type: i or b. */
  ret?: string;
  /** Constants c0, c1, ...: 0x-hex or "text". */
  consts?: string[];
  /** More assembly after the function `f` (other functions). */
  extra?: string;
}

/** A module with one exported function `f` whose body is `body`. */
export function prog(body: string, o: ProgOpts = {}): Uint8Array {
  const params = o.params ?? o.args?.length ?? 0;
  const results = o.results ?? 1;
  const lines: string[] = [];
  (o.consts ?? []).forEach((c, i) => lines.push(`.const c${i} ${c}`));
  lines.push(`.func f params=${params} results=${results} locals=${o.locals ?? 0}${o.maxstack !== undefined ? ` maxstack=${o.maxstack}` : ""}`);
  lines.push(body, ".end");
  if (o.extra) lines.push(o.extra);
  lines.push(`.export f${o.args && o.args.includes("b") ? ` args=${o.args}` : ""}${o.ret === "b" ? " ret=b" : ""}`);
  return assemble(lines.join("\n"), "<test>");
}

export function opts(extra: Partial<CallOptions> = {}): CallOptions {
  return { store: new MemoryStateStore(), gas: 10_000_000, ...extra };
}

export async function run(module: Uint8Array, args: Value[] = [], o: Partial<CallOptions> = {}, fn = "f"): Promise<CallResult> {
  const vm = await getVm();
  return vm.call(module, fn, args, opts(o));
}

export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const MAX_U64 = 2n ** 64n - 1n;
export const MAX_I64 = 2n ** 63n - 1n;
export const MIN_I64 = -(2n ** 63n);

export function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
}
export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
export function le8(x: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, u64(x), true);
  return b;
}
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Seeded PRNG (mulberry32), so a failing random test can be replayed from its printed seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
