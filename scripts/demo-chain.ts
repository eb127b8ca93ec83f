// The chain `npm run demo` drives: the embedded devnet in a temporary directory (the default), or with
// `--network` a local 4-validator network (`mote net up` in a temporary directory) reached only through
// its nodes' RPC, as any `--node` client would. Both answer the same few calls; the demo's steps and
// checks are the same on either.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallResult } from "../vm/host/index.ts";
import { LIMITS } from "../vm/spec/limits.ts";
import { Ledger, resolveSelector, signTx, type EventFilter, type EventRecord, type KeyPair, type Receipt, type SignedTx, type Value } from "../ledger/index.ts";
import { hex } from "../ledger/bytes.ts";
import { submitBatch } from "../node/batch.ts";
import { rpcCall } from "../node/client.ts";
import { killNode, nodePids, readManifest, type NetManifest } from "../node/net.ts";
import { reserveBasePort } from "../node/ports.ts";
import { RemoteLedger } from "../node/remote.ts";
import { buildCli } from "./build-cli.ts";

export type Outcome = { ok: true; height: bigint; receipt: Receipt } | { ok: false; error: Error };

export interface FleetChain {
  readonly kind: "embedded" | "network";
  readonly genesisHash: Uint8Array;
  height(): Promise<bigint>;
  nonce(key: Uint8Array): Promise<bigint>;
  /** One transaction in its own block; the embedded chain's block time is its clock, the network's the engine's. */
  deploy(key: KeyPair, module: Uint8Array, args: Value[]): Promise<{ contract: Uint8Array; receipt: Receipt }>;
  call(key: KeyPair, contract: Uint8Array, fn: string, args: Value[]): Promise<{ receipt: Receipt }>;
  view(contract: Uint8Array, fn: string, args?: Value[]): Promise<CallResult>;
  signCall(key: KeyPair, contract: Uint8Array, fn: string, args: Value[], nonce: bigint): SignedTx;
  /** Transactions in order: one block on the embedded chain (at `timestamp`), as many as the engine makes on the network. */
  submit(txs: SignedTx[], timestamp: bigint): Promise<Outcome[]>;
  events(filter: EventFilter): Promise<EventRecord[]>;
  /** A line naming the head: block and hash (embedded) or block and app hash on every validator (network). */
  head(): Promise<string>;
  /**
   * The ledger an auditor replays offline: the embedded one, or validator 0's own store once the network
   * has stopped (after checking every validator reports the same app hash).
   */
  auditCopy(): Promise<{ ledger: Ledger; validators?: { ok: boolean; detail: string } }>;
  close(): Promise<void>;
}

export function embeddedChain(ledger: Ledger): FleetChain {
  return {
    kind: "embedded",
    genesisHash: ledger.genesisHash,
    height: async () => ledger.height,
    nonce: async (k) => ledger.nonce(k),
    deploy: async (key, module, args) => ledger.deploy(key, module, args),
    call: async (key, contract, fn, args) => ledger.call(key, contract, fn, args),
    view: async (contract, fn, args = []) => ledger.view(contract, fn, args),
    signCall: (key, contract, fn, args, nonce) => ledger.signCall(key, contract, fn, args, { nonce }),
    submit: async (txs, timestamp) => {
      const { block, outcomes } = ledger.submit(txs, { timestamp });
      return outcomes.map((o) => (o.ok ? { ok: true, height: block!.header.height, receipt: o.receipt } : { ok: false, error: o.error }));
    },
    events: async (f) => ledger.events(f),
    head: async () => `block ${ledger.height}, ${hex(ledger.headHash)}`,
    auditCopy: async () => ({ ledger }),
    close: async () => ledger.close(),
  };
}

function mote(root: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [join(root, "bin", "mote.js"), ...args], { encoding: "utf8", timeout: 300_000 }, (err, out, errText) =>
      err ? reject(new Error(`mote ${args.slice(0, 2).join(" ")}: ${(errText || err.message).trim()}`)) : resolve(out),
    ),
  );
}

