// The fast engine: translates a verified Mote module once to a WebAssembly module (V8 compiles it) that
// runs with the interpreter's memory, gas table and runtime (vm/assembly/fast.ts). The interpreter stays
// the reference: every status, gas figure, stop offset, event and storage effect must match it.
//
// Shape of the translation. Each Mote function becomes one wasm function whose Mote locals and operand
// stack slots are wasm locals (the verifier proved every stack height static). Its code is cut into
// blocks at the control entry points; the blocks sit in a dispatch loop (`loop { block … br_table }`):
// forward edges are direct `br`s, backward edges set the label and re-enter the dispatch. Gas is
// charged on the edges where the interpreter charges it (a branch or jump, taken or not, a call's entry
// and its continuation), the amount read from the verifier's gas table, so totals agree at every stop.
import { DYNAMIC_GAS, OPCODE_BY_CODE, type OpcodeRow } from "../spec/opcodes.ts";
import { Status } from "../spec/format.ts";
import { LIMITS } from "../spec/limits.ts";
import { decodeInstruction, decodeModule, type Instruction } from "../spec/module.ts";

/** What the translator reads from the loaded interpreter (its memory after `mote_load`) and the runtime. */
export interface FastLayout {
  mem: Uint8Array;
  STACK: number;
  STACK_SLOTS: number;
  FUNCS: number;
  CONSTS: number;
  GASTAB: number;
  CTX: number;
  IMAGE: number;
  MAX_CALL_DEPTH: number;
  ARENA: number;
  /** The arena's end: an allocation past it is arena_full. */
  ARENA_END: number;
}

/** A translated module: exported function index → run, and the export table by selector. */
export interface FastModule {
  module: WebAssembly.Module;
  /** selector → index in the export table */
  exports: Map<number, number>;
  /** Bytes of the generated wasm (for tests and the benchmark notes). */
  bytes: number;
}

// -- wasm encoding -------------------------------------------------------------------------------------

const I32 = 0x7f;
const I64 = 0x7e;
const EMPTY = 0x40;

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}
function sleb(out: number[], v: bigint): void {
  while (true) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}
function str(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}
function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}

const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_table: 0x0e, return: 0x0f, call: 0x10,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  i64_load: 0x29, i64_load8_u: 0x31, i64_store: 0x37, i64_store8: 0x3c, i64_store16: 0x3d, i64_store32: 0x3e, i32_const: 0x41, i64_const: 0x42,
  br_if: 0x0d, i32_eqz: 0x45, i32_eq: 0x46, i32_lt_s: 0x48, i32_gt_s: 0x4a, i32_gt_u: 0x4b, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i32_and: 0x71, i32_shr_u: 0x76, i32_mul: 0x6c,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55, i64_gt_u: 0x56,
  i64_le_s: 0x57, i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  i32_add: 0x6a, i32_sub: 0x6b, i32_or: 0x72,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80, i64_rem_s: 0x81, i64_rem_u: 0x82,
  i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
} as const;

/** The runtime functions translated code imports from vm/build/mote-fast.wasm: name, params, results. */
const RT: readonly [string, number[], number[]][] = [
  ["f_entry_oog", [], []],
  ["f_stop", [I32, I32, I32, I32], []],
  ["f_fail", [I32, I32], []],
  ["f_halt", [I32], []],
  ["f_end", [I64], [I32]],
  ["f_bslice", [I64, I64, I64], [I64]],
  ["f_beq", [I64, I64], [I64]],
  ["f_itob", [I64, I32], [I64]],
  ["f_btoi", [I64], [I64]],
  ["f_sha256", [I64], [I64]],
  ["f_edverify", [I64, I64, I64], [I64]],
  ["f_balance", [I64], [I64]],
  ["f_pay", [I64, I64], []],
  ["f_emit", [I32, I32, I32], []],
  ["f_storage", [I32, I32, I32, I64, I64], [I64]],
];
export const RUNTIME_IMPORTS: readonly string[] = RT.map((r) => r[0]);
const RTI = new Map(RT.map((r, i) => [r[0], i]));
const GLOBAL_GAS = 0;
const GLOBAL_ST = 1;
/** The runtime's arena top (vm/assembly/refs.ts `arenaTop`), read and set inline by amark, arelease, blen and bget. */
const GLOBAL_ARENA_TOP = 2;

/** Ops carried out by one runtime call: name of the call, values popped, whether it pushes. */
const RUNTIME_OPS: Record<string, { fn: string; pop: number; push: boolean }> = {
  bslice: { fn: "f_bslice", pop: 3, push: true },
  beq: { fn: "f_beq", pop: 2, push: true },
  btoi: { fn: "f_btoi", pop: 1, push: true },
  sha256: { fn: "f_sha256", pop: 1, push: true },
  edverify: { fn: "f_edverify", pop: 3, push: true },
  balance: { fn: "f_balance", pop: 1, push: true },
  pay: { fn: "f_pay", pop: 2, push: false },
};

const CMP: Record<string, number> = {
  eq: OP.i64_eq, ne: OP.i64_ne, ltu: OP.i64_lt_u, lts: OP.i64_lt_s, gtu: OP.i64_gt_u, gts: OP.i64_gt_s,
  leu: OP.i64_le_u, les: OP.i64_le_s, geu: OP.i64_ge_u, ges: OP.i64_ge_s,
};
const JCMP: Record<string, number> = { jeq: OP.i64_eq, jne: OP.i64_ne, jltu: OP.i64_lt_u, jgeu: OP.i64_ge_u, jlts: OP.i64_lt_s, jges: OP.i64_ge_s };
const BIN: Record<string, number> = {
  add: OP.i64_add, sub: OP.i64_sub, mul: OP.i64_mul, and: OP.i64_and, or: OP.i64_or, xor: OP.i64_xor,
  shl: OP.i64_shl, shru: OP.i64_shr_u, shrs: OP.i64_shr_s,
};
const STORAGE = new Set(["sload", "sstore", "mload", "mstore", "xload", "xmload"]);
/** The one-operand short forms: the storage op they stand for and its implied mode. */
const SHORT_STORAGE: Record<string, { op: string; mode: number } | undefined> = {
  sloadi: { op: "sload", mode: 0 },
  sstorei: { op: "sstore", mode: 0 },
  mloadbi: { op: "mload", mode: 1 },
  mstorebi: { op: "mstore", mode: 1 },
};
const OP_CODE: Record<string, number> = Object.fromEntries(OPCODE_BY_CODE.flatMap((r) => (r ? [[r.name, r.code]] : [])));
const I64_MIN = -(2n ** 63n);

interface Fn {
  index: number;
  addr: number; // absolute address of the code in the interpreter's memory
  len: number;
  params: number;
  results: number;
  nloc: number;
  maxStack: number;
}

