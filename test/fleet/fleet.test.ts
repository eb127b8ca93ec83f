// The fleet benchmark, small, end to end: simulate a labelled fleet into a real ledger, train from its
// audit trail (mote fleet train), install the model by 2-of-3 operator approval, score every window on
// chain, isolate, and write the report (mote fleet report). Budgets are counts (gas, bytes), not time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register } from "../../cli/commands/fleet.ts";
import { compileContract } from "../../fleet/contracts.ts";
import { NC, readFleet, type FleetData } from "../../fleet/features.ts";
import { fixedScore, floatScore, packFeatures, packModel, qOf, quantizeFeatures, type FleetModel } from "../../fleet/model.ts";
import { evaluateAll, readLabels } from "../../fleet/pipeline.ts";
import { KINDS, plan, simulate, SMALL, seededKey } from "../../fleet/sim.ts";
import { Ledger, fromHex } from "../../ledger/index.ts";
import { inProcessMote } from "../helpers/cli.ts";
import { HOST_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { runBatch } from "../../firmware-host/scripts/batch.ts";
import { MoteVM, MemoryStateStore, resultToJson } from "../../vm/host/index.ts";
import { measureFleetBudgets } from "../../fleet/budget.ts";
import { INSTALL_GAS } from "../../fleet/enforce.ts";

const mote = inProcessMote(register);
const dir = mkdtempSync(join(tmpdir(), "mote-fleet-"));
const ledgerDir = join(dir, "ledger");
const modelPath = join(dir, "model.json");
let model: FleetModel;
let data: FleetData;

beforeAll(async () => {
  await simulate(ledgerDir, SMALL);
  const t = await mote("fleet", "train", "--data", ledgerDir, "--out", modelPath);
  expect(t.err).toBe("");
  expect(t.code).toBe(0);
  model = JSON.parse(readFileSync(modelPath, "utf8")) as FleetModel;
  data = await readFleet(ledgerDir);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fleet simulator", () => {
  it("labels every kind, keeps control groups clean and is a pure function of its seed", () => {
    const labels = readLabels(ledgerDir);
    expect(labels.devices).toEqual(plan(SMALL));
    for (const k of KINDS) expect(labels.devices.some((d) => d.kind === k)).toBe(true);
    expect(labels.devices.filter((d) => d.control).every((d) => d.kind === null)).toBe(true);
    expect(plan({ ...SMALL, seed: 19 })).not.toEqual(plan(SMALL));
  });

  it("features come from the ledger: every device's readings and heartbeats are on chain", () => {
    expect(data.devices.length).toBe(SMALL.groups * SMALL.groupSize);
    const calib = data.rows.filter((r) => r.window < SMALL.calibWindows);
    expect(calib.length).toBe(data.devices.length * SMALL.calibWindows);
    expect(calib.every((r) => r.readings.length === SMALL.window && r.x[5] === 1)).toBe(true);
  });

  it("the six on-chain features are the guard's: each window's mean, repeats and largest step match its attested readings", () => {
    for (const r of data.rows.filter((w) => w.readings.length === SMALL.window)) {
      const steps = r.readings.slice(1).map((v, k) => Math.abs(v - r.readings[k]!));
      expect(r.x[3]).toBe(steps.filter((d) => d === 0).length);
      expect(r.x[4]).toBe(Math.max(...steps));
      if (r.window === 0) expect(r.x[1]).toBe(0);
    }
    // devSelf of a later window: its mean minus window 0's, as the guard computed both (truncated means)
    const d = data.rows.find((w) => w.window === 1)!;
    const base = data.rows.find((w) => w.device === d.device && w.window === 0)!;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(d.x[1]! - (mean(d.readings) - mean(base.readings)))).toBeLessThan(1e-4);
  });
});

describe("fleet train", () => {
  it("is deterministic: the same ledger gives the same model and hash", async () => {
    const again = join(dir, "again.json");
    expect((await mote("fleet", "train", "--data", ledgerDir, "--out", again)).code).toBe(0);
    expect(readFileSync(again, "utf8")).toBe(readFileSync(modelPath, "utf8"));
  });

  it("writes the quantized model whose packed bytes hash to its hash", () => {
    expect(Buffer.from(packModel(qOf(model))).toString("hex")).toBe(model.bytes);
    expect(model.bytes.length / 2).toBe((9 + 9 + 27 + 3 + 1) * 8);
  });

  it("refuses a directory that holds no fleet, and a malformed manifest (training from a node: test/network/fleet-node.test.ts)", async () => {
    const r2 = await mote("fleet", "train", "--data", dir, "--out", join(dir, "x.json"));
    expect(r2.err).toMatch(/no fleet\.json: not a fleet ledger/);
    const bad = join(dir, "bad-manifest.json");
    writeFileSync(bad, JSON.stringify({ ...data.manifest, window: 0 }));
    const r3 = await mote("fleet", "train", "--data", ledgerDir, "--manifest", bad, "--out", join(dir, "x.json"));
    expect(r3.code).not.toBe(0);
    expect(r3.err).toContain("window: expected a positive integer");
  });
});

