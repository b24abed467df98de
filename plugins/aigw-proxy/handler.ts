/**
 * aigw-proxy: validates an OpenAI-format request, picks its route plan, signs it and sends the
 * request to the relay. It never talks to a provider itself: JS plugins cannot stream a response.
 */
import type { Kong } from '../../lib/kong/pdk';
import { exitJson, exitWithAnthropicError, exitWithError, exitWithErrorForPath } from '../../lib/kong/respond';
import { endpointOf } from '../../lib/endpoints';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER } from '../../lib/headers';
import { IDENTITY_CTX_KEY, restoreBudgetSubjects, restoreIdentity, type RequestIdentity } from '../../lib/identity';
import { signPlan, sha256Hex, type Endpoint, type PlanBilling, type RoutePlan } from '../../lib/plan';
import { pgFor, redisFor } from '../../lib/store-clients';
import { refundUnsettled, reserveBudget, type BudgetStores } from './budget';
import { compileModels, parseRelayUrl, planTargets, type AiProxyConfig, type CompiledModels, type ModelGroup } from './config';
import { routeTargets, type Route } from './routing';
import { estimatePromptTokens, requestedMaxOutput } from '../../lib/tokens';
import { modelList, modelObject } from './models';
import { parseJsonBody, validateFor } from './validate';


type Refuse = (status: number, message: string, code: string | null, param?: string | null, headers?: Record<string, string>) => Promise<void>;

/** Errors in the shape the client's SDK parses: Anthropic's on /v1/messages, OpenAI's elsewhere. */
function refuserFor(kong: Kong, endpoint: Endpoint): Refuse {
  if (endpoint === 'messages') return (status, message, _code, _param, headers) => exitWithAnthropicError(kong, status, message, headers);
  return (status, message, code, param = null, headers = {}) => exitWithError(kong, status, message, code, param, headers);
}

const RESERVATION_CTX_KEY = 'aigw.reservation';

function methodNotAllowed(refuse: Refuse, method: string, path: string, allowed: string): Promise<void> {
  return refuse(405, `${method} is not allowed on ${path}; use ${allowed}.`, 'method_not_allowed', null, { allow: allowed });
}

