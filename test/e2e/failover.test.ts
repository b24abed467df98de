/**
 * Fault tests through the whole gateway with the `smart` group of deck/kong.yaml (Claude first,
 * then GPT-4o, then Gemini; one retry per target), every provider played by the mock speaking
 * its own wire format. Faults are queued on the mock, so each attempt meets the next scripted
 * behaviour: what the client sees, and which targets were tried, is checked.
 */
import Anthropic from '@anthropic-ai/sdk';
import Redis from 'ioredis';
import OpenAI from 'openai';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

let stack: DevStack;
let openai: OpenAI;
let anthropic: Anthropic;

/** Which provider each recorded upstream request went to, from its path. */
function providersTried(): string[] {
  return stack.mock.requests.map((r) => (r.path.startsWith('/v1/messages') ? 'anthropic' : r.path.startsWith('/v1beta') ? 'gemini' : 'openai'));
}

beforeAll(async () => {
  stack = await startDevStack({ env: {} });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('failover') });
  if (created.status !== 201) throw new Error(`key creation answered ${created.status}: ${JSON.stringify(created.body)}`);
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: created.body.key as string, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: created.body.key as string, maxRetries: 0 });
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

/** Breakers and latency stats are shared in Redis: each test starts from healthy targets. */
async function resetTargetStats(): Promise<void> {
  const redis = new Redis(stack.stores.redisUrl);
  try {
    const keys = await redis.keys('aigw:{tgt:*');
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

beforeEach(async () => {
  stack.mock.reset();
  await resetTargetStats();
});

const ask = { model: 'smart', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hello' }] };

it('retries a 500 once on Claude, then fails over to GPT-4o; the client just gets the answer', async () => {
  stack.mock.enqueue({ status: 500 }, { status: 500 });
  const { data, response } = await openai.chat.completions.create(ask).withResponse();
  expect(data.choices[0].message.content?.length).toBeGreaterThan(0);
  expect(response.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o');
  expect(providersTried()).toEqual(['anthropic', 'anthropic', 'openai']);
  const record = await waitFor(() => stack.usageRecords().find((r) => r.requestId === response.headers.get('x-kong-request-id')));
  expect(record).toMatchObject({ outcome: 'ok', provider: 'openai', providerModel: 'gpt-4o' });
});

it('waits out a short Retry-After on a 429 instead of failing over', async () => {
  stack.mock.enqueue({ status: 429, retryAfterSeconds: 1 });
  const started = Date.now();
  const { response } = await openai.chat.completions.create(ask).withResponse();
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  expect(response.headers.get('x-aigw-upstream-model')).toBe('anthropic/claude-sonnet-4-6');
  expect(providersTried()).toEqual(['anthropic', 'anthropic']);
});

it('fails over at once on a context-window overflow, without retrying the same target', async () => {
  // The mock answers status 400 with each provider's own context-window overflow body.
  stack.mock.enqueue({ status: 400 });
  const { response } = await openai.chat.completions.create(ask).withResponse();
  expect(response.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o');
  expect(providersTried()).toEqual(['anthropic', 'openai']);
});

it('never retries nor fails over a caller error', async () => {
  await expect(openai.chat.completions.create({ ...ask, messages: 'hi' as never })).rejects.toMatchObject({ status: 400 });
  expect(providersTried()).toEqual([]);
});

it('fails over invisibly when a stream is cut before its first token', async () => {
  stack.mock.enqueue({ cutAfterTokens: 0 }, { cutAfterTokens: 0 });
  const stream = await openai.chat.completions.create({ ...ask, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text.length).toBeGreaterThan(0);
  expect(providersTried()).toEqual(['anthropic', 'anthropic', 'openai']);
});

it('ends a stream cut after its first token with an error the OpenAI SDK raises', async () => {
  stack.mock.enqueue({ tokens: 30, cutAfterTokens: 3 });
  const stream = await openai.chat.completions.create({ ...ask, stream: true });
  let text = '';
  const consume = async (): Promise<void> => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  };
  await expect(consume()).rejects.toThrow(/mid-answer|before the answer was complete/);
  expect(text.length).toBeGreaterThan(0);
  expect(providersTried()).toEqual(['anthropic']);
});

it('ends a cut stream with an error event the Anthropic SDK raises too', async () => {
  stack.mock.enqueue({ tokens: 30, cutAfterTokens: 3 });
  const stream = anthropic.messages.stream({ model: 'smart', max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] });
  await expect(stream.finalMessage()).rejects.toThrow(/mid-answer|before the answer was complete/);
});

it("answers the last target's error, in the client format, once every target is exhausted", async () => {
  stack.mock.enqueue(...Array.from({ length: 6 }, () => ({ status: 503 })));
  // Gemini, tried last, was overloaded: its 503 is what the client sees.
  await expect(openai.chat.completions.create(ask)).rejects.toMatchObject({ status: 503 });
  expect(providersTried()).toEqual(['anthropic', 'anthropic', 'openai', 'openai', 'gemini', 'gemini']);
  stack.mock.enqueue(...Array.from({ length: 6 }, () => ({ status: 503 })));
  await expect(anthropic.messages.create({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
    Anthropic.APIError,
  );
});

localOnly("reads the relay's /metrics; in the compose stack the relay listens on Kong's loopback").it(
  'opens the circuit breaker on a failing target, so later plans try it last, and shows it in metrics',
  async () => {
    // 3 requests × (1 attempt + 1 retry) on Claude = 6 failures in the window: over the threshold of 5.
    for (let i = 0; i < 3; i++) {
      stack.mock.enqueue({ status: 503 }, { status: 503 });
      const { response } = await openai.chat.completions.create(ask).withResponse();
      expect(response.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o');
    }
    // The relay reports outcomes off the request path: wait until the breaker shows in its metrics.
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${stack.relay.url}/metrics`)).text();
      return /aigw_relay_breaker_transitions_total\{provider="anthropic",model="claude-sonnet-4-6",state="open"\} 1/.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/aigw_relay_breaker_state\{provider="anthropic",model="claude-sonnet-4-6"\} 2/);
    stack.mock.reset();
    const { response } = await openai.chat.completions.create(ask).withResponse();
    expect(response.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o');
    expect(providersTried()).toEqual(['openai']);
  },
);
