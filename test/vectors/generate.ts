// Generates the conformance vectors (`npm run vectors` -> test/vectors/*.json): each call's module, function,
// arguments, context and state before, with the Node host's result and state after. Both hosts must reproduce them.
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import * as ed from "@noble/ed25519";
import { assemble } from "../../vm/asm/index.ts";
import { decodeModule, selectorOf } from "../../vm/spec/module.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { buildVm } from "../../scripts/build-vm.ts";
import { BALANCE_KEY, encodeBalance, MoteVM, MemoryStateStore, resultToJson, type CallResult, type Value } from "../../vm/host/index.ts";

ed.hashes.sha512 = sha512;

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");
export const VECTOR_FORMAT = "mote-vectors/1";

/** One call: everything a host needs to run it and what it must produce. */
export interface Vector {
  name: string;
  module: string; // 0x-hex
  fn: string | null; // export name, or null when `selector` is given
  selector: number;
  args: string[]; // integers as decimal u64 strings, byte strings as 0x-hex
  caller: string; // 0x-hex, 32 bytes
  timestamp: string;
  height: string;
  gas: number;
  /** The instance id the call runs as (0x-hex, 32 bytes); absent: the module id. */
  self?: string;
  /** Native value attached to the call (decimal u64); absent: 0. */
  value?: string;
  stateBefore: Record<string, Record<string, string>>;
  expected: string; // resultToJson of the Node host
  stateAfter: Record<string, Record<string, string>>;
}

export interface VectorFile {
  format: string;
  source: string;
  vectors: Vector[];
}

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

export function argToString(v: Value): string {
  return typeof v === "bigint" ? u64(v).toString() : hex(v);
}
export function argFromString(s: string): Value {
  return s.startsWith("0x") ? unhex(s) : BigInt(s);
}

const ZERO_KEY = new Uint8Array(32);
const KEY_A = sha256(utf8("mote test caller A"));
const KEY_B = sha256(utf8("mote test caller B"));
const WALLET_ID = sha256(utf8("mote test wallet instance"));
const PAYEE = sha256(utf8("mote test payee near the u64 limit"));

interface CallSpec {
  fn: string | number;
  args?: Value[];
  caller?: Uint8Array;
  timestamp?: bigint;
  height?: bigint;
  gas?: number;
  self?: Uint8Array;
  value?: bigint;
}

/** Records calls against one evolving store, as a chain would run them. */
class Recorder {
  readonly vectors: Vector[] = [];
  constructor(private readonly vm: MoteVM) {}

  call(name: string, module: Uint8Array, store: MemoryStateStore, c: CallSpec): CallResult {
    const before = store.toJSON();
    const args = c.args ?? [];
    const o = { store, caller: c.caller ?? ZERO_KEY, timestamp: c.timestamp ?? 0n, height: c.height ?? 0n, gas: c.gas ?? LIMITS.DEFAULT_GAS.value, self: c.self, value: c.value };
    const r = this.vm.call(module, c.fn, args, o);
    this.vectors.push({
      name,
      module: hex(module),
      fn: typeof c.fn === "string" ? c.fn : null,
      selector: typeof c.fn === "string" ? selectorOf(c.fn) : c.fn >>> 0,
      args: args.map(argToString),
      caller: hex(o.caller),
      timestamp: o.timestamp.toString(),
      height: o.height.toString(),
      gas: o.gas,
      ...(c.self ? { self: hex(c.self) } : {}),
      ...(c.value !== undefined ? { value: c.value.toString() } : {}),
      stateBefore: before,
      expected: resultToJson(r),
      stateAfter: store.toJSON(),
    });
    return r;
  }

  /** A call, then the same call with one gas less than it used (must be out_of_gas with no effect). */
  callWithGasEdge(name: string, module: Uint8Array, store: MemoryStateStore, c: CallSpec): CallResult {
    const snapshot = MemoryStateStore.fromJSON(store.toJSON());
    const r = this.call(name, module, store, c);
    if (r.gasUsed > 1 && r.status !== "out_of_gas") {
      this.call(`${name} [gas ${r.gasUsed - 1}]`, module, snapshot, { ...c, gas: r.gasUsed - 1 });
      this.call(`${name} [gas ${r.gasUsed}]`, module, MemoryStateStore.fromJSON(snapshot.toJSON()), { ...c, gas: r.gasUsed });
    }
    return r;
  }
}

// -- sources: test/programs/*.masm ------------------------------------------------------------------

