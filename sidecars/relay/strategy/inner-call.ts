/**
 * One inner call of a cascade or strategy: a canonical chat request run on a model group's
 * targets with the relay's own retry and failover walk (run-plan.ts walkPlan), never streamed,
 * answered by the target's chat adapter. The client's connection is never written here; the
 * client leaving aborts the call. Every call, answered or not, is added to the bill.
 */
import { type GatewayError, gatewayError } from '../../../lib/errors';
import type { ChatCompletion, ChatRequest } from '../../../lib/openai-types';
import type { PlanTarget } from '../../../lib/plan';
import { wireFormatOf } from '../../../lib/providers';
import type { InnerGroup, StrategyRole } from '../../../lib/strategy/plan';
import { completionText, estimatePromptTokens } from '../../../lib/tokens';
import { adaptersFor } from '../adapters';
import { isRefused } from '../adapters/types';
import type { RelayRequest } from '../admit';
import { flatHeaders, readJson, upstreamFailure } from '../answer';
import { exchangeSignal, send, targetCredential, transportFailure } from '../attempt';
import { type AttemptOutcome, answered, failed, type Step, wrapAttempt } from '../attempt-outcome';
import type { RelayDeps } from '../deps';
import { estimateUsage } from '../estimate';
import { withAttemptMetrics } from '../metrics';
import { walkPlan } from '../run-plan';
import { withTargetFeedback } from '../target-feedback';
import { readErrorText } from '../upstream-body';
import type { TokenUsage } from '../usage';
import { callCost, type StrategyBill } from './bill';

export interface InnerContext {
  /** The client's request (its plan, its connection, its retry policy). */
  request: RelayRequest;
  deps: RelayDeps;
  bill: StrategyBill;
}

export type InnerResult =
  | { ok: true; completion: ChatCompletion; usage: TokenUsage; target: PlanTarget }
  | { ok: false; error: GatewayError; clientGone: boolean };

/** Fields only the gateway reads, never sent to a provider. */
const GATEWAY_FIELDS = ['aigw_strategy', 'stream', 'stream_options', 'n'] as const;

/** The request as an inner call sends it: one choice, not streamed, without the gateway's own fields. */
export function innerRequest(request: ChatRequest): ChatRequest {
  const copy: Record<string, unknown> = { ...request };
  for (const field of GATEWAY_FIELDS) delete copy[field];
  return copy as unknown as ChatRequest;
}

export async function innerCall(ctx: InnerContext, role: StrategyRole, group: InnerGroup, chat: ChatRequest): Promise<InnerResult> {
  const { request: outer, deps, bill } = ctx;
  const body = innerRequest(chat);
  const plan = { ...outer.plan, model: group.model, targets: group.targets };
  const walker: RelayRequest = { ...outer, plan, stream: false };
  const got: { completion?: ChatCompletion } = {};
  const tryTarget = wrapAttempt(
    async (target): Promise<AttemptOutcome> => {
      const asked = await askTarget(walker, target, body, deps);
      if (!asked.ok) return asked;
      got.completion = asked.value.completion;
      return answered(Date.now(), asked.value.usage);
    },
    withAttemptMetrics(deps.metrics, plan),
    withTargetFeedback(deps.feedback, outer.plan.requestId),
  );
  const end = await walkPlan(walker, tryTarget, deps.log);
  if (end.kind === 'answered' && got.completion && end.answered.usage) {
    const usage = end.answered.usage;
    bill.add({ role, model: group.model, target: end.target, usage, costNano: callCost(end.target, usage), status: 200, outcome: 'ok', result: 'ok' });
    return { ok: true, completion: got.completion, usage, target: end.target };
  }
  if (end.kind === 'client_gone') {
    // The provider bills a prompt it accepted, whether or not the answer was read.
    const usage = end.providerAccepted ? estimateUsage(estimatePromptTokens(body as unknown as Record<string, unknown>), '') : null;
    bill.add({
      role,
      model: group.model,
      target: end.target,
      usage,
      costNano: callCost(end.target, usage),
      status: 499,
      outcome: 'client_aborted',
      result: 'client_aborted',
    });
    return { ok: false, error: gatewayError(499, 'The client closed the request.', 'client_closed_request'), clientGone: true };
  }
  if (end.kind === 'failed') {
    const usage = end.failure.usage ?? null;
    const { failure, target } = end;
    bill.add({
      role,
      model: group.model,
      target,
      usage,
      costNano: callCost(target, usage),
      status: failure.error.status,
      outcome: failure.outcome,
      result: failure.kind,
    });
    return { ok: false, error: failure.error, clientGone: false };
  }
  throw new Error('an answered inner call without its completion');
}

/** One attempt of an inner call on one target: built by its chat adapter, sent, read whole. */
async function askTarget(
  walker: RelayRequest,
  target: PlanTarget,
  body: ChatRequest,
  deps: RelayDeps,
): Promise<Step<{ completion: ChatCompletion; usage: TokenUsage }>> {
  const apiKey = targetCredential(walker, target, deps);
  if (!apiKey.ok) return apiKey;
  const { chat } = adaptersFor(target.provider);
  const built = chat.chatRequest(target, walker.format.forTarget(body, wireFormatOf(target.provider)), apiKey.value);
  if (isRefused(built)) return failed({ kind: 'caller', error: built, outcome: 'upstream_error' });
  const exchange = exchangeSignal(walker.res, target.timeouts.totalMs);
  let accepted = false;
  try {
    const sent = await send(deps.pools, { url: built.url, headers: built.headers, body: built.body }, target, exchange.signal);
    if (!sent.ok) return sent;
    const response = sent.value;
    const headersIn = flatHeaders(response.headers);
    const encoding = headersIn['content-encoding'];
    if (response.statusCode >= 400)
      return failed(upstreamFailure(chat.mapError(response.statusCode, await readErrorText(response.body, encoding), headersIn), headersIn));
    accepted = true;
    const json = await readJson(response.body, encoding, deps.config.maxResponseBytes, target);
    if (!json.ok) return failed({ ...json.failure, providerAccepted: true });
    const context = { model: target.model, requestId: walker.plan.requestId, created: Math.floor(walker.startedAt / 1000) };
    const { completion, usage, refused } = chat.chatResponse(json.value.parsed, context);
    if (refused) return failed({ ...upstreamFailure(refused, headersIn), ...(usage ? { usage } : {}), providerAccepted: true });
    const promptTokens = (): number => estimatePromptTokens(body as unknown as Record<string, unknown>);
    return { ok: true, value: { completion, usage: usage ?? estimateUsage(promptTokens(), completionText(completion)) } };
  } catch (error) {
    return failed({ ...transportFailure(error, target), providerAccepted: accepted });
  } finally {
    exchange.close();
  }
}
