// Gemini API (generativelanguage v1beta) wire format: GenerateContentResponse, usageMetadata,
// SSE framing and google.rpc error bodies. Pure functions, no I/O. Sources: ai.google.dev API
// reference (models.generateContent / streamGenerateContent, GenerateContentResponse,
// UsageMetadata, FinishReason, embedContent / batchEmbedContents, countTokens), the Gemini API
// troubleshooting page (error statuses), google.rpc ErrorInfo / RetryInfo / QuotaFailure, and
// recorded `alt=sse` streams (intermediate chunks carry usage without candidatesTokenCount; frames
// end with CRLF CRLF; the serializer writes `": "` after keys and no space after commas).

import { randomBytes } from 'node:crypto';
import type { AnswerPlan } from './answer';
import { type AnswerShape, FREE, forcedTool } from './structured';
import { countTokens } from './tokenizer';
import type { MockFinishReason } from './types';

export const DEFAULT_INPUT_LIMIT = 1048576;

export const newResponseId = () => randomBytes(17).toString('base64url').slice(0, 23);

// ---------------------------------------------------------------- serialization

/** Google's JSON answers are pretty-printed (2 spaces) with a trailing newline. */
export const prettyJson = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The compact form of SSE chunks: `{"a": 1,"b": [{"c": "d"}]}`. */
export function sseJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sseJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${sseJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export const sseFrame = (chunk: unknown) => `data: ${sseJson(chunk)}\r\n\r\n`;

// ---------------------------------------------------------------- errors

export interface GoogleError {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

export function errorBody(code: number, status: string, message: string, details?: unknown[]): GoogleError {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

const KEY_INVALID = 'API key not valid. Please pass a valid API key.';

export const errors = {
  /** A wrong key: 400, not 401, with ErrorInfo API_KEY_INVALID. */
  invalidApiKey: () =>
    errorBody(400, 'INVALID_ARGUMENT', KEY_INVALID, [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: KEY_INVALID },
    ]),
  /** No key at all: 403. */
  missingApiKey: () =>
    errorBody(
      403,
      'PERMISSION_DENIED',
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    ),
  invalidJson: (detail: string) => errorBody(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${detail}`),
  invalidArgument: (message: string) => errorBody(400, 'INVALID_ARGUMENT', message),
  modelNotFound: (model: string, method: string) =>
    errorBody(
      404,
      'NOT_FOUND',
      `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
    ),
  notFound: (path: string) => errorBody(404, 'NOT_FOUND', `Method not found: ${path}`),
  tokenLimit: (got: number, max: number) =>
    errorBody(400, 'INVALID_ARGUMENT', `The input token count (${got}) exceeds the maximum number of tokens allowed (${max}).`),
  /** 429 with the quota that ran out and RetryInfo, which retrying clients read. */
  quota: (model: string, retryAfterSeconds: number) =>
    errorBody(
      429,
      'RESOURCE_EXHAUSTED',
      `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. Please retry in ${retryAfterSeconds}s.`,
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
              quotaDimensions: { location: 'global', model },
              quotaValue: '2000',
            },
          ],
        },
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds}s` },
      ],
    ),
  internal: () =>
    errorBody(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
  unavailable: () => errorBody(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
  deadline: () => errorBody(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'),
};

/** The body Gemini sends for a scripted status. */
export function errorForStatus(status: number, ctx: { model: string; promptTokens: number; retryAfterSeconds: number }): GoogleError {
  switch (status) {
    case 400:
      return errors.tokenLimit(DEFAULT_INPUT_LIMIT + Math.max(1, ctx.promptTokens), DEFAULT_INPUT_LIMIT);
    case 401:
      return errorBody(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    case 403:
      return errorBody(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    case 404:
      return errors.modelNotFound(ctx.model, 'generateContent');
    case 429:
      return errors.quota(ctx.model, ctx.retryAfterSeconds);
    case 500:
      return errors.internal();
    case 503:
      return errors.unavailable();
    case 504:
      return errors.deadline();
    default:
      return status >= 500 ? errors.internal() : errorBody(status, 'FAILED_PRECONDITION', `Mock error (status ${status})`);
  }
}

// ---------------------------------------------------------------- requests

type Part = Record<string, unknown>;

/** Text of a content's parts. */
export function partTexts(parts: unknown): string[] {
  if (!Array.isArray(parts)) return [];
  return parts.filter((p): p is { text: string } => typeof p === 'object' && p !== null && typeof p.text === 'string').map((p) => p.text);
}

function partsTokens(parts: unknown, override?: string[]): number {
  let n = (override ?? partTexts(parts)).reduce((s, t) => s + countTokens(t), 0);
  if (Array.isArray(parts)) {
    for (const p of parts as Part[]) {
      const call = p?.functionCall as { name?: string; args?: unknown } | undefined;
      const result = p?.functionResponse as { name?: string; response?: unknown } | undefined;
      if (call) n += countTokens(call.name ?? '') + countTokens(JSON.stringify(call.args ?? {}));
      if (result) n += countTokens(result.name ?? '') + countTokens(JSON.stringify(result.response ?? {}));
    }
  }
  return n;
}

/**
 * promptTokenCount, documented rule (Gemini counts no per-message overhead):
 *   tokens(systemInstruction parts) + Σ contents tokens(parts) + tokens(JSON of `tools`).
 * Parts: text; functionCall name + JSON args; functionResponse name + JSON response.
 */
export function countPromptTokens(body: Record<string, unknown>, override?: { index: number; texts: string[] }): number {
  const system = body.systemInstruction as { parts?: unknown } | undefined;
  let total = partsTokens(system?.parts);
  (body.contents as Array<{ parts?: unknown }>).forEach((c, i) => {
    total += partsTokens(c?.parts, override && override.index === i ? override.texts : undefined);
  });
  if (body.tools !== undefined) total += countTokens(JSON.stringify(body.tools));
  return total;
}

/** Validates what generateContent validates; returns the error body or null. */
export function validateGenerateRequest(body: unknown): GoogleError | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return errors.invalidJson('Unknown name "": Root element must be a message.');
  }
  const b = body as Record<string, unknown>;
  if (b.contents === undefined || (Array.isArray(b.contents) && b.contents.length === 0)) {
    return errors.invalidArgument('* GenerateContentRequest.contents: contents is not specified\n');
  }
  if (!Array.isArray(b.contents)) {
    return errors.invalidJson('Invalid value at \'contents\' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), "contents must be a list"');
  }
  for (let i = 0; i < b.contents.length; i++) {
    const c = b.contents[i] as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null || !Array.isArray(c.parts) || c.parts.length === 0) {
      return errors.invalidArgument(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`);
    }
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model' && c.role !== 'function') {
      return errors.invalidArgument(`Please use a valid role: user, model.`);
    }
  }
  return null;
}

