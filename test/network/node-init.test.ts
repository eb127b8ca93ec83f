// `mote node init` writes what a real deployment needs: ports, listen address, persistent peers, the
// application socket on 127.0.0.1, the ledger's genesis in app_state (or a shared genesis.json as given).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engineMaxGas, ensureCometbft, LOCAL_GOSSIP_SLEEP } from "../../node/cometbft.ts";
import { NODE_LIMITS } from "../../node/wire.ts";
import { LEDGER_LIMITS } from "../../ledger/params.ts";
import { mote, tempNetDir } from "./helpers.ts";

let dir = "";
beforeAll(async () => {
  await ensureCometbft();
  dir = tempNetDir();
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mote node init", () => {
  it("configures ports, peers and the ledger's genesis, and reuses a shared genesis.json", async () => {
    const peer = `${"ab".repeat(20)}@10.0.0.2:26656`;
    const a = join(dir, "a");
    const r = await mote(["node", "init", "--home", a, "--moniker", "val-a", "--chain-id", "fleet-1", "--p2p-port", "36656", "--rpc-port", "36657", "--app-port", "36658", "--peers", peer, "--alloc", `${"11".repeat(32)}=500`, "--json"]);
    expect(r.err).toBe("");
    const out = JSON.parse(r.out) as { nodeId: string; peer: string };
    expect(out.nodeId).toMatch(/^[0-9a-f]{40}$/);
    const cfg = readFileSync(join(a, "config", "config.toml"), "utf8");
    expect(cfg).toContain('proxy_app = "tcp://127.0.0.1:36658"');
    expect(cfg).toContain('laddr = "tcp://0.0.0.0:36656"');
    expect(cfg).toContain(`persistent_peers = "${peer}"`);
    expect(cfg).toContain("allow_duplicate_ip = false");
    // a machine on a real network keeps CometBFT's consensus gossip sleep; processes on one machine take 10 ms
    expect(cfg).toContain('peer_gossip_sleep_duration = "100ms"');
    const local = join(dir, "local");
    expect((await mote(["node", "init", "--home", local, "--host", "127.0.0.1"])).code).toBe(0);
    expect(readFileSync(join(local, "config", "config.toml"), "utf8")).toContain(`peer_gossip_sleep_duration = "${LOCAL_GOSSIP_SLEEP}"`);
    const g = JSON.parse(readFileSync(join(a, "config", "genesis.json"), "utf8")) as { chain_id: string; app_state: { alloc: { id: string; amount: string }[] } };
    expect(g.chain_id).toBe("fleet-1");
    expect(g.app_state.alloc).toEqual([{ id: "11".repeat(32), amount: "500" }]);
    // a second machine joins with the shared genesis
    const shared = join(dir, "genesis.json");
    writeFileSync(shared, readFileSync(join(a, "config", "genesis.json")));
    const b = join(dir, "b");
    expect((await mote(["node", "init", "--home", b, "--genesis", shared, "--peers", `${out.nodeId}@10.0.0.1:36656`])).code).toBe(0);
    expect(readFileSync(join(b, "config", "genesis.json"), "utf8")).toBe(readFileSync(shared, "utf8"));
    // bad peers and a second init are refused with one line
    const bad = await mote(["node", "init", "--home", join(dir, "c"), "--peers", "nope"]);
    expect([bad.code, bad.err]).toEqual([2, "mote: --peers: 'nope' is not ID@HOST:PORT (ID: 40 hex digits)\n"]);
    const again = await mote(["node", "init", "--home", a]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already a node home/);
  }, 60_000);

  it("gives a new genesis the network block gas limit (NODE_LIMITS.BLOCK_GAS_LIMIT, above the embedded ledger's) or --block-gas-limit, and refuses 0", async () => {
    type Genesis = { app_state: { blockGasLimit: string }; consensus_params: { block: { max_gas: string; max_bytes: string } } };
    const genesis = (home: string) => JSON.parse(readFileSync(join(home, "config", "genesis.json"), "utf8")) as Genesis;
    const blockGas = (home: string) => genesis(home).app_state.blockGasLimit;
    const d = join(dir, "gas-default");
    expect((await mote(["node", "init", "--home", d])).code).toBe(0);
    expect(blockGas(d)).toBe(String(NODE_LIMITS.BLOCK_GAS_LIMIT.value));
    expect(NODE_LIMITS.BLOCK_GAS_LIMIT.value).toBeGreaterThan(LEDGER_LIMITS.DEFAULT_BLOCK_GAS_LIMIT.value);
    // the engine's block max_gas is the ledger's limit, so CometBFT offers PrepareProposal only what fits one block
    expect(genesis(d).consensus_params.block.max_gas).toBe(String(NODE_LIMITS.BLOCK_GAS_LIMIT.value));
    const e = join(dir, "gas-set");
    expect((await mote(["node", "init", "--home", e, "--block-gas-limit", "123456789"])).code).toBe(0);
    expect(blockGas(e)).toBe("123456789");
    expect(genesis(e).consensus_params.block.max_gas).toBe("123456789");
    // CometBFT's max_gas is an int64: a ledger limit beyond it leaves the engine unlimited (-1), the ledger still enforces its own
    expect(engineMaxGas(2n ** 63n - 1n)).toBe(String(2n ** 63n - 1n));
    expect(engineMaxGas(2n ** 63n)).toBe("-1");
    const zero = await mote(["node", "init", "--home", join(dir, "gas-zero"), "--block-gas-limit", "0"]);
    expect([zero.code, zero.err]).toEqual([2, "mote: --block-gas-limit: a block needs room for at least one transaction (got 0)\n"]);
    expect(existsSync(join(dir, "gas-zero"))).toBe(false);
  }, 60_000);

  it("configures state sync for a joining node and its snapshot interval, and refuses a bad trust point before writing anything", async () => {
    const home = join(dir, "ss");
    const hash = "ab".repeat(32);
    const r = await mote(["node", "init", "--home", home, "--state-sync", "http://10.0.0.1:26657,http://10.0.0.2:26657", "--trust-height", "1200", "--trust-hash", hash, "--snapshot-interval", "50"]);
    expect([r.code, r.err]).toEqual([0, ""]);
    const cfg = readFileSync(join(home, "config", "config.toml"), "utf8");
    const ss = cfg.slice(cfg.indexOf("[statesync]"), cfg.indexOf("[blocksync]"));
    expect(ss).toMatch(/^enable = true$/m);
    expect(ss).toMatch(/^rpc_servers = "http:\/\/10\.0\.0\.1:26657,http:\/\/10\.0\.0\.2:26657"$/m);
    expect(ss).toMatch(/^trust_height = 1200$/m);
    expect(ss).toContain(`trust_hash = "${hash.toUpperCase()}"`);
    expect(JSON.parse(readFileSync(join(home, "mote-node.json"), "utf8")).snapshots).toEqual({ interval: 50 });
    const bad = await mote(["node", "init", "--home", join(dir, "ss2"), "--state-sync", "http://10.0.0.1:26657", "--trust-height", "5", "--trust-hash", "xyz"]);
    expect([bad.code, bad.err]).toEqual([1, "mote: trust hash: expected the 32-byte block hash in hex, got 'xyz'\n"]);
    expect(existsSync(join(dir, "ss2"))).toBe(false);
    const half = await mote(["node", "init", "--home", join(dir, "ss3"), "--state-sync", "http://10.0.0.1:26657", "--trust-height", "5"]);
    expect([half.code, half.err]).toEqual([2, "mote: --trust-height and --trust-hash go together (or neither: trust the first RPC server's latest commit)\n"]);
  }, 60_000);
});
