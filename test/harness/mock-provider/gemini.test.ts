// Wire checks of the Gemini dialect against the published shapes: GenerateContentResponse,
// usageMetadata, alt=sse chunks (CRLF, no [DONE]), google.rpc errors, embeddings; timing, cut,
// hang; and the all-dialects server.

import { waitFor } from '../wait-for';
import { type MockProvider, mockDirective, startMockGemini, startMockProviders } from './index';
import { crlfSseData, rawRequest, sseData, sseEvents } from './test-helpers';
import type { MockScript } from './types';

const KEY = 'AIza-mock-key';
let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockGemini({ apiKey: KEY });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const MODEL = 'gemini-2.5-flash';
const call = (method: string, body: unknown, opts: { query?: string; headers?: Record<string, string> } = {}) =>
  rawRequest(`${mock.url}/v1beta/models/${MODEL}:${method}${opts.query ?? ''}`, {
    headers: opts.headers ?? { 'x-goog-api-key': KEY },
    body,
  });
const ask = (text: string, extra: Record<string, unknown> = {}) => ({ contents: [{ role: 'user', parts: [{ text }] }], ...extra });

describe('generateContent', () => {
  test('response shape, pretty JSON, usage with cached and thoughts tokens', async () => {
    const res = await call(
      'generateContent',
      ask(`Say hello. ${mockDirective({ content: 'Hello, world!', cachedTokens: 2, reasoningTokens: 5 })}`, {
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=UTF-8');
    const body = JSON.parse(res.body);
    expect(res.body).toBe(`${JSON.stringify(body, null, 2)}\n`);
    expect(Object.keys(body)).toEqual(['candidates', 'usageMetadata', 'modelVersion', 'responseId']);
    expect(body.candidates).toEqual([{ content: { parts: [{ text: 'Hello, world!' }], role: 'model' }, finishReason: 'STOP', index: 0 }]);
    // prompt = "Be brief." 3 + "Say hello." 3 = 6 (no per-message overhead); cached is part of it.
    expect(body.usageMetadata).toEqual({
      promptTokenCount: 6,
      candidatesTokenCount: 4,
      totalTokenCount: 15,
      cachedContentTokenCount: 2,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 6 }],
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }],
      thoughtsTokenCount: 5,
    });
    expect(body.modelVersion).toBe(MODEL);
    expect(body.responseId).toMatch(/^[A-Za-z0-9_-]{23}$/);
  });

  test('functionCall parts with parsed args; MAX_TOKENS and SAFETY finish reasons; candidateCount', async () => {
    const fn = JSON.parse(
      (await call('generateContent', ask(`x ${mockDirective({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] })}`))).body,
    );
    expect(fn.candidates[0].content.parts).toEqual([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }]);
    expect(fn.candidates[0].finishReason).toBe('STOP');
    const max = JSON.parse(
      (await call('generateContent', ask(`x ${mockDirective({ tokens: 20 })}`, { generationConfig: { maxOutputTokens: 4, candidateCount: 2 } }))).body,
    );
    expect(max.candidates.map((c: { finishReason: string; index: number }) => [c.index, c.finishReason])).toEqual([
      [0, 'MAX_TOKENS'],
      [1, 'MAX_TOKENS'],
    ]);
    expect(max.usageMetadata.candidatesTokenCount).toBe(8);
    const safety = JSON.parse((await call('generateContent', ask(`x ${mockDirective({ finishReason: 'content_filter' })}`))).body);
    expect(safety.candidates[0].finishReason).toBe('SAFETY');
  });
});

