// The fuzz oracle: runs one case (a module and its calls) through the Node host and checks everything
// that must hold for ANY input — no trap, a known status, exact and bounded gas, no effect on failure,
// determinism, memory within the VM's bound, and agreement between the VM's verifier and the TS tools.
import { sha256 } from "@noble/hashes/sha2.js";
import { STATUSES } from "../../vm/spec/format.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { decodeInstruction, decodeModule, ModuleFormatError } from "../../vm/spec/module.ts";
import { assemble, disassemble } from "../../vm/asm/index.ts";
import { InternalVmFault, MemoryStateStore, MoteVM, resultToJson, type CallResult, type Value } from "../../vm/host/index.ts";
import { FOREIGN_ID, type CallSpec } from "./program-gen.ts";
import type { Rng } from "./random.ts";

const STATUS_NAMES = new Set<string>(STATUSES.map((s) => s.name));
const SENTINEL = 0xa5;

/** One broken property, with enough words to name it in a regression file. */
export interface Finding {
  /** Short stable kind, used to name regression files: vm-fault, gas-exceeded, nondeterministic, ... */
  kind: string;
  detail: string;
}

export interface CheckOptions {
  /** Re-run each call on a copy of the state and compare (determinism). */
  determinism?: boolean;
  /** A second VM for the determinism rerun, dirtied by another module first (history independence). */
  twin?: MoteVM;
  /** Re-run with exactly gasUsed (same result) and gasUsed - 1 (out_of_gas). */
  gasExactness?: boolean;
  /** disassemble -> assemble must give back the bytes of every module the VM accepts. */
  roundTrip?: boolean;
}

export interface CaseOutcome {
  verified: boolean;
  verifyCode: number;
  /** One canonical JSON line per call (resultToJson), in call order. */
  results: string[];
  findings: Finding[];
}

/** A state with entries for the module itself and a foreign contract, so loads read something real. */
export function seededStore(module: Uint8Array, r: Rng | null): MemoryStateStore {
  const s = new MemoryStateStore();
  const own = sha256(module);
  const le8 = (x: bigint): Uint8Array => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, x), true);
    return b;
  };
  const key = (slot: number, rest: Uint8Array = new Uint8Array(0)): Uint8Array => Uint8Array.of(slot, ...rest);
  for (const id of [own, FOREIGN_ID]) {
    s.set(id, key(0), le8(41n));
    s.set(id, key(1), Uint8Array.from({ length: 40 }, (_, i) => i));
    s.set(id, key(2, le8(0n)), le8(-1n));
    s.set(id, key(2, le8(1n)), Uint8Array.of(7));
    s.set(id, key(3, Uint8Array.of(1, 2, 3)), le8(2n ** 63n));
  }
  if (r) {
    for (let n = r.int(4); n > 0; n--) {
      const id = r.chance(0.5) ? own : FOREIGN_ID;
      const slot = r.int(4);
      const k = r.chance(0.5) ? key(slot) : key(slot, r.chance(0.5) ? le8(r.u64()) : r.bytes(r.int(40)));
      // sometimes a value longer than any VM buffer: the host must report it, not overflow
      const len = r.weighted<number>([[6, r.int(16)], [2, r.int(LIMITS.MAX_BYTES_LEN.value + 1)], [1, LIMITS.MAX_BYTES_LEN.value + 1 + r.int(64)]]);
      s.set(id, k, r.bytes(len));
    }
  }
  return s;
}

const storeText = (s: MemoryStateStore): string => JSON.stringify(s.toJSON());

/** Calls the VM, turning any exception into a finding instead of letting it escape. */
function safeCall(vm: MoteVM, module: Uint8Array, c: CallSpec, store: MemoryStateStore, gas: number, out: Finding[]): CallResult | null {
  try {
    return vm.call(module, c.selector, c.args, { store, gas, caller: c.caller, timestamp: c.timestamp, height: c.height });
  } catch (e) {
    const kind = e instanceof InternalVmFault ? "vm-fault" : "host-exception";
    out.push({ kind, detail: `${(e as Error).message} (selector 0x${(c.selector >>> 0).toString(16)}, gas ${gas})` });
    return null;
  }
}

