/**
 * aigw-virtual-key: who is calling, may they use this model, and do they fit their limits.
 * It runs before every other plugin of ours and FAILS CLOSED: Kong proxies a request whose plugin
 * threw, so every failure here ends the request itself (401/403/429/503), never silently.
 * Every PDK call is a round trip to this single-threaded server: the headers are read once, and
 * what later plugins and the log phase need travels in one kong.ctx.shared value.
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { ADMIN_MAX_BODY_BYTES, type AdminIdentity } from '../../lib/admin-identity';
import { hashKey } from '../../lib/api-keys';
import { clientFormatOf, type GatewayError, gatewayError } from '../../lib/errors';
import { IDENTITY_HEADER, IDENTITY_SIGNATURE_HEADER } from '../../lib/headers';
import { IDENTITY_CTX_KEY, type KeyRecord, modelPolicyOf, type RequestIdentity, restoreIdentity } from '../../lib/identity';
import { subscribeInvalidations } from '../../lib/invalidation-channel';
import type { Kong, KongConsumer, MultiMap } from '../../lib/kong/pdk';
import { logRefusal, type RefusedRequest, requestLogFor } from '../../lib/kong/request-log';
import { exitWith, requestPath } from '../../lib/kong/respond';
import { PluginTrace, pluginTracing } from '../../lib/observability/plugin-trace';
import { TRACEPARENT_HEADER } from '../../lib/observability/traceparent';
import type { Tracing } from '../../lib/observability/tracing';
import { sha256Hex } from '../../lib/plan';
import { canonicalTarget } from '../../lib/request-target';
import { cacheRequestHeadersOf } from '../../lib/semantic-cache/cache-control';
import { signEnvelope } from '../../lib/signing';
import type { RequestLogWriter } from '../../lib/store/request-log-writer';
import { touchKeyLastUsed } from '../../lib/store/virtual-keys';
import { pgFor, redisFor } from '../../lib/store-clients';
import { estimatePromptTokens } from '../../lib/tokens';
import { parseJsonBody } from '../../lib/validate';
import { admit, rateSubjects } from './admission';
import { finishRequest } from './bookkeeping';
import type { VirtualKeyConfig } from './config';
import { extractCredential, hasUrlKey } from './credentials';
import { KeyCache } from './key-cache';
import { lookupKey } from './key-lookup';
import { LastUsedRecorder } from './last-used';
import { type RefusalContext, virtualKeyMetrics } from './metrics';
import { budgetSubjects, keyStateRefusal, resolveModel, teamCacheOf } from './policy';

/** An admin identity only has to survive the hop from Kong to the control API. */
const IDENTITY_TTL_MS = 30_000;

const MISSING_KEY = gatewayError(
  401,
  "You didn't provide an API key. Send it as 'Authorization: Bearer <key>', 'apikey', 'x-api-key' or 'x-goog-api-key'.",
  'missing_api_key',
);
const URL_KEY = gatewayError(
  401,
  "API keys are not accepted in the URL (?key=): URLs are written to logs. Send the key in the 'x-goog-api-key' header (the Google GenAI SDKs do) or as 'Authorization: Bearer <key>'.",
  'api_key_in_url',
);
const UNKNOWN_KEY = gatewayError(401, 'Incorrect API key provided.', 'invalid_api_key');
const UNVERIFIED = gatewayError(503, 'The gateway could not verify the API key right now; the request was not forwarded.', 'auth_unavailable');

/** One cache per process: every instance of the plugin in this plugin server shares it. */
let sharedCache: KeyCache | null = null;
/** One last-used recorder per database, shared by the instances of this process. */
const recorders = new Map<string, LastUsedRecorder>();

function cacheFor(config: VirtualKeyConfig): KeyCache {
  if (!sharedCache) {
    sharedCache = new KeyCache({
      ttlMs: config.cache_ttl_seconds * 1000,
      negativeTtlMs: config.negative_cache_ttl_seconds * 1000,
      unsubscribedTtlMs: 1000,
      maxEntries: 50_000,
    });
    const cache = sharedCache;
    subscribeInvalidations(config.redis_url, {
      onMessage: (message) => cache.invalidate(message as { type?: string; id?: string; hash?: string }),
      onState: (subscribed) => cache.channelState(subscribed),
    });
  }
  return sharedCache;
}

