// `npm run demo`: a scripted IoT fleet on a fresh temporary ledger — registry, anomaly guard and sensor
// attestation deployed, five devices reporting signed readings, one drifting until it is isolated, then
// readings sealed so only the plant's reader key opens them, then an audit of the chain and of a
// tampered copy. Every step checks its result; any miss exits non-zero.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { buildVm } from "./build-vm.ts";
import { compileSource, formatDiagnostic, readSourceFile } from "../compiler/index.ts";
import { type Abi, eventByTopic, formatValue } from "../compiler/abi.ts";
import { KeyPair, Ledger, decodeTx, hex, instanceId, readingMessage as deviceReadingMessage, type Receipt, type SignedTx, type Value } from "../ledger/index.ts";
import { readSealedReadings, sealReading } from "../ledger/data.ts";
import { ReaderKey } from "../ledger/seal.ts";
import { embeddedChain, networkChain, type FleetChain } from "./demo-chain.ts";
import { rng } from "../fleet/sim.ts"; // mulberry32: the same noise on every run and machine

const root = new URL("..", import.meta.url).pathname;
const CHAIN_ID = "mote-demo";
const GENESIS = 1_767_225_600n; // 2026-01-01T00:00:00Z: a fixed clock makes every run's chain identical
// a fixed genesis salt too (mote ledger init draws a random one): the same genesis hash, so the same ids, every run
const GENESIS_SALT = new Uint8Array(32).fill(0xd3);
const ROUND_SECONDS = 60n;
const ROUNDS = 44;
const DRIFTER = 3; // the device whose sensor starts drifting
const DRIFT_FROM = 20; // round at which it starts
const DRIFT_PER_ROUND = 0.5; // °C per round

// -- checked steps ----------------------------------------------------------------------------------

let failed = 0;
function check(ok: boolean, label: string, detail = ""): void {
  if (!ok) failed++;
  console.log(`  ${ok ? "✓" : "✗"} ${label}${detail ? `  ${detail}` : ""}`);
}

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

// -- contracts --------------------------------------------------------------------------------------

interface Compiled {
  path: string;
  module: Uint8Array;
  abi: Abi;
  id: Uint8Array;
}

/** Compiles with repository-relative file names: they are part of the ABI hashed into the module, so
 * they decide each contract's id and, with it, every hash the demo prints. */
function compile(path: string): Compiled {
  const text = readSourceFile(join(root, path));
  if (text === undefined) fail(`${path}: cannot read the contract source`);
  const r = compileSource(text, path, (p) => readSourceFile(join(root, p)));
  if (!r.module || !r.abi) {
    fail(`${path} does not compile:\n${r.diagnostics.map((d) => formatDiagnostic(d, text)).join("\n")}`);
  }
  return { path, module: r.module, abi: r.abi, id: new Uint8Array(32) };
}

function errorMessage(c: Compiled, r: Receipt): string {
  if (r.status !== "revert") return r.status;
  return c.abi.errors.find((e) => e.id === r.error)?.message ?? `error id ${r.error}`;
}

function eventsNamed(c: Compiled, r: Receipt, name: string): Value[][] {
  return r.events.filter((e) => eventByTopic(c.abi, e.topic)?.name === name).map((e) => e.values);
}

// -- the fleet --------------------------------------------------------------------------------------

const seeded = (name: string): KeyPair => KeyPair.fromSeed(sha256(new TextEncoder().encode(`mote-demo:${name}`)));
const operator = seeded("operator");
const gateway = seeded("gateway");
const places = ["cold-room", "greenhouse", "server-room", "barn", "office"];
const baseline = [4.0, 24.5, 21.0, 12.25, 19.5];
const devices = places.map((p, i) => ({ name: `sensor-${i + 1}`, place: p, key: seeded(`sensor-${i + 1}`), nonce: 0n }));

const noise = rng(0x6d6f7465);

