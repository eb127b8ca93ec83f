// `npm run bench:net`: committed signed token transfers per second and p50/p95 latency from submission to
// commit on 1 and on 4 local validators (127.0.0.1), and the same load shape against CometBFT's built-in
// kvstore app in the same run (in the engine's process, and the same kvstore served over the socket
// transport Mote uses, by abci-cli), so the ratios show what the Mote application and the transport cost. Reports the load
// generator's own cost (signing, CPU while sending), per-node RSS and disk per 1,000 transactions.
// Checks its answers before reporting: every transfer must have moved a token (the operator's balance),
// every kvstore write must be readable. Writes bench/results/local/net.json (--record: bench/results/net.json).
// Options: --txs N (default 4800: 6,000 overflowed CometBFT's 5,000-transaction mempool on 4 validators), --senders S (default 32), --timeout-commit T (default 100ms),
// --profile DIR (each Mote app process runs under node --cpu-prof, its profile written to DIR on exit),
// --block-gas-limit G (the Mote network's genesis; default NODE_LIMITS.BLOCK_GAS_LIMIT, as `mote net up`),
// --reps R (default 3: each setup runs R times on a fresh network; its row is the run with the median tx/s, and
// `runsTxPerSec` lists every run's, since a load the built-in kvstore commits in a handful of blocks within a
// second is timed to the last of those few commits and varies by a factor of two from run to run).
// A fourth setup, `null-socket`, answers every request at once on Mote's own ABCI server (bench/abci-null.ts):
// the most any application reaches behind the socket transport on this machine, whatever it costs.
// Both apps run on the same CometBFT config (node/cometbft.ts configureNode), only proxy_app differs.
import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { compileFile } from "../compiler/index.ts";
import { KeyPair, readKeyFile } from "../ledger/index.ts";
import { signTx, txSignatureValid } from "../ledger/tx.ts";
import { selectorOf } from "../vm/spec/module.ts";
import { COMETBFT_VERSION, cometbftDir, ensureCometbft, findGo, setToml } from "../node/cometbft.ts";
import { initNet, killNode, nodePids, startNode, stopNode, waitForNodes, type NetManifest } from "../node/net.ts";
import { rpcCall } from "../node/client.ts";
import { releaseBasePort, reserveBasePort } from "../node/ports.ts";
import { NODE_LIMITS } from "../node/wire.ts";
import { RemoteLedger } from "../node/remote.ts";
import { buildCli } from "../scripts/build-cli.ts";
import { recording, resultPath } from "./results-path.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const TXS = Number(arg("--txs", "4800"));
const SENDERS = Number(arg("--senders", "32"));
const TIMEOUT_COMMIT = arg("--timeout-commit", "100ms");
const PROFILE = arg("--profile", "");
/** --validators 1,4 (default): the network sizes to run; the ratio needs both apps at a size. */
const SIZES = arg("--validators", "1,4").split(",").map(Number);
/** --apps mote,kvstore,kvstore-socket,null-socket (default); --keep leaves the network directories (node logs) in the temp dir. */
const DEFAULT_APPS = "mote,kvstore,kvstore-socket,null-socket";
const APPS = arg("--apps", DEFAULT_APPS).split(",");
const REPS = Number(arg("--reps", "3"));
if (!Number.isInteger(REPS) || REPS < 1) throw new Error(`--reps takes a whole number of runs, at least 1; got '${arg("--reps", "3")}'`);
const KEEP = process.argv.includes("--keep");
/**
 * --txlog FILE: one line per load transaction, "HASH SENT ANSWERED" (its SHA-256 as CometBFT logs it, then wall-clock ms
 * since the epoch of the broadcast_tx_sync call and of its answer), to line up with MOTE_ABCI_TRACE and the engine's log.
 */
const TXLOG = arg("--txlog", "");
const txlog: string[] = [];
const BLOCK_GAS = process.argv.includes("--block-gas-limit") ? BigInt(arg("--block-gas-limit", "0")) : undefined;
if (recording() && (SIZES.join(",") !== "1,4" || APPS.join(",") !== DEFAULT_APPS || REPS < 3 || PROFILE || KEEP || TXLOG || process.argv.includes("--block-gas-limit"))) throw new Error("--record takes the default sizes, apps and block gas limit, at least 3 repetitions, no --profile or --keep");
const log = (s: string): void => void process.stderr.write(`bench:net: ${s}\n`);

