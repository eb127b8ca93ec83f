// The language service in process on a two-file program: hover, definition and completion for struct
// fields (through a map read), enum variants, another contract's storage and constants, each answered
// from the checker's resolved names.
import { describe, expect, it } from "vitest";
import { analyze, complete, definition, hover, type Pos } from "../../lsp/analysis.ts";

const LIB = `struct Point { x: u64, y: u64 }
enum Color { Red, Green }
extern contract Reg {
  storage owners: map<pubkey, u64>;
}
`;
const MAIN = `import "lib.mote";
const LIMIT: u64 = 10;
contract Main {
  storage points: map<u64, Point>;
  storage color: Color;
  storage reg: hash;
  pub fn f(k: u64) -> u64 {
    let p = points[k];
    let c = Color.Green;
    color = c;
    let n = Reg(reg).owners[caller()];
    return p.x + n + LIMIT;
  }
}
`;
const files: Record<string, string> = { "/w/main.mote": MAIN, "/w/lib.mote": LIB };
const { analysis, diagnostics } = analyze(MAIN, "/w/main.mote", (p) => files[p]);

/** The 1-based position of the `nth` occurrence of `needle` in `text`, plus `offset`. */
function at(text: string, needle: string, offset = 0, nth = 0): Pos {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`${needle} not found`);
  const lines = text.slice(0, i + offset).split("\n");
  return { line: lines.length, col: lines[lines.length - 1]!.length + 1 };
}

/** `text` with `insert` typed at `p` (1-based), and the position after it. */
function typed(text: string, p: Pos, insert: string): { text: string; pos: Pos } {
  const lines = text.split("\n");
  const l = lines[p.line - 1]!;
  lines[p.line - 1] = l.slice(0, p.col - 1) + insert + l.slice(p.col - 1);
  return { text: lines.join("\n"), pos: { line: p.line, col: p.col + insert.length } };
}

describe("language service", () => {
  it("compiles the program cleanly", () => {
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("hovers with types the checker inferred", () => {
    expect(hover(analysis, at(MAIN, "p.x"))?.markdown).toContain("let p: Point");
    expect(hover(analysis, at(MAIN, "p.x", 2))?.markdown).toContain("field Point.x: u64");
    expect(hover(analysis, at(MAIN, "LIMIT;"))?.markdown).toContain("const LIMIT: u64");
    expect(hover(analysis, at(MAIN, "Green"))?.markdown).toContain("Color.Green: Color");
    expect(hover(analysis, at(MAIN, "owners"))?.markdown).toContain("storage Reg.owners: map<pubkey, u64>");
    expect(hover(analysis, at(MAIN, "let c", 4))?.markdown).toContain("let c: Color");
  });

  it("goes to declarations in the imported file", () => {
    const resolve = (from: string, path: string): string => `/w/${path}`;
    expect(definition(analysis, at(MAIN, "p.x", 2), resolve)).toMatchObject({ file: "/w/lib.mote", line: 1, col: at(LIB, "x: u64").col });
    expect(definition(analysis, at(MAIN, "Green"), resolve)).toMatchObject({ file: "/w/lib.mote", line: 2, col: at(LIB, "Green").col });
    expect(definition(analysis, at(MAIN, "owners"), resolve)).toMatchObject({ file: "/w/lib.mote", line: 4 });
    expect(definition(analysis, at(MAIN, '"lib.mote"'), resolve)).toMatchObject({ file: "/w/lib.mote", line: 1, col: 1 });
  });

  it("completes members after a dot, through map reads, enums and contract references", () => {
    const ret = at(MAIN, "return");
    const labels = (insert: string): string[] => {
      const t = typed(MAIN, ret, insert);
      return complete(analysis, t.text, t.pos).map((i) => i.label).sort();
    };
    expect(labels("points[k].")).toEqual(["x", "y"]);
    expect(labels("p.")).toEqual(["x", "y"]);
    expect(labels("Color.")).toEqual(["Green", "Red"]);
    expect(labels("Reg(reg).")).toEqual(["owners"]);
    expect(labels("undefined_thing.")).toEqual([]);
  });

  it("completes the names in scope at the cursor, and not those declared after it", () => {
    const names = complete(analysis, MAIN, at(MAIN, "let c")).map((i) => i.label);
    for (const n of ["k", "p", "points", "color", "reg", "LIMIT", "Point", "Color", "Reg", "f", "caller", "u64", "return"]) expect(names, n).toContain(n);
    expect(names).not.toContain("c");
    expect(names).not.toContain("n");
    const typedP = complete(analysis, MAIN, at(MAIN, "return")).find((i) => i.label === "p");
    expect(typedP).toMatchObject({ kind: "local", detail: "Point" });
  });
});
