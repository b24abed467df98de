/**
 * What the cache's lookups did, on this plugin server's registry (lib/metrics/plugin-server.ts).
 * Labels are bounded: result, kind, guard, stage and the model group (the gateway's configured
 * names, never a client's free text: a miss is counted without it).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IndexStats } from '../../lib/semantic-cache/index';

export type LookupResult = 'hit' | 'miss' | 'bypass' | 'refresh';
/** How far the lookup went: exact only, or exact then semantic; none for a bypass. */
export type LookupKind = 'exact' | 'semantic' | 'none';
/** Where a lookup failed open. */
export type FailOpenStage = 'exact' | 'embedding' | 'semantic' | 'lookup';

export class CacheMetrics {
  private readonly lookups: Counter<'result' | 'kind'>;
  private readonly lookupSeconds: Histogram<'result'>;
  private readonly vetoes: Counter<'guard'>;
  private readonly similarity: Histogram<'kind'>;
  private readonly saved: Counter<'model'>;
  private readonly failOpen: Counter<'stage'>;
  private readonly indexes: Array<() => IndexStats> = [];

  constructor(registry: Registry) {
    const registers = [registry];
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
      labelNames: ['model'] as const,
      registers,
    });
    this.failOpen = new Counter({
      name: 'aigw_cache_fail_open_total',
      help: 'Lookups that became a miss because Redis, the sidecar or the embedder failed, by stage',
      labelNames: ['stage'] as const,
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

  hit(kind: 'exact' | 'semantic', similarity: number, model: string, savedNano: number | null): void {
    this.similarity.observe({ kind }, similarity);
    if (savedNano !== null && savedNano > 0) this.saved.inc({ model }, savedNano / 1e9);
  }

  veto(guard: string): void {
    this.vetoes.inc({ guard });
  }

  failedOpen(stage: FailOpenStage): void {
    this.failOpen.inc({ stage });
  }

  /** Reports an index's size in the index gauges. */
  watchIndex(stats: () => IndexStats): void {
    this.indexes.push(stats);
  }
}
