// The ledger's error types (ledger/errors.ts): each names itself (what `String(e)` and the CLI print) and puts
// where the problem is first in its one-line message.
import { describe, expect, it } from "vitest";
import { ChainBroken, DecodeError, LedgerError, TxRejected } from "../../ledger/errors.ts";

describe("ledger errors", () => {
  it("each error class carries its own name into String(e)", () => {
    expect(String(new TxRejected("nonce 3 was already used", "nonce_replayed"))).toBe("TxRejected: nonce 3 was already used");
    expect(new TxRejected("x", "gas_price").code).toBe("gas_price");
    expect(String(new DecodeError("truncated", "tx.nonce", 12))).toBe("DecodeError: tx.nonce at byte 12: truncated");
    expect(String(new LedgerError("data dir is locked"))).toBe("LedgerError: data dir is locked");
    expect(String(new ChainBroken("bad root", 4n))).toBe("ChainBroken: block 4: bad root");
  });

  it("a chain break with no height names its section, or 'chain' when there is none", () => {
    expect(new ChainBroken("export is empty", null).message).toBe("chain: export is empty");
    expect(new ChainBroken("bad magic", null, null, "export header").message).toBe("export header: bad magic");
    expect(new ChainBroken("row differs", 7n, 2, "receipts").message).toBe("receipts, block 7 tx 2: row differs");
    expect(ChainBroken.where(9n, null, null)).toBe("block 9");
  });
});
