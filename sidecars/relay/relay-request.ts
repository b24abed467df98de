/**
 * One relayed request: verify the plan, then walk its targets (retrying each as the policy
 * allows, failing over to the next), answer the client in its own format, charge the bill once
 * and record usage.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpointOf } from '../../lib/endpoints';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import { BodyTooLarge, readBody } from '../../lib/http';
import type { Logger } from '../../lib/log';
import { gatewayError, type GatewayError } from '../../lib/errors';
import type { ChatCompletion, ChatRequest } from '../../lib/openai-types';
import { completionText } from '../../lib/tokens';
import { verifyPlan, type PlanTarget, type RoutePlan } from '../../lib/plan';
import type { SingleUse } from '../../lib/single-use';
import { parseJsonBody, validateClientRequest } from '../../lib/validate';
import { nanoToUsdString } from '../../lib/pricing';
import { adaptersFor } from './adapters';
import { buildRequest, clientIntent, usageFromResponse } from './adapters/openai';
import { completionId, isRefused, type ChatAdapter, type EmbeddingsAdapter, type MappedError } from './adapters/types';
import type { RelayBilling } from './billing';
import { estimateUsage } from './estimate';
import type { RelayMetrics } from './metrics';
import type { TargetFeedback } from './target-feedback';
import type { ParallelSlots } from './parallel-slots';
import type { ClientFormat } from './client-format';
import { clientFormatFor } from './formats';
import { stripAnthropicExtensions } from './ingress/anthropic-request';
import { credentialAllowed, type RelayConfig } from './config';
import { sendError, sendJson } from './respond';
import { decide, DEFAULT_RETRY_POLICY, parseRetryAfter, type FailureKind, type RetryPolicy } from './retry-policy';
import { passthroughSource, runStream, SSE_HEADERS, translatedSource } from './stream-engine';
import { callUpstream, classifyUpstreamFailure, type UpstreamPools } from './upstream';
import { upstreamHeaders } from './upstream-headers';
import type { TokenUsage, UsageOutcome, UsageRecord, UsageSink } from './usage';

export interface RelayDeps {
  config: RelayConfig;
  pools: UpstreamPools;
  usage: UsageSink;
  log: Logger;
  env: NodeJS.ProcessEnv;
  billing: RelayBilling;
  metrics?: RelayMetrics;
  feedback: TargetFeedback;
  slots: ParallelSlots;
  /** Plans already relayed (each is accepted once). */
  usedPlans: SingleUse;
}


export const COST_HEADER = 'x-gateway-cost';


function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A failed attempt, as the client would see it if nothing else works. */
interface Failure {
  kind: FailureKind;
  error: GatewayError;
  retryAfterMs?: number;
  outcome: UsageOutcome;
}

interface Request {
  plan: RoutePlan;
  rawBody: Buffer;
  clientBody: Record<string, unknown>;
  /** The request in canonical (OpenAI) form, for translated attempts. */
  canonical: ChatRequest | null;
  format: ClientFormat;
  stream: boolean;
  wantsStreamUsage: boolean;
  startedAt: number;
  /** The target that produced (or last failed) the answer. */
  target: PlanTarget;
  costNano?: number | null;
  res: ServerResponse;
  policy: RetryPolicy;
  /** Set when the answer is recorded, for the target's latency and usage stats. */
  firstByteAt?: number | null;
  usage?: TokenUsage | null;
  /** A provider accepted the call (its response head arrived): it bills the prompt even if the client leaves. */
  upstreamAnswered?: boolean;
}

