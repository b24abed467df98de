/**
 * The attempts of one request as the request log lists them: target, result, status, who a
 * failure is on, and how long the provider took. Kept per request; the plan bounds how many
 * (its targets times their retries).
 */
import { errorTypeOfFailure } from '../../lib/observability/error-type';
import type { PlanTarget } from '../../lib/plan';
import type { LoggedAttempt } from '../../lib/store/request-log';
import type { AttemptOutcome, AttemptWrapper } from './attempt-outcome';

export class AttemptTrail {
  private readonly attempts: LoggedAttempt[] = [];

  add(target: PlanTarget, outcome: AttemptOutcome, ms: number): void {
    this.attempts.push({
      provider: target.provider,
      model: target.model,
      result: outcome.ok ? 'ok' : outcome.failure.kind,
      status: outcome.ok ? 200 : outcome.failure.error.status,
      error_type: outcome.ok ? null : errorTypeOfFailure(outcome.failure.kind),
      ms: Math.round(ms),
    });
  }

  list(): LoggedAttempt[] {
    return [...this.attempts];
  }

  /** Time spent waiting on providers, all attempts together. */
  providerMs(): number {
    return this.attempts.reduce((sum, a) => sum + a.ms, 0);
  }
}

/** Adds every attempt, whatever its outcome, to the trail. */
export function withAttemptTrail(trail: AttemptTrail): AttemptWrapper {
  return (next) => async (target, position) => {
    const started = performance.now();
    const outcome = await next(target, position);
    trail.add(target, outcome, performance.now() - started);
    return outcome;
  };
}
