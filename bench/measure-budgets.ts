// The deterministic cycle and memory budgets of issue 6 measured on the firmware host: callgrind Ir on x86,
// QEMU -icount on RV32, the same workloads compiled straight to wasm, flash and RAM, and the gas calibration.
//
// Method: every workload runs at two sizes; a per-unit figure is (count(large) - count(small)) /
// (units(large) - units(small)), which removes every fixed cost (engine start, module load and
// verification, lazy compilation, setup calls, argument copies). x86 counts are callgrind Ir inside
// mote_engine_call (--toggle-collect) of mote-host --batch; RV32 counts are rdinstret around each call in the
// bench ELF under qemu-system-riscv32 -icount shift=0; VM instructions are counted by the firmware host's
// instrumented mote.wasm (firmware-host/scripts/opcount.ts). All are exact and repeat run to run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildFirmwareHost, HOST_PATH } from "../firmware-host/scripts/build.ts";
import { callLines, runBatch } from "../firmware-host/scripts/batch.ts";
import { instrumentedVm } from "../firmware-host/scripts/opcount.ts";
import { encodeStateFile } from "../firmware-host/scripts/state-file.ts";
import { buildVm } from "../scripts/build-vm.ts";
import { MemoryStateStore, type Value } from "../vm/host/index.ts";
import { analyseCalibration, calibrationCases, writeProposal, type Calibration } from "./calibrate-gas.ts";
import { BenchError, ensureTools, runRv32, type MoteCase, type PreloadEntry, type Rv32Run } from "./rv32/driver.ts";
import { budgetWorkloads, type BudgetWorkload, type Sized, type WorkloadName } from "./rv32/workloads.ts";

type PerWorkload = Record<WorkloadName, number>;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const round1 = (x: number): number => Math.round(x * 10) / 10;
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const argText = (v: Value): string => (typeof v === "bigint" ? BigInt.asUintN(64, v).toString() : hex(v));

/** mote-host batch lines of one size's Mote cases, state resets and preload included. */
function batchLines(sized: Sized, preload: readonly PreloadEntry[]): string[] {
  const lines: string[] = [];
  for (const c of sized.mote) {
    if (c.fresh) {
      const store = new MemoryStateStore();
      for (const p of preload) store.set(p.contract, p.key, p.value);
      lines.push(`state ${hex(encodeStateFile(store))}`);
    }
    const perCall = c.args.length > 0 && Array.isArray(c.args[0]);
    for (let i = 0; i < (c.repeat ?? 1); i++) {
      const args = perCall ? (c.args as Value[][])[i]! : (c.args as Value[]);
      lines.push(...callLines({ module: c.module, fn: c.fn, args: args.map(argText), caller: c.caller, timestamp: c.timestamp, gas: c.gas }));
    }
  }
  return lines;
}

function checkBatch(name: string, out: string[], status: number | null, stderr: string): void {
  if (status !== 0) throw new BenchError(`mote-host batch for ${name} exited with ${status}: ${stderr.trim().split("\n").pop()}`);
  const bad = out.find((l) => l.startsWith('{"status":') && !l.startsWith('{"status":"ok"'));
  if (bad) throw new BenchError(`mote-host batch for ${name}: a call did not end ok: ${bad.slice(0, 120)}`);
}

/** Callgrind Ir inside mote_engine_call for one size's calls. */
function callgrindIr(name: string, lines: string[], dir: string): number {
  const base = join(dir, name.replace(/\W/g, "_"));
  writeFileSync(`${base}.batch`, lines.join("\n") + "\n");
  const r = spawnSync("nice", ["-n", "10", "valgrind", "--tool=callgrind", "--toggle-collect=mote_engine_call", `--callgrind-out-file=${base}.cg`,
    HOST_PATH, "--batch", `${base}.batch`], { encoding: "utf8", maxBuffer: 256 << 20, timeout: 600_000 });
  if (r.error || r.status !== 0) throw new BenchError(`callgrind ${name}: ${r.error?.message ?? `exit ${r.status}: ${(r.stderr ?? "").trim().split("\n").pop()}`}`);
  checkBatch(name, r.stdout.split("\n"), 0, "");
  const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(`${base}.cg`, "utf8"));
  if (!m) throw new BenchError(`callgrind ${name}: no totals in its output`);
  return Number(m[1]);
}

/** Executed VM instructions of one size's calls (instrumented VM in mote-host, --stats). */
function vmOps(name: string, lines: string[], vmPath: string): number {
  const b = runBatch(lines, ["--vm", vmPath, "--stats"]);
  checkBatch(name, b.stdout, b.status, b.stderr);
  const last = b.stderr.trim().split("\n").pop() ?? "";
  const ops = (JSON.parse(last) as { vmOps?: number }).vmOps;
  if (typeof ops !== "number" || ops < 0) throw new BenchError(`counting VM instructions of ${name}: mote-host --stats gave no vmOps`);
  return ops;
}

