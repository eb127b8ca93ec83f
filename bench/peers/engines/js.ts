// The ceiling: the same workloads as plain JavaScript in Node's JIT, bytes as Uint8Array, maps keyed by
// hex strings, and @noble for SHA-256 and ed25519 (what the Mote Node host calls too).
import * as ed from "@noble/ed25519";
import { sha256 } from "@noble/hashes/sha2.js";
import type { PeerEngine } from "../engine.ts";
import {
  accounts,
  concat,
  devices,
  hex,
  moteFormat,
  PEER_CONTRACT_ID,
  signReadings,
  TOKEN_ACCOUNTS,
  TOKEN_FUNDING,
  u64le,
  blockTime,
  type Reading,
  type SignedReading,
} from "../workloads.ts";

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function sum(n: number): number {
  let s = 0;
  for (let i = 1; i <= n; i++) {
    if (s > Number.MAX_SAFE_INTEGER - i) throw new Error("overflow");
    s += i;
  }
  return s;
}

class Token {
  readonly balances = new Map<string, number>();
  readonly events: [string, string, number][] = [];
  constructor(owner: string, total: number) {
    this.balances.set(owner, total);
  }
  transfer(from: string, to: string, amount: number): void {
    const bal = this.balances.get(from) ?? 0;
    if (bal < amount) throw new Error("insufficient balance");
    this.balances.set(from, bal - amount);
    const toBal = this.balances.get(to) ?? 0;
    if (toBal > Number.MAX_SAFE_INTEGER - amount) throw new Error("overflow");
    this.balances.set(to, toBal + amount);
    this.events.push([from, to, amount]);
  }
}

// Attestation and anomaly guard, as contracts/sensor_attestation.mote and anomaly_guard.mote.
const ONE = 65536;
const GUARD = { ALPHA: ONE / 8, WARMUP: 8, K2: 16 * ONE, MIN_VARIANCE: 655, WINDOW: 10, STRIKES: 3, MAX_DEVIATION: 1_000_000 * ONE };
const MAX_CLOCK_SKEW = 300;

/** Mote's fmul: exact while the product is a safe integer, then truncated toward zero. */
function fmul(a: number, b: number): number {
  const p = a * b;
  if (!Number.isSafeInteger(p)) throw new Error("overflow");
  return Math.trunc(p / ONE);
}

interface Latest {
  count: number;
  nonce: number;
  value: number;
  timestamp: number;
  chain: Uint8Array;
}

interface Stats {
  seen: number;
  samples: number;
  mean: number;
  variance: number;
  strikes: number;
  windowStart: number;
  anomalies: number;
  isolated: boolean;
}

const NO_READING: Latest = { count: 0, nonce: 0, value: 0, timestamp: 0, chain: new Uint8Array(32) };
const NO_STATS: Stats = { seen: 0, samples: 0, mean: 0, variance: 0, strikes: 0, windowStart: 0, anomalies: 0, isolated: false };

class Attestation {
  readonly status = new Map<string, number>();
  readonly stats = new Map<string, Stats>();
  readonly latest = new Map<string, Latest>();
  readonly events: unknown[][] = [];
  total = 0;
  constructor(
    readonly id: Uint8Array,
    readonly now: number,
  ) {}

  submit(device: Uint8Array, nonce: number, value: number, timestamp: number, sig: Uint8Array): void {
    const key = hex(device);
    const st = this.status.get(key) ?? 0;
    if (st === 0) throw new Error("device not registered");
    if (st !== 1) throw new Error("device revoked");
    const g = this.stats.get(key) ?? NO_STATS;
    if (g.isolated) throw new Error("device isolated by the anomaly guard");
    const last = this.latest.get(key) ?? NO_READING;
    if (g.seen !== last.count) throw new Error("anomaly guard has not observed the previous reading");
    if (nonce <= last.nonce) throw new Error("replayed nonce");
    if (timestamp <= last.timestamp) throw new Error("reading not newer than the device's last");
    if (timestamp > this.now + MAX_CLOCK_SKEW) throw new Error("reading timestamp is in the future");
    const msg = concat(this.id, u64le(BigInt(nonce)), u64le(BigInt(value)), u64le(BigInt(timestamp)));
    let ok = false;
    try {
      ok = ed.verify(sig, msg, device, { zip215: false });
    } catch {
      ok = false;
    }
    if (!ok) throw new Error("bad signature");
    const chain = sha256(concat(last.chain, msg));
    this.latest.set(key, { count: last.count + 1, nonce, value, timestamp, chain });
    this.total += 1;
    this.events.push([device, nonce, value, timestamp, chain]);
  }

