// Behaviour of contracts/energy_market.mote through the ledger: metering devices offer what their
// attested production covers, consumers buy with native value attached to the call, and the seller is
// paid in the same transaction; every refusal (unregistered or revoked seller, zero offer, more than
// attested production, value short of the cost, more than the offer has left, foreign withdrawal, a seller
// isolated by the anomaly guard or revoked since its offer) is checked, and a refused purchase moves no
// value; only readings the anomaly guard accepted are spendable (issue 11, point 4).
import { describe, expect, it } from "vitest";
import { account, expectRevert, type Contract } from "../helpers/contract.ts";
import { feed, fleet, KIND_METER, location, MARKET, operator, sensor, type Fleet } from "./fleet.ts";

const meter = sensor(1);
const meter2 = sensor(2);
const consumer = account("consumer");

const FUNDS = 100_000n;

async function market(kwh: number[] = [12.5]): Promise<Fleet & { market: Contract }> {
  const f = await fleet({ alloc: [{ account: consumer, amount: FUNDS }] });
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

  it("settles a purchase: the buyer's attached value goes to the seller, any excess back to the buyer", async () => {
    const f = await market();
    const bal = (k: { publicKey: Uint8Array }): bigint => f.chain.ledger.balance(k.publicKey);
    await f.market.call("offer", [10_000n, 3n], { from: meter });
    const out = await f.market.call("buy", [0n, 4_000n], { from: consumer, value: 12_000n });
    expect(out.events).toEqual([{ name: "Bought", args: { offer: 0n, buyer: consumer.publicKey, seller: meter.publicKey, wh: 4_000n, cost: 12_000n } }]);
    expect(bal(consumer)).toBe(FUNDS - 12_000n);
    expect(bal(meter)).toBe(12_000n);
    expect(f.market.balance).toBe(0n);
    expect(await f.market.view("remaining_of", [0n])).toBe(6_000n);
    // overpaying: the excess comes back in the same transaction
    await f.market.call("buy", [0n, 6_000n], { from: consumer, value: 20_000n });
    expect(await f.market.view("remaining_of", [0n])).toBe(0n);
    expect(bal(consumer)).toBe(FUNDS - 30_000n);
    expect(bal(meter)).toBe(30_000n);
    expect(f.market.balance).toBe(0n);
    // sold energy stays committed: the meter cannot sell it again
    expect(await f.market.view("committed_of", [meter])).toBe(10_000n);
  });

  it("refuses a purchase the attached value does not cover, more than is left, nothing, or from no offer, moving no value", async () => {
    const f = await market();
    const bal = (k: { publicKey: Uint8Array }): bigint => f.chain.ledger.balance(k.publicKey);
    await f.market.call("offer", [1_000n, 1n], { from: meter });
    await expectRevert(f.market.call("buy", [0n, 101n], { from: consumer, value: 100n }), "attached value does not cover the cost");
    await expectRevert(f.market.call("buy", [0n, 1_001n], { from: consumer, value: 2_000n }), "more than the offer has left");
    await expectRevert(f.market.call("buy", [0n, 0n], { from: consumer, value: 1n }), "more than the offer has left");
    await expectRevert(f.market.call("buy", [7n, 1n], { from: consumer, value: 1n }), "no such offer, or sold out");
    // every refused purchase returned its value
    expect(bal(consumer)).toBe(FUNDS);
    expect(bal(meter)).toBe(0n);
    expect(f.market.balance).toBe(0n);
    expect(await f.market.view("remaining_of", [0n])).toBe(1_000n);
    await f.market.call("buy", [0n, 1_000n], { from: consumer, value: 1_000n });
    await expectRevert(f.market.call("buy", [0n, 1n], { from: consumer, value: 1n }), "no such offer, or sold out");
    expect(bal(meter)).toBe(1_000n);
  });

  it("stops with overflow rather than wrapping a huge cost", async () => {
    const f = await market();
    await f.market.call("offer", [10n, 1n << 62n], { from: meter });
    await expectRevert(f.market.call("buy", [0n, 5n], { from: consumer, value: 1n }), "overflow");
    expect(f.chain.ledger.balance(consumer.publicKey)).toBe(FUNDS);
  });

  it("lets only the seller withdraw an offer, returning its unsold energy", async () => {
    const f = await market();
    await f.market.call("offer", [12_500n, 1n], { from: meter });
    await f.market.call("buy", [0n, 500n], { from: consumer, value: 500n });
    await expectRevert(f.market.call("withdraw", [0n], { from: consumer }), "only the seller may withdraw an offer");
    const out = await f.market.call("withdraw", [0n], { from: meter });
    expect(out.events).toEqual([{ name: "Withdrawn", args: { offer: 0n, wh: 12_000n } }]);
    expect(await f.market.view("committed_of", [meter])).toBe(500n);
    expect(await f.market.view("available_of", [meter])).toBe(12_000n);
    await expectRevert(f.market.call("withdraw", [0n], { from: meter }), "no such offer, or sold out");
    await expectRevert(f.market.call("buy", [0n, 1n], { from: consumer, value: 1n }), "no such offer, or sold out");
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

  // Regression, issue 11 point 4: a meter isolated by the anomaly guard after three 10^11 kWh readings
  // could still offer 10^14 Wh (the market read the attestation's latest value and the registry, never
  // the guard), and a consumer bought 5,000,000 Wh from it.
  it("an isolated meter still sells energy: an isolated meter can neither offer nor be bought from", async () => {
    const f = await market([3, 7.25, 12.5]);
    const bal = (k: { publicKey: Uint8Array }): bigint => f.chain.ledger.balance(k.publicKey);
    // an honest offer made while the meter was healthy
    await f.market.call("offer", [10_000n, 1n], { from: meter });
    await feed(f, meter, ["100000000000", "100000000000", "100000000000"], 4n);
    expect(await f.guard.view("is_isolated", [meter])).toBe(true);
    // the attestation still holds the absurd reading: 10^11 kWh, i.e. 10^14 Wh
    expect(await f.attestation.view("value_of", [meter])).toBe(1e11);
    expect(await f.market.view("available_of", [meter])).toBe(0n);
    await expectRevert(f.market.call("offer", [100_000_000_000_000n, 1n], { from: meter }), "seller isolated by the anomaly guard");
    await expectRevert(f.market.call("offer", [1n, 1n], { from: meter }), "seller isolated by the anomaly guard");
    // the offer made before the isolation cannot be bought from either
    await expectRevert(f.market.call("buy", [0n, 5_000n], { from: consumer, value: 5_000n }), "seller isolated by the anomaly guard since the offer");
    expect(bal(consumer)).toBe(FUNDS);
    expect(bal(meter)).toBe(0n);
    expect(await f.market.view("remaining_of", [0n])).toBe(10_000n);
    // the seller may still take its unsold energy back
    await f.market.call("withdraw", [0n], { from: meter });
    expect(await f.market.view("committed_of", [meter])).toBe(0n);
  });

  it("never spends an anomalous reading: not before the strikes isolate the meter, nor after a reinstatement", async () => {
    const f = await market([3, 7.25, 12.5]);
    // one absurd reading: an anomaly, not yet an isolation; the attestation's latest value is 10^11 kWh
    await feed(f, meter, ["100000000000"], 4n);
    expect(await f.guard.view("is_isolated", [meter])).toBe(false);
    expect(await f.guard.view("anomalies_of", [meter])).toBe(1n);
    expect(await f.market.view("available_of", [meter])).toBe(12_500n);
    await expectRevert(f.market.call("offer", [5_000_000n, 1n], { from: meter }), "offer exceeds attested production");
    await feed(f, meter, ["100000000000", "100000000000"], 5n);
    expect(await f.guard.view("is_isolated", [meter])).toBe(true);
    // the operator reinstates it: what the guard accepted before is spendable again, the anomalies never
    await f.guard.call("reinstate", [meter], { from: operator });
    expect(await f.market.view("available_of", [meter])).toBe(12_500n);
    await expectRevert(f.market.call("offer", [12_501n, 1n], { from: meter }), "offer exceeds attested production");
    await f.market.call("offer", [12_500n, 1n], { from: meter });
    // a normal reading after the reinstatement attests more
    await feed(f, meter, [13], 7n);
    expect(await f.market.view("available_of", [meter])).toBe(500n);
  });

  it("refuses a purchase from a seller revoked since its offer, moving no value", async () => {
    const f = await market();
    await f.market.call("offer", [1_000n, 1n], { from: meter });
    await f.registry.call("revoke", [meter], { from: operator });
    await expectRevert(f.market.call("buy", [0n, 500n], { from: consumer, value: 500n }), "seller is no longer an active registered meter");
    expect(f.chain.ledger.balance(consumer.publicKey)).toBe(FUNDS);
    expect(f.chain.ledger.balance(meter.publicKey)).toBe(0n);
  });
});
