/**
 * What to do after a failed attempt: retry the same target (with backoff, honouring Retry-After),
 * fail over to the plan's next target, or give the client the error. Pure, so the policy is
 * tested on its own; the relay only reports what happened.
 */
import type { FailureKind } from '../../lib/failure';
import { RETRY_POLICY_DEFAULT } from '../../lib/gateway-defaults';

export type { FailureKind };

export interface RetryPolicy {
  /** Retries on the same target after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails over instead of waiting. */
  maxRetryAfterMs: number;
  failoverOnContextWindow: boolean;
  failoverOnContentPolicy: boolean;
}

/** The same defaults aigw-proxy's schema declares (lib/gateway-defaults.ts). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { ...RETRY_POLICY_DEFAULT };

export type Decision = { action: 'retry'; delayMs: number } | { action: 'failover' } | { action: 'fail' };

const TRANSIENT: ReadonlySet<FailureKind> = new Set(['unreachable', 'timeout', 'rate_limit', 'server', 'stream_cut']);

/** Full jitter between half and all of the exponential step, so retries from many nodes spread out. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(step * (0.5 + random() * 0.5));
}

/**
 * @param retriesDone retries already made on this target
 * @param retryAfterMs the provider's Retry-After, if any
 */
export function decide(kind: FailureKind, retriesDone: number, policy: RetryPolicy, retryAfterMs?: number, random?: () => number): Decision {
  if (kind === 'caller') return { action: 'fail' };
  if (kind === 'context_window') return policy.failoverOnContextWindow ? { action: 'failover' } : { action: 'fail' };
  if (kind === 'content_policy') return policy.failoverOnContentPolicy ? { action: 'failover' } : { action: 'fail' };
  if (!TRANSIENT.has(kind)) return { action: 'failover' };
  if (retriesDone >= policy.maxRetries) return { action: 'failover' };
  if (retryAfterMs !== undefined) {
    return retryAfterMs > policy.maxRetryAfterMs ? { action: 'failover' } : { action: 'retry', delayMs: retryAfterMs };
  }
  return { action: 'retry', delayMs: backoffMs(retriesDone, policy, random) };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
