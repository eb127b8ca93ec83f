// Regression (issue 11, point 1): gas did not price what a validator spends. On the Node ledger a loop
// reading absent keys cost 174x an `add` loop per gas, one transaction inserting 160,000 entries took 34 s,
// and 1 KiB values grew the store by 2.5 bytes per gas. Storage, hashing, signatures and events are now
// priced from `npm run bench:ledger-cost` (bench/results/ledger-cost.json, docs/gas.md "On the ledger").
//
// Each case counts gas and bytes on a ledger (deterministic) and checks them against the recorded
// benchmark: the gas one unit of work costs must be at least what its measured wall time is worth when a
// block's gas limit is to take at most 1 s, so a block at the gas limit of that work stays within the goal.
// No wall time is measured here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Ledger, LEDGER_LIMITS, instanceId, storageKey } from "../../ledger/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { assemble } from "../../vm/asm/index.ts";
import { DYNAMIC_GAS } from "../../vm/spec/opcodes.ts";
import { key, ticking } from "../ledger/helpers.ts";

const alice = key(0x71);
const KIB = 1024;
/** The recorded benchmark (npm run bench:ledger-cost -- --record). */
const bench = JSON.parse(readFileSync(join(import.meta.dirname, "../../bench/results/ledger-cost.json"), "utf8")) as {
  entries: number;
  blockGasLimit: number;
  maxOverMean: number;
  ops: { id: string; nsPerGas: number; gasPerIteration: number; copies?: number }[];
};
/** Measured nanoseconds of one unit of a storage pattern (its gas at the recording's prices times ns per gas; independent of today's prices). */
const nsPerUnit = (id: string): number => {
  const o = bench.ops.find((x) => x.id === id);
  if (!o) throw new Error(`bench/results/ledger-cost.json has no row ${id}`);
  return (o.nsPerGas * o.gasPerIteration) / (o.copies ?? 16);
};
/** The least gas a unit of `ns` may cost so that a block at the gas limit of it takes at most 1 s. */
const leastGas = (ns: number, blockGasLimit: bigint): number => (ns * Number(blockGasLimit)) / 1e9;

/**
 * Loops over consecutive keys base+1..base+n of map slot 4:
 * absent(n, base) reads each (absent); ints(n, base) writes each an 8-byte int; kib(n, base) writes each a
 * 1 KiB string; kib2(n, base) overwrites each with another 1 KiB string; readkib(n, base) reads each as a string.
 */
const loop = (name: string, body: string[]): string[] => [
  `.func ${name} params=2 results=0 locals=1`,
  `T${name}:`,
  "lget0",
  `jz E${name}`,
  "amark",
  "lset 2",
  "laddi 1 1",
  ...body,
  "lget 2",
  "arelease",
  "lget0",
  "push1",
  "sub",
  "lset0",
  `jmp T${name}`,
  `E${name}:`,
  "ret",
  ".end",
  `.export ${name}`,
];
const module = assemble(
  [
    `.const a 0x${"5a".repeat(KIB)}`,
    `.const b 0x${"a5".repeat(KIB)}`,
    ...loop("absent", ["lget1", "mload 7 0", "drop"]),
    ...loop("ints", ["lget1", "lget1", "mstore 4 0"]),
    ...loop("kib", ["lget1", "pushb a", "mstore 4 2"]),
    ...loop("kib2", ["lget1", "pushb b", "mstore 4 2"]),
    ...loop("readkib", ["lget1", "mload 4 2", "drop"]),
  ].join("\n"),
  "ledger-cost.masm",
);

/** A map entry's state key (slot 4, an int key), as the ledger stores it. */
const entryKey = (contract: Uint8Array, slot: number, k: bigint): Uint8Array => {
  const b = new Uint8Array(9);
  b[0] = slot;
  new DataView(b.buffer).setBigUint64(1, k, true);
  return storageKey(contract, b);
};

let l: Ledger;
let contract: Uint8Array;
/** The id the next deploy by alice gets on ledger `x`. */
const instanceIdOf = (x: Ledger): Uint8Array => instanceId(x.genesisHash, alice.publicKey, x.nonce(alice.publicKey));
beforeAll(async () => {
  // the ledger's own engine (the fast one) and signature path
  l = await Ledger.open(":memory:", { chainId: "gas-prices", clock: ticking() });
  contract = l.deploy(alice, module).contract;
});

