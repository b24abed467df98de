// OpenAI's wire format: object shapes, key order, ids and error bodies, as the API sends them.
// Pure functions, no I/O. Sources: OpenAI API reference (chat/completions, chat streaming,
// embeddings, models, error codes) and the `openai` npm SDK v6 types and stream parser.

import { randomBytes } from 'node:crypto';
import type { AnswerPlan } from './answer';
import { type AnswerShape, FREE, forcedTool } from './structured';
import { countTokens } from './tokenizer';
import type { MockFinishReason } from './types';

export const OPENAI_VERSION = '2020-10-01';
export const DEFAULT_CONTEXT_WINDOW = 128000;
export const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'text-embedding-3-large'];
/** A fixed `created` for model objects, so listings are stable. */
const MODEL_CREATED = 1715367049;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomAlnum(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[bytes[i] % ALNUM.length];
  return s;
}

export const newChatId = () => `chatcmpl-${randomAlnum(29)}`;
export const newToolCallId = () => `call_${randomAlnum(24)}`;
export const newRequestId = () => `req_${randomBytes(16).toString('hex')}`;
export const newFingerprint = () => `fp_${randomBytes(5).toString('hex')}`;

// ---------------------------------------------------------------- errors

export interface OpenAIError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(message: string, type: string, param: string | null, code: string | null): OpenAIError {
  return { error: { message, type, param, code } };
}

const invalid = (message: string, param: string | null = null, code: string | null = null) => errorBody(message, 'invalid_request_error', param, code);

/** OpenAI shows the first 8 and last 4 characters of a wrong key; short keys are echoed whole. */
export function maskApiKey(key: string): string {
  if (key.length <= 12) return key;
  return key.slice(0, 8) + '*'.repeat(key.length - 12) + key.slice(-4);
}

