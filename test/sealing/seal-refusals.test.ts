// ledger/seal.ts's refusals by their words and bounds (the vectors check codes only): the context, payload and
// reader limits at and one past each bound, each malformed field of a sealed payload with its byte offset (the
// layout at the top of seal.ts), a small-order reader key, the reader secret and key-file checks, and the
// associated data's layout ("mote/seal/v1" ‖ u8 len ‖ chain id ‖ contract ‖ device ‖ seq u64 ‖ header).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blake2b } from "@noble/hashes/blake2.js";
import { x25519 } from "@noble/curves/ed25519.js";
import {
  checkReaderKey,
  openSealed,
  parseSealed,
  ReaderKey,
  readerKeyId,
  readReaderKeyFile,
  seal,
  sealAssociatedData,
  SEAL_ENTRY_BYTES,
  SEAL_HEADER_BYTES,
  SEAL_MAX_PAYLOAD,
  SEAL_MAX_READERS,
  SEAL_TAG_BYTES,
  SealError,
  type SealContext,
} from "../../ledger/seal.ts";

const dir = mkdtempSync(join(tmpdir(), "mote-seal-refusals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx: SealContext = { chainId: "mote-devnet", contract: new Uint8Array(32).fill(1), device: new Uint8Array(32).fill(2), seq: 7n };
const readers = Array.from({ length: SEAL_MAX_READERS + 1 }, (_, i) => ReaderKey.fromSeed(new Uint8Array(32).fill(i + 1)));
const rnd = { ephemeralSecret: new Uint8Array(32).fill(0x11), nonce: new Uint8Array(24).fill(0x22), contentKey: new Uint8Array(32).fill(0x33) };

function refusal(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof SealError) {
      expect(e.name).toBe("SealError");
      return { code: e.code, message: e.message };
    }
    throw e;
  }
  throw new Error("expected a SealError");
}

describe("the context a payload is bound to", () => {
  it("chain id of 1..255 UTF-8 bytes, 32-byte contract and device, u64 seq: each at and past its bound", () => {
    const ok = (c: SealContext) => expect(openSealed(seal(Uint8Array.of(5), [readers[0]!.publicKey], c), new Uint8Array(32).fill(1), c)).toEqual(Uint8Array.of(5));
    ok({ ...ctx, chainId: "x" });
    ok({ ...ctx, chainId: "é".repeat(127) + "x" }); // 255 bytes
    ok({ ...ctx, seq: 0n });
    ok({ ...ctx, seq: 2n ** 64n - 1n });
    const bad: [Partial<SealContext>, string][] = [
      [{ chainId: "" }, "chain id: 1..255 bytes of UTF-8, got 0"],
      [{ chainId: "é".repeat(128) }, "chain id: 1..255 bytes of UTF-8, got 256"],
      [{ contract: new Uint8Array(31) }, "contract: a 32-byte instance id, got 31 bytes"],
      [{ contract: new Uint8Array(33) }, "contract: a 32-byte instance id, got 33 bytes"],
      [{ device: new Uint8Array(31) }, "device: a 32-byte public key, got 31 bytes"],
      [{ device: new Uint8Array(33) }, "device: a 32-byte public key, got 33 bytes"],
      [{ seq: -1n }, "seq: a u64, got -1"],
      [{ seq: 2n ** 64n }, `seq: a u64, got ${2n ** 64n}`],
    ];
    const sealed = seal(Uint8Array.of(5), [readers[0]!.publicKey], ctx);
    for (const [over, message] of bad) {
      expect(refusal(() => seal(Uint8Array.of(5), [readers[0]!.publicKey], { ...ctx, ...over }))).toEqual({ code: "context", message });
      expect(refusal(() => readers[0]!.open(sealed, { ...ctx, ...over }))).toEqual({ code: "context", message });
      expect(refusal(() => sealAssociatedData({ ...ctx, ...over }, new Uint8Array(58)))).toEqual({ code: "context", message });
    }
  });

  it("the associated data is the domain, the chain id with its length, contract, device, seq (u64 LE) and the header", () => {
    const header = Uint8Array.from({ length: SEAL_HEADER_BYTES }, (_, i) => i);
    const ad = sealAssociatedData({ ...ctx, seq: 0x0102030405060708n }, header);
    const chain = new TextEncoder().encode(ctx.chainId);
    expect(ad).toEqual(Uint8Array.of(...new TextEncoder().encode("mote/seal/v1"), chain.length, ...chain, ...ctx.contract, ...ctx.device, 8, 7, 6, 5, 4, 3, 2, 1, ...header));
  });
});

