// `npm run bench:budgets`: deterministic size and memory budgets (bench/budgets.json), checked in CI.
// Writes bench/results/latest.json; wall-clock figures are reported beside them, never budgeted.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildVm, WASM_PATH } from "../scripts/build-vm.ts";
import { assemble } from "../vm/asm/index.ts";
import { MemoryStateStore, MoteVM } from "../vm/host/index.ts";

interface Budget {
  max: number;
  goal?: number;
  why: string;
}
type Budgets = { [k: string]: Budget | { [name: string]: Budget } };

const root = new URL("..", import.meta.url).pathname;
const budgets = JSON.parse(readFileSync(join(root, "bench/budgets.json"), "utf8")) as Budgets;
const results: Record<string, unknown> = {};
const failures: string[] = [];
const rows: string[][] = [];

function check(key: string, value: number, budget: Budget | undefined): void {
  const status = budget === undefined ? "report" : value <= budget.max ? "ok" : "OVER";
  if (status === "OVER") failures.push(`${key} = ${value} exceeds its budget of ${budget!.max} (${budget!.why})`);
  rows.push([key, String(value), budget ? String(budget.max) : "-", budget?.goal !== undefined ? String(budget.goal) : "-", status]);
}

await buildVm();
const wasmBytes = statSync(WASM_PATH).size;
results.wasmBytes = wasmBytes;
check("wasmBytes", wasmBytes, budgets.wasmBytes as Budget);

const vm = await MoteVM.create();
results.vmMemoryBytes = vm.memoryUsed;
check("vmMemoryBytes", vm.memoryUsed, budgets.vmMemoryBytes as Budget);

// Contract module sizes (metadata excluded: the .abi.json is not part of the module).
const contractDir = join(root, "contracts");
const contractBudgets = (budgets.contractBytes ?? {}) as { [name: string]: Budget };
const contractBytes: Record<string, number> = {};
const sources = existsSync(contractDir) ? readdirSync(contractDir).filter((f) => f.endsWith(".mote")).sort() : [];
if (sources.length > 0) {
  const { compileFile } = await import("../compiler/index.ts");
  for (const f of sources) {
    const name = f.replace(/\.mote$/, "");
    const out = compileFile(join(contractDir, f));
    if (!out.module) {
      failures.push(`contracts/${f} does not compile: ${out.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join("; ")}`);
      continue;
    }
    contractBytes[name] = out.module.length;
    check(`contractBytes.${name}`, out.module.length, contractBudgets[name]);
  }
}
for (const name of Object.keys(contractBudgets)) {
  if (!(name in contractBytes) && !failures.some((f) => f.includes(`contracts/${name}.mote`))) {
    failures.push(`contractBytes.${name} has a budget but contracts/${name}.mote was not measured`);
  }
}
results.contractBytes = contractBytes;

// Runtime bytes of the equivalent Solidity contracts (solc 0.8.37, optimizer on), and Mote's ratio to them.
const { evmBytes } = await import("./evm.ts");
const evm = await evmBytes();
results.evmBytes = evm;
const evmOverMote: Record<string, number> = {};
for (const [name, bytes] of Object.entries(evm)) {
  rows.push([`evmBytes.${name}`, String(bytes), "-", "-", "report"]);
  if (contractBytes[name]) evmOverMote[name] = Math.round((bytes / contractBytes[name]!) * 100) / 100;
}
results.evmOverMote = evmOverMote;
for (const [name, ratio] of Object.entries(evmOverMote)) rows.push([`evmOverMote.${name}`, String(ratio), "-", name === "token" ? "8" : "-", "report"]);

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
const opsPerSecond = Math.round((n * opsPerIteration) / seconds);
results.nodeLoopOpsPerSecond = opsPerSecond;
results.nodeLoopGasPerIteration = r.gasUsed / n;
rows.push(["nodeLoopOpsPerSecond", opsPerSecond.toLocaleString("en-US"), "-", "-", "report"]);

mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/latest.json"), JSON.stringify(results, null, 2) + "\n");

const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[["budget", "value", "max", "goal", "status"], ...rows].map((r) => r[i]!.length)));
for (const r of [["budget", "value", "max", "goal", "status"], ...rows]) {
  console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
}
if (failures.length > 0) {
  for (const f of failures) console.error(`budget failed: ${f}`);
  process.exit(1);
}
console.log("all budgets hold; wrote bench/results/latest.json");