/** Translates the module loaded in the interpreter (memory as `mote_load` left it) to wasm bytes. */
export function translate(moduleBytes: Uint8Array, L: FastLayout): { wasm: Uint8Array<ArrayBuffer>; exports: Map<number, number> } {
  const def = decodeModule(moduleBytes);
  const mem = L.mem;
  const dv = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
  const fns: Fn[] = def.functions.map((f, i) => {
    const e = L.FUNCS + i * 8;
    return { index: i, addr: dv.getUint16(e, true), len: dv.getUint16(e + 2, true), params: f.params, results: f.results, nloc: f.params + f.locals, maxStack: f.maxStack };
  });
  const codeBase = fns.length > 0 ? fns[0]!.addr : 0;
  /** The verifier's gas-table entry at absolute address a: the cost from a to the end of its block. */
  const gasAt = (a: number): number => dv.getUint16(L.GASTAB + (a - codeBase) * 2, true);
  const exports = new Map<number, number>();
  def.exports.forEach((e, i) => exports.set(e.selector >>> 0, i));

  // types
  const types: string[] = [];
  const typeBytes: number[][] = [];
  const typeOf = (params: number[], results: number[]): number => {
    const k = params.join(",") + ":" + results.join(",");
    let i = types.indexOf(k);
    if (i < 0) {
      i = types.length;
      types.push(k);
      const b: number[] = [0x60];
      uleb(b, params.length);
      b.push(...params);
      uleb(b, results.length);
      b.push(...results);
      typeBytes.push(b);
    }
    return i;
  };
  const rtTypes = RT.map(([, p, r]) => typeOf(p, r));
  const fnTypes = fns.map((f) => typeOf([...Array<number>(f.params).fill(I64), I32, I32], f.results ? [I64] : []));
  const runType = typeOf([I32], [I32]);
  const nImports = RT.length;
  const fnIndex = (k: number): number => nImports + k;

  const bodies = fns.map((f) => translateFunction(f, fns, L, dv, gasAt, fnIndex));

  // run(f): the entry block's charge, the arguments from STACK, the call, f_end
  const run: number[] = [];
  for (const f of fns) {
    run.push(OP.local_get, 0, OP.i32_const);
    sleb(run, BigInt(f.index));
    run.push(OP.i32_eq, OP.if, EMPTY);
    run.push(OP.global_get, GLOBAL_GAS, OP.i32_const);
    sleb(run, BigInt(gasAt(f.addr)));
    run.push(OP.i32_sub, OP.local_tee, 1, OP.i32_const, 0, OP.i32_lt_s, OP.if, EMPTY);
    run.push(OP.call, RTI.get("f_entry_oog")!, OP.i32_const);
    sleb(run, BigInt(Status.out_of_gas));
    run.push(OP.return, OP.end);
    run.push(OP.local_get, 1, OP.global_set, GLOBAL_GAS);
    for (let i = 0; i < f.params; i++) {
      run.push(OP.i32_const, 0, OP.i64_load, 3);
      uleb(run, L.STACK + i * 8);
    }
    run.push(OP.i32_const);
    sleb(run, BigInt(L.STACK));
    run.push(OP.i32_const, 0, OP.call);
    uleb(run, fnIndex(f.index));
    if (!f.results) run.push(OP.i64_const, 0);
    run.push(OP.call, RTI.get("f_end")!, OP.return, OP.end);
  }
  run.push(OP.i32_const);
  sleb(run, BigInt(Status.bad_call));
  run.push(OP.end);

  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const typeSec: number[] = [];
  uleb(typeSec, typeBytes.length);
  for (const b of typeBytes) typeSec.push(...b);
  section(out, 1, typeSec);
  const imp: number[] = [];
  uleb(imp, RT.length + 4);
  RT.forEach(([name], i) => {
    str(imp, "rt");
    str(imp, name);
    imp.push(0x00);
    uleb(imp, rtTypes[i]!);
  });
  str(imp, "rt");
  str(imp, "fgas");
  imp.push(0x03, I32, 1);
  str(imp, "rt");
  str(imp, "fst");
  imp.push(0x03, I32, 1);
  str(imp, "rt");
  str(imp, "arenaTop");
  imp.push(0x03, I32, 1);
  str(imp, "env");
  str(imp, "memory");
  imp.push(0x02, 0x01, 0x01, 0x01);
  section(out, 2, imp);
  const fsec: number[] = [];
  uleb(fsec, fns.length + 1);
  for (const t of fnTypes) uleb(fsec, t);
  uleb(fsec, runType);
  section(out, 3, fsec);
  const ex: number[] = [];
  uleb(ex, 1);
  str(ex, "run");
  ex.push(0x00);
  uleb(ex, nImports + fns.length);
  section(out, 7, ex);
  const code: number[] = [];
  uleb(code, fns.length + 1);
  const runBody: number[] = [1, 1, I32, ...run];
  for (const b of [...bodies, runBody]) {
    uleb(code, b.length);
    for (const x of b) code.push(x);
  }
  section(out, 10, code);
  return { wasm: new Uint8Array(out), exports };
}

interface Block {
  start: number; // offset in the function's code
  height: number; // operand stack height on entry, -1 when unreachable
}

