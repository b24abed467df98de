/**
 * Azure OpenAI adapter, from wire transcripts. Chunk shapes follow Azure's published streams
 * (the choices-less prompt_filter_results chunk first, content_filter_results on every choice,
 * annotation chunks with id "" and no delta in asynchronous filter mode, the usage chunk with
 * stream_options.include_usage); error bodies follow Azure's content filter and quota errors.
 */

import type { ChatCompletionChunk, ChatRequest } from '../../../../lib/openai-types';
import type { PlanTarget } from '../../../../lib/plan';
import { SseParser } from '../../../../lib/sse';
import { type AzureUpstreamRequest, azureAdapter, azureChatUrl, DEFAULT_AZURE_API_VERSION } from '../../../../sidecars/relay/adapters/azure';
import type { StreamStep, TranslationContext } from '../../../../sidecars/relay/adapters/types';
import { planTarget, wire } from './adapter-helpers';
import { accumulate } from './sdk-accumulate';

const target: PlanTarget = planTarget('azure', 'https://contoso.openai.azure.com', 'gpt-4o-mini-prod', 'AZURE_OPENAI_API_KEY');
const ctx: TranslationContext = { model: 'fast', requestId: 'req1', created: 1700000000 };

function build(request: Partial<ChatRequest>, t: PlanTarget = target): AzureUpstreamRequest {
  return azureAdapter.chatRequest(
    t,
    { model: 'fast', messages: [{ role: 'user', content: 'hi' }], ...request } as ChatRequest,
    'azure-key',
  ) as AzureUpstreamRequest;
}

function translate(transcript: string, cuts: number[] = []): { chunks: ChatCompletionChunk[]; steps: StreamStep[] } {
  const bytes = Buffer.from(transcript, 'utf8');
  const parser = new SseParser();
  const translator = azureAdapter.chatStream(ctx);
  const steps: StreamStep[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    for (const event of parser.push(bytes.subarray(from, to))) steps.push(translator.push(event));
    from = to;
  }
  return { chunks: steps.flatMap((s) => s.chunks), steps };
}

describe('Azure request', () => {
  it.each([
    [
      'https://contoso.openai.azure.com',
      `https://contoso.openai.azure.com/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=${DEFAULT_AZURE_API_VERSION}`,
    ],
    [
      'https://contoso.openai.azure.com/',
      `https://contoso.openai.azure.com/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=${DEFAULT_AZURE_API_VERSION}`,
    ],
    [
      'https://contoso.openai.azure.com/openai',
      `https://contoso.openai.azure.com/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=${DEFAULT_AZURE_API_VERSION}`,
    ],
    [
      'https://contoso.openai.azure.com/?api-version=2025-01-01-preview',
      'https://contoso.openai.azure.com/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=2025-01-01-preview',
    ],
    [
      'https://contoso.cognitiveservices.azure.com/openai?api-version=2024-06-01',
      'https://contoso.cognitiveservices.azure.com/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=2024-06-01',
    ],
    ['https://contoso.openai.azure.com/openai/v1/', 'https://contoso.openai.azure.com/openai/v1/chat/completions'],
  ])('%s → %s', (baseUrl, url) => {
    expect(azureChatUrl(baseUrl, target.model)).toBe(url);
    expect(build({}, { ...target, baseUrl }).url).toBe(url);
  });

  it('sends the key in api-key, the deployment as model, and the body otherwise as OpenAI’s', () => {
    const req = build({ temperature: 0.2, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: 'auto' });
    expect(req.headers['api-key']).toBe('azure-key');
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({
      model: 'gpt-4o-mini-prod',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
    });
    expect(req.dropped).toEqual([]);
  });

  it.each([
    [undefined, { include_usage: true }],
    [{ include_usage: true }, { include_usage: true }],
    [{ include_usage: false }, { include_usage: true }],
  ])('always asks for the usage chunk on streams (client sent %j)', (options, expected) => {
    const req = build({ stream: true, stream_options: options });
    expect(JSON.parse(req.body).stream_options).toEqual(expected);
    expect(req.headers.accept).toBe('text/event-stream');
  });

  it('takes out what Azure cannot take and reports it', () => {
    const req = build({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'ctx', cache_control: { type: 'ephemeral' } }] },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'thinking',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { google: { thought_signature: 'x' } } } as never,
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
    });
    expect(JSON.parse(req.body).messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'ctx' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    ]);
    expect(req.dropped).toEqual(['cache_control', 'extra_content', 'reasoning_content']);
  });
});

