// bench/peers/quickjs/workloads.js: the peer workloads as a script for QuickJS (quickjs-emscripten).
// Byte strings cross the boundary as lower-case hex; sha256_hex and ed25519_verify_hex are host functions.

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

// Checked like Mote's addu: doubles are exact below 2^53, so past that the sum would be wrong.
function sum(n) {
  let s = 0;
  const max = Number.MAX_SAFE_INTEGER;
  for (let i = 1; i <= n; i++) {
    if (s > max - i) throw new Error("overflow");
    s += i;
  }
  return s;
}

function sha_chain(h, n) {
  for (let i = 0; i < n; i++) h = sha256_hex(h);
  return h;
}

let balances = new Map();
let events = [];

function token_init(owner, total) {
  balances = new Map([[owner, total]]);
  events = [];
}

function transfer(from, to, amount) {
  const bal = balances.get(from) ?? 0;
  if (bal < amount) throw new Error("insufficient balance");
  balances.set(from, bal - amount);
  const toBal = balances.get(to) ?? 0;
  if (toBal > Number.MAX_SAFE_INTEGER - amount) throw new Error("overflow");
  balances.set(to, toBal + amount);
  events.push([from, to, amount]);
}

function balance_of(who) {
  return balances.get(who) ?? 0;
}

// Attestation and anomaly guard, as contracts/sensor_attestation.mote and anomaly_guard.mote.
const ONE = 65536;
const ALPHA = ONE / 8;
const WARMUP = 8;
const K2 = 16 * ONE;
const MIN_VARIANCE = 655;
const WINDOW = 10;
const STRIKES = 3;
const MAX_DEVIATION = 1000000 * ONE;
const MAX_CLOCK_SKEW = 300;
const ZERO_CHAIN = "0".repeat(64);
let status = new Map();
let stats = new Map();
let latest = new Map();
let total = 0;
let contractId = "";
let now = 0;

function attest_init(id, blockTime) {
  contractId = id;
  now = blockTime;
  status = new Map();
  stats = new Map();
  latest = new Map();
  total = 0;
  events = [];
}

function register(device) {
  status.set(device, 1);
}

function le64(v) {
  let s = "";
  let x = BigInt.asUintN(64, BigInt(v));
  for (let i = 0; i < 8; i++) {
    s += Number(x & 0xffn).toString(16).padStart(2, "0");
    x >>= 8n;
  }
  return s;
}

// Mote's fmul: exact while the product is a safe integer, then truncated toward zero.
function fmul(a, b) {
  const p = a * b;
  if (!Number.isSafeInteger(p)) throw new Error("overflow");
  return Math.trunc(p / ONE);
}

function statsOf(device) {
  return stats.get(device) ?? { seen: 0, samples: 0, mean: 0, variance: 0, strikes: 0, windowStart: 0, anomalies: 0, isolated: false };
}

function submit(device, nonce, value, timestamp, sig) {
  const st = status.get(device) ?? 0;
  if (st === 0) throw new Error("device not registered");
  if (st !== 1) throw new Error("device revoked");
  const g = statsOf(device);
  if (g.isolated) throw new Error("device isolated by the anomaly guard");
  const last = latest.get(device) ?? { count: 0, nonce: 0, value: 0, timestamp: 0, chain: ZERO_CHAIN };
  if (g.seen !== last.count) throw new Error("anomaly guard has not observed the previous reading");
  if (nonce <= last.nonce) throw new Error("replayed nonce");
  if (timestamp <= last.timestamp) throw new Error("reading not newer than the device's last");
  if (timestamp > now + MAX_CLOCK_SKEW) throw new Error("reading timestamp is in the future");
  const msg = contractId + le64(nonce) + le64(value) + le64(timestamp);
  if (!ed25519_verify_hex(device, msg, sig)) throw new Error("bad signature");
  const chain = sha256_hex(last.chain + msg);
  latest.set(device, { count: last.count + 1, nonce, value, timestamp, chain });
  total += 1;
  events.push([device, nonce, value, timestamp, chain]);
}

function observe(device) {
  const r = latest.get(device) ?? { count: 0, nonce: 0, value: 0 };
  const s = { ...statsOf(device) };
  if (r.count <= s.seen) throw new Error("no new attested reading for this device");
  s.seen = r.count;
  const x = r.value;
  if (s.samples === 0) {
    s.samples = 1;
    s.mean = x;
    s.variance = 0;
    stats.set(device, s);
    return;
  }
  const d = x - s.mean;
  let anomalous = false;
  if (s.samples >= WARMUP) {
    if (d > MAX_DEVIATION || d < -MAX_DEVIATION) anomalous = true;
    else anomalous = fmul(d, d) > fmul(K2, Math.max(s.variance, MIN_VARIANCE));
  }
  if (anomalous) {
    if (s.strikes === 0 || s.seen - s.windowStart >= WINDOW) {
      s.windowStart = s.seen;
      s.strikes = 0;
    }
    s.strikes += 1;
    s.anomalies += 1;
    events.push(["Anomaly", device, r.nonce, x, s.mean, s.variance]);
    if (s.strikes >= STRIKES) {
      s.isolated = true;
      events.push(["Isolated", device, r.nonce, s.anomalies]);
    }
  } else {
    s.samples += 1;
    const inc = fmul(d, ALPHA);
    s.mean += inc;
    s.variance = fmul(s.variance + fmul(d, inc), ONE - ALPHA);
  }
  stats.set(device, s);
}

function chain_of(device) {
  return (latest.get(device) ?? { chain: ZERO_CHAIN }).chain;
}

function nonce_of(device) {
  return (latest.get(device) ?? { nonce: 0 }).nonce;
}

function mean_of(device) {
  return statsOf(device).mean;
}

function variance_of(device) {
  return statsOf(device).variance;
}