function translateFunction(
  f: Fn,
  fns: readonly Fn[],
  L: FastLayout,
  dv: DataView,
  gasAt: (a: number) => number,
  fnIndex: (k: number) => number,
): number[] {
  const code = L.mem.subarray(f.addr, f.addr + f.len);
  const modOff = (rel: number): number => f.addr + rel - L.IMAGE; // module byte offset of code offset rel
  // decode every instruction
  const insns = new Map<number, Instruction>();
  const order: number[] = [];
  for (let p = 0; p < f.len; ) {
    const ins = decodeInstruction(code, p);
    insns.set(p, ins);
    order.push(p);
    p = ins.next;
  }
  const flow = (ins: Instruction): string => ins.row.flow;
  const target = (ins: Instruction): number => ins.operands[0] as number;
  // leaders
  const leaders = new Set<number>([0]);
  for (const p of order) {
    const ins = insns.get(p)!;
    const fl = flow(ins);
    if (fl === "branch" || fl === "jump") leaders.add(target(ins));
    if (fl !== "next" && ins.next < f.len) leaders.add(ins.next);
  }
  // heights at every reachable instruction (the verifier proved them consistent)
  const height = new Map<number, number>();
  const work: number[] = [0];
  height.set(0, 0);
  const effect = (ins: Instruction): [number, number] => {
    if (ins.row.name === "call") {
      const c = fns[ins.operands[0] as number]!;
      return [c.params, c.results];
    }
    if (ins.row.name === "emit") return [ins.operands[1] as number, 0];
    return [ins.row.pop, ins.row.push];
  };
  while (work.length > 0) {
    let p = work.pop()!;
    let h = height.get(p)!;
    while (true) {
      const ins = insns.get(p)!;
      const [pop, push] = effect(ins);
      h = h - pop + push;
      const fl = flow(ins);
      if (fl === "exit") break;
      if (fl === "branch" || fl === "jump") {
        const t = target(ins);
        if (!height.has(t)) {
          height.set(t, h);
          work.push(t);
        }
        if (fl === "jump") break;
      }
      const n = ins.next;
      if (height.has(n)) break;
      height.set(n, h);
      p = n;
    }
  }
  const blocks: Block[] = [...leaders].sort((a, b) => a - b).map((s) => ({ start: s, height: height.get(s) ?? -1 }));
  const blockOf = new Map<number, number>(blocks.map((b, i) => [b.start, i]));
  const n = blocks.length;

  // wasm locals: params 0..p-1, fp p, depth p+1, then Mote locals p..nloc-1, stack slots, gas, label, tmp
  const P = f.params;
  const FP = P;
  const DEPTH = P + 1;
  const localIx = (i: number): number => (i < P ? i : P + 2 + (i - P));
  const slotBase = P + 2 + (f.nloc - P);
  const S = (i: number): number => slotBase + i;
  const GAS = slotBase + f.maxStack;
  const LABEL = GAS + 1;
  const T0 = GAS + 2;
  const T1 = GAS + 3;
  // i32 temps of an inline copy: destination, source, length, index
  const CD = GAS + 4;
  const CS = GAS + 5;
  const CN = GAS + 6;
  const CI = GAS + 7;
  // more i64 temps (the partial products of fmul, muls and fdiv; fdiv's high word, quotient and its product's)
  const T2 = GAS + 8;
  const T3 = GAS + 9;
  const T4 = GAS + 10;
  const T5 = GAS + 11;
  const T6 = GAS + 12;
  const T7 = GAS + 13;

  const b: number[] = [];
  const i32c = (v: number): void => {
    b.push(OP.i32_const);
    sleb(b, BigInt(v | 0));
  };
  const i64c = (v: bigint): void => {
    b.push(OP.i64_const);
    sleb(b, BigInt.asIntN(64, v));
  };
  const get = (l: number): void => {
    b.push(OP.local_get);
    uleb(b, l);
  };
  const set = (l: number): void => {
    b.push(OP.local_set);
    uleb(b, l);
  };
  const call = (name: string): void => {
    b.push(OP.call);
    uleb(b, RTI.get(name)!);
  };
  const retDummy = (): void => {
    if (f.results) i64c(0n);
    b.push(OP.return);
  };
  const syncGasOut = (): void => {
    get(GAS);
    b.push(OP.global_set, GLOBAL_GAS);
  };
  const syncGasIn = (): void => {
    b.push(OP.global_get, GLOBAL_GAS);
    set(GAS);
  };
  /** Stops the call: status st at module offset `at` with gas left = local gas + refund (or 0). */
  const stop = (st: number, at: number, refund: number | null, error = 0): void => {
    i32c(st);
    i32c(at);
    if (refund === null) i32c(0);
    else {
      get(GAS);
      if (refund !== 0) {
        i32c(refund);
        b.push(OP.i32_add);
      }
    }
    i32c(error);
    call("f_stop");
    retDummy();
  };
  /** gas -= g; when it goes below zero, out of gas at module offset `at`. */
  const charge = (g: number, at: number): void => {
    get(GAS);
    i32c(g);
    b.push(OP.i32_sub, OP.local_tee);
    uleb(b, GAS);
    i32c(0);
    b.push(OP.i32_lt_s, OP.if, EMPTY);
    stop(Status.out_of_gas, at, null);
    b.push(OP.end);
  };
  /** Branch from block `from` to the block at code offset t, `extra` structured levels deep. */
  const goto = (from: number, t: number, extra: number): void => {
    const j = blockOf.get(t)!;
    if (j > from) {
      b.push(OP.br);
      uleb(b, j - from - 1 + extra);
    } else {
      i32c(j);
      set(LABEL);
      b.push(OP.br);
      uleb(b, n - 1 - from + extra);
    }
  };
  /** After a runtime call that may raise: stop at `at` with the rest of the block refunded. */
  const checkRaised = (at: number, refund: number): void => {
    b.push(OP.global_get, GLOBAL_ST, OP.if, EMPTY);
    i32c(at);
    i32c(refund);
    call("f_fail");
    retDummy();
    b.push(OP.end);
  };
  /** if (cond on the wasm stack) stop with status st, refunding the rest of the block. */
  const stopIf = (st: number, at: number, refund: number, error = 0): void => {
    b.push(OP.if, EMPTY);
    stop(st, at, refund, error);
    b.push(OP.end);
  };

  /**
   * Inline `refOk` (vm/assembly/refs.ts) of the reference in local v: leaves 1 on the wasm stack when it is
   * not a byte string within [CTX, arena top), as the interpreter's blen and bget test it (vm/assembly/refs.ts), without a runtime call.
   */
  const refBad = (v: number): void => {
    get(v);
    i64c(0xffffffffn);
    b.push(OP.i64_and, OP.local_tee);
    uleb(b, T0);
    i64c(BigInt(L.CTX));
    b.push(OP.i64_lt_u);
    get(T0);
    arenaTop64();
    b.push(OP.i64_gt_u, OP.i32_or);
    get(v);
    i64c(32n);
    b.push(OP.i64_shr_u);
    arenaTop64();
    get(T0);
    b.push(OP.i64_sub, OP.i64_gt_u, OP.i32_or);
  };
  /**
   * Copies CN bytes from CS to CD (i32 locals), as the runtime's copyBytes (vm/assembly/fast.ts): up to 64
   * bytes that do not overlap a word at a time inline (V8 runs memory.copy as a call out of compiled code),
   * anything else by memory.copy, which handles overlap.
   */
  const copyBytes = (): void => {
    get(CN);
    i32c(64);
    b.push(OP.i32_le_u);
    get(CD);
    get(CN);
    b.push(OP.i32_add);
    get(CS);
    b.push(OP.i32_le_u);
    get(CS);
    get(CN);
    b.push(OP.i32_add);
    get(CD);
    b.push(OP.i32_le_u, OP.i32_or, OP.i32_and, OP.if, EMPTY);
    i32c(0);
    set(CI);
    // words: while (i + 8 <= n)
    b.push(OP.block, EMPTY, OP.loop, EMPTY);
    get(CI);
    i32c(8);
    b.push(OP.i32_add);
    get(CN);
    b.push(OP.i32_gt_u, OP.br_if, 1);
    get(CD);
    get(CI);
    b.push(OP.i32_add);
    get(CS);
    get(CI);
    b.push(OP.i32_add, OP.i64_load, 0, 0, OP.i64_store, 0, 0);
    get(CI);
    i32c(8);
    b.push(OP.i32_add);
    set(CI);
    b.push(OP.br, 0, OP.end, OP.end);
    // bytes: while (i < n)
    b.push(OP.block, EMPTY, OP.loop, EMPTY);
    get(CI);
    get(CN);
    b.push(OP.i32_ge_u, OP.br_if, 1);
    get(CD);
    get(CI);
    b.push(OP.i32_add);
    get(CS);
    get(CI);
    b.push(OP.i32_add, OP.i64_load8_u, 0, 0, OP.i64_store8, 0, 0);
    get(CI);
    i32c(1);
    b.push(OP.i32_add);
    set(CI);
    b.push(OP.br, 0, OP.end, OP.end);
    b.push(OP.else);
    get(CD);
    get(CS);
    get(CN);
    b.push(0xfc, 10, 0, 0); // memory.copy
    b.push(OP.end);
  };
  /** gas -= COPY_PER_WORD per started 8-byte word of CN bytes; out of gas at `at` when it goes below zero. */
  const chargeCopy = (at: number): void => {
    get(GAS);
    get(CN);
    i32c(7);
    b.push(OP.i32_add);
    i32c(3);
    b.push(OP.i32_shr_u);
    i32c(DYNAMIC_GAS.COPY_PER_WORD);
    b.push(OP.i32_mul, OP.i32_sub, OP.local_tee);
    uleb(b, GAS);
    i32c(0);
    b.push(OP.i32_lt_s, OP.if, EMPTY);
    stop(Status.out_of_gas, at, null);
    b.push(OP.end);
  };
  /** len(v) of the reference in local v, as an i64. */
  const lenOf = (v: number): void => {
    get(v);
    i64c(32n);
    b.push(OP.i64_shr_u);
  };
  const arenaTop64 = (): void => {
    b.push(OP.global_get, GLOBAL_ARENA_TOP, OP.i64_extend_i32_u);
  };
  /** |v| of local v into local t (u64: |MIN| is 2^63), as the interpreter's fmul and muls take it. */
  const magnitude = (v: number, t: number): void => {
    get(v);
    i64c(0n);
    b.push(OP.i64_lt_s, OP.if, I64);
    i64c(0n);
    get(v);
    b.push(OP.i64_sub, OP.else);
    get(v);
    b.push(OP.end);
    set(t);
  };
  /**
   * Leaves the high 64 bits of the 128-bit product of locals x and y on the stack (the interpreter's mulHi,
   * from 32-bit halves; no division). Uses T2, T3 and T4.
   */
  const mulHi = (x: number, y: number): void => {
    const lo32 = (v: number): void => {
      get(v);
      i64c(0xffffffffn);
      b.push(OP.i64_and);
    };
    const hi32 = (v: number): void => {
      get(v);
      i64c(32n);
      b.push(OP.i64_shr_u);
    };
    // T2 = x0 * y1, T3 = x1 * y0, T4 = (x0 * y0 >> 32) + lo(T2) + lo(T3), then x1 * y1 + hi(T2) + hi(T3) + hi(T4)
    lo32(x);
    hi32(y);
    b.push(OP.i64_mul);
    set(T2);
    hi32(x);
    lo32(y);
    b.push(OP.i64_mul);
    set(T3);
    lo32(x);
    lo32(y);
    b.push(OP.i64_mul);
    i64c(32n);
    b.push(OP.i64_shr_u);
    lo32(T2);
    b.push(OP.i64_add);
    lo32(T3);
    b.push(OP.i64_add);
    set(T4);
    hi32(x);
    hi32(y);
    b.push(OP.i64_mul);
    hi32(T2);
    b.push(OP.i64_add);
    hi32(T3);
    b.push(OP.i64_add);
    hi32(T4);
    b.push(OP.i64_add);
  };
  /**
   * Leaves 1 when the signed magnitude r (local) with the sign of x ^ y does not fit an i64: r > 2^63 - 1 + neg.
   * Leaves neg (0 or 1, i64) in local t.
   */
  const signedOverflows = (x: number, y: number, r: number, t: number): void => {
    get(x);
    get(y);
    b.push(OP.i64_xor);
    i64c(63n);
    b.push(OP.i64_shr_u, OP.local_tee);
    uleb(b, t);
    i64c(0x7fffffffffffffffn);
    b.push(OP.i64_add);
    get(r);
    b.push(OP.i64_lt_u);
  };
  /** neg (local, 0 or 1) ? -r : r of local r, as (r ^ m) - m with m = -neg, on the stack. */
  const applySign = (r: number, neg: number): void => {
    get(r);
    i64c(0n);
    get(neg);
    b.push(OP.i64_sub, OP.local_tee);
    uleb(b, neg);
    b.push(OP.i64_xor);
    get(neg);
    b.push(OP.i64_sub);
  };
  /**
   * The checked product's overflow test of locals x, y (the interpreter's `mulu` / `muls` test): nothing past
   * a compare when both operands fit in 32 bits, else the product's high word (and for muls its sign).
   */
  const mulOverflows = (signed: boolean, x: number, y: number): void => {
    if (signed) {
      // (x + 2^31) | (y + 2^31) > 2^32 - 1: an operand outside i32; then the 128-bit product must fit i64
      get(x);
      i64c(0x80000000n);
      b.push(OP.i64_add);
      get(y);
      i64c(0x80000000n);
      b.push(OP.i64_add, OP.i64_or);
      i64c(0xffffffffn);
      b.push(OP.i64_gt_u, OP.if, I32);
      // the signed product's high word: the unsigned one less y when x < 0 and less x when y < 0; the
      // product fits when that word is the sign extension of the low word
      mulHi(x, y);
      get(x);
      i64c(63n);
      b.push(OP.i64_shr_s);
      get(y);
      b.push(OP.i64_and, OP.i64_sub);
      get(y);
      i64c(63n);
      b.push(OP.i64_shr_s);
      get(x);
      b.push(OP.i64_and, OP.i64_sub);
      get(x);
      get(y);
      b.push(OP.i64_mul);
      i64c(63n);
      b.push(OP.i64_shr_s, OP.i64_ne, OP.else);
      i32c(0);
      b.push(OP.end);
    } else {
      // (x | y) >> 32 != 0, then the high word of the product
      get(x);
      get(y);
      b.push(OP.i64_or);
      i64c(32n);
      b.push(OP.i64_shr_u, OP.i64_eqz, OP.if, I32);
      i32c(0);
      b.push(OP.else);
      mulHi(x, y);
      b.push(OP.i64_eqz, OP.i32_eqz, OP.end);
    }
  };

  // prologue: gas from the caller
  syncGasIn();
  b.push(OP.loop, EMPTY);
  for (let i = 0; i < n; i++) b.push(OP.block, EMPTY);
  get(LABEL);
  b.push(OP.br_table);
  uleb(b, n);
  for (let i = 0; i < n; i++) uleb(b, i);
  uleb(b, 0);

  for (let bi = 0; bi < n; bi++) {
    b.push(OP.end); // closes block bi: its code follows
    const blk = blocks[bi]!;
    const endOff = bi + 1 < n ? blocks[bi + 1]!.start : f.len;
    if (blk.height < 0) {
      b.push(OP.unreachable);
      continue;
    }
    let h = blk.height;
    for (let p = blk.start; p < endOff; ) {
      const ins = insns.get(p)!;
      const row: OpcodeRow = ins.row;
      const name = row.name;
      const next = ins.next;
      const last = modOff(next - 1); // the interpreter's stop offset: the instruction's last byte
      const refund = next < f.len ? gasAt(f.addr + next) : 0;
      const top = (): number => S(h - 1);
      switch (name) {
        case "push0":
        case "push1":
        case "push":
          i64c(name === "push0" ? 0n : name === "push1" ? 1n : (ins.operands[0] as bigint));
          set(S(h++));
          break;
        case "pushb": {
          const d = dv.getUint32(L.CONSTS + (ins.operands[0] as number) * 4, true);
          i64c((BigInt(d >>> 16) << 32n) | BigInt(d & 0xffff));
          set(S(h++));
          break;
        }
        case "dup":
          get(top());
          set(S(h++));
          break;
        case "drop":
          h--;
          break;
        case "swap":
          get(S(h - 1));
          set(T0);
          get(S(h - 2));
          set(S(h - 1));
          get(T0);
          set(S(h - 2));
          break;
        case "over":
          get(S(h - 2));
          set(S(h++));
          break;
        case "lget":
        case "lget0":
        case "lget1":
        case "lget2":
        case "lget3": {
          const i = name === "lget" ? (ins.operands[0] as number) : Number(name[4]);
          get(localIx(i));
          set(S(h++));
          break;
        }
        case "lset":
        case "lset0":
        case "lset1":
        case "lset2":
        case "lset3": {
          const i = name === "lset" ? (ins.operands[0] as number) : Number(name[4]);
          get(S(--h));
          set(localIx(i));
          break;
        }
        case "ltee":
          get(top());
          set(localIx(ins.operands[0] as number));
          break;
        case "laddi": {
          const l = localIx(ins.operands[0] as number);
          const imm = BigInt(ins.operands[1] as number);
          get(l);
          i64c(imm);
          b.push(OP.i64_add, OP.local_tee);
          uleb(b, l);
          i64c(imm);
          b.push(OP.i64_lt_u);
          stopIf(Status.overflow, last, refund);
          break;
        }
        case "add": case "sub": case "mul": case "and": case "or": case "xor": case "shl": case "shru": case "shrs":
          get(S(h - 2));
          get(S(h - 1));
          b.push(BIN[name]!);
          set(S(h - 2));
          h--;
          break;
        case "addu":
          // r = a + b overflows when r < b
          get(S(h - 2));
          get(S(h - 1));
          b.push(OP.i64_add, OP.local_tee);
          uleb(b, T0);
          get(S(h - 1));
          b.push(OP.i64_lt_u);
          stopIf(Status.overflow, last, refund);
          get(T0);
          set(S(h - 2));
          h--;
          break;
        case "subu":
          get(S(h - 1));
          get(S(h - 2));
          b.push(OP.i64_gt_u);
          stopIf(Status.overflow, last, refund);
          get(S(h - 2));
          get(S(h - 1));
          b.push(OP.i64_sub);
          set(S(h - 2));
          h--;
          break;
        case "mulu":
        case "muls":
          mulOverflows(name === "muls", S(h - 2), S(h - 1));
          stopIf(Status.overflow, last, refund);
          get(S(h - 2));
          get(S(h - 1));
          b.push(OP.i64_mul);
          set(S(h - 2));
          h--;
          break;
        case "adds":
        case "subs": {
          // adds: ((a ^ r) & (b ^ r)) < 0; subs: ((a ^ b) & (a ^ r)) < 0
          get(S(h - 2));
          get(S(h - 1));
          b.push(name === "adds" ? OP.i64_add : OP.i64_sub);
          set(T0);
          if (name === "adds") {
            get(S(h - 2));
            get(T0);
            b.push(OP.i64_xor);
            get(S(h - 1));
            get(T0);
            b.push(OP.i64_xor, OP.i64_and);
          } else {
            get(S(h - 2));
            get(S(h - 1));
            b.push(OP.i64_xor);
            get(S(h - 2));
            get(T0);
            b.push(OP.i64_xor, OP.i64_and);
          }
          i64c(0n);
          b.push(OP.i64_lt_s);
          stopIf(Status.overflow, last, refund);
          get(T0);
          set(S(h - 2));
          h--;
          break;
        }
        case "fmul": {
          // Q47.16: (|a| * |b|) >> 16 of the 128-bit product, signed, as the interpreter's fmul (vm/assembly/interp.ts):
          // overflow when the product's high word passes 16 bits or the signed result does not fit an i64
          const [x, y] = [S(h - 2), S(h - 1)];
          magnitude(x, T0);
          magnitude(y, T1);
          mulHi(T0, T1);
          b.push(OP.local_tee);
          uleb(b, T4);
          i64c(16n);
          b.push(OP.i64_shr_u, OP.i64_eqz, OP.i32_eqz);
          stopIf(Status.overflow, last, refund);
          // magnitude r = hi << 48 | lo >> 16
          get(T4);
          i64c(48n);
          b.push(OP.i64_shl);
          get(T0);
          get(T1);
          b.push(OP.i64_mul);
          i64c(16n);
          b.push(OP.i64_shr_u, OP.i64_or);
          set(T2);
          signedOverflows(x, y, T2, T3);
          stopIf(Status.overflow, last, refund);
          applySign(T2, T3);
          set(x);
          h--;
          break;
        }
        case "divu":
        case "remu":
        case "divs":
        case "rems":
        case "fdiv": {
          get(S(h - 1));
          b.push(OP.i64_eqz);
          stopIf(Status.div_zero, last, refund);
          if (name === "divs") {
            // MIN / -1 overflows; any other a / -1 is -a
            get(S(h - 1));
            i64c(-1n);
            b.push(OP.i64_eq, OP.if, EMPTY);
            get(S(h - 2));
            i64c(I64_MIN);
            b.push(OP.i64_eq);
            stopIf(Status.overflow, last, refund);
            i64c(0n);
            get(S(h - 2));
            b.push(OP.i64_sub);
            set(S(h - 2));
            b.push(0x05); // else
            get(S(h - 2));
            get(S(h - 1));
            b.push(OP.i64_div_s);
            set(S(h - 2));
            b.push(OP.end);
          } else if (name === "rems") {
            get(S(h - 1));
            i64c(-1n);
            b.push(OP.i64_eq, OP.if, EMPTY);
            i64c(0n);
            set(S(h - 2));
            b.push(0x05);
            get(S(h - 2));
            get(S(h - 1));
            b.push(OP.i64_rem_s);
            set(S(h - 2));
            b.push(OP.end);
          } else if (name === "fdiv") {
            // Q47.16: (|a| << 16) / |b| on an 80-bit dividend, signed, as the interpreter's fdiv
            // (vm/assembly/interp.ts): at most two 64-bit divisions, overflow when the quotient passes 64 bits
            // (hi >= |b|) or the signed result does not fit an i64
            const [x, y] = [S(h - 2), S(h - 1)];
            magnitude(x, T0);
            magnitude(y, T1);
            get(T0);
            i64c(48n);
            b.push(OP.i64_shr_u, OP.local_tee);
            uleb(b, T5);
            b.push(OP.i64_eqz, OP.if, I64);
            // hi = 0: lo / |b|
            get(T0);
            i64c(16n);
            b.push(OP.i64_shl);
            get(T1);
            b.push(OP.i64_div_u, OP.else);
            get(T5);
            get(T1);
            b.push(OP.i64_ge_u);
            stopIf(Status.overflow, last, refund);
            get(T1);
            i64c(48n);
            b.push(OP.i64_shr_u, OP.i64_eqz, OP.if, I64);
            // |b| below 2^48: q = |a| / |b|, then (q << 16) + (((|a| - q |b|) << 16) / |b|)
            get(T0);
            get(T1);
            b.push(OP.i64_div_u, OP.local_tee);
            uleb(b, T6);
            i64c(16n);
            b.push(OP.i64_shl);
            get(T0);
            get(T6);
            get(T1);
            b.push(OP.i64_mul, OP.i64_sub);
            i64c(16n);
            b.push(OP.i64_shl);
            get(T1);
            b.push(OP.i64_div_u, OP.i64_add, OP.else);
            // q = |a| / (|b| >> 16), one step back when q |b| passes hi:lo
            get(T0);
            get(T1);
            i64c(16n);
            b.push(OP.i64_shr_u, OP.i64_div_u);
            set(T6);
            mulHi(T6, T1);
            set(T7);
            get(T6);
            get(T7);
            get(T5);
            b.push(OP.i64_gt_u);
            get(T7);
            get(T5);
            b.push(OP.i64_eq);
            get(T6);
            get(T1);
            b.push(OP.i64_mul);
            get(T0);
            i64c(16n);
            b.push(OP.i64_shl, OP.i64_gt_u, OP.i32_and, OP.i32_or, OP.i64_extend_i32_u, OP.i64_sub);
            b.push(OP.end, OP.end);
            set(T2);
            signedOverflows(x, y, T2, T3);
            stopIf(Status.overflow, last, refund);
            applySign(T2, T3);
            set(x);
          } else {
            get(S(h - 2));
            get(S(h - 1));
            b.push(name === "divu" ? OP.i64_div_u : OP.i64_rem_u);
            set(S(h - 2));
          }
          h--;
          break;
        }
        case "neg":
          get(top());
          i64c(I64_MIN);
          b.push(OP.i64_eq);
          stopIf(Status.overflow, last, refund);
          i64c(0n);
          get(top());
          b.push(OP.i64_sub);
          set(top());
          break;
        case "eq": case "ne": case "ltu": case "lts": case "gtu": case "gts": case "leu": case "les": case "geu": case "ges":
          get(S(h - 2));
          get(S(h - 1));
          b.push(CMP[name]!, OP.i64_extend_i32_u);
          set(S(h - 2));
          h--;
          break;
        case "eqz":
          get(top());
          b.push(OP.i64_eqz, OP.i64_extend_i32_u);
          set(top());
          break;
        case "bnot":
          get(top());
          i64c(-1n);
          b.push(OP.i64_xor);
          set(top());
          break;
        case "jmp": {
          const t = target(ins);
          charge(gasAt(f.addr + t), modOff(t - 1));
          goto(bi, t, 0);
          break;
        }
        case "jz": case "jnz": case "jeq": case "jne": case "jltu": case "jgeu": case "jlts": case "jges": {
          const t = target(ins);
          if (name === "jz" || name === "jnz") {
            get(S(--h));
            b.push(OP.i64_eqz);
            if (name === "jnz") b.push(OP.i32_eqz);
          } else {
            get(S(h - 2));
            get(S(h - 1));
            b.push(JCMP[name]!);
            h -= 2;
          }
          b.push(OP.if, EMPTY);
          charge(gasAt(f.addr + t), modOff(t - 1));
          goto(bi, t, 1);
          b.push(OP.end);
          charge(refund, modOff(next - 1));
          break;
        }
        case "call": {
          const c = fns[ins.operands[0] as number]!;
          get(DEPTH);
          i32c(L.MAX_CALL_DEPTH - 1);
          b.push(OP.i32_ge_s, OP.if, EMPTY);
          stop(Status.call_depth, last, 0);
          b.push(OP.end);
          const frameAt = (f.nloc + h + 1 - c.params) * 8; // the callee's fp, relative to ours
          get(FP);
          i32c(frameAt + (c.nloc + c.maxStack) * 8);
          b.push(OP.i32_add);
          i32c(L.STACK + L.STACK_SLOTS * 8);
          b.push(OP.i32_gt_s, OP.if, EMPTY);
          stop(Status.stack_overflow, last, 0);
          b.push(OP.end);
          charge(gasAt(c.addr), c.addr - 1 - L.IMAGE);
          syncGasOut();
          for (let i = h - c.params; i < h; i++) get(S(i));
          get(FP);
          i32c(frameAt);
          b.push(OP.i32_add);
          get(DEPTH);
          i32c(1);
          b.push(OP.i32_add, OP.call);
          uleb(b, fnIndex(c.index));
          h -= c.params;
          if (c.results) set(S(h++));
          b.push(OP.global_get, GLOBAL_ST, OP.if, EMPTY);
          retDummy();
          b.push(OP.end);
          syncGasIn();
          charge(refund, last);
          break;
        }
        case "ret":
          syncGasOut();
          if (f.results) get(top());
          b.push(OP.return);
          break;
        case "halt":
          get(GAS);
          call("f_halt");
          retDummy();
          break;
        case "revert":
          stop(Status.revert, modOff(p), 0, ins.operands[0] as number);
          break;
        case "require":
          get(S(--h));
          b.push(OP.i64_eqz);
          stopIf(Status.revert, last, refund, ins.operands[0] as number);
          break;
        case "itob":
          syncGasOut();
          get(top());
          i32c(ins.operands[0] as number);
          call("f_itob");
          set(top());
          syncGasIn();
          checkRaised(last, refund);
          break;
        case "caller":
        case "self":
          i64c((32n << 32n) | BigInt(L.CTX + (name === "self" ? 48 : 0)));
          set(S(h++));
          break;
        case "now":
        case "height":
        case "value":
          i32c(0);
          b.push(OP.i64_load, 3);
          uleb(b, L.CTX + (name === "now" ? 32 : name === "height" ? 40 : 80));
          set(S(h++));
          break;
        case "gasleft":
          get(GAS);
          b.push(OP.i64_extend_i32_s);
          set(S(h++));
          break;
        case "amark":
          arenaTop64();
          set(S(h++));
          break;
        case "arelease":
          // bounds unless ARENA <= m <= arena top (the interpreter's arelease)
          get(S(h - 1));
          i64c(BigInt(L.ARENA));
          b.push(OP.i64_lt_u);
          get(S(h - 1));
          arenaTop64();
          b.push(OP.i64_gt_u, OP.i32_or);
          stopIf(Status.bounds, last, refund);
          get(S(--h));
          b.push(OP.i32_wrap_i64, OP.global_set, GLOBAL_ARENA_TOP);
          break;
        case "blen":
          refBad(S(h - 1));
          stopIf(Status.bounds, last, refund);
          get(S(h - 1));
          i64c(32n);
          b.push(OP.i64_shr_u);
          set(S(h - 1));
          break;
        case "bget":
          // bounds unless b is a byte string and i < len(b) (the interpreter's bget), then the byte
          refBad(S(h - 2));
          get(S(h - 1));
          get(S(h - 2));
          i64c(32n);
          b.push(OP.i64_shr_u, OP.i64_ge_u, OP.i32_or);
          stopIf(Status.bounds, last, refund);
          get(S(h - 2));
          get(S(h - 1));
          b.push(OP.i64_add, OP.i32_wrap_i64, OP.i64_load8_u, 0, 0);
          set(S(h - 2));
          h--;
          break;
        case "emit": {
          const count = ins.operands[1] as number;
          for (let i = 0; i < count; i++) {
            i32c(0);
            get(S(h - count + i));
            b.push(OP.i64_store, 3);
            uleb(b, L.STACK + i * 8);
          }
          h -= count;
          syncGasOut();
          i32c(ins.operands[0] as number);
          i32c(count);
          i32c(ins.operands[2] as number);
          call("f_emit");
          syncGasIn();
          checkRaised(last, refund);
          break;
        }
        case "bput": {
          // bounds unless b is a byte string in the arena and off + width <= len(b) (the interpreter's bput),
          // then one store of the width's low bytes (wasm stores are little-endian, as the interpreter's loop)
          const w = ins.operands[0] as number;
          const [bs, off, v] = [S(h - 3), S(h - 2), S(h - 1)];
          refBad(bs);
          get(T0);
          i64c(BigInt(L.ARENA));
          b.push(OP.i64_lt_u, OP.i32_or);
          get(off);
          lenOf(bs);
          b.push(OP.i64_gt_u, OP.i32_or);
          i64c(BigInt(w));
          lenOf(bs);
          get(off);
          b.push(OP.i64_sub, OP.i64_gt_u, OP.i32_or);
          stopIf(Status.bounds, last, refund);
          get(bs);
          get(off);
          b.push(OP.i64_add, OP.i32_wrap_i64);
          get(v);
          b.push(w === 8 ? OP.i64_store : w === 4 ? OP.i64_store32 : w === 2 ? OP.i64_store16 : OP.i64_store8, 0, 0);
          h -= 3;
          break;
        }
        case "bcat": {
          // bounds unless a and t are byte strings whose lengths sum to at most MAX_BYTES_LEN; COPY_PER_WORD per
          // started word of the sum; arena_full when it does not fit below the arena's end; then a's bytes and
          // t's at the arena's top (the interpreter's bcat)
          const [x, y] = [S(h - 2), S(h - 1)];
          refBad(x);
          refBad(y);
          b.push(OP.i32_or);
          lenOf(x);
          lenOf(y);
          b.push(OP.i64_add);
          i64c(BigInt(LIMITS.MAX_BYTES_LEN.value));
          b.push(OP.i64_gt_u, OP.i32_or);
          stopIf(Status.bounds, last, refund);
          lenOf(x);
          lenOf(y);
          b.push(OP.i64_add, OP.i32_wrap_i64);
          set(CN);
          chargeCopy(last);
          get(CN);
          i32c(L.ARENA_END);
          b.push(OP.global_get, GLOBAL_ARENA_TOP, OP.i32_sub, OP.i32_gt_s);
          stopIf(Status.arena_full, last, refund);
          // the result's address and length into T2 (i64) before the copies reuse CD, CS and CN
          get(CN);
          b.push(OP.i64_extend_i32_u);
          i64c(32n);
          b.push(OP.i64_shl, OP.global_get, GLOBAL_ARENA_TOP, OP.i64_extend_i32_u, OP.i64_or);
          set(T2);
          b.push(OP.global_get, GLOBAL_ARENA_TOP);
          get(CN);
          b.push(OP.i32_add, OP.global_set, GLOBAL_ARENA_TOP);
          for (const [src, first] of [[x, true], [y, false]] as const) {
            get(T2);
            b.push(OP.i32_wrap_i64);
            if (!first) {
              lenOf(x);
              b.push(OP.i32_wrap_i64, OP.i32_add);
            }
            set(CD);
            get(src);
            b.push(OP.i32_wrap_i64);
            set(CS);
            lenOf(src);
            b.push(OP.i32_wrap_i64);
            set(CN);
            copyBytes();
          }
          get(T2);
          set(x);
          h--;
          break;
        }
        case "bdup": {
          // bounds unless t is a byte string; COPY_PER_WORD per started word; arena_full when it does not fit
          // below the arena's end; then a copy at the arena's top (the interpreter's bdup)
          const t = S(h - 1);
          refBad(t);
          stopIf(Status.bounds, last, refund);
          lenOf(t);
          b.push(OP.i32_wrap_i64);
          set(CN);
          chargeCopy(last);
          get(CN);
          i32c(L.ARENA_END);
          b.push(OP.global_get, GLOBAL_ARENA_TOP, OP.i32_sub, OP.i32_gt_s);
          stopIf(Status.arena_full, last, refund);
          b.push(OP.global_get, GLOBAL_ARENA_TOP);
          set(CD);
          get(CD);
          get(CN);
          b.push(OP.i32_add, OP.global_set, GLOBAL_ARENA_TOP);
          get(t);
          b.push(OP.i32_wrap_i64);
          set(CS);
          copyBytes();
          get(CN);
          b.push(OP.i64_extend_i32_u);
          i64c(32n);
          b.push(OP.i64_shl);
          get(CD);
          b.push(OP.i64_extend_i32_u, OP.i64_or);
          set(t);
          break;
        }
        case "bwrite": {
          // bounds unless b is a byte string in the arena, s a byte string and off + len(s) <= len(b) (the
          // interpreter's bwrite); then COPY_PER_WORD per started word of s, then the copy
          const [bs, off, src] = [S(h - 3), S(h - 2), S(h - 1)];
          refBad(bs);
          get(T0);
          i64c(BigInt(L.ARENA));
          b.push(OP.i64_lt_u, OP.i32_or);
          refBad(src);
          b.push(OP.i32_or);
          get(off);
          lenOf(bs);
          b.push(OP.i64_gt_u, OP.i32_or);
          lenOf(src);
          lenOf(bs);
          get(off);
          b.push(OP.i64_sub, OP.i64_gt_u, OP.i32_or);
          stopIf(Status.bounds, last, refund);
          lenOf(src);
          b.push(OP.i32_wrap_i64);
          set(CN);
          chargeCopy(last);
          get(bs);
          get(off);
          b.push(OP.i64_add, OP.i32_wrap_i64);
          set(CD);
          get(src);
          b.push(OP.i32_wrap_i64);
          set(CS);
          copyBytes();
          h -= 3;
          break;
        }
        case "once": {
          // `sload 255 0; eqz; require 0; push1; sstore 255 0`, charged as the interpreter charges it
          syncGasOut();
          i32c(OP_CODE.sload);
          i32c(255);
          i32c(0);
          i64c(0n);
          i64c(0n);
          call("f_storage");
          set(T0);
          syncGasIn();
          checkRaised(last, refund);
          get(T0);
          b.push(OP.i64_eqz, OP.i32_eqz);
          stopIf(Status.revert, last, refund, 0);
          syncGasOut();
          i32c(OP_CODE.sstore);
          i32c(255);
          i32c(0);
          i64c(1n);
          i64c(0n);
          call("f_storage");
          b.push(0x1a); // drop
          syncGasIn();
          checkRaised(last, refund);
          break;
        }
        case "req32": {
          // `blen; push 32; eq; require e`: a reference that is not one is out of bounds first
          refBad(S(h - 1));
          stopIf(Status.bounds, last, refund);
          get(S(--h));
          i64c(32n);
          b.push(OP.i64_shr_u);
          i64c(32n);
          b.push(OP.i64_ne);
          stopIf(Status.revert, last, refund, ins.operands[0] as number);
          break;
        }
        default: {
          if (STORAGE.has(name) || SHORT_STORAGE[name]) {
            const short = SHORT_STORAGE[name];
            const [pop, push] = [row.pop, row.push];
            syncGasOut();
            i32c(short ? OP_CODE[short.op]! : row.code);
            i32c(ins.operands[0] as number);
            i32c(short ? short.mode : (ins.operands[1] as number));
            if (pop >= 1) get(S(h - pop));
            else i64c(0n);
            if (pop >= 2) get(S(h - 1));
            else i64c(0n);
            call("f_storage");
            h -= pop;
            if (push) set(S(h++));
            else b.push(0x1a); // drop
            syncGasIn();
            checkRaised(last, refund);
            break;
          }
          const r = RUNTIME_OPS[name];
          if (!r) throw new Error(`fast engine: no translation for ${name}`);
          syncGasOut();
          for (let i = h - r.pop; i < h; i++) get(S(i));
          call(r.fn);
          h -= r.pop;
          if (r.push) set(S(h++));
          if (row.dyn) syncGasIn();
          checkRaised(last, refund);
        }
      }
      p = next;
    }
    // a block that ends in a `next` instruction falls into the following block's code
  }
  b.push(OP.end); // loop
  b.push(OP.unreachable);
  b.push(OP.end); // function

  // locals declaration: Mote locals beyond params and stack slots (i64), gas and label (i32), temps (i64), copy temps (i32), more temps (i64)
  const decl: number[] = [];
  uleb(decl, 5);
  uleb(decl, f.nloc - P + f.maxStack);
  decl.push(I64);
  uleb(decl, 2);
  decl.push(I32);
  uleb(decl, 2);
  decl.push(I64);
  uleb(decl, 4);
  decl.push(I32);
  uleb(decl, 6);
  decl.push(I64);
  return [...decl, ...b];
}

