// The contract-test helper: compiles .mote sources, deploys them on an in-memory devnet ledger, and calls
// them with arguments and results typed by the ABI, reverts and events decoded by name, gas collected.
//
//   const t = await deploy("contracts/token.mote", { init: [1000n], from: alice });
//   await t.call("transfer", [bob, 10n], { from: alice });
//   expect(await t.view("balance_of", [bob])).toBe(10n);
//   await expectRevert(t.call("transfer", [bob, 10_000n], { from: bob }), "insufficient balance");
//
// Values by ABI type. In: u64/i64 bigint or safe integer number; bool boolean; fixed a number or a
// decimal string (rounded to the nearest 1/65536, as the compiler rounds literals); pubkey a KeyPair,
// 32 bytes or 0x-hex; hash a Contract (its id), 32 bytes or 0x-hex; bytes/sig bytes or 0x-hex.
// Out: u64 bigint, i64 signed bigint, bool boolean, fixed number (exact below 2^37), byte strings
// Uint8Array.
//
// Gas report: with GAS_REPORT=1 every executed call (transactions, reverted ones included, and views)
// is recorded per contract function; after each test file the samples are merged, under a lock, into
// bench/results/local/gas-report.json (samples kept per test file, so re-running a subset replaces only
// its own) and the min / median / max table is written to bench/results/local/gas-report.txt and
// printed. With MOTE_RECORD=1 the committed bench/results/gas-report.{json,txt} are written instead.
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { compileSource, formatDiagnostic, readSourceFile } from "../../compiler/index.ts";
import { type Abi, type AbiEvent, type AbiFunction, eventByTopic, locateStop } from "../../compiler/abi.ts";
import { instanceId, KeyPair, Ledger, TxRejected, type Value } from "../../ledger/index.ts";
import type { Receipt } from "../../ledger/index.ts";
import type { SignedTx } from "../../ledger/tx.ts";

/**
 * The mote package's root: the nearest directory above this file holding package.json (this file runs
 * from test/helpers/ in the repository and from dist/ as the `mote/testing` library).
 */
export const ROOT = ((): string => {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) || dirname(d) === d) return d;
  }
})();

/**
 * Where contract paths are relative to: the repository root for its own contracts (whatever the
 * working directory), else the working directory (a project using `mote/testing`).
 */
function baseFor(path: string): string {
  return existsSync(resolve(ROOT, path)) ? ROOT : process.cwd();
}

// -- accounts ---------------------------------------------------------------------------------------

/** A deterministic key named for readability in tests: seed = SHA-256("mote-test-account:" + name). */
export function account(name: string): KeyPair {
  return KeyPair.fromSeed(sha256(new TextEncoder().encode(`mote-test-account:${name}`)));
}

export const alice = account("alice");
export const bob = account("bob");
export const carol = account("carol");
export const dave = account("dave");

// -- values -----------------------------------------------------------------------------------------

export type Arg = bigint | number | boolean | string | Uint8Array | KeyPair | Contract;
export type Decoded = bigint | number | boolean | Uint8Array;

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const FIXED_ONE = 65536;
const BYTE_LENGTH: Record<string, number> = { hash: 32, pubkey: 32, sig: 64 };

function fromHexArg(s: string, what: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(s)) throw new TypeError(`${what}: expected 0x followed by an even number of hex digits, got "${s}"`);
  return Uint8Array.from(Buffer.from(s.slice(2), "hex"));
}

