// ledger/state.ts held to its comments: state keys by namespace (docs/ledger.md), modules content-addressed
// (a stored row that does not hash to its id is not that module) behind a bounded cache, a block overlay whose
// reads see its own writes and deletions, whose no-op writes leave no diff, which merges into the overlay below,
// and whose application to the committed state can be taken back; the VM's storage views.
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  accountKey,
  balanceKey,
  balanceOf,
  BlockOverlay,
  concatInfo,
  contractKey,
  contractOf,
  GENESIS_SALT_KEY,
  hostKey,
  instanceId,
  nonceOf,
  PARAMS_KEY,
  paramsOf,
  readOnlyStorage,
  setBalance,
  storageKey,
  u64le,
  WorldState,
} from "../../ledger/state.ts";
import { concat, hex } from "../../ledger/bytes.ts";
import { encodeParams } from "../../ledger/params.ts";
import { verifyStateProof } from "../../ledger/proof.ts";

const id = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const module = (n: number): Uint8Array => Uint8Array.of(0x4d, 0x4f, 0x54, 0x45, n & 0xff, n >> 8);

describe("state keys", () => {
  it("put each kind of entry in its own namespace, as docs/ledger.md lists them", () => {
    expect(accountKey(id(1))).toEqual(Uint8Array.of(0x01, ...id(1)));
    expect(contractKey(id(2))).toEqual(Uint8Array.of(0x02, ...id(2)));
    expect(storageKey(id(3), Uint8Array.of(9, 8))).toEqual(Uint8Array.of(0x03, ...id(3), 9, 8));
    expect(balanceKey(id(4))).toEqual(Uint8Array.of(0x04, ...id(4)));
    expect(PARAMS_KEY).toEqual(Uint8Array.of(0x05));
    expect(GENESIS_SALT_KEY).toEqual(Uint8Array.of(0x06));
    // the host's empty key is the id's balance, any other key its storage
    expect(hostKey(id(5), new Uint8Array(0))).toEqual(balanceKey(id(5)));
    expect(hostKey(id(5), Uint8Array.of(0))).toEqual(storageKey(id(5), Uint8Array.of(0)));
  });

  it("derive an instance id from the genesis hash, deployer and nonce, and refuse a genesis hash not 32 bytes", () => {
    const want = sha256(concat(new TextEncoder().encode("mote/contract"), id(7), id(8), u64le(3n)));
    expect(instanceId(id(7), id(8), 3n)).toEqual(want);
    expect(instanceId(id(7), id(8), 4n)).not.toEqual(want);
    expect(() => instanceId(new Uint8Array(31), id(8), 3n)).toThrow(/^genesis hash must be 32 bytes, got 31$/);
    expect(() => instanceId(new Uint8Array(33), id(8), 3n)).toThrow(/^genesis hash must be 32 bytes, got 33$/);
  });
});

describe("modules over a store", () => {
  /** A store of n modules by hash, counting reads; `forged` maps an id to other bytes. */
  function store(n: number, forged = new Map<string, Uint8Array>()) {
    const rows = new Map<string, Uint8Array>();
    const ids: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const m = module(i);
      ids.push(sha256(m));
      rows.set(hex(sha256(m)), m);
    }
    const reads = { n: 0 };
    const load = (k: Uint8Array) => {
      reads.n++;
      return forged.get(hex(k)) ?? rows.get(hex(k));
    };
    return { ids, reads, load };
  }

  it("returns a module whose bytes hash to its id, and not a row that does not", () => {
    const s = store(2, new Map([[hex(sha256(module(1))), module(99)]]));
    const w = WorldState.stored(new Uint8Array(32), () => undefined, s.load);
    expect(w.module(s.ids[0]!)).toEqual(module(0));
    expect(w.module(s.ids[1]!)).toBeUndefined();
    expect(w.module(id(9))).toBeUndefined();
  });

  it("reads a module from the store once, and empties its cache when it holds 256", () => {
    const s = store(257);
    const w = WorldState.stored(new Uint8Array(32), () => undefined, s.load);
    for (let i = 0; i < 256; i++) expect(w.module(s.ids[i]!)).toEqual(module(i));
    expect(s.reads.n).toBe(256);
    for (let i = 0; i < 256; i++) w.module(s.ids[i]!);
    expect(s.reads.n).toBe(256);
    // the 257th fills a full cache: it is emptied first, so module 0 is read from the store again
    expect(w.module(s.ids[256]!)).toEqual(module(256));
    expect(s.reads.n).toBe(257);
    expect(w.module(s.ids[0]!)).toEqual(module(0));
    expect(s.reads.n).toBe(258);
    expect(w.module(s.ids[256]!)).toEqual(module(256));
    expect(s.reads.n).toBe(258);
  });

  it("an in-memory state knows only the modules given to it", () => {
    const w = new WorldState();
    expect(w.module(sha256(module(1)))).toBeUndefined();
    w.loadModule(sha256(module(1)), module(1));
    expect(w.module(sha256(module(1)))).toEqual(module(1));
  });
});

