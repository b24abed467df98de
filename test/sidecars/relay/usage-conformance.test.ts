/**
 * Usage and cost conformance: every provider family × every client format × streamed or not,
 * fed each provider's own wire format (fixtures written here in that exact format), must bill
 * the same tokens at the same rates, and show the client the cost it was charged. The traps are
 * the ones other gateways fell into:
 * - Gemini streams repeat a cumulative usageMetadata in every chunk: the last replaces, never sums;
 * - Anthropic's message_start carries provisional output tokens: message_delta's count replaces them;
 * - cache reads, 5-minute and 1-hour cache writes are priced at their own rates;
 * - reasoning (thinking) tokens are counted;
 * - a usage object repeated in the last content chunk and the usage chunk is counted once;
 * - a stream without usage is counted by the gateway and flagged estimated.
 */

import type { PlanTarget, ProviderType } from '../../../lib/plan';
import type { ModelPrice } from '../../../lib/pricing';
import { SseParser } from '../../../lib/sse';
import { requestId } from '../../e2e/helpers';
import { json, rawSse, type Script, startTestRelay, type TestRelay, Upstream } from './relay-harness';

/** USD per million tokens: every rate different, so a token counted at the wrong rate changes the cost. */
const PRICING: ModelPrice = { input: 1, output: 2, cached_read: 0.5, cached_write: 1.25, cached_write_1h: 2 };

interface Billed {
  prompt: number;
  completion: number;
  cached: number;
  write5m?: number;
  write1h?: number;
  reasoning: number;
  estimated?: boolean;
}

/** The cost of a usage at PRICING, in nano-USD (1 USD/M = 1000 nano per token). */
function costOf(b: Billed): number {
  const writes = (b.write5m ?? 0) + (b.write1h ?? 0);
  const plain = b.prompt - b.cached - writes;
  return plain * 1000 + b.cached * 500 + (b.write5m ?? 0) * 1250 + (b.write1h ?? 0) * 2000 + b.completion * 2000;
}

const sseScript = rawSse;
const data = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;
const named = (type: string, payload: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

// ---- OpenAI's wire format (OpenAI, and Azure OpenAI) ----
const OPENAI_USAGE = {
  prompt_tokens: 100,
  completion_tokens: 20,
  total_tokens: 120,
  prompt_tokens_details: { cached_tokens: 40 },
  completion_tokens_details: { reasoning_tokens: 5 },
};
const OPENAI_BILLED: Billed = { prompt: 100, completion: 20, cached: 40, reasoning: 5 };
const openaiChunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-x',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  ...extra,
});
const openaiJson = json(200, {
  id: 'chatcmpl-x',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, logprobs: null, finish_reason: 'stop' }],
  usage: OPENAI_USAGE,
});
const openaiStream = sseScript([
  data(openaiChunk({ role: 'assistant', content: 'Hello' })),
  data(openaiChunk({ content: ' there' })),
  data(openaiChunk({}, 'stop')),
  data({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: OPENAI_USAGE }),
  'data: [DONE]\n\n',
]);
/** Azure sends its prompt-filter results first, in a chunk without choices. */
const azureStream = sseScript([
  data({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] }),
  data(openaiChunk({ role: 'assistant', content: 'Hello' })),
  data(openaiChunk({ content: ' there' })),
  data(openaiChunk({}, 'stop')),
  data({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: OPENAI_USAGE }),
  'data: [DONE]\n\n',
]);

