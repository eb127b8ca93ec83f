// The application's edges (ledger/app.ts), driven through the ledger or the app as a driver would: the
// messages of refusals (arguments of the wrong kind, a deploy of a module without init that is given value,
// a gas price below the minimum, funds short or exactly enough, a module the VM accepts and the ledger cannot
// decode, a transaction for the genesis block, a contract whose module the state lacks); receipts exactly (an out-of-gas stop, a deploy without init,
// negative integers as u64, no stop offset on success); a deploy whose init reverts; a reverted call pays no
// state growth for the value it carried; a contract's balance entry made and emptied in one call is no delete; and the block's state-growth bound, met exactly and named with what
// is left. (Found by Stryker over ledger/app.ts: npm run mutate:js -- ledger/app.ts.)
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { balanceKey, contractKey, hex, Ledger, LEDGER_LIMITS, storageKey, TxRejected, type ContractVM } from "../../ledger/index.ts";
import { LedgerApp, toReceipt } from "../../ledger/app.ts";
import { checkGenesis, defaultGenesis, U64_MAX } from "../../ledger/params.ts";
import { BlockOverlay, concatInfo, u64le, WorldState } from "../../ledger/state.ts";
import { assemble } from "../../vm/asm/index.ts";
import { decodeModule, ModuleFormatError } from "../../vm/spec/module.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { enc, key, program, ticking, thrown } from "./helpers.ts";

const alice = key(1);
const bob = key(2);
const vm = await MoteVM.create();

/** No init; `poke` does nothing; `neg` returns -1; `shout` emits topic 9 with -2. */
const probe = assemble(
  [
    ".func poke params=0 results=0 locals=0",
    "halt",
    ".end",
    ".func neg params=0 results=1 locals=0",
    "push -1",
    "ret",
    ".end",
    ".func shout params=0 results=0 locals=0",
    "push -2",
    "emit 9 1 0",
    "halt",
    ".end",
    ".export poke",
    ".export neg",
    ".export shout",
  ].join("\n"),
  "probe.masm",
);

/** An init that always reverts (error 2). */
const refusing = assemble([".func init params=0 results=0 locals=0", "push0", "require 2", "halt", ".end", ".export init"].join("\n"), "refusing.masm");

const VALUE = 1000;
/** fill(n, base): n new entries base+1..base+n of map slot 4, each VALUE bytes; one(k, v): entry k = v. */
const growText = (meta: number): string =>
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
    ".func one params=2 results=0 locals=0",
    "lget0",
    "lget1",
    "mstore 4 2",
    "halt",
    ".end",
    ".export fill",
    ".export one args=ib",
    `.meta 0x${meta.toString(16).padStart(2, "0").repeat(32)}`,
  ].join("\n");
const grow = assemble(growText(1), "grow.masm");

/** A map entry's state key: the storage namespace, the instance, the slot and the int key. */
const entryKey = (contract: Uint8Array, k: bigint): Uint8Array => {
  const b = new Uint8Array(9);
  b[0] = 4;
  new DataView(b.buffer).setBigUint64(1, k, true);
  return storageKey(contract, b);
};


function expectRejected(e: unknown, message: string, code: string): void {
  expect(e).toBeInstanceOf(TxRejected);
  expect((e as TxRejected).message).toBe(message);
  expect((e as TxRejected).code).toBe(code);
}

