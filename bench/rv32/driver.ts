// The RV32 bench driver's TypeScript side: turns a list of calls into a C case table, builds the bench ELF with
// the firmware host's Makefile (plus bench/rv32/bench.mk), runs it under QEMU -icount and checks every answer.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildVm } from "../../scripts/build-vm.ts";
import { cacheRoot, depDirs, FW_DIR, generateSources, makeVars, VM_WASM } from "../../firmware-host/scripts/build.ts";
import { MemoryStateStore, MoteVM, resultToJson, type Value } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { TAG_BYTES, TAG_INT } from "../../vm/spec/format.ts";
import { selectorOf } from "../../vm/spec/module.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");

/** A one-line failure of an RV32 or callgrind measurement, naming what failed. */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BenchError";
  }
}

// -- tools -------------------------------------------------------------------------------------------

const APT_PACKAGES = ["gcc-riscv64-unknown-elf", "picolibc-riscv64-unknown-elf", "qemu-system-misc", "valgrind"];
const TOOLS: readonly { cmd: string; pkg: string }[] = [
  { cmd: "riscv64-unknown-elf-gcc", pkg: "gcc-riscv64-unknown-elf" },
  { cmd: "qemu-system-riscv32", pkg: "qemu-system-misc" },
  { cmd: "valgrind", pkg: "valgrind" },
  { cmd: "make", pkg: "make" },
];
const PICOLIBC_SPECS = "/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs";

function onPath(cmd: string, path: string): boolean {
  return spawnSync("/bin/sh", ["-c", `command -v ${cmd}`], { encoding: "utf8", env: { PATH: path } }).status === 0;
}

/**
 * Makes sure the RISC-V toolchain, picolibc, QEMU and valgrind are installed: on a fresh Debian machine
 * (CI) installs them with apt-get when running as root, otherwise fails naming the packages to install.
 */
export function ensureTools(
  log: (s: string) => void = () => {},
  opts: { install?: boolean; path?: string } = {},
): void {
  const path = opts.path ?? process.env.PATH ?? "/usr/bin:/bin";
  const missing = TOOLS.filter((t) => !onPath(t.cmd, path)).map((t) => t.pkg);
  if (!existsSync(PICOLIBC_SPECS) && !missing.includes("picolibc-riscv64-unknown-elf")) missing.push("picolibc-riscv64-unknown-elf");
  if (missing.length === 0) return;
  const install = `apt-get update && apt-get install -y ${[...new Set([...APT_PACKAGES, ...missing])].join(" ")}`;
  if (!(opts.install ?? process.getuid?.() === 0) || !onPath("apt-get", path)) {
    throw new BenchError(`missing ${missing.join(", ")}: install them with \`${install}\` (as root) and run again`);
  }
  log(`installing ${missing.join(", ")} with apt-get`);
  const packages = [...new Set([...APT_PACKAGES, ...missing])];
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", ...packages]]) {
    const r = spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) throw new BenchError(`apt-get ${args[0]} failed (exit ${r.status}): ${(r.stderr ?? "").trim().split("\n").pop()}`);
  }
  const still = TOOLS.filter((t) => !onPath(t.cmd, path)).map((t) => t.cmd);
  if (still.length > 0) throw new BenchError(`after apt-get, still not found: ${still.join(", ")}`);
}

// -- cases --------------------------------------------------------------------------------------------

/** A call into mote.wasm, as the firmware host makes it. */
export interface MoteCase {
  kind: "mote";
  name: string;
  module: Uint8Array;
  fn: string;
  /** One argument list for every call, or one per call (length = repeat). */
  args: Value[] | Value[][];
  caller?: Uint8Array;
  timestamp?: bigint;
  gas?: number;
  repeat?: number;
  /** Empty the committed state (then apply the preload) before this case. */
  fresh?: boolean;
}

/** A call of an export `fn(i64) -> i64` of a plain wasm module run by the same wasm3 (wasmDirect). */
export interface DirectCase {
  kind: "direct";
  name: string;
  wasm: Uint8Array;
  fn: string;
  /** The argument, or per-call bytes written at the module's io_ptr() (the argument is then their length). */
  arg: bigint | Uint8Array[];
  repeat?: number;
  fresh?: boolean;
  /** The last call's return value, checked after the run. */
  expect: bigint;
}

export type BenchCase = MoteCase | DirectCase;

/** Committed storage of another contract, present whenever a case starts fresh. */
export interface PreloadEntry {
  contract: Uint8Array;
  key: Uint8Array;
  value: Uint8Array;
}

