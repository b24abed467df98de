/**
 * aigw-router: when the client names a router (a public model name such as `auto`), picks the
 * model group for this request (lib/router: rules, semantic routes, difficulty, cascade) among the
 * candidates its key may use, and hands the decision to aigw-proxy in the identity. A request
 * that names a model costs one PDK round trip here (the identity) when the key plugin read the
 * model; a router's request adds the path, the body (and the headers when a rule reads them) and
 * the identity's write.
 *
 * Routing is an optimisation: it fails open (the router's default model, a `fallback:` reason, a
 * metric and a log line). A key that may use none of the candidates is refused, as the key plugin
 * refuses a model. Without an identity (the key plugin's server down) it does nothing: aigw-proxy
 * refuses that request.
 */
import { conversationFormatOf } from '../../lib/endpoints';
import { clientFormatOf, type GatewayError } from '../../lib/errors';
import { googlePathOf } from '../../lib/google-paths';
import type { EmbedTexts } from '../../lib/guardrails/similarity';
import { IDENTITY_CTX_KEY, type ModelPolicy, modelNotAllowed, type RequestIdentity, resolveModelName, restoreIdentity } from '../../lib/identity';
import { pluginLog } from '../../lib/kong/log';
import type { Kong } from '../../lib/kong/pdk';
import { logRefusal, policyNotes } from '../../lib/kong/request-log';
import { exitWith } from '../../lib/kong/respond';
import { PluginTrace, pluginTracing } from '../../lib/observability/plugin-trace';
import type { CompiledRouter } from '../../lib/router/config';
import { decideRoute } from '../../lib/router/decide';
import type { RouteDecision } from '../../lib/router/decision';
import { requestFeatures } from '../../lib/router/features';
import { requestEmbedder } from '../../lib/router/references';
import type { RequestLogWriter } from '../../lib/store/request-log-writer';
import { parseJsonBody } from '../../lib/validate';
import type { RouterConfig } from './config';
import { PLUGIN, type RouterMetrics } from './metrics';
import { compileRouters } from './routers';

export interface RouterDeps {
  /** The inference sidecar's Embed; null without one (no semantic routes, difficulty from features alone). */
  embedTexts: EmbedTexts | null;
  metrics: RouterMetrics;
  requestLog: RequestLogWriter | null;
}

const NO_EMBEDDING = async (): Promise<null> => null;

/** decideRoute's embed for a router: its references' model under the deadline; none without a sidecar. */
function embedderOf(router: CompiledRouter, embed: EmbedTexts | null, deadlineMs: number): (text: string) => Promise<Float32Array | null> {
  return embed ? requestEmbedder(router.references, embed, deadlineMs) : NO_EMBEDDING;
}

/** Whether the key (and its team) may use a configured model group: its allow-lists, aliases aside. */
function mayUse(policy: ModelPolicy, model: string): boolean {
  return resolveModelName({ ...policy, aliases: [] }, model).allowed;
}

/** `GET /v1/models[/…]` and `GET /v1beta/models[/…]`: the listings aigw-proxy answers. */
function isListing(path: string): boolean {
  const google = googlePathOf(path);
  return path === '/v1/models' || path.startsWith('/v1/models/') || google?.kind === 'models' || google?.kind === 'model';
}

/** Metadata compared as text, so `equals: "true"` matches a boolean and `"3"` a number. */
function asText(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const text: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(metadata ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') text[field] = String(value);
  }
  return text;
}

/** The fail-open stage a `fallback:` reason names, as a bounded label. */
function fallbackStage(reason: string): string | null {
  if (!reason.startsWith('fallback:')) return null;
  const stage = reason.slice('fallback:'.length).split(/[^a-z_]/, 1)[0] ?? '';
  return /^[a-z_]{1,32}$/.test(stage) ? stage : 'other';
}

/** What this request asked for, as far as it had to be read to know. */
interface Requested {
  model: string;
  path: string | null;
  body: Record<string, unknown> | null;
}

