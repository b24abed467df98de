// Anthropic Messages API wire format: object shapes, key order, ids, SSE events and error
// bodies. Pure functions, no I/O. Sources: docs.anthropic.com Messages API, "Streaming Messages"
// (event sequence, input_json_delta), "Prompt caching" (usage fields), "Errors" (shapes, 529,
// request-id), "Rate limits" (anthropic-ratelimit-* headers); @anthropic-ai/sdk v1.12 types and
// MessageStream accumulator; recorded streams in @ai-sdk/anthropic's test fixtures (key order).

import { createHash, randomBytes } from 'node:crypto';
import type { AnswerPlan } from './answer';
import { type AnswerShape, FREE, forcedTool } from './structured';
import { countTokens } from './tokenizer';
import type { MockFinishReason } from './types';

export const DEFAULT_CONTEXT_WINDOW = 200000;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomAlnum(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[bytes[i] % ALNUM.length];
  return s;
}

// Anthropic ids: a prefix, "01" (id version), then 22 base62 characters.
export const newMessageId = () => `msg_01${randomAlnum(22)}`;
export const newToolUseId = () => `toolu_01${randomAlnum(22)}`;
export const newRequestId = () => `req_01${randomAlnum(22)}`;

// ---------------------------------------------------------------- errors

export interface AnthropicError {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

/** Anthropic's error body; current API answers also carry the request id at the top level. */
export function errorBody(type: string, message: string, requestId?: string): AnthropicError {
  return { type: 'error', error: { type, message }, ...(requestId ? { request_id: requestId } : {}) };
}

export const errors = {
  missingApiKey: (rid: string) => errorBody('authentication_error', 'x-api-key header is required', rid),
  invalidApiKey: (rid: string) => errorBody('authentication_error', 'invalid x-api-key', rid),
  missingVersion: (rid: string) => errorBody('invalid_request_error', 'anthropic-version: header is required', rid),
  invalidJson: (rid: string) =>
    errorBody('invalid_request_error', 'There was an error parsing the body of your request. Please check that it is valid JSON.', rid),
  fieldRequired: (field: string, rid: string) => errorBody('invalid_request_error', `${field}: Field required`, rid),
  invalid: (message: string, rid: string) => errorBody('invalid_request_error', message, rid),
  modelNotFound: (model: string, rid: string) => errorBody('not_found_error', `model: ${model}`, rid),
  notFound: (rid: string) => errorBody('not_found_error', 'Not Found', rid),
  promptTooLong: (got: number, max: number, rid: string) => errorBody('invalid_request_error', `prompt is too long: ${got} tokens > ${max} maximum`, rid),
  rateLimit: (rid: string) =>
    errorBody(
      'rate_limit_error',
      "This request would exceed your organization's rate limit of 4,000 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.",
      rid,
    ),
  overloaded: (rid: string) => errorBody('overloaded_error', 'Overloaded', rid),
  api: (rid: string) => errorBody('api_error', 'Internal server error', rid),
};

/** The `event: error` a stream ends with (Anthropic's stream errors carry no request id). */
export function streamError(type: string): AnthropicError {
  const known: Record<string, (rid: string) => AnthropicError> = {
    overloaded_error: errors.overloaded,
    api_error: errors.api,
    rate_limit_error: errors.rateLimit,
  };
  const { error } = (known[type] ?? ((rid: string) => errorBody(type, `Mock stream error (${type})`, rid)))('');
  return { type: 'error', error };
}

/** The body Anthropic sends for a scripted status. */
export function errorForStatus(status: number, ctx: { model: string; requestId: string; promptTokens: number }): AnthropicError {
  const rid = ctx.requestId;
  switch (status) {
    case 400:
      return errors.promptTooLong(DEFAULT_CONTEXT_WINDOW + Math.max(1, ctx.promptTokens), DEFAULT_CONTEXT_WINDOW, rid);
    case 401:
      return errors.invalidApiKey(rid);
    case 403:
      return errorBody('permission_error', 'Your API key does not have permission to use the specified resource.', rid);
    case 404:
      return errors.modelNotFound(ctx.model, rid);
    case 413:
      return errorBody('request_too_large', 'Request exceeds the maximum allowed number of bytes.', rid);
    case 429:
      return errors.rateLimit(rid);
    case 529:
      return errors.overloaded(rid);
    default:
      return status >= 500 ? errors.api(rid) : errorBody('invalid_request_error', `Mock error (status ${status})`, rid);
  }
}

// ---------------------------------------------------------------- requests

/** Validates what the Messages API validates before generating; returns the error body or null. */
export function validateMessagesRequest(body: unknown, rid: string): AnthropicError | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return errors.invalidJson(rid);
  const b = body as Record<string, unknown>;
  if (b.model === undefined) return errors.fieldRequired('model', rid);
  if (typeof b.model !== 'string') return errors.invalid('model: Input should be a valid string', rid);
  if (b.messages === undefined) return errors.fieldRequired('messages', rid);
  if (b.max_tokens === undefined) return errors.fieldRequired('max_tokens', rid);
  if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens)) {
    return errors.invalid('max_tokens: Input should be a valid integer', rid);
  }
  if (b.max_tokens < 1) return errors.invalid('max_tokens: Input should be greater than or equal to 1', rid);
  if (!Array.isArray(b.messages)) return errors.invalid('messages: Input should be a valid list', rid);
  if (b.messages.length === 0) return errors.invalid('messages: at least one message is required', rid);
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null) return errors.invalid(`messages.${i}: Input should be a valid dictionary`, rid);
    if (m.role === undefined) return errors.fieldRequired(`messages.${i}.role`, rid);
    if (m.role !== 'user' && m.role !== 'assistant') {
      return errors.invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`, rid);
    }
    if (m.content === undefined) return errors.fieldRequired(`messages.${i}.content`, rid);
  }
  return null;
}

// ---------------------------------------------------------------- thinking

/** The signature the mock gives a thinking text (Anthropic's are opaque; the mock's are checkable). */
export function thinkingSignature(thinking: string): string {
  return `mocksig_${createHash('sha256').update(thinking).digest('base64')}`;
}

/**
 * Anthropic verifies the signature of thinking replayed in assistant turns: the first block whose
 * signature the mock did not issue for its text, as Anthropic's 400 words it; null when all are.
 */
export function badThinkingSignature(body: Record<string, unknown>, rid: string): AnthropicError | null {
  const messages = body.messages as Array<Record<string, unknown>>;
  for (let i = 0; i < messages.length; i++) {
    const content = messages[i].role === 'assistant' ? messages[i].content : undefined;
    if (!Array.isArray(content)) continue;
    for (let j = 0; j < content.length; j++) {
      const block = content[j] as { type?: unknown; thinking?: unknown; signature?: unknown } | null;
      if (block?.type !== 'thinking') continue;
      if (typeof block.thinking !== 'string' || block.signature !== thinkingSignature(block.thinking)) {
        return errors.invalid(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`, rid);
      }
    }
  }
  return null;
}

