// The load-time verifier: parses the module image, fills the function, constant and export tables,
// proves every property the interpreter relies on, and computes the per-instruction gas table.
import {
  opInfo, IMAGE, FUNCS, CONSTS, EXPORTS, GASTAB, STACK,
  MODULE_MAX_BYTES, CODE_MAX_BYTES, MAX_FUNCTIONS, MAX_CONSTANTS, MAX_EXPORTS, MAX_PARAMS, MAX_LOCALS, MAX_BYTES_LEN,
  MAGIC, VERSION, SEC_FUNCS, SEC_CONSTS, SEC_CODE, SEC_EXPORTS, SEC_META, EXPORT_VIEW,
  FMT_NONE, FMT_LOCAL, FMT_SLEB, FMT_CONST, FMT_LOCAL_ULEB, FMT_TARGET, FMT_FUNC, FMT_ERROR, FMT_WIDTH, FMT_SLOT_MODE, FMT_U32_U8_U8, FMT_SLOT,
  FLOW_NEXT, FLOW_BRANCH, FLOW_JUMP, FLOW_CALL, FLOW_EXIT,
  OP_SLOAD, OP_SSTORE, OP_XLOAD, OP_CALL, OP_RET, OP_EMIT,
  VE_BAD_MAGIC, VE_BAD_VERSION, VE_TRUNCATED, VE_SECTION_ORDER, VE_SECTION_SIZE, VE_TOO_LARGE, VE_BAD_LEB, VE_BAD_FUNCTION,
  VE_UNKNOWN_OPCODE, VE_BAD_IMMEDIATE, VE_BAD_JUMP, VE_STACK_UNDERFLOW, VE_STACK_OVERFLOW, VE_STACK_MISMATCH, VE_BAD_CALL,
  VE_CALL_ARITY, VE_BAD_CONST, VE_BAD_LOCAL, VE_FALLS_OFF_END, VE_BAD_EXPORT, VE_MISSING_SECTION, VE_BLOCK_GAS,
} from "./gen/spec";

export let nFuncs: i32 = 0;
export let nExports: i32 = 0;
let nConsts: i32 = 0;
/** Added to (pc << 1) gives the gas-table entry of the instruction at absolute address pc. */
export let gasBias: i32 = 0;

let verr: i32 = 0;
export let voff: i32 = 0;
let rp: i32 = 0; // read cursor (absolute address)
let rlim: i32 = 0; // end of the current container

function fail(code: i32, at: i32): void {
  if (verr == 0) {
    verr = code;
    voff = at - IMAGE;
  }
}

function rdU8(): u32 {
  if (rp >= rlim) {
    fail(VE_TRUNCATED, rp);
    return 0;
  }
  return load<u8>(rp++);
}

/** Canonical unsigned LEB128, at most 5 bytes, fitting u32. */
function rdUleb(): u32 {
  const start = rp;
  let r: u32 = 0;
  let shift: u32 = 0;
  while (true) {
    if (rp >= rlim) {
      fail(VE_TRUNCATED, rp);
      return 0;
    }
    const b = <u32>load<u8>(rp++);
    if (shift == 28 && b > 0x0f) {
      fail(VE_BAD_LEB, start);
      return 0;
    }
    r |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      if (b == 0 && shift > 0) fail(VE_BAD_LEB, start);
      return r;
    }
    shift += 7;
  }
}

/** Canonical signed LEB128, at most 10 bytes, fitting i64. */
function skipSleb(): void {
  const start = rp;
  let n = 0;
  while (true) {
    if (rp >= rlim) {
      fail(VE_TRUNCATED, rp);
      return;
    }
    const b = <u32>load<u8>(rp++);
    n++;
    if (b & 0x80) {
      if (n == 10) {
        fail(VE_BAD_LEB, start);
        return;
      }
      continue;
    }
    if (n == 10 && b != 0 && b != 0x7f) fail(VE_BAD_LEB, start);
    if (n > 1) {
      const prev = <u32>load<u8>(rp - 2);
      if ((b == 0 && (prev & 0x40) == 0) || (b == 0x7f && (prev & 0x40) != 0)) fail(VE_BAD_LEB, start);
    }
    return;
  }
}

