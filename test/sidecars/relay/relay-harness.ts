/**
 * The relay in one process for tests: its own HTTP server (startRelay, port 0) in front of a
 * scripted upstream (node:http, port 0) that records what it was sent. No child processes, no
 * Redis; plans are signed with a test secret.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpointOf } from '../../../lib/endpoints';
import type { Logger } from '../../../lib/log';
import type { PlanRetry, PlanTarget, RoutePlan } from '../../../lib/plan';
import { RelayMetrics } from '../../../sidecars/relay/metrics';
import { type Relay, startRelay } from '../../../sidecars/relay/server';
import { requestId, signedHeaders } from '../../e2e/helpers';
import { MemoryUsageSink } from './memory-usage-sink';
import { inProcessRelayConfig } from './relay-config';

export const PLAN_SECRET = 'c'.repeat(48);
/** The credential the relay sends upstream (UPSTREAM_API_KEY in its environment). */
export const UPSTREAM_KEY = 'sk-upstream-test';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
export type Script = (res: ServerResponse, seen: Seen) => void;

/** An upstream that answers each request with the next scripted handler (the last one repeats). */
export class Upstream {
  readonly seen: Seen[] = [];
  private scripts: Script[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Upstream> {
    let upstream: Upstream | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        upstream!.seen.push(seen);
        const script = upstream!.scripts.length > 1 ? upstream!.scripts.shift()! : upstream!.scripts[0];
        script(res, seen);
      });
    });
    upstream = new Upstream(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(...scripts: Script[]): void {
    this.seen.length = 0;
    this.scripts = scripts;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Script =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

export const sse =
  (events: string[], opts: { cut?: boolean } = {}): Script =>
  (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const data of events) res.write(`data: ${data}\n\n`);
    // A cut lets what was written reach the relay first, as a connection dropped mid-answer would.
    if (opts.cut) setTimeout(() => res.destroy(), 20);
    else res.end();
  };

/** An SSE answer written as given: each string a whole event, in the provider's own framing (event: lines included). */
export const rawSse =
  (events: string[]): Script =>
  (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of events) res.write(e);
    res.end();
  };

const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface TestRelay {
  relay: Relay;
  usage: MemoryUsageSink;
  metrics: RelayMetrics;
  /** POSTs a body with a signed plan for these targets (the endpoint follows the path). */
  send(
    body: string,
    targets: PlanTarget | PlanTarget[],
    opts?: { path?: string; retry?: PlanRetry; id?: string; headers?: Record<string, string>; plan?: Partial<Pick<RoutePlan, 'guardrails' | 'template'>> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestRelay(): Promise<TestRelay> {
  const usage = new MemoryUsageSink();
  const metrics = new RelayMetrics(false);
  const relay = await startRelay({
    config: inProcessRelayConfig(PLAN_SECRET, 64 * 1024),
    usage,
    env: { UPSTREAM_API_KEY: UPSTREAM_KEY },
    log: quietLog,
    metrics,
  });
  return {
    relay,
    usage,
    metrics,
    send(body, targets, opts = {}) {
      const path = opts.path ?? '/v1/chat/completions';
      const headers = signedHeaders(body, targets, PLAN_SECRET, endpointOf(path.split('?')[0] ?? path), opts.id ?? requestId(), opts.retry, opts.plan);
      return fetch(relay.url + path, { method: 'POST', body, headers: { ...opts.headers, ...headers } });
    },
    close: () => relay.close(),
  };
}
