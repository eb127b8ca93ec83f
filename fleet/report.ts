// `mote fleet report`: one self-contained HTML page, charts drawn by Vega-Lite and rendered to inline SVG
// (no script runs in the page): per-group readings with isolations marked, score distributions, the
// detection timeline, and the precision/recall table.
import * as vega from "vega";
import * as vl from "vega-lite";
import type { DetectorResult } from "./evaluate.ts";
import type { FleetData } from "./features.ts";
import { floatScore, type FleetModel } from "./model.ts";
import type { Labels } from "./sim.ts";

export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export interface ReportInput {
  data: FleetData;
  model: FleetModel;
  labels: Labels;
  detections: Record<"ewma" | "float" | "onchain", Map<string, number>>;
  results: Record<"ewma" | "float" | "onchain", DetectorResult>;
  healthyIsolated: number;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export async function chartSpecs(inp: ReportInput): Promise<Record<string, vl.TopLevelSpec>> {
  const { data, model, labels } = inp;
  const W = data.manifest.window;
  const byKey = new Map(labels.devices.map((d, i) => [d.key, { ...d, index: i }]));
  // groups shown: the control group and a few with faults, each kind at least once where possible
  const shown: number[] = [labels.devices[0]!.group];
  for (const d of labels.devices) if (d.kind && !shown.includes(d.group) && shown.length < 6 && !labels.devices.some((e) => shown.includes(e.group) && e.kind === d.kind)) shown.push(d.group);
  const readingRows: Record<string, unknown>[] = [];
  for (const r of data.rows) {
    const L = byKey.get(r.device)!;
    if (!shown.includes(L.group)) continue;
    r.readings.forEach((v, k) => readingRows.push({ step: r.window * W + k, value: v, device: `d${L.index}`, group: `group ${L.group}${L.control ? " (control)" : ""}`, kind: L.kind ?? "healthy" }));
  }
  const marks: Record<string, unknown>[] = [];
  for (const det of ["ewma", "onchain"] as const) {
    for (const [key, step] of inp.detections[det]) {
      const L = byKey.get(key)!;
      if (!shown.includes(L.group)) continue;
      marks.push({ step, detector: det, device: `d${L.index}`, group: `group ${L.group}${L.control ? " (control)" : ""}` });
    }
  }
  const scoreRows = data.rows
    .filter((r) => r.window >= data.manifest.calibWindows)
    .map((r) => {
      const L = byKey.get(r.device)!;
      const faulty = L.kind !== null && r.window * W + W - 1 >= L.onset!;
      return { log10score: Math.log10(Math.max(floatScore(model, r.x), 1e-3)), status: faulty ? `faulty (${L.kind})` : "healthy" };
    });
  const timeline: Record<string, unknown>[] = [];
  for (const d of labels.devices) {
    if (!d.kind) continue;
    timeline.push({ device: d.key.slice(0, 8), kind: d.kind, step: d.onset, what: "onset" });
    for (const det of ["ewma", "float", "onchain"] as const) {
      const s = inp.detections[det].get(d.key);
      if (s !== undefined) timeline.push({ device: d.key.slice(0, 8), kind: d.kind, step: s, what: det });
    }
  }
  return {
    readings: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: "Readings per group; isolations marked (red: on-chain model, black: EWMA guard)",
      data: { values: [...readingRows.map((r) => ({ ...r, layer: "reading" })), ...marks.map((m) => ({ ...m, layer: "isolation" }))] },
      facet: { row: { field: "group", type: "nominal", title: null } },
      resolve: { scale: { y: "independent" } },
      spec: {
        width: 640,
        height: 110,
        layer: [
          { transform: [{ filter: "datum.layer === 'reading'" }], mark: { type: "line", strokeWidth: 1 }, encoding: { x: { field: "step", type: "quantitative" }, y: { field: "value", type: "quantitative", scale: { zero: false }, title: "reading" }, detail: { field: "device" }, color: { field: "kind", type: "nominal" } } },
          { transform: [{ filter: "datum.layer === 'isolation'" }], mark: { type: "rule", strokeDash: [4, 2] }, encoding: { x: { field: "step", type: "quantitative" }, color: { field: "detector", type: "nominal", scale: { domain: ["onchain", "ewma"], range: ["#d62728", "#000000"] }, legend: null } } },
        ],
      },
    } as unknown as vl.TopLevelSpec,
    scores: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: `Window scores (log10) after training; threshold ${model.threshold.toFixed(1)}`,
      width: 640,
      height: 220,
      layer: [
        { data: { values: scoreRows }, mark: "bar", encoding: { x: { field: "log10score", type: "quantitative", bin: { maxbins: 50 }, title: "log10(score)" }, y: { aggregate: "count", type: "quantitative", scale: { type: "symlog" } }, color: { field: "status", type: "nominal" } } },
        { data: { values: [{ t: Math.log10(model.threshold) }] }, mark: { type: "rule", color: "red", strokeWidth: 2 }, encoding: { x: { field: "t", type: "quantitative" } } },
      ],
    } as unknown as vl.TopLevelSpec,
    timeline: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: "Detection timeline: onset and first flag per faulty device",
      data: { values: timeline },
      width: 640,
      height: 260,
      mark: { type: "point", filled: true },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step (reading number)" },
        y: { field: "kind", type: "nominal" },
        yOffset: { field: "what", type: "nominal" },
        color: { field: "what", type: "nominal", scale: { domain: ["onset", "ewma", "float", "onchain"], range: ["#7f7f7f", "#000000", "#1f77b4", "#d62728"] } },
      },
    } as unknown as vl.TopLevelSpec,
  };
}

