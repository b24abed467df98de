/**
 * The cache plugin's decisions with a fake Kong, a fake store and a fake embedder: what it answers,
 * what it tells the relay to store, what it counts in its metrics, and that every failure is a
 * miss with a metric (fail open). The real stores, sidecar and Kong double are in
 * test/e2e/semantic-cache.test.ts.
 */
import { Registry } from 'prom-client';
import { IDENTITY_CTX_KEY, type RequestIdentity } from '../../../lib/identity';
import type { Kong } from '../../../lib/kong/pdk';
import { cacheRequestHeadersOf } from '../../../lib/semantic-cache/cache-control';
import { decodePendingFill, pendingFillDigest } from '../../../lib/semantic-cache/pending-fill';
import { cacheKeyOf, keyOf } from '../../../lib/semantic-cache/scope';
import type { CacheEntry, SemanticCandidate } from '../../../lib/semantic-cache/types';
import type { CacheBackend, Embedder, Outcome } from '../../../plugins/aigw-semantic-cache/backend';
import { cacheRouteOf, keyedRequestOf } from '../../../plugins/aigw-semantic-cache/cache-route';
import type { SemanticCacheConfig } from '../../../plugins/aigw-semantic-cache/config';
import { SemanticCacheHandler } from '../../../plugins/aigw-semantic-cache/handler';
import { CacheMetrics } from '../../../plugins/aigw-semantic-cache/metrics';

const CONFIG: SemanticCacheConfig = {
  redis_url: 'redis://127.0.0.1:1',
  database_url: null,
  inference_address: '127.0.0.1:1',
  namespace: 'team',
  semantic: true,
  threshold: 0.87,
  guards: ['numbers', 'negation', 'entities', 'antonyms', 'direction', 'substitution'],
  ttl_seconds: 3600,
  cache_tool_calls: false,
  embed_deadline_ms: 100,
  max_request_body_bytes: 1 << 20,
  responses_ttl_seconds: 3600,
};

const IDENTITY = {
  requestId: 'r1',
  keyId: 'k1',
  teamId: 't1',
  teamName: 'search',
  model: 'gpt-4o-mini',
  contentLength: null,
  promptTokensEstimate: 0,
  budgets: [],
  rateSubjects: [],
  models: { keyModels: [], teamModels: [], aliases: [] },
};

interface Seen {
  headers: Record<string, string>;
  shared: Record<string, unknown>;
  exit?: { status: number; body: string; headers: Record<string, string> };
  warnings: string[];
  queryReads: number;
}

/** The request a fake Kong serves: a chat request for `question` unless told otherwise. */
interface FakeRequest {
  path: string;
  body: Record<string, unknown>;
  query?: string;
}

function fakeKong(
  question: string,
  headers: Record<string, string> = {},
  identity: Record<string, unknown> | null = IDENTITY,
  request: FakeRequest = { path: '/v1/chat/completions', body: body(question) },
): { kong: Kong; seen: Seen } {
  const raw = Buffer.from(JSON.stringify(request.body));
  const seen: Seen = { headers: {}, shared: identity ? { [IDENTITY_CTX_KEY]: identity } : {}, warnings: [], queryReads: 0 };
  const kong = {
    request: {
      getPath: async () => request.path,
      getHeader: async (name: string) => headers[name],
      getRawBody: async () => raw,
      getRawQuery: async () => {
        seen.queryReads++;
        return request.query ?? '';
      },
    },
    response: {
      setHeader: async (name: string, value: string) => void (seen.headers[name] = value),
      exit: async (status: number, b: string, h: Record<string, string>) => void (seen.exit = { status, body: b, headers: h }),
    },
    nginx: { getVar: async () => 'req-1' },
    ctx: {
      shared: {
        get: async (key: string) => seen.shared[key],
        set: async (key: string, value: unknown) => void (seen.shared[key] = value),
      },
    },
    log: { warn: async (m: string) => void seen.warnings.push(m), debug: async () => undefined },
  } as unknown as Kong;
  return { kong, seen };
}

