// The text tools on hostile input (seeded, MOTE_SEED replays): mutated assembly fails only with an
// AsmError naming file:line:col in one line; any bytes fail to disassemble only with a ModuleFormatError.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AsmError, assemble, disassemble } from "../../vm/asm/index.ts";
import { ModuleFormatError } from "../../vm/spec/module.ts";
import { loadCorpus, ROOT } from "./corpus.ts";
import { mutateBytes, mutateStructure, randomModule } from "./mutate.ts";
import { Rng, seedFromEnv } from "./random.ts";

const SEED = seedFromEnv();
const WORDS = [".func", ".end", ".const", ".export", ".meta", "params=", "results=9", "locals=300", "maxstack=", "args=bib", "ret=bb", "func=", "func=4294967296",
  "view", "push", "jmp", "L0:", "L0", "0x", "0xzz", '"', '"\\u"', "-", "99999999999999999999999", "-9223372036854775809", "18446744073709551616", "65536", ":", "::",
  "a:b:", "call", "pushb", "c0", "c999", "emit", "9", "4294967296", "\t", ";", "\r"];

describe(`assembler and disassembler on hostile input (MOTE_SEED=${SEED})`, () => {
  it("mutated assembly: an AsmError with file:line:col, or a module", () => {
    const r = new Rng(SEED);
    const corpus = loadCorpus().entries;
    const texts = [
      ...readdirSync(join(ROOT, "test/programs")).filter((f) => f.endsWith(".masm")).map((f) => readFileSync(join(ROOT, "test/programs", f), "utf8")),
      ...corpus.map((c) => disassemble(c.bytes)),
    ];
    const bad: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const t = r.pick(texts).split(/(\s+)/);
      for (let k = r.range(1, 4); k > 0; k--) {
        const at = r.int(t.length);
        const op = r.int(3);
        if (op === 0) t[at] = r.pick(WORDS);
        else if (op === 1) t.splice(at, 0, " ", r.pick(WORDS), " ");
        else t.splice(at, r.range(1, 3));
      }
      const text = t.join("");
      try {
        assemble(text, "f.masm");
      } catch (e) {
        if (!(e instanceof AsmError) || !/^f\.masm:\d+:\d+: [^\n]+$/.test(e.message)) bad.push(`${(e as Error).name}: ${(e as Error).message.slice(0, 120)}\n  in ${JSON.stringify(text).slice(0, 300)}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it("any bytes: disassembly or a ModuleFormatError", () => {
    const r = new Rng(SEED ^ 0x1234);
    const corpus = loadCorpus().entries.map((c) => c.bytes);
    const bad: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const b = i % 3 === 0 ? randomModule(r) : i % 3 === 1 ? mutateBytes(r, r.pick(corpus), corpus) : (mutateStructure(r, r.pick(corpus)) ?? randomModule(r));
      try {
        disassemble(b);
      } catch (e) {
        if (!(e instanceof ModuleFormatError)) bad.push(`${(e as Error).name}: ${(e as Error).message.slice(0, 120)} for 0x${Buffer.from(b).toString("hex").slice(0, 200)}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
