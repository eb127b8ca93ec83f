// Scenarios of every cross-contract trust path in contracts/ (issue 11, point 4): a contract that reads
// another's storage acts on what it reads, so each test makes the trusted side say no (an unknown device,
// a revoked one, one the anomaly guard isolated, a reading the guard has not judged or judged anomalous)
// and checks that the reading side refuses, moving no value and changing no state.
//
//   sensor_attestation -> device_registry   devices[d].status      (accept a device's reading)
//   sensor_attestation -> anomaly_guard     stats[d].isolated/seen (accept a device's reading)
//   anomaly_guard      -> sensor_attestation latest[d]             (what the guard judges)
//   anomaly_guard      -> device_registry   operator               (who may reinstate)
//   energy_market      -> device_registry   devices[d].status      (who may offer, who may be paid)
//   energy_market      -> sensor_attestation guard                 (which guard the market consults)
//   energy_market      -> anomaly_guard     stats[d].isolated/accepted (what production is spendable)
//   supply_chain       -> device_registry   devices[d].status      (who may create, give, take)
//
// The paths are listed from the sources: the last test fails when a contract gains a cross-contract read
// this file does not name. token.mote and data_readers.mote read no other contract.
import { handoffMessage } from "../../ledger/device-message.ts";
import { readdirSync, readFileSync } from "node:fs";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import type { KeyPair } from "../../ledger/index.ts";
import { account, CallFailed, expectRevert, type Contract } from "../helpers/contract.ts";
import { feed, fleet, gateway, KIND_METER, KIND_PARTY, location, MARKET, operator, sensor, submitArgs, SUPPLY, type Fleet } from "./fleet.ts";

const meter = sensor(31);
const stranger = sensor(32);
const consumer = account("trust-consumer");
const FUNDS = 1_000_000n;
/** Three readings the guard finds absurd (beyond its MAX_READING): the third isolates the device. */
const ABSURD = ["100000000000", "100000000000", "100000000000"];

async function withMarket(): Promise<Fleet & { market: Contract }> {
  const f = await fleet({ alloc: [{ account: consumer, amount: FUNDS }] });
  const market = await f.chain.deploy(MARKET, { init: [f.registry, f.attestation], from: operator });
  await f.registry.call("register", [meter, KIND_METER, location("roof-31")], { from: operator });
  await feed(f, meter, [3, 7.25, 12.5]);
  return { ...f, market };
}


function handoffArgs(sc: Contract, item: Uint8Array, giver: KeyPair, to: KeyPair, seq: bigint): [Uint8Array, KeyPair, Uint8Array, Uint8Array] {
  const m = handoffMessage(sc.id, item, to.publicKey, seq);
  return [item, to, giver.sign(m), to.sign(m)];
}

