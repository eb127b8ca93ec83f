// Genesis and chain parameters (ledger/params.ts): every refusal of checkGenesis names its field and value,
// encodeGenesis/readGenesis round-trip byte for byte, and readGenesis names the field and absolute byte offset
// of every malformed record.
import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter } from "../../ledger/bytes.ts";
import { DecodeError } from "../../ledger/errors.ts";
import {
  checkGenesis,
  decodeParams,
  defaultGenesis,
  encodeGenesis,
  encodeParams,
  GENESIS_SALT_BYTES,
  GENESIS_VERSION,
  type GenesisConfig,
  LEDGER_LIMITS,
  readGenesis,
  U64_MAX,
} from "../../ledger/params.ts";

const id = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const genesis = (over: Partial<GenesisConfig> = {}): GenesisConfig => ({
  minGasPrice: 3n,
  blockGasLimit: 1000n,
  feeAccount: id(0xfe),
  alloc: [],
  salt: new Uint8Array(GENESIS_SALT_BYTES).fill(7),
  ...over,
});

/** The DecodeError readGenesis throws for bytes (read from offset `base` of an enclosing buffer). */
function decodeFailure(bytes: Uint8Array, base = 0): DecodeError {
  try {
    readGenesis(new ByteReader(bytes, base));
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("readGenesis accepted the bytes");
}

/** A genesis record written field by field, so tests can put in it what encodeGenesis refuses to write. */
function rawGenesis(o: { version?: number; blockGasLimit?: bigint; count?: number; alloc?: { id: Uint8Array; amount: bigint }[] }): Uint8Array {
  const alloc = o.alloc ?? [];
  const w = new ByteWriter()
    .u8(o.version ?? GENESIS_VERSION)
    .bytes(new Uint8Array(GENESIS_SALT_BYTES).fill(7))
    .u64(3n)
    .u64(o.blockGasLimit ?? 1000n)
    .bytes(id(0xfe))
    .u32(o.count ?? alloc.length);
  for (const a of alloc) w.bytes(a.id).u64(a.amount);
  return w.finish();
}

// version (1) + salt (32) + min gas price (8) + block gas limit (8) + fee account (32): where the allocation count sits.
const COUNT_AT = 1 + GENESIS_SALT_BYTES + 8 + 8 + 32;
const FIRST_ALLOC_AT = COUNT_AT + 4;

describe("default genesis", () => {
  it("has no fees, no balances, the default block gas limit and a fresh 32-byte salt each time", () => {
    const a = defaultGenesis();
    const b = defaultGenesis();
    expect(a.minGasPrice).toBe(0n);
    expect(a.blockGasLimit).toBe(BigInt(LEDGER_LIMITS.DEFAULT_BLOCK_GAS_LIMIT.value));
    expect(a.feeAccount).toEqual(new Uint8Array(32));
    expect(a.alloc).toEqual([]);
    expect(a.salt.length).toBe(GENESIS_SALT_BYTES);
    expect(Buffer.from(a.salt).equals(Buffer.from(b.salt))).toBe(false);
    expect(checkGenesis(a)).toEqual(a);
  });
});

describe("checkGenesis refusals name the field and the value", () => {
  it("min gas price outside u64", () => {
    expect(() => checkGenesis(genesis({ minGasPrice: -1n }))).toThrow(new RangeError("min gas price -1 is outside u64"));
    expect(() => checkGenesis(genesis({ minGasPrice: U64_MAX + 1n }))).toThrow(`min gas price ${U64_MAX + 1n} is outside u64`);
    expect(checkGenesis(genesis({ minGasPrice: 0n })).minGasPrice).toBe(0n);
    expect(checkGenesis(genesis({ minGasPrice: U64_MAX })).minGasPrice).toBe(U64_MAX);
  });

  it("block gas limit outside 1..2^64-1", () => {
    expect(() => checkGenesis(genesis({ blockGasLimit: 0n }))).toThrow(new RangeError("block gas limit 0 is outside 1..2^64-1"));
    expect(() => checkGenesis(genesis({ blockGasLimit: U64_MAX + 1n }))).toThrow(`block gas limit ${U64_MAX + 1n} is outside 1..2^64-1`);
    expect(checkGenesis(genesis({ blockGasLimit: 1n })).blockGasLimit).toBe(1n);
    expect(checkGenesis(genesis({ blockGasLimit: U64_MAX })).blockGasLimit).toBe(U64_MAX);
  });

  it("fee account and salt of the wrong length", () => {
    expect(() => checkGenesis(genesis({ feeAccount: new Uint8Array(31) }))).toThrow(new RangeError("fee account must be 32 bytes, got 31"));
    expect(() => checkGenesis(genesis({ salt: new Uint8Array(33) }))).toThrow(new RangeError("genesis salt must be 32 bytes, got 33"));
  });

  it("more allocations than MAX_ALLOC, and exactly MAX_ALLOC accepted", () => {
    const max = LEDGER_LIMITS.MAX_ALLOC.value;
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: new ByteWriter().u32(i).bytes(new Uint8Array(28)).finish(), amount: 1n }));
    expect(() => checkGenesis(genesis({ alloc: many(max + 1) }))).toThrow(new RangeError(`${max + 1} allocations, at most ${max}`));
    expect(checkGenesis(genesis({ alloc: many(max) })).alloc.length).toBe(max);
  });

  it("allocation ids of the wrong length, amounts outside 1..2^64-1, ids twice, totals over u64", () => {
    expect(() => checkGenesis(genesis({ alloc: [{ id: new Uint8Array(20), amount: 1n }] }))).toThrow(new RangeError("alloc[0]: id must be 32 bytes, got 20"));
    expect(() => checkGenesis(genesis({ alloc: [{ id: id(1), amount: 0n }] }))).toThrow(new RangeError(`alloc ${"01".repeat(32)}: amount 0 is outside 1..2^64-1`));
    expect(() => checkGenesis(genesis({ alloc: [{ id: id(1), amount: U64_MAX + 1n }] }))).toThrow(`amount ${U64_MAX + 1n} is outside 1..2^64-1`);
    expect(checkGenesis(genesis({ alloc: [{ id: id(1), amount: U64_MAX }] })).alloc[0]!.amount).toBe(U64_MAX);
    expect(() => checkGenesis(genesis({ alloc: [{ id: id(2), amount: 1n }, { id: id(2), amount: 5n }] }))).toThrow(new RangeError(`alloc ${"02".repeat(32)}: allocated twice`));
    expect(() => checkGenesis(genesis({ alloc: [{ id: id(1), amount: U64_MAX }, { id: id(2), amount: 1n }] }))).toThrow(new RangeError(`alloc: the total ${U64_MAX + 1n} exceeds 2^64-1`));
    // A total of exactly 2^64-1 is fine.
    expect(checkGenesis(genesis({ alloc: [{ id: id(1), amount: U64_MAX - 1n }, { id: id(2), amount: 1n }] })).alloc.length).toBe(2);
  });

  it("sorts the allocation by id without touching the caller's array", () => {
    const alloc = [{ id: id(9), amount: 1n }, { id: id(1), amount: 2n }, { id: id(5), amount: 3n }];
    const c = checkGenesis(genesis({ alloc }));
    expect(c.alloc.map((a) => a.amount)).toEqual([2n, 3n, 1n]);
    expect(alloc.map((a) => a.amount)).toEqual([1n, 2n, 3n]);
  });
});

