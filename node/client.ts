// A client of a Mote node over CometBFT's JSON-RPC (HTTP POST): broadcast a signed transaction and read
// its receipt, and read state through abci_query (paths in node/wire.ts). Every failure is one line.
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { decodeReceipt, type Receipt } from "../ledger/block.ts";

export class NodeError extends Error {}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/**
 * One JSON-RPC call; throws NodeError naming the node and what it said. A read whose kept-alive
 * connection the server had just closed (ECONNRESET, EPIPE) is retried once; a broadcast
 * never is (the first attempt may have reached the mempool).
 */
export async function rpcCall(url: string, method: string, params: Record<string, unknown>, timeoutMs = 30_000): Promise<unknown> {
  try {
    return await rpcOnce(url, method, params, timeoutMs);
  } catch (e) {
    if (e instanceof NodeError && /failed: (ECONNRESET|EPIPE)$/.test(e.message) && !method.startsWith("broadcast_")) return rpcOnce(url, method, params, timeoutMs);
    throw e;
  }
}

/**
 * Connections kept alive per node and reused, through node:http rather than the global fetch: fetch (undici) cost
 * about 1 ms of CPU per call against 0.2-0.3 ms here (docs/network.md), and a client sending many transactions
 * on a loaded machine fell behind reading its answers: that was most of bench:net's CheckTx round trip. Idle
 * sockets do not keep a process alive (the agent unrefs them).
 */
const AGENTS = { "http:": new HttpAgent({ keepAlive: true, maxSockets: 256 }), "https:": new HttpsAgent({ keepAlive: true, maxSockets: 256 }) };

function rpcOnce(url: string, method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`not an http(s) URL`);
    } catch (e) {
      reject(new NodeError(`${url}: ${method} failed: ${(e as Error).message}`));
      return;
    }
    const send = u.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(u, { method: "POST", agent: AGENTS[u.protocol], headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => fail(e));
      res.on("end", () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString("utf8");
        let j: { result?: unknown; error?: { message?: string; data?: string } };
        try {
          j = JSON.parse(text) as typeof j;
        } catch {
          reject(new NodeError(`${url}: ${method}: HTTP ${res.statusCode}, not JSON-RPC: ${oneLine(text).slice(0, 160)}`));
          return;
        }
        if (j.error) reject(new NodeError(`${url}: ${method}: ${oneLine(`${j.error.message ?? "error"}${j.error.data ? `: ${j.error.data}` : ""}`)}`));
        else resolve(j.result);
      });
    });
    const fail = (e: Error & { code?: string }): void => {
      clearTimeout(timer);
      reject(new NodeError(`${url}: ${method} failed: ${e.code ?? e.message}`));
    };
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: undefined })), timeoutMs);
    req.on("error", fail);
    req.end(body);
  });
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
