// Issue 15 goal 4: the token of docs/language.md compiles to at most 108 bytes (1/8 of the 864-byte runtime
// solc makes of it) through the table's short forms (once, req32, sloadi/sstorei/mloadbi/mstorebi), and the
// short forms change nothing a caller can see but gas: the same calls on codegen's naive output and on the
// optimized module give the same statuses, returns, errors, events and storage.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { decodeInstruction, decodeModule } from "../../vm/spec/module.ts";
import { MemoryStateStore, MoteVM, type Value } from "../../vm/host/index.ts";

const ROOT = join(import.meta.dirname, "../..");
const DOC_TOKEN = /```mote\n(contract Token \{[\s\S]*?)```/.exec(readFileSync(join(ROOT, "docs/language.md"), "utf8"))![1]!;
const TOKEN = readFileSync(join(ROOT, "contracts/token.mote"), "utf8");
const key = (n: number): Uint8Array => new Uint8Array(32).fill(n);

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

function build(source: string, optimize: boolean): Uint8Array {
  const out = compileSource(source, "token.mote", undefined, { optimize });
  if (!out.module) throw new Error(out.diagnostics.map((d) => d.message).join("; "));
  return out.module;
}

function opsOf(module: Uint8Array): string[] {
  const ops: string[] = [];
  for (const f of decodeModule(module).functions) {
    for (let p = 0; p < f.code.length; ) {
      const i = decodeInstruction(f.code, p);
      ops.push(i.row.name);
      p = i.next;
    }
  }
  return ops;
}

/** Runs the same calls on a fresh store; everything observable except gas. */
function run(module: Uint8Array, calls: [fn: string, args: Value[], caller: number][]): unknown[] {
  const store = new MemoryStateStore();
  const seen: unknown[] = calls.map(([fn, args, caller]) => {
    const r = vm.call(module, fn, args, { store, caller: key(caller), gas: 10_000_000 });
    return { fn, status: r.status, returns: r.returns, error: r.error, events: r.events };
  });
  seen.push([...store.entries()].map(([, k, v]) => `${k}=${v}`).sort());
  return seen;
}

describe("short forms (issue 15 goal 4: module size)", () => {
  it("the token of docs/language.md compiles to at most 108 bytes", () => {
    expect(build(DOC_TOKEN, true).length).toBeLessThanOrEqual(108);
  });

  it("the optimizer uses each short form on the tokens", () => {
    const ops = new Set([...opsOf(build(DOC_TOKEN, true)), ...opsOf(build(TOKEN, true))]);
    for (const op of ["once", "req32", "sstorei", "mloadbi", "mstorebi"]) expect(ops.has(op), op).toBe(true);
    for (const op of ["once", "req32", "sloadi", "sstorei", "mloadbi", "mstorebi"]) expect(opsOf(build(TOKEN, false))).not.toContain(op);
  });

  for (const [name, source] of [["docs/language.md token", DOC_TOKEN], ["contracts/token.mote", TOKEN]] as const) {
    it(`${name}: naive and optimized modules answer every call alike (gas aside)`, () => {
      const calls: [string, Value[], number][] = [
        ["init", [1000n], 1],
        ["init", [5n], 2], // the run-once guard: revert
        ["transfer", [key(2), 10n], 1],
        ["transfer", [key(3).subarray(0, 31), 1n], 1], // a 31-byte pubkey: the entry check reverts
        ["transfer", [key(3), 11n], 2], // insufficient balance
        ["balance_of", [key(1)], 9],
        ["balance_of", [key(2)], 9],
      ];
      const naive = run(build(source, false), calls);
      const optimized = run(build(source, true), calls);
      expect(optimized).toEqual(naive);
      const statuses = (naive as { status?: string }[]).slice(0, calls.length).map((r) => r.status);
      expect(statuses).toEqual(["ok", "revert", "ok", "revert", "revert", "ok", "ok"]);
    });
  }
});
