/**
 * The /v1/messages ingress: Anthropic requests in, Anthropic messages and SSE out. Outputs are
 * read back with the official @anthropic-ai/sdk (its Messages client and MessageStream
 * accumulator), and requests are round-tripped through the Anthropic adapter.
 */
import Anthropic from '@anthropic-ai/sdk';
import { errorBody, gatewayError } from '../../../../lib/errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../../lib/openai-types';
import type { PlanTarget } from '../../../../lib/plan';
import { SseParser } from '../../../../lib/sse';
import { anthropicAdapter } from '../../../../sidecars/relay/adapters/anthropic';
import type { UpstreamHttpRequest } from '../../../../sidecars/relay/adapters/types';
import {
  AnthropicStreamEncoder,
  anthropicClientFormat,
  anthropicRequestForTarget,
  anthropicRequestToChat,
  chatCompletionToAnthropic,
} from '../../../../sidecars/relay/client-formats/anthropic/index';
import { translatedSource } from '../../../../sidecars/relay/stream-engine';
import type { TokenUsage } from '../../../../sidecars/relay/usage';
import { planTarget } from '../adapters/adapter-helpers';

const target: PlanTarget = planTarget('anthropic', 'https://api.anthropic.com', 'claude-sonnet-4-5-20250929', 'ANTHROPIC_API_KEY');
const ctx = { model: 'claude-sonnet-4-5', requestId: 'req-1', promptTokens: () => 12 };
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function toChat(body: Record<string, unknown>): ChatRequest {
  const out = anthropicRequestToChat({ model: 'claude-sonnet-4-5', max_tokens: 1024, ...body });
  if (!out.ok) throw new Error(out.refusal.message);
  return out.request;
}

function sdkClient(body: string, contentType: string, status = 200): Anthropic {
  return new Anthropic({
    apiKey: 'x',
    baseURL: 'http://gw.test',
    maxRetries: 0,
    fetch: async () => new Response(body, { status, headers: { 'content-type': contentType } }),
  });
}

describe('/v1/messages validation (the shared lib/validate rules, worded as Anthropic words them)', () => {
  const ok = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
  it.each([
    ['not an object', [], 'The request body must be a JSON object.'],
    ['no model', { ...ok, model: undefined }, 'model: Field required'],
    ['no max_tokens', { ...ok, max_tokens: undefined }, 'max_tokens: Field required'],
    ['zero max_tokens', { ...ok, max_tokens: 0 }, 'max_tokens: Input should be greater than or equal to 1'],
    ['no messages', { ...ok, messages: undefined }, 'messages: Field required'],
    ['bad role', { ...ok, messages: [{ role: 'system', content: 'x' }] }, "messages.0.role: Input should be 'user' or 'assistant'"],
    ['bad block', { ...ok, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 'messages.0.content.0.type: Field required'],
    ['temperature above 1', { ...ok, temperature: 1.5 }, 'temperature: Input should be less than or equal to 1'],
    ['stop_sequences not strings', { ...ok, stop_sequences: [1] }, 'stop_sequences.0: Input should be a valid string'],
  ])('%s', (_name, body, message) => {
    const out = anthropicRequestToChat(body);
    expect(out).toMatchObject({ ok: false, refusal: { status: 400 } });
    if (!out.ok) expect(errorBody('anthropic', out.refusal)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message } });
  });

  it('accepts a valid request', () => {
    expect(anthropicRequestToChat(ok).ok).toBe(true);
  });

  it('builds Anthropic-shaped errors from a status', () => {
    expect(errorBody('anthropic', gatewayError(429, 'slow down'))).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    expect((errorBody('anthropic', gatewayError(529, 'busy')) as { error: { type: string } }).error.type).toBe('overloaded_error');
    expect((errorBody('anthropic', gatewayError(401, 'no key')) as { error: { type: string } }).error.type).toBe('authentication_error');
  });
});

