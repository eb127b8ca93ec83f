// Canonical little-endian byte encoding shared by transactions, blocks, receipts and exports:
// a writer, a strict reader that names the field and byte offset of every failure, and tagged values.
import { TAG_BYTES, TAG_INT } from "../vm/spec/format.ts";
import { LIMITS } from "../vm/spec/limits.ts";
import { DecodeError } from "./errors.ts";

export type Value = bigint | Uint8Array;

export class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private room(n: number): void {
    // Stryker disable next-line EqualityOperator: equivalent, growing a buffer that is exactly full only makes it larger; the bytes written are the same
    if (this.len + n <= this.buf.length) return;
    // Stryker disable next-line ArithmeticOperator: equivalent, the loop below doubles any start up to the size needed
    let cap = this.buf.length * 2;
    // Stryker disable next-line EqualityOperator: equivalent, one more doubling gives a larger buffer holding the same bytes
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  get length(): number {
    return this.len;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.len++] = v & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    new DataView(this.buf.buffer).setUint32(this.len, v >>> 0, true);
    this.len += 4;
    return this;
  }

  u64(v: bigint): this {
    this.room(8);
    new DataView(this.buf.buffer).setBigUint64(this.len, BigInt.asUintN(64, v), true);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Reads fields in order; every failure is a DecodeError naming the field and the byte offset. */
export class ByteReader {
  private pos = 0;
  private readonly dv: DataView;

  constructor(
    readonly buf: Uint8Array,
    private readonly base = 0,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(field: string, what: string, at = this.pos): never {
    throw new DecodeError(what, field, this.base + at);
  }

  private need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) {
      this.fail(field, `truncated: needs ${n} byte(s), ${this.buf.length - this.pos} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Fails unless every byte was consumed: canonical encodings have no trailing bytes. */
  end(what: string): void {
    if (this.pos !== this.buf.length) this.fail(what, `${this.buf.length - this.pos} trailing byte(s)`);
  }
}

/** Tagged values exactly as the VM's I/O buffer holds them (vm/spec/format.ts): a count, then each value. */
export function writeValues(w: ByteWriter, values: readonly Value[]): void {
  w.u8(values.length);
  for (const v of values) {
    if (typeof v === "bigint") {
      w.u8(TAG_INT).u64(v);
    } else {
      w.u8(TAG_BYTES).u16(v.length).bytes(v);
    }
  }
}

export function readValues(r: ByteReader, field: string, maxCount: number): Value[] {
  const at = r.offset;
  const n = r.u8(`${field}.count`);
  if (n > maxCount) r.fail(`${field}.count`, `${n} values, at most ${maxCount} allowed`, at);
  const out: Value[] = [];
  for (let i = 0; i < n; i++) {
    const f = `${field}[${i}]`;
    const tagAt = r.offset;
    const tag = r.u8(`${f}.tag`);
    if (tag === TAG_INT) {
      out.push(r.u64(`${f}.int`));
    } else if (tag === TAG_BYTES) {
      const lenAt = r.offset;
      const len = r.u16(`${f}.length`);
      if (len > LIMITS.MAX_BYTES_LEN.value) r.fail(`${f}.length`, `${len} bytes, at most ${LIMITS.MAX_BYTES_LEN.value} allowed`, lenAt);
      out.push(r.bytes(len, `${f}.bytes`));
    } else {
      r.fail(`${f}.tag`, `unknown value tag ${tag} (0 int, 1 bytes)`, tagAt);
    }
  }
  return out;
}

export function checkValue(v: Value, what: string): void {
  if (typeof v === "bigint") {
    if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new RangeError(`${what}: ${v} is outside the 64-bit range`);
  } else if (v.length > LIMITS.MAX_BYTES_LEN.value) {
    throw new RangeError(`${what}: ${v.length} bytes, at most ${LIMITS.MAX_BYTES_LEN.value} allowed`);
  }
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function fromHex(s: string, what: string, len?: number): Uint8Array {
  const h = s.startsWith("0x") ? s.slice(2) : s;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new RangeError(`${what}: not a hex string: '${s}'`);
  const b = new Uint8Array(Buffer.from(h, "hex"));
  if (len !== undefined && b.length !== len) throw new RangeError(`${what}: expected ${len} bytes of hex, got ${b.length}`);
  return b;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, Buffer.compare is nonzero for different lengths too (the length test only saves the call)
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Normalises an integer value to its u64 bit pattern, the form receipts and comparisons use. */
export function normValue(v: Value): Value {
  return typeof v === "bigint" ? BigInt.asUintN(64, v) : v;
}
