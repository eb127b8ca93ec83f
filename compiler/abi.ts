// The metadata written beside a module (OUT.abi.json) and the helpers tools use with it: argument
// parsing and value formatting by ABI type, revert and event decoding, source-map lookup.
import { LIMITS } from "../vm/spec/limits.ts";
import { quoteInput } from "./escape.ts";
import { codeLayout } from "../vm/spec/module.ts";

/** A value at the VM boundary, as vm/host passes them: a 64-bit integer (its u64 bit pattern) or a byte string. */
export type Value = bigint | Uint8Array;

export interface AbiParam {
  name: string;
  /** u64, i64, bool, fixed, bytes, hash, pubkey, sig, or a struct or array type (its packed bytes on the wire). */
  type: string;
  /** Packed size in bytes of a struct or array parameter; absent for the other types. */
  size?: number;
}

export interface AbiFunction {
  name: string;
  /** Index in the module's function table. */
  index: number;
  /** First 4 bytes of SHA-256(name), little-endian u32 (what the export table holds). */
  selector: number;
  params: AbiParam[];
  /** Return type, or null for none. */
  returns: string | null;
  view: boolean;
}

export interface AbiEvent {
  name: string;
  /** First 4 bytes of SHA-256(signature), little-endian u32. */
  topic: number;
  signature: string;
  fields: AbiParam[];
}

export interface AbiError {
  id: number;
  message: string;
  file: string;
  line: number;
  col: number;
}

export interface AbiStorage {
  name: string;
  slot: number;
  type: string;
}

export interface AbiStruct {
  name: string;
  size: number;
  fields: { name: string; type: string; offset: number }[];
}

/** pc → source position, per function; an entry holds until the next one of the same function. */
export interface AbiSourceMap {
  files: string[];
  /** [function index, pc, index into files, line, col], sorted by function then pc. */
  entries: [number, number, number, number, number][];
}

export interface Abi {
  compiler: { name: string; version: string };
  contract: string;
  /**
   * SHA-256 of the module bytes (its id), lower-case hex. When compiled with `embedAbiHash`, the
   * module's META section holds SHA-256 of this file's canonical text with `moduleHash` set to ""
   * (see metadataHashInput).
   */
  moduleHash: string;
  functions: AbiFunction[];
  events: AbiEvent[];
  errors: AbiError[];
  storage: AbiStorage[];
  structs: AbiStruct[];
  sourceMap: AbiSourceMap;
}

/**
 * The canonical text of an ABI: two-space JSON, keys in the order the compiler writes them, arrays of
 * numbers (source-map entries) on one line, final newline.
 */
export function abiText(abi: Abi): string {
  const text = JSON.stringify(abi, null, 2).replace(/\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]/g, (_, inner: string) => `[${inner.split(/,\s*/).join(", ")}]`);
  return `${text}\n`;
}

