// `mote fmt`: one canonical layout, idempotent, comments kept, only whitespace changed; every contract
// and example in the repository is in it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { formatSource } from "../../compiler/format.ts";
import { syntaxDiagnostics } from "../../compiler/index.ts";
import { MoteLexer } from "../../compiler/tokens.ts";
import { moteFiles } from "../../cli/commands/fmt.ts";

const root = new URL("../..", import.meta.url).pathname;

function mote(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function fmt(src: string): string {
  const r = formatSource(src);
  if (!r.ok) throw new Error(`${r.line}:${r.col}: ${r.message}`);
  return r.text;
}

/** Every .mote file in the repository that parses (a few test cases are deliberately broken). */
function repositorySources(): { name: string; text: string }[] {
  const files = moteFiles([join(root, "contracts"), join(root, "test")]).map((f) => ({ name: f.slice(root.length), text: readFileSync(f, "utf8") }));
  // the guides' examples (docs/errors.md shows broken code on purpose)
  for (const doc of ["docs/language.md", "docs/first-contract.md"]) {
    const md = readFileSync(join(root, doc), "utf8");
    let i = 0;
    for (const m of md.matchAll(/```mote\n([\s\S]*?)```/g)) files.push({ name: `${doc} example ${++i}`, text: m[1]! });
  }
  return files.filter((f) => !syntaxDiagnostics(f.text, f.name).some((d) => d.severity === "error"));
}

const MESSY = `// header


contract   C{
      storage m:map<pubkey,map<u64,u64>>;   // trailing
  storage n : u64;
  /* block
     comment */
  pub fn f( a:u64,b : u64 )->u64{


    let x=-a+b*2;let y = x>>1;
    if(x==0){return 0;}else{ return y<<2; }
    let z = a +
b;
    for i in 0 .. 10 { n+=i; }
    return - x + m[caller()][ 3 ]+0xff0a [1];


  }
}
`;

const CANONICAL = `// header

contract C {
  storage m: map<pubkey, map<u64, u64>>; // trailing
  storage n: u64;
  /* block
     comment */
  pub fn f(a: u64, b: u64) -> u64 {
    let x = -a + b * 2;
    let y = x >> 1;
    if (x == 0) { return 0; } else { return y << 2; }
    let z = a +
      b;
    for i in 0..10 { n += i; }
    return -x + m[caller()][3] + 0xff0a[1];
  }
}
`;

describe("mote fmt", () => {
  it("lays out a messy file canonically, keeping every comment", () => {
    expect(fmt(MESSY)).toBe(CANONICAL);
    expect(fmt(CANONICAL)).toBe(CANONICAL);
  });

  it("every contract, test program and language example in the repository is formatted", () => {
    const sources = repositorySources();
    expect(sources.length).toBeGreaterThan(30);
    const unformatted = sources.filter((s) => fmt(s.text) !== s.text).map((s) => s.name);
    expect(unformatted).toEqual([]);
  });

  it("is idempotent and changes only horizontal whitespace back to the canonical form", () => {
    const sources = repositorySources();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), fc.array(fc.constantFrom(" ", "  ", "\t"), { minLength: 1, maxLength: 400 }), (pick, spaces) => {
        const src = sources[pick]!.text;
        // add spaces and tabs between tokens (never inside one, never a line break)
        const tokens = MoteLexer.tokenize(src).tokens;
        let out = "";
        let pos = 0;
        tokens.forEach((t, i) => {
          // `>>` lexes as two `>` (so `map<k, map<k, v>>` closes); a space between them would make a different program
          const shift = i > 0 && t.image === ">" && tokens[i - 1]!.image === ">" && t.startOffset === pos;
          out += src.slice(pos, t.startOffset) + (i % 3 === 0 && !shift ? spaces[i % spaces.length]! : "");
          out += t.image;
          pos = t.endOffset! + 1;
        });
        out += src.slice(pos);
        const once = fmt(out);
        expect(once).toBe(src);
        expect(fmt(once)).toBe(once);
      }),
      { numRuns: 60, seed: 16 },
    );
  });

  it("--check lists unformatted files and exits 1; fmt rewrites them; a syntax error is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-fmt-"));
    writeFileSync(join(dir, "a.mote"), MESSY);
    writeFileSync(join(dir, "b.mote"), CANONICAL);
    const c = mote(dir, "fmt", "--check", ".");
    expect(c.code).toBe(1);
    expect(c.stdout).toBe("a.mote: not formatted\n2 file(s) checked, 1 not formatted\n");
    expect(readFileSync(join(dir, "a.mote"), "utf8")).toBe(MESSY);
    const w = mote(dir, "fmt");
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toBe("formatted a.mote\n");
    expect(readFileSync(join(dir, "a.mote"), "utf8")).toBe(CANONICAL);
    expect(mote(dir, "fmt", "--check").code).toBe(0);
    writeFileSync(join(dir, "bad.mote"), "contract C { storage x: u64 }\n");
    const b = mote(dir, "fmt", "bad.mote");
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^mote: bad\.mote:1:\d+: .* \(not formatted: fix the syntax first\)\n$/);
    expect(readdirSync(dir).sort()).toEqual(["a.mote", "b.mote", "bad.mote"]);
  });
});
