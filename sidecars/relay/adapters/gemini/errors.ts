/**
 * Gemini errors (`{"error":{"code","message","status","details"}}`, sometimes wrapped in an
 * array) → the OpenAI error shape, with the kind the relay's failover reads.
 */
import { gatewayError } from '../../../../lib/errors';
import type { MappedError, UpstreamErrorKind } from '../types';

interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown>>;
}

export function parseGoogleError(bodyText: string): GoogleError | null {
  try {
    let parsed = JSON.parse(bodyText) as unknown;
    // The streaming endpoint (without alt=sse) wraps errors in an array.
    if (Array.isArray(parsed)) parsed = parsed[0];
    const err = (parsed as { error?: unknown } | null)?.error;
    return typeof err === 'object' && err !== null ? (err as GoogleError) : null;
  } catch {
    return null;
  }
}

/** google.rpc.RetryInfo.retryDelay is a protobuf Duration ("38s", "0.5s"): whole seconds, rounded up. */
function retryAfterSeconds(err: GoogleError | null): string | undefined {
  const info = err?.details?.find((d) => typeof d['@type'] === 'string' && (d['@type'] as string).endsWith('google.rpc.RetryInfo'));
  const match = typeof info?.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(info.retryDelay) : null;
  return match ? String(Math.ceil(Number(match[1]))) : undefined;
}

function hasReason(err: GoogleError | null, reason: string): boolean {
  return Boolean(err?.details?.some((d) => d.reason === reason));
}

const CONTEXT_OVERFLOW = /input token count.*exceeds the maximum|exceeds the maximum number of tokens|too many tokens|context (length|window)/i;

/** Google's words for a model it does not serve: "models/x is not found for API version v1beta, or is not supported for ...". */
const MODEL_NOT_FOUND = /models\/\S+ is not found/i;

function mapped(
  kind: UpstreamErrorKind,
  status: number,
  message: string,
  code: string | null,
  headers: Record<string, string> = {},
  param: string | null = null,
): MappedError {
  return { ...gatewayError(status, message, code, param, headers), kind };
}

export function mapGeminiError(status: number, bodyText: string, headers: Record<string, string | undefined>): MappedError {
  const err = parseGoogleError(bodyText);
  const message = err?.message ?? (bodyText.slice(0, 1000) || 'no error message');
  const grpc = err?.status ?? null;

  // Google answers a bad API key with 400 INVALID_ARGUMENT: it is still our credential that failed.
  if (status === 401 || status === 403 || hasReason(err, 'API_KEY_INVALID') || grpc === 'UNAUTHENTICATED' || grpc === 'PERMISSION_DENIED') {
    return mapped('auth', 502, `The provider (gemini) rejected the gateway's credentials: ${message}`, 'upstream_auth_failed');
  }
  if (status === 429) {
    const retryAfter = retryAfterSeconds(err) ?? headers['retry-after'];
    return mapped('rate_limit', 429, message, 'rate_limit_exceeded', retryAfter ? { 'retry-after': retryAfter } : {});
  }
  if (status === 400 && CONTEXT_OVERFLOW.test(message)) return mapped('context_window', 400, message, 'context_length_exceeded', {}, 'messages');
  // FAILED_PRECONDITION is about the gateway's account or region (e.g. "User location is not supported"), not the request.
  if (status === 400 && grpc === 'FAILED_PRECONDITION')
    return mapped('server', 502, `The provider (gemini) refused the gateway's account: ${message}`, 'upstream_error');
  // An unknown model is a 404 as every adapter classes it (a caller error: no retry, no failover),
  // named as OpenAI names it; retrying it only tripled the failure.
  if (status === 404 && MODEL_NOT_FOUND.test(message)) return { ...mapped('caller', 404, message, 'model_not_found'), type: 'invalid_request_error' };
  if (status === 400 || status === 404 || status === 409 || status === 413 || status === 422) {
    return { ...mapped('caller', status, message, grpc), type: 'invalid_request_error' };
  }
  if (status === 504 || status === 408 || grpc === 'DEADLINE_EXCEEDED')
    return mapped('timeout', 504, `The provider (gemini) timed out: ${message}`, 'upstream_timeout');
  if (status === 503) {
    const retryAfter = headers['retry-after'];
    return mapped('server', 503, `The provider (gemini) is unavailable: ${message}`, 'upstream_unavailable', retryAfter ? { 'retry-after': retryAfter } : {});
  }
  return mapped('server', 502, `The provider (gemini) failed (HTTP ${status}): ${message}`, 'upstream_error');
}
