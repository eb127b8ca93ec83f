// `npm run bench:net`: committed signed token transfers per second and p50/p95 latency from submission to
// commit on 1 and on 4 local validators (127.0.0.1), and the same load shape against CometBFT's built-in
// kvstore app in the same run, so the ratio shows what the Mote application costs. Reports the load
// generator's own cost (signing, CPU while sending), per-node RSS and disk per 1,000 transactions.
// Checks its answers before reporting: every transfer must have moved a token (the operator's balance),
// every kvstore write must be readable. Writes bench/results/local/net.json (--record: bench/results/net.json).
// Options: --txs N (default 2000), --senders S (default 16), --timeout-commit T (default 100ms).
import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { compileFile } from "../compiler/index.ts";
import { KeyPair, readKeyFile } from "../ledger/index.ts";
import { signTx } from "../ledger/tx.ts";
import { selectorOf } from "../vm/spec/module.ts";
import { ensureCometbft, setToml } from "../node/cometbft.ts";
import { initNet, killNode, nodePids, startNode, stopNode, waitForNodes, type NetManifest } from "../node/net.ts";
import { rpcCall } from "../node/client.ts";
import { RemoteLedger } from "../node/remote.ts";
import { buildCli } from "../scripts/build-cli.ts";
import { resultPath } from "./results-path.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const TXS = Number(arg("--txs", "2000"));
const SENDERS = Number(arg("--senders", "16"));
const TIMEOUT_COMMIT = arg("--timeout-commit", "100ms");
const log = (s: string): void => void process.stderr.write(`bench:net: ${s}\n`);

interface Row {
  app: "mote" | "kvstore";
  validators: number;
  txs: number;
  committed: number;
  committedTxPerSec: number;
  p50Ms: number;
  p95Ms: number;
  txBytes: number;
  /** The generator's CPU (user + system) while sending, per transaction, on the same 2 cores. */
  generatorCpuMsPerTx: number;
  rssMb: { cometbft: number[]; app: number[] };
  diskKbPer1000Tx: number;
}

const hexHash = (b: Uint8Array): string => Buffer.from(sha256(b)).toString("hex");

function rssMb(pid: number | null): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const duKb = (dir: string): number => Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]);

async function freeBase(): Promise<number> {
  const { createServer } = await import("node:net");
  const free = (p: number) => new Promise<boolean>((r) => { const s = createServer(); s.once("error", () => r(false)); s.listen(p, "127.0.0.1", () => s.close(() => r(true))); });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 300) * 100;
    let ok = true;
    for (let i = 0; i < 4 && ok; i++) for (const d of [0, 1, 2]) ok = ok && (await free(base + 100 * i + d));
    if (ok) return base;
  }
}

/**
 * Sends `txs[s]` of each sender in order (broadcast_tx_sync, sender s through node s mod n), all senders at
 * once, and watches node 0's blocks for them: submission-to-commit latency per transaction.
 */
