/**
 * Budget scripts. A counter is a HASH {spent, reserved} per subject and window; a reservation is
 * a HASH {state, amount, expiresAt, counters} plus a member of the scope's expiry ZSET.
 * Reservation states: reserved → settled | refunded | expired (swept); a late settle on an
 * expired or refunded reservation still charges the windows it names (spend is never lost).
 */
import { LUA_INT, LUA_SWEEP } from './common';

/**
 * KEYS: 1 expiry ZSET, 2 record, 3.. one counter per subject (current window).
 * ARGV: 1 now, 2 requestId, 3 amount, 4 expiresAt, 5 record retention ms once finished,
 *       6 record prefix, 7 sweep limit, 7+i max of subject i. (ARGV 4 is kept in the record.)
 * Returns {'ok'} | {'dup'} | {'finished', state} | {'init', i...} | {'over', i, remaining}.
 */
export const RESERVE_LUA =
  LUA_INT +
  LUA_SWEEP +
  `
sweep(KEYS[1], ARGV[6], ARGV[1], tonumber(ARGV[7]), ARGV[5])
local state = redis.call('HGET', KEYS[2], 'state')
if state then
  if state == 'reserved' then return {'dup'} end
  return {'finished', state}
end
local n = #KEYS - 2
local missing = {'init'}
for i = 1, n do
  if redis.call('EXISTS', KEYS[2 + i]) == 0 then missing[#missing + 1] = i end
end
if #missing > 1 then return missing end
local amount = tonumber(ARGV[3])
local worst, worstRem = 0, 0
for i = 1, n do
  local v = redis.call('HMGET', KEYS[2 + i], 'spent', 'reserved')
  local used = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
  local max = tonumber(ARGV[7 + i])
  if used + amount > max then
    local rem = max - used
    if rem < 0 then rem = 0 end
    if worst == 0 or rem < worstRem then worst, worstRem = i, rem end
  end
end
if worst > 0 then return {'over', worst, s(worstRem)} end
local counters = {}
for i = 1, n do
  redis.call('HINCRBY', KEYS[2 + i], 'reserved', ARGV[3])
  counters[i] = KEYS[2 + i]
end
redis.call('HSET', KEYS[2], 'state', 'reserved', 'amount', ARGV[3], 'expiresAt', ARGV[4],
  'counters', table.concat(counters, '\\n'))
-- no TTL while live: the sweep must always find it to refund it
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
return {'ok'}
`;

/**
 * KEYS: 1 expiry ZSET, 2 record, 3.. fallback counters (current windows of the given subjects).
 * ARGV: 1 now, 2 requestId, 3 actual, 4 record retention ms, 5 record prefix, 6 sweep limit.
 * Returns {'settled'} | {'late', state} | {'dup'} | {'unreserved'} | {'lost'} | {'init', i...}.
 */
export const SETTLE_LUA =
  LUA_INT +
  LUA_SWEEP +
  `
sweep(KEYS[1], ARGV[5], ARGV[1], tonumber(ARGV[6]), ARGV[4])
local r = redis.call('HMGET', KEYS[2], 'state', 'amount', 'counters')
local state = r[1]
if state == 'settled' then return {'dup'} end
-- a cancellation marker names no windows: charge the current ones below
if state and r[3] then
  local live = state == 'reserved'
  local neg = s(-tonumber(r[2]))
  for c in string.gmatch(r[3], '[^\\n]+') do
    -- a counter gone (window long over, or evicted) is skipped rather than re-created half-empty
    if redis.call('EXISTS', c) == 1 then
      if live then redis.call('HINCRBY', c, 'reserved', neg) end
      redis.call('HINCRBY', c, 'spent', ARGV[3])
    end
  end
  redis.call('HSET', KEYS[2], 'state', 'settled', 'actual', ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  redis.call('ZREM', KEYS[1], ARGV[2])
  if live then return {'settled'} end
  return {'late', state}
end
local n = #KEYS - 2
if n == 0 then return {'lost'} end
local missing = {'init'}
for i = 1, n do
  if redis.call('EXISTS', KEYS[2 + i]) == 0 then missing[#missing + 1] = i end
end
if #missing > 1 then return missing end
local counters = {}
for i = 1, n do
  redis.call('HINCRBY', KEYS[2 + i], 'spent', ARGV[3])
  counters[i] = KEYS[2 + i]
end
-- remembered so that a retried settle is a no-op
redis.call('HSET', KEYS[2], 'state', 'settled', 'amount', '0', 'actual', ARGV[3],
  'counters', table.concat(counters, '\\n'))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {'unreserved'}
`;

/**
 * KEYS: 1 expiry ZSET, 2 record. ARGV: 1 now, 2 requestId, 3 record retention ms, 4 record prefix,
 * 5 sweep limit. Returns {'refunded'} | {'none', state-or-empty}.
 * Without a record (the reserve failed, timed out, or has not run yet) it leaves a 'refunded'
 * record: a reserve of this id that still runs later, e.g. sent before a Redis stall, then finds
 * the request finished and reserves nothing.
 */
export const REFUND_LUA =
  LUA_INT +
  LUA_SWEEP +
  `
sweep(KEYS[1], ARGV[4], ARGV[1], tonumber(ARGV[5]), ARGV[3])
local r = redis.call('HMGET', KEYS[2], 'state', 'amount', 'counters')
if not r[1] then
  redis.call('HSET', KEYS[2], 'state', 'refunded')
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return {'none', ''}
end
if r[1] ~= 'reserved' then return {'none', r[1]} end
local neg = s(-tonumber(r[2]))
for c in string.gmatch(r[3], '[^\\n]+') do
  if redis.call('EXISTS', c) == 1 then redis.call('HINCRBY', c, 'reserved', neg) end
end
redis.call('HSET', KEYS[2], 'state', 'refunded')
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('ZREM', KEYS[1], ARGV[2])
return {'refunded'}
`;

/**
 * Creates a window counter only if absent, so concurrent initialisers agree on one value.
 * KEYS: 1 counter. ARGV: 1 spent, 2 time to live ms (0 = forever). Returns 1 if created, 0 if it existed.
 */
export const INIT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'spent', ARGV[1], 'reserved', '0')
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/**
 * Sweeps, then reads one counter. KEYS: 1 expiry ZSET, 2 counter. ARGV: 1 now, 2 record prefix,
 * 3 sweep limit, 4 record retention ms. Returns {exists, spent, reserved} (spent/reserved as strings).
 */
export const STATUS_LUA =
  LUA_INT +
  LUA_SWEEP +
  `
sweep(KEYS[1], ARGV[2], ARGV[1], tonumber(ARGV[3]), ARGV[4])
local v = redis.call('HMGET', KEYS[2], 'spent', 'reserved')
if not v[1] then return {0, '0', '0'} end
return {1, v[1], v[2] or '0'}
`;
