/**
 * Versioned SQL migrations: lib/db/migrations/NNN_name.sql, applied in order, each in its own
 * transaction, recorded in aigw_schema_migrations with a checksum. A session advisory lock makes
 * concurrent starts (several control API replicas, the CLI) safe: one applies, the others wait
 * and then find nothing to do. Editing an applied migration is an error, never silently skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: Array<{ version: number; name: string }>;
  /** Highest version in the database after the run. */
  current: number;
}

/** Arbitrary constant: the advisory lock every aigw migrator takes. */
const LOCK_ID = 0x616967_77; // "aigw"
const FILE = /^(\d{3,})_([A-Za-z0-9_-]+)\.sql$/;

/**
 * Where the SQL files are: next to this module when run from source, under the repo's lib/db
 * when bundled into dist/ (the CLI), or wherever AIGW_MIGRATIONS_DIR says (images).
 */
export function defaultMigrationsDir(): string {
  const candidates = [process.env.AIGW_MIGRATIONS_DIR, path.join(__dirname, 'migrations'), path.join(__dirname, '..', '..', 'lib', 'db', 'migrations')].filter(
    (d): d is string => Boolean(d),
  );
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new Error(`no migrations directory found (tried ${candidates.join(', ')}); set AIGW_MIGRATIONS_DIR`);
  return found;
}

export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = FILE.exec(file);
      if (!m) throw new Error(`migration file ${file} is not named NNN_name.sql`);
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return { version: Number(m[1]), name: m[2], sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) throw new Error(`two migrations have version ${migrations[i].version}`);
  }
  return migrations;
}

export async function runMigrations(pool: Pool, migrations: Migration[] = loadMigrations()): Promise<MigrateResult> {
  const client = await pool.connect();
  const applied: MigrateResult['applied'] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    try {
      // Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide.
      await client.query(`CREATE TABLE IF NOT EXISTS aigw_schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM aigw_schema_migrations');
      const done = new Map(rows.map((r) => [r.version, r]));
      for (const m of migrations) {
        const prior = done.get(m.version);
        if (prior) {
          if (prior.checksum !== m.checksum) {
            throw new Error(
              `migration ${m.version}_${m.name} was changed after it was applied (checksum ${prior.checksum.slice(0, 12)} in the database, ${m.checksum.slice(0, 12)} on disk); add a new migration instead`,
            );
          }
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO aigw_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${m.version}_${m.name} failed: ${(error as Error).message}`);
        }
        applied.push({ version: m.version, name: m.name });
      }
      const { rows: top } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM aigw_schema_migrations');
      return { applied, current: top[0].v ?? 0 };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
