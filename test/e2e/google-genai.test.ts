/**
 * The Google GenAI ingress end to end with the official @google/genai SDK as the client:
 * generateContent and generateContentStream, function calls round trip, against a Gemini target
 * (native pass-through) and OpenAI and Anthropic targets (translated), each answered by the mock
 * in that provider's own wire format. Through every plugin as chat requests go: keys, aliases and
 * allow-lists from the path, rpm limits and budgets, the ledger (the same tokens cost the same as
 * a chat request), errors in Google's shape, the models list; and the URL form of a key refused.
 */
import { ApiError, type Content, type FunctionDeclaration, type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { AccessEntry } from '../harness/kong-double';
import { mockDirective } from '../harness/mock-provider';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { usdStringToNano, waitForLedger } from './billing-helpers';
import { uniqueName } from './helpers';

let stack: DevStack;
let key: string;

/** Public model name → the provider behind it in deck/kong.yaml, and whether it passes through natively. */
const MODELS: Array<[string, string, 'native' | 'translated']> = [
  ['gemini-3.5-flash', 'gemini', 'native'],
  ['gpt-4o-mini', 'openai', 'translated'],
  ['claude-sonnet-4-6', 'anthropic', 'translated'],
];

const weather: FunctionDeclaration = {
  name: 'get_weather',
  description: 'Weather for a city',
  parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const toolCalls = [
  { name: 'get_weather', arguments: '{"city":"Paris"}' },
  { name: 'get_weather', arguments: '{"city":"Tokyo, Japan"}' },
];

function sdk(apiKey: string): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: stack.url } });
}

async function createKey(fields: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('google'), ...fields });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, key: created.body.key as string };
}

/** The answer's text, thoughts left out, without the SDK's warning about function-call parts. */
function textOf(response: GenerateContentResponse): string {
  return (response.candidates?.[0]?.content?.parts ?? [])
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('');
}

/** The SDK's ApiError: its status, and the Google error object it carries as its message. */
async function apiError(call: Promise<unknown>): Promise<{ status: number; error: Record<string, unknown> }> {
  const thrown = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(ApiError);
  const error = thrown as ApiError;
  return { status: error.status, error: (JSON.parse(error.message) as { error: Record<string, unknown> }).error };
}