/** Gas of one loop iteration of `fn`, from two calls that differ by `n` iterations (the call's fixed costs cancel). */
function gasPerIteration(fn: string, base: bigint, n = 8): number {
  const g0 = l.call(alice, contract, fn, [0n, base], { gas: 90_000_000 }).receipt;
  const g1 = l.call(alice, contract, fn, [BigInt(n), base], { gas: 90_000_000 }).receipt;
  expect([g0.status, g1.status]).toEqual(["ok", "ok"]);
  return (g1.gasUsed - g0.gasUsed) / n;
}

describe("gas prices what the ledger spends (issue 11 point 1)", () => {
  it("the recorded benchmark covers the ledger's patterns at 10^6 entries (its max / mean is reported in docs/gas.md, not asserted: wall time)", () => {
    expect(bench.entries).toBeGreaterThanOrEqual(1_000_000);
    for (const id of ["ledger:mload absent", "ledger:mload present", "ledger:mstore new", "ledger:mstore new 1024", "ledger:mload present 1024", "ledger:mstore overwrite 1024", "edverify", "edverify@240", "emit@240"]) {
      expect(bench.ops.some((o) => o.id === id), id).toBe(true);
    }
    expect(bench.blockGasLimit).toBe(LEDGER_LIMITS.DEFAULT_BLOCK_GAS_LIMIT.value);
  });

  it("an absent-key read loop: a read costs enough gas that a block of them takes at most 1 s, and a huge loop stops at its gas limit", () => {
    const g = gasPerIteration("absent", 10_000_000n);
    expect(g).toBeGreaterThanOrEqual(DYNAMIC_GAS.SLOAD);
    expect(g).toBeGreaterThanOrEqual(leastGas(nsPerUnit("ledger:mload absent"), l.params.blockGasLimit));
    // the loop: as many reads as 2*10^9 gas would buy before; now the gas limit stops it, nothing kept
    const r = l.call(alice, contract, "absent", [1_000_000_000n, 20_000_000n], { gas: 5_000_000 }).receipt;
    expect(r).toMatchObject({ status: "out_of_gas", gasUsed: 5_000_000 });
  });

  it("an insert-heavy transaction: each new entry pays its bytes, a block of them stays within the time and growth bounds", () => {
    const g = gasPerIteration("ints", 30_000_000n);
    const entryBytes = entryKey(contract, 4, 1n).length + 8;
    expect(g).toBeGreaterThanOrEqual(DYNAMIC_GAS.SSTORE + entryBytes * LEDGER_LIMITS.STATE_BYTE_GAS.value);
    expect(g).toBeGreaterThanOrEqual(leastGas(nsPerUnit("ledger:mstore new"), l.params.blockGasLimit));
    // the transaction (160,000 new entries) no longer fits in a block's gas: it ends out of gas, nothing written
    const r = l.call(alice, contract, "ints", [160_000n, 40_000_000n], { gas: Number(l.params.blockGasLimit) }).receipt;
    expect(r.status).toBe("out_of_gas");
    expect(l.state.read(entryKey(contract, 4, 40_000_001n))).toBeUndefined();
    // what a block's gas buys of new entries is within the block's growth bound
    expect(Math.floor(Number(l.params.blockGasLimit) / g) * entryBytes).toBeLessThanOrEqual(LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH.value);
  });

  it("a 1 KiB-value transaction: the state grows at most 1/STATE_BYTE_GAS bytes per gas; overwrites and reads of 1 KiB values are priced by their time", () => {
    const n = 16;
    const before = l.state.read(entryKey(contract, 4, 50_000_001n));
    expect(before).toBeUndefined();
    const r = l.call(alice, contract, "kib", [BigInt(n), 50_000_000n], { gas: 90_000_000 }).receipt;
    expect(r.status).toBe("ok");
    // the bytes it added to the state (keys and values), counted from the state itself
    let bytes = 0;
    for (let i = 1; i <= n; i++) {
      const k = entryKey(contract, 4, 50_000_000n + BigInt(i));
      bytes += k.length + l.state.read(k)!.length;
    }
    expect(bytes).toBe(n * (entryKey(contract, 4, 1n).length + KIB));
    // the issue measured 2.5 bytes of store per gas; now at most 1/STATE_BYTE_GAS of state per gas
    expect(bytes * LEDGER_LIMITS.STATE_BYTE_GAS.value).toBeLessThanOrEqual(r.gasUsed);
    expect(r.gasUsed / n).toBeGreaterThanOrEqual(leastGas(nsPerUnit("ledger:mstore new 1024"), l.params.blockGasLimit));
    // overwriting them (no growth) and reading them back: priced so a block of either takes at most 1 s
    const over = gasPerIteration("kib2", 50_000_000n);
    expect(over).toBeGreaterThanOrEqual(leastGas(nsPerUnit("ledger:mstore overwrite 1024"), l.params.blockGasLimit));
    const read = gasPerIteration("readkib", 50_000_000n);
    expect(read).toBeGreaterThanOrEqual(leastGas(nsPerUnit("ledger:mload present 1024"), l.params.blockGasLimit));
  });

  it("a refused Ed25519 signature pays for the validator's second check (ED25519_REJECT), an accepted one does not", () => {
    const pk = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    const m = assemble(
      [`.const pk 0x${pk}`, `.const sig 0x${sig}`, '.const empty ""', ".const x 0x01",
        ".func good params=0 results=1 locals=0", "pushb pk", "pushb empty", "pushb sig", "edverify", "ret", ".end", ".export good",
        ".func bad params=0 results=1 locals=0", "pushb pk", "pushb x", "pushb sig", "edverify", "ret", ".end", ".export bad"].join("\n"),
      "ed.masm",
    );
    const d = l.deploy(alice, m).contract;
    const good = l.call(alice, d, "good", [], { gas: 90_000_000 }).receipt;
    const bad = l.call(alice, d, "bad", [], { gas: 90_000_000 }).receipt;
    expect(good.returns).toEqual([1n]);
    expect(bad.returns).toEqual([0n]);
    // one more started 64-byte message block ("x" vs ""), and the refusal's surcharge
    expect(bad.gasUsed - good.gasUsed).toBe(DYNAMIC_GAS.SHA256_PER_BLOCK + DYNAMIC_GAS.ED25519_REJECT);
    // a refused verification (the benchmark's edverify@240: a 240-byte message the signature does not sign) is
    // priced so a block of them takes at most 1 s
    const refused = DYNAMIC_GAS.ED25519 + DYNAMIC_GAS.ED25519_REJECT + 4 * DYNAMIC_GAS.SHA256_PER_BLOCK;
    expect(refused).toBeGreaterThanOrEqual(leastGas(nsPerUnit("edverify@240"), l.params.blockGasLimit));
    expect(DYNAMIC_GAS.ED25519 + DYNAMIC_GAS.SHA256_PER_BLOCK).toBeGreaterThanOrEqual(leastGas(nsPerUnit("edverify"), l.params.blockGasLimit));
  });
});