describe("genesis encoding", () => {
  it("writes version, salt, prices, fee account and the sorted allocation, and reads them back", () => {
    const g = genesis({ alloc: [{ id: id(9), amount: 10n }, { id: id(1), amount: 20n }] });
    const bytes = encodeGenesis(g);
    expect(bytes.length).toBe(FIRST_ALLOC_AT + 2 * 40);
    expect(bytes[0]).toBe(GENESIS_VERSION);
    expect(bytes).toEqual(rawGenesis({ alloc: [{ id: id(1), amount: 20n }, { id: id(9), amount: 10n }] }));
    const r = new ByteReader(bytes);
    expect(readGenesis(r)).toEqual(checkGenesis(g));
    expect(r.remaining).toBe(0);
  });

  it("refuses to encode a genesis checkGenesis refuses", () => {
    expect(() => encodeGenesis(genesis({ blockGasLimit: 0n }))).toThrow("block gas limit 0 is outside 1..2^64-1");
  });

  it("chain params round-trip and refuse trailing bytes", () => {
    const p = { minGasPrice: 5n, blockGasLimit: 77n, feeAccount: id(3) };
    const b = encodeParams(p);
    expect(b.length).toBe(48);
    expect(decodeParams(b)).toEqual(p);
    expect(() => decodeParams(new Uint8Array([...b, 0]))).toThrow(new DecodeError("1 trailing byte(s)", "params", 48));
    const truncated = (n: number): string => {
      try {
        decodeParams(b.subarray(0, n));
      } catch (e) {
        return (e as DecodeError).field;
      }
      return "decoded";
    };
    expect([truncated(4), truncated(12), truncated(40)]).toEqual(["params.min_gas_price", "params.block_gas_limit", "params.fee_account"]);
  });
});