describe('streamGenerateContent', () => {
  test('alt=sse: CRLF frames, text split across chunks, usage without candidatesTokenCount until the last, no [DONE]', async () => {
    const res = await call('streamGenerateContent', ask(`hi ${mockDirective({ content: 'Hello, world!' })}`), { query: '?alt=sse' });
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.body).toMatch(/^(data: \{[^\r\n]+\}\r\n\r\n)+$/);
    expect(res.body).not.toContain('[DONE]');
    const raw = crlfSseData(res.body);
    // Google's serializer: `": "` after keys, no space after commas.
    expect(raw[0].startsWith('{"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"},"index": 0}],"usageMetadata": {')).toBe(true);
    const chunks = raw.map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text)).toEqual(['Hello', ',', ' world', '!']);
    const last = chunks.pop();
    for (const c of chunks) {
      expect(c.usageMetadata).toEqual({ promptTokenCount: 1, totalTokenCount: 1, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1 }] });
      expect(c.candidates[0].finishReason).toBeUndefined();
    }
    expect(last.candidates[0].finishReason).toBe('STOP');
    expect(last.usageMetadata).toMatchObject({ promptTokenCount: 1, candidatesTokenCount: 4, totalTokenCount: 5 });
    expect(new Set([...chunks, last].map((c) => c.responseId)).size).toBe(1);
  });

  test('each functionCall arrives whole in its own chunk; without alt=sse a JSON array streams', async () => {
    const calls = [
      { name: 'a', arguments: '{"x": 1}' },
      { name: 'b', arguments: '{"y": [2, 3]}' },
    ];
    const res = await call('streamGenerateContent', ask(`x ${mockDirective({ toolCalls: calls })}`), { query: '?alt=sse' });
    const chunks = crlfSseData(res.body).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.candidates[0].content.parts)).toEqual([
      [{ functionCall: { name: 'a', args: { x: 1 } } }],
      [{ functionCall: { name: 'b', args: { y: [2, 3] } } }],
    ]);
    const array = await call('streamGenerateContent', ask(`x ${mockDirective({ content: 'a b c' })}`));
    expect(array.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(
      JSON.parse(array.body).map((c: { candidates: Array<{ content: { parts: Array<{ text: string }> } }> }) => c.candidates[0].content.parts[0].text),
    ).toEqual(['a', ' b', ' c']);
  });

  test('ttft and tokens-per-second applied; cutAfterTokens breaks after N chunks', async () => {
    const res = await call('streamGenerateContent', ask(`x ${mockDirective({ tokens: 11, ttftMs: 200, tokensPerSecond: 50 })}`), { query: '?alt=sse' });
    expect(res.reads[0].at).toBeGreaterThanOrEqual(190);
    // 10 gaps of 20 ms: ~200 ms. Unpaced output would spread ~0 ms; a late first read under load shortens it.
    expect(res.reads[res.reads.length - 1].at - res.reads[0].at).toBeGreaterThanOrEqual(100);
    const cut = await call('streamGenerateContent', ask(`x ${mockDirective({ tokens: 10, cutAfterTokens: 3 })}`), { query: '?alt=sse' });
    expect(cut.broken).toBe(true);
    expect(crlfSseData(cut.body)).toHaveLength(3);
  });
});

