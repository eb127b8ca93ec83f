// Mote's semantic types and their runtime representation (integer or byte-string reference).
// Structs and fixed-size arrays are packed byte strings of a fixed size; this file owns that layout.
import { LIMITS } from "../vm/spec/limits.ts";

export type Type =
  | { k: "u64" }
  | { k: "i64" }
  | { k: "bool" }
  | { k: "fixed" }
  | { k: "bytes" }
  | { k: "hash" }
  | { k: "pubkey" }
  | { k: "sig" }
  | { k: "struct"; name: string; fields: StructField[]; size: number }
  | { k: "array"; elem: Type; length: number; size: number }
  | { k: "enum"; name: string; variants: string[] }
  | { k: "map"; key: Type; value: Type }
  | { k: "contract"; name: string }
  | { k: "unit" }
  | { k: "error" };

export interface StructField {
  name: string;
  type: Type;
  offset: number;
}

export const U64: Type = { k: "u64" };
export const I64: Type = { k: "i64" };
export const BOOL: Type = { k: "bool" };
export const FIXED: Type = { k: "fixed" };
export const BYTES: Type = { k: "bytes" };
export const HASH: Type = { k: "hash" };
export const PUBKEY: Type = { k: "pubkey" };
export const SIG: Type = { k: "sig" };
export const UNIT: Type = { k: "unit" };
export const ERROR: Type = { k: "error" };

export const BUILTIN_TYPES: Record<string, Type> = { u64: U64, i64: I64, bool: BOOL, fixed: FIXED, bytes: BYTES, hash: HASH, pubkey: PUBKEY, sig: SIG };

/** Byte length of the fixed-length byte-string types. */
export const FIXED_BYTES_LEN: Partial<Record<Type["k"], number>> = { hash: 32, pubkey: 32, sig: 64 };

export function typeName(t: Type): string {
  switch (t.k) {
    case "struct":
    case "enum":
      return t.name;
    case "array":
      return `[${typeName(t.elem)}; ${t.length}]`;
    case "map":
      return `map<${typeName(t.key)}, ${typeName(t.value)}>`;
    case "contract":
      return `contract ${t.name}`;
    case "unit":
      return "no value";
    case "error":
      return "<error>";
    default:
      return t.k;
  }
}

/** The signature spelling used in event topics and the ABI (no spaces). */
export function sigName(t: Type): string {
  // an enum travels as its variant's number
  if (t.k === "enum") return "u64";
  return typeName(t).replace(/\s+/g, "");
}

export function sameType(a: Type, b: Type): boolean {
  if (a.k !== b.k) return false;
  if (a.k === "struct" || a.k === "enum") return a.name === (b as typeof a).name;
  if (a.k === "array") return a.length === (b as typeof a).length && sameType(a.elem, (b as typeof a).elem);
  if (a.k === "map") return sameType(a.key, (b as typeof a).key) && sameType(a.value, (b as typeof a).value);
  if (a.k === "contract") return a.name === (b as typeof a).name;
  return true;
}

export const isIntegral = (t: Type): boolean => t.k === "u64" || t.k === "i64";
export const isNumeric = (t: Type): boolean => t.k === "u64" || t.k === "i64" || t.k === "fixed";
export const isSigned = (t: Type): boolean => t.k === "i64" || t.k === "fixed";
/** bytes, hash, pubkey, sig: the byte-string types of the language. */
export const isByteString = (t: Type): boolean => t.k === "bytes" || t.k === "hash" || t.k === "pubkey" || t.k === "sig";
/** Whether a value of this type is a byte-string reference at run time (packed structs and arrays too). */
export const isRefAtRuntime = (t: Type): boolean => isByteString(t) || t.k === "struct" || t.k === "array";
export const isValueType = (t: Type): boolean => t.k !== "map" && t.k !== "contract" && t.k !== "unit";

/** Whether a value of type `from` may be used where `to` is expected (fixed-length byte strings widen to bytes). */
export function assignable(from: Type, to: Type): boolean {
  if (from.k === "error" || to.k === "error") return true;
  if (sameType(from, to)) return true;
  return to.k === "bytes" && (from.k === "hash" || from.k === "pubkey" || from.k === "sig");
}

/** Packed size in bytes of a value of this type inside a struct or array, or undefined if it has none. */
export function packedSize(t: Type): number | undefined {
  switch (t.k) {
    case "u64":
    case "i64":
    case "fixed":
    case "enum":
      return 8;
    case "bool":
      return 1;
    case "hash":
    case "pubkey":
      return 32;
    case "sig":
      return 64;
    case "struct":
    case "array":
      return t.size;
    default:
      return undefined;
  }
}

/** Bytes a map key may take in a storage key: the slot byte comes first and the whole is at most MAX_KEY_BYTES. */
export const MAX_MAP_KEY = LIMITS.MAX_KEY_BYTES.value - 1;

/**
 * Whether a map entry is stored under the SHA-256 of its keys (joined, integers as 8 bytes) instead of
 * the joined keys themselves: when they have a fixed size over MAX_MAP_KEY (a `sig`, or most nested
 * keys). The size being fixed, every key of a map is hashed or none is, so a raw key never equals a
 * hashed one. A `bytes` key has no fixed size and is never hashed: a longer one stops the call instead.
 */
export function mapKeyHashed(keys: Type[]): boolean {
  let total = 0;
  for (const k of keys) {
    const size = isRefAtRuntime(k) ? packedSize(k) : 8;
    if (size === undefined) return false;
    total += size;
  }
  return total > MAX_MAP_KEY;
}

/** Types a public function may take or return: the values a transaction carries (structs and arrays as their packed bytes). */
export const isExportable = (t: Type): boolean =>
  t.k === "u64" || t.k === "i64" || t.k === "bool" || t.k === "fixed" || isByteString(t) || t.k === "struct" || t.k === "array" || t.k === "enum";

/** Whether storage that was never written must read as a zero-filled value of fixed length. */
export const needsZeroDefault = (t: Type): boolean => t.k === "hash" || t.k === "pubkey" || t.k === "sig" || t.k === "struct" || t.k === "array";
