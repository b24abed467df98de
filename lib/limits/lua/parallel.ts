/**
 * Parallel-request leases: a ZSET of request ids scored by lease expiry, so a node that crashes
 * mid-request stops holding its slots once their leases run out.
 */

/**
 * KEYS: 1 leases ZSET. ARGV: 1 now, 2 request id, 3 lease expiry, 4 max.
 * Returns {acquired (1/0), active after, ms until the earliest lease expires (0 when acquired)}.
 * Re-acquiring a held id renews its lease (long streams renew) and always succeeds.
 */
export const ACQUIRE_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
if not held and count >= tonumber(ARGV[4]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = -1
  if first[2] then wait = tonumber(first[2]) - tonumber(ARGV[1]) end
  return {0, count, wait}
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
if not held then count = count + 1 end
-- the key lives as long as its longest lease (relative to the caller's clock, like the scores)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], string.format('%d', tonumber(last[2]) - tonumber(ARGV[1]) + 1))
return {1, count, 0}
`;

/** KEYS: 1 leases ZSET. ARGV: 1 request id. Returns 1 if a lease was released, 0 if none was held. */
export const RELEASE_LUA = `
return redis.call('ZREM', KEYS[1], ARGV[1])
`;

/** KEYS: 1 leases ZSET. ARGV: 1 now. Returns the number of live leases. */
export const ACTIVE_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])
`;
