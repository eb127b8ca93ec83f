// Scores detectors against the simulator's labels: per device, the first step a detector flags it.
// A flag at or after the device's onset is a true positive (delay = readings from the onset to the flag,
// inclusive); a flag on a healthy device, or before the onset, is a false positive. Per kind, precision
// is taken over that kind's devices and every false positive (a kind is judged against the clean fleet).
import { KINDS, type Labels } from "./sim.ts";

export interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  /** mean readings from onset to detection over the detected devices (null: none detected) */
  delay: number | null;
}

export interface DetectorResult {
  overall: Metrics;
  byKind: Record<string, Metrics>;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

function metrics(tp: number, fn: number, fp: number, delays: number[]): Metrics {
  const precision = tp + fp === 0 ? (tp + fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: round(precision), recall: round(recall), f1: round(f1), delay: delays.length ? round(delays.reduce((a, b) => a + b, 0) / delays.length) : null };
}

/** `detected`: device key -> step of the first flag. */
export function evaluate(labels: Labels, detected: Map<string, number>): DetectorResult & { healthyFlagged: string[] } {
  const byKind: Record<string, Metrics> = {};
  const healthyFlagged = labels.devices.filter((d) => d.kind === null && detected.has(d.key)).map((d) => d.key);
  const early = labels.devices.filter((d) => d.kind !== null && detected.has(d.key) && detected.get(d.key)! < d.onset!);
  let TP = 0, FN = 0;
  const all: number[] = [];
  for (const kind of KINDS) {
    const ds = labels.devices.filter((d) => d.kind === kind);
    let tp = 0, fn = 0;
    const delays: number[] = [];
    for (const d of ds) {
      const s = detected.get(d.key);
      if (s !== undefined && s >= d.onset!) {
        tp++;
        delays.push(s - d.onset! + 1);
      } else fn++;
    }
    const fpKind = healthyFlagged.length + early.filter((d) => d.kind === kind).length;
    byKind[kind] = metrics(tp, fn, fpKind, delays);
    TP += tp;
    FN += fn;
    all.push(...delays);
  }
  return { overall: metrics(TP, FN, healthyFlagged.length + early.length, all), byKind, healthyFlagged };
}
