// The cache store against a real redis-server: round trips, expiry, caps, hostile input, purge,
// stats, failures as values, and the same operations on a one-node Redis Cluster (hash tags).
import type Redis from 'ioredis';
import { whenReady } from '../../../lib/limits/script';
import { globalKeys } from '../../../lib/semantic-cache/keys';
import { CacheStore } from '../../../lib/semantic-cache/store';
import { closeStores, redisFor } from '../../../lib/store-clients';
import { startRedis, type TestRedis } from '../../harness/stores/redis';
import { startRedisCluster } from '../../harness/stores/redis-cluster';
import { startTcpGate } from '../../harness/stores/tcp-gate';
import { waitFor } from '../../harness/wait-for';
import { entry, uid, unitVector, unwrap } from './fixture';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = redisFor(server.url);
  await whenReady(redis);
});
afterAll(async () => {
  await closeStores();
  await server?.stop();
});

describe('put and get', () => {
  it('returns the entry by id and by exact hash, vector and answer intact', async () => {
    const store = new CacheStore(redis);
    const e = entry({ scopeId: uid('s') });
    expect(unwrap(await store.put(e))).toEqual({ evicted: 0 });
    const byId = unwrap(await store.get(e.scopeId, e.id));
    expect(byId).toEqual(e);
    expect(Array.from(byId!.vector!)).toEqual(Array.from(e.vector!));
    expect(unwrap(await store.getExact(e.scopeId, e.exactHash))).toEqual(e);
    expect(unwrap(await store.getExact(e.scopeId, 'unknown'))).toBeNull();
    expect(unwrap(await store.get(e.scopeId, 'unknown'))).toBeNull();
  });

  it('stores exact-only entries (no vector)', async () => {
    const store = new CacheStore(redis);
    const e = entry({ scopeId: uid('s'), vector: null, embedModel: null });
    unwrap(await store.put(e));
    expect(unwrap(await store.getExact(e.scopeId, e.exactHash))).toEqual(e);
  });

  it('a second answer to the same exact query replaces the first', async () => {
    const store = new CacheStore(redis);
    const scopeId = uid('s');
    const first = entry({ scopeId, exactHash: 'same' });
    const second = entry({ scopeId, exactHash: 'same' });
    unwrap(await store.put(first));
    expect(unwrap(await store.put(second))).toEqual({ evicted: 1 });
    expect(unwrap(await store.getExact(scopeId, 'same'))?.id).toBe(second.id);
    expect(unwrap(await store.get(scopeId, first.id))).toBeNull();
  });

  it('keeps scopes apart: the same exact hash in two scopes names two entries', async () => {
    const store = new CacheStore(redis);
    const a = entry({ scopeId: uid('s'), exactHash: 'shared' });
    const b = entry({ scopeId: uid('s'), exactHash: 'shared' });
    unwrap(await store.put(a));
    unwrap(await store.put(b));
    expect(unwrap(await store.getExact(a.scopeId, 'shared'))?.id).toBe(a.id);
    expect(unwrap(await store.getExact(b.scopeId, 'shared'))?.id).toBe(b.id);
    expect(unwrap(await store.get(a.scopeId, b.id))).toBeNull();
  });

  it('forgets an entry once its TTL has passed', async () => {
    const store = new CacheStore(redis);
    const e = entry({ scopeId: uid('s'), ttlSeconds: 1 });
    unwrap(await store.put(e));
    expect(unwrap(await store.getExact(e.scopeId, e.exactHash))).not.toBeNull();
    await waitFor(async () => (unwrap(await store.getExact(e.scopeId, e.exactHash)) === null ? true : undefined), 3000, 'expiry');
    expect(unwrap(await store.get(e.scopeId, e.id))).toBeNull();
  });

  it('never answers an entry past its expiresAt, even when its key lives on (clock skew)', async () => {
    let now = Date.now();
    const store = new CacheStore(redis, { now: () => now });
    const e = entry({ scopeId: uid('s'), ttlSeconds: 60 });
    unwrap(await store.put(e));
    now += 61_000;
    expect(unwrap(await store.get(e.scopeId, e.id))).toBeNull();
  });
});

