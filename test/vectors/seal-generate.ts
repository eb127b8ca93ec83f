// Conformance vectors for sealed device data (ledger/seal.ts ↔ firmware-host/src/mote_seal.c): fixed
// keys, nonces and content keys, each case's expected bytes or refusal code computed by the TypeScript
// side. `npm run vectors` writes test/vectors/seal.json; test/sealing/seal.test.ts checks both sides.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { openSealed, seal, SealError, SEAL_MAX_PAYLOAD, SEAL_MAX_READERS, type SealContext, type SealRandomness } from "../../ledger/seal.ts";

export interface SealVector {
  name: string;
  op: "seal" | "open";
  chain: string;
  contract: string;
  device: string;
  seq: string;
  /** seal: reader public keys; open: unused */
  readers?: string[];
  /** seal: ephemeral secret ‖ nonce ‖ content key (88 bytes) */
  random?: string;
  /** open: the reader's X25519 secret */
  secret?: string;
  /** seal: the payload; open: the sealed bytes */
  input: string;
  expect: { ok: string } | { error: string };
}

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.slice(2), "hex"));
const label = (s: string): Uint8Array => sha256(new TextEncoder().encode(s));

export const VECTOR_CHAIN = "mote-vectors";
const CONTRACT = label("vector contract");
const DEVICE = label("vector device");
/** Reader secrets 0..9; reader i's public key is X25519(secret_i). */
export const READER_SECRETS = Array.from({ length: 10 }, (_, i) => label(`vector reader ${i}`));
const READERS = READER_SECRETS.map((s) => x25519.getPublicKey(s));
const randomFor = (k: number): SealRandomness => ({
  ephemeralSecret: label(`vector ephemeral ${k}`),
  nonce: label(`vector nonce ${k}`).subarray(0, 24),
  contentKey: label(`vector content key ${k}`),
});
const packRandom = (r: SealRandomness): string => hex(new Uint8Array([...r.ephemeralSecret, ...r.nonce, ...r.contentKey]));

function baseCtx(seq = 1n): SealContext {
  return { chainId: VECTOR_CHAIN, contract: CONTRACT, device: DEVICE, seq };
}

function ctxFields(ctx: SealContext): Pick<SealVector, "chain" | "contract" | "device" | "seq"> {
  return { chain: ctx.chainId, contract: hex(ctx.contract), device: hex(ctx.device), seq: ctx.seq.toString() };
}

function outcome(f: () => Uint8Array): SealVector["expect"] {
  try {
    return { ok: hex(f()) };
  } catch (e) {
    if (e instanceof SealError) return { error: e.code };
    throw e;
  }
}

