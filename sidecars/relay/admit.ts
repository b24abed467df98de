/**
 * What the relay admits: a body within its limit, under a valid signed plan used once and for
 * this endpoint, valid for the client's format (the same rules as aigw-proxy: the relay cannot
 * assume the plugin ran), in canonical form for translation (or with the reason it has none,
 * for the attempts that would need it). Every refusal is a GatewayError.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpointOf } from '../../lib/endpoints';
import { failed, gatewayError, ok, type Result } from '../../lib/errors';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import { BodyTooLarge, readBody } from '../../lib/http';
import { type RoutePlan, verifyPlan } from '../../lib/plan';
import { parseJsonBody, validateClientRequest } from '../../lib/validate';
import { NATIVE_FORWARDED_HEADERS } from './adapters';
import { clientIntent } from './adapters/openai';
import type { CanonicalRequest, ClientFormat } from './client-formats/client-format';
import type { RelayDeps } from './deps';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

/** One admitted client request: what every attempt reads. */
export interface RelayRequest {
  plan: RoutePlan;
  rawBody: Buffer;
  clientBody: Record<string, unknown>;
  /**
   * The request in canonical (OpenAI) form for translated attempts, or why it cannot be translated
   * (refused only where it must be: a target of the client's own format takes it as sent); null for embeddings.
   */
  canonical: CanonicalRequest | null;
  format: ClientFormat;
  /** The client's headers a provider reads on native pass-through (anthropic-beta …), lower-case names. */
  clientHeaders: Readonly<Record<string, string>>;
  stream: boolean;
  /** The client asked for the usage chunk itself (stream_options.include_usage). */
  wantsStreamUsage: boolean;
  startedAt: number;
  policy: RetryPolicy;
  /** The client's connection, where the answer is written. */
  res: ServerResponse;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
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
  deps: Pick<RelayDeps, 'config' | 'log' | 'usedPlans'>,
): Promise<Result<RelayRequest>> {
  const startedAt = Date.now();
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
  const clientBody = parsed.value;
  const valid = validateClientRequest(plan.endpoint, clientBody);
  if (!valid.ok) return failed(gatewayError(400, valid.message, valid.code, valid.param));
  const embeddings = plan.endpoint === 'embeddings';
  // Embeddings are never streamed, whatever the body says.
  const intent = format.intent ? format.intent() : ok(clientIntent(clientBody, !embeddings));
  if (!intent.ok) return intent;
  const { stream, wantsStreamUsage } = intent.value;
  return ok({
    plan,
    rawBody,
    clientBody,
    canonical: embeddings ? null : format.toCanonical(clientBody),
    format,
    clientHeaders: forwardedHeaders(req),
    stream,
    wantsStreamUsage,
    startedAt,
    policy: { ...DEFAULT_RETRY_POLICY, ...(plan.retry ?? {}) },
    res,
  });
}
