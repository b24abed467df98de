/**
 * The relay core in one process: the relay's own HTTP server (startRelay, port 0) in front of a
 * scripted upstream (node:http, port 0). No child processes, no Redis: fast enough to run on
 * every change, and it pins what the client sees on the wire for each step of an attempt.
 */
import type { PlanRetry, PlanTarget, ProviderType } from '../../../lib/plan';
import { SseParser } from '../../../lib/sse';
import { estimatePromptTokens } from '../../../lib/tokens';
import { RelayMetrics } from '../../../sidecars/relay/metrics';
import type { Relay } from '../../../sidecars/relay/server';
import { upstreamHeaders } from '../../../sidecars/relay/upstream-headers';
import { requestId, signedHeaders } from '../../e2e/helpers';
import { countAnthropicInputTokens, countGeminiPromptTokens, type MockProvider, startMockAnthropic, startMockGemini } from '../../harness/mock-provider';
import * as anthropicWire from '../../harness/mock-provider/anthropic';
import type { MemoryUsageSink } from './memory-usage-sink';
import { json, UPSTREAM_KEY as KEY, PLAN_SECRET, rawSse, type Script, sse, startTestRelay, type TestRelay, Upstream } from './relay-harness';

const completion = (content: string, usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }) => ({
  id: 'chatcmpl-up',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage,
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-up',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
const usageChunk = JSON.stringify({
  id: 'chatcmpl-up',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'gpt-4o-mini',
  choices: [],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
});

function target(provider: ProviderType, baseUrl: string, overrides: Partial<PlanTarget> = {}): PlanTarget {
  return {
    provider,
    baseUrl,
    model: provider === 'anthropic' ? 'claude-sonnet-4-5' : provider === 'gemini' ? 'gemini-2.5-flash' : 'gpt-4o-mini',
    credential: 'UPSTREAM_API_KEY',
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 },
    pricing: { input: 1, output: 2 },
    ...overrides,
  };
}

let upstream: Upstream;
let testRelay: TestRelay;
let relay: Relay;
let usage: MemoryUsageSink;
let metrics: RelayMetrics;

beforeAll(async () => {
  upstream = await Upstream.start();
  testRelay = await startTestRelay();
  ({ relay, usage, metrics } = testRelay);
});

afterAll(async () => {
  await testRelay.close();
  await upstream.close();
});

const OPENAI_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
const ANTHROPIC_BODY = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] });
const NO_RETRY: PlanRetry = { maxRetries: 0 };

const send: TestRelay['send'] = (...args) => testRelay.send(...args);

async function events(res: Response): Promise<Array<{ event?: string; data?: string }>> {
  const parser = new SseParser();
  const out = parser.push(new Uint8Array(await res.arrayBuffer()));
  return out.map((e) => ({ event: e.event, data: e.data }));
}

const recordOf = (id: string) => usage.records.find((r) => r.requestId === id);