/** Calls worth making on the known programs; any other program gets each export with sample arguments. */
const PROGRAM_CALLS: Record<string, CallSpec[]> = {
  sum: [{ fn: "sum", args: [0n] }, { fn: "sum", args: [1n] }, { fn: "sum", args: [100n] }, { fn: "sum", args: [1000n] },
    { fn: "sum", args: [-1n], gas: 5000 }, { fn: "sum", args: [10n], gas: 40 }],
  fib: [0n, 1n, 2n, 10n, 50n, 93n, 94n].map((n) => ({ fn: "fib", args: [n] })),
  counter: [{ fn: "get" }, { fn: "increment" }, { fn: "increment" }, { fn: "get" }, { fn: "increment", gas: 30 }, { fn: "increment" }, { fn: "get" }],
  revert: [{ fn: "check", args: [5n] }, { fn: "check", args: [100n] }, { fn: "check", args: [101n] }, { fn: "fail" }],
  oog: [{ fn: "spin", gas: 1 }, { fn: "spin", gas: 1000 }],
  // WALLET_ID starts with 100 and PAYEE near 2^64-1 (PROGRAM_SEEDS): value, balance, pay, a short
  // balance, a revert after a payment, an overflowing payee, and the module id as self by default
  wallet: [
    { fn: "deposit", self: WALLET_ID, value: 55n },
    { fn: "deposit", self: WALLET_ID, value: 2n ** 64n - 1n },
    { fn: "mine", self: WALLET_ID },
    { fn: "send", args: [KEY_A, 30n], self: WALLET_ID },
    { fn: "of", args: [KEY_A], self: WALLET_ID },
    { fn: "send", args: [KEY_A, 71n], self: WALLET_ID },
    { fn: "send_fail", args: [KEY_B, 10n], self: WALLET_ID },
    { fn: "send", args: [PAYEE, 10n], self: WALLET_ID },
    { fn: "send", args: [WALLET_ID, 70n], self: WALLET_ID },
    { fn: "send", args: [KEY_B, 70n], self: WALLET_ID },
    { fn: "mine", self: WALLET_ID },
    { fn: "mine" },
    { fn: "who" },
    { fn: "who", self: WALLET_ID },
  ],
};

/** State some programs start from: balances (the entry with the empty key) for the wallet's ids. */
const PROGRAM_SEEDS: Record<string, (s: MemoryStateStore) => void> = {
  wallet: (s) => {
    s.set(WALLET_ID, BALANCE_KEY, encodeBalance(100n));
    s.set(PAYEE, BALANCE_KEY, encodeBalance(2n ** 64n - 5n));
  },
};

function sampleArgs(mask: number, params: number, k: number): Value[] {
  const ints = [0n, 1n, 10n, -1n];
  const bytes = [new Uint8Array(0), utf8("abc"), new Uint8Array(32).fill(7)];
  return Array.from({ length: params }, (_, i) => ((mask >> i) & 1 ? bytes[k % bytes.length]! : ints[k % ints.length]!));
}

function programVectors(vm: MoteVM): VectorFile {
  const rec = new Recorder(vm);
  const dir = join(ROOT, "test/programs");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".masm")).sort()) {
    const name = basename(f, ".masm");
    const module = assemble(readFileSync(join(dir, f), "utf8"), `test/programs/${f}`);
    const store = new MemoryStateStore();
    PROGRAM_SEEDS[name]?.(store);
    const known = PROGRAM_CALLS[name];
    if (known) {
      for (const c of known) rec.callWithGasEdge(`programs/${name}: ${String(c.fn)}(${(c.args ?? []).map(argToString).join(", ")})${c.gas ? ` gas ${c.gas}` : ""}${c.value !== undefined ? ` value ${c.value}` : ""}${c.self ? " as instance" : ""}`, module, store, c);
      continue;
    }
    const m = decodeModule(module);
    for (const ex of m.exports) {
      const fn = m.functions[ex.func]!;
      for (let k = 0; k < 3; k++) {
        rec.call(`programs/${name}: selector ${ex.selector} sample ${k}`, module, store, { fn: ex.selector, args: sampleArgs(ex.argMask, fn.params, k) });
      }
    }
  }
  return { format: VECTOR_FORMAT, source: "test/programs/*.masm", vectors: rec.vectors };
}

// -- sources: hand-written edge cases -----------------------------------------------------------------

interface Edge {
  name: string;
  body: string;
  args?: string; // i/b per parameter
  ret?: "i" | "b" | "none";
  locals?: number;
  consts?: string[];
  extra?: string;
  argv?: Value[];
  gas?: number;
  caller?: Uint8Array;
  timestamp?: bigint;
  height?: bigint;
  /** Storage before the call, keyed by contract; "self" stands for the module's own id. */
  state?: Record<string, Record<string, string>>;
}

