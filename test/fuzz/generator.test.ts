// The valid-program generator: everything it makes passes the verifier, it emits every row of the
// opcode table (a new row that is never generated fails here), and its programs reach the VM's outcomes.
import { describe, expect, it } from "vitest";
import { OPCODES } from "../../vm/spec/opcodes.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { decodeModule } from "../../vm/spec/module.ts";
import { assemble, disassemble } from "../../vm/asm/index.ts";
import { ProgramGen } from "./program-gen.ts";
import { Rng, seedFromEnv } from "./random.ts";
import { checkCase, seededStore } from "./oracle.ts";

const SEED = seedFromEnv();
const PROGRAMS = 2500;

describe(`generated programs (MOTE_SEED=${SEED})`, () => {
  it(`${PROGRAMS} programs: all verify, every opcode row generated, outcomes reached`, async () => {
    console.log(`generator seed: MOTE_SEED=${SEED}`);
    const vm = await MoteVM.create();
    const gen = new ProgramGen({ maxInstructions: 80 });
    const r = new Rng(SEED);
    const statuses = new Map<string, number>();
    for (let i = 0; i < PROGRAMS; i++) {
      const p = gen.generate(r.fork());
      const v = vm.verify(p.bytes);
      if (!v.ok) {
        throw new Error(`generated program ${i} was rejected: ${v.name} at byte ${v.offset}\n${disassemble(p.bytes)}`);
      }
      // the text tools agree with the encoder on every generated module
      if (i % 10 === 0) expect(assemble(disassemble(p.bytes))).toEqual(p.bytes);
      expect(decodeModule(p.bytes).functions.length).toBe(p.def.functions.length);
      const out = checkCase(vm, p.bytes, p.calls, seededStore(p.bytes, null), { determinism: i % 5 === 0 });
      expect(out.findings, JSON.stringify(out.findings)).toEqual([]);
      for (const line of out.results) {
        const st = /"status":"([a-z_]+)"/.exec(line)![1]!;
        statuses.set(st, (statuses.get(st) ?? 0) + 1);
      }
    }
    const missing = gen.coverage.missing();
    expect(missing, `opcode rows never generated: ${missing.join(", ")}`).toEqual([]);
    // every row, not only most: at least a few dozen emissions each
    for (const row of OPCODES) expect(gen.coverage.counts.get(row.name) ?? 0, row.name).toBeGreaterThan(20);
    console.log(`generated-program outcomes: ${JSON.stringify(Object.fromEntries(statuses))}`);
    for (const st of ["ok", "revert", "out_of_gas", "overflow", "bounds", "div_zero", "call_depth", "stack_overflow"]) {
      expect(statuses.get(st) ?? 0, `status ${st}`).toBeGreaterThan(0);
    }
    // valid programs mostly do real work rather than failing at once
    expect(statuses.get("ok") ?? 0).toBeGreaterThan(PROGRAMS / 10);
  }, 240_000);
});
