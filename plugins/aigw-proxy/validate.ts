/**
 * Request validation for the OpenAI endpoints. Bad input is rejected here, before any token is
 * spent, with a 400 that names the offending field the way OpenAI does (`param`).
 */
import type { Endpoint } from '../../lib/plan';

export interface ValidRequest {
  model: string;
  stream: boolean;
}

export interface InvalidRequest {
  message: string;
  param: string | null;
  code: string | null;
}

export type Validation = { ok: true; request: ValidRequest } | ({ ok: false } & InvalidRequest);

const MESSAGE_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function invalid(message: string, param: string | null, code: string | null = null): Validation {
  return { ok: false, message, param, code };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonBody(body: Buffer): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (body.length === 0) return { ok: false, message: 'The request body is empty; expected a JSON object.' };
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, message: `We could not parse the JSON body of your request: ${(error as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, message: 'The request body must be a JSON object.' };
  return { ok: true, value };
}

function validateModel(body: Record<string, unknown>): InvalidRequest | string {
  if (body.model === undefined || body.model === null) {
    return { message: 'You must provide a model parameter.', param: 'model', code: 'missing_required_parameter' };
  }
  if (typeof body.model !== 'string' || body.model.length === 0) {
    return { message: "Invalid type for 'model': expected a non-empty string.", param: 'model', code: 'invalid_type' };
  }
  return body.model;
}

function validateMessage(message: unknown, index: number): Validation | null {
  const at = `messages[${index}]`;
  if (!isObject(message)) return invalid(`Invalid type for '${at}': expected an object.`, at, 'invalid_type');
  if (typeof message.role !== 'string' || !MESSAGE_ROLES.has(message.role)) {
    return invalid(
      `Invalid value for '${at}.role': expected one of ${[...MESSAGE_ROLES].join(', ')}.`,
      `${at}.role`,
      'invalid_value',
    );
  }
  const content = message.content;
  const assistantWithoutText = message.role === 'assistant' && (content === null || content === undefined);
  if (!assistantWithoutText && typeof content !== 'string' && !Array.isArray(content)) {
    return invalid(`Invalid type for '${at}.content': expected a string or an array of content parts.`, `${at}.content`, 'invalid_type');
  }
  if (Array.isArray(content)) {
    const bad = content.findIndex((part) => !isObject(part) || typeof part.type !== 'string');
    if (bad >= 0) {
      return invalid(`Invalid content part '${at}.content[${bad}]': expected an object with a 'type'.`, `${at}.content[${bad}]`, 'invalid_type');
    }
  }
  if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
    return invalid(`Missing required parameter: '${at}.tool_call_id'.`, `${at}.tool_call_id`, 'missing_required_parameter');
  }
  return null;
}

function validateStreamFlags(body: Record<string, unknown>): Validation | null {
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return invalid("Invalid type for 'stream': expected a boolean.", 'stream', 'invalid_type');
  }
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isObject(body.stream_options)) return invalid("Invalid type for 'stream_options': expected an object.", 'stream_options', 'invalid_type');
    if (body.stream !== true) {
      return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', 'invalid_value');
    }
  }
  return null;
}

function validateTokenLimits(body: Record<string, unknown>): Validation | null {
  for (const field of ['max_tokens', 'max_completion_tokens', 'n']) {
    const value = body[field];
    if (value !== undefined && value !== null && !(Number.isInteger(value) && (value as number) >= 1)) {
      return invalid(`Invalid value for '${field}': expected an integer of at least 1.`, field, 'invalid_value');
    }
  }
  return null;
}

export function validateChatCompletion(body: Record<string, unknown>): Validation {
  const model = validateModel(body);
  if (typeof model !== 'string') return { ok: false, ...model };
  if (body.messages === undefined) return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(body.messages)) return invalid("Invalid type for 'messages': expected an array.", 'messages', 'invalid_type');
  if (body.messages.length === 0) return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages', 'empty_array');
  for (let i = 0; i < body.messages.length; i++) {
    const problem = validateMessage(body.messages[i], i);
    if (problem) return problem;
  }
  const problem = validateStreamFlags(body) ?? validateTokenLimits(body);
  if (problem) return problem;
  return { ok: true, request: { model, stream: body.stream === true } };
}

function isTokenArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((n) => Number.isInteger(n));
}

export function validateEmbeddings(body: Record<string, unknown>): Validation {
  const model = validateModel(body);
  if (typeof model !== 'string') return { ok: false, ...model };
  const input = body.input;
  if (input === undefined || input === null) return invalid("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const validInput =
    (typeof input === 'string' && input.length > 0) ||
    isTokenArray(input) ||
    (Array.isArray(input) &&
      input.length > 0 &&
      input.every((item) => (typeof item === 'string' && item.length > 0) || isTokenArray(item)));
  if (!validInput) {
    return invalid("Invalid 'input': expected a non-empty string, an array of non-empty strings, or token arrays.", 'input', 'invalid_value');
  }
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    return invalid("Invalid value for 'encoding_format': expected 'float' or 'base64'.", 'encoding_format', 'invalid_value');
  }
  return { ok: true, request: { model, stream: false } };
}

const ANTHROPIC_ROLES = new Set(['user', 'assistant']);

/** Anthropic Messages format (/v1/messages), checked as Anthropic checks it. */
export function validateMessages(body: Record<string, unknown>): Validation {
  const model = validateModel(body);
  if (typeof model !== 'string') return { ok: false, ...model };
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return invalid('max_tokens: Field required (an integer of at least 1).', 'max_tokens', 'missing_required_parameter');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return invalid('messages: Field required (a non-empty array).', 'messages', 'missing_required_parameter');
  }
  for (let i = 0; i < body.messages.length; i++) {
    const message = body.messages[i] as unknown;
    const at = `messages.${i}`;
    if (!isObject(message) || typeof message.role !== 'string' || !ANTHROPIC_ROLES.has(message.role)) {
      return invalid(`${at}.role: Input should be 'user' or 'assistant'.`, `${at}.role`, 'invalid_value');
    }
    const content = message.content;
    const validContent =
      typeof content === 'string' || (Array.isArray(content) && content.every((block) => isObject(block) && typeof block.type === 'string'));
    if (!validContent) return invalid(`${at}.content: expected a string or an array of content blocks with a 'type'.`, `${at}.content`, 'invalid_type');
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
    return invalid('system: expected a string or an array of text blocks.', 'system', 'invalid_type');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return invalid('stream: expected a boolean.', 'stream', 'invalid_type');
  return { ok: true, request: { model, stream: body.stream === true } };
}

export function validateFor(endpoint: Endpoint, body: Record<string, unknown>): Validation {
  if (endpoint === 'messages') return validateMessages(body);
  return endpoint === 'chat.completions' ? validateChatCompletion(body) : validateEmbeddings(body);
}
