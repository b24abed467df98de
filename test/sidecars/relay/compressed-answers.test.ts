/**
 * Providers answering gzip, deflate or Brotli (Anthropic answers Brotli): through the relay
 * against the mock providers (every dialect, streamed and not), the client gets the decoded
 * answer and the same usage and bill as an uncompressed one; a compressed stream still flows
 * event by event (a small gated server); a corrupt body is the provider's 502 in the client's
 * shape; a decompression bomb stops at the relay's response limit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transform } from 'node:stream';
import { createBrotliCompress, createDeflate, createGzip, type Zlib } from 'node:zlib';
import type { ProviderType } from '../../../lib/plan';
import { SseParser } from '../../../lib/sse';
import { type MockProviders, mockDirective, startMockProviders } from '../../harness/mock-provider';
import type { MockContentEncoding, MockScript } from '../../harness/mock-provider/types';
import { mockTarget, PROVIDER_KEY, type RelayUnderTest, startRelayUnderTest } from './relay-under-test';

const ENCODINGS: MockContentEncoding[] = ['gzip', 'deflate', 'br'];
/** 256 KiB: room for any answer these tests ask for, and a bomb is refused quickly. */
const LIMIT = 256 * 1024;
const ANSWER = 'Bonjour à tous, ça va très bien ✓';

let mock: MockProviders;
let relay: RelayUnderTest;

beforeAll(async () => {
  mock = await startMockProviders({ apiKey: PROVIDER_KEY });
  relay = await startRelayUnderTest({ maxResponseBytes: LIMIT });
});

afterAll(async () => {
  await relay.close();
  await mock.close();
});

beforeEach(() => mock.reset());

const PROVIDERS: Array<[ProviderType, () => string, string]> = [
  ['openai', () => mock.baseUrls.openai, 'gpt-4o-mini'],
  ['anthropic', () => mock.baseUrls.anthropic, 'claude-sonnet-4-5'],
  ['gemini', () => mock.baseUrls.gemini, 'gemini-2.5-flash'],
  ['azure', () => mock.baseUrls.azure, 'gpt-4o-prod'],
];
const targetFor = (provider: ProviderType) => {
  const [, baseUrl, model] = PROVIDERS.find(([p]) => p === provider)!;
  return mockTarget(provider, baseUrl(), model);
};

const chat = (script: MockScript, stream: boolean) => ({
  model: 'public',
  stream,
  ...(stream ? { stream_options: { include_usage: true } } : {}),
  messages: [{ role: 'user', content: `Say it ${mockDirective(script)}` }],
});

/** What an OpenAI client reads: the text, the usage it was told, and any error event. */
async function read(res: Response, stream: boolean): Promise<{ text: string; usage: unknown; error?: unknown }> {
  if (!stream) {
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }>; usage: unknown };
    return { text: body.choices[0].message.content, usage: body.usage };
  }
  const out: { text: string; usage: unknown; error?: unknown } = { text: '', usage: undefined };
  for (const event of new SseParser().push(new Uint8Array(await res.arrayBuffer()))) {
    if (!event.data || event.data === '[DONE]') continue;
    const chunk = JSON.parse(event.data) as { error?: unknown; usage?: unknown; choices?: Array<{ delta: { content?: string } }> };
    if (chunk.error) out.error = chunk.error;
    if (chunk.usage) out.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) out.text += choice.delta.content ?? '';
  }
  return out;
}

