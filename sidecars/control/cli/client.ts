/** The CLI's HTTP client: JSON to the control API through Kong, the admin key as a Bearer token. */
export class CliError extends Error {}

export interface AdminClientOptions {
  baseUrl: string;
  adminKey: string | null;
  /** How long one call may take, answer included. */
  timeoutSeconds: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 3600;

/** AIGW_ADMIN_TIMEOUT: seconds, 1 to 3600 (default 30). */
export function timeoutFrom(env: NodeJS.ProcessEnv): number {
  const v = env.AIGW_ADMIN_TIMEOUT;
  if (v === undefined || v === '') return DEFAULT_TIMEOUT_SECONDS;
  const n = /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : NaN;
  if (!(n > 0 && n <= MAX_TIMEOUT_SECONDS)) throw new CliError(`AIGW_ADMIN_TIMEOUT must be a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`);
  return n;
}

export async function apiRequest(opts: AdminClientOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  if (!opts.adminKey) throw new CliError('No admin key: set AIGW_ADMIN_KEY, or start `make dev` in this checkout (it writes .tmp/dev/admin-key)');
  const signal = AbortSignal.timeout(opts.timeoutSeconds * 1000);
  const noAnswer = (): CliError => new CliError(`No answer from ${opts.baseUrl} within ${opts.timeoutSeconds} s (AIGW_ADMIN_TIMEOUT)`);
  let res: Response;
  let text: string;
  try {
    res = await fetch(opts.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers: { authorization: `Bearer ${opts.adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    text = await res.text();
  } catch (error) {
    if (signal.aborted) throw noAnswer();
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new CliError(`Cannot reach ${opts.baseUrl}: ${cause}`);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new CliError(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: string; param?: string | null } } | null)?.error;
    const where = err?.param ? ` (${err.param})` : '';
    throw new CliError(`${err?.message ?? `HTTP ${res.status}`}${where}`);
  }
  return json;
}
