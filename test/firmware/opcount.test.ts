// The instrumented VM behind the "per VM instruction" figures (firmware-host/scripts/opcount.ts): it must count
// exactly the instructions a program executes and change nothing else, or every per-op figure is wrong.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { assemble } from "../../vm/asm/index.ts";
import { buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { runBatch } from "../../firmware-host/scripts/batch.ts";
import { instrumentedVm } from "../../firmware-host/scripts/opcount.ts";

const ROOT = join(import.meta.dirname, "../..");
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
let vmPath = "";

beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
  vmPath = join(mkdtempSync(join(tmpdir(), "mote-opcount-")), "mote-ops.wasm");
  writeFileSync(vmPath, await instrumentedVm());
}, 300_000);

function run(module: Uint8Array, calls: string[], vm?: string): { out: string[]; ops: number } {
  const r = runBatch([`module ${hex(module)}`, ...calls], vm ? ["--vm", vm, "--stats"] : ["--stats"]);
  expect(r.status).toBe(0);
  return { out: r.stdout, ops: (JSON.parse(r.stderr.trim()) as { vmOps: number }).vmOps };
}

describe("instrumented VM", () => {
  const sum = assemble(readFileSync(join(ROOT, "test/programs/sum.masm"), "utf8"), "sum.masm");

  it("counts the 9 instructions of each sum-loop iteration", () => {
    const small = run(sum, ["call sum 100"], vmPath).ops;
    const large = run(sum, ["call sum 1100"], vmPath).ops;
    expect(large - small).toBe(9 * 1000);
  });

  it("counts a straight-line function exactly (push 1, push 2, add, ret)", () => {
    const m = assemble(".func f params=0 results=1 locals=0\npush 1\npush 2\nadd\nret\n.end\n.export f", "<t>");
    expect(run(m, ["call f"], vmPath).ops).toBe(4);
  });

  it("counts instructions from every part of the opcode table (context, bytes, storage, events)", () => {
    const m = assemble(
      ".func f params=0 results=1 locals=0\nnow\nheight\nadd\ncaller\nblen\nadd\ndup\nsstore 1 0\ndup\nemit 7 1 0\nret\n.end\n.export f",
      "<t>",
    );
    expect(run(m, ["call f"], vmPath).ops).toBe(11);
  });

  it("changes no result, gas or event of the production VM", () => {
    const counter = assemble(readFileSync(join(ROOT, "test/programs/counter.masm"), "utf8"), "counter.masm");
    const calls = ["call increment", "call increment --gas 30", "call get"];
    expect(run(counter, calls, vmPath).out).toEqual(run(counter, calls).out);
    expect(run(sum, ["call sum 777"], vmPath).out).toEqual(run(sum, ["call sum 777"]).out);
  });

  it("is absent from the production VM", () => {
    expect(run(sum, ["call sum 1"]).ops).toBe(-1);
  });
});
