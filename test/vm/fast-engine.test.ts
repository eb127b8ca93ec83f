// The fast engine (vm/host/fast.ts: modules translated to WebAssembly) against the interpreter, the reference:
// every conformance vector gives the recorded result and state, and a call stopped at every possible gas
// limit stops at the same place with the same gas, status and state as on the interpreter.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { assemble, disassemble } from "../../vm/asm/index.ts";
import { untranslatedOpcodes } from "../../vm/host/fast.ts";
import { MemoryStateStore, MoteVM, resultToJson, type Value } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { argFromString, vectorPath, type VectorFile } from "../vectors/generate.ts";

const ROOT = join(new URL(".", import.meta.url).pathname, "../..");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
const masm = (name: string): Uint8Array => assemble(readFileSync(join(ROOT, "test/programs", name), "utf8"), name);

let interp: MoteVM;
let fast: MoteVM;
beforeAll(async () => {
  interp = await MoteVM.create();
  fast = await MoteVM.create({ engine: "fast" });
});

describe("fast engine", () => {
  it("translates every opcode of the table", () => {
    expect(untranslatedOpcodes()).toEqual([]);
  });

  it("is the engine it was asked for, and refuses the trace build", async () => {
    expect(interp.engine).toBe("interp");
    expect(fast.engine).toBe("fast");
    await expect(MoteVM.create({ engine: "fast", trace: true })).rejects.toThrow(/fast engine/);
  });

  for (const name of ["programs", "edge", "ed25519", "contracts"]) {
    it(`gives every ${name} conformance vector's recorded result and state`, () => {
      const file = JSON.parse(readFileSync(vectorPath(name), "utf8")) as VectorFile;
      expect(file.vectors.length).toBeGreaterThan(0);
      for (const v of file.vectors) {
        const store = MemoryStateStore.fromJSON(v.stateBefore);
        const r = fast.call(unhex(v.module), v.fn ?? v.selector, v.args.map(argFromString), {
          store, caller: unhex(v.caller), timestamp: BigInt(v.timestamp), height: BigInt(v.height), gas: v.gas,
          self: v.self ? unhex(v.self) : undefined, value: v.value !== undefined ? BigInt(v.value) : undefined,
        });
        expect(resultToJson(r), v.name).toBe(v.expected);
        expect(store.toJSON(), `${v.name}: state after`).toEqual(v.stateAfter);
      }
    });
  }

  /**
   * Runs the call on both engines at every gas limit where the interpreter's stop moves, from 0 to what it
   * needs (+1): identical outcomes. Every limit up to 4,000 and in the last 4,000; beyond, state prices put
   * millions of gas between stops, so the limits either side of each stop are found by bisection.
   */
  function limitsOf(module: Uint8Array, fn: string, args: Value[], seed: (s: MemoryStateStore) => void, caller: Uint8Array | undefined, total: number): number[] {
    const stopAt = (gas: number): string => {
      const r = interp.call(module, fn, args, { store: withSeed(seed), gas, caller });
      return `${r.status}:${r.stopOffset}`;
    };
    const out = new Set<number>();
    for (let g = 0; g <= Math.min(total + 1, 4000); g++) out.add(g);
    for (let g = Math.max(0, total - 4000); g <= total + 1; g++) out.add(g);
    const stride = 997;
    for (let lo = 4000; lo < total - 4000; lo += stride) {
      const hi = Math.min(lo + stride, total);
      let a = lo;
      let b = hi;
      if (stopAt(a) === stopAt(b)) continue;
      // the one stop change in (a, b] nearest a: bisect while the outcome at a holds
      const at = stopAt(a);
      while (b - a > 1) {
        const m = (a + b) >> 1;
        if (stopAt(m) === at) a = m;
        else b = m;
      }
      for (const g of [a - 1, a, b, b + 1]) out.add(g);
    }
    return [...out].sort((x, y) => x - y);
  }

  /** Runs the call on both engines at every gas limit where a stop moves, from 0 to what it needs (+1): identical outcomes. */
  function sweep(module: Uint8Array, fn: string, args: Value[], seed: (s: MemoryStateStore) => void, caller?: Uint8Array): number {
    const full = interp.call(module, fn, args, { store: withSeed(seed), gas: 100_000_000, caller });
    expect(full.status, `${fn} runs`).not.toBe("out_of_gas");
    let stops = 0;
    for (const gas of limitsOf(module, fn, args, seed, caller, full.gasUsed)) {
      const a = withSeed(seed);
      const b = withSeed(seed);
      const ra = resultToJson(interp.call(module, fn, args, { store: a, gas, caller }));
      const rb = resultToJson(fast.call(module, fn, args, { store: b, gas, caller }));
      expect(rb, `${fn} with gas ${gas}`).toBe(ra);
      expect(b.toJSON(), `${fn} with gas ${gas}: state`).toEqual(a.toJSON());
      if (ra.includes('"out_of_gas"')) stops++;
    }
    return stops;
  }
  const withSeed = (seed: (s: MemoryStateStore) => void): MemoryStateStore => {
    const s = new MemoryStateStore();
    seed(s);
    return s;
  };

  it("stops out of gas exactly where the interpreter does, at every limit (recursive fib, checked sum loop)", () => {
    expect(sweep(masm("fib.masm"), "fib", [10n], () => {})).toBeGreaterThan(100);
    expect(sweep(masm("sum.masm"), "sum", [30n], () => {})).toBeGreaterThan(100);
  });

  it("stops out of gas exactly where the interpreter does, at every limit (a compiled token transfer)", () => {
    const out = compileFile(join(ROOT, "contracts/token.mote"));
    const token = out.module!;
    const owner = new Uint8Array(32).fill(1);
    const to = new Uint8Array(32).fill(2);
    const seed = (s: MemoryStateStore): void => {
      const r = interp.call(token, "init", [1_000_000n], { store: s, caller: owner, gas: 100_000_000 });
      expect(r.status).toBe("ok");
    };
    expect(sweep(token, "transfer", [to, 250n], seed, owner)).toBeGreaterThan(50);
  });

  it("runs the short forms (once, req32 and the one-operand storage forms) as the interpreter does, at every gas limit", () => {
    const token = compileFile(join(ROOT, "contracts/token.mote")).module!;
    const ops = new Set(disassemble(token).split("\n").map((l) => l.trim().split(/\s+/)[0]));
    for (const op of ["once", "req32", "sstorei", "mloadbi", "mstorebi"]) expect(ops.has(op), `token uses ${op}`).toBe(true);
    const owner = new Uint8Array(32).fill(1);
    const deployed = (s: MemoryStateStore): void => {
      expect(interp.call(token, "init", [1_000n], { store: s, caller: owner, gas: 100_000_000 }).status).toBe("ok");
    };
    expect(sweep(token, "init", [1_000n], () => {}, owner)).toBeGreaterThan(10); // once: the first run writes its flag
    expect(sweep(token, "init", [1_000n], deployed, owner)).toBeGreaterThan(0); // once: a second run reverts
    expect(sweep(token, "transfer", [new Uint8Array(31), 1n], deployed, owner)).toBeGreaterThan(0); // req32: 31 bytes revert
  });

  // Regression (issue 11, point 1: the ledger's engine priced mulu/muls, blen, bget, amark, arelease and req32
  // by a runtime call each, 3-10x an add per gas): these are now translated inline. The inline checks must
  // stop exactly as the interpreter's do at every edge: products at the overflow boundaries, references one
  // byte outside the arena, indexes at the length, marks either side of the arena's start and top.
  it("runs the inline ops (mulu, muls, blen, bget, amark, arelease, req32) as the interpreter does at their edges", () => {
    const m = assemble(
      [
        '.const s32 0x' + "ab".repeat(32),
        '.const s31 0x' + "cd".repeat(31),
        ".func mulu params=2 results=1 locals=0", "lget0", "lget1", "mulu", "ret", ".end", ".export mulu func=mulu",
        ".func muls params=2 results=1 locals=0", "lget0", "lget1", "muls", "ret", ".end", ".export muls func=muls",
        // blen / bget / req32 of a 32-byte constant's reference moved by d (an int: any 64-bit pattern)
        ".func blen params=1 results=1 locals=0", "pushb s32", "lget0", "add", "blen", "ret", ".end", ".export blen func=blen",
        ".func bget params=2 results=1 locals=0", "pushb s32", "lget0", "add", "lget1", "bget", "ret", ".end", ".export bget func=bget",
        ".func req32 params=1 results=1 locals=0", "pushb s32", "lget0", "add", "req32 7", "push1", "ret", ".end", ".export req32 func=req32",
        // self is a 32-byte reference 48 bytes above CTX, the lowest address a reference may have
        ".func blenself params=1 results=1 locals=0", "self", "lget0", "add", "blen", "ret", ".end", ".export blenself func=blenself",
        ".func req31 params=0 results=1 locals=0", "pushb s31", "req32 7", "push1", "ret", ".end", ".export req31 func=req31",
        // a mark moved by d released, then the arena's top read back: a fresh 8-byte string sits at the new top
        ".func arel params=1 results=1 locals=1", "push 5", "itob 8", "drop", "amark", "lget0", "add", "arelease", "amark", "push 9", "itob 8", "blen", "add", "ret", ".end", ".export arel func=arel",
      ].join("\n"),
      "inline-ops.masm",
    );
    const U = (v: bigint): bigint => BigInt.asUintN(64, v);
    const edges = [0n, 1n, 2n, 3n, -1n, -2n, 0x7fffffffn, 0x80000000n, -0x80000000n, -0x80000001n, 0xffffffffn, 0x100000000n, 0x100000001n,
      3037000499n, 3037000500n, -3037000500n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xfffffffffn].map(U);
    const both = (fn: string, args: bigint[]): string => {
      const ra = resultToJson(interp.call(m, fn, args, { store: new MemoryStateStore(), gas: 10_000 }));
      const rb = resultToJson(fast.call(m, fn, args, { store: new MemoryStateStore(), gas: 10_000 }));
      expect(rb, `${fn}(${args.join(", ")})`).toBe(ra);
      return ra;
    };
    const statuses = new Set<string>();
    for (const a of edges) for (const b of edges) for (const fn of ["mulu", "muls"]) statuses.add(`${fn} ${JSON.parse(both(fn, [a, b])).status}`);
    // both outcomes of both products are reached (the edges are not all on one side)
    expect([...statuses].sort()).toEqual(["muls ok", "muls overflow", "mulu ok", "mulu overflow"]);
    // references: moved by bytes (the address) and by lengths (the high word), either side of valid
    const moves = [0n, 1n, -1n, 8n, 9n, 31n, 32n, 33n, -48n, -49n, -4096n, 1n << 32n, -(1n << 32n), 0xffffn << 32n, 1n << 31n, 1n << 63n, 0x10000n].map(U);
    const seen = new Set<string>();
    for (const d of moves) {
      seen.add(`blen ${JSON.parse(both("blen", [d])).status}`);
      seen.add(`req32 ${JSON.parse(both("req32", [d])).status}`);
      seen.add(`blenself ${JSON.parse(both("blenself", [d])).status}`);
      for (const i of [0n, 31n, 32n, 33n, 1n << 32n, U(-1n)]) seen.add(`bget ${JSON.parse(both("bget", [d, i])).status}`);
      seen.add(`arel ${JSON.parse(both("arel", [d])).status}`);
      seen.add(`arel ${JSON.parse(both("arel", [U(-d)])).status}`);
    }
    seen.add(`req31 ${JSON.parse(both("req31", [])).status}`);
    for (const k of ["blen ok", "blen bounds", "bget ok", "bget bounds", "req32 ok", "req32 bounds", "req32 revert", "req31 revert", "arel ok", "arel bounds", "blenself ok", "blenself bounds"]) {
      expect(seen.has(k), k).toBe(true);
    }
  });

  // Regression (issue 11, point 1: bput and bwrite were the ledger's dearest rows per gas, 3.1x the mean, each
  // a runtime call, and bdup feeds both): these and bcat are now translated inline, with the copy's dynamic gas. At
  // every edge they must stop as the interpreter does: a reference moved outside the arena (the module's
  // constants are not writable), offsets at and past the length, each width, sources that overlap the
  // destination, gas that runs out on the copy's charge, concatenations past MAX_BYTES_LEN, and copies that fill
  // the arena.
  it("runs bput, bwrite, bdup and bcat inline as the interpreter does at their edges", () => {
    const m = assemble(
      [
        ".const s32 0x" + Array.from({ length: 32 }, (_, i) => (i + 1).toString(16).padStart(2, "0")).join(""),
        ".const s9 0x" + "ee".repeat(9),
        ".const s80 0x" + "5a".repeat(80),
        ".const s944 0x" + "c3".repeat(944),
        // a 32-byte arena copy of s32 moved by d, v put at off with width w; the result: the copy's bytes 0..8 and 24..32 xored
        ...[1, 2, 4, 8].flatMap((w) => [
          `.func put${w} params=3 results=1 locals=1`, "pushb s32", "bdup", "lset3", "lget3", "lget0", "add", "lget1", "lget2", `bput ${w}`,
          "lget3", "push0", "push 8", "bslice", "btoi", "lget3", "push 24", "push 8", "bslice", "btoi", "xor", "ret", ".end", `.export put${w} func=put${w}`,
        ]),
        // bput into the module's constant itself (never writable)
        ".func putconst params=0 results=1 locals=0", "pushb s32", "push0", "push 7", "bput 8", "push1", "ret", ".end", ".export putconst func=putconst",
        // bwrite of source k (0: s9, 1: s80, 2: bytes 5..21 of the destination itself) into the copy moved by d at off
        ".func wr params=3 results=1 locals=2", "pushb s80", "bdup", "lset3",
        "lget2", "jnz K1", "pushb s9", "jmp K", "K1:", "lget2", "push1", "eq", "jz K2", "pushb s80", "jmp K", "K2:", "lget3", "push 5", "push 16", "bslice",
        "K:", "lset 4", "lget3", "lget0", "add", "lget1", "lget 4", "bwrite",
        "lget3", "push0", "push 8", "bslice", "btoi", "lget3", "push 40", "push 8", "bslice", "btoi", "xor", "lget3", "push 72", "push 8", "bslice", "btoi", "xor", "ret", ".end", ".export wr func=wr",
        ".func wrconst params=0 results=1 locals=0", "pushb s32", "push0", "pushb s9", "bwrite", "push1", "ret", ".end", ".export wrconst func=wrconst",
        // bdup of s80's reference moved by d: its length and its bytes 72..80
        ".func dupd params=1 results=1 locals=0", "pushb s80", "lget0", "add", "bdup", "dup", "blen", "swap", "push 72", "push 8", "bslice", "btoi", "xor", "ret", ".end", ".export dupd func=dupd",
        // bcat of s80's reference moved by d and s9: its length and its bytes 80..88 (s9's first 8)
        ".func catd params=1 results=1 locals=0", "pushb s80", "lget0", "add", "pushb s9", "bcat", "dup", "blen", "swap", "push 80", "push 8", "bslice", "btoi", "xor", "ret", ".end", ".export catd func=catd",
        // s944 and s80 with its length moved by d (the high word): 1,024 bytes is MAX_BYTES_LEN, one more is bounds
        ".func catmax params=1 results=1 locals=0", "pushb s944", "pushb s80", "lget0", "add", "bcat", "blen", "ret", ".end", ".export catmax func=catmax",
        // n concatenations of s80 and s80 kept in the arena: arena_full once they pass its end
        ".func catfill params=1 results=1 locals=1", "H:", "lget0", "jz I", "pushb s80", "pushb s80", "bcat", "drop", "lget0", "push1", "sub", "lset0", "jmp H", "I:", "push1", "ret", ".end", ".export catfill func=catfill",
        // n copies of s80 kept in the arena: arena_full once they pass its end
        ".func fill params=1 results=1 locals=1", "F:", "lget0", "jz G", "pushb s80", "bdup", "drop", "lget0", "push1", "sub", "lset0", "jmp F", "G:", "push1", "ret", ".end", ".export fill func=fill",
      ].join("\n"),
      "inline-bput.masm",
    );
    const U = (v: bigint): bigint => BigInt.asUintN(64, v);
    const both = (fn: string, args: bigint[], gas = 10_000): string => {
      const ra = resultToJson(interp.call(m, fn, args, { store: new MemoryStateStore(), gas }));
      const rb = resultToJson(fast.call(m, fn, args, { store: new MemoryStateStore(), gas }));
      expect(rb, `${fn}(${args.join(", ")}) gas ${gas}`).toBe(ra);
      return ra;
    };
    const seen = new Set<string>();
    const moves = [0n, 1n, -1n, 8n, -32n, -33n, 1n << 32n, -(1n << 32n), 1n << 63n].map(U);
    const offs = [0n, 1n, 7n, 24n, 25n, 28n, 31n, 32n, 33n, 1n << 32n, U(-1n), U(-8n)];
    for (const w of [1, 2, 4, 8])
      for (const d of moves) for (const off of offs) seen.add(`put${w} ${JSON.parse(both(`put${w}`, [d, off, U(-0x123456789abcdefn)])).status}`);
    seen.add(`putconst ${JSON.parse(both("putconst", [])).status}`);
    seen.add(`wrconst ${JSON.parse(both("wrconst", [])).status}`);
    for (const k of [0n, 1n, 2n])
      for (const d of [0n, 1n, -1n, 5n, 1n << 32n, U(-(1n << 32n))].map(U))
        for (const off of [0n, 3n, 8n, 71n, 72n, 75n, 80n, U(-1n)]) seen.add(`wr${k} ${JSON.parse(both("wr", [d, off, k])).status}`);
    for (const d of moves) seen.add(`dupd ${JSON.parse(both("dupd", [d])).status}`);
    for (const n of [1n, 10n, 100n, 1_000n, 100_000n]) seen.add(`fill ${JSON.parse(both("fill", [n], 100_000_000)).status}`);
    for (const d of moves) seen.add(`catd ${JSON.parse(both("catd", [d])).status}`);
    for (const d of [0n, 1n << 32n, U(-(1n << 32n)), 2n << 32n]) seen.add(`catmax ${JSON.parse(both("catmax", [d])).status}`);
    expect(JSON.parse(both("catmax", [0n])).returns).toEqual([String(LIMITS.MAX_BYTES_LEN.value)]);
    for (const n of [1n, 100n, 100_000n]) seen.add(`catfill ${JSON.parse(both("catfill", [n], 100_000_000)).status}`);
    const catFull = JSON.parse(both("catd", [0n]));
    for (let g = Math.max(0, catFull.gasUsed - 50); g <= catFull.gasUsed + 1; g++) seen.add(`catd-gas ${JSON.parse(both("catd", [0n], g)).status}`);
    const dupFull = JSON.parse(both("dupd", [0n]));
    for (let g = Math.max(0, dupFull.gasUsed - 40); g <= dupFull.gasUsed + 1; g++) seen.add(`dupd-gas ${JSON.parse(both("dupd", [0n], g)).status}`);
    // the copy's charge at every gas limit around where it runs out (s80: 10 words, 30 gas)
    const full = JSON.parse(both("wr", [0n, 0n, 1n]));
    for (let g = Math.max(0, full.gasUsed - 60); g <= full.gasUsed + 1; g++) seen.add(`wr-gas ${JSON.parse(both("wr", [0n, 0n, 1n], g)).status}`);
    for (const k of ["put1 ok", "put1 bounds", "put2 ok", "put2 bounds", "put4 ok", "put4 bounds", "put8 ok", "put8 bounds", "putconst bounds", "wrconst bounds",
      "wr0 ok", "wr0 bounds", "wr1 ok", "wr1 bounds", "wr2 ok", "wr2 bounds", "wr-gas ok", "wr-gas out_of_gas",
      "dupd ok", "dupd bounds", "fill ok", "fill arena_full", "dupd-gas ok", "dupd-gas out_of_gas",
      "catd ok", "catd bounds", "catmax ok", "catmax bounds", "catfill ok", "catfill arena_full", "catd-gas ok", "catd-gas out_of_gas"]) {
      expect(seen.has(k), k).toBe(true);
    }
  });

  // Regression (issue 11, point 1: fmul and fdiv, runtime calls, ran at 2.9x the mean wall time per gas on the
  // ledger): both are translated inline (fmul's 128-bit product from 32-bit halves, fdiv's two divisions and
  // its correction step). At the edges of every overflow test (the product's high word past 16 bits, the
  // quotient past 64 bits, the signed result outside i64) and of fdiv's paths (the dividend's and the
  // divisor's 2^48) they must agree with the interpreter.
  it("runs fmul and fdiv inline as the interpreter does at their edges", () => {
    const m = assemble(
      ["fmul", "fdiv"].flatMap((f) => [`.func ${f} params=2 results=1 locals=0`, "lget0", "lget1", f, "ret", ".end", `.export ${f} func=${f}`]).join("\n"),
      "inline-fixed.masm",
    );
    const U = (v: bigint): bigint => BigInt.asUintN(64, v);
    const base = [0n, 1n, 2n, 3n, 0xffffn, 0x10000n, 0x10001n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0xb504f333n, 0xb504f334n,
      1n << 39n, (1n << 39n) + 1n, 1n << 40n, 1n << 47n, (1n << 47n) - 1n, 1n << 48n, (1n << 48n) - 1n, (1n << 48n) + 1n, 0xffffffffffffn << 8n,
      0x7fffffffffffffffn, 0x8000000000000000n, 3037000499n << 8n, 0x123456789abcdefn, (1n << 62n) + 12345n];
    const edges = [...new Set(base.flatMap((v) => [U(v), U(-v)]))];
    const statuses = new Set<string>();
    for (const fn of ["fmul", "fdiv"])
      for (const a of edges)
        for (const b of edges) {
          const ra = resultToJson(interp.call(m, fn, [a, b], { store: new MemoryStateStore(), gas: 1_000 }));
          const rb = resultToJson(fast.call(m, fn, [a, b], { store: new MemoryStateStore(), gas: 1_000 }));
          expect(rb, `${fn}(${a}, ${b})`).toBe(ra);
          statuses.add(`${fn} ${JSON.parse(ra).status}`);
        }
    // the signed limit exactly: 2^63 - 1 fits, -2^63 fits, one past either overflows (2^47 * 2^32 is 2^63 after >> 16)
    const F = (a: bigint, b: bigint): string => resultToJson(fast.call(m, "fmul", [U(a), U(b)], { store: new MemoryStateStore(), gas: 1_000 }));
    expect(JSON.parse(F(1n << 47n, 1n << 32n)).status).toBe("overflow");
    expect(JSON.parse(F(-(1n << 47n), 1n << 32n)).returns).toEqual([String(U(-(1n << 63n)))]);
    expect(JSON.parse(F((1n << 63n) - 1n, 1n << 16n)).returns).toEqual([String((1n << 63n) - 1n)]);
    expect([...statuses].sort()).toEqual(["fdiv div_zero", "fdiv ok", "fdiv overflow", "fmul ok", "fmul overflow"]);
  });

  it("translates a module once per process, whichever VM runs it", async () => {
    const other = await MoteVM.create({ engine: "fast" });
    const sum = masm("sum.masm");
    const store = new MemoryStateStore();
    const a = fast.call(sum, "sum", [100n], { store });
    const b = other.call(sum, "sum", [100n], { store });
    expect(resultToJson(a)).toBe(resultToJson(b));
    const cache = (fast as unknown as { loadedFast: { fm: unknown } }).loadedFast.fm;
    expect((other as unknown as { loadedFast: { fm: unknown } }).loadedFast.fm).toBe(cache);
  });
});
