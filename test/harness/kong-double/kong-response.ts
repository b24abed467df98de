/**
 * What Kong puts on the wire for a response: the headers Kong.header_filter adds, and the exit
 * response kong.response.exit/error builds (kong/pdk/response.lua send).
 */
import type { ServerResponse } from 'node:http';
import { cjsonEncode } from './cjson';
import type { HeaderList, RequestContext } from './context';
import { SERVER_TOKENS } from './proxy';

/** header_filter after: Kong's response headers (kong/runloop/handler.lua, kong/constants.lua HEADERS). */
export function kongHeaders(ctx: RequestContext, h: HeaderList, upstreamVia?: string): void {
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

export function writeHead(res: ServerResponse, status: number, h: HeaderList): void {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of h.entries) {
    const cur = out[k.toLowerCase()];
    out[k.toLowerCase()] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  res.writeHead(status, out);
}

export function headerBytes(status: number, h: HeaderList): number {
  return Buffer.byteLength(`HTTP/1.1 ${status} X\r\n`) + h.entries.reduce((n, [k, v]) => n + k.length + v.length + 4, 0) + 2;
}

/** kong/pdk/response.lua send(): headers (ngx.header + exit headers) and body of the delayed response. */
export function exitResponse(ctx: RequestContext): { status: number; headers: HeaderList; body: Buffer } {
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
  return { status: dr.status, headers: h, body };
}
