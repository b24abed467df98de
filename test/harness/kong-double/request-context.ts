/**
 * A fresh RequestContext for one client request: nginx's view of it (request line, headers,
 * $kong_request_id) and Kong's empty ngx.ctx. The body is read lazily, as ngx.req.read_body does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientClosedError } from './client-connection';
import { HeaderList, type RequestContext } from './context';
import { newRequestId } from './ids';

export interface ContextOptions {
  serverPort: number;
  clientBodyBufferSize: number;
}

export function newContext(req: IncomingMessage, res: ServerResponse, opts: ContextOptions): RequestContext {
  const url = req.url ?? '/';
  const q = url.indexOf('?', 1);
  const headers = HeaderList.fromRaw(req.rawHeaders);
  const hostHeader = headers.first('host') ?? '';
  const startedAt = Date.now();
  // ngx_http_test_expect: only "100-continue" exactly, only HTTP/1.1
  let expectsContinue = req.httpVersion === '1.1' && /^100-continue$/i.test(headers.first('expect') ?? '');
  const ctx: RequestContext = {
    id: newRequestId(),
    startedAt,
    startHr: process.hrtime.bigint(),
    req,
    clientIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    clientPort: req.socket.remotePort ?? 0,
    serverPort: opts.serverPort,
    scheme: 'http',
    httpVersion: Number(req.httpVersion) || 1.1,
    requestUri: url,
    method: req.method ?? 'GET',
    args: q >= 0 ? url.slice(q + 1) : '',
    host: (hostHeader.replace(/:\d+$/, '') || '127.0.0.1').toLowerCase(),
    headers,
    body: null,
    continueBody: () => {
      if (!expectsContinue) return;
      expectsContinue = false;
      if (!res.headersSent && !res.destroyed) res.writeContinue();
    },
    readBody: async () => {
      if (!ctx.body) {
        ctx.continueBody();
        const chunks: Buffer[] = [];
        try {
          for await (const c of req) chunks.push(c as Buffer);
        } catch {
          throw new ClientClosedError('reading the request body');
        }
        if (!req.complete) throw new ClientClosedError('reading the request body');
        const data = Buffer.concat(chunks);
        // nginx keeps the body in memory up to client_body_buffer_size, else spools it to a file
        ctx.body = { data, spooled: data.length > opts.clientBodyBufferSize };
        ctx.requestLength += data.length;
      }
      return ctx.body;
    },
    match: null,
    route: null,
    service: null,
    upstreamUri: '/',
    upstreamScheme: 'http',
    target: null,
    upstreamHost: null,
    responseHeaders: new HeaderList(),
    bufferedProxying: false,
    phase: 'rewrite',
    ctxShared: new Map(),
    ngxCtx: new Map(),
    authenticatedConsumer: null,
    authenticatedCredential: null,
    delayedResponse: null,
    exited: false,
    proxied: false,
    closeConnection: false,
    unexpected: false,
    buffered: null,
    sentStatus: 0,
    sentHeaders: new HeaderList(),
    bytesSent: 0,
    requestLength: Buffer.byteLength(`${req.method} ${url} HTTP/${req.httpVersion}\r\n`) + req.rawHeaders.reduce((n, s) => n + Buffer.byteLength(s) + 2, 0) + 2,
    proxyLatency: null,
    waitingTime: null,
    responseLatency: null,
    receiveTime: null,
    tries: [],
    upstreamStatus: null,
    serialized: null,
  };
  return ctx;
}
