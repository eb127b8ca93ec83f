// `mote net up|status|down|kill|start` (a local network of validators on 127.0.0.1) and `mote node
// init|start` (one node on a real machine): parsing and printing only; the work lives in node/.
import type { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EngineError, configureGenesis, configureNode, ensureCometbft, nodeIdOf, runCometbft } from "../../node/cometbft.ts";
import { addNode, DEFAULT_BASE_PORT, DEFAULT_NET_DIR, initNet, killNode, netStatus, readManifest, startNode, stopNode, waitForNodes, type NodeStatus } from "../../node/net.ts";
import { APP_DIR, NODE_FILE, runNode, type NodeFile } from "../../node/run.ts";
import { newAppStateSalt, type AppStateJson } from "../../node/app.ts";
import { CliError } from "../errors.ts";
import { NodeError } from "../../node/client.ts";
import { parseU64 } from "./ledger.ts";
import { NODE_LIMITS } from "../../node/wire.ts";
import { parseHexArg } from "../values.ts";
import { checkStateSync, configureStateSync, trustPointOf, type StateSyncConfig } from "../../node/state-sync.ts";

function parseInterval(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,9}$/.test(text)) throw new CliError(`--snapshot-interval: expected a number of blocks (0 = no snapshots), got '${text}'`, 2);
  return Number(text);
}

async function engine<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError || e instanceof RangeError || e instanceof NodeError) throw new CliError(e.message);
    throw e;
  }
}

function parsePort(text: string, what: string): number {
  const n = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || n < 1 || n > 65535) throw new CliError(`${what}: expected a port 1..65535, got '${text}'`, 2);
  return n;
}

function parseIndex(text: string, count: number): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n >= count) throw new CliError(`node index must be 0..${count - 1}, got '${text}'`, 2);
  return n;
}

function parseAlloc(items: string[] | undefined): { id: Uint8Array; amount: bigint }[] {
  return (items ?? []).map((a) => {
    const m = /^(0x)?([0-9a-fA-F]{64})=([0-9]+)$/.exec(a);
    if (!m) throw new CliError(`--alloc '${a}': expected PUBKEY_HEX=AMOUNT`, 2);
    return { id: parseHexArg(`0x${m[2]!.toLowerCase()}`, "--alloc"), amount: parseU64(m[3]!, "--alloc amount") };
  });
}

/** A genesis block gas limit: 1..2^64-1, as the ledger's genesis accepts (ledger/params.ts). */
function parseBlockGasLimit(t: string): bigint {
  const v = parseU64(t, "--block-gas-limit");
  if (v < 1n) throw new CliError("--block-gas-limit: a block needs room for at least one transaction (got 0)", 2);
  return v;
}

function statusLine(s: NodeStatus): string {
  if (!s.running) return `node${s.index}: stopped`;
  if (s.height === null) return `node${s.index}: running, not answering yet (${s.rpc})`;
  return `node${s.index}: height ${s.height} app hash ${s.appHash || "(none)"} peers ${s.peers} ${s.rpc}`;
}

