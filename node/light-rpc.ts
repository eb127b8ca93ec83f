// A light client of a Mote node over CometBFT's JSON-RPC: fetches a storage entry's state proof (abci_query
// "/prove"), the header one block later (whose app hash is that state root) with its commit, and checks
// both with ledger/lightclient.ts against a trusted validator set. Trusts nothing the node says but genesis.
import { NodeError, rpcCall } from "./client.ts";
import { LightClientError, signedHeaderFromRpc, validatorsFromGenesis, verifyCommit, verifyStorageProof, type Validator, type VerifiedHeader } from "../ledger/lightclient.ts";

const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

/** The node's JSON-RPC through the one client (node/client.ts); every refusal of the node is a NodeError. */
const rpc = (url: string, method: string, params: Record<string, unknown>): Promise<any> => rpcCall(url, method, params, 15_000);

/**
 * CometBFT's `commit` for block `height` (its signed header), waiting up to `waitMs` for that block: a state proven
 * at height h is the app hash of block h + 1, which is not there until the next block commits.
 */
export async function commitAt(url: string, height: bigint, waitMs: number): Promise<any> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return await rpc(url, "commit", { height: height.toString() });
    } catch (e) {
      if (!(e instanceof NodeError) || !/height|not found|must be less/i.test(e.message) || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
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
 * `waitMs` for the next block, whose header carries that height's app hash. Refusals are LightClientError; a node that cannot be read, NodeError.
 */
export async function verifiedValue(url: string, trust: TrustRoot, contract: Uint8Array, key: Uint8Array, opts: { height?: bigint; waitMs?: number } = {}): Promise<VerifiedValue> {
  const data = new Uint8Array(contract.length + key.length);
  data.set(contract);
  data.set(key, contract.length);
  const q = (await rpc(url, "abci_query", { path: "/prove", data: Buffer.from(data).toString("hex"), height: (opts.height ?? 0n).toString(), prove: false })).response;
  if ((q.code ?? 0) !== 0) throw new NodeError(`${url}: /prove refused (${q.codespace || q.code}): ${oneLine(q.log ?? "")}`);
  const stateHeight = BigInt(q.height ?? "0");
  if (stateHeight <= 0n) throw new NodeError(`${url}: /prove answered for height ${stateHeight}`);
  const proof = new Uint8Array(Buffer.from(q.value ?? "", "base64"));
  const commit = await commitAt(url, stateHeight + 1n, opts.waitMs ?? 15_000);
  const header = verifyCommit(trust.validators, signedHeaderFromRpc(commit.signed_header), trust.chainId);
  if (header.height !== stateHeight + 1n) throw new LightClientError("commit_height", `asked for block ${stateHeight + 1n}, the node sent ${header.height}`);
  return { value: verifyStorageProof(header, contract, key, proof), stateHeight, header };
}
