/**
 * The Anthropic adapter against wire transcripts. Stream transcripts follow the event sequence of
 * Anthropic's streaming docs and recorded API streams (message_start with usage, ping, blocks
 * with input_json_delta starting with "", signature_delta, cumulative message_delta usage); the
 * translated chunks are also run through the openai SDK's own stream accumulator.
 */
import OpenAI from 'openai';
import type { GatewayError } from '../../../../lib/errors';
import type { ChatCompletionChunk, ChatRequest, ThinkingBlock, ToolCall } from '../../../../lib/openai-types';
import type { PlanTarget } from '../../../../lib/plan';
import { SseParser } from '../../../../lib/sse';
import { anthropicAdapter, JSON_TOOL_NAME } from '../../../../sidecars/relay/adapters/anthropic';
import type { StreamStep, UpstreamHttpRequest } from '../../../../sidecars/relay/adapters/types';
import { planTarget, wire } from './adapter-helpers';

const target: PlanTarget = planTarget('anthropic', 'https://api.anthropic.com', 'claude-sonnet-4-5-20250929', 'ANTHROPIC_API_KEY');
const ctx = { model: 'smart', requestId: 'req1', created: 1700000000 };

function build(request: Partial<ChatRequest>, t: PlanTarget = target): UpstreamHttpRequest | GatewayError {
  return anthropicAdapter.chatRequest(t, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], ...request } as ChatRequest, 'sk-ant-test');
}

function body(request: Partial<ChatRequest>, t: PlanTarget = target): Record<string, unknown> {
  const out = build(request, t);
  if (!('url' in out)) throw new Error(`refused: ${out.message}`);
  return JSON.parse(out.body) as Record<string, unknown>;
}

const hi = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }];
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const weatherAnthropic = { name: 'get_weather', description: 'Weather for a city', input_schema: weatherTool.function.parameters };

describe('Anthropic request: URL and headers', () => {
  it.each([
    ['https://api.anthropic.com', 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com/', 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com/v1', 'https://api.anthropic.com/v1/messages'],
    ['https://proxy.example/anthropic/v1/', 'https://proxy.example/anthropic/v1/messages'],
  ])('%s → %s', (baseUrl, url) => {
    const out = build({}, { ...target, baseUrl }) as UpstreamHttpRequest;
    expect(out.url).toBe(url);
    expect(out.headers).toEqual({
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      accept: 'application/json',
      'x-api-key': 'sk-ant-test',
    });
  });

  it('streams with stream:true and asks for SSE', () => {
    const out = build({ stream: true, stream_options: { include_usage: true } }) as UpstreamHttpRequest;
    expect(out.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(out.body)).toEqual({ model: target.model, max_tokens: 4096, messages: hi, stream: true });
  });
});

