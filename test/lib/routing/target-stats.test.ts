// TargetStats against a real redis-server: breaker window and half-open probe, latency EWMA,
// in-flight leases, usage windows, and the one-round-trip snapshot.
import type Redis from 'ioredis';
import { targetKeys } from '../../../lib/routing/redis-keys';
import { type StatsClient, TargetStats } from '../../../lib/routing/target-stats';
import { type RedisFixture, redisFixture } from '../limits/fixture';

const T0 = 1_750_000_000_000;
let fx: RedisFixture;
let stats: TargetStats;
let seq = 0;
const tid = (): string => `t${++seq}x${Math.random().toString(16).slice(2, 8)}`;

beforeAll(async () => {
  fx = await redisFixture();
  stats = new TargetStats(fx.redis);
});
afterAll(async () => fx?.close());

async function fail(s: TargetStats, id: string, now: number, n = 1) {
  let r = await s.recordOutcome(id, { ok: false, kind: 'server', now });
  for (let i = 1; i < n; i++) r = await s.recordOutcome(id, { ok: false, kind: 'server', now });
  return r;
}

describe('breaker', () => {
  it('opens on the 5th failure inside the window, half-opens after the cooldown', async () => {
    const id = tid();
    for (let i = 0; i < 4; i++) expect(await fail(stats, id, T0 + i * 1000)).toMatchObject({ state: 'closed', changed: false });
    const r = await fail(stats, id, T0 + 29_000);
    expect(r).toEqual({ state: 'open', previous: 'closed', changed: true, openUntil: T0 + 29_000 + 30_000 });
    expect((await stats.states([id], T0 + 58_999)).get(id)).toBe('open');
    expect((await stats.states([id], T0 + 59_000)).get(id)).toBe('half_open');
  });

  it('does not open on 5 failures spread wider than the window', async () => {
    const id = tid();
    for (let i = 0; i < 5; i++) expect((await fail(stats, id, T0 + i * 7_600)).state).toBe('closed'); // 30.4 s span
    // but a 5th inside the window of the last four does
    expect((await fail(stats, id, T0 + 4 * 7_600 + 1)).state).toBe('open');
  });

  it('ignores caller, context_window and content_policy; counts auth and config', async () => {
    const id = tid();
    for (const kind of ['caller', 'context_window', 'content_policy'] as const) {
      for (let i = 0; i < 5; i++) expect(await stats.recordOutcome(id, { ok: false, kind, now: T0 })).toMatchObject({ state: 'closed', changed: false });
    }
    expect(await fx.redis.exists(targetKeys(id).failures)).toBe(0);
    const id2 = tid();
    for (let i = 0; i < 3; i++) await stats.recordOutcome(id2, { ok: false, kind: 'auth', now: T0 });
    await stats.recordOutcome(id2, { ok: false, kind: 'config', now: T0 });
    expect((await stats.recordOutcome(id2, { ok: false, kind: 'timeout', now: T0 })).state).toBe('open');
  });

  it('a success while closed cancels one failure (successForgives), unless disabled', async () => {
    const a = tid();
    await fail(stats, a, T0, 4);
    await stats.recordOutcome(a, { ok: true, now: T0 });
    expect((await fail(stats, a, T0)).state).toBe('closed');
    const strict = new TargetStats(fx.redis, { successForgives: false });
    const b = tid();
    await fail(strict, b, T0, 4);
    await strict.recordOutcome(b, { ok: true, now: T0 });
    expect((await fail(strict, b, T0)).state).toBe('open');
  });

  it('grants the half-open probe to exactly one of 20 concurrent callers', async () => {
    const id = tid();
    await fail(stats, id, T0, 5);
    const half = T0 + 30_000;
    const clients = fx.connections(8).map((c) => new TargetStats(c));
    expect(await stats.acquireProbe(id, 'early', 10_000, half - 1)).toBe(false); // still open
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % 8].acquireProbe(id, `req-${i}`, 10_000, half)));
    expect(got.filter(Boolean)).toHaveLength(1);
    const winner = `req-${got.indexOf(true)}`;
    expect(await stats.acquireProbe(id, winner, 10_000, half + 1)).toBe(true); // idempotent for the holder
    expect(await stats.acquireProbe(id, 'other', 10_000, half + 1)).toBe(false);
    // a neutral outcome of the holder frees the lease for the next caller
    expect((await stats.recordOutcome(id, { ok: false, kind: 'caller', now: half + 2, requestId: winner })).state).toBe('half_open');
    expect(await stats.acquireProbe(id, 'other', 10_000, half + 3)).toBe(true);
  });

  it('a probe success closes the breaker and clears the window', async () => {
    const id = tid();
    await fail(stats, id, T0, 5);
    const half = T0 + 30_000;
    expect(await stats.acquireProbe(id, 'p', 10_000, half)).toBe(true);
    expect(await stats.recordOutcome(id, { ok: true, now: half + 5, requestId: 'p' })).toEqual({
      state: 'closed',
      previous: 'half_open',
      changed: true,
      openUntil: 0,
    });
    expect(await fx.redis.exists(targetKeys(id).probe)).toBe(0);
    expect((await fail(stats, id, half + 10, 4)).state).toBe('closed'); // the old failures are gone
    expect((await fail(stats, id, half + 10)).state).toBe('open');
  });

  it('a probe failure re-opens with the cooldown doubled up to the max; failures while open do not extend it', async () => {
    const s = new TargetStats(fx.redis, { cooldownMs: 1_000, maxCooldownMs: 3_000 });
    const id = tid();
    expect((await fail(s, id, T0, 5)).openUntil).toBe(T0 + 1_000);
    expect((await fail(s, id, T0 + 500)).openUntil).toBe(T0 + 1_000); // open: unchanged
    let t = T0 + 1_000;
    for (const cd of [2_000, 3_000, 3_000]) {
      const r = await fail(s, id, t);
      expect(r).toEqual({ state: 'open', previous: 'half_open', changed: true, openUntil: t + cd });
      t += cd;
    }
    const constant = new TargetStats(fx.redis, { cooldownMs: 1_000, cooldownFactor: 1 });
    const id2 = tid();
    await fail(constant, id2, T0, 5);
    expect((await fail(constant, id2, T0 + 1_000)).openUntil).toBe(T0 + 2_000);
  });
});

