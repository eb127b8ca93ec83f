// The .mbc module format, value encodings at the host boundary, status codes and verifier codes.
// Defined once here; the AssemblyScript VM, the TS encoder/decoder, both hosts and the docs derive from it.
//
// Module layout (all integers little-endian; "uleb" = unsigned LEB128, at most 5 bytes, canonical):
//
//   +--------+---------+------------------------------------------------------------+
//   | "MOTE" | version | section*   (ids strictly increasing, each at most once)    |
//   | 4 B    | 1 B     | id:u8 size:uleb payload[size]                              |
//   +--------+---------+------------------------------------------------------------+
//
//   1 FUNCS   count:uleb, then per function:
//             params:u8 results:u8(0|1) locals:u8 (extra, zeroed) maxStack:u8 codeLen:uleb
//   2 CONSTS  count:uleb, then per constant: len:uleb bytes[len]
//   3 CODE    the functions' bodies, concatenated in FUNCS order (sum of codeLen = section size)
//   4 EXPORTS count:uleb, then per export:
//             selector:4B funcIndex:uleb flags:u8 (bit0 view) argMask:u8 retMask:u8
//             (mask bit i set = parameter/result i is a byte string, clear = a 64-bit integer)
//   5 META    32 bytes: SHA-256 of the metadata file (.abi.json) the module was compiled with
//
// Instruction layout: opcode:u8 followed by its operands, in the order and formats of its row in
// vm/spec/opcodes.ts. Jump targets are u16 offsets from the start of the function's own body, so
// bodies are position-independent, a forward jump is patched in place and decoded without a loop.
//
// A module's id is SHA-256(module bytes). A selector is the first 4 bytes of SHA-256(utf8(name)).

export const MAGIC = [0x4d, 0x4f, 0x54, 0x45] as const; // "MOTE"
export const VERSION = 1;

export const Section = {
  FUNCS: 1,
  CONSTS: 2,
  CODE: 3,
  EXPORTS: 4,
  META: 5,
} as const;

/** Export flags. */
export const EXPORT_VIEW = 1;

/**
 * Values crossing the host boundary (arguments, results, events) are tagged:
 *   tag 0: int   -> 8 bytes, little-endian two's complement
 *   tag 1: bytes -> len:u16 LE, then len bytes
 */
export const TAG_INT = 0;
export const TAG_BYTES = 1;

/**
 * Storage: the host sees byte-string keys and values only.
 *   key   = slot:u8 ++ (no key | int key as 8 bytes LE | byte-string key)
 *   value = int as 8 bytes LE | byte string; an empty value means "absent" (writing one deletes).
 * Reading an absent key gives 0 or the empty string. An int read from a stored value takes its first
 * up-to-8 bytes little-endian (zero-extended).
 *
 * Events, as the VM hands them to the host (one buffer per event):
 *   topic:u32 LE, count:u8, then count tagged values (see TAG_*).
 */

export interface StatusRow {
  readonly code: number;
  readonly name: string;
  readonly doc: string;
}

/** Call statuses. Anything but OK discards the call's storage writes and events. */
export const STATUSES = [
  { code: 0, name: "ok", doc: "The call returned normally; its writes and events take effect." },
  { code: 1, name: "revert", doc: "`revert` ran; `error` is its error id. Gas used is what ran." },
  { code: 2, name: "out_of_gas", doc: "The gas limit could not pay for the next block or variable-cost operation; all gas is used." },
  { code: 3, name: "stack_overflow", doc: "A call needed more value-stack slots than remain (checked once per call)." },
  { code: 4, name: "call_depth", doc: "A call would exceed MAX_CALL_DEPTH frames." },
  { code: 5, name: "arena_full", doc: "A byte string did not fit in the per-call arena." },
  { code: 6, name: "div_zero", doc: "Division or remainder by zero." },
  { code: 7, name: "overflow", doc: "A checked arithmetic operation overflowed or underflowed." },
  { code: 8, name: "bounds", doc: "A byte-string index, slice, length or reference was out of range." },
  { code: 9, name: "invalid_module", doc: "The verifier rejected the module; `error` is its code (see VERIFY_ERRORS)." },
  { code: 10, name: "bad_call", doc: "No export has that selector, or the arguments do not match its parameters." },
  { code: 11, name: "host_error", doc: "A host function reported failure (storage unavailable, oversized value, too many events)." },
  { code: 12, name: "insufficient_balance", doc: "`pay` asked for more than the contract's native balance." },
] as const satisfies readonly StatusRow[];

export type StatusName = (typeof STATUSES)[number]["name"];
export const Status = Object.fromEntries(STATUSES.map((s) => [s.name, s.code])) as { [K in StatusName]: number };

export interface VerifyErrorRow {
  readonly code: number;
  readonly name: string;
  readonly doc: string;
}

/** Verifier rejections; each is reported with the byte offset in the module where it was found. */
export const VERIFY_ERRORS = [
  { code: 1, name: "bad_magic", doc: "The module does not start with \"MOTE\"." },
  { code: 2, name: "bad_version", doc: "Unsupported format version." },
  { code: 3, name: "truncated", doc: "A section, entry or immediate runs past the end of its container." },
  { code: 4, name: "section_order", doc: "Unknown section id, duplicate section, or sections out of order." },
  { code: 5, name: "section_size", doc: "A section's contents do not fill exactly its declared size." },
  { code: 6, name: "too_large", doc: "The module, its code or one of its tables exceeds a limit in vm/spec/limits.ts." },
  { code: 7, name: "bad_leb", doc: "An LEB128 number is overlong, non-canonical or out of range." },
  { code: 8, name: "bad_function", doc: "A function entry is invalid (results > 1, too many locals, empty body)." },
  { code: 9, name: "unknown_opcode", doc: "A byte in code is not an opcode of this version." },
  { code: 10, name: "bad_immediate", doc: "An operand is out of its range (storage mode, width, count)." },
  { code: 11, name: "bad_jump", doc: "A jump does not target an instruction start in the same function." },
  { code: 12, name: "stack_underflow", doc: "Some path pops more values than the frame holds." },
  { code: 13, name: "stack_overflow", doc: "Some path exceeds the function's declared max stack height." },
  { code: 14, name: "stack_mismatch", doc: "Paths join with different stack heights, or a return has the wrong count." },
  { code: 15, name: "bad_call", doc: "A call names a missing function." },
  { code: 16, name: "call_arity", doc: "A call site holds fewer values than the callee's parameters." },
  { code: 17, name: "bad_const", doc: "A constant index is out of range." },
  { code: 18, name: "bad_local", doc: "A local index is out of range for its function." },
  { code: 19, name: "falls_off_end", doc: "Control can run past the last instruction of a function." },
  { code: 20, name: "bad_export", doc: "An export names a missing function, repeats a selector, or its masks do not fit the function." },
  { code: 21, name: "missing_section", doc: "A required section (FUNCS, CODE) is absent." },
  { code: 22, name: "block_gas", doc: "A straight-line block costs more gas than a 16-bit entry of the gas table holds." },
] as const satisfies readonly VerifyErrorRow[];

export type VerifyErrorName = (typeof VERIFY_ERRORS)[number]["name"];
export const VerifyError = Object.fromEntries(VERIFY_ERRORS.map((s) => [s.name, s.code])) as {
  [K in VerifyErrorName]: number;
};