describe("sealing", () => {
  it("a payload of up to SEAL_MAX_PAYLOAD bytes, to 1..SEAL_MAX_READERS distinct readers", () => {
    const all = readers.slice(0, SEAL_MAX_READERS).map((r) => r.publicKey);
    const big = new Uint8Array(SEAL_MAX_PAYLOAD).fill(9);
    const s = seal(big, all, ctx, rnd);
    expect(s.length).toBe(SEAL_HEADER_BYTES + SEAL_MAX_READERS * SEAL_ENTRY_BYTES + 2 + SEAL_MAX_PAYLOAD + SEAL_TAG_BYTES);
    expect(readers[SEAL_MAX_READERS - 1]!.open(s, ctx)).toEqual(big);
    expect(readers[0]!.open(seal(new Uint8Array(0), [all[0]!], ctx), ctx)).toEqual(new Uint8Array(0));
    expect(refusal(() => seal(new Uint8Array(SEAL_MAX_PAYLOAD + 1), all, ctx))).toEqual({ code: "format", message: `payload: at most ${SEAL_MAX_PAYLOAD} bytes, got ${SEAL_MAX_PAYLOAD + 1}` });
    expect(refusal(() => seal(big, [], ctx))).toEqual({ code: "format", message: `readers: 1..${SEAL_MAX_READERS}, got 0` });
    expect(refusal(() => seal(big, readers.map((r) => r.publicKey), ctx))).toEqual({ code: "format", message: `readers: 1..${SEAL_MAX_READERS}, got ${SEAL_MAX_READERS + 1}` });
    expect(refusal(() => seal(big, [all[0]!, all[1]!, all[0]!], ctx))).toEqual({ code: "format", message: "readers: the same key is listed twice" });
  });

  it("names the reader whose key is not 32 bytes or has small order", () => {
    const pk = readers[0]!.publicKey;
    expect(refusal(() => seal(Uint8Array.of(1), [pk, pk.subarray(0, 31)], ctx))).toEqual({ code: "bad_reader_key", message: "reader 2: an X25519 public key is 32 bytes, got 31" });
    const one = new Uint8Array(32);
    one[0] = 1; // u = 1 has small order
    expect(refusal(() => seal(Uint8Array.of(1), [pk, one], ctx, rnd))).toEqual({ code: "bad_reader_key", message: `reader 2: 0x01${"00".repeat(31)} is a point of small order; no secret can be shared with it` });
    expect(refusal(() => seal(Uint8Array.of(1), [new Uint8Array(32)], ctx, rnd))).toEqual({ code: "bad_reader_key", message: `reader 1: 0x${"00".repeat(32)} is a point of small order; no secret can be shared with it` });
  });

  it("refuses randomness of the wrong sizes, each alone", () => {
    const message = "randomness: a 32-byte ephemeral secret, a 24-byte nonce and a 32-byte content key";
    for (const r of [{ ...rnd, ephemeralSecret: new Uint8Array(31) }, { ...rnd, nonce: new Uint8Array(25) }, { ...rnd, contentKey: new Uint8Array(33) }]) {
      expect(refusal(() => seal(Uint8Array.of(1), [readers[0]!.publicKey], ctx, r))).toEqual({ code: "format", message });
    }
  });

  it("checkReaderKey: 32 bytes, not of small order, named as the caller says", () => {
    expect(() => checkReaderKey(readers[0]!.publicKey)).not.toThrow();
    expect(refusal(() => checkReaderKey(new Uint8Array(33)))).toEqual({ code: "bad_reader_key", message: "reader key: an X25519 public key is 32 bytes, got 33" });
    expect(refusal(() => checkReaderKey(new Uint8Array(32), "--reader 3"))).toEqual({ code: "bad_reader_key", message: `--reader 3: 0x${"00".repeat(32)} is a point of small order; no secret can be shared with it` });
  });

  it("refuses a key only when the whole shared secret is zero, not when a byte of it is", () => {
    // a key whose secret with checkReaderKey's probe (all 9s) has a zero byte somewhere, found by seed
    const probe = new Uint8Array(32).fill(9);
    const withZeroByte = Array.from({ length: 400 }, (_, i) => ReaderKey.fromSeed(new Uint8Array(32).fill(0).map((_, j) => (j === 0 ? i & 0xff : j === 1 ? i >> 8 : 7))).publicKey).find((pk) =>
      x25519.getSharedSecret(probe, pk).some((b) => b === 0),
    );
    expect(withZeroByte).toBeDefined();
    expect(() => checkReaderKey(withZeroByte!)).not.toThrow();
  });

  it("a reader's key id is the first 8 bytes of BLAKE2b(\"mote/seal/v1/id\" ‖ key), and sits at the head of its entry", () => {
    const pk = readers[3]!.publicKey;
    expect(readerKeyId(pk)).toEqual(blake2b(Uint8Array.of(...new TextEncoder().encode("mote/seal/v1/id"), ...pk), { dkLen: 8 }));
    const s = seal(Uint8Array.of(1), [readers[0]!.publicKey, pk], ctx, rnd);
    expect(parseSealed(s).entries[1]!.keyId).toEqual(readerKeyId(pk));
  });
});

