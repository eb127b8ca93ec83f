// `npx tsx bench/host-overhead.ts [rounds]`: CPU time (not wall-clock) of the peer benchmark's 1,000 token
// transfers on Mote's two engines and QuickJS, rounds interleaved, so a loaded machine slows every row alike.
import { checkWorkload } from "./peers/check.ts";
import { createEngine } from "./peers/engines/index.ts";
import type { EngineName } from "./peers/engine.ts";
import { transfers, FULL } from "./peers/workloads.ts";

/**
 * Why CPU time: on the shared 2-core machine wall-clock medians of engines measured one after another move
 * by tens of percent with the load; process.cpuUsage() counts only this process's time on a core. What it
 * still counts: other threads of the process (V8's GC helpers), so it is a measure, not a budget.
 */
const rounds = Number(process.argv[2] ?? 100);
if (!Number.isSafeInteger(rounds) || rounds < 10) throw new Error("rounds: a whole number, at least 10");
const names: EngineName[] = ["mote", "mote-fast", "quickjs"];
const engines = await Promise.all(names.map((n) => createEngine(n)));
const list = transfers(FULL.transfers);
const cpuMs: number[][] = names.map(() => []);
try {
  for (const e of engines) await checkWorkload(e, "token_transfer", FULL); // the answers before the speed
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < engines.length; j++) {
      const e = engines[j]!;
      await e.token.reset();
      const t0 = process.cpuUsage();
      await e.token.run(list);
      const c = process.cpuUsage(t0);
      if (r >= 5) cpuMs[j]!.push((c.user + c.system) / 1000); // the first rounds warm the JIT
    }
  }
} finally {
  for (const e of engines) e.dispose();
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const quickjs = median(cpuMs[names.indexOf("quickjs")]!);
console.log(`| engine | CPU ms per ${FULL.transfers.toLocaleString("en-US")} transfers (median of ${rounds - 5}) | QuickJS / engine |`);
console.log("| --- | ---: | ---: |");
names.forEach((n, j) => {
  const m = median(cpuMs[j]!);
  console.log(`| ${n} | ${m.toFixed(3)} | ${(quickjs / m).toFixed(2)}× |`);
});
