// The device SDK alone on RV32IMC under QEMU -icount (bench/rv32/sdk.ts): the bench checks every answer
// (key, recovered nonce, reading signature, signed transaction, proven value, the commit check) against ledger/ before it
// reports, the heap stays empty, and each figure stays within its budget in bench/budgets.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureSdkRv32 } from "../../bench/rv32/sdk.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const budgets = JSON.parse(readFileSync(join(ROOT, "bench/budgets.json"), "utf8")) as Record<string, { max?: number }>;

describe("the device SDK on RV32", () => {
  it("signs and verifies exactly as ledger/ does, allocates nothing, and stays within its budgets", { timeout: 600_000 }, async () => {
    const f = await measureSdkRv32();
    expect(f.heapBytes).toBe(0);
    expect(f.proofDepth).toBeGreaterThan(5);
    // the light client on RV32: a real 4-validator commit, every signature checked (the bench compares the
    // block hash, signers and power with ledger/lightclient.ts before it reports)
    expect([f.commitValidators, f.commitSigners]).toEqual([4, 4]);
    expect(f.flashByObject["pb_decode"]).toBeGreaterThan(0);
    expect(f.ramBytes).toBeGreaterThanOrEqual(f.stackBytes + f.lightWorkBytes);
    expect(f.lightWorkBytes).toBeGreaterThan(0);
    const keys = Object.keys(budgets).filter((k) => k.startsWith("rv32Sdk."));
    expect(keys.length).toBeGreaterThanOrEqual(8);
    for (const k of keys) {
      const v = (f as unknown as Record<string, number>)[k.slice("rv32Sdk.".length)];
      expect(v, k).toBeTypeOf("number");
      expect(v, k).toBeLessThanOrEqual(budgets[k]!.max!);
    }
    // where the flash goes adds up to the total, every counted object is in the ELF (SHA-256 is Mbed TLS's,
    // -msave-restore's libgcc helpers are counted) and the total is within issue 13's 32 KB goal
    expect(Object.values(f.flashByObject).reduce((a, b) => a + b, 0)).toBe(f.flashBytes);
    for (const [o, bytes] of Object.entries(f.flashByObject)) if (o !== "platform_util") expect(bytes, o).toBeGreaterThan(0);
    expect(f.flashByObject["sha256"]).toBeGreaterThan(0);
    expect(f.flashByObject["libgcc-save-restore"]).toBeGreaterThan(0);
    expect(f.flashBytes).toBeLessThanOrEqual(32_768);
    // the C runtime the SDK calls is found through the linker's cross-reference table and reported apart
    expect(Object.keys(f.runtimeByMember)).toEqual(expect.arrayContaining(["libc.a(memcpy-asm.S.o)", "libc.a(libc_tinystdio_vsnprintf.c.o)"]));
    expect(Object.values(f.runtimeByMember).reduce((a, b) => a + b, 0)).toBe(f.runtimeFlashBytes);
    expect(Object.keys(f.runtimeByMember).some((m) => /sdk_main|sdk_case|crt0/.test(m))).toBe(false);
  });
});