describe("cross-contract trust paths", () => {
  it("sensor_attestation -> device_registry: an unknown or revoked device's signed reading is refused", async () => {
    const f = await withMarket();
    const r = (nonce: bigint) => ({ nonce, value: 13, timestamp: f.chain.now });
    await expectRevert(f.attestation.call("submit", submitArgs(f, stranger, r(1n)), { from: gateway }), "device not registered");
    await f.registry.call("revoke", [meter], { from: operator });
    await expectRevert(f.attestation.call("submit", submitArgs(f, meter, r(4n)), { from: gateway }), "device revoked");
    expect(await f.attestation.view("count_of", [meter])).toBe(3n);
    expect(await f.attestation.view("count_of", [stranger])).toBe(0n);
  });

  it("sensor_attestation -> anomaly_guard: an isolated device's reading, or one the guard has not caught up with, is refused", async () => {
    const f = await withMarket();
    // the guard has not observed the previous reading: the next one waits
    await f.attestation.call("submit", submitArgs(f, meter, { nonce: 4n, value: 13, timestamp: f.chain.now }), { from: gateway });
    await expectRevert(f.attestation.call("submit", submitArgs(f, meter, { nonce: 5n, value: 13.5, timestamp: f.chain.now + 1n }), { from: gateway }), "anomaly guard has not observed the previous reading");
    await f.guard.call("observe", [meter], { from: gateway });
    await feed(f, meter, ABSURD, 5n);
    expect(await f.guard.view("is_isolated", [meter])).toBe(true);
    await expectRevert(f.attestation.call("submit", submitArgs(f, meter, { nonce: 8n, value: 14, timestamp: f.chain.now }), { from: gateway }), "device isolated by the anomaly guard");
    expect(await f.attestation.view("count_of", [meter])).toBe(7n);
  });

  it("anomaly_guard -> sensor_attestation: the guard judges only attested readings, each once; an unknown device has none", async () => {
    const f = await withMarket();
    await expectRevert(f.guard.call("observe", [stranger], { from: gateway }), "no new attested reading for this device");
    await expectRevert(f.guard.call("observe", [meter], { from: gateway }), "no new attested reading for this device");
    // a forged reading never reaches the attestation's storage, so the guard has nothing new to judge
    const forged = submitArgs(f, meter, { nonce: 4n, value: 99, timestamp: f.chain.now }, stranger);
    const [a, g] = await f.chain.block([f.attestation.prepare("submit", forged, { from: gateway }), f.guard.prepare("observe", [meter], { from: gateway })]);
    expect(a).toBeInstanceOf(CallFailed);
    expect((a as CallFailed).reason).toBe("bad signature");
    expect(g).toBeInstanceOf(CallFailed);
    expect((g as CallFailed).reason).toBe("no new attested reading for this device");
    expect(await f.guard.view("seen_of", [meter])).toBe(3n);
    expect(await f.guard.view("accepted_of", [meter])).toBe(12.5);
  });

  it("anomaly_guard -> device_registry: only the registry's operator may reinstate an isolated device", async () => {
    const f = await withMarket();
    await feed(f, meter, ABSURD, 4n);
    await expectRevert(f.guard.call("reinstate", [meter], { from: meter }), "only the operator may reinstate a device");
    await expectRevert(f.guard.call("reinstate", [meter], { from: gateway }), "only the operator may reinstate a device");
    expect(await f.guard.view("is_isolated", [meter])).toBe(true);
    await f.guard.call("reinstate", [meter], { from: operator });
    expect(await f.guard.view("is_isolated", [meter])).toBe(false);
  });

  it("energy_market -> device_registry: an unknown or revoked device may not offer, and a revoked seller's offer cannot be bought", async () => {
    const f = await withMarket();
    await expectRevert(f.market.call("offer", [1n, 1n], { from: stranger }), "seller is not an active registered meter");
    await f.market.call("offer", [1_000n, 2n], { from: meter });
    await f.registry.call("revoke", [meter], { from: operator });
    await expectRevert(f.market.call("offer", [1n, 1n], { from: meter }), "seller is not an active registered meter");
    await expectRevert(f.market.call("buy", [0n, 10n], { from: consumer, value: 20n }), "seller is no longer an active registered meter");
    expect(f.chain.ledger.balance(consumer.publicKey)).toBe(FUNDS);
    expect(f.chain.ledger.balance(meter.publicKey)).toBe(0n);
  });

  it("energy_market -> sensor_attestation -> anomaly_guard: the market consults the guard the attestation answers to, and an isolated seller neither offers nor is paid", async () => {
    const f = await withMarket();
    expect(await f.attestation.view("total_readings", [])).toBe(3n);
    await f.market.call("offer", [10_000n, 1n], { from: meter });
    await feed(f, meter, ABSURD, 4n);
    expect(await f.guard.view("is_isolated", [meter])).toBe(true);
    expect(await f.market.view("available_of", [meter])).toBe(0n);
    await expectRevert(f.market.call("offer", [100_000_000_000_000n, 1n], { from: meter }), "seller isolated by the anomaly guard");
    await expectRevert(f.market.call("buy", [0n, 5_000n], { from: consumer, value: 5_000n }), "seller isolated by the anomaly guard since the offer");
    expect(f.chain.ledger.balance(consumer.publicKey)).toBe(FUNDS);
    expect(f.chain.ledger.balance(meter.publicKey)).toBe(0n);
  });

  it("energy_market -> anomaly_guard: only a reading the guard accepted is spendable, never one it has not judged or judged anomalous", async () => {
    const f = await withMarket();
    // attested but not yet observed: the guard has not judged it, so it is not spendable yet
    await f.attestation.call("submit", submitArgs(f, meter, { nonce: 4n, value: 20, timestamp: f.chain.now }), { from: gateway });
    expect(await f.attestation.view("value_of", [meter])).toBe(20);
    expect(await f.market.view("available_of", [meter])).toBe(12_500n);
    await expectRevert(f.market.call("offer", [12_501n, 1n], { from: meter }), "offer exceeds attested production");
    await f.guard.call("observe", [meter], { from: gateway });
    expect(await f.market.view("available_of", [meter])).toBe(20_000n);
    // judged anomalous (one strike, not isolated): the last accepted reading still bounds the offers
    await feed(f, meter, [ABSURD[0]!], 5n);
    expect(await f.guard.view("is_isolated", [meter])).toBe(false);
    expect(await f.market.view("available_of", [meter])).toBe(20_000n);
    await expectRevert(f.market.call("offer", [20_001n, 1n], { from: meter }), "offer exceeds attested production");
  });

  it("supply_chain -> device_registry: an unknown party cannot create or receive, a revoked holder cannot give, a revoked receiver cannot take", async () => {
    const f = await fleet();
    const [farm, truck, shop] = [account("trust-farm"), account("trust-truck"), account("trust-shop")];
    for (const p of [farm, truck, shop]) await f.registry.call("register", [p, KIND_PARTY, location("depot")], { from: operator });
    const sc = await f.chain.deploy(SUPPLY, { init: [f.registry], from: operator });
    const crate = sha256(new TextEncoder().encode("trust crate"));
    await expectRevert(sc.call("create", [crate], { from: stranger }), "not an active registered party");
    await sc.call("create", [crate], { from: farm });
    await expectRevert(sc.call("handoff", handoffArgs(sc, crate, farm, stranger, 0n), { from: farm }), "receiver is not an active registered party");
    await f.registry.call("revoke", [shop], { from: operator });
    await expectRevert(sc.call("handoff", handoffArgs(sc, crate, farm, shop, 0n), { from: farm }), "receiver is not an active registered party");
    await f.registry.call("revoke", [farm], { from: operator });
    await expectRevert(sc.call("handoff", handoffArgs(sc, crate, farm, truck, 0n), { from: truck }), "holder is no longer an active registered party");
    expect(await sc.view("holder_of", [crate])).toEqual(farm.publicKey);
    expect(await sc.view("handoffs_of", [crate])).toBe(0n);
  });

  it("names every cross-contract read in contracts/ (a new trust path needs a scenario here)", () => {
    const paths = new Set<string>();
    for (const f of readdirSync("contracts").filter((n) => n.endsWith(".mote")).sort()) {
      const src = readFileSync(`contracts/${f}`, "utf8").replace(/\/\/.*$/gm, "");
      // `Name(<id>).field`: a contract name applied to an instance id, then one of its storage fields
      for (const m of src.matchAll(/\b([A-Z]\w*)\(/g)) {
        let depth = 1;
        let i = m.index! + m[0].length;
        for (; i < src.length && depth > 0; i++) depth += src[i] === "(" ? 1 : src[i] === ")" ? -1 : 0;
        const field = /^\s*\.\s*(\w+)/.exec(src.slice(i));
        if (field) paths.add(`${f}: ${m[1]}.${field[1]}`);
      }
    }
    expect([...paths].sort()).toEqual([
      "anomaly_guard.mote: Attestation.latest",
      "anomaly_guard.mote: Registry.operator",
      "energy_market.mote: Attestation.guard",
      "energy_market.mote: Guard.stats",
      "energy_market.mote: Registry.devices",
      "sensor_attestation.mote: Guard.stats",
      "sensor_attestation.mote: Registry.devices",
      "supply_chain.mote: Registry.devices",
    ]);
  });
});
