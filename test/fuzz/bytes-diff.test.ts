// Differential test of the byte-string rows against a model written from their docs: random strings
// and edge-biased indices through the VM. A new byte-string row without a model here fails the test.
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import * as ed from "@noble/ed25519";
import { describe, expect, it } from "vitest";
import { OPCODES, type OpcodeRow } from "../../vm/spec/opcodes.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { CodeBuilder, encodeModule, selectorOf, type OperandValue } from "../../vm/spec/module.ts";
import { MoteVM, MemoryStateStore, type Value } from "../../vm/host/index.ts";
import { FUZZ_SIGNED, typedSig, type Ty } from "./program-gen.ts";
import { Rng, seedFromEnv } from "./random.ts";

ed.hashes.sha512 = sha512;
const SEED = seedFromEnv();
const PER_ROW = 600;
const MAXB = BigInt(LIMITS.MAX_BYTES_LEN.value);
type Out = Value | "bounds";

const le = (x: bigint, w: number): Uint8Array => Uint8Array.from({ length: w }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
const fromLe = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

/** The model: inputs in stack order (bottom first), the row's operands, the result or a status. */
const MODEL: Record<string, (ins: Value[], ops: OperandValue[]) => Out> = {
  blen: ([b]) => BigInt((b as Uint8Array).length),
  bcat: ([a, b]) => {
    const x = a as Uint8Array;
    const y = b as Uint8Array;
    return BigInt(x.length + y.length) > MAXB ? "bounds" : Uint8Array.from([...x, ...y]);
  },
  bslice: ([b, off, len]) => {
    const s = b as Uint8Array;
    const o = off as bigint;
    const l = len as bigint;
    return o > BigInt(s.length) || l > BigInt(s.length) - o ? "bounds" : s.slice(Number(o), Number(o + l));
  },
  beq: ([a, b]) => (Buffer.compare(Buffer.from(a as Uint8Array), Buffer.from(b as Uint8Array)) === 0 ? 1n : 0n),
  bget: ([b, i]) => ((i as bigint) >= BigInt((b as Uint8Array).length) ? "bounds" : BigInt((b as Uint8Array)[Number(i)]!)),
  itob: ([i], [w]) => le(i as bigint, Number(w)),
  btoi: ([b]) => ((b as Uint8Array).length > 8 ? "bounds" : fromLe(b as Uint8Array)),
  sha256: ([b]) => sha256(b as Uint8Array),
  // rows that write in place: the model gives the buffer after the write (the harness returns input 0)
  bput: ([b, off, v], [w]) => {
    const s = (b as Uint8Array).slice();
    const o = off as bigint;
    if (o > BigInt(s.length) || BigInt(Number(w)) > BigInt(s.length) - o) return "bounds";
    s.set(le(v as bigint, Number(w)), Number(o));
    return s;
  },
  bwrite: ([b, off, src]) => {
    const s = (b as Uint8Array).slice();
    const o = off as bigint;
    const x = src as Uint8Array;
    if (o > BigInt(s.length) || BigInt(x.length) > BigInt(s.length) - o) return "bounds";
    s.set(x, Number(o));
    return s;
  },
  bdup: ([b]) => (b as Uint8Array).slice(),
  edverify: ([pk, msg, sig]) => {
    const p = pk as Uint8Array;
    const s = sig as Uint8Array;
    if (p.length !== 32 || s.length !== 64) return 0n;
    try {
      return ed.verify(s, msg as Uint8Array, p, { zip215: false }) ? 1n : 0n;
    } catch {
      return 0n;
    }
  },
};

/** Rows that only transform their inputs: typed by the overlay, no storage, no context, no control. */
const BYTE_ROWS: OpcodeRow[] = OPCODES.filter((r) => {
  if (r.flow !== "next" || r.pop === 0 || r.operands.some((o) => o.kind !== "width")) return false;
  // native value rows read and write balances: state, like storage (test/vm/opcodes.test.ts and the vectors cover them)
  if (r.dyn === "balance" || r.dyn === "pay") return false;
  const sig = typedSig(r, [8]);
  return sig !== undefined && [...sig.ins, ...sig.outs].includes("b");
});

/** Lengths at the edges: empty, one, around an integer's 8 bytes and a key's 32 and 64, and the longest argument the I/O buffer takes whole. */
const EDGE_LENGTHS = [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, LIMITS.MAX_BYTES_LEN.value - 4, LIMITS.MAX_BYTES_LEN.value - 3];

const show = (v: Out): string => (typeof v === "string" ? v : typeof v === "bigint" ? v.toString() : "0x" + Buffer.from(v).toString("hex"));

describe(`byte-string rows against the model (MOTE_SEED=${SEED})`, () => {
  it("every byte-string row has a model", () => {
    expect(BYTE_ROWS.map((r) => r.name).filter((n) => !MODEL[n])).toEqual([]);
    expect(BYTE_ROWS.length).toBeGreaterThanOrEqual(9);
  });

  it(`agrees on ${PER_ROW} random inputs per row`, async () => {
    console.log(`bytes diff seed: MOTE_SEED=${SEED}`);
    const vm = await MoteVM.create();
    const r = new Rng(SEED);
    const store = new MemoryStateStore();
    const wrong: string[] = [];
    for (const row of BYTE_ROWS) {
      for (const width of row.operands.length ? [1, 2, 4, 8] : [0]) {
        const ops: OperandValue[] = row.operands.length ? [width] : [];
        const sig = typedSig(row, ops)!;
        const code = new CodeBuilder();
        sig.ins.forEach((_, i) => code.emit("lget", i));
        code.emit(row.name, ...ops);
        // a row that writes in place returns nothing: return the buffer it wrote (input 0, an argument in the arena)
        const outs: Ty[] = sig.outs.length === 0 ? ["b"] : sig.outs;
        if (sig.outs.length === 0) code.emit("lget", 0);
        code.emit("ret");
        const mask = (ts: Ty[]): number => ts.reduce((m, t, i) => (t === "b" ? m | (1 << i) : m), 0);
        const mod = encodeModule({
          functions: [{ params: sig.ins.length, results: 1, locals: 0, maxStack: sig.ins.length, code: code.finish() }],
          consts: [],
          exports: [{ selector: selectorOf("f"), func: 0, view: true, argMask: mask(sig.ins), retMask: mask(outs) }],
        });
        for (let k = 0; k < PER_ROW; k++) {
          let args: Value[] = sig.ins.map((t) =>
            t === "b" ? r.bytes(r.weighted<number>([[6, r.int(20)], [2, r.pick(EDGE_LENGTHS)], [1, r.int(LIMITS.MAX_BYTES_LEN.value + 1)]])) : r.u64(),
          );
          // indices mostly near the string's length, where off-by-ones live
          if ((row.name === "bput" || row.name === "bwrite") && !r.chance(0.2)) {
            // the offset near where the write stops fitting
            const n = (args[0] as Uint8Array).length;
            const w = row.name === "bput" ? width : (args[2] as Uint8Array).length;
            args[1] = BigInt(Math.max(0, r.range(n - w - 1, n + 1)));
          }
          if (row.name === "bslice" || row.name === "bget") {
            const n = (args[0] as Uint8Array).length;
            args = args.map((a, i) => (i === 0 || r.chance(0.2) ? a : BigInt(Math.max(0, r.range(-1, n + 1)))));
          }
          if (row.name === "edverify" && r.chance(0.5)) {
            const good: Uint8Array[] = [FUZZ_SIGNED.pubkey, FUZZ_SIGNED.message, FUZZ_SIGNED.signature.slice()];
            if (r.chance(0.5)) good[2]![r.int(64)] ^= 1 << r.int(8);
            args = good;
          }
          // tagged arguments share the call's I/O buffer (MAX_BYTES_LEN plus a little): larger sets are bad_call by design
          if (args.reduce((n, a) => n + (typeof a === "bigint" ? 9 : 3 + a.length), 0) > LIMITS.MAX_BYTES_LEN.value) continue;
          const want = MODEL[row.name]!(args, ops);
          const got = vm.call(mod, "f", args, { store, gas: LIMITS.DEFAULT_GAS.value });
          const gotText = got.status === "ok" ? show(got.returns[0]!) : got.status;
          if (gotText !== show(want)) wrong.push(`${row.name}${ops.length ? ` ${width}` : ""}(${args.map((a) => show(a).slice(0, 40)).join(", ")}): VM ${gotText.slice(0, 80)}, model ${show(want).slice(0, 80)}`);
        }
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});
