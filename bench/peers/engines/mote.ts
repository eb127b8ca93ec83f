// The Mote peer: vm/build/mote.wasm through the Node host (vm/host): the compute workloads in
// bench/peers/*.masm, the token and attestation workloads on the compiled contracts/*.mote.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileFile, type Abi } from "../../../compiler/index.ts";
import { assemble } from "../../../vm/asm/index.ts";
import { MemoryStateStore, MoteVM, type CallResult, type EngineKind, type Value } from "../../../vm/host/index.ts";
import { LIMITS } from "../../../vm/spec/limits.ts";
import { selectorOf } from "../../../vm/spec/module.ts";
import { PeerError, type PeerEngine } from "../engine.ts";
import {
  accounts,
  blockTime,
  devices,
  moteFormat,
  readingDomain,
  sha256,
  signReadings,
  TOKEN_ACCOUNTS,
  TOKEN_FUNDING,
  type Reading,
  type SignedReading,
  type Transfer,
} from "../workloads.ts";

const root = new URL("../../../", import.meta.url).pathname;
const GAS = LIMITS.MAX_GAS.value;
/** sha_chain.masm hashes at most this many per call: each hash takes 32 bytes of the 4 KiB arena. */
export const SHA_PER_CALL = 100;

/**
 * Selectors resolved once, as the EVM peer takes its selectors from solc's output: a node resolves a
 * function name when it decodes a transaction, not on every call into the VM.
 */
const selectors = new Map<string, number>();
function sel(name: string): number {
  let s = selectors.get(name);
  if (s === undefined) selectors.set(name, (s = selectorOf(name)));
  return s;
}

function masm(path: string): Uint8Array {
  return assemble(readFileSync(join(root, path), "utf8"), path);
}

type Snapshot = Record<string, Record<string, string>>;

export interface CompiledContract {
  module: Uint8Array;
  abi: Abi;
  id: Uint8Array;
}

/** Compiles contracts/NAME.mote; a compile error stops the benchmark with the compiler's first diagnostic. */
export function compileContract(name: string): CompiledContract {
  const path = join(root, `contracts/${name}.mote`);
  const out = compileFile(path);
  if (!out.module || !out.abi) {
    const first = out.diagnostics[0];
    throw new PeerError("mote", name, first ? `${first.file}:${first.line}:${first.col}: ${first.message}` : `contracts/${name}.mote does not compile`);
  }
  return { module: out.module, abi: out.abi, id: sha256(out.module) };
}

function errorId(c: CompiledContract, message: string): number {
  const e = c.abi.errors.find((x) => x.message === message);
  if (!e) throw new PeerError("mote", c.abi.contract, `no error "${message}" in its ABI`);
  return e.id;
}

