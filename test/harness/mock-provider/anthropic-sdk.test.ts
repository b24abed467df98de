// The official `@anthropic-ai/sdk` as the client of the Anthropic dialect: if it parses the
// mock (messages, streams, tool input from input_json_delta, error classes), so will real clients.

import Anthropic from '@anthropic-ai/sdk';
import { type MockProvider, mockDirective, startMockAnthropic } from './index';

const KEY = 'sk-ant-test-0123456789';
let mock: MockProvider;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ apiKey: KEY, models: ['claude-sonnet-5-5', 'claude-haiku-4-5'] });
  client = new Anthropic({ apiKey: KEY, baseURL: mock.baseUrl, maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const user = (text: string) => [{ role: 'user' as const, content: text }];

describe('messages', () => {
  test('non-streamed: message shape, ids, usage excluding cached tokens, request recorded', async () => {
    const res = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: user(`Say hello. ${mockDirective({ content: 'Hello, world!', cachedTokens: 4, cacheWriteTokens: 2 })}`),
    });
    expect(res.id).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(res._request_id).toMatch(/^req_01[A-Za-z0-9]{22}$/);
    expect(res).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', stop_reason: 'end_turn', stop_sequence: null });
    expect(res.content).toEqual([{ type: 'text', text: 'Hello, world!' }]);
    // prompt = 3 + system "Be brief." 3 + (3 + "Say hello." 3) = 12: 4 read, 2 written, 6 uncached.
    expect(res.usage).toMatchObject({
      input_tokens: 6,
      cache_read_input_tokens: 4,
      cache_creation_input_tokens: 2,
      output_tokens: 4,
    });

    const [rec] = mock.requests;
    expect(rec.path).toBe('/v1/messages');
    expect(rec.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // SDK v1 sends the API key as a Bearer token; x-api-key is accepted too (see wire tests).
    expect(rec.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = rec.body as { system: Array<{ cache_control: unknown }> };
    expect(body.system[0].cache_control).toEqual({ type: 'ephemeral' });
  });

  test('max_tokens truncates (max_tokens); a stop sequence ends the text (stop_sequence)', async () => {
    const long = await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 5, messages: user(`go ${mockDirective({ tokens: 30 })}`) });
    expect(long.stop_reason).toBe('max_tokens');
    expect(long.usage.output_tokens).toBe(5);

    const stopped = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      stop_sequences: ['STOP'],
      messages: user(`go ${mockDirective({ content: 'one two STOP three' })}`),
    });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'STOP', content: [{ type: 'text', text: 'one two ' }] });
    expect(stopped.usage.output_tokens).toBe(2);
  });

  test('tool_use blocks with parsed input', async () => {
    const res = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: user(`weather? ${mockDirective({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] })}`),
    });
    expect(res.stop_reason).toBe('tool_use');
    expect(res.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_01[A-Za-z0-9]{22}$/), name: 'get_weather', input: { city: 'Paris' } }]);
  });
});

describe('streaming through the SDK', () => {
  test('messages.stream: text events add up to the final message; usage as in message_start/delta', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      messages: user(`hi ${mockDirective({ tokens: 12, cachedTokens: 3 })}`),
    });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text }]);
    expect(text.split(/\s+|(?=\.)/).filter(Boolean)).toHaveLength(12);
    expect(final.stop_reason).toBe('end_turn');
    // prompt = 3 + (3 + "hi" 1) = 7; 3 of them cached.
    expect(final.usage).toMatchObject({ input_tokens: 4, cache_read_input_tokens: 3, output_tokens: 12 });
  });

  test('tool_use input accumulates from several input_json_delta fragments', async () => {
    const calls = [
      { name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' },
      { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
    ];
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: user(`x ${mockDirective({ toolCalls: calls })}`) });
    const fragments: string[] = [];
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') fragments.push(e.delta.partial_json);
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.map((b) => (b.type === 'tool_use' ? [b.name, b.input] : b.type))).toEqual([
      ['get_weather', { city: 'Paris', unit: 'celsius' }],
      ['get_time', { tz: 'Europe/Paris' }],
    ]);
    expect(fragments.filter((f) => f !== '').length).toBeGreaterThan(6);
    expect(fragments.join('')).toBe(calls.map((c) => c.arguments).join(''));
  });
});

describe('errors map onto the SDK classes', () => {
  const create = (script: object, extra: Record<string, unknown> = {}) =>
    client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: user(`x ${mockDirective(script)}`), ...extra });

  test('429 → RateLimitError with retry-after and exhausted anthropic-ratelimit headers', async () => {
    const err = await create({ status: 429, retryAfterSeconds: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const e = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.headers?.get('retry-after')).toBe('7');
    expect(e.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(e.requestID).toMatch(/^req_01/);
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  test('400 context window, 500, 529, wrong key, unknown model, missing max_tokens', async () => {
    const tooLong = await create({ status: 400 }).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(Anthropic.BadRequestError);
    expect((tooLong as Error).message).toMatch(/prompt is too long: \d+ tokens > 200000 maximum/);

    const internal = await create({ status: 500 }).catch((e: unknown) => e);
    expect(internal).toBeInstanceOf(Anthropic.InternalServerError);
    expect((internal as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ error: { type: 'api_error' } });

    const overloaded = await create({ status: 529 }).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } });

    const bad = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: mock.baseUrl, maxRetries: 0 });
    const auth = await bad.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 5, messages: user('x') }).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((auth as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });

    const model = await create({}, { model: 'claude-nope' }).catch((e: unknown) => e);
    expect(model).toBeInstanceOf(Anthropic.NotFoundError);

    const noMax = await client.messages
      .create({ model: 'claude-sonnet-5-5', messages: user('x') } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(noMax).toBeInstanceOf(Anthropic.BadRequestError);
    expect((noMax as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
  });

  test('count_tokens reports the same input count as the message', async () => {
    const params = { model: 'claude-sonnet-5-5', system: 'Be brief.', messages: user(`Say hello. ${mockDirective({ tokens: 2 })}`) };
    const counted = await client.messages.countTokens(params);
    const res = await client.messages.create({ ...params, max_tokens: 10 });
    expect(counted.input_tokens).toBe(12);
    expect(res.usage.input_tokens).toBe(12);
  });

  test('count_tokens refuses a field the count does not take, max_tokens included, and answers a scripted fault', async () => {
    const params = { model: 'claude-sonnet-5-5', messages: user('Hi') };
    const extra = await client.messages.countTokens({ ...params, max_tokens: 10 } as unknown as Anthropic.MessageCountTokensParams).catch((e: unknown) => e);
    expect(extra).toBeInstanceOf(Anthropic.BadRequestError);
    expect((extra as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'invalid_request_error', message: 'max_tokens: Extra inputs are not permitted' },
    });
    mock.enqueue({ status: 529 });
    await expect(client.messages.countTokens(params)).rejects.toMatchObject({ status: 529 });
    // 3 + (3 + "Hi" 1), once the queue is empty.
    expect((await client.messages.countTokens(params)).input_tokens).toBe(7);
  });
});
