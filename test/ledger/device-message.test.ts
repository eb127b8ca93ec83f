// Device messages (ledger/device-message.ts): bound to a 32-byte instance id, and a reading's signature made by
// signReading verifies for that reading and instance only.
import { describe, expect, it } from "vitest";
import { DEVICE_TAG, deviceMessage, readingMessage, signReading } from "../../ledger/device-message.ts";
import { KeyPair, verifySignature } from "../../ledger/keys.ts";

const instance = new Uint8Array(32).fill(0x42);

describe("device messages", () => {
  it("refuses an instance id that is not 32 bytes, naming its length", () => {
    for (const n of [0, 31, 33]) {
      expect(() => deviceMessage(new Uint8Array(n), "submit", new Uint8Array())).toThrow(new RangeError(`instance id must be 32 bytes, got ${n}`));
    }
    expect(deviceMessage(instance, "submit", new Uint8Array([9])).length).toBe(DEVICE_TAG.length + 32 + 4 + 1);
  });

  it("signReading signs the reading's 76 bytes: the signature verifies for them and for no other reading or instance", () => {
    const device = KeyPair.fromSeed(new Uint8Array(32).fill(5));
    const sig = signReading(device, instance, 7n, -3n, 1_700_000_000n);
    expect(sig.length).toBe(64);
    expect(readingMessage(instance, 7n, -3n, 1_700_000_000n).length).toBe(76);
    expect(verifySignature(sig, readingMessage(instance, 7n, -3n, 1_700_000_000n), device.publicKey)).toBe(true);
    expect(verifySignature(sig, readingMessage(instance, 8n, -3n, 1_700_000_000n), device.publicKey)).toBe(false);
    expect(verifySignature(sig, readingMessage(new Uint8Array(32).fill(0x43), 7n, -3n, 1_700_000_000n), device.publicKey)).toBe(false);
  });
});
