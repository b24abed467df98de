/**
 * aigw-virtual-key: who is calling, may they use this model, and do they fit their limits.
 * It runs before every other plugin of ours and FAILS CLOSED: Kong proxies a request whose plugin
 * threw, so every failure here ends the request itself (401/403/429/503), never silently.
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { ADMIN_MAX_BODY_BYTES, IDENTITY_CTX_KEY, IDENTITY_HEADER, IDENTITY_SIGNATURE_HEADER, type AdminIdentity, type KeyRecord, type RequestIdentity } from '../../lib/identity';
import { hashKey } from '../../lib/keys';
import type { Kong, KongConsumer } from '../../lib/kong/pdk';
import { exitWithErrorForPath } from '../../lib/kong/respond';
import { sha256Hex } from '../../lib/plan';
import { canonicalTarget } from '../../lib/request-target';
import { signEnvelope } from '../../lib/signing';
import { parseJsonBody } from '../../lib/validate';
import { subscribeInvalidations } from '../../lib/invalidation-channel';
import { pgFor, redisFor } from '../../lib/store-clients';
import { estimatePromptTokens } from '../../lib/tokens';
import { admit, rateSubjects, releaseSlot } from './admission';
import type { VirtualKeyConfig } from './config';
import { extractCredential } from './credentials';
import { KeyCache } from './key-cache';
import { lookupKey } from './key-lookup';
import { budgetSubjects, keyStateRefusal, resolveModel } from './policy';

const SLOT_CTX_KEY = 'aigw.parallel_slot';
/** An admin identity only has to survive the hop from Kong to the control API. */
const IDENTITY_TTL_MS = 30_000;

/** One cache per process: every instance of the plugin in this plugin server shares it. */
let sharedCache: KeyCache | null = null;

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

