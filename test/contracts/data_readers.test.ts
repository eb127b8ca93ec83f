// Behaviour of contracts/data_readers.mote through the ledger: the operator adds and revokes readers'
// X25519 keys per device and per group, with sequence ranges, and `readers_for` answers what a device
// seals its next reading to.
import { describe, expect, it } from "vitest";
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { account, alice, Devnet, deploy, expectRevert } from "../helpers/contract.ts";
import { operator, sensor } from "./fleet.ts";

const READERS = "contracts/data_readers.mote";
const reader = (name: string): Uint8Array => x25519.getPublicKey(sha256(new TextEncoder().encode(`reader ${name}`)));
const keys = (b: Uint8Array): string[] => Array.from({ length: b.length / 32 }, (_, i) => Buffer.from(b.subarray(i * 32, i * 32 + 32)).toString("hex"));
const h = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const d1 = sensor(1);
const d2 = sensor(2);
const EVERY = 2n ** 64n - 1n;

describe("data readers", () => {
  it("lists the readers a device seals to, and drops a revoked one", async () => {
    const c = await deploy(READERS, { from: operator });
    expect(await c.view("readers_for", [d1, 1n])).toEqual(new Uint8Array(0));
    const a = await c.call("add_reader", [d1, reader("a")], { from: operator });
    expect(a.events).toEqual([{ name: "ReaderAdded", args: { device: d1.publicKey, group: 0n, reader: reader("a"), from: 0n, to: EVERY } }]);
    await c.call("add_reader", [d1, reader("b")], { from: operator });
    expect(keys((await c.view("readers_for", [d1, 7n])) as Uint8Array)).toEqual([h(reader("a")), h(reader("b"))]);
    expect(await c.view("readers_for", [d2, 7n])).toEqual(new Uint8Array(0));
    const r = await c.call("revoke_reader", [d1, reader("a")], { from: operator });
    expect(r.events).toEqual([{ name: "ReaderRevoked", args: { device: d1.publicKey, group: 0n, reader: reader("a") } }]);
    expect(keys((await c.view("readers_for", [d1, 8n])) as Uint8Array)).toEqual([h(reader("b"))]);
    expect(await c.view("device_reader_count", [d1])).toBe(1n);
  });

  it("gives a group's readers to every device in the group, once each", async () => {
    const c = await deploy(READERS, { from: operator });
    await c.call("add_group_reader", [5n, reader("plant")], { from: operator });
    await c.call("add_reader", [d1, reader("own")], { from: operator });
    await c.call("add_reader", [d1, reader("plant")], { from: operator });
    expect(keys((await c.view("readers_for", [d1, 1n])) as Uint8Array)).toEqual([h(reader("own")), h(reader("plant"))]);
    const a = await c.call("assign", [d1, 5n], { from: operator });
    expect(a.events).toEqual([{ name: "Assigned", args: { device: d1.publicKey, group: 5n } }]);
    await c.call("assign", [d2, 5n], { from: operator });
    expect(keys((await c.view("readers_for", [d1, 1n])) as Uint8Array)).toEqual([h(reader("own")), h(reader("plant"))]);
    expect(keys((await c.view("readers_for", [d2, 1n])) as Uint8Array)).toEqual([h(reader("plant"))]);
    expect(await c.view("group_of_device", [d2])).toBe(5n);
    await c.call("revoke_group_reader", [5n, reader("plant")], { from: operator });
    expect(await c.view("readers_for", [d2, 2n])).toEqual(new Uint8Array(0));
    expect(await c.view("group_reader_count", [5n])).toBe(0n);
    await expectRevert(c.call("add_group_reader", [0n, reader("x")], { from: operator }), "group 0 means no group");
    await expectRevert(c.call("revoke_group_reader", [0n, reader("x")], { from: operator }), "group 0 means no group");
  });

  it("limits a reader to its range of sequence numbers", async () => {
    const c = await deploy(READERS, { from: operator });
    await c.call("add_reader_range", [d1, reader("auditor"), 100n, 199n], { from: operator });
    expect(await c.view("readers_for", [d1, 99n])).toEqual(new Uint8Array(0));
    expect(keys((await c.view("readers_for", [d1, 100n])) as Uint8Array)).toEqual([h(reader("auditor"))]);
    expect(keys((await c.view("readers_for", [d1, 199n])) as Uint8Array)).toEqual([h(reader("auditor"))]);
    expect(await c.view("readers_for", [d1, 200n])).toEqual(new Uint8Array(0));
    await expectRevert(c.call("add_reader_range", [d1, reader("x"), 5n, 4n], { from: operator }), "empty sequence range");
  });

  it("refuses everyone but the operator, duplicates, unknown readers, a zero key and a ninth reader", async () => {
    const c = await deploy(READERS, { from: operator });
    await expectRevert(c.call("add_reader", [d1, reader("a")], { from: alice }), "only the operator");
    await expectRevert(c.call("assign", [d1, 1n], { from: d1 }), "only the operator");
    await c.call("add_reader", [d1, reader("a")], { from: operator });
    await expectRevert(c.call("add_reader", [d1, reader("a")], { from: operator }), "reader already listed");
    await expectRevert(c.call("revoke_reader", [d1, reader("nobody")], { from: operator }), "reader not listed");
    await expectRevert(c.call("add_reader", [d1, new Uint8Array(32)], { from: operator }), "a reader key cannot be all zeros");
    for (let i = 1; i < 8; i++) await c.call("add_reader", [d1, reader(`r${i}`)], { from: operator });
    await expectRevert(c.call("add_reader", [d1, reader("ninth")], { from: operator }), "reader set full (8 readers)");
    expect(keys((await c.view("readers_for", [d1, 0n])) as Uint8Array)).toHaveLength(8);
  });

  it("refuses to answer with more than 8 readers for one reading", async () => {
    const c = await deploy(READERS, { from: operator });
    for (let i = 0; i < 8; i++) await c.call("add_reader", [d1, reader(`own${i}`)], { from: operator });
    await c.call("add_group_reader", [3n, reader("group")], { from: operator });
    await c.call("assign", [d1, 3n], { from: operator });
    await expectRevert(c.view("readers_for", [d1, 1n]), "more than 8 readers for this reading");
  });

  describe("the data market on native value", () => {
    const owner = account("device owner");
    const buyer = account("data buyer");
    const FUNDS = 1_000_000n;

    async function market() {
      const chain = await Devnet.create({ alloc: [{ account: buyer, amount: FUNDS }] });
      const c = await chain.deploy(READERS, { from: operator });
      return { chain, c };
    }

    it("sells a range of a device's readings: the owner is paid, the excess returned, the buyer's key listed for that range", async () => {
      const { chain, c } = await market();
      const o = await c.call("offer", [d1, owner, 30n], { from: operator });
      expect(o.events).toEqual([{ name: "Offered", args: { device: d1.publicKey, owner: owner.publicKey, price: 30n } }]);
      expect(await c.view("price_of", [d1])).toBe(30n);
      const out = await c.call("buy", [d1, reader("buyer"), 10n, 19n], { from: buyer, value: 500n });
      expect(out.events).toEqual([{ name: "Granted", args: { device: d1.publicKey, buyer: buyer.publicKey, reader: reader("buyer"), from: 10n, to: 19n, paid: 300n } }]);
      expect(chain.ledger.balance(owner.publicKey)).toBe(300n);
      expect(chain.ledger.balance(buyer.publicKey)).toBe(FUNDS - 300n);
      expect(c.balance).toBe(0n);
      expect(await c.view("readers_for", [d1, 9n])).toEqual(new Uint8Array(0));
      expect(keys((await c.view("readers_for", [d1, 10n])) as Uint8Array)).toEqual([h(reader("buyer"))]);
      expect(keys((await c.view("readers_for", [d1, 19n])) as Uint8Array)).toEqual([h(reader("buyer"))]);
      expect(await c.view("readers_for", [d1, 20n])).toEqual(new Uint8Array(0));
    });

    it("refuses a purchase the value does not cover, of data not for sale, or too long, moving no value", async () => {
      const { chain, c } = await market();
      await expectRevert(c.call("buy", [d1, reader("b"), 0n, 0n], { from: buyer, value: 100n }), "device data not for sale");
      await c.call("offer", [d1, owner, 30n], { from: operator });
      await expectRevert(c.call("buy", [d1, reader("b"), 0n, 9n], { from: buyer, value: 299n }), "attached value does not cover the price");
      await expectRevert(c.call("buy", [d1, reader("b"), 5n, 4n], { from: buyer, value: 300n }), "empty sequence range");
      await expectRevert(c.call("buy", [d1, reader("b"), 0n, 1_000_000n], { from: buyer, value: 300n }), "grant longer than 1000000 readings");
      expect(chain.ledger.balance(buyer.publicKey)).toBe(FUNDS);
      expect(chain.ledger.balance(owner.publicKey)).toBe(0n);
      expect(await c.view("readers_for", [d1, 0n])).toEqual(new Uint8Array(0));
      await expectRevert(c.call("offer", [d1, owner, 1n], { from: buyer }), "only the operator");
      // taken off sale
      await c.call("offer", [d1, owner, 0n], { from: operator });
      await expectRevert(c.call("buy", [d1, reader("b"), 0n, 0n], { from: buyer, value: 100n }), "device data not for sale");
    });
  });
});

