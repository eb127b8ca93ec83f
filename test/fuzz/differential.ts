// Differential runs: the same module, state and calls through the Node host and through mote-host
// (the firmware host, wasm3), and through mote-host-aot (the same VM translated by wasm2c) when it is built
// from the VM the Node side runs; any difference in a result line or in the final state is a consensus bug.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AOT_HOST_PATH, HOST_PATH } from "../../firmware-host/scripts/build.ts";
import { runBatch } from "../../firmware-host/scripts/batch.ts";
import { encodeStateFile } from "../../firmware-host/scripts/state-file.ts";
import { WASM_PATH, type MemoryStateStore, type Value } from "../../vm/host/index.ts";
import type { CallSpec } from "./program-gen.ts";

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const arg = (v: Value): string => (typeof v === "bigint" ? BigInt.asUintN(64, v).toString() : hex(v));

export function firmwareHostAvailable(): boolean {
  return existsSync(HOST_PATH);
}

/** One case queued for mote-host: what Node said, to compare once the batch comes back. */
interface Pending {
  id: number;
  lines: string[];
  nodeResults: string[];
  nodeState: string;
  /** Output lines of the preload calls, not compared. */
  skip: number;
}

export interface Divergence {
  caseId: number;
  detail: string;
}

/**
 * Whether mote-host-aot was translated from the VM the Node side runs: it has the VM compiled in (no --vm), so
 * it joins a differential run only when it is at least as new as vm/build/mote.wasm (`npm run build:firmware`).
 */
export function aotHostCurrent(): boolean {
  return existsSync(AOT_HOST_PATH) && existsSync(WASM_PATH) && statSync(AOT_HOST_PATH).mtimeMs >= statSync(WASM_PATH).mtimeMs;
}

/**
 * Copies of mote-host and of the VM the Node side runs, so a long run compares one VM on both hosts
 * even when someone rebuilds either mid-run (mote-host runs the copy with --vm); and a copy of mote-host-aot
 * when it is current (aotHostCurrent).
 */
export function snapshotHosts(): { host: string; vm: string; aotHost?: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "mote-diff-"));
  const host = join(dir, "mote-host");
  const vm = join(dir, "mote.wasm");
  copyFileSync(HOST_PATH, host);
  chmodSync(host, 0o755);
  copyFileSync(WASM_PATH, vm);
  let aotHost: string | undefined;
  if (aotHostCurrent()) {
    aotHost = join(dir, "mote-host-aot");
    copyFileSync(AOT_HOST_PATH, aotHost);
    chmodSync(aotHost, 0o755);
  }
  return { host, vm, aotHost, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Queues cases and runs them through one mote-host process per flush. */
export class DifferentialBatch {
  private pending: Pending[] = [];
  calls = 0;
  cases = 0;

  /** `vm`: a wasm file for mote-host to run instead of its embedded VM (the Node side's snapshot); `label`: the host's name in divergences. */
  constructor(
    private readonly host = HOST_PATH,
    private readonly vm?: string,
    private readonly label = "mote-host",
  ) {}

  /** The state-file text of a store, as both hosts can print it. */
  static stateHex(store: MemoryStateStore): string {
    return hex(encodeStateFile(store));
  }

  add(id: number, module: Uint8Array, stateBefore: string, calls: readonly CallSpec[], nodeResults: readonly string[], nodeStateAfter: string, preload: readonly Uint8Array[] = []): void {
    // a preloaded module is loaded by a call to a selector no module exports (it answers bad_call or invalid_module)
    const lines = ["reset", `state ${stateBefore}`];
    for (const m of preload) lines.push(`module ${hex(m)}`, "call @0");
    lines.push(`module ${hex(module)}`);
    for (const c of calls) {
      const parts = ["call", `@${c.selector >>> 0}`, ...c.args.map(arg), "--gas", String(c.gas), "--caller", hex(c.caller), "--timestamp", BigInt.asUintN(64, c.timestamp).toString(), "--height", BigInt.asUintN(64, c.height).toString()];
      lines.push(parts.join(" "));
    }
    lines.push("state");
    this.pending.push({ id, lines, nodeResults: [...nodeResults], nodeState: nodeStateAfter, skip: preload.length });
  }

  get size(): number {
    return this.pending.length;
  }

  /** Runs everything queued; returns the divergences (a failure of mote-host itself is one too). */
  flush(): Divergence[] {
    if (this.pending.length === 0) return [];
    const batch = this.pending;
    this.pending = [];
    const out: Divergence[] = [];
    const run = runBatch(batch.flatMap((p) => p.lines), this.vm ? ["--vm", this.vm] : [], this.host);
    if (run.status !== 0) {
      out.push({ caseId: batch[0]!.id, detail: `${this.label} exited with ${run.status}: ${run.stderr.trim().split("\n")[0] ?? ""}` });
      return out;
    }
    let i = 0;
    for (const p of batch) {
      this.cases++;
      i += p.skip;
      for (const [k, want] of p.nodeResults.entries()) {
        this.calls++;
        const got = run.stdout[i++];
        if (got !== want) {
          out.push({ caseId: p.id, detail: `call ${k}: node ${want.slice(0, 240)} | ${this.label} ${String(got).slice(0, 240)}` });
        }
      }
      const st = run.stdout[i++];
      const want = `{"state":"${p.nodeState}"}`;
      if (st !== want) out.push({ caseId: p.id, detail: `final state differs: node ${want.slice(0, 120)}… | ${this.label} ${String(st).slice(0, 120)}…` });
    }
    if (i !== run.stdout.length) out.push({ caseId: batch[0]!.id, detail: `${this.label} printed ${run.stdout.length} lines, expected ${i}` });
    return out;
  }
}