function hasModelPolicy(record: KeyRecord): boolean {
  return record.allowedModels.length > 0 || Object.keys(record.modelAliases).length > 0 || (record.team?.allowedModels.length ?? 0) > 0;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class VirtualKeyHandler {
  private readonly cache: KeyCache;
  private readonly redis: Redis;
  private readonly pool: Pool;
  private readonly consumers = new Map<string, { consumer: KongConsumer | null; at: number }>();

  constructor(private readonly config: VirtualKeyConfig) {
    this.cache = cacheFor(config);
    this.redis = redisFor(config.redis_url);
    this.pool = pgFor(config.database_url);
  }

  async access(kong: Kong): Promise<void> {
    try {
      await this.authorize(kong);
    } catch (error) {
      const refused =
        error instanceof Refused
          ? error
          : new Refused(503, 'The gateway could not verify the API key right now; the request was not forwarded.', 'auth_unavailable');
      if (!(error instanceof Refused)) await kong.log.err(`aigw-virtual-key could not verify the request: ${(error as Error).message}`);
      return exitWithErrorForPath(kong, refused.status, refused.message, refused.code, refused.headers);
    }
  }

  async log(kong: Kong): Promise<void> {
    const slot = (await kong.ctx.shared.get(SLOT_CTX_KEY)) as { requestId: string; keyId: string } | undefined;
    // Retried in the background until Redis answers (or the lease has expired by itself).
    if (slot) releaseSlot(this.redis, slot.requestId, slot.keyId, this.config.parallel_lease_seconds * 1000);
  }

  private async authorize(kong: Kong): Promise<void> {
    const headers = await kong.request.getHeaders();
    const credential = extractCredential(headers);
    if (!credential) {
      throw new Refused(401, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>', 'apikey' or 'x-api-key'.", 'missing_api_key');
    }
    const record = await this.verify(hashKey(credential));
    const requestId = await kong.nginx.getVar('kong_request_id');
    if (!requestId) throw new Error('Kong did not provide a request id');
    await this.authenticate(kong, record);

    const contentLength = Number(headers['content-length']?.[0] ?? 0);
    if (this.config.require_admin) return this.forwardAdmin(kong, record, requestId, contentLength);

    const now = Date.now();
    const budgets = budgetSubjects(record, now);
    const subjects = rateSubjects(record);
    // The body crosses the plugin-server socket and tokenizing costs CPU: only when a policy needs them.
    const needsTokens = budgets.length > 0 || subjects.some((s) => s.tpm !== null);
    const needsModel = needsTokens || hasModelPolicy(record);
    const hasBody = contentLength > 0 || headers['transfer-encoding'] !== undefined;
    const body = needsModel && hasBody ? await this.readJsonBody(kong, contentLength) : null;
    let model: string | null = null;
    if (body && typeof body.model === 'string') {
      const resolved = resolveModel(record, body.model);
      if ('status' in resolved) throw new Refused(resolved.status, resolved.message, resolved.code);
      model = resolved.model;
      if (model !== body.model) await kong.service.request.setRawBody(JSON.stringify({ ...body, model }));
    }
    const promptTokens = body && needsTokens ? estimatePromptTokens(body) : 0;
    const admission = await admit(this.redis, {
      requestId,
      record,
      promptTokens,
      now,
      leaseMs: this.config.parallel_lease_seconds * 1000,
    });
    if (!admission.ok) throw new Refused(429, admission.message, admission.code, admission.headers);
    if (Object.keys(admission.headers).length > 0) await kong.response.setHeaders(admission.headers);
    if (admission.slotTaken) await kong.ctx.shared.set(SLOT_CTX_KEY, { requestId, keyId: record.id });

    const identity: RequestIdentity = {
      keyId: record.id,
      keyAlias: record.keyAlias,
      role: record.role,
      teamId: record.teamId,
      userId: record.userId,
      model: model ?? '',
      promptTokensEstimate: promptTokens,
      budgets,
      rateSubjects: subjects,
      admittedAt: now,
      parallelLeaseMs: admission.slotTaken ? this.config.parallel_lease_seconds * 1000 : null,
    };
    await kong.ctx.shared.set(IDENTITY_CTX_KEY, identity);
  }

  private async verify(hash: string): Promise<KeyRecord> {
    const lookup = await lookupKey(hash, {
      cache: this.cache,
      redis: this.redis,
      pool: this.pool,
      redisTtlSeconds: this.config.redis_cache_ttl_seconds,
      redisNegativeTtlSeconds: Math.max(1, this.config.negative_cache_ttl_seconds),
    });
    if (lookup.status === 'unavailable') throw new Error(`key stores unavailable: ${lookup.reason}`);
    if (lookup.status === 'unknown') throw new Refused(401, 'Incorrect API key provided.', 'invalid_api_key');
    const refusal = keyStateRefusal(lookup.record, Date.now());
    if (refusal) throw new Refused(refusal.status, refusal.message, refusal.code);
    return lookup.record;
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

  private async readJsonBody(kong: Kong, contentLength: number): Promise<Record<string, unknown> | null> {
    // Oversized and malformed bodies are aigw-proxy's to refuse with the right error.
    if (contentLength > this.config.max_request_body_bytes) return null;
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
  private async forwardAdmin(kong: Kong, record: KeyRecord, requestId: string, contentLength: number): Promise<void> {
    if (record.role !== 'admin') throw new Refused(403, 'This API key is not an admin key.', 'admin_required');
    const tooLarge = new Refused(413, `The request body exceeds ${ADMIN_MAX_BODY_BYTES} bytes.`, 'request_too_large');
    // Before the body crosses the plugin-server socket; an in-memory body ignores get_raw_body's max, hence the check after.
    if (contentLength > ADMIN_MAX_BODY_BYTES) throw tooLarge;
    const body = await kong.request.getRawBody(ADMIN_MAX_BODY_BYTES);
    if (body === undefined || body === null || body.length > ADMIN_MAX_BODY_BYTES) throw tooLarge;
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
  }
}
