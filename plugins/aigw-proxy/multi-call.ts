/**
 * Multi-call requests at plan time: a reasoning strategy the client selected (allowed by the
 * route's `strategies` and the key's metadata, every model it uses on the key's allow-list) and a
 * cascade the router decided. Every model group an inner call may use is resolved into the plan,
 * and the reservation is the sum of every call's worst case (docs/strategies.md):
 *
 *   bon, sc   n × candidate + judge (question + n answers shown, JUDGE_MAX_TOKENS out)
 *   moa       Σ proposers + aggregator (the prompt + n answers shown, the request's output)
 *   re2       the prompt twice + the fixed text;  plan: the prompt + the fixed text
 *   cascade   weak + strong + judge (question + 1 answer shown)
 */
import { type GatewayError, gatewayError } from '../../lib/errors';
import { modelNotAllowed, type RequestIdentity, resolveModelName } from '../../lib/identity';
import type { Endpoint, PlanTarget } from '../../lib/plan';
import type { RouteDecision } from '../../lib/router/decision';
import { type CascadePlan, type InnerGroup, JUDGE_MAX_TOKENS, type StrategyPlan } from '../../lib/strategy/plan';
import { shownTokensBound } from '../../lib/strategy/prompts';
import { keyAllows, type Selection, STRATEGY_FIELD, strategyFromField, strategyFromModel } from '../../lib/strategy/select';
import { combineShapes, type PromptShape, promptShape, requestedMaxOutput } from '../../lib/tokens';
import { MAX_RESERVATION_NANO, type Unbounded, worstCaseOfShape } from './budget';
import { type AiProxyConfig, type CompiledModels, planTargets } from './config';

type StrategiesConfig = NonNullable<AiProxyConfig['strategies']>;

/** Endpoints whose requests have a canonical chat form (the relay's inner calls speak it). */
const MULTI_CALL_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['chat.completions', 'messages', 'generateContent']);

/** The model the request runs on, and the strategy it selected (if any). */
export function selectStrategy(
  config: StrategiesConfig | null | undefined,
  models: CompiledModels,
  endpoint: Endpoint,
  body: Record<string, unknown>,
  model: string,
  identity: RequestIdentity | undefined,
): { model: string; selection: Selection | null } | GatewayError {
  const field = strategyFromField(body[STRATEGY_FIELD], model);
  // A configured model is that model, whatever its name looks like.
  const named = field ?? (models.byName.has(model) ? null : strategyFromModel(model));
  if (named === null) return { model, selection: null };
  if ('status' in named) return named;
  if (!MULTI_CALL_ENDPOINTS.has(endpoint)) return gatewayError(400, 'Reasoning strategies are served on chat endpoints only.', 'strategy_not_allowed', 'model');
  const allowed = config?.allowed ?? [];
  if (!allowed.includes(named.name)) return gatewayError(400, `The strategy \`${named.name}\` is not enabled on this route.`, 'strategy_not_allowed', 'model');
  const max = config!.max_n;
  if (named.n !== null && named.n > max) return gatewayError(400, `The strategy's count must be 1 to ${max} on this route.`, 'invalid_strategy', 'model');
  // The model the strategy runs on, as the key names it (its aliases) and may use it.
  const base = identity ? resolveModelName(identity.models, named.model) : { model: named.model, allowed: true };
  if (!base.allowed) return modelNotAllowed(named.model);
  return { model: base.model, selection: named };
}

export interface MultiCall {
  strategy?: StrategyPlan;
  cascade?: CascadePlan;
  /** The reservation for every call; undefined: an ordinary single call. */
  worstCase?: number | Unbounded;
  /** Every target an inner call may use (the reservation's lifetime covers them all). */
  targets: PlanTarget[];
}

interface PlanInput {
  models: CompiledModels;
  identity: RequestIdentity | undefined;
  endpoint: Endpoint;
  body: Record<string, unknown>;
  /** The base model group and its ordered targets. */
  base: InnerGroup;
  stream: boolean;
}

/** A model an inner call uses: on the key's allow-list (alias resolved) and configured. */
function groupOf(models: CompiledModels, identity: RequestIdentity | undefined, name: string): InnerGroup | GatewayError {
  const { model, allowed } = identity ? resolveModelName(identity.models, name) : { model: name, allowed: true };
  if (!allowed) return modelNotAllowed(name);
  if (!models.byName.has(model)) return gatewayError(500, `The strategy's model \`${model}\` is not configured.`, 'strategy_misconfigured');
  return { model, targets: planTargets(models, model) };
}