export function register(program: Command): void {
  const net = program.command("net").description("a local network of validators on 127.0.0.1 (CometBFT), for development and fault drills");
  const dirOpt = (c: Command): Command => c.option("--dir <dir>", "the network's directory", DEFAULT_NET_DIR);

  dirOpt(
    net
      .command("up")
      .description("create (first time) and start a local network; prints each node's RPC URL")
      .option("--validators <n>", "number of validators", "4")
      .option("--base-port <port>", "node I uses ports BASE+100·I (p2p), +1 (RPC), +2 (app)", String(DEFAULT_BASE_PORT))
      .option("--chain-id <id>", "chain id", "mote-net")
      .option("--timeout-commit <t>", "CometBFT consensus timeout_commit (e.g. 200ms, 1s)", "1s")
      .option("--min-gas-price <n>", "least gas price a transaction may offer", "0")
      .option("--block-gas-limit <n>", "gas the transactions of one block may reserve (genesis)", String(NODE_LIMITS.BLOCK_GAS_LIMIT.value))
      .option("--alloc <id=amount...>", "genesis balances beyond the operator's (DIR/operator.key)")
      .option("--snapshot-interval <blocks>", "blocks between the state-sync snapshots each node takes (0: none; default 100)")
      .option("--no-wait", "return without waiting for the first block")
      .option("--json", "print machine-readable JSON"),
  ).action(async (opts: { dir: string; validators: string; basePort: string; chainId: string; timeoutCommit: string; minGasPrice: string; blockGasLimit: string; alloc?: string[]; snapshotInterval?: string; wait: boolean; json?: boolean }) =>
    engine(async () => {
      const n = Number(opts.validators);
      if (!/^[0-9]+$/.test(opts.validators) || n < 1 || n > 16) throw new CliError(`--validators: expected 1..16, got '${opts.validators}'`, 2);
      const dir = resolve(opts.dir);
      const m = await initNet(dir, {
        validators: n,
        basePort: parsePort(opts.basePort, "--base-port"),
        chainId: opts.chainId,
        timeoutCommit: opts.timeoutCommit,
        minGasPrice: parseU64(opts.minGasPrice, "--min-gas-price"),
        blockGasLimit: parseBlockGasLimit(opts.blockGasLimit),
        alloc: parseAlloc(opts.alloc),
        snapshotInterval: parseInterval(opts.snapshotInterval),
      });
      for (const node of m.nodes) startNode(node.home);
      if (opts.wait) await waitForNodes(m, m.nodes.map((x) => x.index), 1, 120_000);
      const urls = m.nodes.map((x) => `http://127.0.0.1:${x.ports.rpc}`);
      if (opts.json) process.stdout.write(`${JSON.stringify({ dir, chainId: m.chainId, operatorKey: join(dir, "operator.key"), rpc: urls })}\n`);
      else process.stdout.write(`${m.nodes.map((x, i) => `node${x.index}: ${urls[i]}`).join("\n")}\noperator key: ${join(dir, "operator.key")}\n`);
    }),
  );

  dirOpt(
    net
      .command("add")
      .description("add a full node (not a validator) and start it; with --state-sync it restores a validator's snapshot instead of replaying from height 1")
      .option("--state-sync", "join by state sync (trust point: node 0's latest commit)")
      .option("--snapshot-interval <blocks>", "blocks between the snapshots this node takes (0: none; default 100)")
      .option("--json", "print machine-readable JSON"),
  ).action(async (opts: { dir: string; stateSync?: boolean; snapshotInterval?: string; json?: boolean }) =>
    engine(async () => {
      const n = await addNode(opts.dir, { stateSync: Boolean(opts.stateSync), snapshotInterval: parseInterval(opts.snapshotInterval) });
      const pid = startNode(n.home);
      const rpc = `http://127.0.0.1:${n.ports.rpc}`;
      if (opts.json) process.stdout.write(`${JSON.stringify({ index: n.index, home: n.home, rpc, pid, stateSync: Boolean(opts.stateSync) })}\n`);
      else process.stdout.write(`node${n.index}: full node${opts.stateSync ? " joining by state sync" : ""}, started (pid ${pid}) ${rpc}\n`);
    }),
  );

  dirOpt(net.command("status").description("per node: running, height, app hash, peers").option("--json", "print machine-readable JSON")).action(
    async (opts: { dir: string; json?: boolean }) =>
      engine(async () => {
        const st = await netStatus(opts.dir);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ nodes: st.map((s) => ({ index: s.index, running: s.running, height: s.height, appHash: s.appHash, peers: s.peers, rpc: s.rpc })) })}\n`);
        } else process.stdout.write(`${st.map(statusLine).join("\n")}\n`);
      }),
  );

  dirOpt(net.command("down").description("stop every node (SIGTERM, then SIGKILL after 10 s)")).action(async (opts: { dir: string }) =>
    engine(async () => {
      const m = readManifest(resolve(opts.dir));
      await Promise.all(m.nodes.map((x) => stopNode(x.home)));
      process.stdout.write(`stopped ${m.nodes.length} node(s)\n`);
    }),
  );

  dirOpt(net.command("kill").description("SIGKILL node I's engine and app (a crash, for fault drills)").argument("<i>", "node index")).action(
    async (i: string, opts: { dir: string }) =>
      engine(async () => {
        const m = readManifest(resolve(opts.dir));
        const k = parseIndex(i, m.nodes.length);
        const was = killNode(m.nodes[k]!.home);
        process.stdout.write(`node${k}: ${was ? "killed" : "was not running"}\n`);
      }),
  );

  dirOpt(net.command("start").description("start node I again (after kill or down)").argument("<i>", "node index")).action(async (i: string, opts: { dir: string }) =>
    engine(async () => {
      const m = readManifest(resolve(opts.dir));
      const k = parseIndex(i, m.nodes.length);
      const pid = startNode(m.nodes[k]!.home);
      process.stdout.write(`node${k}: started (pid ${pid}) http://127.0.0.1:${m.nodes[k]!.ports.rpc}\n`);
    }),
  );

  const node = program.command("node").description("one Mote node (CometBFT validator or full node plus the ledger application)");
  node
    .command("init")
    .description("create a node home: CometBFT keys and config, the ledger's genesis, ports and peers")
    .requiredOption("--home <dir>", "the node's directory")
    .option("--moniker <name>", "the node's name", "mote-node")
    .option("--chain-id <id>", "chain id (ignored with --genesis)", "mote-net")
    .option("--host <addr>", "address p2p and RPC listen on (0.0.0.0 to be reachable from other machines)", "0.0.0.0")
    .option("--p2p-port <port>", "p2p port", "26656")
    .option("--rpc-port <port>", "RPC port", "26657")
    .option("--app-port <port>", "port of the ledger application (always on 127.0.0.1)", "26658")
    .option("--peers <list>", "persistent peers, ID@HOST:PORT,... (IDs from each node's 'mote node init')", "")
    .option("--genesis <file>", "the network's shared genesis.json (default: a new single-validator genesis)")
    .option("--timeout-commit <t>", "CometBFT consensus timeout_commit", "1s")
    .option("--alloc <id=amount...>", "genesis balances (new genesis only)")
    .option("--block-gas-limit <n>", "gas the transactions of one block may reserve (new genesis only)", String(NODE_LIMITS.BLOCK_GAS_LIMIT.value))
    .option("--snapshot-interval <blocks>", "blocks between the state-sync snapshots this node takes and serves (0: none; default 100)")
    .option("--state-sync <rpc,...>", "join by state sync: RPC URLs of the network's nodes for the light client (two, on different machines)")
    .option("--trust-height <h>", "with --state-sync: the height to trust (default: the first RPC server's latest)")
    .option("--trust-hash <hex>", "with --state-sync: the block hash at --trust-height, from a source you trust")
    .option("--json", "print machine-readable JSON")
    .action(async (opts: { home: string; moniker: string; chainId: string; host: string; p2pPort: string; rpcPort: string; appPort: string; peers: string; genesis?: string; timeoutCommit: string; alloc?: string[]; blockGasLimit: string; snapshotInterval?: string; stateSync?: string; trustHeight?: string; trustHash?: string; json?: boolean }) =>
      engine(async () => {
        const home = resolve(opts.home);
        if (existsSync(join(home, NODE_FILE))) throw new CliError(`${home}: already a node home (${NODE_FILE})`);
        const ports = { p2p: parsePort(opts.p2pPort, "--p2p-port"), rpc: parsePort(opts.rpcPort, "--rpc-port"), app: parsePort(opts.appPort, "--app-port") };
        const interval = parseInterval(opts.snapshotInterval);
        const blockGasLimit = parseBlockGasLimit(opts.blockGasLimit);
        if ((opts.trustHeight === undefined) !== (opts.trustHash === undefined)) throw new CliError("--trust-height and --trust-hash go together (or neither: trust the first RPC server's latest commit)", 2);
        if (opts.trustHeight !== undefined && !opts.stateSync) throw new CliError("--trust-height/--trust-hash need --state-sync", 2);
        if (opts.trustHeight !== undefined && !/^[0-9]{1,18}$/.test(opts.trustHeight)) throw new CliError(`--trust-height: expected a block height, got '${opts.trustHeight}'`, 2);
        let stateSync: StateSyncConfig | undefined;
        if (opts.stateSync) {
          // checked (and the trust point read) before anything is written
          const rpcServers = opts.stateSync.split(",").map((u) => u.trim()).filter(Boolean);
          const trust = opts.trustHeight !== undefined ? { height: Number(opts.trustHeight), hash: opts.trustHash! } : await trustPointOf(rpcServers[0] ?? "");
          stateSync = { rpcServers, trustHeight: trust.height, trustHash: trust.hash };
          checkStateSync(stateSync);
        }
        const bin = await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) });
        runCometbft(bin, ["init", "--home", home]);
        const peers = opts.peers ? opts.peers.split(",").map((p) => p.trim()).filter(Boolean) : [];
        for (const p of peers) if (!/^[0-9a-f]{40}@[^@:]+:[0-9]{1,5}$/.test(p)) throw new CliError(`--peers: '${p}' is not ID@HOST:PORT (ID: 40 hex digits)`, 2);
        configureNode(home, { moniker: opts.moniker, ports, host: opts.host, peers, timeoutCommit: opts.timeoutCommit, local: opts.host === "127.0.0.1" });
        if (opts.genesis) writeFileSync(join(home, "config", "genesis.json"), readFileSync(opts.genesis));
        else {
          const appState: AppStateJson = {
            minGasPrice: "0",
            blockGasLimit: blockGasLimit.toString(),
            feeAccount: "0".repeat(64),
            alloc: parseAlloc(opts.alloc).map((a) => ({ id: Buffer.from(a.id).toString("hex"), amount: a.amount.toString() })),
            salt: newAppStateSalt(),
          };
          configureGenesis(home, opts.chainId, appState);
        }
        if (stateSync) configureStateSync(home, stateSync);
        const nf: NodeFile = { moniker: opts.moniker, ports, ...(interval === undefined ? {} : { snapshots: { interval } }) };
        writeFileSync(join(home, NODE_FILE), `${JSON.stringify(nf, null, 2)}\n`);
        mkdirSync(join(home, APP_DIR), { recursive: true });
        const pv = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as { address: string; pub_key: unknown };
        const id = nodeIdOf(home);
        const out = { home, nodeId: id, peer: `${id}@HOST:${ports.p2p}`, validator: { address: pv.address, pub_key: pv.pub_key }, rpc: `http://${opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host}:${ports.rpc}` };
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        else process.stdout.write(`node home ${home}\nnode id ${id} (peers reach it as ${id}@HOST:${ports.p2p})\nvalidator address ${pv.address}\nstart it with: mote node start --home ${opts.home}\n`);
      }),
    );

  node
    .command("start")
    .description("run the node (ledger application and CometBFT) in the foreground until SIGTERM / Ctrl-C")
    .requiredOption("--home <dir>", "the node's directory (from mote node init)")
    .action(async (opts: { home: string }) =>
      engine(async () => {
        const code = await runNode(resolve(opts.home));
        if (code !== 0) throw new CliError(`the CometBFT engine exited with code ${code} (see ${join(resolve(opts.home), "cometbft.log")})`);
      }),
    );
}
