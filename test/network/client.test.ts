// node/client.ts rpcCall: the JSON-RPC transport every `--node` command and bench:net's load generator use.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { NodeError, rpcCall } from "../../node/client.ts";
import { nullAnswer } from "../../bench/abci-null.ts";

let server: Server | null = null;
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = null;
});

/** A JSON-RPC server on 127.0.0.1 counting the TCP connections it accepted. */
async function rpcServer(answer: (body: { method: string; params: unknown }, res: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let b = "";
    req.on("data", (c: Buffer) => (b += c.toString("utf8")));
    req.on("end", () => answer(JSON.parse(b) as { method: string; params: unknown }, res));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const a = server.address();
  return { url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`, connections: () => connections };
}

const ok = (res: ServerResponse, result: unknown) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result }));
};

describe("rpcCall", () => {
  it("regression (bench:net CheckTx round trip): calls go through node:http on kept-alive connections, never the global fetch", async () => {
    // fetch (undici) cost about 1 ms of CPU per call, and the load generator that made 32 senders' calls with it fell
    // behind reading its answers on a loaded machine: most of the 160 ms CheckTx round trip (docs/network.md).
    const { url, connections } = await rpcServer((b, res) => ok(res, { echo: b.method, params: b.params }));
    const real = globalThis.fetch;
    globalThis.fetch = (() => {
      throw new Error("rpcCall used fetch");
    }) as typeof fetch;
    try {
      for (let i = 0; i < 20; i++) expect(await rpcCall(url, "status", { i })).toEqual({ echo: "status", params: { i } });
      // 32 concurrent senders, 3 calls each: at most one connection per sender, reused
      await Promise.all(Array.from({ length: 32 }, async (_, s) => { for (let k = 0; k < 3; k++) expect(await rpcCall(url, "broadcast_tx_sync", { s, k })).toEqual({ echo: "broadcast_tx_sync", params: { s, k } }); }));
    } finally {
      globalThis.fetch = real;
    }
    expect(connections()).toBeLessThanOrEqual(33);
  });

  it("names the node and the problem in one line: refused connection, JSON-RPC error, not JSON, no answer in time", async () => {
    const { url } = await rpcServer((b, res) => {
      if (b.method === "bad") {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32603, message: "Internal error", data: "tx already exists\nin cache" } }));
      } else if (b.method === "html") {
        res.statusCode = 502;
        res.end("<html>\n bad gateway </html>");
      } else if (b.method === "slow") setTimeout(() => ok(res, {}), 2000);
      else ok(res, {});
    });
    await expect(rpcCall(url, "bad", {})).rejects.toThrow(new NodeError(`${url}: bad: Internal error: tx already exists in cache`));
    await expect(rpcCall(url, "html", {})).rejects.toThrow(`${url}: html: HTTP 502, not JSON-RPC: <html> bad gateway </html>`);
    await expect(rpcCall(url, "slow", {}, 200)).rejects.toThrow(`${url}: slow failed: no answer within 200 ms`);
    await expect(rpcCall("http://127.0.0.1:1", "status", {})).rejects.toThrow("http://127.0.0.1:1: status failed: ECONNREFUSED");
    await expect(rpcCall("ftp://127.0.0.1:1", "status", {})).rejects.toThrow("ftp://127.0.0.1:1: status failed: not an http(s) URL");
  });
});

describe("bench/abci-null.ts (bench:net's null-socket app)", () => {
  it("answers every request kind at once with the matching response kind", () => {
    const kinds = ["echo", "flush", "info", "initChain", "checkTx", "query", "prepareProposal", "processProposal", "finalizeBlock", "commit", "extendVote", "verifyVoteExtension", "listSnapshots", "offerSnapshot", "loadSnapshotChunk", "applySnapshotChunk"] as const;
    for (const k of kinds) {
      const res: Response = nullAnswer(Request.fromPartial({ [k]: {} } as Parameters<typeof Request.fromPartial>[0]));
      expect(res[k], k).toBeDefined();
      expect(res.exception, k).toBeUndefined();
    }
    const txs = [new Uint8Array(100), new Uint8Array(100), new Uint8Array(100)];
    expect(nullAnswer(Request.fromPartial({ prepareProposal: { txs, maxTxBytes: 250n } })).prepareProposal!.txs).toHaveLength(2);
    expect(nullAnswer(Request.fromPartial({ finalizeBlock: { txs, height: 3n } })).finalizeBlock!.txResults.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(nullAnswer(Request.fromPartial({ info: {} })).info!.lastBlockHeight).toBe(3n);
  });
});
