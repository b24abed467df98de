/**
 * Adapter for OpenAI and every OpenAI-compatible API. Pure functions, no I/O: they build the
 * upstream request, read usage from responses and stream chunks, and map provider errors.
 */
import type { Endpoint, PlanTarget, ProviderType } from '../../../lib/plan';
import { openAIError, type OpenAIErrorBody } from '../../../lib/openai-error';
import type { ChatCompletion, ChatCompletionChunk } from '../../../lib/openai-types';
import type { SseEvent } from '../../../lib/sse';
import type { TokenUsage } from '../usage';
import type { ChatAdapter, MappedError as MappedAdapterError, StreamStep, StreamTranslator } from './types';

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** What the client asked for, which the relay must honour whatever it asked the provider. */
export interface ClientIntent {
  stream: boolean;
  /** The client set stream_options.include_usage itself. */
  wantsStreamUsage: boolean;
}

/** Whether the client streams, and whether it asked for the usage chunk itself. */
export function clientIntent(clientBody: Record<string, unknown>, canStream = true): ClientIntent {
  const stream = canStream && clientBody.stream === true;
  const options = clientBody.stream_options as { include_usage?: unknown } | undefined | null;
  return { stream, wantsStreamUsage: stream && options?.include_usage === true };
}

/** Mistral reports usage in its last chunk unasked and has no stream_options parameter. */
const SUPPORTS_STREAM_OPTIONS: Partial<Record<ProviderType, boolean>> = {
  openai: true,
  groq: true,
  deepseek: true,
  xai: true,
  mistral: false,
  ollama: true,
  vllm: true,
  huggingface: true,
  'openai-compatible': true,
  azure: true,
};

const PATHS: Record<Exclude<Endpoint, 'messages'>, string> = {
  'chat.completions': '/chat/completions',
  embeddings: '/embeddings',
};

export function buildRequest(
  endpoint: Exclude<Endpoint, 'messages'>,
  target: PlanTarget,
  rawBody: Buffer,
  clientBody: Record<string, unknown>,
  apiKey: string | null,
): { request: UpstreamRequest; intent: ClientIntent } {
  const clientOptions = clientBody.stream_options as { include_usage?: unknown } | undefined | null;
  const intent = clientIntent(clientBody, endpoint === 'chat.completions');
  const stream = intent.stream;

  // Usage must be recorded for every response, so streams always ask for the usage chunk.
  const needsUsageFlag = stream && SUPPORTS_STREAM_OPTIONS[target.provider] === true && !intent.wantsStreamUsage;
  const needsModelSwap = clientBody.model !== target.model;
  let body: string | Buffer = rawBody;
  if (needsModelSwap || needsUsageFlag) {
    const upstreamBody: Record<string, unknown> = { ...clientBody, model: target.model };
    if (needsUsageFlag) upstreamBody.stream_options = { ...(clientOptions ?? {}), include_usage: true };
    body = JSON.stringify(upstreamBody);
  }

  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
  };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return { request: { url: target.baseUrl + PATHS[endpoint], headers, body }, intent };
}

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek reports its context-cache hits here. */
  prompt_cache_hit_tokens?: number;
}

