// The Node host's per-call shortcuts (issue 15 point 1), each against the bug it would have: interned
// storage keys (vm/host/keys.ts) never merge two keys whose hashes collide and survive the table starting
// over; no write of one call (the overlay was once shared by a VM's calls) reaches the next; the cached
// copy of `self` follows the caller's bytes, not its array. On both engines.
import { beforeAll, describe, expect, it } from "vitest";
import { keyHash, KeyTable } from "../../vm/host/keys.ts";
import { MemoryStateStore, MoteVM, resultToJson, type EngineKind, type StateStore } from "../../vm/host/index.ts";
import { byteKey, keyBytes } from "../../vm/host/store.ts";
import { prog } from "./helpers.ts";

const latin1 = (mem: Uint8Array) => (ptr: number, len: number): string => byteKey(mem.subarray(ptr, ptr + len));
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Two distinct `len`-byte strings (found once per prefix and length) starting with `prefix` whose keyHash is equal (birthday search, deterministic). */
const pairs = new Map<string, [Uint8Array, Uint8Array]>();
function collidingPair(prefix: number[], len: number): [Uint8Array, Uint8Array] {
  const id = `${prefix.join(",")}/${len}`;
  let p = pairs.get(id);
  if (!p) pairs.set(id, (p = searchPair(prefix, len)));
  return p;
}
function searchPair(prefix: number[], len: number): [Uint8Array, Uint8Array] {
  const seen = new Map<number, Uint8Array>();
  for (let i = 0; i < 1 << 21; i++) {
    const k = new Uint8Array(len);
    k.set(prefix);
    new DataView(k.buffer).setUint32(prefix.length, i, true);
    k[len - 1] = i % 251; // vary the tail too, so the compare's byte-by-byte part is exercised
    const h = keyHash(view(k), 0, len);
    const other = seen.get(h);
    if (other) return [other, k];
    seen.set(h, k);
  }
  throw new Error("no colliding pair found");
}

describe("KeyTable", () => {
  it("two keys with equal hashes get their own strings (a byte compare decides, never the hash)", () => {
    const [a, b] = collidingPair([7], 33);
    expect(keyHash(view(a), 0, 33)).toBe(keyHash(view(b), 0, 33));
    const mem = new Uint8Array(128);
    mem.set(a, 0);
    mem.set(b, 64);
    const t = new KeyTable(latin1(mem));
    for (let round = 0; round < 3; round++) {
      expect(t.intern(mem, 0, 33)).toBe(byteKey(a));
      expect(t.intern(mem, 64, 33)).toBe(byteKey(b));
    }
    expect(t.size).toBe(2);
  });

  it("a prefix, the same bytes one longer, and the empty key are three keys", () => {
    const mem = Uint8Array.of(5, 6, 0, 0, 9);
    const t = new KeyTable(latin1(mem));
    expect([t.intern(mem, 0, 2), t.intern(mem, 0, 3), t.intern(mem, 0, 0), t.intern(mem, 2, 2)]).toEqual(["\x05\x06", "\x05\x06\x00", "", "\x00\x00"]);
    expect(t.intern(mem, 0, 3)).toBe("\x05\x06\x00");
    expect(t.size).toBe(4);
  });

  it("answers the key's own bytes after the memory under it changed (no answer from a stale position)", () => {
    const mem = Uint8Array.of(1, 2, 3, 4);
    const t = new KeyTable(latin1(mem));
    expect(t.intern(mem, 0, 4)).toBe("\x01\x02\x03\x04");
    mem[3] = 5;
    expect(t.intern(mem, 0, 4)).toBe("\x01\x02\x03\x05");
    mem[3] = 4;
    expect(t.intern(mem, 0, 4)).toBe("\x01\x02\x03\x04");
  });

  it("keyBytes gives back the bytes of a byteKey, every byte value and the empty key", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    expect(keyBytes(byteKey(all))).toEqual(all);
    expect(keyBytes("")).toEqual(new Uint8Array(0));
  });

  it("starts over when full, and every answer is still the key's own bytes", () => {
    const mem = new Uint8Array(64 * 40);
    for (let i = 0; i < 40; i++) mem.fill(i, i * 64, i * 64 + 40 - i); // 40 keys of lengths 40..1
    const t = new KeyTable(latin1(mem), 4, 64);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) expect(t.intern(mem, i * 64, 40 - i)).toBe(byteKey(mem.subarray(i * 64, i * 64 + 40 - i)));
    }
    expect(t.resets).toBeGreaterThan(0);
    expect(t.size).toBeLessThanOrEqual(4);
  });
});

