import type { PlanTarget } from '../../../../lib/plan';
import { buildRequest, mapUpstreamError, processStreamData, usageFromResponse } from '../../../../sidecars/relay/adapters/openai';
import { planTarget, wire } from './adapter-helpers';

const target: PlanTarget = planTarget('openai', 'https://api.openai.com/v1', 'gpt-4o-mini-2024-07-18', 'OPENAI_API_KEY');

function build(body: Record<string, unknown>, t: PlanTarget = target) {
  const raw = Buffer.from(JSON.stringify(body));
  return buildRequest('chat.completions', t, raw, body, 'sk-test');
}

// Chunks exactly as OpenAI streams them with stream_options.include_usage (API reference, "The chat completion chunk object").
const contentChunk =
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}';
const usageChunk =
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_1","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":3,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":2,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}';

describe('OpenAI request building', () => {
  it('swaps in the provider model, sets the key and keeps everything else', () => {
    const { request, intent } = build({ model: 'fast', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 });
    expect(request.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(JSON.parse(String(request.body))).toEqual({ model: target.model, messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 });
    expect(intent).toEqual({ stream: false, wantsStreamUsage: false });
  });

  it('forwards the raw bytes untouched when nothing needs changing', () => {
    const body = { model: target.model, messages: [{ role: 'user', content: 'hi' }] };
    const raw = Buffer.from(JSON.stringify(body, null, 2));
    const { request } = buildRequest('chat.completions', target, raw, body, null);
    expect(request.body).toBe(raw);
    expect(request.headers.authorization).toBeUndefined();
  });

  it('asks for the usage chunk on streams and remembers the client did not', () => {
    const { request, intent } = build({ model: 'fast', messages: [], stream: true });
    expect(JSON.parse(String(request.body)).stream_options).toEqual({ include_usage: true });
    expect(request.headers.accept).toBe('text/event-stream');
    expect(intent).toEqual({ stream: true, wantsStreamUsage: false });
  });

  it('keeps the client usage request', () => {
    const { intent } = build({ model: 'fast', messages: [], stream: true, stream_options: { include_usage: true } });
    expect(intent.wantsStreamUsage).toBe(true);
  });

  it('does not send stream_options to Mistral, which reports usage unasked', () => {
    const { request } = build({ model: 'fast', messages: [], stream: true }, { ...target, provider: 'mistral' });
    expect(JSON.parse(String(request.body)).stream_options).toBeUndefined();
  });

  it('targets the embeddings path', () => {
    const body = { model: 'e', input: 'x' };
    const { request } = buildRequest('embeddings', target, Buffer.from(JSON.stringify(body)), body, 'k');
    expect(request.url).toBe('https://api.openai.com/v1/embeddings');
  });
});

describe('usage extraction', () => {
  it('reads prompt, completion, cached and reasoning tokens from a stream usage chunk', () => {
    const action = processStreamData(usageChunk, { stream: true, wantsStreamUsage: true });
    expect(action).toEqual({
      kind: 'pass',
      usage: { promptTokens: 19, completionTokens: 10, totalTokens: 29, cachedTokens: 3, reasoningTokens: 2 },
    });
  });

  it('records but drops the usage-only chunk the client did not ask for', () => {
    const action = processStreamData(usageChunk, { stream: true, wantsStreamUsage: false });
    expect(action.kind).toBe('drop');
    expect(action.usage?.totalTokens).toBe(29);
  });

  it('keeps content that shares a chunk with usage, removing only the usage', () => {
    const mixed = JSON.stringify({ ...JSON.parse(contentChunk), usage: JSON.parse(usageChunk).usage });
    const action = processStreamData(mixed, { stream: true, wantsStreamUsage: false });
    expect(action.kind).toBe('replace');
    if (action.kind === 'replace') {
      expect(JSON.parse(action.data).choices[0].delta.content).toBe('Hi');
      expect(JSON.parse(action.data).usage).toBeUndefined();
    }
    expect(action.usage?.promptTokens).toBe(19);
  });

  it('passes content chunks and [DONE] through, marking the end', () => {
    expect(processStreamData(contentChunk, { stream: true, wantsStreamUsage: false })).toEqual({ kind: 'pass' });
    expect(processStreamData('[DONE]', { stream: true, wantsStreamUsage: false })).toEqual({ kind: 'pass', done: true });
  });

  it('reads Groq x_groq usage and DeepSeek cache hits', () => {
    const groq = '{"id":"c","object":"chat.completion.chunk","choices":[],"x_groq":{"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}}';
    expect(processStreamData(groq, { stream: true, wantsStreamUsage: true }).usage).toMatchObject({ promptTokens: 5, completionTokens: 7 });
    const deepseek = { usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 } };
    expect(usageFromResponse(deepseek)?.cachedTokens).toBe(64);
  });

  it('finds usage in pretty-printed chunks too', () => {
    const pretty = JSON.stringify(JSON.parse(usageChunk), null, 2).replace(/"usage":/, '"usage" :');
    expect(processStreamData(pretty, { stream: true, wantsStreamUsage: true }).usage?.totalTokens).toBe(29);
  });

  it('passes a mid-stream provider error through and flags it', () => {
    expect(processStreamData('{"error":{"message":"overloaded","type":"server_error"}}', { stream: true, wantsStreamUsage: false })).toEqual({
      kind: 'pass',
      error: true,
    });
  });

  it('returns null when a response has no usage', () => {
    expect(usageFromResponse({ choices: [] })).toBeNull();
  });
});

describe('upstream error mapping', () => {
  const openAI429 = '{"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests","param":null,"code":"rate_limit_exceeded"}}';

  it('keeps a caller error status and the provider message, type, code and param', () => {
    const body =
      '{"error":{"message":"This model\'s maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}';
    const mapped = mapUpstreamError(400, body, undefined, 'openai');
    expect(mapped).toMatchObject({ status: 400, headers: {}, kind: 'context_window' });
    expect(wire(mapped)).toEqual({
      error: {
        message: "This model's maximum context length is 128000 tokens.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    });
  });

  it('passes 429 with Retry-After', () => {
    const mapped = mapUpstreamError(429, openAI429, '7', 'openai');
    expect(mapped.status).toBe(429);
    expect(mapped.headers['retry-after']).toBe('7');
    expect(wire(mapped).error.message).toBe('Rate limit reached for gpt-4o-mini');
  });

  it("turns a rejected provider key into a 502, not the caller's 401", () => {
    const mapped = mapUpstreamError(401, '{"error":{"message":"Incorrect API key provided"}}', undefined, 'openai');
    expect(mapped.status).toBe(502);
    expect(wire(mapped).error.code).toBe('upstream_auth_failed');
    expect(wire(mapped).error.message).toContain('Incorrect API key provided');
  });

  it('maps 5xx to 502 and keeps a non-JSON message', () => {
    const mapped = mapUpstreamError(503, 'upstream overloaded', undefined, 'vllm');
    expect(mapped.status).toBe(502);
    expect(wire(mapped).error.message).toContain('upstream overloaded');
    expect(wire(mapped).error.type).toBe('api_error');
  });
});