export class RouterHandler {
  private readonly routers: ReadonlyMap<string, CompiledRouter>;
  /** Each router's request embedder (its references' model, the plugin's deadline). */
  private readonly embedders: ReadonlyMap<string, (text: string) => Promise<Float32Array | null>>;
  private readonly tracing = pluginTracing(PLUGIN);

  constructor(
    private readonly config: RouterConfig,
    private readonly deps: RouterDeps,
  ) {
    this.routers = compileRouters(config.routers, deps.embedTexts);
    this.embedders = new Map([...this.routers].map(([name, router]) => [name, embedderOf(router, deps.embedTexts, config.embed_deadline_ms)]));
  }

  async access(kong: Kong): Promise<void> {
    if (this.routers.size === 0) return;
    const startedAt = Date.now();
    const identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
    // Not admitted by the key plugin: aigw-proxy refuses it; nothing to route.
    if (!identity) return;
    let router: CompiledRouter | undefined;
    let path: string | null = null;
    let trace: PluginTrace | null = null;
    let error: GatewayError | null = null;
    try {
      const requested = await this.requested(kong, identity);
      if (!requested) return;
      path = requested.path;
      router = this.routers.get(requested.model);
      if (!router) return;
      trace = PluginTrace.start(this.tracing, PLUGIN, identity.traceparent, startedAt);
      path ??= await kong.request.getPath();
      error = await this.route(kong, identity, router, path, requested.body, trace);
    } catch (thrown) {
      if (!router) {
        await pluginLog(kong, PLUGIN, 'warn', 'failed open: the request was not routed', { error: thrown });
        this.deps.metrics.failedOpen('error');
        return;
      }
      error = await this.fallBack(kong, identity, router, 'fallback:error', thrown);
    }
    trace?.end(error);
    if (!error) return;
    const requestPath = path ?? (await kong.request.getPath());
    this.deps.metrics.refusal(requestPath, error, identity);
    const { requestId, keyId, teamId, model, admittedAt } = identity;
    await logRefusal(
      kong,
      this.deps.requestLog,
      PLUGIN,
      { requestId, keyId, teamId, model: model || null, startedAt: admittedAt, ...policyNotes(identity) },
      error,
    );
    return exitWith(kong, clientFormatOf(requestPath), error);
  }

  /**
   * The model name the request sent, read as cheaply as possible: the identity has it when the key
   * plugin read the body; else the path (a listing, or Google's model) and then the body. A listing
   * learns the routers this key may send instead (null: nothing more to do).
   */
  private async requested(kong: Kong, identity: RequestIdentity): Promise<Requested | null> {
    if (identity.model) return { model: identity.model, path: null, body: null };
    const path = (await kong.request.getPath()).replace(/\/+$/, '');
    if (isListing(path)) {
      await this.nameRouters(kong, identity);
      return null;
    }
    const google = googlePathOf(path);
    if (google?.kind === 'generate') return { model: resolveModelName(identity.models, google.model).model, path, body: null };
    if (!conversationFormatOf(path)) return null;
    const body = await this.readBody(kong, identity);
    if (!body || typeof body.model !== 'string') return null;
    return { model: resolveModelName(identity.models, body.model).model, path, body };
  }

  /** For aigw-proxy's listings: the routers this key may send (the name allowed, and a candidate it may use). */
  private async nameRouters(kong: Kong, identity: RequestIdentity): Promise<void> {
    const names = [...this.routers.values()]
      .filter((r) => resolveModelName(identity.models, r.name).allowed && r.definition.candidates.some((c) => mayUse(identity.models, c)))
      .map((r) => r.name);
    if (names.length > 0) await kong.ctx.shared.set(IDENTITY_CTX_KEY, { ...identity, routers: names });
  }

  private async readBody(kong: Kong, identity: RequestIdentity): Promise<Record<string, unknown> | null> {
    const max = this.config.max_request_body_bytes;
    // A larger body never crosses the plugin-server socket (its decoding is quadratic in size).
    if ((identity.contentLength ?? 0) > max) return null;
    const raw = await kong.request.getRawBody(max);
    // aigw-proxy refuses what is too large or does not parse, in the client's shape.
    if (!raw || raw.length > max) return null;
    const parsed = parseJsonBody(Buffer.from(raw));
    return parsed.ok ? parsed.value : null;
  }

