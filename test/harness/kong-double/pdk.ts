/**
 * Kong's answers to PDK calls arriving over the bridge loop, with Kong 3.9 semantics
 * (kong/pdk/*.lua, overrides in kong/runloop/plugin_servers/plugin.lua `exposed_api`).
 * - A call that *raises* in Kong throws PdkRaise here (access: 500, log: logged).
 * - `kong.response.exit`/`error` return an Exit outcome: the bridge loop stops without a Step.
 * - Only the first return value exists: functions return one value; `nil, err` is `undefined`.
 * - A Kong PDK function this double does not emulate raises PdkRaise("... not emulated ...")
 *   instead of pretending; a name that does not exist in Kong's PDK logs
 *   "could not find pdk method" and answers nil, as mp_rpc.lua call_pdk_method does.
 * - Log phase (plugin.lua: runs in a timer): the exposed_api overrides answer from saved data;
 *   calls that read ngx.var / ngx.req raise "API disabled in the context of ngx.timer".
 */
import { cjsonEncode } from './cjson';
import { parseQuery, type RequestContext } from './context';
import type { ConsumerEntity } from './deck';
import type { ErrorPages } from './error-pages';
import { isUuid } from './ids';
import type { IngressLogLevel } from './log';
import { escapeUri, normalizePath } from './router';

export class PdkRaise extends Error {}

export type PdkOutcome = { kind: 'value'; value: unknown } | { kind: 'exit' };

export interface PdkEnv {
  pluginName: string;
  nodeId: string;
  consumers: ConsumerEntity[];
  clientBodyBufferSize: number;
  errorPages: ErrorPages;
  log(level: IngressLogLevel, msg: string): void;
  /** kong.log.serialize() at the moment the log phase was scheduled (plugin.lua saves it) */
  serialize(ctx: RequestContext): Record<string, unknown>;
}

/** Names of Kong 3.9.3 PDK functions (kong/pdk/**.lua plus plugin.lua exposed_api). */
const KONG_PDK_FUNCTIONS = new Set(
  [
    'client: authenticate get_consumer get_credential get_forwarded_ip get_forwarded_port get_ip get_port get_protocol load_consumer',
    'client.tls: disable_http2_alpn disable_session_reuse get_full_client_certificate_chain request_client_certificate set_client_verify',
    'cluster: get_id',
    'ip: is_trusted',
    'log: debug info notice warn err crit alert emerg inspect serialize set_serialize_value deprecation',
    'nginx: get_statistics get_subsystem get_var get_tls1_version_str get_ctx set_ctx req_start_time',
    'node: get_hostname get_id get_memory_stats',
    'plugin: get_id',
    'request: get_body get_forwarded_host get_forwarded_path get_forwarded_port get_forwarded_prefix get_forwarded_scheme get_header get_headers get_host get_http_version get_method get_path get_path_with_query get_port get_query get_query_arg get_raw_body get_raw_path get_raw_query get_scheme get_start_time get_uri_captures',
    'response: add_header clear_header error exit get_header get_headers get_raw_body get_source get_status set_header set_headers set_raw_body set_status',
    'router: get_route get_service',
    'service: set_retries set_target set_target_retry_callback set_timeouts set_tls_cert_key set_tls_verify set_tls_verify_depth set_tls_verify_store set_upstream',
    'service.request: add_header clear_header clear_query_arg disable_tls enable_buffering set_body set_header set_headers set_method set_path set_query set_raw_body set_raw_query set_scheme',
    'service.response: get_body get_header get_headers get_raw_body get_status',
    'ctx.shared: get set',
    'vault: flush get is_reference parse_reference try update',
  ].flatMap((line) => {
    const [ns, names] = line.split(': ');
    return names!.split(' ').map((n) => `kong.${ns}.${n}`);
  }),
);

// mp_rpc.lua must_fix: fix_mmap is applied by the four multimap getters below (get_query and the
// three get_headers); fix_raw is implicit: those getters return Buffers, which msgpack packs as bin.