/** A path segment decoded, or kept as it is when its escapes are malformed (`%ZZ`). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class AiProxyHandler {
  private readonly models: CompiledModels;
  private readonly relay: { host: string; port: number };
  private readonly stores: BudgetStores;

  constructor(private readonly config: AiProxyConfig) {
    this.models = compileModels(config);
    this.relay = parseRelayUrl(config.relay_url);
    this.stores = {
      redis: config.redis_url ? redisFor(config.redis_url) : null,
      pool: config.database_url ? pgFor(config.database_url) : null,
    };
  }

  /** After the response: refund a reservation the relay never settled (the call never reached it). */
  async log(kong: Kong): Promise<void> {
    const reservation = (await kong.ctx.shared.get(RESERVATION_CTX_KEY)) as { requestId: string; budgets: unknown; expiresAt: number } | undefined;
    if (reservation && this.stores.redis) {
      refundUnsettled(this.stores.redis, reservation.requestId, restoreBudgetSubjects(reservation.budgets), reservation.expiresAt);
    }
  }

  async access(kong: Kong): Promise<void> {
    // Kong fails open when a plugin throws, so every failure must end the request here.
    try {
      await this.route(kong);
    } catch (error) {
      await kong.log.err(`aigw-proxy failed: ${(error as Error).message}`);
      // Budget stores unreachable is an outage, not a bug: 503, and never an unbilled call.
      return exitWithErrorForPath(kong, 503, 'The gateway could not route this request right now; it was not forwarded.', 'gateway_unavailable');
    }
  }

  private async route(kong: Kong): Promise<void> {
    const path = (await kong.request.getPath()).replace(/\/+$/, '');
    // Read back from a Lua table: null fields come back missing (restoreIdentity puts them back).
    const identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
    // Kong skips a plugin whose plugin server is down or hung (fail-open): without the key
    // plugin's identity this request was never authenticated, so it is never routed.
    if (!identity && this.config.require_key) {
      return exitWithErrorForPath(kong, 503, 'The gateway could not verify the API key right now; the request was not forwarded.', 'auth_unavailable');
    }
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      const method = await kong.request.getMethod();
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(refuserFor(kong, 'chat.completions'), method, path, 'GET');
      if (path === '/v1/models') return exitJson(kong, 200, modelList(this.models.names));
      return this.describeModel(kong, safeDecode(path.slice('/v1/models/'.length)));
    }
    const endpoint = endpointOf(path);
    // Reached through the catch-all route (deck/kong.yaml): an unknown path, in our error shape.
    if (!endpoint) {
      const refuse = refuserFor(kong, path.startsWith('/v1/messages/') ? 'messages' : 'chat.completions');
      return refuse(404, `Invalid URL (${await kong.request.getMethod()} ${path}).`, 'unknown_url');
    }
    return this.proxy(kong, endpoint, identity);
  }

  /** Target order for this request; shared stats unavailable is not a reason to refuse it. */
  private async orderTargetsFor(kong: Kong, group: ModelGroup, requestId: string, promptEstimate: number | undefined, body: Record<string, unknown>): Promise<Route> {
    const needsTokens = group.algorithm === 'lowest-cost' || group.algorithm === 'lowest-latency' || group.algorithm === 'usage-based';
    const hashKey = group.algorithm === 'consistent-hash' ? ((await kong.request.getHeader(group.hashHeader)) ?? null) : null;
    try {
      return await routeTargets(this.models, group, this.stores.redis, {
        requestId,
        hashKey,
        promptTokens: promptEstimate || (needsTokens ? estimatePromptTokens(body) : 0),
        maxOutputTokens: requestedMaxOutput(body),
      });
    } catch (error) {
      await kong.log.warn(`aigw-proxy: shared target stats unavailable, static order used: ${(error as Error).message}`);
      return { targets: planTargets(this.models, group.name), routing: { algorithm: 'priority', reason: 'static order: shared target stats unavailable' } };
    }
  }

  private describeModel(kong: Kong, name: string): Promise<void> {
    if (!this.models.byName.has(name)) return this.unknownModel(kong, name);
    return exitJson(kong, 200, modelObject(name));
  }

  private unknownModel(kong: Kong, name: string): Promise<void> {
    return exitWithError(kong, 404, `The model \`${name}\` does not exist or you do not have access to it.`, 'model_not_found', 'model');
  }

  private async proxy(kong: Kong, endpoint: Endpoint, identity: RequestIdentity | undefined): Promise<void> {
    const refuse = refuserFor(kong, endpoint);
    const max = this.config.max_request_body_bytes;
    const tooLarge = (): Promise<void> => refuse(413, `The request body exceeds ${max} bytes.`, 'request_too_large');
    // Refuse before the body crosses the plugin-server socket, whose decoding is quadratic in size.
    if (Number(await kong.request.getHeader('content-length')) > max) return tooLarge();
    // With a size, Kong reads a body spooled to disk instead of failing; an in-memory body ignores it
    // (kong/pdk/request.lua get_raw_body), hence the length check after.
    const body = await kong.request.getRawBody(max);
    if (body === undefined || body === null || body.length > max) return tooLarge();
    const bytes = Buffer.from(body);
    // The endpoint routes take POST only; other methods arrive through the catch-all route.
    if (bytes.length === 0) {
      const method = await kong.request.getMethod();
      if (method !== 'POST') return methodNotAllowed(refuse, method, await kong.request.getPath(), 'POST');
    }
    const parsed = parseJsonBody(bytes);
    if (!parsed.ok) return refuse(400, parsed.message, 'invalid_json');
    const validation = validateFor(endpoint, parsed.value);
    if (!validation.ok) return refuse(400, validation.message, validation.code, validation.param);

    const group = this.models.byName.get(validation.request.model);
    if (!group) return refuse(404, `The model \`${validation.request.model}\` does not exist or you do not have access to it.`, 'model_not_found', 'model');

    const requestId = await kong.nginx.getVar('kong_request_id');
    if (!requestId) throw new Error('Kong did not provide a request id');
    const route = await this.orderTargetsFor(kong, group, requestId, identity?.promptTokensEstimate, parsed.value);
    const targets = route.targets;
    let billing: PlanBilling | undefined;
    if (identity) {
      const reservation = await reserveBudget(this.stores, { requestId, identity, endpoint, targets, body: parsed.value, now: Date.now() });
      if (!reservation.ok) return refuse(reservation.status, reservation.message, reservation.code, null, reservation.headers);
      billing = reservation.billing;
      if (billing.reservedNano > 0) await kong.ctx.shared.set(RESERVATION_CTX_KEY, { requestId, budgets: billing.budgets, expiresAt: reservation.expiresAt });
    }
    const plan: RoutePlan = {
      v: 1,
      requestId,
      endpoint,
      model: validation.request.model,
      targets,
      bodySha256: sha256Hex(bytes),
      expiresAt: Date.now() + this.config.plan_ttl_seconds * 1000,
      billing,
      retry: group.retry,
      routing: route.routing,
    };
    const signed = signPlan(plan, this.config.signing_secret);
    await kong.service.request.setHeaders({ [PLAN_HEADER]: signed.plan, [PLAN_SIGNATURE_HEADER]: signed.signature });
    await kong.service.setTarget(this.relay.host, this.relay.port);
  }
}
