// A reader's view of sealed readings (ledger/data.ts) over hand-made event lists: only the Sealed and Attested
// events of the contract and device asked for count, malformed values are skipped, a missing or malformed public
// half, a replayed sequence number, a bad signature and a broken ciphertext are each refused with their reason,
// and a public timestamp other than the sealed one is flagged. Also the payload and size limits and `band`.
import { describe, expect, it } from "vitest";
import { ATTESTED_TOPIC, band, decodeReadingPayload, encodeReadingPayload, MAX_SEALED_ON_CHAIN, readSealedReadings, SEALED_TOPIC, sealReading } from "../../ledger/data.ts";
import { sealedReadingMessage } from "../../ledger/device-message.ts";
import type { EventRecord } from "../../ledger/ledger.ts";
import { KeyPair } from "../../ledger/keys.ts";
import { ReaderKey, seal, SealError } from "../../ledger/seal.ts";
import type { Value } from "../../ledger/bytes.ts";

const chainId = "sealed";
const contract = new Uint8Array(32).fill(0xc0);
const otherContract = new Uint8Array(32).fill(0xc1);
const dev = KeyPair.fromSeed(new Uint8Array(32).fill(1));
const otherDev = KeyPair.fromSeed(new Uint8Array(32).fill(2));
const reader = ReaderKey.fromSeed(new Uint8Array(32).fill(3));
const outsider = ReaderKey.fromSeed(new Uint8Array(32).fill(4));
const T = 1_700_000_000n;

let txn = 0;
const txId = (): Uint8Array => new Uint8Array(32).fill(++txn);
const ev = (id: Uint8Array, topic: number, values: Value[], c = contract): EventRecord => ({ height: 5n, tx: 0, index: 0, txId: id, contract: c, topic, values });

/** One submit_sealed transaction's two events: Attested (public fields) and Sealed. */
function reading(nonce: bigint, value: bigint, over: { id?: Uint8Array; readers?: Uint8Array[] } = {}): EventRecord[] {
  const s = sealReading(dev, chainId, contract, nonce, { value, timestamp: T, context: Uint8Array.of(9) }, over.readers ?? [reader.publicKey]);
  const id = over.id ?? txId();
  return [ev(id, ATTESTED_TOPIC, [dev.publicKey, nonce, value, T, new Uint8Array(32)]), ev(id, SEALED_TOPIC, [dev.publicKey, nonce, s.signature, s.sealed])];
}

const read = (events: EventRecord[], band?: bigint) => readSealedReadings(events, { chainId, contract, device: dev.publicKey, key: reader, band });

describe("reading payloads and sizes", () => {
  it("a payload shorter than value and timestamp is a format SealError naming its length", () => {
    expect(() => decodeReadingPayload(new Uint8Array(15))).toThrow(new SealError("format", "reading payload: needs 16 bytes (value, timestamp), got 15"));
    expect(() => decodeReadingPayload(new Uint8Array(15))).toThrow(SealError);
    expect(decodeReadingPayload(encodeReadingPayload({ value: -5n, timestamp: T, context: Uint8Array.of(1, 2) }))).toEqual({ value: -5n, timestamp: T, context: Uint8Array.of(1, 2) });
  });

  it("a sealed reading of exactly MAX_SEALED_ON_CHAIN bytes is made, one byte more is refused with the fix", () => {
    const base = sealReading(dev, chainId, contract, 1n, { value: 1n, timestamp: T, context: new Uint8Array(0) }, [reader.publicKey]).sealed.length;
    const fit = MAX_SEALED_ON_CHAIN - base;
    expect(sealReading(dev, chainId, contract, 1n, { value: 1n, timestamp: T, context: new Uint8Array(fit) }, [reader.publicKey]).sealed.length).toBe(MAX_SEALED_ON_CHAIN);
    expect(() => sealReading(dev, chainId, contract, 1n, { value: 1n, timestamp: T, context: new Uint8Array(fit + 1) }, [reader.publicKey])).toThrow(
      new SealError("format", `sealed reading: ${MAX_SEALED_ON_CHAIN + 1} bytes, the attestation takes at most ${MAX_SEALED_ON_CHAIN}; shorten the context or seal to fewer readers`),
    );
  });

  it("band rounds down to a multiple of the width, negatives away from zero, and leaves values alone for widths <= 0", () => {
    expect([band(7n, 3n), band(6n, 3n), band(0n, 3n), band(-6n, 3n), band(-7n, 3n), band(-1n, 3n)]).toEqual([6n, 6n, 0n, -6n, -9n, -3n]);
    expect([band(7n, 0n), band(-7n, -3n), band(-7n, 0n)]).toEqual([7n, -7n, -7n]);
  });
});