/** mp_rpc.lua fix_mmap: string -> [string], true -> [], empty -> {} (map). */
function fixMmap(t: unknown): unknown {
  if (t === null || t === undefined || typeof t !== 'object') return t;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
    if (v === true) o[k] = [];
    else if (typeof v === 'string') o[k] = [v];
    else if (Array.isArray(v))
      o[k] = v.map((x) => (x === true ? '' : x)); // flags inside repeats
    else o[k] = v;
  }
  return o;
}

/**
 * Values stored Lua-side go JS -> msgpack -> Lua -> msgpack -> JS (kong.ctx.shared, nginx ctx):
 * nil drops keys, an empty table comes back as an array, byte strings come back as strings.
 */
export function luaRoundTrip(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) {
    const arr = v.map(luaRoundTrip);
    while (arr.length && arr[arr.length - 1] === undefined) arr.pop();
    if (arr.some((x) => x === undefined)) {
      // a Lua array with holes is packed as a map of integer keys (1-based)
      const m: Record<string, unknown> = {};
      arr.forEach((x, i) => {
        if (x !== undefined) m[String(i + 1)] = x;
      });
      return m;
    }
    return arr;
  }
  if (typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const r = luaRoundTrip(x);
      if (r !== undefined) o[k] = r;
    }
    return Object.keys(o).length === 0 ? [] : o;
  }
  return v;
}

function toBuffer(v: unknown): Buffer | null {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return Buffer.from(v);
  return null;
}

function isTable(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array);
}

/** kong/pdk/private/checks.lua validate_header + normalize_multi_header */
function headerValue(name: unknown, value: unknown): string | string[] {
  if (typeof name !== 'string') throw new PdkRaise(`invalid header name "${String(name)}": got ${luaType(name)}, expected string`);
  if (typeof value === 'string') return value === '' ? ' ' : value;
  if (Array.isArray(value)) {
    for (const v of value) {
      if (typeof v !== 'string') throw new PdkRaise(`invalid header value in array "${name}": got ${luaType(v)}, expected string`);
    }
    return value.map((v: string) => (v === '' ? ' ' : v));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new PdkRaise(`invalid header value for "${name}": got ${luaType(value)}, expected array of string, string, number or boolean`);
}

function luaType(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string' || v instanceof Uint8Array) return 'string';
  if (typeof v === 'object') return 'table';
  return typeof v;
}

function checkPhase(ctx: RequestContext, method: string, allowed: string[]): void {
  if (!allowed.includes(ctx.phase)) {
    throw new PdkRaise(`function cannot be called in ${ctx.phase} phase (only in: ${allowed.join(', ')}) [${method}]`);
  }
}

const REQUEST_PHASES = ['rewrite', 'access', 'response', 'log'];
const BEFORE_CONTENT = ['rewrite', 'access', 'response'];
const ACCESS_AND_REWRITE = ['rewrite', 'access'];
const HEADER_BODY_LOG = ['response', 'log'];
const REWRITE_ACCESS_HEADER = ['rewrite', 'access', 'response'];
const AUTH_AND_LATER = ['access', 'response', 'log'];

/** Calls that work in the log timer because they read saved data or ngx.ctx (plugin.lua exposed_api). */
const LOG_SAFE = new Set([
  'kong.log.serialize',
  'kong.request.get_header',
  'kong.request.get_headers',
  'kong.request.get_uri_captures',
  'kong.response.get_status',
  'kong.response.get_header',
  'kong.response.get_headers',
  'kong.response.get_source',
  'kong.ctx.shared.get',
  'kong.ctx.shared.set',
  'kong.nginx.get_ctx',
  'kong.nginx.set_ctx',
  'kong.nginx.req_start_time',
  'kong.router.get_route',
  'kong.router.get_service',
  'kong.client.get_consumer',
  'kong.client.get_credential',
  'kong.node.get_id',
  'kong.request.get_start_time',
  'kong.plugin.get_id',
  'kong.service.response.get_status',
  'kong.service.response.get_header',
  'kong.service.response.get_headers',
  'kong.service.response.get_raw_body',
]);

const ACCEPTED_METHODS = new Set([
  'GET',
  'HEAD',
  'PUT',
  'POST',
  'DELETE',
  'OPTIONS',
  'MKCOL',
  'COPY',
  'MOVE',
  'PROPFIND',
  'PROPPATCH',
  'LOCK',
  'UNLOCK',
  'PATCH',
  'TRACE',
]);

/** kong/pdk/service/request.lua make_ordered_args: sorted keys; true -> `k`, false dropped. */
function encodeQueryTable(args: Record<string, unknown>): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '%20');
  const parts: string[] = [];
  for (const k of Object.keys(args).sort()) {
    const v = args[k];
    const vals = Array.isArray(v) ? v : [v];
    for (const x of vals) {
      if (x === true) parts.push(enc(k));
      else if (x === false) continue;
      else if (typeof x === 'string' || typeof x === 'number') parts.push(`${enc(k)}=${enc(String(x))}`);
      else throw new PdkRaise(`invalid value "${k}": got ${luaType(x)}, expected string, number or boolean`);
    }
  }
  return parts.join('&');
}

