// The Mote instruction set: every opcode is one row of OPCODES, and this file is the single source of
// truth for it. The AssemblyScript constants, the TS enum, the encoder/decoder/disassembler tables, the
// gas schedule and docs/bytecode.md are generated from or driven by this table (`npm run gen`).
//
// Instruction format (operands follow the opcode byte, in row order):
//
//   +--------+------------------------------+
//   | op: u8 | operand* (per the row)       |      e.g.  push  0x03 | sleb64
//   +--------+------------------------------+            jz    0x51 | u16 target
//                                                       mload 0x72 | slot:u8 mode:u8
//   operand formats:
//     u8     one byte                   sleb   signed LEB128, 1..10 bytes, canonical, i64
//     u16    2 bytes LE (jump target)   uleb   unsigned LEB128, 1..5 bytes, canonical, u32
//     u32    4 bytes LE (event topic)
//
// Values on the stack are 64-bit. A byte string is a reference: (length << 32) | address, pointing into
// the module's constant pool or the per-call arena; byte-string operations check the reference and stop
// with `bounds` when it is not one.
//
// Gas: `gas` is the static cost. The verifier sums static costs over each straight-line run of code
// that starts at a control entry point (function start, jump target, the instruction after a branch or
// call) and ends at the next branch, call or terminator; the interpreter charges that sum once on
// entry. Every LEB128 immediate (kinds sleb, uleb, const, func, error: `lebImmediate` below) adds 1 gas per
// byte beyond its first, because the interpreter decodes it at run time (computed by the verifier, so still
// per block). Operations marked `dyn` also charge DYNAMIC_GAS at run time, before they do their work.

export type OperandKind =
  | "u8" // generic byte (count, mask, width)
  | "local" // u8 local index
  | "slot" // u8 storage slot
  | "mode" // u8 storage mode: bit0 key is bytes, bit1 value is bytes
  | "width" // u8 byte width of an int packing: 1, 2, 4 or 8
  | "target" // u16 LE jump target: offset from the start of the function's body
  | "u32" // 4 bytes LE
  | "uleb" // unsigned LEB128 (u32)
  | "sleb" // signed LEB128 (i64)
  | "const" // uleb constant-pool index
  | "func" // uleb function index
  | "error"; // uleb error id

export type Operand = { readonly name: string; readonly kind: OperandKind };

/**
 * Control-flow class of an instruction:
 *   next    falls through
 *   branch  may jump to its target or fall through (ends a gas block)
 *   jump    always jumps to its target
 *   call    calls a function, then continues (ends a gas block; the continuation starts one)
 *   exit    leaves the function or the call (ret, halt, revert)
 */
export type Flow = "next" | "branch" | "jump" | "call" | "exit";

/** Dynamic gas a row charges at run time in addition to its static cost. */
export type DynamicGas = "copy" | "sha256" | "ed25519" | "sload" | "sstore" | "xload" | "emit" | "balance" | "pay" | "once";

export interface OpcodeRow {
  readonly name: string;
  readonly code: number;
  readonly operands: readonly Operand[];
  /** Values popped and pushed; `call`, `ret` and `emit` are special and explained in `effect`. */
  readonly pop: number;
  readonly push: number;
  readonly effect: string;
  readonly gas: number;
  readonly flow: Flow;
  readonly dyn?: DynamicGas;
  /**
   * Operands (a, b) that take the opcode's slowest path, for an opcode whose work depends on its operands: the
   * gas calibration (bench/calibrate-gas.ts) and the ledger cost benchmark measure it on these, so its price
   * covers the worst case (on 1000 and 7 a checked multiply skips its 128-bit test and a division is short).
   */
  readonly slowest?: readonly [bigint, bigint];
  readonly doc: string;
}

const op = (
  code: number,
  name: string,
  operands: readonly Operand[],
  pop: number,
  push: number,
  effect: string,
  gas: number,
  doc: string,
  extra: { flow?: Flow; dyn?: DynamicGas; slowest?: readonly [bigint, bigint] } = {},
): OpcodeRow => ({
  name,
  code,
  operands,
  pop,
  push,
  effect,
  gas,
  flow: extra.flow ?? "next",
  doc,
  ...(extra.dyn ? { dyn: extra.dyn } : {}),
  ...(extra.slowest ? { slowest: extra.slowest } : {}),
});