function recorderFor(databaseUrl: string, pool: Pool): LastUsedRecorder {
  let recorder = recorders.get(databaseUrl);
  if (!recorder) {
    recorder = new LastUsedRecorder({ write: (ids, at) => touchKeyLastUsed(pool, ids, at) });
    recorders.set(databaseUrl, recorder);
  }
  return recorder;
}

function hasModelPolicy(record: KeyRecord): boolean {
  return record.allowedModels.length > 0 || Object.keys(record.modelAliases).length > 0 || (record.team?.allowedModels.length ?? 0) > 0;
}

/** The Content-Length a client sent (null: none, or not a number). */
function contentLengthOf(headers: MultiMap): number | null {
  const value = headers['content-length']?.[0];
  if (value === undefined || value.trim() === '') return null;
  const length = Number(value);
  return Number.isFinite(length) ? length : null;
}

type Verified = { ok: true; record: KeyRecord } | { ok: false; error: GatewayError };

/**
 * What a refusal may know, filled in as the request gets further: the key once verified and the
 * limit that refused it (for the metrics), and the request as the request log records it (only
 * for a verified key).
 */
type Refusal = RefusalContext & { request?: RefusedRequest };

export class VirtualKeyHandler {
  private readonly cache: KeyCache;
  private readonly redis: Redis;
  private readonly pool: Pool;
  private readonly lastUsed: LastUsedRecorder;
  private readonly requestLog: RequestLogWriter | null;
  private readonly consumers = new Map<string, { consumer: KongConsumer | null; at: number }>();
  private readonly tracing: Tracing = pluginTracing('aigw-virtual-key');
  private readonly metrics = virtualKeyMetrics();

  constructor(private readonly config: VirtualKeyConfig) {
    this.cache = cacheFor(config);
    this.redis = redisFor(config.redis_url);
    this.pool = pgFor(config.database_url);
    this.lastUsed = recorderFor(config.database_url, this.pool);
    this.requestLog = requestLogFor(config.database_url, 'aigw-virtual-key');
  }

  async access(kong: Kong): Promise<void> {
    const startedAt = Date.now();
    let error: GatewayError | null;
    let trace: PluginTrace | null = null;
    const seen: Refusal = {};
    try {
      const headers = await kong.request.getHeaders();
      // The client's traceparent is continued (or a trace started): the first span of the request.
      trace = PluginTrace.start(this.tracing, 'aigw-virtual-key', headers[TRACEPARENT_HEADER]?.[0], startedAt);
      error = await this.authorize(kong, headers, startedAt, seen, trace);
    } catch (thrown) {
      await kong.log.err(`aigw-virtual-key could not verify the request: ${(thrown as Error).message}`);
      error = UNVERIFIED;
    }
    trace?.end(error);
    if (!error) return;
    // The path is read only when refusing, so an admitted request pays no round trip for it.
    const path = await requestPath(kong);
    const format = clientFormatOf(path);
    // Google's API takes a key in the URL (?key=): refused, and told why; the query is read only then.
    if (error === MISSING_KEY && format === 'google' && hasUrlKey((await kong.request.getRawQuery()) ?? '')) error = URL_KEY;
    this.metrics.refusal(path, error, seen);
    if (seen.request) await logRefusal(kong, this.requestLog, 'aigw-virtual-key', seen.request, error);
    return exitWith(kong, format, error);
  }

  /** After the response: free the parallel slot, refund a reservation never settled. */
  async log(kong: Kong): Promise<void> {
    const identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
    if (identity) finishRequest(this.redis, identity, Date.now());
  }

