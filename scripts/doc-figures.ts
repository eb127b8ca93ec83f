// Measured figures in the docs, written from bench/results so they cannot go stale: a figure in a doc is
// `<!--fig:NAME-->value<!--/fig-->`, NAME a row of FIGURES below. `npm run docs:figures` rewrites every marked
// value from the last measurement; test/docs/figures.test.ts fails when a doc disagrees with it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(new URL(".", import.meta.url).pathname, "..");

/** The docs whose figures are marked. */
export const FIGURE_DOCS = [
  "docs/embedding.md",
  "docs/robustness.md",
  "docs/editor.md",
  "docs/benchmarks.md",
  "docs/network.md",
  "docs/device.md",
  "docs/fleet.md",
  "docs/gas.md",
];

/**
 * Everything a figure may be computed from: one result file of bench/results per key, each written by the
 * command beside it. One line per file, so branches that add one merge cleanly.
 */
export const RESULT_FILES = {
  rv32: "rv32.json", // npm run rv32
  rv32Aot: "rv32-aot.json", // npm run rv32 -- --aot --record
  latest: "latest.json", // npm run bench:budgets
  fuzz: "fuzz-long.json", // the last long fuzz run: npm run fuzz -- ... --json bench/results/fuzz-long.json
  fuzzFast: "fuzz-fast.json", // the last long fast-engine runs: npm run fuzz -- --light ... --json
  mutation: "mutation.json", // npm run mutate
  stryker: "stryker.json", // npm run mutate:js -- FILE|AREA --record
  lsp: "lsp.json", // npm run bench:lsp -- --record
  net: "net.json", // npm run bench:net -- --record
  device: "device.json", // npx tsx bench/rv32/sdk.ts --record
  deviceFleet: "device-fleet.json", // npm run fleet -- --devices 20 --validators 4 --record
  fleet: "fleet-small.json", // npm run fleet:bench -- --small --record
  fleetRun: "fleet-small-run.json", // npm run fleet:bench -- --small --record
  fleetFull: "fleet.json", // npm run fleet:bench -- --record
  fleetFullRun: "fleet-run.json", // npm run fleet:bench -- --record
  rv32Fleet: "rv32-fleet.json", // npx tsx bench/rv32/fleet.ts --record
  ledgerCost: "ledger-cost.json", // npm run bench:ledger-cost -- --record
} as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Results = Record<keyof typeof RESULT_FILES, Record<string, any>>;

export function loadResults(dir = root): Results {
  const read = (f: string) => JSON.parse(readFileSync(join(dir, "bench/results", f), "utf8"));
  return Object.fromEntries(Object.entries(RESULT_FILES).map(([key, file]) => [key, read(file)])) as Results;
}

const n = (x: number): string => Math.round(x).toLocaleString("en-US");
const d1 = (x: number): string => x.toFixed(1);

