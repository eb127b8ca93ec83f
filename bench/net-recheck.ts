// `npm run bench:net-recheck [-- N]`: what one ReCheck costs the application through its ABCI socket server
// (node/abci-server.ts), the way CometBFT re-checks its whole mempool after each block: N (2,000) pending
// transfers of one sender, then 6 rounds of an empty block, Commit, and all N sent as ReCheck requests in one
// write. Prints each round's wall time and the process's CPU per ReCheck (decoding the answers included, as the
// client runs in the same process). A diagnosis tool for bench:net's ReCheck cost: not recorded, no figures in docs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { sha256 } from "@noble/hashes/sha2.js";
import { compileFile } from "../compiler/index.ts";
import { KeyPair } from "../ledger/keys.ts";
import { signTx } from "../ledger/tx.ts";
import { instanceId } from "../ledger/state.ts";
import { selectorOf } from "../vm/spec/module.ts";
import { MoteNodeApp } from "../node/app.ts";
import { listenAbci, frame, readUvarint } from "../node/abci-server.ts";
const dir = mkdtempSync(join(tmpdir(), "mote-net-recheck-"));
const app = await MoteNodeApp.open(dir);
app.log = () => {};
const op = KeyPair.fromSeed(sha256(Uint8Array.of(1)));
await app.handle(Request.fromPartial({ initChain: { chainId: "c", time: { seconds: 1n, nanos: 0 }, appStateBytes: new TextEncoder().encode(JSON.stringify({ minGasPrice: "0", blockGasLimit: "400000000", feeAccount: "00".repeat(32), alloc: [{ id: Buffer.from(op.publicKey).toString("hex"), amount: "1000000" }], salt: "11".repeat(32) })), initialHeight: 1n } }));
const q = await app.handle(Request.fromPartial({ query: { path: "/params", data: new Uint8Array(0) } }));
const gh = new Uint8Array(Buffer.from(JSON.parse(Buffer.from(q.query!.value).toString()).genesisHash, "hex"));
const mod = compileFile(join(new URL("..", import.meta.url).pathname, "contracts", "token.mote")).module!;
const d = signTx({ genesisHash: gh, sender: op.publicKey, nonce: 0n, gasLimit: 50_000_000, gasPrice: 0n, value: 0n, kind: "deploy", module: mod, args: [10n ** 15n] }, op);
let h = 1n;
await app.handle(Request.fromPartial({ finalizeBlock: { txs: [d.bytes], height: h, time: { seconds: 2n, nanos: 0 } } }));
await app.handle(Request.fromPartial({ commit: {} }));
const token = instanceId(gh, op.publicKey, 0n);
const N = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(N) || N < 1) throw new Error("bench:net-recheck [N]: N pending transfers, a positive integer");
// only ever checked, never executed: any gas limit within the block gas limit
const txs = Array.from({ length: N }, (_, k) => signTx({ genesisHash: gh, sender: op.publicKey, nonce: BigInt(k + 1), gasLimit: 1_000_000, gasPrice: 0n, value: 0n, kind: "call", contract: token, selector: selectorOf("transfer"), args: [op.publicKey, 1n] }, op).bytes);
for (const t of txs) await app.handle(Request.fromPartial({ checkTx: { tx: t, type: 0 } }));
const srv = await listenAbci(app.handle, { port: 0 });
const sock = connect(srv.port, "127.0.0.1");
await new Promise((r) => sock.once("connect", r));
const reqs = Buffer.concat(txs.map((t) => frame(Request.encode(Request.fromPartial({ checkTx: { tx: t, type: 1 } })).finish())));
for (let round = 0; round < 6; round++) {
  // a block: empty, then commit resets the mempool view
  h++;
  await app.handle(Request.fromPartial({ finalizeBlock: { txs: [], height: h, time: { seconds: 2n + h, nanos: 0 } } }));
  await app.handle(Request.fromPartial({ commit: {} }));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let got = 0;
  let buf = Buffer.alloc(0);
  const done = new Promise<void>((res) => {
    const on = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const l = readUvarint(buf, 0);
        if (!l || buf.length < l.next + l.value) break;
        const r = Response.decode(buf.subarray(l.next, l.next + l.value));
        if (r.checkTx?.code !== 0) throw new Error(`ReCheck refused a transfer: ${r.checkTx?.log}`);
        buf = buf.subarray(l.next + l.value);
        if (++got === N) { sock.off("data", on); res(); }
      }
    };
    sock.on("data", on);
  });
  sock.write(reqs);
  await done;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`round ${round}: ${N} rechecks in ${(performance.now() - t0).toFixed(1)} ms, ${(((cpu.user + cpu.system) / 1000 / N) * 1000).toFixed(1)} us CPU each (client decode included)\n`);
}
sock.destroy();
await srv.close();
app.close();
rmSync(dir, { recursive: true, force: true });
