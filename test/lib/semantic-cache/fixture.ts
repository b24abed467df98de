// Entries and vectors for the semantic cache tests: seeded, unit-length, cheap to make.
import type { CacheResult } from '../../../lib/semantic-cache/result';
import type { CacheEntry } from '../../../lib/semantic-cache/types';

let seq = 0;
/** A fresh id per call (tests share one Redis per file). */
export const uid = (prefix: string): string => `${prefix}-${++seq}-${process.pid}`;

/** A deterministic pseudo-random generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function unitVector(seed: number, dimensions = 16): Float32Array {
  const rand = seeded(seed);
  const v = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) v[i] = rand() - 0.5;
  return normalise(v);
}

export function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return v.map((x) => x / norm);
}

/** `v` pushed slightly towards a random direction: similar, not equal. */
export function near(v: Float32Array, seed: number, amount = 0.1): Float32Array {
  const noise = unitVector(seed, v.length);
  return normalise(v.map((x, i) => x + amount * noise[i]));
}

export function entry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  const id = overrides.id ?? uid('e');
  return {
    id,
    scopeId: 'scope-a',
    teamId: 'team-a',
    model: 'gpt-4o-mini',
    exactHash: `x-${id}`,
    query: `what is ${id}?`,
    vector: unitVector(seq),
    embedModel: 'minilm',
    answer: {
      completion: { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `answer to ${id}` } }] },
      promptTokens: 12,
      completionTokens: 5,
      costNano: 1500,
    },
    createdAt: Date.now(),
    ttlSeconds: 3600,
    ...overrides,
  };
}

/** The value of a successful result; a failure fails the test with its reason. */
export function unwrap<T>(r: CacheResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.detail}`);
  return r.value;
}