function integerArg(v: Arg, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  throw new TypeError(`${what}: expected an integer (bigint or safe integer number), got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v instanceof KeyPair) return "a KeyPair";
  if (v instanceof Contract) return `contract ${v.name}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return `${typeof v} ${String(v)}`;
}

/** Q47.16 from a number or a decimal string; numbers convert exactly (scaling by 2^16 is exact in binary). */
export function toFixed(v: number | string, what = "fixed"): bigint {
  let raw: bigint;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`${what}: ${v} is not a fixed-point number`);
    raw = BigInt(Math.round(v * FIXED_ONE));
  } else {
    const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(v.trim());
    if (!m) throw new TypeError(`${what}: expected a decimal number such as "-1.25", got "${v}"`);
    const frac = m[3] ?? "";
    const scale = 10n ** BigInt(frac.length);
    const scaled = (BigInt(m[2]!) * scale + BigInt(frac || "0")) << 16n;
    let q = scaled / scale;
    if ((scaled % scale) * 2n >= scale) q += 1n;
    raw = m[1] ? -q : q;
  }
  if (raw < I64_MIN || raw > I64_MAX) throw new RangeError(`${what}: ${v} does not fit in fixed (Q47.16)`);
  return raw;
}

/** Converts one argument to the VM value its ABI type expects, or throws naming the argument. */
export function encodeArg(v: Arg, type: string, what: string, size?: number): Value {
  switch (type) {
    case "u64": {
      const n = integerArg(v, what);
      if (n < 0n || n > U64_MAX) throw new RangeError(`${what}: ${n} does not fit in u64`);
      return n;
    }
    case "i64": {
      const n = integerArg(v, what);
      if (n < I64_MIN || n > I64_MAX) throw new RangeError(`${what}: ${n} does not fit in i64`);
      return BigInt.asUintN(64, n);
    }
    case "bool":
      if (typeof v !== "boolean") throw new TypeError(`${what}: expected a boolean, got ${describe(v)}`);
      return v ? 1n : 0n;
    case "fixed":
      if (typeof v !== "number" && typeof v !== "string") {
        throw new TypeError(`${what}: expected a number or decimal string for fixed, got ${describe(v)}`);
      }
      return BigInt.asUintN(64, toFixed(v, what));
    case "bytes":
    case "hash":
    case "pubkey":
    case "sig": {
      let b: Uint8Array;
      if (v instanceof KeyPair) b = v.publicKey;
      else if (v instanceof Contract) b = v.id;
      else if (v instanceof Uint8Array) b = v;
      else if (typeof v === "string") b = fromHexArg(v, what);
      else throw new TypeError(`${what}: expected ${type} bytes, got ${describe(v)}`);
      const need = BYTE_LENGTH[type];
      if (need !== undefined && b.length !== need) throw new RangeError(`${what}: a ${type} is ${need} bytes, got ${b.length}`);
      return b;
    }
  }
  if (size !== undefined) {
    // a struct or array: its packed bytes
    let b: Uint8Array;
    if (v instanceof Uint8Array) b = v;
    else if (typeof v === "string") b = fromHexArg(v, what);
    else throw new TypeError(`${what}: expected the packed bytes of ${type}, got ${describe(v)}`);
    if (b.length !== size) throw new RangeError(`${what}: a ${type} is ${size} bytes packed, got ${b.length}`);
    return b;
  }
  throw new TypeError(`${what}: the helper cannot pass a value of ABI type ${type}`);
}

/** Converts a VM value to the JS value of its ABI type (see the header). */
export function decodeValue(v: Value, type: string): Decoded {
  if (v instanceof Uint8Array) return v;
  switch (type) {
    case "i64":
      return BigInt.asIntN(64, v);
    case "bool":
      return v !== 0n;
    case "fixed":
      return Number(BigInt.asIntN(64, v)) / FIXED_ONE;
    default:
      return v;
  }
}

// -- errors -----------------------------------------------------------------------------------------

/** A call that executed but did not end `ok`: a revert (decoded by the ABI) or another VM status. */
export class CallFailed extends Error {
  constructor(
    readonly contract: string,
    readonly fn: string,
    readonly status: string,
    /** The require/revert message, or the status name (overflow, out_of_gas, ...) for other failures. */
    readonly reason: string,
    /** file:line:col of the statement that stopped the call (a revert's or a VM status's), when known. */
    readonly location: string | undefined,
    readonly gasUsed: number,
  ) {
    super(`${contract}.${fn} failed: ${status === "revert" ? `reverted${location ? ` at ${location}` : ""}: ${reason}` : `${status}${location ? ` at ${location}` : ""}`}`);
    this.name = "CallFailed";
  }
}

