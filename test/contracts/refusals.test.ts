// Enforces that every way a contract refuses is tested: each `require(…, "message")` in a contract's
// source must appear in its behaviour test, so a new refusal without a test fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileContract } from "../helpers/contract.ts";

const CONTRACTS: [string, ...string[]][] = [
  ["contracts/token.mote", "test/contracts/token.test.ts"],
  ["contracts/device_registry.mote", "test/contracts/device_registry.test.ts"],
  ["contracts/sensor_attestation.mote", "test/contracts/sensor_attestation.test.ts", "test/contracts/sealed_data.test.ts", "test/fleet/guard.test.ts"],
  ["contracts/fleet_guard.mote", "test/fleet/guard.test.ts", "test/fleet/fleet.test.ts"],
  ["contracts/anomaly_guard.mote", "test/contracts/anomaly_guard.test.ts"],
  ["contracts/energy_market.mote", "test/contracts/energy_market.test.ts"],
  ["contracts/supply_chain.mote", "test/contracts/supply_chain.test.ts"],
  ["contracts/data_readers.mote", "test/contracts/data_readers.test.ts"],
];

describe("every refusal has a test", () => {
  it.each(CONTRACTS)("%s", (contract, ...testFiles) => {
    const source = readFileSync(contract, "utf8");
    const tests = testFiles.map((t) => readFileSync(t, "utf8")).join("\n");
    const messages = [...source.matchAll(/require\([^;]*?,\s*"((?:[^"\\]|\\.)*)"\)\s*;/g)].map((m) => m[1]!);
    expect(messages.length).toBeGreaterThan(0);
    // the ABI's error table must know each message, or reverts could not be decoded by name
    const known = new Set(compileContract(contract).abi.errors.map((e) => e.message));
    const untested = messages.filter((m) => !tests.includes(`"${m}"`));
    expect(messages.filter((m) => !known.has(m))).toEqual([]);
    expect(untested).toEqual([]);
  });
});
