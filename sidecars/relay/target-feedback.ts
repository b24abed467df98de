/**
 * What the relay tells the shared target stats after each attempt: in-flight leases, outcomes
 * for the circuit breaker, time-to-first-token and per-token latency, and usage. All of it is
 * best effort and off the request path: a Redis hiccup costs routing quality, never a request.
 * withTargetFeedback wraps an attempt with it.
 */
import type Redis from 'ioredis';
import type { Logger } from '../../lib/log';
import type { PlanTarget } from '../../lib/plan';
import { TargetStats, targetId } from '../../lib/routing';
import type { AttemptWrapper } from './attempt-outcome';
import type { RelayMetrics } from './metrics';
import type { FailureKind } from './retry-policy';
import type { TokenUsage } from './usage';

/** An attempt's in-flight lease outlives the longest attempt; a crashed relay's expire. */
const IN_FLIGHT_LEASE_MS = 15 * 60_000;

export interface AttemptResult {
  ok: boolean;
  kind?: FailureKind;
  startedAt: number;
  firstByteAt: number | null;
  finishedAt: number;
  usage: TokenUsage | null;
}

export class TargetFeedback {
  private readonly stats: TargetStats | null;

  constructor(
    redis: Redis | null,
    private readonly log: Logger,
    private readonly metrics?: RelayMetrics,
  ) {
    this.stats = redis ? new TargetStats(redis) : null;
  }

  begin(target: PlanTarget, requestId: string): void {
    if (!this.stats) return;
    const id = targetId(target);
    this.quietly(this.stats.begin(id, requestId, IN_FLIGHT_LEASE_MS));
    this.quietly(this.stats.recordUsage(id, { requests: 1, tokens: 0 }));
  }

  end(target: PlanTarget, requestId: string, result: AttemptResult): void {
    if (!this.stats) return;
    const stats = this.stats;
    const id = targetId(target);
    this.quietly(stats.end(id, requestId));
    this.quietly(
      stats.recordOutcome(id, { ok: result.ok, kind: result.kind, requestId }).then((outcome) => {
        if (outcome.changed) {
          this.metrics?.breakerTransition(target.provider, target.model, outcome.state);
          this.log.warn('circuit breaker changed state', { provider: target.provider, model: target.model, from: outcome.previous, to: outcome.state });
        }
      }),
    );
    if (!result.ok) return;
    if (result.usage) this.quietly(stats.recordUsage(id, { requests: 0, tokens: result.usage.totalTokens }));
    if (result.firstByteAt !== null) {
      const ttftMs = result.firstByteAt - result.startedAt;
      const completion = result.usage?.completionTokens ?? 0;
      const perTokenMs = completion > 1 ? (result.finishedAt - result.firstByteAt) / (completion - 1) : null;
      this.quietly(stats.recordLatency(id, { ttftMs, perTokenMs }));
    }
  }

  private quietly(work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      this.metrics?.storeError('redis', 'target_stats');
      this.log.debug('target stats update failed', { error: (error as Error).message });
    });
  }
}

/** Every attempt holds an in-flight lease on its target and reports how it went. */
export function withTargetFeedback(feedback: TargetFeedback, requestId: string): AttemptWrapper {
  return (next) => async (target, position) => {
    const startedAt = Date.now();
    feedback.begin(target, requestId);
    const outcome = await next(target, position);
    const finishedAt = Date.now();
    feedback.end(
      target,
      requestId,
      outcome.ok
        ? { ok: true, startedAt, firstByteAt: outcome.value.firstByteAt, finishedAt, usage: outcome.value.usage }
        : { ok: false, kind: outcome.failure.kind, startedAt, firstByteAt: null, finishedAt, usage: null },
    );
    return outcome;
  };
}
