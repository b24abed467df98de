/**
 * Per-target scripts. Every script touches only the keys of ONE target (one hash tag, one slot).
 * Times are the caller's clock (ms) passed in ARGV, so tests inject `now`; TTLs are relative
 * durations, so a skew between the caller's and Redis's clocks does not matter. Integer math only:
 * latencies are µs, the EWMA weight is per mille.
 */
import { LUA_INT } from '../limits/lua/common';

/** Breaker state at `now`: open until `until`, half-open once it has passed, closed without one. */
const LUA_BREAKER_STATE = `
local function bstate(key, now)
  local v = redis.call('HGET', key, 'until')
  local u = v and tonumber(v) or 0
  if u == 0 then return 'closed', 0 end
  if now < u then return 'open', u end
  return 'half_open', u
end
`;

/**
 * KEYS: 1 breaker, 2 failures, 3 probe.
 * ARGV: 1 now, 2 mode ('fail' | 'ok' | 'neutral'), 3 window ms, 4 threshold, 5 base cooldown ms,
 *       6 max cooldown ms, 7 cooldown factor on a failed probe, 8 forgive (1: a success while closed
 *       cancels the oldest failure in the window), 9 retention ms once open, 10 probe holder ('' = none).
 * Returns {state, previous state, open-until ms (0 when closed)}.
 */
export const OUTCOME_LUA =
  LUA_INT +
  LUA_BREAKER_STATE +
  `
local now = tonumber(ARGV[1])
local mode = ARGV[2]
local st, u = bstate(KEYS[1], now)
local prev = st
if ARGV[10] ~= '' and redis.call('GET', KEYS[3]) == ARGV[10] then redis.call('DEL', KEYS[3]) end
local function open(cd)
  u = now + cd
  redis.call('HSET', KEYS[1], 'until', s(u), 'cd', s(cd))
  redis.call('PEXPIRE', KEYS[1], s(cd + tonumber(ARGV[9])))
  redis.call('DEL', KEYS[2], KEYS[3])
  st = 'open'
end
if mode == 'fail' then
  if st == 'half_open' then
    local v = redis.call('HGET', KEYS[1], 'cd')
    local cd = (v and tonumber(v) or tonumber(ARGV[5])) * tonumber(ARGV[7])
    if cd > tonumber(ARGV[6]) then cd = tonumber(ARGV[6]) end
    open(cd)
  elseif st == 'closed' then
    local window = tonumber(ARGV[3])
    local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
    redis.call('PEXPIRE', KEYS[1], s(window))
    redis.call('ZADD', KEYS[2], s(now), s(now) .. ':' .. s(seq))
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', s(now - window))
    redis.call('PEXPIRE', KEYS[2], s(window))
    if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then open(tonumber(ARGV[5])) end
  end
  -- a failure while open (a request tried anyway) neither extends nor shortens the cooldown
elseif mode == 'ok' then
  if st == 'half_open' then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
    st, u = 'closed', 0
  elseif st == 'closed' and ARGV[8] == '1' then
    redis.call('ZPOPMIN', KEYS[2])
  end
end
return {st, prev, s(u)}
`;

/**
 * KEYS: 1 breaker, 2 probe. ARGV: 1 now, 2 holder, 3 lease ms.
 * Returns 1 when `holder` holds the probe lease (newly or already), 0 otherwise (not half-open,
 * or someone else holds it).
 */
export const PROBE_LUA =
  LUA_BREAKER_STATE +
  `
local st = bstate(KEYS[1], tonumber(ARGV[1]))
if st ~= 'half_open' then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
if redis.call('GET', KEYS[2]) == ARGV[2] then return 1 end
return 0
`;

/**
 * KEYS: 1 latency. ARGV: 1 now, 2 ttft µs, 3 per-token µs (-1 = not measured), 4 alpha per mille, 5 ttl ms.
 * EWMA: new = round((a·x + (1000−a)·old) / 1000); the first sample is taken as is.
 * Returns {ttft µs, per-token µs or -1}.
 */
