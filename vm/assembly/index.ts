// The exports of mote.wasm (docs/host-abi.md): load and verify a module, then call its exports with
// tagged arguments, a context block and a gas limit.
import {
  STACK, STACK_SLOTS, FUNCS, EXPORTS, IO, IO_SIZE, CTX, IMAGE, IMAGE_SIZE, ARENA, MEMORY_USED, MAX_GAS, MAX_BYTES_LEN,
  TAG_INT, TAG_BYTES, ST_OK, ST_OUT_OF_GAS, ST_STACK_OVERFLOW, ST_BOUNDS, ST_INVALID_MODULE, ST_BAD_CALL, ST_REVERT,
} from "./gen/spec";
import { verifyModule, voff, nExports, gasBias } from "./verify";
import { execute, gasLeft, errorId, halted, resultValue, stopOffset } from "./interp";
import { arenaTop } from "./refs";

let loadState: i32 = -1; // -1 nothing loaded, 0 loaded, > 0 verifier code of the last failed load
let gasUsed: i32 = 0;
let resultLen: i32 = 0;
let lastError: u32 = 0;
let lastStop: i32 = -1;

export function mote_memory_used(): i32 {
  return MEMORY_USED;
}
export function mote_module_ptr(): i32 {
  return IMAGE;
}
export function mote_ctx_ptr(): i32 {
  return CTX;
}
export function mote_io_ptr(): i32 {
  return IO;
}
export function mote_io_size(): i32 {
  return IO_SIZE;
}
export function mote_gas_used(): i32 {
  return gasUsed;
}
export function mote_result_len(): i32 {
  return resultLen;
}
export function mote_error(): i32 {
  return lastError;
}
/** After a call that did not end `ok`: the module byte offset inside the instruction that stopped it, else -1. */
export function mote_stop_offset(): i32 {
  return lastStop;
}
export function mote_error_offset(): i32 {
  return loadState > 0 ? voff : 0;
}

export function mote_load(len: i32): i32 {
  // byte-string references may point into the image: its unused tail must not keep the previous
  // module's bytes, or a contract's results would depend on what the VM loaded before it
  if (len >= 0 && len <= IMAGE_SIZE) memory.fill(IMAGE + len, 0, IMAGE_SIZE - len);
  loadState = verifyModule(len);
  return loadState;
}

/** Copies the tagged arguments at IO onto the stack (bytes into the arena); false if they do not fit the export. */
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
      arenaTop = d + l; // total arguments fit IO_SIZE < ARENA_BYTES
      store<u64>(STACK + (i << 3), (<u64>l << 32) | <u64>d);
      p += 3 + l;
    }
  }
  return p == end;
}

export function mote_call(selector: u32, argsLen: i32, gasLimit: i32): i32 {
  gasUsed = 0;
  resultLen = 0;
  lastError = 0;
  lastStop = -1;
  if (loadState != 0) {
    if (loadState < 0) return ST_BAD_CALL;
    lastError = loadState;
    return ST_INVALID_MODULE;
  }
  if (gasLimit < 0 || gasLimit > MAX_GAS || argsLen < 0 || argsLen > IO_SIZE) return ST_BAD_CALL;
  let ex = EXPORTS;
  const exEnd = EXPORTS + (nExports << 3);
  while (ex < exEnd && load<u32>(ex) != selector) ex += 8;
  if (ex == exEnd) return ST_BAD_CALL;
  const fe = FUNCS + (<i32>load<u8>(ex, 4) << 3);
  const params = <i32>load<u8>(fe, 4);
  const nloc = params + <i32>load<u8>(fe, 6);
  arenaTop = ARENA;
  if (!takeArgs(argsLen, params, load<u8>(ex, 6))) return ST_BAD_CALL;
  if (nloc + <i32>load<u8>(fe, 7) > STACK_SLOTS) return ST_STACK_OVERFLOW;
  memory.fill(STACK + (params << 3), 0, (nloc - params) << 3);
  const pc = <i32>load<u16>(fe);
  const gas = gasLimit - <i32>load<u16>(gasBias + (pc << 1));
  if (gas < 0) {
    gasUsed = gasLimit;
    return ST_OUT_OF_GAS;
  }
  const st = execute(pc, STACK, STACK + (nloc << 3), pc, gas);
  gasUsed = gasLimit - gasLeft;
  if (st != ST_OK) lastStop = stopOffset;
  if (st == ST_REVERT) lastError = errorId;
  if (st == ST_OK && !halted && load<u8>(fe, 5) != 0) {
    const v = resultValue;
    if (load<u8>(ex, 7) & 1) {
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
  return st;
}
