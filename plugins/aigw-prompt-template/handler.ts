/**
 * aigw-prompt-template: renders the template a request selects (OpenAI's `prompt` object, Kong's
 * `{template://name}`) into its messages, and puts the route's decoration around them, before the
 * guardrails, the cache and aigw-proxy see the request. A templated request cannot be answered
 * without its template, so this is not an optimisation: PostgreSQL unreachable → 503; bad
 * variables → 400 naming them; an unknown template, version or label → 404, each in the client's
 * own error shape. A raw prompt passes untouched (decorated) unless the route takes templates only.
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { conversationFormatOf, endpointOf } from '../../lib/endpoints';
import { clientFormatOf, type GatewayError, gatewayError } from '../../lib/errors';
import { ANY_MODEL, IDENTITY_CTX_KEY, modelNotAllowed, type RequestIdentity, resolveModelName, restoreIdentity } from '../../lib/identity';
import { subscribeInvalidations } from '../../lib/invalidation-channel';
import { pluginLog } from '../../lib/kong/log';
import type { Kong } from '../../lib/kong/pdk';
import { logRefusal, requestLogFor } from '../../lib/kong/request-log';
import { exitWith } from '../../lib/kong/respond';
import { RateLimiter } from '../../lib/limits';
import { PluginTrace, pluginTracing } from '../../lib/observability/plugin-trace';
import type { RequestLogWriter } from '../../lib/store/request-log-writer';
import { pgFor, redisFor } from '../../lib/store-clients';
import {
  applyRenderedTemplate,
  type ConversationFormat,
  type Decoration,
  decorateRequest,
  type PreparedTemplate,
  parseDecoration,
  parseTemplateSelection,
  type RenderLimits,
  renderTemplate,
  resolveVersion,
  TemplateError,
  type TemplateSelection,
  type TemplateVersions,
} from '../../lib/templates';
import { loadTemplateForRender, loadTemplateVersions, prepareLoaded } from '../../lib/templates/store';
import { estimatePromptTokens } from '../../lib/tokens';
import { parseJsonBody } from '../../lib/validate';
import type { PromptTemplateConfig } from './config';
import { templateMetrics } from './metrics';
import { TemplateCache } from './template-cache';

const PLUGIN = 'aigw-prompt-template';
const UNAVAILABLE = gatewayError(503, 'The gateway could not load the prompt template right now; the request was not forwarded.', 'template_unavailable');
const TEMPLATE_REQUIRED = gatewayError(
  400,
  'This route accepts templated requests only: select a template with \'prompt\' ({"id": "name", "variables": {...}}) or a \'{template://name}\' reference.',
  'template_required',
  'prompt',
);

/** One cache per process, shared by every instance of the plugin, subscribed once. */
let sharedCache: TemplateCache | null = null;

function cacheFor(config: PromptTemplateConfig): TemplateCache {
  if (!sharedCache) {
    const cache = new TemplateCache({ ttlMs: config.cache_ttl_seconds * 1000, unsubscribedTtlMs: 1000, maxEntries: 10_000 });
    subscribeInvalidations(config.redis_url, {
      onMessage: (message) => cache.invalidate(message),
      onState: (subscribed) => cache.channelState(subscribed),
    });
    sharedCache = cache;
  }
  return sharedCache;
}

/** A store failure (as opposed to a TemplateError about the request or the template). */
class StoreUnavailable extends Error {}

function templateRefusal(error: TemplateError): GatewayError {
  return gatewayError(error.status, error.message, error.code, error.details.param ?? null);
}

/** The request field a missing template, version or label is blamed on. */
function selectorParam(selection: TemplateSelection): string {
  if (selection.syntax === 'kong') return selection.field;
  return selection.selector.kind === 'default' ? 'prompt.id' : 'prompt.version';
}

/** A store call's failure as unavailability; the engine's own errors (a partial that is a chat template) stay what they are. */
function unavailable(error: unknown): never {
  if (error instanceof TemplateError) throw error;
  throw new StoreUnavailable((error as Error).message);
}

