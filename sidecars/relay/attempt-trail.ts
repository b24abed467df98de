/**
 * The attempts of one request as the request log lists them: target, result, status, who a
 * failure is on, and how long the provider took. Kept per request; the plan bounds how many
 * (its targets times their retries).
 */
import { errorTypeOfFailure, errorTypeOfOutcome } from '../../lib/observability/error-type';
import type { PlanTarget } from '../../lib/plan';
import type { LoggedAttempt } from '../../lib/store/request-log';
import type { AttemptOutcome, AttemptWrapper } from './attempt-outcome';
import type { UsageOutcome } from './usage';

export class AttemptTrail {
  private readonly done: LoggedAttempt[] = [];
  /** The attempt under way: an answering attempt records its request before it returns. */
  private current: { target: PlanTarget; startedAt: number } | null = null;

  begin(target: PlanTarget): void {
    this.current = { target, startedAt: performance.now() };
  }

  end(target: PlanTarget, outcome: AttemptOutcome): void {
    this.done.push({
      provider: target.provider,
      model: target.model,
      result: outcome.ok ? 'ok' : outcome.failure.kind,
      status: outcome.ok ? 200 : outcome.failure.error.status,
      error_type: outcome.ok ? null : errorTypeOfFailure(outcome.failure.kind),
      ms: this.elapsed(),
    });
    this.current = null;
  }

  /** Every attempt so far; one still under way (the one answering) ends with the request's status and outcome. */
  list(status: number, outcome: UsageOutcome): LoggedAttempt[] {
    if (!this.current) return [...this.done];
    const { target } = this.current;
    const last = {
      provider: target.provider,
      model: target.model,
      result: outcome,
      status,
      error_type: errorTypeOfOutcome(outcome, status),
      ms: this.elapsed(),
    };
    return [...this.done, last];
  }

  private elapsed(): number {
    return this.current ? Math.round(performance.now() - this.current.startedAt) : 0;
  }
}

/** Adds every attempt, whatever its outcome, to the trail. */
export function withAttemptTrail(trail: AttemptTrail): AttemptWrapper {
  return (next) => async (target, position) => {
    trail.begin(target);
    const outcome = await next(target, position);
    trail.end(target, outcome);
    return outcome;
  };
}

/** Time spent waiting on providers, all attempts together. */
export function providerMsOf(attempts: LoggedAttempt[]): number {
  return attempts.reduce((sum, a) => sum + a.ms, 0);
}
