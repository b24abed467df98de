/**
 * How an entry is written to Redis and read back, and the bounds a stored entry must respect.
 * Vectors travel as base64 of their little-endian Float32 bytes (what every supported platform
 * stores natively, so encoding is a copy).
 */
import { MAX_TTL_SECONDS } from './defaults';
import { checkCacheId } from './keys';
import type { CachedAnswer, CacheEntry } from './types';

export interface EntryBounds {
  /** Largest serialised entry (meta + answer), bytes. */
  maxEntryBytes: number;
  /** Longest vector accepted. */
  maxDimensions: number;
  /** Longest TTL accepted, seconds. */
  maxTtlSeconds: number;
}

export const DEFAULT_BOUNDS: EntryBounds = { maxEntryBytes: 256 * 1024, maxDimensions: 4096, maxTtlSeconds: MAX_TTL_SECONDS };

/** What the index keeps of an entry: enough to rank it and name it, not the answer. */
export interface IndexedEntry {
  id: string;
  scopeId: string;
  teamId: string | null;
  model: string;
  query: string;
  vector: Float32Array | null;
  embedModel: string | null;
  /** Epoch ms. */
  expiresAt: number;
}

/** The fields of the entry's Redis hash. */
export interface EncodedEntry {
  meta: string;
  answer: string;
  expiresAt: number;
}

/** An entry's `meta` field: everything but the answer, the vector as base64. */
type MetaJson = Omit<CacheEntry, 'vector' | 'answer'> & { vector: string | null };

export const expiresAtOf = (entry: Pick<CacheEntry, 'createdAt' | 'ttlSeconds'>): number => entry.createdAt + entry.ttlSeconds * 1000;

export function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

/** Copies (a decoded Buffer may sit at an offset no Float32Array can view). */
export function decodeVector(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const vector = new Float32Array(bytes.length >> 2);
  new Uint8Array(vector.buffer).set(bytes.subarray(0, vector.length * 4));
  return vector;
}

/** Cosine is a dot product only between unit vectors; NaN fails this test too. */
export function isUnitVector(vector: Float32Array): boolean {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  return vector.length > 0 && Math.abs(norm - 1) < 1e-3;
}

export const shortText = (what: string, s: unknown): string => {
  if (typeof s !== 'string' || s.length === 0 || s.length > 256) throw new Error(`${what} must be a string of 1-256 characters`);
  return s;
};

function checkVector(vector: Float32Array, bounds: EntryBounds): void {
  if (!(vector instanceof Float32Array) || vector.length === 0 || vector.length > bounds.maxDimensions) {
    throw new Error(`vector must be a Float32Array of 1-${bounds.maxDimensions} dimensions`);
  }
  if (!isUnitVector(vector)) throw new Error('vector must be finite and unit-length');
}

/** @throws when the entry breaks a bound or a shape rule (the caller refuses it). */
export function encodeEntry(entry: CacheEntry, bounds: EntryBounds): EncodedEntry {
  checkCacheId('entry id', entry.id);
  checkCacheId('scopeId', entry.scopeId);
  checkCacheId('exactHash', entry.exactHash);
  if (entry.teamId !== null) checkCacheId('teamId', entry.teamId);
  shortText('model', entry.model);
  if (typeof entry.query !== 'string') throw new Error('query must be a string');
  if ((entry.vector === null) !== (entry.embedModel === null)) throw new Error('vector and embedModel come together');
  if (entry.vector !== null) checkVector(entry.vector, bounds);
  if (entry.embedModel !== null) shortText('embedModel', entry.embedModel);
  if (!Number.isInteger(entry.ttlSeconds) || entry.ttlSeconds < 1 || entry.ttlSeconds > bounds.maxTtlSeconds) {
    throw new Error(`ttlSeconds must be an integer of 1-${bounds.maxTtlSeconds}`);
  }
  if (!Number.isSafeInteger(entry.createdAt) || entry.createdAt <= 0) throw new Error('createdAt must be epoch ms');
  // the query alone may already be too large: refuse before serialising anything big
  if (entry.query.length > bounds.maxEntryBytes) throw new Error(`entry exceeds ${bounds.maxEntryBytes} bytes`);
  const meta: MetaJson = {
    id: entry.id,
    scopeId: entry.scopeId,
    teamId: entry.teamId,
    model: entry.model,
    exactHash: entry.exactHash,
    query: entry.query,
    vector: entry.vector === null ? null : encodeVector(entry.vector),
    embedModel: entry.embedModel,
    createdAt: entry.createdAt,
    ttlSeconds: entry.ttlSeconds,
  };
  const encoded = { meta: JSON.stringify(meta), answer: JSON.stringify(entry.answer), expiresAt: expiresAtOf(entry) };
  const bytes = Buffer.byteLength(encoded.meta) + Buffer.byteLength(encoded.answer);
  if (bytes > bounds.maxEntryBytes) throw new Error(`entry is ${bytes} bytes, more than ${bounds.maxEntryBytes}`);
  return encoded;
}

export function decodeIndexed(meta: string): IndexedEntry {
  const m = JSON.parse(meta) as MetaJson;
  return {
    id: m.id,
    scopeId: m.scopeId,
    teamId: m.teamId,
    model: m.model,
    query: m.query,
    vector: m.vector === null ? null : decodeVector(m.vector),
    embedModel: m.embedModel,
    expiresAt: expiresAtOf(m),
  };
}

export function decodeEntry(meta: string, answer: string): CacheEntry {
  const m = JSON.parse(meta) as MetaJson;
  return {
    id: m.id,
    scopeId: m.scopeId,
    teamId: m.teamId,
    model: m.model,
    exactHash: m.exactHash,
    query: m.query,
    vector: m.vector === null ? null : decodeVector(m.vector),
    embedModel: m.embedModel,
    answer: JSON.parse(answer) as CachedAnswer,
    createdAt: m.createdAt,
    ttlSeconds: m.ttlSeconds,
  };
}