/**
 * Two distinct 9-byte keys whose keyHash is equal, differing only in their two four-byte steps (one step alone
 * cannot collide: each step is a bijection of the hash so far), the ninth byte equal (birthday search, deterministic).
 */
function collidingInSteps(): [Uint8Array, Uint8Array] {
  // a counter across the two steps (bytes 2 to 5), the ninth byte fixed
  const key = (i: number): Uint8Array => {
    const k = new Uint8Array(9).fill(0x5a);
    new DataView(k.buffer).setUint32(2, i, true);
    return k;
  };
  const seen = new Map<number, number>();
  for (let i = 0; i < 1 << 22; i++) {
    const h = keyHash(view(key(i)), 0, 9);
    const other = seen.get(h);
    if (other !== undefined) return [key(other), key(i)];
    seen.set(h, i);
  }
  throw new Error("no colliding pair found");
}

describe("KeyTable: the byte compare and the pool", () => {
  it("two keys with equal hashes that differ only in their four-byte steps are two keys", () => {
    const [a, b] = collidingInSteps();
    expect(keyHash(view(a), 0, 9)).toBe(keyHash(view(b), 0, 9));
    expect(a[8]).toBe(b[8]);
    const mem = new Uint8Array(32);
    mem.set(a, 0);
    mem.set(b, 16);
    const t = new KeyTable(latin1(mem));
    for (let round = 0; round < 2; round++) {
      expect(t.intern(mem, 0, 9)).toBe(byteKey(a));
      expect(t.intern(mem, 16, 9)).toBe(byteKey(b));
    }
    expect(t.size).toBe(2);
  });

  it("a key's hash changes with every byte of it (each four-byte step and each byte after them is mixed in)", () => {
    for (const len of [4, 7, 8, 33, 64]) {
      const k = Uint8Array.from({ length: len }, (_, i) => (i * 37 + 11) & 0xff);
      const h = keyHash(view(k), 0, len);
      for (let i = 0; i < len; i++) {
        const c = k.slice();
        c[i]! ^= 1;
        expect(keyHash(view(c), 0, len), `length ${len}, byte ${i}`).not.toBe(h);
      }
    }
  });

  it("the key bytes' pool holds maxEntries * 40 + maxKeyBytes bytes: a key that fits exactly is kept, one byte more starts over", () => {
    // 4 entries of at most 64 bytes: a pool of 4 * 40 + 64 = 224 bytes
    const mem = new Uint8Array(256);
    for (let i = 0; i < mem.length; i++) mem[i] = (i * 7 + 3) & 0xff;
    const fill = (last: number): KeyTable => {
      const t = new KeyTable(latin1(mem), 4, 64);
      for (let i = 0; i < 3; i++) expect(t.intern(mem, i * 64, 64)).toBe(byteKey(mem.subarray(i * 64, i * 64 + 64)));
      expect(t.intern(mem, 192, last)).toBe(byteKey(mem.subarray(192, 192 + last)));
      return t;
    };
    const exact = fill(32);
    expect(exact.resets).toBe(0);
    expect(exact.size).toBe(4);
    // all four still answered from the table, each its own bytes
    for (let i = 0; i < 3; i++) expect(exact.intern(mem, i * 64, 64)).toBe(byteKey(mem.subarray(i * 64, i * 64 + 64)));
    expect(exact.size).toBe(4);
    const over = fill(33);
    expect(over.resets).toBe(1);
    expect(over.size).toBe(1);
  });
});

