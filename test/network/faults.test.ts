// A 4-validator Mote network on 127.0.0.1, started through `mote net up` and driven like an operator
// would: transactions from several senders commit with one app hash at every height on every node; a
// SIGKILLed validator leaves the others committing and catches up on restart; a node whose ledger is
// deleted rebuilds it by replay to the same app hash; two of four down halts the chain until one returns;
// bad transactions are refused at CheckTx with a code; no client input makes the app fail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEDGER_LIMITS } from "../../ledger/params.ts";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeyPair, writeKeyFile } from "../../ledger/index.ts";
import { signTx } from "../../ledger/tx.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { ensureCometbft } from "../../node/cometbft.ts";
import { abciQuery, broadcastCommit, broadcastSync, rpcCall } from "../../node/client.ts";
import { initNet, readManifest, nodePids, type NetManifest } from "../../node/net.ts";
import { RemoteLedger } from "../../node/remote.ts";
import { NODE_LIMITS, resultCode } from "../../node/wire.ts";
import { appHashAt, downAndRemove, freeBase, heightOf, mote, nodeLog, rpcOf, tempNetDir, tokenModule, waitUntil } from "./helpers.ts";

let dir = "";
let m: NetManifest;
let operator: KeyPair;
let token: Uint8Array;
const senders = [1, 2, 3].map((i) => KeyPair.fromSeed(new Uint8Array(32).fill(40 + i)));

/** Every node in `nodes` has the same app hash at every height 1..h. */
async function sameHashes(nodes: number[], h: number): Promise<void> {
  for (let height = 1; height <= h; height++) {
    const hashes = await Promise.all(nodes.map((i) => appHashAt(rpcOf(m, i), height)));
    expect(new Set(hashes).size, `app hashes at height ${height}: ${hashes.join(" ")}`).toBe(1);
  }
}

async function advances(i: number, by: number, timeoutMs: number): Promise<void> {
  const h0 = await heightOf(rpcOf(m, i));
  await waitUntil(`node${i} to pass height ${h0 + by}`, async () => (await heightOf(rpcOf(m, i))) >= h0 + by, timeoutMs);
}

