/**
 * The compressor's decisions with a fake Kong and a fake sidecar: what is sent, what goes back
 * into the body, and that every failure leaves the original body and reports why (fail open).
 * The real sidecar and Kong double are in test/e2e/compression.test.ts.
 */

import { IDENTITY_CTX_KEY } from '../../../lib/identity';
import type { Kong } from '../../../lib/kong/pdk';
import type { Endpoint } from '../../../lib/plan';
import { countTextTokens } from '../../../lib/tokens';
import { validateClientRequest } from '../../../lib/validate';
import type { CompressAnswer, CompressCall, CompressClient } from '../../../plugins/aigw-prompt-compressor/compress-client';
import type { PromptCompressorConfig } from '../../../plugins/aigw-prompt-compressor/config';
import { PromptCompressorHandler } from '../../../plugins/aigw-prompt-compressor/handler';

const CONFIG: PromptCompressorConfig = {
  inference_address: '127.0.0.1:1',
  method: 'question_aware',
  tool_result_method: 'structured',
  rate: 0.5,
  min_tokens: 100,
  roles: ['user', 'tool'],
  deadline_ms_per_1k_tokens: 30,
  deadline_ms_max: 500,
  max_request_body_bytes: 1 << 20,
};

interface Seen {
  body?: string;
  headers: Record<string, string>;
  shared: Record<string, unknown>;
  warnings: string[];
}

function fakeKong(body: unknown, identity: Record<string, unknown> | undefined, path = '/v1/chat/completions'): { kong: Kong; seen: Seen } {
  const raw = Buffer.from(JSON.stringify(body));
  const seen: Seen = { headers: {}, shared: identity ? { [IDENTITY_CTX_KEY]: identity } : {}, warnings: [] };
  const kong = {
    request: {
      getPath: async () => path,
      getHeader: async (name: string) => (name === 'content-length' ? String(raw.length) : undefined),
      getRawBody: async () => raw,
    },
    service: { request: { setRawBody: async (b: string) => void (seen.body = b) } },
    response: { setHeader: async (name: string, value: string) => void (seen.headers[name] = value) },
    ctx: {
      shared: {
        get: async (key: string) => seen.shared[key],
        set: async (key: string, value: unknown) => void (seen.shared[key] = value),
      },
    },
    log: { warn: async (message: string) => void seen.warnings.push(message) },
  } as unknown as Kong;
  return { kong, seen };
}

/** Halves every segment, or answers what the test says. */
function fakeSidecar(answer?: (call: CompressCall) => CompressAnswer): { client: CompressClient; calls: Array<{ call: CompressCall; deadlineMs: number }> } {
  const calls: Array<{ call: CompressCall; deadlineMs: number }> = [];
  const halve = (call: CompressCall): CompressAnswer => ({
    ok: true,
    segments: call.segments.map((s) => s.slice(0, Math.ceil(s.length / 2))),
    originalTokens: 1000,
    compressedTokens: 500,
  });
  return {
    calls,
    client: {
      compress: async (call, deadlineMs) => {
        calls.push({ call, deadlineMs });
        return (answer ?? halve)(call);
      },
    },
  };
}

const IDENTITY = { requestId: 'r1', keyId: 'k1', contentLength: null, budgets: [], rateSubjects: [], models: { keyModels: [], teamModels: [], aliases: [] } };
const CONTEXT = 'Some context sentence about the system. '.repeat(30);
const body = () => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: `${CONTEXT}\n\nWhat is it?` },
    { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 't', content: JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, name: `n${i}` }))) },
  ],
});

