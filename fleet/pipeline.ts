// The fleet benchmark's steps, shared by the CLI, `npm run fleet:bench` and the tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { enforce, type EnforceResult } from "./enforce.ts";
import { evaluate, type DetectorResult } from "./evaluate.ts";
import { readFleet, type FleetData } from "./features.ts";
import { floatScore, train, type FleetModel } from "./model.ts";
import type { Labels } from "./sim.ts";

export const trainingWindows = (calibWindows: number): number[] => Array.from({ length: calibWindows - 1 }, (_, i) => i + 1);

export async function trainFromLedger(dir: string): Promise<{ data: FleetData; model: FleetModel }> {
  const data = await readFleet(dir);
  return { data, model: train(data.rows, trainingWindows(data.manifest.calibWindows)) };
}

/** The step at which a window's verdict is known: its last reading. */
export const windowEnd = (data: FleetData, w: number): number => w * data.manifest.window + data.manifest.window - 1;

export function floatDetections(data: FleetData, model: FleetModel): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of [...data.rows].sort((a, b) => a.window - b.window)) {
    if (r.window < data.manifest.calibWindows || out.has(r.device)) continue;
    if (floatScore(model, r.x) > model.threshold) out.set(r.device, windowEnd(data, r.window));
  }
  return out;
}

export function readLabels(dir: string): Labels {
  return JSON.parse(readFileSync(join(dir, "labels.json"), "utf8")) as Labels;
}

export type Detector = "ewma" | "float" | "onchain";

export interface Evaluation {
  detections: Record<Detector, Map<string, number>>;
  results: Record<Detector, DetectorResult>;
  healthyIsolated: number;
}

/** Evaluates the three detectors on a ledger whose windows the fleet guard has already scored. */
export function evaluateAll(data: FleetData, model: FleetModel, labels: Labels): Evaluation {
  const onchain = new Map([...data.fleetIsolated].map(([d, v]) => [d, windowEnd(data, v.window)]));
  const detections = { ewma: data.ewmaIsolated, float: floatDetections(data, model), onchain };
  const ev = { ewma: evaluate(labels, detections.ewma), float: evaluate(labels, detections.float), onchain: evaluate(labels, detections.onchain) };
  const strip = ({ overall, byKind }: DetectorResult): DetectorResult => ({ overall, byKind });
  return { detections, results: { ewma: strip(ev.ewma), float: strip(ev.float), onchain: strip(ev.onchain) }, healthyIsolated: ev.onchain.healthyFlagged.length };
}

export async function trainEnforceEvaluate(dir: string): Promise<{ data: FleetData; model: FleetModel; enforced: EnforceResult; evaluation: Evaluation }> {
  const { data, model } = await trainFromLedger(dir);
  const enforced = await enforce(dir, model, data);
  const after = await readFleet(dir);
  return { data: after, model, enforced, evaluation: evaluateAll(after, model, readLabels(dir)) };
}
