// The ledger under attack, beyond test/ledger/ (which already covers one bad signature, a wrong chain id
// field, nonce replay/skip, truncation, every byte of an export, and SIGKILL during appends): every byte
// of a signed tx tampered, signatures by the wrong key, small-order and malleable forgeries, exact-byte
// replays, another chain's real tx, oversized and random input, and every byte of every stored block.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sha512 } from "@noble/hashes/sha2.js";
import * as ed from "@noble/ed25519";
import { describe, expect, it } from "vitest";
import { Ledger, TxRejected, encodeUnsignedTx, hex, signTx, type KeyPair, type SignedTx, type UnsignedTx } from "../../ledger/index.ts";
import { TX_SIGN_DOMAIN } from "../../ledger/tx.ts";
import { concat } from "../../ledger/bytes.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { bookVariant, enc, key, program, tempDir, ticking } from "../ledger/helpers.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { Rng, seedFromEnv } from "../fuzz/random.ts";

ed.hashes.sha512 = sha512;
const vm = await MoteVM.create();
const alice = key(1);
const bob = key(2);
const book = program("book.masm");
const SEED = seedFromEnv();

/** Everything a refused transaction must leave untouched. */
function snapshot(l: Ledger, who: Uint8Array[] = [alice.publicKey, bob.publicKey]) {
  return { height: l.height, root: hex(l.stateRoot), head: hex(l.headHash), txs: l.txCount, nonces: who.map((k) => l.nonce(k).toString()) };
}

async function chain(chainId = "adv"): Promise<{ l: Ledger; contract: Uint8Array }> {
  const l = await Ledger.open(":memory:", { chainId, clock: ticking(), vm });
  const { contract } = l.deploy(alice, book, [100n]);
  return { l, contract };
}

/** Submits raw bytes and returns the refusal (failing the test if the ledger accepts or throws). */
function refused(l: Ledger, bytes: Uint8Array): TxRejected {
  const r = l.submit([bytes]);
  expect(r.block, "a tampered transaction made a block").toBeNull();
  const o = r.outcomes[0]!;
  expect(o.ok).toBe(false);
  if (o.ok) throw new Error("accepted");
  expect(o.error).toBeInstanceOf(TxRejected);
  expect(o.error.message).not.toMatch(/\n/);
  return o.error;
}

