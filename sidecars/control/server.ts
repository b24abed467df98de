/**
 * The control API on node:http. /healthz is open (loopback only); /console serves the web app;
 * everything under /admin needs a signed admin identity from aigw-virtual-key (an admin key
 * through Kong) or a console session cookie (with its CSRF token for changes), checked before
 * any routing so an unauthenticated caller learns nothing, not even which paths exist. Every
 * change an admin asks for, done or refused, goes to the audit log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { isDatabaseUnavailable } from '../../lib/db/unavailable';
import { IDENTITY_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import type { Logger } from '../../lib/log';
import { withRequestLogContext } from '../../lib/observability/log-context';
import { splitTarget } from '../../lib/request-target';
import type { TargetStats } from '../../lib/routing';
import type { CacheStore } from '../../lib/semantic-cache/store';
import { ApiError } from './api-error';
import { type AuditWriter, auditEntryOf, auditWriter, type ChangeSeen } from './audit';
import { AdminVerifier } from './auth';
import { clientIp } from './console/client-ip';
import { type ConsoleConfig, loadConsoleConfig } from './console/config';
import { checkCsrf } from './console/csrf';
import type { GatewayModelsSource } from './console/gateway-models';
import { LoginLimiter } from './console/login-limiter';
import { ConsoleAuth } from './console/session-auth';
import { SESSION_PATH, type SessionDeps, sessionRoute } from './console/session-routes';
import type { Session, SessionStore } from './console/sessions';
import { serveConsoleFile } from './console/static-files';
import type { AdminActor, ControlContext } from './context';
import { parseJson, readRawBody, sendJson } from './http';
import type { Invalidator } from './invalidate';
import { type ControlMetrics, methodLabel } from './metrics';
import { matchRoute } from './router';

export interface ControlServerOptions {
  host: string;
  port: number;
  planSecret: string;
  pool: Pool;
  invalidator: Invalidator;
  log: Logger;
  cache?: CacheStore | null;
  /** Served on GET /metrics (this port only: Kong routes /admin here, nothing else). */
  metrics?: ControlMetrics;
  /** Console sessions (Redis); without them the console cannot log in. */
  sessions?: SessionStore | null;
  /** Defaults from the environment (console/config.ts). */
  console?: ConsoleConfig;
  gatewayModels?: GatewayModelsSource | null;
  targetStats?: TargetStats | null;
}

/** The route a request matched, for the metrics: the router's pattern, never the raw path. */
interface Seen {
  route: string;
}

export interface RunningControl {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** 503 when the database (the system of record) cannot answer; invalidations waiting for Redis only degrade. */
async function health(ctx: ControlContext, res: ServerResponse): Promise<void> {
  const database = await ctx.pool.query('SELECT 1').then(
    () => 'ok',
    () => 'down',
  );
  const pending = ctx.invalidator.pending;
  sendJson(res, database === 'ok' ? 200 : 503, {
    status: database === 'ok' && pending === 0 ? 'ok' : 'degraded',
    database,
    redis: ctx.invalidator.state(),
    invalidation_failures: ctx.invalidator.failures,
    invalidations_pending: pending,
  });
}

async function serveMetrics(metrics: ControlMetrics, res: ServerResponse): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType });
  res.end(text);
}

interface Deps {
  ctx: ControlContext;
  verifier: AdminVerifier;
  auth: ConsoleAuth;
  session: SessionDeps;
  audit: AuditWriter;
  consoleDir: string;
  metrics?: ControlMetrics;
}

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
};

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Who is asking: a signed admin identity wins (an admin key through Kong); else the console
 * session cookie; else nobody. The identity binds the body, so the body is read here.
 */
async function authenticate(deps: Deps, req: IncomingMessage, method: string): Promise<{ actor: AdminActor; session: Session | null; body: Buffer }> {
  if (header(req, IDENTITY_HEADER) === null) {
    const session = await deps.auth.fromCookie(req.headers);
    if (session) return { actor: { keyId: session.keyId, via: 'console' }, session, body: await readRawBody(req) };
  }
  const opened = deps.verifier.open(req.headers);
  const body = await readRawBody(req);
  const admin = deps.verifier.accept(opened, { method, target: req.url ?? '/', body });
  return { actor: { keyId: admin.keyId, via: 'cli' }, session: null, body };
}

/** The JSON body for the audit log's field names; a body that does not parse is recorded without them. */
function bodyForAudit(body: Buffer): unknown {
  try {
    return parseJson(body);
  } catch {
    return undefined;
  }
}

