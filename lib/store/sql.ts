/** Small helpers for building UPDATE statements from a whitelisted patch. */
import type { Pool, PoolClient } from 'pg';
import { isDatabaseUnavailable } from '../db/unavailable';

export type Queryable = Pool | PoolClient;

/** `col = $n` fragments for the keys of `patch` that `columns` maps; values pushed onto `params`. */
export function setClauses(patch: Record<string, unknown>, columns: Record<string, string>, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [field, column] of Object.entries(columns)) {
    if (!(field in patch) || patch[field] === undefined) continue;
    const value = patch[field];
    params.push(column === 'metadata' || column === 'model_aliases' ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}`);
  }
  return sets;
}

/**
 * Runs `fn` in a transaction on one client. A client the database stopped answering is destroyed
 * rather than rolled back (PostgreSQL rolls back a closed connection's transaction) and never
 * returned to the pool, where the next caller would wait on it.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (isDatabaseUnavailable(error)) broken = error as Error;
    else
      broken = await client.query('ROLLBACK').then(
        () => undefined,
        (e: Error) => e,
      );
    throw error;
  } finally {
    client.release(broken);
  }
}
