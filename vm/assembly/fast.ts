// The runtime of the fast engine (vm/host/fast.ts, built to vm/build/mote-fast.wasm): what code translated
// from a Mote module to WebAssembly calls for byte strings, storage, events, payments and the call's start
// and end. It shares the interpreter's linear memory (imported) and layout, and repeats the interpreter's
// checks in its order (vm/assembly/interp.ts is the reference; the differential fuzzer compares the two).
//
// Protocol with translated code: before a call that may charge gas the caller stores its gas in `fgas`;
// after it, `fst` is 0 (go on, gas in `fgas`) or a status: ST_OUT_OF_GAS when a dynamic charge went below
// zero, else a status raised mid-block (the caller then calls f_fail with its refund).
import {
  STACK, STACK_SLOTS, FUNCS, CONSTS, EXPORTS, GASTAB, IO, IO_SIZE, CTX, IMAGE, ARENA, MAX_CALL_DEPTH, ARENA_BYTES, MAX_GAS, MAX_BYTES_LEN, MAX_KEY_BYTES, MAX_EVENTS,
  DG_COPY_PER_WORD, DG_SHA256_PER_BLOCK, DG_ED25519, DG_ED25519_REJECT, DG_SLOAD, DG_SSTORE, DG_SSTORE_PER_WORD, DG_XLOAD, DG_EMIT, DG_EMIT_PER_WORD, DG_BALANCE, DG_PAY,
  TAG_INT, TAG_BYTES,
  ST_OK, ST_REVERT, ST_OUT_OF_GAS, ST_STACK_OVERFLOW, ST_ARENA_FULL, ST_OVERFLOW, ST_BOUNDS, ST_BAD_CALL, ST_HOST_ERROR, ST_INSUFFICIENT_BALANCE,
  OP_SLOAD, OP_SSTORE, OP_MLOAD, OP_MSTORE, OP_XLOAD, OP_XMLOAD,
} from "./gen/spec";
import { host_sload, host_sstore, host_xload, host_emit, host_sha256, host_ed25519_verify, host_balance, host_pay } from "./host";
import { REF_LO, ARENA_END, VALBUF, arenaTop, keyLen, refLen, refOk, mkRef, words, alloc, buildKey } from "./refs";

/** The arena's top: translated code reads and sets it for amark, arelease, blen and bget (no call). */
export { arenaTop };

/** A status that ended the call with `halt`: ok, no results. */
const HALTED: i32 = 0x100;

/** Gas left, handed between translated code and the runtime around every call that may charge. */
export let fgas: i32 = 0;
/** 0, or the status the last runtime call raised. */
export let fst: i32 = 0;

let nEvents: i32 = 0;
let gasLimit: i32 = 0;
let gasUsed: i32 = 0;
let resultLen: i32 = 0;
let lastError: u32 = 0;
let lastStop: i32 = -1;
let stopStatus: i32 = 0;
let stopAt: i32 = -1;
let stopError: u32 = 0;
let exportAt: i32 = 0;

export function mote_gas_used(): i32 {
  return gasUsed;
}
export function mote_result_len(): i32 {
  return resultLen;
}
export function mote_error(): i32 {
  return lastError;
}
export function mote_stop_offset(): i32 {
  return lastStop;
}

/** Charges g; false (fst = out of gas) when the gas runs out. */
@inline function charge(g: i32): bool {
  fgas -= g;
  if (fgas < 0) {
    fst = ST_OUT_OF_GAS;
    return false;
  }
  return true;
}
@inline function raise(st: i32): u64 {
  fst = st;
  return 0;
}

/** Layout constants for the translator (vm/host/fast.ts), from the same generated spec as the interpreter. */
export function f_const(i: i32): i32 {
  switch (i) {
    case 0: return STACK;
    case 1: return STACK_SLOTS;
    case 2: return FUNCS;
    case 3: return CONSTS;
    case 4: return EXPORTS;
    case 5: return GASTAB;
    case 6: return CTX;
    case 7: return IMAGE;
    case 8: return MAX_CALL_DEPTH;
    case 9: return ARENA;
    case 10: return ARENA_END;
    default: return -1;
  }
}

// -- the call's start and end ---------------------------------------------------------------------

/**
 * mote_call up to `execute` for export `ex` (index in the export table) of the loaded module: arguments
 * from IO onto STACK, bytes into the arena, the entry block charged. Returns the function to run, or -1
 * when the call already ended (status in fst, or ST_OK never: a call that ends here always fails).
 */