/** A reading in °C: the baseline plus triangular noise of ±0.3, in the sensor's ADC step of 1/64. */
function sample(device: number, round: number): number {
  let v = baseline[device]! + (noise() + noise() - 1) * 0.3;
  if (device === DRIFTER - 1 && round >= DRIFT_FROM) v += DRIFT_PER_ROUND * (round - DRIFT_FROM + 1);
  return Math.round(v * 64) / 64;
}

const toFixed = (v: number): bigint => BigInt(Math.round(v * 65536));

/** The message a device signs (ledger/device-message.ts; header of contracts/sensor_attestation.mote). */
function readingMessage(contract: Uint8Array, nonce: bigint, value: number, timestamp: bigint): Uint8Array {
  return deviceReadingMessage(contract, nonce, toFixed(value), timestamp);
}

// -- gas and transactions ---------------------------------------------------------------------------

const gas = new Map<string, number[]>();
let txAccepted = 0;
let txReverted = 0;
function account(label: string, r: Receipt): void {
  if (r.status === "ok") {
    txAccepted++;
    const list = gas.get(label) ?? [];
    list.push(r.gasUsed);
    gas.set(label, list);
  } else txReverted++;
}

function stats(s: number[]): { min: number; median: number; max: number } {
  const a = [...s].sort((x, y) => x - y);
  const n = a.length;
  const median = n % 2 === 1 ? a[(n - 1) / 2]! : Math.floor((a[n / 2 - 1]! + a[n / 2]!) / 2);
  return { min: a[0]!, median, max: a[n - 1]! };
}

// -- run --------------------------------------------------------------------------------------------

const network = process.argv.slice(2).includes("--network");
for (const a of process.argv.slice(2)) if (a !== "--network") fail(`unknown option '${a}' (npm run demo [-- --network])`);
const started = performance.now();
console.log(`Mote fleet demo: five sensors, one ledger${network ? " on a 4-validator network" : ""}, an anomaly guard on chain\n`);

console.log("1. build and compile");
const vmBuild = await buildVm({ quiet: true });
check(vmBuild.bytes > 0, "vm/build/mote.wasm ready", `${vmBuild.bytes} bytes`);
const registry = compile("contracts/device_registry.mote");
const guard = compile("contracts/anomaly_guard.mote");
const attestation = compile("contracts/sensor_attestation.mote");
for (const c of [registry, guard, attestation]) check(c.module.length > 0, `compiled ${c.path}`, `${c.module.length} bytes`);