describe("fleet guard on chain", () => {
  it("installs a model only with 2 of 3 operator approvals, keeping its hash", async () => {
    const fg = compileContract("contracts/fleet_guard.mote");
    const scratch = join(dir, "approval");
    const ops = [1, 2, 3].map((k) => seededKey(7, `op-${k}`));
    const outsider = seededKey(7, "outsider");
    let ts = 1_767_225_600n;
    const ledger = await Ledger.open(scratch, { chainId: "fleet-approval", genesisTimestamp: ts, clock: () => (ts += 1n) });
    try {
      const none = new Uint8Array(32);
      const d = ledger.deploy(ops[0]!, fg.module, [new Uint8Array(ops.flatMap((k) => [...k.publicKey])), 2n, none, none, none, 6n], { gas: INSTALL_GAS });
      const id = d.contract;
      const bytes = fromHex(model.bytes, "model bytes");
      const msg = (r: { status: string; error: number }) => fg.abi.errors.find((e) => e.id === r.error)?.message ?? r.status;
      expect(msg(ledger.call(outsider, id, "propose", [bytes], { gas: INSTALL_GAS }).receipt)).toBe("only an operator may propose a model");
      const p = ledger.call(ops[0]!, id, "propose", [bytes], { gas: INSTALL_GAS });
      expect(p.receipt.status).toBe("ok");
      const pid = p.receipt.returns[0] as Uint8Array;
      expect(ledger.view(id, "current_version").returns[0]).toBe(0n);
      const x = packFeatures(quantizeFeatures(data.rows[0]!.x.slice(NC)));
      expect(msg(ledger.call(ops[0]!, id, "score", [ops[0]!.publicKey, 0n, x]).receipt)).toBe("no model installed");
      expect(msg(ledger.call(ops[0]!, id, "approve", [pid], { gas: INSTALL_GAS }).receipt)).toBe("operator already approved this proposal");
      expect(msg(ledger.call(outsider, id, "approve", [pid], { gas: INSTALL_GAS }).receipt)).toBe("only an operator may approve a model");
      expect(ledger.call(ops[2]!, id, "approve", [pid], { gas: INSTALL_GAS }).receipt.status).toBe("ok");
      expect(ledger.view(id, "current_version").returns[0]).toBe(1n);
      // a window the chain never closed cannot be scored: the operator supplies only the three features a
      // contract cannot see
      expect(msg(ledger.call(ops[0]!, id, "score", [ops[0]!.publicKey, 1n, x]).receipt)).toBe("window not closed on chain");
      expect(Buffer.from(ledger.view(id, "model_hash", [1n]).returns[0] as Uint8Array).toString("hex")).toBe(model.hash);
      // the approval of the first proposal cannot install it again once version 1 exists
      expect(msg(ledger.call(ops[1]!, id, "approve", [pid], { gas: INSTALL_GAS }).receipt)).toBe("proposal is stale: another model was installed since");
    } finally {
      ledger.close();
    }
  });

  it("scores every benchmark window as the float model does, within 0.002 x max(1, score), and isolates with the model version", async () => {
    const r = await mote("fleet", "enforce", "--data", ledgerDir, "--model", modelPath, "--json");
    expect(r.err).toBe("");
    const out = JSON.parse(r.out) as { version: number; scored: number; isolated: number };
    expect(out.version).toBe(1);
    const after = await readFleet(ledgerDir);
    const ledger = await Ledger.open(ledgerDir);
    const fg = compileContract("contracts/fleet_guard.mote");
    const scoredTopic = fg.abi.events.find((e) => e.name === "Scored")!.topic;
    const events = ledger.events({ contract: fromHex(after.manifest.contracts.fleetGuard, "fleetGuard", 32), topic: scoredTopic });
    ledger.close();
    const byKey = new Map(after.rows.map((w) => [`${w.device}:${w.window}`, w]));
    expect(events.length).toBe(out.scored);
    expect(events.length).toBe(after.rows.filter((w) => w.window >= SMALL.calibWindows).length);
    let worst = 0;
    for (const e of events) {
      const row = byKey.get(`${Buffer.from(e.values[0] as Uint8Array).toString("hex")}:${e.values[1]}`)!;
      const onchain = BigInt.asIntN(64, e.values[2] as bigint);
      expect(onchain).toBe(fixedScore(qOf(model), quantizeFeatures(row.x)));
      const f = floatScore(model, row.x);
      const err = Math.abs(Number(onchain) / 65536 - f) / Math.max(1, f);
      worst = Math.max(worst, err);
      expect(e.values[3]).toBe(1n);
    }
    expect(worst).toBeLessThan(0.002);
    expect([...after.fleetIsolated.values()].every((v) => v.version === 1 && v.score > model.threshold)).toBe(true);

    const ev = evaluateAll(after, model, readLabels(ledgerDir));
    expect(ev.healthyIsolated).toBe(0);
    expect(ev.results.onchain.overall.f1).toBeGreaterThanOrEqual(0.9);
    for (const k of ["disagree", "burst", "shift"]) expect(ev.results.onchain.byKind[k]!.f1 - ev.results.ewma.byKind[k]!.f1).toBeGreaterThanOrEqual(0.2);
  }, 300_000);

  it("mote fleet report writes the page with its three charts and the table", async () => {
    const html = join(dir, "report.html");
    const r = await mote("fleet", "report", "--data", ledgerDir, "--model", modelPath, "--out", html);
    expect(r.code).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page.match(/<svg/g)?.length).toBe(3);
    expect(page).toContain("on-chain model");
    expect(page).toMatch(/Healthy devices isolated by the on-chain model: <b>0<\/b>/);
    expect(page).not.toContain("<script");
  }, 120_000);
});

