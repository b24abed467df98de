/**
 * The /v1/responses ingress: Responses requests in (validated, translated to canonical chat),
 * response objects and SSE event sequences out. Outputs are read back with the official openai
 * SDK (responses.create, and responses.stream's ResponseStream accumulator).
 */
import OpenAI from 'openai';
import { errorBody, gatewayError } from '../../../../lib/errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../../lib/openai-types';
import { SseParser } from '../../../../lib/sse';
import { validateClientRequest } from '../../../../lib/validate';
import {
  outputAsInput,
  ResponsesStreamEncoder,
  responseEcho,
  responsesFormatFor,
  responsesRequestToChat,
} from '../../../../sidecars/relay/client-formats/responses/index';
import type { TokenUsage } from '../../../../sidecars/relay/usage';

const NOW = 1_760_000_100;

function toChat(body: Record<string, unknown>): ChatRequest {
  const out = responsesRequestToChat({ model: 'm', ...body });
  if (!out.ok) throw new Error(out.refusal.message);
  return out.request;
}

function refusal(body: Record<string, unknown>): { message: string; param: string | null; code: string | null } {
  const v = validateClientRequest('responses', { model: 'm', input: 'hi', ...body });
  if (v.ok) throw new Error('expected a refusal');
  return { message: v.message, param: v.param, code: v.code };
}

function sdkClient(body: string, contentType: string): OpenAI {
  return new OpenAI({
    apiKey: 'x',
    baseURL: 'http://gw.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': contentType } }),
  });
}

/** The text of a response's message items (a streamed final response has no output_text: the SDK adds it to non-streamed ones only). */
function textOf(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content.map((part) => (part.type === 'output_text' ? part.text : '')) : []))
    .join('');
}

const usage: TokenUsage = { promptTokens: 20, completionTokens: 7, totalTokens: 27, cachedTokens: 4, reasoningTokens: 2 };

const completion = (message: ChatCompletion['choices'][number]['message'], finish: ChatCompletion['choices'][number]['finish_reason']): ChatCompletion => ({
  id: 'chatcmpl-req1',
  object: 'chat.completion',
  created: 1_760_000_000,
  model: 'claude-sonnet-4-6',
  choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
});

describe('/v1/responses validation: 400 in OpenAI shape naming the field', () => {
  it.each([
    ['a built-in tool', { tools: [{ type: 'web_search' }] }, 'tools[0].type', 'invalid_value'],
    ['background', { background: true }, 'background', 'unsupported_parameter'],
    ['conversation', { conversation: 'conv_1' }, 'conversation', 'unsupported_parameter'],
    ['an unknown field', { frobnicate: 1 }, 'frobnicate', 'unknown_parameter'],
    [
      'an uploaded image',
      { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] },
      'input[0].content[0].file_id',
      'unsupported_parameter',
    ],
    ['an item type it cannot translate', { input: [{ type: 'item_reference', id: 'x' }] }, 'input[0].type', 'invalid_value'],
    [
      'an image from the model',
      { input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] },
      'input[0].content[0].type',
      'invalid_value',
    ],
    ['no input', { input: undefined }, 'input', 'missing_required_parameter'],
    ['a temperature out of range', { temperature: 3 }, 'temperature', 'decimal_above_max_value'],
    ['truncation auto', { truncation: 'auto' }, 'truncation', 'invalid_value'],
  ])('%s', (_name, body, param, code) => {
    const out = refusal(body);
    expect({ param: out.param, code: out.code }).toEqual({ param, code });
    expect(out.message).toContain(param.split('.')[0].replace(/\[\d+\]$/, ''));
  });

  it('words unsupported and unknown fields as OpenAI does', () => {
    expect(refusal({ background: true }).message).toBe(
      "Unsupported parameter: 'background' is not supported through the gateway: responses are streamed or answered, never run in the background.",
    );
    expect(refusal({ frobnicate: 1 }).message).toBe("Unknown parameter: 'frobnicate'.");
  });

  it('accepts a continuation with no new input, and the defaults an SDK may send', () => {
    expect(validateClientRequest('responses', { model: 'm', previous_response_id: 'resp_1' }).ok).toBe(true);
    expect(validateClientRequest('responses', { model: 'm', input: 'hi', background: false, store: false, include: ['reasoning.encrypted_content'] }).ok).toBe(
      true,
    );
  });

  it('the translation refuses what the validator refuses, as a 400 error body', () => {
    const out = responsesRequestToChat({ model: 'm', input: 'hi', tools: [{ type: 'file_search' }] });
    expect(out.ok).toBe(false);
    if (!out.ok)
      expect(errorBody('openai', out.refusal)).toMatchObject({ error: { param: 'tools[0].type', code: 'invalid_value', type: 'invalid_request_error' } });
  });
});

