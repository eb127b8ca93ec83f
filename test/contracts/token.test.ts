// Behaviour of contracts/token.mote through the ledger: supply, transfer, approve, transfer_from, and
// each way they refuse (insufficient balance, allowance exceeded), with events and exact balances.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alice, bob, carol, deploy, expectRevert } from "../helpers/contract.ts";

const TOKEN = "contracts/token.mote";

describe("token", () => {
  it("gives the whole supply to the deployer", async () => {
    const t = await deploy(TOKEN, { init: [1000n], from: alice });
    expect(await t.view("balance_of", [alice])).toBe(1000n);
    expect(await t.view("balance_of", [bob])).toBe(0n);
  });

  it("transfers and emits Transfer", async () => {
    const t = await deploy(TOKEN, { init: [1000n], from: alice });
    const r = await t.call("transfer", [bob, 10n], { from: alice });
    expect(r.events).toEqual([{ name: "Transfer", args: { from: alice.publicKey, to: bob.publicKey, amount: 10n } }]);
    expect(await t.view("balance_of", [bob])).toBe(10n);
    expect(await t.view("balance_of", [alice])).toBe(990n);
    await t.call("transfer", [carol, 10n], { from: bob });
    expect(await t.view("balance_of", [bob])).toBe(0n);
    expect(await t.view("balance_of", [carol])).toBe(10n);
  });

  it("allows transferring the whole balance, and to oneself", async () => {
    const t = await deploy(TOKEN, { init: [5n], from: alice });
    await t.call("transfer", [alice, 5n], { from: alice });
    expect(await t.view("balance_of", [alice])).toBe(5n);
    await t.call("transfer", [bob, 5n], { from: alice });
    expect(await t.view("balance_of", [alice])).toBe(0n);
    expect(await t.view("balance_of", [bob])).toBe(5n);
  });

  it("refuses a transfer beyond the balance, changing nothing", async () => {
    const t = await deploy(TOKEN, { init: [1000n], from: alice });
    const e = await expectRevert(t.call("transfer", [bob, 1001n], { from: alice }), "insufficient balance");
    // the revert names the require's source position; that line of the source holds the message
    const [, line] = /token\.mote:(\d+):\d+$/.exec(e.location ?? "")!;
    expect(readFileSync(TOKEN, "utf8").split("\n")[Number(line) - 1]).toContain('"insufficient balance"');
    await expectRevert(t.call("transfer", [alice, 1n], { from: bob }), "insufficient balance");
    expect(await t.view("balance_of", [alice])).toBe(1000n);
    expect(await t.view("balance_of", [bob])).toBe(0n);
    expect(t.events("Transfer")).toEqual([]);
  });

  it("approves, and transfer_from spends the allowance", async () => {
    const t = await deploy(TOKEN, { init: [1000n], from: alice });
    const a = await t.call("approve", [bob, 100n], { from: alice });
    expect(a.events).toEqual([{ name: "Approval", args: { holder: alice.publicKey, spender: bob.publicKey, amount: 100n } }]);
    expect(await t.view("allowance", [alice, bob])).toBe(100n);
    const r = await t.call("transfer_from", [alice, carol, 60n], { from: bob });
    expect(r.events).toEqual([{ name: "Transfer", args: { from: alice.publicKey, to: carol.publicKey, amount: 60n } }]);
    expect(await t.view("allowance", [alice, bob])).toBe(40n);
    expect(await t.view("balance_of", [carol])).toBe(60n);
    expect(await t.view("balance_of", [alice])).toBe(940n);
    await t.call("transfer_from", [alice, bob, 40n], { from: bob });
    expect(await t.view("allowance", [alice, bob])).toBe(0n);
    expect(await t.view("balance_of", [bob])).toBe(40n);
  });

  it("refuses transfer_from beyond the allowance, or without one", async () => {
    const t = await deploy(TOKEN, { init: [1000n], from: alice });
    await expectRevert(t.call("transfer_from", [alice, carol, 1n], { from: bob }), "allowance exceeded");
    await t.call("approve", [bob, 50n], { from: alice });
    await expectRevert(t.call("transfer_from", [alice, carol, 51n], { from: bob }), "allowance exceeded");
    // an allowance is per holder and spender: carol cannot use bob's
    await expectRevert(t.call("transfer_from", [alice, carol, 1n], { from: carol }), "allowance exceeded");
    expect(await t.view("allowance", [alice, bob])).toBe(50n);
    expect(await t.view("balance_of", [carol])).toBe(0n);
  });

  it("refuses transfer_from beyond the holder's balance even within the allowance, keeping the allowance", async () => {
    const t = await deploy(TOKEN, { init: [10n], from: alice });
    await t.call("approve", [bob, 100n], { from: alice });
    await expectRevert(t.call("transfer_from", [alice, bob, 11n], { from: bob }), "insufficient balance");
    expect(await t.view("allowance", [alice, bob])).toBe(100n);
    expect(await t.view("balance_of", [alice])).toBe(10n);
  });

  it("replaces an allowance on re-approval", async () => {
    const t = await deploy(TOKEN, { init: [1000n], from: alice });
    await t.call("approve", [bob, 100n], { from: alice });
    await t.call("approve", [bob, 7n], { from: alice });
    expect(await t.view("allowance", [alice, bob])).toBe(7n);
    await expectRevert(t.call("transfer_from", [alice, bob, 8n], { from: bob }), "allowance exceeded");
  });

  it("handles the largest supply, 2^64-1", async () => {
    const max = (1n << 64n) - 1n;
    const t = await deploy(TOKEN, { init: [max], from: alice });
    await t.call("transfer", [bob, max], { from: alice });
    expect(await t.view("balance_of", [bob])).toBe(max);
    expect(await t.view("balance_of", [alice])).toBe(0n);
  });

  it("records every transfer as an event, in order", async () => {
    const t = await deploy(TOKEN, { init: [100n], from: alice });
    await t.call("transfer", [bob, 1n], { from: alice });
    await t.call("transfer", [carol, 2n], { from: alice });
    await t.call("transfer", [carol, 1n], { from: bob });
    const amounts = t.events("Transfer").map((e) => e.args.amount);
    expect(amounts).toEqual([1n, 2n, 1n]);
  });
});