describe('Anthropic request → canonical chat request', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<ChatRequest>]> = [
    [
      'system string, multi-turn text, stop sequences, sampling, user id',
      {
        system: 'Be brief.',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
          { role: 'user', content: 'Bye' },
        ],
        stop_sequences: ['END'],
        temperature: 0.5,
        top_p: 0.9,
        top_k: 40,
        metadata: { user_id: 'u-1' },
      },
      {
        model: 'claude-sonnet-4-5',
        max_completion_tokens: 1024,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
          { role: 'user', content: 'Bye' },
        ],
        stop: ['END'],
        temperature: 0.5,
        top_p: 0.9,
        top_k: 40,
        user: 'u-1',
      },
    ],
    [
      'system blocks and text blocks keep cache_control; images become image_url parts',
      {
        system: [{ type: 'text', text: 'Policy', cache_control: { type: 'ephemeral' } }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
              { type: 'text', text: 'Describe', cache_control: { type: 'ephemeral', ttl: '1h' } },
            ],
          },
        ],
      },
      {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Policy', cache_control: { type: 'ephemeral' } }] },
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
              { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
              { type: 'text', text: 'Describe', cache_control: { type: 'ephemeral', ttl: '1h' } },
            ],
          },
        ],
      },
    ],
    [
      'tool_use → tool_calls; tool_result → tool messages first, then the rest of the user turn',
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Two cities.', signature: 'sig' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_B', name: 'get_weather', input: { city: 'Oslo' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_A', content: '18C' },
              { type: 'tool_result', tool_use_id: 'toolu_B', content: [{ type: 'text', text: 'no data' }], is_error: true },
              { type: 'text', text: 'Summarise' },
            ],
          },
        ],
        tools: [
          {
            name: 'get_weather',
            description: 'Weather',
            input_schema: { type: 'object', properties: { city: { type: 'string' } } },
            cache_control: { type: 'ephemeral' },
          },
        ],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
      },
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: 'Checking.',
            reasoning_content: 'Two cities.',
            thinking_blocks: [{ type: 'thinking', thinking: 'Two cities.', signature: 'sig' }],
            tool_calls: [
              { id: 'toolu_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'toolu_B', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            ],
          } as ChatRequest['messages'][number],
          { role: 'tool', tool_call_id: 'toolu_A', content: '18C' },
          { role: 'tool', tool_call_id: 'toolu_B', content: [{ type: 'text', text: 'no data' }], is_error: true } as ChatRequest['messages'][number],
          { role: 'user', content: [{ type: 'text', text: 'Summarise' }] },
        ],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
            cache_control: { type: 'ephemeral' },
          },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
      },
    ],
    ['tool_choice auto', { tool_choice: { type: 'auto' } }, { tool_choice: 'auto' }],
    ['tool_choice none', { tool_choice: { type: 'none' } }, { tool_choice: 'none' }],
    ['tool_choice tool', { tool_choice: { type: 'tool', name: 'f' } }, { tool_choice: { type: 'function', function: { name: 'f' } } }],
    [
      'thinking → exact thinking + nearest reasoning_effort',
      { thinking: { type: 'enabled', budget_tokens: 10000 } },
      { thinking: { type: 'enabled', budget_tokens: 10000 }, reasoning_effort: 'medium' },
    ],
    ['stream asks for the usage chunk', { stream: true }, { stream: true, stream_options: { include_usage: true } }],
    [
      'images inside a tool result follow in the user message',
      {
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 't',
                content: [
                  { type: 'text', text: 'shot' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
                ],
              },
            ],
          },
        ],
      },
      {
        messages: [
          { role: 'tool', tool_call_id: 't', content: [{ type: 'text', text: 'shot' }] },
          { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
        ],
      },
    ],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    const messages = (body.messages as unknown) ?? [{ role: 'user', content: 'Hi' }];
    expect(toChat({ ...body, messages })).toMatchObject(expected);
  });

  it.each([
    ['server tools', { tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, /server tool 'web_search_20250305'/],
    ['unknown block types', { messages: [{ role: 'user', content: [{ type: 'container_upload', file_id: 'f' }] }] }, /container_upload/],
    ['unsupported image sources', { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, /image sources/],
  ])('refuses %s with an Anthropic-shaped 400', (_name, body, message) => {
    const out = anthropicRequestToChat({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], ...body });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.refusal.status).toBe(400);
      const body = errorBody('anthropic', out.refusal) as { type: string; error: { type: string; message: string } };
      expect(body.type).toBe('error');
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toMatch(message);
    }
  });

  it('keeps every extension for Claude, and takes out for each other family what the policy does not translate for it', () => {
    const request = toChat({ ...cases[2][1], service_tier: 'auto', thinking: { type: 'enabled', budget_tokens: 2000 }, top_k: 3 });
    expect(anthropicRequestForTarget(request, 'anthropic')).toBe(request);
    const sent = (family: 'openai' | 'azure' | 'gemini') => JSON.stringify(anthropicRequestForTarget(request, family));
    for (const family of ['openai', 'azure', 'gemini'] as const) {
      for (const key of ['cache_control', 'thinking_blocks', 'is_error', '"thinking"', 'anthropic_fields']) expect(sent(family)).not.toContain(key);
      expect(sent(family)).toContain('"reasoning_effort"');
    }
    // OpenAI-format servers (DeepSeek, vLLM) read reasoning back; Azure and Gemini are not sent it.
    expect(sent('openai')).toContain('reasoning_content');
    expect(sent('azure')).not.toContain('reasoning_content');
    expect(sent('gemini')).not.toContain('reasoning_content');
    // Gemini samples with top-k; OpenAI does not.
    expect(sent('gemini')).toContain('"top_k":3');
    expect(sent('openai')).not.toContain('top_k');
  });

  const person = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };
  it.each([
    ['output_config.format', { output_config: { format: { type: 'json_schema', schema: person }, effort: 'high' } }],
    ['the deprecated output_format', { output_format: { type: 'json_schema', schema: person }, output_config: { effort: 'high' } }],
  ])('structured outputs (%s) → response_format json_schema, strict; Claude gets output_config as its own', (_name, body) => {
    const request = toChat({ ...body, messages: [{ role: 'user', content: 'Who?' }] });
    expect(request.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'structured_output', schema: person, strict: true } });
    expect(request.anthropic_fields).toEqual({ output_config: { format: { type: 'json_schema', schema: person }, effort: 'high' } });
  });

  it('carries the fields only Claude takes verbatim, and a custom tool’s strict as function.strict', () => {
    const claudeOnly = {
      service_tier: 'standard_only',
      inference_geo: 'us',
      speed: 'fast',
      diagnostics: { previous_message_id: 'msg_1' },
      container: 'container_1',
      cache_control: { type: 'ephemeral' },
    };
    const tools = [{ name: 'f', input_schema: { type: 'object' }, strict: true }];
    const request = toChat({ messages: [{ role: 'user', content: 'Hi' }], ...claudeOnly, tools });
    expect(request.anthropic_fields).toEqual(claudeOnly);
    expect(request.tools?.[0].function.strict).toBe(true);
  });
});

