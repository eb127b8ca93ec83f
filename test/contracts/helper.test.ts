// The contract-test helper itself: typed argument encoding and its one-line errors, result decoding,
// expectRevert failing when it should, one-block batches, and the gas report's statistics and files.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArg } from "../../compiler/abi.ts";
import {
  alice,
  bob,
  CallFailed,
  decodeValue,
  deploy,
  Devnet,
  encodeArg,
  expectRejected,
  expectRevert,
  gasCollector,
  gasStats,
  gasTable,
  summarize,
  toFixed,
  writeGasReport,
} from "../helpers/contract.ts";

const TOKEN = "contracts/token.mote";

describe("contract-test helper", () => {
  it("encodes arguments by ABI type", () => {
    expect(encodeArg(5, "u64", "x")).toBe(5n);
    expect(encodeArg(-1n, "i64", "x")).toBe((1n << 64n) - 1n);
    expect(encodeArg(true, "bool", "x")).toBe(1n);
    expect(encodeArg(alice, "pubkey", "x")).toEqual(alice.publicKey);
    expect(encodeArg("0x0a0b", "bytes", "x")).toEqual(Uint8Array.of(10, 11));
    expect(encodeArg(-1.25, "fixed", "x")).toBe(BigInt.asUintN(64, -81920n));
  });

  it("rounds fixed decimal strings exactly as the compiler's argument parser does", () => {
    for (const t of ["0.1", "-0.00001", "21.123456789", "140737488355327.99998", "-3.5", "7"]) {
      expect(BigInt.asUintN(64, toFixed(t))).toBe(parseArg(t, "fixed"));
    }
    expect(toFixed(0.1)).toBe(toFixed("0.1"));
  });

  it("refuses bad arguments with a one-line error naming the argument", () => {
    expect(() => encodeArg(-1n, "u64", "transfer argument `amount`")).toThrow("transfer argument `amount`: -1 does not fit in u64");
    expect(() => encodeArg(1.5, "u64", "a")).toThrow("a: expected an integer (bigint or safe integer number), got number 1.5");
    expect(() => encodeArg(Uint8Array.of(1, 2), "pubkey", "to")).toThrow("to: a pubkey is 32 bytes, got 2");
    expect(() => encodeArg("0xabc", "bytes", "b")).toThrow('b: expected 0x followed by an even number of hex digits, got "0xabc"');
    expect(() => encodeArg(1n, "fixed", "v")).toThrow("v: expected a number or decimal string for fixed, got bigint 1");
    expect(() => encodeArg("1e3", "fixed", "v")).toThrow('v: expected a decimal number such as "-1.25", got "1e3"');
    expect(() => encodeArg(1, "bool", "f")).toThrow("f: expected a boolean, got number 1");
  });

  it("decodes results by ABI type", () => {
    expect(decodeValue((1n << 64n) - 2n, "i64")).toBe(-2n);
    expect(decodeValue(1n, "bool")).toBe(true);
    expect(decodeValue(BigInt.asUintN(64, -98304n), "fixed")).toBe(-1.5);
    expect(decodeValue(7n, "u64")).toBe(7n);
  });

  it("checks call shapes against the ABI before signing anything", async () => {
    const t = await deploy(TOKEN, { init: [10n], from: alice });
    await expect(t.call("transfer", [bob])).rejects.toThrow("Token.transfer takes 2 argument(s) (to: pubkey, amount: u64), got 1");
    await expect(t.call("mint", [])).rejects.toThrow("Token has no public function `mint`");
    await expect(t.view("balance_of", ["0x01"])).rejects.toThrow("Token.balance_of argument `who`: a pubkey is 32 bytes, got 1");
    expect(() => t.events("Mint")).toThrow("Token declares no event `Mint` (it has: Transfer, Approval)");
  });

  it("makes expectRevert fail when the call succeeds, reverts otherwise, or is refused", async () => {
    const t = await deploy(TOKEN, { init: [10n], from: alice });
    await expect(expectRevert(t.call("transfer", [bob, 1n], { from: alice }), "insufficient balance")).rejects.toThrow(
      'expected a revert with "insufficient balance", but the call succeeded',
    );
    await expect(expectRevert(t.call("transfer", [bob, 100n], { from: alice }), "allowance exceeded")).rejects.toThrow(
      /expected a revert with "allowance exceeded", got: Token.transfer failed: reverted at (contracts\/)?token\.mote:\d+:\d+: insufficient balance/,
    );
    const stale = t.chain.ledger.signCall(alice, t.id, "transfer", [bob.publicKey, 1n], { nonce: 0n });
    const refused = (async () => t.chain.ledger.submit([stale]).outcomes.forEach((o) => { if (!o.ok) throw o.error; }))();
    await expect(expectRevert(refused, "insufficient balance")).rejects.toThrow("refused before executing");
    const again = (async () => t.chain.ledger.submit([stale]).outcomes.forEach((o) => { if (!o.ok) throw o.error; }))();
    await expectRejected(again, "nonce_replayed");
    const e = await expectRevert(t.call("transfer", [bob, 100n], { from: alice }), /insufficient/);
    expect(e).toBeInstanceOf(CallFailed);
    expect(e.gasUsed).toBeGreaterThan(0);
  });

  it("runs prepared calls in one block, in order, with their own outcomes", async () => {
    const chain = await Devnet.create();
    const t = await chain.deploy(TOKEN, { init: [10n], from: alice });
    const before = chain.ledger.height;
    const out = await chain.block([
      t.prepare("transfer", [bob, 4n], { from: alice }),
      t.prepare("transfer", [alice, 5n], { from: bob }),
      t.prepare("transfer", [alice, 4n], { from: bob }),
    ]);
    expect(chain.ledger.height).toBe(before + 1n);
    expect(out[0]).not.toBeInstanceOf(CallFailed);
    expect((out[1] as CallFailed).reason).toBe("insufficient balance");
    expect(out[2]).not.toBeInstanceOf(CallFailed);
    expect(await t.view("balance_of", [alice])).toBe(10n);
  });

  it("computes min / median / max like Foundry's gas report", () => {
    expect(gasStats([5])).toEqual({ calls: 1, min: 5, median: 5, max: 5 });
    expect(gasStats([9, 1, 5])).toEqual({ calls: 3, min: 1, median: 5, max: 9 });
    expect(gasStats([10, 1, 4, 7])).toEqual({ calls: 4, min: 1, median: 5, max: 10 });
    expect(() => gasStats([])).toThrow("no samples");
  });

  it("merges samples across test files and renders a table", () => {
    const c = summarize({
      "b.test.ts": { T: { source: "t.mote", moduleBytes: 9, functions: { f: { view: false, gas: [3, 1] } } } },
      "a.test.ts": { T: { source: "t.mote", moduleBytes: 9, functions: { f: { view: false, gas: [2] }, g: { view: true, gas: [7] } } } },
    });
    expect(c).toEqual({ T: { source: "t.mote", moduleBytes: 9, functions: { f: { calls: 3, min: 1, median: 2, max: 3, view: false }, g: { calls: 1, min: 7, median: 7, max: 7, view: true } } } });
    expect(gasTable(c)).toBe(
      ["T (t.mote, module 9 bytes)", "  function  min  median  max  calls", "  f           1       2    3      3", "  g (view)    7       7    7      1", ""].join("\n"),
    );
  });

  it("writes the report files, replacing only the samples of the file that ran again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-gas-"));
    const out = { json: join(dir, "gas.json"), txt: join(dir, "gas.txt") };
    const t = await deploy(TOKEN, { init: [10n], from: alice });
    await t.call("transfer", [bob, 1n], { from: alice });
    writeGasReport("one.test.ts", out);
    writeGasReport("two.test.ts", out);
    const first = JSON.parse(readFileSync(out.json, "utf8"));
    const transfers = gasCollector.contracts.get("Token")!.functions.transfer!.gas.length;
    expect(first.contracts.Token.functions.transfer.calls).toBe(2 * transfers);
    writeGasReport("two.test.ts", out);
    const second = JSON.parse(readFileSync(out.json, "utf8"));
    expect(second).toEqual(first);
    expect(readFileSync(out.txt, "utf8")).toContain("Token (contracts/token.mote, module");
  });
});
