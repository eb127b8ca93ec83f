// Every peer of `npm run bench` computes the right answer (small sizes, nothing timed), and each one
// refuses a tampered signature and a replayed reading; the answer checks themselves catch wrong answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkWorkload } from "../../bench/peers/check.ts";
import type { PeerEngine } from "../../bench/peers/engine.ts";
import { createEngine, ENGINE_NAMES } from "../../bench/peers/engines/index.ts";
import { attestRef, fibCalls, moteFormat, PEER_CONTRACT_ID, readings, SMALL, transfers, balancesRef, WORKLOADS } from "../../bench/peers/workloads.ts";

describe.each(ENGINE_NAMES)("peer %s", (name) => {
  let engine: PeerEngine;
  beforeAll(async () => {
    engine = await createEngine(name);
  });
  afterAll(() => engine?.dispose());
  it.each(WORKLOADS.map((w) => w.name))("computes %s", async (w) => {
    await expect(checkWorkload(engine, w, SMALL)).resolves.toBeUndefined();
  });
});

describe("answer checks", () => {
  let js: PeerEngine;
  beforeAll(async () => {
    js = await createEngine("js");
  });
  afterAll(() => js?.dispose());

  it("reject a wrong fib, sum and hash", async () => {
    await expect(checkWorkload({ ...js, fib: async (n) => (await js.fib(n)) + 1n }, "fib", SMALL)).rejects.toThrow(/js fib: fib\(12\) gave 145, expected 144/);
    await expect(checkWorkload({ ...js, sum: async (n) => (await js.sum(n)) - 1n }, "loop", SMALL)).rejects.toThrow(/expected 500500/);
    await expect(checkWorkload({ ...js, shaChain: (seed, n) => js.shaChain(seed, n - 1) }, "sha_chain", SMALL)).rejects.toThrow(/10 chained hashes gave/);
  });

  it("reject balances that a transfer did not move", async () => {
    const lazy: PeerEngine = { ...js, token: { ...js.token, run: (list) => js.token.run(list.slice(1)) } };
    await expect(checkWorkload(lazy, "token_transfer", SMALL)).rejects.toThrow(/balances after 24 transfers/);
  });

  it("reject an engine that accepts a tampered signature", async () => {
    const lax: PeerEngine = { ...js, attest: { ...js.attest, refusesTampered: async () => false } };
    await expect(checkWorkload(lax, "attest", SMALL)).rejects.toThrow(/flipped signature bit was not refused/);
  });

  it("reject guard statistics that are off by one unit in the last place", async () => {
    const off: PeerEngine = {
      ...js,
      attest: {
        ...js.attest,
        guard: async () => {
          const g = await js.attest.guard();
          return { means: g.means.map((m, i) => (i === 3 ? m + 1n : m)), variances: g.variances };
        },
      },
    };
    await expect(checkWorkload(off, "attest", SMALL)).rejects.toThrow(/guard means are/);
  });
});

describe("workload references", () => {
  it("count fib calls and keep every transfer and reading valid", () => {
    expect(fibCalls(25)).toBe(242_785);
    expect(fibCalls(1)).toBe(1);
    expect(balancesRef(transfers(1000)).reduce((a, b) => a + b, 0n)).toBe(8_000_000n);
    const ref = attestRef(readings(100), moteFormat(PEER_CONTRACT_ID));
    expect(ref.nonces).toEqual(Array(10).fill(10n));
    // Past the warm-up the guard's statistics have moved off the first reading.
    expect(new Set(ref.variances.map(String)).size).toBeGreaterThan(1);
  });
});