describe("readGenesis names the field and absolute offset of what is wrong", () => {
  it("an unknown version, at the version byte", () => {
    const e = decodeFailure(rawGenesis({ version: 3 }), 100);
    expect(e.field).toBe("genesis.version");
    expect(e.offset).toBe(100);
    expect(e.what).toBe(`unsupported genesis version 3, this ledger reads ${GENESIS_VERSION}`);
  });

  it("a version-1 genesis says it predates salts and how to recreate the chain", () => {
    const e = decodeFailure(rawGenesis({ version: 1 }));
    expect(e.what).toBe(
      `unsupported genesis version 1, this ledger reads ${GENESIS_VERSION} (a chain made before genesis salts and chain-bound signatures; create it again with 'mote ledger init')`,
    );
  });

  it("a block gas limit of 0, at the limit's first byte", () => {
    const e = decodeFailure(rawGenesis({ blockGasLimit: 0n }), 10);
    expect([e.field, e.what, e.offset]).toEqual(["genesis.block_gas_limit", "block gas limit 0", 10 + 1 + GENESIS_SALT_BYTES + 8]);
    expect(readGenesis(new ByteReader(rawGenesis({ blockGasLimit: 1n }))).blockGasLimit).toBe(1n);
  });

  it("too many allocations, at the count", () => {
    const max = LEDGER_LIMITS.MAX_ALLOC.value;
    const e = decodeFailure(rawGenesis({ count: max + 1 }));
    expect([e.field, e.what, e.offset]).toEqual(["genesis.alloc.count", `${max + 1} allocations, at most ${max}`, COUNT_AT]);
    // MAX_ALLOC itself passes the count check and fails only on the missing entries.
    expect(decodeFailure(rawGenesis({ count: max })).field).toBe("genesis.alloc[0].id");
  });

  it("an allocation of 0, at its amount", () => {
    const e = decodeFailure(rawGenesis({ alloc: [{ id: id(1), amount: 5n }, { id: id(2), amount: 0n }] }));
    expect([e.field, e.what, e.offset]).toEqual(["genesis.alloc[1].amount", "an allocation of 0", FIRST_ALLOC_AT + 40 + 32]);
  });

  it("unsorted or repeated ids, at the later id", () => {
    for (const second of [id(1), id(0)]) {
      const e = decodeFailure(rawGenesis({ alloc: [{ id: id(1), amount: 5n }, { id: second, amount: 5n }] }));
      expect([e.field, e.what, e.offset]).toEqual(["genesis.alloc[1].id", "allocations must be sorted by id, each once", FIRST_ALLOC_AT + 40]);
    }
  });

  it("a total over 2^64-1, at the amount that passes it; exactly 2^64-1 reads", () => {
    const e = decodeFailure(rawGenesis({ alloc: [{ id: id(1), amount: U64_MAX }, { id: id(2), amount: 1n }] }));
    expect([e.field, e.what, e.offset]).toEqual(["genesis.alloc[1].amount", "the total allocation exceeds 2^64-1", FIRST_ALLOC_AT + 40 + 32]);
    const ok = readGenesis(new ByteReader(rawGenesis({ alloc: [{ id: id(1), amount: U64_MAX - 1n }, { id: id(2), amount: 1n }] })));
    expect(ok.alloc.map((a) => a.amount)).toEqual([U64_MAX - 1n, 1n]);
  });

  it("truncated entries name the entry's field", () => {
    const bytes = rawGenesis({ alloc: [{ id: id(1), amount: 5n }] });
    expect(decodeFailure(bytes.subarray(0, FIRST_ALLOC_AT + 10)).field).toBe("genesis.alloc[0].id");
    expect(decodeFailure(bytes.subarray(0, FIRST_ALLOC_AT + 36)).field).toBe("genesis.alloc[0].amount");
    expect(decodeFailure(bytes.subarray(0, 0)).field).toBe("genesis.version");
    expect(decodeFailure(bytes.subarray(0, 20)).field).toBe("genesis.salt");
    expect(decodeFailure(bytes.subarray(0, 1 + GENESIS_SALT_BYTES + 8 + 4)).field).toBe("genesis.block_gas_limit");
    expect(decodeFailure(bytes.subarray(0, 40)).field).toBe("genesis.min_gas_price");
    expect(decodeFailure(bytes.subarray(0, COUNT_AT - 1)).field).toBe("genesis.fee_account");
    expect(decodeFailure(bytes.subarray(0, COUNT_AT + 1)).field).toBe("genesis.alloc.count");
  });
});