function luaToString(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'object') return `table: ${JSON.stringify(v)}`;
  return String(v);
}

export async function callPdk(ctx: RequestContext, env: PdkEnv, method: string, args: unknown[]): Promise<PdkOutcome> {
  const value = async (v: unknown): Promise<PdkOutcome> => ({ kind: 'value', value: v });
  if (ctx.phase === 'log' && !LOG_SAFE.has(method) && !method.startsWith('kong.log.')) {
    if (KONG_PDK_FUNCTIONS.has(method)) {
      // plugin.lua: log runs in ngx.timer.at, where ngx.req / ngx.var / ngx.header are unavailable
      throw new PdkRaise(`${method}: API disabled in the context of ngx.timer (log phase runs on saved data)`);
    }
  }
  const a = args;
  switch (method) {
    // ---------------- kong.request ----------------
    case 'kong.request.get_header': {
      checkPhase(ctx, method, REQUEST_PHASES);
      if (typeof a[0] !== 'string') throw new PdkRaise('header name must be a string');
      return value(ctx.headers.first(a[0]));
    }
    case 'kong.request.get_headers': {
      checkPhase(ctx, method, REQUEST_PHASES);
      const max = a[0];
      if (max !== undefined && max !== null) {
        if (typeof max !== 'number') throw new PdkRaise('max_headers must be a number');
        if (max < 1) throw new PdkRaise('max_headers must be >= 1');
        if (max > 1000) throw new PdkRaise('max_headers must be <= 1000');
      }
      return value(fixMmap(ctx.headers.toLuaTable(typeof max === 'number' ? max : 100)));
    }
    case 'kong.request.get_raw_body': {
      checkPhase(ctx, method, BEFORE_CONTENT);
      const body = await ctx.readBody();
      const max = a[0];
      let out: Buffer | undefined;
      if (!body.spooled) out = body.data;
      else if (typeof max === 'number' && max >= 0 && !(max > 0 && body.data.length > max)) out = body.data;
      else out = undefined; // Kong: nil, "request body did not fit into client body buffer" / "file too big"
      if (out === undefined) {
        // mp_rpc.lua fix_raw(nil) fails when packing: the nil result raises (MessagePack.lua: length of nil)
        throw new PdkRaise(
          `kong.request.get_raw_body returned nil (body of ${body.data.length} bytes ` +
            `${body.spooled ? `spooled to disk above client_body_buffer_size=${env.clientBodyBufferSize}` : ''}` +
            `${typeof max === 'number' ? `, max_allowed_file_size=${max}` : ''}); fix_raw(nil) raises`,
        );
      }
      return value(out);
    }
    case 'kong.request.get_body': {
      checkPhase(ctx, method, BEFORE_CONTENT);
      const mime = typeof a[0] === 'string' ? a[0] : (ctx.headers.first('content-type') ?? '');
      const body = await ctx.readBody();
      if (body.spooled && !(typeof a[2] === 'number' && a[2] >= 0)) return value(undefined);
      if (mime.toLowerCase().startsWith('application/json')) {
        try {
          const parsed: unknown = JSON.parse(body.data.toString('utf8'));
          return value(isTable(parsed) ? parsed : undefined);
        } catch {
          return value(undefined);
        }
      }
      if (mime.toLowerCase().startsWith('application/x-www-form-urlencoded')) return value(parseQuery(body.data.toString('latin1')));
      throw new PdkRaise(`kong.request.get_body: content type '${mime}' is not emulated by the test ingress`);
    }
    case 'kong.request.get_method':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(ctx.method);
    case 'kong.request.get_path':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(normalizeForPdk(rawPathOf(ctx.requestUri)));
    case 'kong.request.get_raw_path':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(rawPathOf(ctx.requestUri));
    case 'kong.request.get_path_with_query':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(ctx.requestUri);
    case 'kong.request.get_raw_query':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(ctx.args);
    case 'kong.request.get_query': {
      checkPhase(ctx, method, REQUEST_PHASES);
      const max = typeof a[0] === 'number' ? a[0] : 100;
      return value(fixMmap(parseQuery(ctx.args, max)));
    }
    case 'kong.request.get_query_arg': {
      checkPhase(ctx, method, REQUEST_PHASES);
      if (typeof a[0] !== 'string') throw new PdkRaise('query argument name must be a string');
      const v = parseQuery(ctx.args)[a[0]];
      return value(Array.isArray(v) ? v[0] : v);
    }
    case 'kong.request.get_scheme':
    case 'kong.request.get_forwarded_scheme':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(ctx.scheme);
    case 'kong.request.get_host':
    case 'kong.request.get_forwarded_host':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(ctx.host);
    case 'kong.request.get_port':
    case 'kong.request.get_forwarded_port':
      return value(ctx.serverPort);
    case 'kong.request.get_forwarded_path':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(normalizeForPdk(rawPathOf(ctx.requestUri)));
    case 'kong.request.get_forwarded_prefix':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(ctx.match?.prefix && ctx.match.prefix !== '/' ? ctx.match.prefix : undefined);
    case 'kong.request.get_http_version':
      checkPhase(ctx, method, REQUEST_PHASES);
      return value(ctx.httpVersion);
    case 'kong.request.get_start_time':
      return value(ctx.startedAt);
    case 'kong.request.get_uri_captures': {
      const c = ctx.match?.uriCaptures;
      // kong/pdk/request.lua capture_wrap: {unnamed = {[0]=...}, named = {...}}; empty tables pack as arrays
      return value({
        unnamed: c ? c.unnamed : [],
        named: c && Object.keys(c.named).length ? c.named : [],
      });
    }

    // ---------------- kong.client ----------------
    case 'kong.client.get_ip':
    case 'kong.client.get_forwarded_ip':
      return value(ctx.clientIp);
    case 'kong.client.get_port':
    case 'kong.client.get_forwarded_port':
      return value(ctx.clientPort);
    case 'kong.client.get_protocol':
      checkPhase(ctx, method, ['access', 'response', 'log']);
      return value(ctx.route ? 'http' : undefined);
    case 'kong.client.get_consumer':
      checkPhase(ctx, method, AUTH_AND_LATER);
      return value(ctx.authenticatedConsumer ?? undefined);
    case 'kong.client.get_credential':
      checkPhase(ctx, method, AUTH_AND_LATER);
      return value(ctx.authenticatedCredential ?? undefined);
    case 'kong.client.authenticate': {
      checkPhase(ctx, method, ['access']);
      const [consumer, credential] = a;
      if (consumer != null && !isTable(consumer)) throw new PdkRaise('consumer must be a table or nil');
      if (credential != null && !isTable(credential)) throw new PdkRaise('credential must be a table or nil');
      if (consumer == null && credential == null) throw new PdkRaise('either credential or consumer must be provided');
      ctx.authenticatedConsumer = (consumer as Record<string, unknown> | null | undefined) ?? null;
      ctx.authenticatedCredential = (credential as Record<string, unknown> | null | undefined) ?? null;
      return value(undefined);
    }
    case 'kong.client.load_consumer': {
      checkPhase(ctx, method, AUTH_AND_LATER);
      const [id, byUsername] = a;
      if (typeof id !== 'string' || id === '') throw new PdkRaise('consumer_id must be a string');
      if (!isUuid(id) && !byUsername) throw new PdkRaise('cannot load a consumer with an id that is not a uuid');
      const found =
        (isUuid(id) ? env.consumers.find((c) => c.id === id.toLowerCase()) : undefined) ??
        (byUsername ? env.consumers.find((c) => c.username === id) : undefined);
      return value(found);
    }

    // ---------------- kong.response ----------------
    case 'kong.response.exit':
    case 'kong.response.error':
      return exitCall(ctx, env, method, a);
    case 'kong.response.set_header': {
      checkPhase(ctx, method, REWRITE_ACCESS_HEADER);
      const v = headerValue(a[0], a[1]);
      if (/^transfer[-_]encoding$/i.test(a[0] as string)) {
        env.log('warn', 'manually setting Transfer-Encoding. Ignored.');
        return value(undefined);
      }
      ctx.responseHeaders.set(a[0] as string, v);
      return value(undefined);
    }
    case 'kong.response.add_header': {
      checkPhase(ctx, method, REWRITE_ACCESS_HEADER);
      const v = headerValue(a[0], a[1]);
      ctx.responseHeaders.add(a[0] as string, v);
      return value(undefined);
    }
    case 'kong.response.clear_header':
      checkPhase(ctx, method, REWRITE_ACCESS_HEADER);
      if (typeof a[0] !== 'string') throw new PdkRaise('header name must be a string');
      ctx.responseHeaders.clear(a[0]);
      return value(undefined);
    case 'kong.response.set_headers': {
      checkPhase(ctx, method, REWRITE_ACCESS_HEADER);
      if (!isTable(a[0]) || Array.isArray(a[0])) throw new PdkRaise('headers must be a table');
      for (const [k, v] of Object.entries(a[0])) ctx.responseHeaders.set(k, headerValue(k, v));
      return value(undefined);
    }
    case 'kong.response.get_status':
      checkPhase(ctx, method, HEADER_BODY_LOG);
      return value(ctx.phase === 'log' ? ctx.sentStatus : (ctx.buffered?.status ?? ctx.sentStatus));
    case 'kong.response.get_header': {
      checkPhase(ctx, method, HEADER_BODY_LOG);
      if (typeof a[0] !== 'string') throw new PdkRaise('header name must be a string');
      return value((ctx.phase === 'log' ? ctx.sentHeaders : ctx.responseHeaders).first(a[0]));
    }
    case 'kong.response.get_headers':
      checkPhase(ctx, method, HEADER_BODY_LOG);
      return value(fixMmap((ctx.phase === 'log' ? ctx.sentHeaders : ctx.responseHeaders).toLuaTable(typeof a[0] === 'number' ? a[0] : 100)));
    case 'kong.response.get_source':
      // kong/pdk/response.lua get_source: error > exit > service
      if (ctx.phase !== 'log') checkPhase(ctx, method, HEADER_BODY_LOG);
      return value(ctx.unexpected ? 'error' : ctx.exited ? 'exit' : ctx.proxied ? 'service' : 'error');

    // ---------------- kong.service ----------------
    case 'kong.service.set_target': {
      checkPhase(ctx, method, ['access']);
      const [host, port] = a;
      if (typeof host !== 'string') throw new PdkRaise('host must be a string');
      if (typeof port !== 'number' || !Number.isInteger(port)) throw new PdkRaise('port must be an integer');
      if (port < 0 || port > 65535) throw new PdkRaise('port must be an integer between 0 and 65535: given ' + port);
      ctx.target = { host, port };
      return value(undefined);
    }
    case 'kong.service.request.enable_buffering':
      checkPhase(ctx, method, ['rewrite', 'access']);
      ctx.bufferedProxying = true;
      return value(undefined);
    case 'kong.service.request.set_scheme': {
      checkPhase(ctx, method, ['rewrite', 'access']);
      if (typeof a[0] !== 'string') throw new PdkRaise('scheme must be a string');
      if (a[0] !== 'http' && a[0] !== 'https') throw new PdkRaise('invalid scheme: ' + a[0]);
      ctx.upstreamScheme = a[0];
      return value(undefined);
    }
    case 'kong.service.request.set_path': {
      checkPhase(ctx, method, ['rewrite', 'access']);
      if (typeof a[0] !== 'string') throw new PdkRaise('path must be a string');
      if (!a[0].startsWith('/')) throw new PdkRaise('path must start with /');
      ctx.upstreamUri = escapeUri(a[0]);
      return value(undefined);
    }
    case 'kong.service.request.set_raw_query':
      checkPhase(ctx, method, ACCESS_AND_REWRITE);
      if (typeof a[0] !== 'string') throw new PdkRaise('query must be a string');
      ctx.args = a[0];
      return value(undefined);
    case 'kong.service.request.set_query':
      checkPhase(ctx, method, ACCESS_AND_REWRITE);
      if (!isTable(a[0]) || Array.isArray(a[0])) throw new PdkRaise('args must be a table');
      ctx.args = encodeQueryTable(a[0]);
      return value(undefined);
    case 'kong.service.request.set_method':
      checkPhase(ctx, method, ACCESS_AND_REWRITE);
      if (typeof a[0] !== 'string') throw new PdkRaise('method must be a string');
      if (!ACCEPTED_METHODS.has(a[0])) throw new PdkRaise('invalid method: ' + a[0]);
      ctx.method = a[0];
      return value(undefined);
    case 'kong.service.request.set_header': {
      checkPhase(ctx, method, ['rewrite', 'access']);
      const v = headerValue(a[0], a[1]);
      const name = a[0] as string;
      if (name.toLowerCase() === 'host') ctx.upstreamHost = Array.isArray(v) ? v[0]! : v;
      if (name.toLowerCase() === ':authority') return value(undefined); // nil, err on non-grpc
      ctx.headers.set(name, v);
      return value(undefined);
    }
    case 'kong.service.request.add_header': {
      checkPhase(ctx, method, ACCESS_AND_REWRITE);
      const v = headerValue(a[0], a[1]);
      if ((a[0] as string).toLowerCase() === 'host') ctx.upstreamHost = Array.isArray(v) ? v[0]! : v;
      ctx.headers.add(a[0] as string, v);
      return value(undefined);
    }
    case 'kong.service.request.clear_header':
      checkPhase(ctx, method, ACCESS_AND_REWRITE);
      if (typeof a[0] !== 'string') throw new PdkRaise('header must be a string');
      ctx.headers.clear(a[0]);
      return value(undefined);
    case 'kong.service.request.set_headers': {
      checkPhase(ctx, method, ACCESS_AND_REWRITE);
      if (!isTable(a[0]) || Array.isArray(a[0])) throw new PdkRaise('headers must be a table');
      const entries = Object.entries(a[0]).map(([k, v]) => [k, headerValue(k, v)] as const);
      for (const [k, v] of entries) {
        if (k.toLowerCase() === 'host') ctx.upstreamHost = Array.isArray(v) ? v[0]! : (v as string);
        ctx.headers.set(k, v);
      }
      return value(undefined);
    }
    case 'kong.service.request.set_raw_body': {
      checkPhase(ctx, method, ['rewrite', 'access']);
      const buf = toBuffer(a[0]);
      if (!buf) throw new PdkRaise('body must be a string');
      await ctx.readBody();
      // ngx.req.set_body_data keeps the body in memory and updates Content-Length; later
      // kong.request.get_raw_body calls read it back (get_body_data), whatever its size.
      ctx.body = { data: buf, spooled: false };
      ctx.headers.set('Content-Length', String(buf.length));
      return value(undefined);
    }
    case 'kong.service.response.get_status':
      checkPhase(ctx, method, HEADER_BODY_LOG);
      return value(ctx.buffered?.status ?? ctx.upstreamStatus ?? undefined);
    case 'kong.service.response.get_headers':
      checkPhase(ctx, method, HEADER_BODY_LOG);
      if (!ctx.buffered) throw new PdkRaise('kong.service.response.get_headers: only buffered responses are emulated');
      return value(fixMmap(ctx.buffered.headers.toLuaTable(typeof a[0] === 'number' ? a[0] : 100)));
    case 'kong.service.response.get_header':
      checkPhase(ctx, method, HEADER_BODY_LOG);
      if (typeof a[0] !== 'string') throw new PdkRaise('header name must be a string');
      if (!ctx.buffered) throw new PdkRaise('kong.service.response.get_header: only buffered responses are emulated');
      return value(ctx.buffered.headers.first(a[0]));
    case 'kong.service.response.get_raw_body':
      checkPhase(ctx, method, HEADER_BODY_LOG);
      if (!ctx.bufferedProxying || !ctx.buffered) {
        throw new PdkRaise('service body is only available with buffered proxying (see: kong.service.request.enable_buffering function)');
      }
      return value(ctx.buffered.body);

    // ---------------- kong.ctx / kong.nginx ----------------
    case 'kong.ctx.shared.get':
      return value(ctx.ctxShared.get(String(a[0])));
    case 'kong.ctx.shared.set': {
      const v = luaRoundTrip(a[1]);
      if (v === undefined) ctx.ctxShared.delete(String(a[0]));
      else ctx.ctxShared.set(String(a[0]), v);
      return value(undefined);
    }
    case 'kong.nginx.get_ctx':
      return value(ctx.ngxCtx.get(String(a[0])));
    case 'kong.nginx.set_ctx': {
      const v = luaRoundTrip(a[1]);
      if (v === undefined) ctx.ngxCtx.delete(String(a[0]));
      else ctx.ngxCtx.set(String(a[0]), v);
      return value(undefined);
    }
    case 'kong.nginx.req_start_time':
      return value(ctx.startedAt / 1000);
    case 'kong.nginx.get_subsystem':
      return value('http');
    case 'kong.nginx.get_var':
      return value(nginxVar(ctx, String(a[0])));

    // ---------------- kong.log ----------------
    case 'kong.log.debug':
    case 'kong.log.info':
    case 'kong.log.notice':
    case 'kong.log.warn':
    case 'kong.log.err':
    case 'kong.log.crit':
    case 'kong.log.alert':
    case 'kong.log.emerg':
      env.log(method.slice('kong.log.'.length) as IngressLogLevel, a.map(luaToString).join(''));
      return value(undefined);
    case 'kong.log.serialize':
      // plugin.lua exposed_api: cjson_encode(saved.serialize_data or kong.log.serialize()) -> a JSON string
      if (ctx.phase !== 'log') throw new PdkRaise('kong.log.serialize: function cannot be called in ' + ctx.phase + ' phase (only in: log)');
      return value(JSON.stringify(env.serialize(ctx)));

    // ---------------- kong.router / kong.node / kong.plugin ----------------
    case 'kong.router.get_route':
      return value(ctx.route ?? undefined);
    case 'kong.router.get_service':
      return value(ctx.service ?? undefined);
    case 'kong.node.get_id':
      return value(env.nodeId);
    case 'kong.service.set_upstream':
      throw new PdkRaise('kong.service.set_upstream: upstream entities are not emulated by the test ingress');
    default:
      if (KONG_PDK_FUNCTIONS.has(method)) {
        throw new PdkRaise(`${method} exists in Kong's PDK but is not emulated by the test ingress`);
      }
      // mp_rpc.lua call_pdk_method: kong.log.err("could not find pdk method: ", cmd); return nil
      env.log('err', `could not find pdk method: ${method}`);
      return value(undefined);
  }
}