describe("MemoryStateStore's last-contract cache", () => {
  it("follows a contract emptied and filled again, and alternation between contracts, through keyed and plain access", () => {
    const s = new MemoryStateStore();
    const c1 = new Uint8Array(32).fill(1);
    const c2 = new Uint8Array(32).fill(2);
    const [k1, k2] = [byteKey(c1), byteKey(c2)];
    s.setKeyed(c1, null, "a", Uint8Array.of(1), k1);
    s.setKeyed(c1, null, "a", new Uint8Array(0), k1); // the contract's last key: its entries are gone
    expect(s.getKeyed(c1, null, "a", k1)).toBeUndefined();
    s.setKeyed(c1, null, "b", Uint8Array.of(2), k1); // a new map for it, which the cache must now hold
    expect(s.getKeyed(c1, null, "b", k1)).toEqual(Uint8Array.of(2));
    expect(s.get(c1, new TextEncoder().encode("b"))).toEqual(Uint8Array.of(2));
    s.setKeyed(c2, null, "b", Uint8Array.of(3), k2);
    expect(s.getKeyed(c1, null, "b", k1)).toEqual(Uint8Array.of(2));
    expect(s.getKeyed(c2, null, "b")).toEqual(Uint8Array.of(3)); // without ck: the store keys the id itself
    expect(s.toJSON()).toEqual({ ["0x" + "01".repeat(32)]: { "0x62": "0x02" }, ["0x" + "02".repeat(32)]: { "0x62": "0x03" } });
  });
});

// map slot 1 with byte-string keys: get(k) -> u64, put(k, v), and put then revert
const mapGet = prog("lget0\nmload 1 1\nret", { args: "b" });
const mapPut = prog("lget0\nlget1\nmstore 1 1\nret", { args: "bi", results: 0 });
const mapPutThenRevert = prog("lget0\nlget1\nmstore 1 1\nrevert 3", { args: "bi", results: 0 });
const mapPutTwo = prog("lget0\npush 5\nmstore 1 1\nlget1\npush 7\nmstore 1 1\nlget0\nmload 1 1\nlget1\nmload 1 1\nmul\nret", { args: "bb" });