/** Mote on one of its engines: the interpreter (the reference) or the fast engine (modules translated to wasm). */
export async function createMote(engine: EngineKind = "interp"): Promise<PeerEngine> {
  const name = engine === "fast" ? "mote-fast" : "mote";
  const fail = (workload: string, detail: string): PeerError => new PeerError(name, workload, detail);
  const vm = await MoteVM.create({ engine });
  const call = (workload: string, module: Uint8Array, fn: string, args: Value[], store: MemoryStateStore, caller?: Uint8Array): CallResult => {
    const r = vm.call(module, sel(fn), args, { store, caller, gas: GAS });
    if (r.status !== "ok") throw fail(workload, `${fn} ended with ${r.status}${r.error !== null ? ` (error ${r.error})` : ""}`);
    return r;
  };
  const int = (r: CallResult, what: string): bigint => {
    const v = r.returns[0];
    if (typeof v !== "bigint") throw fail(what, "expected an integer result");
    return v;
  };
  const bytes = (r: CallResult, what: string): Uint8Array => {
    const v = r.returns[0];
    if (!(v instanceof Uint8Array)) throw fail(what, "expected a byte-string result");
    return v;
  };

  const fibModule = masm("bench/peers/fib.masm");
  const sumModule = masm("test/programs/sum.masm");
  const shaModule = masm("bench/peers/sha_chain.masm");
  const scratch = new MemoryStateStore();

  const token = compileContract("token");
  let tokenStore = new MemoryStateStore();
  const setupToken = (store: MemoryStateStore): void => {
    call("token_transfer", token.module, "init", [TOKEN_FUNDING * BigInt(TOKEN_ACCOUNTS)], store, accounts[0]);
    for (let i = 1; i < TOKEN_ACCOUNTS; i++) call("token_transfer", token.module, "transfer", [accounts[i]!, TOKEN_FUNDING], store, accounts[0]);
  };

  // Attestation: registry, attestation and guard as deployed contracts reading each other's storage.
  // Each contract gets its own VM instance: the Node host keeps one verified module per instance, and a
  // node running these contracts would keep them loaded rather than re-verify on every call.
  const registry = compileContract("device_registry");
  const attestation = compileContract("sensor_attestation");
  const guardC = compileContract("anomaly_guard");
  const vmAttest = await MoteVM.create({ engine });
  const vmGuard = await MoteVM.create({ engine });
  const format = moteFormat(readingDomain(attestation.id));
  const BAD_SIGNATURE = errorId(attestation, "bad signature");
  const REPLAYED = errorId(attestation, "replayed nonce");
  let now = 0n;
  let baseSnapshot: Snapshot | undefined;
  let attestStore = new MemoryStateStore();
  let signed: SignedReading[] = [];
  const attestCall = (v: MoteVM, c: CompiledContract, fn: string, args: Value[], caller?: Uint8Array): CallResult =>
    v.call(c.module, sel(fn), args, { store: attestStore, caller, gas: GAS, timestamp: now });
  const must = (r: CallResult, fn: string): CallResult => {
    if (r.status !== "ok") throw fail("attest", `${fn} ended with ${r.status}${r.error !== null ? ` (error ${r.error})` : ""}`);
    return r;
  };
  const deployAttestation = (): Snapshot => {
    attestStore = new MemoryStateStore();
    must(attestCall(vm, registry, "init", [], accounts[0]), "registry init");
    devices.forEach((d, i) => must(attestCall(vm, registry, "register", [d.pubkey, 1n, sha256(new TextEncoder().encode(`site ${i}`))], accounts[0]), "register"));
    must(attestCall(vmAttest, attestation, "init", [registry.id, guardC.id], accounts[0]), "attestation init");
    must(attestCall(vmGuard, guardC, "init", [registry.id, attestation.id], accounts[0]), "guard init");
    return attestStore.toJSON();
  };
  const submit = (r: SignedReading, sig = r.sig): CallResult =>
    attestCall(vmAttest, attestation, "submit", [devices[r.device]!.pubkey, r.nonce, r.value, r.timestamp, sig], accounts[0]);
  const view = (v: MoteVM, c: CompiledContract, fn: string): Value[] => devices.map((d) => must(attestCall(v, c, fn, [d.pubkey]), fn).returns[0]!);
  const ints = (vals: Value[], what: string, signed = false): bigint[] =>
    vals.map((x) => {
      if (typeof x !== "bigint") throw fail(what, "expected an integer result");
      return signed ? BigInt.asIntN(64, x) : x;
    });

  return {
    name,
    title: engine === "fast" ? "Mote, fast engine (each module translated to wasm once)" : "Mote (wasm VM in Node)",
    notes: [
      ...(engine === "fast"
        ? ["the same calls through vm/host with `engine: \"fast\"`: each verified module translated once to WebAssembly (vm/host/fast.ts), gas per block as the interpreter charges it; the differential fuzzer compares it with the interpreter"]
        : []),
      `sha_chain: ${SHA_PER_CALL} hashes per call (the 4 KiB per-call arena holds ~125 32-byte results)`,
      "fib: bench/peers/fib.masm; loop: test/programs/sum.masm (hand-written assembly)",
      `token: contracts/token.mote, compiled (${token.module.length} B)`,
      `attest: contracts/device_registry.mote, sensor_attestation.mote and anomaly_guard.mote, compiled; one VM instance per contract`,
      "calls pass 4-byte selectors resolved once, not names (vm/host hashes a name on every call)",
    ],
    async fib(n) {
      return int(call("fib", fibModule, "fib", [BigInt(n)], scratch), "fib");
    },
    async sum(n) {
      return int(call("loop", sumModule, "sum", [BigInt(n)], scratch), "loop");
    },
    async shaChain(seed, n) {
      let h = seed;
      for (let left = n; left > 0; left -= SHA_PER_CALL) {
        h = bytes(call("sha_chain", shaModule, "chain", [h, BigInt(Math.min(left, SHA_PER_CALL))], scratch), "sha_chain");
      }
      return h;
    },
    token: {
      async reset() {
        tokenStore = new MemoryStateStore();
        setupToken(tokenStore);
      },
      async run(list: readonly Transfer[]) {
        for (const t of list) call("token_transfer", token.module, "transfer", [accounts[t.to]!, t.amount], tokenStore, accounts[t.from]);
      },
      async balances() {
        return accounts.map((a) => int(call("token_transfer", token.module, "balance_of", [a], tokenStore), "token_transfer"));
      },
    },
    attest: {
      async prepare(list: readonly Reading[]) {
        now = blockTime(list);
        signed = signReadings(list, format);
        baseSnapshot = deployAttestation();
      },
      async reset() {
        if (!baseSnapshot) throw fail("attest", "reset before prepare");
        attestStore = MemoryStateStore.fromJSON(baseSnapshot);
      },
      async run() {
        for (const r of signed) {
          must(submit(r), "submit");
          must(attestCall(vmGuard, guardC, "observe", [devices[r.device]!.pubkey], accounts[0]), "observe");
        }
      },
      async heads() {
        return view(vmAttest, attestation, "chain_of").map((x) => {
          if (!(x instanceof Uint8Array)) throw fail("attest", "chain_of did not return bytes");
          return x;
        });
      },
      async nonces() {
        return ints(view(vmAttest, attestation, "nonce_of"), "attest");
      },
      async guard() {
        return { means: ints(view(vmGuard, guardC, "mean_of"), "attest", true), variances: ints(view(vmGuard, guardC, "variance_of"), "attest", true) };
      },
      async refusesTampered(index) {
        const r = signed[index]!;
        const sig = r.sig.slice();
        sig[7] ^= 0x10;
        const res = submit(r, sig);
        return res.status === "revert" && res.error === BAD_SIGNATURE;
      },
      async refusesReplay(index) {
        const res = submit(signed[index]!);
        return res.status === "revert" && res.error === REPLAYED;
      },
      message: format.message,
      initialHead: format.initialHead,
    },
    dispose() {},
  };
}
