// The ledger's protocol knobs (each with its default and the reason for it) and the chain parameters a
// genesis block fixes: minimum gas price, per-block gas limit, fee account and the initial allocation.
import { randomBytes } from "node:crypto";
import { ByteReader, ByteWriter, compareBytes, hex } from "./bytes.ts";

export interface Knob {
  readonly value: number;
  readonly why: string;
}

export const LEDGER_LIMITS = {
  MAX_TIME_DRIFT: {
    value: 15,
    why:
      "Seconds a block's timestamp may run ahead of its producer's clock: enough for NTP-level skew between " +
      "nodes, too little for a producer (or a transaction that asked for a time) to push `now()` into the future.",
  },
  DEFAULT_BLOCK_GAS_LIMIT: {
    value: 100_000_000,
    why: "Gas all transactions of one block may reserve (their gas limits summed): 100 default-gas calls, a block a device-class validator executes in well under a second.",
  },
  STATE_BYTE_GAS: {
    value: 400,
    why:
      "Gas per byte a transaction adds to the state entries (a new entry's key and value, a value's growth), charged by the ledger " +
      "when the transaction ends ok, on top of the write's SSTORE: state a validator keeps forever. At 400, a transaction within the " +
      "default block gas limit cannot add more than MAX_BLOCK_STATE_GROWTH alone (10^8 / 400 < 262,144), so none waits forever " +
      "for a block it fits; see `npm run bench:ledger-cost` (docs/gas.md, \"On the ledger\").",
  },
  STATE_DELETE_GAS: {
    value: 900_000,
    why:
      "Gas per entry a transaction deletes from the state (writes empty where a value was), charged by the ledger when the " +
      "transaction ends ok, on top of the write's SSTORE: removing a leaf of the state tree also reads and rehashes its sibling " +
      "to collapse the path, about 1.4x an overwrite at 10^6 entries (`npm run bench:ledger-cost`, row ledger:mstore delete).",
  },
  DEFAULT_TX_GAS: {
    value: 20_000_000,
    why:
      "Gas limit of a ledger transaction or view that names none (the CLI's --gas default): a token transfer (two state reads, two " +
      "writes) costs about 6 M at the ledger's state prices, a reading whose device signature is refused (ED25519 + ED25519_REJECT, " +
      "7.76 M, and the reads and writes around it) about 12 M; 5 such limits fill a default block (name a tighter --gas to fit more).",
  },
  MAX_BLOCK_STATE_GROWTH: {
    value: 262_144,
    why: "Bytes one block may add to the state: 256 KiB a block bounds the store's growth (and the commit's work) however the gas is spent; a transaction that would pass it is refused and can go in a later block.",
  },
  MAX_ALLOC: { value: 1024, why: "Genesis allocations per chain: a fleet funds its operators and devices; an airdrop is not a genesis concern." },
} as const satisfies Record<string, Knob>;

export const U64_MAX = 2n ** 64n - 1n;

/** What a genesis block fixes for the life of the chain (committed in its state root). */
export interface ChainParams {
  /** The least gas price a transaction may offer; 0 for a permissioned fleet (no fees). */
  minGasPrice: bigint;
  /** The most gas the transactions of one block may reserve (sum of their gas limits). */
  blockGasLimit: bigint;
  /** Where fees go (gas used × gas price), e.g. the operator's account; all zeros when fees are 0. */
  feeAccount: Uint8Array;
}

export interface GenesisConfig extends ChainParams {
  /** Initial native balances, by 32-byte account or contract id, sorted by id, each > 0. */
  alloc: { id: Uint8Array; amount: bigint }[];
  /**
   * 32 bytes that make this chain's genesis hash its own: two chains created with the same chain id,
   * parameters, allocation and time still differ, so neither accepts the other's signatures. Random
   * unless a reproducible setup (a test, the demo) fixes it.
   */
  salt: Uint8Array;
}

/** Version 2 added the genesis salt; a version-1 genesis (no salt) belongs to a chain whose signatures were not chain-bound. */
export const GENESIS_VERSION = 2;
export const GENESIS_SALT_BYTES = 32;

/** No fees, no balances and a fresh random salt: there is no shared default genesis. */
export function defaultGenesis(): GenesisConfig {
  return {
    minGasPrice: 0n,
    blockGasLimit: BigInt(LEDGER_LIMITS.DEFAULT_BLOCK_GAS_LIMIT.value),
    feeAccount: new Uint8Array(32),
    alloc: [],
    salt: new Uint8Array(randomBytes(GENESIS_SALT_BYTES)),
  };
}

