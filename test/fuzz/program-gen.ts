// Generator of VALID Mote programs, driven by the opcode table: every row is emitted according to its
// flow class, operand kinds and stack effect, so a new row is generated (and counted) without edits here.
import { sha512 } from "@noble/hashes/sha2.js";
import * as ed from "@noble/ed25519";
import { OPCODES, type OpcodeRow, type OperandKind } from "../../vm/spec/opcodes.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { CodeBuilder, type Label, type ModuleDef, type OperandValue, computeMaxStack, encodeModule, selectorOf } from "../../vm/spec/module.ts";
import type { Value } from "../../vm/host/index.ts";
import type { Rng } from "./random.ts";

ed.hashes.sha512 = sha512;

/** A stack value's type as the generator tracks it: 64-bit integer or byte-string reference. */
export type Ty = "i" | "b";

export interface CallSpec {
  /** Export name for readability in saved cases; `selector` is what is called. */
  name: string;
  selector: number;
  args: Value[];
  gas: number;
  caller: Uint8Array;
  timestamp: bigint;
  height: bigint;
}

export interface GeneratedProgram {
  def: ModuleDef;
  bytes: Uint8Array;
  calls: CallSpec[];
}

/**
 * Byte-string typing of the rows whose operands are references. The table gives arity only; this
 * overlay gives types. A row missing here is treated as integers in, integers out — still generated,
 * still verified, and byte-string rows added later show up as under-typed rather than absent.
 */
export type Sig = { ins: Ty[]; outs: Ty[] };
const modeTy = (mode: number, bit: number): Ty => ((mode >> bit) & 1 ? "b" : "i");
export function typedSig(row: OpcodeRow, ops: readonly OperandValue[]): Sig | undefined {
  const mode = Number(ops[1] ?? 0);
  switch (row.name) {
    case "pushb": return { ins: [], outs: ["b"] };
    case "blen": return { ins: ["b"], outs: ["i"] };
    case "bcat": return { ins: ["b", "b"], outs: ["b"] };
    case "bslice": return { ins: ["b", "i", "i"], outs: ["b"] };
    case "beq": return { ins: ["b", "b"], outs: ["i"] };
    case "bget": return { ins: ["b", "i"], outs: ["i"] };
    case "itob": return { ins: ["i"], outs: ["b"] };
    case "btoi": return { ins: ["b"], outs: ["i"] };
    case "sha256": return { ins: ["b"], outs: ["b"] };
    case "edverify": return { ins: ["b", "b", "b"], outs: ["i"] };
    case "sload": return { ins: [], outs: [modeTy(mode, 1)] };
    case "sstore": return { ins: [modeTy(mode, 1)], outs: [] };
    case "mload": return { ins: [modeTy(mode, 0)], outs: [modeTy(mode, 1)] };
    case "mstore": return { ins: [modeTy(mode, 0), modeTy(mode, 1)], outs: [] };
    case "xload": return { ins: ["b"], outs: [modeTy(mode, 1)] };
    case "xmload": return { ins: ["b", modeTy(mode, 0)], outs: [modeTy(mode, 1)] };
    case "sloadi": return { ins: [], outs: ["i"] };
    case "sstorei": return { ins: ["i"], outs: [] };
    case "mloadbi": return { ins: ["b"], outs: ["i"] };
    case "mstorebi": return { ins: ["b", "i"], outs: [] };
    case "req32": return { ins: ["b"], outs: [] };
    case "balance": return { ins: ["b"], outs: ["i"] };
    case "pay": return { ins: ["b", "i"], outs: [] };
    case "caller":
    case "self": return { ins: [], outs: ["b"] };
    case "bput": return { ins: ["b", "i", "i"], outs: [] };
    case "bwrite": return { ins: ["b", "i", "b"], outs: [] };
    case "bdup": return { ins: ["b"], outs: ["b"] };
    default: return undefined;
  }
}

/** Rows that only move values around: their output types are their input types, permuted. */
const SHUFFLES: Record<string, (s: Ty[]) => Ty[]> = {
  dup: ([a]) => [a!, a!],
  drop: () => [],
  swap: ([a, b]) => [b!, a!],
  over: ([a, b]) => [a!, b!, a!],
};

