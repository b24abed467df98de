/**
 * The semantic cache end to end, through the Kong test ingress (the Kong double with the real
 * plugin servers), the relay, the inference sidecar (one worker), Redis and the mock provider:
 * one team key, one OpenAI-format chat request at a time. Measured: an exact hit, a semantic hit
 * (reworded questions of the development set that hit at the shipped threshold), a miss with the
 * cache on against the same request on a twin route without aigw-semantic-cache (the miss's added
 * cost), and, for where the time goes, the sidecar's Embed over gRPC alone, one Redis read of the
 * store alone, the time each plugin's access phase takes (HandleEvent, its PDK round trips
 * included) and the PDK calls of one request of each kind. Misses are waited on until the relay
 * has filled them (off the clock), so a fill never overlaps the next measured request.
 */
import Redis from 'ioredis';
import { Pool } from 'undici';
import { InferenceClient } from '../../lib/inference/client';
import { cacheKeyOf } from '../../lib/semantic-cache/scope';
import { CacheStore } from '../../lib/semantic-cache/store';
import { pdkCallMeter } from '../e2e/pdk-calls';
import type { Phase } from '../harness/kong-double/context';
import { ExternalPlugin } from '../harness/kong-double/plugin-runtime';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import type { CachePair } from './cache-pairs';
import { percentile } from './load';

const NO_CACHE_HOST = 'nocache.bench.local';
const CACHE_PLUGIN = 'aigw-semantic-cache';
const MODEL = 'gpt-4o-mini';
const WARM_UP = 30;
/** Reworded questions the semantic rows cycle through. */
const SEMANTIC_PAIRS = 20;

export interface LatencyRow {
  name: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that failed or were not answered as expected (X-Cache-Status). */
  errors: number;
  /** Median access-phase time per plugin (HandleEvent, PDK round trips included), ms. */
  accessP50Ms: Record<string, number>;
  /** Median of each request's time outside every plugin's access phase (ingress, relay, mock, client), ms; null without plugins. */
  outsideAccessP50Ms: number | null;
}

export interface CacheEndToEnd {
  requests: number;
  exactHit: LatencyRow;
  semanticHit: LatencyRow & { pairs: number; similarityMin: number; similarityMax: number };
  missCacheOn: LatencyRow;
  missCacheOff: LatencyRow;
  /** The sidecar's Embed of one question over gRPC, from the bench process. */
  embed: LatencyRow;
  /** CacheStore.getExact (one Redis round trip) from the bench process. */
  redisGetExact: LatencyRow;
  /** PDK calls of one request of each kind (every plugin and phase). */
  pdkCalls: Record<'exactHit' | 'semanticHit' | 'missCacheOn' | 'missCacheOff', { total: number; cache: number }>;
  stackStartSeconds: number;
}

/** A twin of each service whose routes carry aigw-semantic-cache, without it, selected by Host. */
function addCachelessTwin(deck: Record<string, unknown>): Record<string, unknown> {
  const services = deck.services as Array<Record<string, unknown>>;
  const twins = services
    .filter((s) => ((s.routes as Array<Record<string, unknown>> | undefined) ?? []).some((r) => pluginNames(r).includes(CACHE_PLUGIN)))
    .map((service) => {
      const twin = structuredClone(service);
      twin.name = `${service.name as string}-nocache`;
      twin.routes = (twin.routes as Array<Record<string, unknown>>).map((r) => ({
        ...r,
        name: `${r.name as string}-nocache`,
        hosts: [NO_CACHE_HOST],
        plugins: ((r.plugins as Array<{ name: string }> | undefined) ?? []).filter((p) => p.name !== CACHE_PLUGIN),
      }));
      return twin;
    });
  if (twins.length === 0) throw new Error(`no route carries ${CACHE_PLUGIN}`);
  return { ...deck, services: [...services, ...twins] };
}

const pluginNames = (record: Record<string, unknown>): string[] => ((record.plugins as Array<{ name: string }> | undefined) ?? []).map((p) => p.name);

/** Access-phase durations per plugin while `samples` is set (one request at a time). */
const phaseTimer: { samples: Map<string, number[]> | null; requestTotal: number; installed: boolean } = { samples: null, requestTotal: 0, installed: false };

function installPhaseTimer(): void {
  if (phaseTimer.installed) return;
  phaseTimer.installed = true;
  const original = ExternalPlugin.prototype.handleEvent;
  ExternalPlugin.prototype.handleEvent = async function (this: ExternalPlugin, ...args: Parameters<ExternalPlugin['handleEvent']>) {
    const phase: Phase = args[1];
    const started = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      const samples = phaseTimer.samples;
      if (samples && phase === 'access' && args[4] === undefined) {
        const list = samples.get(this.name) ?? [];
        const took = performance.now() - started;
        list.push(took);
        phaseTimer.requestTotal += took;
        samples.set(this.name, list);
      }
    }
  };
}

