// The BFT engine the ledger runs on: CometBFT, one pinned patch, installed by the project itself from
// the Go module proxy into the user's cache (outside git, as the wasm3 sources are) and version-checked
// before use; plus the few config.toml / genesis.json edits a Mote node needs.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";

export const COMETBFT_VERSION = "0.38.26";
const MODULE = "github.com/cometbft/cometbft/cmd/cometbft";

export class EngineError extends Error {}

/** Where the binary lives: ${XDG_CACHE_HOME:-~/.cache}/mote/cometbft-vX/cometbft, or $MOTE_COMETBFT if set. */
export function cometbftDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "mote", `cometbft-v${COMETBFT_VERSION}`);
}

export function cometbftPath(): string {
  return process.env.MOTE_COMETBFT || join(cometbftDir(), "cometbft");
}

function versionOf(bin: string): string | null {
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ["version"], { encoding: "utf8", timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function findGo(): string | null {
  for (const d of [...(process.env.PATH ?? "").split(delimiter), "/usr/local/go/bin"]) {
    if (d && existsSync(join(d, "go"))) return join(d, "go");
  }
  return null;
}

/**
 * The cometbft binary, installed when missing or of another version (`go install`, about 4 minutes cold
 * on 2 cores). Throws EngineError with one line when Go is missing or the install fails.
 */
export async function ensureCometbft(opts: { log?: (line: string) => void } = {}): Promise<string> {
  const bin = cometbftPath();
  const v = versionOf(bin);
  if (v === COMETBFT_VERSION) return bin;
  if (process.env.MOTE_COMETBFT) throw new EngineError(`MOTE_COMETBFT=${bin} is CometBFT ${v ?? "(not runnable)"}, Mote needs ${COMETBFT_VERSION}`);
  const go = findGo();
  if (!go) throw new EngineError(`CometBFT ${COMETBFT_VERSION} is not installed and Go is missing (not in PATH or /usr/local/go/bin): install Go 1.22+ and retry, or set MOTE_COMETBFT to a cometbft ${COMETBFT_VERSION} binary`);
  const dir = cometbftDir();
  mkdirSync(dir, { recursive: true });
  opts.log?.(`installing CometBFT ${COMETBFT_VERSION} into ${dir} (go install, a few minutes the first time)`);
  // Asynchronous: a test's beforeAll or the CLI keeps its event loop while Go builds for minutes.
  const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(go, ["install", `${MODULE}@v${COMETBFT_VERSION}`], { env: { ...process.env, GOBIN: dir, GOFLAGS: "-mod=mod" }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err = (err + c.toString("utf8")).slice(-4096)));
    child.on("error", (e) => resolve({ status: -1, stderr: e.message }));
    child.on("close", (code) => resolve({ status: code, stderr: err }));
  });
  if (status !== 0) {
    throw new EngineError(`go install of CometBFT ${COMETBFT_VERSION} failed (exit ${status}): ${stderr.trim().split("\n").pop()}`);
  }
  const got = versionOf(bin);
  if (got !== COMETBFT_VERSION) throw new EngineError(`go install produced CometBFT ${got ?? "(not runnable)"} at ${bin}, expected ${COMETBFT_VERSION}`);
  return bin;
}

export function runCometbft(bin: string, args: string[]): string {
  try {
    return execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new EngineError(`cometbft ${args[0]} failed: ${(err.stderr || err.message).trim().split("\n").pop()}`);
  }
}

/**
 * Sets `key = value` in `[section]` of a config.toml ("" = the top-level keys before the first section),
 * replacing the existing line; the value is TOML already (strings quoted by the caller).
 */
export function setToml(text: string, section: string, key: string, value: string): string {
  const lines = text.split("\n");
  let cur = "";
  for (let i = 0; i < lines.length; i++) {
    const h = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]!);
    if (h) {
      cur = h[1]!.trim();
      continue;
    }
    if (cur === section && new RegExp(`^\\s*${key.replace(/[.]/g, "\\.")}\\s*=`).test(lines[i]!)) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  throw new EngineError(`config.toml has no key '${key}' in section [${section || "top level"}]`);
}

export const q = (s: string): string => JSON.stringify(s);

