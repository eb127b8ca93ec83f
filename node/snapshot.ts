// State sync for the Mote node: snapshots of the committed ledger every N blocks, served to CometBFT in
// hash-checked chunks (ListSnapshots / LoadSnapshotChunk), and a joining node's restore (OfferSnapshot /
// ApplySnapshotChunk) that accepts a snapshot only once its state root equals the app hash CometBFT's
// light client verified. The format is this file's; the ledger's rules stay in ledger/.
import { sha256 } from "@noble/hashes/sha2.js";
import {
  ResponseApplySnapshotChunk_Result as ApplyResult,
  ResponseOfferSnapshot_Result as OfferResult,
  type Snapshot,
} from "cosmjs-types/tendermint/abci/types";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, readSync, closeSync, fstatSync } from "node:fs";
import { join } from "node:path";
import { decodeBlock, type DecodedBlock } from "../ledger/block.ts";
import { ByteReader, ByteWriter, bytesEqual, hex } from "../ledger/bytes.ts";
import { DecodeError, LedgerError } from "../ledger/errors.ts";
import { Ledger } from "../ledger/ledger.ts";
import { DB_FILE, LedgerStore } from "../ledger/store.ts";
import { contractOf, NS_CONTRACT, WorldState, type StateDiff } from "../ledger/state.ts";
import type { ContractVM } from "../ledger/app.ts";
import { genesisFromAppState } from "./app.ts";

/** The one snapshot format this node writes and reads; CometBFT passes it along with every snapshot. */
export const SNAPSHOT_FORMAT = 1;
const MAGIC = new TextEncoder().encode("mote-snapshot\n");

export const SNAPSHOT_LIMITS = {
  DEFAULT_INTERVAL: { value: 100, why: "Blocks between snapshots: a joining node replays at most this many blocks after the snapshot it restores." },
  DEFAULT_KEEP: { value: 2, why: "Snapshots kept on disk: the newest may be too recent for a joining node's light client (it needs the headers of the two heights after it)." },
  DEFAULT_CHUNK_BYTES: { value: 1024 * 1024, why: "Bytes per chunk: well under CometBFT's 16 MB chunk message, large enough that a chunk's request costs little." },
  MAX_CHUNKS: { value: 4096, why: "Chunks a joining node accepts for one snapshot: it holds them in memory until the last one arrives." },
  HOLD_MS: { value: 60_000, why: "A snapshot listed to or fetched by a peer within this long is not pruned, so a joining node's restore never loses it midway (retention only, never consensus)." },
  MAX_CHUNK_BYTES: { value: 16 * 1024 * 1024, why: "A chunk larger than CometBFT's own chunk message limit is refused before it is kept." },
} as const;

export interface SnapshotConfig {
  /** Blocks between snapshots; 0 turns snapshots off (the node serves none). */
  interval: number;
  keep: number;
  chunkBytes: number;
}

export const defaultSnapshotConfig = (): SnapshotConfig => ({
  interval: SNAPSHOT_LIMITS.DEFAULT_INTERVAL.value,
  keep: SNAPSHOT_LIMITS.DEFAULT_KEEP.value,
  chunkBytes: SNAPSHOT_LIMITS.DEFAULT_CHUNK_BYTES.value,
});

/** What a snapshot holds: enough to open a ledger at `height` without the blocks before it. */
export interface SnapshotContent {
  chainId: string;
  height: bigint;
  /** Block 0: the chain's identity (its hash is signed by every transaction). */
  genesisBlock: Uint8Array;
  /** Block `height`: the head the next block links to; its state root is the snapshot's. */
  headBlock: Uint8Array;
  /** The whole state, sorted by key. */
  entries: [Uint8Array, Uint8Array][];
  /** Every module (id = SHA-256 of its bytes), sorted by id. */
  modules: [Uint8Array, Uint8Array][];
}

/**
 * Layout: "mote-snapshot\n" u32 format, u16 chain id length + chain id, u64 height, u32 length + genesis
 * block, u32 length + head block, u32 entry count then (u16 key length, key, u32 value length, value)
 * per entry, u32 module count then (32-byte id, u32 length, bytes) per module. Little-endian.
 */
export function encodeSnapshot(s: SnapshotContent): Uint8Array {
  const w = new ByteWriter();
  const chain = new TextEncoder().encode(s.chainId);
  w.bytes(MAGIC).u32(SNAPSHOT_FORMAT).u16(chain.length).bytes(chain).u64(s.height);
  w.u32(s.genesisBlock.length).bytes(s.genesisBlock).u32(s.headBlock.length).bytes(s.headBlock);
  w.u32(s.entries.length);
  for (const [k, v] of s.entries) w.u16(k.length).bytes(k).u32(v.length).bytes(v);
  w.u32(s.modules.length);
  for (const [id, m] of s.modules) w.bytes(id).u32(m.length).bytes(m);
  return w.finish();
}