export function f_begin(ex: i32, argsLen: i32, limit: i32): i32 {
  gasUsed = 0;
  resultLen = 0;
  lastError = 0;
  lastStop = -1;
  fst = 0;
  stopStatus = 0;
  stopAt = -1;
  stopError = 0;
  nEvents = 0;
  gasLimit = limit;
  fgas = limit;
  if (ex < 0 || limit < 0 || limit > MAX_GAS || argsLen < 0 || argsLen > IO_SIZE) {
    fst = ST_BAD_CALL;
    return -1;
  }
  const e = EXPORTS + (ex << 3);
  exportAt = e;
  const f = <i32>load<u8>(e, 4);
  const fe = FUNCS + (f << 3);
  const params = <i32>load<u8>(fe, 4);
  const nloc = params + <i32>load<u8>(fe, 6);
  arenaTop = ARENA;
  if (!takeArgs(argsLen, params, load<u8>(e, 6))) {
    fst = ST_BAD_CALL;
    return -1;
  }
  if (nloc + <i32>load<u8>(fe, 7) > STACK_SLOTS) {
    fst = ST_STACK_OVERFLOW;
    return -1;
  }
  return f;
}

/** The entry block's cost was charged by translated code; it reports a shortfall here. */
export function f_entry_oog(): void {
  gasUsed = gasLimit;
  fst = ST_OUT_OF_GAS;
}

function takeArgs(argsLen: i32, params: i32, argMask: u32): bool {
  let p = IO;
  const end = IO + argsLen;
  for (let i = 0; i < params; i++) {
    if (p >= end) return false;
    const tag = <u32>load<u8>(p);
    if (tag != ((argMask >> i) & 1)) return false;
    if (tag == TAG_INT) {
      if (end - p < 9) return false;
      store<u64>(STACK + (i << 3), load<u64>(p + 1));
      p += 9;
    } else {
      if (end - p < 3) return false;
      const l = <i32>load<u16>(p + 1);
      if (l > MAX_BYTES_LEN || end - p - 3 < l) return false;
      const d = arenaTop;
      memory.copy(d, p + 3, l);
      arenaTop = d + l;
      store<u64>(STACK + (i << 3), (<u64>l << 32) | <u64>d);
      p += 3 + l;
    }
  }
  return p == end;
}

/** Ends the call with status st at module byte offset `at` (its stop offset) and gas left `gas` (0 for out of gas). */
export function f_stop(st: i32, at: i32, gas: i32, error: u32): void {
  stopStatus = st;
  stopAt = at;
  stopError = error;
  fgas = gas;
  fst = st;
}

/** After a runtime call raised fst: out of gas, or a mid-block status whose rest of block is refunded. */
export function f_fail(at: i32, refund: i32): void {
  if (fst == ST_OUT_OF_GAS) f_stop(ST_OUT_OF_GAS, at, 0, 0);
  else f_stop(fst, at, fgas + refund, 0);
}

/** `halt`: the whole call ends ok with no results. */
export function f_halt(gas: i32): void {
  f_stop(HALTED, -1, gas, 0);
}

/** Ends the call that f_begin started: status, gas used, stop offset, error id, the result into IO. */
export function f_end(result: u64): i32 {
  let st = stopStatus;
  const gasLeft = st == 0 ? fgas : st == ST_OUT_OF_GAS ? 0 : fgas;
  gasUsed = gasLimit - gasLeft;
  if (st == HALTED) return ST_OK;
  if (st != ST_OK) {
    lastStop = stopAt;
    if (st == ST_REVERT) lastError = stopError;
    return st;
  }
  const e = exportAt;
  const fe = FUNCS + (<i32>load<u8>(e, 4) << 3);
  if (load<u8>(fe, 5) != 0) {
    const v = result;
    if (load<u8>(e, 7) & 1) {
      const a = <u32>v;
      const l = <u32>(v >>> 32);
      if (a < <u32>CTX || a > <u32>arenaTop || l > <u32>arenaTop - a || l > <u32>MAX_BYTES_LEN) return ST_BOUNDS;
      store<u8>(IO, <u8>TAG_BYTES);
      store<u16>(IO + 1, <u16>l);
      memory.copy(IO + 3, a, l);
      resultLen = 3 + l;
    } else {
      store<u8>(IO, <u8>TAG_INT);
      store<u64>(IO + 1, v);
      resultLen = 9;
    }
  }
  return ST_OK;
}