export interface CaseResult {
  calls: number;
  instret: number;
  /** Mote: the last call's canonical JSON; direct: its i64 return value. */
  result: string;
  /** Mote: most heap bytes live during the case's calls (engine and committed state included). */
  heapPeakBytes?: number;
  /** Mote: deepest native stack during the case's calls, below main's frame. */
  nativeStackBytes?: number;
}

export interface Rv32Run {
  cases: Map<string, CaseResult>;
  /** Heap peak and native stack while the engine was created (wasm3 parses and instantiates mote.wasm). */
  engineHeapBytes: number;
  engineStackBytes: number;
  /** wasm3's value stack high-water mark after every Mote case, and the clamped linear memory. */
  wasmStackBytes: number;
  linearMemoryBytes: number;
  build: BenchElf;
}

export function encodeTagged(values: readonly Value[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) {
    if (typeof v === "bigint") {
      out.push(TAG_INT);
      let x = BigInt.asUintN(64, v);
      for (let i = 0; i < 8; i++, x >>= 8n) out.push(Number(x & 0xffn));
    } else {
      out.push(TAG_BYTES, v.length & 0xff, v.length >> 8, ...v);
    }
  }
  return new Uint8Array(out);
}

const repeatOf = (c: BenchCase): number => c.repeat ?? 1;

function argSets(c: BenchCase): Uint8Array[] {
  if (c.kind === "direct") return Array.isArray(c.arg) ? c.arg : [];
  const perCall = c.args.length > 0 && Array.isArray(c.args[0]);
  return perCall ? (c.args as Value[][]).map(encodeTagged) : [encodeTagged(c.args as Value[])];
}

function validate(cases: readonly BenchCase[]): void {
  const names = new Set<string>();
  for (const c of cases) {
    if (!/^[A-Za-z0-9_.:/@-]+$/.test(c.name)) throw new BenchError(`case name '${c.name}': use letters, digits and _ . : / @ - only`);
    if (names.has(c.name)) throw new BenchError(`case name '${c.name}' is used twice`);
    names.add(c.name);
    const sets = argSets(c).length;
    if (sets > 1 && sets !== repeatOf(c)) throw new BenchError(`case ${c.name}: ${sets} argument sets for ${repeatOf(c)} calls`);
    if (!Number.isInteger(repeatOf(c)) || repeatOf(c) < 1) throw new BenchError(`case ${c.name}: repeat must be a positive integer`);
  }
  for (const kind of ["mote", "direct"] as const) {
    const first = cases.find((c) => c.kind === kind);
    if (first && !first.fresh) throw new BenchError(`case ${first.name}: the first ${kind} case must start from fresh state`);
  }
}

const cBytes = (b: Uint8Array): string => (b.length === 0 ? "0" : Array.from(b, (x) => `0x${x.toString(16).padStart(2, "0")}`).join(","));
const cStr = (s: string): string => JSON.stringify(s);

/** The C case table (bench_cases.h) for these cases; identical bytes are emitted once. */
export function casesSource(cases: readonly BenchCase[], preload: readonly PreloadEntry[]): string {
  validate(cases);
  const blobs = new Map<string, string>();
  const lines = [
    "/* Generated by bench/rv32/driver.ts: the calls the RV32 bench driver measures. Do not edit. */",
    '#include "bench_cases.h"',
    "",
  ];
  const blob = (b: Uint8Array): string => {
    const key = Buffer.from(b).toString("hex");
    let name = blobs.get(key);
    if (!name) {
      name = `blob${blobs.size}`;
      blobs.set(key, name);
      lines.push(`static const uint8_t ${name}[${Math.max(1, b.length)}] = {${cBytes(b)}};`);
    }
    return name;
  };
  const rows: string[] = [];
  cases.forEach((c, i) => {
    const sets = argSets(c);
    const offs = [0];
    for (const s of sets) offs.push(offs[offs.length - 1]! + s.length);
    const all = new Uint8Array(offs[offs.length - 1]!);
    sets.forEach((s, j) => all.set(s, offs[j]!));
    const argsName = blob(all);
    lines.push(`static const uint32_t offs${i}[${offs.length}] = {${offs.join(",")}};`);
    const code = blob(c.kind === "mote" ? c.module : c.wasm);
    const codeLen = c.kind === "mote" ? c.module.length : c.wasm.length;
    const caller = c.kind === "mote" && c.caller ? c.caller : new Uint8Array(32);
    if (caller.length !== 32) throw new BenchError(`case ${c.name}: the caller must be 32 bytes, got ${caller.length}`);
    const selector = c.kind === "mote" ? selectorOf(c.fn) >>> 0 : 0;
    const intArg = c.kind === "direct" && typeof c.arg === "bigint" ? c.arg : 0n;
    const gas = c.kind === "mote" ? (c.gas ?? LIMITS.DEFAULT_GAS.value) : 0;
    const ts = c.kind === "mote" ? (c.timestamp ?? 0n) : 0n;
    rows.push(
      `  {${cStr(c.name)}, ${c.kind === "mote" ? "BENCH_MOTE" : "BENCH_DIRECT"}, ${c.fresh ? 1 : 0}, ${code}, ${codeLen}u, ` +
        `0x${selector.toString(16)}u, ${c.kind === "direct" ? cStr(c.fn) : "0"}, ${intArg}LL, ${argsName}, offs${i}, ${sets.length}u, ` +
        `{${cBytes(caller)}}, ${ts}ULL, ${gas}u, ${repeatOf(c)}u},`,
    );
  });
  const pre: string[] = [];
  for (const p of preload) {
    if (p.contract.length !== 32) throw new BenchError("preload: a contract id is 32 bytes");
    pre.push(`  {{${cBytes(p.contract)}}, ${blob(p.key)}, ${p.key.length}u, ${blob(p.value)}, ${p.value.length}u},`);
  }
  lines.push("", "const bench_case bench_cases[] = {", ...rows, "};", `const uint32_t bench_case_count = ${cases.length}u;`, "");
  // C has no empty arrays: one unused zero entry when nothing is preloaded.
  lines.push("const bench_entry bench_preload[] = {", ...(pre.length ? pre : ["  {{0}, 0, 0u, 0, 0u},"]), "};");
  lines.push(`const uint32_t bench_preload_count = ${preload.length}u;`, "");
  return lines.join("\n");
}

