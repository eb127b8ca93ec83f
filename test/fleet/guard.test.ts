// The fleet guard on a live chain (fleet/mini.ts): it computes each window's features itself from the
// readings the attestation contract accepted, scores a window as it closes once a model is installed,
// isolates, and the attestation then refuses the isolated device's readings with the fleet guard's error.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileContract } from "../../fleet/contracts.ts";
import type { WindowRow } from "../../fleet/features.ts";
import { INSTALL_GAS } from "../../fleet/enforce.ts";
import { MiniFleet } from "../../fleet/mini.ts";
import { fixedScore, qOf, quantizeFeatures, train } from "../../fleet/model.ts";
import { groupLocation, rng } from "../../fleet/sim.ts";
import { Ledger } from "../../ledger/index.ts";
import type { KeyPair, Receipt } from "../../ledger/index.ts";

const W = 6;
const GROUP = 10;
const dir = mkdtempSync(join(tmpdir(), "mote-fleet-guard-"));
let f: MiniFleet;
let devices: KeyPair[];
const r = rng(5);
const noise = (): number => (r() + r() - 1) * 0.3;
/** every reading relayed, in order: (device index, value) — what the reference replays */
const sent: [number, number][] = [];

const errorOf = (path: string, message: string): number => {
  const e = compileContract(path).abi.errors.find((x) => x.message === message);
  if (!e) throw new Error(`${path} has no error "${message}"`);
  return e.id;
};
const closedOf = (rc: Receipt): bigint[] | undefined => {
  const topic = f.fg.abi.events.find((e) => e.name === "Closed")!.topic;
  return rc.events.find((e) => e.topic === topic)?.values.slice(2) as bigint[] | undefined;
};

/** One step: a heartbeat at the window's first step, then every device's reading (`shift` added per device). */
function step(s: number, shift: (i: number) => number = () => 0): Map<number, { closed?: bigint[]; rc: ReturnType<MiniFleet["reading"]> }> {
  const out = new Map<number, { closed?: bigint[]; rc: ReturnType<MiniFleet["reading"]> }>();
  const common = noise() / 3;
  for (const [i, d] of devices.entries()) {
    if (s % W === 0) f.heartbeat(d);
    const v = Math.round((20 + common + noise() + shift(i)) * 64) / 64;
    const rc = f.reading(d, v);
    if (rc.submit.status === "ok") sent.push([i, v]);
    out.set(i, { closed: closedOf(rc.fleet), rc });
  }
  return out;
}

// ---- a reference of the guard's arithmetic (Q47.16, every division truncating toward zero) ----
const ONE = 65536n;
const q = (v: number): bigint => BigInt(Math.round(v * 65536));
const div = (a: bigint, b: bigint): bigint => (a * ONE) / b; // BigInt division truncates toward zero
let referenceMedian = 0n;
function referenceFeatures(readings: [number, number][], windowSize: number): Map<string, bigint[]> {
  let median: bigint | null = null;
  const t = new Map<number, { seen: number; sum: bigint; dev: bigint; rep: bigint; max: bigint; last: bigint; base: bigint; gbase: bigint }>();
  const out = new Map<string, bigint[]>();
  for (const [i, value] of readings) {
    const v = q(value);
    if (median === null) median = v;
    const s = t.get(i) ?? { seen: 0, sum: 0n, dev: 0n, rep: 0n, max: 0n, last: 0n, base: 0n, gbase: 0n };
    const pos = s.seen % windowSize;
    s.seen++;
    if (pos === 0) Object.assign(s, { sum: 0n, dev: 0n, rep: 0n, max: 0n });
    else {
      const d = v > s.last ? v - s.last : s.last - v;
      if (d === 0n) s.rep++;
      if (d > s.max) s.max = d;
    }
    s.sum += v;
    s.dev += v - median;
    s.last = v;
    if (v > median) median += ONE / 64n;
    if (v < median) median -= ONE / 64n;
    if (pos + 1 === windowSize) {
      const w = Math.floor((s.seen - 1) / windowSize);
      const n = BigInt(windowSize) * ONE;
      const mean = div(s.sum, n);
      if (w === 0) Object.assign(s, { base: mean, gbase: median });
      out.set(`${i}:${w}`, [div(s.dev, n), mean - s.base, median - s.gbase, s.rep * ONE, s.max]);
    }
    t.set(i, s);
  }
  referenceMedian = median ?? 0n;
  return out;
}

