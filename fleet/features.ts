// Per-device, per-window features read from a ledger's audit trail: blocks, their transactions,
// receipts and events. Nothing here reads the simulator's memory; fleet.json only names the contracts
// and the window length.
//
// The first six features are the fleet guard's own: it computed them on chain from the readings it
// observed and recorded them in each window's `Closed` event (and its storage). The last three (distinct
// targets, failures, gas) are what a contract cannot see; they are computed here from the transactions
// and receipts, and an operator submits them to the guard.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ledger, hex, resolveSelector, type Receipt, type SignedTx } from "../ledger/index.ts";
import { compileContract, topicOf } from "./contracts.ts";
import type { FleetManifest } from "./sim.ts";

export const FEATURES = ["devGroup", "devSelf", "groupShift", "repeats", "maxStep", "ownTxs", "targets", "failures", "gasK"] as const;
export const NF = FEATURES.length;
/** features the fleet guard computes on chain (the first NC) */
export const NC = 6;

export interface WindowRow {
  device: string;
  group: string;
  window: number;
  /** readings attested in the window */
  readings: number[];
  x: number[];
}

export interface FleetData {
  manifest: FleetManifest;
  devices: string[];
  groupOf: Map<string, string>;
  rows: WindowRow[];
  /** the anomaly guard's isolations: device -> step */
  ewmaIsolated: Map<string, number>;
  /** the fleet guard's isolations already on chain: device -> { window, score, version } */
  fleetIsolated: Map<string, { window: number; score: number; version: number }>;
  windows: number;
}

export function readManifest(dir: string): FleetManifest {
  return readManifestFile(join(dir, "fleet.json"));
}

/** A fleet.json: the deployment's contract ids, window and clock (fleet/sim.ts writes one). */
export function readManifestFile(path: string): FleetManifest {
  let m: FleetManifest;
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as FleetManifest;
  } catch (e) {
    throw new Error(`${path}: not a fleet manifest: ${(e as Error).message.split("\n")[0]}`);
  }
  for (const k of ["registry", "guard", "attestation", "fleetGuard"] as const) {
    if (!/^[0-9a-f]{64}$/.test(m?.contracts?.[k] ?? "")) throw new Error(`${path}: contracts.${k}: expected 32 bytes of hex`);
  }
  for (const k of ["window", "calibWindows", "stepSeconds"] as const) {
    if (!Number.isInteger(m[k]) || m[k] < 1) throw new Error(`${path}: ${k}: expected a positive integer`);
  }
  if (!/^\d+$/.test(m.genesis ?? "")) throw new Error(`${path}: genesis: expected the chain's start time in seconds`);
  return m;
}

const fixedToNumber = (v: bigint): number => Number(BigInt.asIntN(64, v)) / 65536;

/** One block of a chain's audit trail: its time, its transactions and their receipts, in order. */
export interface AuditBlock {
  timestamp: bigint;
  txs: SignedTx[];
  receipts: Receipt[];
}

/** Where the audit trail comes from: a ledger directory, or a node's RPC (fleet/remote.ts). */
export interface AuditSource {
  height(): Promise<bigint>;
  block(h: bigint): Promise<AuditBlock>;
  close(): void;
}

export async function ledgerSource(dir: string): Promise<AuditSource> {
  const ledger = await Ledger.open(dir);
  return {
    height: async () => ledger.height,
    block: async (h) => {
      const b = ledger.block(h)!;
      return { timestamp: b.header.timestamp, txs: b.txs, receipts: b.receipts };
    },
    close: () => ledger.close(),
  };
}

/** Reads a fleet from a ledger directory (its fleet.json unless a manifest is given). */
export async function readFleet(dir: string, manifest: FleetManifest = readManifest(dir)): Promise<FleetData> {
  return readFleetFrom(await ledgerSource(dir), manifest);
}

