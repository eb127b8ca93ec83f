// Key files and seeds (ledger/keys.ts) at their edges: seeds of the wrong length, directories and special files
// given as key files, group- or world-readable modes, key file text that is almost right, files that cannot be
// created, and the reference verifier's verdict on keys that do not decode.
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LedgerError } from "../../ledger/errors.ts";
import { KeyPair, readKeyFile, readSecretFile, verifySignatureReference, writeKeyFile, writeSecretFile } from "../../ledger/keys.ts";
import { tempDir } from "./helpers.ts";

function inTemp(f: (dir: string) => void): void {
  const dir = tempDir();
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SEED_HEX = "ab".repeat(32);

describe("key seeds", () => {
  it("refuses a seed that is not 32 bytes, naming its length", () => {
    expect(() => KeyPair.fromSeed(new Uint8Array(31))).toThrow(new RangeError("an Ed25519 seed is 32 bytes, got 31"));
    expect(() => KeyPair.fromSeed(new Uint8Array(64))).toThrow("an Ed25519 seed is 32 bytes, got 64");
  });

  it("keeps its own copy of the seed: changing the caller's buffer afterwards changes neither key nor signatures", () => {
    const seed = new Uint8Array(32).fill(0xab);
    const k = KeyPair.fromSeed(seed);
    const sig = k.sign(Uint8Array.of(1));
    seed.fill(0);
    expect(k.serialize()).toBe(`mote-ed25519-seed ${SEED_HEX}\n`);
    expect(k.sign(Uint8Array.of(1))).toEqual(sig);
  });

  it("generates a different identity each time", () => {
    expect(KeyPair.generate().publicKeyHex).not.toBe(KeyPair.generate().publicKeyHex);
  });
});

describe("key files", () => {
  it("writing a key file leaves no file descriptor open", () => {
    if (!existsSync("/proc/self/fd")) return; // Linux: the open descriptors of this process
    inTemp((dir) => {
      const before = readdirSync("/proc/self/fd").length;
      for (let i = 0; i < 5; i++) writeKeyFile(join(dir, `k${i}`), KeyPair.generate());
      expect(readdirSync("/proc/self/fd").length).toBe(before);
    });
  });

  it("writes the secret text as given, mode 0600, and names why it cannot create one", () => {
    inTemp((dir) => {
      const p = join(dir, "op.secret");
      writeSecretFile(p, "some secret\n");
      expect(readFileSync(p, "utf8")).toBe("some secret\n");
      expect(statSync(p).mode & 0o777).toBe(0o600);
      expect(readSecretFile(p)).toBe("some secret\n");
      const missing = join(dir, "no-such-dir", "k");
      expect(() => writeKeyFile(missing, KeyPair.generate())).toThrow(new LedgerError(`${missing}: cannot create key file (ENOENT)`));
      expect(() => readSecretFile(join(dir, "gone"))).toThrow(new LedgerError(`${join(dir, "gone")}: cannot read key file (ENOENT)`));
    });
  });

  it("refuses a directory or a special file given as a key file, saying which", () => {
    inTemp((dir) => {
      const d = join(dir, "keys");
      mkdirSync(d);
      expect(() => readKeyFile(d)).toThrow(new LedgerError(`${d}: not a key file (a directory)`));
    });
    expect(() => readKeyFile("/dev/null")).toThrow(new LedgerError("/dev/null: not a key file (a special file)"));
  });

  it("refuses group- or world-accessible modes and accepts owner-only ones", () => {
    inTemp((dir) => {
      const p = join(dir, "k");
      writeKeyFile(p, KeyPair.fromSeed(new Uint8Array(32).fill(0xab)));
      for (const mode of [0o640, 0o604, 0o610, 0o601]) {
        chmodSync(p, mode);
        expect(() => readKeyFile(p)).toThrow(new LedgerError(`${p}: key file is accessible by others (mode ${mode.toString(8)}); run chmod 600 ${p}`));
      }
      for (const mode of [0o600, 0o400, 0o700]) {
        chmodSync(p, mode);
        expect(readKeyFile(p).serialize()).toBe(`mote-ed25519-seed ${SEED_HEX}\n`);
      }
    });
  });

  it("reads a key file without its final newline, and refuses text around or inside the key line", () => {
    inTemp((dir) => {
      const write = (name: string, text: string): string => {
        const p = join(dir, name);
        writeFileSync(p, text, { mode: 0o600 });
        return p;
      };
      expect(readKeyFile(write("bare", `mote-ed25519-seed ${SEED_HEX}`)).serialize()).toBe(`mote-ed25519-seed ${SEED_HEX}\n`);
      const bad = [
        `x mote-ed25519-seed ${SEED_HEX}\n`,
        `mote-ed25519-seed ${SEED_HEX}\nmore\n`,
        `mote-ed25519-seed ${SEED_HEX}\n\n`,
        `mote-ed25519-seed ${SEED_HEX.toUpperCase()}\n`,
        `mote-ed25519-seed ${SEED_HEX.slice(2)}\n`,
        `mote-ed25519-seed  ${SEED_HEX}\n`,
      ];
      bad.forEach((text, i) => {
        const p = write(`bad${i}`, text);
        expect(() => readKeyFile(p)).toThrow(`${p}:1:1: not a Mote key file (expected 'mote-ed25519-seed' and 64 lower-case hex digits)`);
      });
    });
  });
});

describe("reference signature verification", () => {
  it("accepts the key's own signature and answers false, not an exception, for anything else", () => {
    const k = KeyPair.fromSeed(new Uint8Array(32).fill(3));
    const msg = Uint8Array.of(1, 2, 3);
    const sig = k.sign(msg);
    expect(verifySignatureReference(sig, msg, k.publicKey)).toBe(true);
    expect(verifySignatureReference(sig, Uint8Array.of(1, 2), k.publicKey)).toBe(false);
    expect(verifySignatureReference(sig.subarray(1), msg, k.publicKey)).toBe(false);
    expect(verifySignatureReference(sig, msg, new Uint8Array(5))).toBe(false);
  });
});
