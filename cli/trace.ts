// One line per entry of a call's trace (vm/host CallOptions.onTrace): storage keys and values decoded by
// the contract's ABI, events by name. Used by `mote run --trace` and `mote test -vvv`.
import type { TraceEntry, Value } from "../vm/host/index.ts";
import { formatEvent, formatValue, type Abi } from "../compiler/abi.ts";
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
