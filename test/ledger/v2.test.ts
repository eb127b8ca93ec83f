// Ledger protocol v2 end to end: contract instances (ids from deployer and nonce, code shared by hash,
// an operator per instance, no front-running), native value (genesis allocation, value on calls and
// deploys, pay applied only on ok, short balances), fees and the per-block gas limit.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { compileFile } from "../../compiler/index.ts";
import { Ledger, TxRejected, decodeStateProof, hex, instanceId, verifyStateProof, type GenesisConfig } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { key, ticking } from "./helpers.ts";

const vm = await MoteVM.create();
const ROOT = join(import.meta.dirname, "../..");
const compiled = (path: string): Uint8Array => {
  const out = compileFile(join(ROOT, path));
  if (!out.module) throw new Error(`${path}: ${out.diagnostics.map((d) => d.message).join("; ")}`);
  return out.module;
};
const registry = compiled("contracts/device_registry.mote");
const tipjar = compiled("test/ledger/programs/tipjar.mote");

const operator = key(11);
const mallory = key(12);
const device = key(13);
const alice = key(14);
const bob = key(15);
const feeSink = key(16);

async function chain(genesis: Partial<GenesisConfig> = {}): Promise<Ledger> {
  return Ledger.open(":memory:", { chainId: "v2", clock: ticking(), vm, genesis });
}
const location = new Uint8Array(32).fill(7);

describe("contract instances", () => {
  it("gives two deploys of one module their own ids, state and operators, sharing the code by hash", async () => {
    const l = await chain();
    const a = l.deploy(operator, registry);
    const b = l.deploy(alice, registry);
    expect(hex(a.contract)).toBe(hex(instanceId(l.genesisHash, operator.publicKey, 0n)));
    expect(hex(b.contract)).toBe(hex(instanceId(l.genesisHash, alice.publicKey, 0n)));
    expect(hex(a.contract)).not.toBe(hex(b.contract));
    const ia = l.contract(a.contract)!;
    const ib = l.contract(b.contract)!;
    expect(hex(ia.moduleHash)).toBe(hex(ib.moduleHash));
    expect(l.view(a.contract, "operator_key").returns).toEqual([operator.publicKey]);
    expect(l.view(b.contract, "operator_key").returns).toEqual([alice.publicKey]);
    expect(l.call(operator, a.contract, "register", [device.publicKey, 1n, location]).receipt.status).toBe("ok");
    expect(l.view(a.contract, "active_count").returns).toEqual([1n]);
    expect(l.view(b.contract, "active_count").returns).toEqual([0n]);
    // events key by instance
    expect(l.events({ contract: a.contract })).toHaveLength(1);
    expect(l.events({ contract: b.contract })).toHaveLength(0);
    // the same deployer's second deploy is a third instance (its nonce moved)
    const c = l.deploy(operator, registry);
    expect(hex(c.contract)).toBe(hex(instanceId(l.genesisHash, operator.publicKey, 2n)));
    expect(l.audit()).toMatchObject({ ok: true });
  });

  it("a front-run registry does not affect the operator's own instance (regression: first deployer became the operator)", async () => {
    const l = await chain();
    // mallory deploys the public registry module first
    const fake = l.deploy(mallory, registry);
    expect(fake.receipt.status).toBe("ok");
    // the operator's deploy of the same bytes is not refused: it is its own instance, run by it
    const real = l.deploy(operator, registry);
    expect(real.receipt.status).toBe("ok");
    expect(l.view(real.contract, "operator_key").returns).toEqual([operator.publicKey]);
    expect(l.call(operator, real.contract, "register", [device.publicKey, 1n, location]).receipt.status).toBe("ok");
    // mallory cannot act on the operator's instance, and its own instance is not the operator's
    const r = l.call(mallory, real.contract, "register", [mallory.publicKey, 1n, location]);
    expect(r.receipt.status).toBe("revert");
    expect(l.view(real.contract, "is_active", [mallory.publicKey]).returns).toEqual([0n]);
    expect(l.call(mallory, fake.contract, "register", [mallory.publicKey, 1n, location]).receipt.status).toBe("ok");
    expect(l.view(real.contract, "active_count").returns).toEqual([1n]);
    expect(l.view(real.contract, "is_active", [device.publicKey]).returns).toEqual([1n]);
  });
});

