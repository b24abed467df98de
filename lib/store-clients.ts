/**
 * Process-wide clients for the shared stores. A plugin server runs one process for every
 * instance of its plugin, and the relay one per process: clients are shared per URL, and every
 * call has a short timeout so a dead store turns into a quick, explicit failure.
 */
import Redis from 'ioredis';
import type { Pool } from 'pg';
import { createPool, POOL_DEADLINES } from './db/pool';
import { INVALIDATE_CHANNEL } from './identity';

const redisClients = new Map<string, Redis>();
const pgPools = new Map<string, Pool>();

export function redisFor(url: string): Redis {
  let client = redisClients.get(url);
  if (!client) {
    client = new Redis(url, {
      commandTimeout: 500,
      connectTimeout: 1000,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2000),
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


export interface InvalidationListener {
  onMessage(message: Record<string, unknown>): void;
  /** Told whether messages can currently arrive, so caches can shorten their trust. */
  onState(subscribed: boolean): void;
}

const subscribers = new Map<string, { client: Redis; listeners: Set<InvalidationListener> }>();

/** One subscriber connection per Redis URL and process, fanned out to every listener. */
export function subscribeInvalidations(url: string, listener: InvalidationListener): () => void {
  let entry = subscribers.get(url);
  if (!entry) {
    const client = new Redis(url, { connectTimeout: 1000, retryStrategy: (times) => Math.min(times * 200, 2000) });
    const listeners = new Set<InvalidationListener>();
    entry = { client, listeners };
    subscribers.set(url, entry);
    const setState = (subscribed: boolean): void => listeners.forEach((l) => l.onState(subscribed));
    client.on('error', () => undefined);
    client.on('ready', () => {
      client.subscribe(INVALIDATE_CHANNEL).then(() => setState(true), () => setState(false));
    });
    client.on('close', () => setState(false));
    client.on('message', (_channel: string, text: string) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(text) as Record<string, unknown>;
      } catch {
        message = { type: 'all' };
      }
      listeners.forEach((l) => l.onMessage(message));
    });
  }
  entry.listeners.add(listener);
  const current = entry;
  return () => current.listeners.delete(listener);
}

/** For tests and clean shutdowns. */
export async function closeStores(): Promise<void> {
  for (const client of redisClients.values()) client.disconnect();
  for (const { client } of subscribers.values()) client.disconnect();
  await Promise.all([...pgPools.values()].map((p) => p.end().catch(() => undefined)));
  redisClients.clear();
  subscribers.clear();
  pgPools.clear();
}
