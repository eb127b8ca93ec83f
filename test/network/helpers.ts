// Shared by the network tests: a local network started through the real CLI (node bin/mote.js, built by
// the global setup) on free 127.0.0.1 ports, stopped by its own PIDs, and RPC helpers.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFile } from "../../compiler/index.ts";
import { rpcCall } from "../../node/client.ts";
import { readManifest, stopNode, type NetManifest } from "../../node/net.ts";
import { releaseBasePort, reserveBasePort } from "../../node/ports.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MOTE = join(ROOT, "bin", "mote.js");

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the built CLI as its own process (what an operator types). */
export function mote(args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MOTE, ...args], { timeout: timeoutMs, encoding: "utf8" }, (err, out, errText) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out, err: errText });
    });
  });
}

/** A base port for `n` nodes, reserved across the test processes running side by side (node/ports.ts). */
export const freeBase = (n: number): Promise<number> => reserveBasePort(n);

export function tempNetDir(): string {
  return mkdtempSync(join(tmpdir(), "mote-net-"));
}

export async function downAndRemove(dir: string): Promise<void> {
  try {
    const m = readManifest(dir);
    await Promise.all(m.nodes.map((n) => stopNode(n.home, 5000)));
    releaseBasePort(m.nodes[0]!.ports.p2p);
  } catch {
    // never started
  }
  rmSync(dir, { recursive: true, force: true });
}

export const rpcOf = (m: NetManifest, i: number): string => `http://127.0.0.1:${m.nodes[i]!.ports.rpc}`;

export async function heightOf(url: string): Promise<number> {
  const s = (await rpcCall(url, "status", {}, 3000)) as { sync_info: { latest_block_height: string } };
  return Number(s.sync_info.latest_block_height);
}

/** The app hash in block `h`'s header (the state root after block h - 1). */
export async function appHashAt(url: string, h: number): Promise<string> {
  const b = (await rpcCall(url, "block", { height: String(h) }, 5000)) as { block: { header: { app_hash: string } } };
  return b.block.header.app_hash;
}

export async function waitUntil(what: string, f: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await f()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function tokenModule(): Uint8Array {
  const out = compileFile(join(ROOT, "contracts", "token.mote"));
  if (!out.module) throw new Error(`token.mote: ${JSON.stringify(out.diagnostics)}`);
  return out.module;
}

export function nodeLog(m: NetManifest, i: number): string {
  try {
    return readFileSync(join(m.nodes[i]!.home, "node.log"), "utf8");
  } catch {
    return "";
  }
}
