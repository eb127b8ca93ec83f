// The mutation list of `npm run mutate` stays true to the code: each mutation's text occurs exactly once in its
// file (so an edit that moves the code fails here, not silently in a slow run), ids are unique, every mutation
// changes something, and every folder names tests that exist.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyMutation, FOLDERS, folderOf, MUTATIONS } from "../../scripts/mutations.ts";

const root = new URL("../..", import.meta.url).pathname;

describe("scripts/mutations.ts", () => {
  it("ids are unique and every mutation lies in a listed folder", () => {
    expect(new Set(MUTATIONS.map((m) => m.id)).size).toBe(MUTATIONS.length);
    expect(MUTATIONS.filter((m) => folderOf(m) === undefined).map((m) => m.id)).toEqual([]);
  });

  it.each(MUTATIONS.map((m) => [m.id, m] as const))("%s applies to exactly one place and changes it", (_id, m) => {
    const text = readFileSync(join(root, m.file), "utf8");
    const mutated = applyMutation(text, m);
    expect(mutated).not.toBe(text);
    expect(m.breaks.length).toBeGreaterThan(10);
  });

  it("every folder's tests exist, and every folder has mutations", () => {
    for (const [folder, f] of Object.entries(FOLDERS)) {
      for (const t of f.tests) expect(existsSync(join(root, t)), t).toBe(true);
      expect(MUTATIONS.some((m) => folderOf(m) === folder), folder).toBe(true);
    }
  });

  it("a stale mutation is refused with its id and file", () => {
    const m = MUTATIONS[0]!;
    expect(() => applyMutation("nothing here", m)).toThrow(`mutation ${m.id}: its text no longer occurs in ${m.file}`);
    expect(() => applyMutation(`${m.from}\n${m.from}`, m)).toThrow(/occurs more than once/);
  });
});
