/** The control API's settings, all from its environment. */
import { DATABASE_URL_ENV, REDIS_URL_ENV } from '../../lib/store-env';
import { retentionDaysFrom } from './request-log-retention';

export interface ControlConfig {
  host: string;
  port: number;
  /** Shared with aigw-virtual-key, which signs the admin identity with it. */
  planSecret: string;
  databaseUrl: string;
  /** null: no Redis configured; caches then only learn of changes when their entries expire. */
  redisUrl: string | null;
  migrate: boolean;
  /** Request-log rows older than this many days are purged. */
  requestLogRetentionDays: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function loadControlConfig(env: NodeJS.ProcessEnv = process.env): ControlConfig {
  const planSecret = env.AIGW_PLAN_SECRET ?? '';
  if (planSecret.length < 32) throw new Error('AIGW_PLAN_SECRET must be set to at least 32 characters');
  const databaseUrl = env[DATABASE_URL_ENV];
  if (!databaseUrl) throw new Error(`${DATABASE_URL_ENV} must be set`);
  const host = env.CONTROL_HOST || '127.0.0.1';
  // Only Kong may reach the control API; it shares Kong's host (or network namespace).
  if (!LOOPBACK.has(host) && env.CONTROL_ALLOW_NON_LOOPBACK !== 'true') {
    throw new Error(`CONTROL_HOST=${host} is not a loopback address; set CONTROL_ALLOW_NON_LOOPBACK=true to insist`);
  }
  const port = Number(env.CONTROL_PORT ?? 8788);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`CONTROL_PORT=${env.CONTROL_PORT} is not a port`);
  return {
    host,
    port,
    planSecret,
    databaseUrl,
    redisUrl: env[REDIS_URL_ENV] || null,
    migrate: env.AIGW_MIGRATE !== 'false',
    requestLogRetentionDays: retentionDaysFrom(env),
  };
}