/**
 * Awaits a call that must fail with `reason`: a require message (exactly, or matching a RegExp) or a VM
 * status name such as "overflow". Throws, saying what happened instead, when it succeeds or fails otherwise.
 */
export async function expectRevert(p: Promise<unknown>, reason: string | RegExp): Promise<CallFailed> {
  let outcome: unknown;
  try {
    outcome = await p;
  } catch (e) {
    if (!(e instanceof CallFailed)) {
      throw new Error(`expected a revert with "${reason}", but the call was refused before executing: ${(e as Error).message}`);
    }
    const ok = typeof reason === "string" ? e.reason === reason : reason.test(e.reason);
    if (!ok) throw new Error(`expected a revert with "${reason}", got: ${e.message}`);
    return e;
  }
  throw new Error(`expected a revert with "${reason}", but the call succeeded (${describeOutcome(outcome)})`);
}

/** Awaits a transaction that the ledger must refuse before executing it, with this reject code. */
export async function expectRejected(p: Promise<unknown>, code: TxRejected["code"]): Promise<TxRejected> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TxRejected && e.code === code) return e;
    throw new Error(`expected the ledger to refuse the transaction (${code}), got: ${(e as Error).message}`);
  }
  throw new Error(`expected the ledger to refuse the transaction (${code}), but it was accepted`);
}

function describeOutcome(o: unknown): string {
  if (o && typeof o === "object" && "gasUsed" in o) return `gas ${(o as { gasUsed: number }).gasUsed}`;
  return String(o);
}

// -- devnet and contracts ---------------------------------------------------------------------------

export interface DecodedEvent {
  name: string;
  args: Record<string, Decoded>;
}

export interface CallOutcome {
  gasUsed: number;
  /** The function's return value, or undefined when it returns nothing. */
  returns: Decoded | undefined;
  events: DecodedEvent[];
  height: bigint;
  txId: Uint8Array;
}

export interface CallOpts {
  from?: KeyPair;
  gas?: number;
  /** Native value to attach (the sender must hold it: see DevnetOptions.alloc). */
  value?: bigint;
}

/** A transaction prepared for `Devnet.block`, together with what is needed to decode its receipt. */
export interface PreparedCall {
  contract: Contract;
  fn: string;
  tx: SignedTx;
}

export interface DevnetOptions {
  chainId?: string;
  /** Genesis time, seconds; each block is one second later unless `advance` moves the clock. */
  start?: bigint;
  /** Native balances at genesis. */
  alloc?: { account: KeyPair; amount: bigint }[];
  /** The genesis salt (32 bytes); fixed by default so test chains are reproducible. Two chains meant to differ pass two salts. */
  salt?: Uint8Array;
}

/** The test chains' default genesis salt: fixed, so gas reports and ids repeat run to run. */
export const TEST_GENESIS_SALT = new Uint8Array(32).fill(0x5a);

/** A fresh in-memory ledger with a deterministic clock, and the contracts deployed on it. */
export class Devnet {
  private t: bigint;
  private readonly pending = new Map<string, bigint>();

  private constructor(
    readonly ledger: Ledger,
    start: bigint,
  ) {
    this.t = start;
  }

  static async create(opts: DevnetOptions = {}): Promise<Devnet> {
    const start = opts.start ?? 1_700_000_000n;
    let chain: Devnet | undefined;
    const ledger = await Ledger.open(":memory:", {
      chainId: opts.chainId ?? "mote-test",
      genesisTimestamp: start,
      clock: () => chain!.tick(),
      genesis: { alloc: (opts.alloc ?? []).map((a) => ({ id: a.account.publicKey, amount: a.amount })), salt: opts.salt ?? TEST_GENESIS_SALT },
    });
    chain = new Devnet(ledger, start);
    return chain;
  }

  private tick(): bigint {
    this.t += 1n;
    return this.t;
  }

