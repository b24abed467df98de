/**
 * Lua shared by several scripts (prepended to their source).
 * `s(n)` formats an integer for redis.call: Lua's own number-to-string uses "%.14g", which
 * would send 1e15 as "1e+15" and round above 14 digits. Integers up to 2^53 are exact.
 */
export const LUA_INT = `
local function s(n) return string.format('%d', n) end
`;

/**
 * Refunds reservations whose expiry has passed: for each, subtract its amount from the
 * `reserved` field of every counter it charged, mark the record "expired" (a late settle still
 * finds which windows it charged, for `retain` ms) and drop it from the expiry ZSET. Live
 * records have no TTL, so a reservation can never vanish without its refund. Bounded per call so a
 * backlog cannot make one script slow; the next call continues.
 * Record keys are built here (prefix .. id): they share the scope's hash tag, so on Redis Cluster
 * they live in the same slot as the declared keys.
 */
export const LUA_SWEEP = `
local function sweep(expKey, recPrefix, now, limit, retain)
  local ids = redis.call('ZRANGEBYSCORE', expKey, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    local rk = recPrefix .. id
    local r = redis.call('HMGET', rk, 'state', 'amount', 'counters')
    if r[1] == 'reserved' then
      local neg = s(-tonumber(r[2]))
      for c in string.gmatch(r[3], '[^\\n]+') do
        if redis.call('EXISTS', c) == 1 then redis.call('HINCRBY', c, 'reserved', neg) end
      end
      redis.call('HSET', rk, 'state', 'expired')
      redis.call('PEXPIRE', rk, retain)
    end
    redis.call('ZREM', expKey, id)
  end
end
`;