// -- arithmetic that needs 128 bits ----------------------------------------------------------------


// -- byte strings ---------------------------------------------------------------------------------------

/**
 * memory.copy(d, s, n) (overlapping ranges included). Up to 64 bytes that do not overlap are copied a word
 * at a time here: V8 runs memory.copy as a call out of the compiled code, which cost a short bcat, bdup or
 * bwrite more than the rest of the operation together.
 */
@inline function copyBytes(d: i32, s: i32, n: i32): void {
  if (n <= 64 && (d + n <= s || s + n <= d)) {
    let i = 0;
    for (; i + 8 <= n; i += 8) store<u64>(d + i, load<u64>(s + i));
    for (; i < n; i++) store<u8>(d + i, load<u8>(s + i));
  } else memory.copy(d, s, n);
}


export function f_bslice(b: u64, off: u64, t: u64): u64 {
  fst = 0;
  if (!refOk(b)) return raise(ST_BOUNDS);
  const bl = <u64>refLen(b);
  if (off > bl || t > bl - off) return raise(ST_BOUNDS);
  return mkRef(<i32>b + <i32>off, <i32>t);
}

export function f_beq(a: u64, t: u64): u64 {
  fst = 0;
  if (!refOk(a) || !refOk(t)) return raise(ST_BOUNDS);
  const la = refLen(a);
  const lb = refLen(t);
  if (!charge(words(la < lb ? la : lb) * DG_COPY_PER_WORD)) return 0;
  if (la != lb) return 0;
  const pa = <i32>a;
  const pb = <i32>t;
  // eight bytes at a time (the ledger prices a compared word by this loop; the interpreter's is byte-wise)
  let i = 0;
  for (; i + 8 <= la; i += 8) if (load<u64>(pa + i) != load<u64>(pb + i)) return 0;
  for (; i < la; i++) if (load<u8>(pa + i) != load<u8>(pb + i)) return 0;
  return 1;
}

export function f_itob(t: u64, w: i32): u64 {
  fst = 0;
  if (!charge(words(w) * DG_COPY_PER_WORD)) return 0;
  const d = alloc(w);
  if (d < 0) return raise(ST_ARENA_FULL);
  if (w == 8) store<u64>(d, t);
  else for (let i = 0; i < w; i++) store<u8>(d + i, <u8>(t >>> (<u64>i << 3)));
  return mkRef(d, w);
}

export function f_btoi(t: u64): u64 {
  fst = 0;
  if (!refOk(t) || refLen(t) > 8) return raise(ST_BOUNDS);
  const p = <i32>t;
  if (refLen(t) == 8) return load<u64>(p); // little-endian, as the loop reads it
  let r: u64 = 0;
  for (let i = refLen(t) - 1; i >= 0; i--) r = (r << 8) | <u64>load<u8>(p + i);
  return r;
}

export function f_sha256(t: u64): u64 {
  fst = 0;
  if (!refOk(t)) return raise(ST_BOUNDS);
  if (!charge((((refLen(t) + 63) >>> 6) + 1) * DG_SHA256_PER_BLOCK)) return 0;
  const d = alloc(32);
  if (d < 0) return raise(ST_ARENA_FULL);
  host_sha256(<i32>t, refLen(t), d);
  return mkRef(d, 32);
}

export function f_edverify(pk: u64, msg: u64, t: u64): u64 {
  fst = 0;
  if (!refOk(pk) || !refOk(msg) || !refOk(t)) return raise(ST_BOUNDS);
  if (!charge(DG_ED25519 + ((refLen(msg) + 63) >>> 6) * DG_SHA256_PER_BLOCK)) return 0;
  if (refLen(pk) != 32 || refLen(t) != 64) return 0;
  if (host_ed25519_verify(<i32>pk, <i32>msg, refLen(msg), <i32>t) == 1) return 1;
  // a refused signature costs a validator a second, slower check (vm/host/ed25519.ts): charged after it
  charge(DG_ED25519_REJECT);
  return 0;
}

export function f_balance(t: u64): u64 {
  fst = 0;
  if (!refOk(t) || refLen(t) != 32) return raise(ST_BOUNDS);
  if (!charge(DG_BALANCE)) return 0;
  if (host_balance(<i32>t, VALBUF) != 0) return raise(ST_HOST_ERROR);
  return load<u64>(VALBUF);
}

