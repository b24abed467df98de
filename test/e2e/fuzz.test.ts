/**
 * Hostile input through the whole gateway (Kong test ingress, real plugin servers, relay, control
 * API, Redis, PostgreSQL, the mock providers): a few thousand seeded requests over every public
 * route and client format — valid requests for every configured model (OpenAI, Anthropic, Gemini
 * and a failover group), the same with wrong types, nulls, huge numbers, deep nesting and
 * prototype names at random paths, broken JSON, oversized and empty bodies, unknown paths, wrong
 * methods, missing or garbage keys, and junk on every control-API route.
 *
 * Asserted for every request: never a 5xx (the mock answers every valid call, so any 5xx is the
 * gateway's own failure), every error in the shape of the endpoint called (Anthropic's under
 * /v1/messages, Google's under /v1beta, OpenAI's elsewhere) and no request slower than a bound. After the run every
 * process is alive (no plugin server died, relay and control API healthy) and a normal request
 * still works.
 */
import { randomBytes } from 'node:crypto';
import { hash32 } from '../harness/mock-provider/tokenizer';
import { localOnly, REMOTE_RUN } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { anthropicRequest, embeddingsRequest, generateContentRequest, mutate, openAIChatRequest, Rand, responsesRequest } from '../lib/validate/request-fuzz';
import { uniqueName } from './helpers';

const SEED = 'fuzz 2026-12';
const CONCURRENCY = 8;
const SLOWEST_MS = 5000;

let stack: DevStack;
let userKey: string;

beforeAll(async () => {
  // Short answers keep the local run quick; a remote stack's mock answers with its own defaults.
  stack = await startDevStack({ env: {}, ...(REMOTE_RUN ? {} : { mockDefaults: { tokens: 4, ttftMs: 0 } }) });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('fuzz'), tpm_limit: 100_000_000, max_budget: 1000 });
  expect(created.status).toBe(201);
  userKey = created.body.key as string;
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  what: string;
}

const CHAT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-6', 'gemini-3.5-flash', 'smart'];
const EMBEDDING_MODELS = ['text-embedding-3-small', 'gemini-embedding-001'];

function json(headers: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', ...headers };
}

const GENERATORS = { chat: openAIChatRequest, messages: anthropicRequest, count: anthropicRequest, responses: responsesRequest, embeddings: embeddingsRequest };
const LLM_PATHS = {
  chat: '/v1/chat/completions',
  messages: '/v1/messages',
  count: '/v1/messages/count_tokens',
  responses: '/v1/responses',
  embeddings: '/v1/embeddings',
} as const;

/** A generated request body, valid or mutated, with a model the deck serves most of the time. */
function llmCase(r: Rand): Case {
  const kind = r.pick(['chat', 'chat', 'messages', 'messages', 'count', 'responses', 'embeddings', 'google', 'google'] as const);
  if (kind === 'google') return googleCase(r);
  let body = GENERATORS[kind](r);
  // A token count is a Messages request without max_tokens.
  if (kind === 'count') delete body.max_tokens;
  if (r.chance(0.8)) body.model = r.pick(kind === 'embeddings' ? EMBEDDING_MODELS : CHAT_MODELS);
  let what = `valid ${kind}`;
  if (r.chance(0.6)) {
    for (let i = 1 + r.int(3); i > 0; i--) {
      const mutated = mutate(r, body);
      body = mutated.body;
      what = `${kind}: ${mutated.what}`;
    }
  }
  const path = LLM_PATHS[kind];
  const auth: Record<string, string> =
    kind !== 'chat' && kind !== 'embeddings' && r.chance(0.5)
      ? { 'x-api-key': userKey, 'anthropic-version': '2023-06-01' }
      : { authorization: `Bearer ${userKey}` };
  return { method: 'POST', path, headers: json(auth), body: JSON.stringify(body), what };
}

/** A Google GenAI request, valid or mutated, for a model the deck serves most of the time (named in the path, hostile names included). */
function googleCase(r: Rand): Case {
  let body = generateContentRequest(r);
  let what = 'valid generateContent';
  if (r.chance(0.6)) {
    for (let i = 1 + r.int(3); i > 0; i--) {
      const mutated = mutate(r, body);
      body = mutated.body;
      what = `generateContent: ${mutated.what}`;
    }
  }
  const model = r.chance(0.85)
    ? r.pick(CHAT_MODELS)
    : r.pick(['constructor', '__proto__', '%ZZ', '..%2F..%2Fv1%2Fmodels', 'x'.repeat(400), 'gpt-4o-mini%00', 'a:b:c']);
  const method = r.pick(['generateContent', 'streamGenerateContent?alt=sse', 'streamGenerateContent']);
  return { method: 'POST', path: `/v1beta/models/${model}:${method}`, headers: json({ 'x-goog-api-key': userKey }), body: JSON.stringify(body), what };
}

