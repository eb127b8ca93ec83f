// Regression (compiler fuzz, MOTE_SEED=1505043919): an import path holding a control character, such as
// `import "read\ng.mote";`, was echoed raw into E0010's message, which then spanned two lines. Every
// path from the source is escaped as any other input is (compiler/escape.ts).
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";

const files: Record<string, string> = {};
const readFile = (p: string): string | undefined => files[p];

describe("an import path with a control character", () => {
  it("is escaped in E0010 (unreadable import): the message is one line", () => {
    const r = compileSource('import "read\\ng.mote";\ncontract C { pub fn f() -> u64 { return 1; } }\n', "dir/main.mote", readFile);
    const d = r.diagnostics.find((x) => x.code === "E0010");
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d!.message).not.toMatch(/[\n\r]/);
    expect(d!.message).toContain("read\\x0ag.mote");
  });

  it("is escaped in the import cycle message", () => {
    files["dir/a\tb.mote"] = 'import "a\\tb.mote";\n';
    const r = compileSource('import "a\\tb.mote";\ncontract C { pub fn f() -> u64 { return 1; } }\n', "dir/main.mote", readFile);
    const d = r.diagnostics.find((x) => x.message.includes("→"));
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d!.message).not.toMatch(/\t/);
    expect(d!.message).toContain("a\\x09b.mote");
  });
});
