// Gas as a defence: for every row of the opcode table, a loop program as dense in that row as the
// table allows, measured in x86 instructions (callgrind Ir inside mote_engine_call) per unit of gas.
// `npx tsx test/fuzz/gas-density.ts [--json FILE]` prints each program's Ir/gas against the mean.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPCODES, lebImmediate, type OperandKind, type OpcodeRow } from "../../vm/spec/opcodes.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { CodeBuilder, computeMaxStack, encodeModule, selectorOf, type OperandValue } from "../../vm/spec/module.ts";
import { MoteVM, MemoryStateStore } from "../../vm/host/index.ts";
import { FUZZ_SIGNED, typedSig, type Ty } from "./program-gen.ts";

export interface DensityProgram {
  /** Opcode row measured, and what its operands are (small / 1 KiB inputs). */
  row: string;
  variant: string;
  module: Uint8Array;
}

// locals: 0 = 3, 1 = 5, 2 = 8-byte string, 3 = public key, 4 = message, 5 = signature, 6 = 1 KiB string, 7 = scratch int
const BIG = Uint8Array.from({ length: LIMITS.MAX_BYTES_LEN.value }, (_, i) => (i * 7) & 0xff);
const CONSTS = [new TextEncoder().encode("abcdefgh"), FUZZ_SIGNED.pubkey, FUZZ_SIGNED.message, FUZZ_SIGNED.signature, BIG];
const REPEAT = 8;

/**
 * The longest legal value of each LEB128 operand kind (the verifier's limits), for the long-immediate
 * variant of every row that has one: decoding a long LEB128 is work only a charge by length prices.
 * A constant or function index is bounded by MAX_CONSTANTS / MAX_FUNCTIONS, so its variant runs against
 * a module holding that many constants or functions.
 */
export function longestImmediate(kind: OperandKind): OperandValue {
  switch (kind) {
    case "sleb": return -(2n ** 63n);
    case "uleb":
    case "error": return 0xffffffff;
    case "const": return LIMITS.MAX_CONSTANTS.value - 1;
    case "func": return LIMITS.MAX_FUNCTIONS.value - 1;
    default: throw new Error(`operand kind ${kind} is not LEB128`);
  }
}

/** Bytes-typed inputs of a row by position (bottom first), for rows whose inputs must be specific strings. */
function byteSources(row: OpcodeRow, big: boolean): number[] | undefined {
  if (row.name === "edverify") return [3, 4, 5];
  // storage keys stay short (at most MAX_KEY_BYTES); the 1 KiB variant is about values
  if (row.name === "xload") return [3];
  if (row.name === "xmload") return [3, 2];
  if (row.name === "mload") return [2];
  if (row.name === "mstore") return [2, big ? 6 : 2];
  if (row.name === "mloadbi" || row.name === "mstorebi") return [2];
  if (row.name === "req32") return [3]; // a 32-byte string, so the check passes
  // native value: ids are 32 bytes (a public key will do)
  if (row.name === "balance" || row.name === "pay") return [3];
  return undefined;
}