const body = (question: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] });

function entryFor(question: string, costNano: number | null = 2_000_000): CacheEntry {
  const key = cacheKeyOf('openai', body(question), 'team:t1', 'gpt-4o-mini')!;
  return {
    id: 'e'.repeat(32),
    scopeId: key.scopeId,
    teamId: 't1',
    model: 'gpt-4o-mini',
    exactHash: key.exactHash,
    query: key.query,
    vector: null,
    embedModel: null,
    answer: {
      completion: {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Yes.' }, finish_reason: 'stop' }],
      },
      promptTokens: 10,
      completionTokens: 2,
      costNano,
    },
    createdAt: Date.now() - 5000,
    ttlSeconds: 3600,
  };
}

const fail = (reason: string): Outcome<never> => ({ ok: false, reason });

type FakeBackend = CacheBackend & { pending: Map<string, Buffer> };

function fakeBackend(opts: { exact?: CacheEntry; candidates?: Array<{ entry: CacheEntry; similarity: number }>; failing?: boolean } = {}): FakeBackend {
  const pending = new Map<string, Buffer>();
  return {
    pending,
    putPendingFill: async (scope, requestId, value) => {
      if (opts.failing) return fail('connection refused');
      pending.set(`${scope}/${requestId}`, value);
      return { ok: true, value: undefined };
    },
    getExact: async (_scope, hash) => (opts.failing ? fail('connection refused') : { ok: true, value: opts.exact?.exactHash === hash ? opts.exact : null }),
    nearest: async () =>
      opts.failing
        ? fail('connection refused')
        : {
            ok: true,
            value: (opts.candidates ?? []).map((c): SemanticCandidate => ({ entryId: c.entry.id, query: c.entry.query, similarity: c.similarity })),
          },
    get: async (_scope, id) => ({ ok: true, value: opts.candidates?.find((c) => c.entry.id === id)?.entry ?? null }),
    recordHit: async () => undefined,
  };
}

const embedder: Embedder = { embed: async () => ({ ok: true, value: { vector: new Float32Array([1, 0]), model: 'use-lite' } }) };
const brokenEmbedder: Embedder = { embed: async () => ({ ok: false, reason: 'unavailable' }) };

async function run(
  question: string,
  backend: CacheBackend,
  opts: { embed?: Embedder; headers?: Record<string, string>; config?: Partial<SemanticCacheConfig>; identity?: Record<string, unknown> } = {},
) {
  const registry = new Registry();
  const handler = new SemanticCacheHandler({ ...CONFIG, ...opts.config }, backend, opts.embed ?? embedder, null, new CacheMetrics(registry));
  // aigw-virtual-key carries the cache headers in the identity, as it read them with the others.
  const multimap = Object.fromEntries(Object.entries(opts.headers ?? {}).map(([name, value]) => [name, [value]]));
  const identity = { ...(opts.identity ?? IDENTITY), cacheHeaders: cacheRequestHeadersOf(multimap) };
  const { kong, seen } = fakeKong(question, {}, identity);
  await handler.access(kong);
  const metrics = await registry.metrics();
  return { seen, metrics, registry, fill: (seen.shared[IDENTITY_CTX_KEY] as RequestIdentity).cache };
}

test('a miss: X-Cache-Status Miss, the fill the relay needs, counted as a semantic miss with its latency', async () => {
  const { seen, metrics, fill } = await run('How do I rotate a key?', fakeBackend());
  expect(seen.headers['x-cache-status']).toBe('Miss');
  expect(fill).toMatchObject({ model: 'gpt-4o-mini', teamId: 't1', ttlSeconds: 3600, embedModel: 'use-lite' });
  expect(metrics).toContain('aigw_cache_lookups_total{result="miss",kind="semantic"} 1');
  expect(metrics).toMatch(/aigw_cache_lookup_seconds_count\{result="miss"\} 1/);
});