/** OpenAI's usage object (and its providers' variants) as the gateway counts it. */
export function toTokenUsage(usage: OpenAIUsage): TokenUsage {
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  const cacheWrite = usage.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: usage.total_tokens ?? prompt + completion,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
    ...(cacheWrite ? { cacheWriteTokens: cacheWrite } : {}),
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

function usageObject(value: unknown): OpenAIUsage | null {
  return typeof value === 'object' && value !== null ? (value as OpenAIUsage) : null;
}

/** Usage of a complete (non-streamed) chat completion or embeddings response. */
export function usageFromResponse(body: unknown): TokenUsage | null {
  const usage = usageObject((body as { usage?: unknown } | null)?.usage);
  return usage ? toTokenUsage(usage) : null;
}

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

export type ChunkAction =
  | { kind: 'pass'; usage?: TokenUsage; done?: boolean; error?: boolean }
  | { kind: 'drop'; usage?: TokenUsage }
  | { kind: 'replace'; data: string; usage?: TokenUsage };

/**
 * Decide what to do with one SSE `data:` payload. Chunks pass through byte for byte unless
 * the relay added the usage request itself: then the usage the client did not ask for is
 * taken out (but still recorded).
 */
export function processStreamData(data: string, intent: ClientIntent): ChunkAction {
  if (data.trim() === '[DONE]') return { kind: 'pass', done: true };
  // Content chunks are most of a stream: pass them without parsing. Inside JSON strings quotes
  // are escaped, so these patterns only match real keys; a false match just costs a parse.
  if (!USAGE_OBJECT.test(data) && !data.includes('"error"') && !data.includes('"x_groq"')) return { kind: 'pass' };
  let chunk: Record<string, unknown>;
  try {
    chunk = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return { kind: 'pass' };
  }
  if (chunk.error) return { kind: 'pass', error: true };
  // Groq's older streams carry usage under x_groq.
  const rawUsage = usageObject(chunk.usage) ?? usageObject((chunk.x_groq as { usage?: unknown } | undefined)?.usage);
  if (!rawUsage) return { kind: 'pass' };
  const usage = toTokenUsage(rawUsage);
  if (intent.wantsStreamUsage) return { kind: 'pass', usage };
  const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
  if (choices.length === 0) return { kind: 'drop', usage };
  // A provider may put usage on a chunk that still carries content: keep the content.
  const { usage: _dropped, ...rest } = chunk;
  void _dropped;
  return { kind: 'replace', data: JSON.stringify(rest), usage };
}

export interface MappedError {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

function providerMessage(bodyText: string): { message: string; type?: string; code?: string | null; param?: string | null } {
  try {
    const parsed = JSON.parse(bodyText) as { error?: unknown; message?: unknown };
    const err = parsed.error;
    if (typeof err === 'object' && err !== null) {
      const e = err as { message?: unknown; type?: unknown; code?: unknown; param?: unknown };
      return {
        message: typeof e.message === 'string' ? e.message : JSON.stringify(err),
        type: typeof e.type === 'string' ? e.type : undefined,
        code: typeof e.code === 'string' ? e.code : e.code == null ? null : String(e.code),
        param: typeof e.param === 'string' ? e.param : null,
      };
    }
    if (typeof err === 'string') return { message: err };
    if (typeof parsed.message === 'string') return { message: parsed.message };
  } catch {
    // not JSON: fall through to the raw text
  }
  return { message: bodyText.slice(0, 1000) || 'no error message' };
}

const CALLER_ERRORS = new Set([400, 404, 409, 413, 422]);

/**
 * A provider's error, in the OpenAI shape with the provider's message kept. Caller mistakes keep
 * their status; a provider rejecting OUR credential is a gateway fault (502), not the caller's 401.
 */
export function mapUpstreamError(status: number, bodyText: string, retryAfter: string | undefined, provider: string): MappedError {
  const p = providerMessage(bodyText);
  const headers: Record<string, string> = {};
  if (CALLER_ERRORS.has(status)) {
    return { status, headers, body: openAIError(status, p.message, p.code ?? null, p.param ?? null, p.type ?? 'invalid_request_error') };
  }
  if (status === 429) {
    if (retryAfter) headers['retry-after'] = retryAfter;
    return { status: 429, headers, body: openAIError(429, p.message, p.code ?? 'rate_limit_exceeded', null, p.type ?? 'rate_limit_error') };
  }
  if (status === 401 || status === 403) {
    return {
      status: 502,
      headers,
      body: openAIError(502, `The provider (${provider}) rejected the gateway's credentials: ${p.message}`, 'upstream_auth_failed'),
    };
  }
  if (status === 504 || status === 408) {
    return { status: 504, headers, body: openAIError(504, `The provider (${provider}) timed out: ${p.message}`, 'upstream_timeout') };
  }
  return { status: 502, headers, body: openAIError(502, `The provider (${provider}) failed (HTTP ${status}): ${p.message}`, 'upstream_error') };
}

/**
 * The same wire format as a ChatAdapter, for the translated path (a client speaking another
 * format, e.g. Anthropic's /v1/messages, to an OpenAI-compatible target). The byte-for-byte
 * pass-through above stays the path for OpenAI clients.
 */
export const openaiAdapter: ChatAdapter = {
  chatRequest(target, request, apiKey) {
    const stream = request.stream === true;
    const body: Record<string, unknown> = { ...request, model: target.model };
    if (stream && SUPPORTS_STREAM_OPTIONS[target.provider] === true) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    return { url: target.baseUrl + PATHS['chat.completions'], headers, body: JSON.stringify(body) };
  },

  chatResponse(body) {
    const completion = body as ChatCompletion;
    return { completion, usage: usageFromResponse(body) };
  },

  chatStream(): StreamTranslator {
    return {
      push(event: SseEvent): StreamStep {
        if (event.data === undefined) return { chunks: [] };
        if (event.data.trim() === '[DONE]') return { chunks: [], done: true };
        let chunk: ChatCompletionChunk & { error?: { message?: string; type?: string } };
        try {
          chunk = JSON.parse(event.data) as typeof chunk;
        } catch {
          return { chunks: [] };
        }
        if (chunk.error) return { chunks: [], error: { status: 502, message: chunk.error.message ?? 'provider stream error', type: chunk.error.type ?? 'api_error' } };
        const rawUsage = usageObject(chunk.usage) ?? usageObject((chunk as { x_groq?: { usage?: unknown } }).x_groq?.usage);
        const step: StreamStep = { chunks: [] };
        if (rawUsage) step.usage = toTokenUsage(rawUsage);
        if (chunk.choices && chunk.choices.length > 0) {
          const { usage: _usage, ...rest } = chunk;
          void _usage;
          step.chunks.push(rest as ChatCompletionChunk);
        }
        return step;
      },
    };
  },

  mapError(status, bodyText, headers) {
    const mapped = mapUpstreamError(status, bodyText, headers['retry-after'], 'openai');
    return { ...mapped, kind: errorKind(status, mapped.body.error.code) };
  },
};

/** Why a provider call failed, for retry and failover decisions. */
export function errorKind(status: number, code: string | null): MappedAdapterError['kind'] {
  if (code === 'context_length_exceeded') return 'context_window';
  if (code === 'content_filter' || code === 'content_policy_violation') return 'content_policy';
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403 || code === 'upstream_auth_failed') return 'auth';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server';
  return 'caller';
}
