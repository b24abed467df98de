/**
 * Who an error is on, so an on-call engineer knows whom to call: the `error_type` label of every
 * error metric, the request log's column and the trace's `error.type`.
 *  - caller:   the request itself is wrong (bad JSON, unknown key or model, too large).
 *  - policy:   the gateway refused by an operator's rule (limits, budgets, allowlists, guardrails).
 *  - provider: the LLM provider failed (5xx, timeout, unreachable, its own rate limit, a cut stream).
 *  - gateway:  our side failed (a store down, an invalid plan, a provider credential we lack).
 */
import type { FailureKind } from '../failure';

export const ERROR_TYPES = ['caller', 'policy', 'provider', 'gateway'] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** Codes whose attribution the status alone would get wrong. */
const BY_CODE: Readonly<Record<string, ErrorType>> = {
  rate_limit_exceeded: 'policy',
  parallel_limit_exceeded: 'policy',
  budget_exceeded: 'policy',
  model_not_allowed: 'policy',
  admin_required: 'policy',
  guardrail_blocked: 'policy',
  content_policy_violation: 'policy',
  guardrail_unavailable: 'gateway',
  auth_unavailable: 'gateway',
  gateway_unavailable: 'gateway',
  database_unavailable: 'gateway',
  cache_unavailable: 'gateway',
  identity_capacity: 'gateway',
  invalid_route_plan: 'gateway',
  route_plan_mismatch: 'gateway',
  relay_error: 'gateway',
  // The provider refused the gateway's own credential, or the relay has none: an operator's fix.
  upstream_auth_failed: 'gateway',
  upstream_credential_missing: 'gateway',
};

/**
 * The attribution of an answer with `status` and machine-readable `code`; null for a success.
 * Unknown codes fall back on the status: `upstream_*` is the provider's, 429 a policy, other 5xx
 * the gateway's, other 4xx the caller's.
 */
export function errorTypeOf(status: number, code: string | null | undefined): ErrorType | null {
  if (status < 400) return null;
  if (code && Object.hasOwn(BY_CODE, code)) return BY_CODE[code]!;
  if (code?.startsWith('upstream_')) return 'provider';
  if (status === 429) return 'policy';
  return status >= 500 ? 'gateway' : 'caller';
}

/** The attribution of a failed upstream attempt, by why it failed. */
export function errorTypeOfFailure(kind: FailureKind): ErrorType {
  switch (kind) {
    case 'caller':
    case 'context_window':
      return 'caller';
    case 'auth':
    case 'config':
      return 'gateway';
    default:
      return 'provider';
  }
}

/**
 * The attribution of a response the relay recorded (its usage record's outcome and the status the
 * client got); null for a success. A client that went away is the caller's doing; an upstream
 * error the relay passed on with a 4xx (other than a rate limit) was the caller's request.
 */
export function errorTypeOfOutcome(outcome: string, status: number): ErrorType | null {
  if (outcome === 'ok') return status >= 400 ? errorTypeOf(status, null) : null;
  if (outcome === 'client_aborted') return 'caller';
  if (outcome === 'guardrail_blocked') return 'policy';
  if (outcome === 'upstream_error' && status >= 400 && status < 500 && status !== 429) return 'caller';
  return 'provider';
}
