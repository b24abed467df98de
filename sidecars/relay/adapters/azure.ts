/**
 * Adapter for Azure OpenAI. The wire format is OpenAI's; what differs is the URL (deployment +
 * api-version), the `api-key` header, and Azure's extras in answers (prompt_filter_results,
 * content_filter_results, a first stream chunk with no choices, filter-annotation chunks with
 * no delta), which are taken out so clients see OpenAI's exact shapes.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../lib/openai-types';
import type { PlanTarget } from '../../../lib/plan';
import type { SseEvent } from '../../../lib/sse';
import type { TokenUsage } from '../usage';
import { openAIError } from '../../../lib/openai-error';
import { isObject } from '../../../lib/validate';
import { mapUpstreamError, usageFromResponse } from './openai';
import type { ChatAdapter, MappedError, StreamStep, StreamTranslator, TranslationContext, UpstreamHttpRequest } from './types';

/**
 * The newest GA data-plane api-version when this was written; a base_url can pin another with
 * `?api-version=...`. It supports stream_options.include_usage, tools and json_schema.
 */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export interface AzureUpstreamRequest extends UpstreamHttpRequest {
  /** What the canonical request carried that Azure cannot take (e.g. 'cache_control'). */
  dropped: string[];
}

/**
 * https://res.openai.azure.com[/openai][?api-version=V] → …/openai/deployments/{deployment}/chat/completions?api-version=V.
 * A base_url ending in /openai/v1 selects Azure's v1 API, which takes the deployment as `model`
 * and needs no api-version.
 */
export function azureChatUrl(baseUrl: string, deployment: string): string {
  const url = new URL(baseUrl);
  const pinned = url.searchParams.get('api-version');
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/openai\/v1$/.test(path)) return `${url.origin}${path}/chat/completions${pinned ? `?api-version=${encodeURIComponent(pinned)}` : ''}`;
  const root = path.replace(/\/openai$/, '');
  return `${url.origin}${root}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(pinned ?? DEFAULT_AZURE_API_VERSION)}`;
}

function without(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...obj };
  for (const key of keys) delete out[key];
  return out;
}

/**
 * Gateway-only fields of the canonical format that Azure would reject as unknown. Only what has
 * the expected shape is touched; anything else goes to Azure as sent, and Azure answers a 400.
 */
function stripCanonicalExtras(request: ChatRequest, dropped: Set<string>): ChatRequest {
  if (!Array.isArray(request.messages)) return request;
  const messages = request.messages.map((message) => {
    if (!isObject(message)) return message;
    let out = message;
    if (out.reasoning_content !== undefined) {
      dropped.add('reasoning_content');
      out = without(out as unknown as Record<string, unknown>, ['reasoning_content']) as unknown as typeof out;
    }
    if (Array.isArray(out.content) && out.content.some((p) => isObject(p) && 'cache_control' in p)) {
      dropped.add('cache_control');
      out = { ...out, content: out.content.map((p) => (isObject(p) ? (without(p, ['cache_control']) as typeof p) : p)) };
    }
    if (Array.isArray(out.tool_calls) && out.tool_calls.some((c) => isObject(c) && 'extra_content' in c)) {
      // Gemini's thought signatures mean nothing to Azure.
      dropped.add('extra_content');
      out = { ...out, tool_calls: out.tool_calls.map((c) => (isObject(c) ? { id: c.id, type: c.type, function: c.function } : c)) };
    }
    return out;
  });
  let tools = request.tools;
  if (Array.isArray(tools) && tools.some((t) => isObject(t) && t.cache_control !== undefined)) {
    dropped.add('cache_control');
    tools = tools.map((t) => (isObject(t) ? (without(t as unknown as Record<string, unknown>, ['cache_control']) as unknown as typeof t) : t));
  }
  return { ...request, messages, ...(tools ? { tools } : {}) };
}

export function buildAzureRequest(target: PlanTarget, request: ChatRequest, apiKey: string | null): AzureUpstreamRequest {
  const dropped = new Set<string>();
  const stream = request.stream === true;
  // The deployment in the URL picks the model; `model` is kept (as the deployment name), as the
  // official SDKs send it, and the v1 API requires it.
  const body: ChatRequest = { ...stripCanonicalExtras(request, dropped), model: target.model };
  // Usage must be recorded for every stream; the relay hides the chunk if the client did not ask.
  if (stream) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
  if (apiKey) headers['api-key'] = apiKey;
  return { url: azureChatUrl(target.baseUrl, target.model), headers, body: JSON.stringify(body), dropped: [...dropped].sort() };
}

const CHOICE_EXTRAS = ['content_filter_results', 'content_filter_offsets', 'content_filter_raw', 'content_filter_result'];
const TOP_EXTRAS = ['prompt_filter_results', 'prompt_annotations'];

export function azureChatResponse(body: unknown, ctx: TranslationContext): { completion: ChatCompletion; usage: TokenUsage | null } {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const choices = (Array.isArray(raw.choices) ? raw.choices : []).map((c) => without(c as Record<string, unknown>, CHOICE_EXTRAS));
  const completion = {
    ...without(raw, TOP_EXTRAS),
    id: typeof raw.id === 'string' && raw.id !== '' ? raw.id : `chatcmpl-${ctx.requestId}`,
    object: 'chat.completion',
    created: typeof raw.created === 'number' && raw.created > 0 ? raw.created : ctx.created,
    model: ctx.model,
    choices,
  } as unknown as ChatCompletion;
  return { completion, usage: usageFromResponse(raw) };
}

