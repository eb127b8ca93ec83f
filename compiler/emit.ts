// Encodes optimized instruction lists into an .mbc module through vm/spec/module.ts (CodeBuilder,
// computeMaxStack, encodeModule) and records the source map (pc → file:line:col) as it goes.
import { computeMaxStack, CodeBuilder, encodeModule, type ExportDef, type FunctionDef, type Label, selectorOf } from "../vm/spec/module.ts";
import { LIMITS } from "../vm/spec/limits.ts";
import type { Ins, IrFunction } from "./ir.ts";
import { JUMPS } from "./ir.ts";

export interface SourceMapEntry {
  func: number;
  pc: number;
  file: string;
  line: number;
  col: number;
}

export interface ExportSpec {
  name: string;
  func: number;
  view: boolean;
  argMask: number;
  retMask: number;
}

export interface EmittedModule {
  bytes: Uint8Array;
  functions: FunctionDef[];
  sourceMap: SourceMapEntry[];
}

/** Encodes one function body; throws RangeError from the CodeBuilder on a limit (reported by the caller). */
export function encodeBody(ins: Ins[], func: number, map: SourceMapEntry[]): Uint8Array {
  const cb = new CodeBuilder();
  const labels = new Map<number, Label>();
  const label = (n: number): Label => {
    let l = labels.get(n);
    if (!l) {
      l = cb.newLabel(`L${n}`);
      labels.set(n, l);
    }
    return l;
  };
  let last = "";
  for (const i of ins) {
    if (i.op === "label") {
      cb.bind(label(i.target!));
      continue;
    }
    const where = `${i.span.file}:${i.span.line}:${i.span.col}`;
    if (where !== last) {
      map.push({ func, pc: cb.pc, file: i.span.file, line: i.span.line, col: i.span.col });
      last = where;
    }
    if (JUMPS.has(i.op)) cb.emitJump(i.op, label(i.target!));
    else cb.emit(i.op, ...i.args);
  }
  return cb.finish();
}

export function emitModule(fns: IrFunction[], bodies: Ins[][], consts: Uint8Array[], exports: ExportSpec[], metaHash?: Uint8Array): EmittedModule {
  const sourceMap: SourceMapEntry[] = [];
  const codes = bodies.map((ins, i) => encodeBody(ins, i, sourceMap));
  const shapes = fns.map((f) => ({ params: f.params, results: f.results }));
  const functions: FunctionDef[] = fns.map((f, i) => ({
    params: f.params,
    results: f.results,
    locals: f.locals - f.params,
    maxStack: computeMaxStack(codes[i]!, shapes),
    code: codes[i]!,
  }));
  const total = codes.reduce((n, c) => n + c.length, 0);
  if (total > LIMITS.CODE_MAX_BYTES.value) throw new RangeError(`the contract's code is ${total} bytes; the VM allows ${LIMITS.CODE_MAX_BYTES.value}`);
  const exportDefs: ExportDef[] = exports.map((e) => ({ name: e.name, selector: selectorOf(e.name), func: e.func, view: e.view, argMask: e.argMask, retMask: e.retMask }));
  const bytes = encodeModule({ functions, consts, exports: exportDefs, ...(metaHash ? { metaHash } : {}) });
  if (bytes.length > LIMITS.MODULE_MAX_BYTES.value) throw new RangeError(`the module is ${bytes.length} bytes; the VM allows ${LIMITS.MODULE_MAX_BYTES.value}`);
  return { bytes, functions, sourceMap };
}
