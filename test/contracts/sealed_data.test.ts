// Sealed readings through the ledger: a device seals each reading to the readers data_readers.mote lists
// for its nonce and submits it to the attestation with its public value; readers open what was sealed
// to them, everyone else sees ciphertext, a revoked reader opens nothing sealed after its revocation,
// and tampered, moved or replayed payloads are refused on chain or by the reader.
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { band, decodeReadingPayload, MAX_SEALED_ON_CHAIN, readSealedReadings, sealReading, type SealedReading } from "../../ledger/data.ts";
import { ReaderKey } from "../../ledger/seal.ts";
import { account, CallFailed, expectRevert, toFixed, type Contract } from "../helpers/contract.ts";
import { fleet, gateway, KIND_THERMOMETER, location, operator, sensor, type Fleet } from "./fleet.ts";

const READERS = "contracts/data_readers.mote";
const readerA = ReaderKey.fromSeed(sha256(new TextEncoder().encode("reader A (the plant)")));
const readerB = ReaderKey.fromSeed(sha256(new TextEncoder().encode("reader B (the insurer)")));
const outsider = ReaderKey.fromSeed(sha256(new TextEncoder().encode("a validator")));
const dev = sensor(11);
const other = sensor(12);
const context = (s: string): Uint8Array => new TextEncoder().encode(s);

interface DataFleet extends Fleet {
  readers: Contract;
}

async function dataFleet(opts: Parameters<typeof fleet>[0] = {}): Promise<DataFleet> {
  const f = await fleet(opts);
  const readers = await f.chain.deploy(READERS, { from: operator });
  for (const d of [dev, other]) await f.registry.call("register", [d, KIND_THERMOMETER, location("line-3")], { from: operator });
  await readers.call("add_reader", [dev, readerA.publicKey], { from: operator });
  await readers.call("add_reader", [dev, readerB.publicKey], { from: operator });
  return { ...f, readers };
}

/** The keys the device seals reading `nonce` to, as it asks the chain. */
async function readersFor(f: DataFleet, device: typeof dev, nonce: bigint): Promise<Uint8Array[]> {
  const b = (await f.readers.view("readers_for", [device, nonce])) as Uint8Array;
  return Array.from({ length: b.length / 32 }, (_, i) => b.slice(i * 32, i * 32 + 32));
}

/** A raw Q47.16 value as the exact decimal the test helper takes for a `fixed` argument. */
function fixedText(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = ((a & 0xffffn) * 10n ** 16n) / 65536n;
  return `${neg ? "-" : ""}${a >> 16n}.${frac.toString().padStart(16, "0")}`;
}

const submitArgs = (s: SealedReading) => [s.device, s.nonce, fixedText(s.value), s.timestamp, s.sealed, s.signature] as never;

/** A gateway submits a sealed reading and has the guard observe it, in one block. */
async function report(f: DataFleet, s: SealedReading): Promise<void> {
  const out = await f.chain.block([
    f.attestation.prepare("submit_sealed", submitArgs(s), { from: gateway }),
    f.guard.prepare("observe", [s.device], { from: gateway }),
  ]);
  for (const o of out) if (o instanceof CallFailed) throw o;
}

async function sealAndReport(f: DataFleet, nonce: bigint, value: number, note: string, opts: { publicBand?: bigint } = {}): Promise<SealedReading> {
  const exact = toFixed(value);
  const s = sealReading(dev, f.chain.ledger.chainId, f.attestation.id, nonce, { value: exact, timestamp: f.chain.now, context: context(note) }, await readersFor(f, dev, nonce),
    opts.publicBand ? { publicValue: band(exact, opts.publicBand) } : {});
  await report(f, s);
  return s;
}

const read = (f: DataFleet, key: ReaderKey, device = dev, bandWidth = 0n) =>
  readSealedReadings(f.chain.ledger.events({ contract: f.attestation.id }), { chainId: f.chain.ledger.chainId, contract: f.attestation.id, device: device.publicKey, key, band: bandWidth });

