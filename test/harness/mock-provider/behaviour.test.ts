// Scripted behaviour: timing really applied, hang/cut, precedence, control API, recording.

import { waitFor } from '../wait-for';
import { type MockProvider, mockDirective, startMockOpenAI } from './index';
import { chatBody, rawRequest, sseData } from './test-helpers';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockOpenAI({ defaults: { tokens: 3 } });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const stream = (content: string) => rawRequest(`${mock.baseUrl}/chat/completions`, { body: chatBody(content, { stream: true }) });
const contentOf = (res: { body: string }) =>
  sseData(res.body)
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d).choices[0]?.delta.content ?? '')
    .join('');

describe('timing', () => {
  test('ttft delays the first chunk; tokens arrive at tokens-per-second', async () => {
    // 21 tokens at 50/s: 20 gaps of 20 ms = 400 ms between the first and last token.
    const res = await stream(`x ${mockDirective({ tokens: 21, ttftMs: 250, tokensPerSecond: 50 })}`);
    const tokenReads = res.reads.filter((r) => r.text.includes('"content":"') && !r.text.includes('"content":""'));
    const firstByte = res.reads[0].at;
    const firstToken = tokenReads[0].at;
    const lastToken = tokenReads[tokenReads.length - 1].at;
    // Timers never fire early, so the lower bounds are exact; the upper ones only catch a delay
    // applied twice or pacing gone slow, with room for a loaded machine.
    expect(firstByte).toBeGreaterThanOrEqual(240);
    expect(firstByte).toBeLessThan(1500);
    expect(firstToken - firstByte).toBeLessThan(300);
    expect(lastToken - firstToken).toBeGreaterThanOrEqual(370);
    expect(lastToken - firstToken).toBeLessThan(2000);
    // Written one by one, not buffered: reads are spread out, many of them.
    expect(tokenReads.length).toBeGreaterThanOrEqual(15);
  });

  test('unpaced default answers at once; non-streamed waits ttft + generation time', async () => {
    const fast = await stream('x');
    expect(fast.reads[fast.reads.length - 1].at).toBeLessThan(1000);
    const t0 = performance.now();
    const res = await rawRequest(`${mock.baseUrl}/chat/completions`, {
      body: chatBody(`x ${mockDirective({ tokens: 11, ttftMs: 100, tokensPerSecond: 50 })}`),
    });
    const took = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(took).toBeGreaterThanOrEqual(290); // 100 + 10 gaps × 20 ms
    expect(took).toBeLessThan(2000);
  });
});

describe('faults', () => {
  test('hang: no answer until the client gives up', async () => {
    await expect(rawRequest(`${mock.baseUrl}/chat/completions`, { body: chatBody(`x ${mockDirective({ hang: true })}`), timeoutMs: 200 })).rejects.toThrow(
      'client timeout',
    );
    expect(mock.requests).toHaveLength(1);
  });

  test('close() ends hanging requests', async () => {
    const m = await startMockOpenAI({ defaults: { hang: true } });
    const pending = rawRequest(`${m.baseUrl}/chat/completions`, { body: chatBody('x') }).then(
      () => 'answered',
      () => 'connection ended',
    );
    await waitFor(() => (m.requests.length === 1 ? true : undefined));
    const t0 = performance.now();
    await m.close();
    expect(await pending).toBe('connection ended');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test('cutAfterTokens: N content chunks, then the socket dies without [DONE]', async () => {
    const res = await stream(`x ${mockDirective({ content: 'one two three four five', cutAfterTokens: 2 })}`);
    expect(res.status).toBe(200);
    expect(res.broken).toBe(true);
    expect(res.body).not.toContain('[DONE]');
    expect(res.body).not.toContain('finish_reason":"stop');
    expect(contentOf(res)).toBe('one two');
  });

  test('status with custom error body and Retry-After', async () => {
    const res = await rawRequest(`${mock.baseUrl}/chat/completions`, {
      body: chatBody(`x ${mockDirective({ status: 502, retryAfterSeconds: 3, errorBody: { error: { message: 'bad gateway' } } })}`),
    });
    expect(res.status).toBe(502);
    expect(res.headers['retry-after']).toBe('3');
    expect(JSON.parse(res.body)).toEqual({ error: { message: 'bad gateway' } });
  });

  test('429 body is OpenAI’s rate_limit_exceeded and remaining-requests is 0', async () => {
    const res = await rawRequest(`${mock.baseUrl}/chat/completions`, { body: chatBody(`x ${mockDirective({ status: 429 })}`) });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(JSON.parse(res.body).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
  });
});

describe('script precedence: directive > queue > defaults', () => {
  const count = async (content: string) => {
    const res = await rawRequest(`${mock.baseUrl}/chat/completions`, { body: chatBody(content) });
    return JSON.parse(res.body).usage.completion_tokens as number;
  };

  test('directive wins and leaves the queue alone; queue is FIFO; then defaults', async () => {
    mock.enqueue({ tokens: 5 }, { tokens: 6 });
    expect(await count(`a ${mockDirective({ tokens: 9 })}`)).toBe(9);
    expect(await count('b')).toBe(5);
    expect(await count('c')).toBe(6);
    expect(await count('d')).toBe(3);
  });

  test('directive is only read from the LAST user message and is not counted', async () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: mockDirective({ tokens: 8 }) },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: `hello ${mockDirective({ tokens: 4 })}` }] },
      ],
    };
    const res = JSON.parse((await rawRequest(`${mock.baseUrl}/chat/completions`, { body })).body);
    expect(res.usage.completion_tokens).toBe(4);
    // The earlier directive is ordinary text there: [ [ mock { " tokens " : 8 } ] ] = 12 tokens.
    // The last one is stripped: 3 + (3 + 12) + (3 + "ok") + (3 + "hello") = 26.
    expect(res.usage.prompt_tokens).toBe(26);
  });

  test('control endpoints: enqueue (object or array), requests, reset', async () => {
    const enq = await rawRequest(`${mock.url}/__mock/enqueue`, { body: [{ content: 'A' }, { content: 'B b' }] });
    expect(JSON.parse(enq.body)).toEqual({ queued: 2 });
    await rawRequest(`${mock.url}/__mock/enqueue`, { body: { content: 'C' } });
    const bad = await rawRequest(`${mock.url}/__mock/enqueue`, { body: { tokns: 1 } });
    expect(bad.status).toBe(400);
    expect(await count('q1')).toBe(1);
    expect(await count('q2')).toBe(2);
    const recorded = JSON.parse((await rawRequest(`${mock.url}/__mock/requests`)).body);
    expect(recorded).toHaveLength(2);
    expect(recorded[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: chatBody('q1') });
    expect(recorded[0].headers['content-type']).toBe('application/json');
    expect(typeof recorded[0].receivedAt).toBe('number');
    await rawRequest(`${mock.url}/__mock/reset`, { method: 'POST' });
    expect(mock.requests).toHaveLength(0);
    expect(await count('q3')).toBe(3); // 'C' was dropped by reset: defaults again
  });
});