/**
 * What the request asks the answer to be: toolConfig.functionCallingConfig mode ANY forces a call
 * of one of the declared functions (of allowedFunctionNames when given); generationConfig
 * responseMimeType application/json asks for JSON, matching responseJsonSchema (JSON Schema) or
 * responseSchema (Gemini's OpenAPI subset) when one is given. AUTO, NONE, VALIDATED: free.
 */
export function answerShape(body: Record<string, unknown>): AnswerShape {
  const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => (Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []));
  const tools = declarations
    .filter((d): d is { name: string; parameters?: unknown; parametersJsonSchema?: unknown } => typeof d?.name === 'string')
    .map((d) => ({ name: d.name, schema: d.parametersJsonSchema ?? d.parameters }));
  const calling = (body.toolConfig as { functionCallingConfig?: { mode?: unknown; allowedFunctionNames?: unknown } } | undefined)?.functionCallingConfig;
  if (tools.length > 0 && calling?.mode === 'ANY') return forcedTool(tools, calling.allowedFunctionNames);
  const gc = (body.generationConfig ?? {}) as { responseMimeType?: unknown; responseJsonSchema?: unknown; responseSchema?: unknown };
  if (gc.responseMimeType === 'application/json') return { kind: 'json', schema: gc.responseJsonSchema ?? gc.responseSchema };
  return FREE;
}

