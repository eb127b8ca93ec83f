// The interpreter: one loop over a dense switch (one br_table) running verified code. Everything the
// verifier proved (operand ranges, jump targets, stack heights within a frame) is not checked again.
//
// Registers: pc (absolute address), sp, fp (local 0), cb (code base of the running function), gas
// (remaining, i32), depth, and t, the top of the value stack, cached in a local. The value stack in
// memory holds [fp .. locals .. opBase) then, per frame, a dummy slot at opBase and values 1..h-1;
// value h is t. So a frame of max height m uses exactly m operand slots.
// Locals 0..3 of the running frame live in the wasm locals x0..x3 (an i64 load or store from linear
// memory costs ~100 RV32 instructions in wasm3 -Os); their memory slots are written only when a call
// saves the caller (byte 7 of a frame record holds the nloc of the function running at that depth).
import {
  STACK, STACK_SLOTS, FRAMES, FUNCS, CONSTS, IO, CTX, ARENA, ARENA_BYTES, MAX_CALL_DEPTH, MAX_BYTES_LEN, MAX_KEY_BYTES, MAX_EVENTS,
  FIXED_FRAC_BITS, DG_COPY_PER_WORD, DG_SHA256_PER_BLOCK, DG_ED25519, DG_ED25519_REJECT, DG_SLOAD, DG_SSTORE, DG_SSTORE_PER_WORD, DG_XLOAD, DG_EMIT, DG_EMIT_PER_WORD, DG_BALANCE, DG_PAY,
  TAG_BYTES,
  ST_OK, ST_REVERT, ST_OUT_OF_GAS, ST_STACK_OVERFLOW, ST_CALL_DEPTH, ST_ARENA_FULL, ST_DIV_ZERO, ST_OVERFLOW, ST_BOUNDS, ST_HOST_ERROR, ST_INSUFFICIENT_BALANCE,
  OP_PUSH0, OP_PUSH1, OP_PUSH, OP_PUSHB, OP_DUP, OP_DROP, OP_SWAP, OP_OVER,
  OP_LGET, OP_LSET, OP_LTEE, OP_LGET0, OP_LGET1, OP_LGET2, OP_LGET3, OP_LSET0, OP_LSET1, OP_LSET2, OP_LSET3, OP_LADDI,
  OP_ADD, OP_SUB, OP_MUL, OP_ADDU, OP_SUBU, OP_MULU, OP_ADDS, OP_SUBS, OP_MULS, OP_DIVU, OP_DIVS, OP_REMU, OP_REMS, OP_FMUL, OP_FDIV, OP_NEG,
  OP_EQ, OP_NE, OP_LTU, OP_LTS, OP_GTU, OP_GTS, OP_LEU, OP_LES, OP_GEU, OP_GES, OP_EQZ,
  OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHRU, OP_SHRS, OP_BNOT,
  OP_JMP, OP_JZ, OP_JNZ, OP_CALL, OP_RET, OP_HALT, OP_REVERT, OP_REQUIRE, OP_JEQ, OP_JNE, OP_JLTU, OP_JGEU, OP_JLTS, OP_JGES,
  OP_BLEN, OP_BCAT, OP_BSLICE, OP_BEQ, OP_BGET, OP_ITOB, OP_BTOI, OP_SHA256, OP_EDVERIFY,
  OP_SLOAD, OP_SSTORE, OP_MLOAD, OP_MSTORE, OP_XLOAD, OP_XMLOAD,
  OP_CALLER, OP_SELF, OP_NOW, OP_HEIGHT, OP_GASLEFT, OP_EMIT, OP_VALUE, OP_BALANCE, OP_PAY,
  OP_BPUT, OP_BWRITE, OP_BDUP, OP_AMARK, OP_ARELEASE, OP_ONCE, OP_REQ32, OP_SLOADI, IMAGE,
} from "./gen/spec";
import { host_sload, host_sstore, host_xload, host_emit, host_sha256, host_ed25519_verify, host_balance, host_pay, host_trace } from "./host";
import { ulebAt, gasBias } from "./verify";
import { REF_LO, ARENA_END, VALBUF, arenaTop, keyLen, refAddr, refLen, refOk, mkRef, words, writableRef, alloc, buildKey } from "./refs";

/** Marks a status raised in the middle of a gas block: the rest of the block is refunded. */
const MID: i32 = 0x100;

export let gasLeft: i32 = 0;
export let errorId: u32 = 0;
export let halted: bool = false;
/** Byte offset in the module of the instruction that stopped the last call (its last byte), or -1. */
export let stopOffset: i32 = -1;
let nEvents: i32 = 0;

/** u64 × u64 → high 64 bits of the 128-bit product; low 64 bits are the wrapping product. */
export function mulHi(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >>> 32, b0 = b & 0xffffffff, b1 = b >>> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >>> 32) + (p10 >>> 32) + (mid >>> 32);
}

/** Applies a sign to a magnitude; 0 with `fixOvf` set when it does not fit an i64. */
export let fixOvf: bool = false;
function signed(mag: u64, neg: bool): u64 {
  if (neg) {
    if (mag > 0x8000000000000000) fixOvf = true;
    return 0 - mag;
  }
  if (mag > 0x7fffffffffffffff) fixOvf = true;
  return mag;
}

