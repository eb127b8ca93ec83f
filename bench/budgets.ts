// `npm run bench:budgets`: deterministic budgets (bench/budgets.json) checked in CI: bytes, memory, and
// instruction counts from callgrind and QEMU -icount. Writes bench/results/local/latest.json (the committed bench/results/latest.json with --record); fails when one is exceeded.
// Wall-clock figures are reported beside them, never budgeted.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildVm, WASM_PATH } from "../scripts/build-vm.ts";
import { assemble } from "../vm/asm/index.ts";
import { MemoryStateStore, MoteVM } from "../vm/host/index.ts";
import { measureBudgets } from "./measure-budgets.ts";
import { resultPath } from "./results-path.ts";

/** A budget: `max` fails CI when exceeded; `goal` is where we are heading (reported, not enforced). */
interface Budget {
  max?: number;
  goal?: number;
  why: string;
}

const root = new URL("..", import.meta.url).pathname;
const budgets = JSON.parse(readFileSync(join(root, "bench/budgets.json"), "utf8")) as Record<string, Budget>;
const results: Record<string, unknown> = {};
const failures: string[] = [];
const progress = (s: string): void => void process.stderr.write(`bench:budgets: ${s}\n`);

await buildVm();
results.wasmBytes = statSync(WASM_PATH).size;
const vm = await MoteVM.create();
results.vmMemoryBytes = vm.memoryUsed;

// Contract module sizes (metadata excluded: the .abi.json is not part of the module).
progress("compiling contracts/");
const contractDir = join(root, "contracts");
const contractBytes: Record<string, number> = {};
const sources = existsSync(contractDir) ? readdirSync(contractDir).filter((f) => f.endsWith(".mote")).sort() : [];
const { compileFile, compileSource } = await import("../compiler/index.ts");
for (const f of sources) {
  const out = compileFile(join(contractDir, f));
  if (!out.module) {
    failures.push(`contracts/${f} does not compile: ${out.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join("; ")}`);
    continue;
  }
  contractBytes[f.replace(/\.mote$/, "")] = out.module.length;
}
results.contractBytes = contractBytes;

// The token of docs/language.md (its first example), the contract issue 15 sizes against solc's 864-byte
// runtime of the same token: goal 1/8 of it, 108 B.
const docToken = /```mote\n(contract Token \{[\s\S]*?)```/.exec(readFileSync(join(root, "docs/language.md"), "utf8"));
if (!docToken) failures.push("docs/language.md has no `contract Token` example to size");
else {
  const out = compileSource(docToken[1]!, "docs/language.md");
  if (out.module) results.docTokenBytes = out.module.length;
  else failures.push(`the token of docs/language.md does not compile: ${out.diagnostics.map((d) => d.message).join("; ")}`);
}

// Runtime bytes of the equivalent Solidity contracts (solc 0.8.37, optimizer on), and the ratio to Mote's.
progress("compiling the Solidity peers (solc 0.8.37)");
const { evmBytes } = await import("./evm.ts");
const evm = await evmBytes();
results.evmBytes = evm;
const evmOverMote: Record<string, number> = {};
for (const [name, bytes] of Object.entries(evm)) {
  if (contractBytes[name]) evmOverMote[name] = Math.round((bytes / contractBytes[name]!) * 100) / 100;
}
results.evmOverMote = evmOverMote;

// Instruction counts: callgrind on x86 and QEMU -icount on RV32, per workload unit; RV32 flash and RAM; gas calibration.
progress("measuring on x86 (callgrind) and RV32 (QEMU -icount); this takes a minute or two");
Object.assign(results, await measureBudgets({ log: progress }));

// The device SDK's sealing on RV32: instructions, flash, RAM (bench/rv32/seal.ts, answers checked).
progress("measuring the AOT engine (mote.wasm through wasm2c) on RV32 (QEMU -icount)");
const { measureAotRv32 } = await import("../firmware-host/scripts/rv32.ts");
results.rv32Aot = await measureAotRv32(progress);

