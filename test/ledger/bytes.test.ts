// ledger/bytes.ts, the canonical encoding every ledger format is built on, held to its comments: a writer
// that grows to any size and lays integers out little-endian, a strict reader whose every failure names the
// field and byte offset (relative to a base), tagged values exactly as vm/spec/format.ts lays them out with
// the count and length limits of vm/spec/limits.ts, and the hex and byte helpers.
import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter, bytesEqual, checkValue, compareBytes, concat, fromHex, hex, normValue, readValues, writeValues, type Value } from "../../ledger/bytes.ts";
import { TAG_BYTES, TAG_INT } from "../../vm/spec/format.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { decodeError } from "./helpers.ts";

describe("ByteWriter", () => {
  it("lays integers out little-endian, masked to their width", () => {
    const b = new ByteWriter().u8(0x1ab).u16(0x12345).u32(0x89abcdef).u32(-1).u64(0x0102030405060708n).u64(-1n).finish();
    expect(hex(b)).toBe("ab" + "4523" + "efcdab89" + "ffffffff" + "0807060504030201" + "ffffffffffffffff");
  });

  it("grows past its first buffer to any size, keeping every byte written before", () => {
    for (const sizes of [[255, 1, 1], [256, 1], [300], [100, 600, 2000], [4096, 1]]) {
      const w = new ByteWriter();
      const parts = sizes.map((n, i) => Uint8Array.from({ length: n }, (_, j) => (i * 31 + j) & 0xff));
      for (const p of parts) w.bytes(p);
      expect(w.length).toBe(sizes.reduce((a, b) => a + b, 0));
      expect(w.finish()).toEqual(concat(...parts));
    }
    // one integer at a time across the first buffer's end
    const w = new ByteWriter();
    for (let i = 0; i < 100; i++) w.u32(i).u8(i);
    const r = new ByteReader(w.finish());
    for (let i = 0; i < 100; i++) expect([r.u32("a"), r.u8("b")]).toEqual([i, i]);
    expect(r.remaining).toBe(0);
    const w16 = new ByteWriter().bytes(new Uint8Array(255));
    w16.u16(0xbeef);
    w16.u64(7n);
    expect(hex(w16.finish().subarray(255))).toBe("efbe" + "0700000000000000");
  });

  it("finish returns a copy that later writes do not change", () => {
    const w = new ByteWriter().u8(1);
    const first = w.finish();
    w.u8(2);
    expect(first).toEqual(Uint8Array.of(1));
    expect(w.finish()).toEqual(Uint8Array.of(1, 2));
  });
});