describe("native value", () => {
  it("allocates balances at genesis and moves value attached to calls and deploys", async () => {
    const l = await chain({ alloc: [{ id: alice.publicKey, amount: 1000n }, { id: bob.publicKey, amount: 50n }] });
    expect(l.balance(alice.publicKey)).toBe(1000n);
    expect(l.balance(bob.publicKey)).toBe(50n);
    const d = l.deploy(alice, tipjar, [], { value: 100n });
    expect(d.receipt.status).toBe("ok");
    expect(l.balance(d.contract)).toBe(100n);
    expect(l.balance(alice.publicKey)).toBe(900n);
    const t = l.call(bob, d.contract, "tip", [], { value: 20n });
    expect(t.receipt.events).toEqual([{ topic: expect.any(Number), values: [bob.publicKey, 20n] }]);
    expect(l.balance(d.contract)).toBe(120n);
    expect(l.balance(bob.publicKey)).toBe(30n);
    expect(l.view(d.contract, "funds").returns).toEqual([120n]);
    // pay: applied on ok
    expect(l.call(alice, d.contract, "payout", [bob.publicKey, 70n]).receipt.status).toBe("ok");
    expect(l.balance(d.contract)).toBe(50n);
    expect(l.balance(bob.publicKey)).toBe(100n);
    expect(l.audit()).toMatchObject({ ok: true });
  });

  it("fails a payment the contract cannot cover, and applies nothing of a call that does not end ok", async () => {
    const l = await chain({ alloc: [{ id: alice.publicKey, amount: 1000n }] });
    const d = l.deploy(alice, tipjar, [], { value: 100n });
    const root = hex(l.stateRoot);
    const short = l.call(alice, d.contract, "payout", [bob.publicKey, 101n]);
    expect(short.receipt.status).toBe("insufficient_balance");
    expect(l.balance(d.contract)).toBe(100n);
    expect(l.balance(bob.publicKey)).toBe(0n);
    const reverted = l.call(alice, d.contract, "payout_then_fail", [bob.publicKey, 10n], { value: 5n });
    expect(reverted.receipt.status).toBe("revert");
    // neither the payment nor the attached value moved; only the nonces did
    expect(l.balance(d.contract)).toBe(100n);
    expect(l.balance(alice.publicKey)).toBe(900n);
    expect(l.balance(bob.publicKey)).toBe(0n);
    expect(hex(l.stateRoot)).not.toBe(root);
    expect(l.nonce(alice.publicKey)).toBe(3n);
    // a deploy whose init fails returns its value too
    const failing = l.deploy(alice, tipjar, [], { value: 10n, gas: 5 });
    expect(failing.receipt.status).toBe("out_of_gas");
    expect(l.balance(failing.contract)).toBe(0n);
    expect(l.balance(alice.publicKey)).toBe(900n);
    expect(l.audit()).toMatchObject({ ok: true });
  });

  it("refuses value the sender does not hold at CheckTx, changing nothing", async () => {
    const l = await chain({ alloc: [{ id: alice.publicKey, amount: 10n }] });
    const d = l.deploy(alice, tipjar);
    const before = { height: l.height, root: hex(l.stateRoot) };
    expect(() => l.call(alice, d.contract, "tip", [], { value: 11n })).toThrow(TxRejected);
    expect(() => l.call(bob, d.contract, "tip", [], { value: 1n })).toThrow(/holds 0, the transaction needs 1/);
    expect({ height: l.height, root: hex(l.stateRoot) }).toEqual(before);
  });

  it("refuses a genesis allocation whose total would overflow a balance", async () => {
    await expect(chain({ alloc: [{ id: alice.publicKey, amount: 2n ** 64n - 1n }, { id: bob.publicKey, amount: 1n }] })).rejects.toThrow(
      /alloc: the total 18446744073709551616 exceeds 2\^64-1/,
    );
    await expect(chain({ alloc: [{ id: alice.publicKey, amount: 1n }, { id: alice.publicKey, amount: 1n }] })).rejects.toThrow(/allocated twice/);
    await expect(chain({ alloc: [{ id: alice.publicKey, amount: 0n }] })).rejects.toThrow(/amount 0 is outside 1\.\.2\^64-1/);
  });
});

