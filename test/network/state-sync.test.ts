// State sync on a real network: 4 validators on 127.0.0.1 take a snapshot every 5 blocks; a fifth node
// (a full node, not a validator) added with `mote net add --state-sync` restores one of them, verified
// by CometBFT's light client, reaches the same app hash without replaying from height 1, and follows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeyPair } from "../../ledger/index.ts";
import { readKeyFile } from "../../ledger/keys.ts";
import { ensureCometbft } from "../../node/cometbft.ts";
import { rpcCall } from "../../node/client.ts";
import { initNet, readManifest, type NetManifest } from "../../node/net.ts";
import { NODE_FILE, type NodeFile } from "../../node/run.ts";
import { RemoteLedger } from "../../node/remote.ts";
import { appHashAt, downAndRemove, freeBase, heightOf, mote, nodeLog, rpcOf, tempNetDir, tokenModule, waitUntil } from "./helpers.ts";

const INTERVAL = 5;
let dir = "";
let m: NetManifest;

describe("state sync", () => {
  beforeAll(async () => {
    await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) });
    dir = tempNetDir();
    const base = await freeBase(5);
    // made first so each node's snapshot chunks can be made small: the token module alone spans several
    await initNet(dir, { validators: 4, basePort: base, timeoutCommit: "200ms", snapshotInterval: INTERVAL });
    for (const n of readManifest(dir).nodes) {
      const f = join(n.home, NODE_FILE);
      const nf = JSON.parse(readFileSync(f, "utf8")) as NodeFile;
      writeFileSync(f, JSON.stringify({ ...nf, snapshots: { ...nf.snapshots, chunkBytes: 1024 } }));
    }
    const up = await mote(["net", "up", "--dir", dir]);
    expect(up.err).toBe("");
    m = readManifest(dir);
  }, 900_000);

  afterAll(async () => {
    if (dir) await downAndRemove(dir);
  });

  it("a new full node restores a validator's snapshot, reaches the same app hash without replaying from height 1, and follows new blocks", async () => {
    const operator = readKeyFile(join(dir, "operator.key"));
    const bob = KeyPair.fromSeed(new Uint8Array(32).fill(77));
    const l0 = await RemoteLedger.connect(rpcOf(m, 0));
    const token = (await l0.deploy(operator, tokenModule(), [1_000_000n])).contract;
    for (let i = 0; i < 3; i++) expect((await l0.call(operator, token, "transfer", [bob.publicKey, 10n])).receipt.status).toBe("ok");
    // two snapshots behind the head, and the two headers after the newer one (the light client needs them)
    await waitUntil("the validators to pass two snapshot heights", async () => (await heightOf(rpcOf(m, 0))) >= 2 * INTERVAL + 3, 60_000);
    expect(nodeLog(m, 0)).toMatch(new RegExp(`snapshot at height ${INTERVAL}: \\d+ bytes`));

    const add = await mote(["net", "add", "--dir", dir, "--state-sync", "--json"]);
    expect(add.err).toBe("");
    const j = JSON.parse(add.out) as { index: number; rpc: string; stateSync: boolean };
    expect([j.index, j.stateSync]).toEqual([4, true]);
    m = readManifest(dir);
    expect(m.nodes[4]!.validator).toBe(false);
    const cfg = readFileSync(join(m.nodes[4]!.home, "config", "config.toml"), "utf8");
    const statesync = cfg.slice(cfg.indexOf("[statesync]"), cfg.indexOf("[blocksync]"));
    expect(statesync).toMatch(/^enable = true$/m);
    expect(statesync).toMatch(/^rpc_servers = "http:\/\/127\.0\.0\.1:\d+,http:\/\/127\.0\.0\.1:\d+"$/m);
    expect(statesync).toMatch(/^trust_height = \d+$/m);
    expect(statesync).toMatch(/^trust_hash = "[0-9A-F]{64}"$/m);

    // a transfer committed while it joins
    expect((await l0.call(operator, token, "transfer", [bob.publicKey, 5n])).receipt.status).toBe("ok");
    const target = await heightOf(rpcOf(m, 0));
    await waitUntil("node4 to catch up", async () => (await heightOf(rpcOf(m, 4))) >= target, 120_000);

    const log = nodeLog(m, 4);
    const restored = /state sync: restored snapshot at height (\d+)/.exec(log);
    expect(restored, log.slice(-3000)).not.toBeNull();
    const h = Number(restored![1]);
    expect(Number(/restored snapshot at height \d+ \(\d+ state entries, 1 module\(s\), (\d+) chunk\(s\)\)/.exec(log)?.[1])).toBeGreaterThan(1);
    expect(h % INTERVAL).toBe(0);
    expect(h).toBeGreaterThanOrEqual(INTERVAL);
    // its engine's block store starts after the snapshot: no block from 1 to h was replayed
    const st = (await rpcCall(rpcOf(m, 4), "status", {}, 5000)) as { sync_info: { earliest_block_height: string } };
    expect(Number(st.sync_info.earliest_block_height)).toBeGreaterThan(h);
    expect(log).not.toMatch(/genesis of '/); // InitChain never ran on it
    // the same app hash at every height it holds, and the same state
    for (let height = Number(st.sync_info.earliest_block_height); height <= target; height++) {
      expect(await appHashAt(rpcOf(m, 4), height), `height ${height}`).toBe(await appHashAt(rpcOf(m, 0), height));
    }
    const l4 = await RemoteLedger.connect(rpcOf(m, 4));
    expect((await l4.view(token, "balance_of", [bob.publicKey])).returns).toEqual([35n]);

    // and it follows: a transaction sent through it commits everywhere
    expect((await l4.call(operator, token, "transfer", [bob.publicKey, 1n])).receipt.status).toBe("ok");
    await waitUntil("node0 and node4 to agree on bob's balance", async () => {
      const [a, b] = await Promise.all([l0.view(token, "balance_of", [bob.publicKey]), l4.view(token, "balance_of", [bob.publicKey])]);
      return a.returns[0] === 36n && b.returns[0] === 36n;
    }, 30_000);
    const later = Math.min(await heightOf(rpcOf(m, 0)), await heightOf(rpcOf(m, 4)));
    expect(later).toBeGreaterThan(target);
    expect(await appHashAt(rpcOf(m, 4), later)).toBe(await appHashAt(rpcOf(m, 0), later));
    // the status command lists it beside the validators
    const s = JSON.parse((await mote(["net", "status", "--dir", dir, "--json"])).out) as { nodes: { index: number; running: boolean }[] };
    expect(s.nodes.map((n) => [n.index, n.running])).toEqual([0, 1, 2, 3, 4].map((i) => [i, true]));
  }, 240_000);
});
