// The in-memory vector index against a real redis-server: ranking, scope and model isolation,
// expiry, a second node following puts and purges through the stream, LRU and caps, rebuilds
// after a lost connection, a stall or a gap in the stream, and lookups that never wait long.
import Redis from 'ioredis';
import { whenReady } from '../../../lib/limits/script';
import type { IndexedEntry } from '../../../lib/semantic-cache/codec';
import { SemanticIndex, type SemanticIndexOptions } from '../../../lib/semantic-cache/index';
import { globalKeys } from '../../../lib/semantic-cache/keys';
import type { CacheResult } from '../../../lib/semantic-cache/result';
import { CacheStore } from '../../../lib/semantic-cache/store';
import type { SemanticCandidate } from '../../../lib/semantic-cache/types';
import { startRedis, type TestRedis } from '../../harness/stores/redis';
import { startTcpGate, type TcpGate } from '../../harness/stores/tcp-gate';
import { waitFor } from '../../harness/wait-for';
import { entry, near, uid, unitVector, unwrap } from './fixture';

let server: TestRedis;
const clients: Redis[] = [];
const indexes: SemanticIndex[] = [];
const gates: TcpGate[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await Promise.all(indexes.map((i) => i.close()));
  clients.forEach((c) => c.disconnect());
  await Promise.all(gates.map((g) => g.stop()));
  await server?.stop();
});