describe("ByteReader", () => {
  const b = Uint8Array.of(0xab, 0x45, 0x23, 0xef, 0xcd, 0xab, 0x89, 8, 7, 6, 5, 4, 3, 2, 1, 9, 9);

  it("reads integers little-endian and tracks offset and remaining", () => {
    const r = new ByteReader(b);
    expect(r.u8("a")).toBe(0xab);
    expect(r.offset).toBe(1);
    expect(r.u16("b")).toBe(0x2345);
    expect(r.u32("c")).toBe(0x89abcdef);
    expect(r.u64("d")).toBe(0x0102030405060708n);
    expect(r.offset).toBe(15);
    expect(r.remaining).toBe(2);
    expect(r.bytes(2, "e")).toEqual(Uint8Array.of(9, 9));
    r.end("thing");
  });

  it("reads a view into a larger buffer from its own start", () => {
    const big = Uint8Array.of(0xff, 0xff, 0xff, ...b);
    const r = new ByteReader(big.subarray(3));
    expect(r.u16("x")).toBe(0x45ab);
    expect(r.u64("y")).toBe(0x06070889abcdef23n);
  });

  it("names the field and the offset (plus the base) of a truncation, with what is needed and what is left", () => {
    const cases: [(r: ByteReader) => unknown, number, string][] = [
      [(r) => r.u8("f8"), 1, "f8"],
      [(r) => r.u16("f16"), 2, "f16"],
      [(r) => r.u32("f32"), 4, "f32"],
      [(r) => r.u64("f64"), 8, "f64"],
      [(r) => r.bytes(5, "fb"), 5, "fb"],
    ];
    for (const [read, need, field] of cases) {
      for (let left = 0; left < need; left++) {
        const r = new ByteReader(new Uint8Array(3 + left), 100);
        r.bytes(3, "head");
        const e = decodeError(() => read(r));
        expect(e.message).toBe(`${field} at byte 103: truncated: needs ${need} byte(s), ${left} left`);
        expect([e.field, e.offset, e.what]).toEqual([field, 103, `truncated: needs ${need} byte(s), ${left} left`]);
      }
      // exactly enough is enough
      const r = new ByteReader(new Uint8Array(need));
      read(r);
      expect(r.remaining).toBe(0);
    }
  });

  it("end refuses trailing bytes, counted, at the first one", () => {
    const r = new ByteReader(new Uint8Array(5), 10);
    r.u16("x");
    expect(decodeError(() => r.end("record")).message).toBe("record at byte 12: 3 trailing byte(s)");
  });

  it("fail names a given offset, else the current one", () => {
    const r = new ByteReader(new Uint8Array(4), 7);
    r.u16("x");
    expect(decodeError(() => r.fail("f", "bad")).message).toBe("f at byte 9: bad");
    expect(decodeError(() => r.fail("f", "bad", 1)).message).toBe("f at byte 8: bad");
  });

  it("bytes are a copy, not a view", () => {
    const src = Uint8Array.of(1, 2, 3);
    const got = new ByteReader(src).bytes(3, "x");
    src[0] = 9;
    expect(got).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe("tagged values", () => {
  const roundTrip = (values: Value[], max = 255): Value[] => {
    const w = new ByteWriter();
    writeValues(w, values);
    const r = new ByteReader(w.finish());
    const out = readValues(r, "v", max);
    r.end("v");
    return out;
  };

  it("lay out as the VM's I/O buffer: a count, then tag 0 + u64 or tag 1 + u16 length + bytes", () => {
    const w = new ByteWriter();
    writeValues(w, [5n, Uint8Array.of(0xaa, 0xbb), -1n]);
    expect(hex(w.finish())).toBe(`03${"0" + TAG_INT}0500000000000000${"0" + TAG_BYTES}0200aabb${"0" + TAG_INT}ffffffffffffffff`);
    expect(roundTrip([5n, Uint8Array.of(0xaa, 0xbb), 2n ** 64n - 1n])).toEqual([5n, Uint8Array.of(0xaa, 0xbb), 2n ** 64n - 1n]);
    expect(roundTrip([])).toEqual([]);
  });

  it("refuse more values than allowed at the count's byte; exactly the maximum reads", () => {
    const vals = (n: number): Value[] => Array.from({ length: n }, (_, i) => BigInt(i));
    expect(roundTrip(vals(8), 8)).toEqual(vals(8));
    const w = new ByteWriter().u8(0xee);
    writeValues(w, vals(9));
    const r = new ByteReader(w.finish(), 50);
    r.u8("pad");
    expect(decodeError(() => readValues(r, "args", 8)).message).toBe("args.count at byte 51: 9 values, at most 8 allowed");
  });

  it("refuse a byte string longer than MAX_BYTES_LEN at its length field; exactly the maximum reads", () => {
    const max = LIMITS.MAX_BYTES_LEN.value;
    expect(roundTrip([new Uint8Array(max).fill(3)])).toEqual([new Uint8Array(max).fill(3)]);
    const w = new ByteWriter().u8(2).u8(TAG_INT).u64(1n).u8(TAG_BYTES).u16(max + 1).bytes(new Uint8Array(max + 1));
    expect(decodeError(() => readValues(new ByteReader(w.finish()), "args", 8)).message).toBe(`args[1].length at byte 11: ${max + 1} bytes, at most ${max} allowed`);
  });

  it("refuse an unknown tag at its byte, naming the value", () => {
    for (const tag of [2, 255]) {
      const b = Uint8Array.of(2, TAG_INT, 0, 0, 0, 0, 0, 0, 0, 0, tag);
      expect(decodeError(() => readValues(new ByteReader(b, 1000), "ret", 8)).message).toBe(`ret[1].tag at byte 1010: unknown value tag ${tag} (0 int, 1 bytes)`);
    }
  });

  it("name each truncated part of a value", () => {
    expect(decodeError(() => readValues(new ByteReader(new Uint8Array(0)), "a", 8)).field).toBe("a.count");
    expect(decodeError(() => readValues(new ByteReader(Uint8Array.of(1)), "a", 8)).field).toBe("a[0].tag");
    expect(decodeError(() => readValues(new ByteReader(Uint8Array.of(1, TAG_INT, 1)), "a", 8)).field).toBe("a[0].int");
    expect(decodeError(() => readValues(new ByteReader(Uint8Array.of(1, TAG_BYTES, 1)), "a", 8)).field).toBe("a[0].length");
    expect(decodeError(() => readValues(new ByteReader(Uint8Array.of(1, TAG_BYTES, 2, 0, 1)), "a", 8)).message).toBe("a[0].bytes at byte 4: truncated: needs 2 byte(s), 1 left");
  });

  it("checkValue: integers from -2^63 to 2^64-1, byte strings up to MAX_BYTES_LEN", () => {
    const max = LIMITS.MAX_BYTES_LEN.value;
    for (const v of [-(2n ** 63n), 0n, 2n ** 64n - 1n, new Uint8Array(max)]) expect(() => checkValue(v, "arg")).not.toThrow();
    expect(() => checkValue(-(2n ** 63n) - 1n, "arg 1")).toThrow(new RangeError(`arg 1: ${-(2n ** 63n) - 1n} is outside the 64-bit range`));
    expect(() => checkValue(2n ** 64n, "arg 1")).toThrow(new RangeError(`arg 1: ${2n ** 64n} is outside the 64-bit range`));
    expect(() => checkValue(new Uint8Array(max + 1), "arg 2")).toThrow(new RangeError(`arg 2: ${max + 1} bytes, at most ${max} allowed`));
  });

  it("normValue maps an integer to its u64 bit pattern and leaves bytes alone", () => {
    expect(normValue(-1n)).toBe(2n ** 64n - 1n);
    expect(normValue(5n)).toBe(5n);
    const b = Uint8Array.of(1);
    expect(normValue(b)).toBe(b);
  });
});

describe("hex and byte helpers", () => {
  it("hex of a view is of the view's bytes only", () => {
    const big = Uint8Array.of(1, 2, 3, 4);
    expect(hex(big.subarray(1, 3))).toBe("0203");
  });

  it("fromHex takes an optional 0x, either case, and checks the length asked for", () => {
    expect(fromHex("0xABcd", "x")).toEqual(Uint8Array.of(0xab, 0xcd));
    expect(fromHex("abcd", "x", 2)).toEqual(Uint8Array.of(0xab, 0xcd));
    expect(fromHex("", "x")).toEqual(new Uint8Array(0));
    expect(() => fromHex("abc", "key")).toThrow(new RangeError("key: not a hex string: 'abc'"));
    expect(() => fromHex("0xzz", "key")).toThrow(new RangeError("key: not a hex string: '0xzz'"));
    expect(() => fromHex("ab cd", "key")).toThrow(new RangeError("key: not a hex string: 'ab cd'"));
    expect(() => fromHex("abcd", "key", 3)).toThrow(new RangeError("key: expected 3 bytes of hex, got 2"));
  });

  it("bytesEqual needs equal lengths and bytes; compareBytes orders bytewise, shorter prefix first", () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(-1);
    expect(compareBytes(Uint8Array.of(2), Uint8Array.of(1, 3))).toBe(1);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(-1);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1))).toBe(0);
  });

  it("concat joins in order", () => {
    expect(concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(concat()).toEqual(new Uint8Array(0));
  });
});