const LOCAL_SHORT = /^l(get|set)([0-9])$/;

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const PUBKEY = ed.getPublicKey(SECRET);
const MESSAGE = new TextEncoder().encode("mote fuzz: a signed reading");
const SIGNATURE = ed.sign(MESSAGE, SECRET);
/** A 32-byte id no module has: cross-contract reads of it see seeded foreign state. */
export const FOREIGN_ID = Uint8Array.from({ length: 32 }, (_, i) => 0xf0 ^ i);
export const FUZZ_PUBKEY = PUBKEY;

/** The addresses a forged reference should aim at: module image, context and arena sit at the top of the VM's memory. */
export function refWindowFor(memoryUsed: number): readonly [number, number] {
  return [Math.max(0, memoryUsed - LIMITS.ARENA_BYTES.value - LIMITS.MODULE_MAX_BYTES.value - 128), memoryUsed + 16];
}
/** A valid (public key, message, signature) triple: edverify on it does the full work and returns 1. */
export const FUZZ_SIGNED = { pubkey: PUBKEY, message: MESSAGE, signature: SIGNATURE } as const;

interface FnShape {
  params: Ty[];
  result: Ty | null;
  /** Types of all locals (params first). */
  locals: Ty[];
  /** Locals reserved as loop counters (ints), by nesting depth. */
  counters: number[];
}

const MAX_HEIGHT = 20;

export interface GenOptions {
  /** Upper bound on instructions emitted per function body (structure included). */
  maxInstructions?: number;
  /** Probability that an operand gets the wrong type (references and integers confused on purpose). */
  confusion?: number;
  /** Addresses [lo, hi] for forged byte-string references (the readable top of linear memory). */
  refWindow?: readonly [number, number];
}

/** Counts per opcode name of everything the generator emitted; tests fail when a row stays at 0. */
export class OpcodeCoverage {
  readonly counts = new Map<string, number>(OPCODES.map((r) => [r.name, 0]));
  add(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  missing(): string[] {
    return [...this.counts].filter(([, n]) => n === 0).map(([k]) => k);
  }
  leastCovered(rows: readonly OpcodeRow[]): OpcodeRow {
    let best = rows[0]!;
    for (const r of rows) if ((this.counts.get(r.name) ?? 0) < (this.counts.get(best.name) ?? 0)) best = r;
    return best;
  }
}

const NEXT_ROWS = OPCODES.filter((r) => r.flow === "next");
const BRANCH_ROWS = OPCODES.filter((r) => r.flow === "branch");
const JUMP_ROWS = OPCODES.filter((r) => r.flow === "jump");
const CALL_ROWS = OPCODES.filter((r) => r.flow === "call");
const EXIT_ROWS = OPCODES.filter((r) => r.flow === "exit");

class FunctionGen {
  readonly b = new CodeBuilder();
  stack: Ty[] = [];
  emitted = 0;

  constructor(
    private readonly g: ProgramGen,
    readonly index: number,
    readonly shape: FnShape,
    private readonly budget: number,
  ) {}

  private get r(): Rng {
    return this.g.r;
  }

  private emit(row: OpcodeRow, ops: OperandValue[]): void {
    this.b.emit(row.name, ...ops);
    this.g.coverage.add(row.name);
    this.emitted++;
  }

  private emitJump(row: OpcodeRow, label: Label): void {
    this.b.emitJump(row.name, label);
    this.g.coverage.add(row.name);
    this.emitted++;
  }

  private byName(name: string): OpcodeRow {
    const row = OPCODES.find((o) => o.name === name);
    if (!row) throw new Error(`the opcode table has no '${name}' row, which the generator's loops use`);
    return row;
  }

  /** Pushes a fresh value of type t (an integer constant, or a byte string from the pool or the context). */
  pushFresh(t: Ty): void {
    if (t === "i") {
      const v = this.r.i64();
      if (v === 0n && this.r.chance(0.5)) this.emit(this.byName("push0"), []);
      else if (v === 1n && this.r.chance(0.5)) this.emit(this.byName("push1"), []);
      else this.emit(this.byName("push"), [v]);
    } else if (this.g.refWindow && this.r.chance(0.06)) {
      // a forged reference: an integer shaped like (length << 32 | address) near the readable region
      const [lo, hi] = this.g.refWindow;
      const addr = this.r.range(lo, hi);
      const len = this.r.chance(0.8) ? this.r.int(65) : this.r.int(LIMITS.MAX_BYTES_LEN.value + 2);
      this.emit(this.byName("push"), [(BigInt(len) << 32n) | BigInt(addr)]);
    } else {
      const src = this.r.int(10);
      if (src === 0) this.emit(this.byName("caller"), []);
      else if (src === 1) this.emit(this.byName("self"), []);
      else this.emit(this.byName("pushb"), [this.g.pickConst()]);
    }
    this.stack.push(t);
  }