describe('auth and errors as Google answers them', () => {
  test('wrong key → 400 API_KEY_INVALID; missing → 403; ?key= accepted', async () => {
    const wrong = await call('generateContent', ask('x'), { headers: { 'x-goog-api-key': 'bad' } });
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body)).toEqual({
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
          { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
        ],
      },
    });
    const missing = await call('generateContent', ask('x'), { headers: {} });
    expect([missing.status, JSON.parse(missing.body).error.status]).toEqual([403, 'PERMISSION_DENIED']);
    expect((await call('generateContent', ask('x'), { headers: {}, query: `?key=${KEY}` })).status).toBe(200);
  });

  test('429 RESOURCE_EXHAUSTED with RetryInfo; 500 INTERNAL; 503 UNAVAILABLE; 400 token limit', async () => {
    const err = async (script: object) => {
      const r = await call('generateContent', ask(`x ${mockDirective(script)}`));
      return { status: r.status, error: JSON.parse(r.body).error };
    };
    const quota = await err({ status: 429, retryAfterSeconds: 7 });
    expect(quota.status).toBe(429);
    expect(quota.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(quota.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' });
    expect((await err({ status: 500 })).error).toMatchObject({ code: 500, status: 'INTERNAL' });
    expect((await err({ status: 503 })).error).toEqual({ code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' });
    const big = await err({ status: 400 });
    expect(big.error.status).toBe('INVALID_ARGUMENT');
    expect(big.error.message).toMatch(/^The input token count \(\d+\) exceeds the maximum number of tokens allowed \(1048576\)\.$/);
  });

  test('hang answers nothing until close() ends it', async () => {
    const other = await startMockGemini();
    const pending = rawRequest(`${other.url}/v1beta/models/m:generateContent`, { body: ask(`x ${mockDirective({ hang: true })}`) }).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await waitFor(() => (other.requests.length === 1 ? true : undefined));
    await other.close();
    expect(await pending).toMatch(/socket hang up|ECONNRESET/);
  });
});

describe('embeddings and countTokens', () => {
  test('embedContent / batchEmbedContents: unit vectors, native or asked dimensions, deterministic', async () => {
    const one = JSON.parse((await call('embedContent', { content: { parts: [{ text: 'red apples' }] } })).body);
    expect(one.embedding.values).toHaveLength(768);
    const norm = Math.sqrt(one.embedding.values.reduce((s: number, x: number) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 6);
    const batch = JSON.parse(
      (
        await call('batchEmbedContents', {
          requests: [
            { model: `models/${MODEL}`, content: { parts: [{ text: 'red apples' }] } },
            { model: `models/${MODEL}`, content: { parts: [{ text: 'red apples' }] }, outputDimensionality: 64 },
          ],
        })
      ).body,
    );
    expect(batch.embeddings[0].values).toEqual(one.embedding.values);
    expect(batch.embeddings[1].values).toHaveLength(64);
    const counted = JSON.parse((await call('countTokens', ask('Say hello.'))).body);
    expect(counted.totalTokens).toBe(3);
  });

  test('countTokens of a whole generateContentRequest counts its system instruction and tools; it needs the model', async () => {
    const generate = ask('Say hello.', { systemInstruction: { parts: [{ text: 'Be brief.' }] } });
    const whole = await call('countTokens', { generateContentRequest: { model: `models/${MODEL}`, ...generate } });
    // "Be brief." 3 + "Say hello." 3.
    expect(JSON.parse(whole.body)).toEqual({ totalTokens: 6, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 6 }] });
    const noModel = await call('countTokens', { generateContentRequest: generate });
    expect(noModel.status).toBe(400);
    expect(JSON.parse(noModel.body).error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringContaining('GenerateContentRequest.model') });
    const both = await call('countTokens', { ...generate, generateContentRequest: { model: `models/${MODEL}`, ...generate } });
    expect(both.status).toBe(400);
  });

  test('countTokens answers a scripted fault as generateContent would', async () => {
    mock.enqueue({ status: 503 });
    const overloaded = await call('countTokens', ask('Say hello.'));
    expect(overloaded.status).toBe(503);
    expect(JSON.parse(overloaded.body).error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
  });
});

describe('startMockProviders: three dialects on one port', () => {
  test('each route speaks its dialect; the queue is shared', async () => {
    const all = await startMockProviders({ apiKey: 'k' });
    try {
      all.enqueue({ content: 'from queue' });
      const g = await rawRequest(`${all.baseUrls.gemini}/v1beta/models/m:generateContent`, { headers: { 'x-goog-api-key': 'k' }, body: ask('x') });
      expect(JSON.parse(g.body).candidates[0].content.parts[0].text).toBe('from queue');
      const a = await rawRequest(`${all.baseUrls.anthropic}/v1/messages`, {
        headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        body: { model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] },
      });
      expect(sseEvents(a.body)[0].event).toBe('message_start');
      const o = await rawRequest(`${all.baseUrls.openai}/chat/completions`, {
        headers: { authorization: 'Bearer k' },
        body: { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] },
      });
      expect(sseData(o.body).pop()).toBe('[DONE]');
      // reasoningTokens in the OpenAI dialect: hidden output, counted in completion_tokens.
      const r = await rawRequest(`${all.baseUrls.openai}/chat/completions`, {
        headers: { authorization: 'Bearer k' },
        body: { model: 'm', messages: [{ role: 'user', content: `x ${mockDirective({ tokens: 2, reasoningTokens: 5 })}` }] },
      });
      expect(JSON.parse(r.body).usage).toMatchObject({ completion_tokens: 7, completion_tokens_details: { reasoning_tokens: 5 } });
      // Each dialect's auth on its own routes.
      const badA = await rawRequest(`${all.url}/v1/messages`, { headers: { authorization: 'Bearer k' }, body: {} });
      expect(JSON.parse(badA.body).error.type).toBe('invalid_request_error'); // key ok, version missing
      expect(all.requests.map((q) => q.path)).toEqual([
        '/v1beta/models/m:generateContent',
        '/v1/messages',
        '/v1/chat/completions',
        '/v1/chat/completions',
        '/v1/messages',
      ]);
    } finally {
      await all.close();
    }
  });
});

