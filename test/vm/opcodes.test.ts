// A semantics test for every opcode of vm/spec/opcodes.ts, enforced: a row without cases here fails.
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { sha512 } from "@noble/hashes/sha2.js";
import * as ed from "@noble/ed25519";
import { OPCODES, OPCODE_BY_NAME } from "../../vm/spec/opcodes.ts";
import type { StatusName } from "../../vm/spec/format.ts";
import { BALANCE_KEY, MemoryStateStore, type CallResult, type Value } from "../../vm/host/index.ts";
import type { OpName } from "../../vm/spec/gen/ops.ts";
import { getVm, prog, le8, hex, text, cat, u64, MAX_U64, MAX_I64, MIN_I64, type ProgOpts } from "./helpers.ts";

ed.hashes.sha512 = sha512;

interface Case {
  name: string;
  body: string;
  o?: ProgOpts;
  args?: Value[];
  status?: StatusName;
  returns?: Value[];
  error?: number;
  gas?: number;
  timestamp?: bigint;
  height?: bigint;
  caller?: Uint8Array;
  value?: bigint;
  /** Runs as this instance id instead of the module id. */
  self?: Uint8Array;
  /** Prepares the store; gets the module's id. */
  setup?: (store: MemoryStateStore, self: Uint8Array) => void;
  check?: (r: CallResult, store: MemoryStateStore, self: Uint8Array, module: Uint8Array) => void;
}

const F = 65536n; // 1.0 in Q47.16
const ok = (v: Value): Pick<Case, "returns" | "status"> => ({ status: "ok", returns: [v] });
const I = (a: bigint, b: bigint): Value[] => [a, b];
const OTHER = new Uint8Array(32).fill(0x11);

/** `lget0 lget1 OP ret` on two int arguments. */
function bin(op: string, a: bigint, b: bigint, expect: bigint | StatusName): Case {
  const c: Case = { name: `${op}(${a}, ${b})`, body: `lget0\nlget1\n${op}\nret`, o: { args: "ii" }, args: I(a, b) };
  return typeof expect === "bigint" ? { ...c, ...ok(u64(expect)) } : { ...c, status: expect };
}
function un(op: string, a: bigint, expect: bigint | StatusName): Case {
  const c: Case = { name: `${op}(${a})`, body: `lget0\n${op}\nret`, o: { args: "i" }, args: [a] };
  return typeof expect === "bigint" ? { ...c, ...ok(u64(expect)) } : { ...c, status: expect };
}
/** A conditional jump on two ints: returns 1 when taken. */
function jcase(op: string, a: bigint, b: bigint, taken: boolean): Case {
  return { name: `${op}(${a}, ${b}) ${taken ? "taken" : "not taken"}`, body: `lget0\nlget1\n${op} yes\npush0\nret\nyes:\npush1\nret`, o: { args: "ii" }, args: I(a, b), ...ok(taken ? 1n : 0n) };
}
function jcase1(op: string, c: bigint, taken: boolean): Case {
  return { name: `${op}(${c}) ${taken ? "taken" : "not taken"}`, body: `lget0\n${op} yes\npush0\nret\nyes:\npush1\nret`, o: { args: "i" }, args: [c], ...ok(taken ? 1n : 0n) };
}