  private async authorize(kong: Kong, headers: MultiMap, startedAt: number, seen: Refusal, trace: PluginTrace | null): Promise<GatewayError | null> {
    const credential = extractCredential(headers);
    // The control API's console sessions carry a cookie, not a key: the control API authenticates
    // those itself (and refuses the rest), so on its route a request without a key goes on unsigned.
    if (!credential) return this.config.require_admin ? null : MISSING_KEY;
    const auth = trace?.decision('auth');
    const verified = await this.verify(hashKey(credential));
    if (auth) trace!.decided(auth, verified.ok ? null : verified.error);
    if (!verified.ok) return verified.error;
    const record = verified.record;
    trace?.span.setAttributes({ 'aigw.key_id': record.id, 'aigw.team_id': record.teamId ?? '' });
    seen.record = record;
    this.lastUsed.seen(record.id);
    const requestId = await kong.nginx.getVar('kong_request_id');
    if (!requestId) throw new Error('Kong did not provide a request id');
    seen.request = { requestId, keyId: record.id, teamId: record.teamId, model: null, startedAt };
    await this.authenticate(kong, record);

    const contentLength = contentLengthOf(headers);
    if (this.config.require_admin) return this.forwardAdmin(kong, record, requestId, contentLength, headers);

    const now = Date.now();
    // A route whose requests spend no provider tokens (token counts) has no budget and no tpm to meet.
    const tokenLimits = this.config.token_limits;
    const budgets = tokenLimits ? budgetSubjects(record, now) : [];
    const subjects = rateSubjects(record, tokenLimits);
    // The body crosses the plugin-server socket and tokenizing costs CPU: only when a policy needs them.
    const needsTokens = budgets.length > 0 || subjects.some((s) => s.tpm !== null);
    const needsModel = needsTokens || hasModelPolicy(record);
    const body = needsModel && hasBody(contentLength, headers) ? await this.readJsonBody(kong, contentLength) : null;
    let model: string | null = null;
    if (body && typeof body.model === 'string') {
      seen.request.model = body.model;
      const resolved = resolveModel(record, body.model);
      if ('status' in resolved) return resolved;
      model = resolved.model;
      if (model !== body.model) await kong.service.request.setRawBody(JSON.stringify({ ...body, model }));
    }
    const promptTokens = body && needsTokens ? estimatePromptTokens(body) : 0;
    const leaseMs = this.config.parallel_lease_seconds * 1000;
    const limits = trace?.decision('limits');
    const admission = await admit(this.redis, { requestId, record, promptTokens, now, leaseMs, tokenLimits }).catch((error: unknown) => {
      this.metrics.storeError('redis', 'admission');
      throw error;
    });
    if (limits) trace!.decided(limits, admission.ok ? null : admission.error, { 'aigw.limits.subjects': subjects.length, 'aigw.budgets': budgets.length });
    if (!admission.ok) {
      if (admission.limit !== 'parallel') seen.rateLimit = admission.limit;
      return admission.error;
    }
    if (Object.keys(admission.headers).length > 0) await kong.response.setHeaders(admission.headers);

    // One value for aigw-proxy and for this plugin's log phase (which frees the slot).
    const teamCache = teamCacheOf(record);
    const cacheHeaders = cacheRequestHeadersOf(headers);
    const identity: RequestIdentity = {
      requestId,
      contentLength,
      keyId: record.id,
      keyAlias: record.keyAlias,
      role: record.role,
      teamId: record.teamId,
      teamName: record.team?.name ?? null,
      userId: record.userId,
      model: model ?? '',
      promptTokensEstimate: promptTokens,
      budgets,
      rateSubjects: subjects,
      admittedAt: now,
      parallelLeaseMs: admission.slotTaken ? leaseMs : null,
      models: modelPolicyOf(record),
      ...(teamCache ? { teamCache } : {}),
      ...(cacheHeaders ? { cacheHeaders } : {}),
      ...(trace ? { traceparent: trace.traceparent } : {}),
    };
    await kong.ctx.shared.set(IDENTITY_CTX_KEY, identity);
    return null;
  }

  private async verify(hash: string): Promise<Verified> {
    const lookup = await lookupKey(hash, {
      cache: this.cache,
      redis: this.redis,
      pool: this.pool,
      redisTtlSeconds: this.config.redis_cache_ttl_seconds,
      redisNegativeTtlSeconds: Math.max(1, this.config.negative_cache_ttl_seconds),
      onStoreError: (store, operation) => this.metrics.storeError(store, operation),
    });
    if (lookup.status === 'unavailable') throw new Error(`key stores unavailable: ${lookup.reason}`);
    if (lookup.status === 'unknown') return { ok: false, error: UNKNOWN_KEY };
    const refusal = keyStateRefusal(lookup.record, Date.now());
    return refusal ? { ok: false, error: refusal } : { ok: true, record: lookup.record };
  }

