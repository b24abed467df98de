/**
 * /v1/messages/count_tokens in the relay (startRelay, in process) in front of the mock providers:
 * each target's own count in its wire format, the gateway's estimate where a target has none,
 * retries and failover as for any request, provider errors in Anthropic's shape, and a usage
 * record that bills nothing.
 */
import type { Logger } from '../../../lib/log';
import type { PlanRetry, PlanTarget, ProviderType } from '../../../lib/plan';
import { estimatePromptTokens } from '../../../lib/tokens';
import { anthropicClientFormat } from '../../../sidecars/relay/client-formats/anthropic/format';
import { type Relay, startRelay } from '../../../sidecars/relay/server';
import { countedRequest } from '../../../sidecars/relay/token-count/counted-request';
import { TOKENS_ESTIMATED_HEADER } from '../../../sidecars/relay/token-count/run';
import { requestId, signedHeaders } from '../../e2e/helpers';
import { countAnthropicInputTokens, countGeminiPromptTokens, type MockProviders, mockDirective, startMockProviders } from '../../harness/mock-provider';
import { MemoryUsageSink } from './memory-usage-sink';
import { inProcessRelayConfig } from './relay-config';

const secret = 'k'.repeat(48);
const KEY = 'sk-mock-count-tokens';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let mock: MockProviders;
let relay: Relay;
let usage: MemoryUsageSink;

beforeAll(async () => {
  mock = await startMockProviders({ apiKey: KEY });
  usage = new MemoryUsageSink();
  relay = await startRelay({
    config: inProcessRelayConfig(secret, 1 << 20),
    usage,
    env: { UPSTREAM_API_KEY: KEY },
    log: quiet,
  });
});

afterAll(async () => {
  await relay.close();
  await mock.close();
});

beforeEach(() => mock.reset());

type Provider = Extract<ProviderType, 'anthropic' | 'gemini' | 'openai' | 'azure'>;
const MODELS: Record<Provider, string> = { anthropic: 'claude-sonnet-4-6', gemini: 'gemini-3.5-flash', openai: 'gpt-4o-mini', azure: 'gpt-4o-prod' };

function target(provider: Provider): PlanTarget {
  return {
    provider,
    baseUrl: mock.baseUrls[provider],
    model: MODELS[provider],
    credential: 'UPSTREAM_API_KEY',
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 },
    pricing: { input: 3, output: 15 },
  };
}

function countBody(text = 'How many tokens is this question?', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: 'smart',
    system: 'You answer briefly.',
    tools: [{ name: 'lookup', description: 'Look a word up', input_schema: { type: 'object', properties: { word: { type: 'string' } } } }],
    messages: [{ role: 'user', content: text }],
    ...extra,
  });
}

interface Counted {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  id: string;
}