describe('Responses request → canonical chat request', () => {
  it('maps a string input, instructions and the settings', () => {
    expect(
      toChat({
        input: 'Hello',
        instructions: 'Be brief.',
        max_output_tokens: 300,
        temperature: 0.5,
        top_p: 0.9,
        parallel_tool_calls: false,
        reasoning: { effort: 'low', summary: 'auto' },
        text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
        stream: true,
        store: false,
        metadata: { a: 'b' },
        user: 'u1',
      }),
    ).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      max_completion_tokens: 300,
      temperature: 0.5,
      top_p: 0.9,
      parallel_tool_calls: false,
      stream: true,
      stream_options: { include_usage: true },
      user: 'u1',
      reasoning_effort: 'low',
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      verbosity: 'low',
    });
  });

  it('maps function tools and tool_choice', () => {
    const chat = toChat({
      input: 'x',
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true } }]);
    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(toChat({ input: 'x', tool_choice: 'required' }).tool_choice).toBe('required');
  });

  it('turns items into messages: parts, parallel calls on one assistant message, outputs as tool messages, images after them', () => {
    const chat = toChat({
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Rules.' }] },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look:' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'opaque' },
        { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
        { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
        { type: 'function_call_output', call_id: 'call_a', output: 'sunny' },
        {
          type: 'function_call_output',
          call_id: 'call_b',
          output: [
            { type: 'input_text', text: 'rain' },
            { type: 'input_image', image_url: 'https://x/radar.png' },
          ],
        },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'developer', content: 'Rules.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: 'rain' }] },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/radar.png' } }] },
      { role: 'user', content: 'And tomorrow?' },
    ]);
  });
});

describe('canonical completion → response object (read back by the openai SDK)', () => {
  const format = responsesFormatFor({ model: 'smart', input: 'hi', instructions: 'Be brief.', metadata: { k: 'v' }, store: false }, () => NOW);

  it('renders text with usage and cost, echoing the request', async () => {
    const rendered = format.completion(completion({ role: 'assistant', content: 'Hello there', refusal: null }, 'stop'), usage, 0.000123);
    expect(rendered).toMatchObject({
      id: 'resp_req1',
      object: 'response',
      created_at: 1_760_000_000,
      status: 'completed',
      completed_at: NOW,
      model: 'claude-sonnet-4-6',
      instructions: 'Be brief.',
      store: false,
      metadata: { k: 'v' },
      output: [
        { id: 'msg_req1_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there', annotations: [] }] },
      ],
      usage: {
        input_tokens: 20,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 27,
        cost: 0.000123,
      },
    });
    const sdk = await sdkClient(JSON.stringify(rendered), 'application/json').responses.create({ model: 'smart', input: 'hi' });
    expect(sdk.output_text).toBe('Hello there');
    expect(sdk.usage?.output_tokens_details.reasoning_tokens).toBe(2);
  });

  it('renders reasoning and function calls as items, and a length stop as incomplete', () => {
    const calls = completion(
      {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning_content: 'Need the weather.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      'tool_calls',
    );
    expect((format.completion(calls, usage, null) as { output: unknown[] }).output).toEqual([
      { id: 'rs_req1_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Need the weather.' }] },
      { id: 'fc_req1_1', type: 'function_call', status: 'completed', arguments: '{"city":"Paris"}', call_id: 'toolu_1', name: 'get_weather' },
    ]);
    const cut = format.completion(completion({ role: 'assistant', content: 'Hel', refusal: null }, 'length'), usage, null);
    expect(cut).toMatchObject({
      status: 'incomplete',
      completed_at: null,
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ status: 'incomplete' }],
    });
  });

  it('the echo uses OpenAI defaults where the request set none', () => {
    expect(responseEcho({ model: 'm', input: 'x' })).toMatchObject({
      instructions: null,
      parallel_tool_calls: true,
      store: true,
      temperature: 1,
      top_p: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      metadata: {},
      reasoning: { effort: null, summary: null },
    });
  });
});

