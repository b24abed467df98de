/**
 * POST /v1/responses end to end with the official openai SDK (`client.responses`): through Kong,
 * the plugins and the relay to an OpenAI target (passed through to the mock's Responses API), an
 * Anthropic target and a Gemini target (translated), streamed and not, with a function tool round
 * trip continued by previous_response_id; continuations stay within their tenant; budgets and the
 * ledger count a Responses request exactly as the same chat request; input_tokens counts.
 */
import OpenAI from 'openai';
import { mockDirective } from '../harness/mock-provider';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { usdNumberToNano, usdStringToNano, waitForLedger } from './billing-helpers';
import { uniqueName } from './helpers';

let stack: DevStack;

beforeAll(async () => {
  stack = await startDevStack({ env: {} });
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => stack.mock!.reset());

async function keyFor(name: string, extra: Record<string, unknown> = {}): Promise<{ id: string; client: OpenAI }> {
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName(name), ...extra });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, client: new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: created.body.key as string, maxRetries: 0 }) };
}

async function teamKey(name: string): Promise<OpenAI> {
  const team = await stack.admin('POST', '/admin/teams', { name: uniqueName(name) });
  expect(team.status).toBe(201);
  return (await keyFor(name, { team: team.body.id })).client;
}

/** The text of a response's message items (a streamed final response has no output_text: the SDK adds it to non-streamed ones only). */
function textOf(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content.map((part) => (part.type === 'output_text' ? part.text : '')) : []))
    .join('');
}

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const parisCall = [{ name: 'get_weather', arguments: '{"city":"Paris"}' }];

/** Public model → the provider behind it in deck/kong.yaml, and the path the mock saw. */
const MODELS: Array<[string, string, string]> = [
  ['gpt-4o-mini', 'openai', '/v1/responses'],
  ['claude-sonnet-4-6', 'anthropic', '/v1/messages'],
  ['gemini-3.5-flash', 'gemini', '/v1beta/models/gemini-3.5-flash:generateContent'],
];

describe.each(MODELS)('openai client → /v1/responses → %s (%s)', (model, provider, upstreamPath) => {
  let client: OpenAI;
  beforeAll(async () => {
    client = await teamKey(`responses-${provider}`);
  });

  it('answers a non-streamed request with usage and the gateway cost', async () => {
    const { data, response } = await client.responses
      .create({ model, instructions: 'Be brief.', input: `Hello ${mockDirective({ tokens: 7 })}`, max_output_tokens: 200 })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe('completed');
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', annotations: [] }] });
    expect(data.usage).toMatchObject({ output_tokens: 7, input_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(data.usage!.input_tokens).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-gateway-cost'))).toBeGreaterThan(0);
    expect(response.headers.get('x-aigw-upstream-model')).toMatch(new RegExp(`^${provider}/`));
    const upstream = stack.mock!.requests.at(-1)!;
    expect(upstream.path.split('?')[0]).toBe(upstreamPath);
  });

  it('runs a function tool round trip: a function_call, then its output continued by previous_response_id', async () => {
    // Scripts from the queue: a directive in the first question would answer the second too.
    stack.mock!.enqueue({ toolCalls: parisCall });
    const first = await client.responses.create({ model, max_output_tokens: 200, tools: [weatherTool], input: 'Weather in Paris?' });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', call_id: expect.any(String) });
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });

    stack.mock!.reset();
    stack.mock!.enqueue({ content: 'Sunny in Paris.' });
    const second = await client.responses.create({
      model,
      max_output_tokens: 200,
      tools: [weatherTool],
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"forecast":"sunny"}' }],
    });
    expect(second.output_text).toBe('Sunny in Paris.');
    expect(second.previous_response_id).toBe(first.id);
    // The provider got the whole conversation, never the gateway's response id.
    const sent = JSON.stringify(stack.mock!.requests[0].body);
    expect(sent).toContain('Weather in Paris?');
    // Gemini pairs a result with its call by the function's name; the others by the call's id.
    expect(sent).toContain(provider === 'gemini' ? '"name":"get_weather"' : call.call_id);
    expect(sent).toContain('sunny');
    expect(sent).not.toContain('previous_response_id');
  });

  it('streams text that the SDK accumulates, ending with response.completed and usage', async () => {
    const stream = client.responses.stream({ model, max_output_tokens: 200, input: `Tell me more ${mockDirective({ tokens: 12 })}` });
    let deltas = '';
    stream.on('response.output_text.delta', (event) => (deltas += event.delta));
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    expect(textOf(final)).toBe(deltas);
    expect(deltas.length).toBeGreaterThan(0);
    expect(final.usage?.output_tokens).toBe(12);
    expect((final.usage as { cost?: number } | undefined)?.cost).toBeGreaterThan(0);

    // A streamed answer is kept before its end is sent: continued at once, its text reaches the provider.
    stack.mock!.reset();
    const next = await client.responses.create({ model, max_output_tokens: 50, previous_response_id: final.id, input: 'And then?' });
    expect(next.status).toBe('completed');
    expect(JSON.stringify(stack.mock!.requests[0].body)).toContain(JSON.stringify(deltas).slice(1, -1));
  });

  it('streams the full event sequence with increasing sequence numbers (create with stream: true), tool calls included', async () => {
    const stream = await client.responses.create({
      model,
      stream: true,
      max_output_tokens: 200,
      tools: [weatherTool],
      input: `Weather? ${mockDirective({ toolCalls: [parisCall[0], { name: 'get_weather', arguments: '{"city":"Tokyo, Japan"}' }] })}`,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types).toContain('response.function_call_arguments.done');
    const sequence = events.map((e) => e.sequence_number);
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(new Set(sequence).size).toBe(sequence.length);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    const calls = completed.response.output.filter((item) => item.type === 'function_call');
    expect(calls.map((c) => (c.type === 'function_call' ? JSON.parse(c.arguments) : null))).toEqual([{ city: 'Paris' }, { city: 'Tokyo, Japan' }]);
  });
});

