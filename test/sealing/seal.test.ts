// Sealed device data on both sides: the vectors (test/vectors/seal.json) through ledger/seal.ts and
// through the C SDK (mote-device, Monocypher), byte for byte, plus seeded random round trips across the
// two in both directions and the refusals a reader must make.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { x25519 } from "@noble/curves/ed25519.js";
import { DEVICE_PATH } from "../../firmware-host/scripts/build.ts";
import { openSealed, parseSealed, ReaderKey, readReaderKeyFile, seal, SealError, writeReaderKeyFile, type SealContext } from "../../ledger/seal.ts";
import { firmwareHostAvailable } from "../fuzz/differential.ts";
import { Rng, seedFromEnv } from "../fuzz/random.ts";
import { sealVectors, type SealVector } from "../vectors/seal-generate.ts";

const FILE = new URL("../vectors/seal.json", import.meta.url);
const VECTORS = (JSON.parse(readFileSync(FILE, "utf8")) as { vectors: SealVector[] }).vectors;
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.slice(2), "hex"));
const dir = mkdtempSync(join(tmpdir(), "mote-seal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctxOf = (v: SealVector): SealContext => ({ chainId: v.chain, contract: unhex(v.contract), device: unhex(v.device), seq: BigInt(v.seq) });

function runTs(v: SealVector): SealVector["expect"] {
  try {
    if (v.op === "seal") {
      const r = unhex(v.random!);
      return { ok: hex(seal(unhex(v.input), v.readers!.map(unhex), ctxOf(v), { ephemeralSecret: r.slice(0, 32), nonce: r.slice(32, 56), contentKey: r.slice(56) })) };
    }
    return { ok: hex(openSealed(unhex(v.input), unhex(v.secret!), ctxOf(v))) };
  } catch (e) {
    if (e instanceof SealError) return { error: e.code };
    throw e;
  }
}

function batchLine(v: SealVector): string {
  const common = ["--chain", v.chain, "--contract", v.contract, "--device", v.device, "--seq", v.seq];
  return v.op === "seal"
    ? ["seal", ...common, ...v.readers!.flatMap((r) => ["--reader", r]), "--random", v.random!, v.input].join(" ")
    : ["open", ...common, "--secret", v.secret!, v.input].join(" ");
}

function runC(lines: string[]): string[] {
  const r = spawnSync(DEVICE_PATH, ["--batch", "-"], { input: lines.join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter(Boolean);
}

const asExpect = (line: string): SealVector["expect"] => (line.startsWith("ok ") ? { ok: line.slice(3) } : { error: line.slice(6, line.indexOf(":")) });

describe("sealed payload vectors", () => {
  it("are what the generator makes (regenerate: npm run vectors)", () => {
    expect(JSON.parse(JSON.stringify(sealVectors()))).toEqual(VECTORS);
  });

  it("cover sealing, opening and every refusal", () => {
    const kinds = new Set(VECTORS.map((v) => `${v.op}:${"ok" in v.expect ? "ok" : v.expect.error}`));
    for (const k of ["seal:ok", "open:ok", "seal:format", "seal:bad_reader_key", "seal:context", "open:format", "open:not_a_reader", "open:key_unwrap_failed", "open:payload_auth_failed"]) {
      expect(kinds, k).toContain(k);
    }
  });

  it("pass through ledger/seal.ts", () => {
    for (const v of VECTORS) expect(runTs(v), v.name).toEqual(v.expect);
  });

  it.skipIf(!firmwareHostAvailable())("pass through the C SDK (mote-device, Monocypher), byte for byte", () => {
    const out = runC(VECTORS.map(batchLine));
    expect(out).toHaveLength(VECTORS.length);
    VECTORS.forEach((v, i) => expect(asExpect(out[i]!), `${v.name}: ${out[i]}`).toEqual(v.expect));
  });
});

describe.skipIf(!firmwareHostAvailable())("sealing across the two sides", () => {
  const seed = seedFromEnv();

  it(`a device's seal (C, fresh randomness) opens in TypeScript for each reader, and only for them (MOTE_SEED=${seed})`, () => {
    const rng = new Rng(seed ^ 0x5ea1);
    const keys = Array.from({ length: 10 }, () => ReaderKey.fromSeed(rng.bytes(32)));
    const cases = Array.from({ length: 30 }, () => {
      const n = rng.range(1, 8);
      const readers = keys.slice(0, n);
      const ctx: SealContext = { chainId: `chain-${rng.int(1000)}`, contract: rng.bytes(32), device: rng.bytes(32), seq: rng.u64() };
      return { readers, ctx, payload: rng.bytes(rng.int(300)) };
    });
    const lines = cases.map((c) =>
      ["seal", "--chain", c.ctx.chainId, "--contract", hex(c.ctx.contract), "--device", hex(c.ctx.device), "--seq", c.ctx.seq.toString(),
        ...c.readers.flatMap((r) => ["--reader", hex(r.publicKey)]), hex(c.payload)].join(" "));
    const out = runC(lines);
    const again = runC(lines);
    cases.forEach((c, i) => {
      expect(out[i], out[i]).toMatch(/^ok 0x/);
      const sealed = unhex(out[i]!.slice(3));
      expect(again[i], "two seals of the same reading share no bytes of randomness").not.toBe(out[i]);
      for (const r of c.readers) expect(hex(r.open(sealed, c.ctx))).toBe(hex(c.payload));
      const outsider = keys[9]!;
      expect(() => outsider.open(sealed, c.ctx)).toThrow(/not among the payload's/);
    });
  });

  it("a TypeScript seal opens in C; a tampered one is refused there", () => {
    const rng = new Rng(seed ^ 0x0be7);
    const secrets = Array.from({ length: 3 }, () => rng.bytes(32));
    const ctx: SealContext = { chainId: "mote-devnet", contract: rng.bytes(32), device: rng.bytes(32), seq: 9n };
    const payload = rng.bytes(100);
    const sealed = seal(payload, secrets.map((s) => x25519.getPublicKey(s)), ctx);
    const common = `--chain mote-devnet --contract ${hex(ctx.contract)} --device ${hex(ctx.device)}`;
    const bad = sealed.slice();
    bad[bad.length - 5]! ^= 0x80;
    const out = runC([
      ...secrets.map((s) => `open ${common} --seq 9 --secret ${hex(s)} ${hex(sealed)}`),
      `open ${common} --seq 9 --secret ${hex(secrets[0]!)} ${hex(bad)}`,
      `open ${common} --seq 10 --secret ${hex(secrets[0]!)} ${hex(sealed)}`,
    ]);
    expect(out.slice(0, 3)).toEqual(secrets.map(() => `ok ${hex(payload)}`));
    expect(out[3]).toMatch(/^error payload_auth_failed: /);
    expect(out[4]).toMatch(/^error key_unwrap_failed: /);
  });

  it("mote-device refuses bad input with one escaped line and exit 2", () => {
    const r = spawnSync(DEVICE_PATH, ["seal", "--chain", "c", "--contract", "0xzz\u001b[2J"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("mote-device: usage: --contract: expected 32 bytes of 0x-hex, got '0xzz\\x1b[2J'\n");
  });
});

describe("reader keys", () => {
  it("are written 0600, never overwritten, and read back", () => {
    const k = ReaderKey.generate();
    const path = join(dir, "reader.key");
    writeReaderKeyFile(path, k);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => writeReaderKeyFile(path, ReaderKey.generate())).toThrow(/already exists/);
    expect(hex(readReaderKeyFile(path).publicKey)).toBe(hex(k.publicKey));
    expect(JSON.stringify(k)).not.toContain(readFileSync(path, "utf8").split(" ")[1]!.trim());
    expect(() => readReaderKeyFile(dir)).toThrow(/not a key file \(a directory\)/);
    const open = join(dir, "open.reader");
    writeFileSync(open, readFileSync(path));
    chmodSync(open, 0o644);
    expect(() => readReaderKeyFile(open)).toThrow(/key file is accessible by others \(mode 644\)/);
  });

  it("name the field and byte offset of a malformed payload", () => {
    const ctx: SealContext = { chainId: "c", contract: new Uint8Array(32), device: new Uint8Array(32), seq: 1n };
    const s = seal(new Uint8Array(10), [ReaderKey.generate().publicKey], ctx);
    expect(() => parseSealed(s.subarray(0, 130))).toThrow("sealed payload: ciphertext at byte 116: needs 26 bytes, 14 left");
    expect(() => parseSealed(s.subarray(0, 80))).toThrow("sealed payload: reader entry 1 at byte 58: needs 56 bytes, 22 left");
  });
});