// -- build and run --------------------------------------------------------------------------------------

/** The bench's build directory: outside the repository (like the firmware host's dependency cache), one per checkout. */
export function benchBuildDir(): string {
  const tag = createHash("sha256").update(ROOT).digest("hex").slice(0, 10);
  return join(cacheRoot(), `bench-rv32-${tag}`);
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Runs a command at low priority (the bench shares its machine); returns stdout and stderr. */
function run(cmd: string, args: string[], what: string, timeoutMs: number): { stdout: string; stderr: string } {
  const r = spawnSync("nice", ["-n", "10", cmd, ...args], { encoding: "utf8", maxBuffer: 256 << 20, timeout: timeoutMs });
  if (r.error) throw new BenchError(`${what}: cannot run ${cmd} (${r.error.message})`);
  if (r.signal) throw new BenchError(`${what}: ${cmd} was stopped by ${r.signal} (time limit ${timeoutMs / 1000} s)`);
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n").slice(-12).join("\n");
    throw new BenchError(`${what}: ${cmd} exited with ${r.status}\n${tail}`);
  }
  return { stdout: r.stdout, stderr: r.stderr };
}

/**
 * Case tables change whenever a contract or the VM does: drop the generated sources, objects and ELFs of
 * tables not used for a day, so the cache does not grow without bound (the shared objects stay).
 */
function removeStaleTables(build: string, keep: string): void {
  const cutoff = Date.now() - 24 * 3600 * 1000;
  for (const dir of [join(build, "gen"), join(build, "rv32")]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      if (!/^cases-[0-9a-f]{12}\.(c|o|elf)$/.test(f) || f.startsWith(`${keep}.`)) continue;
      const p = join(dir, f);
      if (statSync(p).mtimeMs < cutoff) rmSync(p, { force: true });
    }
  }
}

export interface BenchElf {
  elf: string;
  /** The object of the generated case table (not part of the host: measure-budgets subtracts it). */
  casesObject: string;
  mainObject: string;
}

/** Builds the bench ELF for these cases. */
export async function buildBenchElf(cases: readonly BenchCase[], preload: readonly PreloadEntry[] = [], log: (s: string) => void = () => {}): Promise<BenchElf> {
  ensureTools(log);
  await buildVm({ quiet: true });
  const build = benchBuildDir();
  const gen = join(build, "gen");
  const deps = depDirs(log);
  await generateSources(VM_WASM, gen);
  const source = casesSource(cases, preload);
  const name = `cases-${createHash("sha256").update(source).digest("hex").slice(0, 12)}`;
  removeStaleTables(build, name);
  writeIfChanged(join(gen, `${name}.c`), source);
  log("building the RV32 bench ELF");
  const jobs = String(Math.max(1, Math.min(2, cpus().length)));
  run("make", ["-C", FW_DIR, "-f", "Makefile", "-f", join(HERE, "bench.mk"), `-j${jobs}`, `BUILD=${build}`, `BENCH_SRC=${HERE}`,
    `BENCH_NAME=${name}`, ...makeVars(deps), "bench-elf"], "building the RV32 bench ELF", 900_000);
  const dir = join(build, "rv32");
  return { elf: join(dir, `${name}.elf`), casesObject: join(dir, `${name}.o`), mainObject: join(dir, "bench_main.o") };
}

