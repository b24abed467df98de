/**
 * The relay as it runs in production (the built dist/sidecars/relay.js in its own process) in
 * front of the mock provider, with plans signed here as aigw-proxy would sign them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { UsageRecord } from '../../sidecars/relay/usage';
import { type MockProvider, mockDirective, startMockOpenAI } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { freePort, type RelayProcess, startRelayProcess } from '../harness/stack/sidecar-process';
import { waitFor } from '../harness/wait-for';
import { readSse, requestId, signedHeaders, target } from './helpers';

const local = localOnly('drives a relay process of its own: the relay alone, not the gateway');

const secret = 's'.repeat(48);
const mockKey = 'sk-mock-relay-test-0123456789';
let mock: MockProvider;
let relay: RelayProcess;
let dir: string;

function usageRecords(): UsageRecord[] {
  try {
    return readFileSync(join(dir, 'usage.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as UsageRecord);
  } catch {
    return [];
  }
}

const recordFor = (id: string) => waitFor(() => usageRecords().find((r) => r.requestId === id));

function chatBody(extra: Record<string, unknown> = {}, directive = ''): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Hello there ${directive}` }], ...extra });
}

async function post(body: string, headers: Record<string, string>, path = '/v1/chat/completions'): Promise<Response> {
  return fetch(relay.url + path, { method: 'POST', body, headers });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-test-'));
  mock = await startMockOpenAI({ apiKey: mockKey });
  relay = await startRelayProcess({ AIGW_PLAN_SECRET: secret, RELAY_USAGE_LOG: join(dir, 'usage.jsonl'), MOCK_API_KEY: mockKey });
});

afterAll(async () => {
  await relay?.close();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => mock.reset());

local.describe('the relay refuses anything without a valid signed plan', () => {
  it('answers 401 in the OpenAI error shape when no plan is present', async () => {
    const res = await post(chatBody(), { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: 'invalid_route_plan', type: 'authentication_error' });
    expect(mock.requests).toHaveLength(0);
  });

  it('makes the official openai client raise AuthenticationError', async () => {
    const client = new OpenAI({ baseURL: relay.url + '/v1', apiKey: 'sk-whatever', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
  });

  it.each([
    ['a plan signed with another secret', (body: string) => signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), 'x'.repeat(48))],
    ['a plan made for another body', (body: string) => signedHeaders(body + ' ', target(mock.baseUrl, 'MOCK_API_KEY'), secret)],
    [
      'a plan presented under another request id',
      (body: string) => ({ ...signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret), 'x-kong-request-id': requestId() }),
    ],
  ])('rejects %s', async (_name, headersFor) => {
    const body = chatBody();
    const res = await post(body, headersFor(body));
    expect(res.status).toBe(401);
    expect(mock.requests).toHaveLength(0);
  });
});

local.describe('the relay validates the client request itself, whatever the plan vouches for', () => {
  it.each([
    [
      'a wrong-typed tool_calls for a translated target',
      JSON.stringify({
        model: 'm',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: null, tool_calls: true },
        ],
      }),
    ],
    ['JSON nested 10,000 deep', `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
  ])('answers 400, not 500, for %s', async (_name, body) => {
    const anthropic = { ...target(mock.baseUrl, 'MOCK_API_KEY'), provider: 'anthropic' as const, model: 'claude-sonnet-4-6' };
    const res = await post(body, signedHeaders(body, anthropic, secret));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    expect(mock.requests).toHaveLength(0);
  });
});

local.describe('a captured plan cannot be replayed', () => {
  it('accepts a signed plan once: the same headers and body again get 401 and never reach the provider', async () => {
    const body = chatBody();
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret);
    const first = await post(body, headers);
    expect(first.status).toBe(200);
    await first.text();
    const replays = await Promise.all([post(body, headers), post(body, headers)]);
    for (const replay of replays) {
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('invalid_route_plan');
    }
    expect(mock.requests).toHaveLength(1);
  });
});

local.describe('relaying to an OpenAI-compatible provider', () => {
  it('answers a non-streamed completion, with the provider model, the relay key and a usage record', async () => {
    const body = chatBody({}, mockDirective({ tokens: 7 }));
    const headers: Record<string, string> = {
      ...signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret),
      authorization: 'Bearer sk-client-virtual-key',
    };
    const res = await post(body, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o-mini-2024-07-18');
    // The provider's own limits come back renamed; x-ratelimit-* belong to the gateway's key limits.
    expect(res.headers.get('x-upstream-x-ratelimit-limit-requests')).toMatch(/^\d+$/);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBeNull();
    const completion = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(completion.usage.completion_tokens).toBe(7);

    const upstream = mock.requests[0];
    expect(upstream.headers.authorization).toBe(`Bearer ${mockKey}`);
    expect((upstream.body as { model: string }).model).toBe('gpt-4o-mini-2024-07-18');
    for (const name of Object.keys(upstream.headers)) expect(name).not.toMatch(/^x-aigw-plan|^x-kong/);

    const record = await recordFor(headers['x-kong-request-id']);
    expect(record).toMatchObject({ outcome: 'ok', status: 200, stream: false, model: 'gpt-4o-mini', provider: 'openai' });
    expect(record.usage).toMatchObject({ promptTokens: completion.usage.prompt_tokens, completionTokens: 7 });
  });

  it('streams, asks the provider for usage, records it, and hides the usage chunk the client did not ask for', async () => {
    const body = chatBody({ stream: true }, mockDirective({ tokens: 5 }));
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret);
    const res = await post(body, headers);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { choices: unknown[] });
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect((mock.requests[0].body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    const record = await recordFor(headers['x-kong-request-id']);
    expect(record).toMatchObject({ outcome: 'ok', stream: true });
    expect(record.usage?.completionTokens).toBe(5);
  });

  it('passes the usage chunk through when the client asked for it, with cached tokens', async () => {
    const body = chatBody({ stream: true, stream_options: { include_usage: true } }, mockDirective({ tokens: 4, cachedTokens: 2 }));
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret);
    const events = await readSse(await post(body, headers));
    const usageChunk = JSON.parse(events.at(-2)!.data) as {
      choices: unknown[];
      usage: { completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    };
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.completion_tokens).toBe(4);
    expect(usageChunk.usage.prompt_tokens_details.cached_tokens).toBe(2);
    expect((await recordFor(headers['x-kong-request-id'])).usage?.cachedTokens).toBe(2);
  });

  it('relays embeddings', async () => {
    const body = JSON.stringify({ model: 'text-embedding-3-small', input: ['one', 'two'] });
    const res = await post(
      body,
      signedHeaders(body, { ...target(mock.baseUrl, 'MOCK_API_KEY'), model: 'text-embedding-3-small' }, secret, 'embeddings'),
      '/v1/embeddings',
    );
    expect(res.status).toBe(200);
    const json = (await res.json()) as { data: Array<{ embedding: number[] }> };
    expect(json.data).toHaveLength(2);
  });

  it('refuses a plan for one endpoint used on another', async () => {
    const body = chatBody();
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret, 'embeddings'));
    expect(res.status).toBe(400);
  });
});

const NO_RETRY = { maxRetries: 0, failoverOnContextWindow: false };

local.describe('upstream failures in the OpenAI error shape (retries off)', () => {
  it('passes a 429 on with Retry-After and the provider message', async () => {
    const body = chatBody({}, mockDirective({ status: 429, retryAfterSeconds: 7 }));
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret, 'chat.completions', requestId(), NO_RETRY));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    const error = ((await res.json()) as { error: { message: string } }).error;
    expect(error.message).toMatch(/rate limit/i);
  });

  it('turns a provider 500 into 502 keeping its message', async () => {
    const body = chatBody({}, mockDirective({ status: 500 }));
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret, 'chat.completions', requestId(), NO_RETRY));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_error');
  });

  it('answers 504 when the provider does not answer within the first-byte timeout', async () => {
    const body = chatBody({}, mockDirective({ hang: true }));
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY', { firstByteMs: 300 }), secret, 'chat.completions', requestId(), NO_RETRY);
    const res = await post(body, headers);
    expect(res.status).toBe(504);
    expect((await recordFor(headers['x-kong-request-id'])).outcome).toBe('timeout');
  });

  it('answers 502 when the provider cannot be reached', async () => {
    const closedPort = await freePort();
    const body = chatBody();
    const res = await post(
      body,
      signedHeaders(body, target(`http://127.0.0.1:${closedPort}/v1`, 'MOCK_API_KEY'), secret, 'chat.completions', requestId(), NO_RETRY),
    );
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
  });

  it('ends a stream cut mid-answer with an explicit error event, never a clean end', async () => {
    const body = chatBody({ stream: true }, mockDirective({ tokens: 20, cutAfterTokens: 3 }));
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret);
    const events = await readSse(await post(body, headers));
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
    const last = JSON.parse(events.at(-1)!.data) as { error?: { code: string } };
    expect(last.error?.code).toBe('upstream_stream_interrupted');
    expect((await recordFor(headers['x-kong-request-id'])).outcome).toBe('stream_interrupted');
  });

  it('makes the openai client raise on a cut stream instead of returning a truncated answer', async () => {
    const body = chatBody({ stream: true }, mockDirective({ tokens: 20, cutAfterTokens: 3 }));
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret);
    const client = new OpenAI({ baseURL: relay.url + '/v1', apiKey: 'unused', maxRetries: 0, defaultHeaders: headers });
    const stream = await client.chat.completions.create(JSON.parse(body) as OpenAI.ChatCompletionCreateParamsStreaming);
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) void chunk;
    };
    await expect(consume()).rejects.toThrow(/stream failed mid-answer|ended before/);
  });
});

local.describe('retries and failover', () => {
  const chatFor = (directive = '') => chatBody({}, directive);

  it('retries a 500 and answers the client as if nothing happened', async () => {
    mock.enqueue({ status: 500 });
    const body = chatFor();
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret));
    expect(res.status).toBe(200);
    expect(mock.requests).toHaveLength(2);
  });

  it('honours Retry-After on a 429 before retrying', async () => {
    mock.enqueue({ status: 429, retryAfterSeconds: 1 });
    const body = chatFor();
    const started = Date.now();
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(mock.requests).toHaveLength(2);
  });

  it('never retries a caller error', async () => {
    mock.enqueue({ status: 400 });
    const body = chatFor();
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret));
    expect(res.status).toBe(400);
    expect(mock.requests).toHaveLength(1);
  });

  it('fails over to the next target when one cannot be reached, after its retries', async () => {
    const closedPort = await freePort();
    const body = chatFor(mockDirective({ tokens: 4 }));
    const headers = signedHeaders(body, [target(`http://127.0.0.1:${closedPort}/v1`, 'MOCK_API_KEY'), target(mock.baseUrl, 'MOCK_API_KEY')], secret);
    const res = await post(body, headers);
    expect(res.status).toBe(200);
    expect(mock.requests).toHaveLength(1);
    expect((await recordFor(headers['x-kong-request-id'])).outcome).toBe('ok');
  });

  it('fails over on a context-window overflow without retrying the same target', async () => {
    mock.enqueue({
      status: 400,
      errorBody: {
        error: {
          message: "This model's maximum context length is 8192 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      },
    });
    const body = chatFor();
    const small = { ...target(mock.baseUrl, 'MOCK_API_KEY'), model: 'small-context-model' };
    const large = { ...target(mock.baseUrl, 'MOCK_API_KEY'), model: 'large-context-model' };
    const res = await post(body, signedHeaders(body, [small, large], secret));
    expect(res.status).toBe(200);
    expect(mock.requests.map((r) => (r.body as { model: string }).model)).toEqual(['small-context-model', 'large-context-model']);
  });

  it('retries a stream cut before the first token invisibly', async () => {
    mock.enqueue({ cutAfterTokens: 0 });
    // No directive: the mock's queue only applies when the prompt carries none.
    const body = chatBody({ stream: true });
    const events = await readSse(await post(body, signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret)));
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(events.some((e) => e.data.includes('"error"'))).toBe(false);
    expect(mock.requests).toHaveLength(2);
  });
});

local.describe('metrics', () => {
  it('exposes request, token and latency series that follow the usage records', async () => {
    const body = chatBody({}, mockDirective({ tokens: 11 }));
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret);
    expect((await post(body, headers)).status).toBe(200);
    await recordFor(headers['x-kong-request-id']);
    const text = await (await fetch(relay.url + '/metrics')).text();
    expect(text).toMatch(/aigw_relay_requests_total\{[^}]*model="gpt-4o-mini"[^}]*outcome="ok"[^}]*\} \d+/);
    expect(text).toMatch(/aigw_relay_tokens_total\{model="gpt-4o-mini",provider="openai",team="[^"]*",key="",type="completion"\} \d+/);
    expect(text).toMatch(/aigw_relay_requests_total\{[^}]*outcome="upstream_unreachable"[^}]*\} [1-9]/);
    expect(text).toContain('aigw_relay_first_byte_seconds_bucket');
    expect(text).toMatch(/aigw_relay_cost_usd_total\{model="gpt-4o-mini",provider="openai",team="[^"]*",key=""\} [0-9.e-]+/);
    expect(text).toContain('process_resident_memory_bytes');
  });
});

local.describe('usage the provider did not report', () => {
  it('counts it with the tokenizer, marks it estimated, bills it and still sends the usage chunk', async () => {
    const body = chatBody({ stream: true, stream_options: { include_usage: true } }, mockDirective({ tokens: 12, omitUsage: true }));
    const headers = signedHeaders(body, target(mock.baseUrl, 'MOCK_API_KEY'), secret);
    const events = await readSse(await post(body, headers));
    expect(events.at(-1)?.data).toBe('[DONE]');
    const usageChunk = JSON.parse(events.at(-2)!.data) as {
      choices: unknown[];
      usage: { completion_tokens: number; prompt_tokens: number; estimated?: boolean; cost: number };
    };
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.estimated).toBe(true);
    expect(usageChunk.usage.completion_tokens).toBeGreaterThan(0);
    expect(usageChunk.usage.prompt_tokens).toBeGreaterThan(0);
    expect(usageChunk.usage.cost).toBeGreaterThan(0);
    const record = await recordFor(headers['x-kong-request-id']);
    expect(record.usage).toMatchObject({ estimated: true, completionTokens: usageChunk.usage.completion_tokens });
    const metrics = await (await fetch(relay.url + '/metrics')).text();
    expect(metrics).toMatch(/aigw_relay_usage_missing_total\{model="gpt-4o-mini",provider="openai"\} [1-9]/);
  });
});

local.describe('unknown prices', () => {
  it('records the cost of a model without a price as unknown, never 0, and counts it', async () => {
    const body = chatBody({}, mockDirective({ tokens: 3 }));
    const headers = signedHeaders(body, { ...target(mock.baseUrl, 'MOCK_API_KEY'), pricing: null }, secret);
    const res = await post(body, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-cost')).toBeNull();
    expect((await recordFor(headers['x-kong-request-id'])).costNano).toBeNull();
    const text = await (await fetch(relay.url + '/metrics')).text();
    expect(text).toMatch(/aigw_relay_cost_unknown_total\{model="gpt-4o-mini",provider="openai"\} [1-9]/);
    // The price catalogue's age, so operators can alert on stale prices.
    expect(text).toMatch(/aigw_price_catalogue_age_days\{version="\d{4}-\d{2}-\d{2}"\} \d+/);
  });
});

local.describe('credentials stay in the relay', () => {
  it('never lets a plan name the relay’s own secret as a provider key', async () => {
    const body = chatBody();
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'AIGW_PLAN_SECRET'), secret));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_credential_missing');
    expect(mock.requests).toHaveLength(0);
  });

  it('answers 502 when the named key is not set', async () => {
    const body = chatBody();
    const res = await post(body, signedHeaders(body, target(mock.baseUrl, 'MISSING_PROVIDER_API_KEY'), secret));
    expect(res.status).toBe(502);
    expect(mock.requests).toHaveLength(0);
  });

  it('never writes the provider key or the prompt to its log', () => {
    expect(relay.output()).not.toContain(mockKey);
    expect(relay.output()).not.toContain('Hello there');
  });
});

local.describe('oversized bodies', () => {
  it('answers 413 in the OpenAI error shape instead of dropping the connection', async () => {
    const small = await startRelayProcess({ AIGW_PLAN_SECRET: secret, RELAY_MAX_BODY_BYTES: '1024' });
    try {
      const res = await fetch(`${small.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(200_000),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    } finally {
      await small.close();
    }
  });
});
