// Counting executed VM instructions without trusting a hand count: an instrumented copy of mote.wasm whose
// dispatch (the br_table of `execute` indexed by the opcode byte) bumps an exported i64 global, `mote_op_count`, before each instruction.
//
// The instrumentation is stack-neutral (global.get, i64.const 1, i64.add, global.set inserted before the
// br_table) and touches no linear memory, so results and gas are unchanged; the measurement scripts check that
// the counts agree with the programs' structure (so many instructions per loop iteration) before using them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FW_DIR } from "./build.ts";

const WAT_PATH = join(FW_DIR, "../vm/build/mote.wat");

export class OpCountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OpCountError";
  }
}

/** The instrumented VM as wasm bytes, from vm/build/mote.wat (written by npm run build beside mote.wasm). */
export async function instrumentedVm(watPath = WAT_PATH): Promise<Uint8Array> {
  const lines = readFileSync(watPath, "utf8").split("\n");
  const start = lines.findIndex((l) => /^ \(func \$vm\/assembly\/interp\/execute\b/.test(l));
  if (start < 0) throw new OpCountError(`${watPath}: no function vm/assembly/interp/execute`);
  let end = lines.findIndex((l, i) => i > start && /^ \(func /.test(l));
  if (end < 0) end = lines.length;
  // The dispatch is the br_table indexed by the opcode just loaded from pc (i32.load8_u a few instructions
  // before it); any later br_table (binaryen splits sparse switches) runs after it on the same dispatch.
  const tables = [];
  for (let i = start; i < end; i++) {
    if (/^\s*br_table\b/.test(lines[i]!) && lines.slice(Math.max(start, i - 8), i).some((l) => /^\s*i32\.load8_u\b/.test(l))) tables.push(i);
  }
  if (tables.length !== 1) {
    throw new OpCountError(`${watPath}: execute has ${tables.length} br_table instructions indexed by a loaded opcode; the counter needs exactly one dispatch`);
  }
  const at = tables[0]!;
  const indent = /^\s*/.exec(lines[at]!)![0];
  lines.splice(at, 0, ...["global.get $mote_op_count", "i64.const 1", "i64.add", "global.set $mote_op_count"].map((s) => indent + s));
  const firstExport = lines.findIndex((l) => /^ \(export /.test(l));
  lines.splice(firstExport, 0, ' (global $mote_op_count (mut i64) (i64.const 0))', ' (export "mote_op_count" (global $mote_op_count))');
  const { default: binaryen } = await import("binaryen");
  const mod = binaryen.parseText(lines.join("\n"));
  mod.setFeatures(binaryen.Features.All);
  try {
    if (!mod.validate()) throw new OpCountError("the instrumented VM does not validate");
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}
