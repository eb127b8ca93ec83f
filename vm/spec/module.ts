// Encoding and decoding of .mbc modules and of single instructions, driven by the opcode table.
// Everything that writes or reads bytecode in TypeScript (assembler, compiler, disassembler) goes through here.
import { sha256 } from "@noble/hashes/sha2.js";
import { EXPORT_VIEW, MAGIC, Section, VERSION } from "./format.ts";
import { OPCODE_BY_CODE, OPCODE_BY_NAME, type OpcodeRow, type Operand, operandWidth } from "./opcodes.ts";

/** A structural error in a module or instruction stream, with the byte offset where it was found. */
export class ModuleFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = "ModuleFormatError";
  }
}

export interface FunctionDef {
  params: number;
  results: number;
  locals: number;
  maxStack: number;
  code: Uint8Array;
  /** Set by decodeModule: where the code starts in the module's bytes (for tracing tools). */
  offset?: number;
}

export interface ExportDef {
  name?: string; // source name when known; the module itself stores only the selector
  selector: number;
  func: number;
  view: boolean;
  argMask: number;
  retMask: number;
}

export interface ModuleDef {
  functions: FunctionDef[];
  consts: Uint8Array[];
  exports: ExportDef[];
  metaHash?: Uint8Array;
}

const utf8 = new TextEncoder();

/** First 4 bytes of SHA-256(utf8(name)), read as a little-endian u32. */
export function selectorOf(name: string): number {
  const h = sha256(utf8.encode(name));
  return (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
}

/** A module's id: SHA-256 of its bytes. */
export function moduleId(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}

// -- LEB128 ---------------------------------------------------------------------------------------

export function writeUleb(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`uleb operand out of range: ${value}`);
  let v = value;
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

export function writeSleb(out: number[], value: bigint): void {
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

/** Reads a canonical unsigned LEB128 u32. */
export function readUleb(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  let pos = offset;
  for (let i = 0; i < 5; i++) {
    if (pos >= bytes.length) throw new ModuleFormatError("truncated LEB128 number", offset);
    const b = bytes[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) throw new ModuleFormatError("non-canonical LEB128 number", offset);
      if (result > 0xffffffff) throw new ModuleFormatError("LEB128 number exceeds u32", offset);
      return { value: result, next: pos };
    }
    shift += 7;
  }
  throw new ModuleFormatError("LEB128 number longer than 5 bytes", offset);
}

/** Reads a canonical signed LEB128 i64. */
export function readSleb(bytes: Uint8Array, offset: number): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  let pos = offset;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new ModuleFormatError("truncated LEB128 number", offset);
    const b = bytes[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      if (b & 0x40 && shift < 64n) result |= -1n << shift;
      const value = BigInt.asIntN(64, result);
      const canon: number[] = [];
      writeSleb(canon, value);
      if (canon.length !== pos - offset) throw new ModuleFormatError("non-canonical or out-of-range LEB128 number", offset);
      return { value, next: pos };
    }
  }
  throw new ModuleFormatError("LEB128 number longer than 10 bytes", offset);
}

// -- instructions -----------------------------------------------------------------------------------

export type OperandValue = number | bigint;

export interface Instruction {
  offset: number;
  row: OpcodeRow;
  operands: OperandValue[];
  next: number;
}

/** Decodes the instruction at `offset` of `code`. */
export function decodeInstruction(code: Uint8Array, offset: number): Instruction {
  const row = OPCODE_BY_CODE[code[offset]!];
  if (!row) throw new ModuleFormatError(`unknown opcode 0x${code[offset]!.toString(16).padStart(2, "0")}`, offset);
  let pos = offset + 1;
  const operands: OperandValue[] = [];
  for (const o of row.operands) {
    const w = operandWidth(o.kind);
    if (w > 0) {
      if (pos + w > code.length) throw new ModuleFormatError(`truncated ${o.name} operand of ${row.name}`, pos);
      let v = 0;
      for (let i = 0; i < w; i++) v += code[pos + i]! * 2 ** (8 * i);
      operands.push(v);
      pos += w;
    } else if (o.kind === "sleb") {
      const r = readSleb(code, pos);
      operands.push(r.value);
      pos = r.next;
    } else {
      const r = readUleb(code, pos);
      operands.push(r.value);
      pos = r.next;
    }
  }
  return { offset, row, operands, next: pos };
}