  /** The timestamp of the head block (what `now()` returned in the last transaction). */
  get now(): bigint {
    return this.ledger.headBlock.header.timestamp;
  }

  /** Moves the clock forward; the next block is `seconds` + 1 later than it would have been. */
  advance(seconds: bigint | number): void {
    this.t += BigInt(seconds);
  }

  async deploy(path: string, opts: { init?: Arg[]; from?: KeyPair; gas?: number } = {}): Promise<Contract> {
    const { module, abi } = compileContract(path);
    const from = opts.from ?? alice;
    const initFn = abi.functions.find((f) => f.name === "init");
    const params = initFn?.params ?? [];
    const init = opts.init ?? [];
    if (init.length !== params.length) {
      throw new TypeError(`${path}: init takes ${params.length} argument(s) (${params.map((p) => `${p.name}: ${p.type}`).join(", ")}), got ${init.length}`);
    }
    const args = init.map((a, i) => encodeArg(a, params[i]!.type, `${abi.contract}.init argument \`${params[i]!.name}\``, params[i]!.size));
    const r = this.ledger.deploy(from, module, args, { gas: opts.gas });
    const c = new Contract(this, path, module, abi, r.contract);
    if (initFn) gasCollector.record(c, "init", r.receipt.gasUsed, false);
    gasCollector.deployed(c);
    if (r.receipt.status !== "ok") throw c.failure("init", r.receipt);
    return c;
  }

  /**
   * Signs the prepared calls and executes them in order as ONE block, as a gateway batches them.
   * Returns each one's outcome or CallFailed; a transaction the ledger refuses throws.
   */
  async block(calls: PreparedCall[]): Promise<(CallOutcome | CallFailed)[]> {
    const r = this.ledger.submit(calls.map((c) => c.tx));
    this.pending.clear();
    return r.outcomes.map((o, i) => {
      const c = calls[i]!;
      if (!o.ok) throw o.error;
      return c.contract.outcome(c.fn, o.receipt, o.height, o.txId);
    });
  }

  /** The next nonce of `key`, counting transactions prepared for a block but not yet submitted. */
  nextNonce(key: KeyPair): bigint {
    const k = key.publicKeyHex;
    const n = this.pending.get(k) ?? this.ledger.nonce(key.publicKey);
    this.pending.set(k, n + 1n);
    return n;
  }
}

/** A deployed contract: typed calls and views, decoded events. */
export class Contract {
  readonly name: string;

  constructor(
    readonly chain: Devnet,
    readonly path: string,
    readonly module: Uint8Array,
    readonly abi: Abi,
    readonly id: Uint8Array,
  ) {
    this.name = abi.contract;
  }

  private fn(name: string): AbiFunction {
    const f = this.abi.functions.find((x) => x.name === name && x.name !== "init");
    if (!f) throw new TypeError(`${this.name} has no public function \`${name}\` (it has: ${this.abi.functions.filter((x) => x.name !== "init").map((x) => x.name).join(", ")})`);
    return f;
  }

  private encode(f: AbiFunction, args: Arg[]): Value[] {
    if (args.length !== f.params.length) {
      throw new TypeError(`${this.name}.${f.name} takes ${f.params.length} argument(s) (${f.params.map((p) => `${p.name}: ${p.type}`).join(", ")}), got ${args.length}`);
    }
    return args.map((a, i) => encodeArg(a, f.params[i]!.type, `${this.name}.${f.name} argument \`${f.params[i]!.name}\``, f.params[i]!.size));
  }

  /** Signs a call for `Devnet.block` without submitting it. */
  prepare(fn: string, args: Arg[] = [], opts: CallOpts = {}): PreparedCall {
    const f = this.fn(fn);
    const from = opts.from ?? alice;
    const tx = this.chain.ledger.signCall(from, this.id, fn, this.encode(f, args), { gas: opts.gas, value: opts.value, nonce: this.chain.nextNonce(from) });
    return { contract: this, fn, tx };
  }