/**
 * kvstore: CometBFT's built-in kvstore (proxy_app = "kvstore", in the engine's process: no socket);
 * kvstore-socket: the same kvstore app served by abci-cli over the socket transport Mote uses, so the
 * ratio to it is the application's cost alone, the ratio to the built-in one adds the transport's.
 */
type AppName = "mote" | "kvstore" | "kvstore-socket" | "null-socket";

interface Row {
  app: AppName;
  validators: number;
  txs: number;
  committed: number;
  committedTxPerSec: number;
  p50Ms: number;
  p95Ms: number;
  /** Median broadcast_tx_sync round trip (submission until CheckTx answered). */
  checkTxP50Ms: number;
  txBytes: number;
  /** The generator's CPU (user + system) while sending, per transaction, on the same 2 cores. */
  generatorCpuMsPerTx: number;
  /**
   * The generator's event-loop delay while sending (p90, node:perf_hooks, 5 ms resolution): how late it got to
   * the answers already in its sockets. Under 20 ms it did not hold the round trip up (docs/network.md).
   */
  generatorLoopDelayP90Ms: number;
  /** CPU (user + system, all nodes summed) per committed transaction from the first send to the last commit. */
  cpuMsPerTx: { cometbft: number; app: number };
  /** The 1-minute load average when the row's load ended (other work on the machine included). */
  load1: number;
  rssMb: { cometbft: number[]; app: number[] };
  diskKbPer1000Tx: number;
  /** Blocks that held the load's transactions, and the most of them one block held. */
  blocks: number;
  maxTxsPerBlock: number;
  /** Mote: the gas each load transfer reserves (what one between two holders uses). */
  txGas?: number;
  /** Every repetition's committed tx/s, in the order run (the row's other figures are the median run's). */
  runsTxPerSec?: number[];
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

/** CPU time (user + system) of a process so far, in ms, from /proc (0 when it is gone). */
function cpuMsOf(pid: number | null | undefined): number {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const sumCpu = (pids: (number | null | undefined)[]): number => pids.reduce((a: number, p) => a + cpuMsOf(p), 0);
const ms3 = (x: number): number => Math.round(x * 1000) / 1000;

const duKb = (dir: string): number => Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]);

/** abci-cli of the same CometBFT release (its kvstore over the socket transport), installed next to cometbft. */
function ensureAbciCli(): string {
  const bin = join(cometbftDir(), "abci-cli");
  if (existsSync(bin)) return bin;
  const go = findGo();
  if (!go) throw new Error("bench:net needs Go to install abci-cli (the socket kvstore)");
  log(`installing abci-cli ${COMETBFT_VERSION} into ${cometbftDir()}`);
  execFileSync(go, ["install", `github.com/cometbft/cometbft/abci/cmd/abci-cli@v${COMETBFT_VERSION}`], { env: { ...process.env, GOBIN: cometbftDir(), GOFLAGS: "-mod=mod" }, stdio: ["ignore", "ignore", "inherit"] });
  return bin;
}

/**
 * Sends `txs[s]` of each sender in order (broadcast_tx_sync, sender s through node s mod n), all senders at
 * once, and watches node 0's blocks for them: submission-to-commit latency per transaction.
 */
