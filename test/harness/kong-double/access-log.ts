/**
 * One entry per request once its response is over, as nginx writes one access-log line per
 * request (Kong's proxy_access_log): ids, route, status and time. Never headers, the query or a
 * body: keys travel in headers and queries, prompts in bodies.
 */
import type { RequestContext } from './context';

export interface AccessEntry {
  /** Kong's request id (X-Kong-Request-Id), which the plugins and the relay log too. */
  requestId: string;
  method: string;
  /** The path without its query. */
  path: string;
  route: string | null;
  service: string | null;
  /** host:port the request was proxied to; null when Kong or a plugin answered it. */
  upstream: string | null;
  status: number;
  /** From the request's arrival to the end of its response. */
  latencyMs: number;
  /** The error code of a response Kong or a plugin produced (OpenAI's `code`, else the error's `type`). */
  errorCode: string | null;
}

/**
 * `error.code`, else `error.type`, of a JSON error body (OpenAI's and Anthropic's shapes); in
 * Google's, whose code is the HTTP status, the gateway's code from its ErrorInfo reason.
 */
function errorCodeOf(body: unknown): string | null {
  let value = body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      return null;
    }
  }
  const error = (value as { error?: { code?: unknown; type?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.code === 'string') return error.code;
  if (typeof error?.type === 'string') return error.type;
  const reason = Array.isArray(error?.details) ? (error.details as Array<{ reason?: unknown }>).find((d) => typeof d?.reason === 'string')?.reason : undefined;
  return typeof reason === 'string' ? reason.toLowerCase() : null;
}

export function accessEntry(ctx: RequestContext, finishedAt: number): AccessEntry {
  const query = ctx.requestUri.indexOf('?');
  const target = ctx.target ?? (ctx.service ? { host: ctx.service.host, port: ctx.service.port } : null);
  return {
    requestId: ctx.id,
    method: ctx.method,
    path: query >= 0 ? ctx.requestUri.slice(0, query) : ctx.requestUri,
    route: ctx.route?.name ?? null,
    service: ctx.service?.name ?? null,
    upstream: ctx.proxied && target ? `${target.host}:${target.port}` : null,
    status: ctx.sentStatus,
    latencyMs: finishedAt - ctx.startedAt,
    errorCode: ctx.delayedResponse ? errorCodeOf(ctx.delayedResponse.body) : null,
  };
}