/** A transaction signed with `signer`'s key whatever its `sender` field says. */
function signedBy(tx: UnsignedTx, signer: KeyPair): Uint8Array {
  return concat(encodeUnsignedTx(tx), signer.sign(concat(TX_SIGN_DOMAIN, encodeUnsignedTx(tx))));
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
function leBig(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}
function bigLe(x: bigint, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return b;
}

describe(`ledger adversarial (MOTE_SEED=${SEED})`, () => {
  it("refuses every single-byte change of a signed call and of a signed deploy, changing nothing", async () => {
    const { l, contract } = await chain();
    const call = l.signCall(alice, contract, "put", [enc("k"), 7n]);
    const deploy = l.signDeploy(bob, bookVariant(3), [5n]);
    const before = snapshot(l);
    const codes = new Map<string, number>();
    for (const tx of [call, deploy]) {
      for (let i = 0; i < tx.bytes.length; i++) {
        const t = tx.bytes.slice();
        t[i] ^= 1 << (i % 8);
        const e = refused(l, t);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
    expect(snapshot(l)).toEqual(before);
    console.log(`tampered transactions refused: ${JSON.stringify(Object.fromEntries(codes))} (${call.bytes.length + deploy.bytes.length} bytes)`);
    // most flips break the signature; the header's fields are caught by their own checks first or too
    expect(codes.get("signature") ?? 0).toBeGreaterThan(call.bytes.length);
    // the untouched transactions still go through, exactly once each
    expect(l.submit([call, deploy]).outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(l.audit().ok).toBe(true);
  });

  it("refuses a signature made by another key, however the rest is right", async () => {
    const { l, contract } = await chain();
    const before = snapshot(l);
    const tx: UnsignedTx = { genesisHash: l.genesisHash, sender: alice.publicKey, nonce: 1n, gasLimit: 10_000, gasPrice: 0n, value: 0n, kind: "call", contract, selector: selectorOf("stamp"), args: [] };
    expect(refused(l, signedBy(tx, bob)).code).toBe("signature");
    // the same signature moved onto bob's own transaction is refused too
    const mine = signTx({ ...tx, sender: bob.publicKey, nonce: 0n }, bob);
    const stolen = concat(encodeUnsignedTx({ ...tx, sender: bob.publicKey, nonce: 0n }), l.signCall(alice, contract, "stamp").signature);
    expect(refused(l, stolen).code).toBe("signature");
    expect(snapshot(l)).toEqual(before);
    expect(l.submit([mine]).outcomes[0]!.ok).toBe(true);
  });

  it("refuses small-order-key forgeries and malleated (S + L) signatures", async () => {
    const { l, contract } = await chain();
    const before = snapshot(l);
    // the identity point and the order-2 point verify (R = identity, S = 0) for every message under
    // cofactored or lenient rules; RFC 8032 strict verification must refuse them
    const identity = bigLe(1n, 32);
    const order2 = bigLe(2n ** 255n - 19n - 1n, 32);
    for (const sender of [identity, order2]) {
      const tx: UnsignedTx = { genesisHash: l.genesisHash, sender, nonce: 0n, gasLimit: 10_000, gasPrice: 0n, value: 0n, kind: "call", contract, selector: 0, args: [] };
      const forged = concat(encodeUnsignedTx(tx), identity, new Uint8Array(32));
      expect(refused(l, forged).code).toBe("signature");
    }
    // the same valid signature with S replaced by S + L (not canonical, same group element)
    const good = l.signCall(alice, contract, "put", [enc("m"), 1n]);
    const s = leBig(good.signature.subarray(32));
    const mal = good.bytes.slice();
    mal.set(bigLe(s + L, 32), mal.length - 32);
    expect(refused(l, mal).code).toBe("signature");
    expect(snapshot(l)).toEqual(before);
    expect(l.submit([good]).outcomes[0]!.ok).toBe(true);
  });

  it("refuses exact-byte replays, in the same batch and in later blocks", async () => {
    const { l, contract } = await chain();
    const t = l.signCall(alice, contract, "put", [enc("r"), 3n]);
    const r = l.submit([t, t]);
    expect(r.outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(r.outcomes[1]!.ok ? null : r.outcomes[1]!.error.code).toBe("nonce_replayed");
    const before = snapshot(l);
    for (let k = 0; k < 3; k++) expect(refused(l, t.bytes).code).toBe("nonce_replayed");
    expect(snapshot(l)).toEqual(before);
    expect(l.events({ contract }).filter((e) => e.topic === 7)).toHaveLength(1);
  });

  it("holds a skipped nonce out, then accepts the same bytes once the gap is filled", async () => {
    const { l, contract } = await chain();
    const second = l.signCall(alice, contract, "put", [enc("b"), 2n], { nonce: 2n });
    expect(refused(l, second.bytes).code).toBe("nonce_skipped");
    expect(l.submit([l.signCall(alice, contract, "put", [enc("a"), 1n], { nonce: 1n })]).outcomes[0]!.ok).toBe(true);
    expect(l.submit([second]).outcomes[0]!.ok).toBe(true);
    expect(refused(l, second.bytes).code).toBe("nonce_replayed");
  });

  it("refuses another chain's real transaction, and the same deploy is a different instance on each chain", async () => {
    const a = await chain("chain-a");
    const b = await chain("chain-b");
    expect(hex(a.contract)).not.toBe(hex(b.contract)); // same module, deployer and nonce: ids bound to each chain's genesis
    const t = a.l.signCall(alice, a.contract, "put", [enc("x"), 1n]);
    const before = snapshot(b.l);
    expect(refused(b.l, t.bytes).code).toBe("chain_id");
    expect(snapshot(b.l)).toEqual(before);
    expect(a.l.submit([t]).outcomes[0]!.ok).toBe(true);
  });

  it("refuses oversized and malformed transactions with a one-line reason naming the field", async () => {
    const { l, contract } = await chain();
    const before = snapshot(l);
    const base: UnsignedTx = { genesisHash: l.genesisHash, sender: alice.publicKey, nonce: 1n, gasLimit: 10_000, gasPrice: 0n, value: 0n, kind: "call", contract, selector: 0, args: [] };
    // the encoder refuses what the format cannot hold...
    expect(() => encodeUnsignedTx({ ...base, args: [new Uint8Array(LIMITS.MAX_BYTES_LEN.value + 1)] })).toThrow(RangeError);
    expect(() => encodeUnsignedTx({ ...base, args: Array.from({ length: LIMITS.MAX_PARAMS.value + 1 }, () => 0n) })).toThrow(RangeError);
    expect(() => encodeUnsignedTx({ ...base, gasLimit: LIMITS.MAX_GAS.value + 1 })).toThrow(RangeError);
    expect(() => encodeUnsignedTx({ kind: "deploy", genesisHash: l.genesisHash, sender: alice.publicKey, nonce: 1n, gasLimit: 1, gasPrice: 0n, value: 0n, module: new Uint8Array(LIMITS.MODULE_MAX_BYTES.value + 1), args: [] })).toThrow(RangeError);
    // ...and the decoder refuses hand-made bytes that claim it, signed or not
    const maxArg = signTx({ ...base, args: [new Uint8Array(LIMITS.MAX_BYTES_LEN.value)] }, alice).bytes;
    const lenAt = maxArg.length - 64 - LIMITS.MAX_BYTES_LEN.value - 2;
    const grown = concat(maxArg.subarray(0, maxArg.length - 64), Uint8Array.of(0), maxArg.subarray(maxArg.length - 64));
    grown[lenAt] = (LIMITS.MAX_BYTES_LEN.value + 1) & 0xff;
    grown[lenAt + 1] = (LIMITS.MAX_BYTES_LEN.value + 1) >> 8;
    const e1 = refused(l, grown);
    expect(e1.code).toBe("malformed");
    expect(e1.message).toMatch(/tx\.args/);
    const gas0 = signTx(base, alice).bytes.slice();
    const gasAt = 1 + 1 + 32 + 32 + 8; // version, kind, genesis hash, sender, nonce
    gas0.fill(0, gasAt, gasAt + 4);
    expect(refused(l, gas0).message).toMatch(/tx\.gas_limit at byte 74: gas limit 0 is outside/);
    for (const junk of [new Uint8Array(0), new Uint8Array(1 << 20), new Rng(SEED).bytes(300), Uint8Array.of(1, 9)]) {
      expect(refused(l, junk).code).toBe("malformed");
    }
    expect(refused(l, l.signDeploy(alice, Uint8Array.of(0x4d, 0x4f, 0x54, 0x45, 1, 3, 0)).bytes).code).toBe("invalid_module");
    expect(snapshot(l)).toEqual(before);
  });

  it("never accepts or throws on mutated transactions (seeded)", async () => {
    const { l, contract } = await chain();
    const r = new Rng(SEED);
    const seeds: SignedTx[] = [l.signCall(alice, contract, "put", [enc("q"), 5n]), l.signCall(bob, contract, "stamp"), l.signDeploy(bob, bookVariant(4), [1n])];
    const before = snapshot(l);
    for (let i = 0; i < 600; i++) {
      const src = r.pick(seeds).bytes;
      const m = [...src];
      for (let k = r.range(1, 4); k > 0; k--) {
        const at = r.int(m.length);
        const op = r.int(4);
        if (op === 0) m[at] = r.int(256);
        else if (op === 1) m.splice(at, r.range(1, 8));
        else if (op === 2) m.splice(at, 0, ...r.bytes(r.range(1, 8)));
        else m.length = at;
      }
      const bytes = Uint8Array.from(m);
      if (Buffer.compare(Buffer.from(bytes), Buffer.from(src)) === 0) continue;
      refused(l, bytes);
    }
    expect(snapshot(l)).toEqual(before);
  });

  it("audit and import refuse seeded splices of an export (lengths, insertions, cuts) without throwing", async () => {
    const { l, contract } = await chain();
    l.submit([l.signCall(alice, contract, "put", [enc("a"), 1n]), l.signCall(bob, contract, "put", [enc("b"), 2n])]);
    const ex = l.exportChain();
    const r = new Rng(SEED ^ 0x5a5a);
    let audited = 0;
    for (let i = 0; i < 300; i++) {
      const m = [...ex];
      for (let k = r.range(1, 3); k > 0; k--) {
        const at = r.int(m.length);
        const op = r.int(5);
        if (op === 0) m.splice(at, r.range(1, 40));
        else if (op === 1) m.splice(at, 0, ...r.bytes(r.range(1, 40)));
        else if (op === 2) m.splice(at, 4, 0xff, 0xff, 0xff, 0x7f); // a length field claiming ~2 GiB
        else if (op === 3) m.splice(at, 0, ...m.slice(r.int(m.length), r.int(m.length))); // a repeated run
        else m[at] = r.int(256);
      }
      const bytes = Uint8Array.from(m);
      if (Buffer.compare(Buffer.from(bytes), Buffer.from(ex)) === 0) continue;
      const a = await Ledger.auditExport(bytes, { vm });
      audited++;
      expect(a.ok, `mutation ${i} passed the audit`).toBe(false);
      if (!a.ok) expect(a.error).not.toMatch(/\n/);
      if (i % 60 === 0) {
        const dir = tempDir("mote-adv-import-");
        try {
          await expect(Ledger.importChain(dir, bytes, { vm })).rejects.toThrow();
          expect(existsSync(join(dir, "ledger.sqlite")), "a failed import left a store behind").toBe(false);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    expect(audited).toBeGreaterThan(250);
  });

  it("audit catches every single-byte change of every stored block and names it", async () => {
    const dir = tempDir("mote-adv-");
    try {
      const l = await Ledger.open(dir, { chainId: "adv", clock: ticking(), vm });
      const { contract } = l.deploy(alice, book, [50n]);
      l.submit([l.signCall(alice, contract, "put", [enc("a"), 1n]), l.signCall(bob, contract, "put", [enc("b"), 99n])]);
      l.call(bob, contract, "stamp", [], { gas: 5 });
      expect(l.audit().ok).toBe(true);
      const db = new Database(join(dir, "ledger.sqlite"));
      const rows = db.prepare("SELECT height, hash, bytes FROM blocks ORDER BY height").all() as { height: number; hash: Buffer; bytes: Buffer }[];
      const put = db.prepare("UPDATE blocks SET bytes = ?, hash = ? WHERE height = ?");
      const misses: string[] = [];
      const misnamed: string[] = [];
      let checked = 0;
      for (const row of rows) {
        for (const column of ["bytes", "hash"] as const) {
          const orig = Buffer.from(row[column]);
          for (let i = 0; i < orig.length; i++) {
            const t = Buffer.from(orig);
            t[i]! ^= 1 << (i % 8);
            put.run(column === "bytes" ? t : row.bytes, column === "hash" ? t : row.hash, row.height);
            const a = l.audit();
            checked++;
            if (a.ok) misses.push(`block ${row.height} ${column} byte ${i}`);
            // a stored hash that no longer matches may be noticed at its block or at the next one's link
            else if (a.height !== String(row.height) && !(column === "hash" && a.height === String(row.height + 1))) {
              misnamed.push(`block ${row.height} ${column} byte ${i}: ${a.error}`);
            }
          }
          put.run(row.bytes, row.hash, row.height);
        }
      }
      db.close();
      console.log(`stored-block audit: ${checked} single-byte changes across ${rows.length} blocks, all caught`);
      expect(misses).toEqual([]);
      expect(misnamed).toEqual([]);
      expect(checked).toBeGreaterThan(500);
      expect(l.audit().ok).toBe(true);
      l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