/** Strict decoding: every failure a DecodeError naming the field and byte offset. */
export function decodeSnapshot(bytes: Uint8Array): SnapshotContent {
  const r = new ByteReader(bytes);
  const magic = r.bytes(MAGIC.length, "magic");
  if (!bytesEqual(magic, MAGIC)) r.fail("magic", "not a Mote snapshot", 0);
  const format = r.u32("format");
  if (format !== SNAPSHOT_FORMAT) r.fail("format", `format ${format}, this node reads ${SNAPSHOT_FORMAT}`, r.offset - 4);
  const chainId = new TextDecoder().decode(r.bytes(r.u16("chain_id.length"), "chain_id"));
  const height = r.u64("height");
  const genesisBlock = r.bytes(r.u32("genesis_block.length"), "genesis_block");
  const headBlock = r.bytes(r.u32("head_block.length"), "head_block");
  const nEntries = r.u32("entries.count");
  // each entry takes at least 2 + 1 + 4 + 1 bytes: a count beyond that cannot be honest
  if (nEntries > r.remaining / 8) r.fail("entries.count", `${nEntries} entries cannot fit in ${r.remaining} bytes`, r.offset - 4);
  const entries: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < nEntries; i++) {
    const at = r.offset;
    const k = r.bytes(r.u16(`entries[${i}].key.length`), `entries[${i}].key`);
    const v = r.bytes(r.u32(`entries[${i}].value.length`), `entries[${i}].value`);
    if (k.length === 0 || v.length === 0) r.fail(`entries[${i}]`, "an empty key or value (the state holds neither)", at);
    if (i > 0 && Buffer.compare(entries[i - 1]![0], k) >= 0) r.fail(`entries[${i}].key`, "keys not in strictly increasing order", at);
    entries.push([k, v]);
  }
  const nModules = r.u32("modules.count");
  if (nModules > r.remaining / 36) r.fail("modules.count", `${nModules} modules cannot fit in ${r.remaining} bytes`, r.offset - 4);
  const modules: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < nModules; i++) {
    const at = r.offset;
    const id = r.bytes(32, `modules[${i}].id`);
    const m = r.bytes(r.u32(`modules[${i}].length`), `modules[${i}].bytes`);
    if (!bytesEqual(sha256(m), id)) r.fail(`modules[${i}]`, `module bytes hash to ${hex(sha256(m))}, not their id ${hex(id)}`, at);
    modules.push([id, m]);
  }
  r.end("snapshot");
  return { chainId, height, genesisBlock, headBlock, entries, modules };
}

/** Reads the content of a snapshot at the store's head from the store in `dataDir`, in one read transaction. */
export function snapshotOfStore(dataDir: string): SnapshotContent {
  const store = LedgerStore.open(dataDir);
  if (!store) throw new LedgerError(`${dataDir}: no ledger to snapshot`);
  try {
    return store.readSnapshot(() => {
      const height = store.headHeight()!;
      return {
        chainId: store.chainId,
        height,
        genesisBlock: store.block(0n)!.bytes,
        headBlock: store.block(height)!.bytes,
        entries: [...store.stateEntries()].sort((a, b) => Buffer.compare(a[0], b[0])),
        modules: [...store.moduleEntries()],
      };
    });
  } finally {
    store.close();
  }
}

interface Served {
  file: string;
  snapshot: Snapshot;
}

function chunkHashes(bytes: Uint8Array, chunkBytes: number): Uint8Array {
  const n = Math.max(1, Math.ceil(bytes.length / chunkBytes));
  const out = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) out.set(sha256(bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes)), 32 * i);
  return out;
}

/**
 * The serving side: snapshot files in DATA/snapshots/HEIGHT.snap, written atomically after the Commit
 * of every `interval`-th block, the newest `keep` kept. The chunk size is fixed per file in its name's
 * companion (HEIGHT.meta: chunk size), so a node restarted with another size still serves what it wrote.
 */
export class SnapshotServer {
  private readonly dir: string;
  private readonly served = new Map<string, Served>();
  /** When each snapshot was last listed to or read by a peer (Date.now()). */
  private readonly touched = new Map<string, number>();

  constructor(
    readonly dataDir: string,
    readonly config: SnapshotConfig,
    private readonly log: (line: string) => void,
  ) {
    this.dir = join(dataDir, "snapshots");
  }