describe('compressed answers, decoded for the client', () => {
  describe.each(PROVIDERS.map(([p]) => p))('%s', (provider) => {
    it.each([false, true])('streamed %s: every coding gives the answer, usage and bill of the uncompressed one', async (stream) => {
      const plain = await relay.send(chat({ content: ANSWER }, stream), targetFor(provider), { id: `plain-${provider}-${stream}` });
      expect(plain.status).toBe(200);
      const expected = await read(plain, stream);
      expect(expected.text).toBe(ANSWER);
      const plainRecord = await relay.settled(`plain-${provider}-${stream}`);
      for (const contentEncoding of ENCODINGS) {
        const id = `${contentEncoding}-${provider}-${stream}`;
        const res = await relay.send(chat({ content: ANSWER, contentEncoding }, stream), targetFor(provider), { id });
        expect([contentEncoding, res.status]).toEqual([contentEncoding, 200]);
        expect(res.headers.get('content-encoding')).toBeNull();
        expect(await read(res, stream)).toEqual(expected);
        const record = await relay.settled(id);
        expect(record).toMatchObject({ outcome: 'ok', usage: plainRecord.usage, costNano: plainRecord.costNano });
        expect(record.usage?.estimated).toBeUndefined();
      }
      expect(mock.requests.map((r) => r.headers['accept-encoding'])).toEqual(Array(4).fill('gzip, deflate, br'));
    });
  });

  it.each(ENCODINGS)('a compressed error body (%s) keeps the provider’s status, code and message', async (contentEncoding) => {
    const res = await relay.send(chat({ status: 400, contentEncoding }, false), targetFor('openai'));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('context_length_exceeded');
    expect(error.message).toMatch(/^This model's maximum context length is/);
  });
});

describe('answers the relay cannot read', () => {
  const once = { retry: { maxRetries: 0 } };

  it.each(ENCODINGS)('a corrupt %s body is the provider’s 502 in the client’s shape, streamed or not', async (contentEncoding) => {
    const script: MockScript = { content: ANSWER, contentEncoding, encodingFault: 'corrupt' };
    const json = await relay.send(chat(script, false), targetFor('gemini'), once);
    expect(json.status).toBe(502);
    const { error } = (await json.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('upstream_invalid_response');
    expect(error.message).toContain(`could not be decoded (${contentEncoding})`);

    const streamed = await relay.send(chat(script, true), targetFor('gemini'), once);
    expect(streamed.status).toBe(502);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe('upstream_stream_interrupted');

    const anthropic = await relay.send({ ...chat(script, false), max_tokens: 50 }, targetFor('anthropic'), { ...once, path: '/v1/messages' });
    expect(anthropic.status).toBe(502);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it.each(ENCODINGS)('a %s bomb stops at the response limit: 502, streamed or not', async (contentEncoding) => {
    const script: MockScript = { contentEncoding, encodingFault: 'bomb' };
    const json = await relay.send(chat(script, false), targetFor('openai'), once);
    expect(json.status).toBe(502);
    const { error } = (await json.json()) as { error: { code: string; message: string } };
    expect(error).toMatchObject({ code: 'upstream_response_too_large' });
    expect(error.message).toContain(`larger than the gateway reads (${LIMIT} bytes decoded)`);

    const streamed = await relay.send(chat(script, true), targetFor('anthropic'), once);
    expect(streamed.status).toBe(502);
    expect(((await streamed.json()) as { error: { message: string } }).error.message).toContain('larger than the gateway reads');
  });
});

describe('a compressed stream flows event by event', () => {
  const compressors: Record<MockContentEncoding, () => Transform & Zlib> = { gzip: createGzip, deflate: createDeflate, br: createBrotliCompress };

  it.each(ENCODINGS)('%s: the client has the first token before the provider sends the rest', async (contentEncoding) => {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': contentEncoding });
      const z = compressors[contentEncoding]();
      z.pipe(res);
      z.write(chunk({ role: 'assistant', content: 'first' }));
      z.flush(() => undefined);
      // The rest only once the client has read the first token: a relay that waited for more would never get it.
      void released.then(() => {
        z.write(chunk({ content: ' second' }) + chunk({}, 'stop'));
        z.end(
          'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\ndata: [DONE]\n\n',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const target = mockTarget('openai', `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, 'gpt-4o-mini');
      const res = await relay.send(chat({}, true), target);
      const reader = res.body!.getReader();
      const parser = new SseParser();
      const seen: string[] = [];
      while (!seen.some((data) => data.includes('"first"'))) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended before its first token');
        for (const event of parser.push(value)) seen.push(event.data ?? '');
      }
      release();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) seen.push(event.data ?? '');
      }
      expect(seen.join('')).toContain('" second"');
      expect(seen.at(-1)).toBe('[DONE]');
    } finally {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
