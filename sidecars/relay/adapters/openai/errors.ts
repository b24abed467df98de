/**
 * Errors of OpenAI-format providers → the gateway's error, with the provider's message (and, for
 * the caller's own mistakes, its type, code and param) kept, and why it failed.
 */
import { openAIError, type OpenAIErrorBody } from '../../../../lib/openai-error';
import type { MappedError as MappedAdapterError } from '../types';

export interface MappedError {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

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
 * A provider's error, in the OpenAI shape with the provider's message kept. Caller mistakes keep
 * their status; a provider rejecting OUR credential is a gateway fault (502), not the caller's 401.
 */
export function mapUpstreamError(status: number, bodyText: string, retryAfter: string | undefined, provider: string): MappedError {
  const p = providerMessage(bodyText);
  const headers: Record<string, string> = {};
  if (CALLER_ERRORS.has(status)) {
    return { status, headers, body: openAIError(status, p.message, p.code ?? null, p.param ?? null, p.type ?? 'invalid_request_error') };
  }
  if (status === 429) {
    if (retryAfter) headers['retry-after'] = retryAfter;
    return { status: 429, headers, body: openAIError(429, p.message, p.code ?? 'rate_limit_exceeded', null, p.type ?? 'rate_limit_error') };
  }
  if (status === 401 || status === 403) {
    return {
      status: 502,
      headers,
      body: openAIError(502, `The provider (${provider}) rejected the gateway's credentials: ${p.message}`, 'upstream_auth_failed'),
    };
  }
  if (status === 504 || status === 408) {
    return { status: 504, headers, body: openAIError(504, `The provider (${provider}) timed out: ${p.message}`, 'upstream_timeout') };
  }
  return { status: 502, headers, body: openAIError(502, `The provider (${provider}) failed (HTTP ${status}): ${p.message}`, 'upstream_error') };
}

/** Why a provider call failed, for retry and failover decisions. */
export function errorKind(status: number, code: string | null): MappedAdapterError['kind'] {
  if (code === 'context_length_exceeded') return 'context_window';
  if (code === 'content_filter' || code === 'content_policy_violation') return 'content_policy';
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403 || code === 'upstream_auth_failed') return 'auth';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server';
  return 'caller';
}
