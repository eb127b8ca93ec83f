// `mote tx submit`, `mote prove` and `mote balance` with --node URL: the commands a gateway and an operator use
// against the embedded devnet, through a network node's RPC instead, printing the same objects. Against a
// 1-validator network on 127.0.0.1 started through the CLI and stopped by its own PIDs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { KeyPair } from "../../ledger/index.ts";
import { readKeyFile } from "../../ledger/keys.ts";
import { decodeStateProof, verifyStateProof } from "../../ledger/proof.ts";
import { ensureCometbft } from "../../node/cometbft.ts";
import { readManifest } from "../../node/net.ts";
import { RemoteLedger } from "../../node/remote.ts";
import { appHashAt, downAndRemove, freeBase, heightOf, mote, rpcOf, tempNetDir, tokenModule } from "./helpers.ts";

let dir = "";
let work = "";
let url = "";
let l: RemoteLedger;
let operatorKey = "";
let token = "";
const holder = KeyPair.fromSeed(sha256(new TextEncoder().encode("mote-cli-node-test:holder")));
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
/** How the CLI prints bytes. */
const x = (b: Uint8Array): string => `0x${hex(b)}`;

beforeAll(async () => {
  await ensureCometbft();
  dir = tempNetDir();
  work = mkdtempSync(join(tmpdir(), "mote-cli-node-"));
  const up = await mote(["net", "up", "--validators", "1", "--dir", dir, "--base-port", String(await freeBase(1)), "--timeout-commit", "200ms"]);
  expect(up.err).toBe("");
  url = rpcOf(readManifest(dir), 0);
  operatorKey = join(dir, "operator.key");
  l = await RemoteLedger.connect(url);
  const op = readKeyFile(operatorKey);
  token = x((await l.deploy(op, tokenModule(), [1_000_000n])).contract);
}, 900_000);
afterAll(async () => {
  if (dir) await downAndRemove(dir);
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

/** `mote tx sign call` for the network's chain (its genesis hash and the key's next nonce, read from the node). */
async function signTransfer(out: string, to: Uint8Array, amount: bigint, nonce?: bigint): Promise<void> {
  const op = readKeyFile(operatorKey);
  const n = nonce ?? (await l.nonce(op.publicKey));
  const r = await mote(["tx", "sign", "call", token, "transfer", `0x${hex(to)}`, String(amount), "--key", operatorKey, "--genesis-hash", x(l.genesisHash), "--nonce", String(n), "--gas-price", String(l.minGasPrice), "--out", out, "--data", work]);
  expect([r.code, r.err]).toEqual([0, ""]);
}

describe("mote tx submit --node", () => {
  it("sends a transaction signed offline through the node and prints the embedded devnet's object", async () => {
    const file = join(work, "t1.tx");
    await signTransfer(file, holder.publicKey, 250n);
    const r = await mote(["tx", "submit", file, "--node", url, "--json", "--data", work]);
    expect([r.code, r.err]).toEqual([0, ""]);
    const o = JSON.parse(r.out) as { tx: string; height: string; receipt: { status: string; gasUsed: number } };
    expect(Object.keys(o)).toEqual(["tx", "height", "receipt"]);
    expect(o.tx).toMatch(/^0x[0-9a-f]{64}$/);
    expect(o.receipt.status).toBe("ok");
    expect(BigInt(o.height)).toBeGreaterThan(0n);
    expect((await l.view(new Uint8Array(Buffer.from(token.slice(2), "hex")), "balance_of", [holder.publicKey])).returns).toEqual([250n]);
    // the same bytes again: CometBFT's mempool cache refuses them before CheckTx, as an RPC error; the command
    // says what that means in one line naming the file (it printed the engine's "Internal error: ... tx already
    // exists in cache" before)
    const again = await mote(["tx", "submit", file, "--node", url, "--data", work]);
    expect(again.code).toBe(1);
    const op = readKeyFile(operatorKey);
    expect(again.err).toMatch(new RegExp(`^mote: ${file.replace(/[.*+?^\${}()|[\]\\/]/g, "\\$&")}: rejected \\(nonce_replayed\\): ${url.replace(/[.*+?^\${}()|[\]\\/]/g, "\\$&")} has seen these exact bytes already \\(CometBFT's mempool cache\\): the transaction is pending or committed; nonce \\d+ of ${hex(op.publicKey)} is taken\n$`));
  }, 120_000);

  it("refuses a transaction signed for another chain before sending it, naming both chains", async () => {
    const file = join(work, "other-chain.tx");
    const op = readKeyFile(operatorKey);
    const other = x(sha256(new TextEncoder().encode("another chain")));
    const s = await mote(["tx", "sign", "call", token, "transfer", `0x${hex(holder.publicKey)}`, "1", "--key", operatorKey, "--genesis-hash", other, "--nonce", String(await l.nonce(op.publicKey)), "--out", file, "--data", work]);
    expect(s.code).toBe(0);
    const r = await mote(["tx", "submit", file, "--node", url, "--data", work]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`mote: ${file}: signed for the chain with genesis hash ${other}; ${url} serves ${l.chainId} (genesis hash ${x(l.genesisHash)})\n`);
  }, 60_000);

  it("refuses --timestamp with --node (the block time is the engine's) and bytes that are no transaction", async () => {
    const file = join(work, "t-ts.tx");
    await signTransfer(file, holder.publicKey, 1n);
    const ts = await mote(["tx", "submit", file, "--node", url, "--timestamp", "1700000000", "--data", work]);
    expect([ts.code, ts.err]).toEqual([2, "mote: --timestamp: a network's block time is the engine's (BFT time); it cannot be chosen per transaction\n"]);
    const junk = join(work, "junk.tx");
    writeFileSync(junk, Uint8Array.of(1, 2, 3));
    const j = await mote(["tx", "submit", junk, "--node", url, "--data", work]);
    expect(j.code).toBe(1);
    expect(j.err).toMatch(/^mote: .*junk\.tx: not a signed transaction: .+\n$/);
  }, 60_000);
});

describe("mote tx sign --node", () => {
  it("signs for the node's chain with the sender's next nonce, counting its pending transactions, and sends nothing", async () => {
    const op = readKeyFile(operatorKey);
    const before = await l.nonce(op.publicKey);
    const file = join(work, "signed-by-node.tx");
    const r = await mote(["tx", "sign", "call", token, "transfer", x(holder.publicKey), "5", "--key", operatorKey, "--node", url, "--out", file, "--json", "--data", work]);
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(JSON.parse(r.out)).toMatchObject({ genesis: x(l.genesisHash), nonce: String(before) });
    expect(await l.nonce(op.publicKey)).toBe(before); // signing sent nothing
    const s = await mote(["tx", "submit", file, "--node", url, "--json", "--data", work]);
    expect([s.code, s.err]).toEqual([0, ""]);
    const both = await mote(["tx", "sign", "call", token, "transfer", x(holder.publicKey), "5", "--key", operatorKey, "--node", url, "--genesis-hash", x(l.genesisHash), "--nonce", "1", "--out", join(work, "both.tx"), "--data", work]);
    expect([both.code, both.err]).toEqual([2, "mote: --genesis-hash and --node: give one (the node serves its chain's genesis hash)\n"]);
  }, 60_000);
});

describe("mote prove --node", () => {
  it("prints the entry and its proof as on the embedded devnet, checked against the next block's app hash", async () => {
    // balances is slot 1 of token.mote (owner 0, balances 1): the holder's entry
    const r = await mote(["prove", token, `1[0x${hex(holder.publicKey)}]`, "--node", url, "--json", "--data", work]);
    expect([r.code, r.err]).toEqual([0, ""]);
    const p = JSON.parse(r.out) as { height: string; stateRoot: string; contract: string; key: string; present: boolean; value: string; proof: string; end: string; siblings: string[] };
    expect(Object.keys(p)).toEqual(["height", "stateRoot", "contract", "key", "present", "value", "proof", "end", "siblings"]);
    expect(p.contract).toBe(token);
    expect(p.present).toBe(true);
    expect(Buffer.from(p.value.slice(2), "hex").readBigUInt64LE(0)).toBe(255n);
    // the state root printed is what block height+1's header says, and the proof leads to it
    expect(p.stateRoot.slice(2).toUpperCase()).toBe(await appHashAt(url, Number(p.height) + 1));
    const bytes = (h: string) => new Uint8Array(Buffer.from(h.slice(2), "hex"));
    expect(verifyStateProof(bytes(p.stateRoot), decodeStateProof(bytes(p.proof)))).toEqual({ ok: true, value: bytes(p.value) });
    // the text form says whose word the root is
    const t = await mote(["prove", token, `1[0x${hex(holder.publicKey)}]`, "--node", url, "--data", work]);
    expect(t.code).toBe(0);
    expect(t.out).toContain(`value: ${p.value} (255 as an integer)`);
    expect(t.out).toMatch(/checked against the app hash in block \d+'s header as .+ serves it; `mote verify-proof` also checks the validators' signatures\n$/);
  }, 60_000);

  it("proves an absence, and an earlier height's value", async () => {
    const nobody = KeyPair.fromSeed(sha256(new TextEncoder().encode("mote-cli-node-test:nobody"))).publicKey;
    const a = await mote(["prove", token, `1[0x${hex(nobody)}]`, "--node", url, "--json", "--data", work]);
    expect([a.code, a.err]).toEqual([0, ""]);
    expect(JSON.parse(a.out)).toMatchObject({ present: false, value: null });
    // the deploy's height: the holder had no entry yet
    const h = await heightOf(url);
    const earlier = await mote(["prove", token, `1[0x${hex(holder.publicKey)}]`, "--node", url, "--height", "2", "--json", "--data", work]);
    expect([earlier.code, earlier.err]).toEqual([0, ""]);
    expect(JSON.parse(earlier.out)).toMatchObject({ height: "2", present: false });
    expect(h).toBeGreaterThan(2);
  }, 60_000);

  it("names an unknown contract and a height the node does not have", async () => {
    const unknown = `0x${"ab".repeat(32)}`;
    const u = await mote(["prove", unknown, "0x01", "--node", url, "--data", work]);
    expect([u.code, u.err]).toEqual([1, `mote: unknown contract ${unknown} (at ${url})\n`]);
    const far = await mote(["prove", token, "2", "--node", url, "--height", "99999999", "--data", work]);
    expect(far.code).toBe(1);
    expect(far.err).toMatch(/^mote: rejected \(bad_query\): no committed height 99999999 \(head is \d+\)\n$/);
  }, 60_000);
});

describe("mote balance --node", () => {
  it("prints an account's and a contract's committed balance with the height, as on the embedded devnet", async () => {
    const op = readKeyFile(operatorKey);
    const r = await mote(["balance", x(op.publicKey), "--node", url, "--json", "--data", work]);
    expect([r.code, r.err]).toEqual([0, ""]);
    const b = JSON.parse(r.out) as { id: string; kind: string; balance: string; height: string };
    expect(Object.keys(b)).toEqual(["id", "kind", "balance", "height"]);
    expect(b).toMatchObject({ id: x(op.publicKey), kind: "account", balance: String(await l.balance(op.publicKey)) });
    expect(BigInt(b.height)).toBeGreaterThan(0n);
    const c = await mote(["balance", token, "--node", url, "--data", work]);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(new RegExp(`^contract ${token}: 0 \\(block \\d+\\)\\n$`));
  }, 60_000);
});