const filters = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

describe('Azure response', () => {
  it('removes the filter results and keeps usage', () => {
    const body = {
      choices: [
        {
          content_filter_results: filters,
          finish_reason: 'stop',
          index: 0,
          logprobs: null,
          message: { annotations: [], content: 'Hello!', refusal: null, role: 'assistant' },
        },
      ],
      created: 1736407895,
      id: 'chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc',
      model: 'gpt-4o-mini-2024-07-18',
      object: 'chat.completion',
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: { ...filters, jailbreak: { filtered: false, detected: false } } }],
      system_fingerprint: 'fp_5154047bf2',
      usage: {
        completion_tokens: 3,
        completion_tokens_details: { reasoning_tokens: 0 },
        prompt_tokens: 10,
        prompt_tokens_details: { cached_tokens: 4 },
        total_tokens: 13,
      },
    };
    const { completion, usage } = azureAdapter.chatResponse(body, ctx);
    expect(completion).toEqual({
      choices: [{ finish_reason: 'stop', index: 0, logprobs: null, message: { annotations: [], content: 'Hello!', refusal: null, role: 'assistant' } }],
      created: 1736407895,
      id: 'chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc',
      model: 'fast',
      object: 'chat.completion',
      system_fingerprint: 'fp_5154047bf2',
      usage: body.usage,
    });
    expect(usage).toEqual({ promptTokens: 10, completionTokens: 3, totalTokens: 13, cachedTokens: 4, reasoningTokens: 0 });
  });
});

const sse = (...events: unknown[]) => events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
const head = {
  created: 1736407895,
  id: 'chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc',
  model: 'gpt-4o-mini-2024-07-18',
  object: 'chat.completion.chunk',
  system_fingerprint: 'fp_5154047bf2',
};
const promptFilterChunk = {
  choices: [],
  created: 0,
  id: '',
  model: '',
  object: '',
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: filters }],
};
const usageChunk = {
  choices: [],
  ...head,
  usage: {
    completion_tokens: 4,
    completion_tokens_details: { reasoning_tokens: 0 },
    prompt_tokens: 12,
    prompt_tokens_details: { cached_tokens: 0 },
    total_tokens: 16,
  },
};

