// `mote prove --node` trusts the node for the state root but checks what it answers: RemoteLedger.prove (node/remote.ts)
// against a fake CometBFT RPC on 127.0.0.1 that answers `/prove` and `commit` as a node that lies would. Each lie is
// refused with one line naming the node and what was wrong; the honest answer gives what Ledger.prove gives.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { encodeStateProof } from "../../ledger/proof.ts";
import { SparseMerkleTree } from "../../ledger/smt.ts";
import { storageKey } from "../../ledger/state.ts";
import { NodeError } from "../../node/client.ts";
import { RemoteLedger } from "../../node/remote.ts";

const contract = new Uint8Array(32).fill(0xc0);
const key = Uint8Array.of(1, 0xaa, 0xbb);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** A state holding the entry and some others, its root, and the entry's encoded proof. */
function state(): { root: Uint8Array; proof: Uint8Array; otherProof: Uint8Array } {
  const t = new SparseMerkleTree();
  for (let i = 0; i < 20; i++) t.set(storageKey(contract, Uint8Array.of(1, i)), Uint8Array.of(i + 1));
  t.set(storageKey(contract, key), Uint8Array.of(42, 0, 0, 0, 0, 0, 0, 0));
  return { root: t.root(), proof: encodeStateProof(t.prove(storageKey(contract, key))), otherProof: encodeStateProof(t.prove(storageKey(contract, Uint8Array.of(1, 3)))) };
}

let server: Server | null = null;
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = null;
});

/** A node whose `/prove` answers `proof` at height 7 and whose block 8 header carries `appHash`. */
async function node(proof: Uint8Array, appHash: Uint8Array): Promise<string> {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let b = "";
    req.on("data", (c: Buffer) => (b += c.toString("utf8")));
    req.on("end", () => {
      const { method, params } = JSON.parse(b) as { method: string; params: { path?: string; height?: string } };
      const result =
        method === "abci_query" && params.path === "/params"
          ? { response: { code: 0, value: Buffer.from(JSON.stringify({ chainId: "fake", genesisHash: "11".repeat(32), minGasPrice: "0" })).toString("base64"), height: "7" } }
          : method === "abci_query" && params.path === "/prove"
            ? { response: { code: 0, value: Buffer.from(proof).toString("base64"), height: "7" } }
            : method === "commit"
              ? { signed_header: { header: { height: params.height, app_hash: hex(appHash).toUpperCase() } } }
              : null;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(result ? { jsonrpc: "2.0", id: 1, result } : { jsonrpc: "2.0", id: 1, error: { code: -32601, message: `no ${method}` } }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const a = server.address();
  return `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
}

async function refusal(url: string): Promise<string> {
  const l = await RemoteLedger.connect(url);
  try {
    await l.prove(contract, key, { waitMs: 0 });
  } catch (e) {
    expect(e).toBeInstanceOf(NodeError);
    return (e as Error).message;
  }
  throw new Error("the proof was accepted");
}

describe("RemoteLedger.prove against a node that lies", () => {
  it("gives the entry, its proof and the root of the next block's header when the node is honest", async () => {
    const s = state();
    const l = await RemoteLedger.connect(await node(s.proof, s.root));
    const p = await l.prove(contract, key);
    expect({ height: p.height, root: hex(p.stateRoot), value: p.value && hex(p.value), encoded: hex(p.encoded), end: p.proof.end.kind }).toEqual({
      height: 7n,
      root: hex(s.root),
      value: "2a00000000000000",
      encoded: hex(s.proof),
      end: "leaf",
    });
  });

  it("refuses a proof that does not lead to the next block's app hash, naming both heights and the hash", async () => {
    const s = state();
    const wrong = new Uint8Array(32).fill(7);
    const url = await node(s.proof, wrong);
    expect(await refusal(url)).toMatch(new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the proof for height 7 does not lead to block 8's app hash ${hex(wrong)}: .+`));
  });

  it("refuses a proof of another entry, naming both state keys", async () => {
    const s = state();
    const url = await node(s.otherProof, s.root);
    expect(await refusal(url)).toBe(`${url}: /prove answered a proof for state key ${hex(storageKey(contract, Uint8Array.of(1, 3)))}, asked for ${hex(storageKey(contract, key))}`);
  });

  it("refuses bytes that are no state proof, with the decoder's field and offset", async () => {
    const url = await node(Uint8Array.of(9, 9, 9), state().root);
    expect(await refusal(url)).toMatch(new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: /prove answered bytes that are no state proof: .*byte \\d+`));
  });
});
