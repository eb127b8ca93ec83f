// A fleet's audit trail read from a network node through CometBFT's RPC: each block's transactions from
// /block and their receipts from /block_results (the ledger's receipt is each result's data, node/app.ts),
// in the engine's order. Transactions the ledger refused (a non-zero result code) are not in its block, so
// they are left out here too: what remains is the ledger's block, byte for byte, and features computed
// from it equal those computed from the node's own data directory.
import { decodeReceipt } from "../ledger/block.ts";
import { decodeTx } from "../ledger/tx.ts";
import { NodeError, rpcCall } from "../node/client.ts";
import type { AuditBlock, AuditSource } from "./features.ts";

interface BlockJson {
  block: { header: { height: string; time: string }; data: { txs: string[] | null } };
}
interface ResultsJson {
  txs_results: { code?: number; data?: string | null }[] | null;
}

/** Seconds of an RFC 3339 time (CometBFT's BFT time, nanoseconds allowed), as the ledger keeps it. */
export function rfc3339Seconds(t: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(t);
  if (!m) throw new NodeError(`block time '${t.slice(0, 40)}' is not RFC 3339 UTC`);
  return BigInt(Date.parse(`${m[1]}Z`) / 1000);
}

export async function nodeSource(url: string): Promise<AuditSource> {
  const u = url.replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+/.test(u)) throw new NodeError(`--node: expected http://HOST:PORT (a CometBFT RPC address), got '${url.slice(0, 80)}'`);
  // the height is fixed when reading starts, so a chain that grows meanwhile is read to the same block
  const status = (await rpcCall(u, "status", {})) as { sync_info: { latest_block_height: string } };
  const height = BigInt(status.sync_info.latest_block_height);
  return {
    height: async () => height,
    block: async (h: bigint): Promise<AuditBlock> => {
      const [b, r] = (await Promise.all([rpcCall(u, "block", { height: h.toString() }), rpcCall(u, "block_results", { height: h.toString() })])) as [BlockJson, ResultsJson];
      const raw = b.block.data.txs ?? [];
      const results = r.txs_results ?? [];
      if (results.length !== raw.length) throw new NodeError(`${u}: block ${h} has ${raw.length} transactions and ${results.length} results`);
      const out: AuditBlock = { timestamp: rfc3339Seconds(b.block.header.time), txs: [], receipts: [] };
      for (const [i, t] of raw.entries()) {
        const res = results[i]!;
        if ((res.code ?? 0) !== 0) continue;
        out.txs.push(decodeTx(new Uint8Array(Buffer.from(t, "base64"))));
        out.receipts.push(decodeReceipt(new Uint8Array(Buffer.from(res.data ?? "", "base64"))));
      }
      return out;
    },
    close: () => {},
  };
}