// ---- Anthropic's Messages API ----
const ANTHROPIC_USAGE = {
  input_tokens: 30,
  cache_read_input_tokens: 40,
  cache_creation_input_tokens: 30,
  cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 10 },
  output_tokens: 20,
};
const ANTHROPIC_BILLED: Billed = { prompt: 100, completion: 20, cached: 40, write5m: 20, write1h: 10, reasoning: 0 };
const anthropicJson = json(200, {
  id: 'msg_x',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [{ type: 'text', text: 'Hello there' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: ANTHROPIC_USAGE,
});
const anthropicStream = sseScript([
  // message_start's output_tokens (1) is provisional: message_delta's 20 replaces it, never adds.
  named('message_start', {
    message: {
      id: 'msg_x',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...ANTHROPIC_USAGE, output_tokens: 1 },
    },
  }),
  named('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  named('ping', {}),
  named('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello' } }),
  named('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ' there' } }),
  named('content_block_stop', { index: 0 }),
  named('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } }),
  named('message_stop', {}),
]);

// ---- Gemini's generateContent ----
const GEMINI_USAGE = { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 15, thoughtsTokenCount: 5, totalTokenCount: 120 };
/** Gemini bills thoughts as output: completion = candidates + thoughts. */
const GEMINI_BILLED: Billed = { prompt: 100, completion: 20, cached: 40, reasoning: 5 };
const geminiCandidate = (text: string, finishReason?: string) => ({
  content: { role: 'model', parts: [{ text }] },
  index: 0,
  ...(finishReason ? { finishReason } : {}),
});
const geminiJson = json(200, { candidates: [geminiCandidate('Hello there', 'STOP')], usageMetadata: GEMINI_USAGE, modelVersion: 'gemini-2.5-flash' });
const geminiStream = sseScript([
  // Cumulative usage in every chunk: the last one is the total, the sum would be 103 + 120 tokens.
  data({ candidates: [geminiCandidate('Hello')], usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 3, totalTokenCount: 103 } }),
  data({ candidates: [geminiCandidate(' there', 'STOP')], usageMetadata: GEMINI_USAGE, modelVersion: 'gemini-2.5-flash' }),
]);

// ---- OpenAI's Responses API (what /v1/responses clients get passed through to OpenAI targets) ----
const RESPONSES_USAGE = {
  input_tokens: 100,
  input_tokens_details: { cached_tokens: 40 },
  output_tokens: 20,
  output_tokens_details: { reasoning_tokens: 5 },
  total_tokens: 120,
};
const responseObject = (status: string, usage: unknown) => ({
  id: 'resp_x',
  object: 'response',
  created_at: 1,
  status,
  model: 'gpt-4o-mini',
  output:
    status === 'completed'
      ? [{ type: 'message', id: 'msg_x', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there', annotations: [] }] }]
      : [],
  usage,
});
const responsesJson = json(200, responseObject('completed', RESPONSES_USAGE));
const responsesStream = sseScript([
  named('response.created', { sequence_number: 0, response: responseObject('in_progress', null) }),
  named('response.output_text.delta', { sequence_number: 1, item_id: 'msg_x', output_index: 0, content_index: 0, delta: 'Hello there' }),
  named('response.completed', { sequence_number: 2, response: responseObject('completed', RESPONSES_USAGE) }),
]);

interface ProviderFixture {
  provider: ProviderType;
  model: string;
  json: Script;
  stream: Script;
  billed: Billed;
  /** What the provider answers a Responses request passed through to it (OpenAI serves the Responses API). */
  responses?: { json: Script; stream: Script };
}

const PROVIDERS: ProviderFixture[] = [
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    json: openaiJson,
    stream: openaiStream,
    billed: OPENAI_BILLED,
    responses: { json: responsesJson, stream: responsesStream },
  },
  { provider: 'azure', model: 'my-deployment', json: openaiJson, stream: azureStream, billed: OPENAI_BILLED },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', json: anthropicJson, stream: anthropicStream, billed: ANTHROPIC_BILLED },
  { provider: 'gemini', model: 'gemini-2.5-flash', json: geminiJson, stream: geminiStream, billed: GEMINI_BILLED },
];

interface ClientFixture {
  format: 'openai' | 'anthropic' | 'responses' | 'google';
  path(stream: boolean): string;
  body(stream: boolean): Record<string, unknown>;
}

const CLIENTS: ClientFixture[] = [
  {
    format: 'openai',
    path: () => '/v1/chat/completions',
    body: (stream) => ({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  },
  {
    format: 'anthropic',
    path: () => '/v1/messages',
    body: (stream) => ({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }], ...(stream ? { stream: true } : {}) }),
  },
  { format: 'responses', path: () => '/v1/responses', body: (stream) => ({ model: 'm', input: 'Hi', ...(stream ? { stream: true } : {}) }) },
  {
    format: 'google',
    path: (stream) => (stream ? '/v1beta/models/m:streamGenerateContent?alt=sse' : '/v1beta/models/m:generateContent'),
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
  },
];

let upstream: Upstream;
let relay: TestRelay;

beforeAll(async () => {
  upstream = await Upstream.start();
  relay = await startTestRelay();
});

afterAll(async () => {
  await relay.close();
  await upstream.close();
});

function targetFor(fixture: ProviderFixture): PlanTarget {
  return {
    provider: fixture.provider,
    baseUrl: fixture.provider === 'azure' ? `${upstream.url}/openai?api-version=2024-10-21` : upstream.url,
    model: fixture.model,
    credential: 'UPSTREAM_API_KEY',
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 },
    pricing: PRICING,
  };
}

/** The cost the client was shown: x-gateway-cost on a JSON answer, `usage.cost` in a stream's final usage (OpenAI's usage chunk, Anthropic's message_delta). */
async function shownCost(res: Response, stream: boolean): Promise<number | null> {
  if (!stream) {
    await res.arrayBuffer();
    const header = res.headers.get('x-gateway-cost');
    return header === null ? null : Number(header);
  }
  // The final usage in each format: OpenAI's usage chunk, Anthropic's message_delta, response.completed, Google's last chunk.
  let cost: number | null = null;
  for (const event of new SseParser().push(new Uint8Array(await res.arrayBuffer()))) {
    if (!event.data || event.data === '[DONE]') continue;
    const chunk = JSON.parse(event.data) as { usage?: { cost?: number }; usageMetadata?: { cost?: number }; response?: { usage?: { cost?: number } | null } };
    const usage = chunk.usage ?? chunk.usageMetadata ?? chunk.response?.usage;
    if (usage && typeof usage.cost === 'number') cost = usage.cost;
  }
  return cost;
}

const cases = PROVIDERS.flatMap((p) =>
  CLIENTS.flatMap((c) => [false, true].map((stream) => [p.provider, c.format, stream ? 'streamed' : 'not streamed', p, c, stream] as const)),
);

describe.each(cases)('%s provider, %s client, %s', (_provider, _format, _mode, fixture, client, stream) => {
  it('bills exactly the tokens the provider reported, each at its own rate, and shows the client that cost', async () => {
    // Gemini's native stream carries usage in every chunk: holding each for the cost would delay the stream (README).
    const costShown = !(stream && client.format === 'google' && fixture.provider === 'gemini');
    const passedThrough = client.format === 'responses' ? fixture.responses : undefined;
    const scripts = passedThrough ?? fixture;
    upstream.script(stream ? scripts.stream : scripts.json);
    const id = requestId();
    const res = await relay.send(JSON.stringify(client.body(stream)), targetFor(fixture), { path: client.path(stream), id });
    expect(res.status).toBe(200);
    const shown = await shownCost(res, stream);
    const record = relay.usage.records.find((r) => r.requestId === id);
    const usage = record?.usage;
    const billed = fixture.billed;
    expect({
      prompt: usage?.promptTokens,
      completion: usage?.completionTokens,
      cached: usage?.cachedTokens,
      writes: usage?.cacheWriteTokens ?? 0,
      write1h: usage?.cacheWrite1hTokens ?? 0,
      reasoning: usage?.reasoningTokens,
      estimated: usage?.estimated ?? false,
    }).toEqual({
      prompt: billed.prompt,
      completion: billed.completion,
      cached: billed.cached,
      writes: (billed.write5m ?? 0) + (billed.write1h ?? 0),
      write1h: billed.write1h ?? 0,
      reasoning: billed.reasoning,
      estimated: false,
    });
    expect(record?.costNano).toBe(costOf(billed));
    if (costShown) expect(shown).toBeCloseTo(costOf(billed) / 1e9, 12);
  });
});

describe('usage the provider repeats or leaves out', () => {
  it('usage repeated in the finish chunk and in the usage chunk is counted once', async () => {
    const target = targetFor(PROVIDERS[0]!);
    upstream.script(
      sseScript([
        data(openaiChunk({ role: 'assistant', content: 'Hello' })),
        data(openaiChunk({}, 'stop', { usage: OPENAI_USAGE })),
        data({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: OPENAI_USAGE }),
        'data: [DONE]\n\n',
      ]),
    );
    const id = requestId();
    const res = await relay.send(JSON.stringify(CLIENTS[0]!.body(true)), target, { id });
    await res.arrayBuffer();
    const record = relay.usage.records.find((r) => r.requestId === id);
    expect(record?.usage).toMatchObject({ promptTokens: 100, completionTokens: 20 });
    expect(record?.costNano).toBe(costOf(OPENAI_BILLED));
  });

  it('a stream without usage is counted by the gateway and flagged estimated, in the record and in the usage the client sees', async () => {
    const target = targetFor(PROVIDERS[0]!);
    upstream.script(
      sseScript([data(openaiChunk({ role: 'assistant', content: 'Hello there, how are you' })), data(openaiChunk({}, 'stop')), 'data: [DONE]\n\n']),
    );
    const id = requestId();
    const res = await relay.send(JSON.stringify(CLIENTS[0]!.body(true)), target, { id });
    const events = new SseParser().push(new Uint8Array(await res.arrayBuffer()));
    const usageChunk = events
      .map((e) => (e.data && e.data !== '[DONE]' ? (JSON.parse(e.data) as { usage?: { estimated?: boolean } }) : {}))
      .find((c) => c.usage);
    expect(usageChunk?.usage?.estimated).toBe(true);
    const record = relay.usage.records.find((r) => r.requestId === id);
    expect(record?.usage?.estimated).toBe(true);
    expect(record?.usage?.completionTokens).toBeGreaterThan(0);
  });
});
