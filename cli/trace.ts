// The trace of a call (vm/host CallOptions.onTrace and onStep): storage keys and values decoded by
// the contract's ABI, events by name. Used by `mote run --trace` and `mote test -vvv`.
import type { CallResult, TraceEntry, TraceStep, Value } from "../vm/host/index.ts";
import { formatEvent, formatValue, functionNames, sourceAt, type Abi } from "../compiler/abi.ts";
import { decodeInstruction, decodeModule } from "../vm/spec/module.ts";
import { toHex } from "./values.ts";

/** A storage key by the ABI: `balances[0xaa…]`, `supply`, or 0x-hex when the ABI does not say. */
function storageLabel(abi: Abi | undefined, key: Uint8Array): { label: string; valueType?: string } {
  const field = abi?.storage.find((x) => x.slot === key[0]);
  if (!field) return { label: toHex(key) };
  let t = field.type.replace(/\s+/g, "");
  const keyTypes: string[] = [];
  for (let m = /^map<([a-z0-9]+),(.*)>$/.exec(t); m; m = /^map<([a-z0-9]+),(.*)>$/.exec(t)) {
    keyTypes.push(m[1]!);
    t = m[2]!;
  }
  const rest = key.subarray(1);
  if (keyTypes.length === 0) return { label: field.name, valueType: t };
  if (keyTypes.length === 1) {
    const kt = keyTypes[0]!;
    const k = ["u64", "i64", "bool"].includes(kt) && rest.length === 8 ? formatValue(new DataView(rest.buffer, rest.byteOffset).getBigUint64(0, true), kt) : toHex(rest);
    return { label: `${field.name}[${k}]`, valueType: t };
  }
  return { label: `${field.name}[${toHex(rest)}]`, valueType: t };
}

function storageValue(v: Uint8Array, type: string | undefined): string {
  if (v.length === 0) return "(absent)";
  if (type && ["u64", "i64", "bool", "fixed"].includes(type) && v.length <= 8) {
    const b = new Uint8Array(8);
    b.set(v);
    return formatValue(new DataView(b.buffer).getBigUint64(0, true), type);
  }
  return toHex(v);
}

const raw = (v: Value): string => (typeof v === "bigint" ? v.toString() : toHex(v));

export function formatTraceEntry(abi: Abi | undefined, e: TraceEntry): string {
  if (e.kind === "emit") return `emit   ${(abi && formatEvent(abi, e.event.topic, e.event.values)) ?? `${e.event.topic}: ${e.event.values.map(raw).join(", ")}`}`;
  if (e.kind === "xload") return `xload  ${toHex(e.contract)} ${toHex(e.key)} -> ${e.value.length ? toHex(e.value) : "(absent)"}`;
  const { label, valueType } = storageLabel(abi, e.key);
  return `${e.kind === "sload" ? "sload  " : "sstore "}${label} ${e.kind === "sload" ? "->" : "="} ${storageValue(e.value, valueType)}`;
}

/**
 * The --trace printer: each instruction (function+offset, mnemonic and operands, the operand stack's
 * depth and top, the gas left in the current block) under the source line it belongs to, and each
 * storage access and event where it happens.
 */
export function traceWriter(
  abi: Abi | undefined,
  read: (file: string) => string | undefined,
  module: Uint8Array,
  out: (line: string) => void,
): { begin(fn: string): void; entry(e: TraceEntry): void; step(s: TraceStep): void; end(r: CallResult): void } {
  const lines = new Map<string, string[]>();
  const sourceLine = (file: string, line: number): string => {
    if (!lines.has(file)) lines.set(file, read(file)?.split(/\r\n|\r|\n/) ?? []);
    return lines.get(file)![line - 1]?.trim() ?? "";
  };
  const functions = decodeModule(module).functions;
  const byOffset = new Map(functions.map((f, i) => [f.offset!, i]));
  const names = abi ? functionNames(abi) : [];
  let frames: { codeOffset: number; baseSp: number }[] = [];
  let lastSource = "";
  return {
    begin(fn) {
      frames = [];
      lastSource = "";
      out(`trace ${fn}:`);
    },
    step(s) {
      const func = byOffset.get(s.codeOffset);
      if (func === undefined) return;
      // activations: a new one starts at offset 0; returning pops back to the caller's
      if (s.pc === 0) frames.push({ codeOffset: s.codeOffset, baseSp: s.sp });
      else {
        while (frames.length > 1 && frames[frames.length - 1]!.codeOffset !== s.codeOffset) frames.pop();
        if (frames.length === 0) frames.push({ codeOffset: s.codeOffset, baseSp: s.sp });
      }
      const depth = Math.max(0, (s.sp - frames[frames.length - 1]!.baseSp) >> 3);
      const at = abi && sourceAt(abi, func, s.pc);
      const key = at ? `${func}:${at.file}:${at.line}` : "";
      if (at && key !== lastSource) out(`  ${at.file}:${at.line}: ${sourceLine(at.file, at.line)}`);
      lastSource = key;
      let ins = "?";
      try {
        const d = decodeInstruction(functions[func]!.code, s.pc);
        ins = [d.row.name, ...d.operands.map(String)].join(" ");
      } catch {
        // the verifier accepted the module, so every executed offset decodes; keep going regardless
      }
      const label = `${names[func] ?? `fn${func}`}+${s.pc}`;
      out(`    ${label.padEnd(18)} ${ins.padEnd(18)} stack ${depth}${depth > 0 ? `, top ${s.top}` : ""}; gas left ${s.gasLeft}`);
    },
    entry(e) {
      out(`      -> ${formatTraceEntry(abi, e)}`);
    },
    end(r) {
      if (r.status === "revert" && abi && r.error !== null) {
        const err = abi.errors.find((x) => x.id === r.error);
        if (err) {
          const text = read(err.file)?.split(/\r\n|\r|\n/)[err.line - 1]?.trim();
          out(`  revert at ${err.file}:${err.line}:${err.col}: ${err.message}${text ? `  | ${text}` : ""}`);
        }
      }
      out(`  end: ${r.status}, gas used ${r.gasUsed}`);
    },
  };
}
