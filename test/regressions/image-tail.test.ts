// The image-tail consensus bug, re-derived from the VM's own layout (mote_module_ptr) so a layout change
// cannot silently move the forged reference out of the image: nothing of an earlier module is readable.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assemble } from "../../vm/asm/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { MoteVM, MemoryStateStore, WASM_PATH, resultToJson } from "../../vm/host/index.ts";

async function modulePtr(): Promise<number> {
  const stub = new Proxy({}, { get: () => () => 0 });
  const { instance } = await WebAssembly.instantiate(readFileSync(WASM_PATH), { env: stub as WebAssembly.ModuleImports });
  return (instance.exports.mote_module_ptr as () => number)();
}

describe("module image tail", () => {
  it("holds nothing of a previously loaded module, wherever the image is", async () => {
    const image = await modulePtr();
    const big = assemble(`${[0, 1, 2, 3, 4].map((i) => `.const c${i} 0x${"ab".repeat(1000)}`).join("\n")}\n.func f params=0 results=0 locals=0\n    halt\n.end\n.export f`);
    const reader = (at: number, len: number): Uint8Array =>
      assemble(`.func g params=0 results=1 locals=0\n    push ${(BigInt(len) << 32n) | BigInt(at)}\n    ret\n.end\n.export g ret=b`);
    // a reference just past the reader itself, and one deep inside what the big module occupied
    let r = reader(image, 16);
    r = reader(image + r.length, 16);
    const tail = reader(image + LIMITS.MODULE_MAX_BYTES.value - 2000, 64);
    for (const m of [r, tail]) {
      const fresh = await MoteVM.create();
      const want = resultToJson(fresh.call(m, "g", [], { store: new MemoryStateStore() }));
      const used = await MoteVM.create();
      expect(used.verify(big).ok).toBe(true);
      const got = resultToJson(used.call(m, "g", [], { store: new MemoryStateStore() }));
      expect(got).toBe(want);
      expect(got).not.toMatch(/abab/);
    }
  });
});