function prog(e: Edge): Uint8Array {
  const params = e.args?.length ?? 0;
  const lines: string[] = [];
  (e.consts ?? []).forEach((c, i) => lines.push(`.const c${i} ${c}`));
  lines.push(`.func f params=${params} results=${e.ret === "none" ? 0 : 1} locals=${e.locals ?? 0}`, e.body, ".end");
  if (e.extra) lines.push(e.extra);
  lines.push(`.export f${e.args?.includes("b") ? ` args=${e.args}` : ""}${e.ret === "b" ? " ret=b" : ""}`);
  return assemble(lines.join("\n"), `<edge ${e.name}>`);
}

const bin = (op: string, a: bigint, b: bigint): Edge => ({ name: `${op}(${a}, ${b})`, body: `lget0\nlget1\n${op}\nret`, args: "ii", argv: [a, b] });
const un = (op: string, a: bigint): Edge => ({ name: `${op}(${a})`, body: `lget0\n${op}\nret`, args: "i", argv: [a] });
const jmp2 = (op: string, a: bigint, b: bigint): Edge => ({ name: `${op}(${a}, ${b})`, body: `lget0\nlget1\n${op} yes\npush0\nret\nyes:\npush1\nret`, args: "ii", argv: [a, b] });
const jmp1 = (op: string, c: bigint): Edge => ({ name: `${op}(${c})`, body: `lget0\n${op} yes\npush0\nret\nyes:\npush1\nret`, args: "i", argv: [c] });

const MAX = 2n ** 64n - 1n;
const MIN_I = -(2n ** 63n);
const MAX_I = 2n ** 63n - 1n;
const F1 = 65536n;