describe('previous_response_id and store', () => {
  it('a response is continued by its own team, never by another tenant', async () => {
    const team = await stack.admin('POST', '/admin/teams', { name: uniqueName('resp-owner') });
    const alice = (await keyFor('resp-alice', { team: team.body.id })).client;
    const bob = (await keyFor('resp-bob', { team: team.body.id })).client;
    const eve = await teamKey('resp-eve');
    const loner = (await keyFor('resp-loner')).client;

    const first = await alice.responses.create({ model: 'claude-sonnet-4-6', max_output_tokens: 50, input: `My name is Ada. ${mockDirective({ tokens: 3 })}` });
    const continued = await bob.responses.create({
      model: 'claude-sonnet-4-6',
      max_output_tokens: 50,
      previous_response_id: first.id,
      input: 'What is my name?',
    });
    expect(continued.status).toBe('completed');

    for (const stranger of [eve, loner]) {
      const refused = await stranger.responses
        .create({ model: 'claude-sonnet-4-6', max_output_tokens: 50, previous_response_id: first.id, input: 'What is my name?' })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect(refused).toMatchObject({ status: 400, code: 'previous_response_not_found', param: 'previous_response_id' });
    }
  });

  it('store: false keeps nothing: continuing it is previous_response_not_found', async () => {
    const client = await teamKey('resp-unstored');
    const first = await client.responses.create({ model: 'gpt-4o-mini', store: false, input: `Secret ${mockDirective({ tokens: 3 })}` });
    expect((first as unknown as { store: boolean }).store).toBe(false);
    const refused = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: first.id, input: 'again' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ status: 400, code: 'previous_response_not_found' });
  });

  it('refuses what it cannot serve with a 400 in OpenAI shape naming the field, before any provider call', async () => {
    const client = await teamKey('resp-refusals');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [{ background: true }, 'background'],
      [{ conversation: 'conv_123' }, 'conversation'],
    ];
    for (const [extra, param] of cases) {
      const refused = await client.responses
        .create({ model: 'gpt-4o-mini', input: 'hi', ...extra } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming)
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect(refused).toMatchObject({ status: 400, param });
    }
    expect(stack.mock!.requests).toHaveLength(0);
  });
});