describe('Anthropic request: translation table', () => {
  const cases: Array<[string, Partial<ChatRequest>, Record<string, unknown>, PlanTarget?]> = [
    [
      'system + developer become top-level system blocks; consecutive same-role messages merge',
      {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral' } }] },
          { role: 'user', content: 'one' },
          { role: 'user', content: 'two' },
          { role: 'assistant', content: 'ok' },
          { role: 'assistant', content: [{ type: 'text', text: 'more' }] },
          { role: 'user', content: 'three' },
        ],
      },
      {
        model: target.model,
        max_tokens: 4096,
        system: [
          { type: 'text', text: 'You are terse.' },
          { type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral' } },
        ],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'one' },
              { type: 'text', text: 'two' },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'ok' },
              { type: 'text', text: 'more' },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'three' }] },
        ],
      },
    ],
    [
      'images: data URL → base64 source, https URL → url source, cache_control on text kept',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare', cache_control: { type: 'ephemeral', ttl: '1h' } },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            ],
          },
        ],
      },
      {
        model: target.model,
        max_tokens: 4096,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare', cache_control: { type: 'ephemeral', ttl: '1h' } },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            ],
          },
        ],
      },
    ],
    [
      'parallel tool calls → tool_use blocks; consecutive tool results → one user turn, before the next user text',
      {
        messages: [
          { role: 'user', content: 'Weather in Paris and Oslo?' },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              { id: 'toolu_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'toolu_B', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_A', content: '18C' },
          { role: 'tool', tool_call_id: 'toolu_B', content: [{ type: 'text', text: '9C', cache_control: { type: 'ephemeral' } }] },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [{ ...weatherTool, cache_control: { type: 'ephemeral' } }],
      },
      {
        model: target.model,
        max_tokens: 4096,
        tools: [{ ...weatherAnthropic, cache_control: { type: 'ephemeral' } }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_B', name: 'get_weather', input: { city: 'Oslo' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_A', content: '18C' },
              { type: 'tool_result', tool_use_id: 'toolu_B', content: [{ type: 'text', text: '9C', cache_control: { type: 'ephemeral' } }] },
              { type: 'text', text: 'Thanks' },
            ],
          },
        ],
      },
    ],
    [
      'empty tool arguments become {}; tool without parameters gets an empty object schema',
      {
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'ping', arguments: '' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'pong' },
        ],
        tools: [{ type: 'function', function: { name: 'ping' } }],
      },
      {
        model: target.model,
        max_tokens: 4096,
        tools: [{ name: 'ping', input_schema: { type: 'object', properties: {} } }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'go' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ping', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'pong' }] },
        ],
      },
    ],
    ['tool_choice auto', { tools: [weatherTool], tool_choice: 'auto' }, { tool_choice: { type: 'auto' } }],
    ['tool_choice none', { tools: [weatherTool], tool_choice: 'none' }, { tool_choice: { type: 'none' } }],
    ['tool_choice required → any', { tools: [weatherTool], tool_choice: 'required' }, { tool_choice: { type: 'any' } }],
    [
      'tool_choice function → tool',
      { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
      { tool_choice: { type: 'tool', name: 'get_weather' } },
    ],
    [
      'parallel_tool_calls:false → disable_parallel_tool_use',
      { tools: [weatherTool], tool_choice: 'required', parallel_tool_calls: false },
      { tool_choice: { type: 'any', disable_parallel_tool_use: true } },
    ],
    [
      'parallel_tool_calls:false alone → auto without parallel use',
      { tools: [weatherTool], parallel_tool_calls: false },
      { tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
    ],
    ['stop string → stop_sequences', { stop: 'END' }, { stop_sequences: ['END'] }],
    ['stop array → stop_sequences', { stop: ['###', 'END'] }, { stop_sequences: ['###', 'END'] }],
    ['max_completion_tokens wins over max_tokens', { max_completion_tokens: 300, max_tokens: 900 }, { max_tokens: 300 }],
    ['max_tokens kept', { max_tokens: 900 }, { max_tokens: 900 }],
    ['max_tokens defaults to the model max output', {}, { max_tokens: 64000 }, { ...target, pricing: { input: 3, output: 15, max_output_tokens: 64000 } }],
    ['max_tokens defaults to 4096 without a known max', {}, { max_tokens: 4096 }],
    ['temperature within 0–1 passes', { temperature: 0.3, top_p: 0.9 }, { temperature: 0.3, top_p: 0.9 }],
    ['temperature above 1 is clamped to 1', { temperature: 1.7 }, { temperature: 1 }],
    ['user → metadata.user_id', { user: 'user-42' }, { metadata: { user_id: 'user-42' } }],
    [
      'reasoning_effort low → thinking budget 2048, default max_tokens grown to fit',
      { reasoning_effort: 'low' },
      { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 6144 },
    ],
    [
      'reasoning_effort high → 16384 within the model max',
      { reasoning_effort: 'high' },
      { thinking: { type: 'enabled', budget_tokens: 16384 }, max_tokens: 64000 },
      { ...target, pricing: { input: 3, output: 15, max_output_tokens: 64000 } },
    ],
    [
      'reasoning budget capped below an explicit max',
      { reasoning_effort: 'high', max_completion_tokens: 5000 },
      { thinking: { type: 'enabled', budget_tokens: 4999 }, max_tokens: 5000 },
    ],
    ['reasoning_effort none → no thinking', { reasoning_effort: 'none' }, { max_tokens: 4096 }],
    [
      'native thinking (from /v1/messages) is kept exactly',
      { thinking: { type: 'enabled', budget_tokens: 3000 }, max_tokens: 8000, reasoning_effort: 'medium' },
      { thinking: { type: 'enabled', budget_tokens: 3000 }, max_tokens: 8000 },
    ],
    [
      'json_schema → forced json tool with the schema',
      { response_format: { type: 'json_schema', json_schema: { name: 'city', schema: { type: 'object', properties: { name: { type: 'string' } } } } } },
      {
        tools: [
          {
            name: JSON_TOOL_NAME,
            description: 'Respond with a JSON object (city).',
            input_schema: { type: 'object', properties: { name: { type: 'string' } } },
          },
        ],
        tool_choice: { type: 'tool', name: JSON_TOOL_NAME },
      },
    ],
    [
      'json_object → forced json tool with any object',
      { response_format: { type: 'json_object' } },
      {
        tools: [{ name: JSON_TOOL_NAME, description: 'Respond with a JSON object.', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: JSON_TOOL_NAME },
      },
    ],
  ];

  // Rest parameters: jest would take a fourth named parameter for a done callback on 3-element rows.
  it.each(cases)('%s', (...row) => {
    const [, request, expected, t] = row;
    const out = body(request, t ?? target);
    if ('messages' in expected) expect(out).toEqual(expected);
    else expect(out).toMatchObject(expected);
    // Sampling hints Anthropic lacks never leak into its body.
    expect(out).not.toHaveProperty('n');
    expect(out).not.toHaveProperty('reasoning_effort');
    expect(out).not.toHaveProperty('response_format');
  });

  it('reports what it left out inside what it translates (fields it has no counterpart for are the policy’s to count)', () => {
    const out = build({
      seed: 7,
      frequency_penalty: 0.5,
      temperature: 1.5,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', reasoning_content: 'unsigned' },
        { role: 'user', content: 'q2' },
      ],
    }) as UpstreamHttpRequest;
    expect(out.dropped).toEqual(['temperature_above_1', 'unsigned_reasoning_content']);
    expect(JSON.parse(out.body)).not.toHaveProperty('seed');
    expect(JSON.parse(out.body)).not.toHaveProperty('frequency_penalty');
    expect((build({}) as UpstreamHttpRequest).dropped).toBeUndefined();
  });

  it('sends an Anthropic client’s own fields as they came: its structured outputs natively, not as the forced tool', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    const out = body({
      tools: [weatherTool],
      response_format: { type: 'json_schema', json_schema: { name: 'structured_output', schema, strict: true } },
      // Only the fields an Anthropic client can have carried are read, and never over what the adapter builds.
      anthropic_fields: { output_config: { format: { type: 'json_schema', schema } }, service_tier: 'auto', model: 'other', messages: [], system: 'injected' },
    });
    expect(out).toEqual({
      model: target.model,
      max_tokens: 4096,
      messages: hi,
      tools: [weatherAnthropic],
      output_config: { format: { type: 'json_schema', schema } },
      service_tier: 'auto',
    });
  });

  it('omits defaults it was not asked for', () => {
    expect(body({})).toEqual({ model: target.model, max_tokens: 4096, messages: hi });
  });
});

