/**
 * aigw-semantic-cache: answers a repeated or reworded question from the cache, in the client's
 * format, before anything is planned, reserved or compressed. Exact first (the normalised last
 * user message within its scope), then by meaning (the sidecar's embedding, the scope's nearest
 * entries, then the guards that veto a similar but different question). A miss tells the relay,
 * through the identity and the signed plan, where to store the answer. An optimisation, so it
 * fails open: Redis, the sidecar or the embedder in trouble → a miss and one log line; never an
 * error, never a hit from another scope.
 */
import { IDENTITY_CTX_KEY, type RequestIdentity, restoreIdentity } from '../../lib/identity';
import { pluginLog } from '../../lib/kong/log';
import type { Kong } from '../../lib/kong/pdk';
import { pluginAnswerRow, policyNotes } from '../../lib/kong/request-log';
import { RateLimiter } from '../../lib/limits';
import { createLogger } from '../../lib/log';
import { PluginTrace, pluginTracing } from '../../lib/observability/plugin-trace';
import { CACHE_TTL_HEADER, parseCacheControl, type RequestCacheControl } from '../../lib/semantic-cache/cache-control';
import type { CacheFill } from '../../lib/semantic-cache/fill';
import { checkGuards } from '../../lib/semantic-cache/guards';
import { isCacheId } from '../../lib/semantic-cache/keys';
import { encodePendingFill, type PendingFill, pendingFillDigest } from '../../lib/semantic-cache/pending-fill';
import { type CacheKey, keyOf, MAX_SEMANTIC_QUERY_CHARS, namespaceOf } from '../../lib/semantic-cache/scope';
import type { CacheEntry } from '../../lib/semantic-cache/types';
import type { LedgerWriter } from '../../lib/store/ledger-writer';
import type { RequestLogWriter } from '../../lib/store/request-log-writer';
import { redisFor } from '../../lib/store-clients';
import { parseJsonBody } from '../../lib/validate';
import type { CacheBackend, Embedder } from './backend';
import { type CacheRoute, cacheModelOf, cacheRouteOf, keyedRequestOf } from './cache-route';
import type { SemanticCacheConfig } from './config';
import { keepResponsesHit } from './keep-hit';
import type { CacheMetrics, FailOpenStage, LookupKind, LookupResult } from './metrics';
import { renderHit } from './render';

/** For what happens after the access phase returned (kong's log is the request's only while it runs). */
const log = createLogger('aigw-semantic-cache');

/** Candidates checked by the guards before the lookup is a miss. */
const CANDIDATES = 3;

export const CACHE_STATUS = 'x-cache-status';

/** What a lookup did, for the metrics; null when the request is not the cache's (not an LLM endpoint, or a body aigw-proxy refuses). */
type Outcome = { result: LookupResult; kind: LookupKind } | null;

interface Hit {
  kind: 'exact' | 'semantic';
  entry: CacheEntry;
  /** 1 for an exact hit. */
  similarity: number;
}

export class SemanticCacheHandler {
  constructor(
    private readonly config: SemanticCacheConfig,
    private readonly backend: CacheBackend,
    private readonly embedder: Embedder,
    private readonly ledger: LedgerWriter | null,
    private readonly metrics: CacheMetrics | null = null,
    private readonly requestLog: RequestLogWriter | null = null,
  ) {}

  private readonly tracing = pluginTracing('aigw-semantic-cache');

  async access(kong: Kong): Promise<void> {
    const started = performance.now();
    const startedAt = Date.now();
    let outcome: Outcome;
    let identity: RequestIdentity | undefined;
    try {
      identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
      outcome = await this.lookup(kong, identity);
    } catch (error) {
      this.metrics?.lookupFailedOpen('lookup');
      await pluginLog(kong, 'aigw-semantic-cache', 'warn', 'lookup failed, treated as a miss', { error });
      outcome = { result: 'miss', kind: 'none' };
    }
    if (outcome) this.metrics?.lookup(outcome.result, outcome.kind, (performance.now() - started) / 1000);
    // The lookup as a span under aigw-virtual-key's (from the identity: no PDK call).
    const trace = outcome ? PluginTrace.start(this.tracing, 'aigw-semantic-cache', identity?.traceparent, startedAt) : null;
    trace?.span.setAttributes({ 'aigw.cache.result': outcome!.result, 'aigw.cache.kind': outcome!.kind });
    trace?.end(null);
  }

