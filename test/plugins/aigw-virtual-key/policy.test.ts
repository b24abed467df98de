import type { KeyRecord, TeamRecord } from '../../../lib/identity';
import { extractCredential } from '../../../plugins/aigw-virtual-key/credentials';
import { KeyCache } from '../../../plugins/aigw-virtual-key/key-cache';
import { lookupKey } from '../../../plugins/aigw-virtual-key/key-lookup';
import { budgetSubjects, keyStateRefusal, resolveModel, teamCacheOf } from '../../../plugins/aigw-virtual-key/policy';

const team: TeamRecord = {
  id: 'team-1',
  name: 'search',
  kongConsumer: 'search-team',
  allowedModels: [],
  metadata: {},
  maxBudgetNano: 10_000_000_000,
  budgetDuration: '30d',
  budgetAnchor: '2026-01-01T00:00:00Z',
  rpmLimit: null,
  tpmLimit: null,
  cache: { mode: 'on', ttlSeconds: null },
};

function key(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: 'key-1',
    keyPrefix: 'sk-aigw-abcd',
    keyAlias: 'k',
    role: 'user',
    teamId: team.id,
    userId: 'u1',
    allowedModels: [],
    modelAliases: {},
    maxParallelRequests: null,
    expiresAt: null,
    revoked: false,
    metadata: {},
    maxBudgetNano: 5_000_000_000,
    budgetDuration: null,
    budgetAnchor: '2026-11-01T00:00:00Z',
    rpmLimit: null,
    tpmLimit: null,
    team,
    ...overrides,
  };
}

describe('credential extraction', () => {
  it('takes apikey, then a Bearer token, then x-api-key', () => {
    expect(extractCredential({ apikey: ['a'], authorization: ['Bearer b'], 'x-api-key': ['c'] })).toBe('a');
    expect(extractCredential({ authorization: ['Bearer b'], 'x-api-key': ['c'] })).toBe('b');
    expect(extractCredential({ authorization: ['Basic zzz'], 'x-api-key': ['c'] })).toBe('c');
    expect(extractCredential({ authorization: ['bearer   b2  '] })).toBe('b2');
    expect(extractCredential({})).toBeNull();
    expect(extractCredential({ apikey: ['  '] })).toBeNull();
  });
});

describe('key policy', () => {
  const now = Date.parse('2026-11-22T00:00:00Z');

  it('refuses revoked and expired keys with 401', () => {
    expect(keyStateRefusal(key(), now)).toBeNull();
    expect(keyStateRefusal(key({ revoked: true }), now)?.code).toBe('revoked_api_key');
    expect(keyStateRefusal(key({ expiresAt: '2026-11-21T00:00:00Z' }), now)?.code).toBe('expired_api_key');
    expect(keyStateRefusal(key({ expiresAt: '2026-12-01T00:00:00Z' }), now)).toBeNull();
  });

  it('rewrites aliases before checking allow-lists of key and team', () => {
    const k = key({ modelAliases: { fast: 'gpt-4o-mini' }, allowedModels: ['gpt-4o-mini'] });
    expect(resolveModel(k, 'fast')).toEqual({ model: 'gpt-4o-mini' });
    expect(resolveModel(k, 'gpt-4o')).toMatchObject({ status: 403, code: 'model_not_allowed' });
    const teamLimited = key({ team: { ...team, allowedModels: ['gpt-4o'] } });
    expect(resolveModel(teamLimited, 'gpt-4o-mini')).toMatchObject({ status: 403 });
    expect(resolveModel(teamLimited, 'gpt-4o')).toEqual({ model: 'gpt-4o' });
  });

  it('lists the key and team budgets in their current windows', () => {
    const subjects = budgetSubjects(key(), now);
    expect(subjects).toEqual([
      { kind: 'key', id: 'key-1', maxNano: 5_000_000_000, periodStart: Date.parse('2026-11-01T00:00:00Z'), periodEnd: null },
      expect.objectContaining({ kind: 'team', id: 'team-1', maxNano: 10_000_000_000 }),
    ]);
    const teamWindow = subjects[1];
    expect(teamWindow.periodStart).toBeLessThanOrEqual(now);
    expect(teamWindow.periodEnd! - teamWindow.periodStart).toBe(30 * 86_400_000);
    expect(teamWindow.periodEnd!).toBeGreaterThan(now);
    expect(budgetSubjects(key({ maxBudgetNano: null, team: null }), now)).toEqual([]);
  });

  it("carries the team's cache settings in the identity only when they are not the default", () => {
    expect(teamCacheOf(key())).toBeUndefined();
    expect(teamCacheOf(key({ team: null }))).toBeUndefined();
    expect(teamCacheOf(key({ team: { ...team, cache: { mode: 'off', ttlSeconds: null } } }))).toEqual({ mode: 'off', ttlSeconds: null });
    expect(teamCacheOf(key({ team: { ...team, cache: { mode: 'on', ttlSeconds: 60 } } }))).toEqual({ mode: 'on', ttlSeconds: 60 });
    expect(teamCacheOf(key({ team: { ...team, cache: { mode: 'exact', ttlSeconds: 86_400 } } }))).toEqual({ mode: 'exact', ttlSeconds: 86_400 });
    // A record a node cached in Redis before teams had cache settings.
    const { cache: _, ...older } = team;
    expect(teamCacheOf(key({ team: older as typeof team }))).toBeUndefined();
  });
});

