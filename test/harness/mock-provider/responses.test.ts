// The mock's Responses API (POST /v1/responses, /v1/responses/input_tokens) read by the official
// `openai` SDK (v6): if it parses the mock, the relay's pass-through is tested against the real shapes.

import OpenAI from 'openai';
import { type MockProvider, mockDirective, startMockOpenAI } from './index';

const KEY = 'sk-test-0123456789abcdefWXYZ';
let mock: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ apiKey: KEY, models: ['gpt-4o-mini'] });
  client = new OpenAI({ apiKey: KEY, baseURL: mock.baseUrl, maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

/** The text of a response's message items (a streamed final response has no output_text: the SDK adds it to non-streamed ones only). */
function textOf(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content.map((part) => (part.type === 'output_text' ? part.text : '')) : []))
    .join('');
}

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};

describe('/v1/responses', () => {
  test('a response object with the chat rule for input tokens', async () => {
    const res = await client.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: `Say hello. ${mockDirective({ content: 'Hello, world!', cachedTokens: 4 })}`,
    });
    expect(res).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-4o-mini', instructions: 'Be brief.', store: true });
    expect(res.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(res.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hello, world!' }],
      },
    ]);
    expect(res.output_text).toBe('Hello, world!');
    // input = 3 + (3 + "Be brief." 3) + (3 + "Say hello." 3) = 15, as the same chat request; answer = 4.
    expect(res.usage).toEqual({
      input_tokens: 15,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 19,
    });
  });

  test('function calls from a script and from a forced tool; max_output_tokens makes it incomplete', async () => {
    const scripted = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [weather],
      input: `Weather? ${mockDirective({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] })}`,
    });
    expect(scripted.output).toEqual([
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        arguments: '{"city":"Paris"}',
        call_id: expect.stringMatching(/^call_/),
        name: 'get_weather',
      },
    ]);
    const forced = await client.responses.create({ model: 'gpt-4o-mini', tools: [weather], tool_choice: 'required', input: 'Weather?' });
    expect(forced.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather' });
    const cut = await client.responses.create({ model: 'gpt-4o-mini', max_output_tokens: 3, input: `go ${mockDirective({ tokens: 10 })}` });
    expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { output_tokens: 3 } });
  });

  test('streams the event sequence the SDK accumulates, each event named and numbered', async () => {
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: `hi ${mockDirective({ tokens: 5 })}` });
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array(5).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(final.usage?.output_tokens).toBe(5);
    expect(textOf(final).length).toBeGreaterThan(0);
    const raw = await fetch(`${mock.baseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, input: `hi ${mockDirective({ tokens: 1 })}` }),
    });
    expect(await raw.text()).toMatch(/^event: response\.created\ndata: \{"type":"response\.created","sequence_number":0,/);
  });

  test('keeps nothing: previous_response_id is refused as OpenAI refuses an unknown id', async () => {
    const refused = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: 'resp_x', input: 'hi' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ status: 400, code: 'previous_response_not_found', param: 'previous_response_id' });
  });

  test('input_tokens counts with the same rule', async () => {
    const counted = await client.responses.inputTokens.count({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Say hello.' });
    expect(counted).toEqual({ object: 'response.input_tokens', input_tokens: 15 });
  });
});