describe("a 4-validator network", () => {
  beforeAll(async () => {
    await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) }); // minutes the first time on a fresh machine, then cached
    dir = tempNetDir();
    const base = await freeBase(4);
    const up = await mote(["net", "up", "--validators", "4", "--dir", dir, "--base-port", String(base), "--timeout-commit", "200ms"]);
    expect(up.err).toBe("");
    expect(up.code).toBe(0);
    expect(up.out).toContain(`node3: http://127.0.0.1:${base + 301}`);
    m = readManifest(dir);
    operator = (await import("../../ledger/keys.ts")).readKeyFile(join(dir, "operator.key"));
    const l = await RemoteLedger.connect(rpcOf(m, 0));
    const d = await l.deploy(operator, tokenModule(), [1_000_000n]);
    expect(d.receipt.status).toBe("ok");
    token = d.contract;
  }, 900_000);

  afterAll(async () => {
    if (dir) await downAndRemove(dir);
  });

  it("commits transactions from several senders with one app hash at every height on every node", async () => {
    const l0 = await RemoteLedger.connect(rpcOf(m, 0));
    for (const s of senders) expect((await l0.call(operator, token, "transfer", [s.publicKey, 1000n])).receipt.status).toBe("ok");
    // each sender sends through a different node, at the same time
    const rs = await Promise.all(
      senders.map(async (s, i) => {
        const l = await RemoteLedger.connect(rpcOf(m, i + 1));
        const out = [];
        for (let k = 0; k < 3; k++) out.push(await l.call(s, token, "transfer", [operator.publicKey, 10n]));
        return out;
      }),
    );
    for (const r of rs.flat()) expect(r.receipt.status).toBe("ok");
    // pending nonces: five transactions of one sender accepted into the mempool back to back, all committed
    const s2 = senders[2]!;
    const n0 = await l0.nonce(s2.publicKey);
    for (let k = 0n; k < 5n; k++) {
      const tx = signTx({ genesisHash: l0.genesisHash, sender: s2.publicKey, nonce: n0 + k, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [operator.publicKey, 1n] }, s2);
      const r = await broadcastSync(rpcOf(m, 0), tx.bytes);
      expect(r.code, r.log).toBe(0);
    }
    const skipped = signTx({ genesisHash: l0.genesisHash, sender: s2.publicKey, nonce: n0 + 6n, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [operator.publicKey, 1n] }, s2);
    expect((await broadcastSync(rpcOf(m, 0), skipped.bytes)).codespace).toBe("nonce_skipped");
    // every node, not one: a node may apply a block a moment after another (the views below read all four)
    const balanceEverywhere = async (): Promise<boolean> =>
      (await Promise.all([0, 1, 2, 3].map(async (i) => (await RemoteLedger.connect(rpcOf(m, i))).view(token, "balance_of", [s2.publicKey])))).every((v) => v.returns[0] === 965n);
    await waitUntil("five pending transactions to commit on every node", balanceEverywhere, 30_000);
    const views = await Promise.all([0, 1, 2, 3].map(async (i) => (await RemoteLedger.connect(rpcOf(m, i))).view(token, "balance_of", [senders[0]!.publicKey])));
    for (const v of views) expect(v.returns).toEqual([970n]);
    expect((await l0.view(token, "balance_of", [senders[2]!.publicKey])).returns).toEqual([965n]);
    const h = Math.min(...(await Promise.all([0, 1, 2, 3].map((i) => heightOf(rpcOf(m, i))))));
    await sameHashes([0, 1, 2, 3], h);
    // the status command agrees, in its JSON form
    const st = await mote(["net", "status", "--dir", dir, "--json"]);
    const j = JSON.parse(st.out) as { nodes: { index: number; running: boolean; height: number; appHash: string; peers: number }[] };
    expect(j.nodes.map((n) => [n.index, n.running, n.peers])).toEqual([0, 1, 2, 3].map((i) => [i, true, 3]));
  }, 120_000);

  it("keeps committing with one validator SIGKILLed, and the restarted one catches up", async () => {
    const killed = await mote(["net", "kill", "3", "--dir", dir]);
    expect(killed.out).toBe("node3: killed\n");
    expect(nodePids(m.nodes[3]!.home)).toEqual({ node: null, cometbft: null });
    await advances(0, 3, 30_000);
    const l0 = await RemoteLedger.connect(rpcOf(m, 0));
    expect((await l0.call(senders[0]!, token, "transfer", [senders[1]!.publicKey, 1n])).receipt.status).toBe("ok");
    const target = await heightOf(rpcOf(m, 0));
    expect((await mote(["net", "start", "3", "--dir", dir])).code).toBe(0);
    await waitUntil("node3 to catch up", async () => (await heightOf(rpcOf(m, 3))) >= target, 60_000);
    await sameHashes([0, 3], target);
  }, 120_000);

  it("rebuilds a node's deleted ledger by replaying the chain to the same app hash", async () => {
    expect((await mote(["net", "kill", "2", "--dir", dir])).code).toBe(0);
    const app = join(m.nodes[2]!.home, "app");
    for (const f of readdirSync(app)) rmSync(join(app, f), { recursive: true, force: true });
    const target = await heightOf(rpcOf(m, 0));
    expect((await mote(["net", "start", "2", "--dir", dir])).code).toBe(0);
    await waitUntil("node2 to replay and catch up", async () => (await heightOf(rpcOf(m, 2))) >= target + 1, 60_000);
    await sameHashes([0, 2], target + 1);
    // the rebuilt ledger answers queries with the replayed state
    const v = await (await RemoteLedger.connect(rpcOf(m, 2))).view(token, "balance_of", [senders[1]!.publicKey]);
    expect(v.returns).toEqual([971n]);
  }, 120_000);

  it("halts with two of four validators down and resumes when one returns", async () => {
    await mote(["net", "kill", "2", "--dir", dir]);
    await mote(["net", "kill", "3", "--dir", dir]);
    await new Promise((r) => setTimeout(r, 1500)); // the height in flight may still finish
    const h0 = await heightOf(rpcOf(m, 0));
    await new Promise((r) => setTimeout(r, 3000)); // ~15 blocks' worth at 200 ms
    expect(await heightOf(rpcOf(m, 0))).toBe(h0);
    expect(await heightOf(rpcOf(m, 1))).toBe(h0);
    expect((await mote(["net", "start", "3", "--dir", dir])).code).toBe(0);
    await waitUntil("the chain to resume", async () => (await heightOf(rpcOf(m, 0))) >= h0 + 2, 60_000);
    expect((await mote(["net", "start", "2", "--dir", dir])).code).toBe(0);
    await waitUntil("node2 back", async () => (await heightOf(rpcOf(m, 2))) >= h0 + 2, 60_000);
  }, 120_000);

  it("refuses malformed, oversized, wrongly signed, replayed and underfunded transactions at CheckTx with a code", async () => {
    const url = rpcOf(m, 1);
    const l = await RemoteLedger.connect(url);
    const expectRefused = async (tx: Uint8Array, code: string) => {
      const r = await broadcastSync(url, tx);
      expect([r.codespace, r.code], r.log).toEqual([code, resultCode(code as never)]);
      expect(r.log).not.toBe("");
      expect(r.log).not.toContain("\n");
    };
    await expectRefused(Uint8Array.of(1, 2, 3), "malformed");
    await expectRefused(new Uint8Array(NODE_LIMITS.MAX_TX_BYTES.value + 1), "oversized");
    const s = senders[2]!;
    const nonce = await l.nonce(s.publicKey);
    const good = signTx({ genesisHash: l.genesisHash, sender: s.publicKey, nonce, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: 0, args: [] }, s);
    const forged = good.bytes.slice();
    forged[forged.length - 1]! ^= 1; // the signature ends the encoding
    await expectRefused(forged, "signature");
    const replay = signTx({ genesisHash: l.genesisHash, sender: s.publicKey, nonce: nonce - 1n, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: 0, args: [] }, s);
    await expectRefused(replay.bytes, "nonce_replayed");
    const wrongChain = signTx({ genesisHash: new Uint8Array(32).fill(7), sender: s.publicKey, nonce, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: 0, args: [] }, s);
    await expectRefused(wrongChain.bytes, "chain_id");
    // underfunded, through the CLI: one line naming the code
    const key = join(dir, "poor.key");
    writeKeyFile(key, KeyPair.fromSeed(new Uint8Array(32).fill(99)));
    const r = await mote(["tx", "call", `0x${Buffer.from(token).toString("hex")}`, "transfer", `0x${Buffer.from(s.publicKey).toString("hex")}`, "1", "--value", "5", "--key", key, "--node", url, "--data", join(dir, "client")]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^mote: rejected \(insufficient_funds\): [0-9a-f]{64} holds 0, the transaction needs 5 .*\n$/);
    expect(r.err.split("\n").length).toBe(2);
  }, 60_000);

  it("never fails on a client's input: random transactions and queries get codes, every node keeps committing", async () => {
    const url = rpcOf(m, 0);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    const s = senders[0]!;
    const valid = signTx({ genesisHash: (await RemoteLedger.connect(url)).genesisHash, sender: s.publicKey, nonce: 0n, gasLimit: 1000, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: 1, args: [] }, s).bytes;
    for (let k = 0; k < 60; k++) {
      const tx = k % 2 === 0 ? Uint8Array.from({ length: 1 + (rnd() % 200) }, rnd) : valid.map((b, i) => (i === rnd() % valid.length ? b ^ (1 + (rnd() % 255)) : b));
      const r = await broadcastSync(url, tx).catch((e: Error) => ({ code: -1, log: e.message, codespace: "", hash: "" }));
      // refused with a code, or (mutated bytes still decoding) refused by the RPC's cache: never accepted
      expect(r.code, r.log).not.toBe(0);
    }
    for (const path of ["/prove", "/view", "/events", "/account", "/params", "/contract", "/nope", ""]) {
      for (let k = 0; k < 4; k++) {
        const data = Uint8Array.from({ length: rnd() % 80 }, rnd);
        const a = await abciQuery(url, path, data);
        // a refusal with a code, or (for /prove of an absent entry, /params) an answer: never a failure
        expect(a.codespace, `${path}: ${a.log}`).not.toBe("internal");
        if (path !== "/params" && path !== "/prove") expect(a.code, `${path}: ${a.log}`).not.toBe(0);
      }
    }
    const badView = await abciQuery(url, "/view", new TextEncoder().encode(JSON.stringify({ contract: "00".repeat(32), fn: "x", args: [{ bytes: "zz" }] })));
    expect(badView.codespace).toBe("bad_query");
    await advances(0, 2, 30_000);
    for (let i = 0; i < 4; i++) expect(nodeLog(m, i)).not.toMatch(/internal error/);
    // a proof for the light client: the committed height's state, the bytes `mote prove` prints
    const p = await abciQuery(url, "/prove", new Uint8Array([...token, 0]));
    expect(p.code).toBe(0);
    expect(p.height).toBeGreaterThan(0n);
    const st = (await rpcCall(url, "status", {})) as { node_info: { network: string } };
    expect(st.node_info.network).toBe(m.chainId);
    void broadcastCommit;
  }, 120_000);
});

