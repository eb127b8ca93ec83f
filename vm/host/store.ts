// Contract storage as the Node host sees it: byte-string keys and values per contract instance id.
// An empty value means "absent": setting one deletes the key. The empty key, which no storage access
// can produce (a storage key starts with its slot byte), holds an id's native balance (u64 LE).

/** The key under which an id's native balance is kept (docs/host-abi.md). */
export const BALANCE_KEY = new Uint8Array(0);

export interface StateStore {
  get(contract: Uint8Array, key: Uint8Array): Uint8Array | undefined;
  set(contract: Uint8Array, key: Uint8Array, value: Uint8Array): void;
  /**
   * Optional: get and set with `k`, the key's byteKey, already made (the Node host makes it once per access
   * for its own overlay; a store keyed the same way saves making it again), and `ck`, the contract's
   * byteKey, when the caller has it. Same results as get and set, except that setKeyed may keep `value`
   * without copying it (the host hands over a copy of its own).
   */
  getKeyed?(contract: Uint8Array, key: Uint8Array | null, k: string, ck?: string): Uint8Array | undefined;
  setKeyed?(contract: Uint8Array, key: Uint8Array | null, k: string, value: Uint8Array, ck?: string): void;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/**
 * A byte string as a map key: one char per byte (latin1). Half the length of hex and cheaper to make; it
 * sorts in the bytes' order, as hex does, so entries() still lists keys in byte order.
 */
export function byteKey(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

/** The bytes of a byteKey. */
export function keyBytes(k: string): Uint8Array {
  const b = new Uint8Array(k.length);
  // Stryker disable next-line EqualityOperator: equivalent, a write at b[k.length] is outside the array and ignored
  for (let i = 0; i < k.length; i++) b[i] = k.charCodeAt(i);
  return b;
}

function keyToHex(k: string): string {
  return Buffer.from(k, "latin1").toString("hex");
}

export function fromHex(s: string): Uint8Array {
  const h = s.startsWith("0x") ? s.slice(2) : s;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error(`not a hex string: ${s}`);
  return new Uint8Array(Buffer.from(h, "hex"));
}

/** In-memory store: contract -> key -> value bytes, keyed by byteKey. */
export class MemoryStateStore implements StateStore {
  private readonly data = new Map<string, Map<string, Uint8Array>>();
  /** The last contract id seen and its key: a call reads and writes one contract many times. */
  private lastId: Uint8Array | null = null;
  // Stryker disable next-line StringLiteral: equivalent, lastKey is only read once lastId is set, and set with it
  private lastKey = "";

  private contractKey(id: Uint8Array): string {
    const l = this.lastId;
    if (l !== null && l.length === id.length) {
      // Stryker disable next-line BooleanLiteral: equivalent, starting from "not the same" only makes the cache miss (the key is made again)
      let same = true;
      // Stryker disable next-line EqualityOperator: equivalent, one step past equal lengths compares undefined with undefined
      for (let i = 0; i < l.length; i++) {
        if (l[i] !== id[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastKey;
    }
    this.lastId = id.slice();
    return (this.lastKey = byteKey(id));
  }

  get(contract: Uint8Array, key: Uint8Array): Uint8Array | undefined {
    return this.getKeyed(contract, key, byteKey(key));
  }

  set(contract: Uint8Array, key: Uint8Array, value: Uint8Array): void {
    this.setKeyed(contract, key, byteKey(key), value.slice());
  }

  /** The last contract looked up and its entries (undefined while it has none). */
  private mapKey: string | null = null;
  private mapVal: Map<string, Uint8Array> | undefined;

  private entriesOf(c: string): Map<string, Uint8Array> | undefined {
    if (c === this.mapKey) return this.mapVal;
    this.mapKey = c;
    return (this.mapVal = this.data.get(c));
  }

  getKeyed(contract: Uint8Array, _key: Uint8Array | null, k: string, ck?: string): Uint8Array | undefined {
    return this.entriesOf(ck ?? this.contractKey(contract))?.get(k);
  }

  setKeyed(contract: Uint8Array, _key: Uint8Array | null, k: string, value: Uint8Array, ck?: string): void {
    const c = ck ?? this.contractKey(contract);
    let m = this.entriesOf(c);
    if (value.length === 0) {
      m?.delete(k);
      if (m && m.size === 0) {
        this.data.delete(c);
        this.mapVal = undefined; // entriesOf(c) just made c the cached contract
      }
      return;
    }
    if (!m) this.data.set(c, (m = this.mapVal = new Map()));
    m.set(k, value);
  }

  /** Every entry as ["0x" contract, "0x" key, "0x" value], sorted by contract then key. */
  *entries(): Iterable<[string, string, string]> {
    for (const c of [...this.data.keys()].sort()) {
      const m = this.data.get(c)!;
      for (const k of [...m.keys()].sort()) yield ["0x" + keyToHex(c), "0x" + keyToHex(k), "0x" + toHex(m.get(k)!)];
    }
  }

  /** {"0x<contract>": {"0x<key>": "0x<value>"}}; fromJSON reads it back. */
  toJSON(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [c, k, v] of this.entries()) (out[c] ??= {})[k] = v;
    return out;
  }

  static fromJSON(obj: Record<string, Record<string, string>>): MemoryStateStore {
    const s = new MemoryStateStore();
    for (const [c, m] of Object.entries(obj)) for (const [k, v] of Object.entries(m)) s.set(fromHex(c), fromHex(k), fromHex(v));
    return s;
  }
}
