// A light client of a Mote node over CometBFT's JSON-RPC: fetches a storage entry's state proof (abci_query
// "/prove"), the header one block later (whose app hash is that state root) with its commit, and checks
// both with ledger/lightclient.ts against a trusted validator set. Trusts nothing the node says but genesis.
import { LightClientError, signedHeaderFromRpc, validatorsFromGenesis, verifyCommit, verifyStorageProof, type Validator, type VerifiedHeader } from "../ledger/lightclient.ts";

export class LightRpcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LightRpcError";
  }
}

const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

async function rpc(url: string, method: string, params: Record<string, unknown>): Promise<any> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new LightRpcError(`${url}: ${method} failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  const text = await res.text();
  let j: { result?: unknown; error?: { message?: string; data?: string } };
  try {
    j = JSON.parse(text);
  } catch {
    throw new LightRpcError(`${url}: ${method}: HTTP ${res.status}, not JSON-RPC: ${oneLine(text).slice(0, 120)}`);
  }
  if (j.error) throw new LightRpcError(`${url}: ${method}: ${oneLine(`${j.error.message ?? "error"}${j.error.data ? `: ${j.error.data}` : ""}`)}`);
  return j.result;
}

export interface TrustRoot {
  chainId: string;
  validators: Validator[];
}

/** The trust root from a genesis document (a local file's contents, or the node's /genesis). */
export async function trustFromGenesis(url: string, genesis?: unknown): Promise<TrustRoot> {
  return validatorsFromGenesis(genesis ?? (await rpc(url, "genesis", {})).genesis);
}

export interface VerifiedValue {
  /** The value, or null for a proven absence. */
  value: Uint8Array | null;
  /** The committed height whose state was proven; its state root is the app hash of block stateHeight + 1. */
  stateHeight: bigint;
  header: VerifiedHeader;
}

/**
 * Proves (`contract`, `key`) at the node's latest committed height (or `height`) and verifies it. Waits up to
 * `waitMs` for the next block, whose header carries that height's app hash. Refusals are LightClientError.
 */
export async function verifiedValue(url: string, trust: TrustRoot, contract: Uint8Array, key: Uint8Array, opts: { height?: bigint; waitMs?: number } = {}): Promise<VerifiedValue> {
  const data = new Uint8Array(contract.length + key.length);
  data.set(contract);
  data.set(key, contract.length);
  const q = (await rpc(url, "abci_query", { path: "/prove", data: Buffer.from(data).toString("hex"), height: (opts.height ?? 0n).toString(), prove: false })).response;
  if ((q.code ?? 0) !== 0) throw new LightRpcError(`${url}: /prove refused (${q.codespace || q.code}): ${oneLine(q.log ?? "")}`);
  const stateHeight = BigInt(q.height ?? "0");
  if (stateHeight <= 0n) throw new LightRpcError(`${url}: /prove answered for height ${stateHeight}`);
  const proof = new Uint8Array(Buffer.from(q.value ?? "", "base64"));
  const until = Date.now() + (opts.waitMs ?? 15_000);
  let commit: any;
  for (;;) {
    try {
      commit = await rpc(url, "commit", { height: (stateHeight + 1n).toString() });
      break;
    } catch (e) {
      if (!(e instanceof LightRpcError) || !/height|not found|must be less/i.test(e.message) || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const header = verifyCommit(trust.validators, signedHeaderFromRpc(commit.signed_header), trust.chainId);
  if (header.height !== stateHeight + 1n) throw new LightClientError("commit_height", `asked for block ${stateHeight + 1n}, the node sent ${header.height}`);
  return { value: verifyStorageProof(header, contract, key, proof), stateHeight, header };
}
