// The `mote` command starts from JavaScript compiled at install (dist/, scripts/build-cli.ts): bin/mote.js
// never loads tsx, and the bundle holds no build script (so no command can rebuild the VM or need
// AssemblyScript at run time). Start-up time itself is measured as a benchmark (README), not here.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

describe("fast CLI start", () => {
  it("bin/mote.js runs the bundle and never compiles TypeScript", () => {
    const bin = readFileSync(join(root, "bin/mote.js"), "utf8");
    expect(bin).not.toMatch(/tsx|\.ts["']/);
    expect(bin).toMatch(/dist\/mote\.js/);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string; scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toMatch(/build-cli/);
    const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), "--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("the bundle imports no build script, AssemblyScript or tsx", () => {
    const meta = JSON.parse(readFileSync(join(root, "dist/meta.json"), "utf8")) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain("cli/main.ts");
    expect(inputs.filter((p) => /^scripts\/|assemblyscript|binaryen|tsx/.test(p))).toEqual([]);
  });
});
