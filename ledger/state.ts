// The world state every block commits to: account nonces, contract instances, contract storage, native
// balances and the chain parameters as one authenticated map (state keys below), plus module bytes by
// hash, with a per-block (and per-transaction) write overlay.
import { sha256 } from "@noble/hashes/sha2.js";
import type { StateStore } from "../vm/host/index.ts";
import { bytesEqual, concat, hex } from "./bytes.ts";
import { decodeParams, type ChainParams } from "./params.ts";
import { SparseMerkleTree, type NodeLoader } from "./smt.ts";
import type { StateProof } from "./proof.ts";

/**
 * State keys (the first byte is the namespace; see docs/ledger.md):
 *   0x01 || sender pubkey (32)               -> next nonce, u64 LE (absent = 0)
 *   0x02 || instance id (32)                 -> module hash (32) || deployer pubkey (32) || deploy height u64 LE
 *   0x03 || instance id (32) || storage key  -> the stored value (never empty)
 *   0x04 || account or instance id (32)      -> native balance, u64 LE (absent = 0)
 *   0x05                                     -> chain parameters (params.ts), set at genesis
 *   0x06                                     -> genesis salt (32), set at genesis: the genesis block's
 *                                               state root, and so its hash (the genesis hash), commit to it
 */
export const NS_ACCOUNT = 0x01;
export const NS_CONTRACT = 0x02;
export const NS_STORAGE = 0x03;
export const NS_BALANCE = 0x04;
export const NS_PARAMS = 0x05;
export const NS_GENESIS_SALT = 0x06;

export const accountKey = (pubkey: Uint8Array): Uint8Array => concat(Uint8Array.of(NS_ACCOUNT), pubkey);
export const contractKey = (id: Uint8Array): Uint8Array => concat(Uint8Array.of(NS_CONTRACT), id);
export const storageKey = (id: Uint8Array, key: Uint8Array): Uint8Array => concat(Uint8Array.of(NS_STORAGE), id, key);
export const balanceKey = (id: Uint8Array): Uint8Array => concat(Uint8Array.of(NS_BALANCE), id);
export const PARAMS_KEY = Uint8Array.of(NS_PARAMS);
export const GENESIS_SALT_KEY = Uint8Array.of(NS_GENESIS_SALT);

/** The host's view of state (vm/host store.ts): the empty key is an id's balance, any other a storage key. */
export const hostKey = (id: Uint8Array, key: Uint8Array): Uint8Array => (key.length === 0 ? balanceKey(id) : storageKey(id, key));

const CONTRACT_DOMAIN = new TextEncoder().encode("mote/contract");

/**
 * A new instance's id: SHA-256("mote/contract" || genesis hash || deployer || deployer's nonce u64 LE).
 * No one can take another's, and the same deployer deploying at the same nonce on two chains gets two
 * ids, so a message a device signs for an instance (its id inside) counts on one chain only.
 */
export function instanceId(genesisHash: Uint8Array, deployer: Uint8Array, nonce: bigint): Uint8Array {
  if (genesisHash.length !== 32) throw new RangeError(`genesis hash must be 32 bytes, got ${genesisHash.length}`);
  return sha256(concat(CONTRACT_DOMAIN, genesisHash, deployer, u64le(nonce)));
}

export function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

export function readU64le(b: Uint8Array): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
}

export interface ContractInfo {
  /** The instance id. */
  id: Uint8Array;
  /** SHA-256 of the module bytes the instance runs (shared by every instance of that module). */
  moduleHash: Uint8Array;
  deployer: Uint8Array;
  height: bigint;
}

/** One block's effects, in write order collapsed to the last value per key (empty value = deleted). */
export interface StateDiff {
  writes: Map<string, { key: Uint8Array; value: Uint8Array }>;
  modules: Map<string, Uint8Array>;
  /** State-tree nodes the block created, (hash, stored form); filled in when the block is finished. */
  nodes?: [Uint8Array, Uint8Array][];
}

/** Reads state; `WorldState` reads committed state, `BlockOverlay` reads through a block's pending writes. */
export interface StateView {
  read(key: Uint8Array): Uint8Array | undefined;
  module(id: Uint8Array): Uint8Array | undefined;
}

/** Module bytes by hash read from a store, and how many to keep in memory. */
export type ModuleLoader = (id: Uint8Array) => Uint8Array | undefined;
const MODULE_CACHE = 256;

/**
 * The committed state: in memory (`new WorldState()`: genesis, replays), or over a store
 * (`WorldState.stored`), whose tree nodes and modules are read on demand, so opening costs O(1) in the
 * size of the state and memory stays bounded (see smt.ts RESIDENT_NODES).
 */
export class WorldState implements StateView {
  private readonly modules = new Map<string, Uint8Array>();

  constructor(
    readonly tree = new SparseMerkleTree(),
    private readonly loadModuleBytes: ModuleLoader | null = null,
  ) {}

