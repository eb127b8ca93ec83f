// Mutations of real modules: blind byte edits (flips, interesting bytes, LEB128 abuse, splices) and
// structure-aware edits that keep a module decodable so the verifier's deeper rules and the
// interpreter see nearly-valid code (opcode swaps within a format, retargeted jumps, edge headers).
import { OPCODES, operandWidth, type OpcodeRow } from "../../vm/spec/opcodes.ts";
import { MAGIC, Section, VERSION } from "../../vm/spec/format.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { decodeInstruction, decodeModule, encodeModule, type ModuleDef } from "../../vm/spec/module.ts";
import type { Rng } from "./random.ts";

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x40, 0x3f, 0x20, 0x10, 0x08];

/** Operand layout of a row as a string, e.g. "target" or "slot,mode": rows with equal layouts are interchangeable bytes. */
const layout = (r: OpcodeRow): string => r.operands.map((o) => (operandWidth(o.kind) > 0 ? `w${operandWidth(o.kind)}` : o.kind === "sleb" ? "sleb" : "uleb")).join(",");
const SAME_LAYOUT = new Map<string, OpcodeRow[]>();
for (const r of OPCODES) {
  const k = layout(r);
  SAME_LAYOUT.set(k, [...(SAME_LAYOUT.get(k) ?? []), r]);
}

/** A random module made of raw bytes, with or without a valid header, sometimes with section framing. */
export function randomModule(r: Rng): Uint8Array {
  const kind = r.int(4);
  if (kind === 0) return r.bytes(r.int(160));
  const head = [...MAGIC, VERSION];
  if (kind === 1) return Uint8Array.from([...head, ...r.bytes(r.int(160))]);
  // framed: plausible section ids and sizes around random payloads
  const out = [...head];
  const ids: number[] = [Section.FUNCS, Section.CONSTS, Section.CODE, Section.EXPORTS, Section.META].filter(() => r.chance(0.7));
  if (r.chance(0.2)) ids.push(r.int(256));
  for (const id of ids) {
    const payload = r.bytes(id === Section.META && r.chance(0.7) ? 32 : r.int(48));
    out.push(id, ...(r.chance(0.8) ? [payload.length] : [payload.length + r.range(-2, 2) & 0x7f]), ...payload);
  }
  return Uint8Array.from(out);
}

/** A byte-level mutation; `others` supplies splice partners. */
export function mutateBytes(r: Rng, input: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  const m = [...input];
  const at = (): number => (m.length === 0 ? 0 : r.int(m.length));
  // keep the header most of the time: past it is where the interesting checks are
  const body = (): number => (m.length > 5 && r.chance(0.9) ? 5 + r.int(m.length - 5) : at());
  const steps = r.weighted<number>([[6, 1], [3, 2], [2, 3], [1, 8]]);
  for (let s = 0; s < steps; s++) {
    switch (r.int(11)) {
      case 0: {
        const i = body();
        if (i < m.length) m[i] = m[i]! ^ (1 << r.int(8));
        break;
      }
      case 1: {
        const i = body();
        if (i < m.length) m[i] = r.pick(INTERESTING_BYTES);
        break;
      }
      case 2: {
        const i = body();
        if (i < m.length) m[i] = r.int(256);
        break;
      }
      case 3: {
        // an opcode byte somewhere: code is where bytes become behaviour
        const i = body();
        if (i < m.length) m[i] = r.pick(OPCODES).code;
        break;
      }
      case 4: {
        const i = body();
        m.splice(i, 0, ...r.bytes(r.range(1, 8)));
        break;
      }
      case 5: {
        const i = body();
        m.splice(i, r.range(1, 8));
        break;
      }
      case 6: {
        // duplicate a chunk (repeated sections, repeated entries)
        const i = body();
        const n = r.range(1, 16);
        m.splice(r.int(m.length + 1), 0, ...m.slice(i, i + n));
        break;
      }
      case 7:
        m.length = Math.max(0, r.int(m.length + 1));
        break;
      case 8: {
        // overlong, non-canonical or huge LEB128 where a size or count probably is
        const i = body();
        const leb = r.pick([[0x80, 0x00], [0xff, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0x7f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], [0x81, 0x80, 0x00], [0xe0, 0x2f]]);
        m.splice(i, r.range(0, 2), ...leb);
        break;
      }
      case 9: {
        const other = others.length ? r.pick(others) : input;
        const a = r.int(other.length + 1);
        const chunk = other.slice(a, a + r.range(1, 64));
        m.splice(body(), r.int(16), ...chunk);
        break;
      }
      default: {
        // a small add/subtract, as counts and sizes are off by one in bugs
        const i = body();
        if (i < m.length) m[i] = (m[i]! + r.range(-3, 3)) & 0xff;
      }
    }
  }
  if (m.length > LIMITS.MODULE_MAX_BYTES.value + 64) m.length = LIMITS.MODULE_MAX_BYTES.value + r.int(64);
  return Uint8Array.from(m);
}