/** A client with the production settings (no offline queue, 500 ms timeout), its own connection. */
async function client(url = server.url): Promise<Redis> {
  const c = new Redis(url, { commandTimeout: 500, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  c.on('error', () => undefined);
  clients.push(c);
  await whenReady(c, 3000);
  return c;
}

/** One "node": its own store connection and index (event stream connection included). */
async function node(opts: Partial<SemanticIndexOptions> & { url?: string; store?: CacheStore } = {}): Promise<{ store: CacheStore; index: SemanticIndex }> {
  const url = opts.url ?? server.url;
  const store = opts.store ?? new CacheStore(await client(url));
  const index = new SemanticIndex({ store, redisUrl: url, blockMs: 200, retryDelayMs: 50, ...opts });
  indexes.push(index);
  await waitFor(() => index.synced || undefined, 5000, 'the index to follow the stream');
  return { store, index };
}

const ids = (r: CacheResult<SemanticCandidate[]>): string[] | undefined => (r.ok ? r.value.map((c) => c.entryId) : undefined);

/** Waits until the index answers (not loading / unsynced) with exactly these ids. */
async function expectIds(index: SemanticIndex, scopeId: string, vector: Float32Array, expected: string[], embedModel = 'minilm'): Promise<void> {
  await waitFor(
    async () => {
      const got = ids(await index.nearest(scopeId, vector, embedModel, 10));
      return got && JSON.stringify([...got].sort()) === JSON.stringify([...expected].sort()) ? true : undefined;
    },
    5000,
    `${scopeId} to hold ${JSON.stringify(expected)}`,
  );
}

const put = async (store: CacheStore, ...overrides: Array<Parameters<typeof entry>[0]>): Promise<string[]> => {
  const out: string[] = [];
  for (const o of overrides) {
    const e = entry(o);
    unwrap(await store.put(e));
    out.push(e.id);
  }
  return out;
};

it('ranks by cosine, best first, k at most, only among vectors of the same embedding model', async () => {
  const { store, index } = await node();
  const scopeId = uid('s');
  const q = unitVector(100, 16);
  const [closest, close, far] = await put(
    store,
    { scopeId, vector: near(q, 1, 0.05) },
    { scopeId, vector: near(q, 2, 0.5) },
    { scopeId, vector: unitVector(7, 16) },
  );
  await put(store, { scopeId, vector: q, embedModel: 'other-model' }, { scopeId, vector: null, embedModel: null });
  const r = await index.nearest(scopeId, q, 'minilm', 2);
  expect(ids(r)).toEqual([closest, close]);
  if (!r.ok) throw new Error('unreachable');
  expect(r.value[0].similarity).toBeGreaterThan(r.value[1].similarity);
  expect(r.value[0].similarity).toBeLessThanOrEqual(1.0001);
  expect(r.value[0].query).toContain(closest);
  expect(ids(await index.nearest(scopeId, q, 'minilm', 10))).toEqual([closest, close, far]);
  expect(ids(await index.nearest(scopeId, q, 'other-model'))).toHaveLength(1);
  expect(ids(await index.nearest(scopeId, q, 'unknown-model'))).toEqual([]);
  expect(ids(await index.nearest(scopeId, unitVector(1, 8), 'minilm'))).toEqual([]);
});

it('never crosses scopes: two scopes with identical vectors see only their own entries', async () => {
  const { store, index } = await node();
  const v = unitVector(5, 16);
  const a = uid('s');
  const b = uid('s');
  const [inA] = await put(store, { scopeId: a, vector: v });
  const [inB] = await put(store, { scopeId: b, vector: v });
  expect(ids(await index.nearest(a, v, 'minilm'))).toEqual([inA]);
  expect(ids(await index.nearest(b, v, 'minilm'))).toEqual([inB]);
});

it('never returns an entry whose TTL has passed', async () => {
  const { store, index } = await node();
  const scopeId = uid('s');
  const v = unitVector(9, 16);
  const [short] = await put(store, { scopeId, vector: v, ttlSeconds: 1 });
  const [long] = await put(store, { scopeId, vector: near(v, 3) });
  expect(ids(await index.nearest(scopeId, v, 'minilm'))).toEqual([short, long]);
  await expectIds(index, scopeId, v, [long]);
});

it('expiry is checked at lookup time, not only when Redis forgets the key', async () => {
  let now = Date.now();
  const { store, index } = await node({ now: () => now });
  const scopeId = uid('s');
  const v = unitVector(10, 16);
  const [e] = await put(store, { scopeId, vector: v, ttlSeconds: 60 });
  expect(ids(await index.nearest(scopeId, v, 'minilm'))).toEqual([e]);
  now += 61_000;
  expect(ids(await index.nearest(scopeId, v, 'minilm'))).toEqual([]);
  expect(index.stats().vectors).toBe(0); // swept
});

describe('a second node follows the first through the stream', () => {
  it('sees puts, replacements and evictions made by another node in a scope it holds', async () => {
    const one = await node();
    const two = await node();
    const scopeId = uid('s');
    const v = unitVector(11, 16);
    const [first] = await put(one.store, { scopeId, vector: v, exactHash: 'q' });
    await expectIds(two.index, scopeId, v, [first]);
    const [second] = await put(one.store, { scopeId, vector: near(v, 4), exactHash: 'q' });
    await expectIds(two.index, scopeId, v, [second]);
    const capped = new CacheStore(await client(), { maxEntriesPerScope: 1 });
    const [third] = await put(capped, { scopeId, vector: near(v, 5), createdAt: Date.now() + 1000 });
    await expectIds(two.index, scopeId, v, [third]);
  });

  it.each([
    ['team', { teamId: 'purge-team' }],
    ['model', { model: 'purge-model' }],
    ['everything', { all: true }],
  ] as const)('sees a purge by %s', async (_name, target) => {
    const one = await node();
    const two = await node();
    const scopeId = uid('s');
    const other = uid('s');
    const v = unitVector(12, 16);
    const [gone] = await put(one.store, { scopeId, vector: v, teamId: 'purge-team', model: 'purge-model' });
    const [kept] = await put(one.store, { scopeId: other, vector: v, teamId: 'kept-team', model: 'kept-model' });
    await expectIds(two.index, scopeId, v, [gone]);
    await expectIds(two.index, other, v, [kept]);
    expect(await one.store.purge(target)).toBeGreaterThanOrEqual(1);
    await expectIds(two.index, scopeId, v, []);
    await expectIds(two.index, other, v, 'all' in target ? [] : [kept]);
  });
});

describe('bounded memory', () => {
  it('holds at most maxScopes scopes, least recently used out first; an evicted scope reloads on use', async () => {
    const { store, index } = await node({ maxScopes: 2 });
    const v = unitVector(13, 16);
    const scopes = [uid('s'), uid('s'), uid('s')];
    const entries = [];
    for (const scopeId of scopes) entries.push(...(await put(store, { scopeId, vector: v })));
    await expectIds(index, scopes[0], v, [entries[0]]);
    await expectIds(index, scopes[1], v, [entries[1]]);
    await expectIds(index, scopes[0], v, [entries[0]]); // scopes[1] is now the least recently used
    await expectIds(index, scopes[2], v, [entries[2]]);
    expect(index.stats().scopes).toBe(2);
    await expectIds(index, scopes[0], v, [entries[0]]); // still held
    await expectIds(index, scopes[1], v, [entries[1]]); // reloaded
    expect(index.stats().scopes).toBe(2);
  });

  it('holds at most maxVectors vectors over all scopes, and of one scope its newest-expiring', async () => {
    const { store, index } = await node({ maxVectors: 5 });
    const v = unitVector(14, 16);
    const big = uid('s');
    const t0 = Date.now();
    const bigIds = await put(store, ...Array.from({ length: 8 }, (_, i) => ({ scopeId: big, vector: near(v, 20 + i), createdAt: t0 + i })));
    await expectIds(index, big, v, bigIds.slice(3));
    expect(index.stats().vectors).toBe(5);
    const small = uid('s');
    const smallIds = await put(store, { scopeId: small, vector: v }, { scopeId: small, vector: near(v, 30) });
    await expectIds(index, small, v, smallIds);
    expect(index.stats()).toMatchObject({ scopes: 1, vectors: 2 });
    expect(index.stats().vectorBytes).toBeGreaterThan(0);
  });
});

describe('rebuilds', () => {
  it('after losing Redis (a restart that lost data), lookups fail open, then reload what Redis holds now', async () => {
    const gate = await startTcpGate(server.port);
    gates.push(gate);
    const url = `redis://127.0.0.1:${gate.port}`;
    const { index } = await node({ url });
    const writer = new CacheStore(await client());
    const scopeId = uid('s');
    const v = unitVector(15, 16);
    const [before] = await put(writer, { scopeId, vector: v });
    await expectIds(index, scopeId, v, [before]);
    await gate.close();
    await waitFor(() => (index.synced ? undefined : true), 5000, 'the index to notice');
    expect(await index.nearest(scopeId, v, 'minilm')).toMatchObject({ ok: false, reason: 'unsynced' });
    // what a restart without persistence does, while this node cannot see it
    await writer.purge({ all: true });
    await (await client()).del(globalKeys.events);
    const [after] = await put(writer, { scopeId, vector: v });
    await gate.open();
    await expectIds(index, scopeId, v, [after]);
  });

  it('after a real restart (a new, empty redis-server on the same port), it serves what the new one holds', async () => {
    let own = await startRedis();
    try {
      const { index } = await node({ url: own.url });
      const scopeId = uid('s');
      const v = unitVector(21, 16);
      const [before] = await put(new CacheStore(await client(own.url)), { scopeId, vector: v });
      await expectIds(index, scopeId, v, [before]);
      await own.stop();
      own = await startRedis({ port: own.port });
      const [after] = await put(new CacheStore(await client(own.url)), { scopeId, vector: near(v, 50) });
      await expectIds(index, scopeId, v, [after]);
    } finally {
      await own.stop();
    }
  });

  it('after a stall (Redis answers nothing), lookups fail open until the stream is read again', async () => {
    const { store, index } = await node();
    const scopeId = uid('s');
    const v = unitVector(16, 16);
    const [e] = await put(store, { scopeId, vector: v });
    await expectIds(index, scopeId, v, [e]);
    await server.pause!();
    try {
      await waitFor(() => (index.synced ? undefined : true), 5000, 'the index to notice the stall');
      expect(await index.nearest(scopeId, v, 'minilm')).toMatchObject({ ok: false, reason: 'unsynced' });
    } finally {
      await server.resume!();
    }
    await expectIds(index, scopeId, v, [e]);
  });

  it('after events were trimmed before this node read them, it reloads instead of missing them', async () => {
    let hold: Promise<void> | null = null;
    let release = (): void => undefined;
    class SlowStore extends CacheStore {
      override async indexed(scopeId: string, entryIds: readonly string[]): Promise<Map<string, IndexedEntry | null>> {
        if (hold) await hold;
        return super.indexed(scopeId, entryIds);
      }
    }
    const { index } = await node({ store: new SlowStore(await client()), batch: 1 });
    const writer = new CacheStore(await client());
    const scopeId = uid('s');
    const v = unitVector(17, 16);
    const [first] = await put(writer, { scopeId, vector: v });
    await expectIds(index, scopeId, v, [first]);
    hold = new Promise((resolve) => (release = resolve));
    const [second] = await put(writer, { scopeId, vector: near(v, 40) });
    // the node is now stuck applying `second`'s event; two more arrive and are trimmed away but one
    const missed = await put(writer, { scopeId, vector: near(v, 41) }, { scopeId, vector: near(v, 42) });
    await (await client()).xtrim(globalKeys.events, 'MAXLEN', 1);
    hold = null;
    release();
    await expectIds(index, scopeId, v, [first, second, ...missed]);
  });
});

describe('lookups never wait long and never throw', () => {
  it('a scope still loading after loadWaitMs answers "loading", and is there once loaded', async () => {
    let hold: Promise<void> | null = null;
    let release = (): void => undefined;
    class SlowStore extends CacheStore {
      override async *scopeEntries(scopeId: string, limit: number): AsyncGenerator<IndexedEntry[]> {
        if (hold) await hold;
        yield* super.scopeEntries(scopeId, limit);
      }
    }
    const { store, index } = await node({ store: new SlowStore(await client()), loadWaitMs: 20 });
    const scopeId = uid('s');
    const v = unitVector(18, 16);
    const [e] = await put(store, { scopeId, vector: v });
    hold = new Promise((resolve) => (release = resolve));
    expect(await index.nearest(scopeId, v, 'minilm')).toMatchObject({ ok: false, reason: 'loading' });
    release();
    await expectIds(index, scopeId, v, [e]);
  });

  it('a load that fails answers "unavailable", and the next lookup tries again', async () => {
    let failing = true;
    class FlakyStore extends CacheStore {
      override async *scopeEntries(scopeId: string, limit: number): AsyncGenerator<IndexedEntry[]> {
        if (failing) throw new Error('Command timed out');
        yield* super.scopeEntries(scopeId, limit);
      }
    }
    const { store, index } = await node({ store: new FlakyStore(await client()) });
    const scopeId = uid('s');
    const v = unitVector(19, 16);
    const [e] = await put(store, { scopeId, vector: v });
    expect(await index.nearest(scopeId, v, 'minilm')).toMatchObject({ ok: false, reason: 'unavailable' });
    failing = false;
    await expectIds(index, scopeId, v, [e]);
  });

  it('refuses hostile arguments as failures', async () => {
    const { index } = await node();
    const v = unitVector(20, 16);
    expect(await index.nearest('a{b}', v, 'minilm')).toMatchObject({ ok: false, reason: 'refused' });
    expect(await index.nearest('s', new Float32Array(0), 'minilm')).toMatchObject({ ok: false, reason: 'refused' });
    expect(await index.nearest('s', new Float32Array(16).fill(1), 'minilm')).toMatchObject({ ok: false, reason: 'refused' });
    expect(await index.nearest('s', new Float32Array(16).fill(Number.NaN), 'minilm')).toMatchObject({ ok: false, reason: 'refused' });
    expect(await index.nearest('s', v, 'minilm', 0)).toMatchObject({ ok: false, reason: 'refused' });
    expect(await index.nearest('s', v, 'minilm', 1e6)).toMatchObject({ ok: false, reason: 'refused' });
    expect(await index.nearest('s', [1, 2] as unknown as Float32Array, 'minilm')).toMatchObject({ ok: false, reason: 'refused' });
  });
});
