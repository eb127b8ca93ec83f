// Several signed transactions through one node, in order, and each one's receipt: broadcast_tx_sync one
// after another (so CheckTx sees a sender's nonces in sequence and keeps them pending), then the blocks
// after the starting height read back (`block` for the bytes, `block_results` for the results) until
// every accepted transaction is found. Needs no tx indexer: a Mote node runs without one.
import { sha256 } from "@noble/hashes/sha2.js";
import { decodeReceipt, type Receipt } from "../ledger/block.ts";
import { TxRejected, type RejectCode } from "../ledger/errors.ts";
import { broadcastSync, NodeError, rpcCall } from "./client.ts";

export type BatchOutcome = { ok: true; height: bigint; index: number; receipt: Receipt } | { ok: false; error: TxRejected };

async function latestHeight(url: string): Promise<bigint> {
  const s = (await rpcCall(url, "status", {}, 10_000)) as { sync_info: { latest_block_height: string } };
  return BigInt(s.sync_info.latest_block_height);
}

/** Outcomes in the order of `txs`; a transaction CheckTx refused is `ok: false` with its code and log. */
export async function submitBatch(url: string, txs: Uint8Array[], timeoutMs = 60_000): Promise<BatchOutcome[]> {
  const from = await latestHeight(url);
  const out: (BatchOutcome | undefined)[] = new Array(txs.length).fill(undefined);
  const pending = new Map<string, number>();
  for (const [i, tx] of txs.entries()) {
    const r = await broadcastSync(url, tx);
    if (r.code !== 0) out[i] = { ok: false, error: new TxRejected(r.log || `code ${r.code}`, (r.codespace || "malformed") as RejectCode) };
    else pending.set(Buffer.from(sha256(tx)).toString("hex"), i);
  }
  const until = Date.now() + timeoutMs;
  for (let h = from + 1n; pending.size > 0; ) {
    if (Date.now() > until) throw new NodeError(`${url}: ${pending.size} of ${txs.length} transaction(s) not committed within ${Math.round(timeoutMs / 1000)} s (from height ${from + 1n})`);
    if ((await latestHeight(url)) < h) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const b = (await rpcCall(url, "block", { height: h.toString() })) as { block: { data: { txs: string[] | null } } };
    const txsIn = b.block.data.txs ?? [];
    if (txsIn.length > 0) {
      // the engine stores a block before the app has finalized it: its results may be a moment behind
      let res: { txs_results: { code?: number; codespace?: string; log?: string; data?: string | null }[] | null } | undefined;
      while (!res) {
        try {
          res = (await rpcCall(url, "block_results", { height: h.toString() })) as typeof res;
        } catch (e) {
          if (!(e instanceof NodeError && /could not find results/.test(e.message)) || Date.now() > until) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      txsIn.forEach((t, k) => {
        const key = Buffer.from(sha256(Buffer.from(t, "base64"))).toString("hex");
        const i = pending.get(key);
        if (i === undefined) return;
        pending.delete(key);
        const r = res!.txs_results?.[k];
        if (!r || (r.code ?? 0) !== 0) out[i] = { ok: false, error: new TxRejected(r?.log || `code ${r?.code}`, (r?.codespace || "malformed") as RejectCode) };
        else out[i] = { ok: true, height: h, index: k, receipt: decodeReceipt(new Uint8Array(Buffer.from(r.data ?? "", "base64"))) };
      });
    }
    h++;
  }
  return out as BatchOutcome[];
}
