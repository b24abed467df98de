/**
 * aigw-proxy: validates a client's request (OpenAI, Anthropic or Google format), picks its route
 * plan, refuses what the plan's targets cannot take (lib/translation-policy), signs the plan and
 * sends the request to the relay. It never talks to a provider itself: JS plugins cannot stream
 * a response.
 * Every PDK call is a round trip to this single-threaded server: what aigw-virtual-key already
 * read (request id, Content-Length, the key's models) comes with its identity.
 */

import { endpointOf, isTokenCount } from '../../lib/endpoints';
import { type ClientFormatName, clientFormatOf, type GatewayError, gatewayError } from '../../lib/errors';
import { googlePathOf } from '../../lib/google-paths';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER } from '../../lib/headers';
import { ANY_MODEL, IDENTITY_CTX_KEY, modelNotAllowed, type RequestIdentity, resolveModelName, restoreIdentity, usableModelNames } from '../../lib/identity';
import { pluginLog } from '../../lib/kong/log';
import type { Kong } from '../../lib/kong/pdk';
import { logRefusal, policyNotes, requestLogFor } from '../../lib/kong/request-log';
import { exitJson, exitWith } from '../../lib/kong/respond';
import { PluginTrace, pluginTracing } from '../../lib/observability/plugin-trace';
import { TRACEPARENT_HEADER } from '../../lib/observability/traceparent';
import type { Tracing } from '../../lib/observability/tracing';
import { type Endpoint, type PlanBilling, type RoutePlan, sha256Hex, signPlan } from '../../lib/plan';
import { decodePathSegment } from '../../lib/request-target';
import type { RouteDecision } from '../../lib/router/decision';
import type { RequestLogWriter } from '../../lib/store/request-log-writer';
import { pgFor, redisFor } from '../../lib/store-clients';
import type { InnerGroup } from '../../lib/strategy/plan';
import type { Selection } from '../../lib/strategy/select';
import { estimatePromptTokens, requestedMaxOutput } from '../../lib/tokens';
import { judgedByPolicy, planRefusal, policyFormatOf } from '../../lib/translation-policy';
import { type BudgetStores, reserveBudget } from './budget';
import { type AiProxyConfig, type CompiledModels, compileModels, type ModelGroup, parseRelayUrl, planTargets } from './config';
import { continuedContext } from './continuation';
import { proxyMetrics, type Seen } from './metrics';
import { ANTHROPIC_LISTING, GOOGLE_LISTING, type ModelListing, OPENAI_LISTING } from './models';
import { cascadePlan, type MultiCall, selectStrategy, strategyPlan } from './multi-call';
import { type Route, routeTargets } from './routing';
import { MAX_MODEL_LENGTH, parseJsonBody, validateFor } from './validate';

const NOT_ADMITTED = gatewayError(503, 'The gateway could not verify the API key right now; the request was not forwarded.', 'auth_unavailable');
const UNAVAILABLE = gatewayError(503, 'The gateway could not route this request right now; it was not forwarded.', 'gateway_unavailable');

function methodNotAllowed(method: string, path: string, allowed: string): GatewayError {
  return gatewayError(405, `${method} is not allowed on ${path}; use ${allowed}.`, 'method_not_allowed', null, { allow: allowed });
}

function unknownUrl(method: string, path: string): GatewayError {
  return gatewayError(404, `Invalid URL (${method} ${path}).`, 'unknown_url');
}

function modelNotFound(name: string): GatewayError {
  return gatewayError(404, `The model \`${name}\` does not exist or you do not have access to it.`, 'model_not_found', 'model');
}

/**
 * A model named in the path (Google's API): checked like a body's `model`, then its alias and
 * the key's allow-lists applied here, as aigw-virtual-key applies them to a body's model.
 */
function pathModel(name: string, identity: RequestIdentity | undefined): { model: string } | GatewayError {
  if (name.length === 0 || name.length > MAX_MODEL_LENGTH) {
    return gatewayError(400, `The model name in the path must be 1 to ${MAX_MODEL_LENGTH} characters.`, 'invalid_value', 'model');
  }
  const { model, allowed } = resolveModelName(identity?.models ?? ANY_MODEL, name);
  return allowed ? { model } : modelNotAllowed(name);
}