  private async lookup(kong: Kong, identity: RequestIdentity | undefined): Promise<Outcome> {
    const path = await kong.request.getPath();
    const route = cacheRouteOf(path);
    if (!route) return null;
    const consumerId = this.config.namespace === 'consumer' ? ((await kong.client.getConsumer())?.id ?? null) : null;
    const namespace = namespaceOf(this.config.namespace, { teamId: identity?.teamId ?? null, keyId: identity?.keyId ?? null, consumerId });
    const control = await this.requestCacheControl(kong, identity);
    const team = identity?.teamCache;
    // A prompt aigw-guardrails redacted with restoring on: its placeholders stand for this request's values only.
    const redacted = (identity?.guardrails?.restore?.length ?? 0) > 0;
    if (!namespace || control.noStore || team?.mode === 'off' || redacted) return this.bypass(kong);
    const max = this.config.max_request_body_bytes;
    const raw = await kong.request.getRawBody(max);
    if (!raw || raw.length > max) return this.bypass(kong);
    const parsed = parseJsonBody(Buffer.from(raw));
    if (!parsed.ok) return null; // aigw-proxy refuses it
    const model = cacheModelOf(route, parsed.value, identity);
    const keyed = model ? keyedRequestOf(route, parsed.value) : null;
    const key = keyed ? keyOf(keyed, namespace, model, identity?.template?.hash) : null;
    if (!key) return this.bypass(kong);

    const semantic = this.config.semantic && team?.mode !== 'exact' && key.query.length <= MAX_SEMANTIC_QUERY_CHARS;
    const kind: LookupKind = semantic ? 'semantic' : 'exact';
    let embedding: { vector: Float32Array; model: string } | null = null;
    if (!control.noCache) {
      const exact = await this.backend.getExact(key.scopeId, key.exactHash);
      if (!exact.ok) await this.failedOpen(kong, 'exact', exact.reason);
      else if (exact.value && fresh(exact.value, control))
        return this.answer(kong, { path, route, body: parsed.value }, identity, { kind: 'exact', entry: exact.value, similarity: 1 });
    }
    // Only after the exact lookup missed (≈0.2 ms): started alongside it, every exact hit also paid
    // for an embedding nobody read, ≈8 ms of sidecar CPU that slowed the requests after it (the
    // exact-hit p50 went from 2.4 to 5 ms on this 2-core machine).
    if (semantic) {
      const embedded = await this.embedder.embed(key.query, this.config.embed_deadline_ms);
      if (embedded.ok) embedding = embedded.value;
      else await this.failedOpen(kong, 'embedding', embedded.reason);
    }
    if (embedding && !control.noCache) {
      const hit = await this.nearestSafe(kong, key, embedding, control);
      if (hit) return this.answer(kong, { path, route, body: parsed.value }, identity, hit);
    }
    if (identity) {
      // The vector and the text (the guards of later semantic lookups read it) wait in Redis, not in
      // the identity every later plugin re-reads nor in the plan header; an exact-only entry needs neither.
      const pendingDigest = embedding ? this.leavePendingFill(key.scopeId, identity.requestId, { vector: embedding.vector, query: key.query }) : null;
      const fill: CacheFill = {
        scopeId: key.scopeId,
        teamId: identity.teamId,
        model,
        exactHash: key.exactHash,
        pendingDigest,
        embedModel: pendingDigest ? embedding!.model : null,
        ttlSeconds: Math.min(control.ttlSeconds ?? Number.POSITIVE_INFINITY, team?.ttlSeconds ?? this.config.ttl_seconds),
        fillToolCalls: this.config.cache_tool_calls,
      };
      await kong.ctx.shared.set(IDENTITY_CTX_KEY, { ...identity, cache: fill });
    }
    await kong.response.setHeader(CACHE_STATUS, control.noCache ? 'Refresh' : 'Miss');
    return { result: control.noCache ? 'refresh' : 'miss', kind };
  }

