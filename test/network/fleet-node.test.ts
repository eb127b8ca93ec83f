// `mote fleet train --node URL`: the fleet's audit trail read from a network node through CometBFT's RPC
// (/block, /block_results) gives the same model, byte for byte and hash, as training from that node's own
// ledger directory. A small fleet (10 devices, 3 windows of 2 readings) on a 1-validator network on
// 127.0.0.1, driven through the RPC; the node is stopped by its own PIDs.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { compileContract } from "../../fleet/contracts.ts";
import { GAS, groupLocation } from "../../fleet/sim.ts";
import type { FleetManifest } from "../../fleet/sim.ts";
import { signReading } from "../../ledger/device-message.ts";
import { KeyPair, instanceId, signTx, resolveSelector, type Value } from "../../ledger/index.ts";
import { broadcastCommit, broadcastSync } from "../../node/client.ts";
import { ensureCometbft } from "../../node/cometbft.ts";
import { readManifest, stopNode } from "../../node/net.ts";
import { RemoteLedger } from "../../node/remote.ts";
import { downAndRemove, freeBase, mote, rpcOf, tempNetDir } from "./helpers.ts";

const DEVICES = 10;
const W = 2;
const CALIB = 3;
const key = (name: string): KeyPair => KeyPair.fromSeed(sha256(new TextEncoder().encode(`mote-fleet-node-test:${name}`)));
let dir = "";
let url = "";
let home = "";

beforeAll(async () => {
  await ensureCometbft();
  dir = tempNetDir();
  const base = await freeBase(1);
  const up = await mote(["net", "up", "--validators", "1", "--dir", dir, "--base-port", String(base), "--timeout-commit", "200ms"]);
  expect(up.err).toBe("");
  expect(up.code).toBe(0);
  const m = readManifest(dir);
  url = rpcOf(m, 0);
  home = m.nodes[0]!.home;
}, 900_000);
afterAll(async () => {
  if (dir) await downAndRemove(dir);
}, 60_000);

describe("mote fleet train --node", () => {
  it("trains from a node's RPC the same model, bytes and hash, as from its ledger directory", async () => {
    const node = await RemoteLedger.connect(url);
    const op = key("operator");
    const gateway = key("gateway");
    const ops = [op, key("operator-2"), key("operator-3")];
    const ids = [0n, 1n, 2n, 3n].map((k) => instanceId(node.genesisHash, op.publicKey, k));
    const [reg, guard, att, fg] = ids as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const deploys: [string, Value[]][] = [
      ["contracts/device_registry.mote", []],
      ["contracts/anomaly_guard.mote", [reg, att]],
      ["contracts/sensor_attestation.mote", [reg, guard]],
      ["contracts/fleet_guard.mote", [new Uint8Array(ops.flatMap((k) => [...k.publicKey])), 2n, reg, guard, att, BigInt(W)]],
    ];
    for (const [path, args] of deploys) expect((await node.deploy(op, compileContract(path).module, args, { gas: GAS })).receipt.status).toBe("ok");
    expect((await node.call(op, att, "link_fleet_guard", [fg])).receipt.status).toBe("ok");
    const devices = Array.from({ length: DEVICES }, (_, i) => key(`device-${i}`));
    for (const [i, d] of devices.entries()) expect((await node.call(op, reg, "register", [d.publicKey, 1n, groupLocation(i % 2)])).receipt.status).toBe("ok");

    // every step: each device's heartbeat (once a window), then its signed reading and both observes,
    // sent in order to the mempool; the step's last transaction waits for its block
    const start = BigInt(Math.floor(Date.now() / 1000));
    let gw = await node.nonce(gateway.publicKey);
    const devNonce = devices.map(() => 0n);
    const tx = (k: KeyPair, nonce: bigint, contract: Uint8Array, fn: string, args: Value[]) =>
      signTx({ genesisHash: node.genesisHash, sender: k.publicKey, nonce, gasLimit: GAS, gasPrice: node.minGasPrice, value: 0n, kind: "call", contract, selector: resolveSelector(fn), args }, k);
    for (let step = 0; step < CALIB * W; step++) {
      const batch = [];
      for (const [i, d] of devices.entries()) {
        if (step % W === 0) batch.push(tx(d, devNonce[i]!++, fg, "heartbeat", []));
        const v = BigInt(Math.round((20 + (i % 2) * 5 + Math.sin(i * 7 + step * 3) * 0.2) * 64)) * 1024n;
        const ts = start + BigInt(step);
        const n = BigInt(step + 1);
        batch.push(tx(gateway, gw++, att, "submit", [d.publicKey, n, v, ts, signReading(d, att, n, v, ts)]));
        batch.push(tx(gateway, gw++, guard, "observe", [d.publicKey]));
        batch.push(tx(gateway, gw++, fg, "observe", [d.publicKey]));
      }
      for (const t of batch.slice(0, -1)) expect((await broadcastSync(url, t.bytes)).code).toBe(0);
      const last = await broadcastCommit(url, batch.at(-1)!.bytes);
      expect(last.ok).toBe(true);
    }
    const manifest: FleetManifest = {
      chainId: node.chainId, genesis: String(start - 60n), stepSeconds: 60, window: W, calibWindows: CALIB, steps: CALIB * W,
      contracts: { registry: Buffer.from(reg).toString("hex"), guard: Buffer.from(guard).toString("hex"), attestation: Buffer.from(att).toString("hex"), fleetGuard: Buffer.from(fg).toString("hex") },
      operators: ops.map((k) => k.publicKeyHex), quorum: 2,
    };
    const manifestPath = join(dir, "fleet.json");
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const viaNode = join(dir, "node-model.json");
    const r = await mote(["fleet", "train", "--node", url, "--manifest", manifestPath, "--out", viaNode, "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { rows: number }).rows).toBe(DEVICES * (CALIB - 1));

    // the same chain from the node's own ledger directory, once the node has stopped
    await stopNode(home, 10_000);
    const viaDir = join(dir, "dir-model.json");
    const d = await mote(["fleet", "train", "--data", join(home, "app"), "--manifest", manifestPath, "--out", viaDir]);
    expect(d.err).toBe("");
    const a = JSON.parse(readFileSync(viaNode, "utf8")) as { bytes: string; hash: string };
    const b = JSON.parse(readFileSync(viaDir, "utf8")) as { bytes: string; hash: string };
    expect(a.hash).toBe(b.hash);
    expect(a.bytes).toBe(b.bytes);
    expect(readFileSync(viaNode, "utf8")).toBe(readFileSync(viaDir, "utf8"));
  }, 300_000);

  it("names what is missing: a source, and the manifest with --node", async () => {
    const none = await mote(["fleet", "train", "--out", join(dir, "x.json")]);
    expect([none.code, none.err]).toEqual([2, "mote: one of --data DIR or --node URL: where to read the chain from\n"]);
    const noManifest = await mote(["fleet", "train", "--node", "http://127.0.0.1:1", "--out", join(dir, "x.json")]);
    expect([noManifest.code, noManifest.err]).toEqual([2, "mote: --node: --manifest FILE is required (the fleet's fleet.json: which contracts, which window)\n"]);
  });
});
