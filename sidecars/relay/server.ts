/** The relay's HTTP server: a health check, and the relayed OpenAI endpoints behind the plan check. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientFormatOf, gatewayError } from '../../lib/errors';
import { createLogger, type Logger } from '../../lib/log';
import { withRequestLogContext } from '../../lib/observability/log-context';
import type { Tracing } from '../../lib/observability/tracing';
import { RESPONSES_TTL_SECONDS_DEFAULT, ResponseStore } from '../../lib/responses';
import { CacheStore } from '../../lib/semantic-cache/store';
import { SingleUse } from '../../lib/single-use';
import { LedgerWriter } from '../../lib/store/ledger-writer';
import { RequestLogWriter } from '../../lib/store/request-log-writer';
import { pgFor, redisFor } from '../../lib/store-clients';
import { RelayBilling } from './billing';
import { RelayCacheFill, storeWriter } from './cache-fill';
import type { RelayConfig } from './config';
import type { RelayDeps } from './deps';
import type { RelayMetrics } from './metrics';
import { ParallelSlots } from './parallel-slots';
import { handleRelayRequest } from './relay-request';
import { RequestLogSink } from './request-log-sink';
import { sendError, sendJson } from './respond';
import { TargetFeedback } from './target-feedback';
import { UpstreamPools } from './upstream';
import { FanOutUsageSink, type UsageSink } from './usage';

export interface Relay {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface RelayOptions {
  config: RelayConfig;
  usage: UsageSink;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Served on GET /metrics (loopback only: counts and timings, no secrets). */
  metrics?: RelayMetrics;
  /** Spans per request and attempt (lib/observability/tracing); none when absent. */
  tracing?: Tracing;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const log = options.log ?? createLogger('relay');
  const pools = new UpstreamPools();
  const { redisUrl, databaseUrl } = options.config;
  const pool = databaseUrl ? pgFor(databaseUrl) : null;
  const metrics = options.metrics;
  const ledger = pool ? new LedgerWriter(pool, log, { onWriteFailure: () => metrics?.ledgerWriteFailed() }) : null;
  if (ledger) metrics?.watchLedger(() => ledger.pending);
  // Every usage record is also a request-log row (bounded queue: observability never holds a request).
  const requestLog = pool ? new RequestLogWriter(pool, log) : null;
  if (requestLog) metrics?.watchRequestLogDrops(() => requestLog.dropped);
  const usage = requestLog ? new FanOutUsageSink([options.usage, new RequestLogSink(requestLog)]) : options.usage;
  const redis = redisUrl ? redisFor(redisUrl) : null;
  const billing = new RelayBilling(redis, pool, ledger, log, undefined, metrics);
  const feedback = new TargetFeedback(redis, log, options.metrics);
  const slots = new ParallelSlots(redis, log);
  const usedPlans = new SingleUse();
  // Cache fills go to the same Redis the plugins read; without Redis nothing is cached.
  const countFill = (model: string, result: string): void => {
    options.metrics?.cacheFill(model, result);
    if (result === 'failed') options.metrics?.storeError('redis', 'cache_fill');
  };
  const cacheFill = redis ? new RelayCacheFill(storeWriter(new CacheStore(redis)), log, countFill) : null;
  const responsesTtl = options.config.responsesTtlSeconds ?? RESPONSES_TTL_SECONDS_DEFAULT;
  const responses = redis && responsesTtl > 0 ? { store: new ResponseStore(redis), ttlSeconds: responsesTtl } : null;
  const deps: RelayDeps = {
    config: options.config,
    pools,
    usage,
    log,
    env: options.env ?? process.env,
    billing,
    metrics: options.metrics,
    feedback,
    slots,
    usedPlans,
    cacheFill,
    responses,
    tracing: options.tracing,
  };
  const serveRelay = (req: IncomingMessage, res: ServerResponse): void => {
    res.socket?.setNoDelay(true);
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/metrics' && options.metrics) {
      const registry = options.metrics.registry;
      registry.metrics().then((text) => sendJson(res, 200, text, { 'content-type': registry.contentType }));
      return;
    }
    const format = clientFormatOf(path);
    if (req.method !== 'POST') {
      return sendError(res, format, gatewayError(405, `Method ${req.method} is not allowed here.`, 'method_not_allowed', null, { allow: 'POST' }));
    }
    handleRelayRequest(req, res, deps).catch((error: unknown) => {
      log.error('relay request failed', { error: (error as Error).message, path });
      const failure = gatewayError(500, 'The relay failed to handle this request.', 'relay_error');
      // Counted like any answer, on the gateway (error_type gateway): a bug must show on the dashboards.
      options.metrics?.refused(path, failure);
      if (!res.headersSent) sendError(res, format, failure);
      else res.destroy();
    });
  };
  const server = createServer(withRequestLogContext(serveRelay));
  // Streams can last minutes; Node's default request timeout would cut them.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.config.port, options.config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${options.config.host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pools.close();
      await ledger?.close();
      await usage.close();
    },
  };
}
