// Records what `mote verify-proof` reads from a live Mote network (CometBFT + the Mote ABCI app): /genesis,
// abci_query "/prove" answers and the commits one block later, as the RPC returned them, so
// test/cli/verify-proof.test.ts can replay them without a network.
//   npx tsx test/vectors/verify-proof-record.ts URL CONTRACT_HEX KEY_HEX [KEY_HEX...]
// (with a network from `mote net up`; the recorded file is test/vectors/verify-proof.json)
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  result: unknown;
}
export interface VerifyProofFixture {
  source: string;
  node: string;
  contract: string;
  keys: string[];
  calls: RecordedCall[];
}

async function call(url: string, method: string, params: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const j = (await res.json()) as { result?: unknown; error?: unknown };
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const [url, contract, ...keys] = process.argv.slice(2);
  if (!url || !contract || keys.length === 0) throw new Error("usage: verify-proof-record.ts URL CONTRACT_HEX KEY_HEX...");
  const calls: RecordedCall[] = [];
  const rec = async (method: string, params: Record<string, unknown>): Promise<any> => {
    const result = await call(url, method, params);
    calls.push({ method, params, result });
    return result;
  };
  await rec("genesis", {});
  for (const key of keys) {
    const data = contract.replace(/^0x/, "") + key.replace(/^0x/, "");
    const q = await rec("abci_query", { path: "/prove", data, height: "0", prove: false });
    const next = (BigInt(q.response.height) + 1n).toString();
    for (let i = 0; i < 50; i++) {
      try {
        await rec("commit", { height: next });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  const fixture: VerifyProofFixture = { source: "a 4-validator `mote net up` (CometBFT v0.38.26 + the Mote ABCI app), token.mote deployed", node: url, contract, keys, calls };
  const out = join(dirname(fileURLToPath(import.meta.url)), "verify-proof.json");
  writeFileSync(out, JSON.stringify(fixture, null, 2) + "\n");
  console.log(`wrote ${out}: ${calls.length} calls`);
}
