// A deterministic, seeded fleet simulator that writes a labelled benchmark into a real ledger directory.
//
// Devices sit in groups of co-located sensors that should agree (the group is the location hash each
// device is registered with). Every step, a gateway relays each device's Ed25519-signed reading to the
// attestation contract and the anomaly guard's `observe` (the EWMA guard of today, on chain); once per
// window every device sends its own `heartbeat` transaction. Faults and attacks are injected from a
// labelled onset step: drift, spikes, stuck-at values, a device that slowly disagrees with its group,
// replayed readings, a compromised device bursting transactions at unusual contracts, and a coordinated
// shift of a whole group. Control groups get no fault at all.
//
// What lands on disk: the ledger (DIR, SQLite), DIR/fleet.json (the deployment: contract ids, the
// window length and clock, which anyone can also read off the chain) with the operator key files in
// DIR/keys/, and DIR/labels.json (ground truth, used only to score detectors). Features are computed
// from the ledger alone (fleet/features.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { KeyPair, Ledger, hex, instanceId, writeKeyFile, type SignedTx, type Value } from "../ledger/index.ts";
import { signReading } from "../ledger/device-message.ts";
import { compileContract, errorMessage } from "./contracts.ts";

export const KINDS = ["drift", "spike", "stuck", "disagree", "replay", "burst", "shift"] as const;
export type Kind = (typeof KINDS)[number];

export interface SimConfig {
  seed: number;
  groups: number;
  groupSize: number;
  /** groups without any fault: the clean control fleet */
  controlGroups: number;
  /** whole groups under a coordinated shift */
  shiftGroups: number;
  /** devices per individual fault kind (drift … burst) */
  perKind: number;
  steps: number;
  /** readings per window */
  window: number;
  /** windows before any onset: window 0 is the devices' baseline, the following ones the training set */
  calibWindows: number;
}

export const FULL: SimConfig = { seed: 18, groups: 100, groupSize: 10, controlGroups: 20, shiftGroups: 5, perKind: 15, steps: 36, window: 6, calibWindows: 3 };
export const MEDIUM: SimConfig = { seed: 18, groups: 25, groupSize: 8, controlGroups: 5, shiftGroups: 2, perKind: 4, steps: 36, window: 6, calibWindows: 3 };
export const SMALL: SimConfig = { seed: 18, groups: 6, groupSize: 8, controlGroups: 1, shiftGroups: 1, perKind: 1, steps: 36, window: 6, calibWindows: 3 };

export interface DeviceLabel {
  key: string;
  group: number;
  control: boolean;
  kind: Kind | null;
  onset: number | null;
}

export interface Labels {
  config: SimConfig;
  devices: DeviceLabel[];
}

export interface FleetManifest {
  chainId: string;
  genesis: string;
  stepSeconds: number;
  window: number;
  calibWindows: number;
  steps: number;
  contracts: { registry: string; guard: string; attestation: string; fleetGuard: string };
  operators: string[];
  quorum: number;
}

export const CHAIN_ID = "mote-fleet";
export const GENESIS = 1_767_225_600n;
export const STEP_SECONDS = 60;
/**
 * Gas limit of each simulated transaction, and transactions per block: the simulated chain's block gas
 * limit is their product (GAS x BLOCK_TXS), since its blocks stand for a window's traffic, not a validator's
 * second (at the ledger's state prices a transaction that writes state costs millions of gas).
 */
export const GAS = 50_000_000;
export const BLOCK_TXS = 400;

