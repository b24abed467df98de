/**
 * What the relay admits: a body within its limit, under a valid signed plan used once and for
 * this endpoint, valid for the client's format and translatable for every target of its plan
 * (the same rules as aigw-proxy: the relay cannot assume the plugin ran), in canonical form for
 * translation. Every refusal is a GatewayError.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpointOf, isTokenCount } from '../../lib/endpoints';
import { failed, type GatewayError, gatewayError, ok, type Result } from '../../lib/errors';
import { GuardActions } from '../../lib/guardrails/actions';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import { BodyTooLarge, readBody } from '../../lib/http';
import { GuardrailSeries } from '../../lib/metrics/guardrail-series';
import { parseTraceparent, TRACEPARENT_HEADER } from '../../lib/observability/traceparent';
import type { ChatRequest } from '../../lib/openai-types';
import { type Endpoint, type ProviderType, type RoutePlan, verifyPlan } from '../../lib/plan';
import { judgedByPolicy, planRefusal, policyFormatOf } from '../../lib/translation-policy';
import { parseJsonBody, validateClientRequest } from '../../lib/validate';
import { adaptersFor, NATIVE_FORWARDED_HEADERS } from './adapters';
import { clientIntent } from './adapters/openai';
import type { AnswerGuardSink } from './answer-guard';
import type { ClientFormat } from './client-formats/client-format';
import type { RelayDeps } from './deps';
import { continueResponse, type ResponseKeeper } from './responses/continuation';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { countedRequest } from './token-count/counted-request';
import type { RequestTrace } from './tracing';

const isResponses = (endpoint: Endpoint): boolean => endpoint === 'responses' || endpoint === 'responses.input_tokens';

/** One admitted client request: what every attempt reads. */
export interface RelayRequest {
  plan: RoutePlan;
  rawBody: Buffer;
  clientBody: Record<string, unknown>;
  /** The request in canonical (OpenAI) form, for translated attempts; null for embeddings. */
  canonical: ChatRequest | null;
  /** The client's format, for this request (a Responses answer repeats its request's settings). */
  format: ClientFormat;
  /** The client's headers a provider reads on native pass-through (anthropic-beta …), lower-case names. */
  clientHeaders: Readonly<Record<string, string>>;
  /** Keeps the answer for a later previous_response_id (/v1/responses); absent or null when nothing is kept. */
  keeper?: ResponseKeeper | null;
  /** The kept response this request continues (its previous_response_id), if any. */
  continues?: string | null;
  stream: boolean;
  /** The client asked for the usage chunk itself (stream_options.include_usage). */
  wantsStreamUsage: boolean;
  startedAt: number;
  /** The same moment on the monotonic clock (performance.now()): durations never go backwards with the wall clock. */
  startedAtMono?: number;
  policy: RetryPolicy;
  /** The client's connection, where the answer is written. */
  res: ServerResponse;
  /** Its spans, when tracing is on. */
  trace?: RequestTrace | null;
  /** The W3C trace the request belongs to (its traceparent), for the request log; null without one. */
  traceId?: string | null;
  /** Where the answer's guardrails count and log what they find (answer-guard.ts); absent: quiet. */
  guardSink?: AnswerGuardSink;
  /** The guardrail actions taken: the request's (from the plan) and the answer's, for the ledger and the request log. */
  guardActions?: GuardActions;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The canonical form translated attempts need. A plan whose every target speaks the client's
 * format natively needs none, so what only translation refuses (server tools, …) passes there.
 */
export function canonicalFor(
  format: ClientFormat,
  body: Record<string, unknown>,
  targets: ReadonlyArray<{ provider: ProviderType }>,
): { ok: true; request: ChatRequest | null } | { ok: false; refusal: GatewayError } {
  if (targets.every((t) => adaptersFor(t.provider).native?.clientFormat === format.name)) return { ok: true, request: null };
  const converted = format.toCanonical(body);
  return converted.ok ? converted : { ok: false, refusal: converted.refusal };
}

function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NATIVE_FORWARDED_HEADERS) {
    const value = req.headers[name];
    // Repeated lines are one comma-separated list (anthropic-beta takes several betas).
    if (value !== undefined) out[name] = (Array.isArray(value) ? value.join(',') : value).slice(0, MAX_FORWARDED_HEADER_CHARS);
  }
  return out;
}

const MAX_FORWARDED_HEADER_CHARS = 4096;