describe("a malformed sealed payload, by field and byte offset", () => {
  const s = seal(new Uint8Array(10), [readers[0]!.publicKey, readers[1]!.publicKey], ctx, rnd);
  const payloadAt = SEAL_HEADER_BYTES + 2 * SEAL_ENTRY_BYTES;
  const at = (i: number, v: number): Uint8Array => {
    const c = s.slice();
    c[i] = v;
    return c;
  };
  const format = (b: Uint8Array) => refusal(() => parseSealed(b));

  it("parses its own layout", () => {
    const p = parseSealed(s);
    expect(p.version).toBe(1);
    expect(p.nonce).toEqual(rnd.nonce);
    expect(p.header).toEqual(s.subarray(0, SEAL_HEADER_BYTES));
    expect(p.entries.map((e) => e.wrapped.length)).toEqual([48, 48]);
    expect(p.ciphertext.length).toBe(10 + SEAL_TAG_BYTES);
    expect(s[payloadAt]).toBe(10);
  });

  it("each field cut short", () => {
    expect(format(new Uint8Array(0))).toEqual({ code: "format", message: "sealed payload: version at byte 0: needs 1 bytes, 0 left" });
    expect(format(s.subarray(0, 1))).toEqual({ code: "format", message: "sealed payload: reader count at byte 1: needs 1 bytes, 0 left" });
    expect(format(s.subarray(0, 40))).toEqual({ code: "format", message: "sealed payload: ephemeral key and nonce at byte 2: needs 56 bytes, 38 left" });
    expect(format(s.subarray(0, 58 + 56 + 3))).toEqual({ code: "format", message: "sealed payload: reader entry 2 at byte 114: needs 56 bytes, 3 left" });
    expect(format(s.subarray(0, payloadAt + 1))).toEqual({ code: "format", message: `sealed payload: payload length at byte ${payloadAt}: needs 2 bytes, 1 left` });
    expect(format(s.subarray(0, s.length - 1))).toEqual({ code: "format", message: `sealed payload: ciphertext at byte ${payloadAt + 2}: needs 26 bytes, 25 left` });
  });

  it("an unknown version, a reader count outside 1..SEAL_MAX_READERS, a payload length over SEAL_MAX_PAYLOAD", () => {
    expect(format(at(0, 2))).toEqual({ code: "format", message: "sealed payload: version at byte 0: 2 is not a known version (1)" });
    expect(format(at(1, 0))).toEqual({ code: "format", message: `sealed payload: reader count at byte 1: 0 is outside 1..${SEAL_MAX_READERS}` });
    expect(format(at(1, SEAL_MAX_READERS + 1))).toEqual({ code: "format", message: `sealed payload: reader count at byte 1: ${SEAL_MAX_READERS + 1} is outside 1..${SEAL_MAX_READERS}` });
    const long = s.slice();
    long[payloadAt] = (SEAL_MAX_PAYLOAD + 1) & 0xff;
    long[payloadAt + 1] = (SEAL_MAX_PAYLOAD + 1) >> 8;
    expect(format(long)).toEqual({ code: "format", message: `sealed payload: payload length at byte ${payloadAt}: ${SEAL_MAX_PAYLOAD + 1} exceeds ${SEAL_MAX_PAYLOAD}` });
    // a length of exactly SEAL_MAX_PAYLOAD is read as such (then the ciphertext is short)
    long[payloadAt] = SEAL_MAX_PAYLOAD & 0xff;
    long[payloadAt + 1] = SEAL_MAX_PAYLOAD >> 8;
    expect(format(long).message).toBe(`sealed payload: ciphertext at byte ${payloadAt + 2}: needs ${SEAL_MAX_PAYLOAD + 16} bytes, 26 left`);
  });

  it("trailing bytes, counted, at the first", () => {
    expect(format(Uint8Array.of(...s, 0, 0, 0))).toEqual({ code: "format", message: `sealed payload: 3 trailing byte(s) at byte ${s.length}` });
  });
});

