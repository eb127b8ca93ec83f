// The auditor's "timestamps do not go back" rule: an export whose blocks are correctly hashed and linked but
// whose timestamps run 1000 -> 2000 -> 500 must fail the audit at the block that goes back, and not import.
// Built only through the ledger's public API, so it holds however the ledger stores its state.
import { sha256 } from "@noble/hashes/sha2.js";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBlock, encodeExport, encodeHeader, Ledger, parseExport } from "../../ledger/index.ts";
import { MoteVM } from "../../vm/host/index.ts";
import { enc, key, program, tempDir } from "./helpers.ts";

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

/** A real chain: genesis at `times[0]`, then one block per later time (a deploy, then calls that never read the time). */
async function chainAt(times: bigint[]): Promise<{ chainId: string; blocks: { hash: Uint8Array; bytes: Uint8Array }[] }> {
  const l = await Ledger.init(":memory:", { chainId: "ts-audit", timestamp: times[0]!, vm });
  const { contract } = l.deploy(key(1), program("book.masm"), [9n], { timestamp: times[1]! });
  times.slice(2).forEach((t, i) => l.submit([l.signCall(key(1), contract, "put", [enc("k"), BigInt(i)])], { timestamp: t }));
  const p = parseExport(l.exportChain());
  return { chainId: p.chainId, blocks: [...p.records].map((b) => ({ hash: b.hash, bytes: b.bytes })) };
}

/** Re-times block `at` and re-hashes and re-links every block from it on, as a forger would. */
function retime(blocks: { hash: Uint8Array; bytes: Uint8Array }[], at: number, timestamp: bigint) {
  const out = blocks.slice(0, at);
  for (let k = at; k < blocks.length; k++) {
    const d = decodeBlock(blocks[k]!.bytes);
    const header = { ...d.header, timestamp: k === at ? timestamp : d.header.timestamp, prevHash: out[k - 1]!.hash };
    const hb = encodeHeader(header);
    const bytes = new Uint8Array(hb.length + d.bytes.length - d.headerLength);
    bytes.set(hb);
    bytes.set(d.bytes.subarray(d.headerLength), hb.length);
    out.push({ hash: sha256(hb), bytes });
  }
  return out;
}

describe("audit: block timestamps never go back", () => {
  it("the forging here is sound: re-timing a block forward and re-linking the rest still audits ok", async () => {
    const c = await chainAt([1000n, 2000n, 2500n, 3000n]);
    const forged = encodeExport(c.chainId, retime(c.blocks, 2, 2700n));
    const r = await Ledger.auditExport(forged, { vm });
    expect(r.ok, r.error).toBe(true);
    expect(r.blocks).toBe(4);
  });

  it("an equal timestamp is allowed (1000 -> 2000 -> 2000)", async () => {
    const c = await chainAt([1000n, 2000n, 2500n]);
    const r = await Ledger.auditExport(encodeExport(c.chainId, retime(c.blocks, 2, 2000n)), { vm });
    expect(r.ok, r.error).toBe(true);
  });

  it("1000 -> 2000 -> 500 fails at block 2 and names both timestamps", async () => {
    const c = await chainAt([1000n, 2000n, 2500n]);
    const forged = encodeExport(c.chainId, retime(c.blocks, 2, 500n));
    const r = await Ledger.auditExport(forged, { vm });
    expect(r.ok).toBe(false);
    expect(r.height).toBe("2");
    expect(r.error).toMatch(/timestamp 500 is before block 1's 2000/);
  });

  it("going back one second in the middle of a chain fails there, though every later block links", async () => {
    const c = await chainAt([1000n, 2000n, 2500n, 3000n, 3500n]);
    const r = await Ledger.auditExport(encodeExport(c.chainId, retime(c.blocks, 2, 1999n)), { vm });
    expect(r).toMatchObject({ ok: false, height: "2" });
    expect(r.error).toMatch(/timestamp 1999 is before block 1's 2000/);
  });

  it("such an export is not imported, and leaves no ledger behind", async () => {
    const c = await chainAt([1000n, 2000n, 2500n]);
    const forged = encodeExport(c.chainId, retime(c.blocks, 2, 500n));
    const dir = tempDir();
    await expect(Ledger.importChain(dir, forged, { vm })).rejects.toThrow(/timestamp 500 is before block 1's 2000/);
    expect(await Ledger.auditStore(dir, { vm }).catch((e: Error) => e.message)).toMatch(/no ledger|not a Mote ledger|does not exist|no such/i);
  });
});
