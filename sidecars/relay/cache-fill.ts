/**
 * The relay's half of the semantic cache: after a complete, successful answer, store it under the
 * scope and key aigw-semantic-cache put in the signed plan. Only a finished answer (finish reason
 * `stop`, or `tool_calls` when the route allows it) is stored: never after an error, a cut or
 * abandoned stream, a length cut, a content filter or a refusal. Off the request path.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../lib/log';
import type { ChatCompletion } from '../../lib/openai-types';
import type { RoutePlan } from '../../lib/plan';
import { decodeVector } from '../../lib/semantic-cache/codec';
import type { CacheEntry } from '../../lib/semantic-cache/types';
import type { TokenUsage } from './usage';

export interface CacheWriter {
  /** Rejects when the entry was not stored. */
  put(entry: CacheEntry): Promise<unknown>;
}

/** The store's put, whose failures are values, as a writer that rejects on them. */
export function storeWriter(store: { put(entry: CacheEntry): Promise<{ ok: true } | { ok: false; reason: string; detail: string }> }): CacheWriter {
  return {
    async put(entry) {
      const result = await store.put(entry);
      if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    },
  };
}

/** The entry to store for this answer, or null when it must not be cached. */
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
    query: fill.query,
    vector: fill.vector ? decodeVector(fill.vector) : null,
    embedModel: fill.embedModel,
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

/** How a fill ended: stored, not cacheable (an unfinished or refused answer), or failed (Redis). */
export type FillResult = 'stored' | 'not_cacheable' | 'failed';

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
    this.writer.put(entry).then(
      () => this.counted(model, 'stored'),
      (error: unknown) => {
        this.counted(model, 'failed');
        this.log.warn('cache fill failed', { requestId: plan.requestId, error: (error as Error).message });
      },
    );
  }
}
