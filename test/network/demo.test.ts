// `npm run demo -- --network`: the fleet demo on a local 4-validator network it starts itself
// (mote net up in a temporary directory), every call through node 0's RPC; all its checks hold, every
// validator agrees on the app hash, and every process it started is gone when it exits.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureCometbft } from "../../node/cometbft.ts";
import { ROOT } from "./helpers.ts";

/** Running: signalable and not a zombie (an exited process its new parent has not reaped yet still takes signals). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false; // reaped between the two looks
  }
}

describe("npm run demo -- --network", () => {
  it("runs the fleet on 4 validators through their RPC, passes every check, and stops every process it started", async () => {
    await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) });
    const r = await new Promise<{ code: number; out: string; err: string }>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "demo.ts"), "--network"], { cwd: ROOT, encoding: "utf8", timeout: 280_000 }, (err, out, errText) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errText }),
      ),
    );
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    expect(r.out).toContain("on a 4-validator network");
    expect(r.out).toMatch(/✓ every validator reports the same app hash {2}4 validators, app hash [0-9a-f]{16}… at height \d+/);
    expect(r.out).toMatch(/✓ the ledger passes audit/);
    expect(r.out).not.toContain("✗");
    expect(r.out).toContain("all demo steps gave their expected results");
    // the node processes it started (app + engine per validator), each gone by its PID
    const pids = [...(/processes ([0-9+, ]+)/.exec(r.out)?.[1] ?? "").matchAll(/\d+/g)].map((m) => Number(m[0]));
    expect(pids.length).toBe(8);
    for (const p of pids) expect(alive(p), `pid ${p}`).toBe(false);
  }, 300_000);
});
