// The budget workloads (loop, fib, token_transfer, attest) at two sizes each, as Mote calls (RV32 driver and
// mote-host batches) and as the same work compiled straight to wasm (bench/wasm-direct), with their answers.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ed from "@noble/ed25519";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { assemble } from "../../vm/asm/index.ts";
import { MemoryStateStore, MoteVM, type Value } from "../../vm/host/index.ts";
import { moduleId } from "../../vm/spec/module.ts";
import { deviceMessage } from "../../ledger/device-message.ts";
import { BenchError, type DirectCase, type MoteCase, type PreloadEntry } from "./driver.ts";

ed.hashes.sha512 = sha512;

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const le64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export type WorkloadName = "loop" | "fib" | "token_transfer" | "attest";

/** One size of a workload: setup cases, then exactly one measured case of `units` units. */
export interface Sized {
  units: number;
  mote: MoteCase[];
  direct: DirectCase[];
}

export interface BudgetWorkload {
  name: WorkloadName;
  unit: string;
  /** What the Mote side runs, for the report. */
  source: string;
  small: Sized;
  large: Sized;
  /** Committed state every fresh case starts from (other contracts' storage). */
  preload: PreloadEntry[];
}

const GAS = 2_000_000_000;
const HOLDER = sha256(utf8("mote bench token holder"));
const RECIPIENT = sha256(utf8("mote bench token recipient"));
const OPERATOR = sha256(utf8("mote bench registry operator"));
const GUARD_ID = sha256(utf8("mote bench anomaly guard (no state: every device is caught up and not isolated)"));
const BLOCK_TIME = 1_700_000_100n;

/** Calls of recursive fib(n): 1 for n < 2, else 1 + calls(n-1) + calls(n-2). */
export function fibCalls(n: number): number {
  const c = [1, 1];
  for (let i = 2; i <= n; i++) c.push(1 + c[i - 1]! + c[i - 2]!);
  return c[n]!;
}