beforeAll(async () => {
  f = await MiniFleet.open(join(dir, "ledger"), W);
  devices = Array.from({ length: GROUP }, (_, i) => f.device(i));
}, 60_000);
afterAll(() => {
  f.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("fleet guard: features computed on chain", () => {
  const closed = new Map<string, bigint[]>();
  it("closes each device's window at its sixth observed reading with features that follow from the attested readings alone", () => {
    for (let s = 0; s < 4 * W; s++) {
      for (const [i, o] of step(s)) {
        expect(o.rc.submit.status).toBe("ok");
        expect(o.rc.fleet.status).toBe("ok");
        if (o.closed) closed.set(`${i}:${Math.floor(s / W)}`, o.closed);
        expect(o.closed !== undefined).toBe(s % W === W - 1);
      }
    }
    const ref = referenceFeatures(sent, W);
    // the group is the location the registry holds for the device: group 0's running median is its
    // members' alone
    expect(BigInt.asIntN(64, f.ledger.view(f.fleetGuardId, "group_median", [groupLocation(0)]).returns[0] as bigint)).toBe(referenceMedian);
    expect(f.ledger.view(f.fleetGuardId, "group_median", [groupLocation(1)]).returns[0]).toBe(0n);
    expect(closed.size).toBe(GROUP * 4);
    for (const [k, x] of closed) {
      expect(x.slice(0, 5).map((v) => BigInt.asIntN(64, v))).toEqual(ref.get(k));
      // ownTxs: the one heartbeat of the window
      expect(x[5]).toBe(ONE);
    }
  });

  it("refuses a reading while the fleet guard has not observed the device's previous one", () => {
    // a device of another group, so the group under test keeps its rhythm
    const d = f.device(100, 1);
    const msg = (rc: Receipt): string => f.att.abi.errors.find((e) => e.id === rc.error)?.message ?? rc.status;
    expect(f.submit(d, 20).status).toBe("ok");
    expect(f.observe("guard", d).status).toBe("ok");
    const early = f.submit(d, 20.5);
    expect(msg(early)).toBe("fleet guard has not observed the previous reading");
    expect(early.error).toBe(errorOf("contracts/sensor_attestation.mote", "fleet guard has not observed the previous reading"));
    expect(f.observe("fleet", d).status).toBe("ok");
    // each reading is observed once
    expect(f.fg.abi.errors.find((e) => e.id === f.observe("fleet", d).error)?.message).toBe("no new attested reading for this device");
    expect(f.submit(d, 20.5).status).toBe("ok");
  });
});

describe("fleet guard: the anomaly guard's isolation closes a window early", () => {
  it("closes the window on the reading the anomaly guard isolated the device on, with the readings so far", () => {
    const d = f.device(101, 2);
    const closedTopic = f.fg.abi.events.find((e) => e.name === "Closed")!.topic;
    // two normal readings, then three the anomaly guard finds absurd: the third isolates the device
    const values = [20, 20.5, 1e11, 1e11, 1e11];
    let closedAt = -1;
    for (const [k, v] of values.entries()) {
      const rc = f.reading(d, v);
      expect(rc.submit.status).toBe("ok");
      expect(rc.fleet.status).toBe("ok");
      const e = rc.fleet.events.find((x) => x.topic === closedTopic);
      if (e) {
        closedAt = k;
        expect(e.values[1]).toBe(0n);
        // maxStep: the jump to the absurd reading
        expect(BigInt.asIntN(64, e.values[6] as bigint)).toBe(BigInt(Math.round((1e11 - 20.5) * 65536)));
      }
    }
    expect(closedAt).toBe(values.length - 1);
    expect(f.ledger.view(f.guardId, "is_isolated", [d.publicKey]).returns[0]).toBe(1n);
  });
});

describe("fleet guard: scoring as windows close, and the attestation consulting it", () => {
  let model: ReturnType<typeof train>;
  beforeAll(() => {
    // train on the chain's own windows 1 to 3 (window 0 is each device's baseline), with the three
    // operator features at their usual values
    const topic = f.fg.abi.events.find((e) => e.name === "Closed")!.topic;
    const rows: WindowRow[] = f.ledger.events({ contract: f.fleetGuardId, topic }).map((e) => ({
      device: Buffer.from(e.values[0] as Uint8Array).toString("hex"),
      group: "g",
      window: Number(e.values[1] as bigint),
      readings: [],
      x: [...(e.values.slice(2) as bigint[]).map((v) => Number(BigInt.asIntN(64, v)) / 65536), 1, 0, 0.07],
    }));
    model = train(rows, [1, 2, 3]);
  });

  it("installs the model and isolates a device that parts from its group at the close of its window, with the model's version and score", () => {
    f.install(Buffer.from(model.bytes, "hex"));
    const scoredTopic = f.fg.abi.events.find((e) => e.name === "Scored")!.topic;
    const isolatedTopic = f.fg.abi.events.find((e) => e.name === "Isolated")!.topic;
    let isolatedAt: { step: number; score: bigint; version: bigint } | undefined;
    const scores: bigint[] = [];
    for (let s = 4 * W; s < 7 * W; s++) {
      // the last device slowly parts from its group (+0.06 a reading): too slowly for the anomaly guard
      for (const [i, o] of step(s, (k) => (k === GROUP - 1 ? 0.06 * (s - 4 * W + 1) : 0))) {
        if (i !== GROUP - 1 || isolatedAt === undefined) expect(o.rc.submit.status).toBe("ok");
        const sc = o.rc.fleet.events.find((e) => e.topic === scoredTopic);
        if (o.closed) {
          // scored at once, with the operator's features at the model's means
          expect(sc).toBeDefined();
          const x = [...o.closed.map((v) => BigInt.asIntN(64, v)), ...qOf(model).mean.slice(6)];
          expect(BigInt.asIntN(64, sc!.values[2] as bigint)).toBe(fixedScore(qOf(model), x));
          expect(sc!.values[3]).toBe(1n);
          if (i !== GROUP - 1) scores.push(BigInt.asIntN(64, sc!.values[2] as bigint));
        }
        const iso = o.rc.fleet.events.find((e) => e.topic === isolatedTopic);
        if (iso) {
          expect(i).toBe(GROUP - 1);
          isolatedAt = { step: s, score: BigInt.asIntN(64, iso.values[2] as bigint), version: iso.values[3] as bigint };
        }
        if (i === GROUP - 1 && isolatedAt && s > isolatedAt.step) {
          // the attestation refuses the fleet guard's isolated device, with the fleet guard's error
          expect(o.rc.submit.status).toBe("revert");
          expect(o.rc.submit.error).toBe(errorOf("contracts/sensor_attestation.mote", "device isolated by the fleet guard"));
        }
      }
    }
    expect(isolatedAt).toBeDefined();
    expect(isolatedAt!.version).toBe(1n);
    expect(Number(isolatedAt!.score) / 65536).toBeGreaterThan(model.threshold);
    expect(f.ledger.view(f.fleetGuardId, "is_isolated", [devices[GROUP - 1]!.publicKey]).returns[0]).toBe(1n);
    // the healthy members were scored too, all under the threshold
    expect(scores.length).toBeGreaterThan(0);
    expect(scores.every((s) => Number(s) / 65536 <= model.threshold)).toBe(true);
  });
});

describe("fleet guard refusals", () => {
  it("refuses bad deployments, proposals and submissions, naming each", async () => {
    const fg = f.fg;
    const ops = f.operators;
    const packed = new Uint8Array(ops.flatMap((k) => [...k.publicKey]));
    const none = new Uint8Array(32);
    let ts = 1_767_225_600n;
    const ledger = await Ledger.open(join(dir, "refusals"), { chainId: "fleet-refusals", genesisTimestamp: ts, clock: () => (ts += 1n) });
    try {
      const msg = (rc: Receipt): string => fg.abi.errors.find((e) => e.id === rc.error)?.message ?? rc.status;
      expect(msg(ledger.deploy(ops[0]!, fg.module, [packed, 4n, none, none, none, 6n], { gas: INSTALL_GAS }).receipt)).toBe("quorum must be between 1 and the number of operators");
      expect(msg(ledger.deploy(ops[0]!, fg.module, [packed, 2n, none, none, none, 1n], { gas: INSTALL_GAS }).receipt)).toBe("a window needs at least 2 readings");
      const twice = new Uint8Array([...ops[0]!.publicKey, ...ops[0]!.publicKey, ...ops[1]!.publicKey]);
      expect(msg(ledger.deploy(ops[0]!, fg.module, [twice, 2n, none, none, none, 6n], { gas: INSTALL_GAS }).receipt)).toBe("operator listed twice");
      const d = ledger.deploy(ops[0]!, fg.module, [packed, 2n, none, none, none, 6n], { gas: INSTALL_GAS });
      expect(d.receipt.status).toBe("ok");
      const model = train(Array.from({ length: 20 }, (_, i) => ({ device: `d${i}`, group: "g", window: 1, readings: [], x: [i % 3, i % 5, 0, i % 2, 0.3, 1, 1, 0, 0.07] })), [1]);
      const bytes = Buffer.from(model.bytes, "hex");
      const zeroThreshold = Buffer.from(bytes);
      zeroThreshold.fill(0, 48 * 8);
      expect(msg(ledger.call(ops[0]!, d.contract, "propose", [zeroThreshold], { gas: INSTALL_GAS }).receipt)).toBe("model threshold must be positive");
      expect(ledger.call(ops[0]!, d.contract, "propose", [bytes], { gas: INSTALL_GAS }).receipt.status).toBe("ok");
      expect(msg(ledger.call(ops[1]!, d.contract, "propose", [bytes], { gas: INSTALL_GAS }).receipt)).toBe("model already proposed for this version");
      expect(msg(ledger.call(ops[1]!, d.contract, "approve", [new Uint8Array(32).fill(5)], { gas: INSTALL_GAS }).receipt)).toBe("no such proposal");
      const extra = new Uint8Array(24);
      expect(msg(ledger.call(f.gateway, d.contract, "score", [ops[0]!.publicKey, 1n, extra], { gas: INSTALL_GAS }).receipt)).toBe("only an operator may submit window features");
    } finally {
      ledger.close();
    }
  });
});

describe("the attestation's link to the fleet guard", () => {
  it("is set once, by the registry's operator", () => {
    const msg = (rc: Receipt): string => f.att.abi.errors.find((e) => e.id === rc.error)?.message ?? rc.status;
    expect(msg(f.ledger.call(f.gateway, f.attestationId, "link_fleet_guard", [f.fleetGuardId], { gas: INSTALL_GAS }).receipt)).toBe("only the registry's operator may link the fleet guard");
    expect(msg(f.ledger.call(f.operators[0]!, f.attestationId, "link_fleet_guard", [f.fleetGuardId], { gas: INSTALL_GAS }).receipt)).toBe("fleet guard already linked");
    expect(Buffer.from(f.ledger.view(f.attestationId, "fleet_guard").returns[0] as Uint8Array)).toEqual(Buffer.from(f.fleetGuardId));
  });

  it("contracts/lib/fleet_view.mote declares FleetGuard's storage as the real contract lays it out", () => {
    const { abi } = compileContract("contracts/fleet_guard.mote");
    expect(abi.contract).toBe("FleetGuard");
    const text = readFileSync(join(import.meta.dirname, "../../contracts/lib/fleet_view.mote"), "utf8");
    const block = /extern contract FleetGuard \{([^}]*)\}/.exec(text)![1]!;
    const declared = [...block.matchAll(/storage (\w+): ([^;]+);/g)].map((m, slot) => ({ name: m[1], slot, type: m[2]!.replace(/\s+/g, "") }));
    expect(declared.length).toBe(4);
    expect(abi.storage.slice(0, declared.length)).toEqual(declared);
  });
});