/** The strategy's plan and reservation; 403 when the key may not use it (or a model it uses). */
export function strategyPlan(config: StrategiesConfig, selection: Selection, input: PlanInput): MultiCall | GatewayError {
  const { identity, models, base } = input;
  if (!keyAllows(identity?.strategies, selection.name)) {
    return gatewayError(403, `This API key is not allowed to use the strategy \`${selection.name}\`.`, 'strategy_not_allowed');
  }
  const n = selection.name === 're2' || selection.name === 'plan' ? 1 : Math.min(selection.n ?? config.default_n, config.max_n);
  const plan: StrategyPlan = { name: selection.name, n, base, concurrency: config.concurrency };
  if (selection.name === 'bon' && config.judge_model) {
    const judge = groupOf(models, identity, config.judge_model);
    if ('status' in judge) return judge;
    plan.judge = judge;
  }
  if (selection.name === 'moa') {
    const names = config.proposer_models.length > 0 ? config.proposer_models.slice(0, config.max_n) : Array.from({ length: n }, () => base.model);
    const proposers: InnerGroup[] = [];
    for (const name of names) {
      const group = groupOf(models, identity, name);
      if ('status' in group) return group;
      proposers.push(group);
    }
    const aggregator = config.aggregator_model ? groupOf(models, identity, config.aggregator_model) : base;
    if ('status' in aggregator) return aggregator;
    Object.assign(plan, { proposers, aggregator, n: proposers.length });
  }
  return { strategy: plan, worstCase: strategyWorstCase(plan, input), targets: groupsOf(plan).flatMap((g) => g.targets) };
}

function groupsOf(plan: StrategyPlan): InnerGroup[] {
  return [plan.base, ...(plan.proposers ?? []), ...(plan.judge ? [plan.judge] : []), ...(plan.aggregator ? [plan.aggregator] : [])];
}

/** A prompt shape with `tokens` more text in `messages` more messages. */
function plus(shape: PromptShape, tokens: number, messages: number): PromptShape {
  return { ...shape, textTokens: shape.textTokens + tokens, messages: shape.messages + messages };
}

const EMPTY: PromptShape = promptShape({ messages: [] }, 'chat.completions');

/** The reservation of a strategy: each call's worst case added up (lib/strategy docs). */
export function strategyWorstCase(plan: StrategyPlan, input: Pick<PlanInput, 'body' | 'endpoint'>): number | Unbounded {
  const shape = promptShape(input.body, input.endpoint);
  const output = requestedMaxOutput(input.body, input.endpoint);
  const fixed = shownTokensBound(0, false);
  const parts: Array<number | Unbounded> = [];
  if (plan.name === 're2') parts.push(worstCaseOfShape(plan.base.targets, plus(combineShapes(shape, shape), fixed, 0), output, 1));
  else if (plan.name === 'plan') parts.push(worstCaseOfShape(plan.base.targets, plus(shape, fixed, 1), output, 1));
  else if (plan.name === 'moa') {
    for (const group of plan.proposers ?? []) parts.push(worstCaseOfShape(group.targets, shape, output, 1));
    const aggregator = plan.aggregator ?? plan.base;
    parts.push(worstCaseOfShape(aggregator.targets, plus(shape, shownTokensBound(plan.n, false), 1), output, 1));
  } else {
    const one = worstCaseOfShape(plan.base.targets, shape, output, 1);
    for (let i = 0; i < plan.n; i++) parts.push(one);
    if (plan.judge) parts.push(worstCaseOfShape(plan.judge.targets, plus(EMPTY, shownTokensBound(plan.n, true), 2), JUDGE_MAX_TOKENS, 1));
  }
  return sum(parts);
}

/** The cascade the router decided, resolved; null when it cannot run (streamed, or a model unknown or not allowed: the weak model answers alone). */
export function cascadePlan(route: RouteDecision | undefined, input: PlanInput): MultiCall | null {
  const cascade = route?.cascade;
  if (!cascade || input.stream || !MULTI_CALL_ENDPOINTS.has(input.endpoint)) return null;
  const strong = groupOf(input.models, input.identity, cascade.escalate_to);
  if ('status' in strong) return null;
  const judgeCheck = cascade.checks.find((c) => c.kind === 'judge');
  const judge = judgeCheck?.kind === 'judge' ? groupOf(input.models, input.identity, judgeCheck.model) : undefined;
  if (judge && 'status' in judge) return null;
  const plan: CascadePlan = { strong, checks: cascade.checks, ...(judge ? { judge } : {}) };
  const shape = promptShape(input.body, input.endpoint);
  const output = requestedMaxOutput(input.body, input.endpoint);
  const parts = [worstCaseOfShape(input.base.targets, shape, output, 1), worstCaseOfShape(strong.targets, shape, output, 1)];
  if (judge) parts.push(worstCaseOfShape(judge.targets, plus(EMPTY, shownTokensBound(1, true), 2), JUDGE_MAX_TOKENS, 1));
  return { cascade: plan, worstCase: sum(parts), targets: [...input.base.targets, ...strong.targets, ...(judge?.targets ?? [])] };
}

function sum(parts: Array<number | Unbounded>): number | Unbounded {
  let total = 0;
  for (const part of parts) {
    if (typeof part !== 'number') return part;
    total += part;
  }
  return Math.min(total, MAX_RESERVATION_NANO);
}
