// `npm run fleet -- --devices 20 --validators 4`: a device fleet on a real local network. A network of N
// validators (`mote net up` in a temporary directory), an operator deploying the device registry, the anomaly
// guard and the sensor attestation, then simulated devices, each driven through the C SDK's own process
// (firmware-host/build/mote-device): a key drawn from the platform RNG into a 0600 file, registration, signed
// readings submitted through CometBFT's RPC by a small host-side transport (the SDK makes the bytes; this
// script posts them with broadcast_tx_commit). One device starts to drift, the guard isolates it and its next
// reading is refused. Every device then fetches its own guard status with a state proof and the commit of the
// block whose app hash the proof leads to, and verifies both IN C (`mote-device verify-state`: header,
// commit, trusted validator set, > 2/3 of the power, then the proof). With --kill-validator one validator is
// SIGKILLed midway; every transaction the network acknowledged must then be in its block on every surviving
// node, and on the killed one after it restarts and catches up.
//
// Without --kill-validator or --no-kill, two runs: a clean one, then one with a validator killed midway.
// Prints a summary per run and exits non-zero if any step fails. All processes are stopped by their PIDs.
// Writes the summaries to bench/results/local/device-fleet.json (--record: bench/results/device-fleet.json,
// which docs/device.md's fleet figures come from; heights and seconds depend on the machine's load).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import types from "cosmjs-types/tendermint/types/types";
import { compileFile } from "../compiler/index.ts";
import type { Abi } from "../compiler/abi.ts";
import { readKeyFile, signTx, storageKey, instanceId, hex } from "../ledger/index.ts";
import { encodeValidatorSet, signedHeaderFromRpc, validatorsFromGenesis, type Validator } from "../ledger/lightclient.ts";
import { abciQuery, broadcastCommit, broadcastSync, rpcCall, type BroadcastOutcome } from "../node/client.ts";
import { readManifest, stopNode, type NetManifest } from "../node/net.ts";
import { releaseBasePort, reserveBasePort } from "../node/ports.ts";
import { RemoteLedger } from "../node/remote.ts";
import { LIMITS } from "../vm/spec/limits.ts";
import { selectorOf } from "../vm/spec/module.ts";
import { buildFirmwareHost, DEVICE_PATH } from "../firmware-host/scripts/build.ts";
import { resultPath } from "../bench/results-path.ts";
import { rng } from "../fleet/sim.ts"; // mulberry32: the same noise on every run

const { SignedHeader } = types;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MOTE = join(ROOT, "bin", "mote.js");

/** The guard learns WARMUP (anomaly_guard.mote) readings before it judges one; the drift starts after. */
const GUARD_WARMUP = 8;
/** Anomalies that isolate a device (anomaly_guard.mote STRIKES). */
const GUARD_STRIKES = 3;
/** Rounds: warm-up, the drift's strikes, the refused reading, and one round more for the healthy devices. */
export const DEFAULT_ROUNDS = GUARD_WARMUP + GUARD_STRIKES + 2;
const DRIFT_PER_ROUND = 3.0; // °C per round, from the first round after the warm-up
const GAS = LIMITS.DEFAULT_GAS.value;

export class FleetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FleetError";
  }
}

export interface FleetOptions {
  devices: number;
  validators: number;
  /** SIGKILL one validator (the last) after half the rounds; restart it at the end. */
  killValidator: boolean;
  rounds?: number;
  /** The device that drifts (default 1). */
  drifter?: number;
  log?: (line: string) => void;
}

/** What a device verified in C, kept so tests can feed the same inputs, altered, back to the verifier. */
export interface VerifiedStatus {
  device: number;
  chainId: string;
  valset: Uint8Array;
  signedHeader: Uint8Array;
  stateKey: Uint8Array;
  proof: Uint8Array;
  value: Uint8Array;
  block: number;
  signers: number;
}

export interface FleetSummary {
  devices: number;
  validators: number;
  rounds: number;
  readingsAccepted: number;
  readingsRefused: number;
  refusedMessage: string | null;
  drifter: number;
  isolationHeight: number | null;
  isolatedDevices: number[];
  proofsVerified: number;
  forgedHeaderRefused: string | null;
  killed: number | null;
  killedAtHeight: number | null;
  acknowledged: number;
  acknowledgedFound: number;
  nodesChecked: number[];
  finalHeight: number;
  seconds: number;
  statuses: VerifiedStatus[];
}

