/**
 * POST /admin/session (log in with an admin key), GET /admin/session (the session, after a page
 * reload), DELETE /admin/session (log out). Login and logout are audited; a login is rate limited
 * per client IP and a failed one answers slowly, whatever made it fail.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuditEntryInput } from '../../../lib/store/audit-log';
import { ApiError } from '../api-error';
import type { AuditWriter } from '../audit';
import type { RouteResult } from '../context';
import { clearedSessionCookie, sessionCookie } from './cookie';
import { checkCsrf } from './csrf';
import type { LoginLimiter } from './login-limiter';
import { type ConsoleAuth, sessionView } from './session-auth';

export const SESSION_PATH = '/admin/session';

export interface SessionRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body: () => unknown;
  clientIp: string;
  requestId: string | null;
  started: number;
}

export interface SessionDeps {
  auth: ConsoleAuth;
  limiter: LoginLimiter;
  audit: AuditWriter;
  onLogin?: (outcome: string) => void;
}

const entry = (
  r: SessionRequest,
  e: Pick<AuditEntryInput, 'action' | 'actorKeyId' | 'outcome' | 'status'> & { details?: Record<string, unknown> },
): AuditEntryInput => ({
  via: 'console',
  targetType: 'session',
  targetId: null,
  requestId: r.requestId,
  clientIp: r.clientIp,
  details: {},
  ...e,
});

async function login(deps: SessionDeps, r: SessionRequest): Promise<RouteResult> {
  const wait = deps.limiter.attempt(r.clientIp);
  if (wait > 0) {
    deps.onLogin?.('rate_limited');
    throw new ApiError(429, `Too many login attempts from this address; retry in ${wait} s`, 'rate_limit_exceeded');
  }
  const result = await deps.auth.login(r.body(), r.started);
  if (!result.ok) {
    deps.onLogin?.('refused');
    await deps.audit.write(
      entry(r, { action: 'session.login_failed', actorKeyId: result.keyId, outcome: 'invalid_credentials', status: 401, details: { reason: result.reason } }),
    );
    throw new ApiError(401, 'That is not a valid admin key', 'invalid_credentials');
  }
  deps.onLogin?.('ok');
  const { session } = result;
  await deps.audit.write(entry(r, { action: 'session.login', actorKeyId: session.keyId, outcome: 'ok', status: 201 }));
  const cookie = sessionCookie(deps.auth.cookieFor(session), { maxAgeSeconds: deps.auth.config.sessionTtlSeconds, secure: deps.auth.config.secureCookie });
  return { status: 201, body: sessionView(session), headers: { 'set-cookie': cookie } };
}

async function current(deps: SessionDeps, r: SessionRequest): Promise<RouteResult> {
  const session = await deps.auth.fromCookie(r.headers);
  if (!session) throw new ApiError(401, 'No console session; log in with an admin key', 'missing_session');
  return { status: 200, body: sessionView(session) };
}

async function logout(deps: SessionDeps, r: SessionRequest): Promise<RouteResult> {
  const session = await deps.auth.fromCookie(r.headers);
  if (!session) throw new ApiError(401, 'No console session; log in with an admin key', 'missing_session');
  try {
    checkCsrf(r.method, r.headers, session.csrfToken);
  } catch (error) {
    await deps.audit.write(entry(r, { action: 'session.logout', actorKeyId: session.keyId, outcome: (error as ApiError).code ?? 'refused', status: 403 }));
    throw error;
  }
  await deps.auth.logout(session);
  await deps.audit.write(entry(r, { action: 'session.logout', actorKeyId: session.keyId, outcome: 'ok', status: 204 }));
  return { status: 204, body: null, headers: { 'set-cookie': clearedSessionCookie(deps.auth.config.secureCookie) } };
}

export function sessionRoute(deps: SessionDeps, r: SessionRequest): Promise<RouteResult> {
  if (r.method === 'POST') return login(deps, r);
  if (r.method === 'GET' || r.method === 'HEAD') return current(deps, r);
  if (r.method === 'DELETE') return logout(deps, r);
  throw new ApiError(405, `${r.method} is not allowed on ${SESSION_PATH}`, 'method_not_allowed');
}
