// The Node host of the Mote VM: instantiates vm/build/mote.wasm, supplies the host ABI imports
// (docs/host-abi.md) with @noble crypto, and runs calls against a StateStore with per-call overlays.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { STATUSES, VERIFY_ERRORS, TAG_BYTES, TAG_INT, type StatusName, type VerifyErrorName } from "../spec/format.ts";
import { LIMITS } from "../spec/limits.ts";
import { selectorOf } from "../spec/module.ts";
import { verifyEd25519 } from "./ed25519.ts";
import { BALANCE_KEY, byteKey, keyBytes, MemoryStateStore, toHex, type StateStore } from "./store.ts";
import { BoundedCache, compileFast, RUNTIME_IMPORTS, type FastLayout, type FastModule } from "./fast.ts";
import { KeyTable } from "./keys.ts";

export { BALANCE_KEY, MemoryStateStore, type StateStore } from "./store.ts";


/**
 * vm/build/mote.wasm, seen from this file (vm/host/) or from the bundled CLI (dist/ or dist/chunks/, see
 * scripts/build-cli.ts): the first of those layouts that holds it (the first when none does).
 */
export const WASM_PATH = ((here: string) => {
  const candidates = ["../build/mote.wasm", "../vm/build/mote.wasm", "../../vm/build/mote.wasm"].map((p) => join(here, p));
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
})(dirname(fileURLToPath(import.meta.url)));

export type Value = bigint | Uint8Array;
export interface VmEvent {
  topic: number;
  values: Value[];
}
export interface CallOptions {
  store: StateStore;
  /** The contract instance the call runs as (`self`, whose storage and balance it uses); default: the module id. */
  self?: Uint8Array;
  /** Native value attached to the call (`value()`); the caller of the host credits it before the call. */
  value?: bigint;
  caller?: Uint8Array;
  timestamp?: bigint;
  height?: bigint;
  gas?: number;
  /**
   * Test runs only (`mote test`, compiler/testing.ts): called on every storage write as the VM makes
   * it, with the events so far and a way to change the call context for the rest of the call. The
   * result of the call does not depend on it otherwise.
   */
  onStore?: (key: Uint8Array, value: Uint8Array, call: CallControl) => void;
  /** `mote run --trace`: every storage read and write and every event, in the order the VM makes them. */
  onTrace?: (e: TraceEntry) => void;
  /**
   * Only on a VM created with `{ trace: true }` (vm/build/mote-trace.wasm): called before each
   * instruction with its offset in the module's bytes and in its function's code, the cached top of
   * the operand stack (meaningful when the stack is not empty) and the gas left in the current block.
   */
  onStep?: (s: TraceStep) => void;
}

export interface TraceStep {
  /** Byte offset of the function's code in the module. */
  codeOffset: number;
  /** Offset of the instruction in the function's code. */
  pc: number;
  /** Operand stack pointer, bytes (grows by 8 per value). */
  sp: number;
  top: bigint;
  gasLeft: number;
}

export type TraceEntry =
  | { kind: "sload" | "sstore"; key: Uint8Array; value: Uint8Array }
  | { kind: "xload"; contract: Uint8Array; key: Uint8Array; value: Uint8Array }
  | { kind: "emit"; event: VmEvent };

/** What a store hook may see and do during a call. */
export interface CallControl {
  /** The events emitted so far in this call (live). */
  events: readonly VmEvent[];
  setCaller(caller: Uint8Array): void;
  setTimestamp(t: bigint): void;
  setHeight(h: bigint): void;
  /** call_value() is `v` from here on and the contract's balance grows by it; false if it would overflow. */
  attachValue(v: bigint): boolean;
}
export interface CallResult {
  status: StatusName;
  gasUsed: number;
  returns: Value[];
  events: VmEvent[];
  error: number | null;
  errorOffset: number | null;
  /** Module byte offset inside the instruction that stopped a call not ending `ok` (resolved by the ABI's source map), else null. */
  stopOffset?: number | null;
}
export type VerifyResult = { ok: true; id: Uint8Array } | { ok: false; code: number; name: VerifyErrorName; offset: number };

interface Exports {
  memory: WebAssembly.Memory;
  mote_memory_used(): number;
  mote_module_ptr(): number;
  mote_load(len: number): number;
  mote_error_offset(): number;
  mote_ctx_ptr(): number;
  mote_io_ptr(): number;
  mote_io_size(): number;
  mote_call(selector: number, argsLen: number, gasLimit: number): number;
  mote_gas_used(): number;
  mote_result_len(): number;
  mote_error(): number;
  mote_stop_offset(): number;
}