/** The loop body for one row, or null when the row cannot repeat in a loop (it ends the call). */
function body(b: CodeBuilder, row: OpcodeRow, big: boolean, longImm: boolean): boolean {
  if (row.flow === "exit") return false;
  // `once` reverts when its flag is set: each iteration clears it again
  if (row.name === "once") {
    b.emit("once").emit("push0").emit("sstore", 255, 0);
    return true;
  }
  const get = (i: number): void => void b.emit("lget", i);
  if (row.flow === "branch" || row.flow === "jump") {
    for (let i = 0; i < row.pop; i++) get(i === 0 ? 1 : 0);
    const next = b.newLabel();
    b.emitJump(row.name, next);
    b.bind(next);
    return true;
  }
  if (row.flow === "call") {
    b.emit(row.name, ...row.operands.map((o) => (o.kind === "func" ? (longImm ? longestImmediate("func") : 1) : 0)));
    return true;
  }
  const ops: OperandValue[] = row.operands.map((o) => {
    switch (o.kind) {
      case "local": return 7;
      case "slot": return 1;
      case "mode": return row.name === "mload" || row.name === "mstore" || row.name === "xmload" ? 3 : 2;
      case "width": return 8;
      case "const": return longImm ? longestImmediate(o.kind) : big ? 4 : 0;
      case "uleb": return longImm ? longestImmediate(o.kind) : 1;
      case "sleb": return longImm ? longestImmediate(o.kind) : 0x1234n;
      case "u32": return 7;
      case "error": return longImm ? longestImmediate(o.kind) : 1;
      case "func": return longImm ? longestImmediate(o.kind) : 1;
      default: return o.name === "count" ? 2 : o.name === "mask" ? 2 : 0;
    }
  });
  if (/^l(get|set)[0-3]$/.test(row.name) || row.operands.some((o) => o.kind === "local")) {
    // a local's own value written back: the loop's inputs stay as they were
    const li = /^l(get|set)([0-3])$/.exec(row.name) ? Number(row.name.at(-1)) : 7;
    if (row.pop > 0) get(li);
    b.emit(row.name, ...ops);
    for (let i = 0; i < row.push; i++) b.emit("drop");
    return true;
  }
  if (["bput", "bwrite", "bdup", "amark", "arelease"].includes(row.name)) {
    // writes in place need a buffer of the arena, not a constant; the mark gives every byte back
    const src = big ? 6 : 2;
    b.emit("amark");
    if (row.name === "bput") b.emit("lget", src).emit("bdup").emit("push0").emit("lget", 1).emit("bput", 8);
    if (row.name === "bwrite") b.emit("lget", src).emit("bdup").emit("push0").emit("lget", src).emit("bwrite");
    if (row.name === "bdup") b.emit("lget", src).emit("bdup").emit("drop");
    b.emit("arelease");
    return true;
  }
  const sig = row.name === "emit" ? { ins: ["i", "b"] as Ty[], outs: [] as Ty[] } : typedSig(row, ops) ?? { ins: Array<Ty>(row.pop).fill("i"), outs: Array<Ty>(row.push).fill("i") };
  const special = byteSources(row, big);
  let bi = 0;
  sig.ins.forEach((t, i) => {
    // pay: an amount of 0 (scratch local 7), so a contract with no balance can pay forever
    if (t === "i" && row.name === "pay") get(7);
    else if (t === "i") get(i === 0 ? 1 : 0); // 5 then 3s: no subtraction underflows, no division by zero, slices fit
    else get(special?.[bi++] ?? (big ? 6 : 2));
  });
  b.emit(row.name, ...ops);
  for (let i = 0; i < sig.outs.length; i++) b.emit("drop");
  return true;
}

export function densityPrograms(): DensityProgram[] {
  const out: DensityProgram[] = [];
  for (const row of OPCODES) {
    // 1 KiB inputs where the result still fits MAX_BYTES_LEN (bcat doubles it) and loads can read back
    const byteIn = (typedSig(row, row.operands.map((o) => (o.kind === "mode" ? 3 : 0)))?.ins ?? []).includes("b");
    const variants: [boolean, boolean][] = [[false, false]];
    if (row.dyn && byteIn && !["ed25519", "emit", "xload", "balance", "pay"].includes(row.dyn) && row.name !== "bcat" && !["mload", "mloadbi", "mstorebi", "req32", "once"].includes(row.name)) variants.push([true, false]);
    // every row with a LEB128 immediate (from the table) also runs at its longest legal immediate
    if (lebImmediate(row)) variants.push([false, true]);
    for (const [big, longImm] of variants) {
      const b = new CodeBuilder();
      [[3n, 0], [5n, 1]].forEach(([v, l]) => b.emit("push", v!).emit("lset", l!));
      for (let c = 0; c < 5; c++) b.emit("pushb", c).emit("lset", c + 2);
      const top = b.newLabel();
      b.bind(top);
      let ok = true;
      for (let k = 0; k < REPEAT && ok; k++) ok = body(b, row, big, longImm);
      if (!ok) break;
      b.emitJump("jmp", top);
      const code = b.finish();
      // a long constant or function index needs that many constants or functions to point at
      const nFuncs = longImm && row.flow === "call" ? LIMITS.MAX_FUNCTIONS.value : 2;
      const nConsts = longImm && lebImmediate(row)!.operand.kind === "const" ? LIMITS.MAX_CONSTANTS.value : CONSTS.length;
      const callees = Array.from({ length: nFuncs }, () => ({ params: 0, results: 0 }));
      const ret = { params: 0, results: 0, locals: 0, maxStack: 0, code: Uint8Array.of(OPCODES.find((o) => o.name === "ret")!.code) };
      const module = encodeModule({
        functions: [{ params: 0, results: 0, locals: 8, maxStack: computeMaxStack(code, callees), code }, ...Array.from({ length: nFuncs - 1 }, () => ret)],
        consts: [...CONSTS, ...Array.from({ length: nConsts - CONSTS.length }, (_, i) => Uint8Array.of(i))],
        exports: [{ selector: selectorOf("spin"), func: 0, view: false, argMask: 0, retMask: 0 }],
      });
      out.push({ row: row.name, variant: big ? "1 KiB" : longImm ? "long imm" : "small", module });
    }
  }
  return out;
}

