/** The one way our processes open PostgreSQL: AIGW_DATABASE_URL, errors on idle clients logged, not fatal. */
import { Pool } from 'pg';
import { DATABASE_URL_ENV } from '../identity';
import type { Logger } from '../log';

export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env[DATABASE_URL_ENV];
  if (!url) throw new Error(`${DATABASE_URL_ENV} must be set (postgres://user:password@host:5432/db)`);
  return url;
}

export function createPool(url: string, log?: Logger, max = 10): Pool {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection emits on the pool; unhandled, it would kill the process.
  pool.on('error', (error) => log?.warn('postgres idle client error', { error: error.message }));
  return pool;
}