/**
 * The recorded benchmark re-priced by today's tables: each row's recorded wall time per unit (its ns per gas
 * times its gas per unit when recorded: independent of prices) over the gas that unit costs today, computed here by running the benchmark's own workload modules (bench/ledger-cost.ts) on the VM and, for
 * the storage patterns, on a ledger (whose charges for new state and deletes are part of the price). No wall time
 * is measured: a price change that makes any row cost more than MAX_OVER_MEAN times the mean wall time per gas
 * (by the recorded times) fails here, as reverting to the prices before issue 11 point 1's re-pricing does.
 */
describe("every benchmarked row stays within max / mean <= 3 at today's prices (issue 11 point 1)", () => {
  const MAX_OVER_MEAN = 3;
  it("computes each row's gas per unit from the tables and checks max / mean of the recorded times per gas", async () => {
    const { units, workloadModule, copiesOf } = await import("../../bench/ledger-cost.ts");
    const recorded = bench.ops;
    const vm = await MoteVM.create();
    const all = units();
    const gasNow = new Map<string, number>();
    // calibration rows: one module each (as the benchmark deploys them), its storage set up first
    const self = new Uint8Array(32).fill(7);
    for (const u of all.filter((x) => !x.id.startsWith("ledger:"))) {
      const m = workloadModule([u], self);
      const store = new MemoryStateStore();
      const ctx = { store, self, caller: alice.publicKey, timestamp: 1n, height: 1n, gas: 90_000_000 };
      expect(vm.call(m, "setup", [], ctx).status, u.id).toBe("ok");
      const g0 = vm.call(m, "u0", [0n, 1n], ctx);
      const g1 = vm.call(m, "u0", [1n, 1n], ctx);
      expect([g0.status, g1.status], u.id).toEqual(["ok", "ok"]);
      gasNow.set(u.id, (g1.gasUsed - g0.gasUsed) / copiesOf(u));
    }
    // the ledger's storage patterns on a ledger: new entries first, then overwrites, reads and deletes of them
    const lu = all.filter((x) => x.id.startsWith("ledger:"));
    const ledger = await Ledger.open(":memory:", { chainId: "gas-rows", clock: ticking() });
    const id = instanceIdOf(ledger);
    ledger.deploy(alice, workloadModule(lu, id), [], { gas: 90_000_000 });
    const fn = (rowId: string): string => `u${lu.findIndex((x) => x.id === rowId)}`;
    const iteration = (rowId: string, base: bigint): number => {
      const g0 = ledger.call(alice, id, fn(rowId), [0n, base], { gas: 90_000_000 }).receipt;
      const g1 = ledger.call(alice, id, fn(rowId), [1n, base], { gas: 90_000_000 }).receipt;
      expect([g0.status, g1.status], rowId).toEqual(["ok", "ok"]);
      return (g1.gasUsed - g0.gasUsed) / copiesOf(lu.find((x) => x.id === rowId)!);
    };
    const present = 1_000n; // keys 1001..1016 of slots 4 and 6, written as new before they are read, overwritten and deleted
    iteration("ledger:mstore overwrite", present);
    iteration("ledger:mstore overwrite 1024", present);
    gasNow.set("ledger:mload absent", iteration("ledger:mload absent", 5_000n));
    gasNow.set("ledger:mstore new", iteration("ledger:mstore new", 6_000n));
    gasNow.set("ledger:sstore new 240", iteration("ledger:sstore new 240", 7_000n));
    gasNow.set("ledger:mstore new 1024", iteration("ledger:mstore new 1024", 8_000n));
    gasNow.set("ledger:mload present", iteration("ledger:mload present", present));
    gasNow.set("ledger:mload present 1024", iteration("ledger:mload present 1024", present));
    gasNow.set("ledger:mstore overwrite", iteration("ledger:mstore overwrite", present));
    gasNow.set("ledger:mstore overwrite 1024", iteration("ledger:mstore overwrite 1024", present));
    gasNow.set("ledger:mstore delete", iteration("ledger:mstore delete", present));
    ledger.close();
    // every recorded row is priced today, and every unit of the benchmark was recorded
    expect(new Set(gasNow.keys())).toEqual(new Set(recorded.map((o) => o.id)));
    // wall time of one unit (its loop's share included) as recorded, over the gas of one unit today
    const perGas = recorded.map((o) => ({ id: o.id, ns: nsPerUnit(o.id) / gasNow.get(o.id)! }));
    const mean = perGas.reduce((s, r) => s + r.ns, 0) / perGas.length;
    // the goal is 3; a recording on a loaded machine whose cheap interpreter rows pass it by noise alone (its own
    // maxOverMean) can check no tighter, so today's prices may leave no row worse than the recording found
    const bound = Math.max(MAX_OVER_MEAN, bench.maxOverMean + 0.01);
    const over = perGas.filter((r) => r.ns > bound * mean).map((r) => `${r.id} ${(r.ns / mean).toFixed(2)}x the mean`);
    expect(over).toEqual([]);
    // the rows priced by their ledger cost (storage, events, hashing, signatures) within the goal: reverting SLOAD,
    // SSTORE, EMIT, SHA256_PER_BLOCK or ED25519_REJECT to its price before this re-pricing multiplies its rows'
    // ratios 2.5-9x (STATE_DELETE_GAS is pinned by test/ledger/state-cost.test.ts)
    // The state writes and sha256 were at 4.2-4.5x the mean while the state tree stored a node per row (each write
    // dirtied ~21 random pages of the nodes index); stored in chunks of four levels (ledger/smt.ts CHUNK_LEVELS)
    // they are within 2.5x, and no row priced by its ledger cost is over 3x the mean in the recording.
    const priced = perGas.filter((r) => /^(ledger:|emit|sha256|edverify)/.test(r.id));
    expect(priced.length).toBeGreaterThanOrEqual(15);
    expect(priced.filter((r) => r.ns / mean > MAX_OVER_MEAN).map((r) => `${r.id} ${(r.ns / mean).toFixed(2)}x the mean`)).toEqual([]);
  }, 120_000);
});
