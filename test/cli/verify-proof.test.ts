// `mote verify-proof` end to end against answers recorded from a live 4-validator Mote network
// (test/vectors/verify-proof.json, by test/vectors/verify-proof-record.ts), replayed by a JSON-RPC server on
// 127.0.0.1: the genuine answers verify; a node that alters any of them is caught, in one line.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register } from "../../cli/commands/verify.ts";
import { inProcessMote } from "../helpers/cli.ts";
import type { RecordedCall, VerifyProofFixture } from "../vectors/verify-proof-record.ts";

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "../vectors/verify-proof.json"), "utf8")) as VerifyProofFixture;
const mote = inProcessMote(register);
const dir = mkdtempSync(join(tmpdir(), "mote-verify-proof-"));

/** What the replaying node answers; tests swap in altered copies. */
let calls: RecordedCall[] = structuredClone(fixture.calls);
let server: Server;
let url = "";

function answer(method: string, params: Record<string, unknown>): unknown {
  const hit = calls.find((c) => c.method === method && (method === "genesis" || (method === "abci_query" ? c.params.data === params.data : c.params.height === params.height)));
  if (!hit) throw new Error(`no recorded ${method} ${JSON.stringify(params)}`);
  return hit.result;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const q = JSON.parse(body) as { id: number; method: string; params: Record<string, unknown> };
      let out: unknown;
      try {
        out = { jsonrpc: "2.0", id: q.id, result: answer(q.method, q.params) };
      } catch (e) {
        out = { jsonrpc: "2.0", id: q.id, error: { code: -32603, message: "Internal error", data: (e as Error).message } };
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const [present, scalar, absent] = fixture.keys as [string, string, string];
const genesis = (): any => (calls.find((c) => c.method === "genesis")!.result as any).genesis;
const queryOf = (key: string): any => calls.find((c) => c.method === "abci_query" && c.params.data === fixture.contract.slice(2) + key.slice(2))!.result;
const commitAfter = (key: string): any => calls.find((c) => c.method === "commit" && c.params.height === (BigInt(queryOf(key).response.height) + 1n).toString())!.result;

function altered(f: () => void): void {
  calls = structuredClone(fixture.calls);
  f();
}

describe("mote verify-proof on recorded answers of a live network", () => {
  it("a present value: printed, with the count of validators that signed", async () => {
    calls = structuredClone(fixture.calls);
    const r = await mote("verify-proof", "--node", url, fixture.contract, present);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const sigs = commitAfter(present).signed_header.commit.signatures as { block_id_flag: number }[];
    const n = sigs.filter((s) => s.block_id_flag === 2).length;
    expect(r.out).toMatch(new RegExp(`^value: 0x[0-9a-f]+\\nverified by ${n} of 4 validators \\(power ${n} of 4\\): block \\d+ of mote-net, state after block \\d+\\n$`));
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it("a scalar in --json, and a proven absence", async () => {
    calls = structuredClone(fixture.calls);
    const j = JSON.parse((await mote("verify-proof", "--node", url, fixture.contract, scalar, "--json")).out);
    expect(j).toMatchObject({ chainId: "mote-net", present: true, validators: 4, totalPower: "4", key: scalar });
    expect(BigInt(j.block)).toBe(BigInt(j.stateHeight) + 1n);
    const a = await mote("verify-proof", "--node", url, fixture.contract, absent);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^value: absent\nverified by \d of 4 validators/);
  });

  it("a trusted genesis file is used instead of the node's", async () => {
    calls = structuredClone(fixture.calls);
    const g = join(dir, "genesis.json");
    writeFileSync(g, JSON.stringify(genesis()));
    expect((await mote("verify-proof", "--node", url, fixture.contract, present, "--genesis", g)).code).toBe(0);
    const other = structuredClone(genesis());
    other.validators[0].power = "5";
    writeFileSync(g, JSON.stringify(other));
    const r = await mote("verify-proof", "--node", url, fixture.contract, present, "--genesis", g);
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/^mote: not verified: validators_hash: trusted validator set hashes to [0-9a-f]{64}, header names [0-9a-f]{64}\n$/)]);
  });

  const refusals: [string, () => void, RegExp][] = [
    ["the proof's value changed", () => {
      const q = queryOf(present).response;
      const b = Buffer.from(q.value, "base64");
      b[b.length - 1]! ^= 1;
      q.value = b.toString("base64");
    }, /^mote: not verified: proof_root: the path does not lead to the root/],
    ["a proof for another key", () => (queryOf(present).response.value = queryOf(scalar).response.value), /^mote: not verified: proof_key: /],
    ["a proof cut short", () => (queryOf(present).response.value = Buffer.from(queryOf(present).response.value, "base64").subarray(0, 10).toString("base64")), /^mote: not verified: proof_malformed: /],
    ["the header's app hash changed", () => {
      const h = commitAfter(present).signed_header.header;
      h.app_hash = h.app_hash.replace(/^./, (c: string) => (c === "0" ? "1" : "0"));
    }, /^mote: not verified: header_hash: /],
    ["a signature flipped", () => {
      const s = commitAfter(present).signed_header.commit.signatures.find((x: { block_id_flag: number }) => x.block_id_flag === 2);
      const b = Buffer.from(s.signature, "base64");
      b[5]! ^= 4;
      s.signature = b.toString("base64");
    }, /^mote: not verified: signature: signature \d \(validator [0-9a-f]{40}\) does not verify/],
    ["signatures removed down to 2 of 4", () => {
      const sigs = commitAfter(present).signed_header.commit.signatures;
      let keep = 2;
      for (const s of sigs) if (s.block_id_flag === 2 && keep-- <= 0) Object.assign(s, { block_id_flag: 1, validator_address: "", signature: null, timestamp: "0001-01-01T00:00:00Z" });
    }, /^mote: not verified: insufficient_power: signatures hold 2 of 4 voting power, need more than 2\/3/],
    ["another chain's genesis", () => (genesis().chain_id = "other-net"), /^mote: not verified: chain_id: header is on chain "mote-net", expected "other-net"/],
  ];
  for (const [what, alter, err] of refusals) {
    it(`${what}: refused in one line, exit 1`, async () => {
      altered(alter);
      const r = await mote("verify-proof", "--node", url, fixture.contract, present);
      expect(r.code).toBe(1);
      expect(r.out).toBe("");
      expect(r.err).toMatch(err);
      expect(r.err.split("\n").length).toBe(2);
    });
  }

  it("a node that is not there, a refused query, and bad arguments: one line each", async () => {
    calls = structuredClone(fixture.calls);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const down = await mote("verify-proof", "--node", `http://127.0.0.1:${port}`, fixture.contract, present);
    expect([down.code, down.err]).toEqual([1, `mote: http://127.0.0.1:${port}: genesis failed: ECONNREFUSED\n`]);
    altered(() => Object.assign(queryOf(present).response, { code: 7, codespace: "bad_query", log: "no committed height", value: null }));
    const refused = await mote("verify-proof", "--node", url, fixture.contract, present);
    expect([refused.code, refused.err]).toEqual([1, `mote: ${url}: /prove refused (bad_query): no committed height\n`]);
    expect((await mote("verify-proof", "--node", url, "0x12", present)).code).toBe(2);
    expect((await mote("verify-proof", "--node", url, fixture.contract, "zz")).code).toBe(2);
    expect((await mote("verify-proof", fixture.contract, present)).code).toBe(2);
  });
});
