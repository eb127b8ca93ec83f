// Regressions (issue 11, point 1): gas did not price what a validator spends on state. Opening a ledger
// read every state entry into memory (3 s at 320,000 entries); new entries were charged like overwrites and
// one transaction could add any number of them to a block (160,000 entries: 34 s). Now a ledger reads its
// state on demand (opening reads the root record only), new state is paid by the byte, and a block's
// growth is bounded.
import { rmSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { Ledger, LEDGER_LIMITS, TxRejected, hex, storageKey } from "../../ledger/index.ts";
import { assemble } from "../../vm/asm/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { DYNAMIC_GAS } from "../../vm/spec/opcodes.ts";
import { key, tempDir, ticking } from "./helpers.ts";

const alice = key(0x51);
const VALUE = 1000;

/**
 * fill(n, base): writes n new entries, keys base+1..base+n of map slot 4, each a VALUE-byte string (or 8-byte int);
 * clear(n, base): writes the empty value (deletes) to those keys.
 */
const filler = assemble(
  [
    `.const big 0x${"5a".repeat(VALUE)}`,
    ".func fill params=2 results=0 locals=0",
    "L:",
    "lget0",
    "jz E",
    "laddi 1 1",
    "lget1",
    "pushb big",
    "mstore 4 2",
    "lget0",
    "push1",
    "sub",
    "lset0",
    "jmp L",
    "E:",
    "ret",
    ".end",
    ".func ints params=2 results=0 locals=0",
    "M:",
    "lget0",
    "jz F",
    "laddi 1 1",
    "lget1",
    "lget1",
    "mstore 4 0",
    "lget0",
    "push1",
    "sub",
    "lset0",
    "jmp M",
    "F:",
    "ret",
    ".end",
    '.const empty ""',
    ".func clear params=2 results=0 locals=0",
    "C:",
    "lget0",
    "jz D",
    "laddi 1 1",
    "lget1",
    "pushb empty",
    "mstore 4 2",
    "lget0",
    "push1",
    "sub",
    "lset0",
    "jmp C",
    "D:",
    "ret",
    ".end",
    ".export fill",
    ".export ints",
    ".export clear",
  ].join("\n"),
  "filler.masm",
);

/** A map entry's state key: the storage namespace, the instance, the slot and the int key. */
const entryKey = (contract: Uint8Array, k: bigint): Uint8Array => {
  const b = new Uint8Array(9);
  b[0] = 4;
  new DataView(b.buffer).setBigUint64(1, k, true);
  return storageKey(contract, b);
};

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

describe("ledger state cost", () => {
  it("opens a ledger without reading its state: the root record only, then O(log n) tree nodes per read", async () => {
    const dir = tempDir("mote-state-cost-");
    try {
      const l = await Ledger.open(dir, { chainId: "cost", vm, clock: ticking() });
      const d = l.deploy(alice, filler);
      // as many new int entries as a block's gas buys (each an SSTORE and its bytes), up to 150
      const n = Math.min(150, Math.floor(90_000_000 / (DYNAMIC_GAS.SSTORE + 100_000)));
      const r = l.call(alice, d.contract, "ints", [BigInt(n), 0n], { gas: 100_000_000 });
      expect(r.receipt.status).toBe("ok");
      l.close();
      const o = await Ledger.open(dir, { vm });
      // one node row (the state root's record), no state row, no module row: O(1) in the state's size
      expect(o.storeReads).toEqual({ nodes: 1, state: 0, modules: 0 });
      const k = BigInt(n - 1);
      const v = o.state.read(entryKey(d.contract, k));
      expect(v && hex(v)).toBe(hex(new Uint8Array(new BigUint64Array([k]).buffer)));
      // a read walks one path: about log2(n) nodes, far from n
      const reads = o.storeReads.nodes - 1;
      expect(reads).toBeGreaterThan(0);
      expect(reads).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 2);
      o.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("charges new state by the byte, as LEDGER_LIMITS.STATE_BYTE_GAS says", async () => {
    const l = await Ledger.open(":memory:", { chainId: "cost", vm, clock: ticking() });
    const d = l.deploy(alice, filler);
    const n = 4;
    // the VM's own gas for the same code (run on a scratch store: its charges do not depend on what is stored)
    const vmGas = vm.call(filler, "fill", [BigInt(n), 0n], { store: new MemoryStateStore(), self: d.contract, caller: alice.publicKey, timestamp: 0n, height: 0n, gas: 90_000_000 }).gasUsed;
    const r = l.call(alice, d.contract, "fill", [BigInt(n), 0n], { gas: 90_000_000 });
    expect(r.receipt.status).toBe("ok");
    const entryBytes = entryKey(d.contract, 1n).length + VALUE;
    expect(r.receipt.gasUsed).toBe(vmGas + n * entryBytes * LEDGER_LIMITS.STATE_BYTE_GAS.value);
    // overwriting the same entries adds no state: the VM's gas only
    const again = l.call(alice, d.contract, "fill", [BigInt(n), 0n], { gas: 90_000_000 });
    expect(again.receipt.gasUsed).toBe(vmGas);
    // a gas limit of exactly the run and its growth is enough (the keys 200.. are new)
    const exact = vmGas + n * entryBytes * LEDGER_LIMITS.STATE_BYTE_GAS.value;
    expect(l.call(alice, d.contract, "fill", [BigInt(n), 200n], { gas: exact }).receipt).toMatchObject({ status: "ok", gasUsed: exact });
    // a value that shrinks adds nothing and earns nothing back; one that grows pays for the bytes it adds
    const scratch = { self: d.contract, caller: alice.publicKey, timestamp: 0n, height: 0n, gas: 90_000_000 };
    const intsGas = vm.call(filler, "ints", [BigInt(n), 0n], { store: new MemoryStateStore(), ...scratch }).gasUsed;
    expect(l.call(alice, d.contract, "ints", [BigInt(n), 0n], { gas: 90_000_000 }).receipt.gasUsed).toBe(intsGas);
    expect(l.call(alice, d.contract, "fill", [BigInt(n), 0n], { gas: 90_000_000 }).receipt.gasUsed).toBe(vmGas + n * (VALUE - 8) * LEDGER_LIMITS.STATE_BYTE_GAS.value);
    // a gas limit that covers the run but not its growth ends out of gas, and nothing is written
    const short = l.call(alice, d.contract, "fill", [BigInt(n), 100n], { gas: vmGas + 10 });
    expect(short.receipt).toMatchObject({ status: "out_of_gas", gasUsed: vmGas + 10 });
    expect(l.state.read(entryKey(d.contract, 101n))).toBeUndefined();
    l.close();
  });

  it("charges a deleted entry LEDGER_LIMITS.STATE_DELETE_GAS on top of its write, a delete of an absent key nothing more (ledger:mstore delete cost 1.4x an overwrite)", async () => {
    const l = await Ledger.open(":memory:", { chainId: "cost", vm, clock: ticking() });
    const d = l.deploy(alice, filler);
    const n = 3;
    const scratch = { self: d.contract, caller: alice.publicKey, timestamp: 0n, height: 0n, gas: 90_000_000 };
    const vmGas = vm.call(filler, "clear", [BigInt(n), 0n], { store: new MemoryStateStore(), ...scratch }).gasUsed;
    expect(l.call(alice, d.contract, "ints", [BigInt(n), 0n], { gas: 90_000_000 }).receipt.status).toBe("ok");
    expect(l.state.read(entryKey(d.contract, 1n))).toBeDefined();
    const r = l.call(alice, d.contract, "clear", [BigInt(n), 0n], { gas: 90_000_000 });
    expect(r.receipt.status).toBe("ok");
    expect(r.receipt.gasUsed).toBe(vmGas + n * LEDGER_LIMITS.STATE_DELETE_GAS.value);
    for (let i = 1n; i <= BigInt(n); i++) expect(l.state.read(entryKey(d.contract, i))).toBeUndefined();
    // the entries are gone: clearing them again deletes nothing and pays the VM's gas only
    const again = l.call(alice, d.contract, "clear", [BigInt(n), 0n], { gas: 90_000_000 });
    expect(again.receipt.gasUsed).toBe(vmGas);
    // a delete costs more than an overwrite of the same entry (the VM charges both one SSTORE)
    expect(LEDGER_LIMITS.STATE_DELETE_GAS.value).toBeGreaterThan(0);
    l.close();
  });

  it("refuses a transaction that would grow the state past the block's bound, naming the bound", async () => {
    // at the default block gas limit no transaction can pay for that much state (STATE_BYTE_GAS): a chain with a larger one
    const l = await Ledger.open(":memory:", { chainId: "cost", vm, clock: ticking(), genesis: { blockGasLimit: 2_000_000_000n } });
    const d = l.deploy(alice, filler);
    const entryBytes = entryKey(d.contract, 1n).length + VALUE;
    const max = LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH.value;
    const over = Math.floor(max / entryBytes) + 1;
    const before = { height: l.height, nonce: l.nonce(alice.publicKey) };
    let err: unknown;
    try {
      l.call(alice, d.contract, "fill", [BigInt(over), 0n], { gas: 1_000_000_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TxRejected);
    expect((err as TxRejected).code).toBe("state_growth");
    expect((err as TxRejected).message).toBe(
      `the transaction would add ${over * entryBytes} bytes to the state; this block has ${max} of its ${max} left (LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH); send it in a later block`,
    );
    // refused: no block, no nonce used
    expect({ height: l.height, nonce: l.nonce(alice.publicKey) }).toEqual(before);
    // two transactions that fit alone share one block's bound: the second waits for a later block
    const half = Math.floor(over / 2) + 1;
    const txs = [0n, 1n].map((i) => l.signCall(alice, d.contract, "fill", [BigInt(half), i * 1_000_000n], { gas: 900_000_000, nonce: before.nonce + i }));
    const r = l.submit(txs);
    expect(r.outcomes.map((o) => (o.ok ? o.receipt.status : o.error.code))).toEqual(["ok", "state_growth"]);
    expect(l.audit()).toMatchObject({ ok: true });
    l.close();
  }, 60_000);
});