async function count(body: string, targets: PlanTarget[], retry: PlanRetry = { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 }): Promise<Counted> {
  const id = requestId();
  const headers = signedHeaders(body, targets, secret, 'messages.count_tokens', id, retry);
  const res = await fetch(`${relay.url}/v1/messages/count_tokens`, { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown>, id };
}

/** What the gateway would answer for a target without a count of its own. */
function gatewayEstimate(body: string): number {
  const converted = countedRequest(JSON.parse(body) as Record<string, unknown>);
  if (!converted.ok) throw new Error(converted.refusal.message);
  return estimatePromptTokens(anthropicClientFormat.forTarget(converted.request, 'openai'));
}

const paths = () => mock.requests.map((r) => r.path);

describe('a target that counts tokens answers the count itself', () => {
  it('Anthropic: count_tokens with the Messages prompt, no max_tokens, the mock’s count back', async () => {
    const out = await count(countBody(), [target('anthropic')]);
    expect(out.status).toBe(200);
    expect(paths()).toEqual(['/v1/messages/count_tokens']);
    const sent = mock.requests[0].body as Record<string, unknown>;
    expect(sent).not.toHaveProperty('max_tokens');
    expect(sent.model).toBe('claude-sonnet-4-6');
    expect(out.body).toEqual({ input_tokens: countAnthropicInputTokens(sent) });
    // The provider's rule, not the gateway's o200k estimate.
    expect(out.body.input_tokens).not.toBe(gatewayEstimate(countBody()));
    expect(out.headers.get(TOKENS_ESTIMATED_HEADER)).toBeNull();
    expect(out.headers.get('x-aigw-upstream-model')).toBe('anthropic/claude-sonnet-4-6');
    expect(out.headers.get('x-upstream-request-id')).toMatch(/^req_/);
  });

  it('Gemini: countTokens with the whole generateContentRequest, its totalTokens back', async () => {
    const out = await count(countBody(), [target('gemini')]);
    expect(out.status).toBe(200);
    expect(paths()).toEqual(['/v1beta/models/gemini-3.5-flash:countTokens']);
    const sent = (mock.requests[0].body as { generateContentRequest: Record<string, unknown> }).generateContentRequest;
    expect(sent.systemInstruction).toBeDefined();
    expect(out.body).toEqual({ input_tokens: countGeminiPromptTokens(sent) });
    expect(out.headers.get(TOKENS_ESTIMATED_HEADER)).toBeNull();
  });

  it('OpenAI: responses/input_tokens with the prompt as input items, its input_tokens back', async () => {
    const out = await count(countBody(), [target('openai')]);
    expect(out.status).toBe(200);
    expect(paths()).toEqual(['/v1/responses/input_tokens']);
    const sent = mock.requests[0].body as { input: Array<Record<string, unknown>> };
    expect(sent.input.map((item) => item.role)).toEqual(['system', 'user']);
    expect(out.body.input_tokens).toEqual(expect.any(Number));
    expect(out.body.input_tokens).not.toBe(gatewayEstimate(countBody()));
    expect(out.headers.get(TOKENS_ESTIMATED_HEADER)).toBeNull();
  });
});

describe('a target without a count gets the gateway’s estimate, marked', () => {
  it('Azure OpenAI: o200k estimate, no provider call, the header says so', async () => {
    const out = await count(countBody(), [target('azure')]);
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ input_tokens: gatewayEstimate(countBody()) });
    expect(out.headers.get(TOKENS_ESTIMATED_HEADER)).toBe('true');
    expect(out.headers.get('x-aigw-upstream-model')).toBe('azure/gpt-4o-prod');
    expect(mock.requests).toHaveLength(0);
  });
});

describe('retries, failover and errors, as for any request', () => {
  it('retries a 529 on the same target and answers as if nothing happened', async () => {
    mock.enqueue({ status: 529 });
    const out = await count(countBody(), [target('anthropic')]);
    expect(out.status).toBe(200);
    expect(paths()).toEqual(['/v1/messages/count_tokens', '/v1/messages/count_tokens']);
  });

  it('fails over to the next target after the retries, and counts there', async () => {
    mock.enqueue({ status: 500 }, { status: 500 });
    const out = await count(countBody(), [target('anthropic'), target('gemini')]);
    expect(out.status).toBe(200);
    expect(out.headers.get('x-aigw-upstream-model')).toBe('gemini/gemini-3.5-flash');
    expect(paths()).toEqual(['/v1/messages/count_tokens', '/v1/messages/count_tokens', '/v1beta/models/gemini-3.5-flash:countTokens']);
  });

  it('answers the provider’s error in Anthropic’s shape, whatever the target’s own', async () => {
    const out = await count(countBody(`Count this ${mockDirective({ status: 429, retryAfterSeconds: 30 })}`), [target('gemini')], { maxRetries: 0 });
    expect(out.status).toBe(429);
    expect(out.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.any(String) } });
  });

  it('refuses what /v1/messages refuses with a 400, before any provider call', async () => {
    const body = JSON.stringify({
      model: 'smart',
      messages: [{ role: 'user', content: [{ type: 'server_tool_use', id: 'x', name: 'web_search', input: {} }] }],
    });
    const out = await count(body, [target('anthropic')]);
    expect(out.status).toBe(400);
    expect(out.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(mock.requests).toHaveLength(0);
  });
});

describe('nothing is billed', () => {
  it('records the request with zero tokens at zero cost, and says so in x-gateway-cost', async () => {
    const out = await count(countBody(), [target('anthropic')]);
    expect(out.headers.get('x-gateway-cost')).toBe('0');
    const record = usage.records.find((r) => r.requestId === out.id);
    expect(record).toMatchObject({
      endpoint: 'messages.count_tokens',
      provider: 'anthropic',
      providerModel: 'claude-sonnet-4-6',
      stream: false,
      status: 200,
      outcome: 'ok',
      costNano: 0,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    });
  });

  it('records a failed count as failed, still at zero cost', async () => {
    mock.enqueue({ status: 500 }, { status: 500 });
    const out = await count(countBody(), [target('anthropic')]);
    expect(out.status).toBe(502);
    expect(usage.records.find((r) => r.requestId === out.id)).toMatchObject({ status: 502, outcome: 'upstream_error', costNano: 0, usage: null });
  });
});