function chunk(
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk {
  return {
    id: 'chatcmpl-req1',
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'gemini-3.5-flash',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
}

function encoder(): ResponsesStreamEncoder {
  return new ResponsesStreamEncoder(
    { requestId: 'req1', model: 'gemini-3.5-flash', createdAt: 1_760_000_000, echo: responseEcho({ model: 'x', input: 'hi' }) },
    () => NOW,
  );
}

function parsed(sse: string): Array<Record<string, unknown>> {
  return new SseParser().push(sse).map((e) => {
    const data = JSON.parse(e.data!) as Record<string, unknown>;
    expect(e.event).toBe(data.type);
    return data;
  });
}

describe('canonical chunks → Responses SSE events', () => {
  it('emits the full text sequence with consecutive sequence numbers, and the SDK accumulates it', async () => {
    const e = encoder();
    const sse = e.push(chunk({ role: 'assistant', content: 'Hel' })) + e.push(chunk({ content: 'lo' })) + e.push(chunk({}, 'stop')) + e.finish(usage, 0.5);
    const events = parsed(sse);
    expect(events.map((x) => x.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((x) => x.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[6]).toMatchObject({ item_id: 'msg_req1_0', output_index: 0, content_index: 0, text: 'Hello' });
    expect(events[9]).toMatchObject({ response: { status: 'completed', usage: { input_tokens: 20, output_tokens: 7, cost: 0.5 } } });

    const stream = sdkClient(sse, 'text/event-stream').responses.stream({ model: 'x', input: 'hi' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (d) => deltas.push(d.delta));
    const final = await stream.finalResponse();
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(textOf(final)).toBe('Hello');
    expect(final.usage?.total_tokens).toBe(27);
  });

  it('streams reasoning, then parallel function calls (a late fragment still lands on its own item)', async () => {
    const e = encoder();
    let sse = e.push(chunk({ reasoning_content: 'Think' }));
    sse += e.push(chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }] }));
    sse += e.push(chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }));
    sse += e.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }));
    sse += e.push(chunk({}, 'tool_calls')) + e.finish(usage, null);
    const events = parsed(sse);
    expect(events.map((x) => x.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[12]).toMatchObject({ output_index: 1, delta: '"Paris"}' });
    const final = await sdkClient(sse, 'text/event-stream').responses.stream({ model: 'x', input: 'hi' }).finalResponse();
    expect(final.output.map((item) => (item.type === 'function_call' ? [item.call_id, item.name, JSON.parse(item.arguments)] : item.type))).toEqual([
      'reasoning',
      ['call_a', 'get_weather', { city: 'Paris' }],
      ['call_b', 'get_time', {}],
    ]);
    // What is kept for a continuation: the calls, in input form (reasoning left out).
    expect(outputAsInput(e.answer().output)).toEqual([
      { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'call_b', name: 'get_time', arguments: '{}' },
    ]);
  });

  it('ends an answer cut by the output limit with response.incomplete', () => {
    const e = encoder();
    const events = parsed(e.push(chunk({ content: 'Hi' })) + e.push(chunk({}, 'length')) + e.finish(usage, null));
    expect(events.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
    expect(events.find((x) => x.type === 'response.output_item.done')).toMatchObject({ item: { status: 'incomplete' } });
  });

  it('a failure after the answer began: an error event, then response.failed, then nothing', () => {
    const e = encoder();
    const begun = parsed(e.push(chunk({ content: 'Hi' })));
    const failed = parsed(e.errorEvents(gatewayError(502, 'The provider failed mid-answer.', 'upstream_stream_interrupted')));
    expect(failed).toEqual([
      { type: 'error', sequence_number: begun.length, code: 'upstream_stream_interrupted', message: 'The provider failed mid-answer.', param: null },
      expect.objectContaining({
        type: 'response.failed',
        sequence_number: begun.length + 1,
        response: expect.objectContaining({ status: 'failed', error: { code: 'upstream_stream_interrupted', message: 'The provider failed mid-answer.' } }),
      }),
    ]);
    expect(e.finish(usage, null)).toBe('');
  });
});
