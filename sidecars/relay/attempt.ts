/**
 * One attempt on one target, in three steps that each return a value:
 *
 *   build   the credential and the upstream request: the client's own bytes (pass-through), a
 *           translation (the target's chat adapter) or an embeddings request
 *   send    the HTTP exchange on the keep-alive pools, under the target's timeouts; the client
 *           leaving aborts it
 *   answer  the provider's reply read and given to the client (answer.ts), or the failure it
 *           stands for
 *
 * What follows a failure (retry, fail over, give up) is run-plan.ts's decision. Target feedback
 * and metrics wrap an attempt (AttemptWrapper), as undici's interceptors wrap a dispatch.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { type GatewayError, gatewayError, ok, type Result, failed as refused } from '../../lib/errors';
import type { PlanTarget } from '../../lib/plan';
import { speaksResponses, wireFormatOf } from '../../lib/providers';
import { droppedFeatures, policyFormatOf } from '../../lib/translation-policy';
import { adaptersFor } from './adapters';
import { buildRequest, buildResponsesRequest } from './adapters/openai';
import { type AdapterSpec, type ChatAdapter, type EmbeddingsAdapter, isRefused, type NativeAdapter } from './adapters/types';
import type { RelayRequest } from './admit';
import { answer, interruptedAnswer } from './answer';
import { type AttemptFailure, type AttemptOutcome, failed, type Step } from './attempt-outcome';
import { credentialAllowed } from './config';
import type { RelayDeps } from './deps';
import type { Settlement } from './settlement';
import { callUpstream, classifyUpstreamFailure, type UpstreamPools, type UpstreamRequest } from './upstream';

/** How the provider's reply is read: passed through (chat, or OpenAI's Responses API), translated back, or embeddings translated. */
export type Reading =
  | { kind: 'passthrough' }
  | { kind: 'responses' }
  /** The client's own format, passed through both ways and read alongside by the target's chat adapter. */
  | { kind: 'native'; adapter: ChatAdapter; native: NativeAdapter }
  | { kind: 'translated'; adapter: ChatAdapter }
  | { kind: 'embeddings'; adapter: EmbeddingsAdapter };

export interface Built {
  call: UpstreamRequest;
  reading: Reading;
  /** The target's own error mapping, whatever the endpoint. */
  mapError: ChatAdapter['mapError'];
  /** Request features the target cannot take and the adapter left out. */
  dropped: readonly string[];
}

export async function attempt(request: RelayRequest, target: PlanTarget, settlement: Settlement, deps: RelayDeps): Promise<AttemptOutcome> {
  const built = build(request, target, deps);
  if (!built.ok) return built;
  if (built.value.dropped.length > 0) {
    deps.metrics?.dropped(target.provider, [...built.value.dropped]);
    deps.log.debug('features dropped for target', { requestId: request.plan.requestId, provider: target.provider, dropped: built.value.dropped });
  }
  const exchange = exchangeSignal(request.res, target.timeouts.totalMs);
  let accepted = false;
  try {
    const sent = await send(deps.pools, built.value.call, target, exchange.signal);
    if (!sent.ok) return sent;
    accepted = sent.value.statusCode < 400;
    const outcome = await answer(request, target, built.value, sent.value, settlement, deps.config.maxResponseBytes);
    return outcome.ok ? outcome : failed({ ...outcome.failure, providerAccepted: accepted });
  } catch (error) {
    // Past the answer's first byte nothing can be retried: the answer ends here.
    if (request.res.headersSent) return interruptedAnswer(request, target, settlement);
    return failed({ ...transportFailure(error, target), providerAccepted: accepted });
  } finally {
    exchange.close();
  }
}

/** Step 1: the credential and the upstream request, or why this target cannot be asked. */
export function build(request: RelayRequest, target: PlanTarget, deps: Pick<RelayDeps, 'config' | 'env' | 'log'>): Step<Built> {
  const apiKey = targetCredential(request, target, deps);
  if (!apiKey.ok) return apiKey;
  const spec = adaptersFor(target.provider);
  const built = upstreamRequest(request, target, spec, apiKey.value);
  if (isRefused(built)) return failed({ kind: 'caller', error: built, outcome: 'upstream_error' });
  return { ok: true, value: { ...built, mapError: spec.chat.mapError } };
}

/** The target's key, or the failure that makes the target unusable (logged: an operator's to fix). */
export function targetCredential(request: RelayRequest, target: PlanTarget, deps: Pick<RelayDeps, 'config' | 'env' | 'log'>): Step<string | null> {
  const apiKey = credentialFor(target, deps);
  if (apiKey.ok) return { ok: true, value: apiKey.value };
  deps.log.error('credential unavailable', { requestId: request.plan.requestId, credential: target.credential, reason: apiKey.error.message });
  return failed({ kind: 'config', error: apiKey.error, outcome: 'upstream_error' });
}

