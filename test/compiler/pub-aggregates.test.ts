// Struct and array parameters of public functions (issue 14): the ABI gives their packed size, the
// CLI and the helper parse 0x-hex of exactly that size, and a transaction's argument of another size
// reverts on entry, naming the argument.
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { describeRevert, parseArg, type Abi } from "../../compiler/abi.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";

const SOURCE = `struct Reading { value: i64, ok: bool }
contract C {
  pub fn bump(r: Reading) -> Reading { r.value += 1; return r; }
  pub view fn first(xs: [u64; 4]) -> u64 { return xs[0]; }
}
`;

let vm: MoteVM;
let module: Uint8Array;
let abi: Abi;
beforeAll(async () => {
  vm = await MoteVM.create();
  const r = compileSource(SOURCE, "c.mote");
  module = r.module!;
  abi = r.abi!;
});

describe("struct and array parameters of public functions", () => {
  it("records the packed size in the ABI", () => {
    expect(abi.functions.find((f) => f.name === "bump")!.params[0]).toEqual({ name: "r", type: "Reading", size: 9 });
    expect(abi.functions.find((f) => f.name === "first")!.params[0]).toEqual({ name: "xs", type: "[u64;4]", size: 32 });
  });

  it("parses 0x-hex of exactly the packed size", () => {
    expect(parseArg("0x050000000000000001", "Reading", 9)).toEqual(Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0, 1]));
    expect(() => parseArg("0x05", "Reading", 9)).toThrow(/a Reading is 9 bytes packed/);
  });

  it("a transaction's argument of another size reverts on entry, naming it", () => {
    const r = vm.call(module, "bump", [new Uint8Array(8)], { store: new MemoryStateStore() });
    expect(r.status).toBe("revert");
    expect(describeRevert(abi, r.error!)).toMatch(/argument `r` of `bump` must be 9 bytes \(a packed Reading\)$/);
  });

  it("a view reads only what fits: a short argument stops with bounds", () => {
    const r = vm.call(module, "first", [new Uint8Array(4)], { store: new MemoryStateStore() });
    expect(r.status).toBe("bounds");
  });
});
