// Sliding-window rpm/tpm against a real redis-server with an explicit clock.
import { rateLimitHeaders } from '../../../lib/limits/headers';
import { RateLimiter, type RateSubject } from '../../../lib/limits/rate';
import { type RedisFixture, redisFixture } from './fixture';

const W = 60_000;
const T0 = 1_750_000_000_000; // a multiple of the 1 s bucket
let fx: RedisFixture;
let rate: RateLimiter;
let seq = 0;
const uid = (p: string): string => `${p}-${++seq}`;

beforeAll(async () => {
  fx = await redisFixture();
  rate = new RateLimiter(fx.redis);
});
afterAll(async () => fx?.close());

const key = (rpm: number | null, tpm: number | null, id = uid('k')): RateSubject => ({ kind: 'key', id, rpm, tpm });
const team = (rpm: number | null, tpm: number | null, id = uid('t')): RateSubject => ({ kind: 'team', id, rpm, tpm });

describe('requests per minute (exact sliding window)', () => {
  it('admits rpm requests in any 60 s and frees each slot exactly 60 s after its request', async () => {
    const k = key(3, null);
    for (const t of [0, 10, 20]) expect((await rate.check({ requestId: uid('r'), subjects: [k], tokens: 0, now: T0 + t })).allowed).toBe(true);
    const refused = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 0, now: T0 + 30 });
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: W - 30, neverAdmissible: false });
    expect(refused.refusedBy).toEqual([{ subject: k, limit: 'requests', retryAfterMs: W - 30 }]);
    expect(refused.requests).toMatchObject({ limit: 3, remaining: 0, resetMs: W - 10 });
    expect((await rate.check({ requestId: uid('r'), subjects: [k], tokens: 0, now: T0 + W - 1 })).allowed).toBe(false);
    const freed = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 0, now: T0 + W });
    expect(freed).toMatchObject({ allowed: true, requests: { remaining: 0, resetMs: W } });
    // the next slot frees when the request at +10 ms leaves
    expect((await rate.check({ requestId: uid('r'), subjects: [k], tokens: 0, now: T0 + W + 5 })).retryAfterMs).toBe(5);
  });

  it('100 concurrent checks from separate connections admit exactly rpm', async () => {
    const k = key(10, null);
    const conns = fx.connections(5).map((c) => new RateLimiter(c));
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => conns[i % 5].check({ requestId: `c-${i}`, subjects: [k], tokens: 1, now: T0 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('rpm 0 is never admissible', async () => {
    const r = await rate.check({ requestId: uid('r'), subjects: [key(0, null)], tokens: 0, now: T0 });
    expect(r).toMatchObject({ allowed: false, neverAdmissible: true, retryAfterMs: null });
  });
});

describe('tokens per minute (1 s buckets)', () => {
  it('refuses what does not fit and admits once the bucket holding the tokens leaves the window', async () => {
    const k = key(null, 1000);
    expect(await rate.check({ requestId: uid('r'), subjects: [k], tokens: 600, now: T0 + 200 })).toMatchObject({
      allowed: true,
      tokens: { limit: 1000, remaining: 400, resetMs: 1000 - 200 + W },
      requests: null,
    });
    const refused = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 500, now: T0 + 300 });
    // the 600 tokens sit in bucket [T0, T0+1000): they count until T0 + 1000 + W
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 1000 + W - 300, tokens: { remaining: 400 } });
    expect((await rate.check({ requestId: uid('r'), subjects: [k], tokens: 500, now: T0 + W + 999 })).allowed).toBe(false);
    expect((await rate.check({ requestId: uid('r'), subjects: [k], tokens: 500, now: T0 + W + 1000 })).allowed).toBe(true);
  });

  it('retry-after waits only for as many buckets as the request needs', async () => {
    const k = key(null, 1000);
    await rate.check({ requestId: uid('r'), subjects: [k], tokens: 300, now: T0 });
    await rate.check({ requestId: uid('r'), subjects: [k], tokens: 300, now: T0 + 5_000 });
    await rate.check({ requestId: uid('r'), subjects: [k], tokens: 300, now: T0 + 10_000 });
    const r = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 400, now: T0 + 20_000 });
    // needs 300 more room: the first bucket (ends T0+1000) is enough
    expect(r.retryAfterMs).toBe(1000 + W - 20_000);
    const big = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 700, now: T0 + 20_000 });
    expect(big.retryAfterMs).toBe(5_000 + 1000 + W - 20_000);
  });

  it('a request larger than tpm is never admissible', async () => {
    const r = await rate.check({ requestId: uid('r'), subjects: [key(null, 100)], tokens: 101, now: T0 });
    expect(r).toMatchObject({ allowed: false, neverAdmissible: true, retryAfterMs: null });
    expect(rateLimitHeaders(r)['retry-after']).toBeUndefined();
  });

  it('addTokens corrects the estimate: negative frees room now, positive consumes it', async () => {
    const k = key(null, 1000);
    await rate.check({ requestId: uid('r'), subjects: [k], tokens: 900, now: T0 });
    expect((await rate.check({ requestId: uid('r'), subjects: [k], tokens: 200, now: T0 + 10 })).allowed).toBe(false);
    await rate.addTokens([k], -500, { admittedAt: T0, now: T0 + 2_000 });
    expect(await rate.check({ requestId: uid('r'), subjects: [k], tokens: 200, now: T0 + 3_000 })).toMatchObject({ allowed: true, tokens: { remaining: 400 } });
    await rate.addTokens([k], 350, { admittedAt: T0 + 3_000, now: T0 + 4_000 });
    expect(await rate.check({ requestId: uid('r'), subjects: [k], tokens: 100, now: T0 + 5_000 })).toMatchObject({ allowed: false, tokens: { remaining: 50 } });
    // the correction of a request whose bucket already left the window is dropped, not carried forward
    const k2 = key(null, 1000);
    await rate.check({ requestId: uid('r'), subjects: [k2], tokens: 900, now: T0 });
    await rate.addTokens([k2], -900, { admittedAt: T0, now: T0 + W + 2_000 });
    expect((await rate.check({ requestId: uid('r'), subjects: [k2], tokens: 1000, now: T0 + W + 2_000 })).allowed).toBe(true);
    expect((await rate.check({ requestId: uid('r'), subjects: [k2], tokens: 1, now: T0 + W + 2_001 })).allowed).toBe(false);
  });
});