/** Checks a genesis configuration; throws a RangeError naming the field. Sorts the allocation. */
export function checkGenesis(g: GenesisConfig): GenesisConfig {
  if (g.minGasPrice < 0n || g.minGasPrice > U64_MAX) throw new RangeError(`min gas price ${g.minGasPrice} is outside u64`);
  if (g.blockGasLimit < 1n || g.blockGasLimit > U64_MAX) throw new RangeError(`block gas limit ${g.blockGasLimit} is outside 1..2^64-1`);
  if (g.feeAccount.length !== 32) throw new RangeError(`fee account must be 32 bytes, got ${g.feeAccount.length}`);
  if (g.salt.length !== GENESIS_SALT_BYTES) throw new RangeError(`genesis salt must be ${GENESIS_SALT_BYTES} bytes, got ${g.salt.length}`);
  if (g.alloc.length > LEDGER_LIMITS.MAX_ALLOC.value) throw new RangeError(`${g.alloc.length} allocations, at most ${LEDGER_LIMITS.MAX_ALLOC.value}`);
  const alloc = [...g.alloc].sort((a, b) => compareBytes(a.id, b.id));
  let total = 0n;
  alloc.forEach((a, i) => {
    if (a.id.length !== 32) throw new RangeError(`alloc[${i}]: id must be 32 bytes, got ${a.id.length}`);
    if (a.amount < 1n || a.amount > U64_MAX) throw new RangeError(`alloc ${hex(a.id)}: amount ${a.amount} is outside 1..2^64-1`);
    if (i > 0 && compareBytes(alloc[i - 1]!.id, a.id) === 0) throw new RangeError(`alloc ${hex(a.id)}: allocated twice`);
    total += a.amount;
  });
  // Value is only ever moved, never created: a total within u64 means no balance can ever overflow.
  if (total > U64_MAX) throw new RangeError(`alloc: the total ${total} exceeds 2^64-1`);
  return { ...g, alloc };
}

export function encodeGenesis(g: GenesisConfig): Uint8Array {
  const c = checkGenesis(g);
  const w = new ByteWriter().u8(GENESIS_VERSION).bytes(c.salt).u64(c.minGasPrice).u64(c.blockGasLimit).bytes(c.feeAccount).u32(c.alloc.length);
  for (const a of c.alloc) w.bytes(a.id).u64(a.amount);
  return w.finish();
}

export function encodeParams(p: ChainParams): Uint8Array {
  return new ByteWriter().u64(p.minGasPrice).u64(p.blockGasLimit).bytes(p.feeAccount).finish();
}

export function decodeParams(b: Uint8Array): ChainParams {
  const r = new ByteReader(b);
  const p = { minGasPrice: r.u64("params.min_gas_price"), blockGasLimit: r.u64("params.block_gas_limit"), feeAccount: r.bytes(32, "params.fee_account") };
  r.end("params");
  return p;
}

/** Reads a genesis record from inside a block; failures name the field and absolute byte offset. */
export function readGenesis(r: ByteReader): GenesisConfig {
  const vAt = r.offset;
  const v = r.u8("genesis.version");
  if (v !== GENESIS_VERSION) {
    const why = v === 1 ? " (a chain made before genesis salts and chain-bound signatures; create it again with 'mote ledger init')" : "";
    r.fail("genesis.version", `unsupported genesis version ${v}, this ledger reads ${GENESIS_VERSION}${why}`, vAt);
  }
  const salt = r.bytes(GENESIS_SALT_BYTES, "genesis.salt");
  const minGasPrice = r.u64("genesis.min_gas_price");
  const gAt = r.offset;
  const blockGasLimit = r.u64("genesis.block_gas_limit");
  if (blockGasLimit < 1n) r.fail("genesis.block_gas_limit", "block gas limit 0", gAt);
  const feeAccount = r.bytes(32, "genesis.fee_account");
  const nAt = r.offset;
  const n = r.u32("genesis.alloc.count");
  if (n > LEDGER_LIMITS.MAX_ALLOC.value) r.fail("genesis.alloc.count", `${n} allocations, at most ${LEDGER_LIMITS.MAX_ALLOC.value}`, nAt);
  const alloc: { id: Uint8Array; amount: bigint }[] = [];
  let total = 0n;
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const id = r.bytes(32, `genesis.alloc[${i}].id`);
    const amount = r.u64(`genesis.alloc[${i}].amount`);
    if (amount === 0n) r.fail(`genesis.alloc[${i}].amount`, "an allocation of 0", at + 32);
    if (i > 0 && compareBytes(alloc[i - 1]!.id, id) >= 0) r.fail(`genesis.alloc[${i}].id`, "allocations must be sorted by id, each once", at);
    total += amount;
    if (total > U64_MAX) r.fail(`genesis.alloc[${i}].amount`, "the total allocation exceeds 2^64-1", at + 32);
    alloc.push({ id, amount });
  }
  return { minGasPrice, blockGasLimit, feeAccount, alloc, salt };
}
