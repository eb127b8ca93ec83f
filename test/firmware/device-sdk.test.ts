// The device SDK in C (firmware-host/src/mote_sdk.h) against the TypeScript side: the conformance vectors
// (test/vectors/device.json) byte for byte through mote-device; hostile proofs and transactions through
// the ASan/UBSan build, each verdict equal to ledger/proof.ts's; the key file shared with the ledger; and
// the nonces a device tracks, kept across a restart and recovered from a proof of its account entry.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { ASAN_DEVICE_PATH, DEVICE_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { KeyPair, readKeyFile, writeKeyFile } from "../../ledger/keys.ts";
import { decodeTx, signTx, txSignatureValid } from "../../ledger/tx.ts";
import { accountKey } from "../../ledger/state.ts";
import { encodeStateProof } from "../../ledger/proof.ts";
import { Ledger } from "../../ledger/ledger.ts";
import { verifySignature } from "../../ledger/keys.ts";
import { readingMessage } from "../../ledger/device-message.ts";
import { deviceVectors, tsProofVerdict, vectorTree, type DeviceVector } from "../vectors/device-generate.ts";
import { Rng, seedFromEnv } from "../fuzz/random.ts";
import { program, ticking } from "../ledger/helpers.ts";

const FILE = new URL("../vectors/device.json", import.meta.url);
const VECTORS = (JSON.parse(readFileSync(FILE, "utf8")) as { vectors: DeviceVector[] }).vectors;
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.slice(2), "hex"));
const dir = mkdtempSync(join(tmpdir(), "mote-device-sdk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
  await buildFirmwareHost({ quiet: true, sanitized: true });
}, 600_000);

const asExpect = (line: string): DeviceVector["expect"] => (line.startsWith("ok ") ? { ok: line.slice(3) } : { error: line.slice(6, line.indexOf(":")) });

function batch(bin: string, lines: string[]): string[] {
  const r = spawnSync(bin, ["--batch", "-"], { input: lines.join("\n") + "\n", encoding: "utf8", maxBuffer: 256 << 20 });
  expect(r.stderr, "sanitizer report").not.toMatch(/AddressSanitizer|runtime error|LeakSanitizer/);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter(Boolean);
}