export async function handleRelayRequest(req: IncomingMessage, res: ServerResponse, deps: RelayDeps): Promise<void> {
  const startedAt = Date.now();
  const path = (req.url ?? '').split('?')[0];
  const format = clientFormatFor(path);
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req, deps.config.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) return sendError(res, format.name, gatewayError(413, 'The request body is too large.', 'request_too_large'));
    throw error;
  }
  const check = verifyPlan(
    { plan: header(req, PLAN_HEADER), signature: header(req, PLAN_SIGNATURE_HEADER) },
    header(req, REQUEST_ID_HEADER),
    rawBody,
    deps.config.planSecret,
  );
  if (!check.ok) {
    deps.log.warn('rejected request without a valid route plan', { reason: check.reason, path });
    return sendError(res, format.name, gatewayError(401, `Unauthorized: ${check.reason}. The relay only accepts requests routed by the gateway.`, 'invalid_route_plan'));
  }
  const plan = check.plan;
  // A captured plan replayed within its expiry (same body, same request id) would call the
  // provider again: each plan is used once.
  if (!deps.usedPlans.claim(plan.requestId, plan.expiresAt)) {
    deps.log.warn('rejected a route plan used before', { requestId: plan.requestId, path });
    return sendError(res, format.name, gatewayError(401, 'Unauthorized: this route plan was already used. The relay only accepts requests routed by the gateway.', 'invalid_route_plan'));
  }
  if (endpointOf(path) !== plan.endpoint) {
    return sendError(res, format.name, gatewayError(400, `The route plan is for ${plan.endpoint}, not ${path}.`, 'route_plan_mismatch'));
  }
  // The plan vouches for the body aigw-proxy saw, not for its shape: adapters rely on the same
  // validation, run here again (depth-checked parse, then the client format's own rules).
  const parsed = parseJsonBody(rawBody);
  if (!parsed.ok) return sendError(res, format.name, gatewayError(400, parsed.message, 'invalid_json'));
  const clientBody = parsed.value;
  const valid = validateClientRequest(plan.endpoint, clientBody);
  if (!valid.ok) return sendError(res, format.name, gatewayError(400, valid.message, valid.code, valid.param));
  const converted = plan.endpoint === 'embeddings' ? null : format.toCanonical(clientBody);
  if (converted && !converted.ok) return sendError(res, format.name, converted.refusal);
  const { stream, wantsStreamUsage } = clientIntent(clientBody);
  const request: Request = {
    plan,
    rawBody,
    clientBody,
    canonical: converted ? converted.request : null,
    format,
    stream,
    wantsStreamUsage,
    startedAt,
    target: plan.targets[0],
    res,
    policy: { ...DEFAULT_RETRY_POLICY, ...(plan.retry ?? {}) },
  };
  const slot = deps.slots.hold(plan);
  try {
    await runPlan(request, deps);
  } finally {
    slot.release();
  }
}

