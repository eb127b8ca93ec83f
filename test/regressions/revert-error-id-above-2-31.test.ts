// Regression: a revert error id of 2^31 or more (a u32, as the `revert`/`require` immediate is) was
// reported as a negative number by both hosts (`"error":-294967296` for 4,000,000,000): the VM's
// mote_error export returns an i32 and neither host read it as unsigned. Both report the u32 now, and
// the conformance vector "edge: revert large id" holds the same bytes on both hosts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeBlock, makeBlock, ZERO_HASH } from "../../ledger/block.ts";
import { signTx, type UnsignedTx } from "../../ledger/tx.ts";
import { key } from "../ledger/helpers.ts";
import { toReceipt } from "../../ledger/app.ts";
import { MemoryStateStore, MoteVM, resultToJson } from "../../vm/host/index.ts";

const vectors = JSON.parse(readFileSync(new URL("../vectors/edge.json", import.meta.url), "utf8")) as { vectors: { name: string; module: string; expected: string }[] };
const tx: UnsignedTx = { genesisHash: new Uint8Array(32), sender: key(1).publicKey, nonce: 0n, gasLimit: 1000, gasPrice: 0n, value: 0n, kind: "call", contract: new Uint8Array(32), selector: 1, args: [] };
const LARGE = vectors.vectors.find((v) => v.name === "edge: revert large id")!;

describe("revert error ids are u32 on every host", () => {
  it("the Node host reports 4000000000, not -294967296", async () => {
    const vm = await MoteVM.create();
    const r = vm.call(new Uint8Array(Buffer.from(LARGE.module.slice(2), "hex")), "f", [], { store: new MemoryStateStore() });
    expect(r).toMatchObject({ status: "revert", error: 4_000_000_000 });
    expect(resultToJson(r)).toContain('"error":4000000000');
    // the vector file holds the same answer, which the conformance test checks on mote-host too
    expect(LARGE.expected).toContain('"error":4000000000');
    // and the receipt the ledger builds from it equals the one decoded back from a block
    const rc = toReceipt(r);
    const block = makeBlock({ chainId: "devnet", height: 1n, prevHash: ZERO_HASH, timestamp: 1n, stateRoot: ZERO_HASH }, [signTx(tx, key(1))], [rc]);
    expect(decodeBlock(block.bytes).receipts[0]).toEqual(rc);
  });
});