export async function admit(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  format: ClientFormat,
  deps: Pick<RelayDeps, 'config' | 'log' | 'usedPlans' | 'responses' | 'metrics'>,
): Promise<Result<RelayRequest>> {
  const startedAt = Date.now();
  const startedAtMono = performance.now();
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req, deps.config.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) return failed(gatewayError(413, 'The request body is too large.', 'request_too_large'));
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
    return failed(gatewayError(401, `Unauthorized: ${check.reason}. The relay only accepts requests routed by the gateway.`, 'invalid_route_plan'));
  }
  const plan = check.plan;
  // A captured plan replayed within its expiry (same body, same request id) would call the
  // provider again: each plan is used once.
  if (!deps.usedPlans.claim(plan.requestId, plan.expiresAt)) {
    deps.log.warn('rejected a route plan used before', { requestId: plan.requestId, path });
    return failed(
      gatewayError(401, 'Unauthorized: this route plan was already used. The relay only accepts requests routed by the gateway.', 'invalid_route_plan'),
    );
  }
  if (endpointOf(path) !== plan.endpoint) return failed(gatewayError(400, `The route plan is for ${plan.endpoint}, not ${path}.`, 'route_plan_mismatch'));
  // The plan vouches for the body aigw-proxy saw, not for its shape: adapters rely on the same
  // validation, run here again (depth-checked parse, then the client format's own rules).
  const parsed = parseJsonBody(rawBody);
  if (!parsed.ok) return failed(gatewayError(400, parsed.message, 'invalid_json'));
  const valid = validateClientRequest(plan.endpoint, parsed.value);
  if (!valid.ok) return failed(gatewayError(400, valid.message, valid.code, valid.param));
  // A Responses request may continue a kept one: from here on, the body holds that context too.
  const continued = isResponses(plan.endpoint) ? await continueResponse(parsed.value, plan, deps.responses ?? null, deps.log) : null;
  if (continued && !continued.ok) return continued;
  const clientBody = continued ? continued.value.body : parsed.value;
  const embeddings = plan.endpoint === 'embeddings';
  const counting = isTokenCount(plan.endpoint);
  // What one of the plan's targets could not take is refused before anything is translated, as
  // aigw-proxy refuses it (the same rule over the same plan).
  const untranslatable = judgedByPolicy(plan.endpoint) ? planRefusal(policyFormatOf(plan.endpoint), clientBody, plan.targets) : null;
  if (untranslatable) return failed(untranslatable);
  const converted = embeddings ? null : counting ? countedRequest(clientBody) : canonicalFor(format, clientBody, plan.targets);
  if (converted && !converted.ok) return failed(converted.refusal);
  // Embeddings and token counts are never streamed, whatever the body says; Google's path says whether it streams.
  const intent = format.intent ? format.intent() : ok(clientIntent(clientBody, !embeddings && !counting));
  if (!intent.ok) return intent;
  const { stream, wantsStreamUsage } = intent.value;
  return ok({
    plan,
    rawBody,
    clientBody,
    canonical: converted ? converted.request : null,
    format: format.forRequest?.(parsed.value) ?? format,
    clientHeaders: forwardedHeaders(req),
    keeper: continued?.value.keeper ?? null,
    continues: continued?.value.continues ?? null,
    stream,
    wantsStreamUsage,
    startedAt,
    startedAtMono,
    policy: { ...DEFAULT_RETRY_POLICY, ...(plan.retry ?? {}) },
    res,
    traceId: parseTraceparent(req.headers[TRACEPARENT_HEADER])?.traceId ?? null,
    ...(plan.guardrails ? guardOf(plan, deps) : {}),
  });
}

/** The answer's guard sink, collecting the answer's actions after the request's. */
function guardOf(plan: RoutePlan, deps: Pick<RelayDeps, 'log' | 'metrics'>): Pick<RelayRequest, 'guardSink' | 'guardActions'> {
  const guardActions = new GuardActions(plan.guardrails?.actions);
  return { guardActions, guardSink: guardSinkOf(deps, guardActions) };
}

/** The relay's guardrail series, and one log line per finding: detector, type and action, never the text. */
function guardSinkOf(deps: Pick<RelayDeps, 'log' | 'metrics'>, actions: GuardActions): AnswerGuardSink {
  const series = deps.metrics ? GuardrailSeries.of(deps.metrics.registry) : null;
  return {
    event(detector, type, action, phase) {
      series?.event(detector, type, action, phase);
      actions.note(detector, action, phase);
      deps.log.info('guardrail finding in the answer', { detector, type, action });
    },
    scanned: (phase, seconds) => series?.scanned(phase, seconds),
  };
}