describe("the same model at the edge", () => {
  beforeAll(async () => {
    await buildFirmwareHost({ quiet: true });
  }, 600_000);

  it("mote-host (wasm3, the firmware host) scores every benchmark window bit-identically to the Node VM", async () => {
    expect(HOST_PATH).toBeTruthy();
    const fg = compileContract("contracts/fleet_guard.mote");
    const vm = await MoteVM.create();
    const hexOf = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
    const windows = data.rows.map((r) => packFeatures(quantizeFeatures(r.x)));
    const lines = [`module ${hexOf(fg.module)}`, ...windows.map((x) => `call score_with 0x${model.bytes} ${hexOf(x)}`)];
    const r = runBatch(lines);
    expect(r.stderr).toBe("");
    expect(r.stdout.length).toBe(windows.length);
    for (const [k, x] of windows.entries()) {
      const node = vm.call(fg.module, "score_with", [fromHex(model.bytes, "model bytes"), x], { store: new MemoryStateStore() });
      expect(r.stdout[k]).toBe(resultToJson(node));
      expect(BigInt.asIntN(64, node.returns[0] as bigint)).toBe(fixedScore(qOf(model), quantizeFeatures(data.rows[k]!.x)));
    }
    // a device screening its own windows flags the sensor faults itself (stuck-at, spike, drift)
    const labels = readLabels(ledgerDir);
    const kindOf = new Map(labels.devices.map((d) => [d.key, d.kind]));
    const flagged = new Set(data.rows.filter((w, k) => w.window >= SMALL.calibWindows && BigInt(JSON.parse(r.stdout[k]!).returns[0]) > BigInt(model.q.threshold)).map((w) => kindOf.get(w.device)));
    for (const k of ["stuck", "spike", "drift"]) expect(flagged.has(k as never)).toBe(true);
    expect(flagged.has(null)).toBe(false);
  }, 120_000);
});

describe("fleet budgets (bench/budgets.json)", () => {
  it("gas per scored window and reading and the model's bytes stay within their budgets", async () => {
    const budgets = JSON.parse(readFileSync(join(import.meta.dirname, "../../bench/budgets.json"), "utf8")) as Record<string, { max: number }>;
    const f = await measureFleetBudgets();
    expect(f.gasPerScoredWindow).toBeLessThanOrEqual(budgets["fleet.gasPerScoredWindow"]!.max);
    expect(f.gasPerScoredReading).toBeLessThanOrEqual(budgets["fleet.gasPerScoredReading"]!.max);
    expect(f.modelBytes).toBeLessThanOrEqual(budgets["fleet.modelBytes"]!.max);
    expect(f.modelBytes).toBe(model.bytes.length / 2);
  }, 60_000);
});