  observe(device: Uint8Array): void {
    const key = hex(device);
    const r = this.latest.get(key) ?? NO_READING;
    const s = { ...(this.stats.get(key) ?? NO_STATS) };
    if (r.count <= s.seen) throw new Error("no new attested reading for this device");
    s.seen = r.count;
    const x = r.value;
    if (s.samples === 0) {
      this.stats.set(key, { ...s, samples: 1, mean: x, variance: 0 });
      return;
    }
    const d = x - s.mean;
    let anomalous = false;
    if (s.samples >= GUARD.WARMUP) {
      if (d > GUARD.MAX_DEVIATION || d < -GUARD.MAX_DEVIATION) anomalous = true;
      else anomalous = fmul(d, d) > fmul(GUARD.K2, Math.max(s.variance, GUARD.MIN_VARIANCE));
    }
    if (anomalous) {
      if (s.strikes === 0 || s.seen - s.windowStart >= GUARD.WINDOW) {
        s.windowStart = s.seen;
        s.strikes = 0;
      }
      s.strikes += 1;
      s.anomalies += 1;
      this.events.push(["Anomaly", device, r.nonce, x, s.mean, s.variance]);
      if (s.strikes >= GUARD.STRIKES) {
        s.isolated = true;
        this.events.push(["Isolated", device, r.nonce, s.anomalies]);
      }
    } else {
      s.samples += 1;
      const inc = fmul(d, GUARD.ALPHA);
      s.mean += inc;
      s.variance = fmul(s.variance + fmul(d, inc), ONE - GUARD.ALPHA);
    }
    this.stats.set(key, s);
  }
}

export async function createJs(): Promise<PeerEngine> {
  const acct = accounts.map(hex);
  const format = moteFormat(PEER_CONTRACT_ID);
  let token = new Token(acct[0]!, 0);
  let now = 0;
  let attest = new Attestation(PEER_CONTRACT_ID, now);
  let signed: SignedReading[] = [];
  const refuses = (r: SignedReading, sig: Uint8Array, reason: string): boolean => {
    try {
      attest.submit(devices[r.device]!.pubkey, Number(r.nonce), Number(r.value), Number(r.timestamp), sig);
      return false;
    } catch (e) {
      return (e as Error).message === reason;
    }
  };
  return {
    name: "js",
    title: "plain JavaScript (Node JIT)",
    notes: ["the ceiling: native JS objects, no VM, no metering, no state isolation"],
    async fib(n) {
      return BigInt(fib(n));
    },
    async sum(n) {
      return BigInt(sum(n));
    },
    async shaChain(seed, n) {
      let h = seed;
      for (let i = 0; i < n; i++) h = sha256(h);
      return h;
    },
    token: {
      async reset() {
        token = new Token(acct[0]!, Number(TOKEN_FUNDING) * TOKEN_ACCOUNTS);
        for (let i = 1; i < TOKEN_ACCOUNTS; i++) token.transfer(acct[0]!, acct[i]!, Number(TOKEN_FUNDING));
      },
      async run(list) {
        for (const t of list) token.transfer(acct[t.from]!, acct[t.to]!, Number(t.amount));
      },
      async balances() {
        return acct.map((a) => BigInt(token.balances.get(a) ?? 0));
      },
    },
    attest: {
      async prepare(list: readonly Reading[]) {
        now = Number(blockTime(list));
        signed = signReadings(list, format);
      },
      async reset() {
        attest = new Attestation(PEER_CONTRACT_ID, now);
        for (const d of devices) attest.status.set(hex(d.pubkey), 1);
      },
      async run() {
        for (const r of signed) {
          attest.submit(devices[r.device]!.pubkey, Number(r.nonce), Number(r.value), Number(r.timestamp), r.sig);
          attest.observe(devices[r.device]!.pubkey);
        }
      },
      async heads() {
        return devices.map((d) => (attest.latest.get(hex(d.pubkey)) ?? NO_READING).chain);
      },
      async nonces() {
        return devices.map((d) => BigInt((attest.latest.get(hex(d.pubkey)) ?? NO_READING).nonce));
      },
      async guard() {
        const st = devices.map((d) => attest.stats.get(hex(d.pubkey)) ?? NO_STATS);
        return { means: st.map((s) => BigInt(s.mean)), variances: st.map((s) => BigInt(s.variance)) };
      },
      async refusesTampered(index) {
        const r = signed[index]!;
        const sig = r.sig.slice();
        sig[7] ^= 0x10;
        return refuses(r, sig, "bad signature");
      },
      async refusesReplay(index) {
        return refuses(signed[index]!, signed[index]!.sig, "replayed nonce");
      },
      message: format.message,
      initialHead: format.initialHead,
    },
    dispose() {},
  };
}
