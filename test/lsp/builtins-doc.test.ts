// Every builtin the checker knows has a hover doc, and docs/language.md's Builtins table names each one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { BUILTINS } from "../../compiler/checker.ts";
import { BUILTIN_DOCS } from "../../compiler/builtins-doc.ts";
import { ROOT } from "./client.ts";

it("documents every builtin, and nothing that is not one", () => {
  expect(Object.keys(BUILTIN_DOCS).sort()).toEqual([...BUILTINS].sort());
  const table = readFileSync(join(ROOT, "docs", "language.md"), "utf8").split("## Builtins")[1]!.split("```")[0]!;
  for (const b of BUILTINS) expect(table, b).toMatch(new RegExp(`\\b${b.replace(/^wrapping_(add|sub|mul)$/, "wrapping_add/sub/mul").replace("/", "\\/")}|\\b${b}\\(`));
});