/** Decodes an unsigned LEB128 of verified code at p. */
export function ulebAt(p: i32): u32 {
  let r: u32 = 0;
  let shift: u32 = 0;
  let b: u32;
  do {
    b = load<u8>(p++);
    r |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return r;
}

function lebEnd(p: i32): i32 {
  while (load<u8>(p++) & 0x80) {}
  return p;
}

/** Address of the instruction after the verified instruction at p. */
function insnEnd(p: i32, info: u32): i32 {
  switch (info & 15) {
    case FMT_NONE: return p + 1;
    case FMT_LOCAL:
    case FMT_WIDTH: return p + 2;
    case FMT_LOCAL_ULEB: return lebEnd(p + 2);
    case FMT_SLOT: return p + 2;
    case FMT_TARGET:
    case FMT_SLOT_MODE: return p + 3;
    case FMT_U32_U8_U8: return p + 7;
    default: return lebEnd(p + 1); // sleb, const, func, error
  }
}

@inline function gasAt(p: i32): i32 {
  return gasBias + (p << 1);
}

/** Pass 1: decode every instruction of function f, check opcodes and immediates, mark instruction starts. */
function decodeBody(s: i32, len: i32, nloc: u32): void {
  const end = s + len;
  memory.fill(gasAt(s), 0, len << 1);
  rp = s;
  rlim = end;
  while (rp < end) {
    const at = rp;
    store<u16>(gasAt(at), 1);
    const op = <u32>load<u8>(rp++);
    const info = opInfo(op);
    if (info == 0) return fail(VE_UNKNOWN_OPCODE, at);
    const il = (info >> 11) & 15;
    if (il != 0 && il - 1 >= nloc) return fail(VE_BAD_LOCAL, at);
    switch (info & 15) {
      case FMT_NONE: break;
      case FMT_LOCAL: {
        const q = rp;
        if (rdU8() >= nloc) fail(VE_BAD_LOCAL, q);
        break;
      }
      case FMT_SLEB: skipSleb(); break;
      case FMT_CONST: {
        const q = rp;
        if (rdUleb() >= <u32>nConsts) fail(VE_BAD_CONST, q);
        break;
      }
      case FMT_LOCAL_ULEB: {
        const q = rp;
        if (rdU8() >= nloc) fail(VE_BAD_LOCAL, q);
        rdUleb();
        break;
      }
      case FMT_SLOT: rdU8(); break;
      case FMT_TARGET: {
        if (rlim - rp < 2) {
          fail(VE_TRUNCATED, rlim);
          break;
        }
        const t = <i32>load<u16>(rp);
        rp += 2;
        if (t >= len) fail(VE_BAD_JUMP, at);
        break;
      }
      case FMT_FUNC: {
        if (rdUleb() >= <u32>nFuncs) fail(VE_BAD_CALL, at);
        break;
      }
      case FMT_ERROR: rdUleb(); break;
      case FMT_WIDTH: {
        const q = rp;
        const w = rdU8();
        if (w != 1 && w != 2 && w != 4 && w != 8) fail(VE_BAD_IMMEDIATE, q);
        break;
      }
      case FMT_SLOT_MODE: {
        rdU8();
        const q = rp;
        const m = rdU8();
        if (m > 3 || ((m & 1) != 0 && (op == OP_SLOAD || op == OP_SSTORE || op == OP_XLOAD))) fail(VE_BAD_IMMEDIATE, q);
        break;
      }
      case FMT_U32_U8_U8: {
        if (rlim - rp < 4) {
          fail(VE_TRUNCATED, rlim);
          break;
        }
        rp += 4;
        const q = rp;
        const c = rdU8();
        const m = rdU8();
        if (c > <u32>MAX_PARAMS || (m >> c) != 0) fail(VE_BAD_IMMEDIATE, q);
        break;
      }
      default: unreachable();
    }
    if (verr) return;
  }
}

/** Pass 2: every jump, reachable or not, targets an instruction start. */
function checkTargets(s: i32, len: i32): void {
  const end = s + len;
  let p = s;
  while (p < end) {
    const info = opInfo(load<u8>(p));
    if ((info & 15) == FMT_TARGET && load<u16>(gasAt(s + <i32>load<u16>(p + 1))) == 0) return fail(VE_BAD_JUMP, p);
    p = insnEnd(p, info);
  }
}

let wl: i32 = 0; // worklist size (u16 entries at STACK)

/** Records the height at a join point t; queues t the first time. Entries: 1 = start, h + 2 = height h. */
function reach(t: i32, h: i32): void {
  const g = <i32>load<u16>(gasAt(t));
  if (g >= 2) {
    if (g - 2 != h) fail(VE_STACK_MISMATCH, t);
    return;
  }
  store<u16>(gasAt(t), h + 2);
  store<u16>(STACK + (wl++ << 1), t);
}

/** Pass 3: abstract interpretation of stack heights over every path from the function's entry. */
function checkStack(s: i32, len: i32, results: i32, maxStack: i32): void {
  const end = s + len;
  wl = 0;
  reach(s, 0);
  while (wl > 0 && !verr) {
    let p = <i32>load<u16>(STACK + (--wl << 1));
    let h = <i32>load<u16>(gasAt(p)) - 2;
    while (true) {
      const op = <u32>load<u8>(p);
      const info = opInfo(op);
      let pop = <i32>(info >> 4) & 3;
      let push = <i32>(info >> 6) & 3;
      if (op == OP_CALL) {
        const f = FUNCS + (<i32>ulebAt(p + 1) << 3);
        pop = load<u8>(f + 4);
        push = load<u8>(f + 5);
        if (h < pop) return fail(VE_CALL_ARITY, p);
      } else if (op == OP_EMIT) {
        pop = load<u8>(p + 5);
      } else if (op == OP_RET) {
        if (h != results) return fail(VE_STACK_MISMATCH, p);
      }
      if (h < pop) return fail(VE_STACK_UNDERFLOW, p);
      h = h - pop + push;
      if (h > maxStack) return fail(VE_STACK_OVERFLOW, p);
      const flow = (info >> 8) & 7;
      if (flow == FLOW_EXIT) break;
      if (flow == FLOW_JUMP || flow == FLOW_BRANCH) {
        reach(s + <i32>load<u16>(p + 1), h);
        if (verr) return;
        if (flow == FLOW_JUMP) break;
      }
      const n = insnEnd(p, info);
      if (n >= end) return fail(VE_FALLS_OFF_END, p);
      const g = <i32>load<u16>(gasAt(n));
      if (g >= 2) {
        if (g - 2 != h) fail(VE_STACK_MISMATCH, n);
        break;
      }
      store<u16>(gasAt(n), h + 2);
      p = n;
    }
  }
}

/** Pass 4: gas of the straight run from each instruction start to the next control instruction. */
// Every LEB128 immediate the interpreter decodes at run time (push's value, laddi's addend, pushb's constant
// index, call's function index, revert's and require's error id) costs 1 gas per byte beyond its first:
// decoding a long immediate costs the interpreter several times a short one (bench/results/gas-proposal.json),
// and a flat price let loops of 10-byte pushes run at 2x and of 5-byte `require` ids at 3.6x the mean
// instructions per gas (test/regressions/require-long-error-id-gas.test.ts). opInfo bits 24-26 give the
// immediate's offset from the opcode (from the table); it is a row's last operand, so its length is the
// distance to the next instruction less that offset.
function fillGas(s: i32, len: i32): void {
  let acc: u32 = 0;
  let next = s + len;
  for (let a = s + len - 1; a >= s; a--) {
    if (load<u16>(gasAt(a)) == 0) continue;
    const info = opInfo(load<u8>(a));
    let g = (info >> 16) & 0xff;
    const lebAt = <i32>(info >> 24) & 7;
    if (lebAt != 0) g += next - a - lebAt - 1;
    if (((info >> 8) & 7) == FLOW_NEXT) g += acc;
    if (g > 0xffff) return fail(VE_BLOCK_GAS, a);
    store<u16>(gasAt(a), g);
    acc = g;
    next = a;
  }
}

function parseFuncs(): void {
  const at0 = rp;
  const n = rdUleb();
  if (verr) return;
  if (n > <u32>MAX_FUNCTIONS) return fail(VE_TOO_LARGE, at0);
  let sum: i32 = 0;
  for (let i: i32 = 0; i < <i32>n; i++) {
    const at = rp;
    const params = rdU8();
    const results = rdU8();
    const locals = rdU8();
    const ms = rdU8();
    const cl = rdUleb();
    if (verr) return;
    if (results > 1 || params > <u32>MAX_PARAMS || params + locals > <u32>MAX_LOCALS || cl == 0) return fail(VE_BAD_FUNCTION, at);
    if (cl > <u32>CODE_MAX_BYTES) return fail(VE_TOO_LARGE, at);
    const e = FUNCS + (i << 3);
    store<u16>(e, sum); // offset in CODE; made absolute when CODE is read
    store<u16>(e + 2, cl);
    store<u8>(e + 4, params);
    store<u8>(e + 5, results);
    store<u8>(e + 6, locals);
    store<u8>(e + 7, ms);
    sum += cl;
    nFuncs = i + 1;
  }
}

function parseConsts(): void {
  const at0 = rp;
  const n = rdUleb();
  if (verr) return;
  if (n > <u32>MAX_CONSTANTS) return fail(VE_TOO_LARGE, at0);
  for (let i: i32 = 0; i < <i32>n; i++) {
    const at = rp;
    const l = rdUleb();
    if (verr) return;
    if (l > <u32>MAX_BYTES_LEN) return fail(VE_TOO_LARGE, at);
    if (<i32>l > rlim - rp) return fail(VE_TRUNCATED, rlim);
    store<u16>(CONSTS + (i << 2), rp);
    store<u16>(CONSTS + (i << 2) + 2, l);
    rp += l;
    nConsts = i + 1;
  }
}

function parseCode(secAt: i32, size: i32): void {
  let sum = 0;
  for (let i = 0; i < nFuncs; i++) sum += load<u16>(FUNCS + (i << 3) + 2);
  if (size > CODE_MAX_BYTES) return fail(VE_TOO_LARGE, secAt);
  if (size != sum) return fail(VE_SECTION_SIZE, secAt);
  for (let i = 0; i < nFuncs; i++) store<u16>(FUNCS + (i << 3), load<u16>(FUNCS + (i << 3)) + rp);
  gasBias = GASTAB - (rp << 1);
  rp += size;
}

function parseExports(): void {
  const at0 = rp;
  const n = rdUleb();
  if (verr) return;
  if (n > <u32>MAX_EXPORTS) return fail(VE_TOO_LARGE, at0);
  for (let i: i32 = 0; i < <i32>n; i++) {
    const at = rp;
    if (rlim - rp < 4) return fail(VE_TRUNCATED, rlim);
    const sel = load<u32>(rp);
    rp += 4;
    const f = rdUleb();
    const flags = rdU8();
    const am = rdU8();
    const rm = rdU8();
    if (verr) return;
    if (f >= <u32>nFuncs || (flags & ~EXPORT_VIEW) != 0) return fail(VE_BAD_EXPORT, at);
    const fe = FUNCS + (<i32>f << 3);
    if ((am >> load<u8>(fe + 4)) != 0 || (rm >> load<u8>(fe + 5)) != 0) return fail(VE_BAD_EXPORT, at);
    for (let j = 0; j < i; j++) if (load<u32>(EXPORTS + (j << 3)) == sel) return fail(VE_BAD_EXPORT, at);
    const e = EXPORTS + (i << 3);
    store<u32>(e, sel);
    store<u8>(e + 4, f);
    store<u8>(e + 5, flags);
    store<u8>(e + 6, am);
    store<u8>(e + 7, rm);
    nExports = i + 1;
  }
}

function parseSections(len: i32): void {
  const end = IMAGE + len;
  for (let i = 0; i < 4; i++) {
    if (i >= len) return fail(VE_TRUNCATED, IMAGE + i);
    if (<u32>load<u8>(IMAGE + i) != ((MAGIC >> (i << 3)) & 0xff)) return fail(VE_BAD_MAGIC, IMAGE + i);
  }
  if (len < 5) return fail(VE_TRUNCATED, end);
  if (<u32>load<u8>(IMAGE + 4) != VERSION) return fail(VE_BAD_VERSION, IMAGE + 4);
  rp = IMAGE + 5;
  let last: u32 = 0;
  let seen: u32 = 0;
  while (rp < end) {
    const secAt = rp;
    rlim = end;
    const id = <u32>load<u8>(rp++);
    if (id <= last || id > SEC_META) return fail(VE_SECTION_ORDER, secAt);
    last = id;
    seen |= 1 << id;
    const size = <i32>rdUleb();
    if (verr) return;
    if (size > end - rp) return fail(VE_TRUNCATED, secAt);
    const sEnd = rp + size;
    rlim = sEnd;
    if (id == SEC_FUNCS) parseFuncs();
    else if (id == SEC_CONSTS) parseConsts();
    else if (id == SEC_CODE) parseCode(secAt, size);
    else if (id == SEC_EXPORTS) parseExports();
    else if (size != 32) return fail(VE_SECTION_SIZE, secAt);
    else rp = sEnd;
    if (verr) return;
    if (rp != sEnd) return fail(VE_SECTION_SIZE, rp);
  }
  if ((seen & ((1 << SEC_FUNCS) | (1 << SEC_CODE))) != ((1 << SEC_FUNCS) | (1 << SEC_CODE))) fail(VE_MISSING_SECTION, end);
}

/** Verifies the module of `len` bytes at IMAGE; 0 or a verifier code (offset in `voff`). */
export function verifyModule(len: i32): i32 {
  verr = 0;
  voff = 0;
  nFuncs = 0;
  nConsts = 0;
  nExports = 0;
  if (len < 0 || len > MODULE_MAX_BYTES) {
    fail(VE_TOO_LARGE, IMAGE);
    return verr;
  }
  parseSections(len);
  for (let i = 0; i < nFuncs && !verr; i++) {
    const e = FUNCS + (i << 3);
    const s = <i32>load<u16>(e);
    const cl = <i32>load<u16>(e + 2);
    decodeBody(s, cl, <u32>load<u8>(e + 4) + <u32>load<u8>(e + 6));
    if (!verr) checkTargets(s, cl);
    if (!verr) checkStack(s, cl, load<u8>(e + 5), load<u8>(e + 7));
    if (!verr) fillGas(s, cl);
  }
  if (verr) {
    nFuncs = 0;
    nExports = 0;
    return verr;
  }
  return 0;
}
