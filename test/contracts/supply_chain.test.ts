// Behaviour of contracts/supply_chain.mote through the ledger: items are created by registered parties
// and handed over only with both parties' signatures over (contract, item, receiver, seq); every refusal
// is checked, and an item's full custody history is rebuilt from events alone.
import { handoffMessage as deviceHandoffMessage } from "../../ledger/device-message.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import type { KeyPair } from "../../ledger/index.ts";
import { account, Devnet, expectRevert, type Contract } from "../helpers/contract.ts";
import { KIND_PARTY, location, operator, REGISTRY, SUPPLY } from "./fleet.ts";

const farm = account("farm");
const truck = account("truck");
const shop = account("shop");
const stranger = account("stranger");
const crate = sha256(new TextEncoder().encode("crate #0042"));

interface Setup {
  registry: Contract;
  sc: Contract;
}

async function setup(): Promise<Setup> {
  const chain = await Devnet.create();
  const registry = await chain.deploy(REGISTRY, { from: operator });
  for (const p of [farm, truck, shop]) await registry.call("register", [p, KIND_PARTY, location("depot")], { from: operator });
  const sc = await chain.deploy(SUPPLY, { init: [registry], from: operator });
  return { registry, sc };
}


/** The 124-byte handoff message both parties sign (ledger/device-message.ts; header of contracts/supply_chain.mote). */
function handoffMessage(sc: Contract, item: Uint8Array, to: KeyPair, seq: bigint): Uint8Array {
  return deviceHandoffMessage(sc.id, item, to.publicKey, seq);
}

function handoffArgs(sc: Contract, item: Uint8Array, giver: KeyPair, to: KeyPair, seq: bigint): [Uint8Array, KeyPair, Uint8Array, Uint8Array] {
  const m = handoffMessage(sc, item, to, seq);
  return [item, to, giver.sign(m), to.sign(m)];
}

describe("supply chain", () => {
  it("creates an item held by its registered creator", async () => {
    const { sc } = await setup();
    const out = await sc.call("create", [crate], { from: farm });
    expect(out.events).toEqual([{ name: "Created", args: { item: crate, holder: farm.publicKey } }]);
    expect(await sc.view("holder_of", [crate])).toEqual(farm.publicKey);
    expect(await sc.view("handoffs_of", [crate])).toBe(0n);
  });

  it("refuses creation by an unregistered party, or of an existing item", async () => {
    const { sc } = await setup();
    await expectRevert(sc.call("create", [crate], { from: stranger }), "not an active registered party");
    await sc.call("create", [crate], { from: farm });
    await expectRevert(sc.call("create", [crate], { from: truck }), "item already exists");
    expect(await sc.view("holder_of", [crate])).toEqual(farm.publicKey);
  });

  it("moves custody when both parties signed, relayed by anyone", async () => {
    const { sc } = await setup();
    await sc.call("create", [crate], { from: farm });
    const out = await sc.call("handoff", handoffArgs(sc, crate, farm, truck, 0n), { from: stranger });
    expect(out.events).toEqual([{ name: "Handoff", args: { item: crate, from: farm.publicKey, to: truck.publicKey, seq: 0n } }]);
    expect(await sc.view("holder_of", [crate])).toEqual(truck.publicKey);
    expect(await sc.view("handoffs_of", [crate])).toBe(1n);
  });

  it("refuses a handoff not signed by both", async () => {
    const { sc } = await setup();
    await sc.call("create", [crate], { from: farm });
    const [item, to, giverSig, receiverSig] = handoffArgs(sc, crate, farm, truck, 0n);
    const forged = handoffArgs(sc, crate, shop, stranger, 0n);
    await expectRevert(sc.call("handoff", [item, to, forged[2], receiverSig], { from: truck }), "handoff not signed by the holder");
    await expectRevert(sc.call("handoff", [item, to, giverSig, giverSig], { from: farm }), "handoff not signed by the receiver");
    await expectRevert(sc.call("handoff", [item, to, receiverSig, giverSig], { from: farm }), "handoff not signed by the holder");
    // a pair signed for another receiver does not hand the item to this one
    const toShop = handoffArgs(sc, crate, farm, shop, 0n);
    await expectRevert(sc.call("handoff", [item, to, toShop[2], toShop[3]], { from: farm }), "handoff not signed by the holder");
    expect(await sc.view("holder_of", [crate])).toEqual(farm.publicKey);
  });

  it("refuses replaying a handoff once custody moved on", async () => {
    const { sc } = await setup();
    await sc.call("create", [crate], { from: farm });
    const first = handoffArgs(sc, crate, farm, truck, 0n);
    await sc.call("handoff", first, { from: farm });
    await expectRevert(sc.call("handoff", first, { from: farm }), "item is already held by the receiver");
    await sc.call("handoff", handoffArgs(sc, crate, truck, shop, 1n), { from: shop });
    // farm -> truck again, now that the shop holds it: the old signatures were for seq 0
    await expectRevert(sc.call("handoff", first, { from: farm }), "handoff not signed by the holder");
    expect(await sc.view("holder_of", [crate])).toEqual(shop.publicKey);
  });

  it("refuses handoffs to or from parties that are not active, and of unknown items", async () => {
    const { registry, sc } = await setup();
    await sc.call("create", [crate], { from: farm });
    await expectRevert(sc.call("handoff", handoffArgs(sc, crate, farm, stranger, 0n), { from: farm }), "receiver is not an active registered party");
    await expectRevert(sc.call("handoff", handoffArgs(sc, crate, farm, farm, 0n), { from: farm }), "item is already held by the receiver");
    const other = sha256(new TextEncoder().encode("crate #0043"));
    await expectRevert(sc.call("handoff", handoffArgs(sc, other, farm, truck, 0n), { from: farm }), "no such item");
    await registry.call("revoke", [farm], { from: operator });
    await expectRevert(sc.call("handoff", handoffArgs(sc, crate, farm, truck, 0n), { from: truck }), "holder is no longer an active registered party");
  });

  it("recovers an item's full custody history from events alone", async () => {
    const { sc } = await setup();
    await sc.call("create", [crate], { from: farm });
    const route = [farm, truck, shop, truck, farm];
    for (let i = 1; i < route.length; i++) {
      await sc.call("handoff", handoffArgs(sc, crate, route[i - 1]!, route[i]!, BigInt(i - 1)), { from: route[i]! });
    }
    const created = sc.events("Created").filter((e) => Buffer.compare(e.args.item as Uint8Array, crate) === 0);
    const handoffs = sc.events("Handoff").filter((e) => Buffer.compare(e.args.item as Uint8Array, crate) === 0);
    const history = [created[0]!.args.holder as Uint8Array];
    handoffs.forEach((h, i) => {
      expect(h.args.seq).toBe(BigInt(i));
      expect(h.args.from).toEqual(history[history.length - 1]);
      history.push(h.args.to as Uint8Array);
    });
    expect(history).toEqual(route.map((k) => k.publicKey));
  });
});
