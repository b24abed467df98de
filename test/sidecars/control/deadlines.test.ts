/**
 * No store call without a deadline: with PostgreSQL stalled (SIGSTOP: connections are accepted,
 * nothing is answered) or stopped, every control API route and /healthz answers 503
 * database_unavailable in OpenAI's shape within a few seconds, and recovers when the database
 * does. How it can fail: a pool without a query deadline (a stalled server holds the request
 * forever), a stalled client returned to the pool, or a database error rendered as a 500.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { runMigrations } from '../../../lib/db/migrate';
import { createPool, POOL_DEADLINES } from '../../../lib/db/pool';
import { createLogger } from '../../../lib/log';
import { NoInvalidator } from '../../../sidecars/control/invalidate';
import { type RunningControl, startControl } from '../../../sidecars/control/server';
import { startPostgres, type TestPostgres } from '../../harness/stores/postgres';
import { call, type JsonResponse, SECRET } from './helpers';

const log = createLogger('control-deadlines-test', 'error');
/** The control pool's deadlines are 2-3 s; anything under this is "a few seconds". */
const PROMPT_MS = 6000;

let pg: TestPostgres;
let pool: Pool;
let control: RunningControl;
let teamId: string;

beforeAll(async () => {
  pg = await startPostgres();
  const migrations = createPool(pg.url, { deadlines: POOL_DEADLINES.maintenance, max: 1 });
  await runMigrations(migrations).finally(() => migrations.end());
  // The pool the control API process makes (sidecars/control/main.ts).
  pool = createPool(pg.url, { deadlines: POOL_DEADLINES.controlApi, log });
  control = await startControl({ host: '127.0.0.1', port: 0, planSecret: SECRET, pool, invalidator: new NoInvalidator(), log });
}, 30_000);

afterAll(async () => {
  await control?.close();
  await pool?.end();
  await pg?.stop();
});

/** One call, cut off well after the deadline so a missing deadline fails the test, not the suite. */
async function timed(method: string, path: string, body?: unknown): Promise<JsonResponse & { ms: number }> {
  const started = Date.now();
  const res = await Promise.race([
    call(control.url, method, path, body),
    new Promise<JsonResponse>((resolve) => setTimeout(() => resolve({ status: 0, body: 'no answer after 12 s' }), 12_000).unref()),
  ]);
  return { ...res, ms: Date.now() - started };
}

async function health(): Promise<{ status: number; body: unknown; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${control.url}/healthz`, { signal: AbortSignal.timeout(12_000) }).catch(() => null);
  return { status: res?.status ?? 0, body: res ? await res.json() : null, ms: Date.now() - started };
}

function expectUnavailable(res: { status: number; body: unknown; ms: number }): void {
  expect({ status: res.status, body: res.body, prompt: res.ms < PROMPT_MS }).toEqual({
    status: 503,
    body: { error: { message: expect.any(String), type: 'api_error', code: 'database_unavailable', param: null } },
    prompt: true,
  });
}

test('a stalled database: 503 database_unavailable within seconds on reads, writes, transactions and /healthz; then recovery', async () => {
  teamId = (await timed('POST', '/admin/teams', { name: 'before-the-stall' })).body.id;
  // Idle clients in the pool, so the stall is met both on open connections and on new ones.
  await Promise.all(Array.from({ length: 4 }, () => timed('GET', '/admin/keys')));
  await pg.pause();
  try {
    // More calls at once than the pool has clients: some wait for a client, some on a frozen one.
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, () => timed('GET', '/admin/keys')),
      timed('POST', '/admin/keys', { key_alias: 'during-the-stall' }),
      timed('DELETE', `/admin/teams/${teamId}`), // a transaction
      timed('GET', `/admin/keys/${randomUUID()}`),
    ]);
    for (const res of answers) expectUnavailable(res);
    const h = await health();
    expect({ status: h.status, body: h.body, prompt: h.ms < PROMPT_MS }).toEqual({
      status: 503,
      body: expect.objectContaining({ status: 'degraded', database: 'down' }),
      prompt: true,
    });
  } finally {
    await pg.resume();
  }
  // Clients that timed out were destroyed, not handed to the next caller.
  expect((await timed('GET', '/admin/keys')).status).toBe(200);
  expect((await timed('DELETE', `/admin/teams/${teamId}`)).status).toBe(200);
  expect((await health()).status).toBe(200);
}, 60_000);

test('a stopped database: 503 database_unavailable at once', async () => {
  await pg.stop();
  expectUnavailable(await timed('GET', '/admin/keys'));
  expectUnavailable(await timed('POST', '/admin/teams', { name: 'after-the-stop' }));
  const h = await health();
  expect({ status: h.status, database: (h.body as { database: string }).database }).toEqual({ status: 503, database: 'down' });
}, 30_000);