  /** Sends a call as its own block. Resolves with its outcome; rejects with CallFailed if it did not end ok. */
  async call(fn: string, args: Arg[] = [], opts: CallOpts = {}): Promise<CallOutcome> {
    const f = this.fn(fn);
    const r = this.chain.ledger.call(opts.from ?? alice, this.id, fn, this.encode(f, args), { gas: opts.gas, value: opts.value });
    const o = this.outcome(fn, r.receipt, r.height, r.txId);
    if (o instanceof CallFailed) throw o;
    return o;
  }

  /** This contract instance's native balance at the head. */
  get balance(): bigint {
    return this.chain.ledger.balance(this.id);
  }

  /** Runs a view at the head; resolves with its decoded return value. */
  async view(fn: string, args: Arg[] = [], opts: { from?: KeyPair } = {}): Promise<Decoded> {
    const f = this.fn(fn);
    const r = this.chain.ledger.view(this.id, fn, this.encode(f, args), { caller: opts.from?.publicKey });
    gasCollector.record(this, fn, r.gasUsed, true);
    if (r.status !== "ok") throw this.failure(fn, { status: r.status, gasUsed: r.gasUsed, error: r.error ?? 0, stopOffset: r.stopOffset });
    if (f.returns === null) throw new TypeError(`${this.name}.${fn} returns nothing; use call`);
    return decodeValue(r.returns[0]!, f.returns);
  }

  /** This contract's events on the chain so far, decoded, optionally only those named `name`. */
  events(name?: string): DecodedEvent[] {
    let topic: number | undefined;
    if (name !== undefined) {
      const ev = this.abi.events.find((e) => e.name === name);
      if (!ev) throw new TypeError(`${this.name} declares no event \`${name}\` (it has: ${this.abi.events.map((e) => e.name).join(", ")})`);
      topic = ev.topic;
    }
    return this.chain.ledger.events({ contract: this.id, topic }).map((e) => this.decodeEvent(e.topic, e.values));
  }

  decodeEvent(topic: number, values: Value[]): DecodedEvent {
    const ev: AbiEvent | undefined = eventByTopic(this.abi, topic);
    if (!ev) return { name: `unknown event 0x${topic.toString(16)}`, args: Object.fromEntries(values.map((v, i) => [String(i), v])) };
    return { name: ev.name, args: Object.fromEntries(ev.fields.map((f, i) => [f.name, decodeValue(values[i]!, f.type)])) };
  }

  /** Builds the outcome of an executed call, recording its gas; a failed call comes back as CallFailed. */
  outcome(fn: string, receipt: Receipt, height: bigint, txId: Uint8Array): CallOutcome | CallFailed {
    gasCollector.record(this, fn, receipt.gasUsed, false);
    if (receipt.status !== "ok") return this.failure(fn, receipt);
    const f = this.fn(fn);
    return {
      gasUsed: receipt.gasUsed,
      returns: f.returns === null || receipt.returns.length === 0 ? undefined : decodeValue(receipt.returns[0]!, f.returns),
      events: receipt.events.map((e) => this.decodeEvent(e.topic, e.values)),
      height,
      txId,
    };
  }

  failure(fn: string, r: { status: string; gasUsed: number; error: number | null; stopOffset?: number | null }): CallFailed {
    const at = locateStop(this.abi, this.module, r.stopOffset);
    const where = at ? `${at.file}:${at.line}:${at.col}` : undefined;
    if (r.status === "revert") {
      const e = this.abi.errors.find((x) => x.id === r.error);
      const location = where ?? (e ? `${e.file}:${e.line}:${e.col}` : undefined);
      return new CallFailed(this.name, fn, r.status, e ? e.message : `unknown error id ${r.error}`, location, r.gasUsed);
    }
    return new CallFailed(this.name, fn, r.status, r.status, where, r.gasUsed);
  }
}

