/**
 * What a client sees when Gemini blocks a prompt, stops an answer with a filter or does not know
 * the model, through the relay against the mock's Gemini dialect (Gemini's exact wire format),
 * streamed and not, for OpenAI and Anthropic clients; what is billed; and that nothing blocked
 * reaches the semantic cache.
 */
import { SseParser } from '../../../lib/sse';
import { type MockProviders, mockDirective, startMockProviders } from '../../harness/mock-provider';
import type { MockScript } from '../../harness/mock-provider/types';
import { CACHE_FILL, mockTarget, PROVIDER_KEY, type RelayUnderTest, startRelayUnderTest } from './relay-under-test';

let mock: MockProviders;
let relay: RelayUnderTest;

beforeAll(async () => {
  mock = await startMockProviders({ apiKey: PROVIDER_KEY, models: ['gemini-2.5-flash', 'gpt-4o-mini'] });
  relay = await startRelayUnderTest();
});

afterAll(async () => {
  await relay.close();
  await mock.close();
});

beforeEach(() => mock.reset());

const gemini = (model = 'gemini-2.5-flash') => mockTarget('gemini', mock.baseUrls.gemini, model);
const openai = () => mockTarget('openai', mock.baseUrls.openai, 'gpt-4o-mini');

/** "Tell me" is 2 prompt tokens in the mock's count (the directive is removed before counting). */
const PROMPT_TOKENS = 2;
const NANO_PER_PROMPT_TOKEN = 1000; // $1 per million input tokens

function chat(script: MockScript, stream: boolean): Record<string, unknown> {
  return { model: 'public', stream, messages: [{ role: 'user', content: `Tell me ${mockDirective(script)}` }] };
}
function messages(script: MockScript, stream: boolean): Record<string, unknown> {
  return { ...chat(script, stream), max_tokens: 100 };
}

/** An OpenAI stream read back: its chunks' deltas joined, the finish reason, and any error event. */
async function openAIStream(res: Response): Promise<{ content: string; refusal: string; finish: string | null; error?: unknown }> {
  const out = { content: '', refusal: '', finish: null as string | null, error: undefined as unknown };
  for (const event of new SseParser().push(new Uint8Array(await res.arrayBuffer()))) {
    if (!event.data || event.data === '[DONE]') continue;
    const chunk = JSON.parse(event.data) as {
      error?: unknown;
      choices?: Array<{ delta: { content?: string; refusal?: string }; finish_reason: string | null }>;
    };
    if (chunk.error) out.error = chunk.error;
    for (const choice of chunk.choices ?? []) {
      out.content += choice.delta.content ?? '';
      out.refusal += choice.delta.refusal ?? '';
      out.finish = choice.finish_reason ?? out.finish;
    }
  }
  return out;
}

async function anthropicEvents(res: Response): Promise<Array<{ event?: string; data: Record<string, unknown> }>> {
  return new SseParser()
    .push(new Uint8Array(await res.arrayBuffer()))
    .filter((e) => e.data !== undefined)
    .map((e) => ({ event: e.event, data: JSON.parse(e.data!) as Record<string, unknown> }));
}

describe('a prompt Gemini blocks', () => {
  it.each([false, true])(
    'OpenAI client (stream %s): 400 content_filter with the reason and its message, billed for the prompt, never retried nor cached',
    async (stream) => {
      const id = `blocked-openai-${stream}`;
      const script = { blockReason: 'PROHIBITED_CONTENT', blockReasonMessage: 'The prompt contains prohibited content.' };
      const res = await relay.send(chat(script, stream), gemini(), { id, cache: CACHE_FILL });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { message: string; type: string; code: string; param: string } };
      expect(error).toMatchObject({ type: 'invalid_request_error', code: 'content_filter', param: 'messages' });
      expect(error.message).toBe('The provider (gemini) blocked the prompt: PROHIBITED_CONTENT. The prompt contains prohibited content.');
      expect(mock.requests).toHaveLength(1);
      const record = await relay.settled(id);
      expect(record).toMatchObject({ status: 400, outcome: 'upstream_error', usage: { promptTokens: PROMPT_TOKENS, completionTokens: 0 } });
      expect(record.costNano).toBe(PROMPT_TOKENS * NANO_PER_PROMPT_TOKEN);
      expect(relay.cached).toHaveLength(0);
    },
  );

  it.each([false, true])('Anthropic client (stream %s): 400 invalid_request_error naming the filter, the reason and the flagged rating', async (stream) => {
    const res = await relay.send(messages({ blockReason: 'SAFETY' }, stream), gemini(), { path: '/v1/messages' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'The provider (gemini) blocked the prompt: SAFETY (HARM_CATEGORY_DANGEROUS_CONTENT: HIGH) (content_filter)',
      },
    });
  });

  it('fails over to the next target only when failover.on_content_policy is on', async () => {
    const body = chat({ blockReason: 'OTHER' }, false);
    const refused = await relay.send(body, [gemini(), openai()]);
    expect(refused.status).toBe(400);
    expect(mock.requests.map((r) => r.path)).toEqual(['/v1beta/models/gemini-2.5-flash:generateContent']);
    mock.reset();
    const answered = await relay.send(body, [gemini(), openai()], { retry: { failoverOnContentPolicy: true } });
    expect(answered.status).toBe(200);
    expect(answered.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o-mini');
  });
});