/** Text of a content value: a string, or the `text` of text blocks. */
export function blockTexts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content
    .filter((b): b is { type: string; text: string } => typeof b === 'object' && b !== null && b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text);
}

/** Tokens of one content value: text blocks, tool_use name + input JSON, tool_result contents. */
function contentTokens(content: unknown, override?: string[]): number {
  const texts = override ?? blockTexts(content);
  let n = texts.reduce((s, t) => s + countTokens(t), 0);
  if (Array.isArray(content)) {
    for (const b of content as Array<Record<string, unknown>>) {
      if (b?.type === 'tool_use') n += countTokens(String(b.name ?? '')) + countTokens(JSON.stringify(b.input ?? {}));
      if (b?.type === 'tool_result') n += contentTokens(b.content);
    }
  }
  return n;
}

/**
 * input tokens before caching, documented rule (same shape as the OpenAI dialect's):
 *   3 + tokens(system) + Σ messages (3 + tokens(content)) + tokens(JSON of `tools`).
 * `override` replaces the text blocks of one message (the directive-stripped last user message).
 */
export function countPromptTokens(body: Record<string, unknown>, override?: { index: number; texts: string[] }): number {
  let total = 3 + contentTokens(body.system);
  (body.messages as Array<Record<string, unknown>>).forEach((m, i) => {
    total += 3 + contentTokens(m.content, override && override.index === i ? override.texts : undefined);
  });
  if (body.tools !== undefined) total += countTokens(JSON.stringify(body.tools));
  return total;
}

/**
 * What the request asks the answer to be: tool_choice {type: "any"} forces one of the custom tools
 * (those with an input_schema), {type: "tool", name} that one; output_config.format json_schema
 * (structured outputs) asks for JSON matching the schema. auto, none and no choice: free.
 */
export function answerShape(body: Record<string, unknown>): AnswerShape {
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t): t is { name: string; input_schema: unknown } => typeof t?.name === 'string' && t.input_schema !== undefined)
    .map((t) => ({ name: t.name, schema: t.input_schema }));
  const choice = body.tool_choice as { type?: unknown; name?: unknown } | undefined;
  if (tools.length > 0 && choice?.type === 'any') return forcedTool(tools);
  if (tools.length > 0 && choice?.type === 'tool') return forcedTool(tools, [choice.name]);
  const format = (body.output_config as { format?: { type?: unknown; schema?: unknown } } | undefined)?.format;
  if (format?.type === 'json_schema') return { kind: 'json', schema: format.schema };
  return FREE;
}

// ---------------------------------------------------------------- responses

export type StopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'refusal';

