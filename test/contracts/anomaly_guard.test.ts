// Behaviour of contracts/anomaly_guard.mote through the ledger: its fixed-point EWMA statistics match a
// reference model exactly, anomalies are flagged only after warm-up, repeated anomalies within the window
// isolate a device, the operator alone reinstates one, and the guard only ever consumes attested readings.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { account, CallFailed, compileContract, expectRevert } from "../helpers/contract.ts";
import { ATTESTATION, feed, fleet, freshStats, fromFixed, gateway, GUARD, GUARD_PARAMS, KIND_THERMOMETER, location, modelObserve, operator, report, sensor, submitArgs, type Fleet } from "./fleet.ts";

const dev = sensor(1);

async function registered(): Promise<Fleet> {
  const f = await fleet();
  await f.registry.call("register", [dev, KIND_THERMOMETER, location("lab")], { from: operator });
  return f;
}

/** A deterministic noisy series around `center` (mulberry32), rounded to 1/64 like a real ADC step. */
function series(n: number, center: number, spread: number, seed: number): number[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Math.round((center + (next() * 2 - 1) * spread) * 64) / 64);
}

describe("anomaly guard", () => {
  it("tracks mean and variance exactly as the reference model does", async () => {
    const f = await registered();
    const values = series(24, 21, 0.5, 7);
    await feed(f, dev, values);
    const s = freshStats();
    for (const v of values) expect(modelObserve(s, v).anomaly).toBe(false);
    expect(await f.guard.view("mean_of", [dev])).toBe(fromFixed(s.mean));
    expect(await f.guard.view("variance_of", [dev])).toBe(fromFixed(s.variance));
    expect(await f.guard.view("seen_of", [dev])).toBe(24n);
    expect(await f.guard.view("anomalies_of", [dev])).toBe(0n);
    expect(Math.abs(fromFixed(s.mean) - 21)).toBeLessThan(0.5);
  });

  it("judges nothing during warm-up short of absurd jumps, however noisy", async () => {
    const f = await registered();
    await feed(f, dev, [1, 1000, -1000, 5, 50000, 2, 3, 4]);
    expect(f.guard.events("Anomaly")).toEqual([]);
    expect(await f.guard.view("is_isolated", [dev])).toBe(false);
  });

  it("emits Anomaly for a reading beyond k standard deviations, leaving the statistics alone", async () => {
    const f = await registered();
    const warm = series(12, 20, 0.25, 1);
    await feed(f, dev, warm);
    const mean = await f.guard.view("mean_of", [dev]);
    const variance = await f.guard.view("variance_of", [dev]);
    const [, g] = await report(f, dev, { nonce: 13n, value: 30, timestamp: f.chain.now });
    expect(g).not.toBeInstanceOf(CallFailed);
    expect(f.guard.events("Anomaly")).toEqual([{ name: "Anomaly", args: { device: dev.publicKey, nonce: 13n, value: 30, mean, variance } }]);
    expect(await f.guard.view("mean_of", [dev])).toBe(mean);
    expect(await f.guard.view("variance_of", [dev])).toBe(variance);
    expect(await f.guard.view("anomalies_of", [dev])).toBe(1n);
    expect(await f.guard.view("is_isolated", [dev])).toBe(false);
  });

  it("does not flag a reading within k standard deviations", async () => {
    const f = await registered();
    const values = [...series(12, 20, 1, 3)];
    await feed(f, dev, values);
    const s = freshStats();
    for (const v of values) modelObserve(s, v);
    // just inside the bound the model computes: d^2 <= K2 * variance
    const sd = Math.sqrt(fromFixed(s.variance));
    const inside = Math.floor((fromFixed(s.mean) + 3.9 * sd) * 64) / 64;
    expect(modelObserve(s, inside).anomaly).toBe(false);
    await feed(f, dev, [inside], 13n);
    expect(f.guard.events("Anomaly")).toEqual([]);
    expect(await f.guard.view("mean_of", [dev])).toBe(fromFixed(s.mean));
  });

  it("isolates a drifting device after three anomalies within the window, and the model agrees on when", async () => {
    const f = await registered();
    const values = [...series(15, 20, 0.3, 11), ...Array.from({ length: 12 }, (_, i) => 20 + 0.75 * (i + 1))];
    const s = freshStats();
    let isolatedAt = -1;
    for (const [i, v] of values.entries()) {
      if (modelObserve(s, v).isolated) {
        isolatedAt = i;
        break;
      }
    }
    expect(isolatedAt).toBeGreaterThan(15);
    await feed(f, dev, values.slice(0, isolatedAt + 1));
    const iso = f.guard.events("Isolated");
    expect(iso).toEqual([{ name: "Isolated", args: { device: dev.publicKey, nonce: BigInt(isolatedAt + 1), anomalies: 3n } }]);
    expect(f.guard.events("Anomaly")).toHaveLength(3);
    expect(await f.guard.view("is_isolated", [dev])).toBe(true);
    expect(await f.guard.view("mean_of", [dev])).toBe(fromFixed(s.mean));
  });

  it("does not isolate when anomalies are spread wider than the window", async () => {
    const f = await registered();
    const base = series(40, 20, 0.2, 5);
    // an anomaly every WINDOW readings: each opens a fresh window
    const w = Number(GUARD_PARAMS.window);
    const values = base.map((v, i) => (i >= 10 && (i - 10) % w === 0 ? 40 : v));
    await feed(f, dev, values);
    expect(f.guard.events("Anomaly")).toHaveLength(3);
    expect(f.guard.events("Isolated")).toEqual([]);
    expect(await f.guard.view("is_isolated", [dev])).toBe(false);
  });

  it("treats a jump beyond MAX_DEVIATION as an anomaly even during warm-up", async () => {
    const f = await registered();
    const values = [20, 20.5, 1_000_021, 19.5];
    await feed(f, dev, values);
    const s = freshStats();
    expect(values.map((v) => modelObserve(s, v).anomaly)).toEqual([false, false, true, false]);
    expect(f.guard.events("Anomaly").map((e) => e.args.value)).toEqual([1_000_021]);
    expect(await f.guard.view("mean_of", [dev])).toBe(fromFixed(s.mean));
  });

  it("survives the extremes of fixed: absurd readings are anomalies, and nothing overflows", async () => {
    const f = await registered();
    const max = "140737488355327.99998";
    const min = "-140737488355328";
    // first reading absurd: it must not become the mean
    const values: (number | string)[] = [max, 20, 20.25, min, 19.75];
    await feed(f, dev, values);
    const s = freshStats();
    const flags = values.map((v) => modelObserve(s, v));
    expect(flags.map((x) => x.anomaly)).toEqual([true, false, false, true, false]);
    expect(f.guard.events("Anomaly")).toHaveLength(2);
    expect(await f.guard.view("mean_of", [dev])).toBe(fromFixed(s.mean));
    expect(await f.guard.view("variance_of", [dev])).toBe(fromFixed(s.variance));
    expect(await f.guard.view("seen_of", [dev])).toBe(5n);
    // a third one within the window isolates; the guard never got stuck behind the attestation
    await feed(f, dev, ["1000000000.5"], 6n);
    expect(await f.guard.view("is_isolated", [dev])).toBe(true);
  });

  it("refuses to observe when there is no new attested reading", async () => {
    const f = await registered();
    await expectRevert(f.guard.call("observe", [dev], { from: gateway }), "no new attested reading for this device");
    await f.attestation.call("submit", submitArgs(f, dev, { nonce: 1n, value: 20, timestamp: f.chain.now }), { from: gateway });
    await f.guard.call("observe", [dev], { from: account("anyone") });
    await expectRevert(f.guard.call("observe", [dev], { from: gateway }), "no new attested reading for this device");
    expect(await f.guard.view("seen_of", [dev])).toBe(1n);
  });

  it("lets only the operator reinstate, only an isolated device, and restarts its warm-up", async () => {
    const f = await registered();
    await feed(f, dev, [...series(10, 20, 0.2, 2), 60, 61, 62]);
    expect(await f.guard.view("is_isolated", [dev])).toBe(true);
    await expectRevert(f.guard.call("reinstate", [dev], { from: gateway }), "only the operator may reinstate a device");
    await expectRevert(f.guard.call("reinstate", [dev], { from: dev }), "only the operator may reinstate a device");
    await expectRevert(f.guard.call("reinstate", [sensor(2)], { from: operator }), "device is not isolated");
    const out = await f.guard.call("reinstate", [dev], { from: operator });
    expect(out.events).toEqual([{ name: "Reinstated", args: { device: dev.publicKey } }]);
    expect(await f.guard.view("is_isolated", [dev])).toBe(false);
    expect(await f.guard.view("anomalies_of", [dev])).toBe(3n);
    // the recalibrated sensor now reads around 60: the first reading becomes the new mean
    await feed(f, dev, [60], 14n);
    expect(await f.guard.view("mean_of", [dev])).toBe(60);
    expect(await f.guard.view("seen_of", [dev])).toBe(14n);
    await expectRevert(f.guard.call("reinstate", [dev], { from: operator }), "device is not isolated");
  });

  it.each([
    ["contracts/lib/guard_view.mote", "Guard", GUARD],
    ["contracts/lib/attestation_view.mote", "Attestation", ATTESTATION],
  ])("%s declares %s's storage as the real contract lays it out", (view, name, real) => {
    const { abi } = compileContract(real);
    expect(abi.contract).toBe(name);
    const text = readFileSync(view, "utf8");
    const block = new RegExp(`extern contract ${name} \\{([^}]*)\\}`).exec(text)![1]!;
    const declared = [...block.matchAll(/storage (\w+): ([^;]+);/g)].map((m, slot) => ({ name: m[1], slot, type: m[2]!.replace(/\s+/g, "") }));
    expect(declared.length).toBeGreaterThan(0);
    expect(abi.storage.slice(0, declared.length)).toEqual(declared);
  });
});
