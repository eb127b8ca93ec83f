// docs/language.md: every ```mote example compiles and its stated results hold in the VM.
// docs/errors.md: matches what compiler/errors-doc.ts generates from the catalogue.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ERRORS_DOC, renderErrorsDoc } from "../../compiler/errors-doc.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { parseAnnotations, runAnnotated } from "./annotated.ts";

const DOC = "docs/language.md";
const text = readFileSync(DOC, "utf8");

interface Block {
  line: number;
  code: string;
}
const blocks: Block[] = [];
{
  const re = /```mote\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) blocks.push({ line: text.slice(0, m.index).split("\n").length, code: m[1]! });
}
// a block starting with `// file: PATH` is a file the other examples may import
const files = new Map<string, string>();
for (const b of blocks) {
  const f = /^\/\/ file: (\S+)\n/.exec(b.code);
  if (f) files.set(f[1]!, b.code);
}

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

describe("docs/language.md examples", () => {
  it("has an example for each section", () => expect(blocks.length).toBeGreaterThan(15));
  for (const b of blocks) {
    if (/^\/\/ file: /.test(b.code)) continue;
    it(`example at line ${b.line}`, () => {
      const ann = parseAnnotations(b.code);
      expect(ann.errors.length + ann.calls.length, "an example states its results").toBeGreaterThan(0);
      const r = runAnnotated(vm, b.code, `language.md:${b.line}`, (p) => files.get(p.replace(/^language\.md:\d+\//, "")) ?? files.get(p));
      expect(r.failures).toEqual([]);
    });
  }
});

describe("docs/errors.md", () => {
  it("is up to date with the catalogue (regenerate: npx tsx compiler/errors-doc.ts --write)", () => {
    expect(readFileSync(ERRORS_DOC, "utf8")).toBe(renderErrorsDoc());
  });
});