function encodeOperand(out: number[], row: OpcodeRow, o: Operand, v: OperandValue): void {
  const w = operandWidth(o.kind);
  if (w > 0) {
    const n = typeof v === "bigint" ? Number(v) : v;
    if (!Number.isInteger(n) || n < 0 || n >= 2 ** (8 * w)) {
      throw new RangeError(`${row.name}: ${o.name} operand ${v} does not fit ${w} byte(s)`);
    }
    if (o.kind === "width" && ![1, 2, 4, 8].includes(n)) throw new RangeError(`${row.name}: width must be 1, 2, 4 or 8, got ${n}`);
    if (o.kind === "mode" && n > 3) throw new RangeError(`${row.name}: storage mode must be 0..3, got ${n}`);
    for (let i = 0; i < w; i++) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  } else if (o.kind === "sleb") {
    const b = BigInt(v);
    if (b < -(2n ** 63n) || b >= 2n ** 64n) throw new RangeError(`${row.name}: ${v} is outside the 64-bit range`);
    writeSleb(out, b);
  } else {
    const n = typeof v === "bigint" ? Number(v) : v;
    try {
      writeUleb(out, n);
    } catch {
      throw new RangeError(`${row.name}: ${o.name} operand ${v} is outside 0..2^32-1`);
    }
  }
}

/** Encodes one instruction by opcode name; operand values are range-checked against the table. */
export function encodeInstruction(name: string, operands: readonly OperandValue[]): number[] {
  const row = OPCODE_BY_NAME.get(name);
  if (!row) throw new RangeError(`unknown opcode '${name}'`);
  if (operands.length !== row.operands.length) {
    throw new RangeError(`${name} takes ${row.operands.length} operand(s), got ${operands.length}`);
  }
  const out = [row.code];
  row.operands.forEach((o, i) => encodeOperand(out, row, o, operands[i]!));
  return out;
}

// -- code builder -----------------------------------------------------------------------------------

/** A jump target inside one function body; bound once, referenced by any number of jumps. */
export class Label {
  pos = -1;
  readonly refs: number[] = [];
  constructor(readonly name?: string) {}
}

/** Emits one function body through the opcode table, with forward jumps patched at finish(). */
export class CodeBuilder {
  private readonly out: number[] = [];
  private readonly labels: Label[] = [];

  get pc(): number {
    return this.out.length;
  }

  emit(name: string, ...operands: OperandValue[]): this {
    const row = OPCODE_BY_NAME.get(name);
    if (row && row.operands.some((o) => o.kind === "target")) throw new RangeError(`${name} jumps: use emitJump`);
    this.out.push(...encodeInstruction(name, operands));
    return this;
  }

  newLabel(name?: string): Label {
    const l = new Label(name);
    this.labels.push(l);
    return l;
  }

  bind(label: Label): this {
    if (label.pos >= 0) throw new RangeError(`label ${label.name ?? ""} bound twice`);
    label.pos = this.pc;
    return this;
  }

  emitJump(name: string, label: Label): this {
    const row = OPCODE_BY_NAME.get(name);
    if (!row || row.operands.length !== 1 || row.operands[0]!.kind !== "target") throw new RangeError(`${name} is not a jump`);
    this.out.push(row.code, 0, 0);
    label.refs.push(this.pc - 2);
    return this;
  }

  /** A jump to a fixed offset (hand-written or disassembled code; the verifier judges it). */
  emitJumpTo(name: string, target: number): this {
    const row = OPCODE_BY_NAME.get(name);
    if (!row || row.operands.length !== 1 || row.operands[0]!.kind !== "target") throw new RangeError(`${name} is not a jump`);
    if (!Number.isInteger(target) || target < 0 || target > 0xffff) throw new RangeError(`jump target ${target} is outside 0..65535`);
    this.out.push(row.code, target & 0xff, target >> 8);
    return this;
  }

