/**
 * Anthropic errors (`{"type":"error","error":{"type","message"}}`) → the gateway's errors with
 * the status and failure kind the relay acts on. The caller's mistakes keep their status; the
 * gateway's own credential failing is a 502 (not the caller's 401/403); Anthropic's 529
 * "overloaded" is a 503 (retry elsewhere or later), with its Retry-After. (Its rate-limit headers
 * reach the client as every provider's do: upstream-headers.ts.)
 */
import { gatewayError } from '../../../../lib/errors';
import type { MappedError } from '../types';

interface ErrorClass {
  status: number;
  kind: MappedError['kind'];
  type: string;
  code: string | null;
}

const BY_TYPE: Record<string, ErrorClass> = {
  invalid_request_error: { status: 400, kind: 'caller', type: 'invalid_request_error', code: null },
  authentication_error: { status: 502, kind: 'auth', type: 'api_error', code: 'upstream_auth_failed' },
  permission_error: { status: 502, kind: 'auth', type: 'api_error', code: 'upstream_auth_failed' },
  billing_error: { status: 502, kind: 'auth', type: 'api_error', code: 'upstream_auth_failed' },
  not_found_error: { status: 404, kind: 'caller', type: 'invalid_request_error', code: null },
  request_too_large: { status: 413, kind: 'caller', type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit_error: { status: 429, kind: 'rate_limit', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  timeout_error: { status: 504, kind: 'timeout', type: 'timeout_error', code: 'upstream_timeout' },
  api_error: { status: 502, kind: 'server', type: 'api_error', code: 'upstream_error' },
  overloaded_error: { status: 503, kind: 'server', type: 'api_error', code: 'upstream_overloaded' },
};

const BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** Anthropic's wording for a prompt (plus max_tokens) beyond the model's context window. */
const CONTEXT_OVERFLOW = /prompt is too long|exceed(?:s|ed)? (?:the )?context (?:limit|window)|context window/i;

function classify(anthropicType: string | undefined, status: number, message: string): ErrorClass & { param: string | null } {
  const type = anthropicType && BY_TYPE[anthropicType] ? anthropicType : BY_STATUS[status];
  if (type === 'invalid_request_error' && CONTEXT_OVERFLOW.test(message)) {
    return { status: 400, kind: 'context_window', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' };
  }
  if (type) return { ...BY_TYPE[type], param: null };
  if (status >= 400 && status < 500) return { status, kind: 'caller', type: 'invalid_request_error', code: null, param: null };
  return { status: 502, kind: 'server', type: 'api_error', code: 'upstream_error', param: null };
}

function parseBody(bodyText: string): { type?: string; message: string } {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { type?: unknown; message?: unknown } };
    const err = parsed?.error;
    if (err && typeof err === 'object') {
      return {
        type: typeof err.type === 'string' ? err.type : undefined,
        message: typeof err.message === 'string' ? err.message : JSON.stringify(err),
      };
    }
  } catch {
    // not JSON (a proxy's HTML page): keep the raw text
  }
  return { message: bodyText.slice(0, 1000) || 'no error message' };
}

/** The message a client sees: the provider's own for its mistakes, with context for the gateway's. */
function clientMessage(cls: ErrorClass, status: number, message: string): string {
  if (cls.kind === 'auth') return `The provider (anthropic) rejected the gateway's credentials: ${message}`;
  if (cls.kind === 'server') return `The provider (anthropic) failed (HTTP ${status}): ${message}`;
  if (cls.kind === 'timeout') return `The provider (anthropic) timed out: ${message}`;
  return message;
}

export function mapAnthropicError(status: number, bodyText: string, headers: Record<string, string | undefined>): MappedError {
  const parsed = parseBody(bodyText);
  const cls = classify(parsed.type, status, parsed.message);
  const outHeaders: Record<string, string> = {};
  const retryAfter = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (retryAfter && (cls.kind === 'rate_limit' || cls.status === 503)) outHeaders['retry-after'] = retryAfter;
  return { ...gatewayError(cls.status, clientMessage(cls, status, parsed.message), cls.code, cls.param, outHeaders), type: cls.type, kind: cls.kind };
}

/**
 * An `event: error` inside a stream (HTTP status already 200): classified by its type exactly as
 * the same error sent as an HTTP status (overloaded_error as a 529: 503, `upstream_overloaded`).
 */
export function streamErrorFor(anthropicType: string | undefined, message: string | undefined): MappedError {
  const text = message ?? 'stream error';
  const cls = classify(anthropicType, 500, text);
  const prefix =
    cls.kind === 'caller' || cls.kind === 'context_window' || cls.kind === 'rate_limit'
      ? ''
      : `The provider (anthropic) failed mid-stream (${anthropicType ?? 'error'}): `;
  return { ...gatewayError(cls.status, prefix + text, cls.code, cls.param), type: cls.type, kind: cls.kind };
}
