/**
 * Invalidations are never silently lost: with Redis unreachable (the connection cut and refused)
 * or stalled (SIGSTOP), a revocation still answers 200 (PostgreSQL is the system of record), the
 * invalidation waits, /healthz counts it, and once Redis answers again the DEL of the stale
 * aigw:key:<hash> entry and the PUBLISH arrive. Past its bound the queue flushes every cached key.
 *
 * How it can fail: an invalidation logged and dropped (the stale positive entry keeps being served
 * for its 60 s TTL), a queue that only empties on a reconnect (a stall never reconnects), or a
 * full queue that forgets entries.
 */
import Redis from 'ioredis';
import { hashKey } from '../../../lib/api-keys';
import { createLogger } from '../../../lib/log';
import { INVALIDATE_CHANNEL, KEY_CACHE_PREFIX } from '../../../lib/shared-key-cache';
import { RedisInvalidator } from '../../../sidecars/control/invalidate';
import { type RunningControl, startControl } from '../../../sidecars/control/server';
import { startRedis, type TestRedis } from '../../harness/stores/redis';
import { startTcpGate, type TcpGate } from '../../harness/stores/tcp-gate';
import { waitFor } from '../../harness/wait-for';
import { call, startMigratedDb, type TestDb } from './helpers';

const log = createLogger('control-invalidate-test', 'error');
let db: TestDb;
let redis: TestRedis;
let gate: TcpGate;
let invalidator: RedisInvalidator;
let control: RunningControl;
let direct: Redis;
let sub: Redis;
const messages: Array<Record<string, string>> = [];

beforeAll(async () => {
  [db, redis] = await Promise.all([startMigratedDb(), startRedis()]);
  gate = await startTcpGate(redis.port);
  // The control API reaches Redis through the gate; the test (playing the plugins) directly.
  invalidator = new RedisInvalidator(`redis://127.0.0.1:${gate.port}`, log, { retryBaseMs: 50, retryMaxMs: 500 });
  control = await startControl({ host: '127.0.0.1', port: 0, planSecret: 'control-test-secret-0123456789abcdef0123', pool: db.pool, invalidator, log });
  direct = new Redis(redis.url);
  sub = new Redis(redis.url);
  sub.on('message', (_channel, text) => messages.push(JSON.parse(text)));
  await sub.subscribe(INVALIDATE_CHANNEL);
  await until(() => invalidator.state() === 'ok', 'the invalidator to connect');
}, 30_000);

afterAll(async () => {
  await redis?.resume?.();
  sub?.disconnect();
  direct?.disconnect();
  await control?.close();
  await invalidator?.close();
  await gate?.stop();
  await Promise.all([db?.stop(), redis?.stop()]);
});

/** Until `done` holds (generous: delivery waits on reconnects and backoff); `what` names it in a timeout. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await waitFor(async () => ((await done()) ? true : undefined), 15_000).catch(() => {
    throw new Error(`timed out waiting for ${what}`);
  });
}

async function health(): Promise<Record<string, unknown>> {
  return (await fetch(`${control.url}/healthz`)).json() as Promise<Record<string, unknown>>;
}

/** A key whose stale positive entry sits in Redis, as a plugin cached it before the revocation. */
async function keyCachedInRedis(alias: string): Promise<{ id: string; hash: string; entry: string }> {
  const created = await call(control.url, 'POST', '/admin/keys', { key_alias: alias });
  expect(created.status).toBe(201);
  const hash = hashKey(created.body.key);
  await until(() => messages.some((m) => m.hash === hash), 'the creation to be published');
  const entry = KEY_CACHE_PREFIX + hash;
  await direct.set(entry, JSON.stringify({ id: created.body.id, revoked: false }), 'EX', 60);
  return { id: created.body.id, hash, entry };
}

/** Revokes while Redis cannot take the invalidation: 200 all the same, and the invalidation waits. */
async function revokeWhileAway(key: { id: string; hash: string; entry: string }): Promise<void> {
  const mark = messages.length;
  const started = Date.now();
  const res = await call(control.url, 'POST', `/admin/keys/${key.id}/revoke`);
  expect({ status: res.status, revoked: res.body.revoked, prompt: Date.now() - started < 5000 }).toEqual({ status: 200, revoked: true, prompt: true });
  expect(await health()).toMatchObject({ status: 'degraded', database: 'ok', redis: 'down', invalidations_pending: 1 });
  expect(messages.slice(mark)).toEqual([]);
}