describe('round trip: Anthropic request → canonical → Anthropic adapter', () => {
  /** Anthropic accepts a string or one text block for the same content; compare in block form. */
  function normalise(body: Record<string, unknown>): Record<string, unknown> {
    const blocks = (c: unknown) => (typeof c === 'string' ? [{ type: 'text', text: c }] : c);
    return {
      ...body,
      system: body.system === undefined ? undefined : blocks(body.system),
      messages: (body.messages as Array<{ role: string; content: unknown }>).map((m) => ({ role: m.role, content: blocks(m.content) })),
    };
  }

  const original = {
    model: target.model,
    max_tokens: 8000,
    system: [{ type: 'text', text: 'You are a weather bot.', cache_control: { type: 'ephemeral' } }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather in Paris and Oslo?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Two calls.', signature: 'EqQBsig' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_B', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_A', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_B', content: [{ type: 'text', text: 'timeout', cache_control: { type: 'ephemeral' } }], is_error: true },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ],
    tools: [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        cache_control: { type: 'ephemeral' },
      },
    ],
    tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    stop_sequences: ['###'],
    top_k: 5,
    thinking: { type: 'enabled', budget_tokens: 3000 },
    metadata: { user_id: 'u-9' },
    stream: true,
    // Claude's own structured outputs, not the gateway's forced-tool emulation (which thinking would forbid).
    output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { forecast: { type: 'string' } } } }, effort: 'medium' },
    service_tier: 'auto',
    inference_geo: 'eu',
    cache_control: { type: 'ephemeral' },
  };

  it('preserves every field the client sent', () => {
    const chat = toChat(original);
    const upstream = anthropicAdapter.chatRequest(target, chat, 'k') as UpstreamHttpRequest;
    expect('url' in upstream).toBe(true);
    expect(normalise(JSON.parse(upstream.body))).toEqual(normalise(original));
  });

  it('preserves a plain string conversation', () => {
    const simple = {
      model: target.model,
      max_tokens: 100,
      system: 'Short.',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
      ],
      temperature: 0.2,
    };
    const upstream = anthropicAdapter.chatRequest(target, toChat(simple), 'k') as UpstreamHttpRequest;
    expect(normalise(JSON.parse(upstream.body))).toEqual(normalise(simple));
  });
});

