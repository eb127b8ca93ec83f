// Properties of the built VM that its design depends on: one br_table dispatch, no data segments,
// no imports beyond the host ABI, one page of memory that is never grown.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OPCODES } from "../../vm/spec/opcodes.ts";

const BUILD = join(import.meta.dirname, "../../vm/build");

describe("mote.wasm", () => {
  const wat = readFileSync(join(BUILD, "mote.wat"), "utf8");

  it("dispatches with exactly one br_table covering the opcode range", () => {
    const start = wat.indexOf("(func $vm/assembly/interp/execute");
    expect(start).toBeGreaterThan(0);
    const next = wat.indexOf("\n (func ", start + 1);
    const body = wat.slice(start, next < 0 ? undefined : next);
    const tables = body.match(/br_table[^\n]*/g) ?? [];
    expect(tables).toHaveLength(1);
    const targets = tables[0]!.trim().split(/\s+/).length - 1;
    const span = Math.max(...OPCODES.map((r) => r.code)) - Math.min(...OPCODES.map((r) => r.code)) + 1;
    expect(targets).toBeGreaterThanOrEqual(span);
  });

  it("has no data segments and imports only the host ABI", () => {
    expect(wat).not.toMatch(/\(data /);
    const imports = [...wat.matchAll(/\(import "(\w+)" "(\w+)"/g)].map((m) => `${m[1]}.${m[2]}`).sort();
    expect(imports).toEqual(["env.host_balance", "env.host_ed25519_verify", "env.host_emit", "env.host_pay", "env.host_sha256", "env.host_sload", "env.host_sstore", "env.host_xload"]);
    expect(wat).toMatch(/\(memory \$0 1 1\)/);
    expect(wat).not.toMatch(/memory\.grow/);
  });

  it("stays within the size budget (16,384 bytes)", () => {
    expect(readFileSync(join(BUILD, "mote.wasm")).length).toBeLessThanOrEqual(16_384);
  });
});
