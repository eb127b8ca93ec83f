// Regression (issue 11, point 3): two ledgers created with the same chain id accepted each other's
// transactions byte for byte, and a reading a device signed for chain "staging" was accepted on chain
// "production" (the message bound the contract's id, the same wherever the same deployer deploys at the
// same nonce). Transactions now sign over the genesis hash (salted at init), instance ids derive from
// it, and device messages carry the device domain (tag, instance id, function selector, payload).
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sha256 } from "@noble/hashes/sha2.js";
import { register } from "../../cli/commands/ledger.ts";
import { inProcessMote } from "../helpers/cli.ts";
import { account, compileContract, Devnet, expectRevert, type Contract } from "../helpers/contract.ts";
import { fleet, gateway, KIND_PARTY, KIND_THERMOMETER, location, operator, REGISTRY, report, sensor, SUPPLY, submitArgs } from "../contracts/fleet.ts";
import { CallFailed } from "../helpers/contract.ts";
import { fromHex, handoffMessage, hex, instanceId, Ledger, readKeyFile } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";

const mote = inProcessMote(register);
const dir = mkdtempSync(join(tmpdir(), "mote-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SALT_A = new Uint8Array(32).fill(0xa1);
const SALT_B = new Uint8Array(32).fill(0xb2);

describe("signatures are bound to one chain", () => {
  it("two ledgers made by identical init calls have different genesis hashes and refuse each other's transactions", async () => {
    const vm = await MoteVM.create();
    const made = () => Ledger.init(":memory:", { chainId: "mote-devnet", timestamp: 1000n, clock: () => 1001n, vm });
    const [a, b] = [await made(), await made()];
    expect(hex(a.genesisHash)).not.toBe(hex(b.genesisHash));
    const alice = account("alice");
    const book = compileContract("contracts/token.mote").module;
    const t = a.signDeploy(alice, book, [100n]);
    const r = b.submit([t.bytes]);
    expect(r.block).toBeNull();
    const o = r.outcomes[0]!;
    expect(o.ok).toBe(false);
    if (!o.ok) {
      expect(o.error.code).toBe("chain_id");
      expect(o.error.message).toBe(`signed for another chain: the transaction's genesis hash is ${hex(a.genesisHash)}, chain 'mote-devnet' has ${hex(b.genesisHash)}`);
    }
    expect(a.submit([t.bytes]).outcomes[0]!.ok).toBe(true);
    // the same deployer at the same nonce: a different instance on each chain
    expect(hex(instanceId(a.genesisHash, alice.publicKey, 0n))).not.toBe(hex(instanceId(b.genesisHash, alice.publicKey, 0n)));
    // a salt given explicitly makes the setup reproducible: the same genesis, so the same chain
    const fixed = () => Ledger.init(":memory:", { chainId: "mote-devnet", timestamp: 1000n, clock: () => 1001n, vm, genesis: { salt: SALT_A } });
    const [c, d] = [await fixed(), await fixed()];
    expect(hex(c.genesisHash)).toBe(hex(d.genesisHash));
    for (const l of [a, b, c, d]) l.close();
  });

  it("a reading a device signed for the staging chain is refused by production's attestation, and instance ids differ", async () => {
    const staging = await fleet({ chainId: "staging", salt: SALT_A });
    const production = await fleet({ chainId: "production", salt: SALT_B });
    expect(hex(staging.attestation.id)).not.toBe(hex(production.attestation.id));
    expect(hex(staging.registry.id)).not.toBe(hex(production.registry.id));
    const device = sensor(7);
    for (const f of [staging, production]) await f.registry.call("register", [device, KIND_THERMOMETER, location("hall")], { from: operator });
    const reading = { nonce: 1n, value: 21.5, timestamp: staging.chain.now };
    const signedForStaging = submitArgs(staging, device, reading);
    // replayed byte for byte on production: the signature names staging's instance
    await expectRevert(production.attestation.call("submit", signedForStaging, { from: gateway }), "bad signature");
    // where it was meant to go, it counts
    const [a, g] = await report(staging, device, reading);
    expect(a).not.toBeInstanceOf(CallFailed);
    expect(g).not.toBeInstanceOf(CallFailed);
    expect(await staging.attestation.view("count_of", [device])).toBe(1n);
    expect(await production.attestation.view("count_of", [device])).toBe(0n);
  });

  it("a supply-chain handoff signed on one chain is refused on another", async () => {
    const farm = account("farm");
    const truck = account("truck");
    const crate = sha256(new TextEncoder().encode("crate #0042"));
    const setup = async (chainId: string, salt: Uint8Array): Promise<Contract> => {
      const chain = await Devnet.create({ chainId, salt });
      const registry = await chain.deploy(REGISTRY, { from: operator });
      for (const p of [farm, truck]) await registry.call("register", [p, KIND_PARTY, location("depot")], { from: operator });
      const sc = await chain.deploy(SUPPLY, { init: [registry], from: operator });
      await sc.call("create", [crate], { from: farm });
      return sc;
    };
    const [a, b] = [await setup("staging", SALT_A), await setup("production", SALT_B)];
    const m = handoffMessage(a.id, crate, truck.publicKey, 0n);
    const args = [crate, truck, farm.sign(m), truck.sign(m)];
    await expectRevert(b.call("handoff", args, { from: truck }), "handoff not signed by the holder");
    await a.call("handoff", args, { from: truck });
    expect(await a.view("holder_of", [crate])).toEqual(truck.publicKey);
    expect(await b.view("holder_of", [crate])).toEqual(farm.publicKey);
  });
});

describe("mote tx sign and mote tx submit", () => {
  const key = join(dir, "op.key");
  const [a, b, c] = ["a", "b", "c"].map((n) => join(dir, n));
  const genesisOf = (out: string): Uint8Array => fromHex((JSON.parse(out) as { genesis: string }).genesis, "genesis");

  it("a transaction signed offline for one ledger is submitted there and refused, in one line, by another made the same way", async () => {
    expect((await mote("keygen", "--out", key)).code).toBe(0);
    const init = ["ledger", "init", "--chain-id", "prod", "--timestamp", "1000", "--json"];
    const ga = genesisOf((await mote(...init, "--data", a)).out);
    const gb = genesisOf((await mote(...init, "--data", b)).out);
    expect(hex(ga)).not.toBe(hex(gb));

    const deployTx = join(dir, "deploy.tx");
    const s = await mote("tx", "sign", "deploy", "contracts/token.mote", "1000", "--key", key, "--data", a, "--out", deployTx, "--json");
    expect(s.code, s.err).toBe(0);
    const signed = JSON.parse(s.out) as { tx: string; contract: string; nonce: string };
    const contract = instanceId(ga, readKeyFile(key).publicKey, 0n);
    expect(signed).toMatchObject({ nonce: "0", contract: `0x${hex(contract)}` });
    // signing does not submit
    expect((await mote("ledger", "show", "--data", a, "--json")).out).toMatch(/"height":"0"/);

    const wrong = await mote("tx", "submit", deployTx, "--data", b);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe(`mote: ${deployTx}: rejected (chain_id): signed for another chain: the transaction's genesis hash is ${hex(ga)}, chain 'prod' has ${hex(gb)}\n`);
    const right = await mote("tx", "submit", deployTx, "--data", a, "--json");
    expect(right.code, right.err).toBe(0);
    expect(JSON.parse(right.out)).toMatchObject({ tx: signed.tx, height: "1", contract: `0x${hex(contract)}`, receipt: { status: "ok" } });

    // a call, signed without any ledger at hand (a gateway): genesis hash and nonce given
    const callTx = join(dir, "call.tx");
    const pub = `0x${hex(readKeyFile(key).publicKey)}`;
    const sc = await mote("tx", "sign", "call", hex(contract), "transfer", pub, "5", "--key", key, "--genesis-hash", `0x${hex(ga)}`, "--nonce", "1", "--out", callTx);
    expect(sc.code, sc.err).toBe(0);
    expect((await mote("tx", "submit", callTx, "--data", b)).err).toMatch(/^mote: .*call\.tx: rejected \(chain_id\): signed for another chain: [^\n]*\n$/);
    const ok = await mote("tx", "submit", callTx, "--data", a);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/in block 2\nstatus: ok/);
    // submitting the same bytes again is a replayed nonce, not a second transfer
    expect((await mote("tx", "submit", callTx, "--data", a)).err).toMatch(/^mote: .*rejected \(nonce_replayed\): nonce 1 already used/);
    // without --nonce, offline signing cannot know the nonce
    expect((await mote("tx", "sign", "call", hex(contract), "transfer", pub, "5", "--key", key, "--genesis-hash", `0x${hex(ga)}`, "--out", join(dir, "x.tx"))).err).toBe(
      "mote: --genesis-hash needs --nonce: without a ledger the sender's next nonce is unknown\n",
    );
    // and an existing file is never overwritten
    expect((await mote("tx", "sign", "call", hex(contract), "transfer", pub, "5", "--key", key, "--data", a, "--out", callTx)).err).toMatch(/already exists; refusing to overwrite\n$/);

    // the same explicit salt: the same chain, where the transaction is valid
    const salt = `0x${"5c".repeat(32)}`;
    const gc = genesisOf((await mote(...init, "--data", c, "--genesis-salt", salt)).out);
    const gc2 = genesisOf((await mote(...init, "--data", join(dir, "c2"), "--genesis-salt", salt)).out);
    expect(hex(gc)).toBe(hex(gc2));
    expect((await mote("ledger", "init", "--data", join(dir, "bad-salt"), "--genesis-salt", "0x1234")).err).toBe("mote: --genesis-salt: expected 32 bytes of hex, got 2\n");
  });

  it("a truncated or garbage file is refused in one line naming the field and byte offset", async () => {
    const deployTx = join(dir, "deploy.tx");
    const bytes = readFileSync(deployTx);
    const cut = join(dir, "cut.tx");
    writeFileSync(cut, bytes.subarray(0, 50));
    expect(await mote("tx", "submit", cut, "--data", a)).toMatchObject({ code: 1, err: `mote: ${cut}: not a signed transaction: tx.sender at byte 34: truncated: needs 32 byte(s), 16 left\n` });
    const junk = join(dir, "junk.tx");
    writeFileSync(junk, "hello, ledger\n");
    expect(await mote("tx", "submit", junk, "--data", a)).toMatchObject({ code: 1, err: `mote: ${junk}: not a signed transaction: tx.version at byte 0: unsupported transaction version 104, expected 3\n` });
    const longer = join(dir, "longer.tx");
    writeFileSync(longer, Buffer.concat([bytes, Buffer.of(0)]));
    expect((await mote("tx", "submit", longer, "--data", a)).err).toBe(`mote: ${longer}: not a signed transaction: tx at byte ${bytes.length}: 1 trailing byte(s)\n`);
    const empty = join(dir, "empty.tx");
    writeFileSync(empty, "");
    expect((await mote("tx", "submit", empty, "--data", a)).err).toMatch(/^mote: .*empty\.tx: not a signed transaction: tx\.version at byte 0: truncated[^\n]*\n$/);
  });

  it("a store or export from before chain binding is refused with its version", async () => {
    const exported = join(dir, "a.export");
    expect((await mote("ledger", "export", "--data", a, "--out", exported)).code).toBe(0);
    const bytes = readFileSync(exported);
    expect((await mote("audit", "--file", exported)).code).toBe(0);
    const old = Buffer.from(bytes);
    old[4] = 1;
    writeFileSync(exported, old);
    expect((await mote("audit", "--file", exported, "--json")).out).toMatch(/unsupported export version 1 at byte 4, expected 2 \(made by a Mote before chain-bound signatures/);
    const db = new Database(join(c, "ledger.sqlite"));
    db.prepare("UPDATE meta SET value = '2' WHERE key = 'schema'").run();
    db.close();
    expect((await mote("ledger", "show", "--data", c)).err).toMatch(/not a Mote ledger store \(schema 2, expected 4\); made by a Mote before chain-bound signatures/);
  });
});