describe('Anthropic request: refusals', () => {
  const refusals: Array<[string, Partial<ChatRequest>, string | null, RegExp]> = [
    ['n > 1', { n: 2 }, 'n', /one choice/],
    [
      'invalid tool-call JSON names the message',
      {
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":' } }] },
        ],
      },
      'messages[1].tool_calls[0].function.arguments',
      /messages\[1\]\.tool_calls\[0\]\.function\.arguments is not valid JSON/,
    ],
    [
      'audio input',
      { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] },
      'messages[0].content[0]',
      /input_audio/,
    ],
    [
      'unsupported image type',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }] }] },
      'messages[0].content[0]',
      /image\/bmp/,
    ],
    ['json mode with tools', { tools: [weatherTool], response_format: { type: 'json_object' } }, 'response_format', /cannot be combined with tools/],
    ['json mode with reasoning', { reasoning_effort: 'low', response_format: { type: 'json_object' } }, 'response_format', /reasoning/],
    ['reasoning with temperature', { reasoning_effort: 'low', temperature: 0.2 }, 'temperature', /temperature/],
    ['reasoning with forced tool', { reasoning_effort: 'low', tools: [weatherTool], tool_choice: 'required' }, 'tool_choice', /forced/],
    ['reasoning with too small a limit', { reasoning_effort: 'low', max_tokens: 1000 }, 'max_tokens', /above 1024/],
    ['negative temperature', { temperature: -1 }, 'temperature', /0 to 2/],
    ['tool_choice without tools', { tool_choice: 'required' }, 'tool_choice', /requires tools/],
    ['reserved tool name', { tools: [{ type: 'function', function: { name: JSON_TOOL_NAME } }] }, 'tools[0]', /reserved/],
    ['logprobs', { logprobs: true }, 'logprobs', /logprobs/],
  ];
  it.each(refusals)('%s', (_name, request, param, message) => {
    const out = build(request);
    expect('url' in out).toBe(false);
    const refusal = out as GatewayError;
    expect(refusal.status).toBe(400);
    expect(refusal.param).toBe(param);
    expect(refusal.message).toMatch(message);
  });
});

// ---- responses ----

function anthropicMessage(content: unknown[], stop_reason: string, usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 5 }) {
  return { id: 'msg_01', type: 'message', role: 'assistant', model: target.model, content, stop_reason, stop_sequence: null, usage };
}

