/**
 * The one way the console talks to the control API: same-origin fetch with the session cookie
 * (httpOnly, so JavaScript never sees it), the CSRF token on every change, and the API's error
 * shape turned into an ApiFailure. The token lives in this module's memory only: never in
 * localStorage, sessionStorage or a cookie written by script.
 */

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly param: string | null,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

let csrfToken: string | null = null;
let onExpired: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called once by the app: a 401 outside the session routes means the session ended. */
export function onSessionExpired(handler: () => void): void {
  onExpired = handler;
}

const SAFE = new Set(['GET', 'HEAD']);

interface ErrorBody {
  error?: { message?: string; code?: string | null; param?: string | null };
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiFailure(0, 'The gateway could not be reached. Check your connection and try again.', 'network_error', null);
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as (T & ErrorBody) | null;
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/admin/session')) onExpired?.();
    const err = data?.error;
    throw new ApiFailure(res.status, err?.message ?? `The gateway answered ${res.status}.`, err?.code ?? null, err?.param ?? null);
  }
  return data as T;
}

/** A query string from the filled-in fields only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') q.set(name, String(value));
  const text = q.toString();
  return text ? `?${text}` : '';
}