export function sealVectors(): SealVector[] {
  const out: SealVector[] = [];
  const sealCase = (name: string, payload: Uint8Array, readers: Uint8Array[], ctx: SealContext, k: number): SealVector => {
    const rnd = randomFor(k);
    const v: SealVector = { name, op: "seal", ...ctxFields(ctx), readers: readers.map(hex), random: packRandom(rnd), input: hex(payload),
      expect: outcome(() => seal(payload, readers, ctx, randomFor(k))) };
    out.push(v);
    return v;
  };
  const openCase = (name: string, sealed: Uint8Array, secret: Uint8Array, ctx: SealContext): void => {
    out.push({ name, op: "open", ...ctxFields(ctx), secret: hex(secret), input: hex(sealed), expect: outcome(() => openSealed(sealed, secret, ctx)) });
  };

  // sealing: payload sizes around the Poly1305 block and the bound, reader counts 1..8
  let k = 0;
  for (const size of [0, 1, 15, 16, 17, 64, 255, 256, SEAL_MAX_PAYLOAD]) {
    for (const n of [1, 2, SEAL_MAX_READERS]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size + n) & 0xff);
      const ctx = baseCtx(BigInt(size * 10 + n));
      const v = sealCase(`seal ${size} B to ${n} reader(s)`, payload, READERS.slice(0, n), ctx, k++);
      if ("ok" in v.expect) {
        // every reader opens it; the first and the last are vectors of their own
        for (const r of [0, n - 1]) openCase(`open ${size} B as reader ${r} of ${n}`, unhex(v.expect.ok), READER_SECRETS[r]!, ctx);
      }
    }
  }
  const ctx = baseCtx(42n);
  const payload = new TextEncoder().encode('{"t":1765000000,"v":21.5,"unit":"C","site":"line-3"}');
  sealCase("seal to 9 readers is refused", payload, READERS.slice(0, 9), ctx, k++);
  sealCase("seal to no reader is refused", payload, [], ctx, k++);
  sealCase("seal of a payload over the bound is refused", new Uint8Array(SEAL_MAX_PAYLOAD + 1), READERS.slice(0, 1), ctx, k++);
  sealCase("seal to the zero point (small order) is refused", payload, [READERS[0]!, new Uint8Array(32)], ctx, k++);
  const one = new Uint8Array(32);
  one[0] = 1;
  sealCase("seal to u=1 (small order) is refused", payload, [one], ctx, k++);
  sealCase("seal to the same reader twice is refused", payload, [READERS[1]!, READERS[1]!], ctx, k++);
  sealCase("seal with a 256-byte chain id is refused", payload, READERS.slice(0, 1), { ...ctx, chainId: "c".repeat(256) }, k++);
  sealCase("seal with a multi-byte UTF-8 chain id", payload, READERS.slice(0, 1), { ...ctx, chainId: "mote-é-€" }, k++);
  sealCase("seal at sequence 2^64-1", payload, READERS.slice(0, 2), { ...ctx, seq: 2n ** 64n - 1n }, k++);

  // opening: every way a payload can be wrong, each refused with its reason
  const good = seal(payload, READERS.slice(0, 3), ctx, randomFor(k++));
  const flip = (at: number): Uint8Array => {
    const b = good.slice();
    b[at < 0 ? b.length + at : at]! ^= 0x01;
    return b;
  };
  openCase("open: the reading as sealed", good, READER_SECRETS[2]!, ctx);
  openCase("open: a wrong payload tag", flip(-1), READER_SECRETS[0]!, ctx);
  openCase("open: a flipped ciphertext byte", flip(-17), READER_SECRETS[0]!, ctx);
  openCase("open: a swapped nonce", flip(40), READER_SECRETS[0]!, ctx);
  openCase("open: a changed ephemeral key", flip(10), READER_SECRETS[0]!, ctx);
  openCase("open: a flipped wrapped key", flip(58 + 56 + 20), READER_SECRETS[1]!, ctx);
  openCase("open: a flipped wrap tag", flip(58 + 50), READER_SECRETS[0]!, ctx);
  openCase("open: moved to another sequence number", good, READER_SECRETS[0]!, { ...ctx, seq: 43n });
  openCase("open: moved to another device", good, READER_SECRETS[0]!, { ...ctx, device: label("another device") });
  openCase("open: moved to another contract", good, READER_SECRETS[0]!, { ...ctx, contract: label("another contract") });
  openCase("open: moved to another chain", good, READER_SECRETS[0]!, { ...ctx, chainId: "mote-other" });
  openCase("open: a reader it was not sealed to (revoked)", good, READER_SECRETS[5]!, ctx);
  openCase("open: a key id of another reader", flip(58), READER_SECRETS[0]!, ctx);
  openCase("open: truncated by one byte", good.subarray(0, good.length - 1), READER_SECRETS[0]!, ctx);
  openCase("open: truncated inside the header", good.subarray(0, 30), READER_SECRETS[0]!, ctx);
  openCase("open: empty", new Uint8Array(0), READER_SECRETS[0]!, ctx);
  openCase("open: a trailing byte", new Uint8Array([...good, 0]), READER_SECRETS[0]!, ctx);
  const v2 = good.slice();
  v2[0] = 2;
  openCase("open: an unknown version", v2, READER_SECRETS[0]!, ctx);
  const n0 = good.slice();
  n0[1] = 0;
  openCase("open: a reader count of 0", n0, READER_SECRETS[0]!, ctx);
  const n9 = good.slice();
  n9[1] = 9;
  openCase("open: a reader count of 9", n9, READER_SECRETS[0]!, ctx);
  const len = good.slice();
  const at = 58 + 56 * 3;
  len[at] = 0xff;
  len[at + 1] = 0xff;
  openCase("open: a payload length over the bound", len, READER_SECRETS[0]!, ctx);
  return out;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const file = join(dirname(fileURLToPath(import.meta.url)), "seal.json");
  const vectors = sealVectors();
  writeFileSync(file, JSON.stringify({ note: "generated by test/vectors/seal-generate.ts (npm run vectors)", vectors }, null, 1) + "\n");
  process.stdout.write(`wrote ${file}: ${vectors.length} vectors\n`);
}
