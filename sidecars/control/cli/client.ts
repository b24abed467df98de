/** The CLI's HTTP client: JSON to the control API through Kong, the admin key as a Bearer token. */
export class CliError extends Error {}

export interface AdminClientOptions {
  baseUrl: string;
  adminKey: string | null;
}

export async function apiRequest(opts: AdminClientOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  if (!opts.adminKey) throw new CliError('No admin key: set AIGW_ADMIN_KEY (or run `aigw admin bootstrap --out .tmp/dev/admin-key`)');
  let res: Response;
  try {
    res = await fetch(opts.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers: { authorization: `Bearer ${opts.adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new CliError(`Cannot reach ${opts.baseUrl}: ${cause}`);
  }
  const text = await res.text();
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