/** The state one call works against: committed store, its id, and the overlay of its writes, payments and events. */
interface CallState {
  store: StateStore;
  contract: Uint8Array;
  /** byteKey(contract), handed to stores that take it (StateStore.getKeyed). */
  contractKey: string;
  /** This call's storage writes, value by byteKey(key) (the key's bytes are made again only for a store without setKeyed); committed only on ok. */
  writes: Map<string, Uint8Array>;
  /** Balances changed by this call's payments, by byteKey(id); committed only on ok. */
  balances: Map<string, [Uint8Array, bigint]> | null; // made by the first payment (most calls make none)
  events: VmEvent[];
  onStore?: CallOptions["onStore"];
  onTrace?: CallOptions["onTrace"];
  onStep?: CallOptions["onStep"];
}

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const ZERO32 = new Uint8Array(32);
const MAX_KEY_BYTES = LIMITS.MAX_KEY_BYTES.value;
const MAX_BYTES_LEN = LIMITS.MAX_BYTES_LEN.value;

/** The result of a call that did not run (or ended early): no returns, no events. */
function emptyResult(status: StatusName, extra: Partial<CallResult> = {}): CallResult {
  return { status, gasUsed: 0, returns: [], events: [], error: null, errorOffset: null, ...extra };
}

/** A balance as the store holds it: the entry with the empty key, 8 bytes LE; absent = 0. */
export function readBalance(store: StateStore, id: Uint8Array): bigint {
  const v = store.get(id, BALANCE_KEY);
  if (!v || v.length === 0) return 0n;
  const b = new Uint8Array(8);
  b.set(v.subarray(0, 8));
  return new DataView(b.buffer).getBigUint64(0, true);
}

export function encodeBalance(amount: bigint): Uint8Array {
  if (amount === 0n) return new Uint8Array(0);
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, amount, true);
  return b;
}

function balanceIn(c: CallState, id: Uint8Array): bigint {
  const o = c.balances?.get(byteKey(id));
  return o ? o[1] : readBalance(c.store, id);
}

const STATUS_NAME = STATUSES.map((s) => s.name) as StatusName[];
const VERIFY_NAME = new Map<number, VerifyErrorName>(VERIFY_ERRORS.map((e) => [e.code, e.name]));

const selectors = new Map<string, number>();
function cachedSelector(name: string): number {
  let s = selectors.get(name);
  if (s === undefined) {
    if (selectors.size > 4096) selectors.clear();
    selectors.set(name, (s = selectorOf(name)));
  }
  return s;
}

let compiled: Promise<WebAssembly.Module> | undefined;
let compiledTrace: Promise<WebAssembly.Module> | undefined;
function compileVm(trace = false): Promise<WebAssembly.Module> {
  if (trace) {
    const p = join(dirname(WASM_PATH), "mote-trace.wasm");
    if (!existsSync(p)) throw new Error(`${p} not found: run npm run build`);
    compiledTrace ??= WebAssembly.compile(readFileSync(p));
    return compiledTrace;
  }
  if (!compiled) {
    if (!existsSync(WASM_PATH)) throw new Error(`${WASM_PATH} not found: run npm run build`);
    compiled = WebAssembly.compile(readFileSync(WASM_PATH));
  }
  return compiled;
}

let compiledFast: Promise<WebAssembly.Module> | undefined;
function compileFastRuntime(): Promise<WebAssembly.Module> {
  if (!compiledFast) {
    const p = join(dirname(WASM_PATH), "mote-fast.wasm");
    if (!existsSync(p)) throw new Error(`${p} not found: run npm run build`);
    compiledFast = WebAssembly.compile(readFileSync(p));
  }
  return compiledFast;
}

/**
 * Which engine runs calls: "interp", the interpreter in mote.wasm (the reference, and the one every
 * device runs); "fast", each verified module translated once to WebAssembly (vm/host/fast.ts), with the
 * same results for every input (the differential fuzzer and the conformance vectors check it).
 */
export type EngineKind = "interp" | "fast";

/** Translations shared by every VM of the process, by module id. */
const fastModules = new BoundedCache<string, FastModule>(256);

