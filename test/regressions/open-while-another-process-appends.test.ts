// Regression (issue 11, point 7): while one process appended blocks, opens by another process failed now
// and then with "the state table does not match block H's state root" on a store that audits clean:
// opening read the head and the state in separate SQLite transactions, so it could pair block H with
// the state after block H+1. It now reads them from one snapshot.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Ledger } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";

const WRITER = fileURLToPath(new URL("../ledger/crash-writer.ts", import.meta.url));

describe("opening a ledger another process is appending to", () => {
  it("never reports a state mismatch on a store that audits clean", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-concurrent-open-"));
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, dir], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let acks = 0;
      child.stdout.on("data", (d: Buffer) => (acks += d.toString().split("\n").filter((l) => l.startsWith("ack")).length));
      const started = Date.now();
      while (acks < 5 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
      expect(acks, "the writer started").toBeGreaterThanOrEqual(5);
      const vm = await MoteVM.create();
      const failures: string[] = [];
      let opens = 0;
      const heights = new Set<bigint>();
      // at least 150 opens across at least 10 heights while the writer keeps appending, within 30 s
      for (const until = Date.now() + 30_000; (opens < 150 || heights.size < 10) && Date.now() < until; opens++) {
        try {
          const l = await Ledger.open(dir, { vm });
          heights.add(l.height);
          l.close();
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
      expect(failures).toEqual([]);
      expect(heights.size, "the opens saw the chain grow").toBeGreaterThanOrEqual(2);
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const audit = await Ledger.auditStore(dir, { vm });
      expect(audit.ok, audit.error).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
