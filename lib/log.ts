/**
 * One JSON line per event on stderr. Callers pass ids, names and numbers only: never a key,
 * a prompt or a completion (see README, "Secrets and logs").
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(component: string, level: LogLevel = (process.env.AIGW_LOG_LEVEL as LogLevel) || 'info'): Logger {
  // Own keys only: a level such as "constructor" must not find Object.prototype's.
  const threshold = Object.hasOwn(LEVELS, level) ? LEVELS[level] : LEVELS.info;
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[lvl] < threshold) return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: lvl, component, msg, ...fields }) + '\n');
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