describe('atomic across subjects', () => {
  it('a request refused by the key does not consume the team window', async () => {
    const t = team(2, null);
    const k1 = key(1, null);
    const k2 = key(5, null);
    expect((await rate.check({ requestId: uid('r'), subjects: [k1, t], tokens: 0, now: T0 })).allowed).toBe(true);
    const refused = await rate.check({ requestId: uid('r'), subjects: [k1, t], tokens: 0, now: T0 + 1 });
    expect(refused.refusedBy.map((x) => x.subject)).toEqual([k1]);
    expect(refused.requests).toMatchObject({ subject: k1, remaining: 0 });
    // the team still has one slot for another key
    expect(await rate.check({ requestId: uid('r'), subjects: [k2, t], tokens: 0, now: T0 + 2 })).toMatchObject({
      allowed: true,
      requests: { subject: t, remaining: 0 },
    });
  });

  it('a request refused by the team does not consume the key window (tokens too)', async () => {
    const t = team(null, 100);
    const k = key(1, 1000);
    const refused = await rate.check({ requestId: uid('r'), subjects: [k, t], tokens: 150, now: T0 });
    expect(refused).toMatchObject({ allowed: false, neverAdmissible: true, tokens: { subject: t } });
    const alone = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 150, now: T0 + 1 });
    expect(alone).toMatchObject({ allowed: true, requests: { remaining: 0 }, tokens: { remaining: 850 } });
  });

  it('Retry-After covers every refusing limit', async () => {
    const t = team(null, 100);
    const k = key(1, null);
    await rate.check({ requestId: uid('r'), subjects: [k, t], tokens: 100, now: T0 + 500 });
    const r = await rate.check({ requestId: uid('r'), subjects: [k, t], tokens: 10, now: T0 + 30_000 });
    expect(r.refusedBy).toHaveLength(2);
    expect(r.retryAfterMs).toBe(1000 + W - 30_000); // the tokens' bucket ends later than the key's request
  });
});

describe('headers', () => {
  it('builds the six OpenAI headers and Retry-After from a decision', async () => {
    const k = key(2, 1000);
    const ok = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 100, now: T0 });
    expect(rateLimitHeaders(ok)).toEqual({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '900',
      'x-ratelimit-reset-tokens': '1m1s',
    });
    await rate.check({ requestId: uid('r'), subjects: [k], tokens: 100, now: T0 + 30_000 });
    const refused = await rate.check({ requestId: uid('r'), subjects: [k], tokens: 100, now: T0 + 59_000 });
    expect(rateLimitHeaders(refused)).toEqual({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '31s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '800',
      'x-ratelimit-reset-tokens': '32s',
      'retry-after': '1',
    });
  });

  it('subjects without limits are not checked and produce no headers', async () => {
    const r = await rate.check({ requestId: uid('r'), subjects: [key(null, null)], tokens: 5, now: T0 });
    expect(r).toMatchObject({ allowed: true, requests: null, tokens: null });
    expect(rateLimitHeaders(r)).toEqual({});
  });
});