/**
 * Passes Azure's chunks on in OpenAI's shape: the prompt-filter chunk (no choices, no usage)
 * and filter-annotation chunks (no delta, no finish_reason) are dropped, filter results are
 * taken off the rest, and every chunk carries the stream's id and the public model name.
 * `[DONE]` ends the stream (done). Usage is reported on the step and taken off the chunks
 * (the usage chunk, choices: [], is dropped): the client encoder writes the usage chunk itself.
 */
export class AzureStreamTranslator implements StreamTranslator {
  private id: string | undefined;

  constructor(private readonly ctx: TranslationContext) {}

  push(event: SseEvent): StreamStep {
    const data = event.data?.trim();
    if (!data) return { chunks: [] };
    if (data === '[DONE]') return { chunks: [], done: true };
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return { chunks: [], error: { status: 502, message: 'The provider (azure) sent an unreadable stream event', type: 'api_error' } };
    }
    if (chunk.error) {
      const mapped = mapAzureError(500, JSON.stringify({ error: chunk.error }), {});
      return { chunks: [], error: { status: mapped.status, message: mapped.body.error.message, type: mapped.body.error.type } };
    }
    const step: StreamStep = { chunks: [] };
    const usage = usageFromResponse(chunk);
    if (usage) step.usage = usage;

    const choices = (Array.isArray(chunk.choices) ? chunk.choices : [])
      .map((c) => c as Record<string, unknown>)
      .filter((c) => (typeof c.delta === 'object' && c.delta !== null) || (c.finish_reason != null && c.finish_reason !== ''))
      .map((c) => ({ ...without(c, CHOICE_EXTRAS), delta: c.delta ?? {}, logprobs: c.logprobs ?? null, finish_reason: c.finish_reason ?? null }));
    if (choices.length === 0) return step;

    if (typeof chunk.id === 'string' && chunk.id !== '' && !this.id) this.id = chunk.id;
    step.chunks.push({
      ...without(chunk, [...TOP_EXTRAS, 'usage']),
      id: this.id ?? `chatcmpl-${this.ctx.requestId}`,
      object: 'chat.completion.chunk',
      created: typeof chunk.created === 'number' && chunk.created > 0 ? chunk.created : this.ctx.created,
      model: this.ctx.model,
      choices,
    } as unknown as ChatCompletionChunk);
    return step;
  }
}

interface AzureErrorFields {
  code?: unknown;
  innererror?: { code?: unknown };
}

function azureErrorFields(bodyText: string): AzureErrorFields {
  try {
    const err = (JSON.parse(bodyText) as { error?: unknown }).error;
    return typeof err === 'object' && err !== null ? (err as AzureErrorFields) : {};
  } catch {
    return {};
  }
}

/** Rate-limit headers passed on under x-upstream-* (x-ratelimit-remaining-tokens → x-upstream-ratelimit-remaining-tokens). */
function rateLimitHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && /^x-ratelimit-/i.test(name)) out[`x-upstream-${name.toLowerCase().slice(2)}`] = value;
  }
  return out;
}

/** OpenAI's mapping (openai.ts), plus Azure's content filter, deployment and rate-limit specifics. */
export function mapAzureError(status: number, bodyText: string, headers: Record<string, string | undefined>): MappedError {
  const fields = azureErrorFields(bodyText);
  const code = typeof fields.code === 'string' ? fields.code : null;
  const inner = typeof fields.innererror?.code === 'string' ? fields.innererror.code : null;
  // Azure sends retry-after-ms too; whole seconds, rounded up, when retry-after is missing.
  const retryMs = Number(headers['retry-after-ms']);
  const retryAfter = headers['retry-after'] ?? (Number.isFinite(retryMs) && retryMs > 0 ? String(Math.ceil(retryMs / 1000)) : undefined);
  const base = mapUpstreamError(status, bodyText, retryAfter, 'azure');
  const mapped: MappedError = { ...base, kind: 'server' };
  // Azure puts the HTTP status in `code` ("429"); OpenAI's codes are words.
  if (mapped.body.error.code !== null && /^\d+$/.test(mapped.body.error.code)) mapped.body.error.code = status === 429 ? 'rate_limit_exceeded' : null;

  if (code === 'content_filter' || inner === 'ResponsibleAIPolicyViolation') mapped.kind = 'content_policy';
  else if (code === 'context_length_exceeded') mapped.kind = 'context_window';
  else if (code === 'DeploymentNotFound') {
    // The deployment is the gateway's configuration, not the caller's mistake.
    return { status: 502, headers: {}, kind: 'server', body: openAIError(502, `The provider (azure) has no such deployment: ${base.body.error.message}`, 'upstream_error') };
  } else if (status === 429) {
    mapped.kind = 'rate_limit';
    mapped.headers = { ...mapped.headers, ...rateLimitHeaders(headers) };
  } else if (status === 401 || status === 403) mapped.kind = 'auth';
  else if (status === 504 || status === 408) mapped.kind = 'timeout';
  else if (mapped.status < 500) mapped.kind = 'caller';
  return mapped;
}

export function azureStream(ctx: TranslationContext): StreamTranslator {
  return new AzureStreamTranslator(ctx);
}

export const azureAdapter: ChatAdapter = {
  chatRequest: buildAzureRequest,
  chatResponse: azureChatResponse,
  chatStream: azureStream,
  mapError: mapAzureError,
};
