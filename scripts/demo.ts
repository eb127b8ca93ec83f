// `npm run demo`: builds the VM and runs the sample programs end to end, printing results and gas.
// Each run is checked against its expected result, so a broken VM fails the demo loudly.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildVm } from "./build-vm.ts";
import { assemble } from "../vm/asm/index.ts";
import { MemoryStateStore, MoteVM, type CallResult, type Value } from "../vm/host/index.ts";

const root = new URL("..", import.meta.url).pathname;
const program = (name: string): Uint8Array => assemble(readFileSync(join(root, "test/programs", name), "utf8"), name);

process.stdout.write("building vm/build/mote.wasm ... ");
await buildVm();
const vm = await MoteVM.create();
console.log("done");

const show = (v: Value): string => (typeof v === "bigint" ? v.toString() : "0x" + Buffer.from(v).toString("hex"));
let failed = 0;
function report(label: string, r: CallResult, expect: { status: string; returns?: bigint[]; gasUsed?: number }): void {
  const ok =
    r.status === expect.status &&
    (expect.returns === undefined || JSON.stringify(r.returns.map(show)) === JSON.stringify(expect.returns.map(String))) &&
    (expect.gasUsed === undefined || r.gasUsed === expect.gasUsed);
  if (!ok) failed++;
  const detail = [
    r.returns.length ? `returns ${r.returns.map(show).join(", ")}` : "",
    r.error !== null ? `error ${r.error}` : "",
    r.events.length ? `events ${r.events.map((e) => `${e.topic}(${e.values.map(show).join(",")})`).join(" ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");
  console.log(`  ${ok ? "✓" : "✗"} ${label.padEnd(28)} ${r.status.padEnd(11)} gas ${String(r.gasUsed).padStart(9)}  ${detail}`);
}

const store = new MemoryStateStore();
const fib = program("fib.masm");
console.log(`\nfib.masm (${fib.length} bytes): iterative Fibonacci with checked u64 adds`);
report("fib(10)", vm.call(fib, "fib", [10n], { store }), { status: "ok", returns: [55n] });
report("fib(93)", vm.call(fib, "fib", [93n], { store }), { status: "ok", returns: [12200160415121876738n] });
report("fib(94) overflows u64", vm.call(fib, "fib", [94n], { store }), { status: "overflow" });

const counter = program("counter.masm");
console.log(`\ncounter.masm (${counter.length} bytes): a storage counter with an event per increment`);
for (let i = 1n; i <= 3n; i++) report(`increment() #${i}`, vm.call(counter, "increment", [], { store }), { status: "ok", returns: [i] });
report("get()", vm.call(counter, "get", [], { store }), { status: "ok", returns: [3n] });

const revert = program("revert.masm");
console.log(`\nrevert.masm (${revert.length} bytes): require and revert with error ids`);
report("check(42)", vm.call(revert, "check", [42n], { store }), { status: "ok", returns: [42n] });
report("check(101) reverts with 3", vm.call(revert, "check", [101n], { store }), { status: "revert" });
report("fail() reverts with 7", vm.call(revert, "fail", [], { store }), { status: "revert" });

const oog = program("oog.masm");
console.log(`\noog.masm (${oog.length} bytes): an endless loop stopped by the gas meter`);
report("spin() with gas 10000", vm.call(oog, "spin", [], { store, gas: 10_000 }), { status: "out_of_gas", gasUsed: 10_000 });

if (failed > 0) {
  console.error(`\n${failed} demo step(s) did not give the expected result`);
  process.exit(1);
}
console.log("\nall demo steps gave their expected results");
