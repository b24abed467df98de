/**
 * The control API over real HTTP on a migrated PostgreSQL and a Redis, with a subscriber that
 * records every invalidation it publishes: what the route tests (keys, teams, prompts) share.
 */
import Redis from 'ioredis';
import { createLogger } from '../../../lib/log';
import { INVALIDATE_CHANNEL } from '../../../lib/shared-key-cache';
import { RedisInvalidator } from '../../../sidecars/control/invalidate';
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
  /** Every invalidation published so far, parsed. */
  messages: Array<Record<string, string>>;
  close(): Promise<void>;
}

export async function startControlUnderTest(): Promise<ControlUnderTest> {
  const [db, redis] = await Promise.all([startMigratedDb(), startRedis()]);
  const invalidator = new RedisInvalidator(redis.url, controlTestLog);
  const control = await startControl({ host: '127.0.0.1', port: 0, planSecret: SECRET, pool: db.pool, invalidator, log: controlTestLog });
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
    messages,
    close: async () => {
      sub.disconnect();
      await control.close();
      await invalidator.close();
      await Promise.all([db.stop(), redis.stop()]);
    },
  };
}