/** Reads a fleet from an audit source; closes the source. */
export async function readFleetFrom(source: AuditSource, manifest: FleetManifest): Promise<FleetData> {
  const registry = compileContract("contracts/device_registry.mote");
  const guard = compileContract("contracts/anomaly_guard.mote");
  const attestation = compileContract("contracts/sensor_attestation.mote");
  const fleetGuard = compileContract("contracts/fleet_guard.mote");
  const T = {
    registered: topicOf(registry, "Registered"),
    attested: topicOf(attestation, "Attested"),
    ewmaIsolated: topicOf(guard, "Isolated"),
    fleetIsolated: topicOf(fleetGuard, "Isolated"),
    closed: topicOf(fleetGuard, "Closed"),
  };
  const C = manifest.contracts;
  const submit = resolveSelector("submit");
  const genesis = BigInt(manifest.genesis);
  const stepOf = (ts: bigint): number => Number((ts - genesis) / BigInt(manifest.stepSeconds)) - 1;
  const W = manifest.window;

  const groupOf = new Map<string, string>();
  const readings = new Map<string, number[][]>(); // device -> window -> values
  const chainX = new Map<string, number[][]>(); // device -> window -> the guard's on-chain features
  const own = new Map<string, { txs: number; targets: Set<string>; failures: number; gas: number }[]>();
  const ewmaIsolated = new Map<string, number>();
  const fleetIsolated = new Map<string, { window: number; score: number; version: number }>();
  let windows = 0;
  const ownOf = (d: string, w: number) => {
    let list = own.get(d);
    if (!list) own.set(d, (list = []));
    while (list.length <= w) list.push({ txs: 0, targets: new Set(), failures: 0, gas: 0 });
    return list[w]!;
  };
  try {
    const height = await source.height();
    for (let h = 1n; h <= height; h++) {
      const block = await source.block(h);
      const step = stepOf(block.timestamp);
      const w = Math.floor(step / W);
      for (const [i, tx] of block.txs.entries()) {
        const rc = block.receipts[i]!;
        const t = tx.tx;
        const to = t.kind === "call" ? hex(t.contract) : "";
        for (const e of rc.events) {
          if (to === C.registry && e.topic === T.registered) groupOf.set(hex(e.values[0] as Uint8Array), hex(e.values[2] as Uint8Array));
          if (to === C.attestation && e.topic === T.attested) {
            const d = hex(e.values[0] as Uint8Array);
            let list = readings.get(d);
            if (!list) readings.set(d, (list = []));
            // the device's k-th attested reading belongs to its window floor(k / W), as the guard counts
            const k = list.reduce((a, l) => a + l.length, 0);
            const rw = Math.floor(k / W);
            while (list.length <= rw) list.push([]);
            list[rw]!.push(fixedToNumber(e.values[2] as bigint));
          }
          if (to === C.fleetGuard && e.topic === T.closed) {
            const d = hex(e.values[0] as Uint8Array);
            const cw = Number(e.values[1] as bigint);
            let list = chainX.get(d);
            if (!list) chainX.set(d, (list = []));
            list[cw] = e.values.slice(2, 2 + NC).map((v) => fixedToNumber(v as bigint));
            windows = Math.max(windows, cw + 1);
          }
          if (to === C.guard && e.topic === T.ewmaIsolated) {
            const d = hex(e.values[0] as Uint8Array);
            if (!ewmaIsolated.has(d)) ewmaIsolated.set(d, step);
          }
          if (to === C.fleetGuard && e.topic === T.fleetIsolated) {
            const d = hex(e.values[0] as Uint8Array);
            if (!fleetIsolated.has(d)) fleetIsolated.set(d, { window: Number(e.values[1] as bigint), score: fixedToNumber(e.values[2] as bigint), version: Number(e.values[3] as bigint) });
          }
        }
        if (step < 0) continue;
        const sender = hex(t.sender);
        if (groupOf.has(sender)) {
          // the device's own transaction
          const o = ownOf(sender, w);
          o.txs++;
          o.targets.add(t.kind === "call" ? `${to}:${t.selector}` : "deploy");
          if (rc.status !== "ok") o.failures++;
          o.gas += rc.gasUsed;
        } else if (t.kind === "call" && to === C.attestation && t.selector === submit && rc.status !== "ok") {
          // a reading in the device's name that the attestation contract refused (replays, bad signatures),
          // unless the anomaly guard had isolated the device: that is the guard's verdict, not the device's
          const d = hex(t.args[0] as Uint8Array);
          if (groupOf.has(d) && !ewmaIsolated.has(d) && !fleetIsolated.has(d)) ownOf(d, w).failures++;
        }
      }
    }
  } finally {
    source.close();
  }

  const devices = [...groupOf.keys()];
  const rows: WindowRow[] = [];
  for (const d of devices) {
    const xs = chainX.get(d) ?? [];
    for (let w = 0; w < xs.length; w++) {
      const x = xs[w];
      if (!x) continue;
      const o = own.get(d)?.[w];
      rows.push({ device: d, group: groupOf.get(d)!, window: w, readings: readings.get(d)?.[w] ?? [], x: [...x, o?.targets.size ?? 0, o?.failures ?? 0, (o?.gas ?? 0) / 1000] });
    }
  }
  return { manifest, devices, groupOf, rows, ewmaIsolated, fleetIsolated, windows };
}