export function f_pay(to: u64, amount: u64): void {
  fst = 0;
  if (!refOk(to) || refLen(to) != 32) {
    fst = ST_BOUNDS;
    return;
  }
  if (!charge(DG_PAY)) return;
  store<u64>(VALBUF, amount);
  const r = host_pay(<i32>to, VALBUF);
  if (r != 0) fst = r == 1 ? ST_INSUFFICIENT_BALANCE : r == 2 ? ST_OVERFLOW : ST_HOST_ERROR;
}

/** `emit`: the `count` values were stored by translated code at STACK + 8i (the stack is unused memory here). */
export function f_emit(topic: u32, count: i32, mask: u32): void {
  fst = 0;
  let size = 5;
  let bad = false;
  for (let i = 0; i < count; i++) {
    const v = load<u64>(STACK + (i << 3));
    if ((mask >> i) & 1) {
      if (!refOk(v)) bad = true;
      size += 3 + refLen(v);
    } else {
      size += 9;
    }
  }
  if (bad) {
    fst = ST_BOUNDS;
    return;
  }
  if (size > MAX_BYTES_LEN || nEvents >= MAX_EVENTS) {
    fst = ST_HOST_ERROR;
    return;
  }
  if (!charge(DG_EMIT + words(size) * DG_EMIT_PER_WORD)) return;
  store<u32>(IO, topic);
  store<u8>(IO + 4, <u8>count);
  let w = IO + 5;
  for (let i = 0; i < count; i++) {
    const v = load<u64>(STACK + (i << 3));
    if ((mask >> i) & 1) {
      store<u8>(w, <u8>TAG_BYTES);
      store<u16>(w + 1, refLen(v));
      memory.copy(w + 3, <i32>v, refLen(v));
      w += 3 + refLen(v);
    } else {
      store<u8>(w, 0);
      store<u64>(w + 1, v);
      w += 9;
    }
  }
  nEvents++;
  if (host_emit(IO, size) != 0) fst = ST_HOST_ERROR;
}

// -- storage ------------------------------------------------------------------------------------------

/**
 * sload, sstore, mload, mstore, xload and xmload, as the interpreter's default case: x and y are the
 * popped operands in stack order (mstore: k v; xmload: id k; sstore, mload, xload: the one operand).
 */
export function f_storage(op: u32, slot: u32, mode: u32, x: u64, y: u64): u64 {
  fst = 0;
  if (op == OP_SSTORE || op == OP_MSTORE) {
    const v = op == OP_MSTORE ? y : x;
    if (!buildKey(slot, mode, op == OP_MSTORE, x)) return raise(ST_BOUNDS);
    let vp = VALBUF;
    let vl = 8;
    if (mode & 2) {
      if (!refOk(v)) return raise(ST_BOUNDS);
      vp = <i32>v;
      vl = refLen(v);
      if (vl > MAX_BYTES_LEN) return raise(ST_HOST_ERROR);
    } else {
      store<u64>(VALBUF, v);
    }
    if (!charge(DG_SSTORE + words(vl) * DG_SSTORE_PER_WORD)) return 0;
    if (host_sstore(IO, keyLen, vp, vl) != 0) return raise(ST_HOST_ERROR);
    return 0;
  }
  const keyed = op == OP_MLOAD || op == OP_XMLOAD;
  const cross = op >= OP_XLOAD;
  let k: u64 = 0;
  let id: u64 = 0;
  if (op == OP_XMLOAD) {
    id = x;
    k = y;
  } else if (keyed) {
    k = x;
  } else if (op != OP_SLOAD) {
    id = x;
  }
  if (!buildKey(slot, mode, keyed, k) || (cross && (!refOk(id) || refLen(id) != 32))) return raise(ST_BOUNDS);
  if (!charge(cross ? DG_XLOAD : DG_SLOAD)) return 0;
  const n = cross ? host_xload(<i32>id, IO, keyLen, VALBUF, MAX_BYTES_LEN) : host_sload(IO, keyLen, VALBUF, MAX_BYTES_LEN);
  if (n < 0 || n > MAX_BYTES_LEN) return raise(ST_HOST_ERROR);
  if (!charge(words(n) * DG_COPY_PER_WORD)) return 0;
  if (mode & 2) {
    const d = alloc(n);
    if (d < 0) return raise(ST_ARENA_FULL);
    memory.copy(d, VALBUF, n);
    return mkRef(d, n);
  }
  if (n < 8) store<u64>(VALBUF + n, 0);
  return load<u64>(VALBUF);
}