/** The calls of a case on one VM, each result as its canonical line ("exception" when the host threw). */
export function runOnEngine(vm: MoteVM, module: Uint8Array, calls: readonly CallSpec[], store: MemoryStateStore): { results: string[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const results = calls.map((c) => {
    const r = safeCall(vm, module, c, store, c.gas, findings);
    return r ? resultToJson(r) : "exception";
  });
  return { results, findings };
}

function valueIsBytes(v: Value): boolean {
  return v instanceof Uint8Array;
}

/** Runs a case and checks every property; never throws for any module or call. */
export function checkCase(vm: MoteVM, module: Uint8Array, calls: readonly CallSpec[], store: MemoryStateStore, opts: CheckOptions = {}): CaseOutcome {
  const findings: Finding[] = [];
  const results: string[] = [];
  let v;
  try {
    v = vm.verify(module);
  } catch (e) {
    findings.push({ kind: e instanceof InternalVmFault ? "vm-fault" : "host-exception", detail: `verify: ${(e as Error).message}` });
    return { verified: false, verifyCode: -1, results, findings };
  }
  if (!v.ok) {
    if (v.code <= 0 || v.name === ("unknown" as string)) findings.push({ kind: "verify-code", detail: `unknown verifier code ${v.code}` });
    if (v.offset < 0 || v.offset > module.length) findings.push({ kind: "verify-offset", detail: `verifier offset ${v.offset} outside 0..${module.length} (code ${v.name})` });
  } else {
    // The VM accepted it: the TS decoder must read it, and the text tools must round-trip it.
    let decoded = false;
    try {
      decodeModule(module);
      decoded = true;
    } catch (e) {
      findings.push({ kind: "decoder-disagrees", detail: `the VM accepts the module but decodeModule rejects it: ${(e as Error).message}` });
    }
    if (decoded && opts.roundTrip) {
      try {
        const text = disassemble(module);
        const again = assemble(text, "<disasm>");
        if (Buffer.compare(Buffer.from(again), Buffer.from(module)) !== 0) {
          findings.push({ kind: "asm-roundtrip", detail: `assemble(disassemble(m)) differs from m (${again.length} vs ${module.length} bytes)` });
        }
      } catch (e) {
        const what = e instanceof ModuleFormatError ? "disassemble" : "assemble";
        findings.push({ kind: "asm-roundtrip", detail: `${what} failed on a verified module: ${(e as Error).message.split("\n")[0]}` });
      }
    }
  }
  let exportParams: Map<number, { params: number; retBytes: boolean; results: number }> | undefined;
  if (v.ok) {
    try {
      const d = decodeModule(module);
      exportParams = new Map(d.exports.map((e) => [e.selector >>> 0, { params: d.functions[e.func]!.params, results: d.functions[e.func]!.results, retBytes: (e.retMask & 1) !== 0 }]));
    } catch {
      exportParams = undefined;
    }
  }
  const readsGas = opts.gasExactness === true && usesOpcode(module, "gasleft");
  for (const c of calls) {
    const before = storeText(store);
    const res = safeCall(vm, module, c, store, c.gas, findings);
    if (!res) {
      results.push("exception");
      continue;
    }
    const json = resultToJson(res);
    results.push(json);
    const where = `call 0x${(c.selector >>> 0).toString(16).padStart(8, "0")} gas ${c.gas}: ${json.slice(0, 200)}`;
    if (!STATUS_NAMES.has(res.status)) findings.push({ kind: "unknown-status", detail: where });
    if (!(res.gasUsed >= 0 && res.gasUsed <= c.gas)) findings.push({ kind: "gas-exceeded", detail: `gasUsed ${res.gasUsed} outside 0..${c.gas}; ${where}` });
    if (res.status === "out_of_gas" && res.gasUsed !== c.gas) findings.push({ kind: "oog-gas", detail: `out_of_gas used ${res.gasUsed}, not the limit; ${where}` });
    if (!v.ok && res.status !== "invalid_module") findings.push({ kind: "ran-invalid", detail: `a rejected module ran: ${where}` });
    if (res.status !== "ok") {
      if (res.returns.length || res.events.length) findings.push({ kind: "effects-on-failure", detail: `status ${res.status} with returns or events; ${where}` });
      if (storeText(store) !== before) findings.push({ kind: "effects-on-failure", detail: `status ${res.status} changed the store; ${where}` });
    } else {
      if (res.events.length > LIMITS.MAX_EVENTS.value) findings.push({ kind: "too-many-events", detail: where });
      for (const e of res.events) for (const x of e.values) if (valueIsBytes(x) && (x as Uint8Array).length > LIMITS.MAX_BYTES_LEN.value) findings.push({ kind: "oversized-event", detail: where });
      const shape = exportParams?.get(c.selector >>> 0);
      if (shape) {
        // `halt` ends the whole call with no results, whatever the function declares
        if (res.returns.length !== shape.results && res.returns.length !== 0) findings.push({ kind: "result-count", detail: `${res.returns.length} results from a function with ${shape.results}; ${where}` });
        else if (res.returns.length === 1 && valueIsBytes(res.returns[0]!) !== shape.retBytes) findings.push({ kind: "result-type", detail: `result type differs from the export's mask; ${where}` });
      }
    }
    if (opts.determinism) {
      // The rerun happens on another VM whose memory a different module has just filled with junk
      // (stack, arena, I/O buffer, module image): a result that changes depends on load/call history.
      const twin = opts.twin ?? vm;
      if (opts.twin) dirty(opts.twin);
      const copy = MemoryStateStore.fromJSON(JSON.parse(before) as Record<string, Record<string, string>>);
      const again = safeCall(twin, module, c, copy, c.gas, findings);
      if (again && (resultToJson(again) !== json || storeText(copy) !== storeText(store))) {
        findings.push({ kind: "nondeterministic", detail: `same call, same state, different outcome: ${resultToJson(again).slice(0, 200)} vs ${json.slice(0, 200)}` });
      }
    }
    if (opts.gasExactness && res.status !== "out_of_gas" && res.status !== "invalid_module" && res.status !== "bad_call") {
      const state = (): MemoryStateStore => MemoryStateStore.fromJSON(JSON.parse(before) as Record<string, Record<string, string>>);
      // More gas never changes an outcome that did not run out (unless the code reads `gasleft`).
      const more = Math.min(LIMITS.MAX_GAS.value, c.gas * 2 + 1000);
      const generous = readsGas ? null : safeCall(vm, module, c, state(), more, findings);
      if (generous && resultToJson(generous) !== json) findings.push({ kind: "gas-monotonic", detail: `with limit ${more} instead of ${c.gas}: ${resultToJson(generous).slice(0, 160)} vs ${json.slice(0, 160)}` });
      // An ok call ran whole blocks only, so exactly gasUsed suffices. A call that stopped mid-block was
      // refunded the block's unexecuted rest (docs/bytecode.md), so gasUsed alone may not pay its last block.
      if (res.status === "ok" && !readsGas) {
        const exact = safeCall(vm, module, c, state(), res.gasUsed, findings);
        if (exact && resultToJson(exact) !== json) findings.push({ kind: "gas-inexact", detail: `with limit = gasUsed ${res.gasUsed}: ${resultToJson(exact).slice(0, 160)} vs ${json.slice(0, 160)}` });
      }
      const less = res.gasUsed > 0 && !readsGas ? safeCall(vm, module, c, state(), res.gasUsed - 1, findings) : null;
      if (less && res.gasUsed > 0 && (less.status !== "out_of_gas" || less.gasUsed !== res.gasUsed - 1)) {
        findings.push({ kind: "gas-inexact", detail: `with limit gasUsed-1 = ${res.gasUsed - 1}: ${resultToJson(less).slice(0, 160)}; full run ${json.slice(0, 160)}` });
      }
    }
  }
  return { verified: v.ok, verifyCode: v.ok ? 0 : v.code, results, findings };
}

/**
 * A module whose calls leave junk everywhere a later call might look: its own 6 KB image, the whole
 * arena (hashes until arena_full), the value stack and frames (deep recursion holding non-zero values
 * until stack_overflow), and the I/O buffer (events and storage writes).
 */
const DIRTIER = assemble(
  `.const junk 0x${"a5".repeat(1000)}
${[1000, 1000, 1000, 1000, 900].map((n, i) => `.const pad${i} 0x${"5a".repeat(n)}`).join("\n")}
.func arena params=0 results=0 locals=0
top:
    pushb junk
    sha256
    drop
    jmp top
.end
.func deep params=1 results=1 locals=8
    push -6148914691236517206
    lset 1
    push -6148914691236517206
    lset 7
    lget0
    push -6148914691236517206
    push 6148914691236517205
    drop
    drop
    call deep
    ret
.end
.func io params=0 results=0 locals=0
    push 7
    pushb junk
    emit 3 2 2
    pushb junk
    push 0
    push 40
    bslice
    pushb junk
    mstore 2 3
    pushb junk
    push 5
    push 900
    bslice
    push 9
    emit 4 2 1
    halt
.end
.export arena
.export deep
.export io`,
  "<dirtier>",
);

export function dirty(vm: MoteVM): void {
  const store = new MemoryStateStore();
  for (const fn of ["io", "arena", "deep"]) vm.call(DIRTIER, fn, fn === "deep" ? [0xa5a5n] : [], { store, gas: 200_000 });
}

/** Whether any decodable instruction of the module is `name` (a byte scan would also match operands). */
export function usesOpcode(module: Uint8Array, name: string): boolean {
  try {
    for (const f of decodeModule(module).functions) {
      for (let pc = 0; pc < f.code.length; ) {
        const ins = decodeInstruction(f.code, pc);
        if (ins.row.name === name) return true;
        pc = ins.next;
      }
    }
  } catch {
    // undecodable code: the verifier rejected it, so it never runs
  }
  return false;
}

/** Fills linear memory above the VM's declared bound with a sentinel; memoryIntact checks it later. */
export function armMemorySentinel(vm: MoteVM): void {
  vm.memory.fill(SENTINEL, vm.memoryUsed);
}

export function memoryIntact(vm: MoteVM): Finding | null {
  const m = vm.memory;
  for (let i = vm.memoryUsed; i < m.length; i++) {
    if (m[i] !== SENTINEL) return { kind: "memory-bound", detail: `byte ${i} above mote_memory_used() = ${vm.memoryUsed} was written` };
  }
  return null;
}
