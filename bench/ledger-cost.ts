// `npm run bench:ledger-cost`: what gas buys on the Node ledger. Every opcode and host call of the RV32
// calibration (bench/calibrate-gas.ts), plus the storage patterns only a ledger has (reads of absent and of
// present keys, new entries, overwrites, deletes), each run as a loop in signed transactions committed as
// blocks on a ledger holding --entries state entries; and blocks at the block gas limit on that ledger.
//
// Method. A measurement's unit (the calibration's micro-program, or a storage pattern) is repeated 16 times in
// the body of a loop `run(n, base)`; a transaction runs it n times. Its wall time per gas is
//   (time of the block of run(n) - time of the block of run(0)) / (gas(n) - gas(0)),
// so the fixed costs (signature check, block, fsync) cancel; the figure is the unit with its feeders (the
// loop's own counter included), which for the costly operations is the operation itself. Each figure is the
// median of --reps (default 9) paired differences (the machine is shared: a median resists another process's bursts).
// The ledger is opened on a store of --entries u64 entries and --entries-1k entries of 1 KiB, built directly
// (one bulk tree build, a synthetic block carries it; the audit would refuse that store, it is a benchmark
// fixture only); reads, overwrites and deletes of present keys walk that tree's cold paths.
// Writes bench/results/local/ledger-cost.json (with --record: bench/results/ledger-cost.json).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { calibrationPlan } from "./calibrate-gas.ts";
import { resultPath } from "./results-path.ts";
import { assemble } from "../vm/asm/index.ts";
import { MoteVM } from "../vm/host/index.ts";
import { LIMITS } from "../vm/spec/limits.ts";
import { Ledger, KeyPair, instanceId, storageKey } from "../ledger/index.ts";
import { LEDGER_ENGINE } from "../ledger/ledger.ts";
import { makeBlock, decodeBlock } from "../ledger/block.ts";
import { SparseMerkleTree } from "../ledger/smt.ts";
import type { SignedTx } from "../ledger/tx.ts";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ENTRIES = arg("--entries", 1_000_000);
const TARGET_GAS = arg("--gas", 4_000_000);
const REPS = arg("--reps", 9);
const ONLY = (() => {
  const i = process.argv.indexOf("--only");
  return i > 0 ? new Set(process.argv[i + 1]!.split(",")) : null;
})();
const SKIP_OPS = process.argv.includes("--no-ops");
/** Blocks filled to this fraction of the gas limit (their time is reported scaled to the full limit). */
const BLOCK_FRACTION = arg("--block-fraction", 1);
/** Copies of a unit in one loop iteration. */
export const R = 16;
/** 1 KiB values the fixture holds (slot 6 of the storage-pattern contract). */
const FIXTURE_1K = Math.min(ENTRIES, arg("--entries-1k", 30_000));
/** The most gas one measurement's block runs (a larger one only adds time). */
const MAX_RUN_GAS = 80_000_000;
const log = (s: string): void => void process.stderr.write(`bench:ledger-cost: ${s}\n`);

const KEY = KeyPair.fromSeed(new Uint8Array(32).fill(0x4c));
const le64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString("hex");

export interface Unit {
  id: string;
  /** Assembly of one unit; `#` is replaced by the copy number. Locals: 1 = 1000, 2 = 7, 3 = 1, 5 = key counter (from base). */
  unit: string;
  /** Storage this module's setup writes: [state key under the instance (hex), value (hex)]. */
  storage?: [string, string][];
  /** Storage pattern on the fixture's keys: [map slot, first and last fraction of its keys this pattern uses]. */
  fixture?: [number, number, number];
  /** Copies of the unit in one loop iteration (default R): fewer where R copies would cost more than a block's gas. */
  copies?: number;
  /** Locals 8 and 9 (the calibration's operands of a data-dependent opcode). */
  operands?: [bigint, bigint];
}

/** Copies of `u` in one loop iteration. */
export const copiesOf = (u: Unit): number => u.copies ?? R;

