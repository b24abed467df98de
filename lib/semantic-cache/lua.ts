/**
 * The cache's Lua scripts. Each touches one hash tag (keys.ts): scope scripts the scope's slot,
 * the others {cache}. Keys a script builds itself (evicted entries, per-team sets) share the
 * tag of the keys it was given.
 */

/** Removes one entry of the scope (hash, its exact key if still pointing at it, set member); appends id, team, model hex. */
const REMOVE_ONE = `
local function remove_one(zset, entry_prefix, exact_prefix, id, out)
  local key = entry_prefix .. id
  local f = redis.call('HMGET', key, 'x', 't', 'm')
  local existed = redis.call('DEL', key)
  if f[1] and redis.call('GET', exact_prefix .. f[1]) == id then redis.call('DEL', exact_prefix .. f[1]) end
  local member = redis.call('ZREM', zset, id)
  if existed == 1 or member == 1 then
    out[#out + 1] = id
    out[#out + 1] = f[2] or ''
    out[#out + 1] = f[3] or ''
  end
end
`;

/**
 * KEYS: 1 entry HASH, 2 exact key, 3 scope ZSET.
 * ARGV: 1 id, 2 meta, 3 answer, 4 exactHash, 5 teamId or '', 6 model hex, 7 ttl ms, 8 expiresAt,
 * 9 now, 10 max entries in the scope, 11 entry key prefix, 12 exact key prefix.
 * Writes the entry, replaces an older entry of the same exact hash, evicts what would expire
 * first beyond the scope's cap. Returns the removed entries as flat (id, team, model hex) triples.
 */
export const SCOPE_PUT_LUA = `${REMOVE_ONE}
local removed = {}
local id, ttl = ARGV[1], ARGV[7]
local old = redis.call('GET', KEYS[2])
if old and old ~= id then remove_one(KEYS[3], ARGV[11], ARGV[12], old, removed) end
redis.call('HSET', KEYS[1], 'meta', ARGV[2], 'answer', ARGV[3], 'x', ARGV[4], 't', ARGV[5], 'm', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[2], id, 'PX', ttl)
-- members whose entries expired by themselves (their keys are gone already)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[9])
redis.call('ZADD', KEYS[3], ARGV[8], id)
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[10])
if over > 0 then
  local first = redis.call('ZRANGE', KEYS[3], 0, over)
  for _, victim in ipairs(first) do
    if over > 0 and victim ~= id then
      remove_one(KEYS[3], ARGV[11], ARGV[12], victim, removed)
      over = over - 1
    end
  end
end
if redis.call('PTTL', KEYS[3]) < tonumber(ttl) then redis.call('PEXPIRE', KEYS[3], ttl) end
return removed
`;

/**
 * KEYS: 1 scope ZSET. ARGV: 1 entry key prefix, 2 exact key prefix, 3.. entry ids.
 * Returns the entries that existed as flat (id, team, model hex) triples.
 */
export const SCOPE_REMOVE_LUA = `${REMOVE_ONE}
local removed = {}
for i = 3, #ARGV do remove_one(KEYS[1], ARGV[1], ARGV[2], ARGV[i], removed) end
return removed
`;

/**
 * KEYS: 1 all ZSET, 2 teams registry, 3 models registry, 4 scopes registry, 5 model ZSET, 6 team ZSET (optional).
 * ARGV: 1 member, 2 expiresAt, 3 now, 4 global cap, 5 teamId or '', 6 model, 7 scopeId.
 * Registers the entry everywhere purge and stats look, and pops what would expire first beyond
 * the global cap (never the new entry). Returns the popped members: the caller removes their entries.
 */
export const REGISTER_LUA = `
local member, expires, now = ARGV[1], ARGV[2], ARGV[3]
for _, key in ipairs(KEYS) do redis.call('ZREMRANGEBYSCORE', key, '-inf', now) end
redis.call('ZADD', KEYS[1], expires, member)
redis.call('ZADD', KEYS[5], expires, member)
redis.call('ZADD', KEYS[3], 'GT', expires, ARGV[6])
redis.call('ZADD', KEYS[4], 'GT', expires, ARGV[7])
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[6], expires, member)
  redis.call('ZADD', KEYS[2], 'GT', expires, ARGV[5])
end
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
local popped = {}
if over > 0 then
  for _, victim in ipairs(redis.call('ZRANGE', KEYS[1], 0, over)) do
    if #popped < over and victim ~= member then
      redis.call('ZREM', KEYS[1], victim)
      popped[#popped + 1] = victim
    end
  end
end
return popped
`;

/**
 * KEYS: 1 all ZSET, 2 event STREAM. ARGV: 1 stream max length (approximate), 2 team ZSET prefix,
 * 3 model ZSET prefix, 4 scopeId, 5 id of an entry just put or '', 6.. removed (id, team, model hex) triples.
 * Forgets removed entries in the {cache} sets and tells every node: one put and one del event.
 */
export const ANNOUNCE_LUA = `
local scope = ARGV[4]
local ids = {}
for i = 6, #ARGV, 3 do
  local member = scope .. '/' .. ARGV[i]
  redis.call('ZREM', KEYS[1], member)
  if ARGV[i + 1] ~= '' then redis.call('ZREM', ARGV[2] .. ARGV[i + 1], member) end
  if ARGV[i + 2] ~= '' then redis.call('ZREM', ARGV[3] .. ARGV[i + 2], member) end
  ids[#ids + 1] = ARGV[i]
end
if ARGV[5] ~= '' then redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 't', 'put', 's', scope, 'ids', ARGV[5]) end
if #ids > 0 then redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 't', 'del', 's', scope, 'ids', table.concat(ids, ',')) end
return #ids
`;
