/**
 * Process-wide clients for the shared stores. A plugin server runs one process for every
 * instance of its plugin, and the relay one per process: clients are shared per URL, and every
 * call has a short timeout so a dead store turns into a quick, explicit failure.
 */
import Redis from 'ioredis';
import type { Pool } from 'pg';
import { createPool, POOL_DEADLINES } from './db/pool';
import { closeInvalidationChannels } from './invalidation-channel';

const redisClients = new Map<string, Redis>();
const pgPools = new Map<string, Pool>();

export function redisFor(url: string): Redis {
  let client = redisClients.get(url);
  if (!client) {
    client = new Redis(url, {
      commandTimeout: 500,
      connectTimeout: 1000,
      // A command queued while Redis is away, or re-sent after a reconnect, would run long after
      // its request was answered (a parallel lease or a reservation nobody releases): fail at
      // once instead, and let the caller undo what may have run (lib/limits/compensation.ts).
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      // Commands issued in the same tick (the relay's per-attempt feedback, a plugin's limit
      // checks across concurrent requests) go out as one write and one read.
      enableAutoPipelining: true,
    });
    // Errors surface on the commands; without a listener ioredis would log every reconnect.
    client.on('error', () => undefined);
    redisClients.set(url, client);
  }
  return client;
}

export function pgFor(url: string): Pool {
  let pool = pgPools.get(url);
  if (!pool) {
    pool = createPool(url, { deadlines: POOL_DEADLINES.requestPath });
    pgPools.set(url, pool);
  }
  return pool;
}

/** For tests and clean shutdowns. */
export async function closeStores(): Promise<void> {
  for (const client of redisClients.values()) client.disconnect();
  closeInvalidationChannels();
  await Promise.all([...pgPools.values()].map((p) => p.end().catch(() => undefined)));
  redisClients.clear();
  pgPools.clear();
}
