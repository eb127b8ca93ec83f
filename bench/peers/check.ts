// Answer checks run before anything is timed (bench/peers.ts) and by the tests (test/bench): each
// workload's result against the reference in workloads.ts, plus the attestation's refusals.
import { PeerError, type PeerEngine } from "./engine.ts";
import {
  attestRef,
  balancesRef,
  fibRef,
  hex,
  readings,
  SHA_SEED,
  shaChainRef,
  sumRef,
  transfers,
  type Sizes,
  type WorkloadName,
} from "./workloads.ts";

const same = (a: readonly (bigint | Uint8Array)[], b: readonly (bigint | Uint8Array)[]): boolean =>
  a.length === b.length && a.every((x, i) => (typeof x === "bigint" ? x === b[i] : b[i] instanceof Uint8Array && hex(x) === hex(b[i] as Uint8Array)));

const show = (v: readonly (bigint | Uint8Array)[]): string => v.map((x) => (typeof x === "bigint" ? String(x) : hex(x).slice(0, 16) + "…")).join(", ");

/** Checks one workload on one engine at these sizes; throws a PeerError naming what differs. */
export async function checkWorkload(e: PeerEngine, w: WorkloadName, s: Sizes): Promise<void> {
  const fail = (detail: string): never => {
    throw new PeerError(e.name, w, detail);
  };
  switch (w) {
    case "fib": {
      const got = await e.fib(s.fibN);
      if (got !== fibRef(s.fibN)) fail(`fib(${s.fibN}) gave ${got}, expected ${fibRef(s.fibN)}`);
      return;
    }
    case "loop": {
      const got = await e.sum(s.loopN);
      if (got !== sumRef(s.loopN)) fail(`sum(1..${s.loopN}) gave ${got}, expected ${sumRef(s.loopN)}`);
      return;
    }
    case "sha_chain": {
      const got = await e.shaChain(SHA_SEED, s.shaN);
      const want = shaChainRef(SHA_SEED, s.shaN);
      if (hex(got) !== hex(want)) fail(`${s.shaN} chained hashes gave ${hex(got)}, expected ${hex(want)}`);
      return;
    }
    case "token_transfer": {
      const list = transfers(s.transfers);
      await e.token.reset();
      await e.token.run(list);
      const got = await e.token.balances();
      const want = balancesRef(list);
      if (!same(got, want)) fail(`balances after ${list.length} transfers are [${show(got)}], expected [${show(want)}]`);
      // A second run from a reset must start from the same state, or timed runs would differ.
      await e.token.reset();
      await e.token.run(list);
      if (!same(await e.token.balances(), want)) fail("a run after reset did not reproduce the balances");
      return;
    }
    case "attest": {
      const list = readings(s.readings);
      await e.attest.prepare(list);
      await e.attest.reset();
      if (!(await e.attest.refusesTampered(0))) fail("a reading with a flipped signature bit was not refused as a bad signature");
      await e.attest.run();
      const want = attestRef(list, { message: e.attest.message, initialHead: e.attest.initialHead });
      const heads = await e.attest.heads();
      if (!same(heads, want.heads)) fail(`hash-chain heads are [${show(heads)}], expected [${show(want.heads)}]`);
      const nonces = await e.attest.nonces();
      if (!same(nonces, want.nonces)) fail(`device nonces are [${show(nonces)}], expected [${show(want.nonces)}]`);
      const g = await e.attest.guard();
      if (!same(g.means, want.means)) fail(`guard means are [${show(g.means)}], expected [${show(want.means)}]`);
      if (!same(g.variances, want.variances)) fail(`guard variances are [${show(g.variances)}], expected [${show(want.variances)}]`);
      if (!(await e.attest.refusesReplay(0))) fail("a replayed reading was not refused as a replay");
      await e.attest.reset();
      await e.attest.run();
      if (!same(await e.attest.heads(), want.heads)) fail("a run after reset did not reproduce the heads");
      return;
    }
  }
}
