/**
 * The semantic cache index's cost on this machine: nearest() p50/p99 (k = 3) over one scope of
 * 1k, 10k and 100k unit vectors of 512 dimensions (exact search), the memory the index holds per
 * 100k entries, and how long a 10k-entry scope takes to load from a real Redis. nearest() runs
 * through the real SemanticIndex (a live event stream on a throw-away redis-server); the 1k-100k
 * scopes are generated in memory, the 10k load is read from Redis. Run: tsx test/bench/cache-index.ts
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import Redis from 'ioredis';
import type { IndexedEntry } from '../../lib/semantic-cache/codec';
import { SemanticIndex } from '../../lib/semantic-cache/index';
import { CacheStore } from '../../lib/semantic-cache/store';
import { startRedis } from '../harness/stores/redis';
import { waitFor } from '../harness/wait-for';
import { entry, seeded } from '../lib/semantic-cache/fixture';
import { percentile } from './load';

export const DIMENSIONS = 512;
export const SIZES = [1_000, 10_000, 100_000] as const;
const QUERIES = 200;

export interface CacheIndexBench {
  dimensions: number;
  nearest: Array<{ vectors: number; p50Ms: number; p99Ms: number }>;
  /** What a 100k-entry scope holds: its packed vectors plus the heap its index gives back on close (ids, queries, maps). */
  bytesPer100k: number;
  /** Of which the packed vector arrays (capacity grows by ×1.5: up to a third unused). */
  vectorBytesPer100k: number;
  /** First successful nearest() on a cold 10k-entry scope read from Redis. */
  load10kFromRedisMs: number;
}

/** Unit vectors drawn from a seeded generator, written straight into one buffer. */
function randomUnit(rand: () => number): Float32Array {
  const v = new Float32Array(DIMENSIONS);
  let norm = 0;
  for (let i = 0; i < DIMENSIONS; i++) {
    v[i] = rand() - 0.5;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIMENSIONS; i++) v[i] /= norm;
  return v;
}

/** A store whose scopes are generated, not read: the index loads n entries per scope "n-<size>". */
class GeneratedStore extends CacheStore {
  override async *scopeEntries(scopeId: string, limit: number): AsyncGenerator<IndexedEntry[]> {
    const size = Math.min(limit, Number(scopeId.split('-')[1]));
    const rand = seeded(size);
    const expiresAt = Date.now() + 3_600_000;
    for (let start = 0; start < size; start += 1000) {
      const page: IndexedEntry[] = [];
      for (let i = start; i < Math.min(size, start + 1000); i++) {
        page.push({
          id: `e${i}`,
          scopeId,
          teamId: 't',
          model: 'm',
          query: `generated query number ${i}`,
          vector: randomUnit(rand),
          embedModel: 'bench',
          expiresAt,
        });
      }
      yield page;
      // as a Redis round trip would: the event stream's replies get their turn
      await new Promise(setImmediate);
    }
  }
}

const gc = (): void => {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
};
/** Heap only: freed array buffers leave process.memoryUsage().arrayBuffers late, so vectors are counted by the index itself. */
const heapBytes = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

async function ready(index: SemanticIndex, scopeId: string, query: Float32Array): Promise<void> {
  await waitFor(async () => ((await index.nearest(scopeId, query, 'bench')).ok ? true : undefined), 60_000, `scope ${scopeId} to load`);
}

export async function measureCacheIndex(): Promise<CacheIndexBench> {
  const server = await startRedis();
  const redis = new Redis(server.url);
  const indexes: SemanticIndex[] = [];
  try {
    const limits = { maxVectors: 100_000, maxVectorsPerScope: 100_000, loadWaitMs: 60_000 };
    const rand = seeded(42);
    const queries = Array.from({ length: QUERIES }, () => randomUnit(rand));
    const nearest: CacheIndexBench['nearest'] = [];
    let bytesPer100k = 0;
    let vectorBytesPer100k = 0;
    for (const size of SIZES) {
      const index = new SemanticIndex({ store: new GeneratedStore(redis), redisUrl: server.url, ...limits });
      indexes.push(index);
      await waitFor(() => index.synced || undefined, 10_000, 'the index to follow the stream');
      await ready(index, `n-${size}`, queries[0]);
      const heldHeap = size === 100_000 ? heapBytes() : 0;
      for (const q of queries.slice(0, 20)) await index.nearest(`n-${size}`, q, 'bench'); // warm-up
      const times: number[] = [];
      for (const q of queries) {
        await new Promise(setImmediate); // as between requests: the event stream's replies get their turn
        // A busy machine can delay the event stream's reply past the sync window: the lookup then
        // answers 'unsynced' (a miss in the gateway). Timed is a lookup of a synced index.
        if (!index.synced) await waitFor(() => index.synced || undefined, 10_000, 'the index to follow the stream again');
        const started = performance.now();
        const r = await index.nearest(`n-${size}`, q, 'bench');
        times.push(performance.now() - started);
        if (!r.ok || r.value.length !== 3) throw new Error(`nearest failed at ${size}: ${JSON.stringify(r)}`);
      }
      nearest.push({ vectors: size, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) });
      vectorBytesPer100k = index.stats().vectorBytes;
      await index.close();
      // what closing the index gave back is what it held
      if (size === 100_000) bytesPer100k = heldHeap - heapBytes() + vectorBytesPer100k;
    }
    return { dimensions: DIMENSIONS, nearest, bytesPer100k, vectorBytesPer100k, load10kFromRedisMs: await loadFromRedis(server.url, redis, rand) };
  } finally {
    await Promise.all(indexes.map((i) => i.close()));
    redis.disconnect();
    await server.stop();
  }
}

/** Fills a scope with 10k real entries, then times a cold index's first answer from it. */
async function loadFromRedis(url: string, redis: Redis, rand: () => number): Promise<number> {
  const store = new CacheStore(redis);
  const scopeId = 'redis-10k';
  for (let start = 0; start < 10_000; start += 500) {
    await Promise.all(
      Array.from({ length: 500 }, async () => {
        const r = await store.put(entry({ scopeId, vector: randomUnit(rand), embedModel: 'bench' }));
        if (!r.ok) throw new Error(r.detail);
      }),
    );
  }
  const index = new SemanticIndex({ store, redisUrl: url, loadWaitMs: 60_000 });
  try {
    await waitFor(() => index.synced || undefined, 10_000, 'the index to follow the stream');
    const started = performance.now();
    await ready(index, scopeId, randomUnit(rand));
    return performance.now() - started;
  } finally {
    await index.close();
  }
}

export function cacheIndexMarkdown(bench: CacheIndexBench): string {
  const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(0) + ' MiB';
  return [
    `| vectors (${bench.dimensions}-d, one scope) | nearest() p50 ms | p99 ms |`,
    '|---:|---:|---:|',
    ...bench.nearest.map((r) => `| ${r.vectors.toLocaleString('en')} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |`),
    '',
    `Memory per 100k entries: ${mb(bench.bytesPer100k)} held (${mb(bench.vectorBytesPer100k)} of it packed vectors). ` +
      `A cold 10k-entry scope loads from Redis in ${bench.load10kFromRedisMs.toFixed(0)} ms.`,
  ].join('\n');
}

if (require.main === module) {
  measureCacheIndex().then(
    (bench) => process.stdout.write(`${cacheIndexMarkdown(bench)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