progress("measuring the device SDK's sealing on RV32 (QEMU -icount)");
const { measureSealRv32 } = await import("./rv32/seal.ts");
results.rv32Seal = await measureSealRv32(progress);

// The device SDK alone on RV32: keygen, nonce recovery, signing, proof verification; flash, RAM (bench/rv32/sdk.ts, answers checked).
progress("measuring the device SDK alone on RV32 (QEMU -icount)");
const { measureSdkRv32 } = await import("./rv32/sdk.ts");
results.rv32Sdk = await measureSdkRv32(progress);
// The fleet model at the edge on RV32 (issue 18): instructions per screened window and reading (bench/rv32/fleet.ts, answers checked).
progress("measuring the fleet model's scoring on RV32 (QEMU -icount)");
const { measureFleetRv32 } = await import("./rv32/fleet.ts");
results.rv32Fleet = await measureFleetRv32(progress);
// The fleet guard (issue 18): gas per scored window and per reading, the model's bytes.
progress("measuring the fleet guard's scoring gas");
const { measureFleetBudgets } = await import("../fleet/budget.ts");
results.fleet = await measureFleetBudgets();

// Simple ops/s of the sum loop in Node (reported, not budgeted: wall-clock is noisy).
const sum = assemble(readFileSync(join(root, "test/programs/sum.masm"), "utf8"), "sum.masm");
const n = 200_000;
const opsPerIteration = 9; // lget0 lget2 jltu lget1 lget2 addu lset1 laddi jmp
const store = new MemoryStateStore();
vm.call(sum, "sum", [1000n], { store }); // warm up
const t0 = process.hrtime.bigint();
const r = vm.call(sum, "sum", [BigInt(n)], { store, gas: 2_000_000_000 });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
if (r.status !== "ok" || r.returns[0] !== (BigInt(n) * BigInt(n + 1)) / 2n) failures.push(`sum loop gave ${r.status} ${String(r.returns[0])}`);
results.nodeLoopOpsPerSecond = Math.round((n * opsPerIteration) / seconds);

// Signed token transfers through the embedded ledger, TX_PER_BLOCK (16) per block (issue 15 goal 2: >= 1,000 tx/s;
// wall-clock, so reported beside the budgets, never one). `npm run bench:ledger` reports the same run.
progress("signed token transfers through the embedded ledger (16 per block)");
const { measureTransfers } = await import("./ledger-transfers.ts");
const transfers = await measureTransfers();
results.ledgerTransfersPerSecond = transfers.txPerSecond;
results.ledgerTransfers = { loadAverage: transfers.loadAverage, verifyNativeMicros: transfers.verifyNativeMicros, verifyNobleMicros: transfers.verifyNobleMicros };

// Flatten to dotted keys and check each against its budget; every budget must have been measured.
const flat = new Map<string, number>();
const walk = (prefix: string, v: unknown): void => {
  if (typeof v === "number") flat.set(prefix, v);
  else if (v && typeof v === "object" && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
};
walk("", results);
const rows: string[][] = [["key", "value", "max", "goal", "status"]];
for (const [key, value] of flat) {
  const b = budgets[key];
  let status = "report";
  if (b?.max !== undefined) status = value <= b.max ? "ok" : "OVER";
  if (b?.goal !== undefined && value > b.goal && status !== "OVER") status += " (goal missed)";
  if (status === "OVER") failures.push(`${key} = ${value} exceeds its budget of ${b!.max} (${b!.why})`);
  rows.push([key, value.toLocaleString("en-US"), b?.max?.toLocaleString("en-US") ?? "-", b?.goal?.toLocaleString("en-US") ?? "-", status]);
}
for (const key of Object.keys(budgets)) if (!flat.has(key)) failures.push(`${key} has a budget but was not measured`);

const latest = resultPath("latest.json");
writeFileSync(latest.path, JSON.stringify(results, null, 2) + "\n");

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
if (failures.length > 0) {
  for (const f of failures) console.error(`budget failed: ${f}`);
  process.exit(1);
}
console.log(`all budgets hold; wrote ${latest.rel}`);
