// Behaviour of contracts/sensor_attestation.mote through the ledger: signed readings from registered
// devices are accepted and hash-chained; unregistered, revoked and isolated devices, bad signatures,
// replayed nonces, stale or future timestamps, and readings the guard has not caught up with are refused.
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { account, CallFailed, expectRevert } from "../helpers/contract.ts";
import { feed, fleet, gateway, KIND_THERMOMETER, location, operator, readingMessage, report, sensor, signReading, submitArgs, type Fleet } from "./fleet.ts";

const dev = sensor(1);

async function registered(): Promise<Fleet> {
  const f = await fleet();
  await f.registry.call("register", [dev, KIND_THERMOMETER, location("lab")], { from: operator });
  return f;
}

describe("sensor attestation", () => {
  it("accepts a signed reading from a registered device, relayed by anyone, and starts its hash chain", async () => {
    const f = await registered();
    const r = { nonce: 1n, value: 21.5, timestamp: f.chain.now };
    const out = await f.attestation.call("submit", submitArgs(f, dev, r), { from: gateway });
    const chain = sha256(new Uint8Array([...new Uint8Array(32), ...readingMessage(f.attestation.id, 1n, 21.5, r.timestamp)]));
    expect(out.events).toEqual([{ name: "Attested", args: { device: dev.publicKey, nonce: 1n, value: 21.5, timestamp: r.timestamp, chain } }]);
    expect(await f.attestation.view("value_of", [dev])).toBe(21.5);
    expect(await f.attestation.view("count_of", [dev])).toBe(1n);
    expect(await f.attestation.view("nonce_of", [dev])).toBe(1n);
    expect(await f.attestation.view("chain_of", [dev])).toEqual(chain);
    expect(await f.attestation.view("total_readings")).toBe(1n);
  });

  it("extends each device's chain: an auditor recomputes the head from the readings", async () => {
    const f = await registered();
    const values = [20, 20.25, -3.5, 19.75];
    await feed(f, dev, values);
    let head: Uint8Array = new Uint8Array(32);
    for (const e of f.attestation.events("Attested")) {
      const a = e.args as { nonce: bigint; value: number; timestamp: bigint; chain: Uint8Array };
      head = sha256(new Uint8Array([...head, ...readingMessage(f.attestation.id, a.nonce, a.value, a.timestamp)]));
      expect(a.chain).toEqual(head);
    }
    expect(f.attestation.events("Attested").map((e) => e.args.value)).toEqual(values);
    expect(await f.attestation.view("chain_of", [dev])).toEqual(head);
    expect(await f.attestation.view("count_of", [dev])).toBe(4n);
  });

  it("allows gaps in nonces (a reading lost in transit does not lock the device out)", async () => {
    const f = await registered();
    await feed(f, dev, [20], 1n);
    await feed(f, dev, [20], 5n);
    expect(await f.attestation.view("nonce_of", [dev])).toBe(5n);
    expect(await f.attestation.view("count_of", [dev])).toBe(2n);
  });

  it("refuses an unregistered device", async () => {
    const f = await fleet();
    const r = { nonce: 1n, value: 20, timestamp: f.chain.now };
    await expectRevert(f.attestation.call("submit", submitArgs(f, dev, r), { from: gateway }), "device not registered");
  });

  it("refuses a revoked device", async () => {
    const f = await registered();
    await feed(f, dev, [20]);
    await f.registry.call("revoke", [dev], { from: operator });
    const r = { nonce: 2n, value: 20, timestamp: f.chain.now };
    await expectRevert(f.attestation.call("submit", submitArgs(f, dev, r), { from: gateway }), "device revoked");
    expect(await f.attestation.view("count_of", [dev])).toBe(1n);
  });

  it("refuses bad signatures: another key's, over other values, or for another contract", async () => {
    const f = await registered();
    const r = { nonce: 1n, value: 20, timestamp: f.chain.now };
    const submit = (args: unknown[]) => f.attestation.call("submit", args as never, { from: gateway });
    await expectRevert(submit(submitArgs(f, dev, r, account("impostor"))), "bad signature");
    const [d, n, , t, s] = submitArgs(f, dev, r);
    await expectRevert(submit([d, n, 20.5, t, s]), "bad signature");
    await expectRevert(submit([d, 2n, 20, t, s]), "bad signature");
    await expectRevert(submit([d, n, 20, t + 1n, s]), "bad signature");
    await expectRevert(submit([d, n, 20, t, signReading(dev, f.registry.id, r)]), "bad signature");
    const flipped = s.slice();
    flipped[10]! ^= 1;
    await expectRevert(submit([d, n, 20, t, flipped]), "bad signature");
    expect(await f.attestation.view("count_of", [dev])).toBe(0n);
  });

  it("refuses a replayed reading and any nonce not above the last", async () => {
    const f = await registered();
    const r = { nonce: 3n, value: 20, timestamp: f.chain.now };
    const args = submitArgs(f, dev, r);
    await f.chain.block([f.attestation.prepare("submit", args, { from: gateway }), f.guard.prepare("observe", [dev], { from: gateway })]);
    await expectRevert(f.attestation.call("submit", args, { from: gateway }), "replayed nonce");
    const older = { nonce: 2n, value: 20, timestamp: f.chain.now };
    await expectRevert(f.attestation.call("submit", submitArgs(f, dev, older), { from: gateway }), "replayed nonce");
    expect(await f.attestation.view("count_of", [dev])).toBe(1n);
  });

  it("refuses a reading not newer than the last, or stamped too far in the future", async () => {
    const f = await registered();
    await feed(f, dev, [20]);
    const last = f.attestation.events("Attested")[0]!.args.timestamp as bigint;
    for (const timestamp of [last, last - 1n]) {
      await expectRevert(
        f.attestation.call("submit", submitArgs(f, dev, { nonce: 2n, value: 20, timestamp }), { from: gateway }),
        "reading not newer than the device's last",
      );
    }
    // the next block is one second after the head; 300 s of clock skew are tolerated, 301 are not
    const next = f.chain.now + 1n;
    await expectRevert(
      f.attestation.call("submit", submitArgs(f, dev, { nonce: 2n, value: 20, timestamp: next + 301n }), { from: gateway }),
      "reading timestamp is in the future",
    );
    const ok = await f.attestation.call("submit", submitArgs(f, dev, { nonce: 2n, value: 20, timestamp: f.chain.now + 1n + 300n }), { from: gateway });
    expect(ok.events[0]!.name).toBe("Attested");
  });

  it("refuses a device's next reading until the guard has observed its previous one", async () => {
    const f = await registered();
    await f.attestation.call("submit", submitArgs(f, dev, { nonce: 1n, value: 20, timestamp: f.chain.now }), { from: gateway });
    const second = submitArgs(f, dev, { nonce: 2n, value: 20, timestamp: f.chain.now });
    await expectRevert(f.attestation.call("submit", second, { from: gateway }), "anomaly guard has not observed the previous reading");
    await f.guard.call("observe", [dev], { from: gateway });
    await f.attestation.call("submit", second, { from: gateway });
    expect(await f.attestation.view("count_of", [dev])).toBe(2n);
  });

  it("refuses a device the anomaly guard isolated", async () => {
    const f = await registered();
    // a steady warm-up, then three wild readings within the window
    await feed(f, dev, [20, 20.5, 19.5, 20, 20.5, 19.5, 20, 20.5, 90, 95, 99]);
    expect(await f.guard.view("is_isolated", [dev])).toBe(true);
    const [a] = await report(f, dev, { nonce: 12n, value: 20, timestamp: f.chain.now });
    expect(a).toBeInstanceOf(CallFailed);
    expect((a as CallFailed).reason).toBe("device isolated by the anomaly guard");
    expect(await f.attestation.view("count_of", [dev])).toBe(11n);
  });

  it("counts readings of all devices", async () => {
    const f = await registered();
    await f.registry.call("register", [sensor(2), KIND_THERMOMETER, location("lab")], { from: operator });
    await feed(f, dev, [1, 2]);
    await feed(f, sensor(2), [3]);
    expect(await f.attestation.view("total_readings")).toBe(3n);
    expect(await f.attestation.view("value_of", [sensor(2)])).toBe(3);
  });
});
