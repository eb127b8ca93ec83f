// A local network of N validators on 127.0.0.1 for development and fault drills: one directory holding
// a node home per validator (CometBFT's `testnet` layout, ports rewritten), the operator's key and a
// manifest (net.json). Each node runs as `mote node start --home H` (node/run.ts), started detached and
// tracked by its PID files, so `mote net kill I` / `start I` / `down` act on exactly those processes.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { KeyPair, writeKeyFile } from "../ledger/keys.ts";
import { configureGenesis, configureNode, ensureCometbft, nodeIdOf, runCometbft, EngineError, type NodePorts } from "./cometbft.ts";
import { APP_DIR, NODE_FILE, pidFile, type NodeFile } from "./run.ts";
import { newAppStateSalt, type AppStateJson } from "./app.ts";
import { rpcGet } from "./client.ts";
import { NODE_LIMITS } from "./wire.ts";
import { configureStateSync, trustPointOf } from "./state-sync.ts";

export const NET_FILE = "net.json";
export const DEFAULT_NET_DIR = ".mote-net";
export const DEFAULT_BASE_PORT = 26656;
/** The operator's allocation at genesis: enough for any drill, far inside u64. */
export const OPERATOR_ALLOC = 1_000_000_000_000_000n;

export interface NetManifest {
  chainId: string;
  basePort: number;
  /** Validators first (indexes 0..N-1), then full nodes added by `mote net add` (validator: false). */
  nodes: { index: number; home: string; ports: NodePorts; id: string; validator?: boolean }[];
}

export const portsOf = (base: number, i: number): NodePorts => ({ p2p: base + 100 * i, rpc: base + 1 + 100 * i, app: base + 2 + 100 * i });

export function readManifest(dir: string): NetManifest {
  const f = join(dir, NET_FILE);
  if (!existsSync(f)) throw new EngineError(`${dir}: no local network here (no ${NET_FILE}); run 'mote net up --validators N --dir ${dir}'`);
  return JSON.parse(readFileSync(f, "utf8")) as NetManifest;
}

export interface InitNetOpts {
  validators: number;
  basePort?: number;
  chainId?: string;
  timeoutCommit?: string;
  minGasPrice?: bigint;
  alloc?: { id: Uint8Array; amount: bigint }[];
  /** Blocks between state-sync snapshots each node takes (node/snapshot.ts); default: its own default. */
  snapshotInterval?: number;
  /** The genesis block gas limit (app_state.blockGasLimit); default NODE_LIMITS.BLOCK_GAS_LIMIT. */
  blockGasLimit?: bigint;
}

