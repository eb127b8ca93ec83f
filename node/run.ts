// One Mote node on one machine: the ledger application (node/app.ts) served over ABCI in this process,
// and its CometBFT engine as a child process, supervised together: either ending ends both, so a node
// is never half up. A node's home holds CometBFT's config/ and data/, the ledger in app/, and
// mote-node.json (its ports).
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listenAbci } from "./abci-server.ts";
import { MoteNodeApp } from "./app.ts";
import { ensureCometbft, type NodePorts } from "./cometbft.ts";
import { defaultSnapshotConfig, type SnapshotConfig } from "./snapshot.ts";

export const NODE_FILE = "mote-node.json";
export const APP_DIR = "app";

export interface NodeFile {
  moniker: string;
  ports: NodePorts;
  /** State-sync snapshots this node takes and serves (node/snapshot.ts); missing fields take the defaults. */
  snapshots?: Partial<SnapshotConfig>;
}

export function readNodeFile(home: string): NodeFile {
  const f = join(home, NODE_FILE);
  if (!existsSync(f)) throw new Error(`${home}: not a Mote node home (no ${NODE_FILE}); run 'mote node init' first`);
  return JSON.parse(readFileSync(f, "utf8")) as NodeFile;
}

export const pidFile = (home: string, what: "node" | "cometbft"): string => join(home, `${what}.pid`);

/** Runs the node until its engine exits or the process is asked to stop (SIGTERM / SIGINT); resolves with the exit code. */
export async function runNode(home: string, opts: { log?: (line: string) => void } = {}): Promise<number> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const cfg = readNodeFile(home);
  const bin = await ensureCometbft({ log });
  const app = await MoteNodeApp.open(join(home, APP_DIR), {
    snapshots: { ...defaultSnapshotConfig(), ...cfg.snapshots },
    genesisFile: join(home, "config", "genesis.json"),
  });
  app.log = (l) => log(`app: ${l}`);
  // MOTE_ABCI_TRACE=1: one line per ABCI request in the node's log (node/abci-server.ts traceLine)
  const trace = process.env.MOTE_ABCI_TRACE === "1" ? (l: string) => process.stderr.write(`${l}\n`) : undefined;
  const server = await listenAbci(app.handle, { port: cfg.ports.app, trace });
  const out = openSync(join(home, "cometbft.log"), "a");
  const child = spawn(bin, ["start", "--home", home], { stdio: ["ignore", out, out] });
  closeSync(out);
  writeFileSync(pidFile(home, "node"), `${process.pid}\n`);
  writeFileSync(pidFile(home, "cometbft"), `${child.pid}\n`);
  log(`node ${cfg.moniker}: app on 127.0.0.1:${cfg.ports.app}, cometbft pid ${child.pid}, RPC http://127.0.0.1:${cfg.ports.rpc}`);
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  const code = await new Promise<number>((resolve) => child.on("exit", (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  process.off("SIGTERM", stop);
  process.off("SIGINT", stop);
  await server.close();
  app.close();
  rmSync(pidFile(home, "node"), { force: true });
  rmSync(pidFile(home, "cometbft"), { force: true });
  log(`node ${cfg.moniker}: engine exited (${code})`);
  return code;
}
