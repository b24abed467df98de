/**
 * Errors in Anthropic's shape, for clients of /v1/messages (the Anthropic SDK reads
 * `error.type` and `error.message`): `{"type":"error","error":{"type","message"}}`.
 */
import type { OpenAIErrorBody } from './openai-error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic's error type for each status, as its API documents them. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 405:
    case 409:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return 'api_error';
  }
}

export function anthropicError(status: number, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}

/** The same error for an Anthropic client; the OpenAI code, if any, is kept in the message. */
export function toAnthropicError(status: number, body: OpenAIErrorBody): AnthropicErrorBody {
  const code = body.error.code ? ` (${body.error.code})` : '';
  return anthropicError(status, body.error.message + code);
}