export const QEMU_ARGS = ["-machine", "virt", "-bios", "none", "-nographic", "-semihosting", "-icount", "shift=0", "-kernel"];

/** Runs the ELF under QEMU with -icount shift=0 (instret counts guest instructions exactly). */
export function runBenchElf(build: BenchElf, timeoutMs = 900_000): Rv32Run {
  // QEMU writes the guest's semihosting output to its own stderr.
  const r = run("qemu-system-riscv32", [...QEMU_ARGS, build.elf], "running the RV32 bench under QEMU", timeoutMs);
  const out = r.stdout + r.stderr;
  const cases = new Map<string, CaseResult>();
  let mem: RegExpExecArray | null = null;
  let engine: RegExpExecArray | null = null;
  let done = false;
  for (const line of out.split("\n")) {
    const err = /^error case (\S+): (.*)$/.exec(line);
    if (err) throw new BenchError(`RV32 case ${err[1]}: ${err[2]}`);
    const m = /^case (\S+) calls=(\d+) instret=(\d+) result=(\S+)(?: heap=(\d+) stack=(\d+))?/.exec(line);
    if (m) {
      cases.set(m[1]!, { calls: Number(m[2]), instret: Number(m[3]), result: m[4]!,
        ...(m[5] !== undefined ? { heapPeakBytes: Number(m[5]), nativeStackBytes: Number(m[6]) } : {}) });
    }
    engine ??= /^engine heap=(\d+) stack=(\d+)/.exec(line);
    mem ??= /^mem wasm_stack=(\d+) linear_memory=(\d+)/.exec(line);
    if (line.trim() === "done") done = true;
  }
  if (!done || !mem || !engine) throw new BenchError(`the RV32 bench stopped before it finished; its last output: ${out.trim().split("\n").slice(-3).join(" | ")}`);
  return {
    cases,
    engineHeapBytes: Number(engine[1]),
    engineStackBytes: Number(engine[2]),
    wasmStackBytes: Number(mem[1]),
    linearMemoryBytes: Number(mem[2]),
    build,
  };
}

/**
 * The answers the RV32 run must print: every Mote case replayed through the Node host in the same order and
 * with the same state resets, its last call's canonical JSON.
 */
export async function expectedMoteResults(cases: readonly BenchCase[], preload: readonly PreloadEntry[]): Promise<Map<string, string>> {
  const vm = await MoteVM.create();
  let store = new MemoryStateStore();
  const out = new Map<string, string>();
  for (const c of cases) {
    if (c.kind !== "mote") continue;
    if (c.fresh) {
      store = new MemoryStateStore();
      for (const p of preload) store.set(p.contract, p.key, p.value);
    }
    const perCall = c.args.length > 0 && Array.isArray(c.args[0]);
    let json = "";
    for (let i = 0; i < repeatOf(c); i++) {
      const args = perCall ? (c.args as Value[][])[i]! : (c.args as Value[]);
      const r = vm.call(c.module, c.fn, args, { store, caller: c.caller ?? new Uint8Array(32), timestamp: c.timestamp ?? 0n, gas: c.gas });
      json = resultToJson(r);
    }
    out.set(c.name, json);
  }
  return out;
}

/** Builds, runs and checks: every Mote answer equals the Node host's, every direct answer its `expect`. */
export async function runRv32(cases: readonly BenchCase[], preload: readonly PreloadEntry[] = [], log: (s: string) => void = () => {}): Promise<Rv32Run> {
  const build = await buildBenchElf(cases, preload, log);
  log(`running ${cases.length} cases under qemu-system-riscv32 -icount shift=0`);
  const got = runBenchElf(build);
  const expected = await expectedMoteResults(cases, preload);
  for (const c of cases) {
    const r = got.cases.get(c.name);
    if (!r) throw new BenchError(`RV32 case ${c.name}: no result printed`);
    const want = c.kind === "mote" ? expected.get(c.name)! : BigInt.asIntN(64, c.expect).toString();
    if (r.result !== want) {
      const at = [...r.result].findIndex((ch, i) => ch !== want[i]);
      const around = (s: string) => s.slice(Math.max(0, at - 40), at + 40);
      throw new BenchError(`RV32 case ${c.name}: its answer differs from the ${c.kind === "mote" ? "Node host's" : "expected one"} at character ${at}: ...${around(r.result)}... vs ...${around(want)}...`);
    }
  }
  return got;
}
