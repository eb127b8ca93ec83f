// A small live fleet on a fresh embedded ledger: the registry, the anomaly guard, the attestation (linked
// to the fleet guard) and the fleet guard, deployed by one operator as fleet/sim.ts does, and devices
// whose signed readings a gateway relays with both guards' `observe`. Used by the budgets (fleet/budget.ts)
// and the scenario tests, where a model is installed while readings arrive, so windows are scored on chain
// as they close.
import { sha256 } from "@noble/hashes/sha2.js";
import { signReading } from "../ledger/device-message.ts";
import { KeyPair, Ledger, instanceId, type Receipt } from "../ledger/index.ts";
import { compileContract, errorMessage, type Compiled } from "./contracts.ts";
import { INSTALL_GAS } from "./enforce.ts";
import { GAS, groupLocation } from "./sim.ts";

const keyOf = (name: string): KeyPair => KeyPair.fromSeed(sha256(new TextEncoder().encode(`mote-fleet-mini:${name}`)));
const toFixed = (v: number): bigint => BigInt(Math.round(v * 65536));

export interface ReadingReceipts {
  submit: Receipt;
  guard: Receipt;
  fleet: Receipt;
}

export class MiniFleet {
  readonly operators = [1, 2, 3].map((k) => keyOf(`operator-${k}`));
  readonly gateway = keyOf("gateway");
  readonly fg: Compiled = compileContract("contracts/fleet_guard.mote");
  readonly att: Compiled = compileContract("contracts/sensor_attestation.mote");
  registryId!: Uint8Array;
  guardId!: Uint8Array;
  attestationId!: Uint8Array;
  fleetGuardId!: Uint8Array;
  private nonces = new Map<string, bigint>();
  private constructor(
    readonly ledger: Ledger,
    private clock: { t: bigint },
    readonly window: number,
  ) {}

  static async open(dir: string, window = 6): Promise<MiniFleet> {
    const clock = { t: 1_767_225_600n };
    const ledger = await Ledger.open(dir, { chainId: "fleet-mini", genesisTimestamp: clock.t, clock: () => (clock.t += 1n) });
    const f = new MiniFleet(ledger, clock, window);
    const op = f.operators[0]!;
    const [reg, guard, att, fg] = [0n, 1n, 2n, 3n].map((k) => instanceId(ledger.genesisHash, op.publicKey, k)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    Object.assign(f, { registryId: reg, guardId: guard, attestationId: att, fleetGuardId: fg });
    const deploys: [Compiled, unknown[]][] = [
      [compileContract("contracts/device_registry.mote"), []],
      [compileContract("contracts/anomaly_guard.mote"), [reg, att]],
      [f.att, [reg, guard]],
      [f.fg, [new Uint8Array(f.operators.flatMap((k) => [...k.publicKey])), 2n, reg, guard, att, BigInt(window)]],
    ];
    for (const [c, args] of deploys) {
      const d = ledger.deploy(op, c.module, args as never, { gas: INSTALL_GAS });
      if (d.receipt.status !== "ok") throw new Error(`deploy ${c.path}: ${errorMessage(c, d.receipt)}`);
    }
    f.must(f.att, ledger.call(op, att, "link_fleet_guard", [fg], { gas: GAS }).receipt, "link_fleet_guard");
    return f;
  }

  private must(c: Compiled, r: Receipt, what: string): Receipt {
    if (r.status !== "ok") throw new Error(`${what}: ${errorMessage(c, r)}`);
    return r;
  }

  device(i: number, group = 0): KeyPair {
    const k = keyOf(`device-${i}`);
    if (!this.nonces.has(k.publicKeyHex)) {
      const r = this.ledger.call(this.operators[0]!, this.registryId, "register", [k.publicKey, 1n, groupLocation(group)], { gas: GAS }).receipt;
      if (r.status !== "ok") throw new Error(`register device ${i}: ${r.status}`);
      this.nonces.set(k.publicKeyHex, 0n);
    }
    return k;
  }

  /** Installs packed model bytes by the first two operators' approval; returns the two receipts. */
  install(modelBytes: Uint8Array): Receipt[] {
    const p = this.must(this.fg, this.ledger.call(this.operators[0]!, this.fleetGuardId, "propose", [modelBytes], { gas: INSTALL_GAS }).receipt, "propose");
    const a = this.must(this.fg, this.ledger.call(this.operators[1]!, this.fleetGuardId, "approve", [p.returns[0]!], { gas: INSTALL_GAS }).receipt, "approve");
    return [p, a];
  }

  heartbeat(device: KeyPair): Receipt {
    return this.must(this.fg, this.ledger.call(device, this.fleetGuardId, "heartbeat", [], { gas: GAS }).receipt, "heartbeat");
  }

  /** A signed reading relayed to the attestation (its receipt). */
  submit(device: KeyPair, value: number): Receipt {
    const nonce = this.nonces.get(device.publicKeyHex)! + 1n;
    const ts = this.clock.t + 1n;
    const v = toFixed(value);
    const rc = this.ledger.call(this.gateway, this.attestationId, "submit", [device.publicKey, nonce, BigInt.asUintN(64, v), ts, signReading(device, this.attestationId, nonce, v, ts)], { gas: GAS }).receipt;
    if (rc.status === "ok") this.nonces.set(device.publicKeyHex, nonce);
    return rc;
  }

  observe(guard: "guard" | "fleet", device: KeyPair): Receipt {
    return this.ledger.call(this.gateway, guard === "guard" ? this.guardId : this.fleetGuardId, "observe", [device.publicKey], { gas: GAS }).receipt;
  }

  /** A signed reading relayed to the attestation, then both guards' `observe` (each receipt, ok or not). */
  reading(device: KeyPair, value: number): ReadingReceipts {
    return { submit: this.submit(device, value), guard: this.observe("guard", device), fleet: this.observe("fleet", device) };
  }

  close(): void {
    this.ledger.close();
  }
}
