// The ledger end to end through the real VM: deploys, calls, reverts, views, events, proofs, every
// way a transaction is refused (and that a refusal changes nothing), batches, determinism, reopening.
import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  Ledger,
  LEDGER_LIMITS,
  LedgerError,
  TxRejected,
  decodeStateProof,
  hex,
  instanceId,
  signTx,
  verifyStateProof,
  type RejectCode,
} from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { bookVariant, enc, key, program, tempDir, ticking } from "./helpers.ts";

const alice = key(1);
const bob = key(2);
const book = program("book.masm");
const counter = program("../programs/counter.masm");
const vm = await MoteVM.create();

/** A fixed genesis salt: the determinism test needs two chains made the same way to be the same chain. */
const SALT = new Uint8Array(32).fill(0x11);

async function fresh(): Promise<Ledger> {
  return Ledger.open(":memory:", { chainId: "devnet", clock: ticking(), vm, genesis: { salt: SALT } });
}

function rejected(f: () => unknown): TxRejected {
  try {
    f();
  } catch (e) {
    if (e instanceof TxRejected) return e;
    throw e;
  }
  throw new Error("expected the transaction to be refused");
}

describe("ledger", () => {
  it("deploys with init arguments, runs calls and views, and records receipts and events", async () => {
    const l = await fresh();
    const d = l.deploy(alice, book, [100n]);
    expect(d.receipt.status).toBe("ok");
    expect(hex(d.contract)).toBe(hex(instanceId(l.genesisHash, alice.publicKey, 0n)));
    expect(l.contract(d.contract)).toMatchObject({ deployer: alice.publicKey, height: 1n, moduleHash: (vm.verify(book) as { id: Uint8Array }).id });
    expect(l.height).toBe(1n);
    const put = l.call(bob, d.contract, "put", [enc("temp"), 21n]);
    expect(put.receipt).toMatchObject({ status: "ok", error: 0 });
    expect(put.receipt.events).toEqual([{ topic: 7, values: [enc("temp"), 21n] }]);
    expect(l.view(d.contract, "get", [enc("temp")]).returns).toEqual([21n]);
    expect(l.view(d.contract, "owner").returns).toEqual([alice.publicKey]);
    expect(l.nonce(alice.publicKey)).toBe(1n);
    expect(l.nonce(bob.publicKey)).toBe(1n);
    const evs = l.events({ contract: d.contract, topic: 7 });
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ height: 2n, tx: 0, index: 0, topic: 7, values: [enc("temp"), 21n] });
    expect(hex(evs[0]!.txId)).toBe(hex(put.txId));
    expect(l.txLocation(put.txId)).toEqual({ height: 2n, idx: 0 });
    expect(l.audit()).toMatchObject({ ok: true, blocks: 3, txs: 2 });
    l.close();
  });

  it("records a revert as a receipt: nonce consumed, storage and events untouched", async () => {
    const l = await fresh();
    const { contract } = l.deploy(alice, book, [100n]);
    l.call(alice, contract, "put", [enc("k"), 5n]);
    const root = l.stateRoot;
    const r = l.call(alice, contract, "put", [enc("k"), 500n]);
    expect(r.receipt).toEqual({ status: "revert", gasUsed: r.receipt.gasUsed, error: 1, returns: [], events: [], stopOffset: expect.any(Number) });
    expect(r.receipt.gasUsed).toBeGreaterThan(0);
    expect(l.view(contract, "get", [enc("k")]).returns).toEqual([5n]);
    expect(l.nonce(alice.publicKey)).toBe(3n);
    expect(hex(l.stateRoot)).not.toBe(hex(root)); // only the nonce moved
    const oog = l.call(alice, contract, "put", [enc("k"), 6n], { gas: 10 });
    expect(oog.receipt.status).toBe("out_of_gas");
    expect(l.view(contract, "get", [enc("k")]).returns).toEqual([5n]);
    expect(l.events({ contract, topic: 7 })).toHaveLength(1);
  });

  it("creates no contract when init fails, consumes the nonce, and lets the module be deployed again", async () => {
    const l = await fresh();
    const failed = l.deploy(alice, book, [100n], { gas: 5 });
    expect(failed.receipt.status).toBe("out_of_gas");
    expect(l.contract(failed.contract)).toBeUndefined();
    expect(l.nonce(alice.publicKey)).toBe(1n);
    expect(() => l.call(alice, failed.contract, "put", [enc("a"), 1n])).toThrow(/^unknown contract /);
    const ok = l.deploy(alice, book, [100n]);
    expect(ok.receipt.status).toBe("ok");
    expect(l.contract(ok.contract)).toMatchObject({ height: 2n, deployer: alice.publicKey });
    expect(l.audit()).toMatchObject({ ok: true, txs: 2 });
  });

  it("hands the block's timestamp and height to contracts", async () => {
    const l = await Ledger.open(":memory:", { chainId: "devnet", clock: ticking(5000n), vm });
    const { contract } = l.deploy(alice, book, [1n]);
    // the producer may propose a time up to MAX_TIME_DRIFT ahead of its clock (5002 at this block)
    const r = l.call(alice, contract, "stamp", [], { timestamp: 5010n });
    expect(r.receipt.events).toEqual([{ topic: 8, values: [5010n, 2n] }]);
    expect(l.headBlock.header.timestamp).toBe(5010n);
    expect(() => l.call(alice, contract, "stamp", [], { timestamp: 5009n })).toThrow(/timestamp 5009 is before the head block's 5010/);
    // A clock that runs behind the head never makes time run backwards on chain.
    const r2 = l.call(alice, contract, "stamp");
    expect(r2.receipt.events[0]!.values[0]).toBe(5010n);
  });

  it("refuses a poisoned timestamp: no block, and time stays usable (regression: time poisoned by u64 max)", async () => {
    const l = await Ledger.open(":memory:", { chainId: "devnet", clock: ticking(5000n), vm });
    const { contract } = l.deploy(alice, book, [1n]);
    const before = { height: l.height, root: hex(l.stateRoot), nonce: l.nonce(alice.publicKey) };
    for (const t of [2n ** 64n - 1n, 5000n + 1000n]) {
      expect(() => l.call(alice, contract, "stamp", [], { timestamp: t })).toThrow(new RegExp(`^timestamp ${t} is more than 15 s ahead of this producer's clock \\(\\d+\\)$`));
    }
    expect({ height: l.height, root: hex(l.stateRoot), nonce: l.nonce(alice.publicKey) }).toEqual(before);
    const r = l.call(alice, contract, "stamp");
    expect(r.receipt.status).toBe("ok");
    expect(r.receipt.events[0]!.values[0]).toBeLessThan(5010n);
  });

  describe("refuses, changing nothing", () => {
    const cases: [string, RejectCode, RegExp, (l: Ledger, c: Uint8Array) => unknown][] = [
      ["a bad signature", "signature", /^bad signature by [0-9a-f]{64}$/, (l, c) => {
        const t = l.signCall(alice, c, "put", [enc("x"), 1n]).bytes.slice();
        t[t.length - 1] ^= 0x80;
        return l.submit([t]);
      }],
      ["a wrong chain (genesis hash)", "chain_id", /^signed for another chain: the transaction's genesis hash is (00){32}, chain 'devnet' has [0-9a-f]{64}$/, (l, c) =>
        l.submit([signTx({ genesisHash: new Uint8Array(32), sender: alice.publicKey, nonce: 1n, gasLimit: 1000, gasPrice: 0n, value: 0n, kind: "call", contract: c, selector: 1, args: [] }, alice)])],
      ["a replayed nonce", "nonce_replayed", /^nonce 0 already used by [0-9a-f]{64} \(next is 1\)$/, (l, c) =>
        l.call(alice, c, "put", [enc("x"), 1n], { nonce: 0n })],
      ["a skipped nonce", "nonce_skipped", /^nonce 5 skips ahead for [0-9a-f]{64} \(next is 1\)$/, (l, c) =>
        l.call(alice, c, "put", [enc("x"), 1n], { nonce: 5n })],
      ["an unknown contract", "unknown_contract", /^unknown contract 0{64}$/, (l) => l.call(alice, new Uint8Array(32), "put", [])],
      ["an unknown function", "unknown_function", /^contract [0-9a-f]{64} exports no function nope$/, (l, c) => l.call(alice, c, "nope")],
      ["a second init", "unknown_function", /^init runs once, when the contract is deployed$/, (l, c) => l.call(alice, c, "init", [1n])],
      ["too few arguments", "bad_arguments", /^put takes 2 argument\(s\), got 1$/, (l, c) => l.call(alice, c, "put", [enc("x")])],
      ["a wrongly typed argument", "bad_arguments", /^put argument 1 must be bytes, got an integer$/, (l, c) => l.call(alice, c, "put", [1n, 1n])],
      ["malformed bytes", "malformed", /^malformed transaction: tx\.signature at byte \d+: truncated: needs 64 byte\(s\), 63 left$/, (l, c) =>
        l.submit([l.signCall(alice, c, "put", [enc("x"), 1n]).bytes.slice(0, -1)])],
      ["value the sender does not hold", "insufficient_funds", new RegExp(`^[0-9a-f]{64} holds 0, the transaction needs ${5 + LEDGER_LIMITS.DEFAULT_TX_GAS.value * 0} \\(value 5 \\+ gas limit ${LEDGER_LIMITS.DEFAULT_TX_GAS.value} × gas price 0\\)$`), (l, c) =>
        l.call(alice, c, "put", [enc("x"), 1n], { value: 5n })],
      ["a gas limit over the block's", "block_gas", /^gas limit 200000000 exceeds the block gas limit 100000000$/, (l, c) =>
        l.call(alice, c, "put", [enc("x"), 1n], { gas: 200_000_000 })],

      ["an invalid module", "invalid_module", /^invalid module: bad_version \(verifier code 2\) at module byte 4$/, (l) =>
        l.deploy(alice, Uint8Array.of(0x4d, 0x4f, 0x54, 0x45, 9))],
      ["init arguments for a module without init", "bad_arguments", /^the module exports no init, so a deploy takes no arguments \(got 1\)$/, (l) =>
        l.deploy(alice, counter, [1n])],
      ["an init with the wrong arguments", "bad_arguments", /^init takes 1 argument\(s\), got 0$/, (l) => l.deploy(alice, bookVariant(1), [])],
    ];
    for (const [what, code, message, attempt] of cases) {
      it(what, async () => {
        const l = await fresh();
        const { contract } = l.deploy(alice, book, [100n]);
        const before = { height: l.height, root: hex(l.stateRoot), head: hex(l.headHash), nonce: l.nonce(alice.publicKey), txs: l.txCount };
        let e: TxRejected;
        try {
          const r = attempt(l, contract) as { outcomes?: { ok: boolean; error?: TxRejected }[]; block?: unknown };
          // submit() reports refusals per transaction instead of throwing.
          expect(r?.block).toBeNull();
          e = r!.outcomes![0]!.error!;
        } catch (x) {
          e = rejected(() => {
            throw x;
          });
        }
        expect(e.code).toBe(code);
        expect(e.message).toMatch(message);
        expect({ height: l.height, root: hex(l.stateRoot), head: hex(l.headHash), nonce: l.nonce(alice.publicKey), txs: l.txCount }).toEqual(before);
        expect(l.audit().ok).toBe(true);
      });
    }
  });

  it("validates a batch in order: later transactions see earlier ones, refused ones leave no trace", async () => {
    const l = await fresh();
    const a = bookVariant(2);
    const d1 = l.signDeploy(alice, a, [10n], { nonce: 0n });
    const d2 = l.signDeploy(bob, a, [10n], { nonce: 0n }); // same module: a second instance
    const c1 = l.signCall(alice, instanceId(l.genesisHash, alice.publicKey, 0n), "put", [enc("a"), 1n], { nonce: 1n }); // sees d1's instance
    const skip = l.signCall(alice, new Uint8Array(32), "put", [], { nonce: 9n });
    const r = l.submit([d1, d2, c1, skip]);
    expect(r.outcomes.map((o) => (o.ok ? "ok" : o.error.code))).toEqual(["ok", "ok", "ok", "nonce_skipped"]);
    expect(r.block!.txs).toHaveLength(3);
    expect(r.block!.header.height).toBe(1n);
    expect(l.nonce(bob.publicKey)).toBe(1n);
    expect(l.view(instanceId(l.genesisHash, alice.publicKey, 0n), "get", [enc("a")]).returns).toEqual([1n]);
    expect(l.view(instanceId(l.genesisHash, bob.publicKey, 0n), "get", [enc("a")]).returns).toEqual([0n]);
    expect(l.audit()).toMatchObject({ ok: true, txs: 3 });
  });

  it("executes what was signed, not what a SignedTx object claims", async () => {
    const l = await fresh();
    const { contract } = l.deploy(alice, book, [100n]);
    const s = l.signCall(alice, contract, "put", [enc("k"), 1n]);
    s.tx.args = [enc("k"), 99n];
    expect(l.submit([s]).outcomes[0]!.ok).toBe(true);
    expect(l.view(contract, "get", [enc("k")]).returns).toEqual([1n]);
  });

  it("refuses to fork when another writer moved the chain, and rolls its own state back", async () => {
    const dir = tempDir();
    try {
      const a = await Ledger.open(dir, { chainId: "devnet", clock: ticking(), vm });
      const { contract } = a.deploy(alice, book, [100n]);
      const b = await Ledger.open(dir, { vm, clock: ticking() });
      a.call(alice, contract, "put", [enc("a"), 1n]);
      const before = { height: b.height, root: hex(b.stateRoot) };
      expect(() => b.call(bob, contract, "put", [enc("b"), 2n])).toThrow(/the chain moved to height 2 while block 2 was being built \(another writer\?\); retry/);
      expect({ height: b.height, root: hex(b.stateRoot) }).toEqual(before);
      expect(b.nonce(bob.publicKey)).toBe(0n);
      b.close();
      a.close();
      const c = await Ledger.open(dir, { vm });
      expect(c.height).toBe(2n);
      expect(c.audit().ok).toBe(true);
      c.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads another contract's storage by its module id (xmload), read-only", async () => {
    const l = await fresh();
    const a = l.deploy(alice, bookVariant(3), [100n]).contract;
    const b = l.deploy(alice, bookVariant(4), [100n]).contract;
    l.call(alice, a, "put", [enc("t"), 42n]);
    expect(l.view(b, "peer", [a, enc("t")]).returns).toEqual([42n]);
    expect(l.view(b, "get", [enc("t")]).returns).toEqual([0n]);
  });

  it("refuses views that are not view functions or do not exist", async () => {
    const l = await fresh();
    const { contract } = l.deploy(alice, book, [100n]);
    expect(() => l.view(contract, "put", [enc("a"), 1n])).toThrow(/^put is not a view function; send it as a transaction$/);
    expect(() => l.view(contract, "nope")).toThrow(/exports no function nope$/);
    expect(() => l.view(new Uint8Array(32), "get")).toThrow(/^unknown contract 0{64}$/);
  });

  it("proves presence and absence against the head's state root", async () => {
    const l = await fresh();
    const { contract } = l.deploy(alice, book, [100n]);
    l.call(alice, contract, "put", [enc("a"), 7n]);
    l.call(alice, contract, "put", [enc("b"), 8n]);
    const mapKey = (s: string): Uint8Array => Uint8Array.of(2, ...enc(s));
    const p = l.prove(contract, mapKey("a"));
    expect(hex(p.value!)).toBe("0700000000000000");
    expect(hex(p.stateRoot)).toBe(hex(l.headBlock.header.stateRoot));
    expect(verifyStateProof(l.stateRoot, decodeStateProof(p.encoded))).toEqual({ ok: true, value: p.value });
    l.call(alice, contract, "clear", [enc("a")]);
    const gone = l.prove(contract, mapKey("a"));
    expect(gone.value).toBeNull();
    expect(verifyStateProof(l.stateRoot, gone.proof)).toEqual({ ok: true, value: null });
    // An old proof does not verify against the new root.
    expect(verifyStateProof(l.stateRoot, p.proof).ok).toBe(false);
    expect(() => l.prove(contract, new Uint8Array(0))).toThrow(/a storage key is 1\.\.64 bytes, got 0/);
  });

  it("is deterministic: the same transactions give the same blocks, hashes and roots", async () => {
    const run = async (): Promise<string[]> => {
      const l = await fresh();
      const { contract } = l.deploy(alice, book, [100n]);
      for (let i = 0; i < 5; i++) l.call(i % 2 ? alice : bob, contract, "put", [enc(`k${i}`), BigInt(i * 50)]);
      const out = [];
      for (let h = 0n; h <= l.height; h++) out.push(hex(l.block(h)!.bytes));
      return out;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(a).toHaveLength(7);
  });

  it("persists across reopen, and refuses a wrong or missing chain", async () => {
    const dir = tempDir();
    try {
      const l = await Ledger.open(dir, { chainId: "devnet", clock: ticking(), vm });
      const { contract } = l.deploy(alice, book, [100n]);
      l.call(alice, contract, "put", [enc("z"), 3n]);
      const head = hex(l.headHash);
      l.close();
      const again = await Ledger.open(dir, { vm });
      expect(hex(again.headHash)).toBe(head);
      expect(again.view(contract, "get", [enc("z")]).returns).toEqual([3n]);
      expect(again.nonce(alice.publicKey)).toBe(2n);
      again.close();
      await expect(Ledger.open(dir, { chainId: "other", vm })).rejects.toThrow(`${dir}: holds chain 'devnet', not 'other'`);
      await expect(Ledger.init(dir, { chainId: "devnet", vm })).rejects.toThrow(LedgerError);
      const empty = join(dir, "nothing");
      await expect(Ledger.open(empty, { vm })).rejects.toThrow(/no ledger here \(no ledger\.sqlite\); run 'mote ledger init'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
