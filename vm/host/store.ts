// Contract storage as the Node host sees it: byte-string keys and values per contract instance id.
// An empty value means "absent": setting one deletes the key. The empty key, which no storage access
// can produce (a storage key starts with its slot byte), holds an id's native balance (u64 LE).

/** The key under which an id's native balance is kept (docs/host-abi.md). */
export const BALANCE_KEY = new Uint8Array(0);

export interface StateStore {
  get(contract: Uint8Array, key: Uint8Array): Uint8Array | undefined;
  set(contract: Uint8Array, key: Uint8Array, value: Uint8Array): void;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function fromHex(s: string): Uint8Array {
  const h = s.startsWith("0x") ? s.slice(2) : s;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error(`not a hex string: ${s}`);
  return new Uint8Array(Buffer.from(h, "hex"));
}

/** In-memory store: contract hex -> key hex -> value bytes. */
export class MemoryStateStore implements StateStore {
  private readonly data = new Map<string, Map<string, Uint8Array>>();

  get(contract: Uint8Array, key: Uint8Array): Uint8Array | undefined {
    return this.data.get(toHex(contract))?.get(toHex(key));
  }

  set(contract: Uint8Array, key: Uint8Array, value: Uint8Array): void {
    const c = toHex(contract);
    let m = this.data.get(c);
    if (value.length === 0) {
      m?.delete(toHex(key));
      if (m && m.size === 0) this.data.delete(c);
      return;
    }
    if (!m) this.data.set(c, (m = new Map()));
    m.set(toHex(key), value.slice());
  }

  /** Every entry as ["0x" contract, "0x" key, "0x" value], sorted by contract then key. */
  *entries(): Iterable<[string, string, string]> {
    for (const c of [...this.data.keys()].sort()) {
      const m = this.data.get(c)!;
      for (const k of [...m.keys()].sort()) yield ["0x" + c, "0x" + k, "0x" + toHex(m.get(k)!)];
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
