// SIGKILL during `mote ledger import`: whenever the importer dies, the directory holds either no
// ledger or the whole imported chain (auditing clean), and a second import into it then succeeds.
import { spawn } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Ledger, hex } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { enc, key, program, tempDir, ticking } from "../ledger/helpers.ts";
import { Rng, seedFromEnv } from "../fuzz/random.ts";

const WRITER = fileURLToPath(new URL("import-writer.ts", import.meta.url));
const SEED = seedFromEnv();

/** Runs the importer; kills it `delayMs` after it printed "start" (or lets it finish). */
function importAndKill(exportFile: string, dir: string, delayMs: number | null): Promise<{ finished: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, exportFile, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let started = 0;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!started && out.includes("start")) {
        started = performance.now();
        if (delayMs !== null) setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.on("error", reject);
    child.on("exit", () => resolve({ finished: out.includes("done"), ms: started ? performance.now() - started : 0 }));
  });
}

describe(`import killed at random points (MOTE_SEED=${SEED})`, () => {
  it("leaves no ledger or the whole chain, and never blocks a later import", async () => {
    const vm = await MoteVM.create();
    const alice = key(1);
    const src = await Ledger.open(":memory:", { chainId: "kill", clock: ticking(), vm });
    const { contract } = src.deploy(alice, program("book.masm"), [1_000_000n]);
    for (let b = 0; b < 40; b++) src.submit(Array.from({ length: 5 }, (_, k) => src.signCall(alice, contract, "put", [enc(`k${b}-${k}`), BigInt(b * 5 + k)])));
    const ex = src.exportChain();
    const base = tempDir("mote-kill-import-");
    const exportFile = join(base, "chain.export");
    writeFileSync(exportFile, ex);
    try {
      // one full import tells how long the window is
      const full = await importAndKill(exportFile, join(base, "full"), null);
      expect(full.finished).toBe(true);
      const r = new Rng(SEED);
      const outcomes = { none: 0, whole: 0 };
      for (let i = 0; i < 6; i++) {
        const dir = join(base, `d${i}`);
        const run = await importAndKill(exportFile, dir, r.float() * full.ms * 1.1);
        if (!existsSync(join(dir, "ledger.sqlite"))) {
          expect(run.finished).toBe(false);
          outcomes.none++;
        } else {
          const l = await Ledger.open(dir, { vm });
          expect(l.height).toBe(src.height);
          expect(hex(l.headHash)).toBe(hex(src.headHash));
          expect(l.audit().ok).toBe(true);
          l.close();
          outcomes.whole++;
          rmSync(dir, { recursive: true, force: true });
        }
        // whatever the kill left behind, importing again works
        const again = await Ledger.importChain(dir, ex, { vm });
        expect(hex(again.stateRoot)).toBe(hex(src.stateRoot));
        again.close();
      }
      console.log(`import kills: ${JSON.stringify(outcomes)} (full import ${full.ms.toFixed(0)} ms)`);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 180_000);
});
