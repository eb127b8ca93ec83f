// `mote events --follow --node URL`: a websocket subscription to the node's committed transactions.
// Against a 1-validator network: it prints what was committed before it started, then an event committed
// after it started, in the same lines as `mote events --node` (and the same JSON); a filter by contract
// holds; and it reconnects across a node restart without losing or repeating an event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyPair } from "../../ledger/index.ts";
import { readKeyFile } from "../../ledger/keys.ts";
import { ensureCometbft } from "../../node/cometbft.ts";
import { readManifest, type NetManifest } from "../../node/net.ts";
import { RemoteLedger } from "../../node/remote.ts";
import { eventsOfTxResult, websocketUrl } from "../../node/follow.ts";
import { downAndRemove, freeBase, heightOf, MOTE, mote, rpcOf, tempNetDir, tokenModule, waitUntil } from "./helpers.ts";

let dir = "";
let data = "";
let m: NetManifest;
const followers: ChildProcess[] = [];

/** A follower process whose stdout and stderr lines are collected as they come. */
function follow(args: string[]): { out: string[]; err: string[]; child: ChildProcess } {
  const child = spawn(process.execPath, [MOTE, "events", "--follow", "--node", rpcOf(m, 0), "--data", data, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  followers.push(child);
  const out: string[] = [];
  const err: string[] = [];
  let o = "";
  let e = "";
  child.stdout!.on("data", (c: Buffer) => {
    o += c.toString("utf8");
    const parts = o.split("\n");
    o = parts.pop()!;
    out.push(...parts);
  });
  child.stderr!.on("data", (c: Buffer) => {
    e += c.toString("utf8");
    const parts = e.split("\n");
    e = parts.pop()!;
    err.push(...parts);
  });
  return { out, err, child };
}

describe("mote events --follow --node", () => {
  beforeAll(async () => {
    await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) });
    dir = tempNetDir();
    data = mkdtempSync(join(tmpdir(), "mote-follow-data-"));
    const up = await mote(["net", "up", "--validators", "1", "--dir", dir, "--base-port", String(await freeBase(1)), "--timeout-commit", "200ms"]);
    expect(up.err).toBe("");
    m = readManifest(dir);
  }, 900_000);

  afterAll(async () => {
    for (const c of followers) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
    if (dir) await downAndRemove(dir);
    if (data) rmSync(data, { recursive: true, force: true });
  });

  it("maps the node's websocket URL and a Tx notification's attributes to event records", () => {
    expect(websocketUrl("http://127.0.0.1:26657")).toBe("ws://127.0.0.1:26657/websocket");
    expect(websocketUrl("https://node.example:443/rpc/")).toBe("wss://node.example/rpc/websocket");
    const id = "ab".repeat(32);
    const c = "cd".repeat(32);
    const evs = eventsOfTxResult({
      height: "7",
      index: 2,
      result: {
        events: [
          { type: "mote_tx", attributes: [{ key: "id", value: id }, { key: "status", value: "ok" }] },
          { type: "mote_event", attributes: [{ key: "contract", value: c }, { key: "topic", value: "42" }, { key: "values", value: '["5",{"bytes":"0a0b"}]' }] },
          { type: "mote_event", attributes: [{ key: "contract", value: c }, { key: "topic", value: "43" }, { key: "values", value: "[]" }] },
        ],
      },
    });
    expect(evs.map((e) => [e.height, e.tx, e.index, e.topic, e.values])).toEqual([
      [7n, 2, 0, 42, [5n, Uint8Array.of(10, 11)]],
      [7n, 2, 1, 43, []],
    ]);
    expect(() => eventsOfTxResult({ height: "7", result: { events: [] } })).toThrow(/at height 7 carries no mote_tx id/);
  });

  it("streams an event committed after it started, in the lines `mote events --node` prints, filters by contract, and reconnects across a node restart", async () => {
    const operator = readKeyFile(join(dir, "operator.key"));
    const bob = KeyPair.fromSeed(new Uint8Array(32).fill(91));
    const l = await RemoteLedger.connect(rpcOf(m, 0));
    const token = (await l.deploy(operator, tokenModule(), [1_000_000n])).contract;
    const other = (await l.deploy(operator, tokenModule(), [5n])).contract;
    const tokenHex = `0x${Buffer.from(token).toString("hex")}`;
    expect((await l.call(operator, token, "transfer", [bob.publicKey, 1n])).receipt.status).toBe("ok");

    const all = follow([]);
    const mine = follow(["--contract", tokenHex, "--json"]);
    // what was there before it started: the same lines as the one-shot listing
    const listed = (await mote(["events", "--node", rpcOf(m, 0), "--data", data])).out.trim().split("\n");
    expect(listed.length).toBeGreaterThanOrEqual(1); // the transfer
    await waitUntil("the followers to print the past events", async () => all.out.length >= listed.length && mine.out.length >= 1, 30_000);
    expect(all.out).toEqual(listed);

    // committed after it started
    const sent = await l.call(operator, token, "transfer", [bob.publicKey, 2n]);
    expect(sent.receipt.status).toBe("ok");
    await l.call(operator, other, "transfer", [bob.publicKey, 1n]);
    await waitUntil("the follower to print the new events", async () => all.out.length >= listed.length + 2, 30_000);
    const now = (await mote(["events", "--node", rpcOf(m, 0), "--data", data])).out.trim().split("\n");
    expect(all.out).toEqual(now);
    expect(all.out[listed.length]).toMatch(new RegExp(`^block ${sent.height} tx 0 ${tokenHex.slice(0, 18)}… `));
    // --contract: only the token's, as JSON objects like `mote events --node --json`'s
    const json = JSON.parse((await mote(["events", "--node", rpcOf(m, 0), "--data", data, "--contract", tokenHex, "--json"])).out) as unknown[];
    await waitUntil("the filtered follower to print the token's events", async () => mine.out.length >= json.length, 30_000);
    expect(mine.out.map((x) => JSON.parse(x) as unknown)).toEqual(json);

    // the node restarts: the follower reconnects and prints what was committed, once
    expect((await mote(["net", "kill", "0", "--dir", dir])).code).toBe(0);
    await waitUntil("the follower to notice", async () => all.err.some((x) => /reconnecting/.test(x)), 30_000);
    expect((await mote(["net", "start", "0", "--dir", dir])).code).toBe(0);
    await waitUntil("the node to answer again", async () => (await heightOf(rpcOf(m, 0))) > 0, 60_000);
    const l2 = await RemoteLedger.connect(rpcOf(m, 0));
    expect((await l2.call(operator, token, "transfer", [bob.publicKey, 3n])).receipt.status).toBe("ok");
    await waitUntil("the reconnected follower to print the event", async () => all.out.length >= now.length + 1, 60_000);
    const after = (await mote(["events", "--node", rpcOf(m, 0), "--data", data])).out.trim().split("\n");
    expect(all.out).toEqual(after);
    expect(all.child.exitCode).toBeNull();
  }, 240_000);
});
