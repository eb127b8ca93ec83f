// Local CometBFT networks running the engine's built-in kvstore app, for the light-client vectors and
// the live light-client test: 127.0.0.1 only, free ports, every process stopped by its own PID.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export const COMETBFT_VERSION = "0.38.26";

/** The cached engine binary (MOTE_COMETBFT overrides), or null when it is not installed or not v0.38.26. */
export function cometbftBinary(): string | null {
  const bin = process.env.MOTE_COMETBFT ?? join(homedir(), ".cache", "mote", `cometbft-v${COMETBFT_VERSION}`, "cometbft");
  if (!existsSync(bin)) return null;
  const v = spawnSync(bin, ["version"], { encoding: "utf8" });
  return v.status === 0 && v.stdout.trim() === COMETBFT_VERSION ? bin : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Rewrites `key = ...` inside `[section]` ("" = the top level) of a CometBFT config.toml. */
function setToml(text: string, section: string, key: string, value: string): string {
  let current = "";
  let done = false;
  const lines = text.split("\n").map((line) => {
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) current = sec[1]!;
    else if (!done && current === section && new RegExp(`^${key} = `).test(line)) {
      done = true;
      return `${key} = ${value}`;
    }
    return line;
  });
  if (!done) throw new Error(`config.toml has no ${section}.${key}`);
  return lines.join("\n");
}

export interface LocalNet {
  chainId: string;
  rpc: string[];
  stop(): Promise<void>;
  call(method: string, params?: Record<string, unknown>, node?: number): Promise<any>;
  waitHeight(h: number, timeoutMs?: number): Promise<void>;
}

/**
 * Starts `powers.length` validators (powers[i] is node i's voting power) with `--proxy_app=kvstore`;
 * blocks come every ~`commitMs` ms.
 */
export async function startKvstoreNet(bin: string, powers: number[], commitMs = 150): Promise<LocalNet> {
  const dir = mkdtempSync(join(tmpdir(), "mote-cometbft-"));
  try {
    return await startIn(dir, bin, powers, commitMs);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function startIn(dir: string, bin: string, powers: number[], commitMs: number): Promise<LocalNet> {
  const n = powers.length;
  const homes = Array.from({ length: n }, (_, i) => join(dir, `node${i}`));
  const run = (args: string[]): string => {
    const r = spawnSync(bin, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cometbft ${args.join(" ")}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  if (n === 1) run(["init", "--home", homes[0]!]);
  else run(["testnet", "--v", String(n), "--o", dir]);
  const ids = homes.map((h) => run(["show-node-id", "--home", h]).trim());
  const p2p: number[] = [];
  const rpcPorts: number[] = [];
  for (let i = 0; i < n; i++) {
    p2p.push(await freePort());
    rpcPorts.push(await freePort());
  }
  const genesis = JSON.parse(readFileSync(join(homes[0]!, "config", "genesis.json"), "utf8"));
  // testnet lists validators in node order; each node's genesis must be identical.
  genesis.validators.forEach((v: { power: string }, i: number) => (v.power = String(powers[i])));
  const genesisText = JSON.stringify(genesis, null, 2);
  homes.forEach((home, i) => {
    writeFileSync(join(home, "config", "genesis.json"), genesisText);
    const file = join(home, "config", "config.toml");
    let t = readFileSync(file, "utf8");
    t = setToml(t, "", "proxy_app", '"kvstore"');
    t = setToml(t, "rpc", "laddr", `"tcp://127.0.0.1:${rpcPorts[i]}"`);
    t = setToml(t, "p2p", "laddr", `"tcp://127.0.0.1:${p2p[i]}"`);
    const peers = ids.flatMap((id, j) => (j === i ? [] : [`${id}@127.0.0.1:${p2p[j]}`])).join(",");
    t = setToml(t, "p2p", "persistent_peers", `"${peers}"`);
    t = setToml(t, "p2p", "allow_duplicate_ip", "true");
    t = setToml(t, "p2p", "addr_book_strict", "false");
    t = setToml(t, "p2p", "pex", "false");
    t = setToml(t, "consensus", "timeout_commit", `"${commitMs}ms"`);
    t = setToml(t, "consensus", "timeout_propose", '"1s"');
    t = setToml(t, "instrumentation", "prometheus", "false");
    writeFileSync(file, t);
  });
  const procs: ChildProcess[] = homes.map((home) => spawn(bin, ["start", "--home", home], { stdio: "ignore" }));
  const rpc = rpcPorts.map((p) => `http://127.0.0.1:${p}`);
  let nextId = 1;
  const call = async (method: string, params: Record<string, unknown> = {}, node = 0): Promise<any> => {
    const res = await fetch(rpc[node]!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }) });
    const j = (await res.json()) as { result?: any; error?: { message: string; data?: string } };
    if (j.error) throw new Error(`${method}: ${j.error.message} ${j.error.data ?? ""}`);
    return j.result;
  };
  const stop = async (): Promise<void> => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => p.kill("SIGKILL"), 5000);
            p.once("exit", () => (clearTimeout(t), resolve()));
            p.kill("SIGTERM");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const waitHeight = async (h: number, timeoutMs = 60_000): Promise<void> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const s = await call("status");
        if (Number(s.sync_info.latest_block_height) >= h) return;
      } catch {
        // the RPC is not listening yet
      }
      if (Date.now() > until) throw new Error(`cometbft did not reach height ${h} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { chainId: genesis.chain_id, rpc, stop, call, waitHeight };
}
