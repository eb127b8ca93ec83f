// contracts/token.mote through the VM: transfer, approve/transfer_from, balances, reverts decoded to
// their source line, events by name, the init guard, argument checks, and its size budget.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { describeRevert, formatEvent } from "../../compiler/abi.ts";
import { compileFile } from "../../compiler/index.ts";
import { MemoryStateStore, MoteVM, type Value } from "../../vm/host/index.ts";
import { KEYS } from "./annotated.ts";

const { alice, bob, carol } = KEYS as Record<"alice" | "bob" | "carol", Uint8Array>;
const out = compileFile("contracts/token.mote");
const source = readFileSync("contracts/token.mote", "utf8");
const lineOf = (text: string): number => source.split("\n").findIndex((l) => l.includes(text)) + 1;

let vm: MoteVM;
let store: MemoryStateStore;
beforeAll(async () => {
  vm = await MoteVM.create();
});

function call(fn: string, args: Value[], caller: Uint8Array) {
  return vm.call(out.module!, fn, args, { store, caller });
}
const balance = (who: Uint8Array): bigint => call("balance_of", [who], alice).returns[0] as bigint;

describe("contracts/token.mote", () => {
  it("compiles cleanly", () => {
    expect(out.diagnostics).toEqual([]);
    expect(out.abi!.functions.map((f) => `${f.name}(${f.params.map((p) => p.type).join(",")})${f.view ? " view" : ""}`)).toEqual([
      "init(u64)",
      "transfer(pubkey,u64)",
      "approve(pubkey,u64)",
      "transfer_from(pubkey,pubkey,u64)",
      "balance_of(pubkey) view",
      "allowance(pubkey,pubkey) view",
    ]);
  });

  it("fits the 256-byte budget (the whole module; metadata lives in the .abi.json)", () => {
    expect(out.module!.length).toBeLessThanOrEqual(256);
  });

  it("moves tokens, refuses overdrafts with the source line of the require", () => {
    store = new MemoryStateStore();
    expect(call("init", [1000n], alice).status).toBe("ok");
    const t = call("transfer", [bob, 10n], alice);
    expect(t.status).toBe("ok");
    expect(t.events.map((e) => formatEvent(out.abi!, e.topic, e.values))).toEqual([
      `Transfer(from=0x${"a1".repeat(32)}, to=0x${"b0".repeat(32)}, amount=10)`,
    ]);
    expect(balance(alice)).toBe(990n);
    expect(balance(bob)).toBe(10n);
    const r = call("transfer", [carol, 11n], bob);
    expect(r.status).toBe("revert");
    const line = lineOf('require(bal >= amount, "insufficient balance")');
    expect(describeRevert(out.abi!, r.error!)).toBe(`token.mote:${line}:5: insufficient balance`);
    expect(balance(bob)).toBe(10n);
    expect(balance(carol)).toBe(0n);
  });

  it("lets an approved spender move up to the allowance, and no more", () => {
    expect(call("approve", [carol, 50n], alice).status).toBe("ok");
    expect(call("allowance", [alice, carol], bob).returns).toEqual([50n]);
    const ok = call("transfer_from", [alice, bob, 30n], carol);
    expect(ok.status).toBe("ok");
    expect(ok.events.map((e) => formatEvent(out.abi!, e.topic, e.values)?.split("(")[0])).toEqual(["Transfer"]);
    expect(call("allowance", [alice, carol], bob).returns).toEqual([20n]);
    expect(balance(alice)).toBe(960n);
    expect(balance(bob)).toBe(40n);
    const over = call("transfer_from", [alice, bob, 21n], carol);
    expect(describeRevert(out.abi!, over.error!)).toMatch(/:\d+:\d+: allowance exceeded$/);
    // bob was approved nothing
    expect(describeRevert(out.abi!, call("transfer_from", [alice, bob, 1n], bob).error!)).toMatch(/allowance exceeded$/);
    // an allowance larger than the balance still cannot overdraw
    expect(call("approve", [carol, 5000n], bob).status).toBe("ok");
    expect(describeRevert(out.abi!, call("transfer_from", [bob, carol, 41n], carol).error!)).toMatch(/insufficient balance$/);
  });

  it("emits Approval", () => {
    const r = call("approve", [bob, 7n], carol);
    expect(r.events.map((e) => formatEvent(out.abi!, e.topic, e.values))).toEqual([
      `Approval(holder=0x${"c0".repeat(32)}, spender=0x${"b0".repeat(32)}, amount=7)`,
    ]);
  });

  it("runs init once only", () => {
    const r = call("init", [1_000_000n], bob);
    expect(describeRevert(out.abi!, r.error!)).toMatch(/: init already ran$/);
    expect(balance(bob)).toBe(40n);
  });

  it("refuses a malformed public key argument", () => {
    const r = call("transfer", [new Uint8Array(31), 1n], alice);
    expect(describeRevert(out.abi!, r.error!)).toMatch(/argument `to` of `transfer` must be a 32-byte pubkey$/);
  });
});

describe("the Token exactly as issue 3 writes it", () => {
  it("compiles and behaves", async () => {
    const issue = compileFile("test/compiler/cases/token_issue.mote");
    expect(issue.diagnostics).toEqual([]);
    const s = new MemoryStateStore();
    const c = (fn: string, args: Value[], who: Uint8Array) => vm.call(issue.module!, fn, args, { store: s, caller: who });
    expect(c("init", [100n], alice).status).toBe("ok");
    expect(c("transfer", [bob, 60n], alice).status).toBe("ok");
    expect(c("balance_of", [bob], carol).returns).toEqual([60n]);
    const r = c("transfer", [carol, 61n], bob);
    expect(describeRevert(issue.abi!, r.error!)).toBe("token_issue.mote:18:5: insufficient balance");
  });
});