/** The calibration's units, and the storage patterns of a ledger (slot 4: a map keyed by the counter). */
export function units(): Unit[] {
  const out: Unit[] = [];
  for (const m of calibrationPlan()) {
    if (m.id === "drop") continue; // lget0/drop is in every other unit; measured as itself below
    // a refused signature costs ED25519 + ED25519_REJECT: 16 of them would pass the block's gas limit
    out.push({
      id: m.id, unit: m.unit, storage: [...(m.storage ?? []), ...(m.other ?? [])], ...(m.operands ? { operands: m.operands } : {}), ...(m.id === "edverify@240" ? { copies: 4 } : {}),
    });
  }
  out.push({ id: "lget0 drop", unit: "lget0\ndrop" });
  // The ledger's storage patterns on the storage-pattern contract. Slot 4 is a map the fixture fills with
  // --entries u64 values (keys 1..entries), slot 6 one of FIXTURE_1K values of 1 KiB (keys 1..FIXTURE_1K):
  // reads, overwrites and deletes walk cold paths of the big tree, each measurement on keys of its own.
  // Local 5 is the key counter (from the call's base), local 6 an arena mark (a 1 KiB read allocates).
  out.push({ id: "ledger:mload absent", unit: "laddi 5 1\nlget 5\nmload 7 0\ndrop" });
  out.push({ id: "ledger:mload present", unit: "laddi 5 1\nlget 5\nmload 4 0\ndrop", fixture: [4, 0, 0.4] });
  out.push({ id: "ledger:mstore overwrite", unit: "laddi 5 1\nlget 5\nlget1\nmstore 4 0", fixture: [4, 0.4, 0.7] });
  // (8 deletes an iteration: 16 cost more than the half block a transaction of the block phase has)
  out.push({ id: "ledger:mstore delete", unit: "laddi 5 1\nlget 5\npushb empty\nmstore 4 2", fixture: [4, 0.7, 1], copies: 8 });
  out.push({ id: "ledger:mstore new", unit: "laddi 5 1\nlget 5\nlget 5\nmstore 7 0" });
  out.push({ id: "ledger:sstore new 240", unit: "laddi 5 1\nlget 5\npushb b240\nmstore 7 2" });
  out.push({ id: "ledger:mstore new 1024", unit: "laddi 5 1\nlget 5\npushb b1024\nmstore 7 2" });
  out.push({ id: "ledger:mload present 1024", unit: "amark\nlset 6\nladdi 5 1\nlget 5\nmload 6 2\ndrop\nlget 6\narelease", fixture: [6, 0, 0.5] });
  out.push({ id: "ledger:mstore overwrite 1024", unit: "laddi 5 1\nlget 5\npushb b1024x\nmstore 6 2", fixture: [6, 0.5, 1] });
  return out;
}