describe('the edge: refusals before any attempt, in the client’s format', () => {
  it('401 without a plan, in OpenAI’s shape and, on /v1/messages, in Anthropic’s', async () => {
    const openai = await fetch(relay.url + '/v1/chat/completions', { method: 'POST', body: OPENAI_BODY, headers: { 'content-type': 'application/json' } });
    expect(openai.status).toBe(401);
    expect(((await openai.json()) as { error: Record<string, unknown> }).error).toMatchObject({
      type: 'authentication_error',
      code: 'invalid_route_plan',
      param: null,
    });
    const anthropic = await fetch(relay.url + '/v1/messages', { method: 'POST', body: ANTHROPIC_BODY, headers: { 'content-type': 'application/json' } });
    expect(anthropic.status).toBe(401);
    const body = (await anthropic.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(body.error.message).toMatch(/^Unauthorized: missing signed route plan/);
  });

  it('405 with Allow for other methods, and 413 past the body limit', async () => {
    const get = await fetch(relay.url + '/v1/chat/completions');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    const big = await fetch(relay.url + '/v1/chat/completions', {
      method: 'POST',
      body: 'x'.repeat(70 * 1024),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: Record<string, unknown> }).error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
  });

  it('a plan used on another endpoint is a 400 and never reaches the provider', async () => {
    upstream.script(json(200, completion('no')));
    const headers = signedHeaders(OPENAI_BODY, target('openai', upstream.url), PLAN_SECRET, 'embeddings');
    const res = await fetch(relay.url + '/v1/chat/completions', { method: 'POST', body: OPENAI_BODY, headers });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_plan_mismatch');
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('build → send → answer, OpenAI client to an OpenAI-compatible provider (pass-through)', () => {
  it('passes the body byte for byte, renames the provider’s rate-limit headers and records usage', async () => {
    const answer = JSON.stringify(completion('Hi there'));
    upstream.script(json(200, answer, { 'x-ratelimit-limit-requests': '500', 'x-request-id': 'up-1' }));
    const id = requestId();
    const res = await send(OPENAI_BODY, target('openai', upstream.url), { id });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(answer);
    expect(res.headers.get('x-upstream-x-ratelimit-limit-requests')).toBe('500');
    expect(res.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect(res.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o-mini');
    expect(res.headers.get('x-gateway-cost')).toMatch(/^\d/);
    expect(upstream.seen[0].url).toBe('/chat/completions');
    expect(upstream.seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(upstream.seen[0].body).toBe(OPENAI_BODY);
    expect(recordOf(id)).toMatchObject({ status: 200, outcome: 'ok', provider: 'openai', usage: { promptTokens: 5, completionTokens: 2 } });
  });

  it('streams, asks for usage and hides the usage chunk the client did not ask for', async () => {
    upstream.script(sse([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, 'stop'), usageChunk, '[DONE]']));
    const id = requestId();
    const res = await send(
      JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hello' }] }),
      target('openai', upstream.url),
      { id },
    );
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = (await events(res)).map((e) => e.data);
    expect(data).toEqual([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, 'stop'), '[DONE]']);
    expect(JSON.parse(upstream.seen[0].body)).toMatchObject({ stream_options: { include_usage: true } });
    expect(recordOf(id)).toMatchObject({ outcome: 'ok', stream: true, usage: { completionTokens: 2 } });
  });

  it('relays embeddings byte for byte', async () => {
    const answer = JSON.stringify({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.5] }],
      model: 'e',
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
    upstream.script(json(200, answer));
    const body = JSON.stringify({ model: 'e', input: 'hi' });
    const res = await send(body, target('openai', upstream.url, { model: 'e' }), { path: '/v1/embeddings' });
    expect(await res.text()).toBe(answer);
    expect(upstream.seen[0].url).toBe('/embeddings');
  });
});

describe('native pass-through: /v1/messages on an Anthropic target', () => {
  /** Fields and blocks the relay's translators do not know: they must reach the provider and come back as they are. */
  const NATIVE_BODY = JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } } },
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hello' },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The sky is blue.' }, citations: { enabled: true } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Let me see.', signature: 'c2lnbmF0dXJl' },
          { type: 'text', text: 'Hi' },
        ],
      },
      { role: 'user', content: 'Again' },
    ],
  });
  const ANSWER = JSON.stringify({
    id: 'msg_native',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'thinking', thinking: 'Hmm.', signature: 'RXNpZ24=' },
      { type: 'text', text: '{"a":"b"}', citations: [{ type: 'char_location', cited_text: 'x', document_index: 0, start_char_index: 0, end_char_index: 1 }] },
      { type: 'future_block', payload: { y: 2 } },
    ],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 11, cache_creation_input_tokens: 0, cache_read_input_tokens: 3, output_tokens: 7, service_tier: 'standard' },
  });

  it('the request and the answer pass byte for byte; anthropic-beta is forwarded, the client’s credentials are not; usage is read and billed', async () => {
    upstream.script(json(200, ANSWER));
    const id = requestId();
    const res = await send(NATIVE_BODY, target('anthropic', upstream.url), {
      path: '/v1/messages',
      id,
      headers: { 'anthropic-beta': 'context-management-2025-06-27', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-aigw-client-key' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(ANSWER);
    expect(res.headers.get('x-gateway-cost')).toMatch(/^\d+\.\d+$/);
    const seen = upstream.seen[0];
    expect(seen.body).toBe(NATIVE_BODY);
    expect(seen.headers).toMatchObject({ 'anthropic-beta': 'context-management-2025-06-27', 'anthropic-version': '2023-06-01', 'x-api-key': KEY });
    expect(recordOf(id)?.usage).toMatchObject({ promptTokens: 14, completionTokens: 7, cachedTokens: 3 });
  });

  it('what the translation cannot say (a server tool) still goes to an Anthropic target as sent; a translated target refuses it', async () => {
    upstream.script(json(200, ANSWER));
    const body = JSON.stringify({ ...JSON.parse(NATIVE_BODY), tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }] });
    const res = await send(body, target('anthropic', upstream.url), { path: '/v1/messages' });
    expect(res.status).toBe(200);
    expect(upstream.seen[0].body).toBe(body);
    const refused = await send(body, target('openai', upstream.url), { path: '/v1/messages' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/server tool 'web_search_20250305'/);
    expect(upstream.seen).toHaveLength(1);
  });

  it('a model name that differs from the target’s is the only change to the body', async () => {
    upstream.script(json(200, ANSWER));
    const body = JSON.stringify({ ...JSON.parse(NATIVE_BODY), model: 'smart' });
    await send(body, target('anthropic', upstream.url), { path: '/v1/messages' });
    expect(JSON.parse(upstream.seen[0].body)).toEqual({ ...JSON.parse(NATIVE_BODY), model: 'claude-sonnet-4-5' });
  });

  const STREAM = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":21,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Think."}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"U2lnbmVk"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    'event: future_event\ndata: {"type":"future_event","anything":true}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\":\\"x\\"}"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ];
  const anthropicSse = rawSse;

  it('a stream reaches the client event for event (signature_delta and unknown events included), billed from message_start and message_delta once; message_delta alone gains the cost', async () => {
    upstream.script(anthropicSse(STREAM));
    const id = requestId();
    const body = JSON.stringify({ ...JSON.parse(NATIVE_BODY), stream: true });
    const res = await send(body, target('anthropic', upstream.url), { path: '/v1/messages', id });
    expect(res.status).toBe(200);
    const cost = Number(res.headers.get('x-gateway-cost') ?? 'NaN');
    const withCost = STREAM.map((e) =>
      e.startsWith('event: message_delta') ? e.replace('"output_tokens":9}', `"output_tokens":9,"cost":${(recordOf(id)?.costNano ?? Number.NaN) / 1e9}}`) : e,
    );
    expect(await res.text()).toBe(withCost.join(''));
    expect(Number.isNaN(cost)).toBe(true); // a stream's cost travels in its final usage, not in a header sent before it
    expect(upstream.seen[0].body).toBe(body);
    expect(recordOf(id)?.usage).toMatchObject({ promptTokens: 21, completionTokens: 9 });
    expect(recordOf(id)?.usage?.estimated).toBeFalsy();
  });

  it('an error before any content fails over to the next target, translated for it', async () => {
    upstream.script(
      anthropicSse([STREAM[0]!, 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"boom"}}\n\n']),
      json(200, completion('From OpenAI')),
    );
    const res = await send(NATIVE_BODY, [target('anthropic', upstream.url), target('openai', upstream.url)], { path: '/v1/messages', retry: NO_RETRY });
    // The first attempt was not streamed by the client: the error event is a failed JSON read, then OpenAI answers.
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'From OpenAI' }] });
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/messages', '/chat/completions']);
  });
});

