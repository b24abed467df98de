// Byte-level checks of the Anthropic dialect: SSE event sequence and framing, headers, auth and
// version errors, timing, cut and hang.

import { waitFor } from '../wait-for';
import { type MockProvider, mockDirective, startMockAnthropic } from './index';
import { rawRequest, sseEvents } from './test-helpers';

const KEY = 'sk-ant-wire';
const HEADERS = { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' };
let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockAnthropic({ apiKey: KEY });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const send = (content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = HEADERS) =>
  rawRequest(`${mock.url}/v1/messages`, {
    headers,
    body: { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content }], ...extra },
  });

describe('SSE event sequence', () => {
  test('text: exact framing, event order, usage in message_start and message_delta', async () => {
    const res = await send(`hi ${mockDirective({ content: 'Hello, world!', cachedTokens: 2 })}`, { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['request-id']).toMatch(/^req_01/);
    const events = sseEvents(res.body);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = events.map((e) => JSON.parse(e.data));
    // The event name repeats the data's type; the data is compact JSON.
    events.forEach((e, i) => {
      expect(data[i].type).toBe(e.event);
      expect(JSON.stringify(data[i])).toBe(e.data);
    });
    const start = data[0].message;
    expect(Object.keys(start)).toEqual(['model', 'id', 'type', 'role', 'content', 'stop_reason', 'stop_sequence', 'stop_details', 'usage']);
    expect(start).toMatchObject({ content: [], stop_reason: null, stop_sequence: null });
    // prompt = 3 + (3 + "hi" 1) = 7, of which 2 cached.
    expect(start.usage).toMatchObject({ input_tokens: 5, cache_read_input_tokens: 2, cache_creation_input_tokens: 0, output_tokens: 1 });
    expect(data[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(data.slice(3, 7).map((d) => d.delta)).toEqual(['Hello', ',', ' world', '!'].map((text) => ({ type: 'text_delta', text })));
    expect(data[7]).toEqual({ type: 'content_block_stop', index: 0 });
    expect(data[8]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null, stop_details: null },
      usage: { input_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 2, output_tokens: 4 },
    });
  });

  test('tool_use: one block per call, input_json_delta fragments concatenate to the arguments', async () => {
    const args = '{"city": "Paris", "days": 3}';
    const res = await send(
      `x ${mockDirective({
        toolCalls: [
          { name: 'a', arguments: args },
          { name: 'b', arguments: '{}' },
        ],
      })}`,
      { stream: true },
    );
    const data = sseEvents(res.body).map((e) => JSON.parse(e.data));
    const kinds = data.map((d) => (d.type === 'content_block_delta' ? `delta${d.index}` : d.type));
    expect(kinds[0]).toBe('message_start');
    expect(kinds.filter((k) => k === 'content_block_start')).toHaveLength(2);
    expect(kinds.indexOf('content_block_stop')).toBeLessThan(kinds.lastIndexOf('content_block_start'));
    expect(kinds.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const starts = data.filter((d) => d.type === 'content_block_start');
    expect(starts[0].content_block).toEqual({ type: 'tool_use', id: expect.stringMatching(/^toolu_01/), name: 'a', input: {} });
    const frags = data.filter((d) => d.type === 'content_block_delta' && d.index === 0).map((d) => d.delta.partial_json);
    expect(frags.length).toBeGreaterThan(5);
    expect(frags.join('')).toBe(args);
    expect(data.find((d) => d.type === 'message_delta').delta.stop_reason).toBe('tool_use');
  });
});

describe('thinking', () => {
  const thinking = 'Paris first, then call the tool.';
  const toolCalls = [{ name: 'get_weather', arguments: '{"city":"Paris"}' }];

  test('streamed: a thinking block (a delta per token, then the signature) before the answer blocks, counted as output', async () => {
    const res = await send(`x ${mockDirective({ thinking, toolCalls })}`, { stream: true });
    const data = sseEvents(res.body).map((e) => JSON.parse(e.data));
    expect(data[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
    const deltas = data.filter((d) => d.type === 'content_block_delta' && d.index === 0).map((d) => d.delta);
    expect(deltas.length).toBeGreaterThan(2);
    expect(
      deltas
        .slice(0, -1)
        .map((d) => d.thinking)
        .join(''),
    ).toBe(thinking);
    const signature = deltas.at(-1);
    expect(signature).toEqual({ type: 'signature_delta', signature: expect.stringMatching(/^mocksig_/) });
    // The thinking block stops before the tool_use block (index 1) starts.
    const order = data.map((d) => `${d.type}${d.index ?? ''}`);
    expect(order.indexOf('content_block_stop0')).toBeLessThan(order.indexOf('content_block_start1'));
    expect(data.filter((d) => d.type === 'content_block_start')[1].content_block).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    expect(order.slice(-3)).toEqual(['content_block_stop1', 'message_delta', 'message_stop']);
    // The thinking's 8 tokens are output on top of the call's.
    const plain = sseEvents((await send(`x ${mockDirective({ toolCalls })}`, { stream: true })).body).map((e) => JSON.parse(e.data));
    expect(data.at(-2).usage.output_tokens).toBe(plain.at(-2).usage.output_tokens + 8);

    const whole = JSON.parse((await send(`x ${mockDirective({ thinking, toolCalls })}`)).body);
    expect(whole.content[0]).toEqual({ type: 'thinking', thinking, signature: signature.signature });
    expect(whole.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
  });

  test('replayed thinking must keep the signature the mock gave its text, as Anthropic requires', async () => {
    const whole = JSON.parse((await send(`x ${mockDirective({ thinking, toolCalls })}`)).body);
    const turn = (content: unknown[]) =>
      rawRequest(`${mock.url}/v1/messages`, {
        headers: HEADERS,
        body: {
          model: 'claude-haiku-4-5',
          max_tokens: 100,
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: whole.content[1].id, content: '21' }] },
          ],
        },
      });
    expect((await turn(whole.content)).status).toBe(200);
    const forged = await turn([{ ...whole.content[0], signature: 'forged' }, whole.content[1]]);
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.body).error).toEqual({ type: 'invalid_request_error', message: 'messages.1.content.0: Invalid `signature` in `thinking` block' });
    expect((await turn([{ ...whole.content[0], thinking: 'edited' }, whole.content[1]])).status).toBe(400);
  });
});

