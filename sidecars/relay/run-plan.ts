/**
 * Walks a plan: each target in the order aigw-proxy chose, each retried as the policy allows,
 * failing over to the next, until one answers the client. Every attempt goes through its
 * wrappers (metrics, the shared target stats). What comes back is what is left to tell the
 * client: nothing (it has its answer, or has left), or the last failure, already charged and
 * recorded, for the edge to render.
 */
import type { GatewayError } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import type { PlanTarget } from '../../lib/plan';
import type { RelayRequest } from './admit';
import { attempt } from './attempt';
import { type Answered, type Attempt, type AttemptFailure, type AttemptOutcome, wrapAttempt } from './attempt-outcome';
import { withAttemptTrail } from './attempt-trail';
import type { RelayDeps } from './deps';
import { withAttemptMetrics } from './metrics';
import { decide } from './retry-policy';
import { Settlement } from './settlement';
import { withTargetFeedback } from './target-feedback';

/** One attempt on one target (attempt.ts); a parameter so the walk can be tested on its own. */
export type AttemptOn = (request: RelayRequest, target: PlanTarget, settlement: Settlement, deps: RelayDeps) => Promise<AttemptOutcome>;

export async function runPlan(request: RelayRequest, deps: RelayDeps, attemptOn: AttemptOn = attempt): Promise<GatewayError | null> {
  const { plan } = request;
  const settlement = new Settlement(request, deps.billing, deps.usage, deps.cacheFill ?? null);
  const tryTarget = wrapAttempt(
    (target) => attemptOn(request, target, settlement, deps),
    withAttemptMetrics(deps.metrics, plan),
    withTargetFeedback(deps.feedback, plan.requestId),
    withAttemptTrail(settlement.attempts),
    ...(request.trace ? [request.trace.attemptSpans()] : []),
  );
  if (plan.routing) deps.log.debug('routing', { requestId: plan.requestId, model: plan.model, ...plan.routing });
  const end = await walkPlan(request, tryTarget, deps.log);
  if (end.kind === 'client_gone') return clientGone(settlement, end.target, end.providerAccepted);
  if (end.kind === 'failed' && end.exhausted) deps.metrics?.allTargetsFailed(plan.model);
  return end.kind === 'failed' ? givenUp(settlement, end.target, end.failure) : null;
}

/** How a walk along the plan ended: a target answered, the client left, or the last failure stands. */
export type WalkEnd =
  | { kind: 'answered'; target: PlanTarget; answered: Answered }
  | { kind: 'client_gone'; target: PlanTarget; providerAccepted: boolean }
  | { kind: 'failed'; target: PlanTarget; failure: AttemptFailure; exhausted?: boolean };

/** Each target in the plan's order, each retried as the policy allows, failing over to the next, until one answers. */
export async function walkPlan(request: RelayRequest, tryTarget: Attempt, log: Logger): Promise<WalkEnd> {
  const { plan } = request;
  let last: { target: PlanTarget; failure: AttemptFailure } | null = null;
  let providerAccepted = false;
  for (const [position, target] of plan.targets.entries()) {
    for (let retries = 0; ; retries++) {
      const outcome = await tryTarget(target, position);
      if (outcome.ok) return { kind: 'answered', target, answered: outcome.value };
      const { failure } = outcome;
      last = { target, failure };
      providerAccepted ||= failure.providerAccepted === true;
      if (request.res.destroyed) return { kind: 'client_gone', target, providerAccepted };
      const decision = decide(failure.kind, retries, request.policy, failure.retryAfterMs);
      log.info('attempt failed', {
        requestId: plan.requestId,
        provider: target.provider,
        model: target.model,
        kind: failure.kind,
        status: failure.error.status,
        decision: decision.action,
      });
      if (decision.action === 'retry') {
        await new Promise((r) => setTimeout(r, decision.delayMs));
        continue;
      }
      if (decision.action === 'fail') return { kind: 'failed', ...last };
      break;
    }
  }
  // verifyPlan admits no plan without targets, so a walk always ends in one of the returns.
  if (!last) throw new Error(`route plan ${plan.requestId} has no target`);
  // Every target was tried and failed over from: the model is down for this request.
  return { kind: 'failed', ...last, exhausted: true };
}

/**
 * The client left before its (non-streamed) answer: once a provider had accepted the call it
 * bills the prompt, so the gateway bills the prompt too, counted and marked estimated.
 */
async function clientGone(settlement: Settlement, target: PlanTarget, providerAccepted: boolean): Promise<null> {
  const usage = providerAccepted ? settlement.estimate('') : null;
  await settlement.charge(target, usage, 'client_aborted');
  settlement.record(target, 499, 'client_aborted', usage, null);
  return null;
}

/**
 * Nothing worked: the last failure is charged (what the provider reported for it, else nothing or
 * the reservation) and recorded, and goes to the client with its cost.
 */
async function givenUp(settlement: Settlement, target: PlanTarget, failure: AttemptFailure): Promise<GatewayError> {
  const usage = failure.usage ?? null;
  const costHeader = await settlement.charge(target, usage, failure.outcome);
  settlement.record(target, failure.error.status, failure.outcome, usage, null, failure.error.code);
  return { ...failure.error, headers: { ...failure.error.headers, ...costHeader } };
}