/** Deploys on `opts.chain`, or on a fresh devnet of its own. */
export async function deploy(path: string, opts: { init?: Arg[]; from?: KeyPair; chain?: Devnet; gas?: number } = {}): Promise<Contract> {
  const chain = opts.chain ?? (await Devnet.create());
  return chain.deploy(path, opts);
}

// -- compilation (cached per process: the same source always gives the same bytes) ------------------

const compiled = new Map<string, { module: Uint8Array; abi: Abi }>();

/**
 * Compiles a contract (path relative to the repository root); compile errors throw with every diagnostic.
 * The compiler is handed the repository-relative path whatever the working directory: file names are
 * part of the ABI, whose hash is in the module, so they decide the contract's id.
 */
export function compileContract(path: string): { module: Uint8Array; abi: Abi } {
  const hit = compiled.get(path);
  if (hit) return hit;
  const base = baseFor(path);
  const file = relative(base, resolve(base, path)).split(sep).join("/");
  const text = readSourceFile(join(base, file));
  if (text === undefined) throw new Error(`${path}: cannot read the contract source`);
  const r = compileSource(text, file, (p) => readSourceFile(join(base, p)));
  if (!r.module || !r.abi) {
    throw new Error(`${path} does not compile:\n${r.diagnostics.map((d) => formatDiagnostic(d, text)).join("\n")}`);
  }
  const out = { module: r.module, abi: r.abi };
  compiled.set(path, out);
  return out;
}

/** The id the next instance `deployer` creates will have: it follows from the deployer's nonce. */
export function nextContractId(chain: Devnet, deployer: KeyPair, ahead = 0n): Uint8Array {
  return instanceId(chain.ledger.genesisHash, deployer.publicKey, chain.ledger.nonce(deployer.publicKey) + ahead);
}

// -- gas report --------------------------------------------------------------------------------------

export interface GasStats {
  calls: number;
  min: number;
  median: number;
  max: number;
}

/** min / median / max; the median of an even count is the mean of the two middle values, rounded down. */
export function gasStats(samples: readonly number[]): GasStats {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) throw new RangeError("no samples");
  const median = n % 2 === 1 ? s[(n - 1) / 2]! : Math.floor((s[n / 2 - 1]! + s[n / 2]!) / 2);
  return { calls: n, min: s[0]!, median, max: s[n - 1]! };
}

interface ContractSamples {
  source: string;
  moduleBytes: number;
  functions: Record<string, { view: boolean; gas: number[] }>;
}

interface GasReportFile {
  note: string;
  contracts: Record<string, { source: string; moduleBytes: number; functions: Record<string, GasStats & { view: boolean }> }>;
  /** Raw samples per test file, so that re-running some files replaces only their samples. */
  samples: Record<string, Record<string, ContractSamples>>;
}

const GAS_REPORT_DIR = process.env.MOTE_RECORD === "1" ? "bench/results" : "bench/results/local";
export const GAS_REPORT_JSON = join(ROOT, GAS_REPORT_DIR, "gas-report.json");
export const GAS_REPORT_TXT = join(ROOT, GAS_REPORT_DIR, "gas-report.txt");

class GasCollector {
  readonly contracts = new Map<string, ContractSamples>();

  deployed(c: Contract): void {
    this.entry(c);
  }

  record(c: Contract, fn: string, gas: number, view: boolean): void {
    const e = this.entry(c);
    (e.functions[fn] ??= { view, gas: [] }).gas.push(gas);
  }

  private entry(c: Contract): ContractSamples {
    let e = this.contracts.get(c.name);
    if (!e) {
      e = { source: c.path, moduleBytes: c.module.length, functions: {} };
      this.contracts.set(c.name, e);
    }
    return e;
  }
}

/** This process's samples (one test file's, as vitest isolates files). */
export const gasCollector = new GasCollector();