  /** Makes the top of the stack hold `ins` (bottom first) above `floor`, reusing values when they fit. */
  private prepare(ins: Ty[], floor: number): boolean {
    const n = ins.length;
    const avail = this.stack.length - floor;
    const confuse = this.r.chance(this.g.confusion);
    if (n <= avail && (confuse || ins.every((t, i) => this.stack[this.stack.length - n + i] === t)) && this.r.chance(0.7)) return true;
    if (this.stack.length + n > MAX_HEIGHT) return false;
    for (const t of ins) this.pushFresh(confuse && this.r.chance(0.5) ? (t === "i" ? "b" : "i") : t);
    return true;
  }

  private operand(row: OpcodeRow, kind: OperandKind): OperandValue {
    const r = this.r;
    switch (kind) {
      case "local": return r.int(this.shape.locals.length);
      case "sleb": return r.i64();
      case "const": return this.g.pickConst();
      case "func": return r.int(this.g.shapes.length);
      case "error": return r.chance(0.8) ? r.int(16) : r.u32();
      case "width": return r.pick([1, 2, 4, 8]);
      case "slot": return r.chance(0.9) ? r.int(4) : 255;
      case "mode": return row.name === "sload" || row.name === "sstore" || row.name === "xload" ? r.pick([0, 2]) : r.int(4);
      case "u32": return r.chance(0.5) ? r.int(4) : r.u32();
      case "uleb": return r.chance(0.8) ? r.int(10) : r.pick([0xffffffff, 2 ** 31, 255, 256]);
      case "target": throw new Error(`${row.name}: targets are placed by the structure generator`);
      case "u8":
        // emit's count and mask are set by emitEvent; any other u8 operand gets a small value
        return r.int(4);
    }
  }

  /** One straight-line row (flow "next"), typed where the overlay knows it. */
  private straight(row: OpcodeRow, floor: number): void {
    const r = this.r;
    const L = LOCAL_SHORT.exec(row.name);
    if (L && Number(L[2]) >= this.shape.locals.length) return;
    if (row.name === "emit") return this.emitEvent(row, floor);
    const ops: OperandValue[] = [];
    for (const o of row.operands) ops.push(this.operand(row, o.kind));
    // locals: typed by the local
    const li = L ? Number(L[2]) : row.operands[0]?.kind === "local" ? Number(ops[0]) : -1;
    if (li >= 0) {
      const lt = this.shape.locals[li]!;
      // loop counters are written only by their loops, so generated loops terminate
      if (this.shape.counters.includes(li) && (row.pop > 0 || row.name === "laddi")) return;
      if (row.name === "laddi") {
        if (lt !== "i") return;
        this.emit(row, ops);
        return;
      }
      if (row.pop === 0) {
        this.emit(row, ops);
        this.stack.push(lt);
        return;
      }
      if (!this.prepare([lt], floor)) return;
      this.emit(row, ops);
      if (row.push === 0) this.stack.pop();
      return;
    }
    const shuffle = SHUFFLES[row.name];
    if (shuffle) {
      if (this.stack.length - floor < row.pop) {
        if (!this.prepare(Array.from({ length: row.pop }, () => (r.chance(0.5) ? "i" : "b") as Ty), floor)) return;
      }
      if (this.stack.length - row.pop + row.push > MAX_HEIGHT) return;
      const top = this.stack.splice(this.stack.length - row.pop, row.pop);
      this.emit(row, ops);
      this.stack.push(...shuffle(top));
      return;
    }
    const sig = typedSig(row, ops) ?? { ins: Array<Ty>(row.pop).fill("i"), outs: Array<Ty>(row.push).fill("i") };
    if (!this.prepare(sig.ins, floor)) return;
    if (this.stack.length - sig.ins.length + sig.outs.length > MAX_HEIGHT) return;
    this.emit(row, ops);
    this.stack.length -= sig.ins.length;
    this.stack.push(...sig.outs);
  }

