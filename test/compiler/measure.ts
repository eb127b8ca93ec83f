// Prints what the optimizer buys: module bytes and gas of typical calls,
// with and without it. Run `npx tsx test/compiler/measure.ts`; figures are deterministic.
import { readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { compileSource, type CompileOutput } from "../../compiler/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { decodeModule } from "../../vm/spec/module.ts";
import { KEYS } from "./annotated.ts";

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};
const codeBytes = (m: Uint8Array): number => decodeModule(m).functions.reduce((n, f) => n + f.code.length, 0);

function both(file: string): [CompileOutput, CompileOutput] {
  const src = readFileSync(file, "utf8");
  return [compileSource(src, file, read, { optimize: false }), compileSource(src, file, read)];
}

const files = [
  "contracts/token.mote",
  ...readdirSync("test/compiler/behaviour").filter((f) => f.endsWith(".mote")).map((f) => posix.join("test/compiler/behaviour", f)),
];
let tn = 0;
let to = 0;
process.stdout.write("file                                              module(naive→opt)  code(naive→opt)\n");
for (const f of files) {
  const [n, o] = both(f);
  if (!n.module || !o.module) continue;
  tn += n.module.length;
  to += o.module.length;
  process.stdout.write(`${f.padEnd(50)}${`${n.module.length}→${o.module.length}`.padEnd(19)}${codeBytes(n.module)}→${codeBytes(o.module)}\n`);
}
process.stdout.write(`total module bytes: ${tn} → ${to} (${(100 - (100 * to) / tn).toFixed(1)}% smaller)\n`);

const vm = await MoteVM.create();
const [n, o] = both("contracts/token.mote");
for (const [name, out] of [["naive", n], ["optimized", o]] as const) {
  const store = new MemoryStateStore();
  const call = (fn: string, args: (bigint | Uint8Array)[], who: Uint8Array) => vm.call(out.module!, fn, args, { store, caller: who });
  const gas = [
    call("init", [1000n], KEYS.alice!).gasUsed,
    call("transfer", [KEYS.bob!, 10n], KEYS.alice!).gasUsed,
    call("approve", [KEYS.carol!, 50n], KEYS.alice!).gasUsed,
    call("transfer_from", [KEYS.alice!, KEYS.bob!, 5n], KEYS.carol!).gasUsed,
    call("balance_of", [KEYS.bob!], KEYS.alice!).gasUsed,
  ];
  process.stdout.write(`token gas (${name}): init ${gas[0]}, transfer ${gas[1]}, approve ${gas[2]}, transfer_from ${gas[3]}, balance_of ${gas[4]}\n`);
}
const src = `contract L { pub view fn sum(n: u64) -> u64 { let s: u64 = 0; for i in 0..n { s += i; } return s; } }`;
for (const opt of [false, true]) {
  const m = compileSource(src, "loop.mote", undefined, { optimize: opt }).module!;
  const r = vm.call(m, "sum", [1000n], { store: new MemoryStateStore() });
  process.stdout.write(`sum loop 0..1000 gas (${opt ? "optimized" : "naive"}): ${r.gasUsed} (result ${r.returns[0]})\n`);
}