describe('latency', () => {
  it('keeps integer-µs EWMAs of ttft and per-token time', async () => {
    const id = tid();
    expect(await stats.latencies([id])).toEqual(new Map([[id, null]]));
    expect(await stats.recordLatency(id, { ttftMs: 100, perTokenMs: null, now: T0 })).toEqual({ ttftMs: 100, perTokenMs: null });
    expect(await stats.recordLatency(id, { ttftMs: 200, perTokenMs: 10, now: T0 + 1 })).toEqual({ ttftMs: 130, perTokenMs: 10 });
    // 0.7×130 + 0.3×50 = 106; 0.7×10 + 0.3×20.0005 = 13.00015 → 13.000 ms (rounded to the µs)
    expect(await stats.recordLatency(id, { ttftMs: 50, perTokenMs: 20.0005, now: T0 + 2 })).toEqual({ ttftMs: 106, perTokenMs: 13 });
    expect(await fx.redis.hgetall(targetKeys(id).latency)).toEqual({ ttft: '106000', tok: '13000', at: String(T0 + 2) });
    const snap = await stats.snapshot([id], T0, { latency: true });
    expect(snap.targets.get(id)).toEqual({ latency: { ttftMs: 106, perTokenMs: 13, updatedAt: T0 + 2 } });
    // rounded to the nearest µs, not truncated: 0.7×100 000 + 0.3×100 002 = 100 000.6 → 100 001
    const r = tid();
    await stats.recordLatency(r, { ttftMs: 100, perTokenMs: null, now: T0 });
    expect((await stats.recordLatency(r, { ttftMs: 100.002, perTokenMs: null, now: T0 })).ttftMs).toBe(100.001);
    const half = new TargetStats(fx.redis, { alpha: 0.5 });
    expect(await half.recordLatency(id, { ttftMs: 0.5, perTokenMs: null, now: T0 + 3 })).toEqual({ ttftMs: 53.25, perTokenMs: 13 });
  });
});

describe('in flight', () => {
  it('counts leases until they end or expire', async () => {
    const id = tid();
    expect(await stats.begin(id, 'a', 1_000, T0)).toBe(1);
    expect(await stats.begin(id, 'b', 5_000, T0)).toBe(2);
    expect(await stats.begin(id, 'b', 5_000, T0 + 10)).toBe(2); // renew
    expect((await stats.inFlight([id], T0 + 999)).get(id)).toBe(2);
    expect((await stats.inFlight([id], T0 + 1_000)).get(id)).toBe(1); // a crashed relay's lease expired
    expect(await stats.end(id, 'b')).toBe(true);
    expect(await stats.end(id, 'b')).toBe(false);
    expect((await stats.inFlight([id], T0 + 1_000)).get(id)).toBe(0);
    await stats.begin(id, 'c', 5_000, T0);
    const ttl = await fx.redis.pttl(targetKeys(id).inFlight);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_001);
  });
});

describe('usage', () => {
  it('sums requests and tokens of the last 60 one-second buckets', async () => {
    const id = tid();
    await stats.recordUsage(id, { requests: 1, tokens: 0, now: T0 });
    await stats.recordUsage(id, { requests: 0, tokens: 100, now: T0 + 500 });
    await stats.recordUsage(id, { requests: 2, tokens: 50, now: T0 + 30_000 });
    expect((await stats.usage([id], T0 + 59_000)).get(id)).toEqual({ rpm: 3, tpm: 150 });
    expect((await stats.usage([id], T0 + 60_000)).get(id)).toEqual({ rpm: 2, tpm: 50 });
    // the same ring slot one minute later is reset, not added to
    await stats.recordUsage(id, { requests: 1, tokens: 7, now: T0 + 60_000 });
    expect((await stats.usage([id], T0 + 60_000)).get(id)).toEqual({ rpm: 3, tpm: 57 });
    expect((await stats.usage([id], T0 + 91_000)).get(id)).toEqual({ rpm: 1, tpm: 7 });
  });
});

