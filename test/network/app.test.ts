// The ABCI application in process (no engine): what CometBFT will ask and what the ledger must answer,
// including the orderings that only show up under load (CheckTx between FinalizeBlock and Commit).
import { afterEach, describe, expect, it } from "vitest";
import { LEDGER_LIMITS } from "../../ledger/params.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Request, Response, ResponseProcessProposal_ProposalStatus, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { KeyPair } from "../../ledger/keys.ts";
import { signTx } from "../../ledger/tx.ts";
import { Ledger } from "../../ledger/ledger.ts";
import { decodeReceipt } from "../../ledger/block.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { MoteNodeApp, type AppStateJson } from "../../node/app.ts";
import { frame, listenAbci, readUvarint, traceLine } from "../../node/abci-server.ts";
import { resultCode } from "../../node/wire.ts";
import { tokenModule } from "./helpers.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const CHAIN = "mote-test";
const alice = KeyPair.fromSeed(new Uint8Array(32).fill(1));
const bob = KeyPair.fromSeed(new Uint8Array(32).fill(2));
const time = (s: number) => ({ seconds: BigInt(1_800_000_000 + s), nanos: 0 });

/** The genesis hash of the last fresh app's chain (every transaction signs it). */
let GH = new Uint8Array(32);

async function freshApp(): Promise<{ app: MoteNodeApp; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "mote-abci-"));
  dirs.push(dir);
  const app = await MoteNodeApp.open(dir);
  app.log = () => {};
  const appState: AppStateJson = { minGasPrice: "0", blockGasLimit: "100000000", feeAccount: "00".repeat(32), alloc: [{ id: Buffer.from(alice.publicKey).toString("hex"), amount: "1000" }], salt: "5a".repeat(32) };
  const r = await app.handle(Request.fromPartial({ initChain: { chainId: CHAIN, time: time(0), appStateBytes: new TextEncoder().encode(JSON.stringify(appState)), initialHeight: 1n } }));
  expect(r.initChain?.appHash.length).toBe(32);
  const q = await app.handle(Request.fromPartial({ query: { path: "/params", data: new Uint8Array(0) } }));
  GH = new Uint8Array(Buffer.from((JSON.parse(Buffer.from(q.query!.value).toString("utf8")) as { genesisHash: string }).genesisHash, "hex"));
  return { app, dir };
}

/** Counts the ledger's whole state checks (LedgerApp.checkTxState) the app runs from now on; restore() stops counting. */
function countStateChecks(app: MoteNodeApp): { checked: () => number; restore: () => void } {
  const ledgerApp = (app as unknown as { ledger: { application: { checkTxState: (...a: unknown[]) => unknown } } }).ledger.application;
  const orig = ledgerApp.checkTxState.bind(ledgerApp);
  let checked = 0;
  ledgerApp.checkTxState = (...a: unknown[]) => {
    checked++;
    return orig(...a);
  };
  return { checked: () => checked, restore: () => void (ledgerApp.checkTxState = orig) };
}
const deploy = (nonce: bigint) => signTx({ genesisHash: GH, sender: alice.publicKey, nonce, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: 0n, kind: "deploy", module: tokenModule(), args: [500n] }, alice);
const call = (key: KeyPair, nonce: bigint, contract: Uint8Array, opts: { value?: bigint } = {}) =>
  signTx({ genesisHash: GH, sender: key.publicKey, nonce, gasLimit: LEDGER_LIMITS.DEFAULT_TX_GAS.value, gasPrice: 0n, value: opts.value ?? 0n, kind: "call", contract, selector: selectorOf("transfer"), args: [bob.publicKey, 1n] }, key);

async function block(app: MoteNodeApp, height: bigint, txs: Uint8Array[]): Promise<{ results: ExecTxResult[]; appHash: Uint8Array }> {
  const f = await app.handle(Request.fromPartial({ finalizeBlock: { txs, height, time: time(Number(height)) } }));
  expect(f.exception).toBeUndefined();
  await app.handle(Request.fromPartial({ commit: {} }));
  return { results: f.finalizeBlock!.txResults, appHash: f.finalizeBlock!.appHash };
}

