// The compiler's instruction list: opcode names from vm/spec/opcodes.ts plus `label` pseudo-instructions.
// Codegen produces it, the optimizer rewrites it, emit.ts encodes it through the CodeBuilder.
import type { Span } from "./diagnostics.ts";

export interface Ins {
  /** An opcode name of the table, or "label" (binds label `target`). */
  op: string;
  /** Operands in table order; jumps carry their label in `target` instead. */
  args: (number | bigint)[];
  target?: number;
  span: Span;
}

export interface IrFunction {
  name: string;
  params: number;
  results: number;
  /** Total locals, parameters included. */
  locals: number;
  ins: Ins[];
}

/** Instructions that jump to `target`. */
export const JUMPS: ReadonlySet<string> = new Set(["jmp", "jz", "jnz", "jeq", "jne", "jltu", "jgeu", "jlts", "jges"]);
/** Instructions after which control never falls through. */
export const ENDS_BLOCK: ReadonlySet<string> = new Set(["jmp", "ret", "halt", "revert"]);