describe('aigw-prompt-compressor', () => {
  test('tool results of the latest turn go to the tool method; the body and the report follow the answer', async () => {
    const { kong, seen } = fakeKong(body(), IDENTITY);
    const sidecar = fakeSidecar();
    await new PromptCompressorHandler(CONFIG, sidecar.client).access(kong);
    // The user turn is before the assistant's: an earlier turn, never sent.
    expect(sidecar.calls.map((c) => c.call.method)).toEqual(['structured']);
    expect(sidecar.calls[0]!.call.question).toBe('What is it?');
    const sent = JSON.parse(seen.body!);
    expect(sent.messages.slice(0, 3)).toEqual(body().messages.slice(0, 3));
    expect(sent.messages[3].content).toBe(sidecar.calls[0]!.call.segments[0]!.slice(0, Math.ceil(sidecar.calls[0]!.call.segments[0]!.length / 2)));
    expect(seen.headers['x-aigw-compression']).toBe('method=structured; original=1000; compressed=500');
    expect(seen.shared[IDENTITY_CTX_KEY]).toMatchObject({
      keyId: 'k1',
      compression: { methods: ['structured'], outcome: 'compressed', originalTokens: 1000, compressedTokens: 500 },
    });
  });

  test('the deadline grows with the text, within the floor and the cap', async () => {
    const short = fakeSidecar();
    await new PromptCompressorHandler({ ...CONFIG, min_tokens: 0 }, short.client).access(fakeKong(body(), IDENTITY).kong);
    const chars = short.calls[0]!.call.segments.join('').length;
    expect(short.calls[0]!.deadlineMs).toBeCloseTo(Math.max(20, (chars / 4 / 1000) * 30));
    const capped = fakeSidecar();
    await new PromptCompressorHandler({ ...CONFIG, deadline_ms_per_1k_tokens: 10000, deadline_ms_max: 123 }, capped.client).access(
      fakeKong(body(), IDENTITY).kong,
    );
    expect(capped.calls[0]!.deadlineMs).toBe(123);
  });

  test.each(['deadline_exceeded', 'unavailable', 'resource_exhausted', 'failed_precondition'])(
    'a sidecar failure (%s) fails open: body untouched, one warning, the reason in the header and the report',
    async (reason) => {
      const { kong, seen } = fakeKong(body(), IDENTITY);
      await new PromptCompressorHandler(CONFIG, fakeSidecar(() => ({ ok: false, reason })).client).access(kong);
      expect(seen.body).toBeUndefined();
      expect(seen.warnings.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ level: 'warn', service: 'aigw-prompt-compressor', msg: 'failed open: the original prompt was sent', reason }),
      ]);
      expect(seen.headers['x-aigw-compression']).toBe(`method=structured; failed=${reason}`);
      expect(seen.shared[IDENTITY_CTX_KEY]).toMatchObject({ compression: { outcome: 'failed_open', reason } });
    },
  );

  test('a sidecar that throws or answers the wrong number of segments fails open too', async () => {
    for (const client of [
      { compress: async () => Promise.reject(new Error('boom')) },
      fakeSidecar(() => ({ ok: true, segments: [], originalTokens: 10, compressedTokens: 5 })).client,
    ] as CompressClient[]) {
      const { kong, seen } = fakeKong(body(), IDENTITY);
      await new PromptCompressorHandler(CONFIG, client).access(kong);
      expect(seen.body).toBeUndefined();
      expect(seen.warnings).toHaveLength(1);
    }
  });

  test('a segment the sidecar emptied keeps its text (an empty tool result or message is refused upstream)', async () => {
    const { kong, seen } = fakeKong(body(), IDENTITY);
    const emptied = fakeSidecar((call) => ({ ok: true, segments: call.segments.map(() => ''), originalTokens: 5000, compressedTokens: 0 }));
    await new PromptCompressorHandler(CONFIG, emptied.client).access(kong);
    const original = body().messages[3]!.content as string;
    expect(JSON.parse(seen.body!).messages[3].content).toBe(original);
    // Counted as sent: the saving is what really left the prompt.
    expect(seen.headers['x-aigw-compression']).toBe(`method=structured; original=5000; compressed=${countTextTokens(original)}`);
  });

  test('no gain: the original body stays', async () => {
    const { kong, seen } = fakeKong(body(), IDENTITY);
    await new PromptCompressorHandler(
      CONFIG,
      fakeSidecar((call) => ({ ok: true, segments: call.segments, originalTokens: 50, compressedTokens: 50 })).client,
    ).access(kong);
    expect(seen.body).toBeUndefined();
    expect(seen.headers).toEqual({});
  });

  test('below min_tokens: no call; a client marker is still removed', async () => {
    const marked = { model: 'm', messages: [{ role: 'user', content: 'short <aigw:keep>kept</aigw:keep>' }] };
    const sidecar = fakeSidecar();
    const { kong, seen } = fakeKong(marked, { ...IDENTITY, contentLength: 5000 });
    await new PromptCompressorHandler(CONFIG, sidecar.client).access(kong);
    expect(sidecar.calls).toEqual([]);
    expect(JSON.parse(seen.body!).messages[0].content).toBe('short kept');
  });

  test('a body shorter than min_tokens bytes is not even read', async () => {
    const { kong, seen } = fakeKong(body(), { ...IDENTITY, contentLength: 99 });
    const read = jest.spyOn(kong.request, 'getRawBody');
    await new PromptCompressorHandler(CONFIG, fakeSidecar().client).access(kong);
    expect(read).not.toHaveBeenCalled();
    expect(seen.body).toBeUndefined();
  });

  test('numbers a rewrite would change, or a body that is not JSON: left whole, no call', async () => {
    const sidecar = fakeSidecar();
    const withId = { ...body(), metadata_id: 12345678901234567890n.toString() };
    const raw = JSON.stringify(withId).replace(`"${withId.metadata_id}"`, withId.metadata_id);
    const { kong, seen } = fakeKong(withId, IDENTITY);
    (kong.request as { getRawBody: () => Promise<Buffer> }).getRawBody = async () => Buffer.from(raw);
    await new PromptCompressorHandler(CONFIG, sidecar.client).access(kong);
    (kong.request as { getRawBody: () => Promise<Buffer> }).getRawBody = async () => Buffer.from('{"messages": [');
    await new PromptCompressorHandler(CONFIG, sidecar.client).access(kong);
    expect(sidecar.calls).toEqual([]);
    expect(seen.body).toBeUndefined();
  });

  test('without an identity (no key plugin) it still compresses, and reports nothing', async () => {
    const { kong, seen } = fakeKong(body(), undefined);
    await new PromptCompressorHandler(CONFIG, fakeSidecar().client).access(kong);
    expect(seen.body).toBeDefined();
    expect(seen.shared).toEqual({});
  });
});