async function runPlan(request: Request, deps: RelayDeps): Promise<void> {
  let last: Failure | null = null;
  const { plan } = request;
  if (plan.routing) deps.log.debug('routing', { requestId: plan.requestId, model: plan.model, ...plan.routing });
  for (const [position, target] of plan.targets.entries()) {
    request.target = target;
    for (let retries = 0; ; retries++) {
      const startedAt = Date.now();
      deps.feedback.begin(target, plan.requestId);
      const failure = await attempt(request, target, deps);
      deps.feedback.end(target, plan.requestId, {
        ok: !failure,
        kind: failure?.kind,
        startedAt,
        firstByteAt: failure ? null : (request.firstByteAt ?? null),
        finishedAt: Date.now(),
        usage: failure ? null : (request.usage ?? null),
      });
      if (!failure) {
        deps.metrics?.routed(plan.model, plan.routing?.algorithm ?? 'none', target.provider, target.model, position);
        return;
      }
      last = failure;
      if (request.res.destroyed) return clientGone(request, deps);
      const decision = decide(failure.kind, retries, request.policy, failure.retryAfterMs);
      deps.log.info('attempt failed', {
        requestId: request.plan.requestId,
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
      if (decision.action === 'fail') return fail(request, deps, failure);
      break;
    }
  }
  if (last) return fail(request, deps, last);
}

/**
 * The client left before its (non-streamed) answer: once a provider had accepted the call it
 * bills the prompt, so the gateway bills the prompt too, counted and marked estimated.
 */
async function clientGone(request: Request, deps: RelayDeps): Promise<void> {
  const usage = request.upstreamAnswered ? estimated(request, '') : null;
  await charge(deps, request, usage, 'client_aborted');
  record(deps, request, 499, 'client_aborted', usage, null);
}

async function fail(request: Request, deps: RelayDeps, failure: Failure): Promise<void> {
  const costHeader = await charge(deps, request, null, failure.outcome);
  record(deps, request, failure.error.status, failure.outcome, null, null);
  sendError(request.res, request.format.name, { ...failure.error, headers: { ...failure.error.headers, ...costHeader } });
}

function resolveCredential(target: PlanTarget, deps: RelayDeps): string | null | Error {
  if (!target.credential) return null;
  if (!credentialAllowed(target.credential, deps.config)) return new Error(`${target.credential} is not an allowed credential name`);
  const value = deps.env[target.credential];
  if (!value) return new Error(`${target.credential} is not set in the relay's environment`);
  return value;
}

/** The provider's error with its headers for the client; the retry delay is the one the adapter read (Retry-After, RetryInfo, retry-after-ms). */
function failureFromMapped(mapped: MappedError, headers: Record<string, string | undefined>): Failure {
  const { kind, ...error } = mapped;
  const retryAfterMs = parseRetryAfter(error.headers['retry-after'] ?? headers['retry-after']);
  return { kind, error: { ...error, headers: { ...upstreamHeaders(headers), ...error.headers } }, retryAfterMs, outcome: 'upstream_error' };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value[0] : value;
  return out;
}

/** One attempt on one target; null when the client has been answered. */
async function attempt(request: Request, target: PlanTarget, deps: RelayDeps): Promise<Failure | null> {
  const { plan } = request;
  const apiKey = resolveCredential(target, deps);
  if (apiKey instanceof Error) {
    deps.log.error('credential unavailable', { requestId: plan.requestId, credential: target.credential, reason: apiKey.message });
    return { kind: 'config', error: gatewayError(502, `The gateway has no usable credential for this model: ${apiKey.message}`, 'upstream_credential_missing'), outcome: 'upstream_error' };
  }
  const spec = adaptersFor(target.provider);
  const embeddings = plan.endpoint === 'embeddings' ? spec.embeddings : null;
  const passthrough = request.format.name === 'openai' && spec.passthrough;
  const adapter: ChatAdapter | null = passthrough || plan.endpoint === 'embeddings' ? null : spec.chat;
  let url: string;
  let headers: Record<string, string>;
  let body: string | Buffer;
  if (embeddings) {
    const built = embeddings.request(target, request.clientBody, apiKey);
    if (isRefused(built)) return { kind: 'caller', error: built, outcome: 'upstream_error' };
    ({ url, headers, body } = built);
  } else if (passthrough || plan.endpoint === 'embeddings') {
    const built = buildRequest(plan.endpoint === 'embeddings' ? 'embeddings' : 'chat.completions', target, request.rawBody, request.clientBody, apiKey);
    ({ url, headers, body } = built.request);
  } else {
    // Anthropic-only fields (thinking, top_k, cache_control ...) would be refused by an OpenAI-format API.
    const canonical = request.format.name === 'anthropic' && spec.openAIChat ? stripAnthropicExtensions(request.canonical!) : request.canonical!;
    const built = adapter!.chatRequest(target, canonical, apiKey);
    if (isRefused(built)) return { kind: 'caller', error: built, outcome: 'upstream_error' };
    ({ url, headers, body } = built);
    if (built.dropped?.length) {
      deps.metrics?.dropped(target.provider, built.dropped);
      deps.log.debug('features dropped for target', { requestId: plan.requestId, provider: target.provider, dropped: built.dropped });
    }
  }

  const controller = new AbortController();
  const onClientGone = (): void => {
    if (!request.res.writableFinished) controller.abort();
  };
  request.res.on('close', onClientGone);
  const deadline = setTimeout(() => controller.abort(new DOMException('total timeout', 'TimeoutError')), target.timeouts.totalMs);
  try {
    let upstream;
    try {
      upstream = await callUpstream(deps.pools, {
        url,
        headers,
        body,
        connectMs: target.timeouts.connectMs,
        firstByteMs: target.timeouts.firstByteMs,
        idleMs: target.timeouts.idleMs,
        signal: controller.signal,
      });
    } catch (error) {
      return transportFailure(error, target);
    }
    const headersIn = flatHeaders(upstream.headers);
    if (upstream.statusCode < 400) request.upstreamAnswered = true;
    if (upstream.statusCode >= 400) {
      const text = await upstream.body.text();
      return failureFromMapped(spec.chat.mapError(upstream.statusCode, text, headersIn), headersIn);
    }
    const responseHeaders = { 'x-aigw-upstream-model': `${target.provider}/${target.model}`, ...upstreamHeaders(headersIn) };
    const contentType = headersIn['content-type'] ?? '';
    if (request.stream && (contentType.includes('text/event-stream') || !passthrough)) {
      return await streamAnswer(request, target, adapter, upstream, responseHeaders, deps);
    }
    if (embeddings) return await embeddingsAnswer(request, embeddings, await upstream.body.text(), responseHeaders, deps);
    return await jsonAnswer(request, target, adapter, await upstream.body.text(), responseHeaders, deps);
  } catch (error) {
    if (request.res.headersSent) {
      await charge(deps, request, null, 'stream_interrupted');
      record(deps, request, 200, 'stream_interrupted', null, null);
      request.res.destroy();
      return null;
    }
    return transportFailure(error, target);
  } finally {
    clearTimeout(deadline);
    request.res.off('close', onClientGone);
  }
}

function transportFailure(error: unknown, target: PlanTarget): Failure {
  const kind = classifyUpstreamFailure(error);
  if (kind === 'timeout') {
    return { kind: 'timeout', error: gatewayError(504, `The provider (${target.provider}) did not answer in time.`, 'upstream_timeout'), outcome: 'timeout' };
  }
  return {
    kind: 'unreachable',
    error: gatewayError(502, `The provider (${target.provider}) could not be reached: ${(error as Error).message}`, 'upstream_unreachable'),
    outcome: 'upstream_unreachable',
  };
}

async function jsonAnswer(
  request: Request,
  target: PlanTarget,
  adapter: ChatAdapter | null,
  text: string,
  headers: Record<string, string>,
  deps: RelayDeps,
): Promise<Failure | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'server', error: gatewayError(502, `The provider (${target.provider}) sent a response that is not JSON.`, 'upstream_invalid_response'), outcome: 'upstream_error' };
  }
  if (!adapter) {
    const usage = usageFromResponse(parsed) ?? estimated(request, completionText(parsed as ChatCompletion));
    const costHeader = await charge(deps, request, usage, 'ok');
    record(deps, request, 200, 'ok', usage, Date.now());
    sendJson(request.res, 200, text, { ...headers, ...costHeader });
    return null;
  }
  const ctx = { model: target.model, requestId: request.plan.requestId, created: Math.floor(request.startedAt / 1000) };
  const translated = adapter.chatResponse(parsed, ctx);
  const completion = translated.completion;
  const usage = translated.usage ?? estimated(request, completionText(completion));
  const costHeader = await charge(deps, request, usage, 'ok');
  record(deps, request, 200, 'ok', usage, Date.now());
  sendJson(request.res, 200, request.format.completion(completion, usage, costUsd(request)), { ...headers, ...costHeader });
  return null;
}

