// Crash safety: a writer process is SIGKILLed at many seeded random points; after each kill the store
// reopens cleanly and holds every transaction the writer acknowledged, and the chain audits clean.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ledger, fromHex } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { tempDir } from "./helpers.ts";

const WRITER = fileURLToPath(new URL("crash-writer.ts", import.meta.url));

/** mulberry32: a seeded PRNG, so a failing run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the writer until it has acknowledged `acks` transactions, waits `extraMs` more, then SIGKILLs it. */
function runAndKill(dir: string, acks: number, extraMs: number): Promise<{ acked: string[]; stderr: string; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, dir], { stdio: ["ignore", "pipe", "pipe"] });
    const acked: string[] = [];
    let buf = "";
    let stderr = "";
    let killing = false;
    const kill = (): void => {
      if (killing) return;
      killing = true;
      setTimeout(() => child.kill("SIGKILL"), extraMs);
    };
    // A kill before the first acknowledgement also happens: while the writer opens or creates the store.
    const early = acks === 0 ? setTimeout(kill, extraMs * 10) : null;
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const line of lines) if (line.startsWith("ack ")) acked.push(line.slice(4));
      if (acked.length >= acks) kill();
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (early) clearTimeout(early);
      resolve({ acked, stderr, signal });
    });
  });
}

describe("crash safety", () => {
  it("loses no acknowledged transaction when the writer is SIGKILLed at random points", async () => {
    const vm = await MoteVM.create();
    const dir = tempDir("mote-crash-");
    const rand = prng(0x5eed);
    const acknowledged: string[] = [];
    const rounds = 12;
    try {
      for (let round = 0; round < rounds; round++) {
        const acks = round === 0 ? 0 : 1 + Math.floor(rand() * 20);
        const extraMs = Math.floor(rand() * 25);
        const r = await runAndKill(dir, acks, extraMs);
        expect(r.signal, `writer exited on its own: ${r.stderr}`).toBe("SIGKILL");
        acknowledged.push(...r.acked);
        if (round === 0 && r.acked.length === 0) continue;
        const l = await Ledger.open(dir, { vm });
        for (const id of acknowledged) expect(l.txLocation(fromHex(id, "tx id")), `acknowledged tx ${id} is missing`).toBeDefined();
        l.close();
      }
      const l = await Ledger.open(dir, { vm });
      const report = l.audit();
      expect(report.ok, report.error).toBe(true);
      expect(report.txs).toBeGreaterThanOrEqual(acknowledged.length);
      expect(acknowledged.length).toBeGreaterThan(rounds);
      l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