interface Answer {
  status: number;
  cache: string | null;
  similarity: number;
}

/** One row's samples: each request's time, its plugins' access phases and the rest. */
class RowRecorder {
  private readonly times: number[] = [];
  private readonly outside: number[] = [];
  private readonly samples = new Map<string, number[]>();
  private errors = 0;

  constructor(private readonly name: string) {}

  async once(call: () => Promise<boolean>): Promise<void> {
    phaseTimer.samples = this.samples;
    phaseTimer.requestTotal = 0;
    const started = performance.now();
    const ok = await call().catch(() => false);
    const took = performance.now() - started;
    this.times.push(took);
    if (phaseTimer.requestTotal > 0) this.outside.push(took - phaseTimer.requestTotal);
    phaseTimer.samples = null;
    if (!ok) this.errors++;
  }

  row(): LatencyRow {
    return {
      name: this.name,
      requests: this.times.length,
      p50Ms: percentile(this.times, 50),
      p99Ms: percentile(this.times, 99),
      errors: this.errors,
      accessP50Ms: Object.fromEntries([...this.samples].map(([plugin, list]) => [plugin, percentile(list, 50)])),
      outsideAccessP50Ms: this.outside.length === 0 ? null : percentile(this.outside, 50),
    };
  }
}

/** Times `count` calls of `once` (after `warmUp` unmeasured ones); a call returning false counts as an error. */
async function timed(
  name: string,
  warmUp: number,
  count: number,
  once: (i: number) => Promise<boolean>,
  between?: (i: number) => Promise<void>,
): Promise<LatencyRow> {
  for (let i = 0; i < warmUp; i++) {
    await once(i);
    await between?.(i);
  }
  const recorder = new RowRecorder(name);
  for (let i = warmUp; i < warmUp + count; i++) {
    await recorder.once(() => once(i));
    await between?.(i);
  }
  return recorder.row();
}

/**
 * Kinds of request in rotation (A B C, B C A, C A B, ...: none always goes first), so a busy
 * moment of the shared machine falls on every row alike; `after[k]` runs off the clock.
 */
async function timedInterleaved(
  kinds: Array<{ name: string; once: (i: number) => Promise<boolean>; after?: (i: number) => Promise<void> }>,
  warmUp: number,
  count: number,
): Promise<LatencyRow[]> {
  for (let i = 0; i < warmUp; i++) {
    for (const kind of kinds) {
      await kind.once(i);
      await kind.after?.(i);
    }
  }
  const recorders = kinds.map((kind) => new RowRecorder(kind.name));
  for (let i = warmUp; i < warmUp + count; i++) {
    for (let j = 0; j < kinds.length; j++) {
      const k = (i + j) % kinds.length;
      await recorders[k]!.once(() => kinds[k]!.once(i));
      await kinds[k]!.after?.(i);
    }
  }
  return recorders.map((r) => r.row());
}

/** Distinct questions that differ only in their numbers: each one's nearest entries are earlier misses, which the numbers guard vetoes. */
const missQuestion = (i: number): string => `What is the status of support ticket ${10_000 + i * 7} opened for project ${100 + i}?`;