async function embeddingsAnswer(request: Request, adapter: EmbeddingsAdapter, text: string, headers: Record<string, string>, deps: RelayDeps): Promise<Failure | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'server', error: gatewayError(502, 'The provider sent embeddings that are not JSON.', 'upstream_invalid_response'), outcome: 'upstream_error' };
  }
  const translated = adapter.response(parsed, request.clientBody);
  const costHeader = await charge(deps, request, translated.usage, 'ok');
  record(deps, request, 200, 'ok', translated.usage, Date.now());
  sendJson(request.res, 200, translated.body, { ...headers, ...costHeader });
  return null;
}

async function streamAnswer(
  request: Request,
  target: PlanTarget,
  adapter: ChatAdapter | null,
  upstream: Awaited<ReturnType<typeof callUpstream>>,
  headers: Record<string, string>,
  deps: RelayDeps,
): Promise<Failure | null> {
  const created = Math.floor(request.startedAt / 1000);
  const encoder = request.format.streamEncoder({ id: completionId(request.plan.requestId), model: target.model, created, wantsUsage: request.wantsStreamUsage });
  const source = adapter
    ? translatedSource(adapter.chatStream({ model: target.model, requestId: request.plan.requestId, created }), encoder)
    : passthroughSource({ stream: true, wantsStreamUsage: request.wantsStreamUsage });
  const result = await runStream(upstream, source, {
    res: request.res,
    headers: { ...SSE_HEADERS, ...headers },
    encoder,
    settle: async (usage) => {
      await charge(deps, request, usage, 'ok');
      return costUsd(request);
    },
    estimate: (generatedText) => estimated(request, generatedText),
  });
  if (!result.committed) {
    return {
      kind: result.failure.kind,
      error: gatewayError(502, `The provider (${target.provider}) failed before answering: ${result.failure.message}`, 'upstream_stream_interrupted'),
      outcome: 'upstream_error',
    };
  }
  // Cut or abandoned mid-answer without usage from the provider: bill what it delivered,
  // counted by the gateway and marked estimated (never nothing, never the whole reservation).
  const usage = result.usage ?? estimated(request, source.generatedText());
  await charge(deps, request, usage, result.outcome);
  record(deps, request, 200, result.outcome, usage, result.firstByteAt);
  return null;
}

