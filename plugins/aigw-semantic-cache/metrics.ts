/**
 * What the cache's lookups did, on this plugin server's registry (lib/metrics/plugin-server.ts).
 * Labels are bounded: result, kind, guard, stage and the model group (the gateway's configured
 * names, never a client's free text: a miss is counted without it). A hit is a request the cache
 * answered: counted in aigw_requests_total and in Kong's kong_ai_llm_requests_total ("Hit").
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StoreName } from '../../lib/metrics/gateway-series';
import { KongAiSeries, kongAiLabels } from '../../lib/metrics/kong-ai';
import { NO_SUBJECT, type Subject, subjectLabels } from '../../lib/metrics/labels';
import { PluginMetrics } from '../../lib/metrics/plugin-metrics';
import type { IndexStats } from '../../lib/semantic-cache/index';

export const PLUGIN = 'aigw-semantic-cache';

export type LookupResult = 'hit' | 'miss' | 'bypass' | 'refresh';
/** How far the lookup went: exact only, or exact then semantic; none for a bypass. */
export type LookupKind = 'exact' | 'semantic' | 'none';
/** Where a lookup failed open. */
export type FailOpenStage = 'exact' | 'embedding' | 'semantic' | 'lookup' | 'pending_fill';

/** The store call behind each stage that can fail (a failed lookup as a whole names none). */
const STAGE_STORE: Readonly<Record<FailOpenStage, [StoreName, string] | null>> = {
  exact: ['redis', 'cache_get'],
  embedding: ['inference', 'embed'],
  semantic: ['redis', 'cache_search'],
  lookup: null,
  // The miss's vector for the relay's fill was not written: that answer is not cached by meaning.
  pending_fill: ['redis', 'cache_pending_fill'],
};

/** A hit as the metrics see it: the answer's model group, the request's path and stream, who asked. */
export interface HitLabels {
  path: string;
  model: string;
  stream: boolean;
  subject?: Subject;
}

export class CacheMetrics extends PluginMetrics {
  private readonly lookups: Counter<'result' | 'kind'>;
  private readonly lookupSeconds: Histogram<'result'>;
  private readonly vetoes: Counter<'guard'>;
  private readonly similarity: Histogram<'kind'>;
  private readonly saved: Counter<'model' | 'team' | 'key'>;
  private readonly kong: KongAiSeries;
  private readonly indexes: Array<() => IndexStats> = [];

  constructor(registry: Registry, env: NodeJS.ProcessEnv = process.env) {
    super(PLUGIN, registry, env);
    const registers = [registry];
    this.kong = new KongAiSeries(registry);
    this.lookups = new Counter({
      name: 'aigw_cache_lookups_total',
      help: 'Semantic cache lookups by result (hit, miss, bypass, refresh) and how far they went (exact, semantic, none)',
      labelNames: ['result', 'kind'] as const,
      registers,
    });
    this.lookupSeconds = new Histogram({
      name: 'aigw_cache_lookup_seconds',
      help: 'Time the cache plugin spent on a request (exact lookup, embedding, search, guards, and the hit answer), by result',
      labelNames: ['result'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.vetoes = new Counter({
      name: 'aigw_cache_guard_vetoes_total',
      help: 'Semantic candidates above the threshold that a guard refused (numbers, negation, entities, antonyms, direction, substitution)',
      labelNames: ['guard'] as const,
      registers,
    });
    this.similarity = new Histogram({
      name: 'aigw_cache_hit_similarity',
      help: 'Cosine similarity of the hits served (1 for an exact hit), by kind',
      labelNames: ['kind'] as const,
      buckets: [0.8, 0.85, 0.87, 0.9, 0.92, 0.94, 0.96, 0.98, 0.99, 0.999, 1],
      registers,
    });
    this.saved = new Counter({
      name: 'aigw_cache_saved_usd_total',
      help: 'What the answers served from the cache cost when they were first bought, in USD, by model',
      labelNames: ['model', 'team', 'key'] as const,
      registers,
    });
    const indexes = this.indexes;
    const gauge = (name: string, help: string, read: (s: IndexStats) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(indexes.reduce((sum, stats) => sum + read(stats()), 0));
        },
      });
    };
    gauge('aigw_cache_index_scopes', "Scopes held in this node's in-memory semantic index", (s) => s.scopes);
    gauge('aigw_cache_index_vectors', "Vectors held in this node's in-memory semantic index", (s) => s.vectors);
    gauge('aigw_cache_index_vector_bytes', "Bytes of packed vectors in this node's in-memory semantic index", (s) => s.vectorBytes);
  }

  lookup(result: LookupResult, kind: LookupKind, seconds: number): void {
    this.lookups.inc({ result, kind });
    this.lookupSeconds.observe({ result }, seconds);
  }

  /** A hit answered: the request, Kong's hit, the similarity and what it saved. */
  hit(kind: 'exact' | 'semantic', similarity: number, hit: HitLabels, savedNano: number | null): void {
    const subject = hit.subject ?? NO_SUBJECT;
    this.answered({ path: hit.path, status: 200, code: null, model: hit.model, stream: hit.stream, subject });
    this.kong.record(
      kongAiLabels('', hit.model, { cache_status: 'Hit', vector_db: 'redis', embeddings_provider: kind === 'semantic' ? 'aigw-inference' : '' }),
      {
        costUsd: null,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        latencyMs: null,
      },
    );
    this.similarity.observe({ kind }, similarity);
    if (savedNano !== null && savedNano > 0) this.saved.inc({ model: hit.model, ...subjectLabels(subject, this.keyMode) }, savedNano / 1e9);
  }

  veto(guard: string): void {
    this.vetoes.inc({ guard });
  }

  /** A lookup became a miss because a store failed: a fail-open event, and the store's error. */
  lookupFailedOpen(stage: FailOpenStage): void {
    this.failedOpen(stage);
    const store = STAGE_STORE[stage];
    if (store) this.storeError(...store);
  }

  /** Reports an index's size in the index gauges. */
  watchIndex(stats: () => IndexStats): void {
    this.indexes.push(stats);
  }
}