test('a semantic miss leaves the vector and the question in Redis under the scope and request id, and only their digest in the identity', async () => {
  const backend = fakeBackend();
  const { fill } = await run('How do I rotate a key?', backend);
  const key = cacheKeyOf('openai', body('How do I rotate a key?'), 'team:t1', 'gpt-4o-mini')!;
  const left = backend.pending.get(`${key.scopeId}/r1`)!;
  expect(decodePendingFill(left)).toEqual({ vector: new Float32Array([1, 0]), query: key.query });
  expect(fill).toMatchObject({ scopeId: key.scopeId, exactHash: key.exactHash, pendingDigest: pendingFillDigest(left), embedModel: 'use-lite' });
  expect(fill).not.toHaveProperty('vector');
  expect(fill).not.toHaveProperty('query');
  // What every later plugin re-reads and aigw-proxy signs into the plan: small, whatever the question.
  expect(JSON.stringify(fill).length).toBeLessThan(400);
});

test('a miss whose vector cannot be left (Redis down, or a request id no key can carry) fills exactly, counted', async () => {
  const down = await run('How do I rotate a key?', fakeBackend({ failing: true }));
  await new Promise((r) => setImmediate(r));
  expect(down.fill).toMatchObject({ pendingDigest: expect.any(String) }); // not waited for: the relay finds nothing and skips
  expect(await down.registry.metrics()).toContain('aigw_fail_open_total{component="aigw-semantic-cache",stage="pending_fill"} 1');
  const backend = fakeBackend();
  const oddId = await run('How do I rotate a key?', backend, { identity: { ...IDENTITY, requestId: 'not/a:key id' } });
  expect(oddId.fill).toMatchObject({ pendingDigest: null, embedModel: null });
  expect(backend.pending.size).toBe(0);
});

test("an exact hit: answered with the headers, counted as a request the cache answered (ours and Kong's), with its similarity and the dollars it saved", async () => {
  const question = 'How do I rotate a key?';
  const { seen, metrics } = await run(question, fakeBackend({ exact: entryFor(question) }));
  expect(seen.exit?.status).toBe(200);
  expect(seen.exit?.headers['x-cache-status']).toBe('Hit');
  expect(JSON.parse(seen.exit!.body).choices[0].message.content).toBe('Yes.');
  expect(metrics).toContain('aigw_cache_lookups_total{result="hit",kind="exact"} 1');
  expect(metrics).toMatch(/aigw_cache_hit_similarity_bucket\{le="1",kind="exact"\} 1/);
  expect(metrics).toContain('aigw_cache_saved_usd_total{model="gpt-4o-mini",team="search",key=""} 0.002');
  expect(metrics).toContain(
    'aigw_requests_total{answered_by="aigw-semantic-cache",route="chat.completions",endpoint="chat.completions",client_format="openai",model="gpt-4o-mini",provider="",status="200",error_type="",stream="false",team="search",key=""} 1',
  );
  expect(metrics).toContain(
    'kong_ai_llm_requests_total{ai_provider="",ai_model="gpt-4o-mini",cache_status="Hit",vector_db="redis",embeddings_provider="",embeddings_model="",workspace="default"} 1',
  );
});

test('a semantic candidate the negation guard refuses: a miss, and the veto counted by guard', async () => {
  const cached = { ...entryFor('How do I enable streaming?'), id: 'a'.repeat(32) };
  const { seen, metrics } = await run('How do I not enable streaming?', fakeBackend({ candidates: [{ entry: cached, similarity: 0.97 }] }));
  expect(seen.exit).toBeUndefined();
  expect(seen.headers['x-cache-status']).toBe('Miss');
  expect(metrics).toContain('aigw_cache_guard_vetoes_total{guard="negation"} 1');
});

test('a reworded question above the threshold that every guard accepts is a semantic hit', async () => {
  const cached = { ...entryFor('How can I rotate my key?'), id: 'b'.repeat(32) };
  const { seen, metrics } = await run('How do I rotate my key?', fakeBackend({ candidates: [{ entry: cached, similarity: 0.93 }] }));
  expect(seen.exit?.headers['x-cache-similarity']).toBe('0.9300');
  expect(metrics).toContain('aigw_cache_lookups_total{result="hit",kind="semantic"} 1');
});

