// The measured workloads of the firmware host (loop, iterative and recursive fib, token transfer, attest), shared by
// the RV32 (QEMU -icount) and x86 (callgrind) scripts. Each is measured at two sizes; the difference divided by the
// difference in units removes every fixed cost (module load, argument copy, call entry) from the per-unit figure.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import * as ed from "@noble/ed25519";
import { assemble } from "../../vm/asm/index.ts";
import { MoteVM, MemoryStateStore, resultToJson, type Value } from "../../vm/host/index.ts";
import { FW_DIR } from "./build.ts";

ed.hashes.sha512 = sha512;
const ROOT = join(FW_DIR, "..");
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export const CALLERS = [new Uint8Array(32), sha256(utf8("mote workload holder A")), sha256(utf8("mote workload holder B"))] as const;

export interface WorkCall {
  fn: string;
  args: Value[];
  caller: 0 | 1 | 2;
  gas: number;
  /** Setup calls run before the measured ones and are not counted. */
  measured: boolean;
}

export interface WorkRun {
  name: string;
  module: Uint8Array;
  calls: WorkCall[];
  units: number;
  /** resultToJson of each measured call, as the Node host gives it: every host must print the same. */
  expected: string[];
}

export interface Workload {
  name: string;
  unit: string;
  small: WorkRun;
  large: WorkRun;
}

const GAS = 2_000_000_000;

const RECURSIVE_FIB = `
; fib(n) = fib(n-1) + fib(n-2), the recursive benchmark; one unit is one call of fib.
.func fib params=1 results=1 locals=0
    lget0
    push 2
    jltu base
    lget0
    push 1
    sub
    call fib
    lget0
    push 2
    sub
    call fib
    add
    ret
base:
    lget0
    ret
.end
.export fib func=fib view
`;

const ATTEST = `
; attest(device, reading, sig): one Ed25519-verified sensor reading stored under its device key.
.func attest params=3 results=0 locals=0
    lget0
    lget1
    lget2
    edverify
    require 1
    lget0
    lget1
    mstore 1 3
    halt
.end
.export attest func=attest args=bbb
`;

function fibCalls(n: number): number {
  // calls(n) = 1 for n < 2, else 1 + calls(n-1) + calls(n-2)
  const c = [1, 1];
  for (let i = 2; i <= n; i++) c.push(1 + c[i - 1]! + c[i - 2]!);
  return c[n]!;
}

function run(vm: MoteVM, name: string, module: Uint8Array, calls: WorkCall[], units: number): WorkRun {
  const store = new MemoryStateStore();
  const expected: string[] = [];
  for (const c of calls) {
    const r = vm.call(module, c.fn, c.args, { store, caller: CALLERS[c.caller], gas: c.gas });
    if (r.status !== "ok") throw new Error(`workload ${name}: ${c.fn} ended ${r.status} in the Node host`);
    if (c.measured) expected.push(resultToJson(r));
  }
  return { name, module, calls, units, expected };
}

const call = (fn: string, args: Value[], measured = true, caller: 0 | 1 | 2 = 1): WorkCall => ({ fn, args, caller, gas: GAS, measured });

/** The token contract's module when the compiler and contracts/token.mote exist. */
async function tokenModule(): Promise<Uint8Array | undefined> {
  const src = join(ROOT, "contracts/token.mote");
  const comp = join(ROOT, "compiler/index.ts");
  if (!existsSync(src) || !existsSync(comp)) return undefined;
  const { compileFile } = (await import("../../compiler/index.ts")) as { compileFile: (p: string) => { module?: Uint8Array } };
  return compileFile(src).module;
}

export async function buildWorkloads(vm: MoteVM): Promise<Workload[]> {
  const out: Workload[] = [];
  const sum = assemble(readFileSync(join(ROOT, "test/programs/sum.masm"), "utf8"), "test/programs/sum.masm");
  out.push({
    name: "loop", unit: "loop iteration (sum 1..n, checked add)",
    small: run(vm, "loop/100", sum, [call("sum", [100n])], 100),
    large: run(vm, "loop/1100", sum, [call("sum", [1100n])], 1100),
  });
  const fibIter = assemble(readFileSync(join(ROOT, "test/programs/fib.masm"), "utf8"), "test/programs/fib.masm");
  out.push({
    name: "fib_iter", unit: "loop iteration of iterative fib",
    small: run(vm, "fib_iter/20", fibIter, [call("fib", [20n])], 20),
    large: run(vm, "fib_iter/90", fibIter, [call("fib", [90n])], 90),
  });
  const fibRec = assemble(RECURSIVE_FIB, "<recursive fib>");
  out.push({
    name: "fib", unit: "call of recursive fib",
    small: run(vm, "fib/10", fibRec, [call("fib", [10n])], fibCalls(10)),
    large: run(vm, "fib/16", fibRec, [call("fib", [16n])], fibCalls(16)),
  });
  const token = await tokenModule();
  if (token) {
    const holderB = CALLERS[2];
    const transfers = (n: number) => [call("init", [1_000_000n], false), ...Array.from({ length: n }, () => call("transfer", [holderB, 1n]))];
    out.push({
      name: "token_transfer", unit: "token transfer (a whole call: arguments, storage, event)",
      small: run(vm, "token_transfer/1", token, transfers(1), 1),
      large: run(vm, "token_transfer/11", token, transfers(11), 11),
    });
  }
  const attest = assemble(ATTEST, "<attest>");
  const sk = sha256(utf8("mote workload device key"));
  const device = ed.getPublicKey(sk);
  const readings = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const reading = utf8(`t=${1_700_000_000 + i} temp=21.${i}C`);
      return call("attest", [device, reading, ed.sign(reading, sk)]);
    });
  out.push({
    name: "attest", unit: "Ed25519-verified sensor reading stored",
    small: run(vm, "attest/1", attest, readings(1), 1),
    large: run(vm, "attest/3", attest, readings(3), 3),
  });
  return out;
}