/** Q47.16 multiply: (a*b) >> 16 on a 128-bit intermediate, truncating toward zero. */
export function fmul(a: u64, b: u64): u64 {
  const neg = (<i64>(a ^ b)) < 0;
  const ua = <i64>a < 0 ? 0 - a : a;
  const ub = <i64>b < 0 ? 0 - b : b;
  const hi = mulHi(ua, ub);
  const lo = ua * ub;
  if (hi >>> FIXED_FRAC_BITS) {
    fixOvf = true;
    return 0;
  }
  return signed((hi << (64 - FIXED_FRAC_BITS)) | (lo >>> FIXED_FRAC_BITS), neg);
}

/**
 * Q47.16 divide: (a << 16) / b on an 80-bit dividend, truncating toward zero; b != 0. Past 2^48 at most two
 * 64-bit divisions: below 2^48 the divisor leaves room for the remainder's 16 bits, above it the quotient is
 * under 2^32 and |a| / (|b| >> 16) overshoots it by at most 1.
 */
export function fdiv(a: u64, b: u64): u64 {
  const neg = (<i64>(a ^ b)) < 0;
  const ua = <i64>a < 0 ? 0 - a : a;
  const ub = <i64>b < 0 ? 0 - b : b;
  const hi = ua >>> (64 - FIXED_FRAC_BITS);
  const lo = ua << FIXED_FRAC_BITS;
  if (hi == 0) return signed(lo / ub, neg);
  if (hi >= ub) {
    fixOvf = true;
    return 0;
  }
  let q: u64;
  if (ub >>> (64 - FIXED_FRAC_BITS) == 0) {
    q = ua / ub; // below 2^48, since ua < ub << 48
    q = (q << FIXED_FRAC_BITS) + (((ua - q * ub) << FIXED_FRAC_BITS) / ub);
  } else {
    q = ua / (ub >>> FIXED_FRAC_BITS);
    // one step back when q * ub passes hi:lo
    const ph = mulHi(q, ub);
    if (ph > hi || (ph == hi && q * ub > lo)) q--;
  }
  return signed(q, neg);
}

/** The top of the stack when the call ended: the result of an exported function with one. */
export let resultValue: u64 = 0;

/**
 * Runs from pc in the frame (fp, cb) with an empty operand stack at sp and `gas` left after the entry
 * block was charged. Returns a status; sets gasLeft, resultValue, errorId and halted.
 */