describe('Anthropic response → chat.completion', () => {
  const cases: Array<[string, unknown, Record<string, unknown>, string]> = [
    [
      'text blocks joined',
      anthropicMessage(
        [
          { type: 'text', text: 'Hello' },
          { type: 'text', text: ' world' },
        ],
        'end_turn',
      ),
      { role: 'assistant', content: 'Hello world', refusal: null },
      'stop',
    ],
    ['stop sequence → stop', anthropicMessage([{ type: 'text', text: 'a' }], 'stop_sequence'), { content: 'a' }, 'stop'],
    ['max_tokens → length', anthropicMessage([{ type: 'text', text: 'a' }], 'max_tokens'), { content: 'a' }, 'length'],
    ['refusal → content_filter', anthropicMessage([], 'refusal'), { content: null }, 'content_filter'],
    [
      'parallel tool_use → tool_calls with JSON arguments',
      anthropicMessage(
        [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_B', name: 'get_weather', input: { city: 'Oslo', units: 'c' } },
        ],
        'tool_use',
      ),
      {
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_B', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo","units":"c"}' } },
        ],
      },
      'tool_calls',
    ],
    [
      'thinking → reasoning_content (signed blocks kept for replay)',
      anthropicMessage(
        [
          { type: 'thinking', thinking: 'Let me think.', signature: 'sig1' },
          { type: 'redacted_thinking', data: 'xyz' },
          { type: 'text', text: '42' },
        ],
        'end_turn',
      ),
      {
        content: '42',
        reasoning_content: 'Let me think.',
        thinking_blocks: [
          { type: 'thinking', thinking: 'Let me think.', signature: 'sig1' },
          { type: 'redacted_thinking', data: 'xyz' },
        ],
      },
      'stop',
    ],
    [
      'emulated JSON mode → content',
      anthropicMessage([{ type: 'tool_use', id: 't', name: JSON_TOOL_NAME, input: { name: 'Paris' } }], 'tool_use'),
      { content: '{"name":"Paris"}' },
      'stop',
    ],
  ];
  it.each(cases)('%s', (_name, response, message, finish) => {
    const { completion } = anthropicAdapter.chatResponse(response, ctx);
    expect(completion).toMatchObject({ id: 'chatcmpl-req1', object: 'chat.completion', created: ctx.created, model: 'smart' });
    expect(completion.choices[0].message).toMatchObject(message);
    expect(completion.choices[0].finish_reason).toBe(finish);
    if (!('tool_calls' in message)) expect(completion.choices[0].message.tool_calls).toBeUndefined();
  });

  it('usage: prompt includes cache reads and writes, cached and cache-write tokens reported', () => {
    const { completion, usage } = anthropicAdapter.chatResponse(
      anthropicMessage([{ type: 'text', text: 'x' }], 'end_turn', {
        input_tokens: 21,
        cache_creation_input_tokens: 188,
        cache_read_input_tokens: 1000,
        output_tokens: 393,
      }),
      ctx,
    );
    expect(usage).toEqual({ promptTokens: 1209, completionTokens: 393, totalTokens: 1602, cachedTokens: 1000, cacheWriteTokens: 188, reasoningTokens: 0 });
    expect(completion.usage).toEqual({
      prompt_tokens: 1209,
      completion_tokens: 393,
      total_tokens: 1602,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 188 },
      // Present even at 0, as OpenAI's own responses carry it.
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it("usage: Anthropic's 1-hour cache writes are counted apart from the 5-minute ones (they are priced differently)", () => {
    const usage = {
      input_tokens: 21,
      cache_creation_input_tokens: 188,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 88, ephemeral_1h_input_tokens: 100 },
      output_tokens: 3,
    };
    expect(anthropicAdapter.chatResponse(anthropicMessage([{ type: 'text', text: 'x' }], 'end_turn', usage), ctx).usage).toMatchObject({
      cacheWriteTokens: 188,
      cacheWrite1hTokens: 100,
    });
    // Streamed: message_start carries the split, message_delta only the output count.
    const translator = anthropicAdapter.chatStream(ctx);
    translator.push({ raw: '', event: 'message_start', data: JSON.stringify(start(usage)) });
    const step = translator.push({ raw: '', event: 'message_delta', data: JSON.stringify(messageDelta('end_turn', { output_tokens: 9 })) });
    expect(step.usage).toMatchObject({ promptTokens: 209, completionTokens: 9, cacheWriteTokens: 188, cacheWrite1hTokens: 100 });
  });

  it('the openai SDK reads the translated completion', async () => {
    const { completion } = anthropicAdapter.chatResponse(
      anthropicMessage([{ type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' } }], 'tool_use', { input_tokens: 3, output_tokens: 4 }),
      ctx,
    );
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: 'http://gw.test/v1',
      fetch: async () => new Response(JSON.stringify(completion), { headers: { 'content-type': 'application/json' } }),
    });
    const parsed = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'x' }] });
    expect(parsed.choices[0].message.tool_calls).toEqual([
      { id: 'toolu_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(parsed.usage?.total_tokens).toBe(7);
  });
});

