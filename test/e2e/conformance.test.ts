/**
 * Conformance: the official SDKs as clients, over every provider type the dev configuration
 * serves (each answered by the mock speaking that provider's exact wire format), streamed and
 * not, with tools. The SDKs' own parsers must accept every response the gateway produces.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mockDirective } from '../harness/mock-provider';
import { schemaErrors } from '../harness/mock-provider/schema-check';
import { withAzureDeployments } from '../harness/stack/e2e-deck';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { uniqueName } from './helpers';

let stack: DevStack;
let openai: OpenAI;
let anthropic: Anthropic;
let key: string;

/** Public model name → the provider type behind it in deck/kong.yaml (Azure ones added by withAzureDeployments). */
const MODELS: Array<[string, string]> = [
  ['gpt-4o-mini', 'openai'],
  ['gemini-3.5-flash', 'gemini'],
  ['claude-sonnet-4-6', 'anthropic'],
  ['gpt-4o-azure', 'azure'],
];

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const toolCalls = [
  { name: 'get_weather', arguments: '{"city":"Paris"}' },
  { name: 'get_weather', arguments: '{"city":"Tokyo, Japan"}' },
];

beforeAll(async () => {
  stack = await startDevStack({ env: {}, sourceTransform: withAzureDeployments });
  expect(stack.routing['gpt-4o-azure']).toBe('mock');
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('conformance') });
  key = created.body.key as string;
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: key, maxRetries: 0 });
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

describe.each(MODELS)('openai client → %s (%s)', (model, provider) => {
  it('answers a non-streamed request with usage and the gateway cost', async () => {
    const { data, response } = await openai.chat.completions
      .create({
        model,
        max_tokens: 200,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: `Hello ${mockDirective({ tokens: 7 })}` },
        ],
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage?.completion_tokens).toBe(7);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-gateway-cost'))).toBeGreaterThan(0);
    expect(response.headers.get('x-aigw-upstream-model')).toMatch(new RegExp(`^${provider}/`));
  });

  it('streams content with usage and cost in the final chunk', async () => {
    const stream = await openai.chat.completions.create({
      model,
      max_tokens: 200,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: `Tell me more ${mockDirective({ tokens: 12 })}` }],
    });
    let text = '';
    let usage: (OpenAI.CompletionUsage & { cost?: number }) | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(12);
    expect(usage?.cost).toBeGreaterThan(0);
  });

  it('returns parallel tool calls, non-streamed', async () => {
    const completion = await openai.chat.completions.create({
      model,
      max_tokens: 200,
      tools: [weatherTool],
      messages: [{ role: 'user', content: `Weather in Paris and Tokyo? ${mockDirective({ toolCalls })}` }],
    });
    const calls = completion.choices[0].message.tool_calls ?? [];
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(calls.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : null))).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Tokyo, Japan' }],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('streams parallel tool calls that the SDK accumulates intact', async () => {
    const runner = openai.chat.completions.stream({
      model,
      max_tokens: 200,
      tools: [weatherTool],
      messages: [{ role: 'user', content: `Weather in Paris and Tokyo? ${mockDirective({ toolCalls })}` }],
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0].message.tool_calls ?? [];
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(calls.map((c) => (c.type === 'function' ? JSON.parse(c.function.arguments) : null))).toEqual([{ city: 'Paris' }, { city: 'Tokyo, Japan' }]);
  });

  it('passes a tool result back in a multi-turn conversation', async () => {
    const completion = await openai.chat.completions.create({
      model,
      max_tokens: 200,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":21}' },
        { role: 'user', content: `Thanks! ${mockDirective({ tokens: 5 })}` },
      ],
    });
    expect(completion.choices[0].message.content?.length).toBeGreaterThan(0);
  });
});

/**
 * Unscripted forced tools and JSON: the mock answers them as each provider would, so what the
 * client gets back went through the relay's translation both ways. The schema uses only what
 * every translation keeps (Gemini's subset drops formats and additionalProperties).
 */
