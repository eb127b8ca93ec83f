// Issue 14: struct and array locals live in place, and the arena is reclaimed per loop iteration and per
// frame, so scratch work runs in a small fraction of the default gas and a loop whose live data is
// bounded never ends `arena_full`. Answers are checked against the same computation in TypeScript.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { MemoryStateStore, MoteVM, type CallResult } from "../../vm/host/index.ts";

const FILE = "test/programs/scratch/scratch_work.mote";
const M64 = (1n << 64n) - 1n;
const next = (s: bigint): bigint => (((s * 6364136223846793005n) & M64) + 1442695040888963407n) & M64;

let vm: MoteVM;
let module: Uint8Array;
beforeAll(async () => {
  vm = await MoteVM.create();
  const r = compileSource(readFileSync(FILE, "utf8"), FILE);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  module = r.module!;
});

const call = (fn: string, args: bigint[], gas: number = LIMITS.DEFAULT_GAS.value): CallResult => vm.call(module, fn, args, { store: new MemoryStateStore(), gas });
const smallFraction = LIMITS.DEFAULT_GAS.value / 20; // 5 %

describe("scratch work in place", () => {
  it("insertion-sorts [i64; 32]", () => {
    let s = 7n;
    const xs: bigint[] = [];
    for (let i = 0; i < 32; i++) {
      s = next(s);
      xs.push((s >> 44n) - 500000n);
    }
    xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const r = call("sort32", [7n]);
    expect(r.status).toBe("ok");
    expect(BigInt.asIntN(64, r.returns[0] as bigint)).toBe(xs[0]! * 1000000n + xs[31]!);
    expect(r.gasUsed).toBeLessThan(smallFraction);
  });

  it("fills a 16-bin histogram over 64 readings", () => {
    let s = 11n;
    const bins = new Array<bigint>(16).fill(0n);
    for (let i = 0; i < 64; i++) {
      s = next(s);
      bins[Number((((s >> 33n) % 1000n) * 16n) / 1000n)]! += 1n;
    }
    const code = bins.reduce((c, b) => c * 3n + (b % 3n), 0n);
    const r = call("histogram", [11n]);
    expect(r.status).toBe("ok");
    expect(r.returns[0]).toBe(code);
    expect(r.gasUsed).toBeLessThan(smallFraction);
  });

  it("takes the median of 31 values", () => {
    let s = 5n;
    const xs: bigint[] = [];
    for (let i = 0; i < 31; i++) {
      s = next(s);
      xs.push(s >> 40n);
    }
    xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const r = call("median31", [5n]);
    expect(r.status).toBe("ok");
    expect(r.returns[0]).toBe(xs[15]);
    expect(r.gasUsed).toBeLessThan(smallFraction);
  });

  it("runs 100,000 iterations of bounded live data without arena_full", () => {
    const n = 100_000n;
    const last = ((n - 1n) / 3n) * 3n;
    const r = call("bounded", [n], 50_000_000);
    expect(r.status).toBe("ok");
    expect(r.returns[0]).toBe((n - 2n) * 4n + (n - 1n) * 4n + last);
  });
});