  private async route(
    kong: Kong,
    identity: RequestIdentity,
    router: CompiledRouter,
    path: string,
    knownBody: Record<string, unknown> | null,
    trace: PluginTrace | null,
  ): Promise<GatewayError | null> {
    // A key that may not send the router's name (Google's model in the path) is aigw-proxy's to refuse.
    if (!resolveModelName(identity.models, router.name).allowed) return null;
    const usable = router.definition.candidates.filter((candidate) => mayUse(identity.models, candidate));
    if (usable.length === 0) return modelNotAllowed(router.name);
    const format = conversationFormatOf(path);
    // A router's name on another endpoint (embeddings): aigw-proxy answers that the model does not exist.
    if (!format) return null;
    const body = knownBody ?? (await this.readBody(kong, identity));
    if (!body) return null;
    const span = trace?.decision('route');
    const started = performance.now();
    const needsHeaders = router.rules.some((rule) => rule.when.header);
    const headers = needsHeaders ? await kong.request.getHeaders() : {};
    const google = googlePathOf(path);
    const stream = google?.kind === 'generate' ? google.stream : body.stream === true;
    const features = requestFeatures(body, format, {
      headers,
      keyMetadata: asText(identity.keyMetadata),
      teamMetadata: asText(identity.teamMetadata),
      stream,
    });
    const decided = await decideRoute(router, features, { embed: this.embedders.get(router.name)! });
    const decision = withinAllowlist(decided, usable, router.defaultModel);
    this.deps.metrics.decided(decision, (performance.now() - started) / 1000);
    if (span)
      trace!.decided(span, null, {
        'aigw.router': decision.router,
        'aigw.route': decision.route,
        'aigw.route.model': decision.model,
        'aigw.route.reason': decision.reason,
      });
    const stage = fallbackStage(decided.reason);
    if (stage) {
      this.deps.metrics.routingFailedOpen(router.name, stage);
      await pluginLog(kong, PLUGIN, 'warn', 'routing failed open: the default model was chosen', {
        router: router.name,
        model: decision.model,
        reason: decision.reason,
      });
    }
    await kong.ctx.shared.set(IDENTITY_CTX_KEY, { ...identity, route: decision });
    return null;
  }

  /** Something broke while routing: the default model (or the first the key may use), counted and logged. */
  private async fallBack(kong: Kong, identity: RequestIdentity, router: CompiledRouter, reason: string, error: unknown): Promise<GatewayError | null> {
    const usable = router.definition.candidates.filter((candidate) => mayUse(identity.models, candidate));
    if (usable.length === 0) return modelNotAllowed(router.name);
    const decision = withinAllowlist({ router: router.name, model: router.defaultModel, route: 'default', reason }, usable, router.defaultModel);
    this.deps.metrics.decided(decision, 0);
    this.deps.metrics.routingFailedOpen(router.name, 'error');
    await pluginLog(kong, PLUGIN, 'warn', 'routing failed open: the default model was chosen', { router: router.name, model: decision.model, error });
    try {
      await kong.ctx.shared.set(IDENTITY_CTX_KEY, { ...identity, route: decision });
    } catch {
      // Without the write, aigw-proxy finds no decision and answers that the router is no model.
    }
    return null;
  }
}

/**
 * The decision, kept to the models the key may use: a chosen model it may not use becomes the
 * router's default (or the first usable candidate), and a cascade that would escalate to a model it
 * may not use is dropped (its weak model answers alone); either says so (`route=allowlist`,
 * `reason=allowlist:<the route the policy chose>`; reasons hold no `;`, which separates the
 * header's fields).
 */
export function withinAllowlist(decision: RouteDecision, usable: readonly string[], defaultModel: string): RouteDecision {
  const escalates = !decision.cascade || usable.includes(decision.cascade.escalate_to);
  if (usable.includes(decision.model) && escalates) return decision;
  const model = usable.includes(decision.model) ? decision.model : usable.includes(defaultModel) ? defaultModel : usable[0]!;
  return { router: decision.router, model, route: 'allowlist', reason: `allowlist:${decision.route}` };
}
