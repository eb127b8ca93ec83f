// Conformance: every vector in test/vectors/ runs through the Node host, through mote-host (wasm3, linear
// memory clamped) and through mote-host-aot (the same mote.wasm translated ahead of time to C by wasm2c, the
// same clamp), and each must print the recorded result byte for byte and leave the recorded state.
import { readFileSync, existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { AOT_HOST_PATH, ASAN_AOT_HOST_PATH, ASAN_HOST_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { callLines, parseStateLine, runBatch } from "../../firmware-host/scripts/batch.ts";
import { MoteVM, MemoryStateStore, resultToJson } from "../../vm/host/index.ts";
import { STATUSES } from "../../vm/spec/format.ts";
import { OPCODES } from "../../vm/spec/opcodes.ts";
import { decodeInstruction, decodeModule } from "../../vm/spec/module.ts";
import { argFromString, buildVectorFiles, vectorFileText, vectorPath, VECTOR_FORMAT, type Vector, type VectorFile } from "../vectors/generate.ts";

const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
const NAMES = ["programs", "edge", "ed25519", "contracts"];

function readVectors(name: string): VectorFile | undefined {
  const p = vectorPath(name);
  if (!existsSync(p)) return undefined;
  const f = JSON.parse(readFileSync(p, "utf8")) as VectorFile;
  if (f.format !== VECTOR_FORMAT) throw new Error(`${p}: format ${f.format}, expected ${VECTOR_FORMAT}`);
  return f;
}

function batchFor(vectors: Vector[]): string[] {
  return vectors.flatMap((v) =>
    callLines(
      {
        module: unhex(v.module),
        fn: v.fn ?? v.selector,
        args: v.args,
        caller: unhex(v.caller),
        timestamp: BigInt(v.timestamp),
        height: BigInt(v.height),
        gas: v.gas,
        self: v.self ? unhex(v.self) : undefined,
        value: v.value !== undefined ? BigInt(v.value) : undefined,
      },
      MemoryStateStore.fromJSON(v.stateBefore),
    ),
  );
}

let vm: MoteVM;
beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
  await buildFirmwareHost({ quiet: true, aot: true });
  vm = await MoteVM.create();
}, 300_000);

describe("vector files", () => {
  it("are what `npm run vectors` generates today (regenerate and review the diff if not)", async () => {
    const fresh = await buildVectorFiles();
    for (const [name, f] of Object.entries(fresh)) {
      const p = vectorPath(name);
      expect(existsSync(p), `${p} missing: run npm run vectors`).toBe(true);
      if (readFileSync(p, "utf8") === vectorFileText(f)) continue;
      const old = readVectors(name)!.vectors;
      const i = f.vectors.findIndex((v, k) => JSON.stringify(v) !== JSON.stringify(old[k]));
      const what = i < 0 ? `${old.length - f.vectors.length} vectors fewer` : `first difference at vector ${i} (${f.vectors[i]!.name})`;
      expect.fail(`test/vectors/${name}.json is stale, ${what}: run npm run vectors and review the diff`);
    }
  });

  it("reach every status code", () => {
    const statuses = new Set<string>();
    for (const n of NAMES) for (const v of readVectors(n)?.vectors ?? []) statuses.add((JSON.parse(v.expected) as { status: string }).status);
    expect([...statuses].sort()).toEqual(STATUSES.map((s) => s.name).sort());
  });

  it("run every opcode of the table (a new row needs a vector)", () => {
    const seen = new Set<string>();
    for (const n of NAMES) {
      for (const v of readVectors(n)?.vectors ?? []) {
        if (!JSON.parse(v.expected).status || v.expected.includes('"invalid_module"')) continue;
        for (const f of decodeModule(unhex(v.module)).functions) {
          for (let off = 0; off < f.code.length; off = decodeInstruction(f.code, off).next) seen.add(decodeInstruction(f.code, off).row.name);
        }
      }
    }
    expect(OPCODES.map((r) => r.name).filter((name) => !seen.has(name))).toEqual([]);
  });
});

describe.each([
  ["mote-host-asan (wasm3)", false, ASAN_HOST_PATH],
  ["mote-host-aot-asan (wasm2c)", true, ASAN_AOT_HOST_PATH],
] as const)("every vector under AddressSanitizer and UBSan: %s", (_name, aot, path) => {
  it("gives the same results and states, with no memory error or leak", async () => {
    await buildFirmwareHost({ quiet: true, sanitized: true, aot });
    const vectors = NAMES.flatMap((n) => readVectors(n)?.vectors ?? []);
    const r = runBatch(batchFor(vectors), [], path);
    expect(r.stderr, "sanitizer report").toBe("");
    expect(r.status).toBe(0);
    vectors.forEach((v, i) => {
      expect(r.stdout[2 * i], v.name).toBe(v.expected);
      expect(parseStateLine(r.stdout[2 * i + 1]!).toJSON(), v.name).toEqual(v.stateAfter);
    });
  }, 300_000);
});

for (const name of NAMES) {
  describe(`${name} vectors`, () => {
    const file = readVectors(name);
    if (!file) {
      it.skip(`test/vectors/${name}.json not generated`, () => {});
      return;
    }
    let out: string[] = [];
    let aotOut: string[] = [];
    beforeAll(() => {
      const r = runBatch(batchFor(file.vectors));
      expect(r.stderr, "mote-host stderr").toBe("");
      expect(r.status).toBe(0);
      out = r.stdout;
      expect(out.length).toBe(file.vectors.length * 2);
      const a = runBatch(batchFor(file.vectors), [], AOT_HOST_PATH);
      expect(a.stderr, "mote-host-aot stderr").toBe("");
      expect(a.status).toBe(0);
      aotOut = a.stdout;
      expect(aotOut.length).toBe(file.vectors.length * 2);
    }, 120_000);

    it.each(file.vectors.map((v, i) => [v.name, v, i] as const))("%s", (_n, v, i) => {
      const store = MemoryStateStore.fromJSON(v.stateBefore);
      const node = vm.call(unhex(v.module), v.fn ?? v.selector, v.args.map(argFromString), {
        store, caller: unhex(v.caller), timestamp: BigInt(v.timestamp), height: BigInt(v.height), gas: v.gas, self: v.self ? unhex(v.self) : undefined, value: v.value !== undefined ? BigInt(v.value) : undefined,
      });
      expect(resultToJson(node), "Node host").toBe(v.expected);
      expect(store.toJSON(), "Node host state after").toEqual(v.stateAfter);
      expect(out[2 * i], "mote-host").toBe(v.expected);
      expect(parseStateLine(out[2 * i + 1]!).toJSON(), "mote-host state after").toEqual(v.stateAfter);
      expect(aotOut[2 * i], "mote-host-aot").toBe(v.expected);
      expect(parseStateLine(aotOut[2 * i + 1]!).toJSON(), "mote-host-aot state after").toEqual(v.stateAfter);
    });
  });
}