const L: Operand = { name: "local", kind: "local" };
const T: Operand = { name: "target", kind: "target" };
const SM: readonly Operand[] = [
  { name: "slot", kind: "slot" },
  { name: "mode", kind: "mode" },
];

export const OPCODES: readonly OpcodeRow[] = [
  // -- constants and stack -------------------------------------------------------------------------
  op(0x01, "push0", [], 0, 1, "-> 0", 1, "Push the integer 0."),
  op(0x02, "push1", [], 0, 1, "-> 1", 1, "Push the integer 1."),
  op(0x03, "push", [{ name: "value", kind: "sleb" }], 0, 1, "-> v", 3, "Push a 64-bit integer given as signed LEB128."),
  op(0x04, "pushb", [{ name: "index", kind: "const" }], 0, 1, "-> b", 2, "Push a reference to a byte string of the constant pool."),
  op(0x05, "dup", [], 1, 2, "a -> a a", 1, "Duplicate the top value."),
  op(0x06, "drop", [], 1, 0, "a ->", 1, "Discard the top value."),
  op(0x07, "swap", [], 2, 2, "a b -> b a", 1, "Swap the two top values."),
  op(0x08, "over", [], 2, 3, "a b -> a b a", 1, "Copy the second value to the top."),

  // -- locals (parameters are locals 0..params-1; the rest start at 0) -----------------------------
  op(0x10, "lget", [L], 0, 1, "-> local[i]", 1, "Push a local."),
  op(0x11, "lset", [L], 1, 0, "v ->", 1, "Pop into a local."),
  op(0x12, "ltee", [L], 1, 1, "v -> v", 1, "Store the top value into a local, keeping it."),
  op(0x13, "lget0", [], 0, 1, "-> local[0]", 1, "Push local 0 (one byte)."),
  op(0x14, "lget1", [], 0, 1, "-> local[1]", 1, "Push local 1 (one byte)."),
  op(0x15, "lget2", [], 0, 1, "-> local[2]", 1, "Push local 2 (one byte)."),
  op(0x16, "lget3", [], 0, 1, "-> local[3]", 1, "Push local 3 (one byte)."),
  op(0x17, "lset0", [], 1, 0, "v ->", 1, "Pop into local 0 (one byte)."),
  op(0x18, "lset1", [], 1, 0, "v ->", 1, "Pop into local 1 (one byte)."),
  op(0x19, "lset2", [], 1, 0, "v ->", 1, "Pop into local 2 (one byte)."),
  op(0x1a, "lset3", [], 1, 0, "v ->", 1, "Pop into local 3 (one byte)."),
  op(0x1b, "laddi", [L, { name: "imm", kind: "uleb" }], 0, 0, "local[i] += imm (checked, unsigned)", 2,
    "Add an unsigned immediate to a local in place; stops with `overflow` past 2^64-1."),

  // -- integer arithmetic --------------------------------------------------------------------------
  op(0x20, "add", [], 2, 1, "a b -> a+b", 1, "Wrapping addition mod 2^64."),
  op(0x21, "sub", [], 2, 1, "a b -> a-b", 1, "Wrapping subtraction mod 2^64."),
  op(0x22, "mul", [], 2, 1, "a b -> a*b", 1, "Wrapping multiplication mod 2^64."),
  op(0x23, "addu", [], 2, 1, "a b -> a+b", 1, "Unsigned checked addition; `overflow` past 2^64-1."),
  op(0x24, "subu", [], 2, 1, "a b -> a-b", 1, "Unsigned checked subtraction; `overflow` below 0."),
  op(0x25, "mulu", [], 2, 1, "a b -> a*b", 2, "Unsigned checked multiplication; `overflow` past 2^64-1.", { slowest: [(1n << 40n) + 7n, (1n << 20n) + 3n] /* past 32 bits: the high word of the product is computed */ }),
  op(0x26, "adds", [], 2, 1, "a b -> a+b", 1, "Signed checked addition; `overflow` outside i64."),
  op(0x27, "subs", [], 2, 1, "a b -> a-b", 1, "Signed checked subtraction; `overflow` outside i64."),
  op(0x28, "muls", [], 2, 1, "a b -> a*b", 2, "Signed checked multiplication; `overflow` outside i64.", { slowest: [(1n << 40n) + 7n, -3n] /* outside i32 and not -1: the product is checked by a division */ }),
  op(0x29, "divu", [], 2, 1, "a b -> a/b", 2, "Unsigned division; `div_zero` when b = 0.", { slowest: [(1n << 63n) + 12345n, (1n << 33n) + 7n] /* both past 32 bits: the full 64-bit division */ }),
  op(0x2a, "divs", [], 2, 1, "a b -> a/b", 2, "Signed division truncating toward zero; `div_zero` when b = 0, `overflow` for MIN/-1.", { slowest: [-((1n << 62n) + 5n), (1n << 33n) + 7n] }),
  op(0x2b, "remu", [], 2, 1, "a b -> a%b", 2, "Unsigned remainder; `div_zero` when b = 0.", { slowest: [(1n << 63n) + 12345n, (1n << 33n) + 7n] }),
  op(0x2c, "rems", [], 2, 1, "a b -> a%b", 2, "Signed remainder (sign of a); `div_zero` when b = 0.", { slowest: [-((1n << 62n) + 5n), (1n << 33n) + 7n] }),
  op(0x2d, "fmul", [], 2, 1, "a b -> (a*b)>>16", 6, "Q47.16 fixed-point multiply, 128-bit intermediate, truncating toward zero; `overflow` outside i64.", { slowest: [-((1n << 40n) + 3n), (1n << 22n) + 5n] }),
  op(0x2e, "fdiv", [], 2, 1, "a b -> (a<<16)/b", 10, "Q47.16 fixed-point divide, truncating toward zero; `div_zero` when b = 0, `overflow` outside i64.", { slowest: [(1n << 63n) - 1n, (1n << 48n) + 1n] /* both past 2^48: a division, a 128-bit product and a compare */ }),
  op(0x2f, "neg", [], 1, 1, "a -> -a", 1, "Signed checked negation; `overflow` for MIN."),

  // -- comparisons (push 1 or 0) -------------------------------------------------------------------
  op(0x30, "eq", [], 2, 1, "a b -> a==b", 1, "Equal."),
  op(0x31, "ne", [], 2, 1, "a b -> a!=b", 1, "Not equal."),
  op(0x32, "ltu", [], 2, 1, "a b -> a<b", 1, "Unsigned less than."),
  op(0x33, "lts", [], 2, 1, "a b -> a<b", 1, "Signed less than."),
  op(0x34, "gtu", [], 2, 1, "a b -> a>b", 1, "Unsigned greater than."),
  op(0x35, "gts", [], 2, 1, "a b -> a>b", 1, "Signed greater than."),
  op(0x36, "leu", [], 2, 1, "a b -> a<=b", 1, "Unsigned less or equal."),
  op(0x37, "les", [], 2, 1, "a b -> a<=b", 1, "Signed less or equal."),
  op(0x38, "geu", [], 2, 1, "a b -> a>=b", 1, "Unsigned greater or equal."),
  op(0x39, "ges", [], 2, 1, "a b -> a>=b", 1, "Signed greater or equal."),
  op(0x3a, "eqz", [], 1, 1, "a -> a==0", 1, "Boolean not: 1 when a is 0, else 0."),

  // -- bitwise -------------------------------------------------------------------------------------
  op(0x40, "and", [], 2, 1, "a b -> a&b", 1, "Bitwise and."),
  op(0x41, "or", [], 2, 1, "a b -> a|b", 1, "Bitwise or."),
  op(0x42, "xor", [], 2, 1, "a b -> a^b", 1, "Bitwise exclusive or."),
  op(0x43, "shl", [], 2, 1, "a b -> a<<(b&63)", 1, "Shift left by b mod 64."),
  op(0x44, "shru", [], 2, 1, "a b -> a>>>(b&63)", 1, "Logical shift right by b mod 64."),
  op(0x45, "shrs", [], 2, 1, "a b -> a>>(b&63)", 1, "Arithmetic shift right by b mod 64."),
  op(0x46, "bnot", [], 1, 1, "a -> ~a", 1, "Bitwise complement."),

  // -- control -------------------------------------------------------------------------------------
  op(0x50, "jmp", [T], 0, 0, "->", 1, "Jump to target.", { flow: "jump" }),
  op(0x51, "jz", [T], 1, 0, "c ->", 1, "Jump to target when c is 0.", { flow: "branch" }),
  op(0x52, "jnz", [T], 1, 0, "c ->", 1, "Jump to target when c is not 0.", { flow: "branch" }),
  op(0x53, "call", [{ name: "func", kind: "func" }], 0, 0, "args -> results", 6,
    "Call a function: pops its params (last on top), pushes its results.", { flow: "call" }),
  op(0x54, "ret", [], 0, 0, "results ->", 2, "Return; the stack must hold exactly the function's results.", { flow: "exit" }),
  op(0x55, "halt", [], 0, 0, "->", 2, "End the whole call successfully with no results.", { flow: "exit" }),
  op(0x56, "revert", [{ name: "error", kind: "error" }], 0, 0, "->", 2,
    "End the whole call with status `revert` and this error id.", { flow: "exit" }),
  op(0x57, "require", [{ name: "error", kind: "error" }], 1, 0, "c ->", 1,
    "Revert with this error id when c is 0 (superinstruction for `jnz; revert`)."),
  op(0x58, "jeq", [T], 2, 0, "a b ->", 2, "Jump when a == b (superinstruction for `eq; jnz`).", { flow: "branch" }),
  op(0x59, "jne", [T], 2, 0, "a b ->", 2, "Jump when a != b.", { flow: "branch" }),
  op(0x5a, "jltu", [T], 2, 0, "a b ->", 2, "Jump when a < b, unsigned.", { flow: "branch" }),
  op(0x5b, "jgeu", [T], 2, 0, "a b ->", 2, "Jump when a >= b, unsigned.", { flow: "branch" }),
  op(0x5c, "jlts", [T], 2, 0, "a b ->", 2, "Jump when a < b, signed.", { flow: "branch" }),
  op(0x5d, "jges", [T], 2, 0, "a b ->", 2, "Jump when a >= b, signed.", { flow: "branch" }),

  // -- byte strings --------------------------------------------------------------------------------
  op(0x60, "blen", [], 1, 1, "b -> len(b)", 1, "Length of a byte string."),
  op(0x61, "bcat", [], 2, 1, "a b -> a++b", 15, "Concatenate into the arena.", { dyn: "copy" }),
  op(0x62, "bslice", [], 3, 1, "b off len -> b[off..off+len]", 3, "A slice (no copy); `bounds` when it does not fit."),
  op(0x63, "beq", [], 2, 1, "a b -> a==b", 7, "Byte-wise equality of two byte strings.", { dyn: "copy" }),
  op(0x64, "bget", [], 2, 1, "b i -> b[i]", 2, "The byte at index i; `bounds` past the end."),
  op(0x65, "itob", [{ name: "width", kind: "width" }], 1, 1, "i -> bytes", 8,
    "The low `width` bytes of i, little-endian, as a new byte string.", { dyn: "copy" }),
  op(0x66, "btoi", [], 1, 1, "b -> i", 8, "A byte string of at most 8 bytes, little-endian, zero-extended; `bounds` if longer."),
  op(0x67, "sha256", [], 1, 1, "b -> hash", 1, "SHA-256 of b, a new 32-byte string.", { dyn: "sha256" }),
  op(0x68, "edverify", [], 3, 1, "pubkey msg sig -> ok", 1,
    "Ed25519 verification (RFC 8032) of sig (64 B) over msg by pubkey (32 B): 1 or 0.", { dyn: "ed25519" }),

  // -- storage (see vm/spec/format.ts for key and value encodings) ---------------------------------
  op(0x70, "sload", SM, 0, 1, "-> v", 1, "Read storage slot `slot` (mode bit1: value is bytes).", { dyn: "sload" }),
  op(0x71, "sstore", SM, 1, 0, "v ->", 1, "Write storage slot `slot`.", { dyn: "sstore" }),
  op(0x72, "mload", SM, 1, 1, "k -> v", 1, "Read map entry `slot`[k] (mode bit0: key is bytes).", { dyn: "sload" }),
  op(0x73, "mstore", SM, 2, 0, "k v ->", 1, "Write map entry `slot`[k].", { dyn: "sstore" }),
  op(0x74, "xload", SM, 1, 1, "id -> v", 1, "Read slot `slot` of the contract instance `id` (read-only).", { dyn: "xload" }),
  op(0x75, "xmload", SM, 2, 1, "id k -> v", 1, "Read map entry `slot`[k] of another contract (read-only).", { dyn: "xload" }),

  // -- native value (the host keeps balances; see docs/host-abi.md) -----------------------------------
  op(0x76, "value", [], 0, 1, "-> v", 1, "Native value attached to this call (credited to this contract before it ran)."),
  op(0x77, "balance", [], 1, 1, "id -> amount", 1, "Native balance of the 32-byte account or contract `id`, this call's payments included.", { dyn: "balance" }),

  // -- context and events --------------------------------------------------------------------------
  op(0x78, "caller", [], 0, 1, "-> pubkey", 1, "The caller's 32-byte public key."),
  op(0x79, "self", [], 0, 1, "-> id", 1, "This contract instance's 32-byte id, as the host gives it in the call context."),
  op(0x7a, "now", [], 0, 1, "-> t", 1, "Block timestamp, seconds since the Unix epoch."),
  op(0x7b, "height", [], 0, 1, "-> h", 1, "Block height."),
  op(0x7c, "gasleft", [], 0, 1, "-> g", 1, "Gas left after this instruction's block was charged."),
  op(0x7d, "emit", [{ name: "topic", kind: "u32" }, { name: "count", kind: "u8" }, { name: "mask", kind: "u8" }], 0, 0,
    "v1..vn ->", 1, "Emit an event: pops `count` values (mask bit i: value i is bytes).", { dyn: "emit" }),
  op(0x7e, "pay", [], 2, 0, "to amount ->", 1,
    "Pay `amount` of this contract's native balance to `to` (32 bytes): an effect applied only if the call ends ok; `insufficient_balance` when short, `overflow` if `to`'s balance would pass 2^64-1.", { dyn: "pay" }),

  // -- values that live in place (local arrays and structs) and arena reclamation ----------------------
  op(0x80, "bput", [{ name: "width", kind: "width" }], 3, 0, "b off v ->", 4,
    "Write the low `width` bytes of v, little-endian, at b[off..] in place; `bounds` unless b is in the arena and they fit."),
  op(0x81, "bwrite", [], 3, 0, "b off s ->", 5,
    "Copy byte string s into b at off, in place; `bounds` unless b is in the arena and s fits.", { dyn: "copy" }),
  op(0x82, "bdup", [], 1, 1, "b -> b'", 11, "A fresh copy of b in the arena (a value that will be written in place).", { dyn: "copy" }),
  op(0x83, "amark", [], 0, 1, "-> m", 1, "Push the arena's current top, a mark for `arelease`."),
  op(0x84, "arelease", [], 1, 0, "m ->", 1,
    "Free the arena above mark m (from `amark`); `bounds` unless m lies between the arena's start and its top."),

  // -- short forms for what every contract does (issue 15: module size) ------------------------------
  op(0x88, "sloadi", [{ name: "slot", kind: "slot" }], 0, 1, "-> v", 1, "`sload slot 0`: read an int from storage slot `slot`.", { dyn: "sload" }),
  op(0x89, "sstorei", [{ name: "slot", kind: "slot" }], 1, 0, "v ->", 1, "`sstore slot 0`: write an int to storage slot `slot`.", { dyn: "sstore" }),
  op(0x8a, "mloadbi", [{ name: "slot", kind: "slot" }], 1, 1, "k -> v", 1, "`mload slot 1`: read the int at `slot`[k], k a byte string.", { dyn: "sload" }),
  op(0x8b, "mstorebi", [{ name: "slot", kind: "slot" }], 2, 0, "k v ->", 1, "`mstore slot 1`: write the int at `slot`[k], k a byte string.", { dyn: "sstore" }),
  op(0x8c, "once", [], 0, 0, "->", 1,
    "Run-once guard of `init`: revert with error 0 when storage slot 255 holds a non-zero int, else write 1 there (`sload 255 0; eqz; require 0; push1; sstore 255 0`).", { dyn: "once" }),
  op(0x8d, "req32", [{ name: "error", kind: "error" }], 1, 0, "b ->", 2,
    "Revert with this error id unless b is a 32-byte string (an entry check: `blen; push 32; eq; require e`); `bounds` if b is no string."),
];