// Block times: the embedded chain's clock is the demo's (every run's chain identical); a network's is
// the engine's BFT time, and the readings' own timestamps (devices' clocks) still follow clockNow.
let clockNow = GENESIS;
let chain: FleetChain;
if (network) {
  console.log("\n   a local network: mote net up --validators 4 in a temporary directory; every call below goes through node 0's RPC");
  chain = await networkChain(root, { chainId: CHAIN_ID, validators: 4, log: (l) => console.log(`   ${l}`) });
} else {
  const dir = mkdtempSync(join(tmpdir(), "mote-demo-"));
  // removed however the demo ends, a failed step's process.exit included
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  chain = embeddedChain(await Ledger.open(dir, { chainId: CHAIN_ID, genesisTimestamp: GENESIS, clock: () => clockNow, genesis: { salt: GENESIS_SALT } }));
}
// an instance's id follows from the chain's genesis hash, its deployer and the deployer's nonce: these are the operator's first three transactions
const firstNonce = await chain.nonce(operator.publicKey);
[registry, guard, attestation].forEach((c, i) => (c.id = instanceId(chain.genesisHash, operator.publicKey, firstNonce + BigInt(i))));
try {
  console.log(`\n2. a fresh ledger ${network ? "on the network" : "in a temporary directory"}; the operator deploys the contracts`);
  const deploy = async (c: Compiled, args: Value[]): Promise<void> => {
    clockNow += 1n;
    const r = await chain.deploy(operator, c.module, args);
    account(`${c.abi.contract}.init`, r.receipt);
    check(r.receipt.status === "ok" && hex(r.contract) === hex(c.id), `deployed ${c.abi.contract}`, `id ${hex(c.id).slice(0, 16)}…  gas ${r.receipt.gasUsed}`);
  };
  await deploy(registry, []);
  // the guard is told the attestation's id before that is deployed: it is the operator's next deploy
  await deploy(guard, [registry.id, attestation.id]);
  await deploy(attestation, [registry.id, guard.id]);

  console.log("\n3. the operator registers five devices");
  for (const [i, d] of devices.entries()) {
    clockNow += 1n;
    const location = sha256(new TextEncoder().encode(`site-7/${d.place}`));
    const r = await chain.call(operator, registry.id, "register", [d.key.publicKey, 1n, location]);
    account("Registry.register", r.receipt);
    check(r.receipt.status === "ok", `registered ${d.name} (${d.place})`, `key ${d.key.publicKeyHex.slice(0, 16)}…`);
    if (i === devices.length - 1) {
      const n = (await chain.view(registry.id, "active_count")).returns[0];
      check(n === 5n, "registry counts 5 active devices");
    }
  }

  console.log(`\n4. ${ROUNDS} rounds, one a minute: the gateway relays each device's signed reading and the guard's observe in one block`);
  let isolatedAt: { round: number; nonce: bigint; height: bigint; anomalies: bigint } | null = null;
  let refused: { round: number; message: string } | null = null;
  const anomalies = new Map<string, number>();
  let readings = 0;
  let gatewayNonce = await chain.nonce(gateway.publicKey);
  for (let round = 1; round <= ROUNDS; round++) {
    clockNow += ROUND_SECONDS;
    const batch: { tx: SignedTx; contract: Compiled; label: string; device: number }[] = [];
    for (const [i, d] of devices.entries()) {
      if (isolatedAt && i === DRIFTER - 1 && refused) continue; // the gateway stops relaying an isolated device
      const value = sample(i, round);
      d.nonce += 1n;
      const sig = d.key.sign(readingMessage(attestation.id, d.nonce, value, clockNow));
      const args: Value[] = [d.key.publicKey, d.nonce, BigInt.asUintN(64, toFixed(value)), clockNow, sig];
      batch.push({ tx: chain.signCall(gateway, attestation.id, "submit", args, gatewayNonce++), contract: attestation, label: "Attestation.submit", device: i });
      if (isolatedAt && i === DRIFTER - 1) continue; // nothing for the guard to observe once the reading is refused
      batch.push({ tx: chain.signCall(gateway, guard.id, "observe", [d.key.publicKey], gatewayNonce++), contract: guard, label: "Guard.observe", device: i });
    }
    const outcomes = await chain.submit(batch.map((b) => b.tx), clockNow);
    if (!outcomes.some((o) => o.ok)) fail(`round ${round}: the ledger accepted no transaction`);
    for (const [k, o] of outcomes.entries()) {
      const b = batch[k]!;
      if (!o.ok) fail(`round ${round}: ${b.label} for ${devices[b.device]!.name} was rejected: ${o.error.message}`);
      account(b.label, o.receipt);
      const name = devices[b.device]!.name;
      if (b.label === "Attestation.submit") {
        if (o.receipt.status === "ok") readings++;
        else if (b.device === DRIFTER - 1 && isolatedAt) refused = { round, message: errorMessage(attestation, o.receipt) };
        else fail(`round ${round}: ${name}'s reading was refused: ${errorMessage(attestation, o.receipt)}`);
      } else if (o.receipt.status !== "ok") {
        fail(`round ${round}: the guard could not observe ${name}: ${errorMessage(guard, o.receipt)}`);
      }
      const raised = eventsNamed(guard, o.receipt, "Anomaly").length;
      if (raised > 0) anomalies.set(name, (anomalies.get(name) ?? 0) + raised);
      for (const v of eventsNamed(guard, o.receipt, "Isolated")) {
        if (b.device !== DRIFTER - 1) fail(`round ${round}: healthy ${name} was isolated`);
        isolatedAt = { round, nonce: v[1] as bigint, height: o.height, anomalies: v[2] as bigint };
        console.log(`     round ${String(round).padStart(2)}: the guard isolated ${name} after ${v[2]} anomalies (reading #${v[1]}, block ${o.height})`);
      }
    }
    if (refused && refused.round === round) console.log(`     round ${String(round).padStart(2)}: ${devices[DRIFTER - 1]!.name}'s next reading refused: "${refused.message}"`);
    if (round % 10 === 0) console.log(`     … round ${String(round).padStart(2)}/${ROUNDS}: ${readings} readings attested, ${txAccepted + txReverted} transactions, block ${await chain.height()}`);
  }
  const drifter = devices[DRIFTER - 1]!;
  check(readings >= 180 && readings <= 200, "about 200 readings attested", `${readings}`);
  check(isolatedAt !== null && isolatedAt.round > DRIFT_FROM, `${drifter.name} drifted, raised anomalies and was isolated`, isolatedAt ? `in round ${isolatedAt.round}` : "never");
  check(refused?.message === "device isolated by the anomaly guard", `${drifter.name}'s next reading was refused`, refused ? `"${refused.message}"` : "it was accepted");
  const healthyAnomalies = devices.filter((_, i) => i !== DRIFTER - 1).reduce((n, d) => n + (anomalies.get(d.name) ?? 0), 0);
  check(healthyAnomalies === 0, "the four healthy devices raised no anomaly");
  check((await chain.view(guard.id, "is_isolated", [drifter.key.publicKey])).returns[0] === 1n, "the guard's storage says isolated");

  console.log("\n5. an auditor recomputes every device's hash chain of readings from the events");
  const attested = await chain.events({ contract: attestation.id, topic: attestation.abi.events.find((e) => e.name === "Attested")!.topic });
  let chainsOk = true;
  for (const d of devices) {
    let head: Uint8Array = new Uint8Array(32);
    for (const e of attested.filter((x) => hex(x.values[0] as Uint8Array) === d.key.publicKeyHex)) {
      const [, nonce, value, timestamp, chain] = e.values as [Uint8Array, bigint, bigint, bigint, Uint8Array];
      head = sha256(new Uint8Array([...head, ...deviceReadingMessage(attestation.id, nonce, value, timestamp)]));
      if (hex(head) !== hex(chain)) chainsOk = false;
    }
    if (hex((await chain.view(attestation.id, "chain_of", [d.key.publicKey])).returns[0] as Uint8Array) !== hex(head)) chainsOk = false;
  }
  check(chainsOk, "all five chains match the heads stored on chain", `${attested.length} Attested events`);

  console.log("\n6. sealed readings: the cold room's next readings are encrypted to the plant's reader key");
  const readersContract = compile("contracts/data_readers.mote");
  clockNow += 1n;
  const dr = await chain.deploy(operator, readersContract.module, []);
  readersContract.id = dr.contract;
  check(dr.receipt.status === "ok", "deployed DataReaders", `id ${hex(readersContract.id).slice(0, 16)}…`);
  const plant = ReaderKey.fromSeed(sha256(new TextEncoder().encode("mote-demo:plant reader")));
  const validator = ReaderKey.fromSeed(sha256(new TextEncoder().encode("mote-demo:a validator's key")));
  const cold = devices[0]!;
  clockNow += 1n;
  const added = await chain.call(operator, readersContract.id, "add_reader", [cold.key.publicKey, plant.publicKey]);
  check(added.receipt.status === "ok", `the operator lists the plant's reader key for ${cold.name}`, `key ${hex(plant.publicKey).slice(0, 16)}…`);
  const sealedSent: { nonce: bigint; value: bigint; context: string }[] = [];
  for (let k = 1; k <= 3; k++) {
    clockNow += ROUND_SECONDS;
    cold.nonce += 1n;
    const value = toFixed(sample(0, ROUNDS + k));
    const context = `{"unit":"C","adc":[${2048 + k * 3},${2050 + k * 3}],"door":"closed"}`;
    const keys = (await chain.view(readersContract.id, "readers_for", [cold.key.publicKey, cold.nonce])).returns[0] as Uint8Array;
    const readers = Array.from({ length: keys.length / 32 }, (_, i) => keys.slice(i * 32, i * 32 + 32));
    // a device draws the ephemeral key, nonce and content key from its RNG; the demo derives them from
    // labels so that every run builds the same chain (and prints the same head hash)
    const label = (what: string): Uint8Array => sha256(new TextEncoder().encode(`mote-demo:seal ${k} ${what}`));
    const random = { ephemeralSecret: label("ephemeral"), nonce: label("nonce").subarray(0, 24), contentKey: label("content key") };
    const s = sealReading(cold.key, CHAIN_ID, attestation.id, cold.nonce, { value, timestamp: clockNow, context: new TextEncoder().encode(context) }, readers, { random });
    const txs = [
      chain.signCall(gateway, attestation.id, "submit_sealed", [s.device, s.nonce, BigInt.asUintN(64, s.value), s.timestamp, s.sealed, s.signature], gatewayNonce++),
      chain.signCall(gateway, guard.id, "observe", [cold.key.publicKey], gatewayNonce++),
    ];
    const outcomes = await chain.submit(txs, clockNow);
    for (const [i, o] of outcomes.entries()) {
      if (!o.ok || o.receipt.status !== "ok") fail(`sealed reading ${k}: ${!o.ok ? o.error.message : errorMessage(i === 0 ? attestation : guard, o.receipt)}`);
      account(i === 0 ? "Attestation.submit_sealed" : "Guard.observe", o.receipt);
    }
    sealedSent.push({ nonce: cold.nonce, value, context });
  }
  const sealedEvents = await chain.events({ contract: attestation.id });
  const opened = readSealedReadings(sealedEvents, { chainId: CHAIN_ID, contract: attestation.id, device: cold.key.publicKey, key: plant });
  check(opened.length === 3 && opened.every((r, i) => r.outcome.status === "opened" && r.outcome.publicMatches &&
      r.outcome.payload.value === sealedSent[i]!.value && new TextDecoder().decode(r.outcome.payload.context) === sealedSent[i]!.context),
    "the plant opens all three, each checked against the device's signature and the on-chain commitment", `context ${sealedSent[0]!.context}`);
  const outsider = readSealedReadings(sealedEvents, { chainId: CHAIN_ID, contract: attestation.id, device: cold.key.publicKey, key: validator });
  check(outsider.length === 3 && outsider.every((r) => r.outcome.status === "not_a_reader"), "a validator's key opens none of them: it sees the public value and ciphertext only",
    `${outsider.map((r) => r.sealedBytes).join(", ")} bytes sealed`);
  // the rest reads the ledger itself: on a network, validator 0's copy once every validator agrees and the network has stopped
  const headLine = await chain.head();
  const finalHeight = await chain.height();
  const value = (await chain.view(attestation.id, "value_of", [drifter.key.publicKey])).returns[0]!;
  const copy = await chain.auditCopy();
  if (copy.validators) check(copy.validators.ok, "every validator reports the same app hash", copy.validators.detail);
  const ledger = copy.ledger;
  const plain = Buffer.from(ledger.exportChain());
  check(sealedSent.every((r) => !plain.includes(Buffer.from(r.context))), "no sealed context appears anywhere in the chain's export");

  console.log(`\n7. audit${network ? " of validator 0's ledger, copied after the network stopped" : ""}: signatures, hash links and a full re-execution`);
  const audit = ledger.audit();
  check(audit.ok, "the ledger passes audit", audit.ok ? `${audit.blocks} blocks, ${audit.txs} transactions, state root ${audit.stateRoot!.slice(0, 16)}…` : audit.error);
  const exported = ledger.exportChain();
  const exportAudit = await Ledger.auditExport(exported);
  check(exportAudit.ok && exportAudit.headHash === hex(ledger.headHash), "its export passes audit too", `${exported.length} bytes`);
  // flip the lowest byte of one reading's value in the middle of the chain: 1/65536 °C. The call's
  // arguments end with the value (tag + 8 B), the timestamp (tag + 8 B) and the signature (tag, length,
  // 64 B), followed by the transaction's own 64-byte signature.
  const target = attested[Math.floor(attested.length / 2)]!;
  const where = ledger.txLocation(target.txId)!;
  const txBytes = ledger.block(where.height)!.txs[where.idx]!.bytes;
  const txAt = Buffer.from(exported).indexOf(Buffer.from(txBytes));
  if (txAt < 0) fail("the export does not contain the reading's transaction bytes");
  const at = txAt + txBytes.length - 64 - 67 - 9 - 8;
  const tampered = exported.slice();
  tampered[at]! ^= 0x01;
  const who = devices.find((d) => d.key.publicKeyHex === hex(target.values[0] as Uint8Array))!;
  const forged = decodeTx(tampered.subarray(txAt, txAt + txBytes.length)).tx.args[2] as bigint;
  check(forged === ((target.values[2] as bigint) ^ 1n), `tampered copy: byte ${at} of the export changes ${who.name}'s reading #${target.values[1]} (block ${where.height})`,
    `${formatValue(target.values[2]!, "fixed")} -> ${formatValue(forged, "fixed")} °C`);
  const bad = await Ledger.auditExport(tampered);
  check(!bad.ok && bad.height === where.height.toString(), "a copy with one flipped byte fails audit, naming the block", bad.ok ? "it passed" : `"${bad.error}"`);

  const elapsed = (performance.now() - started) / 1000;
  console.log("\nreport");
  console.log(`  transactions      ${txAccepted + txReverted} in ${finalHeight} blocks after genesis (${txAccepted} ok, ${txReverted} reverted)`);
  console.log(`  readings          ${readings} attested, 1 refused; ${sealedSent.length} sealed to the plant's reader key`);
  console.log("  gas per call      min / median / max (calls)");
  for (const [label, s] of [...gas.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const g = stats(s);
    console.log(`    ${label.padEnd(20)} ${String(g.min).padStart(6)} / ${String(g.median).padStart(6)} / ${String(g.max).padStart(6)}  (${s.length})`);
  }
  console.log(`  bytecode          ${[registry, guard, attestation].map((c) => `${c.abi.contract} ${c.module.length} B`).join(", ")}`);
  console.log(`  chain head        ${headLine}`);
  if (isolatedAt) {
    console.log(`  isolation         ${drifter.name} (${drifter.place}) drifting +${DRIFT_PER_ROUND} °C/round from round ${DRIFT_FROM}; ` +
      `isolated in round ${isolatedAt.round} at reading #${isolatedAt.nonce} (block ${isolatedAt.height}) after ${isolatedAt.anomalies} anomalies; ` +
      `last accepted value ${formatValue(value, "fixed")} °C`);
  }
  process.stderr.write(`(ran in ${elapsed.toFixed(1)} s)\n`);
  if (copy.ledger !== undefined && network) copy.ledger.close();
} finally {
  await chain.close();
}

if (failed > 0) {
  console.error(`\n${failed} demo step(s) did not give the expected result`);
  process.exit(1);
}
console.log("\nall demo steps gave their expected results");