  private emitEvent(row: OpcodeRow, floor: number): void {
    const r = this.r;
    const avail = this.stack.length - floor;
    let count = r.int(Math.min(avail, LIMITS.MAX_PARAMS.value) + 1);
    if (count === 0 && r.chance(0.5) && this.stack.length + 2 <= MAX_HEIGHT) {
      this.pushFresh("i");
      this.pushFresh("b");
      count = 2;
    }
    let mask = 0;
    for (let i = 0; i < count; i++) if (this.stack[this.stack.length - count + i] === "b") mask |= 1 << i;
    if (r.chance(this.g.confusion) && count > 0) mask ^= 1 << r.int(count);
    const ops: OperandValue[] = row.operands.map((o) =>
      o.name === "count" ? count : o.name === "mask" ? mask : o.kind === "u32" ? r.int(8) : this.operand(row, o.kind),
    );
    this.emit(row, ops);
    this.stack.length -= count;
  }

  private call(floor: number): void {
    const row = this.r.pick(CALL_ROWS);
    // mostly calls forward (a DAG), sometimes anywhere, recursion included: call_depth and
    // stack_overflow are outcomes worth reaching
    const n = this.g.shapes.length;
    const callee = this.r.chance(0.85) && this.index + 1 < n ? this.r.range(this.index + 1, n - 1) : this.r.int(n);
    const shape = this.g.shapes[callee]!;
    if (!this.prepare(shape.params, floor)) return;
    const outs: Ty[] = shape.result ? [shape.result] : [];
    if (this.stack.length - shape.params.length + outs.length > MAX_HEIGHT) return;
    const ops = row.operands.map((o) => (o.kind === "func" ? callee : this.operand(row, o.kind)));
    this.emit(row, ops);
    this.stack.length -= shape.params.length;
    this.stack.push(...outs);
  }

  /** Leaves the function or the call; the stack is dead afterwards. */
  exit(): void {
    const row = this.r.pick(EXIT_ROWS);
    if (row.name === "ret") {
      const want = this.shape.result ? 1 : 0;
      while (this.stack.length > want) {
        this.emit(this.byName("drop"), []);
        this.stack.pop();
      }
      if (this.stack.length < want) this.pushFresh(this.shape.result!);
      else if (want === 1 && this.stack[0] !== this.shape.result && !this.r.chance(this.g.confusion)) {
        this.emit(this.byName("drop"), []);
        this.stack.pop();
        this.pushFresh(this.shape.result!);
      }
      this.emit(row, []);
      return;
    }
    const ops = row.operands.map((o) => this.operand(row, o.kind));
    if (row.pop > this.stack.length) for (let i = this.stack.length; i < row.pop; i++) this.pushFresh("i");
    this.emit(row, ops);
  }

  /** A stack-neutral block: whatever it pushes above `floor` is dropped before it ends. */
  block(depth: number): void {
    const floor = this.stack.length;
    const r = this.r;
    const n = r.range(1, 10);
    for (let k = 0; k < n && this.emitted < this.budget; k++) {
      const what = r.weighted<string>([
        [60, "op"],
        [depth < 3 ? 10 : 0, "if"],
        [depth < 2 ? 6 : 0, "loop"],
        [6, "call"],
        [3, "drop"],
      ]);
      if (what === "op") {
        const row = r.chance(0.3) ? this.g.coverage.leastCovered(NEXT_ROWS) : r.pick(NEXT_ROWS);
        this.straight(row, floor);
      } else if (what === "if") this.ifElse(depth, floor);
      else if (what === "loop") this.loop(depth);
      else if (what === "call") this.call(floor);
      else if (this.stack.length > floor) {
        this.emit(this.byName("drop"), []);
        this.stack.pop();
      }
    }
    while (this.stack.length > floor) {
      this.emit(this.byName("drop"), []);
      this.stack.pop();
    }
  }