export async function measureCacheEndToEnd(hittingPairs: readonly CachePair[], requests: number): Promise<CacheEndToEnd> {
  // Both wrap ExternalPlugin.prototype.handleEvent; put back afterwards, so the rest of `make bench` runs the double unwrapped.
  const pristine = ExternalPlugin.prototype.handleEvent;
  const meter = pdkCallMeter();
  installPhaseTimer();
  const startedAt = performance.now();
  const stack: DevStack = await startDevStack({ env: {}, cache: true, inference: { env: { INFERENCE_WORKERS: '1' } }, deckTransform: addCachelessTwin });
  const stackStartSeconds = (performance.now() - startedAt) / 1000;
  const pool = new Pool(stack.url, { connections: 2 });
  const redis = new Redis(stack.stores.redisUrl);
  const store = new CacheStore(redis);
  const embedder = new InferenceClient({ address: stack.inference!.address });
  try {
    const team = await stack.admin('POST', '/admin/teams', { name: 'bench-cache' });
    const key = await stack.admin('POST', '/admin/keys', { key_alias: 'bench-cache', team: team.body.id });
    if (team.status !== 201 || key.status !== 201) throw new Error(`team ${team.status}, key ${key.status}`);
    const teamId = team.body.id as string;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key.body.key as string}` };
    const bodyOf = (text: string): Record<string, unknown> => ({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: text }] });
    const ask = async (text: string, host?: string): Promise<Answer> => {
      const res = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        body: JSON.stringify(bodyOf(text)),
        headers: host ? { ...headers, host } : headers,
      });
      await res.body.arrayBuffer();
      const cache = res.headers['x-cache-status'];
      return { status: res.statusCode, cache: typeof cache === 'string' ? cache : null, similarity: Number(res.headers['x-cache-similarity'] ?? NaN) };
    };
    const lookupKey = (text: string) => cacheKeyOf('openai', bodyOf(text), `team:${teamId}`, MODEL)!;
    const filled = async (text: string): Promise<void> => {
      const k = lookupKey(text);
      await waitFor(
        async () => {
          const found = await store.getExact(k.scopeId, k.exactHash);
          return found.ok && found.value !== null ? true : undefined;
        },
        10_000,
        'the cache fill',
      );
    };
    const fill = async (text: string): Promise<void> => {
      const first = await ask(text);
      if (first.status !== 200 || first.cache !== 'Miss') throw new Error(`fill of "${text}": HTTP ${first.status}, ${first.cache}`);
      await filled(text);
    };

    // Exact: one question, filled once, asked again and again.
    const exactQuestion = 'How do I rotate a virtual key without downtime?';
    await fill(exactQuestion);
    const exactHit = await timed('exact hit', WARM_UP, requests, async () => {
      const a = await ask(exactQuestion);
      return a.status === 200 && a.cache === 'Hit' && a.similarity === 1;
    });

    // Semantic: the first side of development pairs that hit is filled, the reworded side asked.
    for (const pair of hittingPairs.slice(0, SEMANTIC_PAIRS * 2)) await fill(pair.a);
    const hitting: Array<{ pair: CachePair; similarity: number }> = [];
    for (const pair of hittingPairs.slice(0, SEMANTIC_PAIRS * 2)) {
      if (hitting.length === SEMANTIC_PAIRS) break;
      const a = await ask(pair.b);
      if (a.status === 200 && a.cache === 'Hit' && a.similarity < 1) hitting.push({ pair, similarity: a.similarity });
    }
    if (hitting.length === 0) throw new Error('no reworded question hit through the gateway');
    const semantic = await timed('semantic hit', WARM_UP, requests, async (i) => {
      const a = await ask(hitting[i % hitting.length]!.pair.b);
      return a.status === 200 && a.cache === 'Hit' && a.similarity < 1;
    });
    const similarities = hitting.map((h) => h.similarity);

    // Miss: the same new question through the cached route (its fill waited for, off the clock), the
    // twin without the plugin, and the sidecar's Embed of another question alone, in rotation.
    embedder.connect();
    const [missCacheOn, missCacheOff, embed] = await timedInterleaved(
      [
        {
          name: 'miss, cache on',
          once: async (i) => {
            const a = await ask(missQuestion(i));
            return a.status === 200 && a.cache === 'Miss';
          },
          after: (i) => filled(missQuestion(i)),
        },
        {
          name: 'same request, cache off',
          once: async (i) => {
            const a = await ask(missQuestion(i), NO_CACHE_HOST);
            return a.status === 200 && a.cache === null;
          },
        },
        {
          name: 'Embed over gRPC (one question)',
          once: async (i) => {
            const r = await embedder.embed([missQuestion(100_000 + i)], 1000);
            return r.ok && r.value.vectors.length === 1;
          },
        },
      ],
      WARM_UP,
      requests,
    );

    // Where the time goes: one Redis read alone.
    const exactKey = lookupKey(exactQuestion);
    const redisGetExact = await timed('CacheStore.getExact (one Redis read)', WARM_UP, requests, async () => {
      const r = await store.getExact(exactKey.scopeId, exactKey.exactHash);
      return r.ok && r.value !== null;
    });

    const count = async (request: () => Promise<unknown>): Promise<{ total: number; cache: number }> => {
      const calls = await meter(request);
      return { total: calls.total, cache: calls.phases.filter((p) => p.plugin === CACHE_PLUGIN).reduce((n, p) => n + p.methods.length, 0) };
    };
    const pdkCalls = {
      exactHit: await count(() => ask(exactQuestion)),
      semanticHit: await count(() => ask(hitting[0]!.pair.b)),
      missCacheOn: await count(async () => {
        await ask(missQuestion(50_000));
        await filled(missQuestion(50_000));
      }),
      missCacheOff: await count(() => ask(missQuestion(50_001), NO_CACHE_HOST)),
    };
    return {
      requests,
      exactHit,
      semanticHit: { ...semantic, pairs: hitting.length, similarityMin: Math.min(...similarities), similarityMax: Math.max(...similarities) },
      missCacheOn,
      missCacheOff,
      embed,
      redisGetExact,
      pdkCalls,
      stackStartSeconds,
    };
  } finally {
    ExternalPlugin.prototype.handleEvent = pristine;
    phaseTimer.installed = false;
    embedder.close();
    redis.disconnect();
    await pool.close();
    await stack.close();
  }
}
