// Runs every test/compiler/behaviour/*.mote through the compiler and the VM, checking its inline
// expectations (see annotated.ts); one test per file, named after it.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MoteVM } from "../../vm/host/index.ts";
import { parseAnnotations, runAnnotated } from "./annotated.ts";

const DIR = "test/compiler/behaviour";
const files = readdirSync(DIR).filter((f) => f.endsWith(".mote")).sort();
const readFile = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

describe("behaviour", () => {
  it("has programs to run", () => expect(files.length).toBeGreaterThan(10));
  for (const f of files) {
    it(f, () => {
      const path = posix.join(DIR, f);
      const source = readFileSync(join(DIR, f), "utf8");
      const ann = parseAnnotations(source);
      // a file that expects nothing tests nothing
      expect(ann.errors.length + ann.calls.length).toBeGreaterThan(0);
      const r = runAnnotated(vm, source, path, readFile);
      expect(r.failures).toEqual([]);
    });
  }
});

// The optimizer must not change behaviour: the same expectations hold for codegen's naive output,
// and the optimized modules are smaller in total.
describe("behaviour without the optimizer", () => {
  let naive = 0;
  let optimized = 0;
  for (const f of files) {
    it(f, () => {
      const path = posix.join(DIR, f);
      const source = readFileSync(join(DIR, f), "utf8");
      const r = runAnnotated(vm, source, path, readFile, { optimize: false });
      expect(r.failures).toEqual([]);
      const o = runAnnotated(vm, source, path, readFile);
      if (r.module && o.module) {
        naive += r.module.length;
        optimized += o.module.length;
        expect(o.module.length).toBeLessThanOrEqual(r.module.length);
      }
    });
  }
  it("optimized modules are smaller in total", () => {
    expect(optimized).toBeGreaterThan(0);
    expect(optimized).toBeLessThan(naive * 0.95);
  });
});