  /** Patches every jump; fails clearly when a label is unbound or a body outgrows 16-bit targets. */
  finish(): Uint8Array {
    if (this.pc > 0xffff) throw new RangeError(`function body is ${this.pc} bytes; jump targets are 16-bit (max 65535)`);
    for (const l of this.labels) {
      if (l.refs.length === 0) continue;
      if (l.pos < 0) throw new RangeError(`label ${l.name ?? "(anonymous)"} is used but never bound`);
      for (const at of l.refs) {
        this.out[at] = l.pos & 0xff;
        this.out[at + 1] = l.pos >> 8;
      }
    }
    return Uint8Array.from(this.out);
  }
}

/** Signature of a callee as seen from a call site. */
export interface CalleeShape {
  params: number;
  results: number;
}

/**
 * The maximum operand-stack height of a function body (locals excluded), following every path.
 * The VM's verifier re-derives and checks it; encoders use this to fill the FUNCS entry.
 */
export function computeMaxStack(code: Uint8Array, callees: readonly CalleeShape[]): number {
  const height = new Map<number, number>();
  const work: number[] = [0];
  height.set(0, 0);
  let max = 0;
  const flow = (to: number, h: number, at: number): void => {
    const seen = height.get(to);
    if (seen === undefined) {
      height.set(to, h);
      work.push(to);
    } else if (seen !== h) throw new ModuleFormatError(`stack heights ${seen} and ${h} meet at ${to}`, at);
  };
  while (work.length > 0) {
    const pc = work.pop()!;
    if (pc >= code.length) throw new ModuleFormatError("control falls off the end of the function", pc);
    const ins = decodeInstruction(code, pc);
    let h = height.get(pc)!;
    let pop = ins.row.pop;
    let push = ins.row.push;
    if (ins.row.name === "call") {
      const callee = callees[Number(ins.operands[0])];
      if (!callee) throw new ModuleFormatError(`call to missing function ${ins.operands[0]}`, pc);
      pop = callee.params;
      push = callee.results;
    } else if (ins.row.name === "emit") {
      pop = Number(ins.operands[1]);
    }
    if (h < pop) throw new ModuleFormatError(`${ins.row.name} pops ${pop} value(s) from a stack of ${h}`, pc);
    h = h - pop + push;
    max = Math.max(max, h);
    const targetIdx = ins.row.operands.findIndex((o) => o.kind === "target");
    if (targetIdx >= 0) flow(Number(ins.operands[targetIdx]), h, pc);
    if (ins.row.flow !== "jump" && ins.row.flow !== "exit") flow(ins.next, h, pc);
  }
  return max;
}

// -- modules ----------------------------------------------------------------------------------------

function section(out: number[], id: number, payload: number[]): void {
  out.push(id);
  writeUleb(out, payload.length);
  for (const b of payload) out.push(b);
}

/** Encodes a module canonically: sections in id order, empty optional sections omitted. */
export function encodeModule(m: ModuleDef): Uint8Array {
  const out: number[] = [...MAGIC, VERSION];
  const funcs: number[] = [];
  writeUleb(funcs, m.functions.length);
  for (const [i, f] of m.functions.entries()) {
    for (const [k, v] of [["params", f.params], ["results", f.results], ["locals", f.locals], ["maxStack", f.maxStack]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`function ${i}: ${k} ${v} is outside 0..255`);
    }
    funcs.push(f.params, f.results, f.locals, f.maxStack);
    writeUleb(funcs, f.code.length);
  }
  section(out, Section.FUNCS, funcs);
  if (m.consts.length > 0) {
    const consts: number[] = [];
    writeUleb(consts, m.consts.length);
    for (const c of m.consts) {
      writeUleb(consts, c.length);
      for (const b of c) consts.push(b);
    }
    section(out, Section.CONSTS, consts);
  }
  const code: number[] = [];
  for (const f of m.functions) for (const b of f.code) code.push(b);
  section(out, Section.CODE, code);
  if (m.exports.length > 0) {
    const ex: number[] = [];
    writeUleb(ex, m.exports.length);
    for (const e of m.exports) {
      const s = e.selector >>> 0;
      ex.push(s & 0xff, (s >>> 8) & 0xff, (s >>> 16) & 0xff, s >>> 24);
      writeUleb(ex, e.func);
      ex.push(e.view ? EXPORT_VIEW : 0, e.argMask & 0xff, e.retMask & 0xff);
    }
    section(out, Section.EXPORTS, ex);
  }
  if (m.metaHash) {
    if (m.metaHash.length !== 32) throw new RangeError("metadata hash must be 32 bytes");
    section(out, Section.META, [...m.metaHash]);
  }
  return Uint8Array.from(out);
}