describe("sealed readings", () => {
  it("readers open what was sealed to them; a validator sees only ciphertext", async () => {
    const f = await dataFleet();
    await sealAndReport(f, 1n, 21.5, '{"unit":"C","raw":[2148,2151]}');
    await sealAndReport(f, 2n, 21.75, '{"unit":"C","raw":[2174,2176]}');
    for (const key of [readerA, readerB]) {
      const got = read(f, key);
      expect(got.map((r) => r.outcome.status)).toEqual(["opened", "opened"]);
      const first = got[0]!.outcome as Extract<(typeof got)[0]["outcome"], { status: "opened" }>;
      expect(first.payload.value).toBe(toFixed(21.5));
      expect(new TextDecoder().decode(first.payload.context)).toBe('{"unit":"C","raw":[2148,2151]}');
      expect(first.publicMatches).toBe(true);
    }
    expect(read(f, outsider).map((r) => r.outcome.status)).toEqual(["not_a_reader", "not_a_reader"]);
    // the chain holds no plaintext context: the record has the ciphertext only
    const raw = f.chain.ledger.events({ contract: f.attestation.id }).flatMap((e) => e.values.filter((v): v is Uint8Array => v instanceof Uint8Array));
    expect(raw.some((b) => Buffer.from(b).includes(Buffer.from('"raw"')))).toBe(false);
    // the guard still judged the public value
    expect(await f.guard.view("seen_of", [dev])).toBe(2n);
  });

  it("after a revocation, new readings are not readable by the revoked key", async () => {
    const f = await dataFleet();
    await sealAndReport(f, 1n, 20, "before");
    await f.readers.call("revoke_reader", [dev, readerB.publicKey], { from: operator });
    await sealAndReport(f, 2n, 20.5, "after");
    expect(read(f, readerB).map((r) => r.outcome.status)).toEqual(["opened", "not_a_reader"]);
    expect(read(f, readerA).map((r) => r.outcome.status)).toEqual(["opened", "opened"]);
  });

  it("a coarse public band: the guard sees the band, readers the exact value, and check they agree", async () => {
    const f = await dataFleet();
    const width = toFixed(5);
    const s = await sealAndReport(f, 1n, 23.4, "banded", { publicBand: width });
    expect(s.value).toBe(toFixed(20));
    const [r] = read(f, readerA, dev, width);
    expect(r!.value).toBe(toFixed(20));
    expect(r!.outcome).toMatchObject({ status: "opened", publicMatches: true });
    expect((r!.outcome as { payload: { value: bigint } }).payload.value).toBe(toFixed(23.4));
    // read as if values were exact: the reader flags the difference
    expect(read(f, readerA, dev, 0n)[0]!.outcome).toMatchObject({ status: "opened", publicMatches: false });
  });

  it("refuses a changed ciphertext, a changed public value and a replayed nonce on chain", async () => {
    const f = await dataFleet();
    const s = sealReading(dev, f.chain.ledger.chainId, f.attestation.id, 1n, { value: toFixed(20), timestamp: f.chain.now, context: context("x") }, await readersFor(f, dev, 1n));
    const flipped = s.sealed.slice();
    flipped[flipped.length - 1]! ^= 1;
    await expectRevert(f.attestation.call("submit_sealed", submitArgs({ ...s, sealed: flipped }), { from: gateway }), "bad signature");
    await expectRevert(f.attestation.call("submit_sealed", submitArgs({ ...s, value: toFixed(99) }), { from: gateway }), "bad signature");
    await report(f, s);
    await expectRevert(f.attestation.call("submit_sealed", submitArgs(s), { from: gateway }), "replayed nonce");
    await expectRevert(f.attestation.call("submit_sealed", submitArgs({ ...s, sealed: new Uint8Array(MAX_SEALED_ON_CHAIN + 1) }), { from: gateway }), "sealed payload too large");
  });

  it("a ciphertext moved to another device or position is refused by every reader", async () => {
    const f = await dataFleet();
    await f.readers.call("add_reader", [other, readerA.publicKey], { from: operator });
    // dev's payload, sealed for dev at nonce 1, re-signed by `other` (a compromised device copying it)
    const s = sealReading(dev, f.chain.ledger.chainId, f.attestation.id, 1n, { value: toFixed(20), timestamp: f.chain.now, context: context("mine") }, [readerA.publicKey]);
    const moved = sealReading(other, f.chain.ledger.chainId, f.attestation.id, 1n, { value: toFixed(20), timestamp: s.timestamp, context: context("") }, [readerA.publicKey]);
    const forged = { ...moved, sealed: s.sealed, signature: other.sign(new Uint8Array(0)) };
    const { sealedReadingMessage } = await import("../../ledger/data.ts");
    forged.signature = other.sign(sealedReadingMessage(f.attestation.id, 1n, forged.value, forged.timestamp, forged.sealed));
    await report(f, forged);
    const [r] = read(f, readerA, other);
    expect(r!.outcome).toMatchObject({ status: "refused" });
    expect((r!.outcome as { reason: string }).reason).toMatch(/does not authenticate/);
    // the same payload at another nonce of the right device: refused as well
    const again = sealReading(dev, f.chain.ledger.chainId, f.attestation.id, 2n, { value: toFixed(20), timestamp: f.chain.now, context: context("") }, [readerA.publicKey]);
    const shifted = { ...again, sealed: s.sealed };
    shifted.signature = dev.sign(sealedReadingMessage(f.attestation.id, 2n, shifted.value, shifted.timestamp, shifted.sealed));
    await report(f, shifted);
    expect(read(f, readerA, dev)[0]!.outcome).toMatchObject({ status: "refused" });
  });

  it("the reader refuses a reused sequence number it is shown twice", async () => {
    const f = await dataFleet();
    await sealAndReport(f, 1n, 20, "once");
    const events = f.chain.ledger.events({ contract: f.attestation.id });
    const twice = readSealedReadings([...events, ...events], { chainId: f.chain.ledger.chainId, contract: f.attestation.id, device: dev.publicKey, key: readerA });
    expect(twice.map((r) => r.outcome.status)).toEqual(["opened", "refused"]);
    expect((twice[1]!.outcome as { reason: string }).reason).toMatch(/sequence number 1 was used before/);
  });

  it("prices the ciphertext by its bytes", async () => {
    const f = await dataFleet();
    const gasOf = async (nonce: bigint, contextBytes: number): Promise<number> => {
      const s = sealReading(dev, f.chain.ledger.chainId, f.attestation.id, nonce, { value: toFixed(20), timestamp: f.chain.now, context: new Uint8Array(contextBytes) }, await readersFor(f, dev, nonce));
      const out = await f.chain.block([f.attestation.prepare("submit_sealed", submitArgs(s), { from: gateway }), f.guard.prepare("observe", [dev], { from: gateway })]);
      const o = out[0]!;
      if (o instanceof CallFailed) throw o;
      return o.gasUsed;
    };
    // the first reading also creates the device's entries (state growth is paid by the byte): compare two later ones
    await gasOf(1n, 16);
    const small = await gasOf(2n, 16);
    const large = await gasOf(3n, 600);
    expect(large).toBeGreaterThan(small + 100);
    expect(decodeReadingPayload(new Uint8Array(16)).context.length).toBe(0);
  });

  it("the data market: a buyer pays the owner and reads the range it bought, nothing before it", async () => {
    const owner = account("device owner");
    const buyer = account("data buyer");
    const buyerKey = ReaderKey.fromSeed(sha256(new TextEncoder().encode("the buyer's reader key")));
    const f = await dataFleet({ alloc: [{ account: buyer, amount: 10_000n }] });
    await f.readers.call("offer", [dev, owner, 25n], { from: operator });
    await sealAndReport(f, 1n, 20, "before the purchase");
    await f.readers.call("buy", [dev, buyerKey.publicKey, 2n, 3n], { from: buyer, value: 50n });
    expect(f.chain.ledger.balance(owner.publicKey)).toBe(50n);
    expect(f.chain.ledger.balance(buyer.publicKey)).toBe(9_950n);
    for (const n of [2n, 3n, 4n]) await sealAndReport(f, n, 20 + Number(n), `reading ${n}`);
    const got = read(f, buyerKey);
    expect(got.map((r) => [r.nonce, r.outcome.status])).toEqual([[1n, "not_a_reader"], [2n, "opened"], [3n, "opened"], [4n, "not_a_reader"]]);
    expect(new TextDecoder().decode((got[1]!.outcome as { payload: { context: Uint8Array } }).payload.context)).toBe("reading 2");
    // the operator's own readers still read everything
    expect(read(f, readerA).map((r) => r.outcome.status)).toEqual(["opened", "opened", "opened", "opened"]);
  });
});