describe("readSealedReadings", () => {
  it("opens the device's reading for its reader and flags a value outside the published band", () => {
    const r = read(reading(1n, 10n));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ nonce: 1n, value: 10n, timestamp: T, outcome: { status: "opened", publicMatches: true, payload: { value: 10n, timestamp: T } } });
    expect(read(reading(1n, 10n), 4n)[0]!.outcome).toMatchObject({ status: "opened", publicMatches: false });
    expect(read(reading(1n, 8n), 4n)[0]!.outcome).toMatchObject({ status: "opened", publicMatches: true });
  });

  it("ignores other contracts' events, other topics, other devices and malformed values", () => {
    const good = reading(1n, 10n);
    const [att, sealed] = good as [EventRecord, EventRecord];
    const other = reading(2n, 11n);
    const events = [
      ...good,
      { ...other[1]!, contract: otherContract },
      { ...other[1]!, topic: SEALED_TOPIC + 1 },
      ev(txId(), SEALED_TOPIC, [otherDev.publicKey, 3n, sealed.values[2]!, sealed.values[3]!]),
      ev(txId(), SEALED_TOPIC, [5n, 3n, sealed.values[2]!, sealed.values[3]!]),
      ev(att.txId, SEALED_TOPIC, [dev.publicKey, Uint8Array.of(1), sealed.values[2]!, sealed.values[3]!]),
      ev(att.txId, SEALED_TOPIC, [dev.publicKey, 1n, 7n, sealed.values[3]!]),
      ev(att.txId, SEALED_TOPIC, [dev.publicKey, 1n, sealed.values[2]!, 7n]),
    ];
    expect(read(events).map((r) => [r.nonce, r.outcome.status])).toEqual([[1n, "opened"]]);
  });

  it("takes the public fields only from the same contract's and device's Attested event", () => {
    const [att, sealed] = reading(1n, 10n) as [EventRecord, EventRecord];
    const fakes = [
      { ...att, contract: otherContract, values: [dev.publicKey, 1n, 99n, T, new Uint8Array(32)] },
      { ...att, values: [otherDev.publicKey, 1n, 98n, T, new Uint8Array(32)] },
    ];
    expect(read([att, ...fakes, sealed])[0]).toMatchObject({ value: 10n, outcome: { status: "opened", publicMatches: true } });
  });

  it("refuses a Sealed event without its Attested one, and reads a malformed public value or time as 0", () => {
    const [att, sealed] = reading(1n, 10n) as [EventRecord, EventRecord];
    expect(read([sealed])[0]).toMatchObject({ value: 0n, timestamp: 0n, outcome: { status: "refused", reason: "no Attested event beside it in the transaction: its public fields are unknown" } });
    const odd = { ...att, values: [dev.publicKey, 1n, Uint8Array.of(1), Uint8Array.of(2), new Uint8Array(32)] };
    expect(read([odd, sealed])[0]).toMatchObject({ value: 0n, timestamp: 0n, outcome: { status: "refused", reason: "the device's signature does not cover these public fields and this ciphertext" } });
  });

  it("refuses a sequence number used before, and a reading whose signature covers other fields", () => {
    const first = reading(1n, 10n);
    const replay = reading(1n, 12n);
    const r = read([...first, ...replay]);
    expect(r.map((x) => x.outcome)).toEqual([
      expect.objectContaining({ status: "opened" }),
      { status: "refused", reason: "sequence number 1 was used before by this device: a replayed payload" },
    ]);
    const [att, sealed] = reading(2n, 10n) as [EventRecord, EventRecord];
    const moved = { ...att, values: [dev.publicKey, 2n, 11n, T, new Uint8Array(32)] };
    expect(read([moved, sealed])[0]!.outcome).toEqual({ status: "refused", reason: "the device's signature does not cover these public fields and this ciphertext" });
  });

  it("says not_a_reader for a reading sealed to others, and refuses a ciphertext that does not open with its reason", () => {
    expect(read(reading(1n, 10n, { readers: [outsider.publicKey] }))[0]!.outcome).toEqual({ status: "not_a_reader" });
    const id = txId();
    const garbage = new Uint8Array(40).fill(0x55);
    const sig = dev.sign(sealedReadingMessage(contract, 3n, 10n, T, garbage));
    const out = read([ev(id, ATTESTED_TOPIC, [dev.publicKey, 3n, 10n, T, new Uint8Array(32)]), ev(id, SEALED_TOPIC, [dev.publicKey, 3n, sig, garbage])])[0]!.outcome;
    expect(out.status).toBe("refused");
    expect((out as { reason: string }).reason).toMatch(/\S/);
  });

  it("lets an error that is not a SealError out of the reader's key instead of reporting it as a refusal", () => {
    const broken = { open: (): Uint8Array => { throw new TypeError("key store offline"); } } as unknown as ReaderKey;
    expect(() => readSealedReadings(reading(1n, 10n), { chainId, contract, device: dev.publicKey, key: broken })).toThrow(new TypeError("key store offline"));
  });

  it("flags an opened reading whose public timestamp is not the sealed one", () => {
    const id = txId();
    const sealed = seal(encodeReadingPayload({ value: 10n, timestamp: T, context: new Uint8Array() }), [reader.publicKey], { chainId, contract, device: dev.publicKey, seq: 4n });
    const sig = dev.sign(sealedReadingMessage(contract, 4n, 10n, T + 1n, sealed));
    const r = read([ev(id, ATTESTED_TOPIC, [dev.publicKey, 4n, 10n, T + 1n, new Uint8Array(32)]), ev(id, SEALED_TOPIC, [dev.publicKey, 4n, sig, sealed])]);
    expect(r[0]!.outcome).toMatchObject({ status: "opened", publicMatches: false, payload: { timestamp: T } });
  });
});