function rawPathOf(requestUri: string): string {
  const i = requestUri.indexOf('?', 1);
  return i >= 0 ? requestUri.slice(0, i) : requestUri;
}

/** kong/pdk/request.lua get_path: normalize(get_raw_path(), true) */
function normalizeForPdk(p: string): string {
  return normalizePath(p);
}

function nginxVar(ctx: RequestContext, name: string): string | undefined {
  switch (name) {
    case 'kong_request_id':
    case 'request_id':
      return ctx.id;
    case 'remote_addr':
    case 'realip_remote_addr':
    case 'binary_remote_addr':
      return ctx.clientIp;
    case 'remote_port':
      return String(ctx.clientPort);
    case 'request_uri':
      return ctx.requestUri;
    case 'uri':
      return normalizeForPdk(rawPathOf(ctx.requestUri));
    case 'args':
    case 'query_string':
      return ctx.args === '' ? undefined : ctx.args;
    case 'is_args':
      return ctx.args === '' ? '' : '?';
    case 'upstream_uri':
      return ctx.upstreamUri;
    case 'upstream_scheme':
      return ctx.upstreamScheme;
    case 'upstream_host':
      return ctx.upstreamHost ?? '';
    case 'host':
      return ctx.host;
    case 'scheme':
      return ctx.scheme;
    case 'server_port':
      return String(ctx.serverPort);
    case 'server_addr':
      return '127.0.0.1';
    case 'request_method':
      return ctx.method;
    case 'server_protocol':
      return `HTTP/${ctx.httpVersion}`;
    case 'https':
      return '';
    default:
      if (name.startsWith('http_')) return ctx.headers.first(name.slice(5));
      throw new PdkRaise(`kong.nginx.get_var('${name}'): variable not emulated by the test ingress`);
  }
}

