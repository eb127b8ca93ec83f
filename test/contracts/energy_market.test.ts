// Behaviour of contracts/energy_market.mote through the ledger: metering devices offer what their
// attested production covers, consumers buy with credits the operator issued, balances settle; every
// refusal (unregistered or revoked seller, zero offer, more than attested production, insufficient
// credits, more than the offer has left, foreign withdrawal, credit issued by someone else) is checked.
import { describe, expect, it } from "vitest";
import { account, expectRevert, type Contract } from "../helpers/contract.ts";
import { feed, fleet, KIND_METER, location, MARKET, operator, sensor, type Fleet } from "./fleet.ts";

const meter = sensor(1);
const meter2 = sensor(2);
const consumer = account("consumer");

async function market(kwh: number[] = [12.5]): Promise<Fleet & { market: Contract }> {
  const f = await fleet();
  const m = await f.chain.deploy(MARKET, { init: [f.registry, f.attestation], from: operator });
  await f.registry.call("register", [meter, KIND_METER, location("roof-1")], { from: operator });
  if (kwh.length > 0) await feed(f, meter, kwh);
  return { ...f, market: m };
}

describe("energy market", () => {
  it("lets a meter offer up to its attested production, counted in Wh", async () => {
    const f = await market([3, 7.25, 12.5]);
    expect(await f.market.view("available_of", [meter])).toBe(12_500n);
    const out = await f.market.call("offer", [10_000n, 2n], { from: meter });
    expect(out.returns).toBe(0n);
    expect(out.events).toEqual([{ name: "Offered", args: { offer: 0n, seller: meter.publicKey, wh: 10_000n, price: 2n } }]);
    expect(await f.market.view("committed_of", [meter])).toBe(10_000n);
    expect(await f.market.view("available_of", [meter])).toBe(2_500n);
    expect(await f.market.view("remaining_of", [0n])).toBe(10_000n);
  });

  it("refuses offers beyond attested production, cumulatively, until a new reading attests more", async () => {
    const f = await market([12.5]);
    await f.market.call("offer", [10_000n, 2n], { from: meter });
    await expectRevert(f.market.call("offer", [2_501n, 2n], { from: meter }), "offer exceeds attested production");
    const second = await f.market.call("offer", [2_500n, 3n], { from: meter });
    expect(second.returns).toBe(1n);
    await expectRevert(f.market.call("offer", [1n, 3n], { from: meter }), "offer exceeds attested production");
    await feed(f, meter, [13.0005], 2n);
    // 13.0005 kWh in Q47.16 truncates to 13000 whole Wh
    expect(await f.market.view("available_of", [meter])).toBe(500n);
    await f.market.call("offer", [500n, 3n], { from: meter });
  });

  it("refuses a meter with no attested production, or a negative reading", async () => {
    const f = await market([]);
    await expectRevert(f.market.call("offer", [1n, 1n], { from: meter }), "offer exceeds attested production");
    await feed(f, meter, [-4]);
    expect(await f.market.view("available_of", [meter])).toBe(0n);
    await expectRevert(f.market.call("offer", [1n, 1n], { from: meter }), "offer exceeds attested production");
  });

  it("refuses sellers that are not active registered meters", async () => {
    const f = await market();
    await expectRevert(f.market.call("offer", [1n, 1n], { from: consumer }), "seller is not an active registered meter");
    await f.registry.call("revoke", [meter], { from: operator });
    await expectRevert(f.market.call("offer", [1n, 1n], { from: meter }), "seller is not an active registered meter");
  });

  it("refuses an offer of zero energy", async () => {
    const f = await market();
    await expectRevert(f.market.call("offer", [0n, 5n], { from: meter }), "offer of zero energy");
  });

  it("settles a purchase: the buyer pays wh × price to the seller", async () => {
    const f = await market();
    await expectRevert(f.market.call("fund", [consumer, 100_000n], { from: consumer }), "only the operator may issue credits");
    const funded = await f.market.call("fund", [consumer, 100_000n], { from: operator });
    expect(funded.events).toEqual([{ name: "Funded", args: { account: consumer.publicKey, amount: 100_000n } }]);
    await f.market.call("offer", [10_000n, 3n], { from: meter });
    const out = await f.market.call("buy", [0n, 4_000n], { from: consumer });
    expect(out.events).toEqual([{ name: "Bought", args: { offer: 0n, buyer: consumer.publicKey, seller: meter.publicKey, wh: 4_000n, cost: 12_000n } }]);
    expect(await f.market.view("credits_of", [consumer])).toBe(88_000n);
    expect(await f.market.view("credits_of", [meter])).toBe(12_000n);
    expect(await f.market.view("remaining_of", [0n])).toBe(6_000n);
    await f.market.call("buy", [0n, 6_000n], { from: consumer });
    expect(await f.market.view("remaining_of", [0n])).toBe(0n);
    expect(await f.market.view("credits_of", [consumer])).toBe(70_000n);
    expect(await f.market.view("credits_of", [meter])).toBe(30_000n);
    // sold energy stays committed: the meter cannot sell it again
    expect(await f.market.view("committed_of", [meter])).toBe(10_000n);
  });

  it("refuses buying without enough credits, more than is left, nothing, or from no offer", async () => {
    const f = await market();
    await f.market.call("fund", [consumer, 100n], { from: operator });
    await f.market.call("offer", [1_000n, 1n], { from: meter });
    await expectRevert(f.market.call("buy", [0n, 101n], { from: consumer }), "insufficient credits");
    await expectRevert(f.market.call("buy", [0n, 1_001n], { from: consumer }), "more than the offer has left");
    await expectRevert(f.market.call("buy", [0n, 0n], { from: consumer }), "more than the offer has left");
    await expectRevert(f.market.call("buy", [7n, 1n], { from: consumer }), "no such offer, or sold out");
    expect(await f.market.view("credits_of", [consumer])).toBe(100n);
    expect(await f.market.view("remaining_of", [0n])).toBe(1_000n);
    await f.market.call("fund", [consumer, 1_000n], { from: operator });
    await f.market.call("buy", [0n, 1_000n], { from: consumer });
    await expectRevert(f.market.call("buy", [0n, 1n], { from: consumer }), "no such offer, or sold out");
  });

  it("stops with overflow rather than wrapping a huge cost", async () => {
    const f = await market();
    await f.market.call("offer", [10n, 1n << 62n], { from: meter });
    await expectRevert(f.market.call("buy", [0n, 5n], { from: consumer }), "overflow");
  });

  it("lets only the seller withdraw an offer, returning its unsold energy", async () => {
    const f = await market();
    await f.market.call("fund", [consumer, 1_000n], { from: operator });
    await f.market.call("offer", [12_500n, 1n], { from: meter });
    await f.market.call("buy", [0n, 500n], { from: consumer });
    await expectRevert(f.market.call("withdraw", [0n], { from: consumer }), "only the seller may withdraw an offer");
    const out = await f.market.call("withdraw", [0n], { from: meter });
    expect(out.events).toEqual([{ name: "Withdrawn", args: { offer: 0n, wh: 12_000n } }]);
    expect(await f.market.view("committed_of", [meter])).toBe(500n);
    expect(await f.market.view("available_of", [meter])).toBe(12_000n);
    await expectRevert(f.market.call("withdraw", [0n], { from: meter }), "no such offer, or sold out");
    await expectRevert(f.market.call("buy", [0n, 1n], { from: consumer }), "no such offer, or sold out");
  });

  it("keeps each meter's production separate", async () => {
    const f = await market([5]);
    await f.registry.call("register", [meter2, KIND_METER, location("roof-2")], { from: operator });
    await feed(f, meter2, [1]);
    await f.market.call("offer", [5_000n, 1n], { from: meter });
    await expectRevert(f.market.call("offer", [1_001n, 1n], { from: meter2 }), "offer exceeds attested production");
    const o = await f.market.call("offer", [1_000n, 1n], { from: meter2 });
    expect(o.returns).toBe(1n);
  });
});
