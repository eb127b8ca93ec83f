// The fuzzers' seeded randomness: one small PRNG (sfc32 seeded through splitmix32) so every case is
// replayable from a printed seed, plus the pickers and "interesting value" tables the generators share.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    // splitmix32 spreads a small integer seed over the 128-bit sfc32 state
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError("pick from an empty list");
    return xs[this.int(xs.length)]!;
  }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(xs: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of xs) total += w;
    let x = this.float() * total;
    for (const [w, v] of xs) {
      if ((x -= w) < 0) return v;
    }
    return xs[xs.length - 1]![1];
  }

  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }

  /** A 64-bit value (as a bigint in the u64 range), biased toward the edges arithmetic gets wrong. */
  u64(): bigint {
    return BigInt.asUintN(64, this.i64());
  }

  /** A signed 64-bit value biased toward the edges. */
  i64(): bigint {
    if (this.chance(0.55)) return this.pick(INTERESTING_I64);
    if (this.chance(0.5)) return BigInt(this.int(1000)) - 100n;
    if (this.chance(0.5)) return BigInt.asIntN(64, (BigInt(this.u32()) << 32n) | BigInt(this.u32()));
    const sh = BigInt(this.int(64));
    return BigInt.asIntN(64, (1n << sh) + BigInt(this.int(3)) - 1n);
  }

  /** A derived generator, so one case's randomness does not depend on how much another case used. */
  fork(): Rng {
    return new Rng(this.u32());
  }
}

export const MIN_I64 = -(2n ** 63n);
export const MAX_I64 = 2n ** 63n - 1n;
export const MAX_U64 = 2n ** 64n - 1n;

export const INTERESTING_I64: readonly bigint[] = [
  0n, 1n, 2n, 3n, 7n, 8n, 63n, 64n, 65n, -1n, -2n, 127n, 128n, 255n, 256n, 0xffffn, 0x10000n,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, MAX_I64, MIN_I64, MIN_I64 + 1n, MAX_I64 - 1n,
  1n << 16n, -(1n << 16n), 3n << 16n, (1n << 47n) - 1n, 1n << 47n, -(1n << 47n), 1n << 32n, -(1n << 32n),
];

/** A seed from the environment (MOTE_SEED) or the clock, always printed by the caller. */
export function seedFromEnv(): number {
  const env = process.env.MOTE_SEED;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`MOTE_SEED must be an integer 0..4294967295, got '${env}'`);
    return n;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
