/**
 * The upstream call (nginx `location /` in kong/templates/nginx_kong.lua + handler.lua access.after):
 * - request headers: the (possibly plugin-modified) client headers minus hop-by-hop ones, plus
 *   Host ($upstream_host), Via, X-Forwarded-For/Proto/Host/Port/Path/Prefix, X-Real-IP and
 *   X-Kong-Request-Id (headers_upstream default), Connection: keep-alive;
 * - uri: $upstream_uri (router result or kong.service.request.set_path) plus `?args` when the
 *   request had a query (args may have been rewritten by set_raw_query/set_query);
 * - timeouts: service connect_timeout / read_timeout (headers and between body chunks) /
 *   write_timeout (request body upload, approximated by undici's body timeout);
 * - errors: connect failure -> 502, timeout -> 504 (kong/templates/nginx_kong.lua error_page +
 *   kong/error_handlers.lua default messages).
 */

import type { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, request as undiciRequest } from 'undici';
import { HeaderList, type RequestContext } from './context';

export const SERVER_TOKENS = 'kong/3.9.3'; // kong/meta.lua _SERVER_TOKENS for 3.9.3

// Not passed on: hop-by-hop headers, the ones Kong sets itself, and Expect, which nginx's proxy
// module always clears (ngx_http_proxy_module.c ngx_http_proxy_headers: `Expect ""`); nginx has
// answered 100 Continue to the client itself (http-server.ts).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'via',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-path',
  'x-forwarded-prefix',
  'x-real-ip',
  'x-kong-request-id',
  'content-length',
]);

export interface UpstreamResult {
  status: number;
  headers: HeaderList;
  body: Readable;
  /** ms timestamps */
  sentAt: number;
  headersAt: number;
  target: { host: string; port: number };
}

export class UpstreamError extends Error {
  constructor(
    readonly status: 502 | 504,
    message: string,
  ) {
    super(message);
  }
}

const agents = new Map<string, Agent>();

function agentFor(connectTimeout: number): Agent {
  const key = String(connectTimeout);
  let a = agents.get(key);
  if (!a) {
    a = new Agent({ connect: { timeout: connectTimeout }, keepAliveTimeout: 60_000 });
    agents.set(key, a);
  }
  return a;
}

export async function closeAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close().catch(() => undefined)));
}

function upstreamHeaders(ctx: RequestContext, target: { host: string; port: number }, bodyLength: number | null): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const push = (k: string, v: string): void => {
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else out[k] = Array.isArray(cur) ? [...cur, v] : [cur, v];
  };
  for (const [k, v] of ctx.headers.entries) {
    if (!HOP_BY_HOP.has(k.toLowerCase())) push(k, v);
  }
  const defaultPort = ctx.upstreamScheme === 'https' ? 443 : 80;
  // kong/runloop/balancer set_host_header: the target host, with the port when not the default
  out.host = ctx.upstreamHost ?? (target.port === defaultPort ? target.host : `${target.host}:${target.port}`);
  const clientVia = ctx.headers.first('via');
  const inboundVia = `${ctx.httpVersion === 1 ? '1.0' : ctx.httpVersion === 2 ? '2' : '1.1'} ${SERVER_TOKENS}`;
  out.via = clientVia ? `${clientVia}, ${inboundVia}` : inboundVia;
  out.connection = 'keep-alive';
  const te = ctx.headers.first('te');
  if (te && /trailers/i.test(te)) out.te = te;
  // handler.lua: trusted_ips = NONE by default, so client X-Forwarded-* are not trusted (XFF is appended to)
  const xff = ctx.headers.first('x-forwarded-for');
  out['x-forwarded-for'] = xff ? `${xff}, ${ctx.clientIp}` : ctx.clientIp;
  out['x-forwarded-proto'] = ctx.scheme;
  out['x-forwarded-host'] = ctx.host;
  out['x-forwarded-port'] = String(ctx.serverPort);
  const q = ctx.requestUri.indexOf('?', 1);
  out['x-forwarded-path'] = q >= 0 ? ctx.requestUri.slice(0, q) : ctx.requestUri;
  if (ctx.match?.prefix && ctx.match.prefix !== '/') out['x-forwarded-prefix'] = ctx.match.prefix;
  out['x-real-ip'] = ctx.clientIp;
  out['x-kong-request-id'] = ctx.id;
  if (bodyLength !== null) out['content-length'] = String(bodyLength);
  return out;
}

/** handler.lua access.after: append `?args` when the request had a query string. */
function fullUpstreamPath(ctx: RequestContext): string {
  let uri = ctx.upstreamUri;
  if (ctx.requestUri.endsWith('?') || ctx.args !== '') uri += `?${ctx.args}`;
  return uri;
}

/** `signal` aborts the request and its body when the client goes away (proxy_ignore_client_abort off). */
export async function callUpstream(ctx: RequestContext, body: Buffer | Readable | null, signal: AbortSignal): Promise<UpstreamResult> {
  const svc = ctx.service!;
  const target = ctx.target ?? { host: svc.host, port: svc.port };
  const hostForUrl = target.host.includes(':') ? `[${target.host}]` : target.host;
  const url = `${ctx.upstreamScheme}://${hostForUrl}:${target.port}${fullUpstreamPath(ctx)}`;
  const bodyLength = Buffer.isBuffer(body) ? (body.length > 0 || ctx.headers.has('content-length') ? body.length : null) : null;
  const headers = upstreamHeaders(ctx, target, bodyLength);
  if (body && !Buffer.isBuffer(body)) {
    // streamed request body (request_buffering: false): keep the client's framing
    const cl = ctx.headers.first('content-length');
    if (cl !== undefined) headers['content-length'] = cl;
  }
  const sentAt = Date.now();
  ctx.tries.push({ ip: target.host, port: target.port, balancer_start: sentAt, balancer_latency: 0 });
  try {
    const res = await undiciRequest(url, {
      method: ctx.method as 'GET',
      headers,
      body: body && (!Buffer.isBuffer(body) || body.length > 0) ? body : undefined,
      dispatcher: agentFor(svc.connect_timeout),
      signal,
      headersTimeout: svc.read_timeout,
      bodyTimeout: svc.read_timeout,
    });
    const h = new HeaderList();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined) continue;
      const lk = k.toLowerCase();
      if (lk === 'connection' || lk === 'keep-alive' || lk === 'transfer-encoding') continue;
      h.add(k, Array.isArray(v) ? v : String(v));
    }
    return { status: res.statusCode, headers: h, body: res.body, sentAt, headersAt: Date.now(), target };
  } catch (e) {
    const err = e as Error & { code?: string };
    const last = ctx.tries[ctx.tries.length - 1]!;
    if (
      err instanceof undiciErrors.ConnectTimeoutError ||
      err instanceof undiciErrors.HeadersTimeoutError ||
      err.code === 'UND_ERR_HEADERS_TIMEOUT' ||
      err.code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      last.state = 'failed';
      last.code = 504;
      throw new UpstreamError(504, `upstream timed out: ${err.message}`);
    }
    last.state = 'failed';
    last.code = 502;
    throw new UpstreamError(502, `upstream connect/read error: ${err.code ?? ''} ${err.message}`);
  }
}
