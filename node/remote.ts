// A Mote node seen through its RPC with the Ledger's own method names and result shapes (deploy, call,
// view, events, contract, nonce), so the CLI prints the same thing whether it talks to the embedded
// devnet or to a network. Transactions are signed here and sent with broadcast_tx_commit.
import type { CallResult } from "../vm/host/index.ts";
import { hex, type Value } from "../ledger/bytes.ts";
import { TxRejected, type RejectCode } from "../ledger/errors.ts";
import type { KeyPair } from "../ledger/keys.ts";
import type { CallTxResult, DeployResult, EventFilter, EventRecord, TxOptions } from "../ledger/ledger.ts";
import { resolveSelector } from "../ledger/ledger.ts";
import { instanceId } from "../ledger/state.ts";
import { LEDGER_LIMITS } from "../ledger/params.ts";
import { signTx, type SignedTx, type UnsignedTx } from "../ledger/tx.ts";
import { decodeStateProof, verifyStateProof } from "../ledger/proof.ts";
import { storageKey } from "../ledger/state.ts";
import type { StorageProof } from "../ledger/ledger.ts";
import { abciQuery, broadcastCommit, NodeError, queryJson } from "./client.ts";
import { commitAt } from "./light-rpc.ts";
import { valueFromJson, valueToJson, type EventAnswer, type EventQuery, type ViewAnswer, type ViewQuery } from "./wire.ts";

export class RemoteLedger {
  private constructor(
    readonly url: string,
    readonly chainId: string,
    /** The chain's genesis hash, which every transaction signs (from the node's /params; trust on first use). */
    readonly genesisHash: Uint8Array,
    readonly minGasPrice: bigint,
  ) {}

  static async connect(url: string): Promise<RemoteLedger> {
    const u = url.replace(/\/+$/, "");
    if (!/^https?:\/\/[^\s/]+/.test(u)) throw new NodeError(`--node: expected http://HOST:PORT (a CometBFT RPC address), got '${url.slice(0, 80)}'`);
    const p = await queryJson<{ chainId: string; genesisHash: string; minGasPrice: string }>(u, "/params", new Uint8Array(0));
    if (typeof p.genesisHash !== "string" || !/^[0-9a-f]{64}$/.test(p.genesisHash)) throw new NodeError(`${u}: /params gave no 32-byte genesisHash`);
    return new RemoteLedger(u, p.chainId, new Uint8Array(Buffer.from(p.genesisHash, "hex")), BigInt(p.minGasPrice));
  }

  /** The sender's next nonce counting its transactions already in the node's mempool. */
  async nonce(pubkey: Uint8Array): Promise<bigint> {
    const a = await queryJson<{ pendingNonce: string }>(this.url, "/account", pubkey);
    return BigInt(a.pendingNonce);
  }

  async balance(id: Uint8Array): Promise<bigint> {
    return BigInt((await queryJson<{ balance: string }>(this.url, "/account", id)).balance);
  }

  /** The committed balance and the height it was read at. */
  async balanceAt(id: Uint8Array): Promise<{ balance: bigint; height: bigint }> {
    const a = await abciQuery(this.url, "/account", id);
    if (a.code !== 0) throw new NodeError(`rejected (${a.codespace || a.code}): ${a.log}`);
    return { balance: BigInt((JSON.parse(Buffer.from(a.value).toString("utf8")) as { balance: string }).balance), height: a.height };
  }

  /**
   * A storage entry with its state proof, as Ledger.prove gives it: the node's `/prove` at its head (or `height`),
   * checked against the app hash in the header of the next block, which commits that height's state root. The node's
   * word: nothing here checks the validators' signatures on that header (`mote verify-proof` does, node/light-rpc.ts).
   */
  async prove(contract: Uint8Array, key: Uint8Array, opts: { height?: bigint; waitMs?: number } = {}): Promise<StorageProof> {
    const data = new Uint8Array(contract.length + key.length);
    data.set(contract);
    data.set(key, contract.length);
    const a = await abciQuery(this.url, "/prove", data, opts.height ?? 0n);
    if (a.code !== 0) throw new NodeError(`rejected (${a.codespace || a.code}): ${a.log}`);
    let proof;
    try {
      proof = decodeStateProof(a.value);
    } catch (e) {
      throw new NodeError(`${this.url}: /prove answered bytes that are no state proof: ${(e as Error).message}`);
    }
    const want = storageKey(contract, key);
    if (Buffer.compare(proof.key, want) !== 0) throw new NodeError(`${this.url}: /prove answered a proof for state key ${hex(proof.key)}, asked for ${hex(want)}`);
    const commit = await commitAt(this.url, a.height + 1n, opts.waitMs ?? 15_000);
    const appHash = new Uint8Array(Buffer.from(String(commit?.signed_header?.header?.app_hash ?? ""), "hex"));
    const verdict = verifyStateProof(appHash, proof);
    if (!verdict.ok) throw new NodeError(`${this.url}: the proof for height ${a.height} does not lead to block ${a.height + 1n}'s app hash ${hex(appHash)}: ${verdict.reason}`);
    return { height: a.height, stateRoot: appHash, contract, key, value: verdict.value, proof, encoded: a.value };
  }

