/**
 * Parallel-request leases: a ZSET of request ids scored by lease expiry, so a node that crashes
 * mid-request stops holding its slots once their leases run out.
 */

/**
 * KEYS: 1 leases ZSET, 2 the request's cancellation marker. ARGV: 1 now, 2 request id, 3 lease expiry, 4 max.
 * Returns {acquired (1/0), active after, ms until the earliest lease expires (0 when acquired;
 * -2 when this request was cancelled: an acquire that arrives after its own cancellation, e.g.
 * sent before a Redis stall and run after it, takes nothing)}.
 * Re-acquiring a held id renews its lease and always succeeds.
 */
export const ACQUIRE_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {0, 0, -2} end
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

/**
 * Release for a request whose acquire may or may not have run (it failed or timed out): frees
 * the lease if held and leaves a marker so that an acquire still in flight takes nothing.
 * KEYS: 1 leases ZSET, 2 cancellation marker. ARGV: 1 request id, 2 marker lifetime ms (the lease
 * length: an acquire running later than that would hold an already-expired lease).
 * Returns 1 if a lease was released.
 */
export const CANCEL_LUA = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return redis.call('ZREM', KEYS[1], ARGV[1])
`;

/**
 * Extends a lease that is still held (never re-takes a released or expired one).
 * KEYS: 1 leases ZSET. ARGV: 1 now, 2 request id, 3 new lease expiry. Returns 1 if extended.
 */
export const EXTEND_LUA = `
local held = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not held or tonumber(held) <= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], string.format('%d', tonumber(last[2]) - tonumber(ARGV[1]) + 1))
return 1
`;

/** KEYS: 1 leases ZSET. ARGV: 1 now. Returns the number of live leases. */
export const ACTIVE_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])
`;