export function stopReason(finish: MockFinishReason, stopSequence: string | undefined): StopReason {
  if (stopSequence !== undefined) return 'stop_sequence';
  return ({ stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' } as const)[finish];
}

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard';
  inference_geo: 'not_available';
}

/**
 * Anthropic splits the prompt three ways: input_tokens are only the tokens after the last cache
 * breakpoint, so cached reads and cache writes are taken out of it (the three add up to the prompt).
 */
export function usage(prompt: number, output: number, cachedRead = 0, cacheWrite = 0): Usage {
  const read = Math.min(cachedRead, prompt);
  const write = Math.min(cacheWrite, prompt - read);
  return {
    input_tokens: prompt - read - write,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: write, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
    inference_geo: 'not_available',
  };
}

export interface MessageMeta {
  id: string;
  model: string;
  toolUseIds: string[];
}

/** Tool arguments as the parsed `input` object (a non-JSON script string becomes {}). */
export function toolInput(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return {};
  }
}

export function contentBlocks(plan: AnswerPlan, meta: MessageMeta, thinking?: string): unknown[] {
  const signed = thinking === undefined ? [] : [{ type: 'thinking', thinking, signature: thinkingSignature(thinking) }];
  if (plan.toolCalls.length > 0) {
    return [...signed, ...plan.toolCalls.map((c, i) => ({ type: 'tool_use', id: meta.toolUseIds[i], name: c.name, input: toolInput(c.arguments) }))];
  }
  return plan.pieces.length > 0 ? [...signed, { type: 'text', text: plan.pieces.join('') }] : signed;
}

/** Key order as the API sends it (model first). */
export function message(meta: MessageMeta, content: unknown[], stop: StopReason | null, stopSequence: string | null, u: Usage) {
  return {
    model: meta.model,
    id: meta.id,
    type: 'message',
    role: 'assistant',
    content,
    stop_reason: stop,
    stop_sequence: stopSequence,
    stop_details: null,
    usage: u,
  };
}

// ---------------------------------------------------------------- streaming events

/** One SSE event: the `event:` line names the same type as the data's `type`. */
export function sseEvent(data: { type: string }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** message_start: empty content, no stop reason, the input usage and output_tokens so far (1). */
export const messageStart = (meta: MessageMeta, u: Usage) => ({
  type: 'message_start',
  message: message(meta, [], null, null, { ...u, output_tokens: Math.min(1, u.output_tokens) }),
});
export const ping = () => ({ type: 'ping' });
export const textBlockStart = (index: number) => ({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
export const thinkingBlockStart = (index: number) => ({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
export const toolBlockStart = (index: number, id: string, name: string) => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id, name, input: {} },
});
export const textDelta = (index: number, text: string) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
export const thinkingDelta = (index: number, thinking: string) => ({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
/** The whole signature in one delta, just before the thinking block stops, as the API sends it. */
export const signatureDelta = (index: number, signature: string) => ({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } });
export const jsonDelta = (index: number, partialJson: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json: partialJson },
});
export const blockStop = (index: number) => ({ type: 'content_block_stop', index });
/** message_delta usage repeats the cumulative input counters, as the API now sends them. */
export const messageDelta = (stop: StopReason, stopSequence: string | null, u: Usage) => ({
  type: 'message_delta',
  delta: { stop_reason: stop, stop_sequence: stopSequence, stop_details: null },
  usage: {
    input_tokens: u.input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    output_tokens: u.output_tokens,
  },
});
export const messageStop = () => ({ type: 'message_stop' });

// ---------------------------------------------------------------- headers

const RPM = 4000;
const TPM = 2_000_000;

/**
 * anthropic-ratelimit-* headers (RFC 3339 reset times). Nothing is enforced; a scripted 429 reports
 * the request bucket exhausted until the retry-after time.
 */
export function rateLimitHeaders(exhausted: boolean, retryAfterSeconds = 1): Record<string, string> {
  const now = Date.now();
  const reset = new Date(now + (exhausted ? retryAfterSeconds * 1000 : 60_000 / RPM)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const soon = new Date(now + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'anthropic-ratelimit-requests-limit': String(RPM),
    'anthropic-ratelimit-requests-remaining': String(exhausted ? 0 : RPM - 1),
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-input-tokens-limit': String(TPM),
    'anthropic-ratelimit-input-tokens-remaining': String(TPM),
    'anthropic-ratelimit-input-tokens-reset': soon,
    'anthropic-ratelimit-output-tokens-limit': String(TPM / 5),
    'anthropic-ratelimit-output-tokens-remaining': String(TPM / 5),
    'anthropic-ratelimit-output-tokens-reset': soon,
    'anthropic-ratelimit-tokens-limit': String(TPM + TPM / 5),
    'anthropic-ratelimit-tokens-remaining': String(TPM + TPM / 5),
    'anthropic-ratelimit-tokens-reset': soon,
  };
}
