/**
 * The relay's half of the semantic cache: after a complete, successful answer, store it under the
 * scope and key aigw-semantic-cache put in the signed plan. Only a finished answer (finish reason
 * `stop`, or `tool_calls` when the route allows it) is stored: never after an error, a cut or
 * abandoned stream, a length cut, a content filter or a refusal. Off the request path.
 *
 * A semantic fill's vector and question come from Redis, where the cache plugin left them under
 * the plan's scope and request id (lib/semantic-cache/pending-fill.ts); only bytes with the digest
 * the signed plan pins are stored. Gone (expired, never written) or not matching: the fill is
 * skipped and counted, never stored without them or with another request's.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../lib/log';
import type { ChatCompletion } from '../../lib/openai-types';
import type { RoutePlan } from '../../lib/plan';
import { decodePendingFill, pendingFillDigest } from '../../lib/semantic-cache/pending-fill';
import type { CacheEntry } from '../../lib/semantic-cache/types';
import type { TokenUsage } from './usage';

export interface CacheWriter {
  /** Rejects when the entry was not stored. */
  put(entry: CacheEntry): Promise<unknown>;
  /** The bytes the cache plugin left for this scope and request, removed as read; null when gone. Rejects when Redis failed. */
  takePendingFill(scopeId: string, requestId: string): Promise<Buffer | null>;
}

type StoreResult<T> = { ok: true; value: T } | { ok: false; reason: string; detail: string };

/** The store's calls, whose failures are values, as a writer that rejects on them. */
export function storeWriter(store: {
  put(entry: CacheEntry): Promise<StoreResult<unknown>>;
  takePendingFill(scopeId: string, requestId: string): Promise<StoreResult<Buffer | null>>;
}): CacheWriter {
  const value = <T>(result: StoreResult<T>): T => {
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    return result.value;
  };
  return {
    put: async (entry) => value(await store.put(entry)),
    takePendingFill: async (scopeId, requestId) => value(await store.takePendingFill(scopeId, requestId)),
  };
}

/** The entry to store for this answer (exact only: a semantic fill's vector and question are added from Redis), or null when it must not be cached. */
export function cacheEntryFor(plan: RoutePlan, completion: ChatCompletion, usage: TokenUsage | null, costNano: number | null, now: number): CacheEntry | null {
  const fill = plan.cache;
  const choice = completion?.choices?.[0];
  if (!fill || !usage || usage.estimated || !choice || completion.choices.length !== 1) return null;
  const message = choice.message;
  if (message.refusal) return null;
  const finished = choice.finish_reason === 'stop' || (fill.fillToolCalls && choice.finish_reason === 'tool_calls');
  if (!finished || !(message.content || message.tool_calls?.length)) return null;
  return {
    id: randomBytes(16).toString('hex'),
    scopeId: fill.scopeId,
    teamId: fill.teamId,
    model: fill.model,
    exactHash: fill.exactHash,
    query: '',
    vector: null,
    embedModel: null,
    answer: {
      completion: { ...completion, usage: undefined } as unknown as Record<string, unknown>,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      costNano,
    },
    createdAt: now,
    ttlSeconds: fill.ttlSeconds,
  };
}

/**
 * How a fill ended: stored, not cacheable (an unfinished or refused answer), failed (Redis), or
 * skipped because the miss's vector was gone (expired, never written) or not the one the plan pins.
 */
export type FillResult = 'stored' | 'not_cacheable' | 'failed' | 'vector_missing' | 'vector_mismatch';

export class RelayCacheFill {
  constructor(
    private readonly writer: CacheWriter,
    private readonly log: Logger,
    private readonly counted: (model: string, result: FillResult) => void = () => undefined,
  ) {}

  /** Stores the answer in the background; a failure is logged and counted, and never reaches the client. */
  fill(plan: RoutePlan, completion: ChatCompletion, usage: TokenUsage | null, costNano: number | null): void {
    if (!plan.cache) return;
    const model = plan.cache.model;
    const entry = cacheEntryFor(plan, completion, usage, costNano, Date.now());
    if (!entry) return this.counted(model, 'not_cacheable');
    this.store(plan, entry).then(
      (result) => this.counted(model, result),
      (error: unknown) => {
        this.counted(model, 'failed');
        this.log.warn('cache fill failed', { requestId: plan.requestId, error: (error as Error).message });
      },
    );
  }

  private async store(plan: RoutePlan, exactOnly: CacheEntry): Promise<FillResult> {
    let entry = exactOnly;
    const digest = plan.cache?.pendingDigest;
    if (digest) {
      const bytes = await this.writer.takePendingFill(entry.scopeId, plan.requestId);
      const pending = bytes && pendingFillDigest(bytes) === digest ? decodePendingFill(bytes) : null;
      if (!pending) {
        const result = bytes ? 'vector_mismatch' : 'vector_missing';
        this.log.warn("cache fill skipped: the miss's vector is not there", { requestId: plan.requestId, result });
        return result;
      }
      entry = { ...entry, vector: pending.vector, query: pending.query, embedModel: plan.cache!.embedModel };
    }
    await this.writer.put(entry);
    return 'stored';
  }
}
