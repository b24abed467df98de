/**
 * Errors of OpenAI-format providers → the gateway's error, with the provider's message (and, for
 * the caller's own mistakes, its type, code and param) kept, and why it failed.
 */
import { type GatewayError, gatewayError } from '../../../../lib/errors';
import type { MappedError, UpstreamErrorKind } from '../types';

function providerMessage(bodyText: string): { message: string; type?: string; code?: string | null; param?: string | null } {
  try {
    const parsed = JSON.parse(bodyText) as { error?: unknown; message?: unknown };
    const err = parsed.error;
    if (typeof err === 'object' && err !== null) {
      const e = err as { message?: unknown; type?: unknown; code?: unknown; param?: unknown };
      return {
        message: typeof e.message === 'string' ? e.message : JSON.stringify(err),
        type: typeof e.type === 'string' ? e.type : undefined,
        code: typeof e.code === 'string' ? e.code : e.code == null ? null : String(e.code),
        param: typeof e.param === 'string' ? e.param : null,
      };
    }
    if (typeof err === 'string') return { message: err };
    if (typeof parsed.message === 'string') return { message: parsed.message };
  } catch {
    // not JSON: fall through to the raw text
  }
  return { message: bodyText.slice(0, 1000) || 'no error message' };
}

const CALLER_ERRORS = new Set([400, 404, 409, 413, 422]);

/**
 * A provider's error with the provider's message kept. Caller mistakes keep their status (and the
 * provider's type, code and param); a provider rejecting OUR credential is a gateway fault (502),
 * not the caller's 401.
 */
export function mapUpstreamError(status: number, bodyText: string, retryAfter: string | undefined, provider: string): MappedError {
  const error = gatewayErrorFor(status, providerMessage(bodyText), retryAfter, provider);
  return { ...error, kind: errorKind(status, error.code) };
}

function gatewayErrorFor(status: number, p: ReturnType<typeof providerMessage>, retryAfter: string | undefined, provider: string): GatewayError {
  if (CALLER_ERRORS.has(status)) return { ...gatewayError(status, p.message, p.code ?? null, p.param ?? null), type: p.type ?? 'invalid_request_error' };
  if (status === 429) {
    const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
    return { ...gatewayError(429, p.message, p.code ?? 'rate_limit_exceeded', null, headers), type: p.type ?? 'rate_limit_error' };
  }
  if (status === 401 || status === 403)
    return gatewayError(502, `The provider (${provider}) rejected the gateway's credentials: ${p.message}`, 'upstream_auth_failed');
  if (status === 504 || status === 408) return gatewayError(504, `The provider (${provider}) timed out: ${p.message}`, 'upstream_timeout');
  return gatewayError(502, `The provider (${provider}) failed (HTTP ${status}): ${p.message}`, 'upstream_error');
}

/** Why a provider call failed, for retry and failover decisions. */
export function errorKind(status: number, code: string | null): UpstreamErrorKind {
  if (code === 'context_length_exceeded') return 'context_window';
  if (code === 'content_filter' || code === 'content_policy_violation') return 'content_policy';
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403 || code === 'upstream_auth_failed') return 'auth';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server';
  return 'caller';
}
