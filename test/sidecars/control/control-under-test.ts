/**
 * The control API over real HTTP on a migrated PostgreSQL and a Redis, with a subscriber that
 * records every invalidation it publishes: what the route tests (keys, teams, prompts) share.
 */
import Redis from 'ioredis';
import { createLogger } from '../../../lib/log';
import { INVALIDATE_CHANNEL } from '../../../lib/shared-key-cache';
import type { ConsoleConfig } from '../../../sidecars/control/console/config';
import { SessionStore, type SessionTimes } from '../../../sidecars/control/console/sessions';
import { RedisInvalidator } from '../../../sidecars/control/invalidate';
import type { ControlMetrics } from '../../../sidecars/control/metrics';
import { type RunningControl, startControl } from '../../../sidecars/control/server';
import { startRedis, type TestRedis } from '../../harness/stores/redis';
import { waitFor } from '../../harness/wait-for';
import { SECRET, startMigratedDb, type TestDb } from './helpers';

export const controlTestLog = createLogger('control-test', 'error');

export interface ControlUnderTest {
  db: TestDb;
  redis: TestRedis;
  control: RunningControl;
  invalidator: RedisInvalidator;
  /** Console sessions in the same Redis. */
  sessions: SessionStore;
  /** Every invalidation published so far, parsed. */
  messages: Array<Record<string, string>>;
  close(): Promise<void>;
}

export interface ControlUnderTestOptions {
  console?: ConsoleConfig;
  sessionTimes?: SessionTimes;
  metrics?: ControlMetrics;
}

export async function startControlUnderTest(opts: ControlUnderTestOptions = {}): Promise<ControlUnderTest> {
  const [db, redis] = await Promise.all([startMigratedDb(), startRedis()]);
  const invalidator = new RedisInvalidator(redis.url, controlTestLog);
  const sessionRedis = new Redis(redis.url);
  const sessions = new SessionStore(sessionRedis, opts.sessionTimes ?? { ttlMs: 3600_000, idleMs: 3600_000 });
  const control = await startControl({
    host: '127.0.0.1',
    port: 0,
    planSecret: SECRET,
    pool: db.pool,
    invalidator,
    log: controlTestLog,
    sessions,
    console: opts.console,
    metrics: opts.metrics,
  });
  const messages: Array<Record<string, string>> = [];
  const sub = new Redis(redis.url);
  sub.on('message', (_channel, text) => messages.push(JSON.parse(text)));
  await sub.subscribe(INVALIDATE_CHANNEL);
  await waitFor(() => (invalidator.state() === 'ok' ? true : undefined), 10_000);
  return {
    db,
    redis,
    control,
    invalidator,
    sessions,
    messages,
    close: async () => {
      sub.disconnect();
      sessionRedis.disconnect();
      await control.close();
      await invalidator.close();
      await Promise.all([db.stop(), redis.stop()]);
    },
  };
}