/** Folds per-file samples into per-function statistics, contracts and functions in name order. */
export function summarize(samples: GasReportFile["samples"]): GasReportFile["contracts"] {
  const merged = new Map<string, ContractSamples>();
  for (const file of Object.keys(samples).sort()) {
    for (const [name, c] of Object.entries(samples[file]!)) {
      const m = merged.get(name) ?? { source: c.source, moduleBytes: c.moduleBytes, functions: {} };
      for (const [fn, s] of Object.entries(c.functions)) (m.functions[fn] ??= { view: s.view, gas: [] }).gas.push(...s.gas);
      merged.set(name, m);
    }
  }
  const out: GasReportFile["contracts"] = {};
  for (const name of [...merged.keys()].sort()) {
    const m = merged.get(name)!;
    const fns: Record<string, GasStats & { view: boolean }> = {};
    for (const fn of Object.keys(m.functions).sort()) fns[fn] = { ...gasStats(m.functions[fn]!.gas), view: m.functions[fn]!.view };
    out[name] = { source: m.source, moduleBytes: m.moduleBytes, functions: fns };
  }
  return out;
}

/** The report as a text table, one block per contract, like Foundry's --gas-report. */
export function gasTable(contracts: GasReportFile["contracts"]): string {
  const lines: string[] = [];
  for (const [name, c] of Object.entries(contracts)) {
    const rows = Object.entries(c.functions).map(([fn, s]) => [fn + (s.view ? " (view)" : ""), String(s.min), String(s.median), String(s.max), String(s.calls)]);
    const head = ["function", "min", "median", "max", "calls"];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
    lines.push(`${name} (${c.source}, module ${c.moduleBytes} bytes)`, `  ${fmt(head)}`, ...rows.map((r) => `  ${fmt(r)}`), "");
  }
  return lines.join("\n");
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `f` holding a lock directory; a lock older than 30 s is a crashed writer's and is broken. */
function withLock(lock: string, f: () => void): void {
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 30_000) rmdirSync(lock);
      } catch {
        // another writer released or broke it meanwhile
      }
      if (i > 2000) throw new Error(`gas report: could not take the lock ${lock}`);
      sleep(10);
    }
  }
  try {
    f();
  } finally {
    rmdirSync(lock);
  }
}

/** Merges this test file's samples into the report files and returns the table of the whole report. */
export function writeGasReport(testFile: string, out: { json: string; txt: string } = { json: GAS_REPORT_JSON, txt: GAS_REPORT_TXT }): string {
  mkdirSync(dirname(out.json), { recursive: true });
  let table = "";
  withLock(`${out.json}.lock`, () => {
    let report: GasReportFile = { note: "", contracts: {}, samples: {} };
    if (existsSync(out.json)) {
      try {
        report = JSON.parse(readFileSync(out.json, "utf8")) as GasReportFile;
      } catch {
        // a torn or foreign file is rebuilt from the samples of the files that run from now on
      }
    }
    report.samples ??= {};
    report.samples[testFile] = Object.fromEntries([...gasCollector.contracts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    report.note =
      "Gas per contract function across the contract tests (GAS_REPORT=1 npx vitest run test/contracts): every executed call, reverted ones and views included; the median of an even count is the mean of the middle two, rounded down.";
    report.contracts = summarize(report.samples);
    table = gasTable(report.contracts);
    for (const [path, text] of [
      [out.json, `${JSON.stringify({ note: report.note, contracts: report.contracts, samples: report.samples }, null, 2)}\n`],
      [out.txt, table],
    ] as const) {
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    }
  });
  return table;
}

if (process.env.GAS_REPORT === "1" && process.env.VITEST) {
  // vitest only when it runs this file, so the helper also loads as a library (`mote/testing`)
  const { afterAll } = await import("vitest");
  // vitest 4 passes hook fixtures first and wants them destructured; the file is the second argument
  afterAll(({}, suite) => {
    const file = "filepath" in suite ? suite.filepath : suite.file?.filepath;
    if (gasCollector.contracts.size === 0 || !file) return;
    const table = writeGasReport(relative(ROOT, file));
    console.log(`gas report (all test files so far; ${relative(ROOT, GAS_REPORT_TXT)}):\n${table}`);
  });
}
