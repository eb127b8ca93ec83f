// `npm run bench:net-app`: the Mote ABCI application alone, in process (no engine, no socket), driven the
// way one validator's CometBFT drives it under bench:net's load: each block, CheckTx of the new transfers,
// PrepareProposal over the mempool, ProcessProposal, FinalizeBlock, Commit, then ReCheck of what stayed in
// the mempool. Prints the wall-clock ms per transaction each ABCI method costs (a diagnosis tool for
// bench:net: what the application's single event loop is busy with; not recorded, no figures in docs).
// Options: --senders S (32), --blocks N (20), --per-block B (transfers each block takes: by default what the network's block gas limit holds),
// --backlog K (transfers per sender left in the mempool after each block, 4), --follower (the node is not the
// proposer: no PrepareProposal, ProcessProposal executes the block, as on 3 of 4 validators).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Request } from "cosmjs-types/tendermint/abci/types";
import { sha256 } from "@noble/hashes/sha2.js";
import { compileFile } from "../compiler/index.ts";
import { KeyPair } from "../ledger/keys.ts";
import { signTx } from "../ledger/tx.ts";
import { instanceId } from "../ledger/state.ts";
import { selectorOf } from "../vm/spec/module.ts";
import { MoteNodeApp, newAppStateSalt, type AppStateJson } from "../node/app.ts";
import { NODE_LIMITS } from "../node/wire.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const arg = (name: string, dflt: string): number => {
  const i = process.argv.indexOf(name);
  return Number(i > 0 ? process.argv[i + 1]! : dflt);
};
const SENDERS = arg("--senders", "32");
const BLOCKS = arg("--blocks", "20");
const BACKLOG = arg("--backlog", "4");
const FOLLOWER = process.argv.includes("--follower");

const dir = mkdtempSync(join(tmpdir(), "mote-net-app-"));
const app = await MoteNodeApp.open(dir);
app.log = () => {};
const operator = KeyPair.fromSeed(sha256(Uint8Array.of(1)));
const senders = Array.from({ length: SENDERS }, (_, i) => KeyPair.fromSeed(sha256(Uint8Array.of(7, i))));
const appState: AppStateJson = {
  minGasPrice: "0",
  blockGasLimit: String(NODE_LIMITS.BLOCK_GAS_LIMIT.value),
  feeAccount: "00".repeat(32),
  alloc: [{ id: Buffer.from(operator.publicKey).toString("hex"), amount: "1000000000" }],
  salt: newAppStateSalt(),
};
const time = (h: bigint) => ({ seconds: 1_800_000_000n + h, nanos: 0 });
await app.handle(Request.fromPartial({ initChain: { chainId: "mote-bench", time: time(0n), appStateBytes: new TextEncoder().encode(JSON.stringify(appState)), initialHeight: 1n } }));
const q = await app.handle(Request.fromPartial({ query: { path: "/params", data: new Uint8Array(0) } }));
const gh = new Uint8Array(Buffer.from((JSON.parse(Buffer.from(q.query!.value).toString("utf8")) as { genesisHash: string }).genesisHash, "hex"));

const times = new Map<string, number>();
async function timed(name: string, req: Request) {
  const t0 = performance.now();
  const r = await app.handle(req);
  times.set(name, (times.get(name) ?? 0) + performance.now() - t0);
  if (r.exception) throw new Error(`${name}: ${r.exception.error}`);
  return r;
}
let height = 0n;
/** One block: the proposer's PrepareProposal is offered `txs` (the whole mempool, as CometBFT offers it), a follower executes the first `take`. */
async function block(txs: Uint8Array[], count = true, take = txs.length): Promise<{ chosen: Uint8Array[]; gas: bigint[] }> {
  height++;
  const p = count ? "" : "setup ";
  const chosen = FOLLOWER && count ? txs.slice(0, take) : (await timed(`${p}PrepareProposal`, Request.fromPartial({ prepareProposal: { txs, maxTxBytes: 22_020_096n, height, time: time(height) } }))).prepareProposal!.txs;
  await timed(`${p}ProcessProposal`, Request.fromPartial({ processProposal: { txs: chosen, height, time: time(height) } }));
  const f = await timed(`${p}FinalizeBlock`, Request.fromPartial({ finalizeBlock: { txs: chosen, height, time: time(height) } }));
  const bad = f.finalizeBlock!.txResults.filter((r) => r.code !== 0 || r.info !== "ok");
  if (bad.length > 0) throw new Error(`block ${height}: ${bad.length} transaction(s) failed: ${bad[0]!.log || bad[0]!.info}`);
  await timed(`${p}Commit`, Request.fromPartial({ commit: {} }));
  return { chosen, gas: f.finalizeBlock!.txResults.map((r) => r.gasUsed) };
}
async function checkTx(name: string, tx: Uint8Array, type = 0): Promise<void> {
  const r = await timed(name, Request.fromPartial({ checkTx: { tx, type } }));
  if (r.checkTx!.code !== 0) throw new Error(`${name}: ${r.checkTx!.log}`);
}