export function metricsTable(results: ReportInput["results"]): string {
  const kinds = Object.keys(results.onchain.byKind);
  const cell = (m: { precision: number; recall: number; f1: number; delay: number | null }): string =>
    `<td>${m.precision.toFixed(3)}</td><td>${m.recall.toFixed(3)}</td><td>${m.f1.toFixed(3)}</td><td>${m.delay ?? "–"}</td>`;
  const rows = ["overall", ...kinds].map((k) => {
    const pick = (d: DetectorResult) => (k === "overall" ? d.overall : d.byKind[k]!);
    return `<tr><th>${esc(k)}</th>${cell(pick(results.ewma))}${cell(pick(results.float))}${cell(pick(results.onchain))}</tr>`;
  });
  const head = `<tr><th rowspan="2">kind</th><th colspan="4">EWMA guard</th><th colspan="4">float model</th><th colspan="4">on-chain model</th></tr><tr>${"<th>P</th><th>R</th><th>F1</th><th>delay</th>".repeat(3)}</tr>`;
  return `<table>${head}${rows.join("")}</table>`;
}

export async function renderReport(inp: ReportInput): Promise<string> {
  const specs = await chartSpecs(inp);
  const svgs: Record<string, string> = {};
  for (const [k, s] of Object.entries(specs)) svgs[k] = await renderSvg(s);
  const m = inp.model;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mote fleet report</title>
<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}code{background:#f4f4f4;padding:0 3px}</style>
</head><body>
<h1>Fleet report</h1>
<p>${inp.data.devices.length} devices in ${new Set(inp.data.groupOf.values()).size} groups, ${inp.data.rows.length} device windows of ${inp.data.manifest.window} readings read from the ledger.
Model <code>${m.hash.slice(0, 16)}…</code> (PCA, ${m.nk} components over ${m.features.length} features, ${m.bytes.length / 2} bytes, threshold ${m.threshold.toFixed(2)}), trained on windows ${m.training.windows.join(", ")} (${m.training.rows} rows).
Healthy devices isolated by the on-chain model: <b>${inp.healthyIsolated}</b>.</p>
<h2>Precision, recall, F1 and detection delay</h2>
<p>Delay: readings from the onset to the first flag, inclusive (the models judge whole windows).</p>
${metricsTable(inp.results)}
<h2>Per-group readings</h2>
${svgs.readings}
<h2>Score distributions</h2>
${svgs.scores}
<h2>Detection timeline</h2>
${svgs.timeline}
</body></html>
`;
}
