/**
 * Purges request-log rows older than the retention, in bounded batches, once at start and then
 * on a timer. The spend ledger is never purged: finance history and budget rebuilds read it.
 */
import type { Pool } from 'pg';
import type { Logger } from '../../lib/log';
import { purgeRequestLog } from '../../lib/store/request-log';

export const RETENTION_DAYS_ENV = 'AIGW_REQUEST_LOG_RETENTION_DAYS';
export const DEFAULT_RETENTION_DAYS = 30;
const MAX_RETENTION_DAYS = 36_500;
const DAY_MS = 86_400_000;

/** AIGW_REQUEST_LOG_RETENTION_DAYS: whole days from 1 to 36500, 30 when unset. */
export function retentionDaysFrom(env: NodeJS.ProcessEnv): number {
  const v = env[RETENTION_DAYS_ENV];
  if (v === undefined || v === '') return DEFAULT_RETENTION_DAYS;
  const days = /^[0-9]{1,5}$/.test(v) ? Number(v) : NaN;
  if (!(days >= 1 && days <= MAX_RETENTION_DAYS)) throw new Error(`${RETENTION_DAYS_ENV}=${v} must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}`);
  return days;
}

export interface Retention {
  /** One purge now (what the timer runs); resolves with the rows deleted. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startRequestLogRetention(opts: { pool: Pool; days: number; log: Logger; intervalMs?: number }): Retention {
  let running: Promise<number> | null = null;
  const runOnce = (): Promise<number> => {
    running ??= purgeRequestLog(opts.pool, new Date(Date.now() - opts.days * DAY_MS))
      .then(
        (deleted) => {
          if (deleted > 0) opts.log.info('request log purged', { deleted, retention_days: opts.days });
          return deleted;
        },
        (error: unknown) => {
          opts.log.warn('request log purge failed; retried on the next run', { error: (error as Error).message });
          return 0;
        },
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(runOnce, 1000);
  const timer = setInterval(runOnce, opts.intervalMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    runOnce,
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
