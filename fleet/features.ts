// Per-device, per-window features read from a ledger's audit trail: blocks, their transactions,
// receipts and events. Nothing here reads the simulator's memory; fleet.json only names the contracts
// and the window length.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ledger, hex, resolveSelector } from "../ledger/index.ts";
import { compileContract, topicOf } from "./contracts.ts";
import type { FleetManifest } from "./sim.ts";

export const FEATURES = ["devGroup", "devSelf", "groupShift", "repeats", "maxStep", "ownTxs", "targets", "failures", "gasK"] as const;
export const NF = FEATURES.length;

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
  return JSON.parse(readFileSync(join(dir, "fleet.json"), "utf8")) as FleetManifest;
}

const median = (xs: number[]): number => {
  const a = [...xs].sort((p, q) => p - q);
  const n = a.length;
  return n === 0 ? 0 : n % 2 ? a[(n - 1) / 2]! : (a[n / 2 - 1]! + a[n / 2]!) / 2;
};
const fixedToNumber = (v: bigint): number => Number(BigInt.asIntN(64, v)) / 65536;

export async function readFleet(dir: string): Promise<FleetData> {
  const manifest = readManifest(dir);
  const registry = compileContract("contracts/device_registry.mote");
  const guard = compileContract("contracts/anomaly_guard.mote");
  const attestation = compileContract("contracts/sensor_attestation.mote");
  const fleetGuard = compileContract("contracts/fleet_guard.mote");
  const T = {
    registered: topicOf(registry, "Registered"),
    attested: topicOf(attestation, "Attested"),
    ewmaIsolated: topicOf(guard, "Isolated"),
    fleetIsolated: topicOf(fleetGuard, "Isolated"),
  };
  const C = manifest.contracts;
  const submit = resolveSelector("submit");
  const genesis = BigInt(manifest.genesis);
  const stepOf = (ts: bigint): number => Number((ts - genesis) / BigInt(manifest.stepSeconds)) - 1;
  const W = manifest.window;

  const ledger = await Ledger.open(dir);
  const groupOf = new Map<string, string>();
  const readings = new Map<string, number[][]>(); // device -> window -> values
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
    for (let h = 1n; h <= ledger.height; h++) {
      const block = ledger.block(h)!;
      const step = stepOf(block.header.timestamp);
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
            while (list.length <= w) list.push([]);
            list[w]!.push(fixedToNumber(e.values[2] as bigint));
            windows = Math.max(windows, w + 1);
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
          if (groupOf.has(d) && !ewmaIsolated.has(d)) ownOf(d, w).failures++;
        }
      }
    }
  } finally {
    ledger.close();
  }

  const devices = [...groupOf.keys()];
  const means = new Map<string, (number | null)[]>();
  for (const d of devices) {
    const list = readings.get(d) ?? [];
    means.set(d, Array.from({ length: windows }, (_, w) => (list[w]?.length ? list[w]!.reduce((a, b) => a + b, 0) / list[w]!.length : null)));
  }
  const groups = new Map<string, string[]>();
  for (const d of devices) groups.set(groupOf.get(d)!, [...(groups.get(groupOf.get(d)!) ?? []), d]);
  const groupMedian = new Map<string, number[]>();
  const groupBase = new Map<string, number>();
  for (const [g, members] of groups) {
    groupMedian.set(g, Array.from({ length: windows }, (_, w) => median(members.map((m) => means.get(m)![w]).filter((v): v is number => v !== null))));
    groupBase.set(g, groupMedian.get(g)![0]!);
  }
  const rows: WindowRow[] = [];
  for (const d of devices) {
    const g = groupOf.get(d)!;
    const base = means.get(d)![0] ?? 0;
    for (let w = 0; w < windows; w++) {
      const values = readings.get(d)?.[w] ?? [];
      if (values.length === 0) continue;
      const m = means.get(d)![w]!;
      let repeats = 0;
      let maxStep = 0;
      for (let k = 1; k < values.length; k++) {
        const diff = Math.abs(values[k]! - values[k - 1]!);
        if (diff === 0) repeats++;
        maxStep = Math.max(maxStep, diff);
      }
      const o = own.get(d)?.[w];
      const gm = groupMedian.get(g)![w]!;
      rows.push({
        device: d,
        group: g,
        window: w,
        readings: values,
        x: [m - gm, m - base, gm - groupBase.get(g)!, repeats, maxStep, o?.txs ?? 0, o?.targets.size ?? 0, o?.failures ?? 0, (o?.gas ?? 0) / 1000],
      });
    }
  }
  return { manifest, devices, groupOf, rows, ewmaIsolated, fleetIsolated, windows };
}
