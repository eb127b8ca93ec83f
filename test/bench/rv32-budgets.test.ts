// The RV32 budget machinery: the generated case table refuses bad input, the bench ELF's counts are exact and
// linear (so differencing two sizes is sound), answers are checked, and the gas calibration's arithmetic holds.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyseCalibration, calibrationPlan, caseName, gasDoc } from "../../bench/calibrate-gas.ts";
import { BenchError, casesSource, encodeTagged, ensureTools, runRv32, type BenchCase, type Rv32Run } from "../../bench/rv32/driver.ts";
import { compileDirect, fibCalls } from "../../bench/rv32/workloads.ts";
import { assemble } from "../../vm/asm/index.ts";
import { DYNAMIC_GAS, OPCODES, OPCODE_BY_NAME } from "../../vm/spec/opcodes.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const sum = assemble(readFileSync(join(ROOT, "test/programs/sum.masm"), "utf8"), "sum.masm");
const fib = assemble(readFileSync(join(ROOT, "bench/rv32/fib_rec.masm"), "utf8"), "fib_rec.masm");

describe("bench_cases.c generation", () => {
  const loop = (name: string, fresh = true): BenchCase => ({ kind: "mote", name, module: sum, fn: "sum", args: [3n], fresh });

  it("encodes tagged arguments as vm/spec/format.ts defines them", () => {
    expect([...encodeTagged([1n, new Uint8Array([0xaa, 0xbb]), -1n])]).toEqual([
      0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0xaa, 0xbb, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
  });

  it("emits each module once and one row per case", () => {
    const src = casesSource([loop("a"), loop("b", false)], []);
    expect(src.match(/static const uint8_t blob\d+\[/g)!.length).toBe(2); // the module and the (shared) arguments
    expect(src).toContain('{"a", BENCH_MOTE, 1,');
    expect(src).toContain('{"b", BENCH_MOTE, 0,');
    expect(src).toContain("const uint32_t bench_case_count = 2u;");
  });

  it("refuses duplicate names, odd names, a stale first case and mismatched argument sets", () => {
    expect(() => casesSource([loop("a"), loop("a")], [])).toThrow(/case name 'a' is used twice/);
    expect(() => casesSource([loop("a b")], [])).toThrow(/case name 'a b'/);
    expect(() => casesSource([loop("a", false)], [])).toThrow(/first mote case must start from fresh state/);
    const sets: BenchCase = { kind: "mote", name: "s", module: sum, fn: "sum", args: [[1n], [2n]], repeat: 3, fresh: true };
    expect(() => casesSource([sets], [])).toThrow(/2 argument sets for 3 calls/);
    const caller: BenchCase = { ...loop("c"), caller: new Uint8Array(31) } as BenchCase;
    expect(() => casesSource([caller], [])).toThrow(BenchError);
  });
});

describe("tools", () => {
  it("names the packages to install when the toolchain is missing and it may not install them", () => {
    expect(() => ensureTools(() => {}, { install: false, path: "/nonexistent" })).toThrow(
      /^missing gcc-riscv64-unknown-elf, qemu-system-misc, valgrind, make(, picolibc-riscv64-unknown-elf)?: install them with `apt-get update && apt-get install -y gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc valgrind make` \(as root\) and run again$/,
    );
  });
});

describe("the RV32 bench under QEMU -icount", () => {
  it("counts exactly and linearly, and checks every answer", { timeout: 900_000 }, async () => {
    const direct = await compileDirect("loop");
    const directFib = await compileDirect("fib");
    const cases: BenchCase[] = [
      ...[10, 20, 30].map((n): BenchCase => ({ kind: "mote", name: `loop/${n}`, module: sum, fn: "sum", args: [BigInt(n)], fresh: true })),
      { kind: "mote", name: "fib/6", module: fib, fn: "fib", args: [6n], fresh: true },
      { kind: "mote", name: "fib/8", module: fib, fn: "fib", args: [8n], fresh: true },
      ...[10, 20, 30].map((n): BenchCase => ({ kind: "direct", name: `direct.loop/${n}`, wasm: direct, fn: "run", arg: BigInt(n), fresh: true,
        expect: BigInt((n * (n + 1)) / 2) })),
      { kind: "direct", name: "direct.fib/8", wasm: directFib, fn: "run", arg: 8n, fresh: true, expect: 21n },
    ];
    const run = await runRv32(cases);
    const i = (name: string) => run.cases.get(name)!.instret;
    // every loop iteration retires the same instructions: the two differences agree exactly
    expect(i("loop/30") - i("loop/20")).toBe(i("loop/20") - i("loop/10"));
    expect(i("direct.loop/30") - i("direct.loop/20")).toBe(i("direct.loop/20") - i("direct.loop/10"));
    const perIteration = (i("loop/30") - i("loop/10")) / 20;
    const directPerIteration = (i("direct.loop/30") - i("direct.loop/10")) / 20;
    expect(perIteration).toBeGreaterThan(directPerIteration);
    expect(directPerIteration).toBeGreaterThan(0);
    expect(run.cases.get("fib/8")!.result).toContain('"returns":["21"]');
    expect((i("fib/8") - i("fib/6")) / (fibCalls(8) - fibCalls(6))).toBeGreaterThan(perIteration / 9);
    // memory figures come with every Mote case; the heap holds at least the clamped linear memory
    const loop10 = run.cases.get("loop/10")!;
    expect(loop10.heapPeakBytes).toBeGreaterThan(run.linearMemoryBytes);
    expect(loop10.nativeStackBytes).toBeGreaterThan(0);
    expect(run.wasmStackBytes).toBeGreaterThan(0);

    // a wrong expected answer is caught (the same ELF shape, one answer changed)
    const wrong = cases.map((c) => (c.name === "direct.fib/8" ? { ...c, expect: 22n } : c));
    await expect(runRv32(wrong)).rejects.toThrow(/RV32 case direct\.fib\/8: its answer differs from the expected one at character 1: \.\.\.21\.\.\. vs \.\.\.22/);
  });
});

describe("gas calibration arithmetic", () => {
  /** Gas of one unit's instructions under the current table, with a synthetic dynamic charge per variant. */
  const dyn: Record<string, number> = {
    bcat: 2 * DYNAMIC_GAS.COPY_PER_WORD, "bcat@128": 16 * DYNAMIC_GAS.COPY_PER_WORD,
    beq: 1 * DYNAMIC_GAS.COPY_PER_WORD, "beq@512": 64 * DYNAMIC_GAS.COPY_PER_WORD,
    itob: DYNAMIC_GAS.COPY_PER_WORD,
    sha256: DYNAMIC_GAS.SHA256_PER_BLOCK, "sha256@512": 9 * DYNAMIC_GAS.SHA256_PER_BLOCK,
    edverify: DYNAMIC_GAS.ED25519 + DYNAMIC_GAS.SHA256_PER_BLOCK, "edverify@240": DYNAMIC_GAS.ED25519 + 5 * DYNAMIC_GAS.SHA256_PER_BLOCK,
    sload: DYNAMIC_GAS.SLOAD + DYNAMIC_GAS.COPY_PER_WORD, "sload@256": DYNAMIC_GAS.SLOAD + 32 * DYNAMIC_GAS.COPY_PER_WORD,
    mload: DYNAMIC_GAS.SLOAD + DYNAMIC_GAS.COPY_PER_WORD,
    sstore: DYNAMIC_GAS.SSTORE + DYNAMIC_GAS.SSTORE_PER_WORD, "sstore@240": DYNAMIC_GAS.SSTORE + 30 * DYNAMIC_GAS.SSTORE_PER_WORD,
    mstore: DYNAMIC_GAS.SSTORE + DYNAMIC_GAS.SSTORE_PER_WORD,
    xload: DYNAMIC_GAS.XLOAD + DYNAMIC_GAS.COPY_PER_WORD, xmload: DYNAMIC_GAS.XLOAD + DYNAMIC_GAS.COPY_PER_WORD,
    emit: DYNAMIC_GAS.EMIT + 2 * DYNAMIC_GAS.EMIT_PER_WORD, "emit@240": DYNAMIC_GAS.EMIT + 31 * DYNAMIC_GAS.EMIT_PER_WORD,
  };
  const unitGas = (id: string, unit: string): number => {
    let g = dyn[id] ?? 0;
    for (const line of unit.split("\n")) {
      const op = line.trim().split(/\s+/)[0]!;
      if (op.endsWith(":") || op === "") continue;
      g += OPCODE_BY_NAME.get(op)!.gas;
      if (op === "call") g += OPCODE_BY_NAME.get("ret")!.gas; // the leaf's ret
    }
    return g;
  };
  const PER_GAS = 250;

  /** A run in which every instruction costs exactly PER_GAS RV32 instructions per gas unit it is charged. */
  function syntheticRun(): Rv32Run {
    const cases = new Map<string, { calls: number; instret: number; result: string }>();
    for (const me of calibrationPlan()) {
      const g = unitGas(me.id, me.unit);
      for (const k of me.k) {
        cases.set(caseName(me.id, k), { calls: 1, instret: 5000 + k * g * PER_GAS, result: `{"status":"ok","gasUsed":${100 + k * g},"returns":[],"events":[],"error":null}` });
      }
    }
    const exit = (fn: string, instret: number, status = "ok") => cases.set(`gas/exit/${fn}`, { calls: 1, instret, result: `{"status":"${status}","gasUsed":1}` });
    exit("x_ret", 9000);
    exit("x_halt", 9000);
    exit("x_revert", 9200, "revert");
    return { cases, engineHeapBytes: 0, engineStackBytes: 0, wasmStackBytes: 0, linearMemoryBytes: 0, build: { elf: "", casesObject: "", mainObject: "" } };
  }

  it("recovers each opcode's cost from differenced, feeder-corrected units", () => {
    const c = analyseCalibration(syntheticRun());
    expect(Object.keys(c.perOp).sort()).toEqual(OPCODES.map((r) => r.name).sort());
    for (const row of OPCODES) {
      if (row.name === "halt" || row.name === "revert") continue;
      expect(c.perOp[row.name]!.instrPerGas, row.name).toBeCloseTo(PER_GAS, 5);
    }
    // an exit costs a nested ret plus whatever its whole call costs beyond a call ending in ret
    expect(c.perOp.halt!.instr).toBeCloseTo(c.perOp.ret!.instr, 5);
    expect(c.perOp.revert!.instr).toBeCloseTo(c.perOp.ret!.instr + 200, 5);
    expect(c.slopes.COPY_PER_WORD).toBeCloseTo(PER_GAS * DYNAMIC_GAS.COPY_PER_WORD, 5);
    expect(c.slopes.SHA256_PER_BLOCK).toBeCloseTo(PER_GAS * DYNAMIC_GAS.SHA256_PER_BLOCK, 5);
  });

  it("reports max / mean of instructions per gas, and a proposal that keeps it under 2", () => {
    const c = analyseCalibration(syntheticRun());
    const ratios = Object.values(c.perOp).map((f) => f.instr / f.gas);
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(c.maxOverMean).toBeCloseTo(Math.max(...ratios) / mean, 2);
    expect(c.maxOverMean).toBeGreaterThan(1); // the exits are dearer per gas than the rest
    expect(c.proposal.maxOverMean).toBeLessThanOrEqual(2);
    for (const g of Object.values(c.proposal.gas)) expect(g).toBeGreaterThanOrEqual(1);
  });

  it("writes docs/gas.md from the calibration: every opcode, the unit and the default budget in time", () => {
    const c = analyseCalibration(syntheticRun());
    const doc = gasDoc(c);
    for (const row of OPCODES) expect(doc).toContain(`| \`${row.name}\` |`);
    expect(doc).toContain(`**${c.maxOverMean}** (\`${c.maxOp}\``);
    // 10,000,000 gas x 250 instructions x CPI 1.0 / 160 MHz = 15.6 s (the synthetic run's exits raise the mean a little)
    expect(doc).toMatch(/\| 1\.0 \(every instruction one cycle: the floor\) \| 1[56]\.\d+ s \|/);
    expect(doc).toContain("**The CPI of 1.3 is an assumption, not a\nmeasurement**");
  });

  it("refuses a run whose feeder costs more than its unit", () => {
    const run = syntheticRun();
    const drop = run.cases.get(caseName("drop", 40))!;
    run.cases.set(caseName("drop", 40), { ...drop, instret: drop.instret * 50 });
    expect(() => analyseCalibration(run)).toThrow(/non-positive cost/);
  });
});