const TOOL_ROWS = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, name: `n${i}` })));

/** The same conversation as body(), in the two newer ingresses' own shapes. */
type Body = Record<string, unknown>;
/** Walks a body the test built: the shape is known. */
const at = (value: unknown, ...keys: Array<string | number>): Body => keys.reduce((node, key) => (node as Body)[key], value) as Body;

const NEWER_FORMATS: Array<{ name: string; path: string; endpoint: Endpoint; body: () => Body; toolHolder: (body: Body) => Body }> = [
  {
    name: 'Responses',
    path: '/v1/responses',
    endpoint: 'responses',
    body: () => ({
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: `${CONTEXT}\n\nWhat is it?` },
        { type: 'function_call', call_id: 't', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 't', output: TOOL_ROWS },
      ],
    }),
    toolHolder: (b) => at(b, 'input', 2),
  },
  {
    name: 'Google GenAI',
    path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    endpoint: 'generateContent',
    body: () => ({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: `${CONTEXT}\n\nWhat is it?` }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: TOOL_ROWS } } }] },
      ],
    }),
    toolHolder: (b) => at(b, 'contents', 2, 'parts', 0, 'functionResponse', 'response'),
  },
];

describe.each(NEWER_FORMATS)('aigw-prompt-compressor on $name', ({ path, endpoint, body: formatBody, toolHolder }) => {
  test('the latest turn’s tool result is compressed; the rest is byte-identical and the body stays valid for its format', async () => {
    const { kong, seen } = fakeKong(formatBody(), IDENTITY, path);
    const sidecar = fakeSidecar();
    await new PromptCompressorHandler(CONFIG, sidecar.client).access(kong);
    expect(sidecar.calls.map((c) => c.call.method)).toEqual(['structured']);
    expect(sidecar.calls[0]!.call.segments).toEqual([TOOL_ROWS]);
    expect(sidecar.calls[0]!.call.question).toBe('What is it?');
    const sent = JSON.parse(seen.body!) as Body;
    // Everything but the tool result is as the client sent it (instructions, the earlier turn, the call).
    const expected = formatBody();
    toolHolder(expected).output = TOOL_ROWS.slice(0, Math.ceil(TOOL_ROWS.length / 2));
    expect(sent).toEqual(expected);
    expect(validateClientRequest(endpoint, sent)).toMatchObject({ ok: true });
    expect(seen.headers['x-aigw-compression']).toBe('method=structured; original=1000; compressed=500');
    expect(seen.shared[IDENTITY_CTX_KEY]).toMatchObject({
      compression: { methods: ['structured'], outcome: 'compressed', originalTokens: 1000, compressedTokens: 500 },
    });
  });

  test('the latest user text is compressed towards its question, which is kept word for word', async () => {
    const latestUser = formatBody();
    if (endpoint === 'responses') latestUser.input = `${CONTEXT}\n\nWhat is it?`;
    else latestUser.contents = [{ role: 'user', parts: [{ text: `${CONTEXT}\n\nWhat is it?` }] }];
    const { kong, seen } = fakeKong(latestUser, IDENTITY, path);
    const sidecar = fakeSidecar();
    await new PromptCompressorHandler(CONFIG, sidecar.client).access(kong);
    expect(sidecar.calls.map((c) => c.call.method)).toEqual(['question_aware']);
    const sent = JSON.parse(seen.body!) as Body;
    const text = (endpoint === 'responses' ? sent.input : at(sent, 'contents', 0, 'parts', 0).text) as string;
    expect(text.length).toBeLessThan(CONTEXT.length);
    expect(text.endsWith('\n\nWhat is it?')).toBe(true);
    expect(validateClientRequest(endpoint, sent)).toMatchObject({ ok: true });
  });

  test('a sidecar failure fails open: body untouched, the reason in the header and the report', async () => {
    const { kong, seen } = fakeKong(formatBody(), IDENTITY, path);
    await new PromptCompressorHandler(CONFIG, fakeSidecar(() => ({ ok: false, reason: 'unavailable' })).client).access(kong);
    expect(seen.body).toBeUndefined();
    expect(seen.headers['x-aigw-compression']).toBe('method=structured; failed=unavailable');
    expect(seen.shared[IDENTITY_CTX_KEY]).toMatchObject({ compression: { outcome: 'failed_open', reason: 'unavailable' } });
  });
});

test('paths that are not a conversation (Responses token counts, embeddings) are never read', async () => {
  for (const path of ['/v1/responses/input_tokens', '/v1/embeddings', '/v1beta/models/gemini-2.5-flash']) {
    const { kong, seen } = fakeKong(body(), IDENTITY, path);
    const read = jest.spyOn(kong.request, 'getRawBody');
    const sidecar = fakeSidecar();
    await new PromptCompressorHandler(CONFIG, sidecar.client).access(kong);
    expect(read).not.toHaveBeenCalled();
    expect(sidecar.calls).toEqual([]);
    expect(seen.body).toBeUndefined();
  }
});
