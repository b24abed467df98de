/**
 * Where the CLI sends its calls and with which admin key: AIGW_ADMIN_URL and AIGW_ADMIN_KEY, else
 * what `make dev` wrote for this checkout (.tmp/dev/admin-key and .tmp/dev/admin-url, which it
 * removes when it stops). The dev key only ever goes to the dev URL: with the gateway on another
 * port (AIGW_DEV_PORT), whatever listens on :8000 must not receive it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The files `make dev` writes in `.tmp/dev` of the checkout. */
export const DEV_FILES = { adminKey: 'admin-key', adminUrl: 'admin-url', userKey: 'user-key' } as const;

/** Kong's proxy port, where the control API is reached on `/admin`. */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8000';

export function devDir(repoRoot: string): string {
  return path.join(repoRoot, '.tmp', 'dev');
}

export interface Connection {
  baseUrl: string;
  adminKey: string | null;
}

function devFile(repoRoot: string, name: string): string | null {
  const file = path.join(devDir(repoRoot), name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
}

export function connectionFrom(env: NodeJS.ProcessEnv, repoRoot: string): Connection {
  const explicitKey = env.AIGW_ADMIN_KEY?.trim() || null;
  const adminKey = explicitKey ?? devFile(repoRoot, DEV_FILES.adminKey);
  const devUrl = explicitKey === null && adminKey !== null ? devFile(repoRoot, DEV_FILES.adminUrl) : null;
  return { baseUrl: env.AIGW_ADMIN_URL || devUrl || DEFAULT_ADMIN_URL, adminKey };
}