const textStream = sse(
  promptFilterChunk,
  {
    choices: [{ content_filter_results: {}, delta: { content: '', refusal: null, role: 'assistant' }, finish_reason: null, index: 0, logprobs: null }],
    ...head,
    usage: null,
  },
  { choices: [{ content_filter_results: filters, delta: { content: 'Héllo' }, finish_reason: null, index: 0, logprobs: null }], ...head, usage: null },
  { choices: [{ content_filter_results: filters, delta: { content: ' wörld 🙂' }, finish_reason: null, index: 0, logprobs: null }], ...head, usage: null },
  // Asynchronous filter mode: an annotation chunk with no delta.
  {
    id: '',
    object: '',
    created: 0,
    model: '',
    choices: [{ index: 0, finish_reason: null, content_filter_results: filters, content_filter_offsets: { check_offset: 0, start_offset: 0, end_offset: 20 } }],
    usage: null,
  },
  { choices: [{ content_filter_results: {}, delta: {}, finish_reason: 'stop', index: 0, logprobs: null }], ...head, usage: null },
  usageChunk,
  '[DONE]',
);
const toolStream = sse(
  promptFilterChunk,
  {
    choices: [
      {
        content_filter_results: {},
        delta: {
          content: null,
          role: 'assistant',
          tool_calls: [{ function: { arguments: '', name: 'get_weather' }, id: 'call_abc', index: 0, type: 'function' }],
        },
        finish_reason: null,
        index: 0,
        logprobs: null,
      },
    ],
    ...head,
  },
  {
    choices: [
      { content_filter_results: {}, delta: { tool_calls: [{ function: { arguments: '{"city":' }, index: 0 }] }, finish_reason: null, index: 0, logprobs: null },
    ],
    ...head,
  },
  {
    choices: [
      { content_filter_results: {}, delta: { tool_calls: [{ function: { arguments: '"Paris"}' }, index: 0 }] }, finish_reason: null, index: 0, logprobs: null },
    ],
    ...head,
  },
  {
    choices: [
      {
        content_filter_results: {},
        delta: { tool_calls: [{ function: { arguments: '', name: 'now' }, id: 'call_def', index: 1, type: 'function' }] },
        finish_reason: null,
        index: 0,
        logprobs: null,
      },
    ],
    ...head,
  },
  {
    choices: [
      { content_filter_results: {}, delta: { tool_calls: [{ function: { arguments: '{}' }, index: 1 }] }, finish_reason: null, index: 0, logprobs: null },
    ],
    ...head,
  },
  { choices: [{ content_filter_results: {}, delta: {}, finish_reason: 'tool_calls', index: 0, logprobs: null }], ...head },
  usageChunk,
  '[DONE]',
);
const filteredStream = sse(
  promptFilterChunk,
  { choices: [{ content_filter_results: {}, delta: { content: '', role: 'assistant' }, finish_reason: null, index: 0, logprobs: null }], ...head },
  {
    choices: [
      {
        content_filter_results: filters,
        content_filter_offsets: { check_offset: 0, start_offset: 0, end_offset: 8 },
        delta: { content: 'Step one' },
        finish_reason: null,
        index: 0,
        logprobs: null,
      },
    ],
    ...head,
  },
  {
    choices: [
      { content_filter_results: { ...filters, violence: { filtered: true, severity: 'medium' } }, finish_reason: 'content_filter', index: 0, logprobs: null },
    ],
    ...head,
  },
  usageChunk,
  '[DONE]',
);

describe('Azure stream', () => {
  it('drops the prompt-filter, annotation and usage chunks, reports usage, and gives OpenAI’s exact chunk shapes', async () => {
    const { chunks, steps } = translate(textStream);
    expect(chunks).toHaveLength(4);
    expect(JSON.stringify(chunks)).not.toMatch(/filter_results|content_filter_offsets|usage/);
    expect(chunks[0]).toEqual({
      ...head,
      model: 'fast',
      choices: [{ delta: { content: '', refusal: null, role: 'assistant' }, finish_reason: null, index: 0, logprobs: null }],
    });
    expect(chunks[3]).toEqual({ ...head, model: 'fast', choices: [{ delta: {}, finish_reason: 'stop', index: 0, logprobs: null }] });
    expect(steps.map((s) => s.done ?? false)).toEqual([false, false, false, false, false, false, false, true]);
    expect(steps[6].usage).toEqual({ promptTokens: 12, completionTokens: 4, totalTokens: 16, cachedTokens: 0, reasoningTokens: 0 });
    const final = await accumulate(chunks);
    expect(final.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Héllo wörld 🙂', refusal: null }, logprobs: null, finish_reason: 'stop' },
    ]);
    expect(final.id).toBe(head.id);
  });

  it('passes streamed tool call fragments on so they accumulate whole', async () => {
    const final = await accumulate(translate(toolStream).chunks);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0].message.tool_calls).toEqual([
      { id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_def', type: 'function', function: { name: 'now', arguments: '{}' } },
    ]);
  });

  it('keeps a content_filter finish that arrives without a delta', async () => {
    const { chunks } = translate(filteredStream);
    expect(JSON.stringify(chunks)).not.toMatch(/content_filter_(results|offsets)/);
    const final = await accumulate(chunks);
    expect(final.choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: 'Step one' } });
  });

  it('reports an error event inside the stream', () => {
    const { steps } = translate(sse({ error: { code: 'server_error', message: 'The server had an error while processing your request.' } }));
    expect(steps[0].error?.message).toContain('The server had an error while processing your request.');
    expect(steps[0].error?.status).toBe(502);
  });

  it('does not signal the end of a stream cut before [DONE]', () => {
    expect(translate(textStream.slice(0, textStream.indexOf('data: [DONE]'))).steps.some((s) => s.done)).toBe(false);
  });

  it.each([
    ['text', textStream],
    ['tool call', toolStream],
    ['filtered', filteredStream],
  ])('gives identical chunks whatever byte the %s stream is cut at', (_name, transcript) => {
    const whole = JSON.stringify(translate(transcript));
    const length = Buffer.byteLength(transcript);
    for (let cut = 1; cut < length; cut++) {
      if (JSON.stringify(translate(transcript, [cut])) !== whole) throw new Error(`cut at byte ${cut} changed the result`);
    }
  });
});

