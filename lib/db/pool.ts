/**
 * The one way our processes open PostgreSQL: AIGW_DATABASE_URL, deadlines chosen per kind of
 * caller, errors on idle clients logged, not fatal.
 */
import { Pool } from 'pg';
import type { Logger } from '../log';
import { DATABASE_URL_ENV } from '../store-env';

export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env[DATABASE_URL_ENV];
  if (!url) throw new Error(`${DATABASE_URL_ENV} must be set (postgres://user:password@host:5432/db)`);
  return url;
}

/** How long a pool's callers may wait for the database. */
export interface PoolDeadlines {
  /** Connecting, or waiting for a free client while all are busy. */
  connectMs: number;
  /**
   * Client-side deadline of one query (pg's query_timeout): the only one that ends a wait on a
   * server that accepted the connection but answers nothing. A pool.query client that timed out
   * is destroyed, not reused. null: none.
   */
  queryMs: number | null;
  /** statement_timeout: PostgreSQL cancels a slow statement itself. null: the server's setting. */
  statementMs: number | null;
}

export const POOL_DEADLINES = {
  /** Plugins and the relay, on a request's path: a dead store must be a quick, explicit failure. */
  requestPath: { connectMs: 1000, queryMs: 2000, statementMs: null },
  /** The control API: an admin waits a few seconds at most, then gets 503 database_unavailable. */
  controlApi: { connectMs: 2000, queryMs: 3000, statementMs: 2500 },
  /** Migrations and the CLI's direct writes: DDL may wait on locks and rewrite tables; only connecting is bounded. */
  maintenance: { connectMs: 5000, queryMs: null, statementMs: null },
} as const satisfies Record<string, PoolDeadlines>;

export interface PoolOptions {
  deadlines: PoolDeadlines;
  log?: Logger;
  max?: number;
}

export function createPool(url: string, opts: PoolOptions): Pool {
  const { deadlines } = opts;
  const pool = new Pool({
    connectionString: url,
    max: opts.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: deadlines.connectMs,
    ...(deadlines.queryMs !== null ? { query_timeout: deadlines.queryMs } : {}),
    ...(deadlines.statementMs !== null ? { statement_timeout: deadlines.statementMs } : {}),
  });
  // An idle client losing its connection emits on the pool; unhandled, it would kill the process.
  pool.on('error', (error) => opts.log?.warn('postgres idle client error', { error: error.message }));
  return pool;
}
