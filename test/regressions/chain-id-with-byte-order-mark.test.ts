// Regression (issue 11, point 6): a second encoding of a chain id was accepted. The decoders ran the id's
// bytes through a UTF-8 decoder, which strips a leading byte-order mark, so EF BB BF + "sec-devnet"
// decoded as "sec-devnet" in a transaction, a block header and an export header (which then audited).
// A chain id is now exactly its ASCII bytes.
import { describe, expect, it } from "vitest";
import { decodeTx, encodeUnsignedTx, signTx, chainIdFromBytes, type UnsignedTx } from "../../ledger/tx.ts";
import { decodeBlock, makeBlock, ZERO_HASH } from "../../ledger/block.ts";
import { DecodeError } from "../../ledger/errors.ts";
import { Ledger } from "../../ledger/index.ts";
import { key } from "../ledger/helpers.ts";

const BOM = [0xef, 0xbb, 0xbf];
/** `bytes` with the chain id whose length byte is at `lenAt` prefixed by a byte-order mark. */
function withBom(bytes: Uint8Array, lenAt: number): Uint8Array {
  const n = bytes[lenAt]!;
  return Uint8Array.from([...bytes.subarray(0, lenAt), n + 3, ...BOM, ...bytes.subarray(lenAt + 1)]);
}

function decodeFailure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e.message;
    throw e;
  }
  return "decoded";
}

describe("a chain id has one encoding", () => {
  it("chainIdFromBytes takes exactly the allowed ASCII bytes", () => {
    expect(chainIdFromBytes(new TextEncoder().encode("sec-devnet"))).toBe("sec-devnet");
    expect(chainIdFromBytes(Uint8Array.from([...BOM, ...new TextEncoder().encode("sec-devnet")]))).toBeUndefined();
    expect(chainIdFromBytes(new TextEncoder().encode("dévnet"))).toBeUndefined();
    expect(chainIdFromBytes(new Uint8Array(0))).toBeUndefined();
    expect(chainIdFromBytes(new TextEncoder().encode("a".repeat(33)))).toBeUndefined();
  });

  it("a transaction names its chain by a fixed-width genesis hash, with no text to carry a byte-order mark", () => {
    const alice = key(1);
    const genesisHash = new Uint8Array(32).fill(7);
    const tx: UnsignedTx = { genesisHash, sender: alice.publicKey, nonce: 0n, gasLimit: 1000, gasPrice: 0n, value: 0n, kind: "call", contract: new Uint8Array(32), selector: 1, args: [] };
    const signed = signTx(tx, alice);
    expect([...decodeTx(signed.bytes).tx.genesisHash]).toEqual([...genesisHash]);
    expect([...encodeUnsignedTx(tx).subarray(2, 34)]).toEqual([...genesisHash]);
    // three more bytes in the chain field leave three trailing bytes before the signature: refused
    expect(decodeFailure(() => decodeTx(withBom(signed.bytes, 2)))).toMatch(/^tx(\.[a-z_.[\]0-9]+)? at byte \d+: /);
  });

  it("a block header whose chain id carries a byte-order mark is refused at header.chain_id", () => {
    const b = makeBlock({ chainId: "sec-devnet", height: 1n, prevHash: ZERO_HASH, timestamp: 1n, stateRoot: ZERO_HASH }, [], []);
    expect(decodeBlock(b.bytes).header.chainId).toBe("sec-devnet");
    expect(decodeFailure(() => decodeBlock(withBom(b.bytes, 1)))).toMatch(/^header\.chain_id at byte 1: chain id must be/);
  });

  it("an export whose header's chain id carries a byte-order mark fails the audit", async () => {
    const l = await Ledger.open(":memory:", { chainId: "sec-devnet", genesisTimestamp: 1000n, clock: () => 1001n });
    const exported = l.exportChain();
    l.close();
    expect((await Ledger.auditExport(exported)).ok).toBe(true);
    const bad = await Ledger.auditExport(withBom(exported, 5));
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/chain id at byte 6 must be/);
  });
});