function fibRef(n: number): bigint {
  let a = 0n;
  let b = 1n;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** The direct (straight-to-wasm) modules, compiled from bench/wasm-direct/*.ts with the VM's own flags. */
export async function compileDirect(name: "loop" | "fib" | "token" | "attest"): Promise<Uint8Array> {
  const { default: asc } = await import("assemblyscript/asc");
  const { ASC_FLAGS } = await import("../../scripts/build-vm.ts");
  let out: Uint8Array | undefined;
  let errText = "";
  const { error } = await asc.main([join(ROOT, "bench/wasm-direct", `${name}.ts`), "--outFile", "direct.wasm", ...ASC_FLAGS], {
    writeFile: (file: string, contents: Uint8Array | string) => {
      if (file.endsWith("direct.wasm") && typeof contents !== "string") out = contents;
    },
    stdout: { write: () => true } as never,
    stderr: { write: (s: string | Uint8Array) => { errText += String(s); return true; } } as never,
  });
  if (error || !out) throw new BenchError(`bench/wasm-direct/${name}.ts does not compile: ${(error?.message ?? "no output").split("\n")[0]} ${errText.trim().split("\n")[0] ?? ""}`);
  return out;
}

async function compileContract(file: string): Promise<Uint8Array> {
  const { compileFile } = await import("../../compiler/index.ts");
  const out = compileFile(join(ROOT, "contracts", file));
  if (!out.module) {
    const d = out.diagnostics[0];
    throw new BenchError(`contracts/${file} does not compile${d ? `: ${d.line}:${d.col} ${d.message}` : ""}`);
  }
  return out.module;
}

function loop(direct: Uint8Array): BudgetWorkload {
  const path = "test/programs/sum.masm";
  const sum = assemble(readFileSync(join(ROOT, path), "utf8"), path);
  const sized = (n: number): Sized => ({
    units: n,
    mote: [{ kind: "mote", name: `loop/${n}`, module: sum, fn: "sum", args: [BigInt(n)], gas: GAS, fresh: true }],
    direct: [{ kind: "direct", name: `direct.loop/${n}`, wasm: direct, fn: "run", arg: BigInt(n), fresh: true, expect: (BigInt(n) * BigInt(n + 1)) / 2n }],
  });
  return { name: "loop", unit: "loop iteration", source: path, small: sized(100), large: sized(1100), preload: [] };
}

function fib(direct: Uint8Array): BudgetWorkload {
  const path = "bench/rv32/fib_rec.masm";
  const mod = assemble(readFileSync(join(ROOT, path), "utf8"), path);
  const sized = (n: number): Sized => ({
    units: fibCalls(n),
    mote: [{ kind: "mote", name: `fib/${n}`, module: mod, fn: "fib", args: [BigInt(n)], gas: GAS, fresh: true }],
    direct: [{ kind: "direct", name: `direct.fib/${n}`, wasm: direct, fn: "run", arg: BigInt(n), fresh: true, expect: fibRef(n) }],
  });
  return { name: "fib", unit: "call of recursive fib", source: path, small: sized(10), large: sized(14), preload: [] };
}

function token(mod: Uint8Array, direct: Uint8Array): BudgetWorkload {
  const supply = 1_000_000n;
  const sized = (n: number): Sized => ({
    units: n,
    mote: [
      { kind: "mote", name: `token_transfer/${n}.init`, module: mod, fn: "init", args: [supply], caller: HOLDER, gas: GAS, fresh: true },
      { kind: "mote", name: `token_transfer/${n}`, module: mod, fn: "transfer", args: [RECIPIENT, 3n], caller: HOLDER, gas: GAS, repeat: n },
    ],
    direct: [
      { kind: "direct", name: `direct.token_transfer/${n}.init`, wasm: direct, fn: "init", arg: [cat(HOLDER, le64(supply))], fresh: true, expect: 0n },
      { kind: "direct", name: `direct.token_transfer/${n}`, wasm: direct, fn: "transfer", arg: Array.from({ length: n }, () => cat(HOLDER, RECIPIENT, le64(3n))),
        repeat: n, expect: 0n },
    ],
  });
  return { name: "token_transfer", unit: "token transfer (one call)", source: "contracts/token.mote", small: sized(2), large: sized(10), preload: [] };
}

/**
 * attest: contracts/sensor_attestation.mote's submit, one reading each from distinct registered devices (a
 * device's next reading waits for the anomaly guard to observe the previous one, which a bench has no
 * block for; first readings of many devices are the same work). The registry's storage comes from running
 * contracts/device_registry.mote in the Node host; the guard holds no state (every device caught up).
 */
async function attest(att: Uint8Array, reg: Uint8Array, direct: Uint8Array, maxDevices: number): Promise<BudgetWorkload> {
  const vm = await MoteVM.create();
  const store = new MemoryStateStore();
  const regId = moduleId(reg);
  const keys = Array.from({ length: maxDevices }, (_, i) => sha256(utf8(`mote bench device ${i}`)));
  const devices = keys.map((k) => ed.getPublicKey(k));
  const setup = (fn: string, args: Value[]) => {
    const r = vm.call(reg, fn, args, { store, caller: OPERATOR, timestamp: BLOCK_TIME - 1000n });
    if (r.status !== "ok") throw new BenchError(`attest setup: device_registry ${fn} ended ${r.status}`);
  };
  setup("init", []);
  for (const d of devices) setup("register", [d, 1n, sha256(utf8("mote bench site"))]);
  const preload: PreloadEntry[] = [];
  for (const [c, k, v] of store.entries()) {
    preload.push({ contract: Buffer.from(c.slice(2), "hex"), key: Buffer.from(k.slice(2), "hex"), value: Buffer.from(v.slice(2), "hex") });
  }
  const ts = BLOCK_TIME - 40n;
  // prefix: what the signed message starts with; Mote's is the device domain (tag, instance id, selector
  // of submit: ledger/device-message.ts), the hand-written wasm's its id
  const reading = (prefix: Uint8Array, i: number) => {
    const nonce = 1n;
    const value = BigInt(21 * 65536 + i * 1000);
    const msg = cat(prefix, le64(nonce), le64(value), le64(ts));
    return { device: devices[i]!, nonce, value, sig: ed.sign(msg, keys[i]!) };
  };
  const attId = moduleId(att);
  const directId = sha256(direct);
  const sized = (n: number): Sized => ({
    units: n,
    mote: [
      { kind: "mote", name: `attest/${n}.init`, module: att, fn: "init", args: [regId, GUARD_ID], caller: OPERATOR, gas: GAS, fresh: true },
      { kind: "mote", name: `attest/${n}`, module: att, fn: "submit", caller: OPERATOR, gas: GAS, timestamp: BLOCK_TIME, repeat: n,
        args: Array.from({ length: n }, (_, i) => { const r = reading(deviceMessage(attId, "submit", new Uint8Array(0)), i); return [r.device, r.nonce, r.value, ts, r.sig]; }) },
    ],
    direct: [
      { kind: "direct", name: `direct.attest/${n}.init`, wasm: direct, fn: "init", arg: [cat(regId, GUARD_ID)], fresh: true, expect: 0n },
      { kind: "direct", name: `direct.attest/${n}`, wasm: direct, fn: "submit", repeat: n, expect: 0n,
        arg: Array.from({ length: n }, (_, i) => { const r = reading(directId, i); return cat(r.device, le64(r.nonce), le64(r.value), le64(ts), r.sig, le64(BLOCK_TIME), directId); }) },
    ],
  });
  return { name: "attest", unit: "ed25519-verified reading", source: "contracts/sensor_attestation.mote", small: sized(1), large: sized(maxDevices), preload };
}

/** Every budget workload, compiled and with its inputs signed; throws a one-line BenchError when one cannot be built. */
export async function budgetWorkloads(): Promise<BudgetWorkload[]> {
  const [dLoop, dFib, dToken, dAttest] = await Promise.all([compileDirect("loop"), compileDirect("fib"), compileDirect("token"), compileDirect("attest")]);
  const tok = await compileContract("token.mote");
  const att = await compileContract("sensor_attestation.mote");
  const reg = await compileContract("device_registry.mote");
  return [loop(dLoop), fib(dFib), token(tok, dToken), await attest(att, reg, dAttest, 3)];
}