const CASES: Record<OpName, Case[]> = {
  push0: [{ name: "pushes 0", body: "push0\nret", ...ok(0n) }],
  push1: [{ name: "pushes 1", body: "push1\nret", ...ok(1n) }],
  push: [
    { name: "small", body: "push 63\nret", ...ok(63n) },
    { name: "two-byte positive", body: "push 64\nret", ...ok(64n) },
    { name: "negative", body: "push -65\nret", ...ok(u64(-65n)) },
    { name: "-1", body: "push -1\nret", ...ok(MAX_U64) },
    { name: "i64 max", body: `push ${MAX_I64}\nret`, ...ok(MAX_I64) },
    { name: "i64 min", body: `push ${MIN_I64}\nret`, ...ok(u64(MIN_I64)) },
  ],
  pushb: [
    { name: "constant", body: "pushb c0\nret", o: { consts: ['"hello"'], ret: "b" }, ...ok(text("hello")) },
    { name: "empty constant", body: "pushb c1\nret", o: { consts: ["0x01", "0x"], ret: "b" }, ...ok(new Uint8Array(0)) },
  ],
  dup: [{ name: "a -> a a", body: "push 3\ndup\nadd\nret", ...ok(6n) }],
  drop: [{ name: "discards the top", body: "push 1\npush 2\ndrop\nret", ...ok(1n) }],
  swap: [{ name: "a b -> b a", body: "push 5\npush 3\nswap\nsub\nret", ...ok(u64(-2n)) }],
  over: [{ name: "a b -> a b a", body: "push 7\npush 3\nover\nsub\nadd\nret", ...ok(3n) }],
  lget: [{ name: "reads a local", body: "lget 1\nret", o: { args: "ii" }, args: I(4n, 9n), ...ok(9n) }],
  lset: [{ name: "writes a local", body: "push 42\nlset 5\nlget 5\nret", o: { locals: 6 }, ...ok(42n) }],
  ltee: [{ name: "writes and keeps", body: "push 8\nltee 0\nlget 0\nadd\nret", o: { locals: 1 }, ...ok(16n) }],
  lget0: [{ name: "local 0", body: "lget0\nret", o: { args: "iiii" }, args: [10n, 11n, 12n, 13n], ...ok(10n) }],
  lget1: [{ name: "local 1", body: "lget1\nret", o: { args: "iiii" }, args: [10n, 11n, 12n, 13n], ...ok(11n) }],
  lget2: [{ name: "local 2", body: "lget2\nret", o: { args: "iiii" }, args: [10n, 11n, 12n, 13n], ...ok(12n) }],
  lget3: [{ name: "local 3", body: "lget3\nret", o: { args: "iiii" }, args: [10n, 11n, 12n, 13n], ...ok(13n) }],
  lset0: [{ name: "local 0", body: "push 5\nlset0\nlget 0\nret", o: { locals: 4 }, ...ok(5n) }],
  lset1: [{ name: "local 1", body: "push 5\nlset1\nlget 1\nret", o: { locals: 4 }, ...ok(5n) }],
  lset2: [{ name: "local 2", body: "push 5\nlset2\nlget 2\nret", o: { locals: 4 }, ...ok(5n) }],
  lset3: [{ name: "local 3 (locals start at 0)", body: "push 5\nlset3\nlget 3\nlget 2\nadd\nret", o: { locals: 4 }, ...ok(5n) }],
  laddi: [
    { name: "adds in place", body: "laddi 0 5\nlget0\nret", o: { args: "i" }, args: [10n], ...ok(15n) },
    { name: "multi-byte immediate", body: "laddi 0 300000\nlget0\nret", o: { args: "i" }, args: [1n], ...ok(300001n) },
    { name: "overflow", body: "laddi 0 1\nlget0\nret", o: { args: "i" }, args: [MAX_U64], status: "overflow" },
  ],
  add: [bin("add", 2n, 3n, 5n), bin("add", MAX_U64, 2n, 1n)],
  sub: [bin("sub", 2n, 3n, -1n)],
  mul: [bin("mul", 6n, 7n, 42n), bin("mul", 2n ** 63n, 2n, 0n)],
  addu: [bin("addu", 2n, 3n, 5n), bin("addu", MAX_U64, 1n, "overflow")],
  subu: [bin("subu", 5n, 3n, 2n), bin("subu", 3n, 5n, "overflow")],
  mulu: [bin("mulu", 2n ** 32n - 1n, 2n ** 32n + 1n, 2n ** 64n - 1n), bin("mulu", 2n ** 32n, 2n ** 32n, "overflow"), bin("mulu", 0n, MAX_U64, 0n)],
  adds: [bin("adds", -1n, -1n, -2n), bin("adds", MAX_I64, 1n, "overflow"), bin("adds", MIN_I64, -1n, "overflow")],
  subs: [bin("subs", -1n, 1n, -2n), bin("subs", MIN_I64, 1n, "overflow"), bin("subs", 0n, MIN_I64, "overflow")],
  muls: [
    bin("muls", -3n, 4n, -12n),
    bin("muls", MIN_I64, -1n, "overflow"),
    bin("muls", -1n, MIN_I64, "overflow"),
    bin("muls", 2n ** 32n, 2n ** 31n, "overflow"),
    bin("muls", -(2n ** 32n), 2n ** 31n, MIN_I64),
    bin("muls", 3037000500n, 3037000500n, "overflow"),
  ],
  divu: [bin("divu", 7n, 2n, 3n), bin("divu", MAX_U64, 1n, MAX_U64), bin("divu", 7n, 0n, "div_zero")],
  divs: [bin("divs", -7n, 2n, -3n), bin("divs", MIN_I64, -1n, "overflow"), bin("divs", 5n, -1n, -5n), bin("divs", 1n, 0n, "div_zero")],
  remu: [bin("remu", 7n, 3n, 1n), bin("remu", MAX_U64, 10n, 5n), bin("remu", 7n, 0n, "div_zero")],
  rems: [bin("rems", -7n, 2n, -1n), bin("rems", 7n, -2n, 1n), bin("rems", MIN_I64, -1n, 0n), bin("rems", 7n, 0n, "div_zero")],
  fmul: [
    bin("fmul", 3n * F / 2n, 2n * F, 3n * F),
    bin("fmul", -(3n * F) / 2n, 2n * F, -3n * F),
    bin("fmul", -1n, F / 2n, 0n), // -2^-17 truncates toward zero
    bin("fmul", MIN_I64, F, MIN_I64),
    bin("fmul", MIN_I64, -F, "overflow"),
    bin("fmul", MAX_I64, 2n * F, "overflow"),
    bin("fmul", 2n ** 40n, 2n ** 40n, "overflow"),
  ],
  fdiv: [
    bin("fdiv", 3n * F, 2n * F, 3n * F / 2n),
    bin("fdiv", F, 3n * F, 21845n),
    bin("fdiv", -F, 3n * F, -21845n),
    bin("fdiv", 2n ** 50n, 2n ** 20n, 2n ** 46n),
    bin("fdiv", -(2n ** 50n), 2n ** 20n, -(2n ** 46n)),
    bin("fdiv", 2n ** 62n, 1n, "overflow"),
    bin("fdiv", MAX_I64, F / 2n, "overflow"),
    bin("fdiv", 1n, 0n, "div_zero"),
  ],
  neg: [un("neg", 5n, -5n), un("neg", MIN_I64, "overflow")],
  eq: [bin("eq", 4n, 4n, 1n), bin("eq", 4n, 5n, 0n)],
  ne: [bin("ne", 4n, 4n, 0n), bin("ne", 4n, 5n, 1n)],
  ltu: [bin("ltu", -1n, 1n, 0n), bin("ltu", 1n, 2n, 1n)],
  lts: [bin("lts", -1n, 1n, 1n), bin("lts", 2n, 1n, 0n)],
  gtu: [bin("gtu", -1n, 1n, 1n), bin("gtu", 1n, 1n, 0n)],
  gts: [bin("gts", -1n, 1n, 0n), bin("gts", 2n, 1n, 1n)],
  leu: [bin("leu", 1n, 1n, 1n), bin("leu", -1n, 1n, 0n)],
  les: [bin("les", -1n, 1n, 1n), bin("les", 2n, 1n, 0n)],
  geu: [bin("geu", 1n, 1n, 1n), bin("geu", 1n, -1n, 0n)],
  ges: [bin("ges", 1n, -1n, 1n), bin("ges", -2n, -1n, 0n)],
  eqz: [un("eqz", 0n, 1n), un("eqz", 7n, 0n)],
  and: [bin("and", 0b1100n, 0b1010n, 0b1000n)],
  or: [bin("or", 0b1100n, 0b1010n, 0b1110n)],
  xor: [bin("xor", 0b1100n, 0b1010n, 0b0110n)],
  shl: [bin("shl", 1n, 63n, 2n ** 63n), bin("shl", 1n, 65n, 2n)],
  shru: [bin("shru", -8n, 1n, 2n ** 63n - 4n), bin("shru", 8n, 67n, 1n)],
  shrs: [bin("shrs", -8n, 1n, -4n), bin("shrs", -8n, 64n, -8n)],
  bnot: [un("bnot", 0n, MAX_U64)],
  jmp: [{ name: "skips code", body: "jmp over\npush 1\nret\nover:\npush 2\nret", ...ok(2n) }],
  jz: [jcase1("jz", 0n, true), jcase1("jz", 5n, false)],
  jnz: [jcase1("jnz", 5n, true), jcase1("jnz", 0n, false)],
  jeq: [jcase("jeq", 3n, 3n, true), jcase("jeq", 3n, 4n, false)],
  jne: [jcase("jne", 3n, 4n, true), jcase("jne", 3n, 3n, false)],
  jltu: [jcase("jltu", 1n, -1n, true), jcase("jltu", -1n, 1n, false)],
  jgeu: [jcase("jgeu", -1n, 1n, true), jcase("jgeu", 1n, -1n, false)],
  jlts: [jcase("jlts", -1n, 1n, true), jcase("jlts", 1n, -1n, false)],
  jges: [jcase("jges", 1n, -1n, true), jcase("jges", -1n, 1n, false), jcase("jges", 4n, 4n, true)],
  call: [
    {
      name: "passes params, returns a result",
      body: "push 100\npush 2\npush 3\ncall g\nadd\nret",
      o: { extra: ".func g params=2 results=1 locals=1\nlget0\nlget1\nsub\nlset 2\nlget 2\nret\n.end" },
      ...ok(99n),
    },
    {
      name: "no params, no results, keeps the caller's stack",
      body: "push 7\ncall g\nret",
      o: { extra: ".func g params=0 results=0 locals=2\nlget 1\ndrop\nret\n.end" },
      ...ok(7n),
    },
    {
      name: "recursion (factorial 20)",
      body: "lget0\ncall fact\nret",
      o: { args: "i", extra: ".func fact params=1 results=1 locals=0\nlget0\npush1\njgeu more\npush1\nret\nmore:\nlget0\nlget0\npush1\nsub\ncall fact\nmulu\nret\n.end" },
      args: [20n],
      ...ok(2432902008176640000n),
    },
    { name: "call depth", body: "call f\nret", status: "call_depth" },
    {
      name: "stack overflow",
      body: "call g\nret",
      o: { extra: ".func g params=0 results=1 locals=60\ncall g\nret\n.end" },
      status: "stack_overflow",
    },
  ],
  ret: [
    { name: "returns from a nested call", body: "call g\npush 1\nadd\nret", o: { extra: ".func g params=0 results=1 locals=0\npush 41\nret\npush 3\nret\n.end" }, ...ok(42n) },
    { name: "no result", body: "ret", o: { results: 0 }, status: "ok", returns: [] },
  ],
  halt: [
    { name: "ends the whole call with no results", body: "call g\npush 1\nret", o: { extra: ".func g params=0 results=0 locals=0\nhalt\n.end" }, status: "ok", returns: [] },
  ],
  revert: [
    { name: "with its error id", body: "revert 300\n", status: "revert", error: 300 },
    { name: "from a nested call", body: "call g\nret", o: { extra: ".func g params=0 results=1 locals=0\nrevert 5\n.end" }, status: "revert", error: 5 },
  ],
  require: [
    { name: "passes on non-zero", body: "push 2\nrequire 9\npush 5\nret", ...ok(5n) },
    { name: "reverts on zero", body: "push0\nrequire 9\npush 5\nret", status: "revert", error: 9 },
  ],
  blen: [
    { name: "length", body: "pushb c0\nblen\nret", o: { consts: ['"hello"'] }, ...ok(5n) },
    { name: "an int is not a byte string", body: "push 5\nblen\nret", status: "bounds" },
  ],
  bcat: [
    { name: "concatenates", body: "pushb c0\npushb c1\nbcat\nret", o: { consts: ['"ab"', '"cde"'], ret: "b" }, ...ok(text("abcde")) },
    { name: "an argument and a constant", body: "lget0\npushb c0\nbcat\nret", o: { consts: ['"!"'], args: "b", ret: "b" }, args: [text("hi")], ...ok(text("hi!")) },
    {
      name: "longer than MAX_BYTES_LEN",
      body: "pushb c0\npushb c0\nbcat\nret",
      o: { consts: ["0x" + "ab".repeat(600)], ret: "b" },
      status: "bounds",
    },
    {
      name: "arena full",
      body: "loop:\npushb c0\npushb c1\nbcat\ndrop\njmp loop",
      o: { consts: ["0x" + "ab".repeat(500), "0x" + "cd".repeat(500)], results: 0 },
      status: "arena_full",
    },
  ],
  bslice: [
    { name: "slice", body: "pushb c0\npush 1\npush 3\nbslice\nret", o: { consts: ['"hello"'], ret: "b" }, ...ok(text("ell")) },
    { name: "empty at the end", body: "pushb c0\npush 5\npush 0\nbslice\nret", o: { consts: ['"hello"'], ret: "b" }, ...ok(new Uint8Array(0)) },
    { name: "past the end", body: "pushb c0\npush 3\npush 3\nbslice\nret", o: { consts: ['"hello"'], ret: "b" }, status: "bounds" },
    { name: "offset wraps", body: "pushb c0\npush -1\npush 2\nbslice\nret", o: { consts: ['"hello"'], ret: "b" }, status: "bounds" },
  ],
  beq: [
    { name: "equal", body: "pushb c0\nlget0\nbeq\nret", o: { consts: ['"abc"'], args: "b" }, args: [text("abc")], ...ok(1n) },
    { name: "different", body: "pushb c0\nlget0\nbeq\nret", o: { consts: ['"abc"'], args: "b" }, args: [text("abd")], ...ok(0n) },
    { name: "different lengths", body: "pushb c0\nlget0\nbeq\nret", o: { consts: ['"abc"'], args: "b" }, args: [text("ab")], ...ok(0n) },
  ],
  bget: [
    { name: "byte at index", body: "pushb c0\npush 1\nbget\nret", o: { consts: ["0x0aff"] }, ...ok(255n) },
    { name: "past the end", body: "pushb c0\npush 2\nbget\nret", o: { consts: ["0x0aff"] }, status: "bounds" },
  ],
  itob: [
    { name: "width 2", body: "push 0x030201\nitob 2\nret", o: { ret: "b" }, ...ok(hex("0102")) },
    { name: "width 8", body: "push -2\nitob 8\nret", o: { ret: "b" }, ...ok(hex("feffffffffffffff")) },
  ],
  btoi: [
    { name: "little-endian, zero-extended", body: "pushb c0\nbtoi\nret", o: { consts: ["0x0102"] }, ...ok(0x0201n) },
    { name: "round trip", body: "push -5\nitob 8\nbtoi\nret", ...ok(u64(-5n)) },
    { name: "longer than 8 bytes", body: "pushb c0\nbtoi\nret", o: { consts: ["0x010203040506070809"] }, status: "bounds" },
  ],
  bput: [
    { name: "writes in place", body: "pushb c0\nbdup\nlset 1\nlget 1\npush 1\npush 0x0302\nbput 2\nlget 1\nret", o: { consts: ["0x00000000"], locals: 2, ret: "b" }, ...ok(hex("00020300")) },
    { name: "pops three values, leaving the one below on top", body: "push 42\nlget0\npush0\npush 7\nbput 1\nret", o: { args: "b" }, args: [hex("aabb")], ...ok(42n) },
    { name: "an argument is in the arena", body: "lget0\npush0\npush 7\nbput 1\nlget0\nret", o: { args: "b", ret: "b" }, args: [hex("aabb")], ...ok(hex("07bb")) },
    { name: "a constant is not writable", body: "pushb c0\npush0\npush 1\nbput 1\npush0\nret", o: { consts: ["0x0000"] }, status: "bounds" },
    { name: "past the end", body: "lget0\npush 1\npush 1\nbput 2\npush0\nret", o: { args: "b" }, args: [hex("aabb")], status: "bounds" },
    { name: "the context is not writable", body: "caller\npush0\npush 1\nbput 1\npush0\nret", status: "bounds" },
  ],
  bwrite: [
    { name: "copies in place", body: "lget0\npush 1\npushb c0\nbwrite\nlget0\nret", o: { consts: ["0x0102"], args: "b", ret: "b" }, args: [hex("aabbccdd")], ...ok(hex("aa0102dd")) },
    { name: "pops three values, leaving the one below on top", body: "push 42\nlget0\npush0\npushb c0\nbwrite\nret", o: { consts: ["0x01"], args: "b" }, args: [hex("aabb")], ...ok(42n) },
    { name: "does not fit", body: "lget0\npush 3\npushb c0\nbwrite\npush0\nret", o: { consts: ["0x0102"], args: "b" }, args: [hex("aabbccdd")], status: "bounds" },
    { name: "into a constant", body: "pushb c0\npush0\npushb c0\nbwrite\npush0\nret", o: { consts: ["0x0102"] }, status: "bounds" },
  ],
  bdup: [
    { name: "a fresh copy", body: "pushb c0\nbdup\nret", o: { consts: ['"abc"'], ret: "b" }, ...ok(text("abc")) },
    { name: "the copy is independent", body: "lget0\nbdup\nlset 1\nlget 1\npush0\npush 0x7a\nbput 1\nlget0\nret", o: { args: "b", locals: 1, ret: "b" }, args: [text("abc")], ...ok(text("abc")) },
    { name: "not a byte string", body: "push 5\nbdup\nret", o: { ret: "b" }, status: "bounds" },
  ],
  amark: [
    { name: "release frees what was built after the mark", body: "loop:\namark\npushb c0\npushb c0\nbcat\ndrop\narelease\nladdi 0 1\nlget0\npush 1000\njltu loop\nlget0\nret", o: { consts: ["0x" + "ab".repeat(500)], locals: 1 }, ...ok(1000n) },
  ],
  arelease: [
    { name: "a mark above the top", body: "amark\npush 8\nadd\narelease\npush0\nret", status: "bounds" },
    { name: "a mark below the arena", body: "push 0\narelease\npush0\nret", status: "bounds" },
    { name: "a released reference is out of range", body: "amark\npushb c0\nbdup\nswap\narelease\nblen\nret", o: { consts: ['"abc"'] }, status: "bounds" },
  ],
  sha256: [
    { name: "of the empty string", body: "pushb c0\nsha256\nret", o: { consts: ["0x"], ret: "b" }, ...ok(sha256(new Uint8Array(0))) },
    { name: "of an argument", body: "lget0\nsha256\nret", o: { args: "b", ret: "b" }, args: [text("abc")], ...ok(sha256(text("abc"))) },
  ],
  edverify: (() => {
    const priv = new Uint8Array(32).fill(7);
    const pub = ed.getPublicKey(priv);
    const msg = text("pay 5 to bob");
    const sig = ed.sign(msg, priv);
    const bad = sig.slice();
    bad[0]! ^= 1;
    const body = "lget0\nlget1\nlget2\nedverify\nret";
    return [
      { name: "valid signature", body, o: { args: "bbb" }, args: [pub, msg, sig], ...ok(1n) },
      { name: "tampered signature", body, o: { args: "bbb" }, args: [pub, msg, bad], ...ok(0n) },
      { name: "wrong message", body, o: { args: "bbb" }, args: [pub, text("pay 6 to bob"), sig], ...ok(0n) },
      { name: "short key", body, o: { args: "bbb" }, args: [pub.slice(1), msg, sig], ...ok(0n) },
    ];
  })(),
  sload: [
    { name: "absent reads 0", body: "sload 3 0\nret", ...ok(0n) },
    { name: "reads an int", body: "sload 3 0\nret", setup: (s, id) => s.set(id, Uint8Array.of(3), le8(77n)), ...ok(77n) },
    { name: "reads bytes", body: "sload 3 2\nret", o: { ret: "b" }, setup: (s, id) => s.set(id, Uint8Array.of(3), text("xyz")), ...ok(text("xyz")) },
    { name: "int from a short value", body: "sload 3 0\nret", setup: (s, id) => s.set(id, Uint8Array.of(3), hex("0102")), ...ok(0x0201n) },
    { name: "a storage failure", body: "sload 3 0\nret", setup: (s) => { s.get = s.getKeyed = () => { throw new Error("disk"); }; }, status: "host_error" }, // every read path of the store fails
  ],
  sstore: [
    {
      name: "writes an int, read back in the same call",
      body: "push 9\nsstore 1 0\nsload 1 0\nret",
      ...ok(9n),
      check: (_r, s, id) => expect(s.get(id, Uint8Array.of(1))).toEqual(le8(9n)),
    },
    {
      name: "writes bytes; empty deletes",
      body: "pushb c0\nsstore 1 2\npushb c1\nsstore 2 2\npush0\nret",
      o: { consts: ['"v"', "0x"] },
      setup: (s, id) => s.set(id, Uint8Array.of(2), text("old")),
      ...ok(0n),
      check: (_r, s, id) => {
        expect(s.get(id, Uint8Array.of(1))).toEqual(text("v"));
        expect(s.get(id, Uint8Array.of(2))).toBeUndefined();
      },
    },
    {
      name: "a value longer than MAX_BYTES_LEN",
      body: "pushb c0\npush 0x70000000000\nadd\nsstore 1 2\npush0\nret",
      o: { consts: ['"v"'] },
      status: "host_error",
    },
  ],
  mload: [
    { name: "int key", body: "push 5\nmload 4 0\nret", setup: (s, id) => s.set(id, cat(Uint8Array.of(4), le8(5n)), le8(50n)), ...ok(50n) },
    { name: "bytes key", body: "pushb c0\nmload 4 1\nret", o: { consts: ['"alice"'] }, setup: (s, id) => s.set(id, cat(Uint8Array.of(4), text("alice")), le8(51n)), ...ok(51n) },
    { name: "key too long", body: "pushb c0\nmload 4 1\nret", o: { consts: ["0x" + "00".repeat(64)] }, status: "bounds" },
  ],
  mstore: [
    {
      name: "int key, bytes value",
      body: "push 5\npushb c0\nmstore 4 2\npush 5\nmload 4 2\nret",
      o: { consts: ['"val"'], ret: "b" },
      ...ok(text("val")),
      check: (_r, s, id) => expect(s.get(id, cat(Uint8Array.of(4), le8(5n)))).toEqual(text("val")),
    },
    {
      name: "bytes key, int value",
      body: "pushb c0\npush 6\nmstore 4 1\npush0\nret",
      o: { consts: ['"k"'] },
      ...ok(0n),
      check: (_r, s, id) => expect(s.get(id, cat(Uint8Array.of(4), text("k")))).toEqual(le8(6n)),
    },
  ],
  // short forms (issue 15): each must do what its long form does
  sloadi: [
    { name: "absent reads 0", body: "sloadi 3\nret", ...ok(0n) },
    { name: "reads an int, as sload 3 0", body: "sloadi 3\nret", setup: (s, id) => s.set(id, Uint8Array.of(3), le8(77n)), ...ok(77n) },
    { name: "int from a short value", body: "sloadi 3\nret", setup: (s, id) => s.set(id, Uint8Array.of(3), hex("0102")), ...ok(0x0201n) },
  ],
  sstorei: [
    {
      name: "writes an int under the same key as sstore 1 0",
      body: "push 9\nsstorei 1\nsload 1 0\nret",
      ...ok(9n),
      check: (_r, s, id) => expect(s.get(id, Uint8Array.of(1))).toEqual(le8(9n)),
    },
  ],
  mloadbi: [
    { name: "bytes key, int value, as mload 4 1", body: "pushb c0\nmloadbi 4\nret", o: { consts: ['"alice"'] }, setup: (s, id) => s.set(id, cat(Uint8Array.of(4), text("alice")), le8(51n)), ...ok(51n) },
    { name: "key too long", body: "pushb c0\nmloadbi 4\nret", o: { consts: ["0x" + "00".repeat(64)] }, status: "bounds" },
    { name: "an int key is no reference", body: "push 5\nmloadbi 4\nret", status: "bounds" },
  ],
  mstorebi: [
    {
      name: "bytes key, int value, as mstore 4 1",
      body: "pushb c0\npush 6\nmstorebi 4\npushb c0\nmload 4 1\nret",
      o: { consts: ['"k"'] },
      ...ok(6n),
      check: (_r, s, id) => expect(s.get(id, cat(Uint8Array.of(4), text("k")))).toEqual(le8(6n)),
    },
  ],
  once: [
    {
      name: "first run: writes the int 1 to slot 255, as the long guard does",
      body: "once\npush 3\nret",
      ...ok(3n),
      check: (_r, s, id) => expect(s.get(id, Uint8Array.of(255))).toEqual(le8(1n)),
    },
    { name: "second run: revert with error 0", body: "once\npush 3\nret", setup: (s, id) => s.set(id, Uint8Array.of(255), le8(1n)), status: "revert", error: 0 },
    { name: "a zero flag counts as not run", body: "once\npush 3\nret", setup: (s, id) => s.set(id, Uint8Array.of(255), le8(0n)), ...ok(3n) },
    { name: "a storage failure", body: "once\npush0\nret", setup: (s) => { s.get = s.getKeyed = () => { throw new Error("disk"); }; }, status: "host_error" },
  ],
  req32: [
    { name: "a 32-byte string passes and is popped", body: "push 4\nlget0\nreq32 7\nret", o: { args: "b" }, args: [new Uint8Array(32).fill(1)], ...ok(4n) },
    { name: "31 bytes: revert with the error id", body: "lget0\nreq32 7\npush 4\nret", o: { args: "b" }, args: [new Uint8Array(31)], status: "revert", error: 7 },
    { name: "33 bytes: revert", body: "lget0\nreq32 300\npush 4\nret", o: { args: "b" }, args: [new Uint8Array(33)], status: "revert", error: 300 },
    { name: "an int is no string", body: "push 32\nreq32 7\npush 4\nret", status: "bounds" },
  ],
  xload: [
    { name: "another contract's slot", body: "lget0\nxload 2 0\nret", o: { args: "b" }, args: [OTHER], setup: (s) => s.set(OTHER, Uint8Array.of(2), le8(42n)), ...ok(42n) },
    { name: "id must be 32 bytes", body: "lget0\nxload 2 0\nret", o: { args: "b" }, args: [OTHER.slice(1)], status: "bounds" },
  ],
  xmload: [
    {
      name: "another contract's map entry",
      body: "lget0\npush 7\nxmload 2 2\nret",
      o: { args: "b", ret: "b" },
      args: [OTHER],
      setup: (s) => s.set(OTHER, cat(Uint8Array.of(2), le8(7n)), text("seven")),
      ...ok(text("seven")),
    },
  ],
  caller: [{ name: "the caller's key", body: "caller\nret", o: { ret: "b" }, caller: new Uint8Array(32).fill(9), ...ok(new Uint8Array(32).fill(9)) }],
  self: [
    { name: "the module id by default", body: "self\nret", o: { ret: "b" }, status: "ok", check: (r, _s, id) => expect(r.returns).toEqual([id]) },
    { name: "the instance id the host gives", body: "self\nret", o: { ret: "b" }, self: OTHER, ...ok(OTHER) },
    {
      name: "storage belongs to the instance, not the module",
      body: "push 5\nsstore 0 0\npush0\nret",
      self: OTHER,
      ...ok(0n),
      check: (_r, store, id) => {
        expect(store.get(OTHER, Uint8Array.of(0))).toEqual(le8(5n));
        expect(store.get(id, Uint8Array.of(0))).toBeUndefined();
      },
    },
  ],
  value: [
    { name: "the value attached", body: "value\nret", value: 1234n, ...ok(1234n) },
    { name: "0 when none", body: "value\nret", ...ok(0n) },
    { name: "u64 max", body: "value\nret", value: MAX_U64, ...ok(MAX_U64) },
  ],
  balance: [
    { name: "absent is 0", body: "lget0\nbalance\nret", o: { args: "b" }, args: [OTHER], ...ok(0n) },
    { name: "reads the balance entry", body: "lget0\nbalance\nret", o: { args: "b" }, args: [OTHER], setup: (s) => s.set(OTHER, BALANCE_KEY, le8(77n)), ...ok(77n) },
    { name: "an id that is not 32 bytes", body: "pushb c0\nbalance\nret", o: { consts: ["0x0102"] }, status: "bounds" },
    { name: "a bad reference", body: "push 9\nbalance\nret", status: "bounds" },
  ],
  pay: [
    {
      name: "moves value, kept on ok",
      body: "lget0\npush 30\npay\nself\nbalance\nret",
      o: { args: "b" },
      args: [OTHER],
      setup: (s, id) => s.set(id, BALANCE_KEY, le8(100n)),
      ...ok(70n),
      check: (_r, store, id) => {
        expect(store.get(id, BALANCE_KEY)).toEqual(le8(70n));
        expect(store.get(OTHER, BALANCE_KEY)).toEqual(le8(30n));
      },
    },
    {
      name: "short balance: insufficient_balance, nothing moves",
      body: "lget0\npush 101\npay\npush0\nret",
      o: { args: "b" },
      args: [OTHER],
      setup: (s, id) => s.set(id, BALANCE_KEY, le8(100n)),
      status: "insufficient_balance",
      check: (_r, store, id) => {
        expect(store.get(id, BALANCE_KEY)).toEqual(le8(100n));
        expect(store.get(OTHER, BALANCE_KEY)).toBeUndefined();
      },
    },
    {
      name: "paid, then reverted: nothing moves",
      body: "lget0\npush 10\npay\nrevert 3",
      o: { args: "b", results: 0 },
      args: [OTHER],
      setup: (s, id) => s.set(id, BALANCE_KEY, le8(100n)),
      status: "revert",
      check: (_r, store, id) => {
        expect(store.get(id, BALANCE_KEY)).toEqual(le8(100n));
        expect(store.get(OTHER, BALANCE_KEY)).toBeUndefined();
      },
    },
    {
      name: "a payee balance past 2^64-1: overflow, never wraps",
      body: "lget0\npush 10\npay\npush0\nret",
      o: { args: "b" },
      args: [OTHER],
      setup: (s, id) => {
        s.set(id, BALANCE_KEY, le8(100n));
        s.set(OTHER, BALANCE_KEY, le8(MAX_U64 - 5n));
      },
      status: "overflow",
      check: (_r, store) => expect(store.get(OTHER, BALANCE_KEY)).toEqual(le8(MAX_U64 - 5n)),
    },
    { name: "a payee that is not 32 bytes", body: "pushb c0\npush0\npay\npush0\nret", o: { consts: ["0x0102"] }, status: "bounds" },
  ],
  now: [{ name: "timestamp", body: "now\nret", timestamp: 1_700_000_000n, ...ok(1_700_000_000n) }],
  height: [{ name: "block height", body: "height\nret", height: 12345n, ...ok(12345n) }],
  gasleft: [{ name: "after the block's charge", body: "gasleft\nret", gas: 1000, ...ok(BigInt(1000 - OPCODE_BY_NAME.get("gasleft")!.gas - OPCODE_BY_NAME.get("ret")!.gas)) }],
  emit: [
    {
      name: "int and bytes values",
      body: "push 7\npushb c0\nemit 3740250381 2 2\npush0\nret",
      o: { consts: ["0x0a0b"] },
      ...ok(0n),
      check: (r) => expect(r.events).toEqual([{ topic: 3740250381, values: [7n, hex("0a0b")] }]),
    },
    { name: "no values", body: "emit 1 0 0\npush 3\nret", ...ok(3n), check: (r) => expect(r.events).toEqual([{ topic: 1, values: [] }]) },
    {
      name: "more than MAX_EVENTS",
      body: "push 17\nlset0\nloop:\nemit 1 0 0\nlget0\npush1\nsub\nltee 0\njnz loop\npush0\nret",
      o: { locals: 1 },
      status: "host_error",
    },
    { name: "a bad byte-string reference", body: "push 9\nemit 1 1 1\npush0\nret", status: "bounds" },
  ],
};

