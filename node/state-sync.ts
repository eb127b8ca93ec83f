// A joining node's CometBFT [statesync] section: the RPC servers its light client verifies against and
// the trust point (height and block hash) it starts from. The snapshots themselves are node/snapshot.ts's.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EngineError, q, setToml } from "./cometbft.ts";
import { rpcGet } from "./client.ts";

export interface StateSyncConfig {
  /** At least one RPC URL; the light client takes the first as primary and the others as witnesses. */
  rpcServers: string[];
  trustHeight: number;
  /** The hash of the block at trustHeight (its BlockID hash), hex. */
  trustHash: string;
  /** How long to listen for snapshots before restoring one (CometBFT's default is 15 s). */
  discoveryTime?: string;
}

/** A trust point read from a node's RPC: the latest committed height and its block hash. */
export async function trustPointOf(rpc: string): Promise<{ height: number; hash: string }> {
  const c = (await rpcGet(rpc, "commit", {}, 10_000)) as { signed_header?: { header?: { height?: string }; commit?: { block_id?: { hash?: string } } } };
  const height = Number(c.signed_header?.header?.height);
  const hash = c.signed_header?.commit?.block_id?.hash;
  if (!Number.isInteger(height) || height < 1 || typeof hash !== "string" || !/^[0-9A-Fa-f]{64}$/.test(hash)) {
    throw new EngineError(`${rpc}: commit did not give a height and block hash to trust`);
  }
  return { height, hash: hash.toUpperCase() };
}

export function checkStateSync(c: StateSyncConfig): void {
  if (c.rpcServers.length === 0) throw new EngineError("state sync needs at least one RPC server (http://HOST:PORT)");
  for (const u of c.rpcServers) if (!/^https?:\/\/[^\s,]+$/.test(u)) throw new EngineError(`state sync RPC server '${u}' is not http://HOST:PORT`);
  if (!Number.isInteger(c.trustHeight) || c.trustHeight < 1) throw new EngineError(`trust height: expected a block height ≥ 1, got ${c.trustHeight}`);
  if (!/^[0-9A-Fa-f]{64}$/.test(c.trustHash)) throw new EngineError(`trust hash: expected the 32-byte block hash in hex, got '${c.trustHash}'`);
}

/** Enables state sync in a home's config.toml. */
export function configureStateSync(home: string, c: StateSyncConfig): void {
  checkStateSync(c);
  const file = join(home, "config", "config.toml");
  let t = readFileSync(file, "utf8");
  // CometBFT wants two servers (a primary and a witness); one given serves as both.
  const servers = c.rpcServers.length === 1 ? [c.rpcServers[0]!, c.rpcServers[0]!] : c.rpcServers;
  t = setToml(t, "statesync", "enable", "true");
  t = setToml(t, "statesync", "rpc_servers", q(servers.join(",")));
  t = setToml(t, "statesync", "trust_height", String(c.trustHeight));
  t = setToml(t, "statesync", "trust_hash", q(c.trustHash.toUpperCase()));
  if (c.discoveryTime) t = setToml(t, "statesync", "discovery_time", q(c.discoveryTime));
  writeFileSync(file, t);
}
