// Compile-time arithmetic with exactly the VM's semantics (checked u64/i64, Q47.16 fixed, wrapping ops).
// Used by the checker to fold constant expressions and to reject ones that would always fail.
import { FIXED_FRAC_BITS } from "../vm/spec/limits.ts";
import type { Type } from "./types.ts";

const TWO64 = 1n << 64n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const ONE = 1n << BigInt(FIXED_FRAC_BITS);

export type FoldResult = { value: bigint } | { error: string };

/** Whether `v` is a value of type `t` as the checker represents constants (u64 ≥ 0, i64/fixed signed, bool 0/1). */
export function inRange(v: bigint, t: Type): boolean {
  if (t.k === "u64") return v >= 0n && v < TWO64;
  if (t.k === "bool") return v === 0n || v === 1n;
  return v >= I64_MIN && v <= I64_MAX;
}

function checked(v: bigint, t: Type, what: string): FoldResult {
  return inRange(v, t) ? { value: v } : { error: `overflows ${t.k} (${what})` };
}

/** A constant as the source would write it: a fixed value as its decimal (exact: 2^-16 has 16 decimals). */
function shown(v: bigint, t: Type): string {
  if (t.k !== "fixed") return String(v);
  const mag = v < 0n ? -v : v;
  const frac = ((mag % ONE) * 10n ** BigInt(FIXED_FRAC_BITS)) / ONE; // exact: 2^-k has k decimals
  const digits = String(frac).padStart(FIXED_FRAC_BITS, "0").replace(/0+$/, "") || "0";
  return `${v < 0n ? "-" : ""}${mag / ONE}.${digits}`;
}

/** An operand after an operator: a negative one in parentheses, so `-(-5)` and `1 - (-5)`, never `--5` or `1 - -5`. */
function operand(v: bigint, t: Type): string {
  const s = shown(v, t);
  return s.startsWith("-") ? `(${s})` : s;
}

const bits = (v: bigint): bigint => BigInt.asUintN(64, v);
const fromBits = (v: bigint, t: Type): bigint => (t.k === "u64" ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v));

/** Folds a binary operator on two constants of operand type `t`. Comparisons give 0/1. */
export function foldBinary(op: string, t: Type, a: bigint, b: bigint): FoldResult {
  const desc = `${shown(a, t)} ${op} ${operand(b, t)}`;
  switch (op) {
    case "+":
      return checked(a + b, t, desc);
    case "-":
      return checked(a - b, t, desc);
    case "*":
      return checked(t.k === "fixed" ? (a * b) / ONE : a * b, t, desc);
    case "/":
      if (b === 0n) return { error: `divides by zero (${desc})` };
      return checked(t.k === "fixed" ? (a * ONE) / b : a / b, t, desc);
    case "%":
      if (b === 0n) return { error: `divides by zero (${desc})` };
      return { value: a % b };
    case "==":
      return { value: a === b ? 1n : 0n };
    case "!=":
      return { value: a !== b ? 1n : 0n };
    case "<":
      return { value: a < b ? 1n : 0n };
    case "<=":
      return { value: a <= b ? 1n : 0n };
    case ">":
      return { value: a > b ? 1n : 0n };
    case ">=":
      return { value: a >= b ? 1n : 0n };
    case "&":
      return { value: fromBits(bits(a) & bits(b), t) };
    case "|":
      return { value: fromBits(bits(a) | bits(b), t) };
    case "^":
      return { value: fromBits(bits(a) ^ bits(b), t) };
    case "<<":
      return { value: fromBits(bits(a) << (bits(b) & 63n), t) };
    case ">>":
      return { value: t.k === "u64" ? bits(a) >> (bits(b) & 63n) : BigInt.asIntN(64, a) >> (bits(b) & 63n) };
    case "wrapping_add":
      return { value: fromBits(a + b, t) };
    case "wrapping_sub":
      return { value: fromBits(a - b, t) };
    case "wrapping_mul":
      return { value: fromBits(a * b, t) };
  }
  return { error: `cannot be folded (${op})` };
}

export function foldUnary(op: string, t: Type, a: bigint): FoldResult {
  if (op === "-") return checked(-a, t, `-${operand(a, t)}`);
  if (op === "!") return { value: a === 0n ? 1n : 0n };
  return { value: fromBits(~a, t) };
}

/** Converts a constant between u64, i64 and fixed exactly as the generated code does at run time. */
export function foldConvert(from: Type, to: Type, a: bigint): FoldResult {
  let v = a;
  if (from.k === "fixed" && to.k !== "fixed") v = a / ONE;
  if (to.k === "fixed" && from.k !== "fixed") v = a * ONE;
  return checked(v, to, `${shown(a, from)} as ${to.k}`);
}

/** Parses a decimal integer literal (underscores allowed) or returns undefined when it is malformed. */
export function parseIntLiteral(text: string): bigint | undefined {
  const digits = text.replace(/_/g, "");
  if (!/^[0-9]+$/.test(digits)) return undefined;
  return BigInt(digits);
}

/**
 * Parses a decimal literal such as `1.5` into Q47.16: the nearest multiple of 2^-16, ties rounded
 * away from zero. Returns undefined when it does not fit i64.
 */
export function parseFixedLiteral(text: string, negative = false): bigint | undefined {
  const [ip = "0", fp = ""] = text.replace(/_/g, "").split(".");
  const scale = 10n ** BigInt(fp.length);
  const num = BigInt(ip) * scale + BigInt(fp || "0");
  const scaled = num * ONE;
  let q = scaled / scale;
  if ((scaled % scale) * 2n >= scale) q += 1n;
  const v = negative ? -q : q;
  return v >= I64_MIN && v <= I64_MAX ? v : undefined;
}

export const FIXED_ONE = ONE;