/** The formats a template renders into: Google's `contents` has no template support. */
function templateFormat(path: string): ConversationFormat | undefined {
  const format = conversationFormatOf(path);
  return format === 'google' ? undefined : format;
}

export class PromptTemplateHandler {
  private readonly cache: TemplateCache;
  private readonly pool: Pool;
  private readonly redis: Redis;
  private readonly requestLog: RequestLogWriter | null;
  private readonly decoration: Decoration;
  private readonly limits: RenderLimits;
  private readonly tracing = pluginTracing(PLUGIN);
  private readonly metrics = templateMetrics();

  constructor(private readonly config: PromptTemplateConfig) {
    this.cache = cacheFor(config);
    this.pool = pgFor(config.database_url);
    this.redis = redisFor(config.redis_url);
    this.requestLog = requestLogFor(config.database_url, PLUGIN);
    this.decoration = parseDecoration({ prepend: config.prepend ?? [], append: config.append ?? [] });
    this.limits = { maxOutputChars: config.max_output_chars, maxExpansions: config.max_expansions };
  }

  async access(kong: Kong): Promise<void> {
    const startedAt = Date.now();
    let identity: RequestIdentity | undefined;
    let path = '';
    let error: GatewayError | null;
    try {
      identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
      path = (await kong.request.getPath()).replace(/\/+$/, '');
      error = await this.apply(kong, path, identity);
    } catch (thrown) {
      await pluginLog(kong, PLUGIN, 'error', 'the prompt template could not be loaded', { error: thrown });
      error = UNAVAILABLE;
    }
    const trace = PluginTrace.start(this.tracing, PLUGIN, identity?.traceparent, startedAt);
    trace?.end(error);
    if (!error) return;
    this.metrics.refusal(path, error, identity);
    if (identity?.keyId) {
      const { requestId, keyId, teamId, model, admittedAt } = identity;
      await logRefusal(kong, this.requestLog, PLUGIN, { requestId, keyId, teamId, model: model || null, startedAt: admittedAt }, error);
    }
    return exitWith(kong, clientFormatOf(path), error);
  }

  /** Renders and decorates the body; the refusal to answer, or null when the request goes on. */
  private async apply(kong: Kong, path: string, identity: RequestIdentity | undefined): Promise<GatewayError | null> {
    const format = templateFormat(path);
    if (!format) return null;
    const max = this.config.max_request_body_bytes;
    const raw = await kong.request.getRawBody(max);
    // Oversized and malformed bodies are aigw-proxy's to refuse, in its words.
    if (!raw || raw.length > max) return null;
    const parsed = parseJsonBody(Buffer.from(raw));
    if (!parsed.ok) return null;
    const body = parsed.value;
    let selection: TemplateSelection | null;
    try {
      selection = parseTemplateSelection(body);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      this.metrics.render('', null, error.code);
      return templateRefusal(error);
    }
    if (!selection) {
      if (this.config.templates_only) return TEMPLATE_REQUIRED;
      if (this.hasDecoration()) await kong.service.request.setRawBody(JSON.stringify(decorateRequest(body, format, this.decoration)));
      return null;
    }
    return this.render(kong, path, format, body, selection, identity);
  }

  private hasDecoration(): boolean {
    return (this.decoration.prepend?.length ?? 0) + (this.decoration.append?.length ?? 0) > 0;
  }

