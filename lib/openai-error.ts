/**
 * Every error the gateway itself produces uses OpenAI's error shape, so clients built on the
 * official SDKs raise the right exception class (BadRequestError, RateLimitError, ...).
 */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** OpenAI's `type` for each status the gateway answers with. */
function errorTypeFor(status: number): string {
  if (status === 400 || status === 404 || status === 405 || status === 413 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  return 'api_error';
}

export function openAIError(
  status: number,
  message: string,
  code: string | null = null,
  param: string | null = null,
  type: string = errorTypeFor(status),
): OpenAIErrorBody {
  return { error: { message, type, code, param } };
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