  /**
   * Writes the miss's vector and question for the relay's fill and returns their digest for the
   * plan; null (an exact-only fill) for a request id that cannot name a key. Not waited for: the
   * relay reads them only after the provider's whole answer, and a write that lost (or failed)
   * is a fill skipped and counted, never a wrong entry.
   */
  private leavePendingFill(scopeId: string, requestId: string, pending: PendingFill): string | null {
    if (!isCacheId(requestId)) return null;
    const value = encodePendingFill(pending);
    void this.backend.putPendingFill(scopeId, requestId, value).then((written) => {
      if (written.ok) return;
      this.metrics?.lookupFailedOpen('pending_fill');
      log.warn("a miss's vector was not left for the fill: its answer is not cached by meaning", { requestId, reason: written.reason });
    });
    return pendingFillDigest(value);
  }

  /** What the client asked of the cache: from the identity when aigw-virtual-key ran (no round trip), else from Kong. */
  private async requestCacheControl(kong: Kong, identity: RequestIdentity | undefined): Promise<RequestCacheControl> {
    if (identity) return parseCacheControl(identity.cacheHeaders?.cacheControl ?? undefined, identity.cacheHeaders?.ttl ?? undefined);
    return parseCacheControl(await kong.request.getHeader('cache-control'), await kong.request.getHeader(CACHE_TTL_HEADER));
  }

  /** The scope's nearest entries above the threshold, the first one every guard accepts. */
  private async nearestSafe(kong: Kong, key: CacheKey, embedding: { vector: Float32Array; model: string }, control: RequestCacheControl): Promise<Hit | null> {
    const found = await this.backend.nearest(key.scopeId, embedding.vector, embedding.model, CANDIDATES);
    if (!found.ok) {
      await this.failedOpen(kong, 'semantic', found.reason);
      return null;
    }
    for (const candidate of found.value) {
      if (candidate.similarity < this.config.threshold) break;
      const verdict = checkGuards(key.query, candidate.query, this.config.guards);
      if (!verdict.ok) {
        this.metrics?.veto(verdict.guard);
        await pluginLog(kong, 'aigw-semantic-cache', 'debug', 'guard vetoed a hit', {
          guard: verdict.guard,
          similarity: Number(candidate.similarity.toFixed(3)),
        });
        continue;
      }
      const entry = await this.backend.get(key.scopeId, candidate.entryId);
      if (entry.ok && entry.value && fresh(entry.value, control)) return { kind: 'semantic', entry: entry.value, similarity: candidate.similarity };
    }
    return null;
  }

  /**
   * The hit, in the client's format; rpm counted it at admission, tpm gets its estimate back (no
   * tokens were used). A request the relay would refuse (Google's stream without alt=sse) is not
   * answered here: it goes on, and the relay refuses it.
   */
  private async answer(
    kong: Kong,
    request: { path: string; route: CacheRoute; body: Record<string, unknown> },
    identity: RequestIdentity | undefined,
    hit: Hit,
  ): Promise<Outcome> {
    const now = Date.now();
    // Only Google's format reads the query (alt=sse): one PDK round trip, on its hits only.
    const query = request.route.format === 'google' ? ((await kong.request.getRawQuery()) ?? '') : '';
    const rendered = renderHit(hit.entry.answer, {
      path: request.path,
      query,
      body: request.body,
      requestId: identity?.requestId || (await kong.nginx.getVar('kong_request_id')) || 'cache',
      now,
    });
    if (!rendered) return this.bypass(kong);
    // Before the answer goes out: a continuation sent the moment the client has it finds it.
    if (request.route.format === 'responses') await this.keepHit(kong, identity, request.body, rendered.kept);
    if (identity && identity.promptTokensEstimate > 0) await this.refundTokens(identity);
    if (identity) this.recordHit(identity, hit, rendered.stream, now);
    if (identity) this.logHit(identity, hit, request.path, rendered.stream);
    void this.backend.recordHit(hit.entry).catch(() => undefined);
    const subject = identity && { teamName: identity.teamName ?? null, keyId: identity.keyId, keyAlias: identity.keyAlias };
    this.metrics?.hit(hit.kind, hit.similarity, { path: request.path, model: hit.entry.model, stream: rendered.stream, subject }, hit.entry.answer.costNano);
    const age = Math.max(0, Math.floor((now - hit.entry.createdAt) / 1000));
    await kong.response.exit(200, rendered.body, {
      ...rendered.headers,
      [CACHE_STATUS]: 'Hit',
      'x-cache-key': hit.entry.id,
      'x-cache-similarity': hit.similarity.toFixed(4),
      'x-cache-ttl': String(Math.max(0, hit.entry.ttlSeconds - age)),
      age: String(age),
    });
    return { result: 'hit', kind: hit.kind };
  }

