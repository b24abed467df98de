/**
 * Finds the key behind a hash: in-process cache, then Redis, then PostgreSQL (the system of
 * record). Fails closed: when the stores cannot answer and no fresh local entry exists, the
 * caller must refuse the request, never let it through.
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { KeyRecord } from '../../lib/identity';
import { whenReady } from '../../lib/limits/script';
import { KEY_CACHE_PREFIX } from '../../lib/shared-key-cache';
import { findKeyByHash } from '../../lib/store/virtual-keys';
import type { KeyCache } from './key-cache';

export type Lookup = { status: 'found'; record: KeyRecord } | { status: 'unknown' } | { status: 'unavailable'; reason: string };

export interface LookupDeps {
  cache: KeyCache;
  redis: Redis | null;
  pool: Pool | null;
  redisTtlSeconds: number;
  redisNegativeTtlSeconds: number;
  /** Told when a store call fails (metrics): Redis here is a cache, PostgreSQL the system of record. */
  onStoreError?: (store: 'redis' | 'postgres', operation: string) => void;
}

/** What older versions stored for an unknown key. */
const UNKNOWN_MARKER = 'unknown';

export function redisKeyFor(hash: string): string {
  return KEY_CACHE_PREFIX + hash;
}

function found(record: KeyRecord | null): Lookup {
  return record ? { status: 'found', record } : { status: 'unknown' };
}

/** A key record as cached in Redis, with when it was read from PostgreSQL. */
interface SharedEntry {
  storedAt: number;
  record: KeyRecord | null;
}

function parseShared(text: string): SharedEntry {
  // Entries written before storedAt existed count as written at the epoch.
  if (text === UNKNOWN_MARKER) return { storedAt: 0, record: null };
  const value = JSON.parse(text) as Partial<SharedEntry> & Partial<KeyRecord>;
  if (typeof value.storedAt === 'number' && 'record' in value) return { storedAt: value.storedAt, record: value.record ?? null };
  return { storedAt: 0, record: value as KeyRecord };
}

async function fromRedis(hash: string, deps: LookupDeps): Promise<Lookup | null> {
  if (!deps.redis) return null;
  try {
    await whenReady(deps.redis);
    const text = await deps.redis.get(redisKeyFor(hash));
    if (text === null) return null;
    const entry = parseShared(text);
    // Written before this node's invalidation channel came back: its invalidation (the control
    // API's DEL) may have been lost while Redis was away, so PostgreSQL decides.
    if (entry.storedAt < deps.cache.sharedTrustedFrom) return null;
    deps.cache.set(hash, entry.record);
    return found(entry.record);
  } catch {
    deps.onStoreError?.('redis', 'key_lookup');
    return null; // Redis is a cache here: PostgreSQL still decides.
  }
}

function remember(hash: string, record: KeyRecord | null, deps: LookupDeps): void {
  deps.cache.set(hash, record);
  if (!deps.redis) return;
  const value = JSON.stringify({ storedAt: Date.now(), record } satisfies SharedEntry);
  const ttl = record ? deps.redisTtlSeconds : deps.redisNegativeTtlSeconds;
  deps.redis.set(redisKeyFor(hash), value, 'EX', ttl).catch(() => undefined);
}

export async function lookupKey(hash: string, deps: LookupDeps): Promise<Lookup> {
  const cached = deps.cache.get(hash);
  if (cached.hit) return found(cached.record);
  const cachedInRedis = await fromRedis(hash, deps);
  if (cachedInRedis) return cachedInRedis;
  if (!deps.pool) return { status: 'unavailable', reason: 'no database configured' };
  try {
    const record = await findKeyByHash(deps.pool, hash);
    remember(hash, record, deps);
    return found(record);
  } catch (error) {
    deps.onStoreError?.('postgres', 'key_lookup');
    const fresh = deps.cache.getFreshPositive(hash);
    if (fresh) return { status: 'found', record: fresh };
    return { status: 'unavailable', reason: (error as Error).message };
  }
}
