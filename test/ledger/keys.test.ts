// Key files: created 0600 and never overwritten, refused when others can read them, never printed;
// signatures verify only for the key and message they were made for.
import { describe, expect, it } from "vitest";
import { chmodSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeyPair, readKeyFile, verifySignature, writeKeyFile } from "../../ledger/index.ts";
import { tempDir } from "./helpers.ts";

describe("keys", () => {
  it("writes a 0600 key file that reads back to the same identity and refuses to overwrite it", () => {
    const dir = tempDir();
    try {
      const path = join(dir, "device.key");
      const k = KeyPair.generate();
      writeKeyFile(path, k);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readKeyFile(path).publicKeyHex).toBe(k.publicKeyHex);
      expect(() => writeKeyFile(path, KeyPair.generate())).toThrow(`${path}: already exists; refusing to overwrite a key`);
      expect(readKeyFile(path).publicKeyHex).toBe(k.publicKeyHex);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a key file others can read, and one that is not a key file, with a one-line reason", () => {
    const dir = tempDir();
    try {
      const path = join(dir, "k");
      writeKeyFile(path, KeyPair.generate());
      chmodSync(path, 0o644);
      expect(() => readKeyFile(path)).toThrow(`${path}: key file is accessible by others (mode 644); run chmod 600 ${path}`);
      const junk = join(dir, "junk");
      writeFileSync(junk, "hello\n", { mode: 0o600 });
      expect(() => readKeyFile(junk)).toThrow(`${junk}:1:1: not a Mote key file`);
      expect(() => readKeyFile(join(dir, "missing"))).toThrow(/missing: cannot read key file \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the secret out of JSON and string conversions", () => {
    const k = KeyPair.fromSeed(new Uint8Array(32).fill(0xab));
    const secretHex = "ab".repeat(32);
    expect(JSON.stringify(k)).toBe(JSON.stringify({ publicKey: k.publicKeyHex }));
    expect(JSON.stringify(k)).not.toContain(secretHex);
    expect(String(Object.values(k))).not.toContain(secretHex);
    expect(k.serialize()).toBe(`mote-ed25519-seed ${secretHex}\n`);
  });

  it("verifies signatures for the right key and message only (RFC 8032 test vector 1)", () => {
    const k = KeyPair.fromSeed(Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex"));
    expect(k.publicKeyHex).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const sig = k.sign(new Uint8Array(0));
    expect(Buffer.from(sig).toString("hex")).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
    expect(verifySignature(sig, new Uint8Array(0), k.publicKey)).toBe(true);
    expect(verifySignature(sig, Uint8Array.of(0), k.publicKey)).toBe(false);
    expect(verifySignature(sig, new Uint8Array(0), KeyPair.generate().publicKey)).toBe(false);
    expect(verifySignature(sig.subarray(1), new Uint8Array(0), k.publicKey)).toBe(false);
  });
});