function edgeCases(): Edge[] {
  const E: Edge[] = [];
  // constants and stack
  E.push({ name: "push0", body: "push0\nret" }, { name: "push1", body: "push1\nret" });
  for (const v of [63n, 64n, -65n, -1n, MAX_I, MIN_I, 1234567890123n]) E.push({ name: `push ${v}`, body: `push ${v}\nret` });
  E.push({ name: "pushb", body: "pushb c0\nret", ret: "b", consts: ['"hello"'] });
  E.push({ name: "dup", body: "push 7\ndup\nadd\nret" }, { name: "drop", body: "push 7\npush 9\ndrop\nret" });
  E.push({ name: "swap", body: "push 7\npush 9\nswap\nsub\nret" }, { name: "over", body: "push 7\npush 9\nover\nsub\nsub\nret" });
  // locals
  E.push({ name: "lget/lset/ltee", body: "push 5\nlset 5\npush 6\nltee 6\nlget 5\nadd\nlget 6\nmul\nret", locals: 7 });
  E.push({ name: "lget0..3 lset0..3", body: "lget0\nlset3\nlget1\nlset2\nlget2\nlget3\nsub\nlset0\nlget0\nlset1\nlget1\nret", args: "ii", argv: [3n, 10n], locals: 2 });
  E.push({ name: "laddi", body: "laddi 0 1000\nlget0\nret", args: "i", argv: [5n] });
  E.push({ name: "laddi overflow", body: "laddi 0 1\nlget0\nret", args: "i", argv: [MAX] });
  // arithmetic
  for (const [op, a, b] of [
    ["add", MAX, 2n], ["sub", 0n, 1n], ["mul", MAX_I, 3n], ["addu", 1n, 2n], ["addu", MAX, 1n], ["subu", 5n, 3n], ["subu", 3n, 5n],
    ["mulu", 1n << 32n, 1n << 31n], ["mulu", 1n << 32n, 1n << 32n], ["adds", MAX_I, 1n], ["adds", -5n, 3n], ["subs", MIN_I, 1n], ["subs", -5n, 3n],
    ["muls", -3n, 4n], ["muls", MIN_I, -1n], ["divu", 100n, 7n], ["divu", 1n, 0n], ["divs", -100n, 7n], ["divs", MIN_I, -1n], ["divs", 1n, 0n],
    ["remu", 100n, 7n], ["remu", 1n, 0n], ["rems", -100n, 7n], ["rems", 100n, -7n], ["rems", 1n, 0n],
    ["fmul", 3n * F1, F1 / 2n], ["fmul", -3n * F1, F1 / 3n], ["fmul", MAX_I, 4n * F1], ["fdiv", F1, 3n * F1], ["fdiv", -7n * F1, 2n * F1],
    ["fdiv", F1, 0n], ["fdiv", MAX_I, F1 / 4n],
  ] as [string, bigint, bigint][]) E.push(bin(op, a, b));
  E.push(un("neg", 5n), un("neg", MIN_I));
  // comparisons and bitwise
  for (const op of ["eq", "ne", "ltu", "lts", "gtu", "gts", "leu", "les", "geu", "ges"]) {
    E.push(bin(op, 3n, 5n), bin(op, -1n, 5n), bin(op, 5n, 5n));
  }
  E.push(un("eqz", 0n), un("eqz", 9n), un("bnot", 0n));
  for (const op of ["and", "or", "xor"]) E.push(bin(op, 0xf0f0n, 0xff00n));
  for (const op of ["shl", "shru", "shrs"]) E.push(bin(op, -256n, 4n), bin(op, 1n, 65n));
  // control
  E.push(jmp1("jz", 0n), jmp1("jz", 1n), jmp1("jnz", 0n), jmp1("jnz", 2n));
  for (const op of ["jeq", "jne", "jltu", "jgeu", "jlts", "jges"]) E.push(jmp2(op, -1n, 1n), jmp2(op, 1n, 1n));
  E.push({ name: "jmp", body: "jmp over\npush 1\nret\nover:\npush 2\nret" });
  E.push({ name: "call and ret", body: "lget0\ncall sq\npush 1\nadd\nret", args: "i", argv: [12n], extra: ".func sq params=1 results=1 locals=0\nlget0\nlget0\nmul\nret\n.end" });
  E.push({ name: "halt", body: "halt", ret: "none" });
  E.push({ name: "revert 42", body: "revert 42", ret: "none" }, { name: "revert large id", body: "revert 4000000000", ret: "none" });
  E.push({ name: "require passes", body: "push1\nrequire 9\npush 3\nret" }, { name: "require fails", body: "push0\nrequire 9\npush 3\nret" });
  E.push({
    name: "call_depth", body: "push0\ncall r\nret",
    extra: ".func r params=1 results=1 locals=0\nlget0\npush1\nadd\ncall r\nret\n.end",
  });
  E.push({
    name: "stack_overflow", body: "push0\ncall r\nret",
    extra: ".func r params=1 results=1 locals=60\nlget0\npush1\nadd\ncall r\nret\n.end",
  });
  E.push({ name: "out_of_gas in loop", body: "loop:\njmp loop", ret: "none", gas: 777 });
  E.push({ name: "out_of_gas on entry", body: "push 1\npush 2\nadd\nret", gas: 2 });
  // byte strings
  E.push({ name: "blen", body: "lget0\nblen\nret", args: "b", argv: [utf8("hello")] });
  E.push({ name: "bcat", body: "lget0\nlget1\nbcat\nret", args: "bb", ret: "b", argv: [utf8("foo"), utf8("bar")] });
  E.push({ name: "bcat arena_full", body: "loop:\nlget0\nlget0\nbcat\ndrop\njmp loop", args: "b", ret: "b", argv: [utf8("0123456789abcdef")] });
  E.push({ name: "bslice", body: "lget0\npush 1\npush 3\nbslice\nret", args: "b", ret: "b", argv: [utf8("abcdef")] });
  E.push({ name: "bslice bounds", body: "lget0\npush 4\npush 3\nbslice\nret", args: "b", ret: "b", argv: [utf8("abcdef")] });
  E.push({ name: "beq equal", body: "lget0\nlget1\nbeq\nret", args: "bb", argv: [utf8("same"), utf8("same")] });
  E.push({ name: "beq differ", body: "lget0\nlget1\nbeq\nret", args: "bb", argv: [utf8("same"), utf8("sane")] });
  E.push({ name: "bget", body: "lget0\npush 2\nbget\nret", args: "b", argv: [utf8("xyz")] });
  E.push({ name: "bget bounds", body: "lget0\npush 3\nbget\nret", args: "b", argv: [utf8("xyz")] });
  for (const w of [1, 2, 4, 8]) E.push({ name: `itob ${w}`, body: `push -2\nitob ${w}\nret`, ret: "b" });
  E.push({ name: "btoi", body: "lget0\nbtoi\nret", args: "b", argv: [unhex("0102030405")] });
  E.push({ name: "btoi bounds", body: "lget0\nbtoi\nret", args: "b", argv: [new Uint8Array(9).fill(1)] });
  E.push({ name: "sha256 empty", body: "lget0\nsha256\nret", args: "b", ret: "b", argv: [new Uint8Array(0)] });
  E.push({ name: "sha256 200 bytes", body: "lget0\nsha256\nret", args: "b", ret: "b", argv: [new Uint8Array(200).fill(0x61)] });
  E.push({ name: "return max-length bytes", body: "lget0\nret", args: "b", ret: "b", argv: [new Uint8Array(LIMITS.MAX_BYTES_LEN.value).fill(0xee)] });
  // values in place and arena marks (issue 14)
  E.push({ name: "bput in place", body: "lget0\npush 1\npush 0x0302\nbput 2\nlget0\nret", args: "b", ret: "b", argv: [unhex("00000000")] });
  E.push({ name: "bput into a constant: bounds", body: "pushb c0\npush0\npush 1\nbput 1\npush0\nret", consts: ["0x0000"] });
  E.push({ name: "bwrite in place", body: "lget0\npush 1\npushb c0\nbwrite\nlget0\nret", args: "b", ret: "b", consts: ["0x0102"], argv: [unhex("aabbccdd")] });
  E.push({ name: "bwrite past the end: bounds", body: "lget0\npush 3\npushb c0\nbwrite\npush0\nret", args: "b", consts: ["0x0102"], argv: [unhex("aabbccdd")] });
  E.push({ name: "bdup", body: "lget0\nbdup\nret", args: "b", ret: "b", argv: [utf8("copy me")] });
  E.push({ name: "amark arelease loop", body: "loop:\namark\nlget0\nlget0\nbcat\ndrop\narelease\nladdi 1 1\nlget1\npush 3000\njltu loop\nlget1\nret", args: "b", locals: 1, argv: [new Uint8Array(300).fill(3)] });
  E.push({ name: "arelease above the top: bounds", body: "amark\npush 8\nadd\narelease\npush0\nret" });
  // storage
  E.push({ name: "sstore int then sload", body: "push 77\nsstore 3 0\nsload 3 0\nret" });
  E.push({ name: "sstore bytes then sload", body: "pushb c0\nsstore 4 2\nsload 4 2\nret", ret: "b", consts: ['"stored"'] });
  E.push({ name: "sload existing", body: "sload 1 0\nret", state: { self: { "01": "2a00000000000000" } } });
  E.push({ name: "sload short value zero-extends", body: "sload 1 0\nret", state: { self: { "01": "ff01" } } });
  E.push({ name: "sstore 0 deletes", body: "push0\nsstore 1 0\nsload 1 0\nret", state: { self: { "01": "2a00000000000000" } } });
  E.push({ name: "mstore int key", body: "push 5\npush 500\nmstore 2 0\npush 5\nmload 2 0\nret" });
  E.push({ name: "mstore bytes key bytes value", body: "lget0\nlget1\nmstore 2 3\nlget0\nmload 2 3\nret", args: "bb", ret: "b", argv: [utf8("k"), utf8("v")] });
  E.push({ name: "mload missing is 0", body: "push 9\nmload 2 0\nret" });
  E.push({ name: "mstore key too long", body: "lget0\npush1\nmstore 2 1\npush1\nret", args: "b", argv: [new Uint8Array(64).fill(1)] });
  E.push({ name: "sstore value too long: host_error", body: "lget0\nlget0\nbcat\nsstore 1 2\npush1\nret", args: "b", argv: [new Uint8Array(600).fill(2)] });
  E.push({ name: "writes discarded on revert", body: "push 5\nsstore 1 0\nrevert 1", ret: "none", state: { self: { "01": "0900000000000000" } } });
  E.push({ name: "writes discarded on out_of_gas", body: "push 5\nsstore 1 0\nloop:\njmp loop", ret: "none", gas: 500 });
  const other = sha256(utf8("another contract"));
  E.push({ name: "xload", body: "lget0\nxload 1 0\nret", args: "b", argv: [other], state: { [hex(other).slice(2)]: { "01": "6400000000000000" } } });
  E.push({ name: "xmload bytes", body: "lget0\npush 3\nxmload 2 2\nret", args: "b", ret: "b", argv: [other], state: { [hex(other).slice(2)]: { "020300000000000000": "cafe" } } });
  E.push({ name: "xload bad id length", body: "lget0\nxload 1 0\nret", args: "b", argv: [new Uint8Array(31)] });
  E.push({ name: "xload own id sees committed state only", body: "push 8\nsstore 1 0\nself\nxload 1 0\nret", state: { self: { "01": "0300000000000000" } } });
  // context and events
  E.push({ name: "caller", body: "caller\nret", ret: "b", caller: KEY_A });
  E.push({ name: "self", body: "self\nret", ret: "b" });
  E.push({ name: "now and height", body: "now\nheight\nsub\nret", timestamp: 1_700_000_000n, height: 123456n });
  E.push({ name: "timestamp max", body: "now\nret", timestamp: MAX });
  E.push({ name: "gasleft", body: "gasleft\nret", gas: 5000 });
  E.push({ name: "emit int and bytes", body: "push 7\npushb c0\nemit 3740250381 2 2\npush1\nret", consts: ["0x0a0b"] });
  E.push({ name: "emit no values", body: "emit 1 0 0\npush1\nret" });
  E.push({ name: "emit topic max", body: "push 1\nemit 4294967295 1 0\npush1\nret" });
  E.push({ name: "emit too many: host_error", body: "push 20\nlset0\nloop:\nlget0\nemit 5 1 0\nlget0\npush1\nsub\nltee 0\njnz loop\npush1\nret", locals: 1 });
  E.push({ name: "events discarded on revert", body: "push 1\nemit 9 1 0\nrevert 2", ret: "none" });
  return E;
}