describe('key cache', () => {
  let clock = 0;
  const cache = () => new KeyCache({ ttlMs: 5000, negativeTtlMs: 1000, maxEntries: 2, unsubscribedTtlMs: 1000, now: () => clock });

  it('honours TTLs, shorter for negatives and while unsubscribed', () => {
    clock = 0;
    const c = cache();
    c.subscribed = true;
    c.set('h1', key());
    c.set('h2', null);
    clock = 999;
    expect(c.get('h2')).toEqual({ hit: true, record: null });
    clock = 1500;
    expect(c.get('h2')).toEqual({ hit: false });
    expect(c.get('h1').hit).toBe(true);
    c.subscribed = false;
    expect(c.get('h1').hit).toBe(false);
    expect(c.getFreshPositive('h1')?.id).toBe('key-1');
    clock = 6000;
    expect(c.getFreshPositive('h1')).toBeNull();
  });

  it('evicts by hash, by key id and by team, and stays bounded', () => {
    clock = 0;
    const c = cache();
    c.subscribed = true;
    c.set('h1', key());
    c.invalidate({ type: 'key', hash: 'h1' });
    expect(c.get('h1').hit).toBe(false);
    c.set('h1', key());
    c.invalidate({ type: 'key', id: 'key-1' });
    expect(c.get('h1').hit).toBe(false);
    c.set('h1', key());
    // A prompt template's change concerns no key: the entry stays.
    c.invalidate({ type: 'template', id: 'support' } as { type: string; id: string });
    expect(c.get('h1').hit).toBe(true);
    c.invalidate({ type: 'team', id: 'team-1' });
    expect(c.get('h1').hit).toBe(false);
    c.set('a', null);
    c.set('b', null);
    c.set('c', null);
    expect(c.get('a').hit).toBe(false);
    expect(c.get('c').hit).toBe(true);
  });

  it('after an invalidation-channel outage, starts over and distrusts shared entries written before it came back', () => {
    clock = 1000;
    const c = cache();
    c.channelState(true);
    expect(c.sharedTrustedFrom).toBe(0);
    c.set('h1', key());
    c.channelState(false);
    clock = 5000;
    c.channelState(true);
    expect(c.get('h1').hit).toBe(false);
    expect(c.sharedTrustedFrom).toBe(5000);
  });
});

describe('key lookup', () => {
  /** Redis holding one cached entry, PostgreSQL knowing `record` (null: no such key). */
  function stores(cached: string, record: KeyRecord | null) {
    const dbCalls: unknown[] = [];
    const redis = { get: async () => cached, set: async () => 'OK' };
    const pool = {
      query: async (...args: unknown[]) => {
        dbCalls.push(args);
        return { rows: record ? [record] : [] };
      },
    };
    return { redis: redis as never, pool: pool as never, dbCalls };
  }

  it('ignores a shared entry written before the invalidation channel came back (its DEL may have been lost) and asks PostgreSQL', async () => {
    const cache = new KeyCache({ ttlMs: 5000, negativeTtlMs: 1000, maxEntries: 10, unsubscribedTtlMs: 1000 });
    cache.channelState(true);
    cache.channelState(false);
    cache.channelState(true);
    const stale = JSON.stringify({ storedAt: cache.sharedTrustedFrom - 1, record: key() });
    const s = stores(stale, null);
    const lookup = await lookupKey('h', { cache, redis: s.redis, pool: s.pool, redisTtlSeconds: 60, redisNegativeTtlSeconds: 2 });
    expect(lookup.status).toBe('unknown');
    expect(s.dbCalls).toHaveLength(1);
  });

  it('uses a shared entry written since', async () => {
    const cache = new KeyCache({ ttlMs: 5000, negativeTtlMs: 1000, maxEntries: 10, unsubscribedTtlMs: 1000 });
    const fresh = JSON.stringify({ storedAt: Date.now(), record: key() });
    const s = stores(fresh, null);
    const lookup = await lookupKey('h', { cache, redis: s.redis, pool: s.pool, redisTtlSeconds: 60, redisNegativeTtlSeconds: 2 });
    expect(lookup).toMatchObject({ status: 'found', record: { id: 'key-1' } });
    expect(s.dbCalls).toHaveLength(0);
  });
});