// ---- responses ----

function completion(
  message: ChatCompletion['choices'][number]['message'],
  finish: ChatCompletion['choices'][number]['finish_reason'],
  usage?: ChatCompletion['usage'],
): ChatCompletion {
  return {
    id: 'chatcmpl-x',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
  };
}

describe('chat.completion → Anthropic message', () => {
  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
  ] as const)('finish_reason %s → stop_reason %s', (finish, stop) => {
    expect(chatCompletionToAnthropic(completion({ role: 'assistant', content: 'x', refusal: null }, finish), ctx).stop_reason).toBe(stop);
  });

  it('maps content, reasoning, tool calls and usage (cache split back out), and the Anthropic SDK reads it', async () => {
    const message = chatCompletionToAnthropic(
      completion(
        {
          role: 'assistant',
          content: 'Checking.',
          refusal: null,
          reasoning_content: 'Hmm.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        'tool_calls',
        { prompt_tokens: 1209, completion_tokens: 50, total_tokens: 1259, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 188 } },
      ),
      ctx,
    );
    const expected = {
      id: 'msg_req-1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: '' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 21, output_tokens: 50, cache_creation_input_tokens: 188, cache_read_input_tokens: 1000 },
    };
    expect(message).toEqual(expected);
    const parsed = await sdkClient(JSON.stringify(message), 'application/json').messages.create({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(expected);
  });

  it('keeps signed thinking blocks and passes non-JSON tool arguments on as text', () => {
    const message = chatCompletionToAnthropic(
      completion(
        {
          role: 'assistant',
          content: null,
          refusal: null,
          reasoning_content: 'x',
          thinking_blocks: [{ type: 'thinking', thinking: 'x', signature: 'sig' }],
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }],
        } as ChatCompletion['choices'][number]['message'],
        'tool_calls',
      ),
      ctx,
    );
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'x', signature: 'sig' },
      { type: 'tool_use', id: 'c', name: 'f', input: '{"a":' },
    ]);
  });
});

// ---- streams ----

