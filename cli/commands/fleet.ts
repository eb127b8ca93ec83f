// `mote fleet`: fleet intelligence (docs/fleet.md). simulate a labelled fleet into a ledger, train the
// model from a ledger's audit trail, install it on chain by operator approval and score every window,
// and write the HTML report.
import type { Command } from "commander";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { quotePath } from "../../compiler/escape.ts";
import { CliError } from "../errors.ts";
import { guarded, print } from "./ledger.ts";

function readModel(path: string): import("../../fleet/model.ts").FleetModel {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new CliError(`${quotePath(path)}: cannot read the model file`);
  }
  const m = JSON.parse(text) as import("../../fleet/model.ts").FleetModel;
  if (m.format !== "mote-fleet-model/1") throw new CliError(`${quotePath(path)}: field "format": expected "mote-fleet-model/1", got ${JSON.stringify(m.format)}`);
  return m;
}

function needFleet(dir: string): void {
  if (!existsSync(join(dir, "fleet.json"))) throw new CliError(`${quotePath(dir)}: no fleet.json: not a fleet ledger (create one with mote fleet simulate)`);
}

export function register(program: Command): void {
  const fleet = program.command("fleet").description("fleet intelligence: learn from the audit trail, enforce on chain");

  fleet
    .command("simulate")
    .description("run the seeded, labelled fleet benchmark into a new ledger directory")
    .requiredOption("--out <dir>", "ledger directory to create")
    .option("--size <size>", "small (48 devices) or full (1,000 devices)", "small")
    .option("--json", "print machine-readable JSON")
    .action(async (opts: { out: string; size: string; json?: boolean }) =>
      guarded(async () => {
        const { simulate, FULL, SMALL } = await import("../../fleet/sim.ts");
        if (opts.size !== "small" && opts.size !== "full") throw new CliError(`--size: expected small or full, got '${opts.size}'`, 2);
        if (existsSync(join(opts.out, "fleet.json"))) throw new CliError(`${quotePath(opts.out)}: already holds a fleet`);
        const r = await simulate(resolve(opts.out), opts.size === "full" ? FULL : SMALL);
        print(opts, r, `${r.txs} transactions (${r.reverted} reverted) in ${r.blocks} blocks, ${r.seconds.toFixed(1)} s`);
      }),
    );

  fleet
    .command("train")
    .description("learn the model from a ledger's audit trail and write it (quantized, with its hash) as JSON")
    .option("--data <dir>", "ledger data directory")
    .option("--node <url>", "a node to read the chain from (not supported yet: use --data)")
    .requiredOption("--out <file>", "model file to write")
    .option("--json", "print machine-readable JSON")
    .action(async (opts: { data?: string; node?: string; out: string; json?: boolean }) =>
      guarded(async () => {
        if (opts.node) throw new CliError("--node: training from a node is not supported yet; export or copy the ledger and use --data", 2);
        if (!opts.data) throw new CliError("--data: the ledger directory to learn from is required", 2);
        needFleet(opts.data);
        const { trainFromLedger } = await import("../../fleet/pipeline.ts");
        const { data, model } = await trainFromLedger(resolve(opts.data));
        writeFileSync(opts.out, JSON.stringify(model, null, 1) + "\n");
        print(opts, { hash: model.hash, bytes: model.bytes.length / 2, threshold: model.threshold, rows: model.training.rows },
          `model ${model.hash} (${model.bytes.length / 2} bytes, threshold ${model.threshold.toFixed(3)}) from ${model.training.rows} of ${data.rows.length} windows`);
      }),
    );

  fleet
    .command("enforce")
    .description("install the model on chain (operators 1 and 2 of 3 approve) and score every window after training")
    .requiredOption("--data <dir>", "ledger data directory")
    .requiredOption("--model <file>", "model file (mote fleet train)")
    .option("--json", "print machine-readable JSON")
    .action(async (opts: { data: string; model: string; json?: boolean }) =>
      guarded(async () => {
        needFleet(opts.data);
        const model = readModel(opts.model);
        const { readFleet } = await import("../../fleet/features.ts");
        const { enforce } = await import("../../fleet/enforce.ts");
        const r = await enforce(resolve(opts.data), model, await readFleet(resolve(opts.data)));
        print(opts, { version: r.version, modelHash: r.modelHash, scored: r.scored.length, isolated: r.isolated.size },
          `model version ${r.version} (${r.modelHash.slice(0, 16)}…) installed; ${r.scored.length} windows scored, ${r.isolated.size} devices isolated`);
      }),
    );

  fleet
    .command("report")
    .description("write the HTML report: readings with isolations, score distributions, detection timeline, precision/recall")
    .requiredOption("--data <dir>", "ledger data directory (with labels.json)")
    .requiredOption("--model <file>", "model file (mote fleet train)")
    .requiredOption("--out <file>", "HTML file to write")
    .action(async (opts: { data: string; model: string; out: string }) =>
      guarded(async () => {
        needFleet(opts.data);
        const model = readModel(opts.model);
        const { readFleet } = await import("../../fleet/features.ts");
        const { evaluateAll, readLabels } = await import("../../fleet/pipeline.ts");
        const { renderReport } = await import("../../fleet/report.ts");
        const data = await readFleet(resolve(opts.data));
        const ev = evaluateAll(data, model, readLabels(opts.data));
        writeFileSync(opts.out, await renderReport({ data, model, labels: readLabels(opts.data), ...ev }));
        process.stdout.write(`wrote ${opts.out}: on-chain F1 ${ev.results.onchain.overall.f1}, ${ev.healthyIsolated} healthy isolated\n`);
      }),
    );
}