/** The node id CometBFT derives from node_key.json: the first 20 bytes of SHA-256 of its ed25519 public key, in hex. */
export function nodeIdOf(home: string): string {
  const k = JSON.parse(readFileSync(join(home, "config", "node_key.json"), "utf8")) as { priv_key: { value: string } };
  const priv = Buffer.from(k.priv_key.value, "base64");
  return Buffer.from(sha256(priv.subarray(32, 64)).subarray(0, 20)).toString("hex");
}

export interface NodePorts {
  p2p: number;
  rpc: number;
  app: number;
}

export interface NodeConfigOpts {
  moniker: string;
  ports: NodePorts;
  /** Listen address for p2p and RPC: 127.0.0.1 for a local network, 0.0.0.0 on a real machine. */
  host: string;
  peers: string[];
  /** Consensus timeout_commit, e.g. "200ms" for tests, "1s" (CometBFT's default) for a deployment. */
  timeoutCommit: string;
  /** Local networks run several nodes on one IP: CometBFT refuses that unless told. */
  local: boolean;
}

/** consensus.peer_gossip_sleep_duration of a local network's nodes (configureNode); other nodes keep CometBFT's 100 ms. */
export const LOCAL_GOSSIP_SLEEP = "10ms";

/** Rewrites a home's config.toml for a Mote node (the app over the socket transport on 127.0.0.1). */
export function configureNode(home: string, o: NodeConfigOpts): void {
  const file = join(home, "config", "config.toml");
  let t = readFileSync(file, "utf8");
  t = setToml(t, "", "proxy_app", q(`tcp://127.0.0.1:${o.ports.app}`));
  t = setToml(t, "", "moniker", q(o.moniker));
  t = setToml(t, "", "abci", q("socket"));
  t = setToml(t, "", "log_level", q("info"));
  t = setToml(t, "rpc", "laddr", q(`tcp://${o.host}:${o.ports.rpc}`));
  t = setToml(t, "p2p", "laddr", q(`tcp://${o.host}:${o.ports.p2p}`));
  t = setToml(t, "p2p", "persistent_peers", q(o.peers.join(",")));
  t = setToml(t, "p2p", "allow_duplicate_ip", o.local ? "true" : "false");
  t = setToml(t, "p2p", "addr_book_strict", o.local ? "false" : "true");
  t = setToml(t, "consensus", "timeout_commit", q(o.timeoutCommit));
  // How long each peer's consensus gossip routine sleeps when it has nothing new to send: a proposal's block
  // parts and each round's votes can wait that long per hop. Between processes on one machine a hop costs
  // microseconds, so CometBFT's 100 ms (made for the internet) was most of a 4-validator local block's
  // propose-to-commit time; 10 ms there (bench:net, 4 validators, two runs each: 112-120 tx/s -> 125-127).
  t = setToml(t, "consensus", "peer_gossip_sleep_duration", q(o.local ? LOCAL_GOSSIP_SLEEP : "100ms"));
  // The ledger keeps its own tx and event index (SQLite): CometBFT's kv indexer would only double the disk.
  t = setToml(t, "tx_index", "indexer", q("null"));
  writeFileSync(file, t);
}

/**
 * Sets the chain id and the ledger's genesis (app_state) in a home's genesis.json, and the engine's block
 * `max_gas` (consensus_params.block) to the ledger's block gas limit: CheckTx answers each transaction's gas
 * limit as its gas wanted, what the ledger reserves of a block for it, so CometBFT offers PrepareProposal only
 * the mempool's transactions that fit one block instead of the whole mempool (thousands under load, each of
 * them sent, decoded and passed over by the proposer's application at every block). The application still
 * checks the limit itself (a proposal from a node configured otherwise). Beyond int64: -1, no engine limit.
 */
export function configureGenesis(home: string, chainId: string, appState: { blockGasLimit?: string }): void {
  const file = join(home, "config", "genesis.json");
  const g = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown> & { consensus_params?: { block?: Record<string, string> } };
  g.chain_id = chainId;
  g.app_state = appState;
  if (appState.blockGasLimit !== undefined && g.consensus_params?.block) g.consensus_params.block.max_gas = engineMaxGas(BigInt(appState.blockGasLimit));
  writeFileSync(file, `${JSON.stringify(g, null, 2)}\n`);
}

/** CometBFT's block max_gas (an int64, -1 for none) for a ledger block gas limit. */
export function engineMaxGas(blockGasLimit: bigint): string {
  return blockGasLimit > 2n ** 63n - 1n ? "-1" : blockGasLimit.toString();
}