export const errors = {
  missingApiKey: () =>
    invalid(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    ),
  invalidApiKey: (key: string) =>
    invalid(
      `Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      null,
      'invalid_api_key',
    ),
  invalidJson: () =>
    invalid(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    ),
  invalidUrl: (method: string, path: string) => invalid(`Invalid URL (${method} ${path})`),
  missingModel: () => invalid('you must provide a model parameter'),
  missingParam: (param: string) => invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter'),
  invalidType: (param: string, expected: string, got: string) =>
    invalid(`Invalid type for '${param}': expected ${expected}, but got ${got} instead.`, param, 'invalid_type'),
  emptyArray: (param: string) =>
    invalid(`Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`, param, 'empty_array'),
  invalidRole: (index: number, role: string) =>
    invalid(
      `Invalid value: '${role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
      `messages[${index}].role`,
      'invalid_value',
    ),
  invalidInput: () => invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."),
  dimensionsUnsupported: () => invalid('This model does not support specifying dimensions.'),
  /** Chat/embeddings with a model the account cannot use. */
  modelNotFound: (model: string) => invalid(`The model \`${model}\` does not exist or you do not have access to it.`, null, 'model_not_found'),
  /** GET /v1/models/{id} for an unknown id. */
  modelRetrieveNotFound: (id: string) => invalid(`The model '${id}' does not exist`, 'model', 'model_not_found'),
  contextLength: (max: number, got: number) =>
    invalid(
      `This model's maximum context length is ${max} tokens. However, your messages resulted in ${got} tokens. Please reduce the length of the messages.`,
      'messages',
      'context_length_exceeded',
    ),
  rateLimit: (model: string, retryAfterSeconds: number) =>
    errorBody(
      `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in ${retryAfterSeconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      'requests',
      null,
      'rate_limit_exceeded',
    ),
  server: (requestId: string) =>
    errorBody(
      `The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error. (Please include the request ID ${requestId} in your email.)`,
      'server_error',
      null,
      null,
    ),
  overloaded: (requestId: string) =>
    errorBody(
      `That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists. (Please include the request ID ${requestId} in your message.)`,
      'server_error',
      null,
      null,
    ),
};

/** The body OpenAI sends for a scripted status. */
export function errorForStatus(status: number, ctx: { model: string; requestId: string; promptTokens: number; retryAfterSeconds: number }): OpenAIError {
  switch (status) {
    case 400:
      return errors.contextLength(DEFAULT_CONTEXT_WINDOW, DEFAULT_CONTEXT_WINDOW + Math.max(1, ctx.promptTokens));
    case 401:
      return errors.invalidApiKey('sk-mock-scripted-invalid-key');
    case 404:
      return errors.modelNotFound(ctx.model);
    case 429:
      return errors.rateLimit(ctx.model, ctx.retryAfterSeconds);
    case 502:
    case 503:
    case 504:
      return errors.overloaded(ctx.requestId);
    default:
      return status >= 500 ? errors.server(ctx.requestId) : invalid(`Mock error (status ${status})`);
  }
}

// ---------------------------------------------------------------- chat completions

export const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** Validates what OpenAI validates before generating; returns the error body or null. */
export function validateChatRequest(body: unknown): OpenAIError | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return errors.invalidJson();
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') return errors.missingModel();
  if (b.messages === undefined) return errors.missingParam('messages');
  if (!Array.isArray(b.messages)) {
    return errors.invalidType('messages', 'an array of objects', `a ${jsonTypeName(b.messages)}`);
  }
  if (b.messages.length === 0) return errors.emptyArray('messages');
  // Gateways that forward stream_options on a non-streamed call get this from OpenAI too.
  if (b.stream_options !== undefined && b.stream_options !== null && b.stream !== true) {
    return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as unknown;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      return errors.invalidType(`messages[${i}]`, 'an object', `a ${jsonTypeName(m)}`);
    }
    const role = (m as Record<string, unknown>).role;
    if (role === undefined) return errors.missingParam(`messages[${i}].role`);
    if (typeof role !== 'string' || !ROLES.has(role)) return errors.invalidRole(i, String(role));
  }
  return null;
}

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Text of a message's content: a string, or the text parts of a content-part array. */
export function messageText(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.filter((p): p is { type: string; text: string } => typeof p === 'object' && p !== null && typeof p.text === 'string').map((p) => p.text);
}

/**
 * prompt_tokens, documented rule (mirrors OpenAI's chat overhead):
 *   3 + Σ over messages (3 + tokens(text parts) + tokens(name) + tokens(tool_calls name + arguments))
 *   + tokens(JSON of `tools`) when tools are given.
 * `override` replaces one message's text (the directive-stripped last user message).
 */
export function countPromptTokens(body: Record<string, unknown>, override?: { index: number; texts: string[] }): number {
  const messages = body.messages as Array<Record<string, unknown>>;
  let total = 3;
  messages.forEach((m, i) => {
    const texts = override && override.index === i ? override.texts : messageText(m.content);
    total += 3 + texts.reduce((n, t) => n + countTokens(t), 0);
    if (typeof m.name === 'string') total += countTokens(m.name);
    if (Array.isArray(m.tool_calls)) {
      for (const c of m.tool_calls as Array<{ function?: { name?: string; arguments?: string } }>) {
        total += countTokens(c.function?.name ?? '') + countTokens(c.function?.arguments ?? '');
      }
    }
  });
  if (body.tools !== undefined) total += countTokens(JSON.stringify(body.tools));
  return total;
}

/**
 * What the request asks the answer to be. tool_choice "required" (or allowed_tools in required
 * mode) forces one of the function tools; a named function forces that one, and OpenAI then ends
 * the choice with finish_reason "stop", not "tool_calls" (observed API behaviour, recorded in
 * vllm-project/vllm#25054). Otherwise response_format json_object / json_schema asks for JSON.
 */
export function answerShape(body: Record<string, unknown>): AnswerShape {
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t): t is { type: 'function'; function: { name: string; parameters?: unknown } } => t?.type === 'function' && typeof t.function?.name === 'string')
    .map((t) => ({ name: t.function.name, schema: t.function.parameters }));
  const choice = body.tool_choice as
    | { type?: unknown; function?: { name?: unknown }; allowed_tools?: { mode?: unknown; tools?: unknown } }
    | string
    | undefined;
  if (tools.length > 0 && choice === 'required') return forcedTool(tools);
  if (tools.length > 0 && typeof choice === 'object' && choice !== null) {
    if (choice.type === 'function') return forcedTool(tools, [choice.function?.name], 'stop');
    if (choice.type === 'allowed_tools' && choice.allowed_tools?.mode === 'required') {
      const allowed = Array.isArray(choice.allowed_tools.tools) ? choice.allowed_tools.tools : [];
      return forcedTool(
        tools,
        allowed.map((t: { function?: { name?: unknown } }) => t?.function?.name),
      );
    }
  }
  const format = body.response_format as { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_object') return { kind: 'json' };
  if (format?.type === 'json_schema') return { kind: 'json', schema: format.json_schema?.schema };
  return FREE;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** `reasoning` tokens are hidden output: counted in completion_tokens, as OpenAI bills them. */
export function usage(prompt: number, completion: number, cached = 0, reasoning = 0): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion + reasoning,
    total_tokens: prompt + completion + reasoning,
    prompt_tokens_details: { cached_tokens: Math.min(cached, prompt), audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Fields shared by every object of one completion (and every chunk of one stream). */
export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  /** One id per planned tool call, per choice. */
  toolCallIds: string[][];
}

function toolCallObjects(plan: AnswerPlan, ids: string[]) {
  return plan.toolCalls.map((c, i) => ({
    id: ids[i],
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));
}

export function chatCompletion(meta: CompletionMeta, plans: AnswerPlan[], u: Usage | undefined) {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: plans.map((plan, index) => ({
      index,
      message:
        plan.toolCalls.length > 0
          ? {
              role: 'assistant',
              content: null,
              tool_calls: toolCallObjects(plan, meta.toolCallIds[index]),
              refusal: null,
              annotations: [],
            }
          : { role: 'assistant', content: plan.pieces.join(''), refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: plan.finishReason,
    })),
    ...(u ? { usage: u } : {}),
    service_tier: 'default',
    system_fingerprint: meta.systemFingerprint,
  };
}

export type Delta = Record<string, unknown>;

/**
 * One chat.completion.chunk. `usage`: omitted when include_usage is off, null on every chunk
 * but the last when it is on, and the usage object on the final (choices: []) chunk.
 */
export function chunk(meta: CompletionMeta, choices: Array<{ index: number; delta: Delta; finishReason?: MockFinishReason }>, u: Usage | null | undefined) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    service_tier: 'default',
    system_fingerprint: meta.systemFingerprint,
    choices: choices.map((c) => ({
      index: c.index,
      delta: c.delta,
      logprobs: null,
      finish_reason: c.finishReason ?? null,
    })),
    ...(u !== undefined ? { usage: u } : {}),
  };
}

/** First delta of a text answer. */
export const roleDelta = (): Delta => ({ role: 'assistant', content: '', refusal: null });
export const contentDelta = (text: string): Delta => ({ content: text });

/** First delta of tool call `i`; the first call also carries the role, as OpenAI sends it. */
export function toolCallStartDelta(i: number, id: string, name: string): Delta {
  const call = { index: i, id, type: 'function', function: { name, arguments: '' } };
  return i === 0 ? { role: 'assistant', content: null, tool_calls: [call], refusal: null } : { tool_calls: [call] };
}
export const toolCallArgsDelta = (i: number, fragment: string): Delta => ({
  tool_calls: [{ index: i, function: { arguments: fragment } }],
});

// ---------------------------------------------------------------- embeddings

export function embeddingsResponse(model: string, vectors: Array<number[] | string>, promptTokens: number) {
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/** Native sizes; unknown embedding models get 1536 like text-embedding-3-small. */
export function embeddingDimensions(model: string): number {
  return model.includes('3-large') ? 3072 : 1536;
}

/** text-embedding-ada-002 rejects `dimensions`. */
export const supportsDimensions = (model: string) => !model.includes('ada-002');

// ---------------------------------------------------------------- models

export const modelObject = (id: string) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'system' });
export const modelList = (ids: string[]) => ({ object: 'list', data: ids.map(modelObject) });