/** One mote-device command: exit code, stdout and stderr. */
function device(args: string[], bin = DEVICE_PATH): { code: number; out: string; err: string } {
  const r = spawnSync(bin, args, { encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe("device SDK vectors", () => {
  it("are what the generator makes (regenerate: npm run vectors)", () => {
    expect(JSON.parse(JSON.stringify(deviceVectors()))).toEqual(VECTORS);
  });

  it("cover every proof refusal with its own code", () => {
    const codes = new Set(VECTORS.map((v) => ("error" in v.expect ? v.expect.error : "ok")));
    for (const c of ["proof_truncated", "proof_trailing", "proof_version", "proof_end_kind", "proof_depth", "proof_bitmap", "proof_empty_value",
      "proof_other_is_own", "proof_other_diverges", "proof_wrong_key", "proof_root_mismatch", "argument"]) expect(codes, c).toContain(c);
  });

  for (const [name, bin] of [["mote-device", DEVICE_PATH], ["mote-device under ASan and UBSan", ASAN_DEVICE_PATH]] as const) {
    it(`pass through the C SDK (${name}), byte for byte`, () => {
      const out = batch(bin, VECTORS.map((v) => v.line));
      expect(out).toHaveLength(VECTORS.length);
      VECTORS.forEach((v, i) => expect(asExpect(out[i]!), `${v.name}: ${out[i]!.slice(0, 200)}`).toEqual(v.expect));
    });
  }

  it("a C-signed transaction decodes and verifies in ledger/tx.ts", () => {
    for (const v of VECTORS.filter((x) => x.name.startsWith("tx:") && "ok" in x.expect)) {
      const tx = decodeTx(unhex((v.expect as { ok: string }).ok));
      expect(txSignatureValid(tx), v.name).toBe(true);
    }
  });
});

describe("hostile input never crashes the SDK (ASan/UBSan build), and every verdict is ledger/proof.ts's", () => {
  const seed = seedFromEnv();
  it(`mutated, truncated and padded proofs (MOTE_SEED=${seed})`, () => {
    const rng = new Rng(seed ^ 0xde71ce);
    const t = vectorTree();
    const root = t.root();
    const keys = [sha256(new TextEncoder().encode("entry 3")).subarray(0, 4), ...Array.from({ length: 6 }, (_, i) => sha256(Uint8Array.of(i)))];
    const cases: { key: Uint8Array; bytes: Uint8Array }[] = [];
    for (let n = 0; n < 400; n++) {
      const key = keys[rng.int(keys.length)]!;
      let b = encodeStateProof(t.prove(key));
      const mode = rng.int(5);
      if (mode === 0) b = b.slice(0, rng.int(b.length + 1));
      else if (mode === 1) b = Uint8Array.of(...b, ...Array.from({ length: 1 + rng.int(40) }, () => rng.int(256)));
      else if (mode === 2) for (let k = 0; k <= rng.int(4); k++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      else if (mode === 3) b = Uint8Array.from({ length: rng.int(300) }, () => rng.int(256));
      else {
        // plausible headers with hostile lengths and depths
        b = b.slice();
        const at = 1 + 1 + key.length;
        if (b.length > at + 3) b[at + 1 + rng.int(2)] = rng.int(256);
      }
      cases.push({ key, bytes: b });
    }
    const out = batch(ASAN_DEVICE_PATH, cases.map((c) => `verify-proof --root ${hex(root)} --state-key ${hex(c.key)} ${hex(c.bytes)}`));
    expect(out).toHaveLength(cases.length);
    cases.forEach((c, i) => expect(asExpect(out[i]!), `${hex(c.bytes)}: ${out[i]}`).toEqual(tsProofVerdict(root, c.key, c.bytes)));
  });

  it(`random transactions: the C encoder signs what ledger/tx.ts signs and refuses what it refuses (MOTE_SEED=${seed})`, () => {
    const rng = new Rng(seed ^ 0x7c5);
    const key = KeyPair.fromSeed(new Uint8Array(32).fill(8));
    const cases = Array.from({ length: 150 }, () => {
      const genesisHash = rng.bytes(32);
      const args: (bigint | Uint8Array)[] = Array.from({ length: rng.int(10) }, () =>
        rng.chance(0.5) ? BigInt.asIntN(64, BigInt(rng.int(2 ** 31)) * BigInt(rng.int(2 ** 31)) * (rng.chance(0.5) ? -1n : 1n)) : rng.bytes(rng.chance(0.9) ? rng.int(64) : 1020 + rng.int(6)));
      const gasLimit = rng.chance(0.9) ? 1 + rng.int(5_000_000) : rng.chance(0.5) ? 0 : 2_000_000_001;
      const deploy = rng.chance(0.3);
      const module = rng.bytes(deploy && rng.chance(0.1) ? 0 : 1 + rng.int(200));
      return { genesisHash, args, gasLimit, deploy, module, nonce: BigInt(rng.int(1000)), contract: rng.bytes(32), selector: rng.int(2 ** 31) };
    });
    const lines = cases.map((c) => [
      "tx", c.deploy ? "deploy" : "call", "--seed", hex(new Uint8Array(32).fill(8)), "--genesis-hash", hex(c.genesisHash), "--nonce", String(c.nonce), "--gas", String(c.gasLimit),
      ...(c.deploy ? ["--module", hex(c.module)] : ["--contract", hex(c.contract), "--selector", String(c.selector)]),
      ...c.args.map((a) => (typeof a === "bigint" ? a.toString() : hex(a))),
    ].join(" "));
    const out = batch(ASAN_DEVICE_PATH, lines);
    expect(out).toHaveLength(cases.length);
    const seen = new Set<string>();
    cases.forEach((c, i) => {
      let want: DeviceVector["expect"];
      try {
        const head = { genesisHash: c.genesisHash, sender: key.publicKey, nonce: c.nonce, gasLimit: c.gasLimit, gasPrice: 0n, value: 0n, args: c.args };
        want = { ok: hex(signTx(c.deploy ? { ...head, kind: "deploy", module: c.module } : { ...head, kind: "call", contract: c.contract, selector: c.selector }, key).bytes) };
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        want = { error: "argument" };
      }
      expect(asExpect(out[i]!), lines[i]!.slice(0, 200)).toEqual(want);
      seen.add("ok" in want ? "ok" : "refused");
    });
    expect([...seen].sort()).toEqual(["ok", "refused"]);
  });

  it("malformed command lines get one-line usage errors, not crashes", () => {
    const lines = ["tx", "tx call", "tx deploy --seed 0x00", `tx call --seed ${hex(new Uint8Array(32))} --nonce 1 --genesis-hash ${hex(new Uint8Array(32))} --gas 1 --contract 0x12 --function f`,
      `tx deploy --seed ${hex(new Uint8Array(32))} --nonce 1 --genesis-hash ${hex(new Uint8Array(32))} --gas 1 --module 0x0`, `sign-reading --seed ${hex(new Uint8Array(32))} --contract ${hex(new Uint8Array(32))} --value 99999999999999999999 --timestamp 1 --nonce 1`,
      "verify-proof --root 0x00 --state-key 0x01 0x02", `verify-proof --root ${hex(new Uint8Array(32))} --state-key 0x0 0x02`, "nonce", "keygen --key", "bogus\x01\x7f"];
    const out = batch(ASAN_DEVICE_PATH, lines);
    expect(out).toHaveLength(lines.length);
    for (const l of out) expect(l).toMatch(/^error usage: [^\n]+$/);
    expect(out.at(-1)).toContain("\\x01\\x7f");
  });
});

describe("identity: the key file", () => {
  it("keygen writes a 0600 key file in the ledger's format; pubkey prints its public key; a second keygen refuses", () => {
    const path = join(dir, "k-gen");
    const g = device(["keygen", "--key", path]);
    expect(g.code, g.err).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(g.out).toBe(hex(readKeyFile(path).publicKey));
    expect(device(["pubkey", "--key", path]).out).toBe(g.out);
    const again = device(["keygen", "--key", path]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^mote-device: key_exists: .*refusing to overwrite a key$/);
    // two keygens draw different keys
    expect(device(["keygen", "--key", join(dir, "k-gen2")]).out).not.toBe(g.out);
  });

  it("a key the ledger wrote signs as the same device; a key file others can read is refused", () => {
    const path = join(dir, "k-ledger");
    const k = KeyPair.fromSeed(new Uint8Array(32).fill(3));
    writeKeyFile(path, k);
    expect(device(["pubkey", "--key", path]).out).toBe(hex(k.publicKey));
    chmodSync(path, 0o644);
    const r = device(["pubkey", "--key", path]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/storage: .*accessible by others \(mode 644\)/);
    writeFileSync(join(dir, "k-bad"), "not a key\n", { mode: 0o600 });
    expect(device(["pubkey", "--key", join(dir, "k-bad")]).err).toMatch(/storage: .*not a Mote key file/);
    expect(device(["pubkey", "--key", join(dir, "absent")]).err).toMatch(/^mote-device: no_key: /);
  });
});

describe("nonces: tracked, kept across a restart, recovered from the chain", () => {
  it("reading nonces increase across processes (each is stored before it is used)", () => {
    const path = join(dir, "k-read");
    writeKeyFile(path, KeyPair.fromSeed(new Uint8Array(32).fill(4)));
    const contract = hex(new Uint8Array(32).fill(1));
    const first = device(["sign-reading", "--key", path, "--contract", contract, "--value", "65536", "--timestamp", "10"]);
    const second = device(["sign-reading", "--key", path, "--contract", contract, "--value", "65536", "--timestamp", "11"]);
    expect(first.out.split(" ")[0]).toBe("1");
    expect(second.out.split(" ")[0]).toBe("2");
    const k = KeyPair.fromSeed(new Uint8Array(32).fill(4));
    expect(verifySignature(unhex(second.out.split(" ")[1]!), readingMessage(new Uint8Array(32).fill(1), 2n, 65536n, 11n), k.publicKey)).toBe(true);
    expect(device(["nonce", "--key", path]).out).toBe("0 2");
  });

  it("a device that cannot store its next nonce signs nothing; a corrupted nonce is refused, not guessed", () => {
    const path = join(dir, "k-store");
    writeKeyFile(path, KeyPair.fromSeed(new Uint8Array(32).fill(6)));
    const args = ["tx", "call", "--key", path, "--genesis-hash", hex(new Uint8Array(32)), "--gas", "1000", "--contract", hex(new Uint8Array(32)), "--function", "ping"];
    mkdirSync(`${path}.txnonce.tmp`); // the atomic write's temporary file cannot be created
    const r = device(args);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^mote-device: storage: .*\.txnonce\.tmp: Is a directory$/);
    rmSync(`${path}.txnonce.tmp`, { recursive: true });
    expect(device(["nonce", "--key", path]).out).toBe("0 0");
    writeFileSync(`${path}.rdnonce`, Uint8Array.of(1, 2, 3));
    const bad = device(["nonce", "--key", path]);
    expect(bad.err).toBe("mote-device: nonce_format: a nonce is 8 bytes (u64 LE), got 3");
  });

  it("a device signs with the ledger's nonce, survives a restart, and after losing its storage recovers the nonce from a proof", async () => {
    const path = join(dir, "k-chain");
    const key = KeyPair.fromSeed(new Uint8Array(32).fill(5));
    writeKeyFile(path, key);
    const ledger = await Ledger.open(join(dir, "chain"), { chainId: "mote-dev", clock: ticking() });
    try {
      const module = program("book.masm");
      const signed = (extra: string[] = []) => {
        const r = device(["tx", "deploy", "--key", path, "--genesis-hash", hex(ledger.genesisHash), "--gas", "1000000", "--module", hex(module), "7", ...extra]);
        expect(r.code, r.err).toBe(0);
        return unhex(r.out);
      };
      for (let i = 0; i < 2; i++) {
        const tx = signed(); // each a separate process: the nonce comes from storage
        expect(decodeTx(tx).tx.nonce).toBe(BigInt(i));
        const res = ledger.submit([tx]);
        expect(res.outcomes[0]!.ok, res.outcomes[0]!.ok ? "" : res.outcomes[0]!.error.message).toBe(true);
      }
      expect(ledger.nonce(key.publicKey)).toBe(2n);
      // storage lost (a reflashed device): the device would sign with nonce 0, which the chain refuses
      unlinkSync(`${path}.txnonce`);
      expect(decodeTx(signed()).tx.nonce).toBe(0n);
      const proof = encodeStateProof(ledger.state.prove(accountKey(key.publicKey)));
      const sync = device(["sync-nonce", "--key", path, "--root", hex(ledger.stateRoot), hex(proof)]);
      expect(sync.code, sync.err).toBe(0);
      expect(sync.out).toBe("2");
      // a proof against another root is refused, and the nonce stays
      const forged = device(["sync-nonce", "--key", path, "--root", hex(new Uint8Array(32).fill(9)), hex(proof)]);
      expect(forged.err).toMatch(/^mote-device: proof_root_mismatch: /);
      const tx = signed();
      expect(decodeTx(tx).tx.nonce).toBe(2n);
      expect(ledger.submit([tx]).outcomes[0]!.ok).toBe(true);
      // what the C side signed is exactly what ledger/tx.ts signs for the same inputs
      const d = decodeTx(tx).tx;
      expect(hex(signTx(d, key).bytes)).toBe(hex(tx));
    } finally {
      ledger.close();
    }
  });
});

describe("contracts/sensor_attestation.mote accepts what the C SDK signs", () => {
  it("a registered device's readings, submitted by the device itself with mote-device submit-reading, are attested in order", async () => {
    const { fleet, operator, gateway, KIND_THERMOMETER, location } = await import("../contracts/fleet.ts");
    const { account } = await import("../helpers/contract.ts");
    const f = await fleet();
    const dev = account("c-sdk-device");
    await f.registry.call("register", [dev, KIND_THERMOMETER, location("lab")], { from: operator });
    const path = join(dir, "k-attest");
    writeKeyFile(path, dev);
    const submit = (value: bigint) => {
      const r = device(["submit-reading", "--key", path, "--genesis-hash", hex(f.chain.ledger.genesisHash), "--gas", "10000000", "--contract", hex(f.attestation.id),
        "--value", String(value), "--timestamp", String(f.chain.now)]);
      expect(r.code, r.err).toBe(0);
      const [nonce, tx] = r.out.split(" ");
      return { nonce: BigInt(nonce!), tx: unhex(tx!) };
    };
    for (const [i, value] of [21n * 65536n + 32768n, 22n * 65536n].entries()) {
      const s = submit(value);
      expect(s.nonce).toBe(BigInt(i + 1));
      expect(decodeTx(s.tx).tx.nonce).toBe(BigInt(i)); // the device's own account nonce, tracked in C
      const res = f.chain.ledger.submit([s.tx]);
      const o = res.outcomes[0]!;
      expect(o.ok, o.ok ? "" : o.error.message).toBe(true);
      if (o.ok) expect(o.receipt.status, JSON.stringify(o.receipt.returns)).toBe("ok");
      await f.guard.call("observe", [dev], { from: gateway }); // the guard observes each reading before the next
    }
    expect((await f.attestation.view("count_of", [dev]))).toBe(2n);
    expect((await f.attestation.view("nonce_of", [dev]))).toBe(2n);
    expect(f.attestation.events("Attested").map((e) => e.args.nonce)).toEqual([1n, 2n]);
  });
});