const azureError = (error: Record<string, unknown>) => JSON.stringify({ error });

describe('Azure errors', () => {
  it('maps a content filter refusal to content_policy and keeps the provider message', () => {
    const message =
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766";
    const body = azureError({
      message,
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { ...filters, hate: { filtered: true, severity: 'medium' } } },
    });
    const mapped = azureAdapter.mapError(400, body, {});
    expect(mapped).toMatchObject({ status: 400, kind: 'content_policy', headers: {} });
    expect(wire(mapped)).toEqual({ error: { message, type: 'invalid_request_error', code: 'content_filter', param: 'prompt' } });
  });

  it.each([
    [
      'context overflow',
      400,
      azureError({
        message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      }),
      {},
      400,
      'context_window',
      'context_length_exceeded',
    ],
    [
      'bad request',
      400,
      azureError({ message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' }),
      {},
      400,
      'caller',
      'invalid_value',
    ],
    [
      'bad key',
      401,
      azureError({ code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' }),
      {},
      502,
      'auth',
      'upstream_auth_failed',
    ],
    [
      'missing deployment',
      404,
      azureError({ code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' }),
      {},
      502,
      'server',
      'upstream_error',
    ],
    ['server error', 500, azureError({ code: 'server_error', message: 'The server had an error.' }), {}, 502, 'server', 'upstream_error'],
    ['timeout', 408, azureError({ code: 'timeout', message: 'Request timed out.' }), {}, 504, 'timeout', 'upstream_timeout'],
  ])('%s', (_name, status, body, headers, outStatus, kind, code) => {
    const mapped = azureAdapter.mapError(status, body, headers);
    expect([mapped.status, mapped.kind, wire(mapped).error.code]).toEqual([outStatus, kind, code]);
  });

  it('maps Azure’s rate limit with its retry header (its rate-limit headers are renamed by the relay, as every provider’s)', () => {
    const body = azureError({
      code: '429',
      message:
        'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds.',
    });
    const mapped = azureAdapter.mapError(429, body, {
      'retry-after': '6',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-remaining-requests': '99',
      'content-type': 'application/json',
    });
    expect(mapped.status).toBe(429);
    expect(mapped.kind).toBe('rate_limit');
    expect(wire(mapped).error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    expect(wire(mapped).error.message).toContain('Please retry after 6 seconds');
    // Bug fixed: the adapter renamed them x-upstream-ratelimit-* while the relay added x-upstream-x-ratelimit-*, so a 429 carried both.
    expect(mapped.headers).toEqual({ 'retry-after': '6' });
  });

  it('derives retry-after from retry-after-ms when that is all Azure sent', () => {
    expect(azureAdapter.mapError(429, azureError({ code: '429', message: 'slow down' }), { 'retry-after-ms': '1500' }).headers['retry-after']).toBe('2');
  });
});