  /** After Commit: a snapshot of the committed head when its height is a multiple of the interval. */
  afterCommit(height: bigint): void {
    if (this.config.interval <= 0 || height === 0n || height % BigInt(this.config.interval) !== 0n) return;
    try {
      const bytes = encodeSnapshot(snapshotOfStore(this.dataDir));
      mkdirSync(this.dir, { recursive: true });
      const file = join(this.dir, `${height}.snap`);
      writeFileSync(`${file}.tmp`, bytes);
      writeFileSync(join(this.dir, `${height}.meta`), `${this.config.chunkBytes}\n`);
      renameSync(`${file}.tmp`, file);
      this.log(`snapshot at height ${height}: ${bytes.length} bytes in ${Math.ceil(bytes.length / this.config.chunkBytes)} chunk(s)`);
      const heights = this.heights();
      const now = Date.now();
      for (const h of heights.slice(0, Math.max(0, heights.length - this.config.keep))) {
        if (now - (this.touched.get(String(h)) ?? 0) < SNAPSHOT_LIMITS.HOLD_MS.value) continue;
        rmSync(join(this.dir, `${h}.snap`), { force: true });
        rmSync(join(this.dir, `${h}.meta`), { force: true });
        this.served.delete(String(h));
      }
    } catch (e) {
      // A snapshot is a courtesy to joining nodes: failing one never stops the chain.
      this.log(`snapshot at height ${height} failed: ${(e as Error).message}`);
    }
  }

  private heights(): bigint[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .map((f) => /^([0-9]+)\.snap$/.exec(f)?.[1])
      .filter((h): h is string => h !== undefined)
      .map(BigInt)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private chunkBytesOf(height: bigint): number {
    try {
      const n = Number(readFileSync(join(this.dir, `${height}.meta`), "utf8").trim());
      if (Number.isInteger(n) && n > 0) return n;
    } catch {
      // no companion: the configured size
    }
    return this.config.chunkBytes;
  }

  private entry(height: bigint): Served | undefined {
    const key = String(height);
    const hit = this.served.get(key);
    if (hit) return hit;
    const file = join(this.dir, `${height}.snap`);
    if (!existsSync(file)) return undefined;
    const bytes = readFileSync(file);
    const chunkBytes = this.chunkBytesOf(height);
    const metadata = chunkHashes(bytes, chunkBytes);
    const s: Served = { file, snapshot: { height, format: SNAPSHOT_FORMAT, chunks: metadata.length / 32, hash: sha256(bytes), metadata } };
    this.served.set(key, s);
    return s;
  }

  list(): Snapshot[] {
    const now = Date.now();
    const heights = this.heights().reverse();
    for (const h of heights) this.touched.set(String(h), now);
    return heights.map((h) => this.entry(h)?.snapshot).filter((s): s is Snapshot => s !== undefined);
  }

  /** One chunk of a snapshot this node holds; empty when it holds no such snapshot or chunk (CometBFT then asks another peer). */
  loadChunk(height: bigint, format: number, chunk: number): Uint8Array {
    const e = format === SNAPSHOT_FORMAT ? this.entry(height) : undefined;
    if (!e || chunk < 0 || chunk >= e.snapshot.chunks) return new Uint8Array(0);
    this.touched.set(String(height), Date.now());
    const size = this.chunkBytesOf(height);
    const fd = openSync(e.file, "r");
    try {
      const total = fstatSync(fd).size;
      const start = chunk * size;
      const len = Math.max(0, Math.min(size, total - start));
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, start);
      return new Uint8Array(buf.buffer, buf.byteOffset, len);
    } finally {
      closeSync(fd);
    }
  }
}

/** The genesis hash a genesis.json gives, exactly as InitChain would compute it; null without a file. */
async function genesisHashOf(genesisFile: string | undefined, vm: ContractVM): Promise<{ chainId: string; hash: Uint8Array } | null> {
  if (!genesisFile || !existsSync(genesisFile)) return null;
  const g = JSON.parse(readFileSync(genesisFile, "utf8")) as { chain_id: string; genesis_time: string; app_state?: unknown };
  // InitChain passes the genesis time as a Timestamp; the ledger takes its whole seconds.
  const ms = Date.parse(g.genesis_time.replace(/\.[0-9]+/, ""));
  if (!Number.isFinite(ms)) throw new LedgerError(`${genesisFile}: genesis_time '${g.genesis_time}' is not a time`);
  const appState = new TextEncoder().encode(g.app_state === undefined ? "" : JSON.stringify(g.app_state));
  const l = await Ledger.init(":memory:", { chainId: g.chain_id, timestamp: BigInt(Math.floor(ms / 1000)), vm, genesis: genesisFromAppState(appState) });
  try {
    return { chainId: g.chain_id, hash: l.genesisHash };
  } finally {
    l.close();
  }
}

