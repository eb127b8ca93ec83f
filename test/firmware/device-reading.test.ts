// The device's reading signer in C (mote-device sign-reading, firmware-host/src/mote_tx.c, the device SDK) signs
// exactly the device-domain message contracts/sensor_attestation.mote verifies: byte-identical to
// ledger/device-message.ts over seeded random readings, accepted by the attestation on its chain and
// refused by the same module deployed on another chain.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DEVICE_PATH } from "../../firmware-host/scripts/build.ts";
import { DEVICE_TAG, KeyPair, readingMessage } from "../../ledger/index.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { fleet, gateway, KIND_THERMOMETER, location, operator } from "../contracts/fleet.ts";
import { expectRevert } from "../helpers/contract.ts";
import { firmwareHostAvailable } from "../fuzz/differential.ts";
import { Rng, seedFromEnv } from "../fuzz/random.ts";

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");

interface Case {
  seed: Uint8Array;
  instance: Uint8Array;
  nonce: bigint;
  value: bigint;
  timestamp: bigint;
}

const line = (c: Case): string =>
  `sign-reading --seed ${hex(c.seed)} --contract ${hex(c.instance)} --nonce ${c.nonce} --value ${c.value} --timestamp ${c.timestamp}`;

function signInC(cases: Case[]): string[] {
  const r = spawnSync(DEVICE_PATH, ["--batch", "-"], { input: cases.map(line).join("\n") + "\n", encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split("\n");
}

describe("the C reading signer (mote-device sign-reading)", () => {
  it("uses the tag and selector the contracts use", () => {
    const sel = new Uint8Array(4);
    new DataView(sel.buffer).setUint32(0, selectorOf("submit"), true);
    expect(hex(sel)).toBe("0x75490bd7"); // SELECTOR_SUBMIT in mote_tx.c (0xd70b4975 as a u32)
    expect(hex(DEVICE_TAG)).toBe("0x6d6f74652f6465766963652f76310000"); // DEVICE_TAG in mote_tx.c and in lib/device_message.mote
  });

  it.skipIf(!firmwareHostAvailable())("signs byte for byte what ledger/device-message.ts signs, over seeded random readings", () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(256));
    const u64 = (): bigint => BigInt.asUintN(64, (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32)));
    const cases: Case[] = Array.from({ length: 64 }, (_, i) => ({
      seed: bytes(32),
      instance: bytes(32),
      nonce: i === 0 ? 0n : u64(),
      value: i === 1 ? -(2n ** 63n) : i === 2 ? 2n ** 63n - 1n : BigInt.asIntN(64, u64()),
      timestamp: i === 3 ? 2n ** 64n - 1n : u64(),
    }));
    const out = signInC(cases);
    cases.forEach((c, i) => {
      const want = KeyPair.fromSeed(c.seed).sign(readingMessage(c.instance, c.nonce, c.value, c.timestamp));
      expect(out[i], `case ${i} (MOTE_SEED=${seed})`).toBe(`ok ${hex(want)}`);
    });
  });

  it.skipIf(!firmwareHostAvailable())("a C-signed reading is accepted on its chain and refused by the same module on another", async () => {
    const seed = new Uint8Array(32).fill(0x42);
    const device = KeyPair.fromSeed(seed);
    const staging = await fleet({ chainId: "staging", salt: new Uint8Array(32).fill(1) });
    const production = await fleet({ chainId: "production", salt: new Uint8Array(32).fill(2) });
    for (const f of [staging, production]) await f.registry.call("register", [device, KIND_THERMOMETER, location("roof")], { from: operator });
    const timestamp = staging.chain.now;
    const [sig] = signInC([{ seed, instance: staging.attestation.id, nonce: 1n, value: 1_409_024n, timestamp }]); // 21.5 in Q47.16
    const signature = new Uint8Array(Buffer.from(sig!.slice("ok 0x".length), "hex"));
    await expectRevert(production.attestation.call("submit", [device, 1n, 21.5, timestamp, signature], { from: gateway }), "bad signature");
    const ok = await staging.attestation.call("submit", [device, 1n, 21.5, timestamp, signature], { from: gateway });
    expect(ok.events.map((e) => e.name)).toEqual(["Attested"]);
    expect(await staging.attestation.view("count_of", [device])).toBe(1n);
  });

  it.skipIf(!firmwareHostAvailable())("refuses incomplete or malformed input with one usage line and exit 2", () => {
    const r = spawnSync(DEVICE_PATH, ["sign-reading", "--seed", "0x01", "--contract", "0x02"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("mote-device: usage: --seed: expected 32 bytes of 0x-hex, got '0x01'\n");
    const v = spawnSync(DEVICE_PATH, ["sign-reading", "--value", "1.5"], { encoding: "utf8" });
    expect(v.stderr).toBe("mote-device: usage: --value: expected a fixed Q47.16 value as an i64, got '1.5'\n");
  });
});