function resolveState(e: Edge, self: Uint8Array): MemoryStateStore {
  const store = new MemoryStateStore();
  for (const [c, m] of Object.entries(e.state ?? {})) {
    const id = c === "self" ? self : unhex(c);
    for (const [k, v] of Object.entries(m)) store.set(id, unhex(k), unhex(v));
  }
  return store;
}

function edgeVectors(vm: MoteVM): VectorFile {
  const rec = new Recorder(vm);
  for (const e of edgeCases()) {
    const module = prog(e);
    const store = resolveState(e, sha256(module));
    rec.callWithGasEdge(`edge: ${e.name}`, module, store, { fn: "f", args: e.argv ?? [], caller: e.caller, timestamp: e.timestamp, height: e.height, gas: e.gas });
  }
  // calls that fail before any instruction runs
  const m = prog({ name: "id", body: "lget0\nret", args: "i" });
  rec.call("bad_call: unknown selector", m, new MemoryStateStore(), { fn: 0x12345678 });
  rec.call("bad_call: bytes for an int parameter", m, new MemoryStateStore(), { fn: "f", args: [utf8("x")] });
  rec.call("bad_call: too many arguments", m, new MemoryStateStore(), { fn: "f", args: [1n, 2n] });
  rec.call("bad_call: too few arguments", m, new MemoryStateStore(), { fn: "f", args: [] });
  rec.call("bad_call: arguments overflow the I/O buffer", m, new MemoryStateStore(), { fn: "f", args: [new Uint8Array(5000)] });
  rec.call("gas 0", m, new MemoryStateStore(), { fn: "f", args: [1n], gas: 0 });
  rec.call("gas MAX_GAS", m, new MemoryStateStore(), { fn: "f", args: [1n], gas: LIMITS.MAX_GAS.value });
  // modules the verifier rejects
  const good = prog({ name: "k", body: "push 1\nret" });
  const bad: [string, Uint8Array][] = [
    ["empty module", new Uint8Array(0)],
    ["bad magic", utf8("NOPE\x01")],
    ["bad version", new Uint8Array([...good.subarray(0, 4), 99, ...good.subarray(5)])],
    ["truncated", good.subarray(0, good.length - 3)],
    ["trailing garbage", new Uint8Array([...good, 0xff])],
    ["too large", new Uint8Array(LIMITS.MODULE_MAX_BYTES.value + 1).fill(0x4d)],
    ["unknown opcode", (() => { const b = good.slice(); b[b.length - 1 - b.slice().reverse().findIndex((x) => x === 0x54)] = 0xff; return b; })()],
  ];
  for (const [name, bytes] of bad) rec.call(`invalid_module: ${name}`, bytes, new MemoryStateStore(), { fn: "f" });
  return { format: VECTOR_FORMAT, source: "test/vectors/generate.ts edge cases (every opcode and status)", vectors: rec.vectors };
}