/** The largest gas limit (at most `max`) for which the program runs out of gas rather than filling the arena or the event buffer. */
export function gasWindow(vm: MoteVM, module: Uint8Array, max = 200_000): number | null {
  for (let g = max; g >= 64; g = Math.floor(g / 2)) {
    const r = vm.call(module, "spin", [], { store: new MemoryStateStore(), gas: g });
    if (r.status === "out_of_gas") return g;
  }
  return null;
}

/**
 * Ir inside mote_engine_call for a warm-up call at `warm` gas followed by the measured call at `gas`:
 * the warm-up makes wasm3 compile every function the program reaches (it compiles lazily, on first
 * call), so that cost is in both measurements and cancels instead of landing on one of them.
 */
function callgrindIr(host: string, dir: string, module: Uint8Array, warm: number, gas: number): number {
  const batch = join(dir, "p.batch");
  const outFile = join(dir, "p.cg");
  writeFileSync(batch, `module 0x${Buffer.from(module).toString("hex")}\ncall spin --gas ${warm}\ncall spin --gas ${gas}\n`);
  const r = spawnSync("valgrind", ["--tool=callgrind", "--toggle-collect=mote_engine_call", `--callgrind-out-file=${outFile}`, host, "--batch", batch], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`valgrind ${host} exited ${r.status}: ${r.stderr.split("\n").slice(-3).join(" ")}`);
  if (r.stdout.trim().split("\n").some((l) => !/"status":"out_of_gas"/.test(l))) throw new Error(`expected out_of_gas, got ${r.stdout.trim()}`);
  const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(outFile, "utf8"));
  if (!m) throw new Error(`no callgrind totals in ${outFile}`);
  return Number(m[1]);
}

export interface DensityFigure {
  row: string;
  variant: string;
  gas: number;
  irPerGas: number;
  ratioToMean: number;
}

export async function measureDensity(host: string, log: (s: string) => void = () => {}): Promise<{ figures: DensityFigure[]; mean: number; unmeasured: string[] }> {
  const vm = await MoteVM.create();
  const dir = mkdtempSync(join(tmpdir(), "mote-density-"));
  // measure one snapshot of the host: a rebuild during the run must not change (or break) it
  const snapshot = join(dir, "mote-host");
  copyFileSync(host, snapshot);
  chmodSync(snapshot, 0o755);
  host = snapshot;
  const figures: DensityFigure[] = [];
  const unmeasured: string[] = OPCODES.filter((r) => r.flow === "exit").map((r) => `${r.name} (ends the call: cannot loop)`);
  try {
    for (const p of densityPrograms()) {
      const g2 = gasWindow(vm, p.module, 64_000);
      if (g2 === null) {
        unmeasured.push(`${p.row} ${p.variant} (stops before 64 gas)`);
        continue;
      }
      const g1 = Math.floor(g2 / 4);
      // the difference between two limits cancels the call's fixed costs
      const ir = callgrindIr(host, dir, p.module, g2, g2) - callgrindIr(host, dir, p.module, g2, g1);
      const f = { row: p.row, variant: p.variant, gas: g2 - g1, irPerGas: ir / (g2 - g1), ratioToMean: 0 };
      figures.push(f);
      log(`${p.row.padEnd(9)} ${p.variant.padEnd(8)} ${f.irPerGas.toFixed(1).padStart(8)} Ir/gas`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const mean = figures.reduce((s, f) => s + f.irPerGas, 0) / figures.length;
  for (const f of figures) f.ratioToMean = f.irPerGas / mean;
  figures.sort((a, b) => b.irPerGas - a.irPerGas);
  return { figures, mean, unmeasured };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { HOST_PATH } = await import("../../firmware-host/scripts/build.ts");
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
  } catch {
    console.error("gas-density: valgrind not found (apt-get install -y valgrind)");
    process.exit(1);
  }
  const jsonAt = process.argv.indexOf("--json");
  const res = await measureDensity(HOST_PATH, (s) => console.log(s));
  console.log(`\nmean ${res.mean.toFixed(1)} Ir/gas over ${res.figures.length} programs; above 2x the mean:`);
  for (const f of res.figures.filter((x) => x.ratioToMean > 2)) console.log(`  ${f.row} ${f.variant}: ${f.irPerGas.toFixed(1)} Ir/gas (${f.ratioToMean.toFixed(2)}x)`);
  console.log(`not measured: ${res.unmeasured.join("; ")}`);
  if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify(res, null, 2) + "\n");
}