describe('caps', () => {
  it('evicts the entries that expire first beyond the per-scope cap', async () => {
    const store = new CacheStore(redis, { maxEntriesPerScope: 3 });
    const scopeId = uid('s');
    const t0 = Date.now();
    const entries = Array.from({ length: 5 }, (_, i) => entry({ scopeId, createdAt: t0 + i }));
    const evicted = [];
    for (const e of entries) evicted.push(unwrap(await store.put(e)).evicted);
    expect(evicted).toEqual([0, 0, 0, 1, 1]);
    const present = await Promise.all(entries.map(async (e) => unwrap(await store.get(scopeId, e.id)) !== null));
    expect(present).toEqual([false, false, true, true, true]);
    expect((await store.stats()).byScope.find((s) => s.scopeId === scopeId)?.entries).toBe(3);
  });

  it('evicts across scopes beyond the global cap', async () => {
    await redis.flushall();
    const store = new CacheStore(redis, { maxEntries: 4 });
    const t0 = Date.now();
    const entries = Array.from({ length: 6 }, (_, i) => entry({ scopeId: uid('s'), createdAt: t0 + i }));
    for (const e of entries) unwrap(await store.put(e));
    const present = await Promise.all(entries.map(async (e) => unwrap(await store.get(e.scopeId, e.id)) !== null));
    expect(present).toEqual([false, false, true, true, true, true]);
    expect((await store.stats()).entries).toBe(4);
  });
});

describe('hostile input is refused and stores nothing', () => {
  const store = (): CacheStore => new CacheStore(redis, { maxEntryBytes: 4096, maxDimensions: 64, maxTtlSeconds: 86_400 });
  const notUnit = new Float32Array(16).fill(1);
  const cases: Array<[string, Parameters<typeof entry>[0]]> = [
    ['an answer over maxEntryBytes', { answer: { completion: { text: 'x'.repeat(5000) }, promptTokens: 1, completionTokens: 1, costNano: 1 } }],
    ['a query over maxEntryBytes', { query: 'q'.repeat(100_000) }],
    ['a vector that is not unit-length', { vector: notUnit }],
    ['a vector with NaN', { vector: new Float32Array(16).fill(Number.NaN) }],
    ['a vector over maxDimensions', { vector: unitVector(1, 65) }],
    ['an empty vector', { vector: new Float32Array(0) }],
    ['a vector without its embedModel', { embedModel: null }],
    ['a scopeId with a hash-tag brace', { scopeId: 'a}{b' }],
    ['an entry id with a colon', { id: 'a:b' }],
    ['an exactHash with whitespace', { exactHash: 'a b' }],
    ['a teamId of 200 characters', { teamId: 't'.repeat(200) }],
    ['a zero TTL', { ttlSeconds: 0 }],
    ['a TTL over maxTtlSeconds', { ttlSeconds: 86_401 }],
    ['a fractional TTL', { ttlSeconds: 1.5 }],
    ['an entry that has already expired', { createdAt: Date.now() - 10_000, ttlSeconds: 5 }],
    ['an empty model', { model: '' }],
  ];
  it.each(cases)('%s', async (_name, overrides) => {
    const before = await redis.dbsize();
    const r = await store().put(entry(overrides));
    expect(r).toMatchObject({ ok: false, reason: 'refused' });
    expect(await redis.dbsize()).toBe(before);
  });

  it('lookups with ids that would break a key are refused as failures, not thrown', async () => {
    expect(await store().getExact('a{b', 'x')).toMatchObject({ ok: false, reason: 'refused' });
    expect(await store().get('s', 'a b')).toMatchObject({ ok: false, reason: 'refused' });
    expect(await store().recordHit({ scopeId: 's', teamId: 't', model: 'm'.repeat(300) }, 1)).toMatchObject({ ok: false, reason: 'refused' });
    expect(await store().recordHit({ scopeId: 's', teamId: 'a:b', model: 'm' }, 1)).toMatchObject({ ok: false, reason: 'refused' });
  });
});