export interface OfferAnswer {
  result: OfferResult;
}

export interface ApplyAnswer {
  result: ApplyResult;
  refetchChunks: number[];
  rejectSenders: string[];
}

/**
 * The joining side: one offered snapshot at a time, its chunks checked against the offered chunk hashes
 * as they arrive, and the whole checked against the light client's app hash before anything is written.
 * `restored` is set once a snapshot became the node's ledger.
 */
export class SnapshotRestorer {
  private pending: { snapshot: Snapshot; appHash: Uint8Array; chunks: (Uint8Array | undefined)[]; received: number } | null = null;
  restored: { height: bigint; chunks: number; entries: number; modules: number } | null = null;

  constructor(
    readonly dataDir: string,
    private readonly vm: ContractVM,
    private readonly genesisFile: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  offer(snapshot: Snapshot | undefined, appHash: Uint8Array, hasLedger: boolean): OfferAnswer {
    const refuse = (result: OfferResult, why: string): OfferAnswer => {
      this.log(`state sync: ${result === OfferResult.ABORT ? "aborting" : "rejecting snapshot"}${snapshot ? ` at height ${snapshot.height}` : ""}: ${why}`);
      return { result };
    };
    if (hasLedger || existsSync(join(this.dataDir, DB_FILE))) return refuse(OfferResult.ABORT, `${this.dataDir} already holds a ledger; state sync fills an empty node only`);
    if (!snapshot) return refuse(OfferResult.REJECT, "no snapshot in the offer");
    if (snapshot.format !== SNAPSHOT_FORMAT) return refuse(OfferResult.REJECT_FORMAT, `format ${snapshot.format}, this node reads format ${SNAPSHOT_FORMAT}`);
    if (snapshot.chunks < 1 || snapshot.chunks > SNAPSHOT_LIMITS.MAX_CHUNKS.value) return refuse(OfferResult.REJECT, `${snapshot.chunks} chunks, expected 1..${SNAPSHOT_LIMITS.MAX_CHUNKS.value}`);
    if (snapshot.metadata.length !== 32 * snapshot.chunks) return refuse(OfferResult.REJECT, `metadata of ${snapshot.metadata.length} bytes, expected one 32-byte hash per chunk (${32 * snapshot.chunks})`);
    if (snapshot.hash.length !== 32) return refuse(OfferResult.REJECT, `hash of ${snapshot.hash.length} bytes, expected 32`);
    if (appHash.length !== 32) return refuse(OfferResult.REJECT, `the trusted app hash has ${appHash.length} bytes, a Mote state root 32`);
    this.pending = { snapshot, appHash, chunks: new Array(snapshot.chunks).fill(undefined), received: 0 };
    this.log(`state sync: accepted offer of snapshot at height ${snapshot.height} (${snapshot.chunks} chunk(s)), trusted app hash ${hex(appHash)}`);
    return { result: OfferResult.ACCEPT };
  }

  /** One chunk; after the last, the restore. `adopt` receives the opened ledger. */
  async apply(index: number, chunk: Uint8Array, sender: string, adopt: (l: Ledger) => void): Promise<ApplyAnswer> {
    const answer = (result: ApplyResult, refetchChunks: number[] = [], rejectSenders: string[] = []): ApplyAnswer => ({ result, refetchChunks, rejectSenders });
    const p = this.pending;
    if (!p) {
      this.log(`state sync: chunk ${index} from ${sender || "?"} without an accepted snapshot; aborting`);
      return answer(ApplyResult.ABORT);
    }
    const h = p.snapshot.height;
    if (!Number.isInteger(index) || index < 0 || index >= p.chunks.length) {
      this.log(`state sync: snapshot ${h}: chunk index ${index} outside 0..${p.chunks.length - 1}; rejecting the snapshot`);
      this.pending = null;
      return answer(ApplyResult.REJECT_SNAPSHOT);
    }
    const want = p.snapshot.metadata.subarray(32 * index, 32 * index + 32);
    const got = sha256(chunk);
    if (chunk.length > SNAPSHOT_LIMITS.MAX_CHUNK_BYTES.value || !bytesEqual(got, want)) {
      this.log(
        `state sync: snapshot ${h}: chunk ${index} from ${sender || "?"} refused: ${chunk.length > SNAPSHOT_LIMITS.MAX_CHUNK_BYTES.value ? `${chunk.length} bytes exceeds ${SNAPSHOT_LIMITS.MAX_CHUNK_BYTES.value}` : `hash ${hex(got)}, the snapshot's metadata says ${hex(want)}`}; fetching it again from another peer`,
      );
      return answer(ApplyResult.RETRY, [index], sender ? [sender] : []);
    }
    if (!p.chunks[index]) p.received++;
    p.chunks[index] = chunk;
    if (p.received < p.chunks.length) return answer(ApplyResult.ACCEPT);
    this.pending = null;
    try {
      const ledger = await this.restore(p.snapshot, p.appHash, Buffer.concat(p.chunks as Uint8Array[]));
      adopt(ledger);
      return answer(ApplyResult.ACCEPT);
    } catch (e) {
      const why = e instanceof DecodeError ? `snapshot bytes: ${e.message}` : (e as Error).message;
      this.log(`state sync: snapshot at height ${h} rejected: ${why}`);
      return answer(ApplyResult.REJECT_SNAPSHOT);
    }
  }

  /** Checks the whole snapshot against the trusted app hash, then writes it as this node's ledger and opens it. */
  private async restore(snapshot: Snapshot, appHash: Uint8Array, bytes: Uint8Array): Promise<Ledger> {
    if (!bytesEqual(sha256(bytes), snapshot.hash)) throw new LedgerError(`the chunks hash to ${hex(sha256(bytes))}, the snapshot says ${hex(snapshot.hash)}`);
    const s = decodeSnapshot(bytes);
    if (s.height !== snapshot.height) throw new LedgerError(`the snapshot's bytes are of height ${s.height}, offered as height ${snapshot.height}`);
    let genesis: DecodedBlock;
    let head: DecodedBlock;
    try {
      genesis = decodeBlock(s.genesisBlock);
      head = decodeBlock(s.headBlock);
    } catch (e) {
      throw new LedgerError(`a block in the snapshot does not decode: ${(e as Error).message}`);
    }
    if (genesis.header.height !== 0n) throw new LedgerError(`its genesis block has height ${genesis.header.height}`);
    if (head.header.height !== s.height) throw new LedgerError(`its head block has height ${head.header.height}, the snapshot ${s.height}`);
    if (genesis.header.chainId !== s.chainId || head.header.chainId !== s.chainId) throw new LedgerError(`its blocks name chains '${genesis.header.chainId}' and '${head.header.chainId}', the snapshot '${s.chainId}'`);
    const expected = await genesisHashOf(this.genesisFile, this.vm);
    if (expected) {
      if (expected.chainId !== s.chainId) throw new LedgerError(`it is of chain '${s.chainId}', this node's genesis.json of '${expected.chainId}'`);
      if (!bytesEqual(expected.hash, genesis.hash)) throw new LedgerError(`its genesis block hash ${hex(genesis.hash)} is not the one this node's genesis.json gives (${hex(expected.hash)})`);
    }
    const state = new WorldState();
    state.loadEntries(s.entries, false);
    const root = state.root();
    // The one check that makes the snapshot trustworthy: the light client verified appHash through 2/3+ of the validators.
    if (!bytesEqual(root, appHash)) throw new LedgerError(`its state root ${hex(root)} is not the trusted app hash ${hex(appHash)} at height ${s.height}`);
    if (!bytesEqual(head.header.stateRoot, appHash)) throw new LedgerError(`its head block's state root ${hex(head.header.stateRoot)} is not the trusted app hash ${hex(appHash)}`);
    const modules = new Map(s.modules.map(([id, m]) => [hex(id), m]));
    for (const [k] of s.entries) {
      if (k[0] !== NS_CONTRACT) continue;
      const c = contractOf(state, k.subarray(1));
      if (c && !modules.has(hex(c.moduleHash))) throw new LedgerError(`contract ${hex(k.subarray(1))} runs module ${hex(c.moduleHash)}, which the snapshot lacks`);
    }
    const diff: StateDiff = {
      writes: new Map(s.entries.map(([key, value]) => [hex(key), { key, value }])),
      modules,
      nodes: state.tree.takeNewNodes(),
    };
    const empty: StateDiff = { writes: new Map(), modules: new Map(), nodes: [] };
    LedgerStore.create(this.dataDir, s.chainId, [
      { block: genesis, diff: empty },
      { block: head, diff },
    ]).close();
    const ledger = await Ledger.open(this.dataDir, { vm: this.vm });
    this.restored = { height: s.height, chunks: snapshot.chunks, entries: s.entries.length, modules: s.modules.length };
    this.log(`state sync: restored snapshot at height ${s.height} (${s.entries.length} state entries, ${s.modules.length} module(s), ${snapshot.chunks} chunk(s)), state root ${hex(root)}`);
    return ledger;
  }
}