describe('blocked prompts and filter stops', () => {
  test('blockReason: no candidates, promptFeedback (ratings for SAFETY), usage for the prompt alone; streamed, the one chunk', async () => {
    const blocked = JSON.parse((await call('generateContent', ask(`Tell me ${mockDirective({ blockReason: 'SAFETY' })}`))).body);
    expect(Object.keys(blocked)).toEqual(['promptFeedback', 'usageMetadata', 'modelVersion', 'responseId']);
    expect(blocked.promptFeedback.blockReason).toBe('SAFETY');
    expect(blocked.promptFeedback.safetyRatings).toContainEqual({ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH' });
    expect(blocked.usageMetadata).toMatchObject({ promptTokenCount: 2, totalTokenCount: 2 });
    expect(blocked.usageMetadata.candidatesTokenCount).toBeUndefined();
    const script = { blockReason: 'MODEL_ARMOR', blockReasonMessage: 'Blocked by Model Armor.' };
    const streamed = await call('streamGenerateContent', ask(`Tell me ${mockDirective(script)}`), { query: '?alt=sse' });
    const chunks = crlfSseData(streamed.body).map((d) => JSON.parse(d));
    expect(chunks).toHaveLength(1);
    expect(chunks[0].promptFeedback).toEqual({ blockReason: 'MODEL_ARMOR', blockReasonMessage: 'Blocked by Model Armor.' });
    expect(chunks[0].candidates).toBeUndefined();
  });

  test('geminiFinishReason names the last chunk’s reason; a SAFETY stop carries its ratings, the stopping one blocked', async () => {
    const stream = await call('streamGenerateContent', ask(`x ${mockDirective({ tokens: 2, geminiFinishReason: 'PROHIBITED_CONTENT' })}`), {
      query: '?alt=sse',
    });
    const last = JSON.parse(crlfSseData(stream.body).pop()!);
    expect(last.candidates[0].finishReason).toBe('PROHIBITED_CONTENT');
    expect(last.candidates[0].safetyRatings).toBeUndefined();
    const safety = JSON.parse((await call('generateContent', ask(`x ${mockDirective({ finishReason: 'content_filter' })}`))).body);
    expect(safety.candidates[0].safetyRatings).toContainEqual({ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true });
  });
});

describe('compressed answers', () => {
  const fetchCall = (method: string, script: MockScript, query = '') =>
    fetch(`${mock.url}/v1beta/models/${MODEL}:${method}${query}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(ask(`x ${mockDirective(script)}`)),
    });

  // fetch decodes every coding itself: an independent check of what the mock sends.
  test.each(['gzip', 'deflate', 'br'] as const)('%s: JSON and SSE leave with that Content-Encoding and decode to the same answer', async (contentEncoding) => {
    const json = await fetchCall('generateContent', { content: 'Hello, world!', contentEncoding });
    expect(json.headers.get('content-encoding')).toBe(contentEncoding);
    expect(json.headers.get('content-length')).toBeNull();
    const body = (await json.json()) as { candidates: Array<{ content: { parts: unknown } }> };
    expect(body.candidates[0].content.parts).toEqual([{ text: 'Hello, world!' }]);
    const sse = await fetchCall('streamGenerateContent', { content: 'Hello, world!', contentEncoding }, '?alt=sse');
    expect(sse.headers.get('content-encoding')).toBe(contentEncoding);
    const texts = crlfSseData(await sse.text()).map((d) => JSON.parse(d).candidates[0].content.parts[0].text);
    expect(texts.join('')).toBe('Hello, world!');
  });

  test.each(['gzip', 'deflate', 'br'] as const)(
    '%s faults: a corrupt body fails to decode; a bomb decodes to zeros and keeps coming',
    async (contentEncoding) => {
      const corrupt = await fetchCall('generateContent', { contentEncoding, encodingFault: 'corrupt' });
      await expect(corrupt.arrayBuffer()).rejects.toThrow();
      const bomb = await fetchCall('generateContent', { contentEncoding, encodingFault: 'bomb' });
      const reader = bomb.body!.getReader();
      let zeros = 0;
      let other = 0;
      while (zeros + other < 8 << 20) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the bomb ended early');
        for (const byte of value) {
          if (byte === 0) zeros++;
          else other++;
        }
      }
      await reader.cancel();
      expect(other).toBe(0);
    },
  );
});
