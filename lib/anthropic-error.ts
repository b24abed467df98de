/**
 * Errors in Anthropic's shape, for clients of /v1/messages (the Anthropic SDK reads
 * `error.type` and `error.message`): `{"type":"error","error":{"type","message"}}`.
 */
import type { OpenAIErrorBody } from './openai-error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

export function anthropicErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'api_error';
}

export function anthropicError(status: number, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}

/** The same error for an Anthropic client; the OpenAI code, if any, is kept in the message. */
export function toAnthropicError(status: number, body: OpenAIErrorBody): AnthropicErrorBody {
  const code = body.error.code ? ` (${body.error.code})` : '';
  return anthropicError(status, body.error.message + code);
}
