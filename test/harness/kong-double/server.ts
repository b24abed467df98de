/**
 * The request lifecycle Kong runs for each proxied request (kong/init.lua):
 * nginx's own refusals (request-checks.ts) -> rewrite (global plugins) -> router (404) -> access
 * (collecting iterator; exit/raise -> delayed response) -> 503 without a service -> proxy,
 * buffered when a collected plugin has `response` or called enable_buffering (Kong.response:
 * whole upstream body in memory, `response` handlers, then one write), otherwise streamed chunk by
 * chunk -> header_filter (Kong's headers) -> log after the client has the response (plugin.lua:
 * ngx.timer.at(0) with saved data), whatever happened before, including a client that left.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { type AccessEntry, accessEntry } from './access-log';
import { ClientClosedError, type ClientWatch, drained, endResponse, watchClient } from './client-connection';
import { HeaderList, type RequestContext } from './context';
import type { ConsumerEntity } from './deck';
import type { ErrorPages } from './error-pages';
import { exitResponse, headerBytes, kongHeaders, writeHead } from './kong-response';
import type { IngressLogger } from './log';
import type { PdkEnv } from './pdk';
import { type Collected, globalList, type PluginEntry, runAccess, runHandler } from './phases';
import type { ExternalPlugin, PluginConfig } from './plugin-runtime';
import { callUpstream, UpstreamError } from './proxy';
import { nginxRejection } from './request-checks';
import { newContext } from './request-context';
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
  /** client_max_body_size in bytes, 0 = unlimited */
  clientMaxBodySize: number;
  errorPages: ErrorPages;
  logger: IngressLogger;
  port(): number;
  /** Told of every request once its response is over (nginx's access log). */
  onAccess?: (entry: AccessEntry) => void;
}

type EnvFor = (p: ExternalPlugin) => PdkEnv;

/** Statuses after which nginx turns keep-alive off (ngx_http_special_response.c). */
const CLOSING_STATUSES = new Set([400, 413, 414, 494, 500, 501]);

export function makeHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const envCache = new Map<string, PdkEnv>();
  const envFor: EnvFor = (p) => {
    let env = envCache.get(p.name);
    if (!env) {
      env = {
        pluginName: p.name,
        nodeId: deps.nodeId,
        consumers: deps.consumers,
        clientBodyBufferSize: deps.clientBodyBufferSize,
        errorPages: deps.errorPages,
        log: (level, msg) => deps.logger.log(level, p.name, msg),
        serialize: (ctx) => ctx.serialized ?? serialize(ctx, deps.wsId),
      };
      envCache.set(p.name, env);
    }
    return env;
  };
  return (req, res) => {
    const ctx = newContext(req, res, { serverPort: deps.port(), clientBodyBufferSize: deps.clientBodyBufferSize });
    void new ProxiedRequest(ctx, res, deps, envFor).run();
  };
}

class ProxiedRequest {
  private readonly client: ClientWatch;
  private readonly collected: Collected = { response: [], log: [] };
  /** the log handlers to run: global ones until the request is routed, then the collected ones */
  private logList: Array<[ExternalPlugin, PluginConfig]>;

  constructor(
    private readonly ctx: RequestContext,
    private readonly res: ServerResponse,
    private readonly deps: ServerDeps,
    private readonly envFor: EnvFor,
  ) {
    this.client = watchClient(res);
    this.logList = globalList(deps.plugins, 'log');
  }

  async run(): Promise<void> {
    try {
      await this.lifecycle();
    } catch (e) {
      await this.failed(e as Error);
    } finally {
      this.client.dispose();
      this.scheduleLog();
      this.writeAccessLog();
    }
  }

  private writeAccessLog(): void {
    if (!this.deps.onAccess) return;
    try {
      this.deps.onAccess(accessEntry(this.ctx, Date.now()));
    } catch {
      // a broken sink must not break request handling
    }
  }

  private async failed(e: Error): Promise<void> {
    if (e instanceof ClientClosedError) {
      // ngx_http_request_body.c: a body cut short ends the request with 400, nothing is sent
      this.deps.logger.log('info', 'ingress', e.message);
      if (!this.res.headersSent) this.ctx.sentStatus = 400;
      this.res.destroy();
      return;
    }
    this.deps.logger.log('crit', 'ingress', `request handler crashed: ${e.stack ?? e.message}`);
    if (this.res.headersSent || this.client.gone()) {
      this.res.destroy();
      return;
    }
    await this.sendErrorPage(500).catch(() => this.res.destroy());
  }