/** After the PUBLISH arrived: the DEL went in the same pipeline, before it; nothing waits any more. */
async function expectDelivered(key: { entry: string }): Promise<void> {
  expect(await direct.exists(key.entry)).toBe(0);
  await until(async () => (await health()).invalidations_pending === 0, 'the queue to empty');
  expect(await health()).toMatchObject({ status: 'ok', redis: 'ok', invalidations_pending: 0 });
}

test('Redis unreachable: the revocation is delivered when Redis is reachable again (reconnect)', async () => {
  const key = await keyCachedInRedis('revoked-while-unreachable');
  const revokedBefore = messages.filter((m) => m.hash === key.hash).length;
  await gate.close();
  await until(() => invalidator.state() === 'down', 'the invalidator to notice');
  await revokeWhileAway(key);
  expect(await direct.exists(key.entry)).toBe(1); // still stale, so far
  await gate.open();
  await until(() => messages.filter((m) => m.hash === key.hash).length > revokedBefore, 'the PUBLISH after reconnecting');
  await expectDelivered(key);
}, 60_000);

// A stalled Redis also runs, once resumed, what was written to it during the stall; this checks
// that the invalidator, which cannot know that, retries without a reconnect and then stops.
test('Redis stalled: the revocation is retried until Redis answers (no reconnect happens)', async () => {
  const key = await keyCachedInRedis('revoked-while-stalled');
  const revokedBefore = messages.filter((m) => m.hash === key.hash).length;
  await redis.pause!();
  try {
    await revokeWhileAway(key);
  } finally {
    await redis.resume!();
  }
  await until(() => messages.filter((m) => m.hash === key.hash).length > revokedBefore, 'the PUBLISH after the stall');
  await expectDelivered(key);
}, 60_000);

test('changes while away are coalesced per key and team, and delivered oldest first', async () => {
  const a = await keyCachedInRedis('coalesced-a');
  const b = await keyCachedInRedis('coalesced-b');
  await gate.close();
  await until(() => invalidator.state() === 'down', 'the invalidator to notice');
  const mark = messages.length;
  for (const [id, body] of [
    [a.id, { rpm_limit: 1 }],
    [b.id, { rpm_limit: 2 }],
    [a.id, { rpm_limit: 3 }],
    [b.id, { tpm_limit: 4 }],
  ] as const) {
    expect((await call(control.url, 'PATCH', `/admin/keys/${id}`, body)).status).toBe(200);
  }
  expect(await health()).toMatchObject({ invalidations_pending: 2 });
  await gate.open();
  await until(() => messages.length >= mark + 2, 'the PUBLISHes');
  await until(async () => (await health()).invalidations_pending === 0, 'the queue to empty');
  expect(messages.slice(mark)).toEqual([
    { type: 'key', id: a.id, hash: a.hash },
    { type: 'key', id: b.id, hash: b.hash },
  ]);
  expect(await direct.exists(a.entry, b.entry)).toBe(0);
}, 60_000);

test('past its bound the queue forgets nothing: every cached key is flushed and {"type":"all"} published', async () => {
  const small = new RedisInvalidator(`redis://127.0.0.1:${gate.port}`, log, { maxPending: 3, retryBaseMs: 50, retryMaxMs: 500 });
  try {
    await until(() => small.state() === 'ok', 'the second invalidator to connect');
    const entries = Array.from({ length: 5 }, (_, i) => `${KEY_CACHE_PREFIX}${String(i).repeat(64)}`);
    for (const e of entries) await direct.set(e, '{}', 'EX', 60);
    await direct.set('aigw:unrelated', 'kept');
    await gate.close();
    await until(() => small.state() === 'down', 'the second invalidator to notice');
    const mark = messages.length;
    for (let i = 0; i < 5; i++) await small.keys([{ id: `k${i}`, hashes: [String(i).repeat(64)] }]);
    expect(small.pending).toBe(1); // one flush of everything stands for the five
    await gate.open();
    await until(() => messages.slice(mark).some((m) => m.type === 'all'), 'the flush to be published');
    expect(await direct.exists(...entries)).toBe(0);
    expect(await direct.get('aigw:unrelated')).toBe('kept');
    expect(small.pending).toBe(0);
  } finally {
    await small.close();
  }
}, 60_000);
