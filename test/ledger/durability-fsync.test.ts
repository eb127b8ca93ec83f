// What SIGKILL cannot show (the kernel keeps the page cache, so an unsynced commit survives a killed process):
// that the ledger acknowledges a block only after SQLite has forced it to the disk. A writer process runs under
// strace; between one "ack" and the next there must be an fsync/fdatasync of the write-ahead log, and the ack
// must come after it. With `synchronous = OFF` there is no sync at all; with NORMAL the WAL is synced only at
// checkpoints. What this does not show: that the disk honours the flush (a power cut on a lying disk).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.ts";

const hasStrace = spawnSync("strace", ["-V"]).status === 0;
const BLOCKS = 12;

describe.skipIf(!hasStrace)("the ledger syncs each block to disk before acknowledging it", () => {
  it(`${BLOCKS + 1} acknowledged blocks, each preceded by an fsync of the WAL`, () => {
    const dir = tempDir();
    const trace = join(dir, "strace.txt");
    const writer = new URL("durability-writer.ts", import.meta.url).pathname;
    const r = spawnSync(
      "strace",
      ["-f", "-qq", "-y", "-s", "64", "-e", "trace=fsync,fdatasync,write", "-o", trace, process.execPath, "--import", "tsx", writer, join(dir, "ledger"), String(BLOCKS)],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(BLOCKS + 2);

    // One event per line of interest, in the order the process made them.
    const events: ("sync-wal" | "ack")[] = [];
    for (const line of readFileSync(trace, "utf8").split("\n")) {
      if (/\b(fsync|fdatasync)\(\d+<[^>]*ledger\.sqlite-wal>\) = 0/.test(line)) events.push("sync-wal");
      else if (/\bwrite\(1<[^>]*>, "ack \d+\\n"/.test(line)) events.push("ack");
    }
    const acks = events.filter((e) => e === "ack").length;
    expect(acks).toBe(BLOCKS + 1);
    // every ack is preceded, since the previous ack (or the store's opening), by a sync of the WAL
    const opened = events.findIndex((e) => e === "ack");
    let syncedSinceAck = events.slice(0, opened).includes("sync-wal");
    const unsynced: number[] = [];
    let n = 0;
    for (const e of events.slice(opened)) {
      if (e === "sync-wal") syncedSinceAck = true;
      else {
        if (!syncedSinceAck) unsynced.push(n);
        n++;
        syncedSinceAck = false;
      }
    }
    expect(unsynced, "acknowledgements (by index) with no WAL sync before them").toEqual([]);
  }, 180_000);
});