export class AiProxyHandler {
  private readonly models: CompiledModels;
  private readonly configured: ReadonlySet<string>;
  private readonly relay: { host: string; port: number };
  private readonly stores: BudgetStores;
  private readonly tracing: Tracing = pluginTracing('aigw-proxy');
  private readonly metrics = proxyMetrics();
  private readonly requestLog: RequestLogWriter | null;

  constructor(private readonly config: AiProxyConfig) {
    this.models = compileModels(config);
    this.configured = new Set(this.models.names);
    this.relay = parseRelayUrl(config.relay_url);
    this.stores = {
      redis: config.redis_url ? redisFor(config.redis_url) : null,
      pool: config.database_url ? pgFor(config.database_url) : null,
    };
    this.requestLog = requestLogFor(config.database_url, 'aigw-proxy');
  }

  async access(kong: Kong): Promise<void> {
    // Kong fails open when a plugin throws, so every failure must end the request here.
    const startedAt = Date.now();
    let format: ClientFormatName = 'openai';
    let error: GatewayError | null;
    let trace: PluginTrace | null = null;
    let path = '';
    // What the answer's metrics may know about the request.
    const seen: Seen = {};
    try {
      path = (await kong.request.getPath()).replace(/\/+$/, '');
      format = clientFormatOf(path);
      // Read back from a Lua table: null fields come back missing (restoreIdentity puts them back).
      const identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
      seen.identity = identity;
      trace = PluginTrace.start(this.tracing, 'aigw-proxy', identity?.traceparent, startedAt);
      error = await this.route(kong, path, identity, seen, trace);
    } catch (thrown) {
      await kong.log.err(`aigw-proxy failed: ${(thrown as Error).message}`);
      // Budget stores unreachable is an outage, not a bug: 503, and never an unbilled call.
      error = UNAVAILABLE;
    }
    trace?.end(error);
    if (!error) return;
    this.metrics.refusal(path, error, seen, this.configured);
    await this.logRefusal(kong, error, seen.identity);
    return exitWith(kong, format, error);
  }

  /** A verified key's request refused here goes to the request log. */
  private async logRefusal(kong: Kong, error: GatewayError, identity: RequestIdentity | undefined): Promise<void> {
    if (!this.requestLog || !identity?.keyId) return;
    const { requestId, keyId, teamId, model, admittedAt } = identity;
    const who = { requestId, keyId, teamId, model: model || null, startedAt: admittedAt, ...policyNotes(identity) };
    await logRefusal(kong, this.requestLog, 'aigw-proxy', who, error);
  }