describe("opcode semantics", () => {
  it("every opcode has at least one case", () => {
    const missing = OPCODES.filter((r) => !(CASES as Record<string, Case[]>)[r.name]?.length).map((r) => r.name);
    expect(missing).toEqual([]);
    const unknown = Object.keys(CASES).filter((n) => !OPCODES.some((r) => r.name === n));
    expect(unknown).toEqual([]);
  });

  for (const row of OPCODES) {
    const cases = (CASES as Record<string, Case[]>)[row.name] ?? [];
    describe(row.name, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const vm = await getVm();
          const module = prog(c.body, c.o);
          const v = vm.verify(module);
          expect(v, JSON.stringify(v)).toMatchObject({ ok: true });
          const id = (v as { id: Uint8Array }).id;
          const store = new MemoryStateStore();
          c.setup?.(store, id);
          const r = vm.call(module, "f", c.args ?? [], {
            store, gas: c.gas ?? 10_000_000, caller: c.caller, timestamp: c.timestamp, height: c.height, value: c.value, self: c.self,
          });
          expect(r.status, JSON.stringify(r, (_k, x) => (typeof x === "bigint" ? x.toString() : x))).toBe(c.status ?? "ok");
          if (c.returns) expect(r.returns).toEqual(c.returns);
          if (c.error !== undefined) expect(r.error).toBe(c.error);
          if (r.status !== "ok") expect(r.returns).toEqual([]);
          c.check?.(r, store, id, module);
        });
      }
    });
  }
});
