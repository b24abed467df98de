// The official `openai` SDK (v6) as the client: if it parses the mock, so will real clients.

import OpenAI from 'openai';
import { type MockProvider, mockDirective, startMockOpenAI } from './index';

const KEY = 'sk-test-0123456789abcdefWXYZ';
let mock: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ apiKey: KEY, models: ['gpt-4o-mini', 'text-embedding-3-small', 'text-embedding-ada-002'] });
  client = new OpenAI({ apiKey: KEY, baseURL: mock.baseUrl, maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('chat completions', () => {
  test('non-streamed answer with usage, ids and fingerprint', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: `Say hello. ${mockDirective({ content: 'Hello, world!', cachedTokens: 4 })}` },
      ],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(res.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0].message).toEqual({ role: 'assistant', content: 'Hello, world!', refusal: null, annotations: [] });
    expect(res.choices[0].finish_reason).toBe('stop');
    // prompt = 3 + (3 + "Be brief." 3) + (3 + "Say hello." 3) = 15; answer "Hello, world!" = 4.
    expect(res.usage).toMatchObject({ prompt_tokens: 15, completion_tokens: 4, total_tokens: 19 });
    expect(res.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
  });

  test('max_tokens truncates with finish_reason length; n gives n choices', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `go ${mockDirective({ tokens: 30 })}` }],
      max_completion_tokens: 7,
      n: 3,
    });
    expect(res.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const c of res.choices) expect(c.finish_reason).toBe('length');
    expect(res.usage?.completion_tokens).toBe(21);
    // Same seed text, different choice index: different generated answers.
    expect(new Set(res.choices.map((c) => c.message.content)).size).toBeGreaterThan(1);
  });

  test('streamed with include_usage: content and usage add up', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `hi ${mockDirective({ tokens: 12 })}` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    // role chunk + 12 tokens + finish chunk + usage chunk
    expect(chunks).toBe(15);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(12);
    expect(usage?.prompt_tokens).toBe(7);
    expect(text.split(/\s+|(?=\.)/).filter(Boolean)).toHaveLength(12);
  });

  test('streamed tool calls accumulate through the SDK stream helper', async () => {
    const calls = [
      { name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' },
      { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
    ];
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `weather? ${mockDirective({ toolCalls: calls })}` }],
      tools: calls.map((c) => ({ type: 'function' as const, function: { name: c.name, parameters: { type: 'object' } } })),
    });
    const fragments: string[] = [];
    runner.on('chunk', (c) => {
      const tc = c.choices[0]?.delta.tool_calls?.[0];
      if (tc && tc.id === undefined) {
        // Later deltas carry only index and an arguments fragment, as OpenAI streams them.
        expect(Object.keys(tc)).toEqual(['index', 'function']);
        expect(Object.keys(tc.function ?? {})).toEqual(['arguments']);
        fragments.push(tc.function?.arguments ?? '');
      }
    });
    const final = await runner.finalChatCompletion();
    const msg = final.choices[0].message;
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(msg.tool_calls?.map((t) => t.type === 'function' && [t.function.name, t.function.arguments])).toEqual(calls.map((c) => [c.name, c.arguments]));
    expect(msg.tool_calls?.every((t) => /^call_[A-Za-z0-9]{24}$/.test(t.id))).toBe(true);
    expect(fragments.length).toBeGreaterThan(4);
  });
});