  private async route(kong: Kong, path: string, identity: RequestIdentity | undefined, seen: Seen, trace: PluginTrace | null): Promise<GatewayError | null> {
    // Kong skips a plugin whose plugin server is down or hung (fail-open): without the key
    // plugin's identity this request was never authenticated, so it is never routed.
    if (!identity && this.config.require_key) {
      this.metrics.identityUnverified('missing_identity');
      return NOT_ADMITTED;
    }
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      // Both SDKs call GET /v1/models; Anthropic's always sends its API version.
      const listing = (await kong.request.getHeader('anthropic-version')) !== undefined ? ANTHROPIC_LISTING : OPENAI_LISTING;
      const name = path === '/v1/models' ? null : decodePathSegment(path.slice('/v1/models/'.length));
      return this.describeModels(kong, path, identity, name, listing);
    }
    const google = googlePathOf(path);
    if (google?.kind === 'models') return this.describeModels(kong, path, identity, null, GOOGLE_LISTING);
    // Another method on a model is a custom method (`:countTokens`) the gateway does not serve.
    if (google?.kind === 'model') return this.describeModels(kong, path, identity, google.model, GOOGLE_LISTING, unknownUrl);
    const endpoint = endpointOf(path);
    // Reached through the catch-all route (deck/kong.yaml): an unknown path, in our error shape.
    if (!endpoint) return unknownUrl(await kong.request.getMethod(), path);
    return this.proxy(kong, path, endpoint, identity, seen, trace, google?.model);
  }

  /** `GET /v1/models[/{name}]`, `GET /v1beta/models[/{name}]`: the names this key may send, its aliases included. */
  private async describeModels(
    kong: Kong,
    path: string,
    identity: RequestIdentity | undefined,
    name: string | null,
    listing: ModelListing,
    otherMethod: (method: string, path: string) => GatewayError = (method) => methodNotAllowed(method, path, 'GET'),
  ): Promise<GatewayError | null> {
    const method = await kong.request.getMethod();
    if (method !== 'GET' && method !== 'HEAD') return otherMethod(method, path);
    // Routers are aigw-router's to know: it names those this key may send in the identity.
    const usable = [...new Set([...usableModelNames(identity?.models ?? ANY_MODEL, this.configured), ...(identity?.routers ?? [])])];
    if (name === null) {
      this.metrics.listed(path, identity);
      await exitJson(kong, 200, listing.list(usable));
      return null;
    }
    if (!usable.includes(name)) return modelNotFound(name);
    this.metrics.listed(path, identity);
    await exitJson(kong, 200, listing.one(name));
    return null;
  }

  /** Target order for this request; shared stats unavailable is not a reason to refuse it. */
  private async orderTargetsFor(
    kong: Kong,
    group: ModelGroup,
    requestId: string,
    promptEstimate: number | undefined,
    body: Record<string, unknown>,
    endpoint: Endpoint,
  ): Promise<Route> {
    const needsTokens = group.algorithm === 'lowest-cost' || group.algorithm === 'lowest-latency' || group.algorithm === 'usage-based';
    const hashKey = group.algorithm === 'consistent-hash' ? ((await kong.request.getHeader(group.hashHeader)) ?? null) : null;
    try {
      return await routeTargets(this.models, group, this.stores.redis, {
        requestId,
        hashKey,
        promptTokens: promptEstimate || (needsTokens ? estimatePromptTokens(body) : 0),
        maxOutputTokens: requestedMaxOutput(body, endpoint),
        // The relay's token counts feed no target stats back (sidecars/relay/token-count).
        probe: !isTokenCount(endpoint),
      });
    } catch (error) {
      this.metrics.failedOpen('routing_stats');
      this.metrics.storeError('redis', 'routing_stats');
      await pluginLog(kong, 'aigw-proxy', 'warn', 'shared target stats unavailable, static order used', { error });
      return { targets: planTargets(this.models, group.name), routing: { algorithm: 'priority', reason: 'static order: shared target stats unavailable' } };
    }
  }

  /** A strategy's or a cascade's calls and reservation (multi-call.ts); null: one call. */
  private multiCall(
    selection: Selection | null,
    identity: RequestIdentity | undefined,
    route: RouteDecision | undefined,
    endpoint: Endpoint,
    body: Record<string, unknown>,
    base: InnerGroup,
    path: string,
  ): MultiCall | GatewayError | null {
    const input = { models: this.models, identity, endpoint, body, base, stream: body.stream === true || path.endsWith(':streamGenerateContent') };
    if (selection) return strategyPlan(this.config.strategies!, selection, input);
    return cascadePlan(route, input);
  }

  /** `modelInPath`: the model a Google GenAI path names (its body names none). */
  private async proxy(
    kong: Kong,
    path: string,
    endpoint: Endpoint,
    identity: RequestIdentity | undefined,
    seen: Seen,
    trace: PluginTrace | null,
    modelInPath?: string,
  ): Promise<GatewayError | null> {
    const max = this.config.max_request_body_bytes;
    const tooLarge = gatewayError(413, `The request body exceeds ${max} bytes.`, 'request_too_large');
    // Refuse before the body crosses the plugin-server socket, whose decoding is quadratic in size.
    const contentLength = identity ? identity.contentLength : Number(await kong.request.getHeader('content-length'));
    if ((contentLength ?? 0) > max) return tooLarge;
    // With a size, Kong reads a body spooled to disk instead of failing; an in-memory body ignores it
    // (kong/pdk/request.lua get_raw_body), hence the length check after.
    const body = await kong.request.getRawBody(max);
    if (body === undefined || body === null || body.length > max) return tooLarge;
    const bytes = Buffer.from(body);
    // The endpoint routes take POST only; other methods arrive through the catch-all route.
    if (bytes.length === 0) {
      const method = await kong.request.getMethod();
      if (method !== 'POST') return methodNotAllowed(method, path, 'POST');
    }
    const parsed = parseJsonBody(bytes);
    if (!parsed.ok) return gatewayError(400, parsed.message, 'invalid_json');
    const validation = validateFor(endpoint, parsed.value);
    if (!validation.ok) return gatewayError(400, validation.message, validation.code, validation.param);
    const resolved = modelInPath === undefined ? { model: validation.request.model } : pathModel(modelInPath, identity);
    if ('status' in resolved) return resolved;

    // A router's name (aigw-router decided): plan the model group it chose; the plan keeps the name sent.
    const routed = identity?.route?.router === resolved.model ? identity.route : undefined;
    const selected = selectStrategy(this.config.strategies, this.models, endpoint, parsed.value, routed?.model ?? resolved.model, identity);
    if ('status' in selected) return selected;
    const group = this.models.byName.get(selected.model);
    if (!group) return modelNotFound(selected.model);
    seen.model = group.name;

    const requestId = identity?.requestId || (await kong.nginx.getVar('kong_request_id'));
    if (!requestId) throw new Error('Kong did not provide a request id');
    const routing = trace?.decision('routing');
    const route = await this.orderTargetsFor(kong, group, requestId, identity?.promptTokensEstimate, parsed.value, endpoint);
    const targets = route.targets;
    if (routing) {
      const first = targets[0];
      trace!.decided(routing, null, {
        'aigw.routing.algorithm': route.routing.algorithm,
        'aigw.targets': targets.length,
        'aigw.target.provider': first?.provider ?? '',
        'aigw.target.model': first?.model ?? '',
      });
    }
    trace?.span.setAttributes({ 'gen_ai.request.model': resolved.model, 'aigw.endpoint': endpoint });
    // A feature one of the plan's targets cannot take is refused before the budget is reserved;
    // the relay asks the same of the same plan.
    const untranslatable = judgedByPolicy(endpoint) ? planRefusal(policyFormatOf(endpoint), parsed.value, targets) : null;
    if (untranslatable) return untranslatable;
    const multi = this.multiCall(selected.selection, identity, routed, endpoint, parsed.value, { model: group.name, targets }, path);
    if (multi && 'status' in multi) return multi;
    let billing: PlanBilling | undefined;
    if (identity) {
      const context = await continuedContext(this.stores.redis, identity, endpoint, parsed.value);
      if (!context.ok) return context.error;
      // Counting tokens costs nothing: no budget is reserved for it.
      const payer = endpoint === 'responses.input_tokens' ? { ...identity, budgets: [] } : identity;
      // An unsettled reservation is refunded by aigw-virtual-key's log phase, from the identity.
      const budget = trace?.decision('budget');
      const reservation = await reserveBudget(this.stores, {
        requestId,
        identity: payer,
        endpoint,
        targets: multi?.targets ?? targets,
        body: parsed.value,
        ...(multi ? { worstCase: multi.worstCase } : {}),
        context: context.value,
        now: Date.now(),
      }).catch((error: unknown) => {
        this.metrics.storeError('redis', 'budget_reserve');
        throw error;
      });
      if (budget) trace!.decided(budget, reservation.ok ? null : reservation.error);
      if (!reservation.ok) return reservation.error;
      billing = reservation.billing;
    }
    const plan: RoutePlan = {
      v: 1,
      requestId,
      endpoint,
      model: selected.selection ? group.name : resolved.model,
      targets,
      bodySha256: sha256Hex(bytes),
      expiresAt: Date.now() + this.config.plan_ttl_seconds * 1000,
      billing,
      retry: group.retry,
      routing: route.routing,
      ...(identity?.compression ? { compression: identity.compression } : {}),
      ...(identity?.cache ? { cache: identity.cache } : {}),
      ...(identity?.guardrails ? { guardrails: identity.guardrails } : {}),
      ...(identity?.template ? { template: identity.template } : {}),
      ...(routed ? { route: routed } : {}),
      ...(multi?.strategy ? { strategy: multi.strategy } : {}),
      ...(multi?.cascade ? { cascade: multi.cascade } : {}),
    };
    const signed = signPlan(plan, this.config.signing_secret);
    // The relay continues this plugin's span (in the same round trip as the plan).
    const traced: Record<string, string> = trace ? { [TRACEPARENT_HEADER]: trace.traceparent } : {};
    await kong.service.request.setHeaders({ [PLAN_HEADER]: signed.plan, [PLAN_SIGNATURE_HEADER]: signed.signature, ...traced });
    await kong.service.setTarget(this.relay.host, this.relay.port);
    return null;
  }
}
