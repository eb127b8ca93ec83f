// Every verifier rule rejects with its code and the byte offset where it was found; enforced over
// VERIFY_ERRORS. Modules are built byte by byte so each rule is hit exactly.
import { describe, expect, it } from "vitest";
import { VERIFY_ERRORS, VerifyError, Section, type VerifyErrorName } from "../../vm/spec/format.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { OPCODES } from "../../vm/spec/opcodes.ts";
import { encodeModule, codeLayout, selectorOf, type FunctionDef, type ExportDef } from "../../vm/spec/module.ts";
import { Op } from "../../vm/spec/gen/ops.ts";
import { MemoryStateStore } from "../../vm/host/index.ts";
import { getVm } from "./helpers.ts";

const HEAD = [0x4d, 0x4f, 0x54, 0x45, 1];

type Fn = Partial<Omit<FunctionDef, "code">> & { code: number[] };
function mod(fns: Fn[], o: { consts?: Uint8Array[]; exports?: ExportDef[] } = {}): Uint8Array {
  return encodeModule({
    functions: fns.map((f) => ({ params: 0, results: 0, locals: 0, maxStack: 8, ...f, code: Uint8Array.from(f.code) })),
    consts: o.consts ?? [],
    exports: o.exports ?? [],
  });
}
/** Module offset of byte `at` of function `f`'s body. */
function bodyAt(bytes: Uint8Array, f: number, at: number): number {
  return codeLayout(bytes).bodies[f]! + at;
}
/** Module offset of section `id`'s id byte. */
function sectionAt(bytes: Uint8Array, id: number): number {
  let p = 5;
  while (p < bytes.length) {
    if (bytes[p] === id) return p;
    let size = 0;
    let shift = 0;
    let q = p + 1;
    for (;;) {
      const b = bytes[q++]!;
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    p = q + size;
  }
  throw new Error(`no section ${id}`);
}
function sectionPayload(bytes: Uint8Array, id: number): number {
  let q = sectionAt(bytes, id) + 1;
  while (bytes[q++]! & 0x80);
  return q;
}
const exp = (func: number, extra: Partial<ExportDef> = {}): ExportDef => ({ selector: selectorOf(`e${func}`), func, view: false, argMask: 0, retMask: 0, ...extra });

interface Case {
  name: string;
  bytes: () => Uint8Array;
  offset: (bytes: Uint8Array) => number;
}

const RET = Op.ret;
const CASES: Record<Exclude<VerifyErrorName, "block_gas">, Case[]> = {
  bad_magic: [{ name: "MOTX", bytes: () => Uint8Array.from([0x4d, 0x4f, 0x54, 0x58, 1]), offset: () => 3 }],
  bad_version: [{ name: "version 2", bytes: () => Uint8Array.from([0x4d, 0x4f, 0x54, 0x45, 2]), offset: () => 4 }],
  truncated: [
    { name: "section past the end", bytes: () => Uint8Array.from([...HEAD, 1, 10, 0, 0]), offset: () => 5 },
    { name: "function entry past its section", bytes: () => Uint8Array.from([...HEAD, 1, 3, 1, 0, 0]), offset: () => 10 },
    { name: "header", bytes: () => Uint8Array.from([0x4d, 0x4f]), offset: () => 2 },
    { name: "immediate past the body", bytes: () => mod([{ code: [Op.push, 0x80] }]), offset: (b) => bodyAt(b, 0, 2) },
    { name: "jump target past the body", bytes: () => mod([{ code: [RET, Op.jmp, 0] }]), offset: (b) => bodyAt(b, 0, 3) },
  ],
  section_order: [
    { name: "duplicate FUNCS", bytes: () => Uint8Array.from([...HEAD, 1, 1, 0, 1, 1, 0]), offset: () => 8 },
    { name: "unknown id", bytes: () => Uint8Array.from([...HEAD, 9, 0]), offset: () => 5 },
    { name: "CODE before FUNCS", bytes: () => Uint8Array.from([...HEAD, 3, 0, 1, 1, 0]), offset: () => 7 },
  ],
  section_size: [
    { name: "FUNCS with a byte left over", bytes: () => Uint8Array.from([...HEAD, 1, 2, 0, 0xff, 3, 0]), offset: () => 8 },
    {
      name: "META of 31 bytes",
      bytes: () => Uint8Array.from([...mod([{ code: [RET] }]), Section.META, 31, ...new Array(31).fill(0)]),
      offset: (b) => sectionAt(b, Section.META),
    },
    {
      name: "CODE shorter than the functions",
      bytes: () => Uint8Array.from([...HEAD, 1, 6, 1, 0, 0, 0, 0, 2, 3, 1, RET]),
      offset: () => 13,
    },
  ],
  too_large: [
    { name: "module over MODULE_MAX_BYTES", bytes: () => new Uint8Array(LIMITS.MODULE_MAX_BYTES.value + 1), offset: () => 0 },
    {
      name: "too many functions",
      bytes: () => mod(new Array(LIMITS.MAX_FUNCTIONS.value + 1).fill({ code: [RET] })),
      offset: (b) => sectionPayload(b, Section.FUNCS),
    },
    {
      name: "function longer than CODE_MAX_BYTES",
      bytes: () => mod([{ code: new Array(LIMITS.CODE_MAX_BYTES.value + 1).fill(Op.push0) }]),
      offset: () => 8,
    },
    {
      name: "constant longer than MAX_BYTES_LEN",
      bytes: () => mod([{ code: [RET] }], { consts: [new Uint8Array(LIMITS.MAX_BYTES_LEN.value + 1)] }),
      offset: (b) => sectionPayload(b, Section.CONSTS) + 1,
    },
  ],
  bad_leb: [
    { name: "non-canonical section size", bytes: () => Uint8Array.from([...HEAD, 1, 0x81, 0x00, 0]), offset: () => 6 },
    { name: "uleb over u32", bytes: () => Uint8Array.from([...HEAD, 1, 6, 0xff, 0xff, 0xff, 0xff, 0x1f, 0]), offset: () => 7 },
    { name: "non-canonical push", bytes: () => mod([{ code: [Op.push, 0x81, 0x00, RET] }]), offset: (b) => bodyAt(b, 0, 1) },
    { name: "non-canonical negative push", bytes: () => mod([{ code: [Op.push, 0xff, 0x7f, RET] }]), offset: (b) => bodyAt(b, 0, 1) },
    {
      name: "push over i64",
      bytes: () => mod([{ code: [Op.push, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, RET] }]),
      offset: (b) => bodyAt(b, 0, 1),
    },
    { name: "11-byte push", bytes: () => mod([{ code: [Op.push, ...new Array(10).fill(0xff), 0x7f, RET] }]), offset: (b) => bodyAt(b, 0, 1) },
  ],
  bad_function: [
    { name: "two results", bytes: () => mod([{ results: 2, code: [RET] }]), offset: () => 8 },
    { name: "too many locals", bytes: () => mod([{ params: 8, locals: 57, code: [RET] }]), offset: () => 8 },
    { name: "too many params", bytes: () => mod([{ params: 9, code: [RET] }]), offset: () => 8 },
    { name: "empty body", bytes: () => mod([{ code: [RET] }, { code: [] }]), offset: () => 13 },
  ],
  unknown_opcode: [{ name: "0x00", bytes: () => mod([{ code: [Op.push0, 0x00] }]), offset: (b) => bodyAt(b, 0, 1) }],
  bad_immediate: [
    { name: "itob width 3", bytes: () => mod([{ code: [Op.push0, Op.itob, 3, RET] }]), offset: (b) => bodyAt(b, 0, 2) },
    { name: "sload with a key", bytes: () => mod([{ code: [Op.sload, 0, 1, RET] }]), offset: (b) => bodyAt(b, 0, 2) },
    { name: "mload mode 4", bytes: () => mod([{ code: [Op.push0, Op.mload, 0, 4, RET] }]), offset: (b) => bodyAt(b, 0, 3) },
    { name: "emit 9 values", bytes: () => mod([{ code: [Op.emit, 1, 0, 0, 0, 9, 0, RET] }]), offset: (b) => bodyAt(b, 0, 5) },
    { name: "emit mask past count", bytes: () => mod([{ code: [Op.push0, Op.emit, 1, 0, 0, 0, 1, 2, RET] }]), offset: (b) => bodyAt(b, 0, 6) },
  ],
  bad_jump: [
    { name: "into an immediate", bytes: () => mod([{ code: [Op.jmp, 4, 0, Op.push, 0xac, 0x02, RET] }]), offset: (b) => bodyAt(b, 0, 0) },
    { name: "past the body", bytes: () => mod([{ code: [Op.jmp, 3, 0] }]), offset: (b) => bodyAt(b, 0, 0) },
    {
      name: "unreachable jump into an immediate",
      bytes: () => mod([{ code: [RET, Op.push, 0xac, 0x02, Op.jmp, 2, 0] }]),
      offset: (b) => bodyAt(b, 0, 4),
    },
  ],
  stack_underflow: [
    { name: "add on an empty stack", bytes: () => mod([{ code: [Op.push0, Op.add, RET] }]), offset: (b) => bodyAt(b, 0, 1) },
    { name: "emit more than the stack", bytes: () => mod([{ code: [Op.emit, 1, 0, 0, 0, 1, 0, RET] }]), offset: (b) => bodyAt(b, 0, 0) },
  ],
  stack_overflow: [
    { name: "past maxStack", bytes: () => mod([{ maxStack: 1, code: [Op.push0, Op.push0, Op.halt] }]), offset: (b) => bodyAt(b, 0, 1) },
    {
      name: "a call's result past maxStack",
      bytes: () => mod([{ maxStack: 1, code: [Op.push0, Op.call, 1, Op.halt] }, { results: 1, code: [Op.push0, RET] }]),
      offset: (b) => bodyAt(b, 0, 1),
    },
  ],
  stack_mismatch: [
    { name: "ret with the wrong count", bytes: () => mod([{ results: 1, code: [RET] }]), offset: (b) => bodyAt(b, 0, 0) },
    {
      name: "paths join with different heights",
      bytes: () => mod([{ code: [Op.push1, Op.jz, 5, 0, Op.push0, RET] }]),
      offset: (b) => bodyAt(b, 0, 5),
    },
    {
      name: "a loop that grows the stack",
      bytes: () => mod([{ maxStack: 8, code: [Op.push0, Op.jmp, 0, 0] }]),
      offset: (b) => bodyAt(b, 0, 0),
    },
  ],
  bad_call: [{ name: "missing function", bytes: () => mod([{ code: [Op.call, 5, RET] }]), offset: (b) => bodyAt(b, 0, 0) }],
  call_arity: [
    {
      name: "too few values",
      bytes: () => mod([{ code: [Op.push0, Op.call, 1, RET] }, { params: 2, code: [RET] }]),
      offset: (b) => bodyAt(b, 0, 1),
    },
  ],
  bad_const: [{ name: "no constants", bytes: () => mod([{ code: [Op.pushb, 0, Op.drop, RET] }]), offset: (b) => bodyAt(b, 0, 1) }],
  bad_local: [
    { name: "lget past locals", bytes: () => mod([{ locals: 1, code: [Op.lget, 1, Op.drop, RET] }]), offset: (b) => bodyAt(b, 0, 1) },
    { name: "lget3 with 2 locals", bytes: () => mod([{ params: 1, locals: 1, code: [Op.lget3, Op.drop, RET] }]), offset: (b) => bodyAt(b, 0, 0) },
    { name: "laddi past locals", bytes: () => mod([{ code: [Op.laddi, 0, 1, RET] }]), offset: (b) => bodyAt(b, 0, 1) },
  ],
  falls_off_end: [
    { name: "no terminator", bytes: () => mod([{ code: [Op.push0, Op.drop] }]), offset: (b) => bodyAt(b, 0, 1) },
    { name: "branch as the last instruction", bytes: () => mod([{ code: [Op.push0, Op.jz, 0, 0] }]), offset: (b) => bodyAt(b, 0, 1) },
  ],
  bad_export: [
    { name: "missing function", bytes: () => mod([{ code: [RET] }], { exports: [exp(3)] }), offset: (b) => sectionPayload(b, Section.EXPORTS) + 1 },
    {
      name: "duplicate selector",
      bytes: () => mod([{ code: [RET] }], { exports: [exp(0), exp(0)] }),
      offset: (b) => sectionPayload(b, Section.EXPORTS) + 1 + 8,
    },
    {
      name: "arg mask past params",
      bytes: () => mod([{ params: 1, code: [RET] }], { exports: [exp(0, { argMask: 2 })] }),
      offset: (b) => sectionPayload(b, Section.EXPORTS) + 1,
    },
    {
      name: "ret mask on a function without results",
      bytes: () => mod([{ code: [RET] }], { exports: [exp(0, { retMask: 1 })] }),
      offset: (b) => sectionPayload(b, Section.EXPORTS) + 1,
    },
  ],
  missing_section: [
    { name: "no CODE", bytes: () => Uint8Array.from([...HEAD, 1, 1, 0]), offset: () => 8 },
    { name: "nothing at all", bytes: () => Uint8Array.from(HEAD), offset: () => 5 },
  ],
};

describe("verifier", () => {
  it("every verifier code has a rejection case", () => {
    const names = VERIFY_ERRORS.map((e) => e.name).filter((n) => n !== "block_gas");
    expect(names.filter((n) => !(CASES as Record<string, Case[]>)[n]?.length)).toEqual([]);
  });

  it("block_gas cannot happen with this table and these limits (the check stays for future rows)", () => {
    const maxGas = Math.max(...OPCODES.map((r) => r.gas));
    expect(LIMITS.CODE_MAX_BYTES.value * maxGas).toBeLessThan(65536);
  });

  for (const [name, cases] of Object.entries(CASES)) {
    describe(name, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const vm = await getVm();
          const bytes = c.bytes();
          const r = vm.verify(bytes);
          expect(r).toEqual({ ok: false, code: VerifyError[name as VerifyErrorName], name, offset: c.offset(bytes) });
          const call = vm.call(bytes, "f", [], { store: new MemoryStateStore() });
          expect(call).toMatchObject({ status: "invalid_module", error: VerifyError[name as VerifyErrorName], errorOffset: c.offset(bytes), gasUsed: 0 });
        });
      }
    });
  }

  it("accepts unreachable code after a terminator", async () => {
    const vm = await getVm();
    expect(vm.verify(mod([{ code: [RET, Op.push0, Op.add] }]))).toMatchObject({ ok: true });
  });

  it("accepts a loop whose heights agree", async () => {
    const vm = await getVm();
    expect(vm.verify(mod([{ code: [Op.push0, Op.drop, Op.jmp, 0, 0] }]))).toMatchObject({ ok: true });
  });
});