/** The bytes whose SHA-256 an `embedAbiHash` module's META section holds: the ABI text with an empty moduleHash. */
export function metadataHashInput(abi: Abi): Uint8Array {
  return new TextEncoder().encode(abiText({ ...abi, moduleHash: "" }));
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const FIXED_BYTES: Record<string, number> = { hash: 32, pubkey: 32, sig: 64 };

function hex(b: Uint8Array): string {
  return `0x${Buffer.from(b).toString("hex")}`;
}

/**
 * Parses a command-line argument by ABI type: decimal integers (i64 may be negative), fixed as a
 * decimal ("1.5", "-0.25"), booleans as true/false, byte strings as 0x-hex (hash/pubkey 32 bytes, sig 64).
 * Integers come back as their u64 bit pattern. Throws an Error with a one-line message on bad input.
 */
export function parseArg(text: string, type: string, size?: number): Value {
  const t = text.trim();
  switch (type) {
    case "u64": {
      if (!/^[0-9]+$/.test(t)) throw new Error(`expected an unsigned decimal integer (u64), got "${quoteInput(text)}"`);
      const v = BigInt(t);
      if (v > U64_MAX) throw new Error(`${t} does not fit in u64 (max ${U64_MAX})`);
      return v;
    }
    case "i64": {
      if (!/^-?[0-9]+$/.test(t)) throw new Error(`expected a decimal integer (i64), got "${quoteInput(text)}"`);
      const v = BigInt(t);
      if (v < I64_MIN || v > I64_MAX) throw new Error(`${t} does not fit in i64 (${I64_MIN}..${I64_MAX})`);
      return BigInt.asUintN(64, v);
    }
    case "fixed": {
      const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(t);
      if (!m) throw new Error(`expected a decimal number (fixed), e.g. 1.5, got "${quoteInput(text)}"`);
      const frac = m[3] ?? "";
      const scale = 10n ** BigInt(frac.length);
      const scaled = (BigInt(m[2]!) * scale + BigInt(frac || "0")) << 16n;
      let q = scaled / scale;
      if ((scaled % scale) * 2n >= scale) q += 1n;
      const v = m[1] ? -q : q;
      if (v < I64_MIN || v > I64_MAX) throw new Error(`${t} does not fit in fixed (Q47.16, about ±1.4e14)`);
      return BigInt.asUintN(64, v);
    }
    case "bool":
      if (t === "true") return 1n;
      if (t === "false") return 0n;
      throw new Error(`expected true or false (bool), got "${quoteInput(text)}"`);
    case "bytes":
    case "hash":
    case "pubkey":
    case "sig": {
      if (!/^0x([0-9a-fA-F]{2})*$/.test(t)) throw new Error(`expected 0x followed by an even number of hex digits (${type}), got "${quoteInput(text)}"`);
      const b = Uint8Array.from(Buffer.from(t.slice(2), "hex"));
      const need = FIXED_BYTES[type];
      if (need !== undefined && b.length !== need) throw new Error(`a ${type} is ${need} bytes (${need * 2} hex digits), got ${b.length}`);
      if (b.length > LIMITS.MAX_BYTES_LEN.value) throw new Error(`a byte string is at most ${LIMITS.MAX_BYTES_LEN.value} bytes, got ${b.length}`);
      return b;
    }
  }
  if (size !== undefined) {
    // a struct or array: its packed bytes, exactly `size` of them
    if (!/^0x([0-9a-fA-F]{2})*$/.test(t)) throw new Error(`expected the packed bytes of ${type} as 0x-hex (${size} bytes), got "${text}"`);
    const b = Uint8Array.from(Buffer.from(t.slice(2), "hex"));
    if (b.length !== size) throw new Error(`a ${type} is ${size} bytes packed (${size * 2} hex digits), got ${b.length}`);
    return b;
  }
  throw new Error(`cannot parse an argument of type ${type}`);
}

/** Formats a fixed-point value exactly (every multiple of 2^-16 has a finite decimal expansion). */
function formatFixed(raw: bigint): string {
  const neg = raw < 0n;
  const a = neg ? -raw : raw;
  const int = a >> 16n;
  const frac = a & 0xffffn;
  if (frac === 0n) return `${neg ? "-" : ""}${int}`;
  const digits = ((frac * 10n ** 16n) >> 16n).toString().padStart(16, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${int}.${digits}`;
}

/** Formats a value by ABI type: integers in decimal (i64 and fixed signed), booleans as true/false, bytes as 0x-hex. */
export function formatValue(v: Value, type: string): string {
  if (v instanceof Uint8Array) return hex(v);
  switch (type) {
    case "i64":
      return BigInt.asIntN(64, v).toString();
    case "fixed":
      return formatFixed(BigInt.asIntN(64, v));
    case "bool":
      return v === 0n ? "false" : v === 1n ? "true" : `${BigInt.asUintN(64, v)} (not a bool)`;
    default:
      return BigInt.asUintN(64, v).toString();
  }
}

/**
 * "file:line:col: message" for a revert's error id, or undefined when the ABI does not know it. The
 * position is `at` (where the call stopped, from `locateStop`) when given, else the message's first use:
 * a message shared by several `require`s needs `at` to name the one that failed.
 */
export function describeRevert(abi: Abi, errorId: number, at?: SourcePos): string | undefined {
  const e = abi.errors.find((x) => x.id === errorId);
  if (!e) return undefined;
  const p = at ?? { file: e.file, line: e.line, col: e.col };
  return `${p.file}:${p.line}:${p.col}: ${e.message}`;
}

export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/**
 * The source position of the instruction that stopped a call: the VM reports a byte offset in the
 * module (`stopOffset`), the module's layout gives the function and the offset in its body, and the
 * ABI's source map gives the position. Undefined when there is no offset or the module and ABI disagree.
 */
export function locateStop(abi: Abi, module: Uint8Array, stopOffset: number | null | undefined): SourcePos | undefined {
  if (stopOffset === null || stopOffset === undefined || stopOffset < 0) return undefined;
  let layout: { codeStart: number; bodies: number[] };
  try {
    layout = codeLayout(module);
  } catch {
    return undefined;
  }
  let func = -1;
  for (let i = 0; i < layout.bodies.length; i++) if (layout.bodies[i]! <= stopOffset) func = i;
  if (func < 0) return undefined;
  return sourceAt(abi, func, stopOffset - layout.bodies[func]!);
}

/** "file:line:col: " for a call that stopped at a known place, else "". */
export function stopPrefix(abi: Abi | undefined, module: Uint8Array | undefined, stopOffset: number | null | undefined): string {
  const p = abi && module ? locateStop(abi, module, stopOffset) : undefined;
  return p ? `${p.file}:${p.line}:${p.col}: ` : "";
}

export function eventByTopic(abi: Abi, topic: number): AbiEvent | undefined {
  return abi.events.find((e) => e.topic === topic >>> 0);
}

/** "Transfer(from=0x…, to=0x…, amount=10)", or undefined for an unknown topic. */
export function formatEvent(abi: Abi, topic: number, values: readonly Value[]): string | undefined {
  const ev = eventByTopic(abi, topic);
  if (!ev) return undefined;
  const parts = ev.fields.map((f, i) => `${f.name}=${values[i] === undefined ? "?" : formatValue(values[i]!, f.type)}`);
  return `${ev.name}(${parts.join(", ")})`;
}

export function functionByName(abi: Abi, name: string): AbiFunction | undefined {
  return abi.functions.find((f) => f.name === name);
}

/** The source position of the instruction at `pc` of function `func`, from the ABI's source map. */
export function sourceAt(abi: Abi, func: number, pc: number): { file: string; line: number; col: number } | undefined {
  let best: [number, number, number, number, number] | undefined;
  for (const e of abi.sourceMap.entries) {
    if (e[0] !== func || e[1] > pc) continue;
    if (!best || e[1] >= best[1]) best = e;
  }
  return best ? { file: abi.sourceMap.files[best[2]]!, line: best[3], col: best[4] } : undefined;
}

/**
 * A disassembler `annotate` callback (vm/asm `disassemble(bytes, { annotate })`) that prints each new
 * source line above its first instruction, as `file:line: text`, from the ABI's source map.
 */
export function sourceAnnotator(abi: Abi, readSource: (file: string) => string | undefined): (func: number, offset: number) => string | undefined {
  const at = new Map<string, [number, number]>();
  for (const [func, pc, file, line] of abi.sourceMap.entries) at.set(`${func}:${pc}`, [file, line]);
  const lastLine = new Map<number, string>();
  const lines = new Map<string, string[]>();
  return (func, offset) => {
    const hit = at.get(`${func}:${offset}`);
    if (!hit) return undefined;
    const file = abi.sourceMap.files[hit[0]]!;
    const key = `${file}:${hit[1]}`;
    if (lastLine.get(func) === key) return undefined;
    lastLine.set(func, key);
    if (!lines.has(file)) lines.set(file, readSource(file)?.split(/\r\n|\r|\n/) ?? []);
    const text = lines.get(file)![hit[1] - 1]?.trim() ?? "";
    return `${file.split("/").pop()}:${hit[1]}: ${text}`;
  };
}

/** Function names by module index for a disassembly: exports by name, private helpers as `helperN`. */
export function functionNames(abi: Abi): string[] {
  const names: string[] = [];
  for (const f of abi.functions) names[f.index] = f.name;
  const maxIndex = Math.max(-1, ...abi.sourceMap.entries.map((e) => e[0]), ...abi.functions.map((f) => f.index));
  for (let i = 0; i <= maxIndex; i++) names[i] ??= `helper${i}`;
  return names;
}