/**
 * A bounded cache, oldest entry out first: translations by module id (a node translates each contract
 * once) and, per VM, the instances of them. Each translation holds compiled code that V8 frees only when
 * nothing refers to it, so neither may grow without bound (a VM that ran every module of a fuzz campaign
 * ran out of wasm code space).
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K, make: () => V): V {
    let v = this.entries.get(key);
    if (v === undefined) {
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, (v = make()));
    }
    return v;
  }
}

export function compileFast(moduleBytes: Uint8Array, L: FastLayout): FastModule {
  const { wasm, exports } = translate(moduleBytes, L);
  return { module: new WebAssembly.Module(wasm), exports, bytes: wasm.length };
}

/** Unused opcode rows would make the translator throw at load; every row of the table has a case. */
export function untranslatedOpcodes(): string[] {
  const handled = new Set([
    "push0", "push1", "push", "pushb", "dup", "drop", "swap", "over", "lget", "lget0", "lget1", "lget2", "lget3", "lset", "lset0",
    "lset1", "lset2", "lset3", "ltee", "laddi", "add", "sub", "mul", "and", "or", "xor", "shl", "shru", "shrs", "addu", "subu", "mulu",
    "muls", "adds", "subs", "divu", "remu", "divs", "rems", "fdiv", "neg", "eq", "ne", "ltu", "lts", "gtu", "gts", "leu", "les", "geu",
    "ges", "eqz", "bnot", "jmp", "jz", "jnz", "jeq", "jne", "jltu", "jgeu", "jlts", "jges", "call", "ret", "halt", "revert", "require",
    "itob", "caller", "self", "now", "height", "value", "gasleft", "amark", "arelease", "blen", "bget", "emit", "bput", "bwrite", "bdup", "bcat", "fmul", "once", "req32", ...STORAGE, ...Object.keys(SHORT_STORAGE), ...Object.keys(RUNTIME_OPS),
  ]);
  return OPCODE_BY_CODE.filter((r): r is OpcodeRow => r !== undefined && !handled.has(r.name)).map((r) => r.name);
}
