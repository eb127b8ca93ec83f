// The EVM side of the benchmarks: compiles bench/peers/sol/*.sol with solc 0.8.37 (optimizer on) and
// exposes deployed runtime sizes (`evmBytes`, used by bench/budgets.ts) and bytecode for bench/peers.ts.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
export const SOL_DIR = join(root, "bench/peers/sol");
const CACHE_PATH = join(root, "bench/results/evm-compile.json");
export const SOLC_VERSION = "0.8.37";
/** 200 runs is solc's default trade-off between deploy size and call cost, what most projects ship. */
export const OPTIMIZER_RUNS = 200;

/** Contracts whose size is compared with a Mote contract: EVM name -> Mote contract name. */
export const SIZE_PEERS: Readonly<Record<string, string>> = {
  Token: "token",
  DeviceRegistry: "device_registry",
  SensorAttestation: "sensor_attestation",
  AnomalyGuard: "anomaly_guard",
};

export interface CompiledContract {
  /** Creation code (constructor + runtime), hex without 0x. */
  creation: string;
  /** Deployed runtime code, hex without 0x. */
  runtime: string;
  /** Function signature -> 4-byte selector hex, from solc's method identifiers. */
  selectors: Record<string, string>;
}

interface Cache {
  key: string;
  contracts: Record<string, CompiledContract>;
}

interface SolcOutput {
  errors?: { severity: string; message: string; formattedMessage: string; sourceLocation?: { file: string; start: number } }[];
  contracts?: Record<string, Record<string, { evm: { bytecode: { object: string }; deployedBytecode: { object: string }; methodIdentifiers: Record<string, string> } }>>;
}

function sources(): Record<string, string> {
  const files = readdirSync(SOL_DIR).filter((f) => f.endsWith(".sol")).sort();
  if (files.length === 0) throw new Error(`${SOL_DIR}: no .sol files`);
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(SOL_DIR, f), "utf8")]));
}

function cacheKey(src: Record<string, string>): string {
  const h = createHash("sha256");
  h.update(`solc ${SOLC_VERSION} runs ${OPTIMIZER_RUNS}\n`);
  for (const [f, text] of Object.entries(src)) h.update(`${f}\n${text.length}\n${text}`);
  return h.digest("hex");
}

function runSolc(src: Record<string, string>): Record<string, CompiledContract> {
  const require = createRequire(import.meta.url);
  const solc = require("solc") as { version(): string; compile(input: string): string };
  const version = solc.version();
  if (!version.startsWith(SOLC_VERSION + "+")) throw new Error(`solc ${version} is installed; the benchmarks pin ${SOLC_VERSION}`);
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(src).map(([f, content]) => [f, { content }])),
    settings: {
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      // Metadata hash off: the CBOR trailer (53 B) is an IPFS pointer, not code; Mote's META section
      // is likewise excluded from contractBytes.
      metadata: { bytecodeHash: "none", appendCBOR: false },
      outputSelection: { "*": { "*": ["evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    const where = (e: (typeof errors)[number]): string => {
      const loc = e.sourceLocation;
      if (!loc || !(loc.file in src) || loc.start < 0) return "bench/peers/sol";
      const before = src[loc.file]!.slice(0, loc.start).split("\n");
      return `bench/peers/sol/${loc.file}:${before.length}:${before[before.length - 1]!.length + 1}`;
    };
    throw new Error(errors.map((e) => `${where(e)}: ${e.message}`).join("; "));
  }
  const contracts: Record<string, CompiledContract> = {};
  for (const [file, byName] of Object.entries(out.contracts ?? {})) {
    for (const [name, c] of Object.entries(byName)) {
      // Interfaces compile to empty code; only deployable contracts are kept.
      if (c.evm.deployedBytecode.object.length === 0) continue;
      if (name in contracts) throw new Error(`bench/peers/sol/${file}: contract ${name} is defined twice`);
      contracts[name] = { creation: c.evm.bytecode.object, runtime: c.evm.deployedBytecode.object, selectors: c.evm.methodIdentifiers };
    }
  }
  return contracts;
}

let memo: { key: string; contracts: Record<string, CompiledContract> } | undefined;

/** Every contract of bench/peers/sol, compiled once per source change (cached on disk: solc-js is slow). */
export function compileSolidity(): Record<string, CompiledContract> {
  const src = sources();
  const key = cacheKey(src);
  if (memo?.key === key) return memo.contracts;
  if (existsSync(CACHE_PATH)) {
    try {
      const cached = JSON.parse(readFileSync(CACHE_PATH, "utf8")) as Cache;
      if (cached.key === key) {
        memo = cached;
        return cached.contracts;
      }
    } catch {
      // An unreadable cache is rebuilt below.
    }
  }
  const contracts = runSolc(src);
  memo = { key, contracts };
  mkdirSync(join(root, "bench/results"), { recursive: true });
  const tmp = `${CACHE_PATH}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ key, contracts } satisfies Cache, null, 1) + "\n");
  renameSync(tmp, CACHE_PATH);
  return contracts;
}

/** Deployed runtime bytes of each size peer, keyed by the Mote contract name it stands for. */
export async function evmBytes(): Promise<Record<string, number>> {
  const contracts = compileSolidity();
  const out: Record<string, number> = {};
  for (const [evmName, moteName] of Object.entries(SIZE_PEERS)) {
    const c = contracts[evmName];
    if (!c) throw new Error(`bench/peers/sol: contract ${evmName} not found`);
    out[moteName] = c.runtime.length / 2;
  }
  return out;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const sizes = await evmBytes();
  for (const [name, bytes] of Object.entries(sizes)) console.log(`${name.padEnd(20)} ${bytes} B`);
}
