// The store audit's check of the tables a store derives from its blocks (tx index, events, modules,
// tree nodes): as the chain replays, each block's rows are re-derived and compared with the stored
// ones, and at the end each table's row count, so a changed, deleted or added row is named.
import { decodeBlock, type Block } from "./block.ts";
import { bytesEqual, hex } from "./bytes.ts";
import { ChainBroken } from "./errors.ts";
import type { StateDiff } from "./state.ts";
import { derivedEvents, type EventRow, type LedgerStore } from "./store.ts";

const tableOf = (t: string): string => `store ${t} table`;

const eventKey = (e: EventRow): string => `(tx ${e.tx}, index ${e.idx})`;

/** Orders event rows as the table's primary key does. */
function cmpEvent(a: EventRow, b: EventRow): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  return a.tx !== b.tx ? a.tx - b.tx : a.idx - b.idx;
}

export class TableAudit {
  private readonly modules = new Set<string>();
  private readonly nodes = new Set<string>();
  private txs = 0;
  private events = 0;
  private head = -1n;

  constructor(private readonly store: LedgerStore) {}

  /** Compares the stored rows that block `block` derives; throws ChainBroken at the first difference. */
  block(block: Block, diff: StateDiff): void {
    const h = block.header.height;
    this.head = h;
    const broken = (table: string, reason: string, tx: number | null = null): never => {
      throw new ChainBroken(reason, h, tx, tableOf(table));
    };
    block.txs.forEach((t, i) => {
      const at = this.store.txLocation(t.id);
      if (!at) broken("txs", `transaction ${hex(t.id)} has no row`, i);
      if (at!.height !== h || at!.idx !== i) broken("txs", `the row for transaction ${hex(t.id)} says block ${at!.height} index ${at!.idx}`, i);
    });
    this.txs += block.txs.length;

    const want = derivedEvents(block);
    const got = this.store.events({ fromHeight: h, toHeight: h });
    for (let j = 0; j < Math.max(want.length, got.length); j++) {
      const w = want[j];
      const g = got[j];
      if (g && (!w || cmpEvent(g, w) < 0)) broken("events", `row ${eventKey(g)} names no event of the block (topic ${g.topic >>> 0}, contract ${hex(g.contract)})`, g.tx);
      if (!g || cmpEvent(w!, g) < 0) broken("events", `event ${eventKey(w!)} (topic ${w!.topic >>> 0}) has no row`, w!.tx);
      if (!bytesEqual(g.contract, w!.contract)) broken("events", `row ${eventKey(g)} attributes the event to contract ${hex(g.contract)}, the block to ${hex(w!.contract)}`, g.tx);
      if (g.topic !== w!.topic) broken("events", `row ${eventKey(g)} says topic ${g.topic >>> 0}, the block ${w!.topic >>> 0}`, g.tx);
    }
    this.events += want.length;

    for (const [id, bytes] of diff.modules) {
      this.modules.add(id);
      const stored = this.store.module(Uint8Array.from(Buffer.from(id, "hex")));
      if (!stored) broken("modules", `module ${id} deployed here has no row`);
      if (!bytesEqual(stored!, bytes)) broken("modules", `the row for module ${id} deployed here holds other bytes (${stored!.length} bytes, deployed ${bytes.length})`);
    }

    for (const [hash, node] of diff.nodes ?? []) {
      const key = hex(hash);
      if (this.nodes.has(key)) continue;
      this.nodes.add(key);
      const stored = this.store.node(hash);
      if (!stored) broken("nodes", `state-tree node ${key} written here has no row`);
      if (!bytesEqual(stored!, node)) broken("nodes", `the row for state-tree node ${key} written here holds other bytes`);
    }
  }

  /** After the last block: every table holds exactly the rows the blocks derive, no more. */
  finish(): void {
    const extra = (table: string, reason: string): never => {
      throw new ChainBroken(reason, null, null, tableOf(table));
    };
    const txRows = this.store.rowCount("txs");
    if (txRows !== this.txs) {
      // Every transaction's own row checked out, so an extra row names no transaction where it points.
      let where = "";
      for (const r of this.store.txRows()) {
        const rec = r.height < 0n || r.height > this.head ? undefined : this.store.block(r.height);
        const t = rec ? decodeBlock(rec.bytes).txs[r.idx] : undefined;
        if (!t || !bytesEqual(t.id, r.id)) {
          where = `: the row for ${hex(r.id)} (block ${r.height} index ${r.idx}) names no transaction of the blocks`;
          break;
        }
      }
      extra("txs", `holds ${txRows} row(s), the blocks hold ${this.txs} transaction(s)${where}`);
    }
    const evRows = this.store.rowCount("events");
    if (evRows !== this.events) {
      const r = this.store.eventOutside(this.head);
      const where = r ? `: row (block ${r.height}, tx ${r.tx}, index ${r.idx}) names no block` : "";
      extra("events", `holds ${evRows} row(s), the blocks emit ${this.events} event(s)${where}`);
    }
    const modRows = this.store.rowCount("modules");
    if (modRows !== this.modules.size) {
      let where = "";
      for (const [id] of this.store.moduleEntries()) {
        if (!this.modules.has(hex(id))) {
          where = `: module ${hex(id)} was deployed by no block`;
          break;
        }
      }
      extra("modules", `holds ${modRows} row(s), the blocks deploy ${this.modules.size} module(s)${where}`);
    }
    const nodeRows = this.store.rowCount("nodes");
    if (nodeRows !== this.nodes.size) extra("nodes", `holds ${nodeRows} row(s), the blocks write ${this.nodes.size} state-tree node(s)`);
  }
}