/** Creates the network's directory: keys, genesis (the operator's allocation in app_state) and per-node config. */
export async function initNet(dir: string, o: InitNetOpts): Promise<NetManifest> {
  dir = resolve(dir);
  if (existsSync(join(dir, NET_FILE))) return readManifest(dir);
  if (!Number.isInteger(o.validators) || o.validators < 1 || o.validators > 16) throw new EngineError(`--validators: 1..16, got ${o.validators}`);
  const bin = await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) });
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).some((f) => /^node\d+$/.test(f))) throw new EngineError(`${dir}: holds node directories but no ${NET_FILE}; use an empty directory`);
  runCometbft(bin, ["testnet", "--v", String(o.validators), "--o", dir, "--starting-ip-address", "127.0.0.1", "--node-dir-prefix", "node"]);
  const base = o.basePort ?? DEFAULT_BASE_PORT;
  const chainId = o.chainId ?? "mote-net";
  const operator = KeyPair.generate();
  writeKeyFile(join(dir, "operator.key"), operator);
  const alloc = [{ id: operator.publicKey, amount: OPERATOR_ALLOC }, ...(o.alloc ?? [])];
  const appState: AppStateJson = {
    minGasPrice: String(o.minGasPrice ?? 0n),
    blockGasLimit: String(o.blockGasLimit ?? BigInt(NODE_LIMITS.BLOCK_GAS_LIMIT.value)),
    feeAccount: Buffer.from(operator.publicKey).toString("hex"),
    alloc: alloc.map((a) => ({ id: Buffer.from(a.id).toString("hex"), amount: a.amount.toString() })),
    salt: newAppStateSalt(),
  };
  const nodes = Array.from({ length: o.validators }, (_, i) => {
    const home = join(dir, `node${i}`);
    return { index: i, home, ports: portsOf(base, i), id: nodeIdOf(home) };
  });
  for (const n of nodes) {
    const peers = nodes.filter((p) => p.index !== n.index).map((p) => `${p.id}@127.0.0.1:${p.ports.p2p}`);
    configureNode(n.home, { moniker: `node${n.index}`, ports: n.ports, host: "127.0.0.1", peers, timeoutCommit: o.timeoutCommit ?? "1s", local: true });
    configureGenesis(n.home, chainId, appState);
    const nf: NodeFile = { moniker: `node${n.index}`, ports: n.ports, ...(o.snapshotInterval === undefined ? {} : { snapshots: { interval: o.snapshotInterval } }) };
    writeFileSync(join(n.home, NODE_FILE), `${JSON.stringify(nf, null, 2)}\n`);
    mkdirSync(join(n.home, APP_DIR), { recursive: true });
  }
  const m: NetManifest = { chainId, basePort: base, nodes };
  writeFileSync(join(dir, NET_FILE), `${JSON.stringify(m, null, 2)}\n`);
  return m;
}

/**
 * Adds a full node (not a validator) to a local network: the network's genesis, every node as a peer,
 * and with `stateSync` CometBFT's [statesync] set to restore a snapshot (trust point: node 0's latest
 * commit, light-client RPC servers: the first two validators) instead of replaying from height 1.
 */
export async function addNode(dir: string, o: { stateSync: boolean; snapshotInterval?: number; discoveryTime?: string }): Promise<NetManifest["nodes"][number]> {
  dir = resolve(dir);
  const m = readManifest(dir);
  const bin = await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) });
  const index = m.nodes.length;
  const home = join(dir, `node${index}`);
  if (existsSync(home)) throw new EngineError(`${home}: already exists`);
  runCometbft(bin, ["init", "--home", home]);
  const first = m.nodes[0]!;
  const ports = portsOf(m.basePort, index);
  const peers = m.nodes.map((p) => `${p.id}@127.0.0.1:${p.ports.p2p}`);
  const timeoutCommit = /^timeout_commit = "([^"]+)"/m.exec(readFileSync(join(first.home, "config", "config.toml"), "utf8"))?.[1] ?? "1s";
  configureNode(home, { moniker: `node${index}`, ports, host: "127.0.0.1", peers, timeoutCommit, local: true });
  writeFileSync(join(home, "config", "genesis.json"), readFileSync(join(first.home, "config", "genesis.json")));
  if (o.stateSync) {
    const validators = m.nodes.filter((n) => n.validator !== false);
    const rpcServers = validators.slice(0, 2).map((n) => `http://127.0.0.1:${n.ports.rpc}`);
    const trust = await trustPointOf(rpcServers[0]!);
    configureStateSync(home, { rpcServers, trustHeight: trust.height, trustHash: trust.hash, discoveryTime: o.discoveryTime ?? "5s" });
  }
  const nf: NodeFile = { moniker: `node${index}`, ports, ...(o.snapshotInterval === undefined ? {} : { snapshots: { interval: o.snapshotInterval } }) };
  writeFileSync(join(home, NODE_FILE), `${JSON.stringify(nf, null, 2)}\n`);
  mkdirSync(join(home, APP_DIR), { recursive: true });
  const node = { index, home, ports, id: nodeIdOf(home), validator: false };
  m.nodes.push(node);
  writeFileSync(join(dir, NET_FILE), `${JSON.stringify(m, null, 2)}\n`);
  return node;
}