describe('errors inside a stream', () => {
  test('streamErrorAfterTokens ends the stream with `event: error` where the next delta would be', async () => {
    const early = sseEvents((await send(`x ${mockDirective({ tokens: 5, streamErrorAfterTokens: 0 })}`, { stream: true })).body);
    expect(early.map((e) => e.event)).toEqual(['message_start', 'error']);
    expect(early[1].data).toBe('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');

    const late = sseEvents((await send(`x ${mockDirective({ tokens: 5, streamErrorAfterTokens: 2, streamErrorType: 'api_error' })}`, { stream: true })).body);
    expect(late.filter((e) => e.event === 'content_block_delta')).toHaveLength(2);
    expect(late.at(-1)).toEqual({ event: 'error', data: '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}' });
  });
});

describe('auth and required headers', () => {
  test('wrong, missing key → 401 authentication_error; x-api-key accepted', async () => {
    const wrong = await send('x', {}, { ...HEADERS, 'x-api-key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
      request_id: wrong.headers['request-id'],
    });
    const missing = await send('x', {}, { 'anthropic-version': '2023-06-01' });
    expect(JSON.parse(missing.body).error).toEqual({ type: 'authentication_error', message: 'x-api-key header is required' });
    expect((await send('x')).status).toBe(200);
  });

  test('anthropic-version missing → 400; max_tokens missing → 400; unknown route → 404 not_found_error', async () => {
    const noVersion = await send('x', {}, { 'x-api-key': KEY });
    expect(noVersion.status).toBe(400);
    expect(JSON.parse(noVersion.body).error).toEqual({ type: 'invalid_request_error', message: 'anthropic-version: header is required' });
    const noMax = await rawRequest(`${mock.url}/v1/messages`, { headers: HEADERS, body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
    expect(noMax.status).toBe(400);
    expect(JSON.parse(noMax.body).error.message).toBe('max_tokens: Field required');
    const route = await rawRequest(`${mock.url}/v1/messages/nope`, { headers: HEADERS, body: {} });
    expect(route.status).toBe(404);
    expect(JSON.parse(route.body).error.type).toBe('not_found_error');
  });

  test('429 carries retry-after and anthropic-ratelimit-* headers; errorBody replaces the body', async () => {
    const res = await send(`x ${mockDirective({ status: 429, retryAfterSeconds: 3 })}`);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(res.headers['anthropic-ratelimit-requests-reset']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const custom = await send(`x ${mockDirective({ status: 529, errorBody: 'busy' })}`);
    expect([custom.status, custom.body]).toEqual([529, 'busy']);
  });
});

describe('timing, cut, hang', () => {
  test('ttft delays message_start; text deltas arrive at tokens-per-second', async () => {
    const res = await send(`x ${mockDirective({ tokens: 11, ttftMs: 200, tokensPerSecond: 50 })}`, { stream: true });
    const deltas = res.reads.filter((r) => r.text.includes('text_delta'));
    expect(res.reads[0].at).toBeGreaterThanOrEqual(190);
    // 10 gaps of 20 ms.
    // ~200 ms of pacing; unpaced output would spread ~0 ms, and a late first read under load shortens it.
    expect(deltas[deltas.length - 1].at - deltas[0].at).toBeGreaterThanOrEqual(100);
    expect(deltas.length).toBeGreaterThanOrEqual(8);
  });

  test('cutAfterTokens breaks the stream after N deltas; non-streamed resets before any byte', async () => {
    const res = await send(`x ${mockDirective({ tokens: 10, cutAfterTokens: 3 })}`, { stream: true });
    expect(res.broken).toBe(true);
    expect(res.body.match(/text_delta/g)).toHaveLength(3);
    expect(res.body).not.toContain('message_stop');
    await expect(send(`x ${mockDirective({ cutAfterTokens: 0 })}`)).rejects.toThrow();
  });

  test('hang answers nothing until close() ends it', async () => {
    const other = await startMockAnthropic();
    const pending = rawRequest(`${other.url}/v1/messages`, {
      headers: { 'anthropic-version': '2023-06-01' },
      body: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: `x ${mockDirective({ hang: true })}` }] },
    }).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await waitFor(() => (other.requests.length === 1 ? true : undefined));
    await other.close();
    expect(await pending).toMatch(/socket hang up|ECONNRESET/);
  });
});