const bookingSchema = {
  type: 'object',
  properties: {
    city: { type: 'string', minLength: 2 },
    nights: { type: 'integer', minimum: 1, maximum: 14 },
    room: { type: 'string', enum: ['single', 'double', 'suite'] },
    guest: { $ref: '#/$defs/guest' },
    extras: { type: 'array', items: { type: 'string', enum: ['parking', 'breakfast'] }, maxItems: 2 },
  },
  required: ['city', 'nights', 'room', 'guest'],
  additionalProperties: false,
  $defs: { guest: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 18, maximum: 99 } }, required: ['name', 'age'] } },
};
const bookTool: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'book_room', description: 'Book a hotel room', parameters: bookingSchema } };

describe.each(['claude-sonnet-4-6', 'gemini-3.5-flash', 'gpt-4o-mini'])('openai client forcing a tool → %s', (model) => {
  it('gets one call of that tool with arguments valid for its schema, non-streamed and streamed', async () => {
    const request = {
      model,
      max_tokens: 500,
      tools: [weatherTool, bookTool],
      tool_choice: { type: 'function' as const, function: { name: 'book_room' } },
      messages: [{ role: 'user' as const, content: 'Book me a room in Lisbon' }],
    };
    const completion = await openai.chat.completions.create(request);
    const streamed = await openai.chat.completions.stream(request).finalChatCompletion();
    for (const result of [completion, streamed]) {
      const calls = result.choices[0].message.tool_calls ?? [];
      expect(calls).toHaveLength(1);
      if (calls[0].type !== 'function') throw new Error('not a function call');
      expect(calls[0].function.name).toBe('book_room');
      expect(schemaErrors(JSON.parse(calls[0].function.arguments), bookingSchema)).toEqual([]);
    }
  });
});

describe('openai client → JSON mode on a Claude target (emulated with a forced tool)', () => {
  it('json_object returns parseable JSON content, streamed and not', async () => {
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 500,
      response_format: { type: 'json_object' as const },
      messages: [{ role: 'user' as const, content: 'Describe a cat as JSON' }],
    };
    const completion = await openai.chat.completions.create(request);
    expect(completion.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(typeof JSON.parse(completion.choices[0].message.content ?? '')).toBe('object');
    let streamed = '';
    for await (const chunk of await openai.chat.completions.create({ ...request, stream: true })) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(typeof JSON.parse(streamed)).toBe('object');
  });

  it('json_schema returns JSON matching the schema', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 500,
      response_format: { type: 'json_schema', json_schema: { name: 'booking', schema: bookingSchema } },
      messages: [{ role: 'user', content: 'A booking, please' }],
    });
    expect(schemaErrors(JSON.parse(completion.choices[0].message.content ?? ''), bookingSchema)).toEqual([]);
  });
});

