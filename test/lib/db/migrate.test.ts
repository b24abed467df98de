/** The migration runner against a real PostgreSQL: fresh, idempotent, tamper-evident, concurrent. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { loadMigrations, type Migration, runMigrations } from '../../../lib/db/migrate';
import { startPostgres, type TestPostgres } from '../../harness/stores/postgres';

let pg: TestPostgres;
const pools: Pool[] = [];
let dbCounter = 0;

/** A fresh, empty database on the test server for each case. */
async function freshPool(max = 2): Promise<Pool> {
  const name = `m${++dbCounter}`;
  const admin = new Client(pg.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const pool = new Pool({ connectionString: pg.url.replace(/\/aigw$/, `/${name}`), max });
  pools.push(pool);
  return pool;
}

beforeAll(async () => {
  pg = await startPostgres();
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await pg?.stop();
});

const tables = async (pool: Pool): Promise<string[]> =>
  (await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename);

test('a fresh database gets every migration, recorded with its checksum', async () => {
  const pool = await freshPool();
  const migrations = loadMigrations();
  expect(migrations.length).toBeGreaterThan(0);
  const result = await runMigrations(pool);
  expect(result.applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
  expect(await tables(pool)).toEqual(expect.arrayContaining(['aigw_keys', 'aigw_schema_migrations', 'aigw_spend_ledger', 'aigw_teams']));
  const { rows } = await pool.query('SELECT version, name, checksum, applied_at FROM aigw_schema_migrations ORDER BY version');
  expect(rows.map((r) => [r.version, r.name, r.checksum])).toEqual(migrations.map((m) => [m.version, m.name, m.checksum]));
  expect(rows[0].applied_at).toBeInstanceOf(Date);
});

test('running again applies nothing', async () => {
  const pool = await freshPool();
  await runMigrations(pool);
  const again = await runMigrations(pool);
  expect(again.applied).toEqual([]);
  expect(again.current).toBe(loadMigrations().at(-1)!.version);
});

test('a changed checksum of an applied migration is an error', async () => {
  const pool = await freshPool();
  await runMigrations(pool);
  const tampered: Migration[] = loadMigrations().map((m, i) => (i === 0 ? { ...m, sql: m.sql + '\n-- edited', checksum: 'f'.repeat(64) } : m));
  await expect(runMigrations(pool, tampered)).rejects.toThrow(/was changed after it was applied/);
});

test('a new migration is applied on top; a failing one rolls back completely and is not recorded', async () => {
  const pool = await freshPool();
  await runMigrations(pool);
  const base = loadMigrations();
  const next: Migration = { version: 900, name: 'extra', sql: 'CREATE TABLE extra_t (id int);', checksum: 'a'.repeat(64) };
  expect((await runMigrations(pool, [...base, next])).applied).toEqual([{ version: 900, name: 'extra' }]);
  const broken: Migration = {
    version: 901,
    name: 'broken',
    sql: 'CREATE TABLE half_t (id int); SELECT no_such_column FROM extra_t;',
    checksum: 'b'.repeat(64),
  };
  await expect(runMigrations(pool, [...base, next, broken])).rejects.toThrow(/901_broken failed/);
  expect(await tables(pool)).not.toContain('half_t');
  const { rows } = await pool.query('SELECT max(version) AS v FROM aigw_schema_migrations');
  expect(rows[0].v).toBe(900);
});

test('concurrent runners apply each migration exactly once', async () => {
  const name = `m${++dbCounter}`;
  const admin = new Client(pg.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = pg.url.replace(/\/aigw$/, `/${name}`);
  // Separate pools play separate processes starting at once.
  const runners = Array.from({ length: 5 }, () => {
    const p = new Pool({ connectionString: url, max: 1 });
    pools.push(p);
    return p;
  });
  const results = await Promise.all(runners.map((p) => runMigrations(p)));
  const appliedCounts = results.map((r) => r.applied.length);
  expect(appliedCounts.filter((n) => n > 0)).toEqual([loadMigrations().length]);
  const { rows } = await runners[0].query('SELECT version, count(*)::int AS n FROM aigw_schema_migrations GROUP BY version');
  expect(rows.every((r) => r.n === 1)).toBe(true);
});

test('002 clamps budgets, budget windows and expiries the API no longer accepts, then keeps them out', async () => {
  const pool = await freshPool();
  const all = loadMigrations();
  await runMigrations(
    pool,
    all.filter((m) => m.version === 1),
  );
  const team = (
    await pool.query("INSERT INTO aigw_teams (name, max_budget_nano, budget_duration) VALUES ('rich', 9000000000000000000, '9999999999s') RETURNING id")
  ).rows[0].id;
  const insertKey = (hash: string, budget: string | null, duration: string | null, expires: string | null): Promise<unknown> =>
    pool.query('INSERT INTO aigw_keys (key_hash, key_prefix, team_id, max_budget_nano, budget_duration, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      hash.repeat(64),
      'sk-aigw-x',
      team,
      budget,
      duration,
      expires,
    ]);
  await insertKey('a', '1000000000000001', '36501d', '275000-01-01T00:00:00Z');
  await insertKey('b', '1000000000000000', '36500d', '9999-12-31T23:59:59.999Z');
  await insertKey('c', '5', 'monthly', null);

  expect((await runMigrations(pool, all)).applied.map((m) => m.version)).toContain(2);
  const keys = (await pool.query('SELECT key_hash, max_budget_nano, budget_duration, expires_at FROM aigw_keys ORDER BY key_hash')).rows;
  expect(keys.map((k) => [k.key_hash[0], k.max_budget_nano, k.budget_duration, k.expires_at?.toISOString() ?? null])).toEqual([
    ['a', '1000000000000000', '36500d', '9999-12-31T23:59:59.999Z'],
    ['b', '1000000000000000', '36500d', '9999-12-31T23:59:59.999Z'],
    // Text that is not a duration was never written by the API; it is not this migration's to judge.
    ['c', '5', 'monthly', null],
  ]);
  expect((await pool.query('SELECT max_budget_nano, budget_duration FROM aigw_teams')).rows).toEqual([
    { max_budget_nano: '1000000000000000', budget_duration: '36500d' },
  ]);

  await expect(insertKey('d', '1000000000000001', null, null)).rejects.toThrow(/aigw_keys_max_budget_limit/);
  await expect(insertKey('d', null, '5215w', null)).rejects.toThrow(/aigw_keys_budget_duration_limit/);
  await expect(insertKey('d', null, null, '10000-01-01T00:00:00Z')).rejects.toThrow(/aigw_keys_expires_at_limit/);
  await expect(pool.query('UPDATE aigw_teams SET max_budget_nano = 1000000000000001')).rejects.toThrow(/aigw_teams_max_budget_limit/);
  await expect(pool.query("UPDATE aigw_teams SET budget_duration = '36501d'")).rejects.toThrow(/aigw_teams_budget_duration_limit/);
});

test('migration files must be named NNN_name.sql and versions must be unique', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aigw-mig-'));
  try {
    writeFileSync(path.join(dir, 'init.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/NNN_name\.sql/);
    rmSync(path.join(dir, 'init.sql'));
    writeFileSync(path.join(dir, '001_a.sql'), 'SELECT 1;');
    writeFileSync(path.join(dir, '001_b.sql'), 'SELECT 2;');
    expect(() => loadMigrations(dir)).toThrow(/two migrations have version 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