  /** Kong's own per-consumer plugins (rate-limiting, acl, prometheus) see the team's consumer. */
  private async authenticate(kong: Kong, record: KeyRecord): Promise<void> {
    const consumerRef = record.team?.kongConsumer ?? null;
    const consumer = consumerRef ? await this.consumer(kong, consumerRef) : null;
    await kong.client.authenticate(consumer, { id: record.id });
  }

  private async consumer(kong: Kong, ref: string): Promise<KongConsumer | null> {
    const cached = this.consumers.get(ref);
    if (cached && Date.now() - cached.at < 60_000) return cached.consumer;
    const consumer = (await kong.client.loadConsumer(ref, true)) ?? (await kong.client.loadConsumer(ref, false)) ?? null;
    this.consumers.set(ref, { consumer, at: Date.now() });
    return consumer;
  }

  private async readJsonBody(kong: Kong, contentLength: number | null): Promise<Record<string, unknown> | null> {
    // Oversized and malformed bodies are aigw-proxy's to refuse with the right error.
    if ((contentLength ?? 0) > this.config.max_request_body_bytes) return null;
    const raw = await kong.request.getRawBody(this.config.max_request_body_bytes);
    if (!raw || raw.length > this.config.max_request_body_bytes) return null;
    // Depth-checked: a hostile nesting must not reach code that recurses.
    const parsed = parseJsonBody(Buffer.from(raw));
    return parsed.ok ? parsed.value : null;
  }

  /**
   * Signs the admin identity for this one request, as a route plan is: its method, the
   * request-target the control API will receive and the body's hash. Kong sends the control API
   * $upstream_uri, which its router set before access (normalised, escaped path) and to which it
   * appends "?" and $args after access (kong/runloop/handler.lua); the control API compares the
   * same canonical form (lib/request-target.ts) and accepts each identity once.
   */
  private async forwardAdmin(kong: Kong, record: KeyRecord, requestId: string, contentLength: number | null, headers: MultiMap): Promise<GatewayError | null> {
    if (record.role !== 'admin') return gatewayError(403, 'This API key is not an admin key.', 'admin_required');
    const tooLarge = gatewayError(413, `The request body exceeds ${ADMIN_MAX_BODY_BYTES} bytes.`, 'request_too_large');
    // Before the body crosses the plugin-server socket; an in-memory body ignores get_raw_body's max, hence the check after.
    if ((contentLength ?? 0) > ADMIN_MAX_BODY_BYTES) return tooLarge;
    // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 §6.3): nothing to read.
    const body = hasBody(contentLength, headers) ? await kong.request.getRawBody(ADMIN_MAX_BODY_BYTES) : Buffer.alloc(0);
    if (body === undefined || body === null || body.length > ADMIN_MAX_BODY_BYTES) return tooLarge;
    const upstreamPath = await kong.nginx.getVar('upstream_uri');
    if (!upstreamPath) throw new Error('Kong did not provide the upstream uri');
    const identity: AdminIdentity = {
      keyId: record.id,
      role: record.role,
      expiresAt: Date.now() + IDENTITY_TTL_MS,
      method: await kong.request.getMethod(),
      path: canonicalTarget(upstreamPath, (await kong.request.getRawQuery()) ?? ''),
      bodySha256: sha256Hex(Buffer.from(body)),
    };
    const envelope = signEnvelope(identity, requestId, this.config.signing_secret);
    await kong.service.request.setHeaders({ [IDENTITY_HEADER]: envelope.payload, [IDENTITY_SIGNATURE_HEADER]: envelope.signature });
    return null;
  }
}

/** Whether the request carries a body at all (a zero Content-Length is none). */
function hasBody(contentLength: number | null, headers: MultiMap): boolean {
  return (contentLength ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
}