const mod = compileFile(join(ROOT, "contracts", "token.mote")).module!;
const deploy = signTx({ genesisHash: gh, sender: operator.publicKey, nonce: 0n, gasLimit: 50_000_000, gasPrice: 0n, value: 0n, kind: "deploy", module: mod, args: [10n ** 15n] }, operator);
const token = instanceId(gh, operator.publicKey, 0n);
await block([deploy.bytes], false);
const fund = senders.map((s, i) => signTx({ genesisHash: gh, sender: operator.publicKey, nonce: BigInt(i + 1), gasLimit: 50_000_000, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [s.publicKey, 1_000_000n] }, operator).bytes);
// a few per block: their 50 M gas limits together stay within the network's block gas limit
for (let i = 0; i < fund.length; i += 4) if ((await block(fund.slice(i, i + 4), false)).chosen.length !== fund.slice(i, i + 4).length) throw new Error("a funding block left transfers out");
// each load transfer's gas limit: what one between two holders uses (as bench:net measures it), so a block holds
// what one of the network's genesis block gas limit holds
const probe = signTx({ genesisHash: gh, sender: operator.publicKey, nonce: BigInt(SENDERS + 1), gasLimit: 50_000_000, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [senders[0]!.publicKey, 1n] }, operator).bytes;
const gasLimit = Number((await block([probe], false)).gas[0] ?? NaN);
if (!Number.isSafeInteger(gasLimit)) throw new Error("the probe transfer was not executed");
/** Transfers one block holds at the network's block gas limit (the default --per-block). */
const PER_BLOCK = process.argv.includes("--per-block") ? arg("--per-block", "0") : Math.floor(NODE_LIMITS.BLOCK_GAS_LIMIT.value / gasLimit);

// every sender's transfers, signed before the clock
const per = Math.ceil((BLOCKS * PER_BLOCK) / SENDERS) + BACKLOG;
const queues = senders.map((s) => Array.from({ length: per }, (_, k) => signTx({ genesisHash: gh, sender: s.publicKey, nonce: BigInt(k), gasLimit, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [operator.publicKey, 1n] }, s).bytes));
const next = senders.map(() => 0);
let mempool: Uint8Array[] = [];
// fill the backlog, then each block: new CheckTx for what the block will take, the block, ReCheck of the rest
for (let i = 0; i < SENDERS; i++) for (let k = 0; k < BACKLOG; k++) {
  await checkTx("setup CheckTx", queues[i]![next[i]!++]!);
  mempool.push(queues[i]![next[i]! - 1]!);
}
let txsDone = 0;
let rr = 0;
const t0 = performance.now();
for (let b = 0; b < BLOCKS; b++) {
  for (let n = 0; n < PER_BLOCK; n++) {
    const i = rr++ % SENDERS;
    const tx = queues[i]![next[i]!++]!;
    await checkTx("CheckTx", tx);
    mempool.push(tx);
  }
  // the mempool in the order it was admitted, offered whole; a block takes the oldest that fit its gas
  const { chosen } = await block(mempool, true, PER_BLOCK);
  if (chosen.length !== Math.min(PER_BLOCK, mempool.length)) throw new Error(`block ${height} took ${chosen.length} of ${mempool.length}, expected ${PER_BLOCK}`);
  txsDone += chosen.length;
  mempool = mempool.slice(chosen.length);
  for (const tx of mempool) await checkTx("ReCheck", tx, 1);
}
const wall = performance.now() - t0;
app.close();
rmSync(dir, { recursive: true, force: true });
const w = (name: string) => (times.get(name) ?? 0) / txsDone;
process.stderr.write(`net-app: ${txsDone} transfers (${gasLimit} gas each) in ${BLOCKS} blocks of ${PER_BLOCK}, ${SENDERS} senders, ${mempool.length} left in the mempool each block\n`);
for (const m of ["CheckTx", "PrepareProposal", "ProcessProposal", "FinalizeBlock", "Commit", "ReCheck"]) process.stderr.write(`net-app: ${m.padEnd(16)} ${w(m).toFixed(3)} ms/tx\n`);
process.stderr.write(`net-app: total ${(wall / txsDone).toFixed(3)} ms/tx (${Math.round((txsDone / wall) * 1000)} tx/s of the app alone)\n`);