test('Redis down: a miss, never an error, counted as failing open at the exact and semantic stages', async () => {
  const { seen, metrics } = await run('How do I rotate a key?', fakeBackend({ failing: true }));
  expect(seen.exit).toBeUndefined();
  expect(seen.headers['x-cache-status']).toBe('Miss');
  expect(metrics).toContain('aigw_fail_open_total{component="aigw-semantic-cache",stage="exact"} 1');
  expect(metrics).toContain('aigw_fail_open_total{component="aigw-semantic-cache",stage="semantic"} 1');
  expect(metrics).toContain('aigw_store_errors_total{component="aigw-semantic-cache",store="redis",operation="cache_get"} 1');
  expect(metrics).toContain('aigw_store_errors_total{component="aigw-semantic-cache",store="redis",operation="cache_search"} 1');
  expect(metrics).not.toContain('aigw_requests_total{'); // a miss is answered by whoever comes next
  expect(seen.warnings.join('\n')).toMatch(/treated as a miss/);
});

test('the embedder down: a miss with an exact-only fill, counted at the embedding stage', async () => {
  const { metrics, fill } = await run('How do I rotate a key?', fakeBackend(), { embed: brokenEmbedder });
  expect(fill).toMatchObject({ pendingDigest: null, embedModel: null });
  expect(metrics).toContain('aigw_fail_open_total{component="aigw-semantic-cache",stage="embedding"} 1');
  expect(metrics).toContain('aigw_store_errors_total{component="aigw-semantic-cache",store="inference",operation="embed"} 1');
});

test('Cache-Control: no-store bypasses, counted as a bypass', async () => {
  const { seen, metrics, fill } = await run('How do I rotate a key?', fakeBackend(), { headers: { 'cache-control': 'no-store' } });
  expect(seen.headers['x-cache-status']).toBe('Bypass');
  expect(fill).toBeUndefined();
  expect(metrics).toContain('aigw_cache_lookups_total{result="bypass",kind="none"} 1');
});

test('X-Aigw-Cache-Ttl shortens how long the answer is kept, and never lengthens it', async () => {
  const shorter = await run('How do I rotate a key?', fakeBackend(), { headers: { 'x-aigw-cache-ttl': '60' } });
  expect(shorter.fill?.ttlSeconds).toBe(60);
  const longer = await run('How do I rotate a key?', fakeBackend(), { headers: { 'x-aigw-cache-ttl': '999999' } });
  expect(longer.fill?.ttlSeconds).toBe(3600);
});

test("a team's cache_mode off bypasses, exact skips the embedding, its TTL replaces the route's (and the request's header still shortens it)", async () => {
  const team = (teamCache: object) => ({ ...IDENTITY, teamCache });
  const off = await run('How do I rotate a key?', fakeBackend(), { identity: team({ mode: 'off', ttlSeconds: null }) });
  expect(off.seen.headers['x-cache-status']).toBe('Bypass');
  expect(off.fill).toBeUndefined();

  let embedded = 0;
  const counting: Embedder = {
    embed: async (...args) => {
      embedded++;
      return embedder.embed(...args);
    },
  };
  const exact = await run('How do I rotate a key?', fakeBackend(), { embed: counting, identity: team({ mode: 'exact', ttlSeconds: 7200 }) });
  expect(embedded).toBe(0);
  expect(exact.fill).toMatchObject({ pendingDigest: null, ttlSeconds: 7200 });
  expect(exact.metrics).toContain('aigw_cache_lookups_total{result="miss",kind="exact"} 1');

  const shortened = await run('How do I rotate a key?', fakeBackend(), {
    identity: team({ mode: 'on', ttlSeconds: 7200 }),
    headers: { 'x-aigw-cache-ttl': '100' },
  });
  expect(shortened.fill?.ttlSeconds).toBe(100);
});