describe("refusals name the problem", () => {
  it("an argument of the wrong kind: bytes for an integer and the other way, in a call and a view", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking() });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    expectRejected(thrown(() => l.call(alice, book, "put", [1n, 1n])), "put argument 1 must be bytes, got an integer", "bad_arguments");
    expectRejected(thrown(() => l.call(alice, book, "put", [enc("k"), enc("v")])), "put argument 2 must be an integer, got bytes", "bad_arguments");
    expectRejected(thrown(() => l.view(book, "get", [5n])), "get argument 1 must be bytes, got an integer", "bad_arguments");
    l.close();
  });

  it("a deploy of a module without init takes neither arguments nor value", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking(), genesis: { alloc: [{ id: alice.publicKey, amount: 100n }] } });
    expectRejected(thrown(() => l.deploy(alice, probe, [1n])), "the module exports no init, so a deploy takes no arguments (got 1)", "bad_arguments");
    expectRejected(thrown(() => l.deploy(alice, probe, [], { value: 5n })), "the module exports no init, so a deploy cannot take value (got 5)", "bad_arguments");
    expect(l.height).toBe(0n);
    l.close();
  });

  it("a gas price below the chain's minimum", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking(), genesis: { minGasPrice: 2n } });
    expectRejected(thrown(() => l.deploy(alice, probe, [], { gasPrice: 1n })), "gas price 1 is below this chain's minimum 2", "gas_price");
    l.close();
  });

  it("funds: a sender holding exactly what the transaction needs (2^64-1) is served, one holding less is refused with the sum", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking(), genesis: { alloc: [{ id: alice.publicKey, amount: U64_MAX }] } });
    const p = l.deploy(alice, probe).contract;
    expect(l.call(alice, p, "poke", [], { value: U64_MAX }).receipt.status).toBe("ok");
    expect([l.balance(alice.publicKey), l.balance(p)]).toEqual([0n, U64_MAX]);
    const gas = LEDGER_LIMITS.DEFAULT_TX_GAS.value;
    expectRejected(
      thrown(() => l.call(bob, p, "poke", [], { value: 1n })),
      `${hex(bob.publicKey)} holds 0, the transaction needs 1 (value 1 + gas limit ${gas} × gas price 0)`,
      "insufficient_funds",
    );
    l.close();
  });

  it("a module the VM accepts but whose exports do not decode is an invalid module, with the decoder's reason", async () => {
    const junk = Uint8Array.of(0x4d, 0x4f, 0x54, 0x45, 0xee, 1, 2, 3);
    const lenient: ContractVM = { verify: (m) => ({ ok: true, id: sha256(m) }), call: (m, fn, args, opts) => vm.call(m, fn, args, opts) };
    const l = await Ledger.open(":memory:", { chainId: "app", vm: lenient, clock: ticking() });
    const reason = thrown(() => decodeModule(junk));
    expect(reason).toBeInstanceOf(ModuleFormatError);
    expectRejected(thrown(() => l.deploy(alice, junk)), `invalid module: ${(reason as Error).message}`, "invalid_module");
    l.close();
  });

  it("the genesis block holds no transactions: an app with no genesis hash refuses one, and so does the genesis builder", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking() });
    const tx = l.signDeploy(alice, probe);
    const unbound = new LedgerApp(vm, "app", null);
    expectRejected(thrown(() => unbound.checkTxStateless(tx)), "the genesis block holds no transactions", "malformed");
    const builder = unbound.genesis(new WorldState(), 0n, checkGenesis(defaultGenesis()));
    expectRejected(thrown(() => builder.deliver(tx)), "the genesis block holds no transactions", "malformed");
    expect(builder.txs).toEqual([]);
    l.close();
  });
});

describe("a contract whose module the state does not hold", () => {
  it("is an unknown contract to a call (as a state being filled by a sync could hold it), not a crash", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking() });
    const id = new Uint8Array(32).fill(7);
    const pending = new BlockOverlay(l.state);
    pending.write(contractKey(id), concatInfo(sha256(probe), alice.publicKey, 1n));
    const call = l.signCall(alice, id, "poke");
    expectRejected(thrown(() => l.application.checkTxState(call, pending)), `unknown contract ${hex(id)}`, "unknown_contract");
    // with its module, the same call checks
    pending.addModule(sha256(probe), probe);
    expect(l.application.checkTxState(call, pending)).toEqual(probe);
    l.close();
  });
});

