// Every limit of the Mote VM, one knob each, with its default and the reason for it.
// Sized for an ESP32-C3 (400 KB SRAM, shared with Wi-Fi/BLE stacks); the generator copies these into
// the AssemblyScript build (vm/assembly/gen/spec.ts) and docs/bytecode.md, so this file is the only
// place a limit is set. Changing one changes the linear-memory layout below, which is documented in
// docs/host-abi.md and checked by a test.

export interface Limit {
  readonly value: number;
  readonly why: string;
}

export const LIMITS = {
  MODULE_MAX_BYTES: {
    value: 6144,
    why: "A module is copied into linear memory whole; 6 KiB holds ~24 token-sized contracts' worth of code.",
  },
  CODE_MAX_BYTES: {
    value: 4096,
    why: "The verifier keeps a 2-byte gas entry per code byte (8 KiB); 4 KiB of Mote code is ~32 KiB of EVM code.",
  },
  MAX_FUNCTIONS: { value: 64, why: "Function table entries are 12 bytes in RAM; 64 covers every contract in contracts/." },
  MAX_CONSTANTS: { value: 128, why: "Constant-pool directory entries are 4 bytes in RAM." },
  MAX_EXPORTS: { value: 32, why: "Export lookup is a linear scan of 4-byte selectors; 32 keeps it under a microsecond." },
  MAX_PARAMS: { value: 8, why: "Argument and result type masks are one byte." },
  MAX_LOCALS: { value: 64, why: "Locals (params included) live in the frame on the value stack; 64 × 8 B per frame." },
  STACK_SLOTS: {
    value: 384,
    why: "One 64-bit value stack shared by locals and operands of all frames: 3 KiB, checked once per call, never per push.",
  },
  MAX_CALL_DEPTH: { value: 48, why: "Frames are 8 bytes each; recursion depth is bounded so worst-case memory is known before a call runs." },
  ARENA_BYTES: {
    value: 4096,
    why: "Byte strings of one call (arguments, concatenations, storage reads, hashes) bump-allocate here and are freed when it ends.",
  },
  MAX_BYTES_LEN: { value: 1024, why: "Longest single byte string, argument, storage value or event: fits one NVS blob comfortably." },
  MAX_KEY_BYTES: { value: 64, why: "Storage keys are a slot byte plus an int (8 B) or a byte string; 64 B fits hash- and pubkey-keyed maps." },
  MAX_EVENTS: { value: 16, why: "Events per call; the host buffers them until the call ends." },
  DEFAULT_GAS: {
    value: 10_000_000,
    why: "Default per-call gas limit: a few state reads and writes at the ledger's prices (issue 11: SLOAD 600,000, SSTORE 2,300,000; a ledger transaction's default, LEDGER_LIMITS.DEFAULT_TX_GAS, is larger); see docs/gas.md for what one gas unit costs on a 160 MHz ESP32-C3.",
  },
  MAX_GAS: { value: 2_000_000_000, why: "Gas is kept in an i32 (32-bit registers on the target); the limit stays below 2^31." },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** Fractional bits of the `fixed` type and of fmul/fdiv: Q47.16, signed. */
export const FIXED_FRAC_BITS = 16;