  private async lifecycle(): Promise<void> {
    const { ctx, deps } = this;
    const refused = nginxRejection(ctx.req, deps.clientMaxBodySize);
    if (refused !== null) {
      // refused before nginx turned keep-alive on (ngx_http_request.c) or by find_config (413)
      ctx.closeConnection = true;
      return this.sendErrorPage(refused);
    }

    // ---- rewrite: global plugins only, before routing (kong/init.lua Kong.rewrite) ----
    for (const [plugin, cfg] of globalList(deps.plugins, 'rewrite')) {
      const out = await runHandler(plugin, cfg, 'rewrite', ctx, this.envFor(plugin));
      // execute_global_plugins_iterator does not catch: a Lua error in rewrite_by_lua is nginx's 500
      if (out === 'raise') return this.sendErrorPage(500);
      if (ctx.delayedResponse) return this.sendExit();
    }

    // ---- router (runloop access.before) ----
    const q = ctx.requestUri.indexOf('?', 1);
    const match = deps.router.match(ctx.method, q >= 0 ? ctx.requestUri.slice(0, q) : ctx.requestUri, ctx.headers.first('host'), ctx.serverPort);
    if (!match) {
      // kong/runloop/handler.lua: kong.response.error(404, "no Route matched with those values")
      this.pdkError(404, 'no Route matched with those values');
      return this.sendExit();
    }
    ctx.match = match;
    ctx.route = match.route;
    ctx.service = match.service;
    ctx.upstreamUri = match.upstreamUri;
    ctx.upstreamScheme = match.service?.protocol ?? 'http';
    if (match.route.preserve_host) ctx.upstreamHost = ctx.headers.first('host') ?? null;

    // ---- access ----
    this.logList = this.collected.log;
    await runAccess(deps.plugins, ctx, this.envFor, this.collected);
    if (ctx.delayedResponse) return this.sendExit();
    if (!ctx.service) {
      // kong/init.lua Kong.access
      this.pdkError(503, 'no Service found with those values');
      return this.sendExit();
    }
    ctx.proxied = true;

    // websocket upgrades turn buffering off (kong/init.lua Kong.access)
    const buffered = ctx.bufferedProxying && !ctx.headers.first('upgrade');
    if (ctx.bufferedProxying && !buffered) deps.logger.log('notice', 'ingress', 'response buffering was turned off: connection upgrade');
    ctx.bufferedProxying = buffered;
    return this.proxy(buffered);
  }

  private async proxy(buffered: boolean): Promise<void> {
    const { ctx, deps } = this;
    // proxy_request_buffering on: nginx reads the body before starting the upstream request (a body
    // cut short is a 400, ClientClosedError); then ngx_http_upstream_init_request notices at once
    // a client that left meanwhile (499)
    let body: Buffer | Readable | null;
    if (ctx.body || buffered || ctx.route!.request_buffering) body = (await ctx.readBody()).data;
    else {
      ctx.continueBody();
      body = ctx.req;
    }
    if (this.client.gone()) return this.clientClosed();

    let up: Awaited<ReturnType<typeof callUpstream>>;
    try {
      up = await callUpstream(ctx, body, this.client.signal);
    } catch (e) {
      if (this.client.gone()) return this.clientClosed();
      if (!(e instanceof UpstreamError)) throw e;
      deps.logger.log('err', 'ingress', e.message);
      ctx.proxyLatency = Date.now() - ctx.startedAt;
      ctx.waitingTime = 0;
      return this.sendErrorPage(e.status);
    }
    ctx.upstreamStatus = up.status;
    ctx.proxyLatency = up.sentAt - ctx.startedAt;
    ctx.waitingTime = up.headersAt - up.sentAt;
    const upstreamVia = up.headers.first('via');
    if (buffered) return this.bufferedResponse(up.status, up.headers, up.body, up.headersAt, upstreamVia);
    return this.streamedResponse(up.status, up.headers, up.body, up.headersAt, upstreamVia);
  }

  /** Kong.response: the whole upstream body, `response` handlers, then one write (kong/init.lua). */
  private async bufferedResponse(status: number, headers: HeaderList, upBody: Readable, headersAt: number, upstreamVia: string | undefined): Promise<void> {
    const { ctx } = this;
    const chunks: Buffer[] = [];
    try {
      for await (const c of upBody) chunks.push(c as Buffer);
    } catch (e) {
      if (this.client.gone()) return this.clientClosed();
      // kong/init.lua Kong.response: a truncated subrequest goes to the error handler with its status
      this.deps.logger.log('err', 'ingress', `upstream body error: ${(e as Error).message}`);
      return this.sendErrorPage(status);
    }
    const raw = Buffer.concat(chunks);
    ctx.receiveTime = Date.now() - headersAt;
    ctx.buffered = { status, headers: headers.clone(), body: raw };
    // Kong.response: kong.response.set_status(status); kong.response.set_headers(headers)
    for (const name of new Set(headers.entries.map(([k]) => k.toLowerCase()))) ctx.responseHeaders.set(name, headers.all(name));
    ctx.sentStatus = status;
    for (const [plugin, cfg] of this.collected.response) {
      const out = await runHandler(plugin, cfg, 'response', ctx, this.envFor(plugin));
      if (out === 'raise') {
        // a Lua error in Kong.response ends in nginx's 500 error page (kong/error_handlers.lua)
        ctx.responseHeaders = new HeaderList();
        return this.sendErrorPage(500);
      }
      if (ctx.delayedResponse) return this.sendExit();
    }
    const h = ctx.responseHeaders.clone();
    h.set('Content-Length', String(raw.length));
    kongHeaders(ctx, h, upstreamVia);
    await this.finish(status, h, raw);
  }