/** mulberry32: small, seeded, the same on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const seededKey = (seed: number, name: string): KeyPair => KeyPair.fromSeed(sha256(new TextEncoder().encode(`mote-fleet:${seed}:${name}`)));
const u64le = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};
const toFixed = (v: number): bigint => BigInt(Math.round(v * 65536));
export const groupLocation = (g: number): Uint8Array => sha256(new TextEncoder().encode(`fleet-site/group-${g}`));

function shuffle<T>(xs: T[], r: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Who misbehaves how and from which step: a pure function of the configuration. */
export function plan(cfg: SimConfig): DeviceLabel[] {
  const r = rng(cfg.seed * 7919 + 1);
  const n = cfg.groups * cfg.groupSize;
  const firstOnset = cfg.calibWindows * cfg.window;
  const onset = (): number => firstOnset + Math.floor(r() * cfg.window);
  const labels: DeviceLabel[] = Array.from({ length: n }, (_, i) => {
    const group = Math.floor(i / cfg.groupSize);
    return { key: hex(seededKey(cfg.seed, `device-${i}`).publicKey), group, control: group < cfg.controlGroups, kind: null, onset: null };
  });
  const open = shuffle(Array.from({ length: cfg.groups - cfg.controlGroups }, (_, k) => k + cfg.controlGroups), r);
  const shifted = open.slice(0, cfg.shiftGroups);
  for (const g of shifted) {
    const t = onset();
    for (const d of labels) if (d.group === g) Object.assign(d, { kind: "shift", onset: t });
  }
  // individual faults: at most two per group, so each group's median stays honest
  const candidates = shuffle(labels.filter((d) => !d.control && d.kind === null), r);
  const perGroup = new Map<number, number>();
  const individual = KINDS.filter((k) => k !== "shift");
  let c = 0;
  for (const kind of individual) {
    for (let m = 0; m < cfg.perKind; m++) {
      while (c < candidates.length && (perGroup.get(candidates[c]!.group) ?? 0) >= 2) c++;
      const d = candidates[c++];
      if (!d) throw new Error("fleet too small for the requested faults");
      perGroup.set(d.group, (perGroup.get(d.group) ?? 0) + 1);
      d.kind = kind;
      d.onset = onset();
    }
  }
  return labels;
}

export interface SimResult {
  /** gas of the fleet guard's `observe` per attested reading (window statistics, group median; the
   * window-closing ones record the features): mean and most */
  observeGas: { mean: number; max: number };
  txs: number;
  reverted: number;
  blocks: number;
  seconds: number;
}