/**
 * Run-time charges, in gas, for rows with `dyn`; charged before the work is done.
 *   copy     COPY_PER_WORD per started 8 bytes produced or compared
 *   sha256   SHA256_PER_BLOCK per started 64-byte block of input (plus padding block)
 *   ed25519  ED25519 + SHA256_PER_BLOCK per started 64-byte block of msg; when a 32-byte key and a
 *            64-byte signature do not verify, ED25519_REJECT more, charged after the check (a validator
 *            confirms a refusal with a second, slower check: vm/host/ed25519.ts)
 *   sload    SLOAD + COPY_PER_WORD per started 8 bytes of value
 *   sstore   SSTORE + SSTORE_PER_WORD per started 8 bytes of value
 *   xload    XLOAD + COPY_PER_WORD per started 8 bytes of value
 *   emit     EMIT + EMIT_PER_WORD per started 8 bytes of encoded event
 *   balance  BALANCE (a state read, like XLOAD)
 *   pay      PAY (two balance writes, like SSTORE)
 *   once     as sload of slot 255, then (when it reads 0) as sstore of an 8-byte int
 */
export const DYNAMIC_GAS = {
  COPY_PER_WORD: 3,
  // Priced by what a validator spends (the Node ledger's fast engine over a state of 10^6 entries in SQLite,
  // `npm run bench:ledger-cost`, docs/gas.md "On the ledger"), not by the chip: a state access that walks
  // cold tree nodes, an Ed25519 check, a SHA-256 block and an event row cost 10^3-10^6 times an
  // interpreter instruction there. Each is set so its wall time per gas is about 3x the mean over every
  // opcode; on RV32 these rows are overpriced (see docs/gas.md).
  SHA256_PER_BLOCK: 3_400,
  ED25519: 400_000,
  ED25519_REJECT: 7_400_000,
  SLOAD: 600_000,
  SSTORE: 2_300_000,
  SSTORE_PER_WORD: 1_000,
  XLOAD: 600_000,
  EMIT: 12_000,
  EMIT_PER_WORD: 1_000,
  BALANCE: 600_000,
  PAY: 4_600_000,
} as const;