/** Edits one instruction of one body in place; returns false when the body offers nothing to edit. */
function mutateCode(r: Rng, code: Uint8Array, nFuncs: number, nConsts: number): boolean {
  const starts: number[] = [];
  for (let pc = 0; pc < code.length; ) {
    try {
      const ins = decodeInstruction(code, pc);
      starts.push(pc);
      pc = ins.next;
    } catch {
      break;
    }
  }
  if (starts.length === 0) return false;
  const pc = r.pick(starts);
  const ins = decodeInstruction(code, pc);
  const choice = r.int(4);
  if (choice === 0 || ins.row.operands.length === 0) {
    // another opcode with the same operand layout: the module stays decodable, often still valid
    const alt = r.pick(SAME_LAYOUT.get(layout(ins.row))!);
    code[pc] = alt.code;
    return true;
  }
  // edit one fixed-width operand, or the first byte of a LEB128 one
  let p = pc + 1;
  const k = r.int(ins.row.operands.length);
  for (let i = 0; i < k; i++) {
    const o = ins.row.operands[i]!;
    const w = operandWidth(o.kind);
    if (w > 0) p += w;
    else while (code[p++]! & 0x80);
  }
  const o = ins.row.operands[k]!;
  if (p >= code.length) return false;
  switch (o.kind) {
    case "target": {
      const t = code[p]! | (code[p + 1]! << 8);
      const nt = r.chance(0.5) ? r.pick(starts) : Math.max(0, t + r.range(-3, 3));
      code[p] = nt & 0xff;
      code[p + 1] = (nt >> 8) & 0xff;
      return true;
    }
    case "func":
      code[p] = (code[p]! & 0x80) | (r.chance(0.7) ? r.int(nFuncs + 1) : r.int(128));
      return true;
    case "const":
      code[p] = (code[p]! & 0x80) | (r.chance(0.7) ? r.int(nConsts + 1) : r.int(128));
      return true;
    case "local":
      code[p] = r.chance(0.7) ? r.int(8) : r.pick([63, 64, 65, 255]);
      return true;
    default:
      code[p] = r.chance(0.5) ? r.pick(INTERESTING_BYTES) : (code[p]! ^ (1 << r.int(8)));
      return true;
  }
}

/** A structure-aware mutation: decode, edit one field or instruction, re-encode. Null if undecodable. */
export function mutateStructure(r: Rng, input: Uint8Array): Uint8Array | null {
  let m: ModuleDef;
  try {
    m = decodeModule(input);
  } catch {
    return null;
  }
  if (m.functions.length === 0) return null;
  const f = r.pick(m.functions);
  const edge = (): number => r.pick([0, 1, 2, 7, 8, 9, 63, 64, 65, 127, 128, 255]);
  switch (r.int(9)) {
    case 0: f.maxStack = r.chance(0.5) ? Math.max(0, f.maxStack + r.range(-2, 2)) : edge(); break;
    case 1: f.locals = r.chance(0.5) ? Math.max(0, Math.min(255, f.locals + r.range(-2, 2))) : edge(); break;
    case 2: f.params = r.chance(0.5) ? Math.max(0, f.params + r.range(-1, 1)) : edge(); break;
    case 3: f.results = r.int(3); break;
    case 4: {
      const e = m.exports.length ? r.pick(m.exports) : undefined;
      if (!e) return null;
      const field = r.int(4);
      if (field === 0) e.argMask = r.int(256);
      else if (field === 1) e.retMask = r.int(4);
      else if (field === 2) e.func = r.chance(0.5) ? r.int(m.functions.length + 1) : r.int(300);
      else if (m.exports.length > 1) e.selector = m.exports[0]!.selector;
      break;
    }
    case 5:
      if (r.chance(0.5) && m.consts.length) m.consts.splice(r.int(m.consts.length), 1);
      else m.consts.push(r.bytes(r.chance(0.9) ? r.int(40) : LIMITS.MAX_BYTES_LEN.value + r.int(3)));
      break;
    case 6:
      if (m.functions.length > 1 && r.chance(0.5)) m.functions.splice(r.int(m.functions.length), 1);
      else m.functions.push({ ...f, code: f.code.slice() });
      break;
    default:
      if (!mutateCode(r, f.code, m.functions.length, m.consts.length)) return null;
  }
  try {
    return encodeModule(m);
  } catch {
    return null;
  }
}
