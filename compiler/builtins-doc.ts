// One line of documentation per builtin function, for the language server's hover and completion and
// the playground. docs/language.md's Builtins table says the same; test/lsp/builtins-doc.test.ts keeps both in step.
export interface BuiltinDoc {
  /** How a call is written. */
  signature: string;
  doc: string;
}

export const BUILTIN_DOCS: Readonly<Record<string, BuiltinDoc>> = {
  caller: { signature: "caller() -> pubkey", doc: "the public key that signed the call" },
  self: { signature: "self() -> hash", doc: "this contract instance's id (the module's hash when run outside a ledger)" },
  now: { signature: "now() -> u64", doc: "block timestamp, seconds since the Unix epoch" },
  height: { signature: "height() -> u64", doc: "block height" },
  gas_left: { signature: "gas_left() -> u64", doc: "gas left" },
  call_value: { signature: "call_value() -> u64", doc: "native value attached to this call, already credited to this contract" },
  native_balance: { signature: "native_balance(id) -> u64", doc: "native balance of an account (pubkey) or contract instance (hash), this call's payments included" },
  pay: { signature: "pay(to, amount)", doc: "pays `amount` of this contract's native balance to `to`; applied only if the call ends ok; stops with `insufficient_balance` when short" },
  sha256: { signature: "sha256(b, …) -> hash", doc: "SHA-256 of the concatenation of its byte-string arguments" },
  verify: { signature: "verify(pk, msg, s) -> bool", doc: "Ed25519 (RFC 8032) verification of `s` over `msg` by `pk`" },
  concat: { signature: "concat(a, b, …) -> bytes", doc: "concatenation" },
  len: { signature: "len(b) -> u64", doc: "length in bytes" },
  slice: { signature: "slice(b, off, n) -> bytes", doc: "`n` bytes from `off` (no copy); out of range stops with `bounds`" },
  to_bytes: { signature: "to_bytes(x), to_bytes(x, w) -> bytes", doc: "the low `w` (1, 2, 4 or 8; default 8, bool 1) bytes of an integer, little-endian; `w` is a compile-time constant (a literal or a `const`)" },
  from_bytes: { signature: "from_bytes(b) -> u64", doc: "up to 8 bytes, little-endian" },
  wrapping_add: { signature: "wrapping_add(a, b) -> u64 or i64", doc: "addition modulo 2^64" },
  wrapping_sub: { signature: "wrapping_sub(a, b) -> u64 or i64", doc: "subtraction modulo 2^64" },
  wrapping_mul: { signature: "wrapping_mul(a, b) -> u64 or i64", doc: "multiplication modulo 2^64" },
  min: { signature: "min(a, b) -> u64, i64 or fixed", doc: "the smaller (both of one type)" },
  max: { signature: "max(a, b) -> u64, i64 or fixed", doc: "the larger (both of one type)" },
  abs: { signature: "abs(x) -> i64 or fixed", doc: "the magnitude; `overflow` for the most negative i64" },
  require: { signature: 'require(c, "m")', doc: "reverts with message `m` when `c` is false" },
  assert: { signature: 'assert(c), assert(c, "m")', doc: "reverts when `c` is false, with `m` or `assertion failed: <c>`" },
  revert: { signature: 'revert("m")', doc: "always reverts with message `m`; the call's writes and events are discarded" },
};
