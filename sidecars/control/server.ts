/**
 * The control API on node:http. /healthz is open (loopback only); everything under /admin needs
 * a signed admin identity from aigw-virtual-key, checked before any routing so an unauthenticated
 * caller learns nothing, not even which paths exist.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { isDatabaseUnavailable } from '../../lib/db/unavailable';
import type { Logger } from '../../lib/log';
import { withRequestLogContext } from '../../lib/observability/log-context';
import { splitTarget } from '../../lib/request-target';
import type { CacheStore } from '../../lib/semantic-cache/store';
import { ApiError } from './api-error';
import { AdminVerifier } from './auth';
import type { ControlContext } from './context';
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

async function handle(
  ctx: ControlContext,
  verifier: AdminVerifier,
  req: IncomingMessage,
  res: ServerResponse,
  seen: Seen,
  metrics?: ControlMetrics,
): Promise<void> {
  // Routed on the path as received: Kong has already normalised it, and anything else is no route.
  const { path, query } = splitTarget(req.url ?? '/');
  const method = req.method ?? 'GET';
  if (path === '/healthz' || path === '/metrics') seen.route = path;
  if (path === '/healthz' && method === 'GET') return health(ctx, res);
  if (path === '/metrics' && method === 'GET' && metrics) return serveMetrics(metrics, res);
  if (path !== '/admin' && !path.startsWith('/admin/')) {
    throw new ApiError(404, `Unknown path ${path}`, 'unknown_url');
  }
  const opened = verifier.open(req.headers);
  const body = await readRawBody(req);
  const admin = verifier.accept(opened, { method, target: req.url ?? '/', body });
  const match = matchRoute(method, path);
  if (match) seen.route = match.route;
  if (!match) throw new ApiError(404, `Unknown path ${path}`, 'unknown_url');
  if ('methodNotAllowed' in match) throw new ApiError(405, `${method} is not allowed on ${path}`, 'method_not_allowed');
  const result = await match.handler(ctx, { params: match.params, query: new URLSearchParams(query), body: async () => parseJson(body), admin });
  sendJson(res, result.status, result.body);
}

export async function startControl(opts: ControlServerOptions): Promise<RunningControl> {
  const ctx: ControlContext = { pool: opts.pool, invalidator: opts.invalidator, log: opts.log, cache: opts.cache ?? null };
  const verifier = new AdminVerifier(opts.planSecret);
  const serveControl = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const seen: Seen = { route: 'unmatched' };
    handle(ctx, verifier, req, res, seen, opts.metrics)
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