/** The provider reported no usage: count it, and say so (usage.estimated, a metric). */
function estimated(request: Request, generatedText: string): TokenUsage {
  return estimateUsage(request.plan.billing?.promptTokensEstimate, request.clientBody, generatedText);
}

function costUsd(request: Request): number | null {
  return request.costNano === undefined || request.costNano === null ? null : request.costNano / 1e9;
}

/** Charges the request (once) and returns the cost header for a complete response. */
async function charge(deps: RelayDeps, request: Request, usage: TokenUsage | null, outcome: UsageOutcome): Promise<Record<string, string>> {
  if (request.costNano === undefined) request.costNano = await deps.billing.settle(request.plan, request.target, usage, outcome);
  return request.costNano === null ? {} : { [COST_HEADER]: nanoToUsdString(request.costNano) };
}

function record(deps: RelayDeps, request: Request, status: number, outcome: UsageOutcome, usage: TokenUsage | null, firstByteAt: number | null): void {
  const now = Date.now();
  const entry: UsageRecord = {
    requestId: request.plan.requestId,
    endpoint: request.plan.endpoint,
    model: request.plan.model,
    provider: request.target.provider,
    providerModel: request.target.model,
    stream: request.stream,
    status,
    outcome,
    usage,
    startedAt: request.startedAt,
    firstByteMs: firstByteAt === null ? null : firstByteAt - request.startedAt,
    durationMs: now - request.startedAt,
    costNano: request.costNano ?? null,
    keyId: request.plan.billing?.keyId ?? null,
    teamId: request.plan.billing?.teamId ?? null,
  };
  request.firstByteAt = firstByteAt;
  request.usage = usage;
  deps.usage.record(entry);
  deps.billing.recordLedger(entry, request.plan);
}