describe("block overlay", () => {
  const committed = (): WorldState => {
    const w = new WorldState();
    w.loadEntries([[storageKey(id(1), Uint8Array.of(1)), Uint8Array.of(10)]], false);
    return w;
  };
  const k1 = storageKey(id(1), Uint8Array.of(1));
  const k2 = storageKey(id(1), Uint8Array.of(2));

  it("reads its own writes and deletions over the view below", () => {
    const o = new BlockOverlay(committed());
    expect(o.read(k1)).toEqual(Uint8Array.of(10));
    o.write(k1, new Uint8Array(0));
    expect(o.read(k1)).toBeUndefined();
    o.write(k2, Uint8Array.of(20));
    expect(o.read(k2)).toEqual(Uint8Array.of(20));
    expect([...o.diff.writes.values()].map((w) => [hex(w.key), hex(w.value)])).toEqual([
      [hex(k1), ""],
      [hex(k2), "14"],
    ]);
  });

  it("leaves no diff for a write that changes nothing: the same value, or deleting what is absent", () => {
    const o = new BlockOverlay(committed());
    o.write(k1, Uint8Array.of(10));
    o.write(k2, new Uint8Array(0));
    expect(o.diff.writes.size).toBe(0);
    o.write(k1, Uint8Array.of(11));
    expect(o.diff.writes.size).toBe(1);
  });

  it("keeps copies: changing the caller's arrays after a write changes nothing", () => {
    const o = new BlockOverlay(committed());
    const key = k2.slice();
    const value = Uint8Array.of(5);
    o.write(key, value);
    value[0] = 6;
    key[1] = 0xee;
    expect(o.read(k2)).toEqual(Uint8Array.of(5));
    expect([...o.diff.writes.values()][0]!.key).toEqual(k2);
    const bytes = module(3);
    o.addModule(id(3), bytes);
    bytes[0] = 0;
    expect(o.module(id(3))).toEqual(module(3));
  });

  it("merges a transaction's writes, deletions and modules into the block's overlay", () => {
    const block = new BlockOverlay(committed());
    const txo = new BlockOverlay(block);
    txo.write(k1, new Uint8Array(0));
    txo.write(k2, Uint8Array.of(7));
    txo.addModule(id(4), module(4));
    expect(block.read(k2)).toBeUndefined();
    expect(block.module(id(4))).toBeUndefined();
    txo.mergeInto(block);
    expect(block.read(k1)).toBeUndefined();
    expect(block.read(k2)).toEqual(Uint8Array.of(7));
    expect(block.module(id(4))).toEqual(module(4));
  });

  it("applies to the committed state, proves the result, and is taken back by the function apply returns", () => {
    const w = committed();
    w.loadModule(id(1), module(1));
    const before = w.root();
    const o = new BlockOverlay(w);
    o.write(k2, Uint8Array.of(7));
    o.addModule(id(1), module(1));
    o.addModule(id(2), module(2));
    const undo = w.apply(o.diff);
    expect(o.diff.nodes!.length).toBeGreaterThan(0);
    expect(w.read(k2)).toEqual(Uint8Array.of(7));
    expect(w.module(id(2))).toEqual(module(2));
    const after = w.root();
    expect(after).not.toEqual(before);
    expect(verifyStateProof(after, w.prove(k2))).toEqual({ ok: true, value: Uint8Array.of(7) });
    undo();
    expect(w.root()).toEqual(before);
    expect(w.read(k2)).toBeUndefined();
    expect(w.module(id(2))).toBeUndefined();
    // a module the state held before the block stays
    expect(w.module(id(1))).toEqual(module(1));
  });

  it("gives the VM storage (empty key = balance) and a read-only view that drops writes", () => {
    const o = new BlockOverlay(committed());
    const s = o.storage();
    expect(s.get(id(1), Uint8Array.of(1))).toEqual(Uint8Array.of(10));
    s.set(id(1), new Uint8Array(0), u64le(500n));
    expect(balanceOf(o, id(1))).toBe(500n);
    s.set(id(1), Uint8Array.of(2), Uint8Array.of(3));
    expect(o.read(k2)).toEqual(Uint8Array.of(3));
    const r = readOnlyStorage(o);
    expect(r.get(id(1), new Uint8Array(0))).toEqual(u64le(500n));
    r.set(id(1), Uint8Array.of(2), Uint8Array.of(4));
    expect(o.read(k2)).toEqual(Uint8Array.of(3));
  });
});

describe("typed reads", () => {
  it("balances and nonces are absent as 0; a zero balance deletes the entry", () => {
    const o = new BlockOverlay(new WorldState());
    expect(balanceOf(o, id(1))).toBe(0n);
    expect(nonceOf(o, id(1))).toBe(0n);
    setBalance(o, id(1), 2n ** 64n - 1n);
    expect(balanceOf(o, id(1))).toBe(2n ** 64n - 1n);
    expect(o.read(balanceKey(id(1)))).toEqual(u64le(2n ** 64n - 1n));
    setBalance(o, id(1), 0n);
    expect(o.read(balanceKey(id(1)))).toBeUndefined();
    expect(balanceOf(o, id(1))).toBe(0n);
    o.write(accountKey(id(1)), u64le(41n));
    expect(nonceOf(o, id(1))).toBe(41n);
  });

  it("chain parameters: absent is an error naming why, present decodes", () => {
    const o = new BlockOverlay(new WorldState());
    expect(() => paramsOf(o)).toThrow(/^the state holds no chain parameters \(not a v2 genesis\)$/);
    const params = { minGasPrice: 3n, blockGasLimit: 1000n, feeAccount: id(6) };
    o.write(PARAMS_KEY, encodeParams(params));
    expect(paramsOf(o)).toEqual(params);
  });

  it("an instance record: module hash, deployer, deploy height", () => {
    const o = new BlockOverlay(new WorldState());
    expect(contractOf(o, id(2))).toBeUndefined();
    o.write(contractKey(id(2)), concatInfo(id(3), id(4), 77n));
    const asked = id(2);
    const info = contractOf(o, asked)!;
    asked.fill(0);
    expect(info).toEqual({ id: id(2), moduleHash: id(3), deployer: id(4), height: 77n });
  });
});