  private async render(
    kong: Kong,
    path: string,
    format: ConversationFormat,
    body: Record<string, unknown>,
    selection: TemplateSelection,
    identity: RequestIdentity | undefined,
  ): Promise<GatewayError | null> {
    const { name } = selection;
    let known = false;
    let version: number | null = null;
    let prepared: PreparedTemplate;
    let rendered: Record<string, unknown>;
    try {
      const versions = await this.versionsOf(name);
      known = versions !== undefined;
      version = resolveVersion(name, selection.selector, versions, selectorParam(selection));
      prepared = await this.preparedOf(name, version);
      const output = renderTemplate(prepared, selection.variables, { param: selection.variablesParam, limits: this.limits });
      rendered = decorateRequest(applyRenderedTemplate(body, format, selection, output, prepared.definition), format, this.decoration);
    } catch (error) {
      if (error instanceof StoreUnavailable) {
        this.metrics.render(known ? name : 'unknown', version, 'unavailable');
        this.metrics.storeError('postgres', 'template_load');
        await pluginLog(kong, PLUGIN, 'error', 'template store unavailable', { template: known ? name : 'unknown', error: error.message });
        return UNAVAILABLE;
      }
      if (!(error instanceof TemplateError)) throw error;
      this.metrics.render(known ? name : 'unknown', version, error.code);
      return templateRefusal(error);
    }
    this.metrics.render(name, version, 'ok');
    const refusal = this.checkModel(rendered, identity);
    if (refusal) return refusal;
    await kong.service.request.setRawBody(JSON.stringify(rendered));
    if (identity) await this.updateIdentity(kong, identity, path, rendered, { name, version, hash: prepared.hash });
    return null;
  }

  /**
   * The key's model rules apply to the model finally used: aigw-virtual-key checked the request's
   * own model, but a template's default model arrives only here. Aliases are rewritten as the key
   * plugin rewrites them.
   */
  private checkModel(rendered: Record<string, unknown>, identity: RequestIdentity | undefined): GatewayError | null {
    if (typeof rendered.model !== 'string') return null;
    const { model, allowed } = resolveModelName(identity?.models ?? ANY_MODEL, rendered.model);
    if (!allowed) return modelNotAllowed(rendered.model);
    rendered.model = model;
    return null;
  }

  /**
   * The identity after rendering: the template (for the cache scope, the plan and the ledger), the
   * model, and a prompt estimate for the rendered body, so budgets (reserved by aigw-proxy from it)
   * and tokens per minute stay upper bounds: what the estimate grew by is added to the minute's
   * tokens now, as admission would have (never lowered: the relay corrects against this estimate).
   */
  private async updateIdentity(
    kong: Kong,
    identity: RequestIdentity,
    path: string,
    rendered: Record<string, unknown>,
    template: { name: string; version: number; hash: string },
  ): Promise<void> {
    const tokensCounted = identity.budgets.length > 0 || identity.rateSubjects.some((subject) => subject.tpm !== null);
    let promptTokensEstimate = identity.promptTokensEstimate;
    if (tokensCounted) {
      promptTokensEstimate = Math.max(identity.promptTokensEstimate, estimatePromptTokens(rendered, endpointOf(path)));
      const grown = promptTokensEstimate - identity.promptTokensEstimate;
      if (grown > 0)
        await new RateLimiter(this.redis).addTokens(identity.rateSubjects, grown, { admittedAt: identity.admittedAt }).catch(() => {
          // A rate correction is not money: one attempt; the budget reservation still uses the new estimate.
          this.metrics.storeError('redis', 'rate_correction');
        });
    }
    const model = typeof rendered.model === 'string' ? rendered.model : identity.model;
    await kong.ctx.shared.set(IDENTITY_CTX_KEY, { ...identity, model, promptTokensEstimate, template });
  }

  private async versionsOf(name: string): Promise<TemplateVersions | undefined> {
    const cached = this.cache.getVersions(name);
    if (cached.hit) return cached.value;
    const versions = await loadTemplateVersions(this.pool, name).catch(unavailable);
    this.cache.setVersions(name, versions);
    return versions;
  }

  private async preparedOf(name: string, version: number): Promise<PreparedTemplate> {
    const cached = this.cache.getPrepared(name, version);
    if (cached) return cached;
    const loaded = await loadTemplateForRender(this.pool, name, version).catch(unavailable);
    if (!loaded) throw new TemplateError('template_not_found', `Template '${name}' has no version ${version}`, { param: 'prompt' });
    // A partial moved to a version that no longer links is the template's fault: a 400 naming it.
    const prepared = prepareLoaded(loaded);
    this.cache.setPrepared(name, version, prepared);
    return prepared;
  }
}