/** Runs the fleet into a fresh ledger at `dir` (which must not hold one yet). */
export async function simulate(dir: string, cfg: SimConfig, log: (s: string) => void = () => {}): Promise<SimResult> {
  const started = performance.now();
  const labels = plan(cfg);
  const r = rng(cfg.seed);
  const registry = compileContract("contracts/device_registry.mote");
  const guard = compileContract("contracts/anomaly_guard.mote");
  const attestation = compileContract("contracts/sensor_attestation.mote");
  const fleetGuard = compileContract("contracts/fleet_guard.mote");
  const operators = [1, 2, 3].map((k) => seededKey(cfg.seed, `operator-${k}`));
  const op = operators[0]!;
  const gateway = seededKey(cfg.seed, "gateway");
  const attacker = seededKey(cfg.seed, "attacker");

  mkdirSync(join(dir, "keys"), { recursive: true });
  let clock = GENESIS;
  // The salt comes from the seed, so the same seed makes the same chain (and the same model).
  const salt = sha256(new TextEncoder().encode(`mote-fleet-sim/${cfg.seed}`));
  const ledger = await Ledger.open(dir, { chainId: CHAIN_ID, genesisTimestamp: GENESIS, clock: () => clock, genesis: { salt, blockGasLimit: BigInt(GAS * BLOCK_TXS) } });
  const ids = [0n, 1n, 2n, 3n].map((k) => instanceId(ledger.genesisHash, op.publicKey, k));
  const [registryId, guardId, attestationId, fleetGuardId] = ids as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  let txs = 0;
  let reverted = 0;
  let observeCount = 0;
  let observeSum = 0;
  let observeMax = 0;
  try {
    const mustOk = (label: string, rc: { status: string }, c = registry, receipt?: Parameters<typeof errorMessage>[1]): void => {
      txs++;
      if (rc.status !== "ok") throw new Error(`${label}: ${receipt ? errorMessage(c, receipt) : rc.status}`);
    };
    clock += 1n;
    for (const [c, args] of [[registry, []], [guard, [registryId, attestationId]], [attestation, [registryId, guardId]], [fleetGuard, [new Uint8Array(operators.flatMap((k) => [...k.publicKey])), 2n, registryId, guardId, attestationId, BigInt(cfg.window)]]] as const) {
      // the fleet guard's init takes [pubkey; 3] as one packed value
      const d = ledger.deploy(op, c.module, args as unknown as Value[], { gas: GAS });
      mustOk(`deploy ${c.path}`, d.receipt, c, d.receipt);
    }
    // the attestation consults the fleet guard from now on: its isolations, and that it observed each reading
    const link = ledger.call(op, attestationId, "link_fleet_guard", [fleetGuardId], { timestamp: clock });
    mustOk("link_fleet_guard", link.receipt, attestation, link.receipt);
    const keys = labels.map((_, i) => seededKey(cfg.seed, `device-${i}`));
    let opNonce = ledger.nonce(op.publicKey);
    for (let i = 0; i < keys.length; i += 200) {
      clock += 1n;
      const batch = keys.slice(i, i + 200).map((k, j) => ledger.signCall(op, registryId, "register", [k.publicKey, 1n, groupLocation(labels[i + j]!.group)], { nonce: opNonce++, gas: GAS }));
      const { outcomes } = ledger.submit(batch, { timestamp: clock });
      for (const o of outcomes) {
        if (!o.ok) throw new Error(`register: ${o.error.message}`);
        mustOk("register", o.receipt, registry, o.receipt);
      }
    }
    log(`deployed 4 contracts, registered ${keys.length} devices`);

    const groupBase = Array.from({ length: cfg.groups }, () => 5 + 25 * r());
    const nonces = keys.map(() => 0n);
    const deviceNonces = keys.map(() => 0n);
    const last = keys.map(() => 0);
    const isolated = keys.map(() => false);
    const signedHistory: Value[][][] = keys.map(() => []);
    let gwNonce = ledger.nonce(gateway.publicKey);
    let atNonce = 0n;
    const heartbeatSel = "heartbeat";
    for (let step = 0; step < cfg.steps; step++) {
      clock = GENESIS + BigInt((step + 1) * STEP_SECONDS);
      const common = Array.from({ length: cfg.groups }, () => (r() + r() - 1) * 0.1);
      const batch: { tx: SignedTx; device: number; what: "submit" | "observe" | "fleetObserve" | "own" | "replay" }[] = [];
      for (let i = 0; i < keys.length; i++) {
        const L = labels[i]!;
        const on = L.onset !== null && step >= L.onset;
        const since = on ? step - L.onset! + 1 : 0;
        let v = groupBase[L.group]! + common[L.group]! + (r() + r() - 1) * 0.3;
        if (on) {
          if (L.kind === "drift") v += 0.25 * since;
          else if (L.kind === "spike" && r() < 0.35) v += (r() < 0.5 ? -1 : 1) * (5 + 3 * r());
          else if (L.kind === "stuck") v = last[i]!;
          else if (L.kind === "disagree") v += Math.min(0.06 * since, 2.0);
          else if (L.kind === "shift") v += Math.min(0.06 * since, 2.5);
        }
        v = Math.round(v * 64) / 64;
        if (!(on && L.kind === "stuck")) last[i] = v;
        // the device's own transactions of the step come before its reading, so the window that reading
        // closes counts them
        const inWindow = step % cfg.window;
        // every device's own heartbeat, once a window, at a step of its own
        if (inWindow === i % cfg.window) {
          batch.push({ tx: ledger.signCall(keys[i]!, fleetGuardId, heartbeatSel, [], { nonce: deviceNonces[i]!++, gas: GAS }), device: i, what: "own" });
        }
        if (on && L.kind === "burst") {
          // a compromised device: heartbeats every step and probes of the registry it has no right to
          batch.push({ tx: ledger.signCall(keys[i]!, fleetGuardId, heartbeatSel, [], { nonce: deviceNonces[i]!++, gas: GAS }), device: i, what: "own" });
          if (inWindow % 4 === 1) batch.push({ tx: ledger.signCall(keys[i]!, registryId, "register", [attacker.publicKey, 1n, groupLocation(L.group)], { nonce: deviceNonces[i]!++, gas: GAS }), device: i, what: "own" });
        }
        if (!isolated[i]) {
          nonces[i]! += 1n;
          const args: Value[] = [keys[i]!.publicKey, nonces[i]!, BigInt.asUintN(64, toFixed(v)), clock, signReading(keys[i]!, attestationId, nonces[i]!, toFixed(v), clock)];
          signedHistory[i]!.push(args);
          batch.push({ tx: ledger.signCall(gateway, attestationId, "submit", args, { nonce: gwNonce++, gas: GAS }), device: i, what: "submit" });
          batch.push({ tx: ledger.signCall(gateway, guardId, "observe", [keys[i]!.publicKey], { nonce: gwNonce++, gas: GAS }), device: i, what: "observe" });
          batch.push({ tx: ledger.signCall(gateway, fleetGuardId, "observe", [keys[i]!.publicKey], { nonce: gwNonce++, gas: GAS }), device: i, what: "fleetObserve" });
        }
        if (on && L.kind === "replay" && inWindow % 3 === 2) {
          // someone replays one of the device's earlier signed readings
          const old = signedHistory[i]![Math.floor(r() * Math.max(1, signedHistory[i]!.length - 1))]!;
          batch.push({ tx: ledger.signCall(attacker, attestationId, "submit", old, { nonce: atNonce++, gas: GAS }), device: i, what: "replay" });
        }
      }
      const outcomes = [];
      for (let c = 0; c < batch.length; c += BLOCK_TXS) outcomes.push(...ledger.submit(batch.slice(c, c + BLOCK_TXS).map((b) => b.tx), { timestamp: clock }).outcomes);
      for (const [k, o] of outcomes.entries()) {
        const b = batch[k]!;
        if (!o.ok) throw new Error(`step ${step}: ${b.what} of device ${b.device} rejected: ${o.error.message}`);
        txs++;
        if (b.what === "fleetObserve" && o.receipt.status === "ok") {
          observeCount++;
          observeSum += o.receipt.gasUsed;
          observeMax = Math.max(observeMax, o.receipt.gasUsed);
        }
        if (o.receipt.status !== "ok") {
          reverted++;
          if (b.what === "submit") {
            const why = errorMessage(attestation, o.receipt);
            if (why !== "device isolated by the anomaly guard" && why !== "device isolated by the fleet guard") throw new Error(`step ${step}: device ${b.device}'s reading refused: ${why}`);
            isolated[b.device] = true;
          } else if (b.what === "observe" || b.what === "fleetObserve") {
            // the reading before it was refused
          } else if (b.what === "own" && labels[b.device]!.kind !== "burst") {
            throw new Error(`step ${step}: device ${b.device}'s heartbeat reverted: ${o.receipt.status}`);
          }
        }
      }
      if (step % 8 === 7) log(`step ${step + 1}/${cfg.steps}: ${txs} transactions, block ${ledger.height}`);
    }
    const manifest: FleetManifest = {
      chainId: CHAIN_ID,
      genesis: GENESIS.toString(),
      stepSeconds: STEP_SECONDS,
      window: cfg.window,
      calibWindows: cfg.calibWindows,
      steps: cfg.steps,
      contracts: { registry: hex(registryId), guard: hex(guardId), attestation: hex(attestationId), fleetGuard: hex(fleetGuardId) },
      operators: operators.map((k) => k.publicKeyHex),
      quorum: 2,
    };
    writeFileSync(join(dir, "fleet.json"), JSON.stringify(manifest, null, 2) + "\n");
    operators.forEach((k, j) => writeKeyFile(join(dir, "keys", `operator-${j + 1}.key`), k));
    writeFileSync(join(dir, "labels.json"), JSON.stringify({ config: cfg, devices: labels } satisfies Labels, null, 1) + "\n");
    return { observeGas: { mean: Math.round(observeSum / Math.max(1, observeCount)), max: observeMax }, txs, reverted, blocks: Number(ledger.height), seconds: (performance.now() - started) / 1000 };
  } finally {
    ledger.close();
  }
}
