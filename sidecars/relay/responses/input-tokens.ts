/**
 * POST /v1/responses/input_tokens: how many input tokens a Responses request (its kept context
 * included) would use. A target that serves the Responses API counts it itself (its answer is
 * passed through); for any other target, or when that target cannot answer, the gateway counts
 * with its own tokenizer (o200k_base plus OpenAI's framing) and says so in
 * `x-aigw-tokens-estimated: true`. Nothing is billed: no budget was reserved, no ledger row.
 */
import type { GatewayError } from '../../../lib/errors';
import { TOKENS_ESTIMATED_HEADER } from '../../../lib/headers';
import type { PlanTarget } from '../../../lib/plan';
import { speaksResponses } from '../../../lib/providers';
import { estimatePromptTokens } from '../../../lib/tokens';
import type { RelayRequest } from '../admit';
import { build, send } from '../attempt';
import type { RelayDeps } from '../deps';
import { sendJson } from '../respond';
import { upstreamHeaders } from '../upstream-headers';

export async function countInputTokens(request: RelayRequest, deps: RelayDeps): Promise<GatewayError | null> {
  const target = request.plan.targets[0];
  if (speaksResponses(target.provider)) {
    const refusal = await providerCount(request, target, deps);
    if (refusal !== 'unavailable') return refusal;
  }
  const inputTokens = estimatePromptTokens(request.clientBody, 'responses.input_tokens');
  sendJson(request.res, 200, { object: 'response.input_tokens', input_tokens: inputTokens }, { [TOKENS_ESTIMATED_HEADER]: 'true' });
  return null;
}

/**
 * The provider's own count, passed through; its refusal of the request (a caller error) for the
 * client; 'unavailable' when it could not answer (unreachable, timed out, failing, no key).
 */
async function providerCount(request: RelayRequest, target: PlanTarget, deps: RelayDeps): Promise<GatewayError | null | 'unavailable'> {
  const built = build(request, target, deps);
  if (!built.ok) return 'unavailable';
  const sent = await send(deps.pools, built.value.call, target, AbortSignal.timeout(target.timeouts.totalMs));
  if (!sent.ok) return 'unavailable';
  const response = sent.value;
  const text = await response.body.text();
  const headersIn = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
  if (response.statusCode >= 400) {
    const { kind, ...error } = built.value.mapError(response.statusCode, text, headersIn);
    return kind === 'caller' ? error : 'unavailable';
  }
  sendJson(request.res, 200, text, { 'x-aigw-upstream-model': `${target.provider}/${target.model}`, ...upstreamHeaders(headersIn) });
  return null;
}
