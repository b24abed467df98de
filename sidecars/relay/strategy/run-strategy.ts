/**
 * A reasoning strategy's inner calls, then its one answer (final-answer.ts):
 *   bon    n candidates on the base model; a judge picks one (else the longest non-refusal)
 *   sc     n samples on the base model; the majority of their extracted final answers wins
 *   moa    each proposer answers; the aggregator writes the answer from the proposals
 *   re2    one call, the question read twice
 *   plan   one call, told to plan before answering
 * Candidates run concurrently under the plan's cap. A failed candidate is skipped; all failed:
 * the last failure goes to the client. A failed judge or aggregator falls back to the best
 * candidate by the scoring rule.
 */
import type { ChatCompletion, ChatRequest } from '../../../lib/openai-types';
import type { PlanTarget } from '../../../lib/plan';
import { answerText, isRefusal } from '../../../lib/strategy/answer-checks';
import { parseJudgeNumber } from '../../../lib/strategy/judge-score';
import { type InnerGroup, JUDGE_MAX_TOKENS, type StrategyPlan, type StrategyRole } from '../../../lib/strategy/plan';
import { aggregateRequest, pickRequest, planRequest, reReadRequest } from '../../../lib/strategy/prompts';
import { longestAcceptable, majorityIndex } from '../../../lib/strategy/vote';
import type { RelayRequest } from '../admit';
import type { RelayDeps } from '../deps';
import { sendError } from '../respond';
import { StrategyBill } from './bill';
import { canonicalForStrategy } from './canonical';
import { sendFailure, sendFinalAnswer } from './final-answer';
import { type InnerContext, type InnerResult, innerCall } from './inner-call';
import { StrategySeries } from './metrics';

export const STRATEGY_HEADER = 'x-aigw-strategy';

type Answer = { completion: ChatCompletion; target: PlanTarget };
type Chosen = { answer: Answer; index: number; degraded: boolean };

/** Runs `tasks` with at most `cap` in flight, results in task order. */
export async function withCap<T>(tasks: Array<() => Promise<T>>, cap: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(cap, tasks.length)) }, worker));
  return results;
}

export async function runStrategy(request: RelayRequest, deps: RelayDeps): Promise<void> {
  const strategy = request.plan.strategy!;
  const series = deps.metrics ? StrategySeries.of(deps.metrics.registry) : null;
  const canonical = canonicalForStrategy(request);
  if (!canonical.ok) return sendError(request.res, request.format.name, canonical.refusal);
  const bill = new StrategyBill(request, deps.billing, strategy.name, series);
  const ctx: InnerContext = { request, deps, bill };
  const { results, groups } = await candidates(ctx, strategy, canonical.request);
  const answers = results.map((result, index) => (result.ok ? { index, answer: { completion: result.completion, target: result.target } } : null));
  const usable = answers.filter((a): a is { index: number; answer: Answer } => a !== null);
  if (usable.length === 0) {
    const last = [...results].reverse().find((r): r is Extract<InnerResult, { ok: false }> => !r.ok);
    series?.request(strategy.name, last?.clientGone ? 'client_aborted' : 'failed');
    return sendFailure(request, deps, bill, last!.error, groups[0]?.targets[0] ?? null);
  }
  const chosen = await choose(ctx, strategy, canonical.request, usable);
  if (!chosen.ok) {
    series?.request(strategy.name, 'client_aborted');
    return sendFailure(request, deps, bill, chosen.error, null);
  }
  const skipped = usable.length < results.length;
  series?.request(strategy.name, chosen.value.degraded || skipped ? 'degraded' : 'ok');
  const header = `name=${strategy.name}; n=${strategy.n}; chosen=${chosen.value.index < 0 ? 'aggregator' : chosen.value.index + 1}`;
  return sendFinalAnswer(request, deps, bill, chosen.value.answer, { [STRATEGY_HEADER]: header });
}

/** The strategy's first round: n candidates, the proposals, or the one rewritten call. */
async function candidates(ctx: InnerContext, strategy: StrategyPlan, request: ChatRequest): Promise<{ results: InnerResult[]; groups: InnerGroup[] }> {
  const single = (role: StrategyRole, rewritten: ChatRequest) => ({ groups: [strategy.base], tasks: [() => innerCall(ctx, role, strategy.base, rewritten)] });
  const planned =
    strategy.name === 're2'
      ? single('final', reReadRequest(request))
      : strategy.name === 'plan'
        ? single('final', planRequest(request))
        : strategy.name === 'moa'
          ? { groups: strategy.proposers ?? [], tasks: (strategy.proposers ?? []).map((group) => () => innerCall(ctx, 'proposer', group, request)) }
          : { groups: [strategy.base], tasks: Array.from({ length: strategy.n }, () => () => innerCall(ctx, 'candidate', strategy.base, request)) };
  return { results: await withCap(planned.tasks, strategy.concurrency), groups: planned.groups };
}

type Choice = { ok: true; value: Chosen } | { ok: false; error: import('../../../lib/errors').GatewayError };

/** Which answer the client gets (index: among all candidates, for the header; -1: the aggregator's). */
async function choose(ctx: InnerContext, strategy: StrategyPlan, request: ChatRequest, usable: Array<{ index: number; answer: Answer }>): Promise<Choice> {
  const texts = usable.map((u) => answerText(u.answer.completion));
  const byRule = (): Chosen => {
    const best = longestAcceptable(
      texts,
      usable.map((u) => isRefusal(u.answer.completion)),
    );
    return { answer: usable[best].answer, index: usable[best].index, degraded: false };
  };
  if (strategy.name === 'sc') {
    const winner = majorityIndex(texts);
    return { ok: true, value: { answer: usable[winner].answer, index: usable[winner].index, degraded: false } };
  }
  if (strategy.name === 'bon' && strategy.judge && usable.length > 1) {
    const verdict = await innerCall(ctx, 'judge', strategy.judge, pickRequest(request, texts, JUDGE_MAX_TOKENS));
    if (!verdict.ok && verdict.clientGone) return { ok: false, error: verdict.error };
    const picked = verdict.ok ? parseJudgeNumber(answerText(verdict.completion), 1, usable.length) : null;
    if (picked !== null) return { ok: true, value: { answer: usable[picked - 1].answer, index: usable[picked - 1].index, degraded: false } };
    return { ok: true, value: { ...byRule(), degraded: true } };
  }
  if (strategy.name === 'moa' && strategy.aggregator) {
    const written = await innerCall(ctx, 'aggregator', strategy.aggregator, aggregateRequest(request, texts));
    if (written.ok) return { ok: true, value: { answer: { completion: written.completion, target: written.target }, index: -1, degraded: false } };
    if (written.clientGone) return { ok: false, error: written.error };
    return { ok: true, value: { ...byRule(), degraded: true } };
  }
  return { ok: true, value: byRule() };
}