/**
 * Decodes a module's structure (not its code's validity: that is the verifier's job in the VM).
 * Throws ModuleFormatError with the offending byte offset.
 */
export function decodeModule(bytes: Uint8Array): ModuleDef {
  if (bytes.length < 5) throw new ModuleFormatError("too short to be a Mote module", 0);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw new ModuleFormatError('bad magic (expected "MOTE")', i);
  if (bytes[4] !== VERSION) throw new ModuleFormatError(`unsupported version ${bytes[4]}`, 4);
  let pos = 5;
  let last = 0;
  const m: ModuleDef = { functions: [], consts: [], exports: [] };
  const shapes: { params: number; results: number; locals: number; maxStack: number; len: number }[] = [];
  let sawCode = false;
  while (pos < bytes.length) {
    const idAt = pos;
    const id = bytes[pos++]!;
    if (id <= last || id > Section.META) throw new ModuleFormatError(`section id ${id} unknown, repeated or out of order`, idAt);
    last = id;
    const size = readUleb(bytes, pos);
    pos = size.next;
    const end = pos + size.value;
    if (end > bytes.length) throw new ModuleFormatError(`section ${id} runs past the end of the module`, idAt);
    const need = (n: number): void => {
      if (pos + n > end) throw new ModuleFormatError(`section ${id} is truncated`, pos);
    };
    const uleb = (): number => {
      const r = readUleb(bytes, pos);
      if (r.next > end) throw new ModuleFormatError(`section ${id} is truncated`, pos);
      pos = r.next;
      return r.value;
    };
    switch (id) {
      case Section.FUNCS: {
        const n = uleb();
        for (let i = 0; i < n; i++) {
          need(4);
          const [params, results, locals, maxStack] = [bytes[pos]!, bytes[pos + 1]!, bytes[pos + 2]!, bytes[pos + 3]!];
          pos += 4;
          shapes.push({ params, results, locals, maxStack, len: uleb() });
        }
        break;
      }
      case Section.CONSTS: {
        const n = uleb();
        for (let i = 0; i < n; i++) {
          const len = uleb();
          need(len);
          m.consts.push(bytes.slice(pos, pos + len));
          pos += len;
        }
        break;
      }
      case Section.CODE: {
        sawCode = true;
        for (const s of shapes) {
          need(s.len);
          m.functions.push({ params: s.params, results: s.results, locals: s.locals, maxStack: s.maxStack, code: bytes.slice(pos, pos + s.len), offset: pos });
          pos += s.len;
        }
        break;
      }
      case Section.EXPORTS: {
        const n = uleb();
        for (let i = 0; i < n; i++) {
          need(4);
          const selector = (bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 24)) >>> 0;
          pos += 4;
          const func = uleb();
          need(3);
          m.exports.push({ selector, func, view: (bytes[pos]! & EXPORT_VIEW) !== 0, argMask: bytes[pos + 1]!, retMask: bytes[pos + 2]! });
          pos += 3;
        }
        break;
      }
      case Section.META:
        need(32);
        m.metaHash = bytes.slice(pos, pos + 32);
        pos += 32;
        break;
    }
    if (pos !== end) throw new ModuleFormatError(`section ${id} has ${end - pos} byte(s) left over`, pos);
  }
  if (shapes.length === 0 && last < Section.FUNCS) throw new ModuleFormatError("missing FUNCS section", bytes.length);
  if (!sawCode) throw new ModuleFormatError("missing CODE section", bytes.length);
  return m;
}

/** Byte offset of the CODE section payload and of each function body within the module. */
export function codeLayout(bytes: Uint8Array): { codeStart: number; bodies: number[] } {
  let pos = 5;
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    const size = readUleb(bytes, pos);
    if (id === Section.CODE) {
      const m = decodeModule(bytes);
      const bodies: number[] = [];
      let at = size.next;
      for (const f of m.functions) {
        bodies.push(at);
        at += f.code.length;
      }
      return { codeStart: size.next, bodies };
    }
    pos = size.next + size.value;
  }
  throw new ModuleFormatError("missing CODE section", bytes.length);
}
