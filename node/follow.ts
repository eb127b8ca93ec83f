// Event streaming from a Mote node: a websocket subscription to CometBFT's `tm.event='Tx'` (the node's
// /websocket endpoint, undici's WHATWG WebSocket), each transaction's mote_event attributes turned back
// into the ledger's event records. Reconnects with backoff; after each (re)connect it first reads what it
// may have missed through abci_query /events, so no committed event is lost or printed twice.
import { WebSocket } from "undici";
import type { EventFilter, EventRecord } from "../ledger/ledger.ts";
import { rpcCall } from "./client.ts";
import { RemoteLedger } from "./remote.ts";
import { valueFromJson } from "./wire.ts";

/** The node's websocket endpoint for an RPC URL: http://H:P -> ws://H:P/websocket. */
export function websocketUrl(rpc: string): string {
  const u = new URL(rpc);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/websocket`;
  return u.toString();
}

interface TxEventJson {
  type: string;
  attributes?: { key: string; value: string }[];
}

/**
 * The event records of one `Tx` notification (CometBFT 0.38: attributes are plain strings). Throws
 * RangeError naming what is wrong with a notification that is not a Mote transaction's.
 */
export function eventsOfTxResult(txResult: { height?: string; index?: number; result?: { events?: TxEventJson[] } }): EventRecord[] {
  const height = txResult.height;
  if (typeof height !== "string" || !/^[0-9]+$/.test(height)) throw new RangeError(`Tx notification without a height: ${JSON.stringify(txResult).slice(0, 120)}`);
  const tx = Number(txResult.index ?? 0);
  const attrs = (e: TxEventJson) => new Map((e.attributes ?? []).map((a) => [a.key, a.value]));
  const evs = txResult.result?.events ?? [];
  const id = evs.find((e) => e.type === "mote_tx");
  const txId = id ? attrs(id).get("id") : undefined;
  if (!txId || !/^[0-9a-f]{64}$/.test(txId)) throw new RangeError(`Tx notification at height ${height} carries no mote_tx id`);
  const out: EventRecord[] = [];
  for (const e of evs) {
    if (e.type !== "mote_event") continue;
    const a = attrs(e);
    const contract = a.get("contract") ?? "";
    const topic = Number(a.get("topic"));
    if (!/^[0-9a-f]{64}$/.test(contract) || !Number.isInteger(topic)) throw new RangeError(`mote_event at height ${height} tx ${tx}: bad contract or topic`);
    const values = JSON.parse(a.get("values") ?? "[]") as unknown[];
    out.push({
      height: BigInt(height),
      tx,
      index: out.length,
      txId: new Uint8Array(Buffer.from(txId, "hex")),
      contract: new Uint8Array(Buffer.from(contract, "hex")),
      topic: topic >>> 0,
      values: values.map(valueFromJson),
    });
  }
  return out;
}

export interface FollowOptions {
  filter: Pick<EventFilter, "contract" | "fromHeight" | "toHeight">;
  /** Called with each batch of new events, in chain order. */
  onEvents: (evs: EventRecord[]) => void;
  /** Connection changes, for the operator's stderr. */
  onStatus?: (line: string) => void;
  signal?: AbortSignal;
  /** Backoff between reconnects: first and largest delay. */
  retryMs?: [number, number];
}

/**
 * Streams events until `toHeight` is passed or `signal` aborts. Each connection: subscribe, then catch
 * up through /events from the last height shown, then the notifications (those the catch-up already
 * covered are skipped by block and transaction).
 */
export async function followEvents(rpc: string, o: FollowOptions): Promise<void> {
  const remote = await RemoteLedger.connect(rpc);
  const [first, most] = o.retryMs ?? [500, 5000];
  let delay = first;
  /** Transactions already shown, as "height:tx", at heights from `floor` on. */
  const shown = new Set<string>();
  let floor = o.filter.fromHeight ?? 0n;
  let newest = -1n;
  const stop = o.filter.toHeight;
  const wanted = (e: EventRecord) => (!o.filter.contract || Buffer.compare(e.contract, o.filter.contract) === 0) && (stop === undefined || e.height <= stop);
  const emit = (evs: EventRecord[]): void => {
    const fresh = evs.filter((e) => e.height >= floor && !shown.has(`${e.height}:${e.tx}`) && wanted(e));
    for (const e of evs) {
      if (e.height < floor) continue;
      shown.add(`${e.height}:${e.tx}`);
      if (e.height > newest) newest = e.height;
    }
    if (fresh.length) o.onEvents(fresh);
    // a long follow forgets what is behind it: notifications come in chain order
    if (shown.size > 100_000) {
      floor = newest;
      for (const k of shown) if (BigInt(k.slice(0, k.indexOf(":"))) < floor) shown.delete(k);
    }
  };
  const headHeight = async (): Promise<bigint> => BigInt(((await rpcCall(rpc, "status", {}, 10_000)) as { sync_info: { latest_block_height: string } }).sync_info.latest_block_height);
  while (!o.signal?.aborted) {
    const ended = await new Promise<"done" | "lost">((resolve) => {
      const ws = new WebSocket(websocketUrl(rpc));
      const buffered: EventRecord[][] = [];
      let subscribed = false;
      let caughtUp = false;
      let settled = false;
      const finish = (how: "done" | "lost", why?: string) => {
        if (settled) return;
        settled = true;
        if (why && how === "lost") o.onStatus?.(`${rpc}: ${why}; reconnecting`);
        o.signal?.removeEventListener("abort", abort);
        try {
          ws.close();
        } catch {
          // already closing
        }
        resolve(how);
      };
      const abort = () => finish("done");
      o.signal?.addEventListener("abort", abort);
      ws.addEventListener("open", () => {
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { query: "tm.event='Tx'" } }));
      });
      ws.addEventListener("message", (m) => {
        let j: { id?: number; error?: { message?: string; data?: string }; result?: { data?: { value?: { TxResult?: Parameters<typeof eventsOfTxResult>[0] } } } };
        try {
          j = JSON.parse(String(m.data)) as typeof j;
        } catch {
          return finish("lost", "the node sent a message that is not JSON");
        }
        if (j.error) return finish("lost", `subscription refused: ${j.error.message ?? ""}${j.error.data ? ` (${j.error.data})` : ""}`);
        const tr = j.result?.data?.value?.TxResult;
        if (!tr) {
          if (j.id !== 1 || subscribed) return;
          // subscribed: now read what was committed before (and while) the subscription started;
          // notifications arriving meanwhile wait in `buffered`
          subscribed = true;
          remote
            .events({ contract: o.filter.contract, fromHeight: floor, toHeight: stop })
            .then(async (past) => {
              delay = first;
              emit(past);
              for (const b of buffered.splice(0)) emit(b);
              caughtUp = true;
              if (stop !== undefined && (await headHeight()) >= stop) finish("done");
            })
            .catch((e: Error) => finish("lost", e.message));
          return;
        }
        let evs: EventRecord[];
        try {
          evs = eventsOfTxResult(tr);
        } catch (e) {
          o.onStatus?.(`${rpc}: ignoring a notification: ${(e as Error).message}`);
          return;
        }
        if (!caughtUp) buffered.push(evs);
        else emit(evs);
        if (stop !== undefined && caughtUp && BigInt(tr.height!) > stop) finish("done");
      });
      ws.addEventListener("close", (ev) => finish("lost", `connection closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`));
      ws.addEventListener("error", () => finish("lost", "connection failed"));
    });
    if (ended === "done") return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(most, delay * 2);
    // every event before the newest shown block is shown; a reconnect catches up from that block on
    if (newest > floor) {
      floor = newest;
      for (const k of shown) if (BigInt(k.slice(0, k.indexOf(":"))) < floor) shown.delete(k);
    }
  }
}