describe("fees and limits", () => {
  it("charges gas used × gas price to the fee account, and refuses a price below the minimum or a sender who cannot pay", async () => {
    const l = await chain({ minGasPrice: 2n, feeAccount: feeSink.publicKey, alloc: [{ id: alice.publicKey, amount: 100_000_000n }] });
    expect(l.params).toMatchObject({ minGasPrice: 2n });
    // a deploy pays for the instance record it adds (LEDGER_LIMITS.STATE_BYTE_GAS per byte)
    const d = l.deploy(alice, tipjar, [], { gas: 20_000_000 });
    expect(d.receipt.status).toBe("ok");
    const fee = BigInt(d.receipt.gasUsed) * 2n;
    expect(fee).toBeGreaterThan(0n);
    expect(l.balance(feeSink.publicKey)).toBe(fee);
    expect(l.balance(alice.publicKey)).toBe(100_000_000n - fee);
    // a revert still pays for the gas it used
    const r = l.call(alice, d.contract, "payout_then_fail", [bob.publicKey, 0n], { gas: 20_000_000 });
    expect(r.receipt.status).toBe("revert");
    expect(l.balance(feeSink.publicKey)).toBe(fee + BigInt(r.receipt.gasUsed) * 2n);
    expect(() => l.call(alice, d.contract, "tip", [], { gas: 1_000_000, gasPrice: 1n })).toThrow(/gas price 1 is below this chain's minimum 2/);
    // bob has nothing: the worst-case fee (gas limit × price) is refused before execution
    expect(() => l.call(bob, d.contract, "tip", [], { gas: 1000 })).toThrow(/holds 0, the transaction needs 2000 \(value 0 \+ gas limit 1000 × gas price 2\)/);
    expect(l.audit()).toMatchObject({ ok: true });
  });

  it("fills a block only up to its gas limit", async () => {
    const l = await chain({ blockGasLimit: 25_000_000n });
    const d = l.deploy(alice, tipjar, [], { gas: 10_000_000 });
    const txs = [0n, 1n, 2n].map((n) => l.signCall(alice, d.contract, "tip", [], { gas: 10_000_000, nonce: 1n + n }));
    const r = l.submit(txs);
    expect(r.outcomes.map((o) => (o.ok ? "ok" : o.error.code))).toEqual(["ok", "ok", "block_gas"]);
    expect(r.outcomes[2]!.ok ? "" : r.outcomes[2]!.error.message).toMatch(/gas limit 10000000 does not fit in this block \(5000000 of 25000000 left\)/);
    expect(r.block!.txs).toHaveLength(2);
    expect(l.audit()).toMatchObject({ ok: true });
  });
});

describe("versioned state", () => {
  it("proves storage against any committed block's root from the stored tree nodes, not only the head's", async () => {
    const l = await chain();
    const d = l.deploy(operator, registry);
    l.call(operator, d.contract, "register", [device.publicKey, 1n, location]);
    const h2 = l.height;
    l.call(operator, d.contract, "revoke", [device.publicKey]);
    // slot 1 (devices) keyed by the device: its record changed between h2 and the head
    const key = Uint8Array.of(1, ...device.publicKey);
    const old = l.prove(d.contract, key, { height: h2 });
    const now = l.prove(d.contract, key);
    expect(hex(old.stateRoot)).toBe(hex(l.block(h2)!.header.stateRoot));
    expect(old.value).not.toBeNull();
    expect(now.value).not.toBeNull();
    expect(hex(old.value!)).not.toBe(hex(now.value!));
    expect(verifyStateProof(old.stateRoot, decodeStateProof(old.encoded))).toEqual({ ok: true, value: old.value });
    expect(verifyStateProof(now.stateRoot, decodeStateProof(now.encoded))).toEqual({ ok: true, value: now.value });
    // before the registration the entry was absent
    const before = l.prove(d.contract, key, { height: h2 - 1n });
    expect(before.value).toBeNull();
    expect(verifyStateProof(before.stateRoot, before.proof)).toEqual({ ok: true, value: null });
    // a proof for one block does not verify against another's root
    expect(verifyStateProof(now.stateRoot, old.proof).ok).toBe(false);
  });
});
