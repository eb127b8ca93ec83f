// Regression (issue 14): the location where a call stopped was known only to the node that ran it;
// receipts read back from blocks (`mote ledger show`, an export, another node) lost it. It is now part
// of the committed receipt, so `ledger show` names the require that failed, after a restart and an
// export/import round trip, and the audit re-derives it.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { register } from "../../cli/commands/ledger.ts";
import { inProcessMote } from "../helpers/cli.ts";
import { fromHex, instanceId, readKeyFile } from "../../ledger/index.ts";

const mote = inProcessMote(register);

const dir = mkdtempSync(join(tmpdir(), "mote-receipt-at-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("receipts keep where a call stopped", () => {
  it("ledger show names the failing require of a shared message, also after export and import", async () => {
    const data = join(dir, "chain");
    const key = join(dir, "op.key");
    const src = join(dir, "roles.mote");
    writeFileSync(src, ["contract Roles {", "  pub fn second(x: u64, y: u64) -> u64 {", '    require(x > 0, "missing role");', '    require(y > 0, "missing role");', "    return x + y;", "  }", "}", ""].join("\n"));
    expect((await mote("keygen", "--out", key)).code).toBe(0);
    const init = await mote("ledger", "init", "--data", data, "--json");
    expect(init.code).toBe(0);
    const genesis = fromHex((JSON.parse(init.out) as { genesis: string }).genesis, "genesis");
    expect((await mote("tx", "deploy", src, "--key", key, "--data", data)).code).toBe(0);
    const contract = Buffer.from(instanceId(genesis, readKeyFile(key).publicKey, 0n)).toString("hex");
    const call = await mote("tx", "call", contract, "second", "1", "0", "--key", key, "--data", data);
    expect(call.code).toBe(1);
    expect(call.out).toMatch(/status: revert: roles\.mote:4:5: missing role/);

    const show = JSON.parse((await mote("ledger", "show", "--data", data, "--json")).out) as { txs: { receipt: { status: string; stopOffset: number | null; at: string | null } }[] };
    expect(show.txs[0]!.receipt).toMatchObject({ status: "revert", at: "roles.mote:4:5" });
    expect(show.txs[0]!.receipt.stopOffset).toBeGreaterThan(0);
    expect((await mote("ledger", "show", "--data", data)).out).toMatch(/second by [0-9a-fx]+ nonce 1: revert: roles\.mote:4:5: missing role/);

    const exported = join(dir, "chain.bin");
    expect((await mote("ledger", "export", "--out", exported, "--data", data)).code).toBe(0);
    expect((await mote("audit", "--file", exported)).code).toBe(0);
    const copy = join(dir, "copy");
    expect((await mote("ledger", "import", exported, "--data", copy)).code).toBe(0);
    const again = JSON.parse((await mote("ledger", "show", "--data", copy, "--json")).out) as typeof show;
    expect(again.txs[0]!.receipt.stopOffset).toBe(show.txs[0]!.receipt.stopOffset);
  });
});