// -- sources: Ed25519 edge cases ------------------------------------------------------------------------

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leToBig = (b: Uint8Array): bigint => BigInt("0x" + Buffer.from(b).reverse().toString("hex") || "0");
const bigToLe = (v: bigint, n = 32): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
};
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
};
/** k = SHA-512(R || A || M) mod L, as RFC 8032 hashes the exact encodings. */
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint => leToBig(sha512(cat(r, a, m))) % L;

/** An order-8 point (libsodium's small-order list), a torsion component for mixed-order keys. */
const ORDER8 = unhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");

function ed25519Vectors(vm: MoteVM): VectorFile {
  const rec = new Recorder(vm);
  const module = prog({ name: "edverify", body: "lget0\nlget1\nlget2\nedverify\nret", args: "bbb" });
  const sk = sha256(utf8("mote ed25519 vector key"));
  const { scalar: a, pointBytes: A } = ed.utils.getExtendedPublicKey(sk);
  const msg = utf8("reading 21.5C at 12:00");
  const sig = ed.sign(msg, sk);
  const R = sig.subarray(0, 32);
  const S = leToBig(sig.subarray(32));
  const G = ed.Point.BASE;
  const cases: [string, Uint8Array, Uint8Array, Uint8Array][] = [];
  const add = (name: string, pk: Uint8Array, m: Uint8Array, s: Uint8Array) => cases.push([name, pk, m, s]);

  add("valid", A, msg, sig);
  add("valid, empty message", A, new Uint8Array(0), ed.sign(new Uint8Array(0), sk));
  add("valid, 900-byte message", A, new Uint8Array(900).fill(3), ed.sign(new Uint8Array(900).fill(3), sk));
  add("wrong message", A, utf8("reading 21.6C at 12:00"), sig);
  add("wrong key", ed.getPublicKey(sha256(utf8("other"))), msg, sig);
  add("flipped bit in R", A, msg, cat(new Uint8Array([R[0]! ^ 1]), R.subarray(1), sig.subarray(32)));
  add("non-canonical S (S + L)", A, msg, cat(R, bigToLe(S + L)));
  add("S = L", A, msg, cat(R, bigToLe(L)));
  add("S with the top bit set", A, msg, cat(R, bigToLe(S | (1n << 255n))));
  // small-order public keys: with R = [s]B any S satisfies the cofactored equation; strict mode refuses the key
  const s0 = 12345n;
  const Rs = G.multiply(s0).toBytes();
  const smallOrder: [string, Uint8Array][] = [
    ["identity", bigToLe(1n)],
    ["order 2 (y = p-1)", bigToLe(P - 1n)],
    ["order 4 (y = 0)", bigToLe(0n)],
    ["order 4 (y = 0, sign set)", bigToLe(1n << 255n)],
    ["order 8", ORDER8],
  ];
  for (const [name, pk] of smallOrder) add(`small-order key: ${name}`, pk, msg, cat(Rs, bigToLe(s0)));
  add("non-canonical key: y = p + 1 (identity)", bigToLe(P + 1n), msg, cat(Rs, bigToLe(s0)));
  add("key x = 0 with sign bit (identity, sign set)", bigToLe(1n | (1n << 255n)), msg, cat(Rs, bigToLe(s0)));
  add("key not on the curve", bigToLe(2n), msg, sig);
  add("key y >= p, not reducible to a point", bigToLe(P + 5n), msg, sig);
  // R of small order is allowed by strict RFC 8032 (and noble): R = identity, S = k*a
  {
    const Rid = bigToLe(1n);
    const k = challenge(Rid, A, msg);
    add("small-order R (identity) with a valid equation", A, msg, cat(Rid, bigToLe((k * a) % L)));
    const Rnc = bigToLe(P + 1n); // non-canonical encoding of the identity: decoders that reduce y accept it
    add("non-canonical R (y = p + 1) with a valid equation", A, msg, cat(Rnc, bigToLe((challenge(Rnc, A, msg) * a) % L)));
    const Rsign = bigToLe(1n | (1n << 255n)); // identity with the sign bit: x = 0 cannot be negative
    add("R x = 0 with sign bit with a valid equation", A, msg, cat(Rsign, bigToLe((challenge(Rsign, A, msg) * a) % L)));
  }
  // mixed-order key A' = A + T (T of order 8): valid under the cofactored equation noble uses, not the cofactorless one
  {
    const T = ed.Point.fromBytes(ORDER8);
    const A2 = ed.Point.fromBytes(A).add(T).toBytes();
    for (const [i, r] of [777n, 778n, 779n].entries()) {
      const Rr = G.multiply(r).toBytes();
      const k = challenge(Rr, A2, msg);
      add(`mixed-order key, signature ${i} (k mod 8 = ${k % 8n})`, A2, msg, cat(Rr, bigToLe((r + k * a) % L)));
    }
  }
  // lengths the VM refuses without calling the host
  add("31-byte key", A.subarray(0, 31), msg, sig);
  add("63-byte signature", A, msg, sig.subarray(0, 63));
  add("65-byte signature", A, msg, cat(sig, new Uint8Array(1)));
  for (const [name, pk, m, s] of cases) rec.call(`ed25519: ${name}`, module, new MemoryStateStore(), { fn: "f", args: [pk, m, s] });
  return { format: VECTOR_FORMAT, source: "test/vectors/generate.ts Ed25519 edge cases (RFC 8032 strict, as @noble/ed25519 zip215: false)", vectors: rec.vectors };
}

