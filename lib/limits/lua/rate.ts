/**
 * Sliding-window rate scripts. Per subject: a ZSET of admitted request ids scored by admission
 * time (exact requests-per-window) and a HASH of token counts per time bucket (tokens-per-window
 * to bucket precision, rounded towards refusing). All subjects of a request are checked first and
 * recorded only if every one admits, so a refusal by one subject consumes nobody's window.
 */
import { LUA_INT } from './common';

/**
 * KEYS: per subject i: 2i-1 requests ZSET, 2i tokens HASH; last: the request's cancellation marker.
 * ARGV: 1 now, 2 window ms, 3 bucket ms, 4 member (request id), 5 tokens,
 *       per subject i: 4+2i rpm limit (-1 = none), 5+2i tpm limit (-1 = none).
 * Returns {allowed, per subject: reqCount, reqResetMs, reqRetryMs, reqOver, tokUsed, tokResetMs, tokRetryMs, tokOver}
 * (counts before this request; retry -1 = never admissible), or {-1} for a cancelled request
 * (a check sent before a Redis stall that runs after its cancellation records nothing).
 */
export const RATE_CHECK_LUA =
  LUA_INT +
  `
if redis.call('EXISTS', KEYS[#KEYS]) == 1 then return {-1} end
local now = tonumber(ARGV[1])
local W = tonumber(ARGV[2])
local B = tonumber(ARGV[3])
local member = ARGV[4]
local tokens = tonumber(ARGV[5])
local n = math.floor(#KEYS / 2)
-- bucket b covers [b*B, (b+1)*B) and counts until its END leaves the window
local minB = math.floor((now - W) / B)
local out = {1}
for i = 1, n do
  local rk, tk = KEYS[2 * i - 1], KEYS[2 * i]
  local rpm, tpm = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
  local rCount, rReset, rRetry, rOver = 0, 0, 0, 0
  if rpm >= 0 then
    redis.call('ZREMRANGEBYSCORE', rk, '-inf', s(now - W))
    rCount = redis.call('ZCARD', rk)
    if rCount > 0 then
      local newest = redis.call('ZRANGE', rk, -1, -1, 'WITHSCORES')
      rReset = tonumber(newest[2]) + W - now
    end
    if rCount + 1 > rpm then
      rOver = 1
      out[1] = 0
      if rpm == 0 then rRetry = -1 else
        -- the (rCount-rpm)-th oldest entry must leave before one more request fits
        local e = redis.call('ZRANGE', rk, rCount - rpm, rCount - rpm, 'WITHSCORES')
        rRetry = tonumber(e[2]) + W - now
      end
    end
  end
  local tUsed, tReset, tRetry, tOver = 0, 0, 0, 0
  if tpm >= 0 then
    local flat = redis.call('HGETALL', tk)
    local buckets = {}
    for j = 1, #flat, 2 do
      local b, v = tonumber(flat[j]), tonumber(flat[j + 1])
      if b < minB then redis.call('HDEL', tk, flat[j])
      else
        buckets[#buckets + 1] = {b, v}
        tUsed = tUsed + v
      end
    end
    table.sort(buckets, function(x, y) return x[1] < y[1] end)
    if #buckets > 0 then tReset = (buckets[#buckets][1] + 1) * B + W - now end
    if tUsed + tokens > tpm then
      tOver = 1
      out[1] = 0
      tRetry = -1
      if tokens <= tpm then
        local left = tUsed
        for j = 1, #buckets do
          left = left - buckets[j][2]
          if left + tokens <= tpm then
            tRetry = (buckets[j][1] + 1) * B + W - now
            break
          end
        end
      end
    end
  end
  if rReset < 0 then rReset = 0 end
  if tReset < 0 then tReset = 0 end
  local k = #out
  out[k + 1], out[k + 2], out[k + 3], out[k + 4] = rCount, rReset, rRetry, rOver
  out[k + 5], out[k + 6], out[k + 7], out[k + 8] = tUsed, tReset, tRetry, tOver
end
if out[1] == 1 then
  local bucket = s(math.floor(now / B))
  for i = 1, n do
    local rk, tk = KEYS[2 * i - 1], KEYS[2 * i]
    if tonumber(ARGV[4 + 2 * i]) >= 0 then
      redis.call('ZADD', rk, ARGV[1], member)
      redis.call('PEXPIRE', rk, ARGV[2])
    end
    if tonumber(ARGV[5 + 2 * i]) >= 0 and tokens ~= 0 then
      redis.call('HINCRBY', tk, bucket, ARGV[5])
      redis.call('PEXPIRE', tk, s(W + B))
    end
  end
end
return out
`;

/**
 * Token correction once actual usage is known. A positive delta (more tokens than estimated,
 * mostly the completion) lands in the current bucket: those tokens were consumed now. A negative
 * delta (the estimate was too high) lands in the admission bucket, so it ages out together with
 * the over-estimate it cancels; if that bucket has already left the window it is dropped.
 * KEYS: tokens HASH per subject. ARGV: 1 now, 2 window ms, 3 bucket ms, 4 delta, 5 admitted-at ms.
 */
export const RATE_ADD_TOKENS_LUA =
  LUA_INT +
  `
local now, W, B = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local delta, admitted = tonumber(ARGV[4]), tonumber(ARGV[5])
local target
if delta > 0 then
  target = math.floor(now / B)
else
  local ab = math.floor(admitted / B)
  if ab >= math.floor((now - W) / B) then target = ab end
end
if not target or delta == 0 then return 0 end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], s(target), ARGV[4])
  redis.call('PEXPIRE', KEYS[i], s(W + B))
end
return 1
`;

/**
 * Undoes a check whose outcome is unknown (it failed or timed out, so may still run): removes the
 * request from the request windows and marks it cancelled so a late check records nothing. Its
 * prompt-token estimate, if recorded, ages out of the token window within a minute.
 * KEYS: requests ZSET per rpm-limited subject, then the cancellation marker. ARGV: 1 member, 2 marker ms.
 */
export const RATE_CANCEL_LUA = `
redis.call('SET', KEYS[#KEYS], '1', 'PX', ARGV[2])
for i = 1, #KEYS - 1 do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;
