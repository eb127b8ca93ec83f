// The C engine holds the compiled code of one side of mote.wasm at a time (firmware-host/src/mote_host.c,
// reset_code): the verifier's while a module loads, the interpreter's while calls run. Dropping and
// recompiling must change no result, and the verifier's code must really be gone after a load.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { assemble } from "../../vm/asm/index.ts";
import { buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { runBatch } from "../../firmware-host/scripts/batch.ts";

const ROOT = join(import.meta.dirname, "../..");
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");

beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
}, 300_000);

interface Stats { codeBytesUsed: number; wasmStackBytes: number }
function run(lines: string[]): { out: string[]; stats: Stats } {
  const r = runBatch(lines, ["--stats"]);
  expect(r.status).toBe(0);
  return { out: r.stdout, stats: JSON.parse(r.stderr.trim()) as Stats };
}

describe("compiled code: one side of mote.wasm at a time", () => {
  const sum = hex(assemble(readFileSync(join(ROOT, "test/programs/sum.masm"), "utf8"), "sum.masm"));
  const other = hex(assemble(".func f params=0 results=1 locals=0\npush 7\nret\n.end\n.export f", "<t>"));

  it("keeps none of the verifier's code once a module is loaded", () => {
    // a module that fails verification: the verifier ran and compiled, no call ran, so only the entry
    // points and the host imports remain (the verifier alone compiles to tens of KB)
    const bad = run(["module 0x00", "call f"]);
    expect(JSON.parse(bad.out[0]!).status).toBe("invalid_module");
    const calls = run([`module ${sum}`, "call sum 100"]);
    expect(bad.stats.codeBytesUsed).toBeLessThan(calls.stats.codeBytesUsed / 10);
  });

  it("gives the same results and holds the same code after switching modules back and forth", () => {
    const once = run([`module ${sum}`, "call sum 100"]);
    const mixed = run([`module ${sum}`, "call sum 100", `module ${other}`, "call f", "module 0x00", "call f", `module ${sum}`, "call sum 100"]);
    expect(mixed.out[0]).toBe(once.out[0]);
    expect(mixed.out[3]).toBe(once.out[0]);
    expect(JSON.parse(mixed.out[1]!).returns).toEqual(["7"]);
    // the same functions compiled back (packed into pages in another order: within a few words)
    expect(Math.abs(mixed.stats.codeBytesUsed - once.stats.codeBytesUsed)).toBeLessThan(256);
  });
});
