// HTTP plumbing shared by every provider dialect: loopback listener, routing, body reading,
// request recording, per-request abort signals, and a close() that ends hanging requests too.

import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { RecordedRequest } from './types';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  rawBody: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON (see `jsonError`). */
  body: unknown;
  jsonError: boolean;
  /** Aborts when the client goes away, the response ends, or the server closes. */
  signal: AbortSignal;
  /** performance.now() when the request arrived (for openai-processing-ms and pacing). */
  startedAt: number;
}

export interface Route {
  method: string;
  /** Exact path, or a RegExp whose capture groups are passed as params. */
  path: string | RegExp;
  /** Control routes are not recorded. Default true. */
  record?: boolean;
  handler(ctx: RequestContext, params: string[]): Promise<void> | void;
}

export interface HttpServerOptions {
  host?: string;
  port?: number;
  routes: Route[];
  /** Runs before routing for every request (e.g. auth); returns true when it answered. */
  guard?(ctx: RequestContext): boolean;
  notFound(ctx: RequestContext): void;
}

export const LOOPBACK = '127.0.0.1';

export class MockHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<AbortController>();
  private port = 0;

  constructor(private readonly opts: HttpServerOptions) {
    if ((opts.host ?? LOOPBACK) !== LOOPBACK) throw new Error(`mock provider binds ${LOOPBACK} only`);
    this.server = http.createServer((req, res) => void this.dispatch(req, res));
    this.server.on('connection', (socket: Socket) => {
      // Chunks must leave as they are written, or time-to-first-token is fiction.
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, LOOPBACK, () => resolve());
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this.port;
  }

  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.inFlight) c.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const receivedAt = Date.now();
    const controller = new AbortController();
    this.inFlight.add(controller);
    res.on('close', () => {
      controller.abort();
      this.inFlight.delete(controller);
    });

    const rawBody = await readBody(req);
    let body: unknown;
    let jsonError = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        jsonError = true;
      }
    }
    const url = new URL(req.url ?? '/', 'http://mock');
    const ctx: RequestContext = {
      req,
      res,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      rawBody,
      body,
      jsonError,
      signal: controller.signal,
      startedAt,
    };

    const match = this.route(ctx);
    if (match?.route.record !== false) {
      this.requests.push({
        method: ctx.method,
        path: ctx.path,
        headers: { ...req.headers },
        body: jsonError ? rawBody : body,
        receivedAt,
      });
    }
    try {
      if (match?.route.record !== false && this.opts.guard?.(ctx)) return;
      if (!match) return this.opts.notFound(ctx);
      await match.route.handler(ctx, match.params);
    } catch (e) {
      // A bug in a handler must still answer, never leave the client hanging.
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(e), type: 'mock_error', param: null, code: null } });
      else res.destroy();
    }
  }

  private route(ctx: RequestContext): { route: Route; params: string[] } | undefined {
    for (const route of this.opts.routes) {
      if (route.method !== ctx.method) continue;
      if (typeof route.path === 'string') {
        if (route.path === ctx.path) return { route, params: [] };
      } else {
        const m = route.path.exec(ctx.path);
        if (m) return { route, params: m.slice(1).map(decodeURIComponent) };
      }
    }
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Dialects may override the content type (Google sends "application/json; charset=UTF-8").
  res.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Writes and resolves once the bytes are handed to the kernel (or false if the socket is gone). */
export function writeFlushed(res: ServerResponse, data: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    res.write(data, (err) => resolve(!err));
  });
}