  /** A $0 ledger row: no provider tokens were used; the original call's cost is what the hit saved. */
  private recordHit(identity: RequestIdentity, hit: Hit, stream: boolean, now: number): void {
    this.ledger?.write({
      requestId: identity.requestId,
      keyId: identity.keyId,
      teamId: identity.teamId,
      userId: identity.userId,
      model: hit.entry.model,
      provider: null,
      providerModel: null,
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
      costNano: 0,
      status: 200,
      outcome: 'cache_hit',
      stream,
      createdAt: now,
      cacheHit: hit.kind,
      cacheSavedNano: hit.entry.answer.costNano,
      // The template and guardrail actions of this request (the template's hash scoped the lookup).
      templateName: identity.template?.name ?? null,
      templateVersion: identity.template?.version ?? null,
      guardrailActions: policyNotes(identity).guardrailActions,
    });
  }

  /** The hit's request-log row (its $0 cost and the dollars saved are the ledger row's). */
  private logHit(identity: RequestIdentity, hit: Hit, path: string, stream: boolean): void {
    const { requestId, keyId, teamId, admittedAt } = identity;
    const answered = { plugin: 'aigw-semantic-cache', requestId, keyId, teamId, path, status: 200, code: null, traceId: null };
    const row = { ...answered, model: hit.entry.model, startedAt: admittedAt, stream, cache: hit.kind, ...policyNotes(identity) };
    this.requestLog?.write(pluginAnswerRow(row));
  }

  private async keepHit(kong: Kong, identity: RequestIdentity | undefined, body: Record<string, unknown>, response: unknown): Promise<void> {
    try {
      await keepResponsesHit(redisFor(this.config.redis_url), identity, body, response, this.config.responses_ttl_seconds);
    } catch (error) {
      // The hit stands; only a continuation of it will be refused, as for a relay answer not kept.
      await pluginLog(kong, 'aigw-semantic-cache', 'warn', 'a Responses hit was not kept for previous_response_id', { error });
    }
  }

  private async refundTokens(identity: RequestIdentity): Promise<void> {
    await new RateLimiter(redisFor(this.config.redis_url))
      .addTokens(identity.rateSubjects, -identity.promptTokensEstimate, { admittedAt: identity.admittedAt })
      .catch(() => undefined); // a rate correction is not money: one attempt
  }

  private async bypass(kong: Kong): Promise<Outcome> {
    await kong.response.setHeader(CACHE_STATUS, 'Bypass');
    return { result: 'bypass', kind: 'none' };
  }

  private failedOpen(kong: Kong, stage: FailOpenStage, reason: string): Promise<void> {
    this.metrics?.lookupFailedOpen(stage);
    return pluginLog(kong, 'aigw-semantic-cache', 'warn', 'lookup failed, treated as a miss', { stage, reason });
  }
}

/** An entry still inside its TTL and, when the client set max-age, young enough. */
function fresh(entry: CacheEntry, control: RequestCacheControl): boolean {
  const ageSeconds = (Date.now() - entry.createdAt) / 1000;
  return ageSeconds < entry.ttlSeconds && (control.maxAge === null || ageSeconds <= control.maxAge);
}
