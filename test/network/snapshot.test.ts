// State sync in process (no engine): a node's snapshots served in hash-checked chunks, and an empty
// node's restore of one, accepted only when its state root is the app hash the light client trusts.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Request, ResponseApplySnapshotChunk_Result as Apply, ResponseOfferSnapshot_Result as Offer, type Snapshot } from "cosmjs-types/tendermint/abci/types";
import { KeyPair } from "../../ledger/keys.ts";
import { LEDGER_LIMITS } from "../../ledger/params.ts";
import { signTx } from "../../ledger/tx.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { MoteNodeApp, type AppStateJson } from "../../node/app.ts";
import { decodeSnapshot, encodeSnapshot, snapshotOfStore } from "../../node/snapshot.ts";
import { DecodeError } from "../../ledger/errors.ts";
import { instanceId } from "../../ledger/state.ts";
import { LedgerStore } from "../../ledger/store.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { tokenModule } from "./helpers.ts";

const dirs: string[] = [];
const apps: MoteNodeApp[] = [];
afterEach(() => {
  for (const a of apps.splice(0)) a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const CHAIN = "mote-snap";
const alice = KeyPair.fromSeed(new Uint8Array(32).fill(1));
const bob = KeyPair.fromSeed(new Uint8Array(32).fill(2));
const GENESIS_SECONDS = 1_800_000_000;
const time = (s: number) => ({ seconds: BigInt(GENESIS_SECONDS + s), nanos: 0 });
const appState = (salt = "5a"): AppStateJson => ({
  minGasPrice: "0",
  blockGasLimit: "100000000",
  feeAccount: "00".repeat(32),
  alloc: [{ id: Buffer.from(alice.publicKey).toString("hex"), amount: "1000" }],
  salt: salt.repeat(32),
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "mote-snap-"));
  dirs.push(d);
  return d;
}

/** A genesis.json as CometBFT would hand the engine (chain id, time, app_state). */
function genesisFile(salt = "5a"): string {
  const f = join(tempDir(), "genesis.json");
  writeFileSync(f, JSON.stringify({ chain_id: CHAIN, genesis_time: new Date(GENESIS_SECONDS * 1000).toISOString().replace(".000Z", ".123456789Z"), app_state: appState(salt) }));
  return f;
}

async function open(opts: { interval?: number; chunkBytes?: number; genesisFile?: string } = {}): Promise<{ app: MoteNodeApp; logs: string[] }> {
  const app = await MoteNodeApp.open(tempDir(), { snapshots: { interval: opts.interval ?? 2, keep: 2, chunkBytes: opts.chunkBytes ?? 512 }, genesisFile: opts.genesisFile });
  const logs: string[] = [];
  app.log = (l) => logs.push(l);
  apps.push(app);
  return { app, logs };
}

let GH = new Uint8Array(32);

async function block(app: MoteNodeApp, height: bigint, txs: Uint8Array[]): Promise<Uint8Array> {
  const f = await app.handle(Request.fromPartial({ finalizeBlock: { txs, height, time: time(Number(height)) } }));
  expect(f.exception).toBeUndefined();
  await app.handle(Request.fromPartial({ commit: {} }));
  return f.finalizeBlock!.appHash;
}

/** A serving node at height 4 (snapshots at 2 and 4) with a token deployed and transfers made. */
async function servingNode(): Promise<{ app: MoteNodeApp; hashes: Map<bigint, Uint8Array>; contract: Uint8Array }> {
  const { app } = await open();
  await app.handle(Request.fromPartial({ initChain: { chainId: CHAIN, time: time(0), appStateBytes: new TextEncoder().encode(JSON.stringify(appState())), initialHeight: 1n } }));
  const q = await app.handle(Request.fromPartial({ query: { path: "/params", data: new Uint8Array(0) } }));
  GH = new Uint8Array(Buffer.from((JSON.parse(Buffer.from(q.query!.value).toString("utf8")) as { genesisHash: string }).genesisHash, "hex"));
  const deploy = signTx({ genesisHash: GH, sender: alice.publicKey, nonce: 0n, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "deploy", module: tokenModule(), args: [500n] }, alice);
  const hashes = new Map<bigint, Uint8Array>();
  hashes.set(1n, await block(app, 1n, [deploy.bytes]));
  const f = await app.handle(Request.fromPartial({ finalizeBlock: { txs: [], height: 2n, time: time(2) } }));
  await app.handle(Request.fromPartial({ commit: {} }));
  hashes.set(2n, f.finalizeBlock!.appHash);
  const contract = instanceId(GH, alice.publicKey, 0n);
  hashes.set(3n, await block(app, 3n, [transfer(1n, contract)]));
  hashes.set(4n, await block(app, 4n, [transfer(2n, contract)]));
  return { app, hashes, contract };
}

const transfer = (nonce: bigint, contract: Uint8Array) =>
  signTx({ genesisHash: GH, sender: alice.publicKey, nonce, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "call", contract, selector: selectorOf("transfer"), args: [bob.publicKey, 1n] }, alice).bytes;

async function list(app: MoteNodeApp): Promise<Snapshot[]> {
  return (await app.handle(Request.fromPartial({ listSnapshots: {} }))).listSnapshots!.snapshots;
}

async function chunk(app: MoteNodeApp, s: Snapshot, i: number): Promise<Uint8Array> {
  return (await app.handle(Request.fromPartial({ loadSnapshotChunk: { height: s.height, format: s.format, chunk: i } }))).loadSnapshotChunk!.chunk;
}

async function offer(app: MoteNodeApp, s: Snapshot, appHash: Uint8Array): Promise<Offer> {
  return (await app.handle(Request.fromPartial({ offerSnapshot: { snapshot: s, appHash } }))).offerSnapshot!.result;
}

async function applyChunk(app: MoteNodeApp, index: number, c: Uint8Array, sender = "peer-a") {
  return (await app.handle(Request.fromPartial({ applySnapshotChunk: { index, chunk: c, sender } }))).applySnapshotChunk!;
}

async function info(app: MoteNodeApp) {
  return (await app.handle(Request.fromPartial({ info: {} }))).info!;
}

describe("state sync snapshots", () => {
  it("takes a snapshot every interval blocks, newest first, in chunks whose hashes are the metadata", async () => {
    const { app } = await servingNode();
    const snaps = await list(app);
    expect(snaps.map((s) => s.height)).toEqual([4n, 2n]);
    const s = snaps[0]!;
    expect(s.format).toBe(1);
    expect(s.chunks).toBeGreaterThan(1); // the token module alone is larger than a 512-byte chunk
    expect(s.metadata.length).toBe(32 * s.chunks);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < s.chunks; i++) parts.push(await chunk(app, s, i));
    const whole = Buffer.concat(parts);
    expect(Buffer.from(sha256(whole)).equals(Buffer.from(s.hash))).toBe(true);
    expect(Buffer.from(sha256(parts[1]!)).equals(Buffer.from(s.metadata.subarray(32, 64)))).toBe(true);
    // beyond the last chunk, or another format: nothing (CometBFT asks another peer)
    expect((await chunk(app, s, s.chunks)).length).toBe(0);
    expect((await app.handle(Request.fromPartial({ loadSnapshotChunk: { height: s.height, format: 2, chunk: 0 } }))).loadSnapshotChunk!.chunk.length).toBe(0);
    expect(decodeSnapshot(whole).height).toBe(4n);
  });

  it("regression: a snapshot listed to a joining peer is not pruned while it may still fetch it (newer snapshots every few seconds)", async () => {
    const { app, contract } = await servingNode();
    expect((await list(app)).map((s) => s.height)).toEqual([4n, 2n]);
    await block(app, 5n, [transfer(3n, contract)]);
    await block(app, 6n, []);
    // keep is 2, but 4 and 2 were just listed: a peer that chose one of them still gets its chunks
    expect((await list(app)).map((s) => s.height)).toEqual([6n, 4n, 2n]);
    expect((await chunk(app, (await list(app))[2]!, 0)).length).toBeGreaterThan(0);
  });

  it("an empty node restores a snapshot to the same app hash, refetches a corrupted chunk from another sender, and then follows new blocks", async () => {
    const { app: a, hashes, contract } = await servingNode();
    const { app: b, logs } = await open({ genesisFile: genesisFile() });
    const s = (await list(a))[0]!;
    expect(await offer(b, s, hashes.get(4n)!)).toBe(Offer.ACCEPT);
    for (let i = 0; i < s.chunks; i++) {
      const c = await chunk(a, s, i);
      if (i === 1) {
        const bad = c.slice();
        bad[0]! ^= 1;
        const r = await applyChunk(b, i, bad, "peer-bad");
        expect(r.result).toBe(Apply.RETRY);
        expect(r.refetchChunks).toEqual([1]);
        expect(r.rejectSenders).toEqual(["peer-bad"]);
        expect(logs.join("\n")).toMatch(/chunk 1 from peer-bad refused: hash [0-9a-f]{64}, the snapshot's metadata says [0-9a-f]{64}/);
      }
      expect((await applyChunk(b, i, c)).result).toBe(Apply.ACCEPT);
    }
    const ib = await info(b);
    expect(ib.lastBlockHeight).toBe(4n);
    expect(Buffer.from(ib.lastBlockAppHash).equals(Buffer.from(hashes.get(4n)!))).toBe(true);
    expect(b.restorer.restored).toMatchObject({ height: 4n, chunks: s.chunks, modules: 1 });
    expect(b.synchronous).toBe("NORMAL"); // adopted as any ledger under the engine
    expect(logs.join("\n")).toMatch(/restored snapshot at height 4/);
    // no block before the snapshot was replayed: the restored store holds blocks 0 and 4 only
    const st = LedgerStore.open(b.dataDir)!;
    expect([...st.blocks()].map((x) => x.height)).toEqual([0n, 4n]);
    st.close();
    // both follow block 5 to the same app hash
    const tx = transfer(3n, contract);
    const ha = await block(a, 5n, [tx]);
    const hb = await block(b, 5n, [tx]);
    expect(Buffer.from(hb).equals(Buffer.from(ha))).toBe(true);
    // and it serves proofs and views from the restored state
    const p = await b.handle(Request.fromPartial({ query: { path: "/account", data: alice.publicKey } }));
    expect(JSON.parse(Buffer.from(p.query!.value).toString("utf8"))).toMatchObject({ nonce: "4" });
  });

  it("rejects a snapshot whose state root is not the trusted app hash, naming both, and writes nothing", async () => {
    const { app: a, hashes } = await servingNode();
    const { app: b, logs } = await open();
    const s = (await list(a))[0]!;
    // the app hash of another height: what a lying snapshot provider's chain would not match
    expect(await offer(b, s, hashes.get(3n)!)).toBe(Offer.ACCEPT);
    let last;
    for (let i = 0; i < s.chunks; i++) last = await applyChunk(b, i, await chunk(a, s, i));
    expect(last!.result).toBe(Apply.REJECT_SNAPSHOT);
    expect(logs.join("\n")).toMatch(new RegExp(`snapshot at height 4 rejected: its state root ${Buffer.from(hashes.get(4n)!).toString("hex")} is not the trusted app hash ${Buffer.from(hashes.get(3n)!).toString("hex")}`));
    expect((await info(b)).lastBlockHeight).toBe(0n);
    // a later, honest offer still restores
    expect(await offer(b, s, hashes.get(4n)!)).toBe(Offer.ACCEPT);
    for (let i = 0; i < s.chunks; i++) last = await applyChunk(b, i, await chunk(a, s, i));
    expect(last!.result).toBe(Apply.ACCEPT);
  });

  it("rejects a snapshot of another genesis (this node's genesis.json), another format, bad metadata, and aborts on a node that holds a ledger", async () => {
    const { app: a, hashes } = await servingNode();
    const s = (await list(a))[0]!;
    const { app: other, logs } = await open({ genesisFile: genesisFile("6b") });
    expect(await offer(other, s, hashes.get(4n)!)).toBe(Offer.ACCEPT);
    let last;
    for (let i = 0; i < s.chunks; i++) last = await applyChunk(other, i, await chunk(a, s, i));
    expect(last!.result).toBe(Apply.REJECT_SNAPSHOT);
    expect(logs.join("\n")).toMatch(/its genesis block hash [0-9a-f]{64} is not the one this node's genesis.json gives/);

    const { app: c, logs: cl } = await open();
    expect(await offer(c, { ...s, format: 7 }, hashes.get(4n)!)).toBe(Offer.REJECT_FORMAT);
    expect(await offer(c, { ...s, metadata: s.metadata.subarray(32) }, hashes.get(4n)!)).toBe(Offer.REJECT);
    expect(cl.join("\n")).toMatch(/format 7, this node reads format 1/);
    expect(cl.join("\n")).toMatch(/metadata of \d+ bytes, expected one 32-byte hash per chunk/);
    // a chunk without an accepted offer
    expect((await applyChunk(c, 0, new Uint8Array(1))).result).toBe(Apply.ABORT);
    expect(await offer(a, s, hashes.get(4n)!)).toBe(Offer.ABORT);
  });

  it("rejects a snapshot that leaves out a deployed contract's module (the state root does not cover module bytes)", async () => {
    const { app: a, hashes } = await servingNode();
    const bytes = encodeSnapshot({ ...snapshotOfStore(a.dataDir), modules: [] });
    const { app: b, logs } = await open();
    const s: Snapshot = { height: 4n, format: 1, chunks: 1, hash: sha256(bytes), metadata: sha256(bytes) };
    expect(await offer(b, s, hashes.get(4n)!)).toBe(Offer.ACCEPT);
    expect((await applyChunk(b, 0, bytes)).result).toBe(Apply.REJECT_SNAPSHOT);
    expect(logs.join("\n")).toMatch(/contract [0-9a-f]{64} runs module [0-9a-f]{64}, which the snapshot lacks/);
    expect((await info(b)).lastBlockHeight).toBe(0n);
  });

  it("decodes strictly: a wrong module id, unsorted keys and trailing bytes are named with their byte offset", async () => {
    const { app: a } = await servingNode();
    const content = snapshotOfStore(a.dataDir);
    const bytes = encodeSnapshot(content);
    expect(decodeSnapshot(bytes).entries.length).toBe(content.entries.length);
    const bad = (f: () => unknown, re: RegExp) => {
      try {
        f();
        expect.fail("decoded");
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as Error).message).toMatch(re);
      }
    };
    bad(() => decodeSnapshot(Buffer.concat([bytes, Uint8Array.of(0)])), /snapshot at byte \d+: 1 trailing byte/);
    const m = content.modules[0]!;
    bad(() => decodeSnapshot(encodeSnapshot({ ...content, modules: [[m[0], m[1].subarray(1)]] })), /modules\[0\] at byte \d+: module bytes hash to/);
    bad(() => decodeSnapshot(encodeSnapshot({ ...content, entries: [...content.entries].reverse() })), /entries\[1\]\.key at byte \d+: keys not in strictly increasing order/);
    bad(() => decodeSnapshot(bytes.subarray(0, 3)), /magic at byte 0/);
  });
});