describe('an answer a Gemini filter stops', () => {
  const stopped = { tokens: 3, finishReason: 'content_filter' } as const;
  const explanation = 'The provider (gemini) stopped the answer: SAFETY (HARM_CATEGORY_DANGEROUS_CONTENT: HIGH)';

  it('OpenAI client: finish_reason content_filter, the filter’s explanation as the refusal, billed as reported, not cached', async () => {
    const id = 'stopped-openai';
    const res = await relay.send(chat(stopped, false), gemini(), { id, cache: CACHE_FILL });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      choices: Array<{ message: { content: string; refusal: string }; finish_reason: string }>;
      usage: Record<string, number>;
    };
    expect(body.choices[0].finish_reason).toBe('content_filter');
    expect(body.choices[0].message.refusal).toBe(explanation);
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
    expect(body.usage).toMatchObject({ prompt_tokens: PROMPT_TOKENS, completion_tokens: 3 });
    expect(await relay.settled(id)).toMatchObject({ status: 200, outcome: 'ok', usage: { promptTokens: PROMPT_TOKENS, completionTokens: 3 } });
    expect(relay.cached).toHaveLength(0);
  });

  it('OpenAI client, streamed: the refusal before the content_filter finish, nothing cached', async () => {
    const id = 'stopped-openai-stream';
    const res = await relay.send(chat({ ...stopped, geminiFinishReason: 'PROHIBITED_CONTENT' }, true), gemini(), { id, cache: CACHE_FILL });
    const stream = await openAIStream(res);
    expect(stream).toMatchObject({ finish: 'content_filter', refusal: 'The provider (gemini) stopped the answer: PROHIBITED_CONTENT', error: undefined });
    expect(stream.content.length).toBeGreaterThan(0);
    expect(await relay.settled(id)).toMatchObject({ status: 200, outcome: 'ok', usage: { completionTokens: 3 } });
    expect(relay.cached).toHaveLength(0);
  });

  it('Anthropic client: stop_reason refusal with Anthropic’s stop_details; streamed, stop_reason refusal', async () => {
    const res = await relay.send(messages(stopped, false), gemini(), { path: '/v1/messages' });
    expect(await res.json()).toMatchObject({
      stop_reason: 'refusal',
      stop_details: { type: 'refusal', category: null, explanation },
      usage: { input_tokens: PROMPT_TOKENS, output_tokens: 3 },
    });
    const streamed = await anthropicEvents(await relay.send(messages(stopped, true), gemini(), { path: '/v1/messages' }));
    expect(streamed.find((e) => e.event === 'message_delta')?.data).toMatchObject({ delta: { stop_reason: 'refusal' } });
  });

  it.each([false, true])('a normal answer on the same plan is stored (stream %s): the fill runs here', async (stream) => {
    const id = `stored-${stream}`;
    const res = await relay.send(chat({ tokens: 3 }, stream), gemini(), { id, cache: CACHE_FILL });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await relay.settled(id);
    expect(relay.cached.splice(0)).toHaveLength(1);
  });
});

describe('a model Gemini does not serve', () => {
  it('is a 404 in the client’s own shape, neither retried nor failed over, like every adapter’s 404', async () => {
    const res = await relay.send(chat({}, false), [gemini('gemini-9'), openai()]);
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { message: string; type: string; code: string } };
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    expect(error.message).toMatch(/^models\/gemini-9 is not found/);
    expect(mock.requests).toHaveLength(1);

    const anthropic = await relay.send(messages({}, true), gemini('gemini-9'), { path: '/v1/messages' });
    expect(anthropic.status).toBe(404);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});
