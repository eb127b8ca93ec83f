// Half-typed code never breaks the language service: every prefix of every contract in contracts/
// (cut every few characters, as if typed so far) is analysed and asked for hover, definition,
// completion and symbols at several places, in process, with no exception.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSourceFile } from "../../compiler/index.ts";
import { analyze, complete, definition, hover, symbols } from "../../lsp/analysis.ts";
import { ROOT } from "./client.ts";

const dir = join(ROOT, "contracts");
const contracts = readdirSync(dir).filter((f) => f.endsWith(".mote"));

describe("language service on half-typed code", () => {
  it.each(contracts)("%s: every prefix answers without throwing", (name) => {
    const file = join(dir, name);
    const text = readFileSync(file, "utf8");
    const step = Math.max(1, Math.floor(text.length / 60));
    let answered = 0;
    for (let cut = 0; cut <= text.length; cut += step) {
      const prefix = text.slice(0, cut);
      const { analysis } = analyze(prefix, file, readSourceFile);
      const lines = prefix.split("\n");
      const last = { line: lines.length, col: lines[lines.length - 1]!.length + 1 };
      for (const p of [last, { line: 1, col: 1 }, { line: Math.ceil(lines.length / 2), col: 3 }, { line: lines.length + 5, col: 99 }]) {
        hover(analysis, p);
        definition(analysis, p, (_f, path) => path);
        complete(analysis, prefix, p);
        answered++;
      }
      symbols(analysis);
    }
    expect(answered).toBeGreaterThan(50);
  });

  it("a name typed after a dot with nothing before it, an unclosed brace and binary junk do not throw", () => {
    for (const text of [".", "contract C { pub fn f() { let x = . } }", "contract C { storage s: map<", "\u0000\u0001", "contract C { fn f() { a[b[c[.", "]].x."]) {
      const { analysis } = analyze(text, "/tmp/x.mote", () => undefined);
      const p = { line: 1, col: text.length + 1 };
      expect(() => [hover(analysis, p), complete(analysis, text, p), symbols(analysis)]).not.toThrow();
    }
  });
});