/** Section sizes (bytes) of an ELF or object file, by name. */
function sections(path: string): Map<string, number> {
  const r = spawnSync("riscv64-unknown-elf-size", ["-A", path], { encoding: "utf8" });
  if (r.status !== 0) throw new BenchError(`riscv64-unknown-elf-size ${path}: ${r.stderr.trim()}`);
  const out = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line.trim());
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}

const sum = (m: Map<string, number>, pred: (name: string) => boolean): number => [...m].filter(([k]) => pred(k)).reduce((s, [, v]) => s + v, 0);
const isFlash = (s: string): boolean => /^\.(text|rodata|srodata|init|fini|init_array|fini_array|preinit_array|eh_frame|data|sdata|tdata)/.test(s);
const isData = (s: string): boolean => /^\.(data|sdata|tdata)/.test(s);
const isBss = (s: string): boolean => /^\.(bss|sbss|tbss)/.test(s);

/**
 * Flash and RAM of the RV32 host: the bench ELF minus the bench's own objects (the generated case table and the
 * driver, whose result buffer is not the host's), so the figure is the firmware host: wasm3, mote.wasm in
 * flash, the engine, storage, crypto and the libc they pull in. Flash = code + read-only data + the data
 * image; RAM = data + bss + the heap peak and native stack of the workload calls (or of creating the engine,
 * if larger).
 */
function memoryFigures(run: Rv32Run, workloadCases: readonly string[]) {
  const elf = sections(run.build.elf);
  const bench = [run.build.casesObject, run.build.mainObject].map(sections);
  const less = (pred: (s: string) => boolean) => sum(elf, pred) - bench.reduce((n, m) => n + sum(m, pred), 0);
  const flash = less(isFlash);
  const data = less(isData);
  const bss = less(isBss);
  let heapPeak = run.engineHeapBytes;
  let nativeStack = run.engineStackBytes;
  for (const name of workloadCases) {
    const c = run.cases.get(name);
    if (c?.heapPeakBytes === undefined || c.nativeStackBytes === undefined) throw new BenchError(`no memory figures for RV32 case ${name}`);
    heapPeak = Math.max(heapPeak, c.heapPeakBytes);
    nativeStack = Math.max(nativeStack, c.nativeStackBytes);
  }
  const ram = data + bss + heapPeak + nativeStack;
  return { flash, ram, detail: { data, bss, heapPeak, nativeStack, wasmStackUsed: run.wasmStackBytes, linearMemory: run.linearMemoryBytes } };
}

export interface BudgetFigures {
  x86IrPerUnit: PerWorkload;
  rv32InstrPerUnit: PerWorkload;
  rv32InstrPerVmOp: PerWorkload;
  wasmDirect: PerWorkload;
  overheadVsWasm: PerWorkload;
  rv32FlashBytes: number;
  rv32RamPeakBytes: number;
  gasCalibration: { maxOverMean: number; maxOp: string; instrPerGas: number; proposedMaxOverMean: number; proposedInstrPerGas: number };
  /** Diagnostics beside the budgets. */
  vmOpsPerUnit: PerWorkload;
  rv32Ram: ReturnType<typeof memoryFigures>["detail"];
  workloads: Record<WorkloadName, { unit: string; source: string; units: [number, number] }>;
}

/**
 * Measures every figure above; builds what it needs (mote.wasm, mote-host, the RV32 bench ELF) and installs the
 * RISC-V toolchain, QEMU and valgrind with apt-get when they are missing and it runs as root.
 */