async function handle(deps: Deps, req: IncomingMessage, res: ServerResponse, seen: Seen, started: number): Promise<void> {
  const { ctx, metrics } = deps;
  // Routed on the path as received: Kong has already normalised it, and anything else is no route.
  const { path, query } = splitTarget(req.url ?? '/');
  const method = req.method ?? 'GET';
  if (path === '/healthz' || path === '/metrics') seen.route = path;
  if (path === '/healthz' && method === 'GET') return health(ctx, res);
  if (path === '/metrics' && method === 'GET' && metrics) return serveMetrics(metrics, res);
  if (path === '/console' || path.startsWith('/console/')) {
    seen.route = '/console';
    return serveConsoleFile(deps.consoleDir, method, path, res);
  }
  if (path !== '/admin' && !path.startsWith('/admin/')) {
    throw new ApiError(404, `Unknown path ${path}`, 'unknown_url');
  }
  const requestId = header(req, REQUEST_ID_HEADER);
  const ip = clientIp(req);
  if (path === SESSION_PATH || path === `${SESSION_PATH}/`) {
    seen.route = SESSION_PATH;
    // The login's key is in the body; a signed identity (a key in the header) is not needed here.
    const raw = await readRawBody(req);
    const result = await sessionRoute(deps.session, { method, headers: req.headers, body: () => parseJson(raw), clientIp: ip, requestId, started });
    return sendJson(res, result.status, result.body, result.headers);
  }
  const { actor, session, body } = await authenticate(deps, req, method);
  const match = matchRoute(method, path);
  if (match) seen.route = match.route;
  if (!match) throw new ApiError(404, `Unknown path ${path}`, 'unknown_url');
  if ('methodNotAllowed' in match) throw new ApiError(405, `${method} is not allowed on ${path}`, 'method_not_allowed');
  const change: ChangeSeen | null =
    SAFE_METHODS.has(method) || !match.action
      ? null
      : { action: match.action, actorKeyId: actor.keyId, via: actor.via, params: match.params, body: bodyForAudit(body), requestId, clientIp: ip };
  try {
    if (session) checkCsrf(method, req.headers, session.csrfToken);
    const result = await match.handler(ctx, { params: match.params, query: new URLSearchParams(query), body: async () => parseJson(body), admin: actor });
    if (change) await deps.audit.write(auditEntryOf(change, { status: result.status, answer: result.body }));
    sendJson(res, result.status, result.body, result.headers);
  } catch (error) {
    if (change) await deps.audit.write(auditEntryOf(change, { status: error instanceof ApiError ? error.status : 500, error }));
    throw error;
  }
}

export async function startControl(opts: ControlServerOptions): Promise<RunningControl> {
  const consoleConfig = opts.console ?? loadConsoleConfig();
  const ctx: ControlContext = {
    pool: opts.pool,
    invalidator: opts.invalidator,
    log: opts.log,
    cache: opts.cache ?? null,
    console: consoleConfig,
    gatewayModels: opts.gatewayModels ?? null,
    targetStats: opts.targetStats ?? null,
  };
  const auth = new ConsoleAuth(opts.pool, opts.sessions ?? null, opts.planSecret, consoleConfig);
  const audit = auditWriter(opts.pool, opts.log, () => opts.metrics?.auditFailure());
  const deps: Deps = {
    ctx,
    verifier: new AdminVerifier(opts.planSecret),
    auth,
    audit,
    session: { auth, audit, limiter: new LoginLimiter(consoleConfig.loginAttemptsPerMinute), onLogin: (outcome) => opts.metrics?.login(outcome) },
    consoleDir: consoleConfig.dir,
    metrics: opts.metrics,
  };
  const serveControl = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const seen: Seen = { route: 'unmatched' };
    handle(deps, req, res, seen, started)
      .catch((error: unknown) => {
        const answer = (e: ApiError): void => {
          if (!res.headersSent) sendJson(res, e.status, e.body());
          else res.destroy();
        };
        if (error instanceof ApiError) return answer(error);
        const where = { method: req.method, path: req.url?.split('?')[0], error: (error as Error).message };
        if (isDatabaseUnavailable(error)) {
          opts.log.warn('database unavailable', where);
          // A write may or may not have committed before the database stopped answering: say so.
          return answer(new ApiError(503, 'The database did not answer in time; retry, then check whether the change was applied', 'database_unavailable'));
        }
        opts.log.error('control request failed', where);
        answer(new ApiError(500, 'Internal error in the control API', 'internal_error'));
      })
      .finally(() => {
        opts.metrics?.request(seen.route, methodLabel(req.method), res.statusCode);
        opts.log.debug('control request', { method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Date.now() - started });
      });
  };
  const server = createServer(withRequestLogContext(serveControl));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