/** Bodies that are not JSON objects, or barely: broken, empty, oversized, wrong bytes. */
function rawBodyCase(r: Rand): Case {
  const path = r.pick(Object.values(LLM_PATHS));
  const bodies: Array<[string, () => string | Buffer]> = [
    ['truncated JSON', () => '{"model":"gpt-4o-mini","messages":[{"role":"us'],
    ['not JSON', () => 'hello there'],
    ['empty', () => ''],
    ['a JSON array', () => '[1,2,3]'],
    ['a JSON string', () => '"model"'],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['BOM then JSON', () => '\ufeff{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'],
    ['100,000 levels deep', () => '['.repeat(100_000) + ']'.repeat(100_000)],
    ['over the body limit', () => `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${'a'.repeat(4_300_000)}"}]}`],
    ['duplicate keys', () => '{"model":"gpt-4o-mini","model":"constructor","messages":[{"role":"user","content":"hi"}]}'],
  ];
  const [what, make] = r.pick(bodies);
  return { method: 'POST', path, headers: json({ authorization: `Bearer ${userKey}` }), body: make(), what: `${path}: ${what}` };
}

/** Unknown paths, wrong methods, missing or garbage credentials. */
function routeCase(r: Rand): Case {
  const paths = [
    '/',
    '/v1',
    '/v1/',
    '/v1/chat',
    '/v1/chat/completions/x',
    '/v1/messages/count',
    '/v1/models',
    '/v1/models/gpt-4o-mini',
    '/v1/models/%ZZ',
    '/v1/models/constructor',
    '/v1/%00',
    '/%E0%A4%A',
    '//v1/chat/completions',
    '/v1/responses',
    '/admin/../v1/models',
    `/v1/${'x'.repeat(2000)}`,
    '/v1beta',
    '/v1beta/models',
    '/v1beta/models/gpt-4o-mini',
    '/v1beta/models/%ZZ',
    '/v1beta/models/constructor:generateContent',
    '/v1beta/models/gpt-4o-mini:countTokens',
    `/v1beta/models/${'x'.repeat(2000)}:generateContent`,
    '/v1beta/models/gpt-4o-mini:generateContent?key=sk-aigw-nope',
  ];
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
  const credentials: Array<Record<string, string>> = [
    { authorization: `Bearer ${userKey}` },
    {},
    { authorization: 'Bearer sk-aigw-nope' },
    { authorization: 'Basic Zm9vOmJhcg==' },
    { 'x-api-key': '' },
    { apikey: 'x'.repeat(5000) },
    { 'x-goog-api-key': userKey },
  ];
  const method = r.pick(methods);
  const path = r.pick(paths);
  return { method, path, headers: json(r.pick(credentials)), body: method === 'GET' || method === 'HEAD' ? undefined : '{}', what: `${method} ${path}` };
}

/** Junk on every control-API route, with the admin key. */
function adminCase(r: Rand): Case {
  const ids = [randomBytes(16).toString('hex'), '00000000-0000-0000-0000-000000000000', '%ZZ', 'constructor', 'x'.repeat(300)];
  const routes: Array<[string, string]> = [
    ['POST', '/admin/keys'],
    ['GET', '/admin/keys'],
    ['GET', `/admin/keys/${r.pick(ids)}`],
    ['PATCH', `/admin/keys/${r.pick(ids)}`],
    ['DELETE', `/admin/keys/${r.pick(ids)}`],
    ['POST', `/admin/keys/${r.pick(ids)}/rotate`],
    ['POST', `/admin/keys/${r.pick(ids)}/revoke`],
    ['POST', '/admin/teams'],
    ['GET', '/admin/teams'],
    ['GET', `/admin/teams/${r.pick(ids)}`],
    ['PATCH', `/admin/teams/${r.pick(ids)}`],
    ['DELETE', `/admin/teams/${r.pick(ids)}`],
    ['GET', '/admin/spend'],
    ['PUT', '/admin/nothing'],
  ];
  const [method, base] = r.pick(routes);
  const queries = [
    '',
    '?limit=0',
    '?offset=1e20',
    '?limit=abc',
    '?from=yesterday',
    '?to=99999-01-01',
    '?team=%ZZ',
    '?group_by=constructor',
    '?limit=1000&offset=9007199254740993',
  ];
  const fields = [
    'max_budget',
    'budget_duration',
    'rpm_limit',
    'models',
    'model_aliases',
    'metadata',
    'team',
    'role',
    'expires_at',
    'duration',
    'name',
    'key_alias',
    'grace_period',
  ];
  const values: unknown[] = [null, -1, 1e308, 9e15, 'x'.repeat(500), '99999999999d', [], {}, { constructor: 'x' }, [null], '1970-01-01', '99999-12-31', true];
  const body: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) body[r.pick(fields)] = r.pick(values);
  if (base.startsWith('/admin/teams') && method === 'POST' && r.chance(0.5)) body.name = `fuzz-${randomBytes(3).toString('hex')}`;
  const path = base + (method === 'GET' ? r.pick(queries) : '');
  const sendBody =
    method === 'GET' || method === 'DELETE' ? undefined : r.chance(0.1) ? '{"deep":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}' : JSON.stringify(body);
  return { method, path, headers: json({ authorization: `Bearer ${stack.adminKey}` }), body: sendBody, what: `admin ${method} ${path}` };
}