for (const engine of ["interp", "fast"] as EngineKind[]) {
  describe(`host overhead shortcuts, ${engine} engine`, () => {
    let vm: MoteVM;
    beforeAll(async () => {
      vm = await MoteVM.create({ engine });
    });
    const G = 50_000_000;
    // every program below runs as one contract instance (by default each module would be its own)
    const SELF = new Uint8Array(32).fill(0x5e);

    it("storage keys whose hashes collide are two keys in the overlay and in the store", () => {
      // the storage key is the slot byte (1) and the 32-byte map key: make those 33 bytes collide
      const [ka, kb] = collidingPair([1], 33).map((k) => k.subarray(1));
      const store = new MemoryStateStore();
      // in one call: both writes in the overlay, each read sees its own (5 * 7)
      expect(vm.call(mapPutTwo, "f", [ka!, kb!], { store, self: SELF, gas: G })).toMatchObject({ status: "ok", returns: [35n] });
      expect(vm.call(mapGet, "f", [ka!], { store, self: SELF, gas: G }).returns).toEqual([5n]);
      expect(vm.call(mapGet, "f", [kb!], { store, self: SELF, gas: G }).returns).toEqual([7n]);
      // across calls: a write to one never shows under the other
      vm.call(mapPut, "f", [kb!, 11n], { store, self: SELF, gas: G });
      expect(vm.call(mapGet, "f", [ka!], { store, self: SELF, gas: G }).returns).toEqual([5n]);
      expect(vm.call(mapGet, "f", [kb!], { store, self: SELF, gas: G }).returns).toEqual([11n]);
      expect([...store.entries()].map(([, k]) => k).sort()).toEqual(["0x01" + Buffer.from(ka!).toString("hex"), "0x01" + Buffer.from(kb!).toString("hex")].sort());
    });

    it("a reverted call's write is seen neither by the next call nor by the store (the overlay is the call's own)", () => {
      const store = new MemoryStateStore();
      const other = new MemoryStateStore();
      const k = new Uint8Array(32).fill(0x42);
      expect(vm.call(mapPutThenRevert, "f", [k, 99n], { store, self: SELF, gas: G })).toMatchObject({ status: "revert", error: 3 });
      expect(vm.call(mapGet, "f", [k], { store, self: SELF, gas: G }).returns).toEqual([0n]);
      expect(vm.call(mapGet, "f", [k], { store: other, self: SELF, gas: G }).returns).toEqual([0n]);
      // an ok call commits only its own write, not the reverted one's
      vm.call(mapPutThenRevert, "f", [k, 99n], { store, self: SELF, gas: G });
      vm.call(mapPut, "f", [new Uint8Array(32).fill(0x43), 1n], { store: other, self: SELF, gas: G });
      expect([...store.entries()]).toEqual([]);
      expect([...other.entries()]).toHaveLength(1);
      // after an ok call, nothing of it is left for the next call on another store
      vm.call(mapPut, "f", [k, 8n], { store, self: SELF, gas: G });
      expect(vm.call(mapGet, "f", [k], { store: other, self: SELF, gas: G }).returns).toEqual([0n]);
      expect(vm.call(mapGet, "f", [k], { store, self: SELF, gas: G }).returns).toEqual([8n]);
    });

    it("`self` is the caller's bytes at each call: the same array changed in place is another contract", () => {
      const store = new MemoryStateStore();
      const self = new Uint8Array(32).fill(1);
      const k = new Uint8Array(32).fill(9);
      vm.call(mapPut, "f", [k, 1n], { store, self, gas: G });
      self[31] = 2; // the caller reuses its array for another instance
      vm.call(mapPut, "f", [k, 2n], { store, self, gas: G });
      expect(vm.call(mapGet, "f", [k], { store, self: new Uint8Array(32).fill(1), gas: G }).returns).toEqual([1n]);
      expect(vm.call(mapGet, "f", [k], { store, self, gas: G }).returns).toEqual([2n]);
      expect([...store.entries()].map(([c]) => c.slice(-2))).toEqual(["01", "02"]);
    });

    it("without `self`, a call runs as its own module's id: after another module, and after the caller changed verify's id", () => {
      const store = new MemoryStateStore();
      const k = new Uint8Array(32).fill(3);
      const put = vm.verify(mapPut);
      const get = vm.verify(mapGet);
      if (!put.ok || !get.ok) throw new Error("test modules do not verify");
      vm.call(mapPut, "f", [k, 4n], { store, gas: G });
      expect(vm.call(mapGet, "f", [k], { store, gas: G }).returns).toEqual([0n]); // another module: another instance
      expect(vm.call(mapGet, "f", [k], { store, self: put.id, gas: G }).returns).toEqual([4n]);
      const again = vm.verify(mapPut);
      if (!again.ok) throw new Error("unreachable");
      again.id.fill(0); // the caller's copy of the id; the next call still runs as the module's id
      vm.call(mapPut, "f", [k, 6n], { store, gas: G });
      expect([...store.entries()].map(([c, , v]) => [c, v])).toEqual([["0x" + Buffer.from(put.id).toString("hex"), "0x0600000000000000"]]);
    });

    it("the context a call omits is 0, never what the previous call set; a negative time wraps as a u64", () => {
      const store = new MemoryStateStore();
      const ctxOf = prog("now\nheight\nvalue\nlget0\nadd\nadd\nadd\nret", { args: "i" });
      const now = (o: { timestamp?: bigint; height?: bigint; value?: bigint }, x = 0n) => vm.call(ctxOf, "f", [x], { store, gas: G, ...o });
      expect(now({ timestamp: 5n, height: 7n, value: 11n })).toMatchObject({ status: "ok", returns: [23n] });
      expect(now({}).returns).toEqual([0n]);
      expect(now({ timestamp: 2n ** 40n }).returns).toEqual([2n ** 40n]);
      expect(now({ timestamp: 0n, height: 0n, value: 0n }).returns).toEqual([0n]);
      expect(now({ timestamp: -1n }, 1n).returns).toEqual([0n]); // 2^64 - 1 + 1 wraps to 0 in add
      expect(now({ height: -2n }, 2n).returns).toEqual([0n]);
      expect(() => now({ value: -1n })).toThrow("value must be a u64");
    });

    it("a store with only get and set (no keyed shortcuts) sees the same reads and writes as MemoryStateStore", () => {
      const mem = new MemoryStateStore();
      const plain = new MemoryStateStore();
      const bare: StateStore = { get: (c, k) => plain.get(c, k), set: (c, k, v) => plain.set(c, k, v) };
      const [ka, kb] = collidingPair([1], 33).map((k) => k.subarray(1));
      for (const store of [mem, bare]) {
        vm.call(mapPutTwo, "f", [ka!, kb!], { store, self: SELF, gas: G });
        vm.call(mapPutThenRevert, "f", [ka!, 1n], { store, self: SELF, gas: G });
        vm.call(mapPut, "f", [kb!, 3n], { store, self: SELF, gas: G });
      }
      expect([...plain.entries()]).toEqual([...mem.entries()]);
      expect(resultToJson(vm.call(mapGet, "f", [ka!], { store: bare, self: SELF, gas: G }))).toBe(resultToJson(vm.call(mapGet, "f", [ka!], { store: mem, self: SELF, gas: G })));
    });
  });
}