/** True when `pid` is alive and its command line names `mark` (a PID reused by another program is not ours). */
export function ownProcess(pid: number | null, mark: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(mark);
  } catch {
    return true; // no /proc (macOS): the signal test is all there is
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

export function nodePids(home: string): { node: number | null; cometbft: number | null } {
  const node = readPid(pidFile(home, "node"));
  const cometbft = readPid(pidFile(home, "cometbft"));
  return { node: ownProcess(node, home) ? node : null, cometbft: ownProcess(cometbft, home) ? cometbft : null };
}

/**
 * Starts `mote node start --home H` detached (its output in H/node.log). `cli` is how to run mote:
 * [node executable, ...its flags, entry script], by default this process's own.
 */
export function startNode(home: string, cli: string[] = [process.execPath, ...process.execArgv, process.argv[1]!]): number {
  const p = nodePids(home);
  if (p.node) return p.node;
  const out = openSync(join(home, "node.log"), "a");
  const child = spawn(cli[0]!, [...cli.slice(1), "node", "start", "--home", home], { detached: true, stdio: ["ignore", out, out] });
  closeSync(out);
  child.unref();
  return child.pid!;
}

/** SIGKILL of a node's engine and app, by their own PIDs: a crash, for fault drills. */
export function killNode(home: string): boolean {
  const p = nodePids(home);
  for (const pid of [p.cometbft, p.node]) if (pid) process.kill(pid, "SIGKILL");
  return Boolean(p.cometbft || p.node);
}

/** SIGTERM (the node stops its engine, then itself), SIGKILL after `graceMs`. */
export async function stopNode(home: string, graceMs = 10_000): Promise<void> {
  const p = nodePids(home);
  if (p.node) process.kill(p.node, "SIGTERM");
  else if (p.cometbft) process.kill(p.cometbft, "SIGTERM");
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    const q = nodePids(home);
    if (!q.node && !q.cometbft) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  killNode(home);
}

export interface NodeStatus {
  index: number;
  running: boolean;
  height: number | null;
  appHash: string | null;
  peers: number | null;
  rpc: string;
}

export async function nodeStatus(n: NetManifest["nodes"][number]): Promise<NodeStatus> {
  const p = nodePids(n.home);
  const rpc = `http://127.0.0.1:${n.ports.rpc}`;
  const s: NodeStatus = { index: n.index, running: Boolean(p.node && p.cometbft), height: null, appHash: null, peers: null, rpc };
  if (!p.cometbft) return s;
  try {
    const st = (await rpcGet(rpc, "status", {}, 2000)) as { sync_info: { latest_block_height: string; latest_app_hash: string } };
    s.height = Number(st.sync_info.latest_block_height);
    s.appHash = st.sync_info.latest_app_hash.toLowerCase();
    const ni = (await rpcGet(rpc, "net_info", {}, 2000)) as { n_peers: string };
    s.peers = Number(ni.n_peers);
  } catch {
    // running but not answering yet (starting, or replaying blocks)
  }
  return s;
}

export async function netStatus(dir: string): Promise<NodeStatus[]> {
  const m = readManifest(resolve(dir));
  return Promise.all(m.nodes.map(nodeStatus));
}

/** Waits until every listed node's RPC answers with a height of at least `minHeight`. */
export async function waitForNodes(m: NetManifest, indexes: number[], minHeight: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const st = await Promise.all(indexes.map((i) => nodeStatus(m.nodes[i]!)));
    if (st.every((s) => s.height !== null && s.height >= minHeight)) return;
    if (Date.now() > until) {
      const bad = st.filter((s) => s.height === null || s.height < minHeight).map((s) => `node${s.index} (${s.running ? `height ${s.height ?? "?"}` : "not running"})`);
      throw new EngineError(`nodes did not reach height ${minHeight} within ${Math.round(timeoutMs / 1000)} s: ${bad.join(", ")}; see their node.log and cometbft.log`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export { ensureCometbft };
