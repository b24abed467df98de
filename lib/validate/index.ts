/**
 * Client-request validation, shared by aigw-proxy (before any token is spent) and the relay
 * (right after it parses the client body, before any translation): one validator per client
 * format, each refusing in its own API's words. Bounds: bounds.ts and README.md.
 */
import type { Endpoint } from '../plan';
import { checkAnthropicCountTokens, checkAnthropicMessages } from './anthropic-messages';
import { MAX_JSON_DEPTH } from './bounds';
import { isObject, type JsonObject } from './checks';
import { valueNestingExceeds } from './depth';
import { checkEmbeddings } from './embeddings';
import { checkGenerateContent } from './google-generate';
import { type Issue, Rejection } from './issue';
import { TOO_DEEP_MESSAGE } from './json-body';
import { checkChatCompletion } from './openai-chat';
import { checkInputTokens, checkResponse } from './openai-responses';
import { anthropicWording, googleWording, openAIWording, type Worded } from './wording';

export { MAX_JSON_DEPTH, MAX_MODEL_LENGTH } from './bounds';
export { isObject } from './checks';
export { type ParsedBody, parseJsonBody, parseNestedJson } from './json-body';

export interface ValidRequest {
  model: string;
  stream: boolean;
}

export interface InvalidRequest {
  message: string;
  /** The field, as the client's API names it (`messages[1].tool_calls`, `messages.1.content.0.type`); null for the body as a whole. */
  param: string | null;
  code: string | null;
}

export type Validation = { ok: true; request: ValidRequest } | ({ ok: false } & InvalidRequest);

type Checker = (body: JsonObject) => ValidRequest;

function run(check: Checker, word: (issue: Issue) => Worded, body: JsonObject): Validation {
  try {
    return { ok: true, request: check(body) };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, ...word(error.issue) };
    throw error;
  }
}

/** OpenAI chat completions, worded as OpenAI's API words its 400s. */
export const validateChatCompletion = (body: JsonObject): Validation => run(checkChatCompletion, openAIWording, body);
/** OpenAI embeddings. */
export const validateEmbeddings = (body: JsonObject): Validation => run(checkEmbeddings, openAIWording, body);
/** OpenAI Responses (/v1/responses) and its input-token count: unknown fields refused by name. */
export const validateResponse = (body: JsonObject): Validation => run(checkResponse, openAIWording, body);
export const validateInputTokens = (body: JsonObject): Validation => run(checkInputTokens, openAIWording, body);
/** Anthropic Messages (/v1/messages), worded as Anthropic's API words its 400s. */
export const validateMessages = (body: JsonObject): Validation => run(checkAnthropicMessages, anthropicWording, body);
/** Anthropic token counts (/v1/messages/count_tokens): a Messages prompt without max_tokens. */
export const validateCountTokens = (body: JsonObject): Validation => run(checkAnthropicCountTokens, anthropicWording, body);
/** Google GenAI generateContent, worded as Google's API words its 400s; the model is the path's, so `request.model` is empty. */
export const validateGenerateContent = (body: JsonObject): Validation => run(checkGenerateContent, googleWording, body);

/**
 * The whole client request, before any adapter reads it: every field any adapter or the relay
 * reads, with its type and bounds, and the body's nesting (also checked here for bodies parsed
 * elsewhere). Any request that passes translates or is refused by an adapter with a 400.
 */
export function validateClientRequest(endpoint: Endpoint, body: unknown): Validation {
  if (!isObject(body)) return { ok: false, message: 'The request body must be a JSON object.', param: null, code: 'invalid_type' };
  if (valueNestingExceeds(body, MAX_JSON_DEPTH)) return { ok: false, message: TOO_DEEP_MESSAGE, param: null, code: 'invalid_value' };
  if (endpoint === 'messages') return validateMessages(body);
  if (endpoint === 'messages.count_tokens') return validateCountTokens(body);
  if (endpoint === 'responses') return validateResponse(body);
  if (endpoint === 'responses.input_tokens') return validateInputTokens(body);
  if (endpoint === 'generateContent') return validateGenerateContent(body);
  return endpoint === 'embeddings' ? validateEmbeddings(body) : validateChatCompletion(body);
}
