/**
 * The request lifecycle Kong runs for each proxied request (kong/init.lua):
 * rewrite (global plugins) -> router (404) -> access (collecting iterator; exit/raise -> delayed
 * response) -> 503 without a service -> proxy, buffered when a collected plugin has `response` or
 * called enable_buffering (Kong.response: whole upstream body in memory, `response` handlers, then
 * one write), otherwise streamed chunk by chunk -> header_filter (Kong's headers) -> log after the
 * client has the response (plugin.lua: ngx.timer.at(0) with saved data).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ConsumerEntity } from './deck';
import { HeaderList, type RequestContext } from './context';
import { newRequestId } from './ids';
import type { IngressLogger } from './log';
import type { PdkEnv } from './pdk';
import { globalList, runAccess, runHandler, unexpectedError, type Collected, type PluginEntry } from './phases';
import type { ExternalPlugin, PluginConfig } from './plugin-runtime';
import { callUpstream, SERVER_TOKENS, UpstreamError } from './proxy';
import type { Router } from './router';
import { serialize } from './serialize';

export interface ServerDeps {
  router: Router;
  /** plugins sorted in execution order */
  plugins: PluginEntry[];
  consumers: ConsumerEntity[];
  nodeId: string;
  wsId: string;
  clientBodyBufferSize: number;
  logger: IngressLogger;
  port(): number;
}

/** kong/pdk/response.lua send: table bodies are cjson-encoded (empty tables as {} , nil keys dropped). */
function cjsonEncode(v: unknown): string {
  const conv = (x: unknown): unknown => {
    if (x instanceof Uint8Array) return Buffer.from(x).toString('utf8');
    if (Array.isArray(x)) return x.length === 0 ? {} : x.map(conv);
    if (x !== null && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, y] of Object.entries(x)) if (y !== null && y !== undefined) o[k] = conv(y);
      return o;
    }
    return x;
  };
  return JSON.stringify(conv(v));
}