  /** The state whose tree root is `treeRoot`, read from a store's nodes and modules. */
  static stored(treeRoot: Uint8Array, loadNode: NodeLoader, loadModule: ModuleLoader): WorldState {
    return new WorldState(SparseMerkleTree.stored(treeRoot, loadNode), loadModule);
  }

  read(key: Uint8Array): Uint8Array | undefined {
    return this.tree.get(key);
  }

  module(id: Uint8Array): Uint8Array | undefined {
    const k = hex(id);
    const m = this.modules.get(k);
    if (m || !this.loadModuleBytes) return m;
    const loaded = this.loadModuleBytes(id);
    // modules are content-addressed: a row that does not hash to its id is not that module
    if (!loaded || !bytesEqual(sha256(loaded), id)) return undefined;
    if (this.modules.size >= MODULE_CACHE) this.modules.clear();
    this.modules.set(k, loaded);
    return loaded;
  }

  /** Loads the whole state at once (an in-memory state); `stored`: its tree nodes are in the store already. */
  loadEntries(entries: Iterable<[Uint8Array, Uint8Array]>, stored: boolean): void {
    this.tree.load(entries, stored);
  }

  loadModule(id: Uint8Array, bytes: Uint8Array): void {
    this.modules.set(hex(id), bytes);
  }

  /** Applies a block's diff (and records the tree nodes it created in it); the returned function takes it back. */
  apply(diff: StateDiff): () => void {
    const undoTree = this.tree.applyAll(diff.writes.values());
    diff.nodes = this.tree.takeNewNodes();
    const added = [...diff.modules.keys()].filter((id) => !this.modules.has(id));
    for (const [id, bytes] of diff.modules) this.modules.set(id, bytes);
    return () => {
      undoTree();
      for (const id of added) this.modules.delete(id);
    };
  }

  root(): Uint8Array {
    return this.tree.root();
  }

  prove(key: Uint8Array): StateProof {
    return this.tree.prove(key);
  }
}

/** A block's (or a single call's) pending writes on top of a view; committed by WorldState.apply. */
export class BlockOverlay implements StateView {
  readonly diff: StateDiff = { writes: new Map(), modules: new Map() };

  constructor(readonly base: StateView) {}

  read(key: Uint8Array): Uint8Array | undefined {
    const w = this.diff.writes.get(hex(key));
    if (w) return w.value.length === 0 ? undefined : w.value;
    return this.base.read(key);
  }

  write(key: Uint8Array, value: Uint8Array): void {
    const cur = this.read(key);
    if ((cur === undefined && value.length === 0) || (cur !== undefined && bytesEqual(cur, value))) return;
    this.diff.writes.set(hex(key), { key: key.slice(), value: value.slice() });
  }

  module(id: Uint8Array): Uint8Array | undefined {
    return this.diff.modules.get(hex(id)) ?? this.base.module(id);
  }

  addModule(id: Uint8Array, bytes: Uint8Array): void {
    this.diff.modules.set(hex(id), bytes.slice());
  }

  /** Applies this overlay's writes to the overlay (or view) below it: a transaction that ended ok. */
  mergeInto(below: BlockOverlay): void {
    for (const { key, value } of this.diff.writes.values()) below.write(key, value);
    for (const [id, bytes] of this.diff.modules) below.diff.modules.set(id, bytes);
  }

  /** The VM's view of state: (instance id, key) mapped into the storage namespace, the empty key to the balance. */
  storage(): StateStore {
    return {
      get: (contract, key) => this.read(hostKey(contract, key)),
      set: (contract, key, value) => this.write(hostKey(contract, key), value),
    };
  }
}

/** The VM's storage view for read-only queries: reads committed state, drops every write. */
export function readOnlyStorage(view: StateView): StateStore {
  return { get: (contract, key) => view.read(hostKey(contract, key)), set: () => {} };
}

export function balanceOf(view: StateView, id: Uint8Array): bigint {
  const v = view.read(balanceKey(id));
  return v ? readU64le(v) : 0n;
}

/** Writes a balance (0 deletes the entry). */
export function setBalance(o: BlockOverlay, id: Uint8Array, amount: bigint): void {
  o.write(balanceKey(id), amount === 0n ? new Uint8Array(0) : u64le(amount));
}

export function paramsOf(view: StateView): ChainParams {
  const v = view.read(PARAMS_KEY);
  if (!v) throw new Error("the state holds no chain parameters (not a v2 genesis)");
  return decodeParams(v);
}

export function nonceOf(view: StateView, sender: Uint8Array): bigint {
  const v = view.read(accountKey(sender));
  return v ? readU64le(v) : 0n;
}

/** The instance record: module hash || deployer || deploy height. */
export function concatInfo(moduleHash: Uint8Array, deployer: Uint8Array, height: bigint): Uint8Array {
  return concat(moduleHash, deployer, u64le(height));
}

export function contractOf(view: StateView, id: Uint8Array): ContractInfo | undefined {
  const v = view.read(contractKey(id));
  if (!v) return undefined;
  return { id: id.slice(), moduleHash: v.slice(0, 32), deployer: v.slice(32, 64), height: readU64le(v.subarray(64, 72)) };
}