  async contract(id: Uint8Array): Promise<{ module: Uint8Array } | undefined> {
    const a = await abciQuery(this.url, "/contract", id);
    return a.code === 0 ? { module: a.value } : undefined;
  }

  private async base(key: KeyPair, opts: TxOptions): Promise<Pick<UnsignedTx, "genesisHash" | "sender" | "nonce" | "gasLimit" | "gasPrice" | "value">> {
    if (opts.timestamp !== undefined) throw new NodeError("--timestamp: a network's block time is the engine's (BFT time); it cannot be chosen per transaction");
    return {
      genesisHash: this.genesisHash,
      sender: key.publicKey,
      nonce: opts.nonce ?? (await this.nonce(key.publicKey)),
      gasLimit: opts.gas ?? LEDGER_LIMITS.DEFAULT_TX_GAS.value,
      gasPrice: opts.gasPrice ?? this.minGasPrice,
      value: opts.value ?? 0n,
    };
  }

  /** Sends a signed transaction and waits for its block; a refusal (CheckTx or in the block) throws TxRejected. */
  async send(tx: SignedTx): Promise<{ txId: Uint8Array; height: bigint; receipt: import("../ledger/block.ts").Receipt }> {
    let r;
    try {
      r = await broadcastCommit(this.url, tx.bytes);
    } catch (e) {
      // CometBFT refuses bytes its mempool cache holds before CheckTx, as an RPC error: name what it means
      if (e instanceof NodeError && /tx already exists in cache/.test(e.message)) {
        throw new TxRejected(`${this.url} has seen these exact bytes already (CometBFT's mempool cache): the transaction is pending or committed; nonce ${tx.tx.nonce} of ${hex(tx.tx.sender)} is taken`, "nonce_replayed");
      }
      throw e;
    }
    if (!r.ok) throw new TxRejected(r.log || `code ${r.code}`, (r.codespace || "malformed") as RejectCode);
    return { txId: tx.id, height: r.height, receipt: r.receipt };
  }

  async deploy(key: KeyPair, module: Uint8Array, initArgs: Value[] = [], opts: TxOptions = {}): Promise<DeployResult> {
    const tx = signTx({ ...(await this.base(key, opts)), kind: "deploy", module, args: initArgs }, key);
    const r = await this.send(tx);
    return { ...r, contract: instanceId(this.genesisHash, key.publicKey, tx.tx.nonce) };
  }

  async call(key: KeyPair, contract: Uint8Array, fn: string | number, args: Value[] = [], opts: TxOptions = {}): Promise<CallTxResult> {
    const tx = signTx({ ...(await this.base(key, opts)), kind: "call", contract, selector: resolveSelector(fn), args }, key);
    try {
      return await this.send(tx);
    } catch (e) {
      if (e instanceof TxRejected && typeof fn === "string") {
        const sel = `selector 0x${resolveSelector(fn).toString(16).padStart(8, "0")}`;
        if (e.reason.includes(sel)) throw new TxRejected(e.reason.replace(sel, fn), e.code);
      }
      throw e;
    }
  }

  async view(contract: Uint8Array, fn: string | number, args: Value[] = [], opts: { caller?: Uint8Array } = {}): Promise<CallResult> {
    const q: ViewQuery = { contract: hex(contract), fn, args: args.map(valueToJson), ...(opts.caller ? { caller: hex(opts.caller) } : {}) };
    const a = await abciQuery(this.url, "/view", new TextEncoder().encode(JSON.stringify(q)));
    if (a.code !== 0) throw new TxRejected(a.log, (a.codespace || "malformed") as RejectCode);
    const v = JSON.parse(Buffer.from(a.value).toString("utf8")) as ViewAnswer;
    return {
      status: v.status,
      gasUsed: v.gasUsed,
      error: v.error,
      errorOffset: null,
      returns: v.returns.map(valueFromJson),
      events: v.events.map((e) => ({ topic: e.topic, values: e.values.map(valueFromJson) })),
      stopOffset: v.stopOffset,
    } as CallResult;
  }

  async events(filter: EventFilter = {}): Promise<EventRecord[]> {
    const q: EventQuery = {
      ...(filter.contract ? { contract: hex(filter.contract) } : {}),
      ...(filter.topic !== undefined ? { topic: filter.topic } : {}),
      ...(filter.fromHeight !== undefined ? { fromHeight: filter.fromHeight.toString() } : {}),
      ...(filter.toHeight !== undefined ? { toHeight: filter.toHeight.toString() } : {}),
    };
    const evs = await queryJson<EventAnswer[]>(this.url, "/events", q);
    return evs.map((e) => ({
      height: BigInt(e.height),
      tx: e.tx,
      index: e.index,
      txId: new Uint8Array(Buffer.from(e.txId, "hex")),
      contract: new Uint8Array(Buffer.from(e.contract, "hex")),
      topic: e.topic,
      values: e.values.map(valueFromJson),
    }));
  }

  close(): void {}
}