describe("opening", () => {
  const s = seal(Uint8Array.of(1, 2, 3), [readers[0]!.publicKey, readers[1]!.publicKey], ctx, rnd);

  it("refuses a reader secret not 32 bytes, and names an outsider with the reader count", () => {
    expect(refusal(() => openSealed(s, new Uint8Array(31), ctx))).toEqual({ code: "bad_reader_key", message: "reader secret: 32 bytes, got 31" });
    expect(refusal(() => readers[2]!.open(s, ctx))).toEqual({ code: "not_a_reader", message: `reader 0x${Buffer.from(readers[2]!.publicKey).toString("hex")} is not among the payload's 2 reader(s)` });
    expect(readers[1]!.open(s, ctx)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it("tells a changed context (the wrapped key fails) from a changed ciphertext", () => {
    expect(refusal(() => readers[0]!.open(s, { ...ctx, seq: 8n }))).toEqual({
      code: "key_unwrap_failed",
      message: "the content key wrapped for this reader does not authenticate: the payload, its nonce or its context (chain, contract, device, sequence) was changed",
    });
    const c = s.slice();
    c[c.length - 1]! ^= 1;
    expect(refusal(() => readers[0]!.open(c, ctx))).toEqual({ code: "payload_auth_failed", message: "the ciphertext does not authenticate: the payload was changed after sealing" });
  });
});

describe("reader key files", () => {
  it("a seed of 32 bytes only; the file holds one tagged line of 64 hex digits", () => {
    expect(() => ReaderKey.fromSeed(new Uint8Array(31))).toThrow(new RangeError("an X25519 secret is 32 bytes, got 31"));
    const k = ReaderKey.fromSeed(new Uint8Array(32).fill(4));
    expect(k.serialize()).toBe(`mote-x25519-secret ${"04".repeat(32)}\n`);
    expect(k.toJSON()).toEqual({ publicKey: Buffer.from(k.publicKey).toString("hex") });
    // the key keeps its own copy of the seed
    const seed = new Uint8Array(32).fill(4);
    const kept = ReaderKey.fromSeed(seed);
    seed.fill(5);
    expect(kept.serialize()).toBe(k.serialize());
    for (const [name, text, ok] of [
      ["ok", `mote-x25519-secret ${"04".repeat(32)}\n`, true],
      ["no-newline", `mote-x25519-secret ${"04".repeat(32)}`, true],
      ["upper", `mote-x25519-secret ${"0A".repeat(32)}\n`, false],
      ["short", `mote-x25519-secret ${"04".repeat(31)}\n`, false],
      ["prefix", `x mote-x25519-secret ${"04".repeat(32)}\n`, false],
      ["suffix", `mote-x25519-secret ${"04".repeat(32)}\nmore`, false],
      ["ed25519", `mote-ed25519-seed ${"04".repeat(32)}\n`, false],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      if (ok) expect(readReaderKeyFile(path).publicKey).toEqual(k.publicKey);
      else expect(() => readReaderKeyFile(path)).toThrow(`${path}: not a reader key file (expected one line 'mote-x25519-secret' and 64 hex digits)`);
    }
  });
});
