// A client of a Mote node over CometBFT's JSON-RPC (HTTP POST): broadcast a signed transaction and read
// its receipt, and read state through abci_query (paths in node/wire.ts). Every failure is one line.
import { decodeReceipt, type Receipt } from "../ledger/block.ts";

export class NodeError extends Error {}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/**
 * One JSON-RPC call; throws NodeError naming the node and what it said. A read whose kept-alive
 * connection the server had just closed (UND_ERR_SOCKET, ECONNRESET) is retried once; a broadcast
 * never is (the first attempt may have reached the mempool).
 */
export async function rpcCall(url: string, method: string, params: Record<string, unknown>, timeoutMs = 30_000): Promise<unknown> {
  try {
    return await rpcOnce(url, method, params, timeoutMs);
  } catch (e) {
    if (e instanceof NodeError && /UND_ERR_SOCKET|ECONNRESET/.test(e.message) && !method.startsWith("broadcast_")) return rpcOnce(url, method, params, timeoutMs);
    throw e;
  }
}

async function rpcOnce(url: string, method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new NodeError(`${url}: ${method} failed: ${cause ?? (e as Error).message}`);
  }
  const text = await res.text();
  let j: { result?: unknown; error?: { message?: string; data?: string } };
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    throw new NodeError(`${url}: ${method}: HTTP ${res.status}, not JSON-RPC: ${oneLine(text).slice(0, 160)}`);
  }
  if (j.error) throw new NodeError(`${url}: ${method}: ${oneLine(`${j.error.message ?? "error"}${j.error.data ? `: ${j.error.data}` : ""}`)}`);
  return j.result;
}

export const rpcGet = rpcCall;

export interface QueryAnswer {
  code: number;
  codespace: string;
  log: string;
  value: Uint8Array;
  height: bigint;
}

export async function abciQuery(url: string, path: string, data: Uint8Array, height = 0n): Promise<QueryAnswer> {
  const r = (await rpcCall(url, "abci_query", { path, data: Buffer.from(data).toString("hex"), height: height.toString(), prove: false })) as {
    response: { code?: number; codespace?: string; log?: string; value?: string | null; height?: string };
  };
  const q = r.response;
  return { code: q.code ?? 0, codespace: q.codespace ?? "", log: q.log ?? "", value: new Uint8Array(Buffer.from(q.value ?? "", "base64")), height: BigInt(q.height ?? "0") };
}

/** A query that must succeed: its JSON answer, or NodeError "rejected (NAME): LOG". */
export async function queryJson<T>(url: string, path: string, data: unknown): Promise<T> {
  const bytes = data instanceof Uint8Array ? data : new TextEncoder().encode(JSON.stringify(data));
  const a = await abciQuery(url, path, bytes);
  if (a.code !== 0) throw new NodeError(`rejected (${a.codespace || a.code}): ${a.log}`);
  return JSON.parse(Buffer.from(a.value).toString("utf8")) as T;
}

export type BroadcastOutcome =
  | { ok: true; height: bigint; hash: string; receipt: Receipt }
  | { ok: false; stage: "check" | "deliver"; code: number; codespace: string; log: string };

interface AbciResult {
  code?: number;
  codespace?: string;
  log?: string;
  data?: string | null;
}

/** broadcast_tx_commit: waits until the transaction is in a committed block (or refused). */
export async function broadcastCommit(url: string, tx: Uint8Array, timeoutMs = 60_000): Promise<BroadcastOutcome> {
  const r = (await rpcCall(url, "broadcast_tx_commit", { tx: Buffer.from(tx).toString("base64") }, timeoutMs)) as {
    check_tx: AbciResult;
    tx_result: AbciResult;
    hash: string;
    height: string;
  };
  const refused = (stage: "check" | "deliver", a: AbciResult): BroadcastOutcome => ({ ok: false, stage, code: a.code ?? 0, codespace: a.codespace ?? "", log: a.log ?? "" });
  if ((r.check_tx.code ?? 0) !== 0) return refused("check", r.check_tx);
  if ((r.tx_result.code ?? 0) !== 0) return refused("deliver", r.tx_result);
  return { ok: true, height: BigInt(r.height), hash: r.hash, receipt: decodeReceipt(new Uint8Array(Buffer.from(r.tx_result.data ?? "", "base64"))) };
}

/** broadcast_tx_sync: returns once CheckTx answered (code 0: in the mempool). */
export async function broadcastSync(url: string, tx: Uint8Array, timeoutMs = 30_000): Promise<{ code: number; codespace: string; log: string; hash: string }> {
  const r = (await rpcCall(url, "broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") }, timeoutMs)) as AbciResult & { hash: string };
  return { code: r.code ?? 0, codespace: r.codespace ?? "", log: r.log ?? "", hash: r.hash };
}
