/**
 * A cascade (FrugalGPT's idea): the router's cheap choice answers first; its answer is returned if
 * every check passes (JSON, the request's schema, no refusal, a judge's score), else the request
 * escalates to the strong model and returns that answer. Both calls are billed; the response says
 * what happened (x-aigw-cascade) and aigw_cascade_total counts it.
 */

import type { ChatCompletion, ChatRequest } from '../../../lib/openai-types';
import type { CascadeCheck } from '../../../lib/router/decision';
import { answerText, isJsonAnswer, isRefusal, matchesResponseSchema } from '../../../lib/strategy/answer-checks';
import { parseJudgeNumber } from '../../../lib/strategy/judge-score';
import type { CascadePlan } from '../../../lib/strategy/plan';
import { JUDGE_MAX_TOKENS } from '../../../lib/strategy/plan';
import { scoreRequest } from '../../../lib/strategy/prompts';
import type { RelayRequest } from '../admit';
import type { RelayDeps } from '../deps';
import { sendError } from '../respond';
import { StrategyBill } from './bill';
import { canonicalForStrategy } from './canonical';
import { sendFailure, sendFinalAnswer } from './final-answer';
import { type InnerContext, innerCall } from './inner-call';
import { StrategySeries } from './metrics';

export const CASCADE_HEADER = 'x-aigw-cascade';

/** The first check the answer fails (its kind), or null when all pass. */
export async function failedCheck(ctx: InnerContext, plan: CascadePlan, request: ChatRequest, answer: ChatCompletion): Promise<string | null> {
  for (const check of plan.checks) if (!(await passes(ctx, plan, check, request, answer))) return check.kind;
  return null;
}

async function passes(ctx: InnerContext, plan: CascadePlan, check: CascadeCheck, request: ChatRequest, answer: ChatCompletion): Promise<boolean> {
  if (check.kind === 'json') return isJsonAnswer(answer);
  if (check.kind === 'json_schema') return matchesResponseSchema(answer, request);
  if (check.kind === 'no_refusal') return !isRefusal(answer);
  // A judge that cannot be asked or gives no number is no verdict: the strong model answers.
  if (!plan.judge) return false;
  const verdict = await innerCall(ctx, 'judge', plan.judge, scoreRequest(request, answerText(answer), JUDGE_MAX_TOKENS));
  const score = verdict.ok ? parseJudgeNumber(answerText(verdict.completion), 1, 10) : null;
  return score !== null && score >= check.min_score;
}

export async function runCascade(request: RelayRequest, deps: RelayDeps): Promise<void> {
  const { plan } = request;
  const cascade = plan.cascade!;
  const router = plan.route?.router ?? plan.model;
  const series = deps.metrics ? StrategySeries.of(deps.metrics.registry) : null;
  const canonical = canonicalForStrategy(request);
  if (!canonical.ok) return sendError(request.res, request.format.name, canonical.refusal);
  const bill = new StrategyBill(request, deps.billing, 'cascade', series);
  const ctx: InnerContext = { request, deps, bill };
  const weak = await innerCall(ctx, 'cascade_weak', { model: plan.model, targets: plan.targets }, canonical.request);
  if (!weak.ok && weak.clientGone) return sendFailure(request, deps, bill, weak.error, null);
  const failed = weak.ok ? await failedCheck(ctx, cascade, canonical.request, weak.completion) : 'weak_failed';
  if (weak.ok && failed === null) {
    series?.cascade(router, 'accepted', 'passed');
    deps.log.debug('cascade accepted', { requestId: plan.requestId, router, model: plan.model });
    const checks = cascade.checks.map((c) => c.kind).join(',');
    return sendFinalAnswer(request, deps, bill, weak, { [CASCADE_HEADER]: `accepted; check=${checks}` });
  }
  deps.log.info('cascade escalated', { requestId: plan.requestId, router, from: plan.model, to: cascade.strong.model, check: failed });
  const strong = await innerCall(ctx, 'cascade_strong', cascade.strong, canonical.request);
  if (!strong.ok) {
    series?.cascade(router, 'failed', failed ?? 'unknown');
    return sendFailure(request, deps, bill, strong.error, null);
  }
  series?.cascade(router, 'escalated', failed ?? 'unknown');
  return sendFinalAnswer(request, deps, bill, strong, { [CASCADE_HEADER]: `escalated; check=${failed}` });
}