describe('Google GenAI clients (/v1beta/models/{model}:generateContent)', () => {
  const GENERATE = '/v1beta/models/smart:generateContent';
  const STREAM = '/v1beta/models/smart:streamGenerateContent?alt=sse';
  /** What only Gemini can serve and the translation cannot say: Google Search, a thought signature, safety settings. */
  const NATIVE_BODY = JSON.stringify({
    contents: [
      { role: 'user', parts: [{ text: 'Who won?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'score', args: { game: 'x' } }, thoughtSignature: 'c2lnbmVk' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'score', response: { result: '2-1' } } }] },
    ],
    tools: [{ googleSearch: {} }, { functionDeclarations: [{ name: 'score' }] }],
    safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 }, futureSetting: 1 },
  });
  const GEMINI_ANSWER = JSON.stringify({
    candidates: [
      {
        content: { parts: [{ text: 'Home', thoughtSignature: 'YWJj' }], role: 'model' },
        finishReason: 'STOP',
        index: 0,
        groundingMetadata: { webSearchQueries: ['x'] },
      },
    ],
    usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 3, totalTokenCount: 20, thoughtsTokenCount: 5 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'abc',
  });
  const geminiSse =
    (events: string[]): Script =>
    (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of events) res.write(`data: ${e}\r\n\r\n`);
      res.end();
    };
  const STREAMED = [
    '{"candidates": [{"content": {"parts": [{"text": "Ho"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 12,"totalTokenCount": 12},"modelVersion": "gemini-2.5-flash","responseId": "s1"}',
    '{"candidates": [{"content": {"parts": [{"text": "me"}],"role": "model"},"finishReason": "STOP","index": 0,"groundingMetadata": {}}],"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": 2,"totalTokenCount": 14},"modelVersion": "gemini-2.5-flash","responseId": "s1"}',
  ];

  it('on a Gemini target the request goes as sent and the answer comes back byte for byte, read for usage and billed', async () => {
    upstream.script(json(200, GEMINI_ANSWER));
    const id = requestId();
    const res = await send(NATIVE_BODY, target('gemini', upstream.url), { path: GENERATE, id, headers: { 'x-goog-api-key': 'sk-aigw-client-key' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(GEMINI_ANSWER);
    expect(res.headers.get('x-gateway-cost')).toMatch(/^\d+\.\d+$/);
    const seen = upstream.seen[0];
    expect(seen.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen.body).toBe(NATIVE_BODY);
    expect(seen.headers['x-goog-api-key']).toBe(KEY);
    expect(recordOf(id)).toMatchObject({ endpoint: 'generateContent', stream: false, usage: { promptTokens: 12, completionTokens: 8, reasoningTokens: 5 } });
  });

  it('a stream reaches the client event for event; it ends at the end of input, complete, billed once', async () => {
    upstream.script(geminiSse(STREAMED));
    const id = requestId();
    const res = await send(NATIVE_BODY, target('gemini', upstream.url), { path: STREAM, id });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(STREAMED.map((e) => `data: ${e}\r\n\r\n`).join(''));
    expect(upstream.seen[0].url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(recordOf(id)).toMatchObject({ outcome: 'ok', stream: true, usage: { promptTokens: 12, completionTokens: 2 } });
  });

  it('a stream cut before its finishReason is not taken for a complete one', async () => {
    upstream.script(geminiSse([STREAMED[0]!]));
    const id = requestId();
    const res = await send(NATIVE_BODY, target('gemini', upstream.url), { path: STREAM, id, retry: NO_RETRY });
    const text = await res.text();
    expect(text.startsWith(`data: ${STREAMED[0]}\r\n\r\n`)).toBe(true);
    expect(text).toMatch(/"status":"UNAVAILABLE"/);
    expect(recordOf(id)?.outcome).toBe('stream_interrupted');
  });

  it('streamGenerateContent without alt=sse is a 400 in Google’s shape, never sent upstream', async () => {
    upstream.script(json(200, GEMINI_ANSWER));
    const res = await send(NATIVE_BODY, target('gemini', upstream.url), { path: '/v1beta/models/smart:streamGenerateContent' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'ALT_SSE_REQUIRED' }] } });
    expect(upstream.seen).toHaveLength(0);
  });

  it('on an OpenAI target it is translated both ways, topK left out upstream', async () => {
    upstream.script(json(200, completion('Bonjour')));
    const body = JSON.stringify({ contents: [{ parts: [{ text: 'Hello' }] }], generationConfig: { topK: 3, maxOutputTokens: 20 } });
    const res = await send(body, target('openai', upstream.url), { path: GENERATE });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      candidates: [{ content: { parts: [{ text: 'Bonjour' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
      modelVersion: 'gpt-4o-mini',
      responseId: expect.any(String),
    });
    const sent = JSON.parse(upstream.seen[0].body) as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 20, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }] });
    expect(sent.top_k).toBeUndefined();
  });

  it('what only Gemini can serve is refused, in Google’s shape, for a plan with a translated target (whichever target would answer), and served by a plan of Gemini targets', async () => {
    upstream.script(json(200, completion('no')));
    const refused = await send(NATIVE_BODY, target('openai', upstream.url), { path: GENERATE });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'UNSUPPORTED_FOR_PROVIDER', metadata: { param: 'tools[0].googleSearch' } }] },
    });
    expect(upstream.seen).toHaveLength(0);
    const mixed = await send(NATIVE_BODY, [target('gemini', upstream.url), target('openai', upstream.url)], { path: GENERATE });
    expect(mixed.status).toBe(400);
    expect(upstream.seen).toHaveLength(0);
    upstream.script(json(200, GEMINI_ANSWER));
    const served = await send(NATIVE_BODY, [target('gemini', upstream.url), target('gemini', upstream.url)], { path: GENERATE });
    expect(served.status).toBe(200);
  });

  it('a Gemini failure before any content fails over to an OpenAI target, translated for it, streamed as Gemini events', async () => {
    upstream.script(
      json(503, { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
      sse([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, 'stop'), usageChunk, '[DONE]']),
    );
    const body = JSON.stringify({ contents: [{ parts: [{ text: 'Hello' }] }] });
    const res = await send(body, [target('gemini', upstream.url), target('openai', upstream.url)], { path: STREAM, retry: NO_RETRY });
    expect(res.status).toBe(200);
    const data = (await events(res)).map((e) => JSON.parse(e.data ?? '{}') as Record<string, unknown>);
    expect(data).toEqual([
      { candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }], modelVersion: 'gpt-4o-mini', responseId: expect.any(String) },
      {
        candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7, cost: expect.any(Number) },
        modelVersion: 'gpt-4o-mini',
        responseId: expect.any(String),
      },
    ]);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', '/chat/completions']);
  });

  it('the provider’s error, when nothing else works, in Google’s shape with Gemini’s own status kept', async () => {
    upstream.script(json(400, { error: { code: 400, message: 'Bad schema.', status: 'INVALID_ARGUMENT' } }));
    const res = await send(NATIVE_BODY, target('gemini', upstream.url), { path: GENERATE });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 400, message: 'Bad schema.', status: 'INVALID_ARGUMENT' } });
  });
});