export type DynamicGasName = keyof typeof DYNAMIC_GAS;

export const OPCODE_BY_NAME: ReadonlyMap<string, OpcodeRow> = new Map(OPCODES.map((r) => [r.name, r]));
export const OPCODE_BY_CODE: readonly (OpcodeRow | undefined)[] = (() => {
  const t: (OpcodeRow | undefined)[] = new Array(256).fill(undefined);
  for (const r of OPCODES) t[r.code] = r;
  return t;
})();

/** Operand kinds encoded as LEB128 and decoded by the interpreter at run time. */
export const LEB_KINDS: ReadonlySet<OperandKind> = new Set<OperandKind>(["sleb", "uleb", "const", "func", "error"]);

/**
 * The row's LEB128 immediate, if it has one: the operand and its byte offset from the opcode. The verifier
 * charges it 1 gas per byte beyond its first and measures it as the distance to the next instruction, so
 * a row holds at most one and it comes last (scripts/gen-spec.ts refuses any other layout).
 */
export function lebImmediate(row: OpcodeRow): { operand: Operand; index: number; offset: number } | undefined {
  const index = row.operands.findIndex((o) => LEB_KINDS.has(o.kind));
  if (index < 0) return undefined;
  const offset = 1 + row.operands.slice(0, index).reduce((n, o) => n + operandWidth(o.kind), 0);
  return { operand: row.operands[index]!, index, offset };
}

/** Byte width of a fixed-size operand kind, or 0 for LEB128 kinds. */
export function operandWidth(kind: OperandKind): number {
  switch (kind) {
    case "u8":
    case "local":
    case "slot":
    case "mode":
    case "width":
      return 1;
    case "target":
      return 2;
    case "u32":
      return 4;
    default:
      return 0;
  }
}