async function checkTx(app: MoteNodeApp, tx: Uint8Array) {
  return (await app.handle(Request.fromPartial({ checkTx: { tx, type: 0 } }))).checkTx!;
}

describe("the Mote ABCI application", () => {
  it("regression: CheckTx between FinalizeBlock and Commit answers at once (CometBFT flushes the mempool connection before Commit)", async () => {
    const { app } = await freshApp();
    const f = await app.handle(Request.fromPartial({ finalizeBlock: { txs: [], height: 1n, time: time(1) } }));
    expect(f.finalizeBlock?.appHash.length).toBe(32);
    const answer = app.handle(Request.fromPartial({ checkTx: { tx: deploy(0n).bytes, type: 0 } }));
    const r = await Promise.race([answer, new Promise<"pending">((res) => setTimeout(() => res("pending"), 2000))]);
    expect(r).not.toBe("pending");
    expect((r as Response).checkTx?.code).toBe(0);
    await app.handle(Request.fromPartial({ commit: {} }));
    app.close();
  });

  it("finalizes one result per transaction, refused ones with their code, and the app hash is the ledger's state root", async () => {
    const { app, dir } = await freshApp();
    const d = deploy(0n);
    const forged = d.bytes.slice();
    forged[forged.length - 1]! ^= 1;
    const { results, appHash } = await block(app, 1n, [d.bytes, Uint8Array.of(9, 9), forged]);
    expect(results.map((r) => [r.code, r.codespace])).toEqual([
      [0, ""],
      [resultCode("malformed"), "malformed"],
      [resultCode("signature"), "signature"],
    ]);
    expect(decodeReceipt(results[0]!.data).status).toBe("ok");
    expect(Buffer.from(appHash)).toEqual(Buffer.from(app.appHash));
    // Info after a restart: the last committed height and app hash (CometBFT's handshake)
    app.close();
    const again = await MoteNodeApp.open(dir);
    const info = (await again.handle(Request.fromPartial({ info: {} }))).info!;
    expect([info.lastBlockHeight, Buffer.from(info.lastBlockAppHash).toString("hex")]).toEqual([1n, Buffer.from(appHash).toString("hex")]);
    // a block finalized but never committed (a crash) is not reported: the engine replays it
    await again.handle(Request.fromPartial({ finalizeBlock: { txs: [], height: 2n, time: time(2) } }));
    again.close();
    const third = await MoteNodeApp.open(dir);
    expect((await third.handle(Request.fromPartial({ info: {} }))).info!.lastBlockHeight).toBe(1n);
    third.close();
  });

  it("tracks pending nonces and spend per sender in the mempool, and re-checks after each block", async () => {
    const { app } = await freshApp();
    const { results } = await block(app, 1n, [deploy(0n).bytes]);
    expect(results[0]!.code).toBe(0);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    expect((await checkTx(app, call(alice, 1n, token).bytes)).code).toBe(0);
    expect((await checkTx(app, call(alice, 2n, token).bytes)).code).toBe(0);
    expect((await checkTx(app, call(alice, 1n, token, { value: 1n }).bytes)).codespace).toBe("nonce_replayed");
    expect((await checkTx(app, call(alice, 4n, token).bytes)).codespace).toBe("nonce_skipped");
    // 1000 allocated: two pending calls of 600 cannot both be promised
    expect((await checkTx(app, call(alice, 3n, token, { value: 600n }).bytes)).code).toBe(0);
    expect((await checkTx(app, call(alice, 4n, token, { value: 600n }).bytes)).codespace).toBe("insufficient_funds");
    // after a block with nonce 1 only, ReCheck sees committed state: 2 is next again
    await block(app, 2n, [call(alice, 1n, token).bytes]);
    expect((await app.handle(Request.fromPartial({ checkTx: { tx: call(alice, 2n, token).bytes, type: 1 } }))).checkTx!.code).toBe(0);
    app.close();
  });

  it("ReCheck of a transaction this node accepted checks only its nonce and funds again; the ledger's whole check runs once per transaction", async () => {
    const { app } = await freshApp();
    await block(app, 1n, [deploy(0n).bytes]);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    const { checked, restore } = countStateChecks(app);
    const txs = Array.from({ length: 6 }, (_, i) => call(alice, BigInt(i + 1), token).bytes);
    for (const t of txs) expect((await checkTx(app, t)).code).toBe(0);
    expect(checked()).toBe(txs.length);
    // three blocks of one transaction each; after each, CometBFT re-checks what is left in its mempool
    for (let b = 0; b < 3; b++) {
      await block(app, BigInt(b + 2), [txs[b]!]);
      for (const t of txs.slice(b + 1)) expect((await app.handle(Request.fromPartial({ checkTx: { tx: t, type: 1 } }))).checkTx!.code).toBe(0);
    }
    // once per CheckTx and once per execution in a block (the block's own check): none for the 12 ReChecks
    expect(checked()).toBe(txs.length + 3);
    // the pending nonces still follow the re-checked ones: nonce 7 is next, 6 is taken
    expect((await checkTx(app, call(alice, 7n, token).bytes)).code).toBe(0);
    expect((await checkTx(app, call(alice, 6n, token, { value: 1n }).bytes)).codespace).toBe("nonce_replayed");
    restore();
    app.close();
  });

  it("the mempool view reads a sender's committed account once per block, however many of its transactions are re-checked", async () => {
    const { app } = await freshApp();
    await block(app, 1n, [deploy(0n).bytes]);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    const txs = Array.from({ length: 8 }, (_, i) => call(alice, BigInt(i + 1), token).bytes);
    for (const t of txs) expect((await checkTx(app, t)).code).toBe(0);
    await block(app, 2n, [txs[0]!]);
    const state = (app as unknown as { ledger: { state: { read: (k: Uint8Array) => Uint8Array | undefined } } }).ledger.state;
    const orig = state.read.bind(state);
    const reads: string[] = [];
    state.read = (k: Uint8Array) => {
      reads.push(Buffer.from(k).toString("hex"));
      return orig(k);
    };
    for (const t of txs.slice(1)) expect((await app.handle(Request.fromPartial({ checkTx: { tx: t, type: 1 } }))).checkTx!.code).toBe(0);
    state.read = orig;
    // alice's nonce and balance (these transfers reserve nothing: value 0, gas price 0), once each for 7 ReChecks
    const a = Buffer.from(alice.publicKey).toString("hex");
    expect(reads.sort()).toEqual([`01${a}`, `04${a}`]);
    // and /account reports the pending nonce the ReChecks rebuilt
    const acct = JSON.parse(Buffer.from((await app.handle(Request.fromPartial({ query: { path: "/account", data: alice.publicKey } }))).query!.value).toString("utf8")) as { nonce: string; pendingNonce: string };
    expect([acct.nonce, acct.pendingNonce]).toEqual(["2", "9"]);
    app.close();
  });

  it("regression: a refused CheckTx leaves no stale pending account: between FinalizeBlock and Commit the next nonce is the block's", async () => {
    const { app } = await freshApp();
    await block(app, 1n, [deploy(0n).bytes]);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    // nonce 2 before nonce 1 is known: refused, skips ahead
    expect((await checkTx(app, call(alice, 2n, token).bytes)).codespace).toBe("nonce_skipped");
    // a block holding alice's nonce 1 (sent through another node) is finalized, not yet committed
    const f = await app.handle(Request.fromPartial({ finalizeBlock: { txs: [call(alice, 1n, token).bytes], height: 2n, time: time(2) } }));
    expect(f.finalizeBlock!.txResults[0]!.code).toBe(0);
    // CheckTx answers against the block's state until Commit: nonce 2 follows it
    expect((await checkTx(app, call(alice, 2n, token).bytes)).code).toBe(0);
    await app.handle(Request.fromPartial({ commit: {} }));
    app.close();
  });

  it("ReCheck after a block that spent a sender's funds or used its nonce still evicts its now-invalid transactions, with the ledger's reason", async () => {
    const { app } = await freshApp();
    await block(app, 1n, [deploy(0n).bytes]);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    const account = async () => JSON.parse(Buffer.from((await app.handle(Request.fromPartial({ query: { path: "/account", data: alice.publicKey } }))).query!.value).toString("utf8")) as { nonce: string; balance: string };
    const before = BigInt((await account()).balance);
    // 300 + 600 of alice's 1000 promised in the mempool
    const a = call(alice, 1n, token, { value: 300n }).bytes;
    const b = call(alice, 2n, token, { value: 600n }).bytes;
    expect((await checkTx(app, a)).code).toBe(0);
    expect((await checkTx(app, b)).code).toBe(0);
    // another transaction of alice's with nonce 1 (sent through another node) commits first and spends 700
    const other = call(alice, 1n, token, { value: 700n }).bytes;
    const { results } = await block(app, 2n, [other]);
    expect(results[0]!.code).toBe(0);
    const after = await account();
    expect(after.nonce).toBe("2");
    expect(before - BigInt(after.balance)).toBe(700n);
    const recheck = async (tx: Uint8Array) => (await app.handle(Request.fromPartial({ checkTx: { tx, type: 1 } }))).checkTx!;
    expect((await recheck(a)).codespace).toBe("nonce_replayed");
    const rb = await recheck(b);
    expect(rb.codespace).toBe("insufficient_funds");
    expect(rb.log).toMatch(/holds 300, the transaction needs 600/);
    app.close();
  });

  it("proposes only transactions valid in sequence within max_tx_bytes, and rejects a proposal holding an invalid one", async () => {
    const { app } = await freshApp();
    await block(app, 1n, [deploy(0n).bytes]);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    const t1 = call(alice, 1n, token).bytes;
    const t3 = call(alice, 3n, token).bytes; // a gap: invalid in sequence
    const t2 = call(alice, 2n, token).bytes;
    const p = (await app.handle(Request.fromPartial({ prepareProposal: { txs: [t1, t3, t2, Uint8Array.of(1)], maxTxBytes: 100_000n, height: 2n, time: time(2) } }))).prepareProposal!;
    expect(p.txs.map((t) => Buffer.from(t).toString("hex"))).toEqual([t1, t2].map((t) => Buffer.from(t).toString("hex")));
    const small = (await app.handle(Request.fromPartial({ prepareProposal: { txs: [t1, t2], maxTxBytes: BigInt(t1.length + 3), height: 2n, time: time(2) } }))).prepareProposal!;
    expect(small.txs.length).toBe(1);
    const bad = (await app.handle(Request.fromPartial({ processProposal: { txs: [t1, t3], height: 2n, time: time(2) } }))).processProposal!;
    expect(bad.status).toBe(ResponseProcessProposal_ProposalStatus.REJECT);
    const good = (await app.handle(Request.fromPartial({ processProposal: { txs: [t1, t2], height: 2n, time: time(2) } }))).processProposal!;
    expect(good.status).toBe(ResponseProcessProposal_ProposalStatus.ACCEPT);
    const { results } = await block(app, 2n, [t1, t2]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    app.close();
  });

  it("verified-transaction cache: a proposal holding a copy of a checked transaction with another signature is verified and rejected; a refused signature is never remembered", async () => {
    const { app } = await freshApp();
    await block(app, 1n, [deploy(0n).bytes]);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    const good = call(alice, 1n, token);
    expect((await checkTx(app, good.bytes)).code).toBe(0);
    // the same signed body (same transaction id) with its signature's last byte flipped: this node never verified these bytes
    const forged = good.bytes.slice();
    forged[forged.length - 1]! ^= 1;
    const pp = (await app.handle(Request.fromPartial({ processProposal: { txs: [forged], height: 2n, time: time(2) } }))).processProposal!;
    expect(pp.status).toBe(ResponseProcessProposal_ProposalStatus.REJECT);
    const f = await app.handle(Request.fromPartial({ finalizeBlock: { txs: [forged], height: 2n, time: time(2) } }));
    expect(f.finalizeBlock!.txResults.map((r) => r.codespace)).toEqual(["signature"]);
    await app.handle(Request.fromPartial({ commit: {} }));
    // refused at CheckTx twice: the first refusal did not put it among the verified
    expect((await checkTx(app, forged)).codespace).toBe("signature");
    expect((await checkTx(app, forged)).codespace).toBe("signature");
    // a transaction this node never saw, in a proposal, is verified there: the genuine one passes, a forged one of bob's does not
    const other = call(bob, 0n, token).bytes.slice();
    other[other.length - 1]! ^= 1;
    const p3 = (await app.handle(Request.fromPartial({ processProposal: { txs: [good.bytes, other], height: 3n, time: time(3) } }))).processProposal!;
    expect(p3.status).toBe(ResponseProcessProposal_ProposalStatus.REJECT);
    const p3ok = (await app.handle(Request.fromPartial({ processProposal: { txs: [good.bytes], height: 3n, time: time(3) } }))).processProposal!;
    expect(p3ok.status).toBe(ResponseProcessProposal_ProposalStatus.ACCEPT);
    app.close();
  });

  it("PrepareProposal passes over transactions whose gas limit no longer fits without checking them against state", async () => {
    const { app } = await freshApp();
    await block(app, 1n, [deploy(0n).bytes]);
    const token = (await import("../../ledger/state.ts")).instanceId(GH, alice.publicKey, 0n);
    const fit = Number(100_000_000n / BigInt(LEDGER_LIMITS.DEFAULT_TX_GAS.value)); // the test chain's block gas limit over each call's
    const txs = Array.from({ length: fit + 10 }, (_, i) => call(alice, BigInt(i + 1), token).bytes);
    const { checked, restore } = countStateChecks(app);
    const p = (await app.handle(Request.fromPartial({ prepareProposal: { txs, maxTxBytes: 10_000_000n, height: 2n, time: time(2) } }))).prepareProposal!;
    expect(p.txs.length).toBe(fit);
    expect(checked()).toBe(fit);
    restore();
    const { results } = await block(app, 2n, p.txs);
    expect(results.every((r) => r.code === 0)).toBe(true);
    app.close();
  });

  it("serves the socket transport: unsigned-varint frames answered in order on each connection", async () => {
    const { app } = await freshApp();
    const traced: string[] = [];
    const server = await listenAbci(app.handle, { port: 0, trace: (l) => traced.push(l) });
    const sock = connect(server.port, "127.0.0.1");
    const reqs = [Request.fromPartial({ echo: { message: "x".repeat(200) } }), Request.fromPartial({ info: {} }), Request.fromPartial({ flush: {} })];
    // one write holding all three frames, split at an odd byte: the reader must reassemble
    const bytes = Buffer.concat(reqs.map((r) => frame(Request.encode(r).finish())));
    sock.write(bytes.subarray(0, 7));
    setTimeout(() => sock.write(bytes.subarray(7)), 20);
    const answers: Response[] = [];
    let buf = Buffer.alloc(0);
    await new Promise<void>((resolve) =>
      sock.on("data", (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        for (;;) {
          const len = readUvarint(buf, 0);
          if (!len || buf.length < len.next + len.value) break;
          answers.push(Response.decode(buf.subarray(len.next, len.next + len.value)));
          buf = buf.subarray(len.next + len.value);
        }
        if (answers.length === 3) resolve();
      }),
    );
    expect(answers[0]!.echo?.message).toBe("x".repeat(200));
    expect(answers[1]!.info?.lastBlockHeight).toBe(0n);
    expect(answers[2]!.flush).toBeDefined();
    // with a trace (MOTE_ABCI_TRACE=1 on a node), one line per request, in order, with its queueing and handler times
    const reqLines = traced.filter((l) => l.startsWith("abci-trace "));
    expect(reqLines.map((l) => l.split(" ")[2])).toEqual(["echo", "info", "flush"]);
    for (const l of reqLines) expect(l).toMatch(/^abci-trace \d+\.\d [a-z]+ wait \d+\.\d\d run \d+\.\d\d$/);
    // the clock is the wall clock (ms since the epoch), so the lines line up with CometBFT's log and a client's times
    const at = Number(reqLines[0]!.split(" ")[1]);
    expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
    // each socket write of answers: "abci-write MS N", after the requests it answers, N answers in all
    const writes = traced.filter((l) => l.startsWith("abci-write "));
    for (const l of writes) expect(l).toMatch(/^abci-write \d+\.\d [1-9]\d*$/);
    expect(writes.reduce((a, l) => a + Number(l.split(" ")[2]), 0)).toBe(3);
    expect(Number(writes.at(-1)!.split(" ")[1])).toBeGreaterThanOrEqual(at);
    // a CheckTx names its transaction by the SHA-256 CometBFT logs it under
    expect(traceLine(Request.fromPartial({ checkTx: { tx: new Uint8Array(1), type: 1 } }), 1, 1.5, 3)).toBe(
      "abci-trace 1.0 checkTx:1 wait 0.50 run 1.50 tx 6E340B9CFFB37A989CA544E6BB780A2C78901D3FB33738768511A30617AFA01D",
    );
    expect(traceLine(Request.fromPartial({ finalizeBlock: { txs: [new Uint8Array(1), new Uint8Array(2)] } }), 0, 0, 0)).toBe("abci-trace 0.0 finalizeBlock:2 wait 0.00 run 0.00");
    sock.destroy();
    await server.close();
    app.close();
  });
  it("answers a pipelined batch of CheckTx in one socket write, in order (one system call per batch, not per answer)", async () => {
    const { app } = await freshApp();
    const server = await listenAbci(app.handle, { port: 0 });
    const sock = connect(server.port, "127.0.0.1");
    await new Promise<void>((r) => sock.once("connect", () => r()));
    const n = 40;
    // One sender's nonces 0..n-1: each is valid only after the one before it, so the answers show the order.
    const txs = Array.from({ length: n }, (_, k) => deploy(BigInt(k)).bytes);
    const bytes = Buffer.concat([...txs.map((tx) => frame(Request.encode(Request.fromPartial({ checkTx: { tx, type: 0 } })).finish())), frame(Request.encode(Request.fromPartial({ flush: {} })).finish())]);
    const write = Socket.prototype.write;
    let serverWrites = 0;
    Socket.prototype.write = function (this: Socket, ...a: unknown[]) {
      if (this !== sock) serverWrites++;
      return (write as (...x: unknown[]) => boolean).apply(this, a);
    } as typeof write;
    const answers: Response[] = [];
    try {
      let buf = Buffer.alloc(0);
      const done = new Promise<void>((resolve) =>
        sock.on("data", (c: Buffer) => {
          buf = Buffer.concat([buf, c]);
          for (;;) {
            const len = readUvarint(buf, 0);
            if (!len || buf.length < len.next + len.value) break;
            answers.push(Response.decode(buf.subarray(len.next, len.next + len.value)));
            buf = buf.subarray(len.next + len.value);
          }
          if (answers.length === n + 1) resolve();
        }),
      );
      sock.write(bytes);
      await done;
    } finally {
      Socket.prototype.write = write;
    }
    expect(answers.slice(0, n).map((a) => a.checkTx?.log)).toEqual(Array.from({ length: n }, () => ""));
    expect(answers[n]!.flush).toBeDefined();
    // The whole batch arrived in one read here (one write of the client, 127.0.0.1): its answers leave together.
    expect(serverWrites).toBeLessThanOrEqual(2);
    sock.destroy();
    await server.close();
    app.close();
  });
  it("commits blocks without an fsync each under the engine (synchronous NORMAL), the embedded devnet with one (FULL); a reopened node keeps every committed block", async () => {
    const { app, dir } = await freshApp();
    expect(app.synchronous).toBe("NORMAL");
    const d = deploy(0n);
    await block(app, 1n, [d.bytes]);
    const hash = app.appHash;
    app.close();
    const again = await MoteNodeApp.open(dir);
    expect(again.synchronous).toBe("NORMAL");
    expect(again.height).toBe(1n);
    expect(Buffer.from(again.appHash).equals(Buffer.from(hash))).toBe(true);
    again.close();
    const embedded = await Ledger.init(join(dir, "embedded"), { chainId: CHAIN });
    expect(embedded.synchronous).toBe("FULL");
    embedded.close();
  });
});