/** Counts round trips: direct commands, and one per pipeline exec. */
function counted(redis: Redis): { client: StatsClient; trips: () => number; commands: string[] } {
  let trips = 0;
  const commands: string[] = [];
  const client: StatsClient = {
    evalsha: (...a) => {
      trips++;
      commands.push('evalsha');
      return redis.evalsha(...(a as [string, number]));
    },
    eval: (...a) => {
      trips++;
      commands.push('eval');
      return redis.eval(...(a as [string, number]));
    },
    incr: (k) => {
      trips++;
      commands.push('incr');
      return redis.incr(k);
    },
    zrem: (k, ...m) => {
      trips++;
      return redis.zrem(k, ...m);
    },
    pipeline: () => {
      const p = redis.pipeline();
      const exec = p.exec.bind(p);
      return Object.assign(p, {
        exec: () => {
          trips++;
          commands.push(`exec:${p.length}`);
          return exec();
        },
      });
    },
  };
  return { client, trips: () => trips, commands };
}

describe('snapshot', () => {
  it('reads breaker, latency, in-flight, usage of 5 targets and INCRs the group counter in one round trip', async () => {
    const ids = [tid(), tid(), tid(), tid(), tid()];
    await fail(stats, ids[0], T0, 5);
    await stats.recordLatency(ids[1], { ttftMs: 120, perTokenMs: 8, now: T0 });
    await stats.begin(ids[2], 'r', 10_000, T0);
    await stats.recordUsage(ids[3], { requests: 1, tokens: 42, now: T0 });
    const c = counted(fx.redis);
    const s = new TargetStats(c.client);
    const needs = { breaker: true, latency: true, inFlight: true, usage: true, wrrGroup: `g-${ids[0]}` };
    const snap = await s.snapshot(ids, T0 + 1, needs);
    expect(c.trips()).toBe(1);
    expect(c.commands).toEqual(['exec:6']);
    expect(snap.counter).toBe(1);
    expect(snap.targets.get(ids[0])).toMatchObject({ breaker: 'open', openUntil: T0 + 30_000, latency: null, inFlight: 0, usage: { rpm: 0, tpm: 0 } });
    expect(snap.targets.get(ids[1])).toMatchObject({ breaker: 'closed', latency: { ttftMs: 120, perTokenMs: 8, updatedAt: T0 } });
    expect(snap.targets.get(ids[2])).toMatchObject({ inFlight: 1 });
    expect(snap.targets.get(ids[3])).toMatchObject({ usage: { rpm: 1, tpm: 42 } });
    // only what was asked is read
    expect(await s.snapshot([ids[1]], T0, { inFlight: true })).toEqual({ targets: new Map([[ids[1], { inFlight: 0 }]]) });

    // the Cluster path (one script per target, sent together) gives the same answer
    const par = new TargetStats(fx.redis, { batching: 'parallel' });
    const again = await par.snapshot(ids, T0 + 1, needs);
    expect(again.counter).toBe(2);
    expect(again.targets).toEqual(snap.targets);
  });

  it('re-sends the script by EVAL after a SCRIPT FLUSH without bumping the counter twice', async () => {
    const ids = [tid(), tid()];
    await fx.redis.script('FLUSH');
    const c = counted(fx.redis);
    const snap = await new TargetStats(c.client).snapshot(ids, T0, { breaker: true, wrrGroup: `g-${ids[0]}` });
    expect(c.commands).toEqual(['exec:3', 'exec:2']);
    expect(snap.counter).toBe(1);
    expect([...snap.targets.values()].map((t) => t.breaker)).toEqual(['closed', 'closed']);
  });

  it('takes the probe lease of a half-open target in the same trip, for one caller only', async () => {
    const ids = [tid(), tid()];
    await fail(stats, ids[0], T0, 5);
    const needs = (holder: string) => ({ probe: { holder, leaseMs: 5_000 } });
    const a = await stats.snapshot(ids, T0 + 30_000, needs('a'));
    const b = await stats.snapshot(ids, T0 + 30_000, needs('b'));
    expect(a.targets.get(ids[0])).toEqual({ breaker: 'half_open', openUntil: T0 + 30_000, probeGranted: true });
    expect(a.targets.get(ids[1])).toEqual({ breaker: 'closed', openUntil: 0, probeGranted: false });
    expect(b.targets.get(ids[0])!.probeGranted).toBe(false);
    expect((await stats.states(ids, T0 + 30_000)).get(ids[0])).toBe('half_open');
  });
});

describe('a client still connecting (no offline queue: commands must wait, not fail)', () => {
  it('reads a snapshot and bumps the group counter on its very first call', async () => {
    const { closeStores, redisFor } = await import('../../../lib/store-clients');
    try {
      const fresh = new TargetStats(redisFor(fx.server.url));
      const id = tid();
      const snapshot = await fresh.snapshot([id], T0, { breaker: true, wrrGroup: `grp-${id}` });
      expect(snapshot.counter).toBe(1);
    } finally {
      await closeStores();
    }
  });
});