describe('embeddings', () => {
  test('SDK default (base64) decodes to the same unit vector as float', async () => {
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['the cat sat', 'the cat sat'] });
    const viaFloat = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'the cat sat',
      encoding_format: 'float',
    });
    const v = viaBase64.data[0].embedding;
    expect(v).toHaveLength(1536);
    expect(viaBase64.data[1].embedding).toEqual(v);
    const f = viaFloat.data[0].embedding;
    expect(f).toHaveLength(1536);
    v.forEach((x, i) => expect(x).toBeCloseTo(f[i], 6));
    expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
    expect(viaBase64.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    // The request really asked for base64 (the SDK's default).
    expect((mock.requests[0].body as { encoding_format: string }).encoding_format).toBe('base64');
  });

  test('dimensions and similarity', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['how do I reset my password', 'how can I reset my password', 'quarterly revenue grew strongly'],
      dimensions: 256,
    });
    const [a, b, c] = res.data.map((d) => d.embedding);
    expect(a).toHaveLength(256);
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(cos(a, b)).toBeGreaterThan(0.7);
    expect(Math.abs(cos(a, c))).toBeLessThan(0.3);
  });

  test('ada-002 refuses dimensions', async () => {
    await expect(client.embeddings.create({ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('models', () => {
  test('list and retrieve', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['gpt-4o-mini', 'text-embedding-3-small', 'text-embedding-ada-002']);
    const m = await client.models.retrieve('gpt-4o-mini');
    expect(m).toMatchObject({ id: 'gpt-4o-mini', object: 'model', owned_by: 'system' });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('errors as SDK classes', () => {
  const ask = (script: object) => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `x ${mockDirective(script)}` }] });

  test('429 → RateLimitError with retry-after', async () => {
    const err = await ask({ status: 429, retryAfterSeconds: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.headers?.get('retry-after')).toBe('7');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers?.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  test('400 → BadRequestError context_length_exceeded', async () => {
    const err = await ask({ status: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.code).toBe('context_length_exceeded');
    expect(e.param).toBe('messages');
    expect(e.message).toMatch(/^400 This model's maximum context length is 128000 tokens\. However, your messages resulted in \d+ tokens\./);
  });

  test('500 and 503 → InternalServerError with server_error type', async () => {
    for (const status of [500, 503]) {
      const err = await ask({ status }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.InternalServerError);
      expect((err as InstanceType<typeof OpenAI.InternalServerError>).type).toBe('server_error');
      expect((err as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(status);
    }
  });

  test('wrong key → AuthenticationError with the masked key', async () => {
    const bad = new OpenAI({ apiKey: 'sk-abcdefgh12345678wxyz', baseURL: mock.baseUrl, maxRetries: 0 });
    const err = await bad.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    const e = err as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(e.code).toBe('invalid_api_key');
    expect(e.error).toEqual({
      message: 'Incorrect API key provided: sk-abcde***********wxyz. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });
  });

  test('unknown model → NotFoundError model_not_found', async () => {
    const err = await client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).message).toBe('404 The model `gpt-9` does not exist or you do not have access to it.');
  });

  test('hang → the client times out on its own', async () => {
    const t0 = Date.now();
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `x ${mockDirective({ hang: true })}` }] }, { timeout: 300 })
      .catch((e: unknown) => e);
    // APIConnectionTimeoutError outside jest; under jest the fetch AbortError comes from another
    // realm and the SDK reports its parent class. Either way: the client's own timeout fired.
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(mock.requests).toHaveLength(1);
  });

  test('cut stream → iteration fails, no finish_reason seen', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `x ${mockDirective({ tokens: 10, cutAfterTokens: 3 })}` }],
      stream: true,
    });
    const seen: string[] = [];
    const run = async () => {
      for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? '');
    };
    await expect(run()).rejects.toThrow();
    expect(seen.filter(Boolean)).toHaveLength(3);
  });
});

describe('responses input_tokens', () => {
  test('counts a Responses input as OpenAI answers it, items by the chat rule', async () => {
    const counted = await client.responses.inputTokens.count({
      model: 'gpt-4o-mini',
      input: [
        { type: 'message', role: 'system', content: 'Be brief.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'greet', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Hello' },
      ],
    });
    // 3 + (3 + "Be brief." 3) + (3 + "Say hello." 3) + (3 + "greet" 1 + "{}" 2) + (3 + "Hello" 1) = 25
    expect(counted).toEqual({ object: 'response.input_tokens', input_tokens: 25 });
  });

  test('refuses an unknown item type and a model it does not serve; answers scripted faults', async () => {
    const unknownItem = client.responses.inputTokens.count({ model: 'gpt-4o-mini', input: [{ type: 'nonsense' } as never] });
    await expect(unknownItem).rejects.toMatchObject({ status: 400, param: 'input[0].type' });
    await expect(client.responses.inputTokens.count({ model: 'gpt-nope', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    mock.enqueue({ status: 500 });
    await expect(client.responses.inputTokens.count({ model: 'gpt-4o-mini', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });
});