describe("receipts", () => {
  it("an out-of-gas stop for state growth carries no returns and no events", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking() });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    // the run itself: overwriting the same entry adds no state
    l.call(alice, book, "put", [enc("k"), 1n]);
    const run = l.call(alice, book, "put", [enc("k"), 2n]).receipt;
    expect(run.events.length).toBe(1);
    // a new key costs the same run plus its bytes: a limit of the run alone stops it
    const r = l.call(alice, book, "put", [enc("j"), 2n], { gas: run.gasUsed });
    expect(r.receipt).toStrictEqual({ status: "out_of_gas", gasUsed: run.gasUsed, error: 0, returns: [], events: [] });
    l.close();
  });

  it("a deploy without init: ok, and pays for its contract entry's bytes only", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking() });
    const d = l.deploy(alice, probe);
    const entry = contractKey(d.contract).length + 32 + 32 + 8;
    expect(d.receipt).toStrictEqual({ status: "ok", gasUsed: entry * LEDGER_LIMITS.STATE_BYTE_GAS.value, error: 0, returns: [], events: [] });
    expect(l.contract(d.contract)?.moduleHash).toEqual(sha256(probe));
    l.close();
  });

  it("a deploy whose init reverts leaves no contract and no module", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking() });
    const d = l.deploy(alice, refusing);
    expect(d.receipt).toMatchObject({ status: "revert", error: 2 });
    expect(l.contract(d.contract)).toBeUndefined();
    expect(l.state.module(sha256(refusing))).toBeUndefined();
    expect(l.nonce(alice.publicKey)).toBe(1n);
    l.close();
  });

  it("integers are reported as u64 in returns and event values", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking() });
    const p = l.deploy(alice, probe).contract;
    expect(l.call(alice, p, "neg").receipt.returns).toEqual([U64_MAX]);
    expect(l.call(alice, p, "shout").receipt.events).toEqual([{ topic: 9, values: [U64_MAX - 1n] }]);
    l.close();
  });

  it("toReceipt keeps a stop offset only when the VM reports one", () => {
    const base = { status: "ok" as const, gasUsed: 5, returns: [-1n, enc("x")], events: [{ topic: -1, values: [-3n] }], error: null, errorOffset: null };
    for (const stopOffset of [null, undefined]) {
      const r = toReceipt({ ...base, stopOffset });
      expect("stopOffset" in r, String(stopOffset)).toBe(false);
      expect(r).toStrictEqual({ status: "ok", gasUsed: 5, error: 0, returns: [U64_MAX, enc("x")], events: [{ topic: 0xffffffff, values: [U64_MAX - 2n] }] });
    }
    expect(toReceipt({ ...base, status: "revert", error: 3, stopOffset: 0 })).toMatchObject({ status: "revert", error: 3, stopOffset: 0 });
  });

  it("a reverted call pays no state growth for the value it carried (the value goes back)", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking(), genesis: { alloc: [{ id: alice.publicKey, amount: 1000n }] } });
    const book = l.deploy(alice, program("book.masm"), [50n]).contract;
    // value 99 > the limit 50: put reverts, with or without value attached
    const bare = l.call(alice, book, "put", [enc("k"), 99n]).receipt;
    const paid = l.call(alice, book, "put", [enc("k"), 99n], { value: 5n }).receipt;
    expect(bare.status).toBe("revert");
    expect(paid).toStrictEqual(bare);
    expect([l.balance(alice.publicKey), l.balance(book)]).toEqual([1000n, 0n]);
    l.close();
  });
});

