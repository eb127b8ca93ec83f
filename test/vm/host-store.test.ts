// The Node host's in-memory contract storage (vm/host/store.ts), against what it documents: an empty value
// deletes, set keeps a copy, entries come sorted by contract then key in byte order, JSON round-trips, and
// the one-entry contract-id cache never answers for an id that merely shares an array or a prefix with the
// last one (issue 20: tests for vm/host/ ahead of its Stryker runs).
import { describe, expect, it } from "vitest";
import { byteKey, fromHex, MemoryStateStore, toHex } from "../../vm/host/store.ts";

const b = (...x: number[]) => Uint8Array.of(...x);

describe("MemoryStateStore", () => {
  it("an empty value deletes the key, and a contract with no keys left is gone from entries and JSON", () => {
    const s = new MemoryStateStore();
    s.set(b(1), b(0x10), b(7));
    s.set(b(1), b(0x11), b(8));
    s.set(b(1), b(0x10), new Uint8Array(0));
    expect(s.get(b(1), b(0x10))).toBeUndefined();
    expect(s.get(b(1), b(0x11))).toEqual(b(8));
    s.set(b(1), b(0x11), new Uint8Array(0));
    expect([...s.entries()]).toEqual([]);
    expect(s.toJSON()).toEqual({});
    s.set(b(2), b(0x10), new Uint8Array(0)); // deleting what was never there changes nothing
    expect([...s.entries()]).toEqual([]);
  });

  it("keeps a copy of the value: changing the caller's array afterwards changes nothing stored", () => {
    const s = new MemoryStateStore();
    const v = b(1, 2, 3);
    s.set(b(9), b(1), v);
    v[0] = 99;
    expect(s.get(b(9), b(1))).toEqual(b(1, 2, 3));
  });

  it("never answers for another contract: same array changed in place, a prefix, a longer id, one byte apart", () => {
    const s = new MemoryStateStore();
    const id = b(1, 2, 3);
    s.set(id, b(5), b(0xaa));
    id[2] = 4; // the caller reuses its array for another contract
    expect(s.get(id, b(5))).toBeUndefined();
    s.set(id, b(5), b(0xbb));
    expect(s.get(b(1, 2, 3), b(5))).toEqual(b(0xaa));
    expect(s.get(b(1, 2, 4), b(5))).toEqual(b(0xbb));
    expect(s.get(b(1, 2), b(5))).toBeUndefined();
    expect(s.get(b(1, 2, 3, 0), b(5))).toBeUndefined();
    expect(s.get(b(0, 2, 3), b(5))).toBeUndefined();
    expect(s.get(b(1, 2, 3), b(5))).toEqual(b(0xaa));
  });

  it("never answers for a longer id from the contract just used, which its bytes begin with", () => {
    const s = new MemoryStateStore();
    s.set(b(1, 2), b(5), b(0xaa));
    // the last contract used is [1, 2]: an id that starts with it is another contract
    expect(s.get(b(1, 2, 3), b(5))).toBeUndefined();
    s.set(b(1, 2), b(5), b(0xaa));
    s.set(b(1, 2, 0), b(5), b(0xcc));
    expect(s.get(b(1, 2), b(5))).toEqual(b(0xaa));
    expect(s.get(b(1, 2, 0), b(5))).toEqual(b(0xcc));
  });

  it("lists entries sorted by contract, then key, in byte order (0x02 before 0x10 before 0xff, a prefix first)", () => {
    const s = new MemoryStateStore();
    for (const [c, k] of [[b(0xff), b(1)], [b(0x10), b(0xff)], [b(0x10), b(0x02)], [b(0x10), b(0x02, 0)], [b(0x02), b(0x10)]] as const) s.set(c, k, b(1));
    expect([...s.entries()].map(([c, k]) => `${c}/${k}`)).toEqual(["0x02/0x10", "0x10/0x02", "0x10/0x0200", "0x10/0xff", "0xff/0x01"]);
  });

  it("round-trips through JSON, the empty key (a balance) included", () => {
    const s = new MemoryStateStore();
    s.set(b(0xab, 0xcd), new Uint8Array(0), b(0x10, 0, 0, 0, 0, 0, 0, 0));
    s.set(b(0xab, 0xcd), b(1, 2), b(3));
    const json = s.toJSON();
    expect(json).toEqual({ "0xabcd": { "0x": "0x1000000000000000", "0x0102": "0x03" } });
    const t = MemoryStateStore.fromJSON(json);
    expect([...t.entries()]).toEqual([...s.entries()]);
    expect(t.get(b(0xab, 0xcd), new Uint8Array(0))).toEqual(b(0x10, 0, 0, 0, 0, 0, 0, 0));
  });
});

describe("hex and byte keys", () => {
  it("fromHex takes an optional 0x and either case, and refuses odd lengths and non-hex characters by name", () => {
    expect(fromHex("0xABcd")).toEqual(b(0xab, 0xcd));
    expect(fromHex("abcd")).toEqual(b(0xab, 0xcd));
    expect(fromHex("0x")).toEqual(new Uint8Array(0));
    expect(fromHex("")).toEqual(new Uint8Array(0));
    for (const bad of ["0xabc", "abc", "0xzz", "ag", "0x 1", "x0ab"]) expect(() => fromHex(bad)).toThrow(`not a hex string: ${bad}`);
  });

  it("toHex and byteKey read only the view's bytes, not the rest of its buffer", () => {
    const whole = b(1, 2, 3, 4, 5);
    const view = whole.subarray(1, 3);
    expect(toHex(view)).toBe("0203");
    expect(byteKey(view)).toBe("\x02\x03");
    expect(byteKey(b(0xff))).toBe("\xff");
  });
});