function generatePath(model: string, stream = false): string {
  return `${stack.url}/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
}

/** What the ingress logged per request (make dev's live log is made of these). */
const access: AccessEntry[] = [];

beforeAll(async () => {
  stack = await startDevStack({ env: {}, onAccess: (entry) => access.push(entry) });
  key = (await createKey()).key;
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

describe.each(MODELS)('@google/genai → %s (%s, %s)', (model, provider) => {
  it('generateContent: a system instruction, the answer, usage and the gateway cost', async () => {
    const response = await sdk(key).models.generateContent({
      model,
      contents: `Hello ${mockDirective({ tokens: 7 })}`,
      config: { systemInstruction: 'Be brief.', maxOutputTokens: 200, temperature: 0.3 },
    });
    expect(textOf(response).length).toBeGreaterThan(0);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.candidatesTokenCount).toBe(7);
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    const headers = response.sdkHttpResponse?.headers ?? {};
    expect(Number(headers['x-gateway-cost'])).toBeGreaterThan(0);
    expect(headers['x-aigw-upstream-model']).toMatch(new RegExp(`^${provider}/`));
  });

  it('generateContentStream: the text as it comes, the usage at the end', async () => {
    const stream = await sdk(key).models.generateContentStream({
      model,
      contents: `Tell me more ${mockDirective({ tokens: 12 })}`,
      config: { maxOutputTokens: 200 },
    });
    let text = '';
    let chunks = 0;
    let last: GenerateContentResponse | undefined;
    for await (const chunk of stream) {
      text += textOf(chunk);
      chunks++;
      last = chunk;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata?.candidatesTokenCount).toBe(12);
  });

  it('a function call round trip: the calls, then their responses with a question, answered', async () => {
    const ai = sdk(key);
    const question: Content = { role: 'user', parts: [{ text: `Weather in Paris and Tokyo? ${mockDirective({ toolCalls })}` }] };
    const first = await ai.models.generateContent({
      model,
      contents: [question],
      config: { tools: [{ functionDeclarations: [weather] }], maxOutputTokens: 200 },
    });
    const calls = first.functionCalls ?? [];
    expect(calls.map((c) => [c.name, c.args])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Tokyo, Japan' }],
    ]);
    const answers: Content = {
      role: 'user',
      parts: [
        ...calls.map((c) => ({ functionResponse: { id: c.id, name: c.name ?? '', response: { output: c.args?.city === 'Paris' ? '21 °C' : '18 °C' } } })),
        { text: `Thanks! ${mockDirective({ tokens: 5 })}` },
      ],
    };
    const second = await ai.models.generateContentStream({
      model,
      contents: [question, first.candidates![0].content!, answers],
      config: { tools: [{ functionDeclarations: [weather] }], maxOutputTokens: 200 },
    });
    let text = '';
    for await (const chunk of second) text += textOf(chunk);
    expect(text.length).toBeGreaterThan(0);
    // The provider got the whole conversation: both calls and both results, in its own format.
    const sent = stack.mock.requests.at(-1)?.body as Record<string, unknown>;
    const wire = JSON.stringify(sent);
    expect(wire).toContain('18 °C');
    expect(wire).toContain('Tokyo, Japan');
  });

  it('streams function calls whole, the SDK reads them from the stream', async () => {
    const stream = await sdk(key).models.generateContentStream({
      model,
      contents: `Weather? ${mockDirective({ toolCalls })}`,
      config: { tools: [{ functionDeclarations: [weather] }], maxOutputTokens: 200 },
    });
    const calls: Array<{ name?: string; args?: Record<string, unknown> }> = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls.map((c) => c.args)).toEqual([{ city: 'Paris' }, { city: 'Tokyo, Japan' }]);
  });
});

describe('native pass-through on a Gemini target', () => {
  it('fields only Gemini knows reach it, and its answer comes back as Gemini wrote it', async () => {
    stack.mock.reset();
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'Score?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'score', args: {} }, thoughtSignature: 'c2lnbmVk' }] },
        { role: 'user', parts: [{ functionResponse: { name: 'score', response: { result: '2-1' } } }, { text: `So? ${mockDirective({ tokens: 3 })}` }] },
      ],
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      tools: [{ googleSearch: {} }],
      generationConfig: { maxOutputTokens: 50, thinkingConfig: { includeThoughts: true, thinkingBudget: 512 } },
    };
    const res = await fetch(generatePath('gemini-3.5-flash'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    // Google pretty-prints its answers (the mock does too); a translation would be compact.
    expect(text).toMatch(/^\{\n {2}"candidates": \[/);
    expect(text.endsWith('}\n')).toBe(true);
    const sent = stack.mock.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-3.5-flash:generateContent');
    expect(sent.body).toEqual(body);
    expect(sent.headers['x-goog-api-key']).not.toBe(key);
  });

  it('the same request to a translated target is refused for what only Gemini serves, in Google’s shape', async () => {
    const res = await fetch(generatePath('gpt-4o-mini'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }], tools: [{ googleSearch: {} }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'UNSUPPORTED_FOR_PROVIDER', metadata: { param: 'tools[0].googleSearch' } }] },
    });
  });
});

describe('errors in Google’s shape', () => {
  it('unknown model 404, wrong key 401, invalid body 400: the SDK raises ApiError with the status', async () => {
    expect(await apiError(sdk(key).models.generateContent({ model: 'no-such-model', contents: 'hi' }))).toMatchObject({
      status: 404,
      error: { code: 404, status: 'NOT_FOUND', details: [{ reason: 'MODEL_NOT_FOUND' }] },
    });
    expect(await apiError(sdk('sk-aigw-wrong').models.generateContent({ model: 'gpt-4o-mini', contents: 'hi' }))).toMatchObject({
      status: 401,
      error: { status: 'UNAUTHENTICATED', details: [{ reason: 'INVALID_API_KEY' }] },
    });
    expect(await apiError(sdk(key).models.generateContent({ model: 'gpt-4o-mini', contents: 'hi', config: { topK: 1.5 } }))).toMatchObject({
      status: 400,
      error: { status: 'INVALID_ARGUMENT', message: "Invalid value at 'generationConfig.topK' (TYPE_INT32), 1.5" },
    });
  });

  it('a key in the URL is refused, even a valid one, and says where to put it', async () => {
    const res = await fetch(`${generatePath('gpt-4o-mini')}?key=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"contents":[{"parts":[{"text":"hi"}]}]}',
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { status: string; message: string; details: Array<{ reason: string }> } };
    expect(body.error).toMatchObject({ status: 'UNAUTHENTICATED', details: [{ reason: 'API_KEY_IN_URL' }] });
    expect(body.error.message).toMatch(/x-goog-api-key/);
    expect(body.error.message).not.toContain(key);
    // The gateway's own log line has the path, never the query, and the refusal's code.
    const entry = access.find((e) => e.requestId === res.headers.get('x-kong-request-id'));
    expect(entry).toMatchObject({ path: '/v1beta/models/gpt-4o-mini:generateContent', status: 401, errorCode: 'api_key_in_url' });
    expect(JSON.stringify(entry)).not.toContain(key);
  });

  it('hostile paths get a 4xx in Google’s shape, never a 5xx', async () => {
    const post = (path: string, body = '{"contents":[{"parts":[{"text":"hi"}]}]}') =>
      fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': key }, body });
    const cases: Array<[Response, number, string]> = [
      [await post(`/v1beta/models/${'x'.repeat(300)}:generateContent`), 400, 'INVALID_ARGUMENT'],
      [await post('/v1beta/models/..%2F..%2Fv1%2Fchat%2Fcompletions:generateContent'), 404, 'NOT_FOUND'],
      [await post('/v1beta/models/gpt-4o-mini%00:generateContent'), 404, 'NOT_FOUND'],
      [await post('/v1beta/models/gpt-4o-mini:countTokens'), 404, 'NOT_FOUND'],
      [await post('/v1beta/models'), 405, 'UNIMPLEMENTED'],
      [await post('/v1beta/models/gpt-4o-mini:generateContent', ''), 400, 'INVALID_ARGUMENT'],
      [await post('/v1beta/models/gpt-4o-mini:streamGenerateContent'), 400, 'INVALID_ARGUMENT'],
      [await fetch(generatePath('gpt-4o-mini'), { headers: { 'x-goog-api-key': key } }), 405, 'UNIMPLEMENTED'],
    ];
    for (const [res, status, name] of cases) {
      expect([res.url, res.status]).toEqual([res.url, status]);
      expect(((await res.json()) as { error: { status: string; code: number } }).error).toMatchObject({ code: status, status: name });
    }
  });
});

