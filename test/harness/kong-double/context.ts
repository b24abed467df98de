/**
 * Per-request state: the parts of nginx's request (ngx.req, ngx.var, ngx.header) and Kong's ngx.ctx
 * that the PDK emulation reads and writes. One mutable request-header list is shared by
 * kong.request.* and kong.service.request.*: in Kong, service.request.set_header calls
 * ngx.req.set_header, so later kong.request.get_header calls see the new value
 * (kong/pdk/service/request.lua).
 */
import type { IncomingMessage } from 'node:http';
import type { ConsumerEntity, RouteEntity, ServiceEntity } from './deck';
import type { RouteMatch } from './router';

export type Phase = 'rewrite' | 'access' | 'response' | 'log';

/** Ordered header list keeping the original name case, like nginx. */
export class HeaderList {
  constructor(public entries: Array<[string, string]> = []) {}

  static fromRaw(raw: string[]): HeaderList {
    const e: Array<[string, string]> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) e.push([raw[i]!, raw[i + 1]!]);
    return new HeaderList(e);
  }

  /** Kong header lookups are case-insensitive and accept `_` for `-`. */
  static norm(name: string): string {
    return name.toLowerCase().replace(/_/g, '-');
  }

  first(name: string): string | undefined {
    const n = HeaderList.norm(name);
    return this.entries.find(([k]) => k.toLowerCase() === n)?.[1];
  }

  all(name: string): string[] {
    const n = HeaderList.norm(name);
    return this.entries.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
  }

  /** Lua-style table: lower-cased names, a string for one value, an array for several. */
  toLuaTable(max = 100): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    let count = 0;
    for (const [k, v] of this.entries) {
      const n = k.toLowerCase();
      const cur = out[n];
      if (cur === undefined) {
        if (count >= max) continue; // ngx.req.get_headers(max) truncates
        count++;
        out[n] = v;
      } else if (Array.isArray(cur)) cur.push(v);
      else out[n] = [cur, v];
    }
    return out;
  }

  set(name: string, value: string | string[]): void {
    this.clear(name);
    for (const v of Array.isArray(value) ? value : [value]) this.entries.push([name, v]);
  }

  add(name: string, value: string | string[]): void {
    for (const v of Array.isArray(value) ? value : [value]) this.entries.push([name, v]);
  }

  clear(name: string): void {
    const n = HeaderList.norm(name);
    this.entries = this.entries.filter(([k]) => k.toLowerCase() !== n);
  }

  has(name: string): boolean {
    return this.first(name) !== undefined;
  }

  clone(): HeaderList {
    return new HeaderList(this.entries.map(([k, v]) => [k, v] as [string, string]));
  }
}

/** ngx.req.get_uri_args: `a` -> true, `a=` -> "", repeated keys -> array; + and %XX decoded. */
export function parseQuery(args: string, max = 100): Record<string, string | boolean | Array<string | boolean>> {
  const out: Record<string, string | boolean | Array<string | boolean>> = {};
  if (!args) return out;
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  let count = 0;
  for (const part of args.split('&')) {
    if (part === '') continue;
    if (count >= max) break;
    count++;
    const eq = part.indexOf('=');
    const k = dec(eq >= 0 ? part.slice(0, eq) : part);
    if (k === '') continue;
    const v: string | boolean = eq >= 0 ? dec(part.slice(eq + 1)) : true;
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else if (Array.isArray(cur)) cur.push(v);
    else out[k] = [cur, v];
  }
  return out;
}

export interface ExitResponse {
  status: number;
  body: unknown;
  headers: Record<string, unknown> | null;
}

export interface BufferedResponse {
  status: number;
  headers: HeaderList;
  body: Buffer;
}

export interface RequestContext {
  id: string;
  /** ms since epoch when the request arrived (ngx.req.start_time * 1000) */
  startedAt: number;
  startHr: bigint;
  req: IncomingMessage;
  clientIp: string;
  clientPort: number;
  serverPort: number;
  scheme: 'http';
  httpVersion: number;
  /** ngx.var.request_uri: the original request line target, never rewritten */
  requestUri: string;
  /** ngx.req method, rewritable by kong.service.request.set_method */
  method: string;
  /** ngx.var.args, rewritable by set_raw_query / set_query */
  args: string;
  /** var.host: Host header without port, lower-cased */
  host: string;
  headers: HeaderList;
  /** request body state: read lazily, like ngx.req.read_body */
  body: { data: Buffer; spooled: boolean } | null;
  /** reads the whole body; throws ClientClosedError when the client goes away meanwhile */
  readBody(): Promise<{ data: Buffer; spooled: boolean }>;
  /** ngx_http_test_expect: "100 Continue" once, when the body is first read (or streamed) */
  continueBody(): void;
  match: RouteMatch | null;
  route: RouteEntity | null;
  service: ServiceEntity | null;
  upstreamUri: string;
  upstreamScheme: 'http' | 'https';
  target: { host: string; port: number } | null;
  /** var.upstream_host (preserve_host or a Host header set by a plugin) */
  upstreamHost: string | null;
  /** ngx.header set by kong.response.set_header & co before the response */
  responseHeaders: HeaderList;
  bufferedProxying: boolean;
  phase: Phase;
  ctxShared: Map<string, unknown>;
  ngxCtx: Map<string, unknown>;
  authenticatedConsumer: ConsumerEntity | Record<string, unknown> | null;
  authenticatedCredential: Record<string, unknown> | null;
  delayedResponse: ExitResponse | null;
  exited: boolean;
  proxied: boolean;
  /** nginx turned keep-alive off for this answer (ngx_http_special_response.c) */
  closeConnection: boolean;
  unexpected: boolean;
  buffered: BufferedResponse | null;
  /** what went to the client (ngx.status / ngx.resp.get_headers in log) */
  sentStatus: number;
  sentHeaders: HeaderList;
  bytesSent: number;
  requestLength: number;
  /** Kong latency bookkeeping (ctx.KONG_*), ms */
  proxyLatency: number | null;
  waitingTime: number | null;
  responseLatency: number | null;
  receiveTime: number | null;
  tries: Array<Record<string, unknown>>;
  upstreamStatus: number | null;
  /** kong.log.serialize() saved when the log phase was scheduled (plugin.lua) */
  serialized: Record<string, unknown> | null;
}
