/**
 * The semantic cache for the newer ingresses, end to end: the official `openai` SDK's
 * `responses.create` (passed through to the mock's Responses API: the relay reads OpenAI's own
 * answer back into the canonical completion it stores) and `@google/genai`'s `generateContent`
 * (Gemini's native pass-through) get a miss, then an exact hit with the same answer, streamed and
 * not; the same question asked through chat completions is not a hit of the Responses entry
 * (each format is a scope of its own); previous_response_id bypasses the cache, and a hit's
 * response id can be continued (the plugin keeps it as the relay keeps its answers).
 */
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { CacheStore } from '../../lib/semantic-cache/store';
import { closeStores, redisFor } from '../../lib/store-clients';
import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { cacheTeam, waitForFillAt } from './cache-helpers';

const local = localOnly('starts the inference sidecar and stops stores');

let stack: DevStack;
let store: CacheStore;
let teamId: string;
let openai: OpenAI;
let google: GoogleGenAI;

beforeAll(async () => {
  stack = await startDevStack({ env: {}, cache: true, inference: { env: { INFERENCE_WORKERS: '1' } } });
  const team = await cacheTeam(stack, 'cache-formats');
  teamId = team.teamId;
  const raw = team.key;
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: raw, maxRetries: 0 });
  google = new GoogleGenAI({ apiKey: raw, httpOptions: { baseUrl: stack.url } });
  store = new CacheStore(redisFor(stack.stores.redisUrl));
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await closeStores();
}, 30_000);

beforeEach(() => stack.mock.reset());

const MODEL = 'gpt-4o-mini';
const GEMINI = 'gemini-3.5-flash';

/** The text of a response's message items (a streamed final response has no output_text). */
function textOf(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content.map((part) => (part.type === 'output_text' ? part.text : '')) : []))
    .join('');
}

local.describe('semantic cache: Responses and Google GenAI', () => {
  test('responses.create: a miss fills; the same question is an exact hit, non-streamed and streamed; chat does not hit it', async () => {
    const input = `How do I list the gateway's routes? ${mockDirective({ tokens: 11 })}`;
    const first = await openai.responses.create({ model: MODEL, input }).withResponse();
    expect(first.response.headers.get('x-cache-status')).toBe('Miss');
    expect(stack.mock.requests.map((r) => r.path)).toEqual(['/v1/responses']);
    await waitForFillAt(store, teamId, '/v1/responses', { model: MODEL, input }, MODEL);

    const hit = await openai.responses.create({ model: MODEL, input }).withResponse();
    expect(hit.response.headers.get('x-cache-status')).toBe('Hit');
    expect(hit.response.headers.get('x-cache-similarity')).toBe('1.0000');
    expect(hit.data.object).toBe('response');
    expect(hit.data.id).toMatch(/^resp_/);
    expect(hit.data.id).not.toBe(first.data.id);
    expect(hit.data.output_text).toBe(first.data.output_text);
    expect(hit.data.usage).toMatchObject({ output_tokens: 11, input_tokens: first.data.usage!.input_tokens });
    expect(stack.mock.requests).toHaveLength(1);

    const stream = await openai.responses.create({ model: MODEL, input, stream: true }).withResponse();
    expect(stream.response.headers.get('x-cache-status')).toBe('Hit');
    let completed: OpenAI.Responses.Response | undefined;
    let deltas = '';
    for await (const event of stream.data) {
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(deltas).toBe(first.data.output_text);
    expect(textOf(completed!)).toBe(first.data.output_text);
    expect(stack.mock.requests).toHaveLength(1);

    const chat = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: input }] }).withResponse();
    expect(chat.response.headers.get('x-cache-status')).toBe('Miss');
    expect(stack.mock.requests).toHaveLength(2);
  });

  test('responses.create streamed first: the pass-through stream fills, a non-streamed request hits', async () => {
    const input = `What does the relay sign? ${mockDirective({ tokens: 6 })}`;
    const stream = await openai.responses.create({ model: MODEL, input, stream: true });
    let first = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') first += event.delta;
    await waitForFillAt(store, teamId, '/v1/responses', { model: MODEL, input }, MODEL);
    const hit = await openai.responses.create({ model: MODEL, input }).withResponse();
    expect(hit.response.headers.get('x-cache-status')).toBe('Hit');
    expect(hit.data.output_text).toBe(first);
    expect(stack.mock.requests).toHaveLength(1);
  });

  test("previous_response_id bypasses the cache, and a hit's response can be continued like any other", async () => {
    const input = `Hello there ${mockDirective({ tokens: 3 })}`;
    await openai.responses.create({ model: MODEL, input });
    await waitForFillAt(store, teamId, '/v1/responses', { model: MODEL, input }, MODEL);
    const hit = await openai.responses.create({ model: MODEL, input }).withResponse();
    expect(hit.response.headers.get('x-cache-status')).toBe('Hit');
    const next = await openai.responses
      .create({ model: MODEL, input: `And then? ${mockDirective({ tokens: 3 })}`, previous_response_id: hit.data.id })
      .withResponse();
    expect(next.response.headers.get('x-cache-status')).toBe('Bypass');
    expect(next.data.previous_response_id).toBe(hit.data.id);
    // The kept context reached the provider: the hit's question and answer before the new input.
    const sent = stack.mock.requests.at(-1)!.body as { input: Array<{ content?: unknown }> };
    expect(JSON.stringify(sent.input)).toContain(hit.data.output_text);
  });

  test('generateContent: a miss fills; the same question is an exact hit, JSON and streamed', async () => {
    const question = `Which header carries the Google key? ${mockDirective({ tokens: 8 })}`;
    const first = await google.models.generateContent({ model: GEMINI, contents: question });
    expect(first.sdkHttpResponse?.headers?.['x-cache-status']).toBe('Miss');
    expect(stack.mock.requests).toHaveLength(1);
    const path = `/v1beta/models/${GEMINI}:generateContent`;
    await waitForFillAt(store, teamId, path, { contents: [{ role: 'user', parts: [{ text: question }] }] }, GEMINI);

    const hit = await google.models.generateContent({ model: GEMINI, contents: question });
    expect(hit.sdkHttpResponse?.headers?.['x-cache-status']).toBe('Hit');
    expect(hit.text).toBe(first.text);
    expect(hit.usageMetadata?.candidatesTokenCount).toBe(8);
    expect(stack.mock.requests).toHaveLength(1);

    let streamed = '';
    for await (const chunk of await google.models.generateContentStream({ model: GEMINI, contents: question })) streamed += chunk.text ?? '';
    expect(streamed).toBe(first.text);
    expect(stack.mock.requests).toHaveLength(1);
  });
});