const chunkBase = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1, model: 'gpt-4o' };
function chunk(
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk {
  return { ...chunkBase, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
}

/** OpenAI's own stream shape for text followed by two parallel tool calls, then the usage chunk. */
const openAIToolStream: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Let me ' }),
  chunk({ content: 'check.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty": "Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '{"city": "Oslo"}' } }] }),
  chunk({}, 'tool_calls'),
  { ...chunkBase, choices: [], usage: { prompt_tokens: 80, completion_tokens: 30, total_tokens: 110, prompt_tokens_details: { cached_tokens: 64 } } },
];

function encode(chunks: ChatCompletionChunk[], usage: TokenUsage | null = null): string {
  const encoder = new AnthropicStreamEncoder(ctx);
  return chunks.map((c) => encoder.push(c)).join('') + encoder.finish(usage);
}

function events(sse: string): Array<Record<string, unknown>> {
  const parser = new SseParser();
  return parser.push(sse).map((e) => {
    const data = JSON.parse(e.data!) as Record<string, unknown>;
    expect(e.event).toBe(data.type); // the event line names the payload's type, as Anthropic's do
    return data;
  });
}

async function sdkFinalMessage(sse: string) {
  const stream = sdkClient(sse, 'text/event-stream').messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
  // parsed_output is the SDK's own addition (structured-output parsing), not part of the wire message.
  const { parsed_output: _p, ...message } = JSON.parse(JSON.stringify(await stream.finalMessage())) as Record<string, unknown>;
  void _p;
  return message;
}

describe('AnthropicStreamEncoder', () => {
  it("produces exactly Anthropic's event sequence", () => {
    const list = events(encode(openAIToolStream));
    expect(list.map((e) => `${String(e.type)}${e.index === undefined ? '' : `#${String(e.index)}`}`)).toEqual([
      'message_start',
      'content_block_start#0',
      'content_block_delta#0',
      'content_block_delta#0',
      'content_block_stop#0',
      'content_block_start#1',
      'content_block_delta#1',
      'content_block_delta#1',
      'content_block_stop#1',
      'content_block_start#2',
      'content_block_delta#2',
      'content_block_stop#2',
      'message_delta',
      'message_stop',
    ]);
    expect(list[0]).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_req-1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
      },
    });
    expect(list[5]).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_A', name: 'get_weather', input: {} } });
    expect(list[6]).toEqual({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"ci' } });
    // usage from the OpenAI usage chunk when finish() gets none: cached tokens split back out
    expect(list[12]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 16, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 64 },
    });
  });

  it('the Anthropic SDK MessageStream accumulates the expected message', async () => {
    const final = await sdkFinalMessage(encode(openAIToolStream));
    expect(final).toEqual({
      id: 'msg_req-1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_A', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_B', name: 'get_weather', input: { city: 'Oslo' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 16, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 64 },
    });
  });

  it('reasoning becomes a thinking block before the text; usage passed to finish() wins', async () => {
    const chunks = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ reasoning_content: 'Think ' }),
      chunk({ reasoning_content: 'hard.' }),
      chunk({ content: '42' }),
      chunk({}, 'length'),
    ];
    const final = await sdkFinalMessage(
      encode(chunks, { promptTokens: 100, completionTokens: 7, totalTokens: 107, cachedTokens: 0, cacheWriteTokens: 40, reasoningTokens: 3 }),
    );
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Think hard.', signature: '' },
      { type: 'text', text: '42' },
    ]);
    expect(final.stop_reason).toBe('max_tokens');
    expect(final.usage).toEqual({ input_tokens: 60, output_tokens: 7, cache_creation_input_tokens: 40, cache_read_input_tokens: 0 });
  });

  it('a signed thinking block: its signature ends the thinking block it streamed into, and the SDK keeps it', async () => {
    const chunks = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ reasoning_content: 'Think ' }),
      chunk({ reasoning_content: 'hard.' }),
      chunk({ thinking_blocks: [{ type: 'thinking', thinking: 'Think hard.', signature: 'EqQBsig' }] }),
      chunk({ content: '42' }),
      chunk({}, 'stop'),
    ];
    const sse = encode(chunks);
    const list = events(sse);
    expect(list.slice(1, 6)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Think ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hard.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBsig' } },
      { type: 'content_block_stop', index: 0 },
    ]);
    expect((await sdkFinalMessage(sse)).content).toEqual([
      { type: 'thinking', thinking: 'Think hard.', signature: 'EqQBsig' },
      { type: 'text', text: '42' },
    ]);
  });

  it('thinking whose text never streamed is written whole; redacted thinking is a block of its own', async () => {
    const chunks = [
      chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: 'EmwKAhgB' }] }),
      chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'sig2' }] }),
      chunk({ reasoning_content: 'Then ' }),
      chunk({ thinking_blocks: [{ type: 'thinking', thinking: 'Then ', signature: 'sig3' }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'a', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ];
    expect((await sdkFinalMessage(encode(chunks))).content).toEqual([
      { type: 'redacted_thinking', data: 'EmwKAhgB' },
      { type: 'thinking', thinking: '', signature: 'sig2' },
      { type: 'thinking', thinking: 'Then ', signature: 'sig3' },
      { type: 'tool_use', id: 'call_A', name: 'a', input: {} },
    ]);
  });

  it("message_start shows the provider's prompt usage reported before it, else the gateway's count, asked once and only then", () => {
    const usage: TokenUsage = { promptTokens: 900, completionTokens: 1, totalTokens: 901, cachedTokens: 600, cacheWriteTokens: 100, reasoningTokens: 0 };
    const reported = new AnthropicStreamEncoder({ ...ctx, promptTokens: () => 12 });
    reported.reportedUsage(usage);
    expect(events(reported.push(chunk({ content: 'Hi' })))[0]).toMatchObject({
      message: { usage: { input_tokens: 200, cache_creation_input_tokens: 100, cache_read_input_tokens: 600, output_tokens: 1 } },
    });

    const promptTokens = jest.fn(() => 12);
    const estimated = new AnthropicStreamEncoder({ ...ctx, promptTokens });
    const sse = estimated.push(chunk({ content: 'Hi' })) + estimated.push(chunk({ content: '!' }));
    estimated.reportedUsage(usage); // after message_start: too late to show, and the final usage is finish()'s
    const list = events(sse + estimated.finish({ ...usage, completionTokens: 2, totalTokens: 902 }));
    expect(list[0]).toMatchObject({ message: { usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 } } });
    expect(promptTokens).toHaveBeenCalledTimes(1);
    expect(list.at(-2)).toMatchObject({
      type: 'message_delta',
      usage: { input_tokens: 200, output_tokens: 2, cache_creation_input_tokens: 100, cache_read_input_tokens: 600 },
    });
  });

  it('a late fragment for an earlier tool call is not dropped', async () => {
    const chunks = [
      chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'a', arguments: '{"x":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ' 1}' } }] }),
      chunk({}, 'tool_calls'),
    ];
    const final = await sdkFinalMessage(encode(chunks));
    expect(final.content).toEqual([
      { type: 'tool_use', id: 'call_A', name: 'a', input: { x: 1 } },
      { type: 'tool_use', id: 'call_B', name: 'b', input: {} },
    ]);
  });

  it('an empty stream still yields a complete message', async () => {
    const final = await sdkFinalMessage(encode([]));
    expect(final).toMatchObject({ content: [], stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } });
  });

  it("errorEvent is Anthropic's stream error, raised by the SDK with its type", async () => {
    const encoder = new AnthropicStreamEncoder(ctx);
    const sse = encoder.push(chunk({ content: 'Hi' })) + encoder.errorEvent('Overloaded', 'overloaded_error');
    expect(sse.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
    expect(encoder.finish(null)).toBe(''); // nothing after an error
    await expect(sdkFinalMessage(sse)).rejects.toMatchObject({ type: 'overloaded_error' });
  });

  it('full circle: an Anthropic stream through the adapter and back comes out the same message', async () => {
    const upstream = [
      {
        type: 'message_start',
        message: {
          id: 'msg_up',
          type: 'message',
          role: 'assistant',
          model: target.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 30, cache_creation_input_tokens: 5, cache_read_input_tokens: 900, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Need both.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'On it.' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'ping' },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'ris"}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'content_block_start', index: 3, content_block: { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} } },
      { type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_stop', index: 3 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 77 } },
      { type: 'message_stop' },
    ];
    const sse = upstream.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
    // Through the relay's own pairing of translator and client encoder (stream-engine's translatedSource).
    const estimate = jest.fn(() => 12);
    const translator = anthropicAdapter.chatStream({ model: 'claude-sonnet-4-5', requestId: 'req-1', created: 1 });
    const encoder = anthropicClientFormat.streamEncoder({
      id: 'chatcmpl-req-1',
      model: 'claude-sonnet-4-5',
      created: 1,
      wantsUsage: false,
      promptTokens: estimate,
    });
    const { items } = translatedSource(translator, encoder).push(Buffer.from(sse));
    const out = items.map((item) => (item.type === 'text' ? item.text : item.type === 'usage' ? item.render(null) : '')).join('');
    // message_start carries the provider's own prompt usage, not the gateway's estimate.
    expect(events(out)[0]).toMatchObject({
      message: { usage: { input_tokens: 30, cache_creation_input_tokens: 5, cache_read_input_tokens: 900, output_tokens: 1 } },
    });
    expect(estimate).not.toHaveBeenCalled();
    const final = await sdkFinalMessage(out);
    expect(final).toEqual({
      id: 'msg_req-1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'Need both.', signature: 'sig' },
        { type: 'text', text: 'On it.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 77, cache_creation_input_tokens: 5, cache_read_input_tokens: 900 },
    });
  });
});

describe("anthropicClientFormat (the relay's ClientFormat)", () => {
  it("translates requests, refuses in Anthropic terms, and renders errors in Anthropic's shape", () => {
    const ok = anthropicClientFormat.toCanonical({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(ok).toEqual({ ok: true, request: { model: 'm', max_completion_tokens: 5, messages: [{ role: 'user', content: 'x' }] } });
    const bad = anthropicClientFormat.toCanonical({ model: 'm', messages: [] });
    // No code: Anthropic's error type says it all, and a code would be joined to the message.
    expect(bad).toEqual({ ok: false, refusal: { status: 400, message: 'max_tokens: Field required', param: 'max_tokens', code: null, headers: {} } });
    if (!bad.ok)
      expect(errorBody('anthropic', bad.refusal)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });

  it('streams through the encoder, and the SDK reads the result', async () => {
    const enc = anthropicClientFormat.streamEncoder({ id: 'chatcmpl-req-1', model: 'claude-sonnet-4-5', created: 1, wantsUsage: false });
    const sse =
      openAIToolStream.map((c) => enc.chunk(c)).join('') +
      enc.finish({ promptTokens: 80, completionTokens: 30, totalTokens: 110, cachedTokens: 64, reasoningTokens: 0 }, 0.001);
    const final = await sdkFinalMessage(sse);
    expect(final.id).toBe('msg_req-1');
    expect((final.content as unknown[]).length).toBe(3);
    expect(enc.error(gatewayError(503, 'boom', 'upstream_overloaded'))).toBe('');
    // The type and words the same error would have had as a response: a 503 is overloaded_error.
    const enc2 = anthropicClientFormat.streamEncoder({ id: 'chatcmpl-r', model: 'm', created: 1, wantsUsage: false });
    expect(enc2.error(gatewayError(503, 'boom', 'upstream_overloaded'))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"boom (upstream_overloaded)"}}\n\n',
    );
    const enc3 = anthropicClientFormat.streamEncoder({ id: 'chatcmpl-r', model: 'm', created: 1, wantsUsage: false });
    const interrupted = gatewayError(502, 'cut', 'upstream_stream_interrupted');
    expect(enc3.error(interrupted)).toBe(`event: error\ndata: ${JSON.stringify(errorBody('anthropic', interrupted))}\n\n`);
  });
});