describe('budgets and the ledger count /v1/responses as chat', () => {
  it.each(['claude-sonnet-4-6', 'gpt-4o-mini'])('%s: the same tokens cost the same, in the header, the stream and the ledger', async (model) => {
    const { id: keyId, client } = await keyFor('resp-budget', { max_budget: 5 });
    const directive = mockDirective({ tokens: 9 });
    const chat = await client.chat.completions
      .create({
        model,
        max_tokens: 100,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: `Hello ${directive}` },
        ],
      })
      .withResponse();
    const responses = await client.responses.create({ model, max_output_tokens: 100, instructions: 'Be brief.', input: `Hello ${directive}` }).withResponse();
    const streamed = await client.responses.stream({ model, max_output_tokens: 100, instructions: 'Be brief.', input: `Hello ${directive}` }).finalResponse();

    expect(responses.data.usage).toMatchObject({ input_tokens: chat.data.usage!.prompt_tokens, output_tokens: chat.data.usage!.completion_tokens });
    const chatCost = usdStringToNano(chat.response.headers.get('x-gateway-cost')!);
    expect(chatCost).toBeGreaterThan(0);
    expect(usdStringToNano(responses.response.headers.get('x-gateway-cost')!)).toBe(chatCost);
    expect(usdNumberToNano((streamed.usage as unknown as { cost: number }).cost)).toBe(chatCost);

    const rows = await waitForLedger(stack.stores.databaseUrl, { keyIds: [keyId] }, 3);
    expect(rows.map((r) => [r.prompt_tokens, r.completion_tokens, r.cost_nano])).toEqual(
      Array(3).fill([chat.data.usage!.prompt_tokens, chat.data.usage!.completion_tokens, chatCost]),
    );
    const info = await stack.admin('GET', `/admin/keys/${keyId}`);
    expect(info.body).toMatchObject({ spend_nano: 3 * chatCost, requests: 3 });
  });

  it('a continuation reserves for the whole context: a budget too small for it is refused before the provider', async () => {
    // $0.004 covers the first request's worst case (≈24,500 prompt tokens at $0.15/M) but not,
    // after paying for it, a continuation carrying that context again.
    const { client } = await keyFor('resp-context-budget', { max_budget: 0.004 });
    const long = 'The gateway keeps the context of every response it answers. '.repeat(400);
    const first = await client.responses.create({ model: 'gpt-4o-mini', max_output_tokens: 16, input: `${long} ${mockDirective({ tokens: 3 })}` });
    stack.mock!.reset();
    // Alone, 'Go on.' fits the budget many times over; with the kept context it does not.
    await client.responses.create({ model: 'gpt-4o-mini', max_output_tokens: 16, input: 'Go on.' });
    const refused = await client.responses.create({ model: 'gpt-4o-mini', max_output_tokens: 16, previous_response_id: first.id, input: 'Go on.' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(stack.mock!.requests).toHaveLength(1);
  });
});

describe('/v1/responses/input_tokens', () => {
  it("an OpenAI target counts it (the provider's count, passed through); any other is counted by the gateway and marked estimated", async () => {
    const client = await teamKey('resp-count');
    const counted = await client.responses.inputTokens.count({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Hello there' }).withResponse();
    expect(counted.data).toEqual({ object: 'response.input_tokens', input_tokens: expect.any(Number) });
    expect(counted.response.headers.get('x-aigw-tokens-estimated')).toBeNull();
    expect(stack.mock!.requests.map((r) => r.path)).toEqual(['/v1/responses/input_tokens']);

    stack.mock!.reset();
    const estimated = await client.responses.inputTokens.count({ model: 'claude-sonnet-4-6', input: 'Hello there' }).withResponse();
    expect(estimated.data.input_tokens).toBeGreaterThan(0);
    expect(estimated.response.headers.get('x-aigw-tokens-estimated')).toBe('true');
    expect(stack.mock!.requests).toHaveLength(0);
  });
});