interface Result {
  c: Case;
  status: number;
  text: string;
  contentType: string;
  ms: number;
}

async function send(c: Case): Promise<Result> {
  const started = Date.now();
  const res = await fetch(stack.url + c.path, { method: c.method, headers: c.headers, body: c.body, signal: AbortSignal.timeout(30_000) });
  const text = c.method === 'HEAD' ? '' : await res.text();
  return { c, status: res.status, text, contentType: res.headers.get('content-type') ?? '', ms: Date.now() - started };
}

/** What is wrong with one answer, or null. */
function problem(r: Result): string | null {
  if (r.status >= 500) return `status ${r.status}`;
  if (r.ms > SLOWEST_MS) return `took ${r.ms} ms`;
  if (r.status < 400 || r.c.method === 'HEAD') return null;
  let body: unknown;
  try {
    body = JSON.parse(r.text);
  } catch {
    return `error body is not JSON (${r.contentType}): ${r.text.slice(0, 80)}`;
  }
  const anthropic = r.c.path === '/v1/messages' || r.c.path.startsWith('/v1/messages/');
  const b = body as { type?: unknown; error?: Record<string, unknown> };
  if (anthropic) {
    const ok = b.type === 'error' && typeof b.error?.type === 'string' && typeof b.error?.message === 'string';
    return ok ? null : `not Anthropic's error shape: ${r.text.slice(0, 120)}`;
  }
  if (r.c.path === '/v1beta' || r.c.path.startsWith('/v1beta/')) {
    const e = b.error;
    const ok = e !== undefined && e.code === r.status && typeof e.message === 'string' && typeof e.status === 'string' && /^[A-Z_]+$/.test(e.status);
    return ok ? null : `not Google's error shape: ${r.text.slice(0, 120)}`;
  }
  const e = b.error;
  const ok =
    e !== undefined &&
    typeof e.message === 'string' &&
    typeof e.type === 'string' &&
    (e.code === null || typeof e.code === 'string') &&
    (e.param === null || typeof e.param === 'string');
  return ok ? null : `not OpenAI's error shape: ${r.text.slice(0, 120)}`;
}

describe('fuzzing every public route', () => {
  it('answers thousands of hostile requests without a 5xx, in the right error shape, quickly, and stays up', async () => {
    const r = new Rand(hash32(SEED));
    const cases: Case[] = [];
    for (let i = 0; i < 1800; i++) cases.push(llmCase(r));
    for (let i = 0; i < 300; i++) cases.push(rawBodyCase(r));
    for (let i = 0; i < 400; i++) cases.push(routeCase(r));
    for (let i = 0; i < 500; i++) cases.push(adminCase(r));

    const results: Result[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) results.push(await send(cases[next++]));
      }),
    );
    const elapsed = Date.now() - started;

    // One example per kind of problem, so a failure reads as a list of distinct bugs.
    const problems = new Map<string, { count: number; example: string }>();
    for (const res of results) {
      const found = problem(res);
      if (!found) continue;
      const kind = `${res.c.method} ${res.c.path.split('?')[0].replace(/\/[^/]*%[^/]*|\/x{50,}/g, '/…')}: ${found.replace(/:.*/, '')}`;
      const seen = problems.get(kind) ?? { count: 0, example: `${res.c.what} → ${found}`.slice(0, 300) };
      seen.count++;
      problems.set(kind, seen);
    }
    expect(Object.fromEntries(problems)).toEqual({});
    // The generated mix exercises both outcomes: requests served and requests refused.
    const byStatus: Record<number, number> = {};
    for (const res of results) byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    expect(byStatus[200]).toBeGreaterThan(300);
    expect(byStatus[400]).toBeGreaterThan(300);

    // Everything still serves: the relay behind a chat, the control API behind an admin call.
    expect((await stack.admin('GET', '/admin/keys?limit=1')).status).toBe(200);
    const normal = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: json({ authorization: `Bearer ${userKey}` }),
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] }),
    });
    expect(normal.status).toBe(200);
    console.log(`fuzz: ${results.length} requests in ${elapsed} ms, statuses ${JSON.stringify(byStatus)}, slowest ${Math.max(...results.map((x) => x.ms))} ms`);
  }, 180_000);

  localOnly("reads the test double's log and the sidecars' health on Kong's loopback").it(
    'leaves no plugin server crashed and every process healthy',
    async () => {
      const crashed = stack.ingress.logs.filter((e) => e.level === 'crit');
      expect(crashed.map((e) => e.message)).toEqual([]);
      expect((await fetch(`${stack.relay.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${stack.control.url}/healthz`)).status).toBe(200);
    },
  );
});