// ---- streams ----

function sse(events: Array<Record<string, unknown>>): string {
  return events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

const start = (usage: Record<string, unknown> = { input_tokens: 472, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 2 }) => ({
  type: 'message_start',
  message: { id: 'msg_01X', type: 'message', role: 'assistant', model: target.model, content: [], stop_reason: null, stop_sequence: null, usage },
});
const blockStart = (index: number, content_block: Record<string, unknown>) => ({ type: 'content_block_start', index, content_block });
const text = (index: number, t: string) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
const json = (index: number, partial_json: string) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
const stop = (index: number) => ({ type: 'content_block_stop', index });
const messageDelta = (stop_reason: string, usage: Record<string, unknown>) => ({ type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage });
const ping = { type: 'ping' };
const messageStop = { type: 'message_stop' };

interface Accumulated {
  role?: string;
  content: string | null;
  reasoning: string;
  thinkingBlocks: ThinkingBlock[];
  toolCalls: ToolCall[];
  finish: string | null;
  usage?: StreamStep['usage'];
  done: boolean;
  error?: StreamStep['error'];
  chunks: ChatCompletionChunk[];
}

const bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/** Feed the transcript (pieces of its UTF-8 bytes, one char per byte) in the given pieces through SseParser and the translator; accumulate as a client would. */
function run(pieces: string[]): Accumulated {
  const parser = new SseParser();
  const translator = anthropicAdapter.chatStream(ctx);
  const acc: Accumulated = { content: null, reasoning: '', thinkingBlocks: [], toolCalls: [], finish: null, done: false, chunks: [] };
  for (const piece of pieces) {
    for (const event of parser.push(Buffer.from(piece, 'latin1'))) {
      const step = translator.push(event);
      acc.chunks.push(...step.chunks);
      if (step.usage) acc.usage = step.usage;
      if (step.done) acc.done = true;
      if (step.error) acc.error = step.error;
      for (const chunk of step.chunks) {
        for (const choice of chunk.choices) {
          const d = choice.delta;
          if (d.role) acc.role = d.role;
          if (d.content) acc.content = (acc.content ?? '') + d.content;
          if (d.reasoning_content) acc.reasoning += d.reasoning_content;
          acc.thinkingBlocks.push(...(d.thinking_blocks ?? []));
          for (const tc of d.tool_calls ?? []) {
            if (tc.id) {
              expect(acc.toolCalls[tc.index]).toBeUndefined(); // a call starts once, at its own index
              expect(tc).toEqual({ index: tc.index, id: tc.id, type: 'function', function: { name: tc.function?.name, arguments: '' } });
              acc.toolCalls[tc.index] = { id: tc.id, type: 'function', function: { name: tc.function!.name!, arguments: '' } };
            } else {
              expect(Object.keys(tc).sort()).toEqual(['function', 'index']);
              acc.toolCalls[tc.index].function.arguments += tc.function!.arguments ?? '';
            }
          }
          if (choice.finish_reason) acc.finish = choice.finish_reason;
        }
      }
    }
  }
  expect(parser.rest()).toBe('');
  return acc;
}

function withoutChunks(a: Accumulated): Omit<Accumulated, 'chunks'> {
  const { chunks: _c, ...rest } = a;
  void _c;
  return rest;
}

/** Every two-piece cut of the transcript's bytes, plus byte by byte. */
function everySplit(transcript: string): string[][] {
  const raw = bytes(transcript);
  const splits: string[][] = [[raw], raw.split('')];
  for (let i = 1; i < raw.length; i++) splits.push([raw.slice(0, i), raw.slice(i)]);
  return splits;
}

/** The chunks as an OpenAI SSE body, accumulated by the openai SDK's ChatCompletionStream. */
async function openaiSdkAccumulate(chunks: ChatCompletionChunk[]) {
  const text = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
  const client = new OpenAI({
    apiKey: 'x',
    baseURL: 'http://gw.test/v1',
    fetch: async () => new Response(text, { headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.chat.completions.stream({ model: 'smart', messages: [{ role: 'user', content: 'x' }] });
  return stream.finalChatCompletion();
}

const parallelTools = sse([
  start({ input_tokens: 21, cache_creation_input_tokens: 188, cache_read_input_tokens: 1000, output_tokens: 1 }),
  blockStart(0, { type: 'text', text: '' }),
  ping,
  text(0, "I'll check both "),
  text(0, 'cities — ünïcödé ✓.'),
  stop(0),
  blockStart(1, { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: {} }),
  json(1, ''),
  json(1, '{"city": "Par'),
  json(1, 'is", "note": "say \\"hi\\" ✓'),
  json(1, '"}'),
  stop(1),
  blockStart(2, { type: 'tool_use', id: 'toolu_01B', name: 'get_weather', input: {} }),
  json(2, '{"ci'),
  json(2, 'ty": "Oslo"}'),
  stop(2),
  messageDelta('tool_use', { output_tokens: 89 }),
  messageStop,
]);

const SIGNATURE = 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds';
const thinkingTranscript = sse([
  start(),
  blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Twelve times ' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'twelve is 144.' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: SIGNATURE } },
  stop(0),
  blockStart(1, { type: 'text', text: '' }),
  text(1, '144'),
  stop(1),
  messageDelta('end_turn', { input_tokens: 472, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 60 }),
  messageStop,
]);

const redactedThenTool = sse([
  start(),
  blockStart(0, { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }),
  stop(0),
  blockStart(1, { type: 'thinking', thinking: '', signature: '' }),
  { type: 'content_block_delta', index: 1, delta: { type: 'signature_delta', signature: SIGNATURE } },
  stop(1),
  blockStart(2, { type: 'tool_use', id: 'toolu_01R', name: 'get_weather', input: {} }),
  json(2, '{"city": "Oslo"}'),
  stop(2),
  messageDelta('tool_use', { output_tokens: 40 }),
  messageStop,
]);

const noArgsTool = sse([
  start(),
  blockStart(0, { type: 'tool_use', id: 'toolu_01N', name: 'list_issues', input: {} }),
  json(0, ''),
  stop(0),
  messageDelta('tool_use', { output_tokens: 30 }),
  messageStop,
]);

const jsonMode = sse([
  start(),
  blockStart(0, { type: 'tool_use', id: 'toolu_01J', name: JSON_TOOL_NAME, input: {} }),
  json(0, ''),
  json(0, '{"name": '),
  json(0, '"Paris"}'),
  stop(0),
  messageDelta('tool_use', { output_tokens: 12 }),
  messageStop,
]);

const cutByLength = sse([
  start(),
  blockStart(0, { type: 'text', text: '' }),
  text(0, 'Once upon'),
  stop(0),
  messageDelta('max_tokens', { output_tokens: 3 }),
  messageStop,
]);

describe('Anthropic stream → OpenAI chunks', () => {
  const transcripts: Array<[string, string, Omit<Accumulated, 'chunks'>]> = [
    [
      'text then two parallel tool calls, usage with cache read and write',
      parallelTools,
      {
        role: 'assistant',
        content: "I'll check both cities — ünïcödé ✓.",
        reasoning: '',
        thinkingBlocks: [],
        toolCalls: [
          { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris", "note": "say \\"hi\\" ✓"}' } },
          { id: 'toolu_01B', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Oslo"}' } },
        ],
        finish: 'tool_calls',
        usage: { promptTokens: 1209, completionTokens: 89, totalTokens: 1298, cachedTokens: 1000, cacheWriteTokens: 188, reasoningTokens: 0 },
        done: true,
      },
    ],
    [
      'thinking then text',
      thinkingTranscript,
      {
        role: 'assistant',
        content: '144',
        reasoning: 'Twelve times twelve is 144.',
        thinkingBlocks: [{ type: 'thinking', thinking: 'Twelve times twelve is 144.', signature: SIGNATURE }],
        toolCalls: [],
        finish: 'stop',
        usage: { promptTokens: 472, completionTokens: 60, totalTokens: 532, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        done: true,
      },
    ],
    [
      'redacted thinking, thinking whose text is not shown, then a tool call',
      redactedThenTool,
      {
        role: 'assistant',
        content: '',
        reasoning: '',
        thinkingBlocks: [
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
          { type: 'thinking', thinking: '', signature: SIGNATURE },
        ],
        toolCalls: [{ id: 'toolu_01R', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Oslo"}' } }],
        finish: 'tool_calls',
        usage: { promptTokens: 472, completionTokens: 40, totalTokens: 512, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        done: true,
      },
    ],
    [
      'a tool call with no arguments still gets "{}"',
      noArgsTool,
      {
        role: 'assistant',
        content: '',
        reasoning: '',
        thinkingBlocks: [],
        toolCalls: [{ id: 'toolu_01N', type: 'function', function: { name: 'list_issues', arguments: '{}' } }],
        finish: 'tool_calls',
        usage: { promptTokens: 472, completionTokens: 30, totalTokens: 502, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        done: true,
      },
    ],
    [
      'emulated JSON mode streams as content',
      jsonMode,
      {
        role: 'assistant',
        content: '{"name": "Paris"}',
        reasoning: '',
        thinkingBlocks: [],
        toolCalls: [],
        finish: 'stop',
        usage: { promptTokens: 472, completionTokens: 12, totalTokens: 484, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        done: true,
      },
    ],
    [
      'max_tokens → length',
      cutByLength,
      {
        role: 'assistant',
        content: 'Once upon',
        reasoning: '',
        thinkingBlocks: [],
        toolCalls: [],
        finish: 'length',
        usage: { promptTokens: 472, completionTokens: 3, totalTokens: 475, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        done: true,
      },
    ],
  ];

  it.each(transcripts)('%s: same result at every chunk boundary', (_name, transcript, expected) => {
    // the role chunk carries content "" as OpenAI's does; normalise for comparison
    const norm = (a: Accumulated) => ({ ...withoutChunks(a), content: a.content ?? '' });
    const whole = run([bytes(transcript)]);
    expect(norm(whole)).toEqual({ ...expected, content: expected.content ?? '' });
    for (const pieces of everySplit(transcript)) expect(norm(run(pieces))).toEqual(norm(whole));
  });

  it.each(transcripts)('%s: the openai SDK accumulates the same message', async (_name, transcript, expected) => {
    const final = await openaiSdkAccumulate(run([bytes(transcript)]).chunks);
    expect(final.id).toBe('chatcmpl-req1');
    expect(final.model).toBe('smart');
    expect(final.choices).toHaveLength(1);
    expect(final.choices[0].finish_reason).toBe(expected.finish);
    expect(final.choices[0].message.role).toBe('assistant');
    expect(final.choices[0].message.content ?? '').toBe(expected.content);
    expect(final.choices[0].message.tool_calls ?? []).toEqual(expected.toolCalls);
  });

  it('the first chunk carries the role; tool calls are numbered among tool calls, not by block index', () => {
    const { chunks } = run([bytes(parallelTools)]);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const starts = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []).filter((t) => t.id);
    expect(starts.map((t) => t.index)).toEqual([0, 1]);
    const last = chunks[chunks.length - 1];
    expect(last.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' });
    for (const c of chunks) expect(c).toMatchObject({ id: 'chatcmpl-req1', object: 'chat.completion.chunk', created: ctx.created, model: 'smart' });
  });

  it('reports usage only at message_delta, so a cut stream has none', () => {
    const cut = sse([start(), blockStart(0, { type: 'text', text: '' }), text(0, 'Hel')]);
    const acc = run([bytes(cut)]);
    expect(acc.usage).toBeUndefined();
    expect(acc.done).toBe(false);
    expect(acc.content).toBe('Hel');
  });

  it.each([
    ['overloaded_error', 529, 503],
    ['api_error', 500, 502],
    ['rate_limit_error', 429, 429],
    ['invalid_request_error', 400, 400],
    ['timeout_error', 504, 504],
    ['authentication_error', 401, 502],
  ])('an in-stream %s is the error its HTTP status (%i) would be: %i', (type, httpStatus, status) => {
    const transcript = sse([start(), blockStart(0, { type: 'text', text: '' }), text(0, 'Hi'), { type: 'error', error: { type, message: 'Overloaded' } }]);
    const acc = run([bytes(transcript)]);
    const http = anthropicAdapter.mapError(httpStatus, anthropicError(type, 'Overloaded'), {});
    expect(acc.error).toMatchObject({ status, code: http.code, type: http.type, kind: http.kind, message: expect.stringContaining('Overloaded') });
    expect(acc.error!.status).toBe(http.status);
    expect(acc.done).toBe(false);
  });

  it("message_start's counts come as promptUsage, never as usage; message_delta's cumulative counts replace them", () => {
    const translator = anthropicAdapter.chatStream(ctx);
    const steps = new SseParser().push(thinkingTranscript).map((event) => translator.push(event));
    const first = steps[0];
    expect(first.promptUsage).toEqual({ promptTokens: 472, completionTokens: 2, totalTokens: 474, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(first.usage).toBeUndefined();
    // message_delta repeats input_tokens 472: billed once, not 944.
    expect(steps.filter((s) => s.usage).map((s) => s.usage)).toEqual([
      { promptTokens: 472, completionTokens: 60, totalTokens: 532, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    ]);
  });

  it('streamed signed thinking reaches an OpenAI client as the non-streamed answer carries it (thinking_blocks)', async () => {
    const { completion } = anthropicAdapter.chatResponse(
      anthropicMessage(
        [
          { type: 'thinking', thinking: 'Twelve times twelve is 144.', signature: SIGNATURE },
          { type: 'text', text: '144' },
        ],
        'end_turn',
      ),
      ctx,
    );
    const streamed = run([bytes(thinkingTranscript)]);
    expect(streamed.thinkingBlocks).toEqual(completion.choices[0].message.thinking_blocks);
    // The openai SDK's accumulator assigns unknown delta fields: the signing chunk's whole block survives.
    const final = await openaiSdkAccumulate(streamed.chunks);
    expect((final.choices[0].message as { thinking_blocks?: unknown }).thinking_blocks).toEqual(completion.choices[0].message.thinking_blocks);
  });

  it('ignores pings and unknown event types', () => {
    const translator = anthropicAdapter.chatStream(ctx);
    expect(translator.push({ raw: '', event: 'ping', data: '{"type": "ping"}' })).toEqual({ chunks: [] });
    expect(translator.push({ raw: '', event: 'future', data: '{"type": "future_event"}' })).toEqual({ chunks: [] });
    expect(translator.push({ raw: ': keep-alive\n\n' })).toEqual({ chunks: [] });
  });
});

// ---- errors ----

function anthropicError(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

describe('Anthropic errors', () => {
  const cases: Array<[number, string, string, number, string, string | null, string]> = [
    [400, 'invalid_request_error', 'max_tokens: Field required', 400, 'caller', null, 'invalid_request_error'],
    [
      400,
      'invalid_request_error',
      'prompt is too long: 208310 tokens > 200000 maximum',
      400,
      'context_window',
      'context_length_exceeded',
      'invalid_request_error',
    ],
    [
      400,
      'invalid_request_error',
      'input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again',
      400,
      'context_window',
      'context_length_exceeded',
      'invalid_request_error',
    ],
    [401, 'authentication_error', 'invalid x-api-key', 502, 'auth', 'upstream_auth_failed', 'api_error'],
    [403, 'permission_error', 'Your API key does not have permission to use the specified resource.', 502, 'auth', 'upstream_auth_failed', 'api_error'],
    [404, 'not_found_error', 'model: claude-nope', 404, 'caller', null, 'invalid_request_error'],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', 413, 'caller', 'request_too_large', 'invalid_request_error'],
    [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', 429, 'rate_limit', 'rate_limit_exceeded', 'rate_limit_error'],
    [500, 'api_error', 'Internal server error', 502, 'server', 'upstream_error', 'api_error'],
    [529, 'overloaded_error', 'Overloaded', 503, 'server', 'upstream_overloaded', 'api_error'],
  ];
  it.each(cases)('%i %s → %i', (status, type, message, outStatus, kind, code, openaiType) => {
    const mapped = anthropicAdapter.mapError(status, anthropicError(type, message), {});
    expect(mapped.status).toBe(outStatus);
    expect(mapped.kind).toBe(kind);
    expect(wire(mapped).error.code).toBe(code);
    expect(wire(mapped).error.type).toBe(openaiType);
    expect(wire(mapped).error.message).toContain(message);
  });

  it('passes retry-after on (the anthropic-ratelimit-* and request-id headers reach the client through the relay, test/sidecars/relay/relay-core.test.ts)', () => {
    const mapped = anthropicAdapter.mapError(429, anthropicError('rate_limit_error', 'slow down'), {
      'retry-after': '12',
      'anthropic-ratelimit-requests-remaining': '0',
      'Anthropic-RateLimit-Tokens-Reset': '2025-01-01T00:00:12Z',
      'request-id': 'req_011',
      'content-type': 'application/json',
    });
    expect(mapped.headers).toEqual({ 'retry-after': '12' });
  });

  it('keeps retry-after on overload, and reads a non-JSON body', () => {
    const mapped = anthropicAdapter.mapError(529, '<html>busy</html>', { 'retry-after': '3' });
    expect(mapped).toMatchObject({ status: 503, kind: 'server', headers: { 'retry-after': '3' } });
    expect(wire(mapped).error.message).toContain('<html>busy</html>');
  });

  it('falls back on the HTTP status when the body has no type', () => {
    expect(anthropicAdapter.mapError(401, 'nope', {})).toMatchObject({ status: 502, kind: 'auth' });
    expect(anthropicAdapter.mapError(422, '{}', {})).toMatchObject({ status: 422, kind: 'caller' });
    expect(anthropicAdapter.mapError(503, 'x', {})).toMatchObject({ status: 502, kind: 'server' });
  });
});