describe('anthropic client → structured outputs (output_config) through the translation policy', () => {
  const person = {
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'],
    additionalProperties: false,
  };
  const outputConfig = { format: { type: 'json_schema' as const, schema: person } };

  it.each(MODELS)('%s (%s) answers JSON matching the schema', async (model) => {
    const message = await anthropic.messages.create({ model, max_tokens: 300, output_config: outputConfig, messages: [{ role: 'user', content: 'Who?' }] });
    const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(schemaErrors(JSON.parse(text), person)).toEqual([]);
  });

  it('reaches an OpenAI target as response_format json_schema, strict, and output_config does not', async () => {
    const marker = uniqueName('structured');
    await anthropic.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 300,
      output_config: outputConfig,
      messages: [{ role: 'user', content: `Who? ${marker}` }],
    });
    const sent = stack.mock.requests.find((r) => JSON.stringify(r.body).includes(marker))?.body as Record<string, unknown>;
    expect(sent.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'structured_output', schema: person, strict: true } });
    expect(sent).not.toHaveProperty('output_config');
  });

  it('refuses what an OpenAI target cannot take with a 400 naming it, and calls no provider', async () => {
    const before = stack.mock.requests.length;
    const error = await anthropic.messages
      .create({ model: 'gpt-4o-mini', max_tokens: 50, container: 'container_1', messages: [{ role: 'user', content: 'Run it' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toMatch(/container: this field cannot be sent to OpenAI-format models/);
    expect(stack.mock.requests.length).toBe(before);
  });
});

describe('openai client → gpt-4o-azure (azure) specifics', () => {
  it("reaches the deployment URL with api-key and an api-version, and hides Azure's filter extras", async () => {
    stack.mock.reset();
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-azure', messages: [{ role: 'user', content: `Hi ${mockDirective({ tokens: 3 })}` }] })
      .withResponse();
    expect(response.headers.get('x-aigw-upstream-model')).toBe('azure/gpt-4o-prod');
    const sent = stack.mock.requests.find((r) => r.path.startsWith('/openai/'));
    expect(sent?.path).toBe('/openai/deployments/gpt-4o-prod/chat/completions');
    expect(sent?.headers['api-key']).toBeTruthy();
    expect(sent?.headers.authorization).toBeUndefined();
    const raw = data as unknown as Record<string, unknown>;
    expect(raw.prompt_filter_results).toBeUndefined();
    expect((data.choices[0] as unknown as Record<string, unknown>).content_filter_results).toBeUndefined();
  });

  it("surfaces a content-filter refusal as a 400 with the provider's message kept", async () => {
    const error = await openai.chat.completions
      .create({ model: 'gpt-4o-azure', messages: [{ role: 'user', content: `Bad ${mockDirective({ status: 400, finishReason: 'content_filter' })}` }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect((error as Error).message).toContain("The response was filtered due to the prompt triggering Azure OpenAI's content management policy");
  });

  it('surfaces a streamed content-filter refusal as a 400 too', async () => {
    const error = await openai.chat.completions
      .create({
        model: 'gpt-4o-azure',
        stream: true,
        messages: [{ role: 'user', content: `Bad ${mockDirective({ status: 400, finishReason: 'content_filter' })}` }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('content management policy');
  });
});

describe.each([
  ['text-embedding-3-small', 'openai'],
  ['gemini-embedding-001', 'gemini'],
  ['text-embedding-3-small-azure', 'azure'],
])('openai client → embeddings → %s (%s)', (model, provider) => {
  it('returns vectors the SDK decodes (it asks for base64), equal for equal inputs, with usage and cost', async () => {
    const { data, response } = await openai.embeddings.create({ model, input: ['the cat sat', 'the cat sat', 'a different text'] }).withResponse();
    expect(data.data).toHaveLength(3);
    expect(data.data[0].embedding.length).toBeGreaterThan(10);
    expect(data.data[0].embedding).toEqual(data.data[1].embedding);
    expect(data.data[0].embedding).not.toEqual(data.data[2].embedding);
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-aigw-upstream-model')).toMatch(new RegExp(`^${provider}/`));
    expect(Number(response.headers.get('x-gateway-cost'))).toBeGreaterThan(0);
  });
});

describe.each(MODELS)('anthropic client → /v1/messages → %s (%s)', (model) => {
  it('answers a non-streamed message with usage', async () => {
    const message = await anthropic.messages.create({
      model,
      max_tokens: 200,
      system: 'Be brief.',
      messages: [{ role: 'user', content: `Hello ${mockDirective({ tokens: 6 })}` }],
    });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(6);
  });

  it('streams text that the SDK accumulates', async () => {
    const stream = anthropic.messages.stream({ model, max_tokens: 200, messages: [{ role: 'user', content: `Go on ${mockDirective({ tokens: 9 })}` }] });
    const final = await stream.finalMessage();
    const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(9);
  });

  it('streams tool_use blocks whose input the SDK assembles from the deltas', async () => {
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 200,
      tools: [
        {
          name: 'get_weather',
          description: 'Weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      messages: [{ role: 'user', content: `Weather in Paris and Tokyo? ${mockDirective({ toolCalls })}` }],
    });
    const final = await stream.finalMessage();
    const uses = final.content.filter((b) => b.type === 'tool_use');
    expect(final.stop_reason).toBe('tool_use');
    expect(uses.map((b) => (b.type === 'tool_use' ? [b.name, b.input] : null))).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Tokyo, Japan' }],
    ]);
  });

  it('answers errors in Anthropic shape so the SDK raises the right class', async () => {
    await expect(anthropic.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    const badKey = new Anthropic({ baseURL: stack.url, apiKey: 'sk-aigw-wrong', maxRetries: 0 });
    await expect(badKey.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
  });
});

/**
 * Signed thinking across turns: a streamed Claude answer that thinks and calls a tool, read by an
 * official SDK, sent back with the tool's result. Anthropic drops nothing and verifies the
 * signature of replayed thinking; the mock refuses (400) a signature it did not issue for the text.
 */
describe('streamed thinking with tool use on a Claude target, replayed as the next turn', () => {
  const model = 'claude-sonnet-4-6';
  const thinking = 'The user wants the weather in Paris, so I call get_weather.';
  const question = `Weather in Paris? ${mockDirective({ thinking, toolCalls: [toolCalls[0]] })}`;
  const thanks = `Thanks! ${mockDirective({ tokens: 5 })}`;
  const signedThinking = { type: 'thinking', thinking, signature: expect.stringMatching(/^mocksig_/) };
  // Every turn from the provider, never from the semantic cache.
  const uncached = { headers: { 'cache-control': 'no-store' } };

  /** The assistant turn the provider got in the request after `seen`. */
  function replayedAssistantTurn(seen: number): unknown[] {
    const request = stack.mock.requests.slice(seen).find((r) => r.path === '/v1/messages');
    const messages = (request?.body as { messages?: Array<{ role: string; content: unknown[] }> } | undefined)?.messages ?? [];
    return messages.find((m) => m.role === 'assistant')?.content ?? [];
  }

  it('anthropic client → /v1/messages: the thinking block and its signature reach the provider intact', async () => {
    const request = {
      model,
      max_tokens: 4096,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      tools: [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }],
    };
    const answer = await anthropic.messages.stream({ ...request, messages: [{ role: 'user', content: question }] }, uncached).finalMessage();
    expect(answer.stop_reason).toBe('tool_use');
    const [signed, call] = answer.content;
    expect(signed).toEqual(signedThinking);
    if (call?.type !== 'tool_use') throw new Error('expected a tool call after the thinking');

    const seen = stack.mock.requests.length;
    const next = await anthropic.messages.create(
      {
        ...request,
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: answer.content as Anthropic.ContentBlockParam[] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: call.id, content: '{"temp_c":21}' },
              { type: 'text', text: thanks },
            ],
          },
        ],
      },
      uncached,
    );
    expect(next.stop_reason).toBe('end_turn');
    expect(replayedAssistantTurn(seen)).toEqual([signed, { type: 'tool_use', id: call.id, name: 'get_weather', input: { city: 'Paris' } }]);
  });

  it('openai client → chat completions: the streamed thinking_blocks carry the signature, and replayed they reach the provider intact', async () => {
    const request = { model, max_tokens: 4096, reasoning_effort: 'minimal' as const, tools: [weatherTool] };
    const final = await openai.chat.completions.stream({ ...request, messages: [{ role: 'user', content: question }] }, uncached).finalChatCompletion();
    const message = final.choices[0].message as OpenAI.ChatCompletionMessage & { thinking_blocks?: unknown[] };
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(message.thinking_blocks).toEqual([signedThinking]);
    const call = message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a tool call after the thinking');

    const seen = stack.mock.requests.length;
    const assistant = { role: 'assistant', content: message.content, tool_calls: message.tool_calls, thinking_blocks: message.thinking_blocks };
    const next = await openai.chat.completions.create(
      {
        ...request,
        messages: [
          { role: 'user', content: question },
          assistant as OpenAI.ChatCompletionAssistantMessageParam,
          { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21}' },
          { role: 'user', content: thanks },
        ],
      },
      uncached,
    );
    expect(next.choices[0].finish_reason).toBe('stop');
    expect(replayedAssistantTurn(seen)[0]).toEqual(message.thinking_blocks?.[0]);
  });
});