// -- sources: contracts/*.mote (when the compiler exists) -----------------------------------------------------

interface AbiLike {
  functions: { name: string; params: { name: string; type: string }[]; returns: string | null; view: boolean }[];
}
type CompileFileFn = (path: string) => { diagnostics: unknown[]; module?: Uint8Array; abi?: AbiLike };

export async function loadCompiler(): Promise<CompileFileFn | undefined> {
  const p = join(ROOT, "compiler/index.ts");
  if (!existsSync(p)) return undefined;
  const mod = (await import(pathToFileURL(p).href)) as { compileFile?: CompileFileFn };
  return mod.compileFile;
}

/** Sample values by ABI type; the k-th choice varies them across calls. */
function sampleByType(type: string, k: number): Value {
  switch (type) {
    case "pubkey":
      return [KEY_B, KEY_A, ZERO_KEY][k % 3]!;
    case "hash":
      return sha256(utf8(`sample ${k}`));
    case "sig":
      return new Uint8Array(64).fill(k);
    case "bytes":
      return utf8(["", "hello", "x".repeat(40)][k % 3]!);
    case "bool":
      return BigInt(k % 2);
    case "i64":
      return [-5n, 7n, 0n][k % 3]!;
    case "fixed":
      return [F1 * 3n / 2n, -F1, 0n][k % 3]!;
    default:
      return [100n, 1n, 0n, 1_000_000n][k % 4]!;
  }
}

