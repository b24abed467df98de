// Byte-level checks of the wire format: SSE framing, chunk shapes, headers, error bodies.

import { type MockProvider, mockDirective, startMockOpenAI } from './index';
import { chatBody, rawRequest, sseData } from './test-helpers';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockOpenAI();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const CHUNK_KEYS = ['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices'];
const chat = (content: string, extra: Record<string, unknown> = {}) => rawRequest(`${mock.baseUrl}/chat/completions`, { body: chatBody(content, extra) });

describe('SSE stream', () => {
  test('exact framing and chunk sequence with include_usage', async () => {
    const res = await chat(`hi ${mockDirective({ content: 'Hello, world!' })}`, {
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    // Every event is exactly "data: <compact json>\n\n", ending with the [DONE] sentinel.
    expect(res.body).toMatch(/^(data: \{[^\n]+\}\n\n)+data: \[DONE\]\n\n$/);
    const data = sseData(res.body);
    expect(data.pop()).toBe('[DONE]');
    const chunks = data.map((d) => JSON.parse(d));
    data.forEach((d, i) => expect(JSON.stringify(chunks[i])).toBe(d));

    const [first, ...rest] = chunks;
    expect(Object.keys(first)).toEqual([...CHUNK_KEYS, 'usage']);
    expect(first.object).toBe('chat.completion.chunk');
    expect(first.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    const usageChunk = rest.pop();
    const finish = rest.pop();
    expect(rest.map((c) => c.choices[0].delta)).toEqual([{ content: 'Hello' }, { content: ',' }, { content: ' world' }, { content: '!' }]);
    for (const c of rest) expect(c.choices[0]).toMatchObject({ logprobs: null, finish_reason: null });
    expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    // usage: null on every chunk but the last, which has choices: [] and the numbers.
    for (const c of [first, ...rest, finish]) expect(c.usage).toBeNull();
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
    // Same identity on every chunk.
    for (const c of chunks) {
      expect([c.id, c.created, c.model, c.system_fingerprint, c.service_tier]).toEqual([
        first.id,
        first.created,
        'gpt-4o-mini',
        first.system_fingerprint,
        'default',
      ]);
    }
  });

  test('without include_usage: no usage key at all and no usage chunk', async () => {
    const res = await chat(`hi ${mockDirective({ tokens: 3 })}`, { stream: true });
    const data = sseData(res.body);
    expect(data.pop()).toBe('[DONE]');
    const chunks = data.map((d) => JSON.parse(d));
    expect(chunks).toHaveLength(5);
    for (const c of chunks) {
      expect(Object.keys(c)).toEqual(CHUNK_KEYS);
      expect(c.choices).toHaveLength(1);
    }
  });

  test('omitUsage drops the usage chunk even when asked', async () => {
    const res = await chat(`hi ${mockDirective({ tokens: 3, omitUsage: true })}`, {
      stream: true,
      stream_options: { include_usage: true },
    });
    const data = sseData(res.body);
    expect(data.pop()).toBe('[DONE]');
    expect(data.map((d) => JSON.parse(d)).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
  });

  test('tool call deltas exactly as OpenAI streams them', async () => {
    const res = await chat(`x ${mockDirective({ toolCalls: [{ name: 'lookup', arguments: '{"q":"a b"}' }] })}`, {
      stream: true,
    });
    const chunks = sseData(res.body)
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    const deltas = chunks.map((c) => c.choices[0].delta);
    const id = deltas[0].tool_calls[0].id;
    expect(id).toMatch(/^call_/);
    expect(deltas[0]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id, type: 'function', function: { name: 'lookup', arguments: '' } }],
      refusal: null,
    });
    const fragments = deltas.slice(1, -1).map((d) => {
      expect(d).toEqual({ tool_calls: [{ index: 0, function: { arguments: expect.any(String) } }] });
      return d.tool_calls[0].function.arguments as string;
    });
    expect(fragments.length).toBeGreaterThan(3);
    expect(fragments.join('')).toBe('{"q":"a b"}');
    expect(chunks[chunks.length - 1].choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' });
  });

  test('n=2 streams both choices by index and finishes each', async () => {
    const res = await chat(`x ${mockDirective({ tokens: 2 })}`, { stream: true, n: 2 });
    const chunks = sseData(res.body)
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    const byIndex = [0, 1].map((i) => chunks.filter((c) => c.choices[0].index === i));
    for (const list of byIndex) {
      expect(list).toHaveLength(4);
      expect(list[0].choices[0].delta.role).toBe('assistant');
      expect(list[3].choices[0].finish_reason).toBe('stop');
    }
  });
});

describe('non-streamed shape and headers', () => {
  test('key order, usage details and OpenAI headers', async () => {
    const res = await chat('hello there');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(Object.keys(body)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage', 'service_tier', 'system_fingerprint']);
    expect(Math.abs(body.created - Date.now() / 1000)).toBeLessThan(5);
    expect(body.usage).toEqual({
      prompt_tokens: 8,
      completion_tokens: 16,
      total_tokens: 24,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
    const h = res.headers;
    expect(h['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(h['openai-version']).toBe('2020-10-01');
    expect(Number(h['openai-processing-ms'])).toBeGreaterThanOrEqual(0);
    for (const k of ['requests', 'tokens']) {
      expect(Number(h[`x-ratelimit-limit-${k}`])).toBeGreaterThan(0);
      expect(Number(h[`x-ratelimit-remaining-${k}`])).toBeLessThan(Number(h[`x-ratelimit-limit-${k}`]));
      expect(h[`x-ratelimit-reset-${k}`]).toMatch(/^[\d.]+m?s$/);
    }
  });

  test('same prompt and seed → same generated answer', async () => {
    const a = JSON.parse((await chat('repeat me', { seed: 7 })).body).choices[0].message.content;
    const b = JSON.parse((await chat('repeat me', { seed: 7 })).body).choices[0].message.content;
    const c = JSON.parse((await chat('repeat me', { seed: 8 })).body).choices[0].message.content;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('validation errors as OpenAI sends them', () => {
  const post = (body: unknown) => rawRequest(`${mock.baseUrl}/chat/completions`, { body });
  test.each([
    [{ messages: [{ role: 'user', content: 'x' }] }, { message: 'you must provide a model parameter', type: 'invalid_request_error', param: null, code: null }],
    [
      { model: 'm' },
      { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' },
    ],
    [
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'robot', content: 'y' },
        ],
      },
      {
        message: "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
        type: 'invalid_request_error',
        param: 'messages[1].role',
        code: 'invalid_value',
      },
    ],
    [{ model: 'm', messages: [] }, expect.objectContaining({ param: 'messages', code: 'empty_array' })],
    [
      { model: 'm', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } },
      expect.objectContaining({ param: 'stream_options', message: expect.stringMatching(/only allowed when 'stream' is enabled/) }),
    ],
  ])('%j → 400', async (body, error) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error });
  });

  test('malformed JSON, bad directive, unknown URL', async () => {
    const bad = await post('{"model":');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/^We could not parse the JSON body of your request\./);
    const dir = await post(chatBody('[[mock {"tokenz":3}]]'));
    expect(dir.status).toBe(400);
    expect(JSON.parse(dir.body).error.message).toBe("mock directive: unknown mock script field 'tokenz'");
    const nf = await rawRequest(`${mock.baseUrl}/nope`, { method: 'POST', body: {} });
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body)).toEqual({
      error: { message: 'Invalid URL (POST /v1/nope)', type: 'invalid_request_error', param: null, code: null },
    });
  });
});

describe('auth', () => {
  test('missing key → 401 with OpenAI’s message; wrong key masked', async () => {
    const m = await startMockOpenAI({ apiKey: 'sk-right' });
    try {
      const none = await rawRequest(`${m.baseUrl}/models`);
      expect(none.status).toBe(401);
      expect(JSON.parse(none.body).error.message).toMatch(/^You didn't provide an API key\./);
      const wrong = await rawRequest(`${m.baseUrl}/models`, {
        headers: { authorization: 'Bearer sk-proj-abcdefghijklmnopqrstuvwxyz1234' },
      });
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.body).error).toEqual({
        message:
          // First 8 and last 4 characters kept, the 26 between masked.
          `Incorrect API key provided: sk-proj-${'*'.repeat(26)}1234. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
      const ok = await rawRequest(`${m.baseUrl}/models`, { headers: { authorization: 'Bearer sk-right' } });
      expect(ok.status).toBe(200);
      // Control endpoints stay open.
      expect((await rawRequest(`${m.url}/__mock/requests`)).status).toBe(200);
    } finally {
      await m.close();
    }
  });
});

describe('embeddings on the wire', () => {
  test('float, token-array input, and invalid input', async () => {
    const res = await rawRequest(`${mock.baseUrl}/embeddings`, {
      body: {
        model: 'text-embedding-3-large',
        input: [
          [1, 2, 3],
          [1, 2, 3],
        ],
        encoding_format: 'float',
      },
    });
    const body = JSON.parse(res.body);
    expect(Object.keys(body)).toEqual(['object', 'data', 'model', 'usage']);
    expect(body.data[0]).toEqual({ object: 'embedding', index: 0, embedding: expect.any(Array) });
    expect(body.data[0].embedding).toHaveLength(3072);
    expect(body.data[1].embedding).toEqual(body.data[0].embedding);
    expect(body.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    const bad = await rawRequest(`${mock.baseUrl}/embeddings`, { body: { model: 'text-embedding-3-small', input: '' } });
    expect(bad.status).toBe(400);
  });
});