describe("a deleted entry", () => {
  it("a contract paying on all the value it was sent ends with no balance entry, which is no delete: the recipient's new entry is all it pays for", async () => {
    const fwd = assemble([".func forward params=1 results=0 locals=0", "lget0", "value", "pay", "halt", ".end", ".export forward args=b"].join("\n"), "forward.masm");
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking(), genesis: { alloc: [{ id: alice.publicKey, amount: 1000n }] } });
    const f = l.deploy(alice, fwd).contract;
    // the VM's own gas for the call, on a scratch store holding the value credited to the contract
    const scratch = new MemoryStateStore();
    scratch.set(f, new Uint8Array(0), u64le(10n));
    const vmGas = vm.call(fwd, "forward", [bob.publicKey], { store: scratch, self: f, caller: alice.publicKey, value: 10n, timestamp: 0n, height: 0n, gas: 20_000_000 }).gasUsed;
    const r = l.call(alice, f, "forward", [bob.publicKey], { value: 10n });
    expect(r.receipt).toMatchObject({ status: "ok", gasUsed: vmGas + (balanceKey(bob.publicKey).length + 8) * LEDGER_LIMITS.STATE_BYTE_GAS.value });
    expect([l.balance(alice.publicKey), l.balance(f), l.balance(bob.publicKey)]).toEqual([990n, 0n, 10n]);
    expect(l.state.read(balanceKey(f))).toBeUndefined();
    l.close();
  });
});

describe("the block's state-growth bound (LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH)", () => {
  it("a block may grow the state by exactly the bound; past it, the refusal names what the block has left, module bytes counted", async () => {
    const l = await Ledger.open(":memory:", { chainId: "app", vm, clock: ticking(), genesis: { blockGasLimit: 4_000_000_000n } });
    const g = l.deploy(alice, grow).contract;
    const max = LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH.value;
    const keyLen = entryKey(g, 1n).length;
    const entry = keyLen + VALUE;
    // one entry of `tail` bytes, then n of VALUE bytes: exactly the bound
    const n = Math.floor((max - keyLen - 1) / entry);
    const tail = max - n * entry - keyLen;
    expect(tail).toBeGreaterThan(0);
    expect(tail).toBeLessThan(VALUE);
    const nonce = l.nonce(alice.publicKey);
    const exact = l.submit([
      l.signCall(alice, g, "one", [0n, new Uint8Array(tail).fill(1)], { nonce }),
      l.signCall(alice, g, "fill", [BigInt(n), 0n], { nonce: nonce + 1n, gas: 1_000_000_000 }),
    ]);
    expect(exact.outcomes.map((o) => (o.ok ? o.receipt.status : o.error.code))).toEqual(["ok", "ok"]);
    // a new module's bytes count toward the bound: after the deploy of one, a fill that fits alone is refused
    const other = assemble(growText(2), "grow2.masm");
    const deployed = l.signDeploy(alice, other, [], { nonce: nonce + 2n });
    const used = contractKey(g).length + 32 + 32 + 8 + other.length;
    const over = Math.floor((max - used) / entry) + 1;
    expect(over * entry).toBeLessThanOrEqual(max);
    const r = l.submit([deployed, l.signCall(alice, g, "fill", [BigInt(over), 10_000n], { nonce: nonce + 3n, gas: 1_000_000_000 })]);
    expect(r.outcomes[0]!.ok).toBe(true);
    const refused = r.outcomes[1]!;
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expectRejected(
        refused.error,
        `the transaction would add ${over * entry} bytes to the state; this block has ${max - used} of its ${max} left (LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH); send it in a later block`,
        "state_growth",
      );
    }
    // a module the state already holds adds no bytes: only the new contract's entry counts
    const again = l.signDeploy(alice, grow, [], { nonce: nonce + 3n });
    const entryOnly = contractKey(g).length + 32 + 32 + 8;
    const over2 = Math.floor((max - entryOnly) / entry) + 1;
    const r2 = l.submit([again, l.signCall(alice, g, "fill", [BigInt(over2), 20_000n], { nonce: nonce + 4n, gas: 1_000_000_000 })]);
    expect(r2.outcomes[0]!.ok).toBe(true);
    const refused2 = r2.outcomes[1]!;
    expect(refused2.ok).toBe(false);
    if (!refused2.ok) expect(refused2.error.message).toBe(`the transaction would add ${over2 * entry} bytes to the state; this block has ${max - entryOnly} of its ${max} left (LEDGER_LIMITS.MAX_BLOCK_STATE_GROWTH); send it in a later block`);
    expect(l.audit()).toMatchObject({ ok: true });
    l.close();
  }, 60_000);
});