  private ifElse(depth: number, floor: number): void {
    const r = this.r;
    const br = r.chance(0.4) ? this.g.coverage.leastCovered(BRANCH_ROWS) : r.pick(BRANCH_ROWS);
    if (!this.prepare(Array<Ty>(br.pop).fill("i"), floor)) return;
    const elseL = this.b.newLabel();
    this.emitJump(br, elseL);
    this.stack.length -= br.pop;
    const h = [...this.stack];
    const thenExits = r.chance(0.12);
    this.block(depth + 1);
    if (thenExits) this.exit();
    const hasElse = r.chance(0.6);
    const endL = this.b.newLabel();
    if (hasElse && !thenExits) this.emitJump(r.pick(JUMP_ROWS), endL);
    this.stack = [...h];
    this.b.bind(elseL);
    if (hasElse) {
      this.block(depth + 1);
      if (thenExits && r.chance(0.3)) {
        // both arms leave: code after the if is unreachable; keep it well-formed anyway
        this.exit();
        this.stack = [...h];
        const after = this.b.newLabel();
        this.b.bind(after);
      }
    }
    this.b.bind(endL);
    this.stack = h;
  }

  private loop(depth: number): void {
    const r = this.r;
    const counter = this.shape.counters[depth];
    if (counter === undefined) return;
    const trips = r.chance(0.9) ? BigInt(r.range(1, 12)) : BigInt(r.range(100, 5000));
    const lset = this.byName("lset");
    const lget = this.byName("lget");
    this.emit(this.byName("push0"), []);
    this.emit(lset, [counter]);
    const top = this.b.newLabel();
    const h = [...this.stack];
    if (r.chance(0.5)) {
      // test at the bottom: body; i += 1; if i < trips goto top
      this.b.bind(top);
      this.block(depth + 1);
      this.emit(this.byName("laddi"), [counter, 1]);
      this.emit(lget, [counter]);
      this.emit(this.byName("push"), [trips]);
      const back = r.pick(["jltu", "jlts", "jne"].filter((n) => BRANCH_ROWS.some((b) => b.name === n)));
      this.emitJump(this.byName(back), top);
    } else {
      // test at the top: while i < trips { body; i += 1 }
      const exit = this.b.newLabel();
      this.b.bind(top);
      this.emit(lget, [counter]);
      this.emit(this.byName("push"), [trips]);
      const out = r.pick(["jgeu", "jges", "jeq"].filter((n) => BRANCH_ROWS.some((b) => b.name === n)));
      this.emitJump(this.byName(out), exit);
      this.block(depth + 1);
      this.emit(this.byName("laddi"), [counter, 1]);
      this.emitJump(r.pick(JUMP_ROWS), top);
      this.b.bind(exit);
    }
    this.stack = h;
  }

  /** Loads byte-typed locals with references (an uninitialised one holds the integer 0: not a reference). */
  prologue(): void {
    this.shape.locals.forEach((t, i) => {
      if (i < this.shape.params.length || t !== "b" || this.r.chance(0.05)) return;
      this.pushFresh("b");
      this.emit(this.byName("lset"), [i]);
      this.stack.pop();
    });
  }

  body(): Uint8Array {
    this.prologue();
    while (this.emitted < this.budget) this.block(0);
    this.exit();
    return this.b.finish();
  }
}

export class ProgramGen {
  readonly coverage = new OpcodeCoverage();
  r!: Rng;
  shapes: FnShape[] = [];
  consts: Uint8Array[] = [];
  confusion = 0.03;
  refWindow: readonly [number, number] | undefined;
  private maxInstructions = 60;

  constructor(opts: GenOptions = {}) {
    if (opts.maxInstructions !== undefined) this.maxInstructions = opts.maxInstructions;
    if (opts.confusion !== undefined) this.confusion = opts.confusion;
    this.refWindow = opts.refWindow;
  }

  pickConst(): number {
    return this.r.int(this.consts.length);
  }

  private makeConsts(): Uint8Array[] {
    const r = this.r;
    const cs = [new Uint8Array(0), r.bytes(r.range(1, 9)), r.bytes(8), PUBKEY, MESSAGE, SIGNATURE, FOREIGN_ID, r.bytes(r.range(10, 70))];
    if (r.chance(0.15)) cs.push(r.bytes(r.pick([255, 512, LIMITS.MAX_BYTES_LEN.value])));
    return cs;
  }

