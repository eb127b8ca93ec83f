// On-chain enforcement: operators install the model by k-of-n approval, then submit, for every window
// the fleet guard closed on chain, the three features a contract cannot see (targets, failures, gas);
// contracts/fleet_guard.mote scores them with the six it computed itself, in Q47.16, and isolates devices
// over the threshold. Appends to the same ledger the features came from.
import { join } from "node:path";
import { Ledger, fromHex, readKeyFile, type Receipt } from "../ledger/index.ts";
import { compileContract, errorMessage, eventsNamed } from "./contracts.ts";
import { NC, type FleetData } from "./features.ts";
import { packFeatures, quantizeFeatures, type FleetModel } from "./model.ts";
import { GAS } from "./sim.ts";

/** installing a model writes dozens of state entries (its packed words): a proposal or approval needs more than a score */
export const INSTALL_GAS = 50_000_000;
/** within the simulated chain's block gas limit (fleet/sim.ts: GAS x BLOCK_TXS) */
const BLOCK_TXS = 200;

export interface Scored {
  device: string;
  window: number;
  score: bigint;
  gas: number;
}

export interface EnforceResult {
  version: number;
  modelHash: string;
  installGas: number[];
  scored: Scored[];
  isolated: Map<string, { window: number; score: bigint; version: number }>;
}

export async function enforce(dir: string, model: FleetModel, data: FleetData, approvers = [1, 2]): Promise<EnforceResult> {
  const fg = compileContract("contracts/fleet_guard.mote");
  const fgId = fromHex(data.manifest.contracts.fleetGuard, "fleet.json: contracts.fleetGuard", 32);
  const keys = approvers.map((k) => readKeyFile(join(dir, "keys", `operator-${k}.key`)));
  const ledger = await Ledger.open(dir);
  let ts = ledger.headBlock.header.timestamp;
  const fail = (what: string, r: Receipt): never => {
    throw new Error(`${what}: ${errorMessage(fg, r)}`);
  };
  try {
    const bytes = fromHex(model.bytes, "model file: bytes");
    const installGas: number[] = [];
    ts += 1n;
    const p = ledger.call(keys[0]!, fgId, "propose", [bytes], { timestamp: ts, gas: INSTALL_GAS });
    if (p.receipt.status !== "ok") fail("propose", p.receipt);
    installGas.push(p.receipt.gasUsed);
    const id = p.receipt.returns[0] as Uint8Array;
    for (const k of keys.slice(1)) {
      ts += 1n;
      const a = ledger.call(k, fgId, "approve", [id], { timestamp: ts, gas: INSTALL_GAS });
      if (a.receipt.status !== "ok") fail("approve", a.receipt);
      installGas.push(a.receipt.gasUsed);
    }
    const version = Number(ledger.view(fgId, "current_version").returns[0] as bigint);
    const modelHash = Buffer.from(ledger.view(fgId, "model_hash", [BigInt(version)]).returns[0] as Uint8Array).toString("hex");
    if (modelHash !== model.hash) throw new Error(`installed model hash ${modelHash} is not the model's ${model.hash}`);

    const rows = data.rows.filter((r) => r.window >= data.manifest.calibWindows);
    const scored: Scored[] = [];
    const isolated = new Map<string, { window: number; score: bigint; version: number }>();
    let nonce = ledger.nonce(keys[0]!.publicKey);
    for (let c = 0; c < rows.length; c += BLOCK_TXS) {
      const chunk = rows.slice(c, c + BLOCK_TXS);
      const txs = chunk.map((r) => ledger.signCall(keys[0]!, fgId, "score", [fromHex(r.device, "device key", 32), BigInt(r.window), packFeatures(quantizeFeatures(r.x.slice(NC)))], { nonce: nonce++, gas: GAS }));
      ts = ledger.headBlock.header.timestamp + 1n;
      const { outcomes } = ledger.submit(txs, { timestamp: ts });
      for (const [k, o] of outcomes.entries()) {
        const r = chunk[k]!;
        if (!o.ok) throw new Error(`score ${r.device} window ${r.window}: ${o.error.message}`);
        if (o.receipt.status !== "ok") fail(`score ${r.device} window ${r.window}`, o.receipt);
        scored.push({ device: r.device, window: r.window, score: BigInt.asIntN(64, o.receipt.returns[0] as bigint), gas: o.receipt.gasUsed });
        for (const v of eventsNamed(fg, o.receipt, "Isolated")) {
          isolated.set(r.device, { window: Number(v[1] as bigint), score: BigInt.asIntN(64, v[2] as bigint), version: Number(v[3] as bigint) });
        }
      }
    }
    return { version, modelHash, installGas, scored, isolated };
  } finally {
    ledger.close();
  }
}
