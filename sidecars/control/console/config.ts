/** The console's settings, from the control API's environment (README: configuration reference). */
import { isAbsolute, resolve } from 'node:path';

export interface ConsoleConfig {
  /** The built web app (index.html, app.js, app.css, ...). */
  dir: string;
  sessionTtlSeconds: number;
  idleTimeoutSeconds: number;
  /** Secure is left off the cookie only when asked (plain http on a non-loopback host). */
  secureCookie: boolean;
  /** Login attempts per client IP per minute. */
  loginAttemptsPerMinute: number;
  links: { kongManagerUrl: string | null; grafanaUrl: string | null; traceUrlTemplate: string | null };
}

const DEFAULT_TTL_SECONDS = 8 * 3600;
const DEFAULT_IDLE_SECONDS = 3600;

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 30 * 86400) throw new Error(`${name}=${raw} must be a whole number of seconds between 1 and 2592000`);
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  // Only http(s): the console renders these as links.
  if (!/^https?:\/\//i.test(raw)) throw new Error(`${name}=${raw} must be an http(s) URL`);
  return raw;
}

export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ConsoleConfig {
  const dir = env.AIGW_CONSOLE_DIR || 'dist/console';
  const ttl = seconds(env, 'AIGW_CONSOLE_SESSION_TTL_SECONDS', DEFAULT_TTL_SECONDS);
  const template = url(env, 'AIGW_TRACE_URL_TEMPLATE');
  if (template && !template.includes('{trace_id}')) throw new Error('AIGW_TRACE_URL_TEMPLATE must contain {trace_id}');
  return {
    dir: isAbsolute(dir) ? dir : resolve(cwd, dir),
    sessionTtlSeconds: ttl,
    idleTimeoutSeconds: Math.min(ttl, seconds(env, 'AIGW_CONSOLE_IDLE_TIMEOUT_SECONDS', DEFAULT_IDLE_SECONDS)),
    secureCookie: env.AIGW_CONSOLE_INSECURE_COOKIE !== '1',
    loginAttemptsPerMinute: seconds(env, 'AIGW_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE', 10),
    links: { kongManagerUrl: url(env, 'AIGW_KONG_MANAGER_URL'), grafanaUrl: url(env, 'AIGW_GRAFANA_URL'), traceUrlTemplate: template },
  };
}