/** Each figure: its value, formatted, from the results. */
export const FIGURES: Record<string, (r: Results) => string> = {
  // the network (npm run bench:net -- --record → bench/results/net.json)
  ...Object.fromEntries(
    (["mote", "kvstore", "kvstore-socket", "null-socket"] as const).flatMap((app) =>
      [1, 4].flatMap((v) => {
        const row = (r: Results) => r.net.rows.find((x: { app: string; validators: number }) => x.app === app && x.validators === v);
        return [
          [`net.${app}${v}.tps`, (r: Results) => n(row(r).committedTxPerSec)],
          [`net.${app}${v}.p50`, (r: Results) => n(row(r).p50Ms)],
          [`net.${app}${v}.p95`, (r: Results) => n(row(r).p95Ms)],
          [`net.${app}${v}.admit`, (r: Results) => n(row(r).checkTxP50Ms)],
          [`net.${app}${v}.disk`, (r: Results) => n(row(r).diskKbPer1000Tx)],
          [`net.${app}${v}.cometRss`, (r: Results) => n(Math.max(...row(r).rssMb.cometbft))],
          [`net.${app}${v}.gen`, (r: Results) => row(r).generatorCpuMsPerTx.toFixed(2)],
          [`net.${app}${v}.genLag`, (r: Results) => d1(row(r).generatorLoopDelayP90Ms)],
          [`net.${app}${v}.cpuComet`, (r: Results) => row(r).cpuMsPerTx.cometbft.toFixed(2)],
          [`net.${app}${v}.cpuApp`, (r: Results) => row(r).cpuMsPerTx.app.toFixed(2)],
          [`net.${app}${v}.load`, (r: Results) => d1(row(r).load1)],
          [`net.${app}${v}.blocks`, (r: Results) => n(row(r).blocks)],
          [`net.${app}${v}.maxBlock`, (r: Results) => n(row(r).maxTxsPerBlock)],
          // every repetition's tx/s, in the order run (the row is the median run's)
          [`net.${app}${v}.runs`, (r: Results) => row(r).runsTxPerSec.map(n).join(", ")],
        ] as [string, (r: Results) => string][];
      }),
    ),
  ),
  "net.mote1.appRss": (r) => n(Math.max(...r.net.rows.find((x: { app: string; validators: number }) => x.app === "mote" && x.validators === 1).rssMb.app)),
  "net.mote4.appRss": (r) => n(Math.max(...r.net.rows.find((x: { app: string; validators: number }) => x.app === "mote" && x.validators === 4).rssMb.app)),
  "net.ratio1": (r) => r.net.moteVsKvstore.validators1.toFixed(2),
  "net.ratio4": (r) => r.net.moteVsKvstore.validators4.toFixed(2),
  "net.ratioSocket1": (r) => r.net.moteVsKvstoreSocket.validators1.toFixed(2),
  "net.ratioSocket4": (r) => r.net.moteVsKvstoreSocket.validators4.toFixed(2),
  "net.ratioNull1": (r) => r.net.moteVsNullSocket.validators1.toFixed(2),
  "net.ratioNull4": (r) => r.net.moteVsNullSocket.validators4.toFixed(2),
  "net.ceiling1": (r) => r.net.nullSocketVsKvstore.validators1.toFixed(2),
  "net.ceiling4": (r) => r.net.nullSocketVsKvstore.validators4.toFixed(2),
  "net.reps": (r) => n(r.net.reps),
  "net.verifyUs": (r) => n(r.net.verifyUs),
  "net.txBytes": (r) => n(r.net.rows[0].txBytes),
  "net.txs": (r) => n(r.net.rows[0].txs),
  "net.timeoutCommit": (r) => String(r.net.timeoutCommit),
  "net.blockGasLimit": (r) => n(Number(r.net.blockGasLimit)),
  "net.txGas": (r) => n(r.net.rows.find((x: { app: string }) => x.app === "mote").txGas),
  // RV32 build (npm run rv32 → bench/results/rv32.json)
  "rv32.wasmBytes": (r) => n(r.rv32.wasmBytes),
  "rv32.flash": (r) => n(r.rv32.rv32FlashBytes),
  "rv32.data": (r) => n(r.rv32.rv32Ram.data),
  "rv32.bss": (r) => n(r.rv32.rv32Ram.bss),
  "rv32.heapPeak": (r) => n(r.rv32.rv32Ram.heapPeak),
  "rv32.linearMemory": (r) => n(r.rv32.rv32Ram.linearMemory),
  "rv32.compiledCode": (r) => n(r.rv32.rv32Ram.compiledCode),
  "rv32.wasmStack": (r) => n(r.rv32.rv32Ram.wasmStack),
  "rv32.wasmStackUsed": (r) => n(r.rv32.rv32Ram.wasmStackUsed),
  "rv32.nativeStack": (r) => n(r.rv32.rv32Ram.nativeStack),
  "rv32.nativeStackSteady": (r) => n(r.rv32.rv32Ram.nativeStackSteady),
  "rv32.ramPeak": (r) => n(r.rv32.rv32RamPeakBytes),
  "rv32.compiledOverWasm": (r) => d1(r.rv32.rv32Ram.compiledCode / r.rv32.wasmBytes),
  "x86.compiledOverWasm": (r) => d1(r.rv32.x86Memory.codePageBytes / r.rv32.wasmBytes),
  "rv32.engineNew": (r) => n(r.rv32.rv32EngineNewInstr),
  ...Object.fromEntries(
    ["loop", "fib_iter", "fib", "token_transfer", "attest"].flatMap((w) => [
      [`rv32.ops.${w}`, (r: Results) => n(r.rv32.vmOpsPerUnit[w])],
      [`rv32.instr.${w}`, (r: Results) => n(r.rv32.rv32InstrPerUnit[w])],
      [`rv32.perOp.${w}`, (r: Results) => n(r.rv32.rv32InstrPerVmOp[w])],
      [`x86.ir.${w}`, (r: Results) => n(r.rv32.x86IrPerUnit[w])],
      [`x86.perOp.${w}`, (r: Results) => n(r.rv32.x86IrPerVmOp[w])],
    ]),
  ),
  // at 160 MHz, one instruction per cycle
  "rv32.loopMicros": (r) => n(r.rv32.rv32InstrPerUnit.loop / 160),
  "rv32.transferMillis": (r) => (r.rv32.rv32InstrPerUnit.token_transfer / 160_000).toFixed(2),
  "rv32.attestMillis": (r) => n(r.rv32.rv32InstrPerUnit.attest / 160_000),
  // the AOT engine on RV32 (npm run rv32 -- --aot --record → bench/results/rv32-aot.json)
  "rv32Aot.wasmBytes": (r) => n(r.rv32Aot.wasmBytes),
  "rv32Aot.flash": (r) => n(r.rv32Aot.flashBytes),
  "rv32Aot.ramPeak": (r) => n(r.rv32Aot.ramPeakBytes),
  ...Object.fromEntries(
    ["data", "bss", "heapPeak", "nativeStack", "linearMemory"].map((k) => [`rv32Aot.${k}`, (r: Results) => n(r.rv32Aot.ram[k])]),
  ),
  "rv32Aot.heapOverLinear": (r) => n(r.rv32Aot.ram.heapPeak - r.rv32Aot.ram.linearMemory),
  "rv32Aot.engineNew": (r) => n(r.rv32Aot.engineNewInstr),
  ...Object.fromEntries(
    ["loop", "fib_iter", "fib", "token_transfer", "attest"].flatMap((w) => [
      [`rv32Aot.instr.${w}`, (r: Results) => n(r.rv32Aot.instrPerUnit[w])],
      [`rv32Aot.perOp.${w}`, (r: Results) => n(r.rv32Aot.instrPerVmOp[w])],
      [`rv32Aot.os.instr.${w}`, (r: Results) => n(r.rv32Aot.vmOsVariant.instrPerUnit[w])],
    ]),
  ),
  "rv32Aot.os.flash": (r) => n(r.rv32Aot.vmOsVariant.flashBytes),
  "rv32Aot.os.ramPeak": (r) => n(r.rv32Aot.vmOsVariant.ramPeakBytes),
  "rv32Aot.loopMicros": (r) => d1(r.rv32Aot.instrPerUnit.loop / 160),
  "rv32Aot.transferMillis": (r) => (r.rv32Aot.instrPerUnit.token_transfer / 160_000).toFixed(2),
  "x86.heapPeak": (r) => n(r.rv32.x86Memory.heapPeakBytes),
  "x86.codePages": (r) => n(r.rv32.x86Memory.codePageBytes),
  "x86.nativeStack": (r) => n(r.rv32.x86Memory.nativeStackBytes),
  "x86.wasmStackUsed": (r) => n(r.rv32.x86Memory.wasmStackBytes),
  "x86.wasmStackLimit": (r) => n(r.rv32.x86Memory.wasmStackLimitBytes),
  "x86.highestNonZero": (r) => n(r.rv32.x86Memory.linearMemoryHighestNonZero),
  // the device SDK alone on RV32 (bench/rv32/sdk.ts --record → bench/results/device.json)
  ...Object.fromEntries(
    ["instrKeygen", "instrSyncNonce", "instrSignReading", "instrSignTx", "instrVerifyProof", "proofDepth", "txBytes", "proofBytes", "flashBytes", "ramBytes", "stackBytes", "heapBytes",
      "instrVerifyCommit", "commitValidators", "commitSigners", "commitBytes", "lightWorkBytes", "runtimeFlashBytes"]
      .map((k) => [`device.${k}`, (r: Results) => n(r.device.rv32Sdk[k])]),
  ),
  ...Object.fromEntries(
    ["monocypher", "monocypher-ed25519", "sha256", "platform_util", "mote_sdk", "mote_tx", "mote_proof", "mote_crypto",
      "mote_light", "mote_light_state", "mote_light.pb", "pb_decode", "pb_encode", "pb_common", "libgcc-save-restore"]
      .map((o) => [`device.flash.${o}`, (r: Results) => n(r.device.rv32Sdk.flashByObject[o])]),
  ),
  // at 160 MHz, one instruction per cycle
  "device.signTxMillis": (r) => (r.device.rv32Sdk.instrSignTx / 160_000).toFixed(1),
  "device.verifyProofMillis": (r) => (r.device.rv32Sdk.instrVerifyProof / 160_000).toFixed(2),
  // the device fleet on a local network (npm run fleet -- --devices 20 --validators 4 --record): run 0 clean,
  // run 1 with a validator killed midway
  ...Object.fromEntries(
    [0, 1].flatMap((i) =>
      ["devices", "validators", "rounds", "readingsAccepted", "readingsRefused", "isolationHeight", "proofsVerified", "acknowledged", "acknowledgedFound",
        "finalHeight", "killedAtHeight", "signersMin"].map((k) => [`deviceFleet.${i}.${k}`, (r: Results) => n(r.deviceFleet.runs[i][k])]),
    ),
  ),
  ...Object.fromEntries([0, 1].flatMap((i) => [
    [`deviceFleet.${i}.seconds`, (r: Results) => d1(r.deviceFleet.runs[i].seconds)],
    [`deviceFleet.${i}.load`, (r: Results) => d1(r.deviceFleet.runs[i].loadAverage1m)],
  ])),
  "device.flashKiB": (r) => (r.device.rv32Sdk.flashBytes / 1024).toFixed(2),
  "device.flashUnderGoal": (r) => n(32_768 - r.device.rv32Sdk.flashBytes),
  // the C runtime the SDK calls (not in flashBytes): picolibc's formatter alone, and everything else
  "device.runtimeFormatter": (r) => n(r.device.rv32Sdk.runtimeByMember["libc.a(libc_tinystdio_vfiprintf.c.o)"] ?? 0),
  "device.runtimeOther": (r) => n(r.device.rv32Sdk.runtimeFlashBytes - (r.device.rv32Sdk.runtimeByMember["libc.a(libc_tinystdio_vfiprintf.c.o)"] ?? 0)),
  "device.verifyCommitMillis": (r) => (r.device.rv32Sdk.instrVerifyCommit / 160_000).toFixed(0),
  // the light client's share of the SDK's flash: its own code, the message descriptors and nanopb's runtime
  "device.lightFlash": (r) => n(["mote_light", "mote_light_state", "mote_light.pb", "pb_decode", "pb_encode", "pb_common"].reduce((a, o) => a + r.device.rv32Sdk.flashByObject[o], 0)),
  "device.flashWithoutLight": (r) => n(r.device.rv32Sdk.flashBytes - ["mote_light", "mote_light_state", "mote_light.pb", "pb_decode", "pb_encode", "pb_common"].reduce((a, o) => a + r.device.rv32Sdk.flashByObject[o], 0)),
  // the last long fuzz run (bench/results/fuzz-long.json)
  "fuzz.seed": (r) => String(r.fuzz.seed),
  "fuzz.seconds": (r) => n(r.fuzz.seconds),
  "fuzz.cases": (r) => n(r.fuzz.cases),
  "fuzz.calls": (r) => n(r.fuzz.calls),
  "fuzz.differentialCalls": (r) => n(r.fuzz.differentialCalls),
  "fuzz.fastCalls": (r) => n(r.fuzz.fastCalls),
  "fuzz.fastDivergences": (r) => n(r.fuzz.fastDivergences),
  "fuzz.commit": (r) => String(r.fuzz.commit),
  "fuzz.verified": (r) => n(r.fuzz.verified),
  "fuzz.rejected": (r) => n(r.fuzz.rejected),
  "fuzz.findings": (r) => n(r.fuzz.findings),
  "fuzz.statuses": (r) =>
    Object.entries(r.fuzz.statuses as Record<string, number>)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(", "),
  // the last long fast-engine runs, one summary each (bench/results/fuzz-fast.json: { runs: [...] })
  "fuzzFast.runs": (r) => n(r.fuzzFast.runs.length),
  "fuzzFast.seeds": (r) => (r.fuzzFast.runs as { seed: number }[]).map((x) => String(x.seed)).join(", "),
  "fuzzFast.seconds": (r) => n(Math.max(...(r.fuzzFast.runs as { seconds: number }[]).map((x) => x.seconds))),
  ...Object.fromEntries(
    ["cases", "calls", "verified", "fastCases", "fastCalls", "fastDivergences", "differentialCalls", "findings"].map((k) => [
      `fuzzFast.${k}`,
      (r: Results) => n((r.fuzzFast.runs as Record<string, number>[]).reduce((a, x) => a + x[k]!, 0)),
    ]),
  ),
  // npm run mutate (bench/results/mutation.json)
  ...Object.fromEntries(
    ["firmware-host/src", "vm/assembly", "ledger", "compiler"].flatMap((f) => [
      [`mutation.${f}.killed`, (r: Results) => n(r.mutation.folders[f].killed)],
      [`mutation.${f}.total`, (r: Results) => n(r.mutation.folders[f].killed + r.mutation.folders[f].survived)],
    ]),
  ),
  "mutation.total": (r) => n(r.mutation.outcomes.length),
  // Stryker, one file per run (npm run mutate:js -- FILE --record → bench/results/stryker.json)
  "stryker.table": (r) => {
    const rows = Object.entries(r.stryker.files as Record<string, { killed: number; timeout: number; survived: number; noCoverage: number; ignored: number; score: number; seconds: number; load: number; date: string; first?: { score: number } }>).map(
      ([f, s]) => `| \`${f}\` | ${s.first ? `${d1(s.first.score)} %` : "-"} | ${n(s.killed + s.timeout + s.survived + s.noCoverage)} | ${n(s.killed + s.timeout)} | ${n(s.survived)} | ${n(s.noCoverage)} | ${n(s.ignored)} | ${d1(s.score)} % | ${n(s.seconds)} s at load ${d1(s.load)} | ${s.date} |`,
    );
    return `\n| file | first | mutants | killed | survived | not covered | marked equivalent | score | time | run |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n${rows.join("\n")}\n`;
  },
  ...Object.fromEntries(
    ["ledger", "compiler/checker.ts", "vm/host"].flatMap((a) => [
      [`stryker.${a}.score`, (r: Results) => (r.stryker.folders[a].files === 0 ? "not run" : `${d1(r.stryker.folders[a].score)} %`)],
      [`stryker.${a}.files`, (r: Results) => `${r.stryker.folders[a].files} of ${r.stryker.folders[a].of}`],
    ]),
  ),
  // the files of a folder not run yet (as scripts/stryker.ts AREAS lists them: ledger/index.ts, re-exports only, left out)
  ...Object.fromEntries(
    ["ledger", "vm/host"].map((a) => [
      `stryker.${a}.notRun`,
      (r: Results) => {
        const files = readdirSync(join(root, a))
          .filter((f) => f.endsWith(".ts") && !(a === "ledger" && f === "index.ts"))
          .map((f) => `${a}/${f}`)
          .sort()
          .filter((f) => !r.stryker.files[f]);
        return files.length === 0 ? "none" : files.map((f) => `\`${f}\``).join(", ");
      },
    ]),
  ),
  // language-server latency (npm run bench:lsp -- --record → bench/results/lsp.json), medians in ms
  "lsp.worstMedianMs": (r) => d1(r.lsp.worstMedianMs),
  "lsp.rounds": (r) => String(r.lsp.rounds),
  "lsp.load": (r) => (r.lsp.loadAverage ? `${d1(r.lsp.loadAverage[0])} on ${r.lsp.cores} cores` : "not recorded"),
  ...Object.fromEntries(
    ["diagnostics", "hover", "definition", "completion", "symbols", "formatting"].flatMap((q) => [
      [`lsp.${q}.worst`, (r: Results) => d1(Math.max(...r.lsp.contracts.map((c: { ms: Record<string, { median: number }> }) => c.ms[q]!.median)))],
      [`lsp.${q}.token`, (r: Results) => d1(r.lsp.contracts.find((c: { contract: string }) => c.contract === "token.mote").ms[q].median)],
    ]),
  ),
  // the fleet benchmark, small (npm run fleet:bench -- --small --record → bench/results/fleet-small*.json)
  ...Object.fromEntries(
    ["ewma", "float", "onchain"].flatMap((d) => [
      [`fleet.${d}.f1`, (r: Results) => r.fleet.detectors[d].overall.f1.toFixed(3)],
      [`fleet.${d}.precision`, (r: Results) => r.fleet.detectors[d].overall.precision.toFixed(3)],
      [`fleet.${d}.recall`, (r: Results) => r.fleet.detectors[d].overall.recall.toFixed(3)],
      [`fleet.${d}.delay`, (r: Results) => String(r.fleet.detectors[d].overall.delay ?? "–")],
      ...["drift", "spike", "stuck", "disagree", "replay", "burst", "shift"].map((k) => [`fleet.${d}.${k}.f1`, (r: Results) => r.fleet.detectors[d].byKind[k].f1.toFixed(2)]),
    ]),
  ),
  // the full one (npm run fleet:bench -- --record → bench/results/fleet*.json)
  ...Object.fromEntries(
    ["ewma", "float", "onchain"].flatMap((d) => [
      [`fleetFull.${d}.f1`, (r: Results) => r.fleetFull.detectors[d].overall.f1.toFixed(3)],
      [`fleetFull.${d}.precision`, (r: Results) => r.fleetFull.detectors[d].overall.precision.toFixed(3)],
      [`fleetFull.${d}.recall`, (r: Results) => r.fleetFull.detectors[d].overall.recall.toFixed(3)],
      [`fleetFull.${d}.delay`, (r: Results) => String(r.fleetFull.detectors[d].overall.delay ?? "–")],
      ...["drift", "spike", "stuck", "disagree", "replay", "burst", "shift"].map((k) => [`fleetFull.${d}.${k}.f1`, (r: Results) => r.fleetFull.detectors[d].byKind[k].f1.toFixed(2)]),
    ]),
  ),
  "fleetFull.healthyIsolated": (r) => n(r.fleetFull.healthyIsolated),
  "fleetFull.transactions": (r) => n(r.fleetFullRun.transactions),
  "fleetFull.simulateSeconds": (r) => n(r.fleetFullRun.simulateSeconds),
  "fleetFull.simulateCpuSeconds": (r) => n(r.fleetFullRun.simulateCpuSeconds),
  "fleetFull.scoredWindows": (r) => n(r.fleetFullRun.scoredWindows),
  "fleetFull.trainingRows": (r) => n(r.fleetFullRun.model.trainingRows),
  "fleet.healthyIsolated": (r) => n(r.fleet.healthyIsolated),
  "fleet.devices": (r) => n(r.fleetRun.devices),
  "fleet.transactions": (r) => n(r.fleetRun.transactions),
  "fleet.modelBytes": (r) => n(r.fleetRun.model.bytes),
  "fleet.threshold": (r) => r.fleetRun.model.threshold.toFixed(2),
  "fleet.scoredWindows": (r) => n(r.fleetRun.scoredWindows),
  "fleet.gasPerWindow": (r) => n(r.fleetRun.gasPerScoredWindow.max),
  "fleet.gasPerReading": (r) => n(Math.ceil(r.fleetRun.gasPerScoredWindow.max / r.fleetRun.config.window)),
  "rv32Fleet.instrPerScoredWindow": (r) => n(r.rv32Fleet.instrPerScoredWindow),
  "rv32Fleet.instrPerScoredReading": (r) => n(r.rv32Fleet.instrPerScoredReading),
  "fleet.observeGasMean": (r) => n(r.fleetRun.observeGasPerReading.mean),
  "fleet.observeGasMax": (r) => n(r.fleetRun.observeGasPerReading.max),
  "fleet.simulateCpuSeconds": (r) => n(r.fleetRun.simulateCpuSeconds),
  // wall time per gas on the Node ledger (npm run bench:ledger-cost -- --record → bench/results/ledger-cost.json)
  "ledgerCost.entries": (r) => n(r.ledgerCost.entries),
  "ledgerCost.entries1k": (r) => n(r.ledgerCost.entries1k),
  "ledgerCost.fixtureS": (r) => n(r.ledgerCost.fixtureS),
  "ledgerCost.reps": (r) => n(r.ledgerCost.reps),
  "ledgerCost.load": (r) => r.ledgerCost.loadAverage.map(d1).join("-"),
  "ledgerCost.ops": (r) => n(r.ledgerCost.ops.length),
  "ledgerCost.mean": (r) => r.ledgerCost.meanNsPerGas.toFixed(2),
  "ledgerCost.max": (r) => r.ledgerCost.maxNsPerGas.toFixed(2),
  "ledgerCost.maxOp": (r) => r.ledgerCost.maxOp,
  "ledgerCost.maxOverMean": (r) => r.ledgerCost.maxOverMean.toFixed(2),
  "ledgerCost.fullBlockMs": (r) => n(r.ledgerCost.fullBlockMs),
  "ledgerCost.blocksEntries": (r) => n(r.ledgerCost.blocksEntries ?? r.ledgerCost.entries),
  "ledgerCost.fullBlockWorkload": (r) => r.ledgerCost.fullBlockWorkload,
  "ledgerCost.openMs": (r) => n(r.ledgerCost.openMs),
  "ledgerCost.openHeapMB": (r) => n(r.ledgerCost.openHeapMB),
  ...Object.fromEntries(
    ["interpreter", "state reads", "state writes", "new entries", "hashing", "signatures", "events"].flatMap((c) => {
      const k = c.replace(" ", "-");
      return [
        [`ledgerCost.class.${k}`, (r: Results) => r.ledgerCost.classes[c].maxOverMean.toFixed(2)],
        [`ledgerCost.class.${k}.op`, (r: Results) => r.ledgerCost.classes[c].maxOp],
      ] as [string, (r: Results) => string][];
    }),
  ),
  ...Object.fromEntries(
    ["ledger:mstore new", "ledger:mstore new 1024", "ledger:mload absent", "ledger:mload present", "ledger:mstore overwrite 1024", "edverify", "add"].map((w) => [
      `ledgerCost.block.${w.replace("ledger:", "").replaceAll(" ", "-")}`,
      (r: Results) => n(r.ledgerCost.blocks.find((b: { workload: string }) => b.workload === w).ms),
    ]),
  ),
  // the current build (npm run bench:budgets → bench/results/latest.json)
  "latest.wasmBytes": (r) => n(r.latest.wasmBytes),
  "latest.vmMemory": (r) => n(r.latest.vmMemoryBytes),
  // issue 15's goals, from the same run of npm run bench:budgets
  "latest.ledgerTransfers": (r) => n(r.latest.ledgerTransfersPerSecond),
  "latest.ledgerLoad": (r) => d1(r.latest.ledgerTransfers.loadAverage),
  "latest.verifyNative": (r) => n(r.latest.ledgerTransfers.verifyNativeMicros),
  "latest.verifyNoble": (r) => n(r.latest.ledgerTransfers.verifyNobleMicros),
  "latest.docTokenBytes": (r) => n(r.latest.docTokenBytes),
  "latest.tokenBytes": (r) => n(r.latest.contractBytes.token),
  "latest.rv32RamPeak": (r) => n(r.latest.rv32RamPeakBytes),
  "latest.rv32Flash": (r) => n(r.latest.rv32FlashBytes),
  "latest.rv32Loop": (r) => n(r.latest.rv32InstrPerUnit.loop),
  "latest.rv32AotRamPeak": (r) => n(r.latest.rv32Aot.ramPeakBytes),
  "latest.rv32AotFlash": (r) => n(r.latest.rv32Aot.flashBytes),
  "latest.rv32AotLoop": (r) => n(r.latest.rv32Aot.instrPerUnit.loop),
};

const MARK = /<!--fig:([\w./-]+)-->([^<]*)<!--\/fig-->/g;

/** Every marked figure of a doc: its name, the value written, and the value the results give. */
export function figuresOf(text: string, r: Results): { name: string; written: string; want: string | undefined }[] {
  return [...text.matchAll(MARK)].map((m) => ({ name: m[1]!, written: m[2]!, want: FIGURES[m[1]!]?.(r) }));
}

export function rewrite(text: string, r: Results): string {
  return text.replace(MARK, (all, name: string) => {
    const f = FIGURES[name];
    if (!f) throw new Error(`unknown figure ${name}: add it to FIGURES in scripts/doc-figures.ts`);
    return `<!--fig:${name}-->${f(r)}<!--/fig-->`;
  });
}

const isMain = process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const r = loadResults();
  for (const doc of FIGURE_DOCS) {
    const path = join(root, doc);
    const text = readFileSync(path, "utf8");
    const out = rewrite(text, r);
    if (out !== text) writeFileSync(path, out);
    process.stdout.write(`${doc}: ${figuresOf(out, r).length} figures${out !== text ? " rewritten" : " up to date"}\n`);
  }
}
