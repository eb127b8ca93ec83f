// Replays a saved case through the oracle with every check on (and through mote-host when asked):
// the regression suite and the minimizer both judge a case with this one function.
import { MemoryStateStore, type MoteVM } from "../../vm/host/index.ts";
import { fromHex } from "../../vm/host/store.ts";
import { callsFromJson, type CaseFile } from "./case-file.ts";
import { checkCase, type CaseOutcome } from "./oracle.ts";
import { DifferentialBatch } from "./differential.ts";

export interface Replay extends CaseOutcome {
  /** Differences between the hosts, when the firmware host took part. */
  divergences: string[];
}

export function replayCase(vm: MoteVM, file: CaseFile, where: string, opts: { differential?: boolean } = {}): Replay {
  if (typeof file.module !== "string" || !/^0x([0-9a-f]{2})*$/.test(file.module)) throw new Error(`${where}: 'module' must be 0x-hex`);
  const calls = callsFromJson(file, where);
  const module = fromHex(file.module);
  const preload = (file.preload ?? []).map((m, i) => {
    if (!/^0x([0-9a-f]{2})*$/.test(m)) throw new Error(`${where}: preload[${i}] must be 0x-hex`);
    return fromHex(m);
  });
  const store = MemoryStateStore.fromJSON(file.state ?? {});
  const before = DifferentialBatch.stateHex(store);
  // the same calls on a VM that loaded nothing before: what came earlier must not change any result
  let fresh: string[] | undefined;
  if (preload.length) {
    fresh = checkCase(vm, module, calls, MemoryStateStore.fromJSON(file.state ?? {}), {}).results;
    for (const m of preload) vm.verify(m);
  }
  const out = checkCase(vm, module, calls, store, { determinism: true, gasExactness: true, roundTrip: true });
  if (fresh) {
    fresh.forEach((line, i) => {
      if (line !== out.results[i]) out.findings.push({ kind: "load-history", detail: `call ${i} gives ${out.results[i]?.slice(0, 160)} after the preloaded modules, ${line.slice(0, 160)} without` });
    });
  }
  const divergences: string[] = [];
  if (opts.differential) {
    const d = new DifferentialBatch();
    d.add(0, module, before, calls.map((c) => ({ ...c, gas: Math.max(1, c.gas) })), out.results, DifferentialBatch.stateHex(store), preload);
    for (const x of d.flush()) divergences.push(x.detail);
  }
  return { ...out, divergences };
}