  /** proxy_buffering off: each upstream chunk is written as it arrives. */
  private async streamedResponse(status: number, headers: HeaderList, upBody: Readable, headersAt: number, upstreamVia: string | undefined): Promise<void> {
    const { ctx, res } = this;
    const h = ctx.responseHeaders.clone();
    for (const name of new Set(headers.entries.map(([k]) => k.toLowerCase()))) h.set(name, headers.all(name));
    kongHeaders(ctx, h, upstreamVia);
    if (this.client.gone()) {
      upBody.destroy();
      return this.clientClosed();
    }
    ctx.sentStatus = status;
    ctx.sentHeaders = h;
    writeHead(res, status, h);
    res.flushHeaders();
    let sent = 0;
    try {
      for await (const c of upBody) {
        const chunk = c as Buffer;
        sent += chunk.length;
        if (!res.write(chunk)) await drained(res);
        if (this.client.gone()) break;
      }
      if (!this.client.gone()) await endResponse(res);
    } catch (e) {
      if (!this.client.gone()) {
        // upstream died mid-body: nginx closes the client connection
        this.deps.logger.log('err', 'ingress', `upstream body error: ${(e as Error).message}`);
        res.destroy();
      }
    }
    // A client gone mid-stream: leaving the loop destroyed the upstream body, so the upstream
    // connection is closed as nginx does; the status stays the one sent (ngx_http_terminate_request).
    if (this.client.gone()) this.deps.logger.log('info', 'ingress', 'client prematurely closed connection while sending the response');
    ctx.receiveTime = Date.now() - headersAt;
    ctx.bytesSent = headerBytes(status, h) + sent;
  }

  /**
   * The client closed before anything was sent: nginx (proxy_ignore_client_abort off) closes the
   * upstream request and finalizes with 499 (ngx_http_upstream.c
   * ngx_http_upstream_check_broken_connection, ngx_http_request.c ngx_http_terminate_request).
   */
  private clientClosed(): void {
    this.deps.logger.log('info', 'ingress', 'client prematurely closed connection, upstream request closed');
    this.ctx.sentStatus = 499;
  }

  /** kong.response.error from the runloop: the delayed response in the error template. */
  private pdkError(status: number, message: string): void {
    const { ctx } = this;
    const page = this.deps.errorPages.pdkErrorPage(status, message, undefined, ctx.headers, ctx.id);
    ctx.exited = true;
    ctx.delayedResponse = { status: page.status, body: page.body, headers: { 'Content-Type': page.contentType } };
  }

  /**
   * nginx's error_page -> /kong_error_handler -> kong/error_handlers.lua: Kong.handle_error marks
   * the request unexpected and drops any delayed response; the page goes out with kong.response.exit.
   */
  private async sendErrorPage(status: number): Promise<void> {
    const { ctx } = this;
    const page = this.deps.errorPages.errorHandlerPage(status, ctx.headers, ctx.id);
    ctx.unexpected = true;
    ctx.bufferedProxying = false;
    if (CLOSING_STATUSES.has(status)) ctx.closeConnection = true;
    ctx.delayedResponse = { status: page.status, body: page.body, headers: { 'Content-Type': page.contentType } };
    await this.sendExit();
  }

  private async sendExit(): Promise<void> {
    const { ctx } = this;
    if (ctx.responseLatency === null && !ctx.proxied) ctx.responseLatency = Date.now() - ctx.startedAt;
    const { status, headers, body } = exitResponse(ctx);
    kongHeaders(ctx, headers, ctx.buffered?.headers.first('via'));
    await this.finish(status, headers, body);
  }

  private async finish(status: number, h: HeaderList, body: Buffer): Promise<void> {
    const { ctx, res } = this;
    ctx.sentStatus = status;
    ctx.sentHeaders = h;
    ctx.bytesSent = headerBytes(status, h) + body.length;
    if (this.client.gone()) return;
    if (ctx.closeConnection) res.setHeader('Connection', 'close');
    writeHead(res, status, h);
    await endResponse(res, ctx.method === 'HEAD' ? undefined : body);
  }

  /** plugin.lua log closure: run after the response, on the data saved now. */
  private scheduleLog(): void {
    const { ctx, deps } = this;
    const list = this.logList;
    if (!list.length) return;
    ctx.serialized = serialize(ctx, deps.wsId);
    setImmediate(() => {
      void (async () => {
        for (const [plugin, cfg] of list) await runHandler(plugin, cfg, 'log', ctx, this.envFor(plugin));
      })().catch((e: Error) => deps.logger.log('err', 'ingress', `log phase failed: ${e.message}`));
    });
  }
}
