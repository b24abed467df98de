/**
 * POST /v1/messages/count_tokens, once admitted: the plan walked as any request's (retries,
 * failover), each attempt asking its target for the exact count (tokenCountAdapterFor), or
 * answering the gateway's own o200k estimate, marked, when the target has no count. The answer is
 * Anthropic's `{"input_tokens": N}` whatever the target.
 *
 * Nothing is billed: no settlement, no tokens-per-minute correction, no ledger row (a count is
 * free at every provider); the usage record (metrics, the usage log) shows the request with zero
 * tokens at zero cost. Attempts feed no target stats back: a count says nothing about a target's
 * generation latency or load, and an estimate asked no provider at all.
 */
import { type GatewayError, gatewayError } from '../../../lib/errors';
import { sendJson } from '../../../lib/http';
import type { PlanTarget } from '../../../lib/plan';
import { estimatePromptTokens } from '../../../lib/tokens';
import { adaptersFor, tokenCountAdapterFor } from '../adapters';
import { isRefused, type TokenCountAdapter, type UpstreamHttpRequest } from '../adapters/types';
import type { RelayRequest } from '../admit';
import { flatHeaders, readJson, upstreamFailure } from '../answer';
import { exchangeSignal, send, targetCredential, transportFailure } from '../attempt';
import { type AttemptOutcome, answered, failed } from '../attempt-outcome';
import type { RelayDeps } from '../deps';
import { walkPlan } from '../run-plan';
import { COST_HEADER, type RecordedResult, usageRecord } from '../settlement';
import { readErrorText } from '../upstream-body';
import { upstreamHeaders } from '../upstream-headers';
import type { TokenUsage } from '../usage';

/** On an answer the gateway counted itself (the target has no count endpoint). */
export const TOKENS_ESTIMATED_HEADER = 'x-aigw-tokens-estimated';

/** What a count spends: no provider bills one. */
const NOTHING_SPENT: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedTokens: 0, reasoningTokens: 0 };

export async function runTokenCount(request: RelayRequest, deps: RelayDeps): Promise<GatewayError | null> {
  const end = await walkPlan(request, (target) => countOn(request, target, deps), deps.log);
  const record = (target: PlanTarget, result: Omit<RecordedResult, 'costNano'>): void =>
    deps.usage.record(usageRecord(request, target, { ...result, costNano: 0 }));
  switch (end.kind) {
    case 'answered':
      record(end.target, { status: 200, outcome: 'ok', usage: NOTHING_SPENT, firstByteAt: end.answered.firstByteAt });
      return null;
    case 'client_gone':
      record(end.target, { status: 499, outcome: 'client_aborted', usage: null, firstByteAt: null });
      return null;
    case 'failed':
      record(end.target, { status: end.failure.error.status, outcome: end.failure.outcome, usage: null, firstByteAt: null });
      return end.failure.error;
  }
}

/** One attempt on one target: its own count when it has one, else the gateway's estimate. */
async function countOn(request: RelayRequest, target: PlanTarget, deps: RelayDeps): Promise<AttemptOutcome> {
  const adapter = tokenCountAdapterFor(target.provider);
  if (!adapter) return estimated(request, target);
  const apiKey = targetCredential(request, target, deps);
  if (!apiKey.ok) return apiKey;
  // Admission puts every count request in canonical form (admit.ts, countedRequest).
  const call = adapter.request(target, request.canonical!, apiKey.value);
  if (call === null) return estimated(request, target);
  if (isRefused(call)) return failed({ kind: 'caller', error: call, outcome: 'upstream_error' });
  return providerCount(request, target, adapter, call, deps);
}

async function providerCount(
  request: RelayRequest,
  target: PlanTarget,
  adapter: TokenCountAdapter,
  call: UpstreamHttpRequest,
  deps: RelayDeps,
): Promise<AttemptOutcome> {
  const exchange = exchangeSignal(request.res, target.timeouts.totalMs);
  try {
    const sent = await send(deps.pools, call, target, exchange.signal);
    if (!sent.ok) return sent;
    const headersIn = flatHeaders(sent.value.headers);
    const encoding = headersIn['content-encoding'];
    // The count endpoint answers errors in its API's own shape: the chat adapter maps them.
    if (sent.value.statusCode >= 400) {
      const text = await readErrorText(sent.value.body, encoding);
      return failed(upstreamFailure(adaptersFor(target.provider).chat.mapError(sent.value.statusCode, text, headersIn), headersIn));
    }
    // Decoded as any answer is (gzip, deflate, br), within the relay's answer size limit.
    const json = await readJson(sent.value.body, encoding, deps.config.maxResponseBytes, target);
    if (!json.ok) return json;
    const count = adapter.inputTokens(json.value.parsed);
    if (count === null) {
      const error = gatewayError(502, `The provider (${target.provider}) answered the token count without a count.`, 'upstream_invalid_response');
      return failed({ kind: 'server', error, outcome: 'upstream_error' });
    }
    return answer(request, target, count, upstreamHeaders(headersIn));
  } catch (error) {
    // The answer's body broke off (cut, or the total deadline): a transport failure like any other.
    return failed(transportFailure(error, target));
  } finally {
    exchange.close();
  }
}

/**
 * The gateway's own count, for a target that has none: o200k_base with OpenAI's framing (every
 * such target speaks OpenAI's format), of the chat request /v1/messages would send it.
 */
function estimated(request: RelayRequest, target: PlanTarget): AttemptOutcome {
  const sent = request.format.forTarget(request.canonical!, 'openai');
  return answer(request, target, estimatePromptTokens(sent), { [TOKENS_ESTIMATED_HEADER]: 'true' });
}

function answer(request: RelayRequest, target: PlanTarget, inputTokens: number, headers: Record<string, string>): AttemptOutcome {
  const sentAt = Date.now();
  sendJson(request.res, 200, { input_tokens: inputTokens }, { 'x-aigw-upstream-model': `${target.provider}/${target.model}`, [COST_HEADER]: '0', ...headers });
  return answered(sentAt, NOTHING_SPENT);
}