async function load(urls: string[], txs: Uint8Array[][]): Promise<{ committed: number; seconds: number; lat: number[]; cpuMs: number }> {
  const sent = new Map<string, number>();
  const lat: number[] = [];
  let done = false;
  let lastCommit = 0;
  const total = txs.reduce((a, t) => a + t.length, 0);
  let seen = (await rpcCall(urls[0]!, "status", {}) as { sync_info: { latest_block_height: string } }).sync_info.latest_block_height;
  const watcher = (async () => {
    let h = Number(seen);
    while (!done) {
      const top = Number(((await rpcCall(urls[0]!, "status", {})) as { sync_info: { latest_block_height: string } }).sync_info.latest_block_height);
      for (; h < top; ) {
        h++;
        const b = (await rpcCall(urls[0]!, "block", { height: String(h) })) as { block: { data: { txs: string[] | null } } };
        const now = performance.now();
        for (const t of b.block.data.txs ?? []) {
          const k = hexHash(Buffer.from(t, "base64"));
          const at = sent.get(k);
          if (at !== undefined) {
            lat.push(now - at);
            sent.delete(k);
            lastCommit = now;
          }
        }
      }
      if (lat.length >= total) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    txs.map(async (list, s) => {
      const url = urls[s % urls.length]!;
      for (const tx of list) {
        sent.set(hexHash(tx), performance.now());
        const r = (await rpcCall(url, "broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") })) as { code: number; log: string };
        if (r.code !== 0) throw new Error(`tx refused at CheckTx: code ${r.code}: ${r.log}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const until = performance.now() + 120_000;
  while (lat.length < total && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
  done = true;
  await watcher;
  return { committed: lat.length, seconds: (lastCommit - t0) / 1000, lat, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

async function benchMote(validators: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "mote-bench-"));
  const m = await initNet(dir, { validators, basePort: await freeBase(), timeoutCommit: TIMEOUT_COMMIT });
  const cli = [process.execPath, join(ROOT, "bin", "mote.js")];
  try {
    for (const n of m.nodes) startNode(n.home, cli);
    await waitForNodes(m, m.nodes.map((n) => n.index), 1, 120_000);
    const urls = m.nodes.map((n) => `http://127.0.0.1:${n.ports.rpc}`);
    const operator = readKeyFile(join(dir, "operator.key"));
    const l = await RemoteLedger.connect(urls[0]!);
    const mod = compileFile(join(ROOT, "contracts", "token.mote")).module!;
    const token = (await l.deploy(operator, mod, [10n ** 15n])).contract;
    const senders = Array.from({ length: SENDERS }, (_, i) => KeyPair.fromSeed(sha256(Uint8Array.of(7, i))));
    // each load transfer's gas limit: what funding a sender cost (it adds an entry, so it costs more than a transfer between holders)
    let gasLimit = 0;
    for (const s of senders) gasLimit = Math.max(gasLimit, (await l.call(operator, token, "transfer", [s.publicKey, 1_000_000n])).receipt.gasUsed);
    const per = Math.ceil(TXS / SENDERS);
    const s0 = performance.now();
    const txs = senders.map((s) =>
      Array.from({ length: per }, (_, k) => signTx({ genesisHash: l.genesisHash, sender: s.publicKey, nonce: BigInt(k), gasLimit, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [operator.publicKey, 1n] }, s).bytes),
    );
    const signMs = (performance.now() - s0) / (per * SENDERS);
    const before = (await l.view(token, "balance_of", [operator.publicKey])).returns[0] as bigint;
    const disk0 = duKb(m.nodes[0]!.home);
    const r = await load(urls, txs);
    const after = (await l.view(token, "balance_of", [operator.publicKey])).returns[0] as bigint;
    if (after - before !== BigInt(per * SENDERS)) throw new Error(`the operator's balance moved by ${after - before}, expected ${per * SENDERS}: not every transfer executed`);
    const disk = duKb(m.nodes[0]!.home) - disk0;
    const pids = m.nodes.map((n) => nodePids(n.home));
    log(`mote ×${validators}: ${r.committed} committed in ${r.seconds.toFixed(2)} s (signing ${signMs.toFixed(3)} ms/tx, before the clock)`);
    return {
      app: "mote",
      validators,
      txs: per * SENDERS,
      committed: r.committed,
      committedTxPerSec: Math.round(r.committed / r.seconds),
      p50Ms: pct(r.lat, 50),
      p95Ms: pct(r.lat, 95),
      txBytes: txs[0]![0]!.length,
      generatorCpuMsPerTx: Math.round((r.cpuMs / r.committed) * 1000) / 1000,
      rssMb: { cometbft: pids.map((p) => rssMb(p.cometbft)), app: pids.map((p) => rssMb(p.node)) },
      diskKbPer1000Tx: Math.round((disk / r.committed) * 1000),
    };
  } finally {
    await Promise.all(m.nodes.map((n) => stopNode(n.home, 5000)));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchKvstore(validators: number, txBytes: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "mote-bench-kv-"));
  const m: NetManifest = await initNet(dir, { validators, basePort: await freeBase(), timeoutCommit: TIMEOUT_COMMIT });
  const bin = await ensureCometbft();
  const children: ChildProcess[] = [];
  try {
    for (const n of m.nodes) {
      const f = join(n.home, "config", "config.toml");
      writeFileSync(f, setToml(readFileSync(f, "utf8"), "", "proxy_app", JSON.stringify("kvstore")));
      children.push(spawn(bin, ["start", "--home", n.home], { stdio: "ignore" }));
    }
    await waitForNodes({ ...m, nodes: m.nodes }, m.nodes.map((n) => n.index), 1, 120_000).catch(() => undefined);
    const urls = m.nodes.map((n) => `http://127.0.0.1:${n.ports.rpc}`);
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      try {
        const st = (await rpcCall(urls[0]!, "status", {})) as { sync_info: { latest_block_height: string } };
        if (Number(st.sync_info.latest_block_height) >= 1) break;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const per = Math.ceil(TXS / SENDERS);
    // key=value of the Mote transfer's size, unique per transaction
    const txs = Array.from({ length: SENDERS }, (_, s) => Array.from({ length: per }, (_, k) => {
      const key = `s${s}k${k}=`;
      return new TextEncoder().encode(key + "v".repeat(Math.max(1, txBytes - key.length)));
    }));
    const disk0 = duKb(m.nodes[0]!.home);
    const r = await load(urls, txs);
    const q = (await rpcCall(urls[0]!, "abci_query", { path: "", data: Buffer.from(`s0k${per - 1}`).toString("hex"), height: "0", prove: false })) as { response: { value?: string } };
    if (!q.response.value) throw new Error("kvstore: the last write is not readable");
    const disk = duKb(m.nodes[0]!.home) - disk0;
    log(`kvstore ×${validators}: ${r.committed} committed in ${r.seconds.toFixed(2)} s`);
    return {
      app: "kvstore",
      validators,
      txs: per * SENDERS,
      committed: r.committed,
      committedTxPerSec: Math.round(r.committed / r.seconds),
      p50Ms: pct(r.lat, 50),
      p95Ms: pct(r.lat, 95),
      txBytes,
      generatorCpuMsPerTx: Math.round((r.cpuMs / r.committed) * 1000) / 1000,
      rssMb: { cometbft: children.map((c) => rssMb(c.pid ?? null)), app: [] },
      diskKbPer1000Tx: Math.round((disk / r.committed) * 1000),
    };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    void killNode;
    rmSync(dir, { recursive: true, force: true });
  }
}

await buildCli();
await ensureCometbft({ log });
const rows: Row[] = [];
for (const v of [1, 4]) {
  const mote = await benchMote(v);
  rows.push(mote);
  rows.push(await benchKvstore(v, mote.txBytes));
}
const ratio = (v: number) => {
  const a = rows.find((r) => r.app === "mote" && r.validators === v)!;
  const b = rows.find((r) => r.app === "kvstore" && r.validators === v)!;
  return Math.round((a.committedTxPerSec / b.committedTxPerSec) * 100) / 100;
};
const out = {
  what: "committed signed token transfers per second and submission-to-commit latency, Mote app vs CometBFT kvstore, same run",
  cometbft: "0.38.26",
  timeoutCommit: TIMEOUT_COMMIT,
  senders: SENDERS,
  cores: cpus().length,
  node: process.version,
  note: "generator, validators and apps share this machine's cores (and other work on it): lower bounds",
  rows,
  moteVsKvstore: { validators1: ratio(1), validators4: ratio(4) },
};
const { path, rel } = resultPath("net.json");
writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
for (const r of rows) log(`${r.app} ×${r.validators}: ${r.committedTxPerSec} tx/s, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms`);
log(`mote/kvstore: ${out.moteVsKvstore.validators1} (1 validator), ${out.moteVsKvstore.validators4} (4 validators); wrote ${rel}`);
