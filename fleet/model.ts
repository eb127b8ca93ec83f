// The fleet model: PCA (ml-pca) of standardised window features, scored by squared reconstruction error,
// quantized to Q47.16 for contracts/fleet_guard.mote. Deterministic: the same rows give the same model
// (ml-pca's SVD is deterministic; each component's sign is fixed so its largest loading is positive).
import { sha256 } from "@noble/hashes/sha2.js";
import { PCA } from "ml-pca";
import { FEATURES, NF, type WindowRow } from "./features.ts";

export const NK = 3;
export const ZMAX = 1000;
/** Standard deviations below these are raised to them: a feature that never moved in training (failures,
 * targets) must not make every later wobble an infinite z. Units: those of each feature. */
export const STD_FLOOR = [0.05, 0.05, 0.02, 0.5, 0.1, 0.25, 0.25, 0.1, 0.02];
/** The threshold is this many times the largest training score. */
export const MARGIN = 2;
const ONE = 65536n;

export interface FleetModel {
  format: "mote-fleet-model/1";
  features: string[];
  nk: number;
  mean: number[];
  std: number[];
  /** nk rows of NF loadings */
  components: number[][];
  /** 1 / training variance of each component's projection */
  weights: number[];
  threshold: number;
  /** Q47.16 raw values (strings: i64) as the contract stores them */
  q: { mean: string[]; invStd: string[]; comps: string[]; weights: string[]; threshold: string };
  /** the packed Model struct (hex) and SHA-256 of it: what the contract keeps per version */
  bytes: string;
  hash: string;
  training: { rows: number; windows: number[]; maxScore: number };
}

const toQ = (v: number): bigint => BigInt(Math.round(v * 65536));
const fromQ = (v: bigint): number => Number(v) / 65536;

export interface QModel { mean: bigint[]; invStd: bigint[]; comps: bigint[]; weights: bigint[]; threshold: bigint }

export function packModel(q: QModel): Uint8Array {
  const all = [...q.mean, ...q.invStd, ...q.comps, ...q.weights, q.threshold];
  const out = new Uint8Array(all.length * 8);
  const dv = new DataView(out.buffer);
  all.forEach((v, i) => dv.setBigInt64(i * 8, v, true));
  return out;
}

export function packFeatures(x: bigint[]): Uint8Array {
  const out = new Uint8Array(x.length * 8);
  const dv = new DataView(out.buffer);
  x.forEach((v, i) => dv.setBigInt64(i * 8, v, true));
  return out;
}

export const quantizeFeatures = (x: number[]): bigint[] => x.map(toQ);

export function qOf(m: FleetModel): QModel {
  return { mean: m.q.mean.map(BigInt), invStd: m.q.invStd.map(BigInt), comps: m.q.comps.map(BigInt), weights: m.q.weights.map(BigInt), threshold: BigInt(m.q.threshold) };
}

/** The float score: standardise, clamp, reconstruct from the library's projection and loadings. */
export function floatScore(m: Pick<FleetModel, "mean" | "std" | "components" | "weights">, x: number[]): number {
  const z = x.map((v, i) => Math.max(-ZMAX, Math.min(ZMAX, (v - m.mean[i]!) / m.std[i]!)));
  const r = [...z];
  let t = 0;
  for (const [k, c] of m.components.entries()) {
    const p = z.reduce((a, v, i) => a + v * c[i]!, 0);
    for (let i = 0; i < NF; i++) r[i]! -= p * c[i]!;
    t += p * p * m.weights[k]!;
  }
  return r.reduce((a, v) => a + v * v, 0) + t;
}

/** The contract's arithmetic, step for step (Q47.16, products truncated toward zero): a reference the
 * tests hold the contract to, and what the trainer uses to set the threshold on the quantized scale. */
export function fixedScore(q: Omit<QModel, "threshold">, x: bigint[]): bigint {
  const mul = (a: bigint, b: bigint): bigint => (a * b) / ONE;
  const zmax = BigInt(ZMAX) * ONE;
  const z = x.map((v, i) => {
    let t = mul(v - q.mean[i]!, q.invStd[i]!);
    if (t > zmax) t = zmax;
    if (t < -zmax) t = -zmax;
    return t;
  });
  const r = [...z];
  let s = 0n;
  for (let c = 0; c < NK; c++) {
    let p = 0n;
    for (let i = 0; i < NF; i++) p += mul(z[i]!, q.comps[c * NF + i]!);
    for (let i = 0; i < NF; i++) r[i]! -= mul(p, q.comps[c * NF + i]!);
    s += mul(mul(p, p), q.weights[c]!);
  }
  return r.reduce((a, v) => a + mul(v, v), s);
}

export function train(rows: WindowRow[], trainWindows: number[]): FleetModel {
  const set = rows.filter((r) => trainWindows.includes(r.window)).sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.window - b.window));
  if (set.length < NF * 2) throw new Error(`training needs at least ${NF * 2} windows, the ledger has ${set.length} in windows ${trainWindows.join(", ")}`);
  const n = set.length;
  const mean = FEATURES.map((_, i) => set.reduce((a, r) => a + r.x[i]!, 0) / n);
  const std = FEATURES.map((_, i) => Math.max(STD_FLOOR[i]!, Math.sqrt(set.reduce((a, r) => a + (r.x[i]! - mean[i]!) ** 2, 0) / (n - 1))));
  const Z = set.map((r) => r.x.map((v, i) => Math.max(-ZMAX, Math.min(ZMAX, (v - mean[i]!) / std[i]!))));
  const pca = new PCA(Z, { center: false, scale: false });
  const loadings = pca.getLoadings().to2DArray().slice(0, NK);
  const components = loadings.map((c) => {
    const big = c.reduce((b, v, i) => (Math.abs(v) > Math.abs(c[b]!) ? i : b), 0);
    return c[big]! < 0 ? c.map((v) => -v) : c;
  });
  const weights = components.map((c) => {
    const variance = Z.reduce((a, z) => a + z.reduce((b, v, i) => b + v * c[i]!, 0) ** 2, 0) / (n - 1);
    return 1 / Math.max(variance, 0.01);
  });
  const q: QModel = { mean: mean.map(toQ), invStd: std.map((s) => toQ(1 / s)), comps: components.flat().map(toQ), weights: weights.map(toQ), threshold: 0n };
  const trainScores = set.map((r) => fixedScore(q, quantizeFeatures(r.x)));
  const maxScore = trainScores.reduce((a, b) => (b > a ? b : a), 0n);
  q.threshold = maxScore * BigInt(MARGIN) > ONE ? maxScore * BigInt(MARGIN) : ONE;
  const bytes = packModel(q);
  return {
    format: "mote-fleet-model/1",
    features: [...FEATURES],
    nk: NK,
    mean,
    std,
    components,
    weights,
    threshold: fromQ(q.threshold),
    q: { mean: q.mean.map(String), invStd: q.invStd.map(String), comps: q.comps.map(String), weights: q.weights.map(String), threshold: q.threshold.toString() },
    bytes: Buffer.from(bytes).toString("hex"),
    hash: Buffer.from(sha256(bytes)).toString("hex"),
    training: { rows: n, windows: trainWindows, maxScore: fromQ(maxScore) },
  };
}