describe('translated attempts', () => {
  it('an OpenAI client on an Anthropic target gets an OpenAI completion', async () => {
    upstream.script(
      json(
        200,
        {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [{ type: 'text', text: 'Bonjour' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 4, output_tokens: 3 },
        },
        { 'anthropic-ratelimit-requests-remaining': '9', 'request-id': 'req_1' },
      ),
    );
    const res = await send(OPENAI_BODY, target('anthropic', upstream.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream-anthropic-ratelimit-requests-remaining')).toBe('9');
    // Until the headers were renamed in one place, Anthropic's request id reached the client on errors only.
    expect(res.headers.get('x-upstream-request-id')).toBe('req_1');
    const body = (await res.json()) as { object: string; choices: Array<{ message: { content: string } }>; usage: { completion_tokens: number } };
    expect(body).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'Bonjour' } }], usage: { completion_tokens: 3 } });
    expect(upstream.seen[0].url).toBe('/v1/messages');
    expect(upstream.seen[0].headers['x-api-key']).toBe(KEY);
  });

  it('an Anthropic client on an OpenAI target gets an Anthropic message, without Anthropic-only fields upstream', async () => {
    upstream.script(json(200, completion('Hello back')));
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, top_k: 3, messages: [{ role: 'user', content: 'Hello' }] });
    const res = await send(body, target('openai', upstream.url), { path: '/v1/messages' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hello back' }], stop_reason: 'end_turn' });
    expect(JSON.parse(upstream.seen[0].body).top_k).toBeUndefined();
    expect(await metrics.registry.metrics()).toMatch(/aigw_relay_dropped_features_total\{provider="openai",feature="top_k"\} [1-9]/);
  });

  it('what a target of the plan cannot take is refused by the relay itself (aigw-proxy’s rule), naming it, never sent upstream', async () => {
    upstream.script(json(200, completion('no')));
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, container: 'container_1', messages: [{ role: 'user', content: 'Hello' }] });
    // Claude could take it; the OpenAI fallback could not, so the plan cannot.
    const res = await send(body, [target('anthropic', upstream.url), target('openai', upstream.url)], { path: '/v1/messages' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'container: this field cannot be sent to OpenAI-format models through the gateway (a code-execution container lives in Anthropic’s API)',
      },
    });
    expect(upstream.seen).toHaveLength(0);
  });

  it('an Anthropic client’s stream on an OpenAI target becomes Anthropic’s event sequence', async () => {
    upstream.script(sse([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, 'stop'), usageChunk, '[DONE]']));
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hello' }] });
    const res = await send(body, target('openai', upstream.url), { path: '/v1/messages' });
    const names = (await events(res)).map((e) => e.event);
    expect(names).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('an adapter’s refusal is a 400 in the client’s shape, never sent upstream', async () => {
    upstream.script(json(200, completion('no')));
    const body = JSON.stringify({ model: 'gpt-4o-mini', n: 2, messages: [{ role: 'user', content: 'Hello' }] });
    const res = await send(body, target('anthropic', upstream.url));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string; param: string } }).error).toMatchObject({ type: 'invalid_request_error', param: 'n' });
    expect(upstream.seen).toHaveLength(0);
  });

  it('embeddings are never streamed, even when the body says stream: true', async () => {
    upstream.script(json(200, { embeddings: [{ values: [0.25] }] }));
    const res = await send(JSON.stringify({ model: 'e', input: 'hi', stream: true }), target('gemini', upstream.url, { model: 'text-embedding-004' }), {
      path: '/v1/embeddings',
      retry: NO_RETRY,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: 'list', data: [{ embedding: [0.25] }] });
  });

  it('Gemini embeddings are translated both ways', async () => {
    upstream.script(json(200, { embeddings: [{ values: [0.25, 0.5] }] }));
    const body = JSON.stringify({ model: 'e', input: ['hi'] });
    const res = await send(body, target('gemini', upstream.url, { model: 'text-embedding-004' }), { path: '/v1/embeddings' });
    expect(await res.json()).toMatchObject({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.25, 0.5] }] });
    expect(upstream.seen[0].url).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
  });
});

