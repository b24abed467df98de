/**
 * kong.log.serialize() for the http subsystem (kong/pdk/log.lua serialize), computed when the log
 * phase is scheduled, as plugin.lua does. Sizes are approximations of nginx's $request_length and
 * $bytes_sent (status line + headers + body as this double wrote them); TLS info is absent (the
 * double serves plain http); workspace is the default workspace.
 */
import { parseQuery, type RequestContext } from './context';

export const DEFAULT_WS_NAME = 'default';

export function serialize(ctx: RequestContext, wsId: string): Record<string, unknown> {
  const requestHeaders = ctx.headers.toLuaTable();
  if (requestHeaders.authorization !== undefined) requestHeaders.authorization = 'REDACTED';
  if (requestHeaders['proxy-authorization'] !== undefined) requestHeaders['proxy-authorization'] = 'REDACTED';
  let upstreamUri = ctx.proxied || ctx.route ? ctx.upstreamUri : '';
  if (upstreamUri !== '' && !upstreamUri.includes('?')) {
    if (ctx.requestUri.endsWith('?')) upstreamUri += '?';
    else if (ctx.args !== '') upstreamUri += `?${ctx.args}`;
  }
  const nowMs = Date.now();
  const credential = ctx.authenticatedCredential;
  const consumer = ctx.authenticatedConsumer as Record<string, unknown> | null;
  const source = ctx.unexpected ? 'error' : ctx.exited ? 'exit' : ctx.proxied ? 'service' : 'error';
  // kong/pdk/log.lua serialize: querystring = kong.request.get_query() (ngx.req.get_uri_args,
  // which keeps a malformed escape as it is rather than failing).
  const query = parseQuery(ctx.args);
  const root: Record<string, unknown> = {
    request: {
      id: ctx.id,
      uri: ctx.requestUri,
      url: `${ctx.scheme}://${ctx.host}:${ctx.serverPort}${ctx.requestUri}`,
      querystring: query,
      method: ctx.method,
      headers: requestHeaders,
      size: ctx.requestLength,
    },
    upstream_uri: upstreamUri,
    upstream_status: ctx.upstreamStatus !== null ? String(ctx.upstreamStatus) : '',
    response: {
      status: ctx.sentStatus,
      headers: ctx.sentHeaders.toLuaTable(),
      size: ctx.bytesSent,
    },
    latencies: {
      kong: ctx.proxyLatency ?? ctx.responseLatency ?? 0,
      proxy: ctx.waitingTime ?? -1,
      request: nowMs - ctx.startedAt,
      receive: ctx.receiveTime ?? 0,
    },
    tries: ctx.tries.length ? ctx.tries : undefined,
    authenticated_entity: credential ? { id: credential.id, consumer_id: credential.consumer_id ?? (consumer ? consumer.id : undefined) } : undefined,
    route: ctx.route ?? undefined,
    service: ctx.service ?? undefined,
    consumer: consumer ?? undefined,
    client_ip: ctx.clientIp,
    started_at: ctx.startedAt,
    source: source === 'service' ? 'upstream' : 'kong',
    workspace: wsId,
    workspace_name: DEFAULT_WS_NAME,
  };
  // cjson drops nil values: JSON.stringify drops undefined the same way
  return root;
}
