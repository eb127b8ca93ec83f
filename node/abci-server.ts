// The ABCI socket transport: CometBFT's four connections (consensus, mempool, query, snapshot) to one
// application, each message a protobuf (cosmjs-types) prefixed by its length as an unsigned varint.
// Owns framing and dispatch only; what the answers say is the application's (node/app.ts).
import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";

/** One answer per request kind; a handler may be async (a query waits for a block to commit). */
export type AbciHandler = (req: Request) => Response | Promise<Response>;

/** The most bytes one request may claim: CometBFT's own limit on a block is 100 MiB. */
const MAX_MESSAGE = 128 * 1024 * 1024;

/** Reads an unsigned LEB128 varint at `at`; null when the buffer ends before it does. */
export function readUvarint(buf: Buffer, at: number): { value: number; next: number } | null {
  let value = 0;
  let mul = 1;
  for (let i = at; i < buf.length && i < at + 8; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    mul *= 128;
  }
  if (buf.length >= at + 8) throw new RangeError(`ABCI frame length varint longer than 8 bytes at byte ${at}`);
  return null;
}

export function writeUvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

export function frame(msg: Uint8Array): Buffer {
  return Buffer.concat([writeUvarint(msg.length), msg]);
}

/**
 * Serves one connection: requests are answered strictly in order (CometBFT pipelines them and matches
 * answers by position), each after the previous one's handler settled. Answers ready in the same turn of
 * the event loop leave in one write: CometBFT sends CheckTx in batches (its socket client flushes every
 * 20 ms), and one write per batch instead of one per answer saves a system call and a wake-up of the
 * engine's reader each, which counted under load.
 */
function serveConnection(sock: Socket, handle: AbciHandler, onError: (e: unknown) => void, trace?: (line: string) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  let chain: Promise<void> = Promise.resolve();
  let out: Buffer[] = [];
  const flush = (): void => {
    const frames = out;
    out = [];
    if (!sock.destroyed && frames.length > 0) sock.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    if (trace && frames.length > 0) trace(`abci-write ${clock().toFixed(1)} ${frames.length}`);
  };
  const send = (msg: Uint8Array): void => {
    if (out.length === 0) setImmediate(flush);
    out.push(frame(msg));
  };
  sock.setNoDelay(true);
  sock.on("data", (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    try {
      for (;;) {
        const len = readUvarint(buf, 0);
        if (!len) break;
        if (len.value > MAX_MESSAGE) throw new RangeError(`ABCI frame of ${len.value} bytes exceeds ${MAX_MESSAGE}`);
        if (buf.length < len.next + len.value) break;
        const body = buf.subarray(len.next, len.next + len.value);
        buf = buf.subarray(len.next + len.value);
        const req = Request.decode(body);
        const at = trace ? clock() : 0;
        chain = chain.then(async () => {
          const start = trace ? clock() : 0;
          const res = await handle(req);
          send(Response.encode(res).finish());
          if (trace) trace(traceLine(req, at, start, clock()));
        });
        chain = chain.catch((e) => {
          onError(e);
          sock.destroy();
        });
      }
    } catch (e) {
      onError(e);
      sock.destroy();
    }
  });
  sock.on("error", () => sock.destroy());
}

/** The trace's clock: wall-clock ms since the epoch (sub-ms), so its lines line up with CometBFT's log and a client's times. */
const clock = (): number => performance.timeOrigin + performance.now();

/**
 * One line per request for the operator's diagnosis (MOTE_ABCI_TRACE=1 on `mote node start`, see docs/network.md):
 * "abci-trace MS KIND[:N] wait MS run MS [tx HASH]", MS the wall clock (ms since the epoch) when the request was read,
 * KIND the request's field (checkTx:0 new, checkTx:1 ReCheck; a proposal or block with its transaction count), wait
 * the time it queued behind earlier requests of its connection, run its handler's; a CheckTx names its transaction by
 * the SHA-256 CometBFT logs and indexes it by. Each write of answers to the socket adds "abci-write MS N" (N answers).
 */
export function traceLine(req: Request, at: number, start: number, end: number): string {
  const kind = Object.keys(req).find((k) => (req as unknown as Record<string, unknown>)[k] !== undefined) ?? "unknown";
  const n = req.checkTx ? `:${req.checkTx.type}` : (req.finalizeBlock ?? req.prepareProposal ?? req.processProposal) ? `:${(req.finalizeBlock ?? req.prepareProposal ?? req.processProposal)!.txs.length}` : "";
  const tx = req.checkTx ? ` tx ${createHash("sha256").update(req.checkTx.tx).digest("hex").toUpperCase()}` : "";
  return `abci-trace ${at.toFixed(1)} ${kind}${n} wait ${(start - at).toFixed(2)} run ${(end - start).toFixed(2)}${tx}`;
}

export interface AbciServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (127.0.0.1 unless told otherwise) and serves every connection with `handle`. */
export function listenAbci(handle: AbciHandler, opts: { host?: string; port: number; onError?: (e: unknown) => void; trace?: (line: string) => void }): Promise<AbciServer> {
  const sockets = new Set<Socket>();
  const onError = opts.onError ?? ((e) => process.stderr.write(`abci: ${(e as Error).stack ?? String(e)}\n`));
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    serveConnection(sock, handle, onError, opts.trace);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => {
      const addr = server.address();
      resolve({
        server,
        port: typeof addr === "object" && addr ? addr.port : opts.port,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
