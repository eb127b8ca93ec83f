// evmBytes (bench/evm.ts), which npm run bench:budgets records: every size peer compiles with solc
// 0.8.37 to deployable runtime code of a plausible size, the same on every call.
import { describe, expect, it } from "vitest";
import { compileSolidity, evmBytes, SIZE_PEERS } from "../../bench/evm.ts";

describe("evmBytes", () => {
  it("gives each Mote contract's EVM peer a runtime size within the EVM's own limit", async () => {
    const sizes = await evmBytes();
    expect(Object.keys(sizes).sort()).toEqual(Object.values(SIZE_PEERS).sort());
    for (const [name, bytes] of Object.entries(sizes)) {
      // EIP-170 caps deployed code at 24,576 bytes; below 200 a contract this size has lost its code.
      expect(bytes, name).toBeGreaterThan(200);
      expect(bytes, name).toBeLessThanOrEqual(24_576);
    }
    expect(await evmBytes()).toEqual(sizes);
  });

  it("reports runtime code, which the creation code contains", () => {
    const c = compileSolidity();
    for (const name of Object.keys(SIZE_PEERS)) {
      const { creation, runtime } = c[name]!;
      expect(creation.length).toBeGreaterThan(runtime.length);
      expect(creation.includes(runtime), name).toBe(true);
    }
  });
});