  private makeShape(exported: boolean): FnShape {
    const r = this.r;
    const nParams = r.chance(0.5) ? 0 : r.range(1, exported ? 3 : LIMITS.MAX_PARAMS.value);
    const params = Array.from({ length: nParams }, () => (r.chance(0.3) ? "b" : "i") as Ty);
    const result: Ty | null = r.chance(0.3) ? null : r.chance(0.3) ? "b" : "i";
    const extra = Array.from({ length: r.int(5) }, () => (r.chance(0.3) ? "b" : "i") as Ty);
    const locals = [...params, ...extra];
    const counters = [locals.length, locals.length + 1];
    locals.push("i", "i");
    return { params, result, locals, counters };
  }

  /** A new valid module and the calls to make on it (regenerated smaller if it outgrows a limit). */
  generate(r: Rng): GeneratedProgram {
    for (;;) {
      const p = this.generateOnce(r);
      const code = p.def.functions.reduce((n, f) => n + f.code.length, 0);
      if (p.bytes.length <= LIMITS.MODULE_MAX_BYTES.value && code <= LIMITS.CODE_MAX_BYTES.value) return p;
    }
  }

  private generateOnce(r: Rng): GeneratedProgram {
    this.r = r;
    this.consts = this.makeConsts();
    const nFuncs = r.range(1, 4);
    this.shapes = Array.from({ length: nFuncs }, (_, i) => this.makeShape(i === 0));
    const bodies = this.shapes.map((s, i) => new FunctionGen(this, i, s, r.range(4, this.maxInstructions)).body());
    const callees = this.shapes.map((s) => ({ params: s.params.length, results: s.result ? 1 : 0 }));
    const mask = (ts: Ty[]): number => ts.reduce((m, t, i) => (t === "b" ? m | (1 << i) : m), 0);
    const def: ModuleDef = {
      functions: this.shapes.map((s, i) => {
        const code = bodies[i]!;
        const computed = computeMaxStack(code, callees);
        return {
          params: s.params.length,
          results: s.result ? 1 : 0,
          locals: s.locals.length - s.params.length,
          maxStack: r.chance(0.9) ? computed : Math.min(255, computed + r.range(1, 40)),
          code,
        };
      }),
      consts: this.consts,
      exports: this.shapes.flatMap((s, i) =>
        i === 0 || r.chance(0.3)
          ? [{ name: `f${i}`, selector: selectorOf(`f${i}`), func: i, view: r.chance(0.3), argMask: mask(s.params), retMask: s.result === "b" ? 1 : 0 }]
          : [],
      ),
    };
    const bytes = encodeModule(def);
    const calls: CallSpec[] = [];
    for (let k = r.range(1, 4); k > 0; k--) {
      const e = r.pick(def.exports);
      const shape = this.shapes[e.func]!;
      calls.push(randomCall(r, e.name!, e.selector, shape.params));
    }
    return { def, bytes, calls };
  }
}

/** Arguments for an export, mostly well typed; sometimes wrong in count or type (bad_call paths). */
export function randomArgs(r: Rng, params: readonly Ty[]): Value[] {
  if (r.chance(0.04)) return Array.from({ length: r.int(4) }, () => (r.chance(0.5) ? r.u64() : r.bytes(r.int(40))));
  return params.map((t) =>
    t === "i" ? (r.chance(0.2) ? r.i64() : r.u64()) : r.chance(0.2) ? FUZZ_PUBKEY : r.bytes(r.pick([0, 1, 8, 32, 33, r.int(120)])),
  );
}

export function randomGas(r: Rng): number {
  return r.weighted<number>([
    [3, r.int(30)],
    [3, r.range(30, 1000)],
    [4, r.range(1000, 200_000)],
    [2, LIMITS.DEFAULT_GAS.value],
  ]);
}

export function randomCall(r: Rng, name: string, selector: number, params: readonly Ty[]): CallSpec {
  const bad = r.chance(0.03);
  return {
    name: bad ? "0x?" : name,
    selector: bad ? r.u32() : selector,
    args: randomArgs(r, params),
    gas: randomGas(r),
    caller: r.chance(0.5) ? FUZZ_PUBKEY : r.bytes(32),
    timestamp: r.u64(),
    height: r.chance(0.5) ? BigInt(r.int(1000)) : r.u64(),
  };
}
