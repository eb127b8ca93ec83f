// `npm run bench:net-trace -- DIR [--txs N]`: where a network's application time went, from the MOTE_ABCI_TRACE
// lines (node/abci-server.ts traceLine) in every DIR/node*/node.log, e.g. a run kept by
// `MOTE_ABCI_TRACE=1 npm run bench:net -- --txs 4800 --apps mote --keep` (DIR is what it prints as kept).
// Prints, summed over the nodes, each request kind's handler time per committed transaction (N, default 4800):
// new CheckTx, ReCheck, PrepareProposal, ProcessProposal, FinalizeBlock, Commit and the rest; then per node the
// median interval between blocks that held transactions and the median time from Commit until the last ReCheck
// of that block was answered (CometBFT holds its mempool lock, and its next height waits, until then).
// Handler time is wall clock on a loaded machine (a lower bound on nothing, an upper bound on CPU); the trace's
// own writes are outside it. A diagnosis tool: not recorded, no figures in docs come from it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir || dir.startsWith("--")) throw new Error("usage: bench:net-trace DIR [--txs N]");
const i = process.argv.indexOf("--txs");
const committed = i > 0 ? Number(process.argv[i + 1]) : 4800;

interface Ev {
  at: number;
  kind: string;
  wait: number;
  run: number;
}

/** The trace lines of one node's log. */
function events(file: string): Ev[] {
  const out: Ev[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^abci-trace (\S+) (\S+) wait (\S+) run (\S+)/.exec(line);
    if (m) out.push({ at: Number(m[1]), kind: m[2]!, wait: Number(m[3]), run: Number(m[4]) });
  }
  return out;
}

const label = (k: string): string => (k === "checkTx:0" ? "CheckTx (new)" : k === "checkTx:1" ? "ReCheck" : k.split(":")[0]!);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

const nodes = readdirSync(dir).filter((d) => /^node\d+$/.test(d)).sort();
const run = new Map<string, number>();
const count = new Map<string, number>();
const perNode: string[] = [];
for (const n of nodes) {
  const evs = events(join(dir, n, "node.log"));
  for (const e of evs) {
    const k = label(e.kind);
    run.set(k, (run.get(k) ?? 0) + e.run);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  // the load's blocks: more than one transaction (the setup before the clock commits one at a time)
  const isLoad = (e: Ev): boolean => e.kind.startsWith("finalizeBlock:") && Number(e.kind.split(":")[1]) > 1;
  const blocks = evs.filter(isLoad);
  const gaps = blocks.slice(1).map((b, j) => b.at - blocks[j]!.at);
  // from the Commit of each load block until the last ReCheck answered before the next block's request
  const spans: number[] = [];
  const depth: number[] = [];
  let open: { from: number; to: number; n: number } | null = null;
  let load = false;
  for (const e of evs) {
    if (e.kind.startsWith("finalizeBlock:")) load = isLoad(e);
    if (e.kind === "commit") {
      if (open) (spans.push(open.to - open.from), depth.push(open.n));
      open = load ? { from: e.at + e.wait + e.run, to: e.at + e.wait + e.run, n: 0 } : null;
    } else if (e.kind.startsWith("finalizeBlock:") || e.kind.startsWith("prepareProposal:") || e.kind.startsWith("processProposal:")) {
      if (open) (spans.push(open.to - open.from), depth.push(open.n));
      open = null;
    } else if (e.kind === "checkTx:1" && open) {
      open.to = e.at + e.wait + e.run;
      open.n++;
    }
  }
  if (open) (spans.push(open.to - open.from), depth.push(open.n));
  perNode.push(`${n}: ${blocks.length} blocks of the load, median ${median(gaps).toFixed(0)} ms apart; Commit to last ReCheck answered median ${median(spans).toFixed(0)} ms (median ${median(depth)} ReChecks)`);
}
const total = [...run.values()].reduce((a, b) => a + b, 0);
process.stdout.write(`${dir}: ${nodes.length} node(s), handler ms per committed transaction (${committed}), summed over nodes\n`);
for (const [k, t] of [...run.entries()].sort((a, b) => b[1] - a[1])) {
  process.stdout.write(`  ${k.padEnd(16)} ${(t / committed).toFixed(3).padStart(8)} ms/tx ${(count.get(k)! / committed).toFixed(2).padStart(8)} requests/tx ${((t / count.get(k)!) * 1000).toFixed(0).padStart(7)} us each ${((t / total) * 100).toFixed(1).padStart(5)}%\n`);
}
process.stdout.write(`  ${"total".padEnd(16)} ${(total / committed).toFixed(3).padStart(8)} ms/tx\n`);
for (const l of perNode) process.stdout.write(`  ${l}\n`);
