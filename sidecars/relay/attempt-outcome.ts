/**
 * What an attempt comes back with, as a value: the client answered (Answered), or a failure the
 * relay can still retry, fail over on, or give the client (AttemptFailure). Wrappers compose
 * around an attempt the way undici's interceptors compose around a dispatch.
 */
import type { GatewayError } from '../../lib/errors';
import type { PlanTarget } from '../../lib/plan';
import type { FailureKind } from './retry-policy';
import type { TokenUsage, UsageOutcome } from './usage';

/** A failed attempt, as the client would see it if nothing else works. */
export interface AttemptFailure {
  kind: FailureKind;
  error: GatewayError;
  retryAfterMs?: number;
  outcome: UsageOutcome;
  /** The provider accepted the call (a successful response head): it bills the prompt even if the client leaves. */
  providerAccepted?: boolean;
  /** What the provider reported for an answer it refused (a blocked prompt): billed if the request ends on it. */
  usage?: TokenUsage;
}

/** The client has its answer (whole, or cut after it began); what the target's stats need of it. */
export interface Answered {
  firstByteAt: number | null;
  usage: TokenUsage | null;
}

export type Step<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };
export type AttemptOutcome = Step<Answered>;
export type Attempt = (target: PlanTarget, position: number) => Promise<AttemptOutcome>;
export type AttemptWrapper = (next: Attempt) => Attempt;

export const failed = (failure: AttemptFailure): { ok: false; failure: AttemptFailure } => ({ ok: false, failure });
export const answered = (firstByteAt: number | null, usage: TokenUsage | null): AttemptOutcome => ({ ok: true, value: { firstByteAt, usage } });

/** An attempt inside its wrappers, the first outermost. */
export function wrapAttempt(attempt: Attempt, ...wrappers: AttemptWrapper[]): Attempt {
  return wrappers.reduceRight<Attempt>((next, wrap) => wrap(next), attempt);
}