async function load(urls: string[], txs: Uint8Array[][], pids: { cometbft: (number | null)[]; app: (number | null)[] }): Promise<{ committed: number; seconds: number; lat: number[]; admit: number[]; cpuMs: number; cometbftMs: number; appMs: number; blockTxs: number[]; loopDelayP90Ms: number }> {
  const sent = new Map<string, number>();
  const lat: number[] = [];
  /** broadcast_tx_sync round trips: submission until CheckTx answered (the mempool admitted it). */
  const admit: number[] = [];
  /** The load's transactions in each block that held any. */
  const blockTxs: number[] = [];
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
        const n0 = lat.length;
        for (const t of b.block.data.txs ?? []) {
          const k = hexHash(Buffer.from(t, "base64"));
          const at = sent.get(k);
          if (at !== undefined) {
            lat.push(now - at);
            sent.delete(k);
            lastCommit = now;
          }
        }
        if (lat.length > n0) blockTxs.push(lat.length - n0);
      }
      if (lat.length >= total) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const comet0 = sumCpu(pids.cometbft);
  const app0 = sumCpu(pids.app);
  const t0 = performance.now();
  // the watcher polls until done: a load that fails stops it before the caller takes the network down, so the
  // load's own error is reported rather than the watcher's refused connection
  const stopWatcher = async (): Promise<void> => {
    done = true;
    await watcher.catch(() => undefined);
  };
  await Promise.all(
    txs.map(async (list, s) => {
      const url = urls[s % urls.length]!;
      for (const tx of list) {
        const at = performance.now();
        sent.set(hexHash(tx), at);
        const r = (await rpcCall(url, "broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") })) as { code: number; log: string };
        admit.push(performance.now() - at);
        if (TXLOG) txlog.push(`${hexHash(tx).toUpperCase()} ${(performance.timeOrigin + at).toFixed(1)} ${(performance.timeOrigin + performance.now()).toFixed(1)}`);
        if (r.code !== 0) throw new Error(`tx refused at CheckTx: code ${r.code}: ${r.log}`);
      }
    }),
  ).catch(async (e: unknown) => {
    await stopWatcher();
    throw e;
  });
  const cpu = process.cpuUsage(cpu0);
  if (TXLOG) writeFileSync(TXLOG, txlog.join("\n") + "\n");
  eld.disable();
  const loopDelayP90Ms = Math.round(eld.percentile(90) / 1e5) / 10;
  const until = performance.now() + 120_000;
  while (lat.length < total && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
  const cometbftMs = sumCpu(pids.cometbft) - comet0;
  const appMs = sumCpu(pids.app) - app0;
  done = true;
  await watcher;
  return { committed: lat.length, seconds: (lastCommit - t0) / 1000, lat, admit, cpuMs: (cpu.user + cpu.system) / 1000, cometbftMs, appMs, blockTxs, loopDelayP90Ms };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

async function benchMote(validators: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "mote-bench-"));
  const basePort = await reserveBasePort(validators);
  const m = await initNet(dir, { validators, basePort, timeoutCommit: TIMEOUT_COMMIT, blockGasLimit: BLOCK_GAS });
  const cli = [process.execPath, ...(PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`] : []), join(ROOT, "bin", "mote.js")];
  try {
    for (const n of m.nodes) startNode(n.home, cli);
    await waitForNodes(m, m.nodes.map((n) => n.index), 1, 120_000);
    const urls = m.nodes.map((n) => `http://127.0.0.1:${n.ports.rpc}`);
    const operator = readKeyFile(join(dir, "operator.key"));
    const l = await RemoteLedger.connect(urls[0]!);
    const mod = compileFile(join(ROOT, "contracts", "token.mote")).module!;
    const token = (await l.deploy(operator, mod, [10n ** 15n])).contract;
    const senders = Array.from({ length: SENDERS }, (_, i) => KeyPair.fromSeed(sha256(Uint8Array.of(7, i))));
    let fundGas = 0;
    for (const s of senders) fundGas = Math.max(fundGas, (await l.call(operator, token, "transfer", [s.publicKey, 1_000_000n])).receipt.gasUsed);
    // each load transfer's gas limit: what a transfer between two holders costs (the operator's to sender 0,
    // both entries existing, as every load transfer's are): the gas is a deterministic count, the same for each
    const holderGas = (await l.call(operator, token, "transfer", [senders[0]!.publicKey, 1n])).receipt.gasUsed;
    const gasLimit = holderGas;
    log(`mote ×${validators}: transfer gas ${holderGas} between holders (${fundGas} funding a new holder); load gas limit ${gasLimit}`);
    const per = Math.ceil(TXS / SENDERS);
    const s0 = performance.now();
    const txs = senders.map((s) =>
      Array.from({ length: per }, (_, k) => signTx({ genesisHash: l.genesisHash, sender: s.publicKey, nonce: BigInt(k), gasLimit, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [operator.publicKey, 1n] }, s).bytes),
    );
    const signMs = (performance.now() - s0) / (per * SENDERS);
    const before = (await l.view(token, "balance_of", [operator.publicKey])).returns[0] as bigint;
    const disk0 = duKb(m.nodes[0]!.home);
    const pids = m.nodes.map((n) => nodePids(n.home));
    const r = await load(urls, txs, { cometbft: pids.map((p) => p.cometbft), app: pids.map((p) => p.node) });
    const after = (await l.view(token, "balance_of", [operator.publicKey])).returns[0] as bigint;
    if (after - before !== BigInt(per * SENDERS)) throw new Error(`the operator's balance moved by ${after - before}, expected ${per * SENDERS}: not every transfer executed`);
    const disk = duKb(m.nodes[0]!.home) - disk0;
    log(`mote ×${validators}: ${r.committed} committed in ${r.seconds.toFixed(2)} s (signing ${signMs.toFixed(3)} ms/tx, before the clock)`);
    return {
      app: "mote",
      validators,
      txs: per * SENDERS,
      committed: r.committed,
      committedTxPerSec: Math.round(r.committed / r.seconds),
      p50Ms: pct(r.lat, 50),
      p95Ms: pct(r.lat, 95),
      checkTxP50Ms: pct(r.admit, 50),
      txBytes: txs[0]![0]!.length,
      generatorCpuMsPerTx: ms3(r.cpuMs / r.committed),
      generatorLoopDelayP90Ms: r.loopDelayP90Ms,
      cpuMsPerTx: { cometbft: ms3(r.cometbftMs / r.committed), app: ms3(r.appMs / r.committed) },
      load1: Math.round(loadavg()[0]! * 10) / 10,
      rssMb: { cometbft: pids.map((p) => rssMb(p.cometbft)), app: pids.map((p) => rssMb(p.node)) },
      diskKbPer1000Tx: Math.round((disk / r.committed) * 1000),
      blocks: r.blockTxs.length,
      maxTxsPerBlock: Math.max(0, ...r.blockTxs),
      txGas: gasLimit,
    };
  } finally {
    await Promise.all(m.nodes.map((n) => stopNode(n.home, 5000)));
    releaseBasePort(basePort);
    if (KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function benchKvstore(validators: number, txBytes: number, app: "kvstore" | "kvstore-socket" | "null-socket"): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "mote-bench-kv-"));
  const basePort = await reserveBasePort(validators);
  const m: NetManifest = await initNet(dir, { validators, basePort, timeoutCommit: TIMEOUT_COMMIT });
  const bin = await ensureCometbft();
  const children: ChildProcess[] = [];
  try {
    const appPids: (number | null)[] = [];
    for (const n of m.nodes) {
      if (app === "kvstore") {
        const f = join(n.home, "config", "config.toml");
        writeFileSync(f, setToml(readFileSync(f, "utf8"), "", "proxy_app", JSON.stringify("kvstore")));
      } else if (app === "null-socket") {
        // the trivial app (bench/abci-null.ts) on the Mote node's own ABCI server, where config.toml points
        const a = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", "abci-null.ts"), "--port", String(n.ports.app)], { stdio: ["ignore", "ignore", openSync(join(n.home, "node.log"), "a")], cwd: ROOT });
        children.push(a);
        appPids.push(a.pid ?? null);
        await new Promise((r) => setTimeout(r, 1500));
      } else {
        // config.toml already names tcp://127.0.0.1:APP (node/cometbft.ts configureNode): serve it there.
        const a = spawn(ensureAbciCli(), ["kvstore", "--address", `tcp://127.0.0.1:${n.ports.app}`, "--log_level", "error"], { stdio: "ignore" });
        children.push(a);
        appPids.push(a.pid ?? null);
        await new Promise((r) => setTimeout(r, 300));
      }
      children.push(spawn(bin, ["start", "--home", n.home], { stdio: ["ignore", openSync(join(n.home, "cometbft.log"), "a"), "ignore"] }));
    }
    const engines = children.filter((c) => !appPids.includes(c.pid ?? null));
    // These engines write no PID files (waitForNodes needs them): every node's RPC at height 1 or more.
    const urls = m.nodes.map((n) => `http://127.0.0.1:${n.ports.rpc}`);
    const until = Date.now() + 120_000;
    for (const url of urls) {
      for (;;) {
        try {
          const st = (await rpcCall(url, "status", {}, 2000)) as { sync_info: { latest_block_height: string } };
          if (Number(st.sync_info.latest_block_height) >= 1) break;
        } catch {
          // starting
        }
        if (Date.now() > until) throw new Error(`${app} ×${validators}: ${url} did not reach height 1 within 120 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const per = Math.ceil(TXS / SENDERS);
    // key=value of the Mote transfer's size, unique per transaction
    const txs = Array.from({ length: SENDERS }, (_, s) => Array.from({ length: per }, (_, k) => {
      const key = `s${s}k${k}=`;
      return new TextEncoder().encode(key + "v".repeat(Math.max(1, txBytes - key.length)));
    }));
    const disk0 = duKb(m.nodes[0]!.home);
    const r = await load(urls, txs, { cometbft: engines.map((c) => c.pid ?? null), app: appPids });
    const q = (await rpcCall(urls[0]!, "abci_query", { path: "", data: Buffer.from(`s0k${per - 1}`).toString("hex"), height: "0", prove: false })) as { response: { value?: string } };
    if (app !== "null-socket" && !q.response.value) throw new Error("kvstore: the last write is not readable");
    const disk = duKb(m.nodes[0]!.home) - disk0;
    log(`${app} ×${validators}: ${r.committed} committed in ${r.seconds.toFixed(2)} s`);
    return {
      app,
      validators,
      txs: per * SENDERS,
      committed: r.committed,
      committedTxPerSec: Math.round(r.committed / r.seconds),
      p50Ms: pct(r.lat, 50),
      p95Ms: pct(r.lat, 95),
      checkTxP50Ms: pct(r.admit, 50),
      txBytes,
      generatorCpuMsPerTx: ms3(r.cpuMs / r.committed),
      generatorLoopDelayP90Ms: r.loopDelayP90Ms,
      cpuMsPerTx: { cometbft: ms3(r.cometbftMs / r.committed), app: ms3(r.appMs / r.committed) },
      load1: Math.round(loadavg()[0]! * 10) / 10,
      rssMb: { cometbft: engines.map((c) => rssMb(c.pid ?? null)), app: appPids.map(rssMb) },
      diskKbPer1000Tx: Math.round((disk / r.committed) * 1000),
      blocks: r.blockTxs.length,
      maxTxsPerBlock: Math.max(0, ...r.blockTxs),
    };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    void killNode;
    releaseBasePort(basePort);
    if (KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What checking one load transfer's signature costs the application (txSignatureValid, as CheckTx runs it: OpenSSL
 * with the sender's key object cached), in µs: the median of 9 rounds of 500, measured here before the networks start.
 */
function verifyMicros(): number {
  const s = KeyPair.fromSeed(sha256(Uint8Array.of(7, 0)));
  const zero = new Uint8Array(32);
  // a transfer's shape and size (the gas limit and chain are any: only the signature is checked)
  const txs = Array.from({ length: 500 }, (_, k) => signTx({ genesisHash: zero, sender: s.publicKey, nonce: BigInt(k), gasLimit: NODE_LIMITS.BLOCK_GAS_LIMIT.value, gasPrice: 0n, value: 0n, kind: "call", contract: zero, selector: selectorOf("transfer"), args: [zero, 1n] }, s));
  const rounds: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    for (const t of txs) if (!txSignatureValid(t)) throw new Error("bench:net: a freshly signed transfer does not verify");
    rounds.push(((performance.now() - t0) * 1000) / txs.length);
  }
  return Math.round(rounds.sort((a, b) => a - b)[4]!);
}

await buildCli();
await ensureCometbft({ log });
const verifyUs = verifyMicros();
log(`one transfer's signature check: ${verifyUs} µs`);
const rows: Row[] = [];
/** Runs a setup REPS times (a fresh network each time) and keeps the run with the median tx/s, listing them all. */
async function median(run: () => Promise<Row>): Promise<Row> {
  const runs: Row[] = [];
  for (let i = 0; i < REPS; i++) runs.push(await run());
  const sorted = [...runs].sort((a, b) => a.committedTxPerSec - b.committedTxPerSec);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, runsTxPerSec: runs.map((r) => r.committedTxPerSec) };
}
for (const v of SIZES) {
  const mote = APPS.includes("mote") ? await median(() => benchMote(v)) : null;
  if (mote) rows.push(mote);
  for (const kv of ["kvstore", "kvstore-socket", "null-socket"] as const) if (APPS.includes(kv)) rows.push(await median(() => benchKvstore(v, mote?.txBytes ?? 216, kv)));
}
const ratio = (v: number, a: AppName = "mote", kv: AppName = "kvstore") => {
  const x = rows.find((r) => r.app === a && r.validators === v);
  const y = rows.find((r) => r.app === kv && r.validators === v);
  return x && y ? Math.round((x.committedTxPerSec / y.committedTxPerSec) * 100) / 100 : null;
};
const out = {
  what: "committed signed token transfers per second and submission-to-commit latency, Mote app vs CometBFT kvstore, same run",
  cometbft: COMETBFT_VERSION,
  config:
    "the same config.toml for every app (node/cometbft.ts configureNode: timeout_commit below, peer_gossip_sleep_duration 10ms as on every local network, tx_index null, mempool and create_empty_blocks at CometBFT's defaults); only proxy_app differs. " +
    "The same genesis: consensus_params.block.max_gas = the Mote block gas limit (node/cometbft.ts configureGenesis; kvstore's CheckTx wants 1 gas a transaction, so it never binds there)",
  timeoutCommit: TIMEOUT_COMMIT,
  /** The Mote network's genesis block gas limit (NODE_LIMITS.BLOCK_GAS_LIMIT unless --block-gas-limit). */
  blockGasLimit: String(BLOCK_GAS ?? BigInt(NODE_LIMITS.BLOCK_GAS_LIMIT.value)),
  senders: SENDERS,
  cores: cpus().length,
  node: process.version,
  note: "generator, validators and apps share this machine's cores (and other work on it): lower bounds",
  rows,
  reps: REPS,
  /** One load transfer's signature check in the application's code path (OpenSSL, key cached), µs, median of 9 rounds. */
  verifyUs,
  moteVsKvstore: { validators1: ratio(1), validators4: ratio(4) },
  moteVsKvstoreSocket: { validators1: ratio(1, "mote", "kvstore-socket"), validators4: ratio(4, "mote", "kvstore-socket") },
  moteVsNullSocket: { validators1: ratio(1, "mote", "null-socket"), validators4: ratio(4, "mote", "null-socket") },
  /** The socket transport's ceiling: an application that answers at once, behind it, against the built-in kvstore. */
  nullSocketVsKvstore: { validators1: ratio(1, "null-socket"), validators4: ratio(4, "null-socket") },
};
const { path, rel } = resultPath("net.json");
writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
for (const r of rows) log(`${r.app} ×${r.validators}: ${r.committedTxPerSec} tx/s (median of ${(r.runsTxPerSec ?? []).join(", ")}), p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, CheckTx round trip p50 ${r.checkTxP50Ms} ms; CPU ms/tx: generator ${r.generatorCpuMsPerTx} (its event-loop delay p90 ${r.generatorLoopDelayP90Ms} ms), cometbft ${r.cpuMsPerTx.cometbft}, app ${r.cpuMsPerTx.app}; ${r.blocks} blocks (at most ${r.maxTxsPerBlock} tx); load ${r.load1}`);
log(`mote/kvstore: ${out.moteVsKvstore.validators1} (1 validator), ${out.moteVsKvstore.validators4} (4 validators); mote/kvstore-socket: ${out.moteVsKvstoreSocket.validators1}, ${out.moteVsKvstoreSocket.validators4}; mote/null-socket: ${out.moteVsNullSocket.validators1}, ${out.moteVsNullSocket.validators4}; null-socket/kvstore (the transport's ceiling): ${out.nullSocketVsKvstore.validators1}, ${out.nullSocketVsKvstore.validators4}; wrote ${rel}`);