describe("a validator whose application diverges", () => {
  let dir2 = "";
  afterAll(async () => {
    if (dir2) await downAndRemove(dir2);
  });

  it("halts alone (CONSENSUS FAILURE on the app hash) while the other three keep committing", async () => {
    await ensureCometbft();
    dir2 = tempNetDir();
    const base = await freeBase(4);
    await initNet(dir2, { validators: 4, basePort: base, timeoutCommit: "200ms" });
    const m2 = readManifest(dir2);
    // node3's ledger starts from another allocation: its state, and so every app hash, differs
    const g = join(m2.nodes[3]!.home, "config", "genesis.json");
    const doc = JSON.parse(readFileSync(g, "utf8")) as { app_state: { alloc: { id: string; amount: string }[] } };
    doc.app_state.alloc[0]!.amount = "7";
    writeFileSync(g, JSON.stringify(doc));
    const up = await mote(["net", "up", "--dir", dir2, "--no-wait"]);
    expect(up.code, up.err).toBe(0);
    const url = (i: number) => `http://127.0.0.1:${m2.nodes[i]!.ports.rpc}`;
    await waitUntil("three nodes past height 5", async () => (await Promise.all([0, 1, 2].map((i) => heightOf(url(i))))).every((h) => h >= 5), 60_000);
    const log3 = () => readFileSync(join(m2.nodes[3]!.home, "cometbft.log"), "utf8");
    await waitUntil("node3 to report the wrong app hash", async () => /wrong Block\.Header\.AppHash|CONSENSUS FAILURE/.test(log3()), 30_000);
    const h3 = await heightOf(url(3)).catch(() => 0);
    const h0 = await heightOf(url(0));
    await waitUntil("the three to move on", async () => (await heightOf(url(0))) >= h0 + 3, 30_000);
    expect(await heightOf(url(3)).catch(() => 0)).toBeLessThanOrEqual(Math.max(h3, 1));
  }, 180_000);
});