interface FastRuntime {
  f_begin(ex: number, argsLen: number, gas: number): number;
  f_const(i: number): number;
  fst: WebAssembly.Global;
  mote_gas_used(): number;
  mote_result_len(): number;
  mote_error(): number;
  mote_stop_offset(): number;
}

/** Thrown when the VM itself misbehaves (a WebAssembly trap); never a result of any module or input. */
export class InternalVmFault extends Error {
  constructor(what: string, cause: unknown) {
    super(`internal VM fault during ${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "InternalVmFault";
  }
}

export class MoteVM {
  private readonly x: Exports;
  private readonly mem: Uint8Array;
  private readonly dv: DataView;
  /** The memory as a Buffer, for its latin1Slice (what Buffer#toString("latin1", …) calls, without the dispatch). */
  private readonly memBuf: Buffer & { latin1Slice(start: number, end: number): string };
  private readonly io: number;
  private readonly ioSize: number;
  private readonly ctx: number;
  private readonly memUsed: number;
  private loaded: Uint8Array | null = null;
  private loadedId: Uint8Array | null = null;
  /** The loaded module's id as the default `self`: the host's own copy (the verify result's id is the caller's) and its byteKey. */
  private loadedSelf: Uint8Array | null = null;
  private loadedSelfKey = "";
  private loadedResult: VerifyResult | null = null;
  private cur: CallState | null = null;
  /** The fast engine's runtime instance (null on the interpreter), its layout and this VM's instances of translations. */
  private readonly rt: FastRuntime | null;
  private readonly rtImports: Record<string, unknown> | null;
  private fastLayout: FastLayout | null = null;
  private readonly fastInstances = new BoundedCache<FastModule, (f: number) => number>(64);
  private loadedFast: { fm: FastModule; run: (f: number) => number } | null = null;
  /** The last `self` a call ran as: the host's own copy of it (never written to) and its byteKey. */
  private selfCopy: Uint8Array | null = null;
  private selfKey = "";
  /** Storage keys read from memory, interned (keys.ts): the overlay and the store find them without a new string. */
  private readonly keys: KeyTable;

  /** The engine this VM runs calls on. */
  readonly engine: EngineKind;

  private constructor(instance: WebAssembly.Instance, rt: WebAssembly.Instance | null) {
    this.x = instance.exports as unknown as Exports;
    this.engine = rt ? "fast" : "interp";
    this.rt = rt ? (rt.exports as unknown as FastRuntime) : null;
    this.rtImports = rt ? Object.fromEntries([...RUNTIME_IMPORTS, "fgas", "fst", "arenaTop"].map((k) => [k, (rt.exports as Record<string, unknown>)[k]])) : null;
    this.mem = new Uint8Array(this.x.memory.buffer);
    this.dv = new DataView(this.x.memory.buffer);
    this.memBuf = Buffer.from(this.x.memory.buffer) as MoteVM["memBuf"];
    this.io = this.x.mote_io_ptr();
    this.ioSize = this.x.mote_io_size();
    this.ctx = this.x.mote_ctx_ptr();
    this.memUsed = this.x.mote_memory_used();
    this.keys = new KeyTable((ptr, len) => this.memKey(ptr, len), 1 << 14, MAX_KEY_BYTES);
  }

  /** The call context, writable during a call by a store hook (see CallOptions.onStore). */
  private control(c: CallState): CallControl {
    const ctx = this.x.mote_ctx_ptr();
    return {
      events: c.events,
      setCaller: (pk) => {
        if (pk.length !== 32) throw new RangeError("caller must be a 32-byte public key");
        this.mem.set(pk, ctx);
      },
      setTimestamp: (t) => this.dv.setBigUint64(ctx + 32, BigInt.asUintN(64, t), true),
      setHeight: (h) => this.dv.setBigUint64(ctx + 40, BigInt.asUintN(64, h), true),
      attachValue: (v) => {
        // as a host does for a call that carries value: call_value() says v, and the contract holds it
        const amount = BigInt.asUintN(64, v);
        const bal = balanceIn(c, c.contract);
        if (bal + amount > U64_MAX) return false;
        (c.balances ??= new Map()).set(byteKey(c.contract), [c.contract, bal + amount]);
        this.dv.setBigUint64(ctx + 80, amount, true);
        return true;
      },
    };
  }

  /**
   * A VM on vm/build/mote.wasm; `{ trace: true }` runs the trace build, whose calls report each
   * instruction (CallOptions.onStep); a wasm image (or `{ wasm }`) runs that build of the VM instead (the
   * mutation tools and the hostile-import tests run VMs this way).
   */
  static async create(
    opts: { trace?: boolean; wasm?: Uint8Array<ArrayBuffer>; engine?: EngineKind } | Uint8Array<ArrayBuffer> = {},
  ): Promise<MoteVM> {
    const o = opts instanceof Uint8Array ? { wasm: opts } : opts;
    const engine = o.engine ?? "interp";
    if (engine === "fast" && (o.trace || o.wasm)) throw new RangeError("the fast engine runs neither the trace build nor another VM image");
    const mod = o.wasm ? await WebAssembly.compile(o.wasm) : await compileVm(o.trace === true);
    let vm: MoteVM | undefined;
    const env = MoteVM.imports(() => vm!);
    const instance = await WebAssembly.instantiate(mod, { env });
    const rt = engine === "fast"
      ? await WebAssembly.instantiate(await compileFastRuntime(), { env: { ...env, memory: (instance.exports as unknown as Exports).memory } })
      : null;
    vm = new MoteVM(instance, rt);
    return vm;
  }

  /** The translation of the loaded module and this VM's instance of it. */
  private fast(module: Uint8Array, id: Uint8Array): { fm: FastModule; run: (f: number) => number } {
    if (this.loadedFast) return this.loadedFast;
    const rt = this.rt!;
    const L = (this.fastLayout ??= {
      mem: this.mem, STACK: rt.f_const(0), STACK_SLOTS: rt.f_const(1), FUNCS: rt.f_const(2), CONSTS: rt.f_const(3), GASTAB: rt.f_const(5),
      CTX: rt.f_const(6), IMAGE: rt.f_const(7), MAX_CALL_DEPTH: rt.f_const(8), ARENA: rt.f_const(9), ARENA_END: rt.f_const(10),
    });
    const fm = fastModules.get(toHex(id), () => compileFast(module, L));
    const run = this.fastInstances.get(fm, () => {
      const inst = new WebAssembly.Instance(fm.module, { rt: this.rtImports!, env: { memory: this.x.memory } } as WebAssembly.Imports);
      return (inst.exports as { run(f: number): number }).run;
    });
    return (this.loadedFast = { fm, run });
  }

  /** Bytes of linear memory the VM may touch (its exact bound). */
  get memoryUsed(): number {
    return this.memUsed;
  }

  /** The linear memory, for tests that check the VM stays within memoryUsed. */
  get memory(): Uint8Array {
    return this.mem;
  }

  /** The host's copy of `self` for a call and, in selfKey, its byteKey: made again only when `self` changes. */
  private contractFor(self: Uint8Array): Uint8Array {
    const l = this.selfCopy;
    if (l !== null) {
      let i = 0;
      while (i < 32 && l[i] === self[i]) i++;
      if (i === 32) return l;
    }
    this.selfKey = byteKey(self);
    return (this.selfCopy = self.slice());
  }

  /** A u64 into the context, wrapped as BigInt.asUintN(64, …) does; absent = 0, written without BigInt work. */
  private setU64(at: number, v: bigint | undefined): void {
    if (v === undefined || v === 0n) {
      this.dv.setUint32(at, 0, true);
      this.dv.setUint32(at + 4, 0, true);
    } else this.dv.setBigUint64(at, BigInt.asUintN(64, v), true);
  }

  /** byteKey of a storage key in memory: interned when it is one the VM can pass (at most MAX_KEY_BYTES). */
  private storageKey(ptr: number, len: number): string {
    return len <= MAX_KEY_BYTES ? this.keys.intern(this.mem, ptr, len) : this.memKey(ptr, len);
  }

  /** byteKey of memory bytes [ptr, ptr + len), read straight from the memory (no copy, no view). */
  private memKey(ptr: number, len: number): string {
    // Node's Buffer has latin1Slice; a browser's Buffer polyfill (the playground) only the documented toString
    return typeof this.memBuf.latin1Slice === "function" ? this.memBuf.latin1Slice(ptr, ptr + len) : this.memBuf.toString("latin1", ptr, ptr + len);
  }

    private range(ptr: number, len: number): boolean {
    return ptr >= 0 && len >= 0 && ptr + len <= this.memUsed;
  }

  private static imports(vm: () => MoteVM): Record<string, (...a: number[]) => number | void> {
    const fail = -1;
    return {
      host_sload(keyPtr, keyLen, outPtr, outCap) {
        const v = vm();
        const c = v.cur;
        if (!c || !v.range(keyPtr, keyLen) || !v.range(outPtr, outCap)) return fail;
        const k = v.storageKey(keyPtr, keyLen);
        const w = c.writes.get(k);
        let val: Uint8Array | undefined;
        try {
          // a view of the key (no copy): stores look it up and do not keep it
          val = w !== undefined ? w : c.store.getKeyed ? c.store.getKeyed(c.contract, null, k, c.contractKey) : c.store.get(c.contract, v.mem.subarray(keyPtr, keyPtr + keyLen));
        } catch {
          return fail;
        }
        if (c.onTrace) c.onTrace({ kind: "sload", key: v.mem.slice(keyPtr, keyPtr + keyLen), value: val ?? new Uint8Array(0) });
        return v.putValue(val, outPtr, outCap);
      },
      host_sstore(keyPtr, keyLen, valPtr, valLen) {
        const v = vm();
        const c = v.cur;
        // an empty key is the contract's native balance (readBalance): only host_pay changes it; keys and
        // values past the limits fail the call as on mote-host (the VM never passes them)
        if (!c || keyLen < 1 || keyLen > MAX_KEY_BYTES || valLen > MAX_BYTES_LEN) return fail;
        if (!v.range(keyPtr, keyLen) || !v.range(valPtr, valLen)) return fail;
        const value = v.mem.slice(valPtr, valPtr + valLen);
        c.writes.set(v.storageKey(keyPtr, keyLen), value);
        // the key's bytes are made here only for the hooks that look at them
        const key = c.onStore || c.onTrace ? v.mem.slice(keyPtr, keyPtr + keyLen) : null;
        if (c.onStore) c.onStore(key!, value, v.control(c));
        if (c.onTrace) c.onTrace({ kind: "sstore", key: key!, value });
        return 0;
      },
      host_xload(idPtr, keyPtr, keyLen, outPtr, outCap) {
        const v = vm();
        const c = v.cur;
        if (!c || !v.range(idPtr, 32) || !v.range(keyPtr, keyLen) || !v.range(outPtr, outCap)) return fail;
        let val: Uint8Array | undefined;
        try {
          val = c.store.get(v.mem.slice(idPtr, idPtr + 32), v.mem.slice(keyPtr, keyPtr + keyLen));
        } catch {
          return fail;
        }
        if (c.onTrace) c.onTrace({ kind: "xload", contract: v.mem.slice(idPtr, idPtr + 32), key: v.mem.slice(keyPtr, keyPtr + keyLen), value: val ?? new Uint8Array(0) });
        return v.putValue(val, outPtr, outCap);
      },
      host_emit(ptr, len) {
        const v = vm();
        const c = v.cur;
        if (!c || !v.range(ptr, len) || len < 5) return fail;
        const ev = v.decodeEvent(ptr, len);
        if (!ev) return fail;
        c.events.push(ev);
        if (c.onTrace) c.onTrace({ kind: "emit", event: ev });
        return 0;
      },
      host_balance(idPtr, outPtr) {
        const v = vm();
        const c = v.cur;
        if (!c || !v.range(idPtr, 32) || !v.range(outPtr, 8)) return fail;
        let bal: bigint;
        try {
          bal = balanceIn(c, v.mem.slice(idPtr, idPtr + 32));
        } catch {
          return fail;
        }
        v.dv.setBigUint64(outPtr, bal, true);
        return 0;
      },
      host_pay(toPtr, amountPtr) {
        const v = vm();
        const c = v.cur;
        if (!c || !v.range(toPtr, 32) || !v.range(amountPtr, 8)) return fail;
        const to = v.mem.slice(toPtr, toPtr + 32);
        const amount = v.dv.getBigUint64(amountPtr, true);
        try {
          const from = balanceIn(c, c.contract);
          if (from < amount) return 1;
          if (Buffer.compare(to, c.contract) === 0) return 0;
          const dest = balanceIn(c, to);
          if (dest + amount > U64_MAX) return 2;
          const b = (c.balances ??= new Map());
          b.set(byteKey(c.contract), [c.contract, from - amount]);
          b.set(byteKey(to), [to, dest + amount]);
        } catch {
          return fail;
        }
        return 0;
      },
      // present in the trace build only (vm/build/mote-trace.wasm)
      host_trace(pc, cb, sp, top, gas) {
        const v = vm();
        const c = v.cur;
        if (!c?.onStep) return;
        const image = v.x.mote_module_ptr();
        c.onStep({ codeOffset: cb - image, pc: pc - cb, sp, top: BigInt.asUintN(64, top as unknown as bigint), gasLeft: gas });
      },
      host_sha256(ptr, len, outPtr) {
        const v = vm();
        if (!v.range(ptr, len) || !v.range(outPtr, 32)) return;
        v.mem.set(sha256(v.mem.subarray(ptr, ptr + len)), outPtr);
      },
      host_ed25519_verify(pkPtr, msgPtr, msgLen, sigPtr) {
        const v = vm();
        if (!v.range(pkPtr, 32) || !v.range(msgPtr, msgLen) || !v.range(sigPtr, 64)) return 0;
        return verifyEd25519(v.mem.slice(sigPtr, sigPtr + 64), v.mem.slice(msgPtr, msgPtr + msgLen), v.mem.slice(pkPtr, pkPtr + 32)) ? 1 : 0;
      },
    };
  }

  private putValue(val: Uint8Array | undefined, outPtr: number, outCap: number): number {
    if (!val) return 0;
    if (val.length > outCap) return -1;
    this.mem.set(val, outPtr);
    return val.length;
  }

  private decodeEvent(ptr: number, len: number): VmEvent | null {
    const end = ptr + len;
    const topic = this.dv.getUint32(ptr, true);
    const count = this.mem[ptr + 4]!;
    let p = ptr + 5;
    const values: Value[] = [];
    for (let i = 0; i < count; i++) {
      if (p >= end) return null;
      const tag = this.mem[p]!;
      if (tag === TAG_INT && p + 9 <= end) {
        values.push(this.dv.getBigUint64(p + 1, true));
        p += 9;
      } else if (tag === TAG_BYTES && p + 3 <= end) {
        const l = this.dv.getUint16(p + 1, true);
        if (p + 3 + l > end) return null;
        values.push(this.mem.slice(p + 3, p + 3 + l));
        p += 3 + l;
      } else return null;
    }
    return p === end ? { topic, values } : null;
  }

  private load(module: Uint8Array): VerifyResult {
    const l = this.loaded;
    if (l && l.length === module.length && Buffer.compare(l, module) === 0) return this.loadedResult!;
    let code: number;
    if (module.length > LIMITS.MODULE_MAX_BYTES.value) {
      code = this.guard("load", () => this.x.mote_load(module.length));
    } else {
      this.mem.set(module, this.x.mote_module_ptr());
      code = this.guard("load", () => this.x.mote_load(module.length));
    }
    const r: VerifyResult =
      code === 0
        ? { ok: true, id: sha256(module) }
        : { ok: false, code, name: VERIFY_NAME.get(code) ?? ("unknown" as VerifyErrorName), offset: this.x.mote_error_offset() };
    this.loaded = module.slice();
    this.loadedResult = r;
    this.loadedFast = null;
    this.loadedId = r.ok ? r.id : null;
    this.loadedSelf = r.ok ? r.id.slice() : null;
    this.loadedSelfKey = r.ok ? byteKey(r.id) : "";
    return r;
  }

  private guard<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new InternalVmFault(what, e);
      throw e;
    }
  }

  verify(module: Uint8Array): VerifyResult {
    return this.load(module);
  }

  call(module: Uint8Array, fn: string | number, args: Value[], opts: CallOptions): CallResult {
    const v = this.load(module);
    const res = emptyResult;
    if (!v.ok) return res("invalid_module", { error: v.code, errorOffset: v.offset });
    const selector = typeof fn === "number" ? fn >>> 0 : cachedSelector(fn);
    // arguments, tagged, into the I/O buffer
    const io = this.io;
    const ioSize = this.ioSize;
    let p = io;
    for (const a of args) {
      if (typeof a === "bigint") {
        if (p + 9 > io + ioSize || a < I64_MIN || a > U64_MAX) return res("bad_call");
        this.mem[p] = TAG_INT;
        this.dv.setBigUint64(p + 1, BigInt.asUintN(64, a), true);
        p += 9;
      } else {
        if (p + 3 + a.length > io + ioSize || a.length > 0xffff) return res("bad_call");
        this.mem[p] = TAG_BYTES;
        this.dv.setUint16(p + 1, a.length, true);
        this.mem.set(a, p + 3);
        p += 3 + a.length;
      }
    }
    // context
    const ctx = this.ctx;
    const caller = opts.caller ?? ZERO32;
    if (caller.length !== 32) throw new RangeError("caller must be a 32-byte public key");
    this.mem.set(caller, ctx);
    this.setU64(ctx + 32, opts.timestamp);
    this.setU64(ctx + 40, opts.height);
    let contract: Uint8Array;
    let contractKey: string;
    if (opts.self === undefined) {
      contract = this.loadedSelf!;
      contractKey = this.loadedSelfKey;
    } else {
      if (opts.self.length !== 32) throw new RangeError("self must be a 32-byte contract id");
      contract = this.contractFor(opts.self);
      contractKey = this.selfKey;
    }
    this.mem.set(contract, ctx + 48);
    const value = opts.value;
    if (value !== undefined && (value < 0n || value > U64_MAX)) throw new RangeError("value must be a u64");
    this.setU64(ctx + 80, value);
    const gas = opts.gas ?? LIMITS.DEFAULT_GAS.value;
    if (!Number.isInteger(gas) || gas < 0 || gas > LIMITS.MAX_GAS.value) throw new RangeError(`gas must be an integer in 0..${LIMITS.MAX_GAS.value}`);

    // a new overlay per call: Map#clear costs V8 a new table, more than a new Map does
    const writes = new Map<string, Uint8Array>();
    const state: CallState = {
      store: opts.store, contract, contractKey, writes, balances: null, events: [],
      onStore: opts.onStore, onTrace: opts.onTrace, onStep: opts.onStep,
    };
    this.cur = state;
    let code: number;
    const rt = this.rt;
    try {
      if (rt) {
        const f = this.fast(module, this.loadedSelf!); // the host's copy of the id: the translation cache must not follow a caller's edits
        const fi = rt.f_begin(f.fm.exports.get(selector) ?? -1, p - io, gas);
        code = fi < 0 ? (rt.fst.value as number) : f.run(fi);
      } else {
        code = this.x.mote_call(selector, p - io, gas);
      }
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new InternalVmFault("call", e);
      throw e;
    } finally {
      this.cur = null;
    }
    const out = rt ?? this.x;
    const status = STATUS_NAME[code];
    if (status === undefined) throw new InternalVmFault("call", `unknown status ${code}`);
    const gasUsed = out.mote_gas_used();
    // an error id is a u32 (the revert/require immediate, a verifier code); the export returns it as an i32
    const error = status === "revert" || status === "invalid_module" ? out.mote_error() >>> 0 : null;
    if (status !== "ok") {
      const stop = out.mote_stop_offset();
      return res(status, { gasUsed, error, stopOffset: stop >= 0 ? stop : null });
    }
    const returns: Value[] = [];
    const rl = out.mote_result_len();
    let q = io;
    while (q < io + rl) {
      if (this.mem[q] === TAG_INT) {
        returns.push(this.dv.getBigUint64(q + 1, true));
        q += 9;
      } else {
        const l = this.dv.getUint16(q + 1, true);
        returns.push(this.mem.slice(q + 3, q + 3 + l));
        q += 3 + l;
      }
    }
    const st = opts.store;
    if (st.setKeyed) writes.forEach((w, k) => st.setKeyed!(contract, null, k, w, contractKey));
    else writes.forEach((w, k) => st.set(contract, keyBytes(k), w));
    state.balances?.forEach((b) => st.set(b[0], BALANCE_KEY, encodeBalance(b[1])));
    return { status, gasUsed, returns, events: state.events, error: null, errorOffset: null };
  }
}

function valueJson(v: Value): string {
  return typeof v === "bigint" ? JSON.stringify(BigInt.asUintN(64, v).toString()) : JSON.stringify("0x" + toHex(v));
}

/** Canonical one-line JSON of a call result, exactly as docs/host-abi.md specifies. */
export function resultToJson(r: CallResult): string {
  const returns = r.returns.map(valueJson).join(",");
  const events = r.events.map((e) => `{"topic":${JSON.stringify(String(e.topic >>> 0))},"values":[${e.values.map(valueJson).join(",")}]}`).join(",");
  return `{"status":${JSON.stringify(r.status)},"gasUsed":${r.gasUsed},"returns":[${returns}],"events":[${events}],"error":${r.error === null ? "null" : r.error},"at":${r.stopOffset ?? "null"}}`;
}
