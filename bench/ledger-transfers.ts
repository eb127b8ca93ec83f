// Signed token transfers through the embedded ledger (an on-disk SQLite devnet, as `mote devnet` runs it):
// pre-signed transfers submitted in blocks of TX_PER_BLOCK, each checked (signature, nonce), executed and committed.
// Part of `npm run bench:ledger`; `tsx bench/ledger-transfers.ts` runs it alone (`--cpu-prof` to profile).
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { compileFile } from "../compiler/index.ts";
import { KeyPair, Ledger, type SignedTx } from "../ledger/index.ts";
import { verifyEd25519, verifyEd25519Noble } from "../vm/host/ed25519.ts";
import { MoteVM } from "../vm/host/index.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/**
 * Transfers per block: as many as a default block's gas holds at a transfer's price (two state reads and two
 * writes, about 5.8 M gas since issue 11 point 1 priced state by what the ledger spends; 20 before it).
 */
export const TX_PER_BLOCK = 16;

export interface TransferRun {
  txPerBlock: number;
  blocks: number;
  txs: number;
  /** Median of the runs: committed transfers per second (check, execute, commit), signing excluded. */
  txPerSecond: number;
  msPerBlock: number;
  /** The 1-minute load average when the run began: above the core count, other work shared the cores. */
  loadAverage: number;
  /** One signature verification, median µs, in the same run: the native path and @noble/ed25519. */
  verifyNativeMicros: number;
  verifyNobleMicros: number;
}

/** Median µs of one verification of an honest signature by each path (the answer checked each time). */
function verifyMicros(verify: typeof verifyEd25519, n: number): number {
  const key = KeyPair.fromSeed(new Uint8Array(32).fill(42));
  const msgs = Array.from({ length: n }, (_, i) => Uint8Array.of(i & 255, i >> 8));
  const sigs = msgs.map((m) => key.sign(m));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const ok = verify(sigs[i]!, msgs[i]!, key.publicKey);
    times.push(performance.now() - t0);
    if (!ok) throw new Error("bench: an honest signature did not verify");
  }
  times.sort((a, b) => a - b);
  return Math.round(times[n >> 1]! * 1000);
}

/** Deploys the token, funds `senders` holders, then times `blocks` blocks of signed transfers among them. */
export async function measureTransfers(blocks = 50, senders = TX_PER_BLOCK, runs = 3): Promise<TransferRun> {
  const out = compileFile(join(ROOT, "contracts/token.mote"));
  if (!out.module) throw new Error(`token.mote does not compile: ${out.diagnostics.map((d) => d.message).join("; ")}`);
  const vm = await MoteVM.create();
  const seed = (i: number): KeyPair => KeyPair.fromSeed(new Uint8Array(32).fill(i + 1));
  const owner = seed(0);
  const holders = Array.from({ length: senders }, (_, i) => seed(i + 1));
  const loadAverage = Math.round(loadavg()[0]! * 10) / 10;
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), "mote-bench-transfers-"));
    try {
      let t = 1_700_000_000n;
      const l = await Ledger.open(dir, { chainId: "bench", clock: () => t++, vm });
      const token = l.deploy(owner, out.module, [1_000_000_000n]).contract;
      // each transaction's gas limit: its share of the block's gas (the limits of a block's transactions add up)
      const gas = Math.floor(Number(l.params.blockGasLimit) / TX_PER_BLOCK);
      const fund = holders.map((h, i) => l.signCall(owner, token, "transfer", [h.publicKey, 1_000_000n], { nonce: BigInt(i + 1), gas }));
      for (let i = 0; i < fund.length; i += TX_PER_BLOCK) l.submit(fund.slice(i, i + TX_PER_BLOCK));
      // one transfer per holder per block, each to the next holder: every block has TX_PER_BLOCK distinct senders
      const pending: SignedTx[][] = [];
      for (let b = 0; b < blocks; b++) {
        const block: SignedTx[] = [];
        for (let j = 0; j < TX_PER_BLOCK; j++) {
          const from = holders[j % senders]!;
          const to = holders[(j + 1) % senders]!;
          block.push(l.signCall(from, token, "transfer", [to.publicKey, 1n], { nonce: BigInt(b * Math.ceil(TX_PER_BLOCK / senders) + Math.floor(j / senders)), gas }));
        }
        pending.push(block);
      }
      const t0 = performance.now();
      for (const block of pending) {
        const r = l.submit(block.map((s) => s.bytes));
        for (const o of r.outcomes) {
          if (!o.ok) throw new Error(`bench: a transfer was rejected: ${o.error.message}`);
          if (o.receipt.status !== "ok") throw new Error(`bench: a transfer ended ${o.receipt.status}`);
        }
      }
      const ms = performance.now() - t0;
      // check the answer: every holder sent and received one unit per block, so balances are unchanged
      for (const h of holders) {
        const v = l.view(token, "balance_of", [h.publicKey]).returns[0];
        if (v !== 1_000_000n) throw new Error(`bench: holder balance ${String(v)} after the transfers, want 1000000`);
      }
      l.close();
      rates.push((blocks * TX_PER_BLOCK * 1000) / ms);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  rates.sort((a, b) => a - b);
  const txPerSecond = Math.round(rates[rates.length >> 1]!);
  return {
    txPerBlock: TX_PER_BLOCK,
    blocks,
    txs: blocks * TX_PER_BLOCK,
    txPerSecond,
    msPerBlock: Math.round((TX_PER_BLOCK * 10000) / txPerSecond) / 10,
    loadAverage,
    verifyNativeMicros: verifyMicros(verifyEd25519, 400),
    verifyNobleMicros: verifyMicros(verifyEd25519Noble, 100),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureTransfers(Number(process.env.BLOCKS ?? 50));
  console.log(JSON.stringify(r));
}
