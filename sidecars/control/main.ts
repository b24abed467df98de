/** The control API process: environment, migrations (unless AIGW_MIGRATE=false), one ready line, clean shutdown. */

import { runMigrations } from '../../lib/db/migrate';
import { createPool, POOL_DEADLINES } from '../../lib/db/pool';
import { createLogger } from '../../lib/log';
import { exitOnSignal, runProcess } from '../../lib/process-lifecycle';
import { TargetStats } from '../../lib/routing';
import { CacheStore } from '../../lib/semantic-cache/store';
import { redisFor } from '../../lib/store-clients';
import { loadControlConfig } from './config';
import { loadConsoleConfig } from './console/config';
import { gatewayModelsFrom } from './console/gateway-models';
import { SessionStore } from './console/sessions';
import { type Invalidator, NoInvalidator, RedisInvalidator } from './invalidate';
import { ControlMetrics } from './metrics';
import { startRequestLogRetention } from './request-log-retention';
import { startControl } from './server';

async function main(): Promise<void> {
  const log = createLogger('control');
  const config = loadControlConfig();
  const consoleConfig = loadConsoleConfig();
  if (config.migrate) {
    // DDL may wait on locks and rewrite tables: its own pool, without the API's statement deadlines.
    const migrationPool = createPool(config.databaseUrl, { deadlines: POOL_DEADLINES.maintenance, log, max: 1 });
    try {
      const result = await runMigrations(migrationPool);
      log.info('migrations', { applied: result.applied.map((m) => `${m.version}_${m.name}`), current: result.current });
    } finally {
      await migrationPool.end();
    }
  }
  const pool = createPool(config.databaseUrl, { deadlines: POOL_DEADLINES.controlApi, log });
  let invalidator: Invalidator;
  if (config.redisUrl) invalidator = new RedisInvalidator(config.redisUrl, log);
  else {
    log.warn('AIGW_REDIS_URL not set: caches learn of key and team changes only when their entries expire');
    invalidator = new NoInvalidator();
  }
  const cache = config.redisUrl ? new CacheStore(redisFor(config.redisUrl)) : null;
  const metrics = new ControlMetrics(pool);
  const sessionTimes = { ttlMs: consoleConfig.sessionTtlSeconds * 1000, idleMs: consoleConfig.idleTimeoutSeconds * 1000 };
  const sessions = config.redisUrl ? new SessionStore(redisFor(config.redisUrl), sessionTimes) : null;
  const control = await startControl({
    host: config.host,
    port: config.port,
    planSecret: config.planSecret,
    pool,
    invalidator,
    log,
    cache,
    metrics,
    sessions,
    console: consoleConfig,
    gatewayModels: gatewayModelsFrom(),
    targetStats: config.redisUrl ? new TargetStats(redisFor(config.redisUrl)) : null,
  });
  log.info('console', { dir: consoleConfig.dir, secure_cookie: consoleConfig.secureCookie, sessions: sessions ? 'redis' : 'off (no AIGW_REDIS_URL)' });
  log.info('control API listening', { url: control.url });
  const retention = startRequestLogRetention({ pool, days: config.requestLogRetentionDays, log });
  exitOnSignal(() =>
    control
      .close()
      .then(() => retention.stop())
      .then(() => Promise.all([invalidator.close(), pool.end()])),
  );
}

runProcess('control API', main);