test('without an identity (no key plugin on the route) the headers come from Kong', async () => {
  const registry = new Registry();
  const handler = new SemanticCacheHandler({ ...CONFIG, namespace: 'global' }, fakeBackend(), embedder, null, new CacheMetrics(registry));
  const { kong, seen } = fakeKong('How do I rotate a key?', { 'cache-control': 'no-store' }, null);
  await handler.access(kong);
  expect(seen.headers['x-cache-status']).toBe('Bypass');
});

describe('Responses and Google GenAI requests', () => {
  async function runAt(request: FakeRequest, backend: CacheBackend, identity: Record<string, unknown> = IDENTITY) {
    const handler = new SemanticCacheHandler(CONFIG, backend, embedder, null, new CacheMetrics(new Registry()));
    const { kong, seen } = fakeKong('', {}, { ...identity, cacheHeaders: cacheRequestHeadersOf({}) }, request);
    await handler.access(kong);
    return { seen, fill: (seen.shared[IDENTITY_CTX_KEY] as RequestIdentity).cache };
  }
  const question = 'How do I rotate a key?';
  const googleBody = { contents: [{ role: 'user', parts: [{ text: question }] }] };
  /** The entry as the plugin keys this request (the fake backend matches on the exact hash). */
  const entryAt = (request: FakeRequest, model: string): CacheEntry => {
    const key = keyOf(keyedRequestOf(cacheRouteOf(request.path)!, request.body)!, 'team:t1', model)!;
    return { ...entryFor(question), scopeId: key.scopeId, exactHash: key.exactHash };
  };

  test("a Google miss is filled under the path's model (resolved through the key's aliases), without reading the query", async () => {
    const request = { path: '/v1beta/models/fast:generateContent', body: googleBody };
    const aliased = { ...IDENTITY, model: '', models: { keyModels: [], teamModels: [], aliases: [['fast', 'gpt-4o-mini']] } };
    const { seen, fill } = await runAt(request, fakeBackend(), aliased);
    expect(seen.headers['x-cache-status']).toBe('Miss');
    expect(fill).toMatchObject({ model: 'gpt-4o-mini', scopeId: entryAt(request, 'gpt-4o-mini').scopeId });
    expect(seen.queryReads).toBe(0);
  });

  test('a Google stream hit reads the query once and answers server-sent events; without alt=sse it is left to the relay', async () => {
    const request = { path: '/v1beta/models/gpt-4o-mini:streamGenerateContent', body: googleBody, query: 'alt=sse' };
    const backend = fakeBackend({ exact: entryAt(request, 'gpt-4o-mini') });
    const { seen } = await runAt(request, backend, { ...IDENTITY, model: '' });
    expect(seen.queryReads).toBe(1);
    expect(seen.exit?.headers['x-cache-status']).toBe('Hit');
    expect(seen.exit?.headers['content-type']).toContain('text/event-stream');
    expect(seen.exit?.body).toContain('"text":"Yes."');
    const refused = await runAt({ ...request, query: '' }, backend, { ...IDENTITY, model: '' });
    expect(refused.seen.exit).toBeUndefined();
    expect(refused.seen.headers['x-cache-status']).toBe('Bypass');
  });

  test('a Responses hit is a response object; previous_response_id bypasses, nothing filled', async () => {
    const request = { path: '/v1/responses', body: { model: 'gpt-4o-mini', input: question, store: false } };
    const { seen } = await runAt(request, fakeBackend({ exact: entryAt(request, 'gpt-4o-mini') }));
    expect(JSON.parse(seen.exit!.body)).toMatchObject({ object: 'response', id: 'resp_r1', status: 'completed' });
    expect(seen.queryReads).toBe(0);
    const continued = await runAt(
      { path: '/v1/responses', body: { ...request.body, previous_response_id: 'resp_0' } },
      fakeBackend({ exact: entryAt(request, 'gpt-4o-mini') }),
    );
    expect(continued.seen.exit).toBeUndefined();
    expect(continued.seen.headers['x-cache-status']).toBe('Bypass');
    expect(continued.fill).toBeUndefined();
  });
});