// -- processes --------------------------------------------------------------------------------------

interface Run {
  code: number;
  out: string;
  err: string;
}

function execRun(file: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: "utf8", maxBuffer: 16 << 20 }, (err, out, errText) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, out, err: errText });
    });
  });
}

/** The CLI as its own process, as an operator types it. */
const mote = (args: string[], timeoutMs = 300_000): Promise<Run> => execRun(process.execPath, [MOTE, ...args], timeoutMs);

/** One step of a device: the C SDK's CLI as its own process. Its one-line refusal becomes a FleetError. */
async function device(args: string[], what: string): Promise<string> {
  const r = await execRun(DEVICE_PATH, args, 30_000);
  if (r.code !== 0) throw new FleetError(`${what}: mote-device ${args[0]} exited with ${r.code}: ${(r.err || r.out).trim()}`);
  return r.out.trim();
}

/** Runs `f` over `items` with at most `limit` at a time (two cores are shared; each device step is a process). */
async function pool<T, R>(items: T[], limit: number, f: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!, i);
      }
    }),
  );
  return out;
}

/** 0x-hex, as mote-device takes bytes. */
const xhex = (b: Uint8Array): string => `0x${hex(b)}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, f: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await f()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > until) throw new FleetError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(200);
  }
}

async function heightOf(url: string): Promise<number> {
  const s = (await rpcCall(url, "status", {}, 3000)) as { sync_info: { latest_block_height: string } };
  return Number(s.sync_info.latest_block_height);
}

// -- contracts --------------------------------------------------------------------------------------

interface Compiled {
  module: Uint8Array;
  abi: Abi;
}

function compile(rel: string): Compiled {
  const out = compileFile(join(ROOT, rel));
  if (!out.module || !out.abi) throw new FleetError(`${rel} does not compile: ${out.diagnostics.map((d) => d.message).join("; ")}`);
  return { module: out.module, abi: out.abi };
}

const errorMessage = (c: Compiled, id: number | null | undefined): string => c.abi.errors.find((e) => e.id === id)?.message ?? `error id ${id}`;

/** The raw storage key of `name[key]` (one map key of at most 31 bytes), as `mote ledger prove` forms it. */
function mapEntryKey(c: Compiled, name: string, key: Uint8Array): Uint8Array {
  const slot = c.abi.storage.find((s) => s.name === name);
  if (!slot) throw new FleetError(`${c.abi.contract} has no storage named ${name}`);
  return Uint8Array.of(slot.slot, ...key);
}

/** A field of a struct value as stored (packed, little-endian): u64/fixed 8 bytes, bool 1. */
function structField(c: Compiled, struct: string, value: Uint8Array, field: string): bigint {
  const s = c.abi.structs.find((x) => x.name === struct);
  const f = s?.fields.find((x) => x.name === field);
  if (!s || !f) throw new FleetError(`${c.abi.contract}: no field ${struct}.${field} in the ABI`);
  if (value.length !== s.size) throw new FleetError(`${struct} value is ${value.length} bytes, the ABI says ${s.size}`);
  const width = f.type === "bool" ? 1 : 8;
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(value[f.offset + i]!);
  return v;
}

// -- the run ----------------------------------------------------------------------------------------


interface Ack {
  what: string;
  bytes: Uint8Array;
  height: number;
}

interface Dev {
  index: number;
  keyFile: string;
  publicKey: Uint8Array;
  node: number;
  lastTimestamp: number;
  stopped: boolean;
  accepted: number;
}

export async function runFleet(o: FleetOptions): Promise<FleetSummary> {
  const log = o.log ?? (() => {});
  const rounds = o.rounds ?? DEFAULT_ROUNDS;
  const drifterIndex = o.drifter ?? 1;
  if (!Number.isInteger(o.devices) || o.devices < 2 || o.devices > 200) throw new FleetError(`--devices: 2..200, got ${o.devices}`);
  if (!Number.isInteger(o.validators) || o.validators < 1 || o.validators > 16) throw new FleetError(`--validators: 1..16, got ${o.validators}`);
  if (o.killValidator && o.validators < 4) throw new FleetError("--kill-validator needs at least 4 validators (3 of 4 keep more than 2/3 of the power)");
  if (rounds < GUARD_WARMUP + GUARD_STRIKES + 1) throw new FleetError(`--rounds: at least ${GUARD_WARMUP + GUARD_STRIKES + 1} (the guard's warm-up, its strikes and the refused reading)`);
  const started = Date.now();
  await buildFirmwareHost({ quiet: true });
  const registry = compile("contracts/device_registry.mote");
  const guard = compile("contracts/anomaly_guard.mote");
  const attestation = compile("contracts/sensor_attestation.mote");

  const dir = mkdtempSync(join(tmpdir(), "mote-fleet-"));
  let m: NetManifest | null = null;
  let base = 0;
  try {
    // -- the network
    base = await reserveBasePort(o.validators);
    log(`network: ${o.validators} validators on 127.0.0.1:${base}+ (mote net up --dir ${dir})`);
    const up = await mote(["net", "up", "--validators", String(o.validators), "--dir", dir, "--base-port", String(base), "--timeout-commit", "200ms"]);
    if (up.code !== 0) throw new FleetError(`mote net up exited with ${up.code}: ${up.err.trim().split("\n").pop()}`);
    m = readManifest(dir);
    const manifest = m;
    const rpc = (i: number) => `http://127.0.0.1:${manifest.nodes[i]!.ports.rpc}`;
    const live = new Set(manifest.nodes.map((n) => n.index));
    const operator = readKeyFile(join(dir, "operator.key"));
    const l = await RemoteLedger.connect(rpc(0));
    const genesis = ((await rpcCall(rpc(0), "genesis", {})) as { genesis: unknown }).genesis;
    const trust = validatorsFromGenesis(genesis);
    const valset = encodeValidatorSet(trust.validators as Validator[]);

    // -- the operator deploys: the guard is told the attestation's id before it exists (the next deploy)
    const n0 = await l.nonce(operator.publicKey);
    const ids = [0n, 1n, 2n].map((k) => instanceId(l.genesisHash, operator.publicKey, n0 + k));
    const [registryId, guardId, attestationId] = ids as [Uint8Array, Uint8Array, Uint8Array];
    for (const [c, args, id] of [[registry, [], registryId], [guard, [registryId, attestationId], guardId], [attestation, [registryId, guardId], attestationId]] as const) {
      const d = await l.deploy(operator, c.module, [...args]);
      if (d.receipt.status !== "ok" || hex(d.contract) !== hex(id)) throw new FleetError(`deploying ${c.abi.contract}: ${d.receipt.status}`);
      log(`deployed ${c.abi.contract} ${hex(id).slice(0, 16)}… at height ${d.height}`);
    }

    // operator transactions: sent in nonce order to node 0, then awaited by its committed nonce
    let opNonce = await l.nonce(operator.publicKey);
    const acks: Ack[] = [];
    const operatorBatch = async (what: string, calls: { contract: Uint8Array; fn: string; args: (bigint | Uint8Array)[] }[]): Promise<void> => {
      if (calls.length === 0) return;
      const txs = calls.map((c) =>
        signTx({ kind: "call", genesisHash: l.genesisHash, sender: operator.publicKey, nonce: opNonce++, gasLimit: GAS, gasPrice: l.minGasPrice, value: 0n, contract: c.contract, selector: selectorOf(c.fn), args: c.args }, operator),
      );
      for (const tx of txs) {
        const r = await broadcastSync(rpc(0), tx.bytes);
        if (r.code !== 0) throw new FleetError(`${what}: node0 refused the operator's transaction (${r.codespace}): ${r.log}`);
      }
      await waitUntil(`${what} to commit`, async () => BigInt((await abciQueryJson(rpc(0), "/account", operator.publicKey)).nonce) >= opNonce, 60_000);
    };

    // -- devices: each key drawn by the C SDK from the platform RNG, stored 0600
    const keysDir = join(dir, "devices");
    mkdirSync(keysDir, { mode: 0o700 });
    const devs: Dev[] = await pool(Array.from({ length: o.devices }, (_, i) => i), 4, async (i) => {
      const keyFile = join(keysDir, `device-${String(i).padStart(3, "0")}.key`);
      const pub = await device(["keygen", "--key", keyFile], `device ${i} keygen`);
      const mode = statSync(keyFile).mode & 0o777;
      if (mode !== 0o600) throw new FleetError(`device ${i}: ${keyFile} has mode ${mode.toString(8)}, not 600`);
      if (!/^0x[0-9a-f]{64}$/.test(pub)) throw new FleetError(`device ${i}: keygen printed '${pub}', not a public key`);
      return { index: i, keyFile, publicKey: new Uint8Array(Buffer.from(pub.slice(2), "hex")), node: i % o.validators, lastTimestamp: 0, stopped: false, accepted: 0 };
    });
    if (new Set(devs.map((d) => hex(d.publicKey))).size !== devs.length) throw new FleetError("two devices drew the same key");
    log(`${devs.length} device keys generated by mote-device keygen (getrandom, 0600 files)`);
    const site = (i: number) => sha256(new TextEncoder().encode(`fleet/site-${i % 7}`));
    await operatorBatch("registration", devs.map((d) => ({ contract: registryId, fn: "register", args: [d.publicKey, 1n, site(d.index)] })));
    const active = (await l.view(registryId, "active_count")).returns[0];
    if (active !== BigInt(devs.length)) throw new FleetError(`the registry counts ${active} active devices, expected ${devs.length}`);
    log(`registered ${devs.length} devices`);

    // -- rounds of readings
    const noise = rng(0x6d6f7465);
    const baseline = devs.map((d) => 18 + (d.index % 9) * 0.75);
    let readingsAccepted = 0;
    let readingsRefused = 0;
    let refusedMessage: string | null = null;
    let isolationHeight: number | null = null;
    let killed: number | null = null;
    let killedAtHeight: number | null = null;
    const killRound = Math.floor(rounds / 2);
    const nodeFor = (d: Dev): number => {
      if (live.has(d.node)) return d.node;
      const alive = [...live].sort((a, b) => a - b);
      return alive[d.index % alive.length]!;
    };
    // broadcast_tx_commit holds a subscription per request: at most 4 at a time per node
    const perNode = new Map<number, number>();
    const acquire = async (n: number) => {
      while ((perNode.get(n) ?? 0) >= 4) await sleep(20);
      perNode.set(n, (perNode.get(n) ?? 0) + 1);
    };
    const release = (n: number) => perNode.set(n, (perNode.get(n) ?? 1) - 1);

    for (let round = 1; round <= rounds; round++) {
      if (o.killValidator && round === killRound + 1) {
        killed = o.validators - 1;
        const k = await mote(["net", "kill", String(killed), "--dir", dir]);
        if (k.code !== 0) throw new FleetError(`mote net kill ${killed}: ${k.err.trim()}`);
        live.delete(killed);
        killedAtHeight = await heightOf(rpc(0));
        log(`round ${round}: validator ${killed} SIGKILLed at height ${killedAtHeight}; its devices move to the others`);
      }
      const senders = devs.filter((d) => !d.stopped);
      const outcomes = await pool(senders, 8, async (d) => {
        let v = baseline[d.index]! + (noise() + noise() - 1) * 0.3;
        if (d.index === drifterIndex && round > GUARD_WARMUP) v += DRIFT_PER_ROUND * (round - GUARD_WARMUP);
        const raw = BigInt(Math.round(Math.round(v * 64) / 64 * 65536));
        const ts = Math.max(Math.floor(Date.now() / 1000), d.lastTimestamp + 1);
        d.lastTimestamp = ts;
        // the SDK: next reading nonce, the reading signed, the call transaction signed (both nonces stored first)
        const line = await device(["submit-reading", "--key", d.keyFile, "--genesis-hash", xhex(l.genesisHash), "--gas", String(GAS), "--gas-price", String(l.minGasPrice),
          "--contract", xhex(attestationId), "--value", BigInt.asIntN(64, raw).toString(), "--timestamp", String(ts)], `device ${d.index} round ${round}`);
        const [, txHex] = line.split(" ");
        const bytes = new Uint8Array(Buffer.from(txHex!.slice(2), "hex"));
        // the host-side transport: the bytes to a node's broadcast_tx_commit
        const n = nodeFor(d);
        await acquire(n);
        let r: BroadcastOutcome;
        try {
          r = await broadcastCommit(rpc(n), bytes);
        } finally {
          release(n);
        }
        if (!r.ok) throw new FleetError(`device ${d.index} round ${round}: node${n} refused the transaction at ${r.stage} (${r.codespace}): ${r.log}`);
        acks.push({ what: `device ${d.index} reading ${round}`, bytes, height: Number(r.height) });
        return { d, receipt: r.receipt, height: Number(r.height) };
      });
      const observed: Dev[] = [];
      for (const { d, receipt } of outcomes) {
        if (receipt.status === "ok") {
          readingsAccepted++;
          d.accepted++;
          observed.push(d);
        } else {
          const msg = errorMessage(attestation, receipt.error);
          if (d.index !== drifterIndex || isolationHeight === null) throw new FleetError(`device ${d.index} round ${round}: reading refused: ${msg}`);
          readingsRefused++;
          refusedMessage = msg;
          d.stopped = true; // the device is told, and stops reporting until the operator reinstates it
          log(`round ${round}: device ${d.index}'s next reading refused: "${msg}"`);
        }
      }
      const before = opNonce;
      await operatorBatch(`round ${round} observe`, observed.map((d) => ({ contract: guardId, fn: "observe", args: [d.publicKey] })));
      if (opNonce !== before + BigInt(observed.length)) throw new FleetError("operator nonce out of step");
      if (isolationHeight === null) {
        const isolatedTopic = guard.abi.events.find((e) => e.name === "Isolated")!.topic;
        const evs = await l.events({ contract: guardId, topic: isolatedTopic });
        if (evs.length > 0) {
          const who = evs.map((e) => devs.find((d) => hex(d.publicKey) === hex(e.values[0] as Uint8Array))?.index);
          if (who.length !== 1 || who[0] !== drifterIndex) throw new FleetError(`the guard isolated device(s) ${who.join(", ")}, expected only ${drifterIndex}`);
          isolationHeight = Number(evs[0]!.height);
          log(`round ${round}: the guard isolated device ${drifterIndex} at height ${isolationHeight} (reading #${evs[0]!.values[1]}, ${evs[0]!.values[2]} anomalies)`);
        }
      }
      if (round % 5 === 0 || round === rounds) log(`round ${round}/${rounds}: ${readingsAccepted} readings accepted, ${readingsRefused} refused, height ${await heightOf(rpc(0))}`);
    }
    if (isolationHeight === null) throw new FleetError(`device ${drifterIndex} drifted for ${rounds - GUARD_WARMUP} rounds and was never isolated`);
    if (readingsRefused !== 1) throw new FleetError(`expected the isolated device's next reading refused, ${readingsRefused} refused`);

    // -- every device verifies its own status in C against a commit of the validators
    const stats = (d: Dev) => mapEntryKey(guard, "stats", d.publicKey);
    const statuses = await pool(devs, 4, async (d): Promise<VerifiedStatus> => {
      const url = rpc(nodeFor(d));
      const key = stats(d);
      const q = await abciQuery(url, "/prove", new Uint8Array([...guardId, ...key]));
      if (q.code !== 0) throw new FleetError(`device ${d.index}: /prove refused (${q.codespace}): ${q.log}`);
      const stateHeight = Number(q.height);
      let commit: { signed_header: unknown } | undefined;
      await waitUntil(`block ${stateHeight + 1} on node${nodeFor(d)}`, async () => {
        commit = (await rpcCall(url, "commit", { height: String(stateHeight + 1) }, 5000)) as { signed_header: unknown };
        return true;
      }, 30_000);
      const signedHeader = SignedHeader.encode(signedHeaderFromRpc(commit!.signed_header)).finish();
      const stateKey = storageKey(guardId, key);
      const out = await device(["verify-state", "--chain", trust.chainId, "--valset", xhex(valset), "--signed-header", xhex(signedHeader), "--state-key", xhex(stateKey), xhex(q.value)],
        `device ${d.index} verify-state`);
      const mm = /^value 0x([0-9a-f]+) height=(\d+) signers=(\d+) validators=(\d+) power=(\d+)\/(\d+)$/.exec(out);
      if (!mm) throw new FleetError(`device ${d.index}: verify-state printed '${out}'`);
      if (Number(mm[2]) !== stateHeight + 1) throw new FleetError(`device ${d.index}: verified block ${mm[2]}, expected ${stateHeight + 1}`);
      const value = new Uint8Array(Buffer.from(mm[1]!, "hex"));
      return { device: d.index, chainId: trust.chainId, valset, signedHeader, stateKey, proof: q.value, value, block: Number(mm[2]), signers: Number(mm[3]) };
    });
    const isolatedDevices: number[] = [];
    for (const s of statuses) {
      const d = devs[s.device]!;
      if (structField(guard, "Stats", s.value, "isolated") === 1n) isolatedDevices.push(s.device);
      const seen = structField(guard, "Stats", s.value, "seen");
      if (seen !== BigInt(d.accepted)) throw new FleetError(`device ${s.device}: the verified status has seen ${seen} readings, the device had ${d.accepted} accepted`);
    }
    if (isolatedDevices.length !== 1 || isolatedDevices[0] !== drifterIndex) throw new FleetError(`verified statuses say isolated: [${isolatedDevices.join(", ")}], expected [${drifterIndex}]`);
    log(`${statuses.length} devices verified their status in C (commit of ${statuses[0]!.signers}+ validators, state proof): device ${drifterIndex} isolated, the others not`);

    // a forged header (its app hash changed) must be refused by the same C verifier
    const s0 = statuses[0]!;
    const forged = s0.signedHeader.slice();
    const appHash = SignedHeader.decode(s0.signedHeader).header!.appHash;
    const at = Buffer.from(forged).indexOf(Buffer.from(appHash));
    if (at < 0) throw new FleetError("the signed header does not contain its app hash");
    forged[at]! ^= 0x01;
    const bad = await execRun(DEVICE_PATH, ["verify-state", "--chain", s0.chainId, "--valset", xhex(s0.valset), "--signed-header", xhex(forged), "--state-key", xhex(s0.stateKey), xhex(s0.proof)], 30_000);
    if (bad.code !== 1 || !/^mote-device: 4 header_hash: /.test(bad.err)) throw new FleetError(`a forged header was not refused as header_hash: exit ${bad.code}: ${bad.err.trim()}`);
    const forgedHeaderRefused = bad.err.trim().replace(/^mote-device: /, "");

    // -- nothing acknowledged is lost: every acknowledged transaction is in its block on every surviving node
    const checkNodes = async (nodes: number[]): Promise<number> => {
      let found = 0;
      const blocks = new Map<string, Set<string>>();
      for (const a of acks) {
        const b64 = Buffer.from(a.bytes).toString("base64");
        let all = true;
        for (const n of nodes) {
          const k = `${n}/${a.height}`;
          if (!blocks.has(k)) {
            const b = (await rpcCall(rpc(n), "block", { height: String(a.height) }, 10_000)) as { block: { data: { txs: string[] | null } } };
            blocks.set(k, new Set(b.block.data.txs ?? []));
          }
          if (!blocks.get(k)!.has(b64)) all = false;
        }
        if (!all) throw new FleetError(`${a.what}: acknowledged at height ${a.height}, missing from that block on node(s) ${nodes.join(", ")}`);
        found++;
      }
      return found;
    };
    const nodesChecked = [...live].sort((a, b) => a - b);
    let acknowledgedFound = await checkNodes(nodesChecked);
    const maxAck = Math.max(...acks.map((a) => a.height));
    if (killed !== null) {
      const st = await mote(["net", "start", String(killed), "--dir", dir]);
      if (st.code !== 0) throw new FleetError(`mote net start ${killed}: ${st.err.trim()}`);
      await waitUntil(`node${killed} to catch up to height ${maxAck}`, async () => (await heightOf(rpc(killed!))) >= maxAck, 120_000);
      live.add(killed);
      acknowledgedFound = Math.min(acknowledgedFound, await checkNodes([killed]));
      nodesChecked.push(killed);
      log(`node${killed} restarted and caught up: it holds every acknowledged transaction too`);
    }
    return {
      devices: o.devices,
      validators: o.validators,
      rounds,
      readingsAccepted,
      readingsRefused,
      refusedMessage,
      drifter: drifterIndex,
      isolationHeight,
      isolatedDevices,
      proofsVerified: statuses.length,
      forgedHeaderRefused,
      killed,
      killedAtHeight,
      acknowledged: acks.length,
      acknowledgedFound,
      nodesChecked,
      finalHeight: await heightOf(rpc(0)),
      seconds: (Date.now() - started) / 1000,
      statuses,
    };
  } finally {
    if (m) await Promise.all(m.nodes.map((n) => stopNode(n.home, 5000)));
    if (base) releaseBasePort(base);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function abciQueryJson(url: string, path: string, data: Uint8Array): Promise<{ nonce: string }> {
  const a = await abciQuery(url, path, data);
  if (a.code !== 0) throw new FleetError(`${url}: ${path} refused (${a.codespace}): ${a.log}`);
  return JSON.parse(Buffer.from(a.value).toString("utf8")) as { nonce: string };
}

export function summaryLines(s: FleetSummary): string[] {
  return [
    `fleet: ${s.devices} devices (C SDK processes), ${s.validators} validators, ${s.rounds} rounds`,
    `  readings      ${s.readingsAccepted} accepted, ${s.readingsRefused} refused (${s.refusedMessage ? `"${s.refusedMessage}"` : "-"})`,
    `  isolation     device ${s.drifter} drifted +${DRIFT_PER_ROUND} °C/round after the guard's warm-up; isolated at height ${s.isolationHeight}`,
    `  proofs        ${s.proofsVerified} of ${s.devices} devices verified their own guard status in C (commit >2/3 of the validators' power, then the state proof); isolated: [${s.isolatedDevices.join(", ")}]`,
    `  forged header refused in C: ${s.forgedHeaderRefused ?? "-"}`,
    s.killed === null
      ? `  validators    none killed`
      : `  validators    node${s.killed} SIGKILLed midway (height ${s.killedAtHeight}), restarted at the end`,
    `  acknowledged  ${s.acknowledgedFound} of ${s.acknowledged} transactions in their blocks on nodes ${s.nodesChecked.join(", ")}`,
    `  chain         height ${s.finalHeight}; ${s.seconds.toFixed(1)} s wall clock`,
  ];
}

function parseArgs(argv: string[]): { devices: number; validators: number; runs: boolean[]; rounds?: number } {
  let devices = 20;
  let validators = 4;
  let rounds: number | undefined;
  let kill: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = argv[++i];
      if (v === undefined || !/^[0-9]+$/.test(v)) throw new FleetError(`${a}: expected a positive integer, got '${v ?? ""}'`);
      return Number(v);
    };
    if (a === "--devices") devices = num();
    else if (a === "--validators") validators = num();
    else if (a === "--rounds") rounds = num();
    else if (a === "--kill-validator") kill = true;
    else if (a === "--no-kill") kill = false;
    else if (a === "--record") continue; // bench/results-path.ts reads it
    else throw new FleetError(`unknown option '${a}' (--devices N, --validators N, --rounds N, --kill-validator, --no-kill)`);
  }
  return { devices, validators, rounds, runs: kill === undefined ? [false, true] : [kill] };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    const a = parseArgs(process.argv.slice(2));
    const runs: Record<string, unknown>[] = [];
    for (const kill of a.runs) {
      process.stdout.write(`\n== ${kill ? "run with one validator killed midway" : "run"} ==\n`);
      const s = await runFleet({ devices: a.devices, validators: a.validators, killValidator: kill, rounds: a.rounds, log: (l) => process.stdout.write(`  ${l}\n`) });
      process.stdout.write(`${summaryLines(s).join("\n")}\n`);
      const { statuses, ...rest } = s;
      runs.push({ ...rest, loadAverage1m: Math.round(loadavg()[0]! * 10) / 10, signersMin: Math.min(...statuses.map((t) => t.signers)) });
    }
    const out = resultPath("device-fleet.json");
    writeFileSync(out.path, `${JSON.stringify({ command: `npm run fleet -- ${process.argv.slice(2).join(" ")}`.trim(), runs }, null, 2)}\n`);
    process.stdout.write(`wrote ${out.rel}\n`);
  } catch (e) {
    process.stderr.write(`fleet: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
