// Storage keys as map keys without a new string per access: the Node host interns each key's bytes, read
// straight from the VM's memory, to one string (its byteKey), which the overlay and the store then hash once.

/**
 * Why: a fresh string made from memory costs its allocation and, on its first use as a Map key, hashing
 * every char; a transfer reads and writes the same few keys again and again. Here a key is found by a
 * 32-bit hash of its bytes and a byte-by-byte compare with the bytes it was interned from, so two keys
 * share a string only when their bytes are equal (equal hashes alone never do).
 */
export class KeyTable {
  /** Open addressing: entry index + 1 per slot, 0 when free; twice as many slots as entries, at least. */
  private slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly strings: string[] = [];
  private readonly pool: Uint8Array;
  private readonly poolView: DataView;
  private viewOf: Uint8Array | null = null;
  private view: DataView | null = null;
  private used = 0;
  private count = 0;
  /** How many times the table filled up and started over (for tests). */
  resets = 0;

  /**
   * `maxEntries` keys of at most `maxKeyBytes` each; when either the entries or their bytes run out, the
   * table forgets every key and starts over (strings already handed out stay valid: they are only strings).
   */
  constructor(
    private readonly makeString: (ptr: number, len: number) => string,
    readonly maxEntries = 1 << 14,
    readonly maxKeyBytes = 64,
  ) {
    let n = 2;
    // Stryker disable next-line EqualityOperator: equivalent, one more doubling only leaves more slots free
    while (n < maxEntries * 2) n *= 2;
    this.slots = new Int32Array(n);
    this.hashes = new Int32Array(maxEntries);
    this.starts = new Int32Array(maxEntries);
    this.lengths = new Int32Array(maxEntries);
    this.pool = new Uint8Array(maxEntries * 40 + maxKeyBytes);
    this.poolView = new DataView(this.pool.buffer);
  }

  get size(): number {
    return this.count;
  }

  /** The string of bytes mem[ptr, ptr + len), one char per byte (latin1), len <= maxKeyBytes. */
  intern(mem: Uint8Array, ptr: number, len: number): string {
    const dv = this.memView(mem);
    const h = keyHash(dv, ptr, len);
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = h & mask;
    for (let e = slots[s]!; e !== 0; e = slots[s]!) {
      const i = e - 1;
      if (this.hashes[i] === h && this.lengths[i] === len && this.sameBytes(i, dv, ptr, len)) return this.strings[i]!;
      // Stryker disable next-line ArithmeticOperator: equivalent, probing downwards visits every slot as upwards does
      s = (s + 1) & mask;
    }
    if (this.count === this.maxEntries || this.used + len > this.pool.length) {
      this.clear();
      return this.intern(mem, ptr, len);
    }
    const i = this.count++;
    const str = this.makeString(ptr, len);
    this.hashes[i] = h;
    this.starts[i] = this.used;
    this.lengths[i] = len;
    this.strings.push(str);
    this.pool.set(mem.subarray(ptr, ptr + len), this.used);
    this.used += len;
    slots[s] = i + 1;
    return str;
  }

  private memView(mem: Uint8Array): DataView {
    // Stryker disable next-line ConditionalExpression: equivalent as `true`, a new view of the same memory reads the same bytes (`false` leaves no view)
    if (this.viewOf !== mem) {
      this.viewOf = mem;
      this.view = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    }
    return this.view!;
  }

  /** Compares four bytes at a time, then the tail byte by byte. */
  private sameBytes(i: number, dv: DataView, ptr: number, len: number): boolean {
    const pool = this.poolView;
    const at = this.starts[i]!;
    let j = 0;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, fewer four-byte steps leave more to the byte loop, which compares the same bytes
    for (; j + 4 <= len; j += 4)
      if (pool.getInt32(at + j, true) !== dv.getInt32(ptr + j, true)) return false;
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent, with equal hashes and four-byte steps the last 0 to 3 bytes are equal too (keyHash of such a tail never collides: checked on all 2^24 tails under three prefixes); kept so equality never rests on the hash
    for (; j < len; j++) if (pool.getUint8(at + j) !== dv.getUint8(ptr + j)) return false;
    return true;
  }

  private clear(): void {
    this.slots.fill(0);
    this.strings.length = 0;
    this.count = 0;
    this.used = 0;
    this.resets++;
  }
}

/**
 * A 32-bit hash of the bytes dv[ptr, ptr + len), four at a time (a multiply-rotate mix, as in murmur3).
 * Not a defence against chosen collisions: a collision only costs a longer probe, since intern compares bytes.
 * Exported so the tests can build keys whose hashes collide.
 */
export function keyHash(dv: DataView, ptr: number, len: number): number {
  let h = len | 0;
  let j = 0;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, fewer four-byte steps leave more to the byte loop: another hash, as good
  for (; j + 4 <= len; j += 4) {
    // Stryker disable next-line BooleanLiteral: equivalent, reading the four bytes big-endian is another hash, as good
    h = Math.imul(h ^ dv.getInt32(ptr + j, true), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
  }
  for (; j < len; j++) h = Math.imul(h ^ dv.getUint8(ptr + j), 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) | 0;
}
