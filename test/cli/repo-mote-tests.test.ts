// The repository's own Mote-native tests (test/mote/*.t.mote, mote.json) pass, and their gas matches the
// committed .gas-snapshot: a change of the gas table or the code generator shows up here as a diff to
// review and commit (`npx mote test --gas-snapshot`).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

describe("mote test in this repository", () => {
  it("passes and matches the committed gas snapshot", () => {
    const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), "test", "--gas-snapshot", "--check"], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed\ngas snapshot \.gas-snapshot matches\n$/m);
  });
});