// ---------------------------------------------------------------- responses

/** STOP, MAX_TOKENS, SAFETY, or another of Gemini's reasons a script names (PROHIBITED_CONTENT, RECITATION, ...). */
export type FinishReason = string;

/** Gemini ends function-call turns with STOP; a content filter is SAFETY. */
export const finishReason = (f: MockFinishReason): FinishReason => (f === 'length' ? 'MAX_TOKENS' : f === 'content_filter' ? 'SAFETY' : 'STOP');

/** The four rated categories, one rated HIGH; `blocked` as candidates mark the rating that stopped them. */
export function safetyRatings(blocked: boolean) {
  return [
    { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
    { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
    { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
    { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', ...(blocked ? { blocked: true } : {}) },
  ];
}

/** Tool arguments as the parsed `args` object (a non-JSON script string becomes {}). */
function args(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

export const textPart = (text: string) => ({ text });
export const callPart = (name: string, argumentsJson: string) => ({ functionCall: { name, args: args(argumentsJson) } });

export function planParts(plan: AnswerPlan): Part[] {
  if (plan.toolCalls.length > 0) return plan.toolCalls.map((c) => callPart(c.name, c.arguments));
  return [textPart(plan.pieces.join(''))];
}

export interface UsageInput {
  prompt: number;
  /** undefined on intermediate stream chunks, which carry no candidatesTokenCount. */
  candidates?: number;
  cached: number;
  thoughts: number;
}

/** usageMetadata; promptTokenCount includes the cached tokens, the total includes thoughts. */
export function usageMetadata(u: UsageInput) {
  const cached = Math.min(u.cached, u.prompt);
  return {
    promptTokenCount: u.prompt,
    candidatesTokenCount: u.candidates,
    totalTokenCount: u.prompt + (u.candidates ?? 0) + u.thoughts,
    cachedContentTokenCount: cached > 0 ? cached : undefined,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.prompt }],
    cacheTokensDetails: cached > 0 ? [{ modality: 'TEXT', tokenCount: cached }] : undefined,
    thoughtsTokenCount: u.thoughts > 0 ? u.thoughts : undefined,
  };
}

export interface CandidateChunk {
  index: number;
  parts: Part[];
  finishReason?: FinishReason;
}

/** A GenerateContentResponse (whole answer, or one stream chunk). Unset fields are left out; a SAFETY stop carries its ratings. */
export function response(candidates: CandidateChunk[], usage: ReturnType<typeof usageMetadata> | undefined, modelVersion: string, responseId: string) {
  return strip({
    candidates: candidates.map((c) =>
      strip({
        content: { parts: c.parts, role: 'model' },
        finishReason: c.finishReason,
        index: c.index,
        safetyRatings: c.finishReason === 'SAFETY' ? safetyRatings(true) : undefined,
      }),
    ),
    usageMetadata: usage ? strip(usage) : undefined,
    modelVersion,
    responseId,
  });
}

/** A blocked prompt: no candidates, promptFeedback (ratings when the reason is SAFETY), usage for the prompt alone. */
export function blockedResponse(
  block: { reason: string; message?: string },
  usage: ReturnType<typeof usageMetadata> | undefined,
  modelVersion: string,
  responseId: string,
) {
  const feedback = strip({
    blockReason: block.reason,
    blockReasonMessage: block.message,
    safetyRatings: block.reason === 'SAFETY' ? safetyRatings(false) : undefined,
  });
  return strip({ promptFeedback: feedback, usageMetadata: usage ? strip(usage) : undefined, modelVersion, responseId });
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------- embeddings

/** Native sizes: gemini-embedding-001 3072, text-embedding-004 / embedding-001 768. */
export const embeddingDimensions = (model: string) => (model.startsWith('gemini-embedding') ? 3072 : 768);