describe('failures, retries and failover', () => {
  it('retries a 500 on the same target and answers as if nothing happened; the attempts are counted', async () => {
    upstream.script(json(500, { error: { message: 'boom' } }), json(200, completion('ok')));
    const res = await send(OPENAI_BODY, target('openai', upstream.url), { retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    expect(res.status).toBe(200);
    expect(upstream.seen).toHaveLength(2);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/aigw_relay_attempts_total\{provider="openai",model="gpt-4o-mini",result="server",error_type="provider"\} [1-9]/);
    expect(text).toMatch(/aigw_relay_attempts_total\{provider="openai",model="gpt-4o-mini",result="ok",error_type=""\} [1-9]/);
  });

  it('fails over at once when the provider rejects the gateway’s key, and reports the answering target', async () => {
    upstream.script(json(401, { error: { message: 'bad key' } }), json(200, completion('second')));
    const first = target('openai', upstream.url, { model: 'first' });
    const second = target('groq', upstream.url, { model: 'second' });
    const res = await send(OPENAI_BODY, [first, second]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-aigw-upstream-model')).toBe('groq/second');
    expect(upstream.seen.map((s) => JSON.parse(s.body).model)).toEqual(['first', 'second']);
    expect(await metrics.registry.metrics()).toMatch(/aigw_relay_routing_decisions_total\{[^}]*provider="groq",target_model="second",position="1"\} 1/);
  });

  it('never retries a caller error, and keeps the provider’s message, type, code and param', async () => {
    const error = { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' };
    upstream.script(json(400, { error }));
    const res = await send(OPENAI_BODY, target('openai', upstream.url));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error });
    expect(upstream.seen).toHaveLength(1);
  });

  it('keeps an OpenAI 429’s own type and Retry-After', async () => {
    upstream.script(
      json(429, { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '30' }),
    );
    const res = await send(OPENAI_BODY, target('openai', upstream.url), { retry: NO_RETRY });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(await res.json()).toEqual({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
  });

  // Failed before: the Azure adapter renamed them (x-upstream-ratelimit-*) and so did the relay (x-upstream-x-ratelimit-*).
  it('an Azure 429 carries the provider’s rate-limit headers once, renamed as every provider’s are', async () => {
    upstream.script(
      json(429, { error: { code: '429', message: 'Please retry after 6 seconds.' } }, { 'retry-after': '6', 'x-ratelimit-remaining-tokens': '0' }),
    );
    const res = await send(OPENAI_BODY, target('azure', upstream.url), { retry: NO_RETRY });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('6');
    expect(res.headers.get('x-upstream-x-ratelimit-remaining-tokens')).toBe('0');
    expect(res.headers.get('x-upstream-ratelimit-remaining-tokens')).toBeNull();
  });

  it('waits on the delay the adapter read (Gemini’s RetryInfo), not only a Retry-After header: too long, so it fails over at once', async () => {
    const quota = {
      error: {
        code: 429,
        message: 'Quota exceeded.',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '38s' }],
      },
    };
    upstream.script(json(429, quota), json(200, completion('from the fallback')));
    const res = await send(OPENAI_BODY, [target('gemini', upstream.url), target('openai', upstream.url)]);
    expect(res.status).toBe(200);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v1beta/models/gemini-2.5-flash:generateContent', '/chat/completions']);
  });

  it('maps an embeddings error with the target’s own adapter: Gemini’s bad key is the gateway’s 502, not the caller’s 400', async () => {
    const badKey = {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
      },
    };
    upstream.script(json(400, badKey));
    const body = JSON.stringify({ model: 'e', input: ['hi'] });
    const res = await send(body, target('gemini', upstream.url, { model: 'text-embedding-004' }), { path: '/v1/embeddings' });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_auth_failed');
  });

  it('a provider error reaches an Anthropic client in Anthropic’s shape', async () => {
    upstream.script(json(500, { error: { message: 'exploded' } }));
    const res = await send(ANTHROPIC_BODY, target('openai', upstream.url), { path: '/v1/messages', retry: NO_RETRY });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    // Anthropic's shape has no code field: the gateway's code is joined to the message (lib/errors).
    expect(body.error.message).toBe('The provider (openai) failed (HTTP 500): exploded (upstream_error)');
  });

  it('502 when the named key is not in the relay’s environment, without calling anyone', async () => {
    upstream.script(json(200, completion('no')));
    const res = await send(OPENAI_BODY, target('openai', upstream.url, { credential: 'MISSING_API_KEY' }), { retry: NO_RETRY });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_credential_missing');
    expect(upstream.seen).toHaveLength(0);
  });

  it('504 on a first-byte timeout, 502 when the provider answers what is not JSON', async () => {
    upstream.script(() => undefined);
    const slow = await send(OPENAI_BODY, target('openai', upstream.url, { timeouts: { connectMs: 500, firstByteMs: 150, idleMs: 500, totalMs: 2000 } }), {
      retry: NO_RETRY,
    });
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
    upstream.script(json(200, '<html>oops</html>'));
    const bad = await send(OPENAI_BODY, target('anthropic', upstream.url), { retry: NO_RETRY });
    expect(bad.status).toBe(502);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('upstream_invalid_response');
  });

  it('retries a stream cut before the first token invisibly', async () => {
    upstream.script(sse([], { cut: true }), sse([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, 'stop'), usageChunk, '[DONE]']));
    const res = await send(
      JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hello' }] }),
      target('openai', upstream.url),
      { retry: { baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const data = (await events(res)).map((e) => e.data);
    expect(data.at(-1)).toBe('[DONE]');
    expect(upstream.seen).toHaveLength(2);
  });

  it('a stream cut after the first token ends with an error event in the client’s format, billed as delivered', async () => {
    upstream.script(sse([chunk({ role: 'assistant', content: 'Hi there' })], { cut: true }));
    const id = requestId();
    const res = await send(
      JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hello' }] }),
      target('openai', upstream.url),
      { id },
    );
    const data = (await events(res)).map((e) => e.data!);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_stream_interrupted', type: 'api_error' } });
    expect(recordOf(id)).toMatchObject({ outcome: 'stream_interrupted', usage: { estimated: true } });

    upstream.script(sse([chunk({ role: 'assistant', content: 'Hi there' })], { cut: true }));
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hello' }] });
    const anthropic = await events(await send(body, target('openai', upstream.url), { path: '/v1/messages' }));
    expect(anthropic.at(-1)).toMatchObject({ event: 'error' });
    expect(JSON.parse(anthropic.at(-1)!.data!)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it('after every target failed, the client gets the last failure, once, and it is recorded', async () => {
    upstream.script(json(503, { error: { message: 'down' } }));
    const id = requestId();
    const res = await send(OPENAI_BODY, [target('openai', upstream.url, { model: 'a' }), target('openai', upstream.url, { model: 'b' })], {
      id,
      retry: NO_RETRY,
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('down');
    expect(upstream.seen).toHaveLength(2);
    expect(recordOf(id)).toMatchObject({ status: 502, outcome: 'upstream_error', providerModel: 'b', costNano: 0 });
  });
});

describe('Anthropic streams (the Anthropic mock, in its exact wire format)', () => {
  let claude: MockProvider;
  beforeAll(async () => {
    claude = await startMockAnthropic({ apiKey: KEY });
  });
  afterAll(() => claude.close());
  beforeEach(() => claude.reset());

  const claudeTarget = (model = 'claude-sonnet-4-5') => target('anthropic', claude.url, { model });
  const MESSAGES_STREAM = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'Hello there' }] });
  const CHAT_STREAM = JSON.stringify({ model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'Hello there' }] });
  type ErrorBody = { error: { type?: string; code?: string } };
  /** An Anthropic SSE event, as far as these tests read it. */
  type Event = { type: string; message: { usage: Record<string, number> }; delta?: { type?: string; text?: string }; usage?: Record<string, number> };
  const data = async (res: Response) => (await events(res)).map((e) => JSON.parse(e.data!) as Event);

  it('an overloaded_error before the first token is retried like a 529, unseen by the client', async () => {
    claude.enqueue({ streamErrorAfterTokens: 0 }, { content: 'Recovered answer' });
    const res = await send(MESSAGES_STREAM, claudeTarget('retried'), { path: '/v1/messages', retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    const list = await data(res);
    expect(list.map((e) => e.type)).not.toContain('error');
    expect(
      list
        .filter((e) => e.delta?.type === 'text_delta')
        .map((e) => e.delta?.text)
        .join(''),
    ).toBe('Recovered answer');
    expect(claude.requests).toHaveLength(2);
    expect(await metrics.registry.metrics()).toMatch(
      /aigw_relay_attempts_total\{provider="anthropic",model="retried",result="server",error_type="provider"\} 1/,
    );
  });

  it.each([
    ['/v1/messages', MESSAGES_STREAM, (body: ErrorBody) => body.error.type, 'overloaded_error'],
    ['/v1/chat/completions', CHAT_STREAM, (body: ErrorBody) => body.error.code, 'upstream_overloaded'],
  ])('on %s, nothing sent yet, an overloaded stream fails as an HTTP 529 does: 503 %s', async (path, body, typeOf, type) => {
    claude.enqueue({ streamErrorAfterTokens: 0 });
    const inStream = await send(body, claudeTarget(), { path, retry: NO_RETRY });
    claude.enqueue({ status: 529 });
    const http = await send(body, claudeTarget(), { path, retry: NO_RETRY });
    expect([inStream.status, http.status]).toEqual([503, 503]);
    expect([typeOf((await inStream.json()) as ErrorBody), typeOf((await http.json()) as ErrorBody)]).toEqual([type, type]);

    // and fails over like one
    claude.enqueue({ streamErrorAfterTokens: 0 }, { content: 'From the next target' });
    const failover = await send(body, [claudeTarget('first'), claudeTarget('second')], { path, retry: NO_RETRY });
    expect(failover.status).toBe(200);
    expect(failover.headers.get('x-aigw-upstream-model')).toBe('anthropic/second');
    await failover.arrayBuffer();
  });

  it("an overloaded_error after the first token ends the stream with the overload in the client's format, recorded as an overload", async () => {
    // Anthropic's own events (the mock's wire format); the error is sent only once the client has
    // read the first token, so the answer has certainly begun.
    const meta = { id: 'msg_01A', model: 'claude-sonnet-4-5', toolUseIds: [] };
    const head = [anthropicWire.messageStart(meta, anthropicWire.usage(9, 1)), anthropicWire.textBlockStart(0), anthropicWire.textDelta(0, 'Partial')];
    const overloadedAfterFirstToken = (): { script: Script; released: () => void } => {
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const script: Script = (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
        res.write(head.map(anthropicWire.sseEvent).join(''));
        void gate.then(() => res.end(anthropicWire.sseEvent(anthropicWire.streamError('overloaded_error'))));
      };
      return { script, released: () => release() };
    };
    const readAll = async (res: Response, gate: () => void): Promise<string> => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += decoder.decode(value, { stream: true });
        if (text.includes('Partial')) gate();
      }
    };

    const anthropicCase = overloadedAfterFirstToken();
    upstream.script(anthropicCase.script);
    const id = requestId();
    const anthropic = new SseParser().push(
      await readAll(await send(MESSAGES_STREAM, target('anthropic', upstream.url), { path: '/v1/messages', id }), anthropicCase.released),
    );
    expect(anthropic.at(-1)?.event).toBe('error');
    expect(JSON.parse(anthropic.at(-1)!.data!)).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(recordOf(id)).toMatchObject({ status: 200, outcome: 'upstream_overloaded', usage: { estimated: true } });

    const openaiCase = overloadedAfterFirstToken();
    upstream.script(openaiCase.script);
    const openaiId = requestId();
    const chunks = new SseParser().push(await readAll(await send(CHAT_STREAM, target('anthropic', upstream.url), { id: openaiId }), openaiCase.released));
    expect(chunks.map((e) => e.data)).not.toContain('[DONE]');
    expect(JSON.parse(chunks.at(-1)!.data!)).toMatchObject({ error: { code: 'upstream_overloaded', type: 'api_error' } });
    expect(recordOf(openaiId)).toMatchObject({ status: 200, outcome: 'upstream_overloaded' });
    // The relay's metrics are derived from these records (its usage sink in production).
    const derived = new RelayMetrics(false);
    for (const record of [recordOf(id)!, recordOf(openaiId)!]) derived.record(record);
    expect(await derived.registry.metrics()).toMatch(
      /aigw_relay_requests_total\{[^}]*provider="anthropic"[^}]*outcome="upstream_overloaded",error_type="provider"\} 1/,
    );
  });

  it("message_start carries the provider's input tokens, message_delta the final usage, and the bill counts them once", async () => {
    claude.enqueue({ content: 'Four words right here' });
    const id = requestId();
    const list = await data(await send(MESSAGES_STREAM, claudeTarget(), { path: '/v1/messages', id }));
    const input = countAnthropicInputTokens(claude.requests[0].body as Record<string, unknown>);
    expect(input).toBeGreaterThan(0);
    expect(list[0].message.usage).toMatchObject({ input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 });
    expect(list.at(-2)).toMatchObject({ type: 'message_delta', usage: { input_tokens: input, output_tokens: 4 } });
    // Both events say `input` input tokens: billed once ($1 and $2 per million in and out), never twice.
    expect(recordOf(id)).toMatchObject({ outcome: 'ok', usage: { promptTokens: input, completionTokens: 4 }, costNano: input * 1000 + 4 * 2000 });
  });

  it("an Anthropic client on a Gemini target: message_start shows the prompt count of Gemini's first chunk", async () => {
    const gemini = await startMockGemini({ apiKey: KEY });
    try {
      const list = await data(await send(MESSAGES_STREAM, target('gemini', gemini.url), { path: '/v1/messages' }));
      const prompt = countGeminiPromptTokens(gemini.requests[0].body as Record<string, unknown>);
      expect(prompt).toBeGreaterThan(0);
      expect(list[0].message.usage).toMatchObject({ input_tokens: prompt });
      expect(list.at(-2)).toMatchObject({ type: 'message_delta', usage: { input_tokens: prompt } });
    } finally {
      await gemini.close();
    }
  });

  it("an Anthropic client on an OpenAI target: message_start shows the gateway's estimate, message_delta the provider's usage", async () => {
    upstream.script(sse([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, 'stop'), usageChunk, '[DONE]']));
    const list = await data(await send(MESSAGES_STREAM, target('openai', upstream.url), { path: '/v1/messages' }));
    const estimate = estimatePromptTokens(JSON.parse(MESSAGES_STREAM));
    expect(estimate).toBeGreaterThan(0);
    expect(list[0].message.usage).toEqual({ input_tokens: estimate, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
    expect(list.at(-2)).toMatchObject({ type: 'message_delta', usage: { input_tokens: 5, output_tokens: 2 } });
  });
});

describe('the provider headers a client sees', () => {
  it('are the rate-limit headers and request id of every provider, renamed x-upstream-*, whatever their case', () => {
    expect(
      upstreamHeaders({
        'retry-after': '12',
        'anthropic-ratelimit-requests-remaining': '0',
        'Anthropic-RateLimit-Tokens-Reset': '2025-01-01T00:00:12Z',
        'request-id': 'req_011',
        'x-ratelimit-remaining-tokens': '0',
        'content-type': 'application/json',
        'x-request-id': 'not-passed',
        'set-cookie': undefined,
      }),
    ).toEqual({
      'x-upstream-anthropic-ratelimit-requests-remaining': '0',
      'x-upstream-anthropic-ratelimit-tokens-reset': '2025-01-01T00:00:12Z',
      'x-upstream-request-id': 'req_011',
      'x-upstream-x-ratelimit-remaining-tokens': '0',
    });
  });
});