/** The key the plan names, from the relay's environment; never one of the relay's own secrets. */
function credentialFor(target: PlanTarget, deps: Pick<RelayDeps, 'config' | 'env'>): Result<string | null> {
  if (!target.credential) return ok(null);
  const value = deps.env[target.credential];
  const problem = !credentialAllowed(target.credential, deps.config)
    ? `${target.credential} is not an allowed credential name`
    : !value
      ? `${target.credential} is not set in the relay's environment`
      : null;
  if (problem) return refused(gatewayError(502, `The gateway has no usable credential for this model: ${problem}`, 'upstream_credential_missing'));
  return ok(value!);
}

/** The ways to ask a provider: the client's own request (chat bytes, a Responses request, or the target's native format), a translation, or embeddings. */
function upstreamRequest(request: RelayRequest, target: PlanTarget, spec: AdapterSpec, apiKey: string | null): Omit<Built, 'mapError'> | GatewayError {
  const { plan, format } = request;
  if (plan.endpoint === 'embeddings') {
    if (!spec.embeddings)
      return { call: buildRequest('embeddings', target, request.rawBody, request.clientBody, apiKey).request, reading: { kind: 'passthrough' }, dropped: [] };
    const built = spec.embeddings.request(target, request.clientBody, apiKey);
    return isRefused(built) ? built : { call: built, reading: { kind: 'embeddings', adapter: spec.embeddings }, dropped: [] };
  }
  if ((plan.endpoint === 'responses' || plan.endpoint === 'responses.input_tokens') && speaksResponses(target.provider)) {
    return { call: buildResponsesRequest(plan.endpoint, target, request.clientBody, apiKey), reading: { kind: 'responses' }, dropped: [] };
  }
  if (spec.native?.clientFormat === format.name) {
    return {
      call: spec.native.request(target, request.rawBody, request.clientBody, request.clientHeaders, apiKey, request.stream),
      reading: { kind: 'native', adapter: spec.chat, native: spec.native },
      dropped: [],
    };
  }
  if (plan.endpoint === 'chat.completions' && spec.passthrough) {
    return {
      call: buildRequest('chat.completions', target, request.rawBody, request.clientBody, apiKey).request,
      reading: { kind: 'passthrough' },
      dropped: [],
    };
  }
  // What the translation policy does not translate for this family never reaches it, and is counted.
  const family = wireFormatOf(target.provider);
  const built = spec.chat.chatRequest(target, format.forTarget(request.canonical!, family), apiKey);
  if (isRefused(built)) return built;
  const { dropped = [], url, headers, body } = built;
  const lost = new Set([...droppedFeatures(policyFormatOf(plan.endpoint), request.clientBody, family), ...dropped]);
  return { call: { url, headers, body }, reading: { kind: 'translated', adapter: spec.chat }, dropped: [...lost] };
}

/** Step 2: the exchange, or the transport failure (unreachable, timed out) it ended in. */
export async function send(pools: UpstreamPools, call: UpstreamRequest, target: PlanTarget, signal: AbortSignal): Promise<Step<Dispatcher.ResponseData>> {
  try {
    const { connectMs, firstByteMs, idleMs } = target.timeouts;
    return { ok: true, value: await callUpstream(pools, { ...call, connectMs, firstByteMs, idleMs, signal }) };
  } catch (error) {
    return failed(transportFailure(error, target));
  }
}

/** Aborts the exchange when the client leaves before its answer is complete, or at the target's total deadline. */
export function exchangeSignal(res: ServerResponse, totalMs: number): { signal: AbortSignal; close(): void } {
  const controller = new AbortController();
  const onClientGone = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClientGone);
  const deadline = setTimeout(() => controller.abort(new DOMException('total timeout', 'TimeoutError')), totalMs);
  return {
    signal: controller.signal,
    close() {
      clearTimeout(deadline);
      res.off('close', onClientGone);
    },
  };
}

export function transportFailure(error: unknown, target: PlanTarget): AttemptFailure {
  if (classifyUpstreamFailure(error) === 'timeout') {
    return { kind: 'timeout', error: gatewayError(504, `The provider (${target.provider}) did not answer in time.`, 'upstream_timeout'), outcome: 'timeout' };
  }
  return {
    kind: 'unreachable',
    error: gatewayError(502, `The provider (${target.provider}) could not be reached: ${(error as Error).message}`, 'upstream_unreachable'),
    outcome: 'upstream_unreachable',
  };
}