function newContext(req: IncomingMessage, deps: ServerDeps): RequestContext {
  const url = req.url ?? '/';
  const q = url.indexOf('?', 1);
  const headers = HeaderList.fromRaw(req.rawHeaders);
  const hostHeader = headers.first('host') ?? '';
  const startedAt = Date.now();
  const ctx: RequestContext = {
    id: newRequestId(),
    startedAt,
    startHr: process.hrtime.bigint(),
    req,
    clientIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    clientPort: req.socket.remotePort ?? 0,
    serverPort: deps.port(),
    scheme: 'http',
    httpVersion: Number(req.httpVersion) || 1.1,
    requestUri: url,
    method: req.method ?? 'GET',
    args: q >= 0 ? url.slice(q + 1) : '',
    host: (hostHeader.replace(/:\d+$/, '') || '127.0.0.1').toLowerCase(),
    headers,
    body: null,
    readBody: async () => {
      if (!ctx.body) {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const data = Buffer.concat(chunks);
        // nginx keeps the body in memory up to client_body_buffer_size, else spools it to a file
        ctx.body = { data, spooled: data.length > deps.clientBodyBufferSize };
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
    unexpected: false,
    buffered: null,
    sentStatus: 0,
    sentHeaders: new HeaderList(),
    bytesSent: 0,
    requestLength: Buffer.byteLength(`${req.method} ${url} HTTP/${req.httpVersion}\r\n`) +
      req.rawHeaders.reduce((n, s, i) => n + Buffer.byteLength(s) + (i % 2 ? 2 : 2), 0) + 2,
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

export function makeHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const envCache = new Map<string, PdkEnv>();
  const envFor = (p: ExternalPlugin): PdkEnv => {
    let env = envCache.get(p.name);
    if (!env) {
      env = {
        pluginName: p.name,
        nodeId: deps.nodeId,
        consumers: deps.consumers,
        clientBodyBufferSize: deps.clientBodyBufferSize,
        log: (level, msg) => deps.logger.log(level, p.name, msg),
        serialize: (ctx) => ctx.serialized ?? serialize(ctx, deps.wsId),
      };
      envCache.set(p.name, env);
    }
    return env;
  };

  return (req, res) => {
    handle(req, res, deps, envFor).catch((e: Error) => {
      deps.logger.log('crit', 'ingress', `request handler crashed: ${e.stack ?? e.message}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"message":"An unexpected error occurred"}');
      } else res.destroy();
    });
  };
}

/** header_filter after: Kong's response headers (kong/runloop/handler.lua, kong/constants.lua HEADERS). */
function kongHeaders(ctx: RequestContext, h: HeaderList, upstreamVia?: string): void {
  if (ctx.proxied) {
    h.set('X-Kong-Upstream-Latency', String(ctx.waitingTime ?? 0));
    h.set('X-Kong-Proxy-Latency', String(ctx.proxyLatency ?? 0));
    const outboundVia = `1.1 ${SERVER_TOKENS}`;
    h.set('Via', upstreamVia ? `${upstreamVia}, ${outboundVia}` : outboundVia);
    if (!h.has('server')) h.set('Server', SERVER_TOKENS);
  } else {
    h.set('X-Kong-Response-Latency', String(ctx.responseLatency ?? 0));
    if (h.first('via') !== SERVER_TOKENS) h.set('Server', SERVER_TOKENS);
  }
  h.set('X-Kong-Request-Id', ctx.id);
}

function writeHead(res: ServerResponse, status: number, h: HeaderList): void {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of h.entries) {
    const cur = out[k.toLowerCase()];
    out[k.toLowerCase()] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  res.writeHead(status, out);
}

function headerBytes(status: number, h: HeaderList): number {
  return Buffer.byteLength(`HTTP/1.1 ${status} X\r\n`) + h.entries.reduce((n, [k, v]) => n + k.length + v.length + 4, 0) + 2;
}

/** kong/pdk/response.lua send(): status, headers (ngx.header + exit headers), body. */
async function sendExit(ctx: RequestContext, res: ServerResponse): Promise<void> {
  const dr = ctx.delayedResponse!;
  const h = ctx.responseHeaders.clone();
  let hasCT = false;
  let hasCL = false;
  for (const [k, v] of Object.entries(dr.headers ?? {})) {
    const lk = k.toLowerCase().replace(/_/g, '-');
    if (lk === 'transfer-encoding') continue;
    h.set(k, Array.isArray(v) ? v.map(String) : v instanceof Uint8Array ? Buffer.from(v).toString() : String(v));
    if (lk === 'content-type') hasCT = true;
    if (lk === 'content-length') hasCL = true;
  }
  let body: Buffer;
  if (dr.body !== null && typeof dr.body === 'object' && !(dr.body instanceof Uint8Array)) {
    body = Buffer.from(cjsonEncode(dr.body));
    if (!hasCT) h.set('Content-Type', 'application/json; charset=utf-8');
  } else if (typeof dr.body === 'string') body = Buffer.from(dr.body, 'utf8');
  else if (dr.body instanceof Uint8Array) body = Buffer.from(dr.body);
  else body = Buffer.alloc(0);
  if (!hasCL) h.set('Content-Length', String(body.length));
  if (ctx.responseLatency === null && !ctx.proxied) ctx.responseLatency = Date.now() - ctx.startedAt;
  kongHeaders(ctx, h, ctx.buffered?.headers.first('via'));
  await finish(ctx, res, dr.status, h, body);
}

async function finish(ctx: RequestContext, res: ServerResponse, status: number, h: HeaderList, body: Buffer): Promise<void> {
  ctx.sentStatus = status;
  ctx.sentHeaders = h;
  ctx.bytesSent = headerBytes(status, h) + body.length;
  writeHead(res, status, h);
  await new Promise<void>((r) => res.end(ctx.method === 'HEAD' ? undefined : body, () => r()));
}

/** plugin.lua log closure: schedule after the response with the data saved now. */
function scheduleLog(ctx: RequestContext, list: Array<[ExternalPlugin, PluginConfig]>, envFor: (p: ExternalPlugin) => PdkEnv, deps: ServerDeps): void {
  if (!list.length) return;
  ctx.serialized = serialize(ctx, deps.wsId);
  setImmediate(() => {
    void (async () => {
      for (const [plugin, cfg] of list) {
        await runHandler(plugin, cfg, 'log', ctx, envFor(plugin));
      }
    })().catch((e: Error) => deps.logger.log('err', 'ingress', `log phase failed: ${e.message}`));
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps, envFor: (p: ExternalPlugin) => PdkEnv): Promise<void> {
  const ctx = newContext(req, deps);
  const logGlobals = (): void => scheduleLog(ctx, globalList(deps.plugins, 'log'), envFor, deps);

  // ---- rewrite: global plugins only, before routing (kong/init.lua Kong.rewrite) ----
  for (const [plugin, cfg] of globalList(deps.plugins, 'rewrite')) {
    const out = await runHandler(plugin, cfg, 'rewrite', ctx, envFor(plugin));
    if (out === 'raise') unexpectedError(ctx);
    if (ctx.delayedResponse) {
      ctx.responseLatency = Date.now() - ctx.startedAt;
      await sendExit(ctx, res);
      return logGlobals();
    }
  }

  // ---- router (runloop access.before) ----
  const q = ctx.requestUri.indexOf('?', 1);
  const match = deps.router.match(ctx.method, q >= 0 ? ctx.requestUri.slice(0, q) : ctx.requestUri, ctx.headers.first('host'), ctx.serverPort);
  if (!match) {
    ctx.exited = true;
    ctx.delayedResponse = { status: 404, body: { message: 'no Route matched with those values' }, headers: null };
    ctx.responseLatency = Date.now() - ctx.startedAt;
    await sendExit(ctx, res);
    return logGlobals();
  }
  ctx.match = match;
  ctx.route = match.route;
  ctx.service = match.service;
  ctx.upstreamUri = match.upstreamUri;
  ctx.upstreamScheme = match.service?.protocol ?? 'http';
  if (match.route.preserve_host) ctx.upstreamHost = ctx.headers.first('host') ?? null;

  // ---- access ----
  const collected: Collected = await runAccess(deps.plugins, ctx, envFor);
  if (ctx.delayedResponse) {
    ctx.responseLatency = Date.now() - ctx.startedAt;
    await sendExit(ctx, res);
    return scheduleLog(ctx, collected.log, envFor, deps);
  }
  if (!ctx.service) {
    ctx.delayedResponse = { status: 503, body: { message: 'no Service found with those values' }, headers: null };
    ctx.exited = true;
    ctx.responseLatency = Date.now() - ctx.startedAt;
    await sendExit(ctx, res);
    return scheduleLog(ctx, collected.log, envFor, deps);
  }
  ctx.proxied = true;

  // websocket upgrades turn buffering off (kong/init.lua Kong.access)
  const buffered = ctx.bufferedProxying && !ctx.headers.first('upgrade');
  if (ctx.bufferedProxying && !buffered) deps.logger.log('notice', 'ingress', 'response buffering was turned off: connection upgrade');
  ctx.bufferedProxying = buffered;

  let body: Buffer | Readable | null;
  if (ctx.body || buffered || ctx.route!.request_buffering) body = (await ctx.readBody()).data;
  else body = req;

  let up;
  try {
    up = await callUpstream(ctx, body);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    deps.logger.log('err', 'ingress', e.message);
    ctx.proxyLatency = Date.now() - ctx.startedAt;
    ctx.waitingTime = 0;
    ctx.delayedResponse = {
      status: e.status,
      body: { message: e.status === 504 ? 'The upstream server is timing out' : 'An invalid response was received from the upstream server' },
      headers: null,
    };
    await sendExit(ctx, res);
    return scheduleLog(ctx, collected.log, envFor, deps);
  }
  ctx.upstreamStatus = up.status;
  ctx.proxyLatency = up.sentAt - ctx.startedAt;
  ctx.waitingTime = up.headersAt - up.sentAt;
  const upstreamVia = up.headers.first('via');

  if (buffered) {
    const chunks: Buffer[] = [];
    for await (const c of up.body) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    ctx.receiveTime = Date.now() - up.headersAt;
    ctx.buffered = { status: up.status, headers: up.headers.clone(), body: raw };
    // Kong.response: kong.response.set_status(status); kong.response.set_headers(headers)
    for (const name of new Set(up.headers.entries.map(([k]) => k.toLowerCase()))) {
      ctx.responseHeaders.set(name, up.headers.all(name));
    }
    ctx.sentStatus = up.status;
    for (const [plugin, cfg] of collected.response) {
      const out = await runHandler(plugin, cfg, 'response', ctx, envFor(plugin));
      if (out === 'raise') {
        // a Lua error in Kong.response ends in nginx's 500 error page (kong/error_handlers.lua)
        ctx.unexpected = true;
        ctx.responseHeaders = new HeaderList();
        ctx.delayedResponse = { status: 500, body: { message: 'An unexpected error occurred' }, headers: null };
      }
      if (ctx.delayedResponse) {
        await sendExit(ctx, res);
        return scheduleLog(ctx, collected.log, envFor, deps);
      }
    }
    const h = ctx.responseHeaders.clone();
    h.set('Content-Length', String(raw.length));
    kongHeaders(ctx, h, upstreamVia);
    await finish(ctx, res, up.status, h, raw);
    return scheduleLog(ctx, collected.log, envFor, deps);
  }

  // ---- streamed response ----
  const h = ctx.responseHeaders.clone();
  for (const name of new Set(up.headers.entries.map(([k]) => k.toLowerCase()))) h.set(name, up.headers.all(name));
  kongHeaders(ctx, h, upstreamVia);
  ctx.sentStatus = up.status;
  ctx.sentHeaders = h;
  writeHead(res, up.status, h);
  res.flushHeaders();
  let sent = 0;
  // A client that goes away mid-stream: nginx closes the upstream connection too (unbuffered
  // proxying), so the upstream learns of it; destroying the body does the same here.
  const onClientGone = (): void => {
    if (!res.writableFinished) up.body.destroy();
  };
  res.once('close', onClientGone);
  try {
    for await (const c of up.body) {
      const chunk = c as Buffer;
      sent += chunk.length;
      if (!res.write(chunk)) await new Promise((r) => {
        res.once('drain', r);
        res.once('close', r);
      });
      if (res.destroyed) break;
    }
    if (!res.destroyed) await new Promise<void>((r) => res.end(() => r()));
  } catch (e) {
    if (!res.destroyed) {
      // upstream died mid-body: nginx closes the client connection
      deps.logger.log('err', 'ingress', `upstream body error: ${(e as Error).message}`);
      res.destroy();
    }
  } finally {
    res.off('close', onClientGone);
  }
  ctx.receiveTime = Date.now() - up.headersAt;
  ctx.bytesSent = headerBytes(up.status, h) + sent;
  scheduleLog(ctx, collected.log, envFor, deps);
}