describe('purge', () => {
  it('removes a team, a model or everything, and says how many', async () => {
    await redis.flushall();
    const store = new CacheStore(redis);
    const put = async (teamId: string | null, model: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) unwrap(await store.put(entry({ scopeId: uid('s'), teamId, model })));
    };
    await put('team-x', 'm1', 3);
    await put('team-y', 'm1', 2);
    await put('team-y', 'm/2: free text', 4);
    await put(null, 'm1', 1);
    expect(await store.purge({ teamId: 'team-x' })).toBe(3);
    expect(await store.purge({ teamId: 'team-x' })).toBe(0);
    expect(await store.purge({ model: 'm/2: free text' })).toBe(4);
    const stats = await store.stats();
    expect(stats.entries).toBe(3);
    expect(stats.byTeam.find((t) => t.teamId === 'team-y')?.entries).toBe(2);
    expect(stats.byModel.find((m) => m.model === 'm1')?.entries).toBe(3);
    expect(await store.purge({ all: true })).toBe(3);
    expect(await store.stats()).toMatchObject({ entries: 0, byTeam: [], byModel: [], byScope: [] });
    const events = await redis.xrange(globalKeys.events, '-', '+');
    expect(events.filter(([, f]) => f[1] === 'purge').map(([, f]) => f.slice(2))).toEqual([
      ['team', 'team-x'],
      ['team', 'team-x'],
      ['model', 'm/2: free text'],
      ['all', '1'],
    ]);
  });

  it('removes thousands of entries in bounded rounds', async () => {
    await redis.flushall();
    const store = new CacheStore(redis);
    const scopeId = uid('s');
    await Promise.all(Array.from({ length: 1200 }, () => store.put(entry({ scopeId, teamId: 'big', vector: null, embedModel: null }))));
    expect(await store.purge({ teamId: 'big' })).toBe(1200);
    expect((await redis.keys('*{sc:*')).length).toBe(0);
  });
});

describe('stats', () => {
  it('counts entries and hits per team, model and scope, with the savings', async () => {
    await redis.flushall();
    const store = new CacheStore(redis);
    const e = entry({ scopeId: uid('s'), teamId: 'team-h', model: 'm-h' });
    unwrap(await store.put(e));
    unwrap(await store.recordHit(e, 1500));
    unwrap(await store.recordHit(e, null));
    const stats = await store.stats();
    expect(stats.byTeam).toEqual([{ teamId: 'team-h', entries: 1, hits: 2, savedNano: 1500 }]);
    expect(stats.byModel).toEqual([{ model: 'm-h', entries: 1, hits: 2, savedNano: 1500 }]);
    expect(stats.byScope).toEqual([{ scopeId: e.scopeId, entries: 1, hits: 2, savedNano: 1500 }]);
  });
});

describe('Redis failures are values', () => {
  it('a lookup, a put and a hit against an unreachable Redis answer "unavailable" quickly', async () => {
    const gate = await startTcpGate(server.port);
    const client = redisFor(`redis://127.0.0.1:${gate.port}`);
    await whenReady(client);
    const store = new CacheStore(client);
    const e = entry({ scopeId: uid('s') });
    unwrap(await store.put(e));
    await gate.close();
    const started = Date.now();
    expect(await store.getExact(e.scopeId, e.exactHash)).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(await store.get(e.scopeId, e.id)).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(await store.put(entry())).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(await store.recordHit(e, 1)).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(5000);
    await gate.stop();
  });
});

it('every script and multi-key command stays in one slot on a Redis Cluster', async () => {
  const fixture = await startRedisCluster();
  try {
    const store = new CacheStore(fixture.cluster, { maxEntriesPerScope: 2, maxEntries: 3 });
    const scopeId = uid('s');
    for (let i = 0; i < 3; i++) unwrap(await store.put(entry({ scopeId, createdAt: Date.now() + i })));
    unwrap(await store.put(entry({ scopeId: uid('s'), teamId: 'ct', createdAt: Date.now() + 10 })));
    unwrap(await store.put(entry({ scopeId: uid('s'), teamId: 'ct', createdAt: Date.now() + 20 })));
    const e = entry({ scopeId });
    unwrap(await store.put(e));
    unwrap(await store.recordHit(e, 10));
    expect(unwrap(await store.getExact(scopeId, e.exactHash))?.id).toBe(e.id);
    expect((await store.stats()).entries).toBe(3);
    expect(await store.purge({ teamId: 'ct' })).toBeGreaterThan(0);
    expect(await store.purge({ model: e.model })).toBeGreaterThan(0);
    expect(await store.purge({ all: true })).toBe(0);
    const ids: string[] = [];
    for await (const page of store.scopeEntries(scopeId, 10)) ids.push(...page.map((p) => p.id));
    expect(ids).toEqual([]);
  } finally {
    await fixture.stop();
  }
});
