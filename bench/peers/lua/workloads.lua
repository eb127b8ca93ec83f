-- bench/peers/lua/workloads.lua: the peer workloads in Lua 5.4 (run by wasmoon). Byte strings cross the
-- JS boundary as lower-case hex; sha256_hex and ed25519_verify_hex are host functions (@noble), as
-- Mote's sha256 and edverify are host calls.

function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

-- Checked like Mote's addu: Lua integers wrap silently, so the overflow test is explicit.
function sum(n)
  local s, max = 0, math.maxinteger
  for i = 1, n do
    if s > max - i then error("overflow") end
    s = s + i
  end
  return s
end

function sha_chain(h, n)
  local sha = sha256_hex
  for _ = 1, n do h = sha(h) end
  return h
end

-- Token: accounts are 64-hex-digit public keys; balances are integers; events go to a list.
local balances, allowances, events = {}, {}, {}

function token_init(owner, total)
  balances, allowances, events = { [owner] = total }, {}, {}
end

function transfer(from, to, amount)
  local bal = balances[from] or 0
  if bal < amount then error("insufficient balance") end
  balances[from] = bal - amount
  local to_bal = balances[to] or 0
  if to_bal > math.maxinteger - amount then error("overflow") end
  balances[to] = to_bal + amount
  events[#events + 1] = { from, to, amount }
end

function balance_of(who)
  return balances[who] or 0
end

-- Attestation and anomaly guard, as contracts/sensor_attestation.mote and anomaly_guard.mote: the
-- registry's status table is read-only here; readings hold count, nonce, value, timestamp and chain.
local ONE = 65536
local ALPHA, WARMUP, K2, MIN_VARIANCE = ONE // 8, 8, 16 * ONE, 655
local WINDOW, STRIKES, MAX_DEVIATION, MAX_CLOCK_SKEW = 10, 3, 1000000 * ONE, 300
local ZERO_CHAIN = string.rep("0", 64)
local status, stats, latest, total, contract_id, now = {}, {}, {}, 0, "", 0

function attest_init(id, block_time)
  contract_id, now, status, stats, latest, total, events = id, block_time, {}, {}, {}, 0, {}
end

function register(device)
  status[device] = 1
end

local function le64(v)
  return (string.pack("<i8", v):gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

-- Mote's fmul: truncates toward zero (Lua's // floors); products here stay far below 2^63.
local function fmul(a, b)
  local p = a * b
  if p >= 0 then return p // ONE end
  return -((-p) // ONE)
end

local function stats_of(device)
  return stats[device] or { seen = 0, samples = 0, mean = 0, variance = 0, strikes = 0, window_start = 0, anomalies = 0, isolated = false }
end

function submit(device, nonce, value, timestamp, sig)
  local st = status[device] or 0
  if st == 0 then error("device not registered") end
  if st ~= 1 then error("device revoked") end
  local g = stats_of(device)
  if g.isolated then error("device isolated by the anomaly guard") end
  local last = latest[device] or { count = 0, nonce = 0, value = 0, timestamp = 0, chain = ZERO_CHAIN }
  if g.seen ~= last.count then error("anomaly guard has not observed the previous reading") end
  if nonce <= last.nonce then error("replayed nonce") end
  if timestamp <= last.timestamp then error("reading not newer than the device's last") end
  if timestamp > now + MAX_CLOCK_SKEW then error("reading timestamp is in the future") end
  local msg = contract_id .. le64(nonce) .. le64(value) .. le64(timestamp)
  if not ed25519_verify_hex(device, msg, sig) then error("bad signature") end
  local chain = sha256_hex(last.chain .. msg)
  latest[device] = { count = last.count + 1, nonce = nonce, value = value, timestamp = timestamp, chain = chain }
  total = total + 1
  events[#events + 1] = { device, nonce, value, timestamp, chain }
end

function observe(device)
  local r = latest[device] or { count = 0, nonce = 0, value = 0 }
  local s = stats_of(device)
  if r.count <= s.seen then error("no new attested reading for this device") end
  s.seen = r.count
  local x = r.value
  if s.samples == 0 then
    s.samples, s.mean, s.variance = 1, x, 0
    stats[device] = s
    return
  end
  local d = x - s.mean
  local anomalous = false
  if s.samples >= WARMUP then
    if d > MAX_DEVIATION or d < -MAX_DEVIATION then
      anomalous = true
    else
      local v = s.variance
      if v < MIN_VARIANCE then v = MIN_VARIANCE end
      anomalous = fmul(d, d) > fmul(K2, v)
    end
  end
  if anomalous then
    if s.strikes == 0 or s.seen - s.window_start >= WINDOW then
      s.window_start, s.strikes = s.seen, 0
    end
    s.strikes = s.strikes + 1
    s.anomalies = s.anomalies + 1
    events[#events + 1] = { "Anomaly", device, r.nonce, x, s.mean, s.variance }
    if s.strikes >= STRIKES then
      s.isolated = true
      events[#events + 1] = { "Isolated", device, r.nonce, s.anomalies }
    end
  else
    s.samples = s.samples + 1
    local inc = fmul(d, ALPHA)
    s.mean = s.mean + inc
    s.variance = fmul(s.variance + fmul(d, inc), ONE - ALPHA)
  end
  stats[device] = s
end

function chain_of(device) return (latest[device] or { chain = ZERO_CHAIN }).chain end
function nonce_of(device) return (latest[device] or { nonce = 0 }).nonce end
function mean_of(device) return stats_of(device).mean end
function variance_of(device) return stats_of(device).variance end
