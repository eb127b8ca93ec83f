// `mote events --follow`: prints what is on the chain, then each new block's events as another process
// commits them, until stopped (here by --to, and by killing the process).
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const B = `0x${"bb".repeat(32)}`;

function mote(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("mote events --follow", () => {
  it("streams events of blocks committed after it started, as JSON lines, and stops at --to", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-follow-"));
    expect(mote(dir, "ledger", "init").code).toBe(0);
    expect(mote(dir, "keygen", "--out", "k.key").code).toBe(0);
    const d = mote(dir, "tx", "deploy", join(root, "contracts/token.mote"), "100", "--key", "k.key", "--json");
    const c = (JSON.parse(d.stdout) as { contract: string }).contract;
    expect(mote(dir, "tx", "call", c, "transfer", B, "1", "--key", "k.key").code).toBe(0); // block 2
    const child = spawn(process.execPath, [join(root, "bin/mote.js"), "events", "--follow", "--json", "--interval", "50", "--to", "4"], { cwd: dir });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      // the event already on the chain comes first
      for (let i = 0; i < 200 && !out.includes("\n"); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out.trim().split("\n")).toHaveLength(1);
      expect(mote(dir, "tx", "call", c, "transfer", B, "2", "--key", "k.key").code).toBe(0); // block 3
      expect(mote(dir, "tx", "call", c, "transfer", B, "3", "--key", "k.key").code).toBe(0); // block 4: --to ends it
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill();
    }
    const lines = out.trim().split("\n").map((l) => JSON.parse(l) as { height: string; name: string; values: string[] });
    expect(lines.map((l) => [l.height, l.name, l.values[2]])).toEqual([
      ["2", "Transfer", "1"],
      ["3", "Transfer", "2"],
      ["4", "Transfer", "3"],
    ]);
  });
});