export function execute(pc: i32, fp: i32, sp: i32, cb: i32, gas: i32): i32 {
  const gb = gasBias;
  let t: u64 = 0;
  let depth: i32 = 0;
  store<u8>(FRAMES, (sp - fp) >>> 3, 7);
  let x0 = load<u64>(fp);
  let x1 = load<u64>(fp, 8);
  let x2 = load<u64>(fp, 16);
  let x3 = load<u64>(fp, 24);
  let st: i32 = ST_OK;
  nEvents = 0;
  halted = false;
  while (true) {
    // the opcode is not kept in a local across the switch (one wasm3 slot copy less per dispatch);
    // the default case reads it again. pc is advanced first: `load(pc++)` keeps the old pc in a
    // second local, another slot copy per dispatch
    // @ts-ignore: MOTE_TRACE is defined only in the trace build (scripts/build-vm.ts); elsewhere this is no code
    if (isDefined(MOTE_TRACE)) host_trace(pc, cb, sp, t, gas);
    pc++;
    switch (<u32>load<u8>(pc - 1)) {
      // -- constants and stack ------------------------------------------------------------------
      // code 0 is never verified; its label makes the table start at 0 (no subtraction per dispatch)
      case 0:
        break;
      case OP_PUSH0: {
        store<u64>(sp, t);
        sp += 8;
        t = 0;
        continue;
      }
      case OP_PUSH1: {
        store<u64>(sp, t);
        sp += 8;
        t = 1;
        continue;
      }
      case OP_PUSH: {
        store<u64>(sp, t);
        sp += 8;
        let b = <u32>load<u8>(pc);
        pc++;
        if ((b & 0x80) == 0) {
          t = <u64>((<i64>b << 57) >> 57);
          continue;
        }
        let r: u64 = <u64>(b & 0x7f);
        let shift: u64 = 7;
        do {
          b = load<u8>(pc++);
          r |= <u64>(b & 0x7f) << shift;
          shift += 7;
        } while (b & 0x80);
        if (shift < 64 && (b & 0x40) != 0) r |= <u64>-1 << shift;
        t = r;
        continue;
      }
      case OP_PUSHB: {
        store<u64>(sp, t);
        sp += 8;
        let i = <i32>load<u8>(pc);
        pc++;
        if (i & 0x80) {
          i = ulebAt(pc - 1);
          while (load<u8>(pc - 1) & 0x80) pc++;
        }
        const d = load<u32>(CONSTS + (i << 2));
        t = mkRef(d & 0xffff, d >>> 16);
        continue;
      }
      case OP_DUP: {
        store<u64>(sp, t);
        sp += 8;
        continue;
      }
      case OP_DROP: {
        sp -= 8;
        t = load<u64>(sp);
        continue;
      }
      case OP_SWAP: {
        const a = load<u64>(sp - 8);
        store<u64>(sp - 8, t);
        t = a;
        continue;
      }
      case OP_OVER: {
        const a = load<u64>(sp - 8);
        store<u64>(sp, t);
        sp += 8;
        t = a;
        continue;
      }

      // -- locals ---------------------------------------------------------------------------------
      case OP_LGET: {
        store<u64>(sp, t);
        sp += 8;
        const i = <i32>load<u8>(pc);
        pc++;
        t = i >= 4 ? load<u64>(fp + (i << 3)) : i < 2 ? (i & 1 ? x1 : x0) : i & 1 ? x3 : x2;
        continue;
      }
      case OP_LSET: {
        const i = <i32>load<u8>(pc);
        pc++;
        // bit tests, not i == k: an if-chain of equalities would become a second br_table
        if (i >= 4) store<u64>(fp + (i << 3), t);
        else if (i < 2) {
          if (i & 1) x1 = t;
          else x0 = t;
        } else if (i & 1) x3 = t;
        else x2 = t;
        sp -= 8;
        t = load<u64>(sp);
        continue;
      }
      case OP_LTEE: {
        const i = <i32>load<u8>(pc);
        pc++;
        if (i >= 4) store<u64>(fp + (i << 3), t);
        else if (i < 2) {
          if (i & 1) x1 = t;
          else x0 = t;
        } else if (i & 1) x3 = t;
        else x2 = t;
        continue;
      }
      case OP_LGET0: {
        store<u64>(sp, t);
        sp += 8;
        t = x0;
        continue;
      }
      case OP_LGET1: {
        store<u64>(sp, t);
        sp += 8;
        t = x1;
        continue;
      }
      case OP_LGET2: {
        store<u64>(sp, t);
        sp += 8;
        t = x2;
        continue;
      }
      case OP_LGET3: {
        store<u64>(sp, t);
        sp += 8;
        t = x3;
        continue;
      }
      case OP_LSET0: {
        x0 = t;
        sp -= 8;
        t = load<u64>(sp);
        continue;
      }
      case OP_LSET1: {
        x1 = t;
        sp -= 8;
        t = load<u64>(sp);
        continue;
      }
      case OP_LSET2: {
        x2 = t;
        sp -= 8;
        t = load<u64>(sp);
        continue;
      }
      case OP_LSET3: {
        x3 = t;
        sp -= 8;
        t = load<u64>(sp);
        continue;
      }
      case OP_LADDI: {
        const i = <i32>load<u8>(pc);
        let imm = <u64>load<u8>(pc, 1);
        pc += 2;
        if (imm & 0x80) {
          imm = <u64>ulebAt(pc - 1);
          while (load<u8>(pc - 1) & 0x80) pc++;
        }
        // one branch per local instead of a select chain to read and an if chain to write; the local is
        // written before the overflow test, which is harmless: overflow ends the call, and locals are
        // not observable after it (bit tests, not i == k: equalities would become a second br_table)
        let x: u64;
        let r: u64;
        if (i >= 4) {
          const a = fp + (i << 3);
          x = load<u64>(a);
          r = x + imm;
          store<u64>(a, r);
        } else if (i < 2) {
          if (i & 1) {
            x = x1;
            r = x + imm;
            x1 = r;
          } else {
            x = x0;
            r = x + imm;
            x0 = r;
          }
        } else if (i & 1) {
          x = x3;
          r = x + imm;
          x3 = r;
        } else {
          x = x2;
          r = x + imm;
          x2 = r;
        }
        if (r < x) {
          st = ST_OVERFLOW | MID;
          break;
        }
        continue;
      }

      // -- integer arithmetic ---------------------------------------------------------------------
      case OP_ADD: {
        sp -= 8;
        t = load<u64>(sp) + t;
        continue;
      }
      case OP_SUB: {
        sp -= 8;
        t = load<u64>(sp) - t;
        continue;
      }
      case OP_MUL: {
        sp -= 8;
        t = load<u64>(sp) * t;
        continue;
      }
      case OP_ADDU: {
        sp -= 8;
        const r = load<u64>(sp) + t;
        if (r < t) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = r;
        continue;
      }
      case OP_SUBU: {
        sp -= 8;
        const a = load<u64>(sp);
        if (t > a) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = a - t;
        continue;
      }
      case OP_MULU: {
        sp -= 8;
        const a = load<u64>(sp);
        // fits when both are below 2^32; otherwise (a * t) / a must give back t (one division on a 32-bit
        // chip, where the product's high word took four 64-bit multiplies)
        const r = a * t;
        if (((a | t) >>> 32) != 0 && a != 0 && r / a != t) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = r;
        continue;
      }
      case OP_ADDS: {
        sp -= 8;
        const a = load<u64>(sp);
        const r = a + t;
        if (<i64>((a ^ r) & (t ^ r)) < 0) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = r;
        continue;
      }
      case OP_SUBS: {
        sp -= 8;
        const a = load<u64>(sp);
        const r = a - t;
        if (<i64>((a ^ t) & (a ^ r)) < 0) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = r;
        continue;
      }
      case OP_MULS: {
        sp -= 8;
        const a = load<u64>(sp);
        const r = a * t;
        // fits when both are small; otherwise r / a must give back t (a = -1 is the one division that traps)
        if (<u64>(<i64>a + 0x80000000) > 0xffffffff || <u64>(<i64>t + 0x80000000) > 0xffffffff) {
          if (<i64>a == -1 ? t == 0x8000000000000000 : a != 0 && <i64>r / <i64>a != <i64>t) {
            st = ST_OVERFLOW | MID;
            break;
          }
        }
        t = r;
        continue;
      }
      case OP_DIVU: {
        sp -= 8;
        if (t == 0) {
          st = ST_DIV_ZERO | MID;
          break;
        }
        t = load<u64>(sp) / t;
        continue;
      }
      case OP_DIVS: {
        sp -= 8;
        const a = load<u64>(sp);
        if (t == 0) {
          st = ST_DIV_ZERO | MID;
          break;
        }
        if (<i64>t == -1) {
          if (a == 0x8000000000000000) {
            st = ST_OVERFLOW | MID;
            break;
          }
          t = 0 - a;
          continue;
        }
        t = <u64>(<i64>a / <i64>t);
        continue;
      }
      case OP_REMU: {
        sp -= 8;
        if (t == 0) {
          st = ST_DIV_ZERO | MID;
          break;
        }
        t = load<u64>(sp) % t;
        continue;
      }
      case OP_REMS: {
        sp -= 8;
        if (t == 0) {
          st = ST_DIV_ZERO | MID;
          break;
        }
        t = <i64>t == -1 ? 0 : <u64>(<i64>load<u64>(sp) % <i64>t);
        continue;
      }
      case OP_FMUL: {
        sp -= 8;
        fixOvf = false;
        const r = fmul(load<u64>(sp), t);
        if (fixOvf) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = r;
        continue;
      }
      case OP_FDIV: {
        sp -= 8;
        if (t == 0) {
          st = ST_DIV_ZERO | MID;
          break;
        }
        fixOvf = false;
        const r = fdiv(load<u64>(sp), t);
        if (fixOvf) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = r;
        continue;
      }
      case OP_NEG: {
        if (t == 0x8000000000000000) {
          st = ST_OVERFLOW | MID;
          break;
        }
        t = 0 - t;
        continue;
      }

      // -- comparisons ----------------------------------------------------------------------------
      case OP_EQ: {
        sp -= 8;
        t = <u64>(load<u64>(sp) == t);
        continue;
      }
      case OP_NE: {
        sp -= 8;
        t = <u64>(load<u64>(sp) != t);
        continue;
      }
      case OP_LTU: {
        sp -= 8;
        t = <u64>(load<u64>(sp) < t);
        continue;
      }
      case OP_LTS: {
        sp -= 8;
        t = <u64>(load<i64>(sp) < <i64>t);
        continue;
      }
      case OP_GTU: {
        sp -= 8;
        t = <u64>(load<u64>(sp) > t);
        continue;
      }
      case OP_GTS: {
        sp -= 8;
        t = <u64>(load<i64>(sp) > <i64>t);
        continue;
      }
      case OP_LEU: {
        sp -= 8;
        t = <u64>(load<u64>(sp) <= t);
        continue;
      }
      case OP_LES: {
        sp -= 8;
        t = <u64>(load<i64>(sp) <= <i64>t);
        continue;
      }
      case OP_GEU: {
        sp -= 8;
        t = <u64>(load<u64>(sp) >= t);
        continue;
      }
      case OP_GES: {
        sp -= 8;
        t = <u64>(load<i64>(sp) >= <i64>t);
        continue;
      }
      case OP_EQZ: {
        t = <u64>(t == 0);
        continue;
      }

      // -- bitwise ----------------------------------------------------------------------------------
      case OP_AND: {
        sp -= 8;
        t = load<u64>(sp) & t;
        continue;
      }
      case OP_OR: {
        sp -= 8;
        t = load<u64>(sp) | t;
        continue;
      }
      case OP_XOR: {
        sp -= 8;
        t = load<u64>(sp) ^ t;
        continue;
      }
      case OP_SHL: {
        sp -= 8;
        t = load<u64>(sp) << t;
        continue;
      }
      case OP_SHRU: {
        sp -= 8;
        t = load<u64>(sp) >>> t;
        continue;
      }
      case OP_SHRS: {
        sp -= 8;
        t = <u64>(load<i64>(sp) >> <i64>t);
        continue;
      }
      case OP_BNOT: {
        t = ~t;
        continue;
      }

      // -- control ----------------------------------------------------------------------------------
      case OP_JMP: {
        pc = cb + <i32>load<u16>(pc);
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JZ: {
        const c = t;
        sp -= 8;
        t = load<u64>(sp);
        pc = c == 0 ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JNZ: {
        const c = t;
        sp -= 8;
        t = load<u64>(sp);
        pc = c != 0 ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JEQ: {
        // sp first, so the second value is read at a constant offset (no address subtraction)
        sp -= 16;
        const c = load<u64>(sp, 8) == t;
        t = load<u64>(sp);
        pc = c ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JNE: {
        sp -= 16;
        const c = load<u64>(sp, 8) != t;
        t = load<u64>(sp);
        pc = c ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JLTU: {
        sp -= 16;
        const c = load<u64>(sp, 8) < t;
        t = load<u64>(sp);
        pc = c ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JGEU: {
        sp -= 16;
        const c = load<u64>(sp, 8) >= t;
        t = load<u64>(sp);
        pc = c ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JLTS: {
        sp -= 16;
        const c = load<i64>(sp, 8) < <i64>t;
        t = load<u64>(sp);
        pc = c ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_JGES: {
        sp -= 16;
        const c = load<i64>(sp, 8) >= <i64>t;
        t = load<u64>(sp);
        pc = c ? cb + <i32>load<u16>(pc) : pc + 2;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_CALL: {
        let f = <i32>load<u8>(pc);
        pc++;
        if (f & 0x80) {
          f = ulebAt(pc - 1);
          while (load<u8>(pc - 1) & 0x80) pc++;
        }
        const e = FUNCS + (f << 3);
        const params = <i32>load<u8>(e + 4);
        const nloc = params + <i32>load<u8>(e + 6);
        const nfp = sp + 8 - (params << 3);
        if (depth >= MAX_CALL_DEPTH - 1) {
          st = ST_CALL_DEPTH;
          break;
        }
        if (nfp + ((nloc + <i32>load<u8>(e + 7)) << 3) > STACK + (STACK_SLOTS << 3)) {
          st = ST_STACK_OVERFLOW;
          break;
        }
        // the last argument goes from t straight into x0..x3 when it is one of the cached locals
        if (<u32>(params - 1) >= 4) store<u64>(sp, t);
        const fr = FRAMES + (depth << 3);
        const nl = <i32>load<u8>(fr, 7);
        if (nl > 0) {
          store<u64>(fp, x0);
          if (nl > 1) {
            store<u64>(fp, x1, 8);
            if (nl > 2) {
              store<u64>(fp, x2, 16);
              if (nl > 3) store<u64>(fp, x3, 24);
            }
          }
        }
        store<u16>(fr, pc);
        store<u16>(fr, fp, 2);
        store<u16>(fr, cb, 4);
        store<u8>(fr, load<u8>(e + 5), 6);
        store<u8>(fr, nloc, 15);
        depth++;
        fp = nfp;
        sp = fp + (params << 3);
        if (nloc > params) {
          // locals 0..3 start in x0..x3; their slots are written before they are read (at the next call)
          const z = params > 4 ? params : 4;
          if (nloc > z) memory.fill(fp + (z << 3), 0, (nloc - z) << 3);
          sp = fp + (nloc << 3);
        }
        x1 = 0;
        x2 = 0;
        x3 = 0;
        if (params <= 1) x0 = params ? t : 0;
        else {
          x0 = load<u64>(fp);
          if (params == 2) x1 = t;
          else {
            x1 = load<u64>(fp, 8);
            if (params == 3) x2 = t;
            else {
              x2 = load<u64>(fp, 16);
              x3 = params == 4 ? t : load<u64>(fp, 24);
            }
          }
        }
        cb = load<u16>(e);
        pc = cb;
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_RET: {
        if (depth == 0) break; // st is ST_OK
        depth--;
        const fr = FRAMES + (depth << 3);
        if (load<u8>(fr, 6)) {
          sp = fp;
        } else {
          sp = fp - 8;
          t = load<u64>(sp);
        }
        pc = load<u16>(fr);
        fp = load<u16>(fr, 2);
        cb = load<u16>(fr, 4);
        const nl = <i32>load<u8>(fr, 7);
        if (nl > 0) {
          x0 = load<u64>(fp);
          if (nl > 1) {
            x1 = load<u64>(fp, 8);
            if (nl > 2) {
              x2 = load<u64>(fp, 16);
              if (nl > 3) x3 = load<u64>(fp, 24);
            }
          }
        }
        gas -= <i32>load<u16>(gb + (pc << 1));
        if (gas < 0) break;
        continue;
      }
      case OP_HALT: {
        halted = true;
        break;
      }
      case OP_REVERT: {
        errorId = ulebAt(pc);
        st = ST_REVERT;
        break;
      }
      case OP_REQUIRE: {
        const c = t;
        sp -= 8;
        t = load<u64>(sp);
        let id = <u32>load<u8>(pc);
        pc++;
        if (id & 0x80) {
          id = ulebAt(pc - 1);
          while (load<u8>(pc - 1) & 0x80) pc++;
        }
        if (c == 0) {
          errorId = id;
          st = ST_REVERT | MID;
          break;
        }
        continue;
      }

      // -- byte strings -----------------------------------------------------------------------------
      case OP_BLEN: {
        if (!refOk(t)) {
          st = ST_BOUNDS | MID;
          break;
        }
        t = <u64>refLen(t);
        continue;
      }
      case OP_BCAT: {
        sp -= 8;
        const a = load<u64>(sp);
        if (!refOk(a) || !refOk(t)) {
          st = ST_BOUNDS | MID;
          break;
        }
        const la = refLen(a);
        const n = la + refLen(t);
        if (n > MAX_BYTES_LEN) {
          st = ST_BOUNDS | MID;
          break;
        }
        gas -= words(n) * DG_COPY_PER_WORD;
        if (gas < 0) break;
        const d = alloc(n);
        if (d < 0) {
          st = ST_ARENA_FULL | MID;
          break;
        }
        memory.copy(d, refAddr(a), la);
        memory.copy(d + la, refAddr(t), refLen(t));
        t = mkRef(d, n);
        continue;
      }
      case OP_BSLICE: {
        const b = load<u64>(sp - 16);
        const off = load<u64>(sp - 8);
        sp -= 16;
        if (!refOk(b)) {
          st = ST_BOUNDS | MID;
          break;
        }
        const bl = <u64>refLen(b);
        if (off > bl || t > bl - off) {
          st = ST_BOUNDS | MID;
          break;
        }
        t = mkRef(refAddr(b) + <i32>off, <i32>t);
        continue;
      }
      case OP_BEQ: {
        sp -= 8;
        const a = load<u64>(sp);
        if (!refOk(a) || !refOk(t)) {
          st = ST_BOUNDS | MID;
          break;
        }
        const la = refLen(a);
        const lb = refLen(t);
        gas -= words(la < lb ? la : lb) * DG_COPY_PER_WORD;
        if (gas < 0) break;
        let eq = la == lb;
        if (eq) {
          const pa = refAddr(a);
          const pb = refAddr(t);
          for (let i = 0; i < la; i++) {
            if (load<u8>(pa + i) != load<u8>(pb + i)) {
              eq = false;
              break;
            }
          }
        }
        t = <u64>eq;
        continue;
      }
      case OP_BGET: {
        sp -= 8;
        const b = load<u64>(sp);
        if (!refOk(b) || t >= <u64>refLen(b)) {
          st = ST_BOUNDS | MID;
          break;
        }
        t = <u64>load<u8>(refAddr(b) + <i32>t);
        continue;
      }
      case OP_ITOB: {
        const w = <i32>load<u8>(pc);
        pc++;
        gas -= words(w) * DG_COPY_PER_WORD;
        if (gas < 0) break;
        const d = alloc(w);
        if (d < 0) {
          st = ST_ARENA_FULL | MID;
          break;
        }
        for (let i = 0; i < w; i++) store<u8>(d + i, <u8>(t >>> (<u64>i << 3)));
        t = mkRef(d, w);
        continue;
      }
      case OP_BTOI: {
        if (!refOk(t) || refLen(t) > 8) {
          st = ST_BOUNDS | MID;
          break;
        }
        const p = refAddr(t);
        let r: u64 = 0;
        for (let i = refLen(t) - 1; i >= 0; i--) r = (r << 8) | <u64>load<u8>(p + i);
        t = r;
        continue;
      }
      case OP_SHA256: {
        if (!refOk(t)) {
          st = ST_BOUNDS | MID;
          break;
        }
        gas -= (((refLen(t) + 63) >>> 6) + 1) * DG_SHA256_PER_BLOCK;
        if (gas < 0) break;
        const d = alloc(32);
        if (d < 0) {
          st = ST_ARENA_FULL | MID;
          break;
        }
        host_sha256(refAddr(t), refLen(t), d);
        t = mkRef(d, 32);
        continue;
      }
      case OP_EDVERIFY: {
        const pk = load<u64>(sp - 16);
        const msg = load<u64>(sp - 8);
        sp -= 16;
        if (!refOk(pk) || !refOk(msg) || !refOk(t)) {
          st = ST_BOUNDS | MID;
          break;
        }
        gas -= DG_ED25519 + ((refLen(msg) + 63) >>> 6) * DG_SHA256_PER_BLOCK;
        if (gas < 0) break;
        if (refLen(pk) != 32 || refLen(t) != 64) {
          t = 0;
          continue;
        }
        if (host_ed25519_verify(refAddr(pk), refAddr(msg), refLen(msg), refAddr(t)) == 1) {
          t = 1;
          continue;
        }
        // a refused signature costs a validator a second, slower check (vm/host/ed25519.ts): charged after it
        t = 0;
        gas -= DG_ED25519_REJECT;
        if (gas < 0) break;
        continue;
      }

      // -- context and events -----------------------------------------------------------------------
      case OP_CALLER: {
        store<u64>(sp, t);
        sp += 8;
        t = mkRef(CTX, 32);
        continue;
      }
      case OP_SELF: {
        store<u64>(sp, t);
        sp += 8;
        t = mkRef(CTX + 48, 32);
        continue;
      }
      case OP_NOW: {
        store<u64>(sp, t);
        sp += 8;
        t = load<u64>(CTX, 32);
        continue;
      }
      case OP_HEIGHT: {
        store<u64>(sp, t);
        sp += 8;
        t = load<u64>(CTX, 40);
        continue;
      }
      case OP_GASLEFT: {
        store<u64>(sp, t);
        sp += 8;
        t = <u64>gas;
        continue;
      }
      case OP_VALUE: {
        store<u64>(sp, t);
        sp += 8;
        t = load<u64>(CTX, 80);
        continue;
      }
      case OP_BALANCE: {
        if (!refOk(t) || refLen(t) != 32) {
          st = ST_BOUNDS | MID;
          break;
        }
        gas -= DG_BALANCE;
        if (gas < 0) break;
        if (host_balance(refAddr(t), VALBUF) != 0) {
          st = ST_HOST_ERROR | MID;
          break;
        }
        t = load<u64>(VALBUF);
        continue;
      }
      case OP_PAY: {
        const to = load<u64>(sp - 8);
        const amount = t;
        sp -= 16;
        t = load<u64>(sp);
        if (!refOk(to) || refLen(to) != 32) {
          st = ST_BOUNDS | MID;
          break;
        }
        gas -= DG_PAY;
        if (gas < 0) break;
        store<u64>(VALBUF, amount);
        const r = host_pay(refAddr(to), VALBUF);
        if (r == 0) continue;
        st = (r == 1 ? ST_INSUFFICIENT_BALANCE : r == 2 ? ST_OVERFLOW : ST_HOST_ERROR) | MID;
        break;
      }
      case OP_EMIT: {
        const topic = load<u32>(pc);
        const count = <i32>load<u8>(pc + 4);
        const mask = <u32>load<u8>(pc + 5);
        pc += 6;
        // values 0..count-2 are at base + 8i, the last is t (flushing t could write past a full frame)
        const top = t;
        const base = sp + 8 - (count << 3);
        if (count != 0) {
          sp -= count << 3;
          t = load<u64>(sp);
        }
        let size = 5;
        let bad = false;
        for (let i = 0; i < count; i++) {
          const v = i == count - 1 ? top : load<u64>(base + (i << 3));
          if ((mask >> i) & 1) {
            if (!refOk(v)) bad = true;
            size += 3 + refLen(v);
          } else {
            size += 9;
          }
        }
        if (bad) {
          st = ST_BOUNDS | MID;
          break;
        }
        if (size > MAX_BYTES_LEN || nEvents >= MAX_EVENTS) {
          st = ST_HOST_ERROR | MID;
          break;
        }
        gas -= DG_EMIT + words(size) * DG_EMIT_PER_WORD;
        if (gas < 0) break;
        store<u32>(IO, topic);
        store<u8>(IO + 4, <u8>count);
        let w = IO + 5;
        for (let i = 0; i < count; i++) {
          const v = i == count - 1 ? top : load<u64>(base + (i << 3));
          if ((mask >> i) & 1) {
            store<u8>(w, <u8>TAG_BYTES);
            store<u16>(w + 1, refLen(v));
            memory.copy(w + 3, refAddr(v), refLen(v));
            w += 3 + refLen(v);
          } else {
            store<u8>(w, 0);
            store<u64>(w + 1, v);
            w += 9;
          }
        }
        nEvents++;
        if (host_emit(IO, size) != 0) {
          st = ST_HOST_ERROR | MID;
          break;
        }
        continue;
      }
      // -- values that live in place ------------------------------------------------------------------
      case OP_BPUT: {
        const w = <i32>load<u8>(pc);
        pc++;
        const b = load<u64>(sp - 16);
        const off = load<u64>(sp - 8);
        const v = t;
        sp -= 24;
        t = load<u64>(sp);
        if (!writableRef(b) || off > <u64>refLen(b) || <u64>w > <u64>refLen(b) - off) {
          st = ST_BOUNDS | MID;
          break;
        }
        const d = refAddr(b) + <i32>off;
        // the compiler writes 8 (integers) or 1 (bool): one store each (wasm stores are little-endian)
        if (w == 8) store<u64>(d, v);
        else if (w == 1) store<u8>(d, <u8>v);
        else for (let i = 0; i < w; i++) store<u8>(d + i, <u8>(v >>> (<u64>i << 3)));
        continue;
      }
      case OP_BWRITE: {
        const b = load<u64>(sp - 16);
        const off = load<u64>(sp - 8);
        const s = t;
        sp -= 24;
        t = load<u64>(sp);
        if (!writableRef(b) || !refOk(s) || off > <u64>refLen(b) || <u64>refLen(s) > <u64>refLen(b) - off) {
          st = ST_BOUNDS | MID;
          break;
        }
        gas -= words(refLen(s)) * DG_COPY_PER_WORD;
        if (gas < 0) break;
        memory.copy(refAddr(b) + <i32>off, refAddr(s), refLen(s));
        continue;
      }
      case OP_BDUP: {
        if (!refOk(t)) {
          st = ST_BOUNDS | MID;
          break;
        }
        const n = refLen(t);
        gas -= words(n) * DG_COPY_PER_WORD;
        if (gas < 0) break;
        const d = alloc(n);
        if (d < 0) {
          st = ST_ARENA_FULL | MID;
          break;
        }
        memory.copy(d, refAddr(t), n);
        t = mkRef(d, n);
        continue;
      }
      case OP_AMARK: {
        store<u64>(sp, t);
        sp += 8;
        t = <u64><u32>arenaTop;
        continue;
      }
      case OP_ARELEASE: {
        const m = t;
        sp -= 8;
        t = load<u64>(sp);
        if (m < <u64><u32>ARENA || m > <u64><u32>arenaTop) {
          st = ST_BOUNDS | MID;
          break;
        }
        arenaTop = <i32>m;
        continue;
      }
      // -- short forms (issue 15: module size) -------------------------------------------------------
      case OP_ONCE: {
        // the compiler's run-once guard of init, `sload 255 0; eqz; require 0; push1; sstore 255 0`
        buildKey(255, 0, false, 0);
        gas -= DG_SLOAD;
        if (gas < 0) break;
        const n = host_sload(IO, keyLen, VALBUF, MAX_BYTES_LEN);
        if (n < 0 || n > MAX_BYTES_LEN) {
          st = ST_HOST_ERROR | MID;
          break;
        }
        gas -= words(n) * DG_COPY_PER_WORD;
        if (gas < 0) break;
        if (n < 8) store<u64>(VALBUF + n, 0);
        if (load<u64>(VALBUF) != 0) {
          errorId = 0;
          st = ST_REVERT | MID;
          break;
        }
        store<u64>(VALBUF, 1);
        gas -= DG_SSTORE + DG_SSTORE_PER_WORD;
        if (gas < 0) break;
        if (host_sstore(IO, keyLen, VALBUF, 8) != 0) {
          st = ST_HOST_ERROR | MID;
          break;
        }
        continue;
      }
      case OP_REQ32: {
        // an entry check, `blen; push 32; eq; require e`
        const v = t;
        sp -= 8;
        t = load<u64>(sp);
        let id = <u32>load<u8>(pc);
        pc++;
        if (id & 0x80) {
          id = ulebAt(pc - 1);
          while (load<u8>(pc - 1) & 0x80) pc++;
        }
        if (!refOk(v)) {
          st = ST_BOUNDS | MID;
          break;
        }
        if (refLen(v) != 32) {
          errorId = id;
          st = ST_REVERT | MID;
          break;
        }
        continue;
      }
      // -- storage (the default case: separate labels for 0x70..0x75 would stop binaryen's shrink
      // passes from making the whole switch one br_table; the verifier admits no other code here).
      // The short forms 0x88..0x8b are sload, sstore, mload, mstore (op & 3) with mode (op >> 1) & 1.
      default: {
        let op = <u32>load<u8>(pc - 1);
        const slot = <u32>load<u8>(pc);
        let mode: u32;
        if (op >= OP_SLOADI) {
          mode = (op >> 1) & 1;
          op = OP_SLOAD + (op & 3);
          pc += 1;
        } else {
          mode = <u32>load<u8>(pc + 1);
          pc += 2;
        }
        if (op == OP_SSTORE || op == OP_MSTORE) {
          const v = t;
          let k: u64 = 0;
          if (op == OP_MSTORE) {
            k = load<u64>(sp - 8);
            sp -= 8;
          }
          sp -= 8;
          t = load<u64>(sp);
          if (!buildKey(slot, mode, op == OP_MSTORE, k)) {
            st = ST_BOUNDS | MID;
            break;
          }
          let vp = VALBUF;
          let vl = 8;
          if (mode & 2) {
            if (!refOk(v)) {
              st = ST_BOUNDS | MID;
              break;
            }
            vp = refAddr(v);
            vl = refLen(v);
            if (vl > MAX_BYTES_LEN) {
              st = ST_HOST_ERROR | MID;
              break;
            }
          } else {
            store<u64>(VALBUF, v);
          }
          gas -= DG_SSTORE + words(vl) * DG_SSTORE_PER_WORD;
          if (gas < 0) break;
          if (host_sstore(IO, keyLen, vp, vl) != 0) {
            st = ST_HOST_ERROR | MID;
            break;
          }
          continue;
        }
        // sload, mload, xload, xmload
        const keyed = op == OP_MLOAD || op == OP_XMLOAD;
        const cross = op >= OP_XLOAD;
        let k: u64 = 0;
        let id: u64 = 0;
        if (op == OP_SLOAD) {
          store<u64>(sp, t);
          sp += 8;
        } else if (op == OP_XMLOAD) {
          id = load<u64>(sp - 8);
          k = t;
          sp -= 8;
        } else if (keyed) {
          k = t;
        } else {
          id = t;
        }
        if (!buildKey(slot, mode, keyed, k) || (cross && (!refOk(id) || refLen(id) != 32))) {
          st = ST_BOUNDS | MID;
          break;
        }
        gas -= cross ? DG_XLOAD : DG_SLOAD;
        if (gas < 0) break;
        const n = cross
          ? host_xload(refAddr(id), IO, keyLen, VALBUF, MAX_BYTES_LEN)
          : host_sload(IO, keyLen, VALBUF, MAX_BYTES_LEN);
        if (n < 0 || n > MAX_BYTES_LEN) {
          st = ST_HOST_ERROR | MID;
          break;
        }
        gas -= words(n) * DG_COPY_PER_WORD;
        if (gas < 0) break;
        if (mode & 2) {
          const d = alloc(n);
          if (d < 0) {
            st = ST_ARENA_FULL | MID;
            break;
          }
          memory.copy(d, VALBUF, n);
          t = mkRef(d, n);
        } else {
          if (n < 8) store<u64>(VALBUF + n, 0);
          t = load<u64>(VALBUF);
        }
        continue;
      }
    }
    break;
  }
  stopOffset = pc - 1 - IMAGE;
  if (gas < 0) {
    gasLeft = 0;
    return ST_OUT_OF_GAS;
  }
  if (st & MID) {
    gas += <i32>load<u16>(gb + (pc << 1));
    st &= 0xff;
  }
  gasLeft = gas;
  resultValue = t;
  return st;
}