/** kong/pdk/response.lua exit / error argument checks, then the delayed response. */
function exitCall(ctx: RequestContext, env: PdkEnv, method: string, a: unknown[]): PdkOutcome {
  checkPhase(ctx, method, REWRITE_ACCESS_HEADER);
  const [status, body, headers] = a;
  if (typeof status !== 'number' || !Number.isInteger(status)) throw new PdkRaise('code must be a number');
  if (method === 'kong.response.exit') {
    if (status < 100 || status > 599) throw new PdkRaise('code must be a number between 100 and 599');
    if (body != null && typeof body !== 'string' && !isTable(body) && !(body instanceof Uint8Array)) {
      throw new PdkRaise('body must be a nil, string or table');
    }
    if (headers != null && (!isTable(headers) || Array.isArray(headers))) throw new PdkRaise('headers must be a nil or table');
    if (headers != null) for (const [k, v] of Object.entries(headers)) headerValue(k, v);
    ctx.exited = true;
    ctx.delayedResponse = { status, body: body ?? null, headers: (headers as Record<string, unknown> | null | undefined) ?? null };
    return { kind: 'exit' };
  }
  // kong.response.error(status, message, headers): 400..599, the message in the error template
  if (status < 400 || status > 599) throw new PdkRaise('code must be a number between 400 and 599');
  let message = a[1];
  if (message instanceof Uint8Array) message = Buffer.from(message).toString('utf8');
  else if (isTable(message)) message = cjsonEncode(message);
  if (message != null && typeof message !== 'string') throw new PdkRaise('message must be a nil, a string or a table');
  if (headers != null && (!isTable(headers) || Array.isArray(headers))) throw new PdkRaise('headers must be a nil or table');
  const given = (headers ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(given)) headerValue(k, v);
  const explicitType = given['Content-Type']; // an exact key lookup, as in Kong
  let page: ReturnType<typeof env.errorPages.pdkErrorPage>;
  try {
    page = env.errorPages.pdkErrorPage(
      status,
      (message as string | null | undefined) ?? undefined,
      explicitType === undefined ? undefined : String(Array.isArray(explicitType) ? explicitType[0] : explicitType),
      ctx.headers,
      ctx.id,
    );
  } catch (e) {
    throw new PdkRaise((e as Error).message);
  }
  ctx.exited = true;
  ctx.delayedResponse = { status, body: page.body, headers: { ...given, 'Content-Type': page.contentType } };
  return { kind: 'exit' };
}
