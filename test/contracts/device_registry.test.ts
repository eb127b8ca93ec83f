// Behaviour of contracts/device_registry.mote through the ledger: the operator registers, updates and
// revokes device keys with metadata, events record each change, and everyone else is refused.
import { describe, expect, it } from "vitest";
import { alice, deploy, expectRevert } from "../helpers/contract.ts";
import { KIND_METER, KIND_THERMOMETER, location, operator, REGISTRY, sensor } from "./fleet.ts";

const d1 = sensor(1);
const d2 = sensor(2);
const NOT_OPERATOR = "only the operator may change the registry";

describe("device registry", () => {
  it("makes the deployer the operator", async () => {
    const r = await deploy(REGISTRY, { from: operator });
    expect(await r.view("operator_key")).toEqual(operator.publicKey);
    expect(await r.view("active_count")).toBe(0n);
  });

  it("registers a device with its metadata and emits Registered", async () => {
    const r = await deploy(REGISTRY, { from: operator });
    const out = await r.call("register", [d1, KIND_THERMOMETER, location("greenhouse-3")], { from: operator });
    expect(out.events).toEqual([{ name: "Registered", args: { device: d1.publicKey, kind: KIND_THERMOMETER, location: location("greenhouse-3") } }]);
    expect(await r.view("status_of", [d1])).toBe(1n);
    expect(await r.view("is_active", [d1])).toBe(true);
    expect(await r.view("kind_of", [d1])).toBe(KIND_THERMOMETER);
    expect(await r.view("location_of", [d1])).toEqual(location("greenhouse-3"));
    expect(await r.view("active_count")).toBe(1n);
    expect(await r.view("is_active", [d2])).toBe(false);
    expect(await r.view("status_of", [d2])).toBe(0n);
  });

  it("refuses registration by anyone but the operator", async () => {
    const r = await deploy(REGISTRY, { from: operator });
    await expectRevert(r.call("register", [d1, 1n, location("x")], { from: alice }), NOT_OPERATOR);
    // a device cannot register itself either
    await expectRevert(r.call("register", [d1, 1n, location("x")], { from: d1 }), NOT_OPERATOR);
    expect(await r.view("is_active", [d1])).toBe(false);
    expect(r.events()).toEqual([]);
  });

  it("refuses registering a device twice", async () => {
    const r = await deploy(REGISTRY, { from: operator });
    await r.call("register", [d1, 1n, location("a")], { from: operator });
    await expectRevert(r.call("register", [d1, 2n, location("b")], { from: operator }), "device already registered");
    expect(await r.view("kind_of", [d1])).toBe(1n);
    expect(await r.view("active_count")).toBe(1n);
  });

  it("updates an active device's metadata, by the operator only", async () => {
    const r = await deploy(REGISTRY, { from: operator });
    await r.call("register", [d1, KIND_THERMOMETER, location("a")], { from: operator });
    await expectRevert(r.call("update", [d1, KIND_METER, location("b")], { from: alice }), NOT_OPERATOR);
    const out = await r.call("update", [d1, KIND_METER, location("b")], { from: operator });
    expect(out.events).toEqual([{ name: "Updated", args: { device: d1.publicKey, kind: KIND_METER, location: location("b") } }]);
    expect(await r.view("kind_of", [d1])).toBe(KIND_METER);
    expect(await r.view("location_of", [d1])).toEqual(location("b"));
    await expectRevert(r.call("update", [d2, KIND_METER, location("b")], { from: operator }), "device not active");
  });

  it("revokes a device for good, by the operator only", async () => {
    const r = await deploy(REGISTRY, { from: operator });
    await r.call("register", [d1, 1n, location("a")], { from: operator });
    await r.call("register", [d2, 1n, location("b")], { from: operator });
    await expectRevert(r.call("revoke", [d1], { from: d2 }), NOT_OPERATOR);
    const out = await r.call("revoke", [d1], { from: operator });
    expect(out.events).toEqual([{ name: "Revoked", args: { device: d1.publicKey } }]);
    expect(await r.view("status_of", [d1])).toBe(2n);
    expect(await r.view("is_active", [d1])).toBe(false);
    expect(await r.view("active_count")).toBe(1n);
    await expectRevert(r.call("revoke", [d1], { from: operator }), "device not active");
    await expectRevert(r.call("update", [d1, 1n, location("c")], { from: operator }), "device not active");
    // a revoked key counts as compromised: it never comes back
    await expectRevert(r.call("register", [d1, 1n, location("a")], { from: operator }), "device already registered");
    await expectRevert(r.call("revoke", [sensor(9)], { from: operator }), "device not active");
  });

  it("keeps the full history in events", async () => {
    const r = await deploy(REGISTRY, { from: operator });
    await r.call("register", [d1, 1n, location("a")], { from: operator });
    await r.call("update", [d1, 2n, location("b")], { from: operator });
    await r.call("revoke", [d1], { from: operator });
    expect(r.events().map((e) => e.name)).toEqual(["Registered", "Updated", "Revoked"]);
    expect(r.events("Revoked")).toHaveLength(1);
  });
});