describe('keys, limits and money, as for chat', () => {
  it('aliases and allow-lists apply to the model in the path, and models.list / models.get show what the key may use', async () => {
    const limited = await createKey({ models: ['gpt-4o-mini'], model_aliases: { fast: 'gpt-4o-mini' } });
    const ai = sdk(limited.key);
    const viaAlias = await ai.models.generateContent({ model: 'fast', contents: `Hi ${mockDirective({ tokens: 2 })}` });
    expect(viaAlias.sdkHttpResponse?.headers?.['x-aigw-upstream-model']).toBe('openai/gpt-4o-mini');
    expect(await apiError(ai.models.generateContent({ model: 'claude-sonnet-4-6', contents: 'hi' }))).toMatchObject({
      status: 403,
      error: { status: 'PERMISSION_DENIED', details: [{ reason: 'MODEL_NOT_ALLOWED' }] },
    });
    const names: string[] = [];
    for await (const m of await ai.models.list()) names.push(m.name ?? '');
    expect(names.sort()).toEqual(['models/fast', 'models/gpt-4o-mini']);
    // The SDK reads supportedGenerationMethods as supportedActions.
    expect(await ai.models.get({ model: 'fast' })).toMatchObject({
      name: 'models/fast',
      displayName: 'fast',
      supportedActions: ['generateContent', 'streamGenerateContent'],
    });
    expect((await apiError(ai.models.get({ model: 'claude-sonnet-4-6' }))).status).toBe(404);
  });

  it('rpm: the request over the key’s limit gets 429 RESOURCE_EXHAUSTED with its retry delay', async () => {
    const limited = await createKey({ rpm_limit: 1 });
    const ai = sdk(limited.key);
    await ai.models.generateContent({ model: 'gpt-4o-mini', contents: `One ${mockDirective({ tokens: 2 })}` });
    const refused = await apiError(ai.models.generateContent({ model: 'gpt-4o-mini', contents: 'Two' }));
    expect(refused).toMatchObject({
      status: 429,
      error: { status: 'RESOURCE_EXHAUSTED', details: [{ reason: 'RATE_LIMIT_EXCEEDED' }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo' }] },
    });
  });

  it('a budget is reserved on the worst case: a request that could cost more than is left gets 429 before any provider call', async () => {
    const poor = await createKey({ max_budget: 0.000001 });
    stack.mock.reset();
    const refused = await apiError(sdk(poor.key).models.generateContent({ model: 'gpt-4o-mini', contents: 'hi', config: { maxOutputTokens: 10_000 } }));
    expect(refused).toMatchObject({ status: 429, error: { status: 'RESOURCE_EXHAUSTED', details: [{ reason: 'BUDGET_EXCEEDED' }] } });
    expect(stack.mock.requests).toHaveLength(0);
  });

  it.each(['gpt-4o-mini', 'gemini-3.5-flash'])(
    'on %s, the same prompt costs the same through the Google SDK as through chat, streamed or not, to the nano-USD',
    async (model) => {
      const budgeted = await createKey({ max_budget: 5 });
      const prompt = `Summarise the ledger rules, please. ${mockDirective({ tokens: 20 })}`;
      const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: budgeted.key, maxRetries: 0 });
      const chat = await openai.chat.completions
        .create({
          model,
          max_tokens: 200,
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: prompt },
          ],
        })
        .withResponse();
      const ai = sdk(budgeted.key);
      const google = await ai.models.generateContent({ model, contents: prompt, config: { systemInstruction: 'Be brief.', maxOutputTokens: 200 } });
      let streamId = '';
      for await (const chunk of await ai.models.generateContentStream({
        model,
        contents: prompt,
        config: { systemInstruction: 'Be brief.', maxOutputTokens: 200 },
      })) {
        streamId = chunk.sdkHttpResponse?.headers?.['x-kong-request-id'] ?? streamId;
      }
      const ids = [chat.response.headers.get('x-kong-request-id')!, google.sdkHttpResponse!.headers!['x-kong-request-id'], streamId];
      const rows = await waitForLedger(stack.stores.databaseUrl, { keyIds: [budgeted.id] }, 3);
      expect(rows).toHaveLength(3);
      const [chatRow, googleRow, streamRow] = ids.map((id) => rows.find((r) => r.request_id === id)!);
      const billed = (r: typeof chatRow) => ({
        prompt: r.prompt_tokens,
        completion: r.completion_tokens,
        cost: r.cost_nano,
        status: r.status,
        outcome: r.outcome,
        estimated: r.usage_estimated,
      });
      expect(billed(googleRow)).toEqual(billed(chatRow));
      expect(billed(streamRow)).toEqual(billed(chatRow));
      expect(chatRow.completion_tokens).toBe(20);
      // What the Google client was shown is what was billed.
      expect(usdStringToNano(google.sdkHttpResponse!.headers!['x-gateway-cost'])).toBe(googleRow.cost_nano);
      const info = await stack.admin('GET', `/admin/keys/${budgeted.id}`);
      expect(info.body).toMatchObject({ spend_nano: 3 * chatRow.cost_nano!, requests: 3 });
    },
  );
});