export async function measureBudgets(opts: { log?: (s: string) => void; calibration?: (c: Calibration) => void } = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`measure-budgets: ${s}\n`));
  ensureTools(log);
  await buildVm({ quiet: true });
  await buildFirmwareHost({ quiet: true });
  log("preparing workloads (compiling contracts and bench/wasm-direct)");
  const workloads = await budgetWorkloads();
  const moteCases: MoteCase[] = workloads.flatMap((w) => [...w.small.mote, ...w.large.mote]);
  const run = await runRv32([...moteCases, ...workloads.flatMap((w) => [...w.small.direct, ...w.large.direct])], workloads.flatMap((w) => w.preload), log);
  // The calibration runs on its own, exactly as `bench:calibrate` runs it (same ELF, same heap history).
  const calib = calibrationCases();
  const calibRun = await runRv32(calib.cases, calib.preload, log);

  const measured = (s: Sized, prefix = ""): number => {
    const c = [...s.mote, ...s.direct].find((x) => x.name === `${prefix}${nameOf(s)}`);
    const r = c && run.cases.get(c.name);
    if (!r) throw new BenchError(`no RV32 result for ${prefix}${nameOf(s)}`);
    return r.instret;
  };
  const out = {} as BudgetFigures;
  for (const k of ["x86IrPerUnit", "rv32InstrPerUnit", "rv32InstrPerVmOp", "wasmDirect", "overheadVsWasm", "vmOpsPerUnit"] as const) out[k] = {} as PerWorkload;
  out.workloads = {} as BudgetFigures["workloads"];
  const dir = mkdtempSync(join(tmpdir(), "mote-callgrind-"));
  try {
    const opsVm = join(dir, "mote-opcount.wasm");
    writeFileSync(opsVm, await instrumentedVm(normalizedWat(dir)));
    for (const w of workloads) {
      const du = w.large.units - w.small.units;
      const rv = (measured(w.large) - measured(w.small)) / du;
      const direct = (measured(w.large, "direct.") - measured(w.small, "direct.")) / du;
      log(`callgrind and VM-instruction counts: ${w.name}`);
      const [ls, ll] = [batchLines(w.small, w.preload), batchLines(w.large, w.preload)];
      const x86 = (callgrindIr(`${w.name}-large`, ll, dir) - callgrindIr(`${w.name}-small`, ls, dir)) / du;
      const ops = (vmOps(`${w.name}-large`, ll, opsVm) - vmOps(`${w.name}-small`, ls, opsVm)) / du;
      out.rv32InstrPerUnit[w.name] = round1(rv);
      out.wasmDirect[w.name] = round1(direct);
      out.overheadVsWasm[w.name] = Math.round((rv / direct) * 100) / 100;
      out.x86IrPerUnit[w.name] = round1(x86);
      out.vmOpsPerUnit[w.name] = round1(ops);
      out.rv32InstrPerVmOp[w.name] = round1(rv / ops);
      out.workloads[w.name] = { unit: w.unit, source: w.source, units: [w.small.units, w.large.units] };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  checkLoopOps(workloads, out.vmOpsPerUnit);

  const mem = memoryFigures(run, moteCases.map((c) => c.name));
  out.rv32FlashBytes = mem.flash;
  out.rv32RamPeakBytes = mem.ram;
  out.rv32Ram = mem.detail;
  const c = analyseCalibration(calibRun);
  opts.calibration?.(c);
  out.gasCalibration = {
    maxOverMean: c.maxOverMean,
    maxOp: c.maxOp,
    instrPerGas: c.meanInstrPerGas,
    proposedMaxOverMean: c.proposal.maxOverMean,
    proposedInstrPerGas: c.proposal.instrPerGas,
  };
  return out as unknown as Record<string, unknown>;
}

/**
 * vm/build/mote.wat with function names relative to the repository: AssemblyScript names functions by their
 * path relative to the working directory of the build, so a VM built from elsewhere names the interpreter
 * `$../../<checkout>/vm/assembly/interp/execute`, which the op counter (opcount.ts) does not look for.
 */
function normalizedWat(dir: string): string {
  const wat = readFileSync(join(ROOT, "vm/build/mote.wat"), "utf8").replace(/\$(?:\.\.\/)+(?:[^\s()]*?\/)?vm\/assembly\//g, "$$vm/assembly/");
  const path = join(dir, "mote.wat");
  writeFileSync(path, wat);
  return path;
}

/** The measured case of a size is the one named after the workload and its units (see bench/rv32/workloads.ts). */
function nameOf(s: Sized): string {
  const last = s.mote[s.mote.length - 1]!;
  return last.name;
}

/**
 * A sanity check of the op counter: sum.masm's loop body is 9 instructions (lget0 lget2 jltu lget1 lget2 addu
 * lset1 laddi jmp), so an iteration dispatches a whole number of times, at least once and at most 9 (fewer if
 * the VM ever fuses instructions at load time).
 */
function checkLoopOps(workloads: BudgetWorkload[], ops: PerWorkload): void {
  if (!workloads.some((w) => w.name === "loop")) return;
  if (!Number.isInteger(ops.loop) || ops.loop < 1 || ops.loop > 9) {
    throw new BenchError(`the instrumented VM counts ${ops.loop} dispatches per sum-loop iteration; test/programs/sum.masm's loop has 9 instructions`);
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    let calibration: Calibration | undefined;
    const r = await measureBudgets({ calibration: (c) => (calibration = c) });
    process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    if (calibration) writeProposal(calibration);
  } catch (e) {
    process.stderr.write(`measure-budgets: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