const CONSTS: [string, string | null][] = [
  ["b8", "0b" + "22".repeat(7)],
  ["b64", "41".repeat(64)],
  ["b32", "33".repeat(32)],
  ["b512", "44".repeat(512)],
  ["b240", "55".repeat(240)],
  ["b1024", "66".repeat(1024)],
  ["b1024x", "77".repeat(1024)],
  ["pk", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"],
  ["empty", null],
  ["sig", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
];

/** One module of every unit: export `u<i>` runs unit i in a loop, `s<i>` writes its storage. `other` is the instance's own id. */
export function workloadModule(all: Unit[], self: Uint8Array): Uint8Array {
  const lines: string[] = ["; ledger cost workloads"];
  for (const [name, h] of CONSTS) lines.push(`.const ${name} ${h === null ? '""' : `0x${h}`}`);
  lines.push(`.const other 0x${hexOf(self)}`);
  const sv: string[] = [];
  all.forEach((u, i) => {
    // A unit's last value goes into a sum the function returns instead of being dropped: a dropped result
    // is dead code to V8, which then removes the fast engine's division or multiply and times nothing.
    const sunk = u.unit.endsWith("\ndrop") ? `${u.unit.slice(0, -"drop".length)}lget 10\nxor\nlset 10` : u.unit;
    // A data-dependent opcode's operands move by one each copy (staying on its slow path): the same division
    // of loop-invariant locals is computed once by V8, not once per copy.
    const unit = u.operands ? `laddi 8 1\n${sunk}` : sunk;
    const body = Array.from({ length: copiesOf(u) }, (_, c) => unit.replaceAll("#", `${i}_${c}`)).join("\n");
    // params: 0 = n, 1 = base; locals: 4 = loop counter, 5 = key counter (calibration units: scratch), 7 = arena mark,
    // 8 and 9 = the calibration's operands, 10 = the sum of the units' results (returned)
    const [x, y] = u.operands ?? [0n, 0n];
    lines.push(`.func f${i} params=2 results=1 locals=9`, "lget0", "lset 4", "lget1", "lset 5", "push0", "lset0", "push 1000", "lset1", "push 7", "lset2", "push1", "lset3", `push ${x}`, "lset 8", `push ${y}`, "lset 9");
    lines.push(`T${i}:`, "lget 4", `jz E${i}`, "amark", "lset 7", body, "lget 7", "arelease", "lget 4", "push1", "sub", "lset 4", `jmp T${i}`, `E${i}:`, "lget 10", "ret", ".end", `.export u${i} func=f${i}`);
  });
  // one setup for every unit's storage (the calibration's entries are shared by slot)
  const seen = new Map<string, string>();
  for (const u of all) for (const [k, v] of u.storage ?? []) seen.set(k, v);
  const setup: string[] = [];
  for (const [k, v] of seen) {
    const slot = parseInt(k.slice(0, 2), 16);
    const value = Buffer.from(v, "hex");
    const bytesValue = value.length !== 8;
    if (bytesValue) {
      lines.push(`.const sv${sv.length} 0x${v}`);
      sv.push(v);
    }
    const push = bytesValue ? `pushb sv${sv.length - 1}` : `push ${value.readBigUInt64LE()}`;
    if (k.length === 2) setup.push(push, `sstore ${slot} ${bytesValue ? 2 : 0}`);
    else setup.push(`push ${Buffer.from(k.slice(2), "hex").readBigUInt64LE()}`, push, `mstore ${slot} ${bytesValue ? 2 : 0}`);
  }
  lines.push(".func setup params=0 results=0 locals=0", ...setup, "ret", ".end", ".export setup func=setup");
  lines.push(".func leaf params=0 results=0 locals=0", "ret", ".end");
  return assemble(lines.join("\n"), "<ledger cost>");
}

interface Target {
  contract: Uint8Array;
  fn: string;
}

/** Each calibration unit in a module of its own, the ledger's storage patterns in one (they share keys). */
function groups(all: Unit[]): Unit[][] {
  const ledger = all.filter((u) => u.id.startsWith("ledger:"));
  return [ledger, ...all.filter((u) => !u.id.startsWith("ledger:")).map((u) => [u])];
}

/** A store of `entries` state entries (the storage-pattern contract's slot-4 map, keys 1..entries) beside the deployed workloads. */
async function buildFixture(dir: string, all: Unit[], vm: MoteVM): Promise<{ targets: Map<string, Target>; blockGasLimit: bigint; fixtureS: number }> {
  let t = 1_700_000_000n;
  const clock = (): bigint => t++;
  const l = await Ledger.open(dir, { chainId: "cost", vm, clock });
  const targets = new Map<string, Target>();
  let contract: Uint8Array = new Uint8Array(32);
  for (const [gi, g] of groups(all).entries()) {
    const self = instanceId(l.genesisHash, KEY.publicKey, l.nonce(KEY.publicKey));
    if (gi === 0) contract = self;
    const module = workloadModule(g, self);
    l.deploy(KEY, module, [], { gas: 10_000_000 });
    l.call(KEY, self, "setup", [], { gas: 90_000_000 });
    g.forEach((u, i) => targets.set(u.id, { contract: self, fn: `u${i}` }));
  }
  const blockGasLimit = l.params.blockGasLimit;
  const head = l.headBlock;
  l.close();
  if (ENTRIES === 0) return { targets, blockGasLimit, fixtureS: 0 };
  const started = performance.now();
  const db = new Database(join(dir, "ledger.sqlite"));
  const current = db.prepare("SELECT key, value FROM state").all() as { key: Buffer; value: Buffer }[];
  const tree = new SparseMerkleTree();
  function* entries(): Iterable<[Uint8Array, Uint8Array]> {
    for (const r of current) yield [new Uint8Array(r.key), new Uint8Array(r.value)];
    for (let i = 1; i <= ENTRIES; i++) yield [storageKey(contract, Uint8Array.of(4, ...le64(BigInt(i)))), le64(BigInt(i) * 3n + 1n)];
    const v = new Uint8Array(1024).fill(0x5a);
    for (let i = 1; i <= FIXTURE_1K; i++) {
      v.set(le64(BigInt(i)));
      yield [storageKey(contract, Uint8Array.of(6, ...le64(BigInt(i)))), v.slice()];
    }
  }
  tree.load(entries(), false);
  const nodes = tree.takeNewNodes();
  const block = makeBlock({ chainId: "cost", height: head.header.height + 1n, prevHash: head.hash, timestamp: t++, stateRoot: tree.root() }, [], []);
  db.transaction(() => {
    const put = db.prepare("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    for (const [k, v] of entries()) put.run(k, v);
    const node = db.prepare("INSERT OR IGNORE INTO nodes (hash, node) VALUES (?, ?)");
    for (const [h, b] of nodes) node.run(h, b);
    db.prepare("INSERT INTO blocks (height, hash, bytes) VALUES (?, ?, ?)").run(block.header.height, block.hash, block.bytes);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  decodeBlock(block.bytes);
  const fixtureS = (performance.now() - started) / 1000;
  log(`fixture: ${ENTRIES} entries (and ${FIXTURE_1K} of 1 KiB) written in ${fixtureS.toFixed(1)} s`);
  return { targets, blockGasLimit, fixtureS };
}

interface OpRow {
  id: string;
  nsPerGas: number;
  /** Gas of one loop iteration: `copies` units and the loop's own instructions. */
  gasPerIteration: number;
  copies: number;
  iterations: number;
}

async function main(): Promise<void> {
  const all = units().filter((u) => !ONLY || ONLY.has(u.id));
  const vm = await MoteVM.create({ engine: LEDGER_ENGINE });
  const dir = mkdtempSync(join(tmpdir(), "mote-ledger-cost-"));
  try {
    const loadBefore = loadavg()[0]!;
    const { targets, blockGasLimit, fixtureS } = await buildFixture(dir, units(), vm);
    // The fixture's build leaves gigabytes of garbage (its in-memory tree): collected here, before any timing,
    // or a multi-second major collection lands in whichever measurement runs when V8 gets to it.
    // (`npm run bench:ledger-cost` runs node with --expose-gc.)
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    let t = 1_800_000_000n;
    const clock = (): bigint => t++;
    const heapBefore = process.memoryUsage().heapUsed;
    const o0 = performance.now();
    const l = await Ledger.open(dir, { vm, clock });
    const openMs = performance.now() - o0;
    const heapAfterOpen = process.memoryUsage().heapUsed - heapBefore;
    log(`open at ${ENTRIES} entries: ${openMs.toFixed(0)} ms, heap +${(heapAfterOpen / 1e6).toFixed(0)} MB`);
    let nonce = l.nonce(KEY.publicKey);
    // Keys of the counter map (slot 7) a measurement writes or reads as new / absent: every run of keys comes
    // from freshKeys, so no measurement sees keys an earlier one wrote (a probe on written keys is priced as
    // an overwrite: it once underestimated a block's new 1 KiB entries and the block's transaction ran out of gas).
    let base = 10_000_000n;
    const KEY_RANGE = 100_000_000n;
    const freshKeys = (keys: number): bigint => {
      if (BigInt(keys) >= KEY_RANGE) throw new Error(`${keys} keys in one measurement: more than a range holds (${KEY_RANGE})`);
      return (base += KEY_RANGE);
    };
    const sign = (id: string, n: number, gas: number, b: bigint): SignedTx => {
      const tg = targets.get(id)!;
      return l.signCall(KEY, tg.contract, tg.fn, [BigInt(n), b], { gas, nonce: nonce++ });
    };
    const runBlock = (txs: SignedTx[], growthBound = false): { ms: number; gas: number; refused: number } => {
      const s = performance.now();
      const r = l.submit(txs);
      const ms = performance.now() - s;
      let gas = 0;
      let refused = 0;
      for (const o of r.outcomes) {
        // a block of new entries stops at the growth bound (MAX_BLOCK_STATE_GROWTH): the rest wait for a later block
        if (!o.ok && growthBound && (o.error.code === "state_growth" || (refused > 0 && o.error.code === "nonce_skipped"))) {
          refused++;
          continue;
        }
        if (!o.ok) throw new Error(`refused: ${o.error.message}`);
        if (o.receipt.status !== "ok") throw new Error(`status ${o.receipt.status} (gas ${o.receipt.gasUsed})`);
        gas += o.receipt.gasUsed;
      }
      nonce = l.nonce(KEY.publicKey);
      return { ms, gas, refused };
    };
    const maxTxGas = Number(blockGasLimit);
    const ops: OpRow[] = [];
    // each fixture pattern walks its own range of the fixture's keys, wrapping within it
    const cursors = new Map<string, number>();
    const fixtureBase = (u: Unit, keys: number, fresh = false): bigint => {
      const [slot, lo, hi] = u.fixture!;
      const size = slot === 6 ? FIXTURE_1K : ENTRIES;
      const first = Math.floor(size * lo);
      const last = Math.floor(size * hi);
      if (keys > last - first) throw new Error(`${u.id}: ${keys} keys wanted, its fixture range holds ${last - first} (raise --entries)`);
      let c = cursors.get(u.id) ?? first;
      if (c + keys > last || fresh) c = first;
      cursors.set(u.id, c + keys);
      return BigInt(c); // the unit increments before use: keys c+1 .. c+keys
    };
    const median = (xs: number[]): number => {
      const v = [...xs].sort((x, y) => x - y);
      return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    if (!SKIP_OPS) {
      for (const u of all) {
        const i = u.id;
        gc?.(); // no row inherits the garbage of the one before it
        const b = freshKeys(0);
        const g0 = runBlock([sign(i, 0, maxTxGas, b)]).gas;
        const g1 = runBlock([sign(i, 1, maxTxGas, u.fixture ? fixtureBase(u, copiesOf(u)) : freshKeys(copiesOf(u)))]).gas;
        const per = g1 - g0;
        // events are bounded per call (MAX_EVENTS): an emit measurement spreads its iterations over transactions
        const maxIter = u.id.startsWith("emit") ? Math.floor(LIMITS.MAX_EVENTS.value / copiesOf(u)) : Math.floor((maxTxGas - g0) / per);
        // the transactions of one block: iterations n, keys consecutive from kb
        const block = (n: number, kb: bigint): { ms: number; gas: number } => {
          const txs = Math.ceil(n / maxIter);
          return runBlock(
            Array.from({ length: txs }, (_, k) => sign(i, k === txs - 1 ? n - maxIter * (txs - 1) : maxIter, Math.floor(maxTxGas / txs), kb + BigInt(k * maxIter * copiesOf(u)))),
          );
        };
        const zeros = (n: number): { ms: number; gas: number } => {
          const txs = Math.ceil(n / maxIter);
          return runBlock(Array.from({ length: txs }, () => sign(i, 0, Math.floor(maxTxGas / txs), b)));
        };
        // iterations: --gas worth, then more until the difference is at least 60 ms of work (timer and fsync noise)
        // (an emit measurement is one transaction per MAX_EVENTS / 16 iterations: at most 400 transactions)
        let n = Math.max(1, Math.floor(TARGET_GAS / per));
        if (u.id.startsWith("emit")) n = Math.min(n * 4, 400 * maxIter);
        let best = Infinity;
        let gasN = 0;
        for (let grow = 0; grow < 4; grow++) {
          // the median of REPS paired differences (a block of n iterations less the same transactions with none)
          const diffs: number[] = [];
          for (let rep = 0; rep < REPS; rep++) {
            const kb = u.fixture ? fixtureBase(u, n * copiesOf(u)) : freshKeys(n * copiesOf(u));
            const zero = zeros(n);
            const full = block(n, kb);
            gasN = full.gas - zero.gas;
            diffs.push(full.ms - zero.ms);
          }
          const d = median(diffs);
          best = (d * 1e6) / gasN;
          if (d >= 60 || u.id.startsWith("emit") || n * per >= MAX_RUN_GAS) break;
          n = Math.min(Math.floor(MAX_RUN_GAS / per), Math.ceil((n * 90) / Math.max(1, d)));
        }
        ops.push({ id: u.id, nsPerGas: Math.round(best * 100) / 100, gasPerIteration: per, copies: copiesOf(u), iterations: n });
        log(`${u.id.padEnd(28)} ${best.toFixed(2).padStart(8)} ns/gas  (${per} gas per ${copiesOf(u)} units, n=${n})`);
      }
    }
    const ratios = ops.map((o) => o.nsPerGas);
    const mean = ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : 0;
    const max = ops.reduce((a, b) => (b.nsPerGas > a.nsPerGas ? b : a), ops[0] ?? { id: "-", nsPerGas: 0, gasPerIteration: 0, copies: 0, iterations: 0 });
    // Blocks at the block gas limit: the workloads that cost the most per gas, filled with transactions.
    const blockWorkloads = [
      "ledger:mstore new", "ledger:mstore new 1024", "ledger:sstore new 240", "ledger:mstore overwrite", "ledger:mstore overwrite 1024",
      "ledger:mload present", "ledger:mload present 1024", "ledger:mload absent", "ledger:mstore delete", "edverify", "sha256@512", "add",
    ];
    const blocks: { workload: string; ms: number; gas: number; txs: number }[] = [];
    // two transactions of half the block each: one iteration of 16 new 1 KiB entries takes ~17 M gas
    const TXS = 2;
    for (const w of blockWorkloads) {
      const i = w;
      gc?.();
      if (!targets.has(i) || !all.some((x) => x.id === w) || w.startsWith("emit")) continue;
      const txGas = Math.floor((Number(blockGasLimit) * BLOCK_FRACTION) / TXS);
      const g0 = runBlock([sign(i, 0, txGas, freshKeys(0))]).gas;
      const u = all.find((x) => x.id === w)!;
      const g1 = runBlock([sign(i, 1, txGas, u.fixture ? fixtureBase(u, copiesOf(u)) : freshKeys(copiesOf(u)))]).gas;
      // a fixture pattern needs fresh fixture keys for every iteration: a block short of them is timed as far as it goes
      const room = u.fixture ? Math.floor(((u.fixture[2] - u.fixture[1]) * (u.fixture[0] === 6 ? FIXTURE_1K : ENTRIES)) / (copiesOf(u) * TXS)) : Infinity;
      const n = Math.min(room, Math.floor((txGas - g0) / (g1 - g0)));
      // fixture patterns: keys of the big map not touched before; others fresh keys
      const fb = u.fixture ? fixtureBase(u, n * copiesOf(u) * TXS) : 0n;
      log(`block of ${w}: probes ${g0} gas at 0 iterations, ${g1} at 1: ${n} iterations in each of ${TXS} txs of ${txGas} gas`);
      const txs = Array.from({ length: TXS }, (_, k) => sign(i, n, txGas, u.fixture ? fb + BigInt(k * n * copiesOf(u)) : freshKeys(n * copiesOf(u))));
      const r = runBlock(txs, true);
      // a block the growth bound cut short is as full as a block of that workload gets: its time as measured
      const ms = r.refused > 0 ? r.ms : (r.ms * Number(blockGasLimit)) / r.gas;
      blocks.push({ workload: w, ms: Math.round(ms), gas: r.gas, txs: TXS - r.refused });
      log(`block of ${w}: ${r.gas} gas in ${r.ms.toFixed(0)} ms (${ms.toFixed(0)} ms at the limit${r.refused ? `; ${r.refused} tx(s) refused at the growth bound` : ""})`);
    }
    const worst = blocks.reduce((a, b) => (b.ms > a.ms ? b : a), blocks[0]!);
    l.close();
    // max / mean per class of operation (the mean over every row)
    const classOf = (id: string): string =>
      id.startsWith("ledger:mload") || /^(sload|sloadi|mload|mloadbi|xload|xmload|balance)(@|$)/.test(id) ? "state reads"
      : id === "ledger:mstore delete" || id.startsWith("ledger:mstore overwrite") || /^(sstore|sstorei|mstore|mstorebi|once|pay)(@|$)/.test(id) ? "state writes"
      : id.startsWith("ledger:") ? "new entries"
      : id.startsWith("sha256") ? "hashing"
      : id.startsWith("edverify") ? "signatures"
      : id.startsWith("emit") ? "events"
      : "interpreter";
    const classes: Record<string, { maxOverMean: number; maxOp: string; ops: number }> = {};
    for (const o of ops) {
      const c = (classes[classOf(o.id)] ??= { maxOverMean: 0, maxOp: "", ops: 0 });
      c.ops++;
      const r = mean ? Math.round((o.nsPerGas / mean) * 1000) / 1000 : 0;
      if (r > c.maxOverMean) Object.assign(c, { maxOverMean: r, maxOp: o.id });
    }
    const result = {
      entries: ENTRIES,
      entries1k: FIXTURE_1K,
      fixtureS: Math.round(fixtureS),
      reps: REPS,
      /** Whether garbage was collected before each row (node --expose-gc, as npm run bench:ledger-cost runs it). */
      gcBetweenRows: gc !== undefined,
      loadAverage: [Math.round(loadBefore * 10) / 10, Math.round(loadavg()[0]! * 10) / 10],
      blockGasLimit: Number(blockGasLimit),
      openMs: Math.round(openMs),
      openHeapMB: Math.round(heapAfterOpen / 1e6),
      meanNsPerGas: Math.round(mean * 100) / 100,
      // The mean is over every row, the calibration's storage rows included: they read and write the same few keys,
      // which the block's overlay and the tree's resident nodes serve (about 0 ns per gas). They are operations a
      // contract does (a counter, a balance), so they count; the mean without them is reported beside it.
      meanNsPerGasWithoutCachedKeys: (() => {
        const cold = ops.filter((o) => o.id.startsWith("ledger:") || !["state reads", "state writes"].includes(classOf(o.id)));
        return Math.round((cold.reduce((a, o) => a + o.nsPerGas, 0) / Math.max(1, cold.length)) * 100) / 100;
      })(),
      maxNsPerGas: max.nsPerGas,
      maxOp: max.id,
      maxOverMean: mean ? Math.round((max.nsPerGas / mean) * 1000) / 1000 : 0,
      fullBlockMs: worst?.ms ?? 0,
      fullBlockWorkload: worst?.workload ?? "",
      classes,
      blocks,
      ops,
    };
    const { path, rel } = resultPath("ledger-cost.json");
    writeFileSync(path, JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(
      `mean ${result.meanNsPerGas} ns/gas, max ${result.maxNsPerGas} (${result.maxOp}), max/mean ${result.maxOverMean}; ` +
        `block at the gas limit (${result.blockGasLimit}) at ${ENTRIES} entries: ${result.fullBlockMs} ms (${result.fullBlockWorkload}); open ${result.openMs} ms\nwrote ${rel}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) await main();