/** The nodes' processes, ended by their own PIDs when the demo exits however it exits (a failed step's process.exit included). */
function killOnExit(dir: string): void {
  process.on("exit", () => {
    try {
      for (const n of readManifest(dir).nodes) killNode(n.home);
    } catch {
      // no manifest: nothing was started
    }
    rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * `mote net up --validators N` in a temporary directory (chain id `chainId`, zero gas price), every
 * transaction and query through node 0's RPC. Logs where it runs to `log`.
 */
export async function networkChain(root: string, o: { chainId: string; validators: number; log: (line: string) => void }): Promise<FleetChain> {
  await buildCli();
  const dir = mkdtempSync(join(tmpdir(), "mote-demo-net-"));
  killOnExit(dir);
  const base = await reserveBasePort(o.validators);
  await mote(root, ["net", "up", "--validators", String(o.validators), "--dir", dir, "--chain-id", o.chainId, "--timeout-commit", "200ms", "--base-port", String(base)]);
  const m: NetManifest = readManifest(dir);
  const rpcs = m.nodes.map((n) => `http://127.0.0.1:${n.ports.rpc}`);
  o.log(`${o.validators} validators on 127.0.0.1 (${dir}), node 0's RPC ${rpcs[0]}; processes ${m.nodes.map((n) => { const p = nodePids(n.home); return `${p.node}+${p.cometbft}`; }).join(", ")}`);
  const remote = await RemoteLedger.connect(rpcs[0]!);
  const appHashAt = async (url: string, h: bigint): Promise<string> =>
    ((await rpcCall(url, "block", { height: h.toString() })) as { block: { header: { app_hash: string } } }).block.header.app_hash.toLowerCase();
  const latest = async (url: string): Promise<bigint> => BigInt(((await rpcCall(url, "status", {})) as { sync_info: { latest_block_height: string } }).sync_info.latest_block_height);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await mote(root, ["net", "down", "--dir", dir]);
  };
  return {
    kind: "network",
    genesisHash: remote.genesisHash,
    height: () => latest(rpcs[0]!),
    nonce: (k) => remote.nonce(k),
    deploy: (key, module, args) => remote.deploy(key, module, args),
    call: (key, contract, fn, args) => remote.call(key, contract, fn, args),
    view: (contract, fn, args = []) => remote.view(contract, fn, args),
    signCall: (key, contract, fn, args, nonce) =>
      signTx({ genesisHash: remote.genesisHash, sender: key.publicKey, nonce, gasLimit: LIMITS.DEFAULT_GAS.value, gasPrice: remote.minGasPrice, value: 0n, kind: "call", contract, selector: resolveSelector(fn), args }, key),
    submit: async (txs) => (await submitBatch(rpcs[0]!, txs.map((t) => t.bytes))).map((r) => (r.ok ? { ok: true, height: r.height, receipt: r.receipt } : { ok: false, error: r.error })),
    events: (f) => remote.events(f),
    head: async () => {
      const h = await latest(rpcs[0]!);
      return `block ${h - 1n}, app hash ${await appHashAt(rpcs[0]!, h)} on node 0`;
    },
    auditCopy: async () => {
      // the head every validator has reached, and the app hash each reports for it (in the header after it)
      const h = (await Promise.all(rpcs.map(latest))).reduce((a, b) => (a < b ? a : b));
      const hashes = await Promise.all(rpcs.map((u) => appHashAt(u, h)));
      const ok = new Set(hashes).size === 1;
      const detail = ok ? `${hashes.length} validators, app hash ${hashes[0]!.slice(0, 16)}… at height ${h}` : `app hashes at height ${h}: ${hashes.join(" ")}`;
      await stop();
      const appDir = join(m.nodes[0]!.home, "app");
      if (!existsSync(appDir)) throw new Error(`${appDir}: validator 0 has no ledger`);
      return { ledger: await Ledger.open(appDir), validators: { ok, detail } };
    },
    close: stop,
  };
}