export function compileContract(compileFile: CompileFileFn, path: string): { module: Uint8Array; abi: AbiLike } {
  const out = compileFile(path);
  if (!out.module || !out.abi) throw new Error(`${path}: does not compile (${out.diagnostics.length} diagnostics)`);
  return { module: out.module, abi: out.abi };
}

async function contractVectors(vm: MoteVM): Promise<VectorFile | undefined> {
  const compileFile = await loadCompiler();
  const dir = join(ROOT, "contracts");
  if (!compileFile || !existsSync(dir)) return undefined;
  const rec = new Recorder(vm);
  // contracts/, then the scratch-work programs whose struct and array locals live in place (issue 14)
  const scratch = join(ROOT, "test/programs/scratch");
  const sources = [
    ...readdirSync(dir).filter((f) => f.endsWith(".mote")).sort().map((f) => join(dir, f)),
    ...(existsSync(scratch) ? readdirSync(scratch).filter((f) => f.endsWith(".mote")).sort().map((f) => join(scratch, f)) : []),
  ];
  for (const path of sources) {
    const { module, abi } = compileContract(compileFile, path);
    const name = basename(path, ".mote");
    const store = new MemoryStateStore();
    const init = abi.functions.find((fn) => fn.name === "init");
    if (init) rec.call(`contracts/${name}: init`, module, store, { fn: "init", args: init.params.map((p) => sampleByType(p.type, 3)), caller: KEY_A });
    // Three rounds over every public function, alternating callers, on one evolving state.
    for (let k = 0; k < 3; k++) {
      for (const fn of abi.functions.filter((x) => x.name !== "init")) {
        const args = fn.params.map((p) => sampleByType(p.type, k));
        rec.callWithGasEdge(`contracts/${name}: ${fn.name} round ${k}`, module, store, { fn: fn.name, args, caller: k % 2 ? KEY_B : KEY_A, timestamp: 1_700_000_000n + BigInt(k), height: BigInt(100 + k) });
      }
    }
  }
  return { format: VECTOR_FORMAT, source: "contracts/*.mote and test/programs/scratch/*.mote compiled by compiler/index.ts", vectors: rec.vectors };
}

// -- main ---------------------------------------------------------------------------------------------------------

export const VECTOR_FILES = ["programs", "edge", "ed25519", "contracts"] as const;

/** The text of a vector file: one vector per line, so regenerations review as small diffs. */
export function vectorFileText(file: VectorFile): string {
  const body = file.vectors.map((v) => "    " + JSON.stringify(v)).join(",\n");
  return `{\n  "format": ${JSON.stringify(file.format)},\n  "source": ${JSON.stringify(file.source)},\n  "vectors": [\n${body}\n  ]\n}\n`;
}

export function vectorPath(name: string): string {
  return join(HERE, `${name}.json`);
}

/** Every vector file as the current VM, programs and contracts produce it (nothing written). */
export async function buildVectorFiles(): Promise<Record<string, VectorFile>> {
  await buildVm({ quiet: true });
  const vm = await MoteVM.create();
  const files: Record<string, VectorFile | undefined> = {
    programs: programVectors(vm),
    edge: edgeVectors(vm),
    ed25519: ed25519Vectors(vm),
    contracts: await contractVectors(vm),
  };
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, VectorFile] => e[1] !== undefined));
}

export async function generateVectors(): Promise<Record<string, number>> {
  const files = await buildVectorFiles();
  const counts: Record<string, number> = {};
  for (const [name, f] of Object.entries(files)) {
    writeFileSync(vectorPath(name), vectorFileText(f));
    counts[name] = f.vectors.length;
  }
  return counts;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    const counts = await generateVectors();
    for (const [name, n] of Object.entries(counts)) process.stdout.write(`test/vectors/${name}.json: ${n} vectors\n`);
  } catch (e) {
    process.stderr.write(`vectors: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}\n`);
    process.exit(1);
  }
}
