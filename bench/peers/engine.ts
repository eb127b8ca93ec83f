// What every peer engine implements for bench/peers.ts and test/bench: the five workloads, each run
// the same way (one call per transaction for token and attest), with state reset between runs.
// The attest workload follows contracts/sensor_attestation.mote and anomaly_guard.mote: per reading, a
// `submit` (registry and guard checks, nonce and time order, ed25519, hash chain) and the guard's
// `observe` (fixed-point EWMA of mean and variance, anomaly strikes).
import type { Reading, Transfer } from "./workloads.ts";

export type EngineName = "mote" | "mote-fast" | "lua" | "quickjs" | "evm" | "js";

export interface EngineInfo {
  name: EngineName;
  title: string;
  /** What runs, and any way in which it differs from the others, for the docs. */
  notes: string[];
}

export interface PeerEngine extends EngineInfo {
  fib(n: number): Promise<bigint>;
  sum(n: number): Promise<bigint>;
  shaChain(seed: Uint8Array, n: number): Promise<Uint8Array>;
  token: {
    /** Fresh contract state: account 0 deployed with the supply and funded every other account. */
    reset(): Promise<void>;
    /** Runs the transfers, each as one call from its sender; throws if any fails. */
    run(list: readonly Transfer[]): Promise<void>;
    balances(): Promise<bigint[]>;
  };
  attest: {
    /** Signs the readings in this engine's message layout (untimed, once). */
    prepare(list: readonly Reading[]): Promise<void>;
    /** Fresh attestation state (devices registered, no readings yet). */
    reset(): Promise<void>;
    /** Per reading, submits it and has the guard observe it (two calls); throws if any is refused. */
    run(): Promise<void>;
    heads(): Promise<Uint8Array[]>;
    nonces(): Promise<bigint[]>;
    /** The guard's mean and variance per device, Q47.16 as signed integers. */
    guard(): Promise<{ means: bigint[]; variances: bigint[] }>;
    /** Submits reading `index` with one signature bit flipped; true when the engine refuses it. */
    refusesTampered(index: number): Promise<boolean>;
    /** Submits reading `index` again after it was accepted; true when the engine refuses it. */
    refusesReplay(index: number): Promise<boolean>;
    /** The engine's signed-message layout and first chain value, for the reference. */
    message(r: Reading): Uint8Array;
    initialHead: Uint8Array;
  };
  dispose(): void;
}

/** The engine failed a workload: names the engine, the workload and what went wrong. */
export class PeerError extends Error {
  constructor(engine: EngineName, workload: string, detail: string) {
    super(`${engine} ${workload}: ${detail}`);
    this.name = "PeerError";
  }
}