export const LATENCY_LUA =
  LUA_INT +
  `
local a = tonumber(ARGV[4])
local function ewma(field, x)
  local v = redis.call('HGET', KEYS[1], field)
  local nv = x
  if v then nv = math.floor((a * x + (1000 - a) * tonumber(v) + 500) / 1000) end
  redis.call('HSET', KEYS[1], field, s(nv))
  return nv
end
local ttft = ewma('ttft', tonumber(ARGV[2]))
local tok = -1
if tonumber(ARGV[3]) >= 0 then
  tok = ewma('tok', tonumber(ARGV[3]))
else
  local v = redis.call('HGET', KEYS[1], 'tok')
  if v then tok = tonumber(v) end
end
redis.call('HSET', KEYS[1], 'at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {s(ttft), s(tok)}
`;

/**
 * KEYS: 1 in-flight ZSET. ARGV: 1 now, 2 request id, 3 lease expiry.
 * Drops expired leases (a crashed relay's requests stop counting), adds or renews this one.
 * Returns the live count.
 */
export const BEGIN_LUA =
  LUA_INT +
  `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], s(tonumber(last[2]) - tonumber(ARGV[1]) + 1))
return redis.call('ZCARD', KEYS[1])
`;

/**
 * KEYS: 1 usage ring. ARGV: 1 now, 2 requests, 3 tokens.
 * Slot i = second mod 60 holds that second's counts; a slot stamped with an older second is reset
 * first. A write from a lagging clock (older second than the slot's) is added to the newer second
 * rather than wiping it.
 */
export const USAGE_LUA =
  LUA_INT +
  `
local sec = math.floor(tonumber(ARGV[1]) / 1000)
local i = sec % 60
local v = redis.call('HGET', KEYS[1], 's' .. i)
if not v or tonumber(v) < sec then
  redis.call('HSET', KEYS[1], 's' .. i, s(sec), 'r' .. i, '0', 't' .. i, '0')
end
redis.call('HINCRBY', KEYS[1], 'r' .. i, ARGV[2])
redis.call('HINCRBY', KEYS[1], 't' .. i, ARGV[3])
redis.call('PEXPIRE', KEYS[1], 61000)
return 1
`;

/**
 * Everything one target's routing needs, read in one script (so a snapshot of N targets is N
 * scripts in one pipeline).
 * KEYS: 1 breaker, 2 probe, 3 in-flight, 4 latency, 5 usage.
 * ARGV: 1 now, 2 needs (letters: b breaker, p probe, l latency, i in-flight, u usage),
 *       3 probe holder, 4 probe lease ms.
 * Returns {state|'', open-until, probe granted 0/1, ttft µs, per-token µs, latency at, in flight,
 *          requests in the last 60 s, tokens in the last 60 s}; -1 = not asked or unknown.
 * With 'p', a half-open target's probe lease is taken for the holder in the same trip (SET NX).
 */
export const SNAPSHOT_LUA =
  LUA_INT +
  LUA_BREAKER_STATE +
  `
local now = tonumber(ARGV[1])
local needs = ARGV[2]
local function has(c) return string.find(needs, c, 1, true) ~= nil end
local out = {'', '-1', 0, '-1', '-1', '-1', -1, '-1', '-1'}
if has('b') then
  local st, u = bstate(KEYS[1], now)
  out[1], out[2] = st, s(u)
  if st == 'half_open' and has('p') then
    if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[4]) or redis.call('GET', KEYS[2]) == ARGV[3] then out[3] = 1 end
  end
end
if has('l') then
  local v = redis.call('HMGET', KEYS[4], 'ttft', 'tok', 'at')
  if v[1] then out[4] = v[1] end
  if v[2] then out[5] = v[2] end
  if v[3] then out[6] = v[3] end
end
if has('i') then out[7] = redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[1], '+inf') end
if has('u') then
  local sec = math.floor(now / 1000)
  local h = redis.call('HGETALL', KEYS[5])
  local f = {}
  for j = 1, #h, 2 do f[h[j]] = tonumber(h[j + 1]) end
  local r, t = 0, 0
  for j = 0, 59 do
    local st = f['s' .. j]
    if st and st > sec - 60 and st <= sec then
      r = r + (f['r' .. j] or 0)
      t = t + (f['t' .. j] or 0)
    end
  end
  out[8], out[9] = s(r), s(t)
end
return out
`;
