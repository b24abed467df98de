/**
 * decK (`_format_version: "3.0"`) loader: turns the declarative file into the entity shapes Kong
 * keeps in its database (kong/db/schema/entities/{services,routes,consumers,plugins}.lua), with
 * Kong's defaults filled. Only the subset this test double emulates is accepted; anything else is
 * rejected at start-up instead of being silently ignored.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { isUuid, uuidV5 } from './ids';

export interface ServiceEntity {
  id: string;
  name: string | null;
  protocol: 'http' | 'https';
  host: string;
  port: number;
  path: string | null;
  retries: number;
  connect_timeout: number;
  write_timeout: number;
  read_timeout: number;
  tags: string[] | null;
  enabled: boolean;
  created_at: number;
  updated_at: number;
}

export interface RouteEntity {
  id: string;
  name: string | null;
  protocols: string[];
  methods: string[] | null;
  hosts: string[] | null;
  paths: string[] | null;
  headers: null;
  snis: null;
  sources: null;
  destinations: null;
  strip_path: boolean;
  preserve_host: boolean;
  regex_priority: number;
  request_buffering: boolean;
  response_buffering: boolean;
  https_redirect_status_code: number;
  path_handling: 'v0';
  tags: string[] | null;
  service: { id: string } | null;
  created_at: number;
  updated_at: number;
}

export interface ConsumerEntity {
  id: string;
  username: string | null;
  custom_id: string | null;
  tags: string[] | null;
  created_at: number;
  updated_at: number;
}

export interface PluginEntity {
  id: string;
  name: string;
  instance_name: string | null;
  enabled: boolean;
  /** raw config from the deck file; validated against the plugin schema later */
  config: unknown;
  protocols: string[];
  route: { id: string } | null;
  service: { id: string } | null;
  consumer: { id: string } | null;
  tags: string[] | null;
}

export interface Deck {
  services: ServiceEntity[];
  routes: RouteEntity[];
  consumers: ConsumerEntity[];
  plugins: PluginEntity[];
}

type Obj = Record<string, unknown>;

export function loadDeckFile(path: string): unknown {
  return parseYaml(readFileSync(path, 'utf8'));
}

class DeckError extends Error {
  constructor(msg: string) {
    super(`deck: ${msg}`);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(where: string, o: Obj, allowed: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw new DeckError(`${where}: field '${k}' is not emulated by the test ingress (allowed: ${allowed.join(', ')})`);
    }
  }
}

function list(where: string, v: unknown): Obj[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DeckError(`${where} must be an array`);
  return v.map((x, i) => {
    if (!isObj(x)) throw new DeckError(`${where}[${i}] must be an object`);
    return x;
  });
}

function optStr(where: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new DeckError(`${where} must be a string`);
  return v;
}

function optInt(where: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new DeckError(`${where} must be an integer between ${min} and ${max}`);
  }
  return v;
}

function optBool(where: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new DeckError(`${where} must be a boolean`);
  return v;
}

function optStrList(where: string, v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new DeckError(`${where} must be an array of strings`);
  return v.length === 0 ? null : (v as string[]);
}

function entityId(where: string, v: unknown, seed: string): string {
  if (v === undefined || v === null) return uuidV5(seed);
  if (!isUuid(v)) throw new DeckError(`${where}.id must be a uuid`);
  return v.toLowerCase();
}

const SERVICE_KEYS = [
  'id',
  'name',
  'url',
  'protocol',
  'host',
  'port',
  'path',
  'retries',
  'connect_timeout',
  'read_timeout',
  'write_timeout',
  'tags',
  'enabled',
  'routes',
  'plugins',
  'tls_verify',
  'tls_verify_depth',
  'ca_certificates',
  'client_certificate',
];
const ROUTE_KEYS = [
  'id',
  'name',
  'paths',
  'methods',
  'hosts',
  'strip_path',
  'preserve_host',
  'regex_priority',
  'request_buffering',
  'response_buffering',
  'protocols',
  'tags',
  'path_handling',
  'https_redirect_status_code',
  'plugins',
  'service',
];
const CONSUMER_KEYS = [
  'id',
  'username',
  'custom_id',
  'tags',
  'plugins',
  // credentials of bundled auth plugins: accepted, never used (those plugins are not run)
  'keyauth_credentials',
  'basicauth_credentials',
  'hmacauth_credentials',
  'jwt_secrets',
  'acls',
  'oauth2_credentials',
];
const PLUGIN_KEYS = ['id', 'name', 'config', 'enabled', 'instance_name', 'protocols', 'tags', 'service', 'route', 'consumer'];
const TOP_KEYS = ['_format_version', '_info', '_transform', 'services', 'routes', 'consumers', 'plugins'];

// kong/db/schema/entities/services.lua: timeouts default 60000, retries 5, protocol http.
function buildService(o: Obj, idx: number, now: number): ServiceEntity {
  const where = `services[${idx}]${typeof o.name === 'string' ? ` (${o.name})` : ''}`;
  checkKeys(where, o, SERVICE_KEYS);
  let protocol: unknown = o.protocol ?? 'http';
  let host: unknown = o.host;
  let port: unknown = o.port;
  let path: unknown = o.path;
  if (o.url !== undefined) {
    if (typeof o.url !== 'string') throw new DeckError(`${where}.url must be a string`);
    if (o.protocol !== undefined || o.host !== undefined || o.port !== undefined || o.path !== undefined) {
      throw new DeckError(`${where}: url and protocol/host/port/path are mutually exclusive`);
    }
    const u = new URL(o.url);
    protocol = u.protocol.replace(/:$/, '');
    host = u.hostname.replace(/^\[|\]$/g, '');
    port = u.port ? Number(u.port) : undefined;
    // Kong keeps path nil when the url has none (kong/db/schema/entities/services.lua url shorthand).
    path = u.pathname && u.pathname !== '/' ? u.pathname : o.url.replace(/^[a-z]+:\/\/[^/]*/i, '') === '/' ? '/' : undefined;
  }
  if (protocol !== 'http' && protocol !== 'https') {
    throw new DeckError(`${where}: protocol '${String(protocol)}' is not emulated (http, https only)`);
  }
  if (typeof host !== 'string' || host === '') throw new DeckError(`${where}: host is required`);
  const p = optStr(`${where}.path`, path);
  if (p !== null && !p.startsWith('/')) throw new DeckError(`${where}.path must start with /`);
  const name = optStr(`${where}.name`, o.name);
  return {
    id: entityId(where, o.id, `service:${name ?? idx}`),
    name,
    protocol,
    host,
    port: optInt(`${where}.port`, port, protocol === 'https' ? 443 : 80, 0, 65535),
    path: p,
    retries: optInt(`${where}.retries`, o.retries, 5, 0, 32767),
    connect_timeout: optInt(`${where}.connect_timeout`, o.connect_timeout, 60000, 1, 2 ** 31 - 2),
    write_timeout: optInt(`${where}.write_timeout`, o.write_timeout, 60000, 1, 2 ** 31 - 2),
    read_timeout: optInt(`${where}.read_timeout`, o.read_timeout, 60000, 1, 2 ** 31 - 2),
    tags: optStrList(`${where}.tags`, o.tags),
    enabled: optBool(`${where}.enabled`, o.enabled, true),
    created_at: now,
    updated_at: now,
  };
}

// kong/db/schema/entities/routes.lua: strip_path true, preserve_host false, regex_priority 0,
// request/response_buffering true, protocols {http, https}, path_handling v0.
function buildRoute(o: Obj, where: string, serviceId: string | null, seed: string, now: number): RouteEntity {
  checkKeys(where, o, ROUTE_KEYS);
  const protocols = optStrList(`${where}.protocols`, o.protocols) ?? ['http', 'https'];
  for (const pr of protocols) {
    if (pr !== 'http' && pr !== 'https') throw new DeckError(`${where}: protocol '${pr}' is not emulated`);
  }
  if (o.path_handling !== undefined && o.path_handling !== 'v0') {
    throw new DeckError(`${where}: path_handling '${String(o.path_handling)}' is not emulated (v0 only)`);
  }
  const paths = optStrList(`${where}.paths`, o.paths);
  for (const p of paths ?? []) {
    if (!p.startsWith('/') && !p.startsWith('~')) throw new DeckError(`${where}: path '${p}' must start with / or ~`);
    if (p.startsWith('~')) {
      try {
        new RegExp(p.slice(1));
      } catch (e) {
        throw new DeckError(`${where}: invalid regex path '${p}': ${(e as Error).message}`);
      }
    }
  }
  const methods = optStrList(`${where}.methods`, o.methods);
  const hosts = optStrList(`${where}.hosts`, o.hosts);
  if (!paths && !methods && !hosts) {
    // kong/db/schema/entities/routes.lua entity_checks: at least one of methods, hosts, headers, paths, snis
    throw new DeckError(`${where}: must set at least one of 'methods', 'hosts' or 'paths'`);
  }
  const name = optStr(`${where}.name`, o.name);
  return {
    id: entityId(where, o.id, `route:${name ?? seed}`),
    name,
    protocols,
    methods: methods ? methods.map((m) => m.toUpperCase()) : null,
    hosts: hosts ? hosts.map((h) => h.toLowerCase()) : null,
    paths,
    headers: null,
    snis: null,
    sources: null,
    destinations: null,
    strip_path: optBool(`${where}.strip_path`, o.strip_path, true),
    preserve_host: optBool(`${where}.preserve_host`, o.preserve_host, false),
    regex_priority: optInt(`${where}.regex_priority`, o.regex_priority, 0, -(2 ** 31), 2 ** 31 - 1),
    request_buffering: optBool(`${where}.request_buffering`, o.request_buffering, true),
    response_buffering: optBool(`${where}.response_buffering`, o.response_buffering, true),
    https_redirect_status_code: optInt(`${where}.https_redirect_status_code`, o.https_redirect_status_code, 426, 300, 599),
    path_handling: 'v0',
    tags: optStrList(`${where}.tags`, o.tags),
    service: serviceId ? { id: serviceId } : null,
    created_at: now,
    updated_at: now,
  };
}

function buildConsumer(o: Obj, idx: number, now: number): ConsumerEntity {
  const where = `consumers[${idx}]`;
  checkKeys(where, o, CONSUMER_KEYS);
  const username = optStr(`${where}.username`, o.username);
  const custom_id = optStr(`${where}.custom_id`, o.custom_id);
  if (username === null && custom_id === null) {
    // kong/db/schema/entities/consumers.lua: at_least_one_of username, custom_id
    throw new DeckError(`${where}: at least one of 'username' or 'custom_id' is required`);
  }
  return {
    id: entityId(where, o.id, `consumer:${username ?? ''}:${custom_id ?? ''}`),
    username,
    custom_id,
    tags: optStrList(`${where}.tags`, o.tags),
    created_at: now,
    updated_at: now,
  };
}

interface PluginScopeRefs {
  service?: unknown;
  route?: unknown;
  consumer?: unknown;
}

/** Parses a decK document. Throws with a clear message on anything not emulated or inconsistent. */
export function parseDeck(doc: unknown): Deck {
  if (!isObj(doc)) throw new DeckError('document must be a mapping');
  checkKeys('top level', doc, TOP_KEYS);
  if (doc._format_version !== '3.0') throw new DeckError(`_format_version must be "3.0" (got ${JSON.stringify(doc._format_version)})`);
  if (doc._transform !== undefined && doc._transform !== true) throw new DeckError('_transform: false is not emulated');
  const now = Math.floor(Date.now() / 1000);

  const services: ServiceEntity[] = [];
  const routes: RouteEntity[] = [];
  const consumers: ConsumerEntity[] = [];
  const pendingPlugins: Array<{ o: Obj; where: string; scope: PluginScopeRefs }> = [];

  list('services', doc.services).forEach((so, i) => {
    const svc = buildService(so, i, now);
    services.push(svc);
    list(`services[${i}].routes`, so.routes).forEach((ro, j) => {
      const where = `services[${i}].routes[${j}]`;
      if (ro.service !== undefined) throw new DeckError(`${where}: nested routes must not set 'service'`);
      const route = buildRoute(ro, where, svc.id, `${svc.name ?? i}:${j}`, now);
      routes.push(route);
      list(`${where}.plugins`, ro.plugins).forEach((po, k) => pendingPlugins.push({ o: po, where: `${where}.plugins[${k}]`, scope: { route: route.id } }));
    });
    list(`services[${i}].plugins`, so.plugins).forEach((po, k) =>
      pendingPlugins.push({ o: po, where: `services[${i}].plugins[${k}]`, scope: { service: svc.id } }),
    );
  });

  const findService = (where: string, ref: unknown): string => {
    const key = isObj(ref) ? (ref.id ?? ref.name) : ref;
    const s = services.find((x) => x.id === key || x.name === key);
    if (!s) throw new DeckError(`${where}: unknown service ${JSON.stringify(ref)}`);
    return s.id;
  };

  list('routes', doc.routes).forEach((ro, j) => {
    const where = `routes[${j}]`;
    const serviceId = ro.service === undefined || ro.service === null ? null : findService(where, ro.service);
    const { service: _ignored, ...rest } = ro;
    void _ignored;
    const route = buildRoute(rest, where, serviceId, `top:${j}`, now);
    routes.push(route);
    list(`${where}.plugins`, ro.plugins).forEach((po, k) => pendingPlugins.push({ o: po, where: `${where}.plugins[${k}]`, scope: { route: route.id } }));
  });

  list('consumers', doc.consumers).forEach((co, i) => {
    const c = buildConsumer(co, i, now);
    consumers.push(c);
    list(`consumers[${i}].plugins`, co.plugins).forEach((po, k) =>
      pendingPlugins.push({ o: po, where: `consumers[${i}].plugins[${k}]`, scope: { consumer: c.id } }),
    );
  });

  list('plugins', doc.plugins).forEach((po, k) => pendingPlugins.push({ o: po, where: `plugins[${k}]`, scope: {} }));

  const findRoute = (where: string, ref: unknown): string => {
    const key = isObj(ref) ? (ref.id ?? ref.name) : ref;
    const r = routes.find((x) => x.id === key || x.name === key);
    if (!r) throw new DeckError(`${where}: unknown route ${JSON.stringify(ref)}`);
    return r.id;
  };
  const findConsumer = (where: string, ref: unknown): string => {
    const key = isObj(ref) ? (ref.id ?? ref.username ?? ref.custom_id) : ref;
    const c = consumers.find((x) => x.id === key || x.username === key || x.custom_id === key);
    if (!c) throw new DeckError(`${where}: unknown consumer ${JSON.stringify(ref)}`);
    return c.id;
  };

  const plugins: PluginEntity[] = [];
  const seen = new Set<string>();
  for (const { o, where, scope } of pendingPlugins) {
    checkKeys(where, o, PLUGIN_KEYS);
    if (typeof o.name !== 'string' || o.name === '') throw new DeckError(`${where}: name is required`);
    // A nested plugin may still name extra scopes (e.g. a consumer under a service).
    const serviceId = (scope.service as string | undefined) ?? (o.service != null ? findService(where, o.service) : null);
    const routeId = (scope.route as string | undefined) ?? (o.route != null ? findRoute(where, o.route) : null);
    const consumerId = (scope.consumer as string | undefined) ?? (o.consumer != null ? findConsumer(where, o.consumer) : null);
    if ((scope.service && o.service != null) || (scope.route && o.route != null) || (scope.consumer && o.consumer != null)) {
      throw new DeckError(`${where}: nested plugin must not repeat its parent's scope`);
    }
    // kong/db/schema/entities/plugins.lua cache_key = { name, route, service, consumer }: unique.
    const key = `${o.name}|${routeId ?? ''}|${serviceId ?? ''}|${consumerId ?? ''}`;
    if (seen.has(key)) throw new DeckError(`${where}: duplicate plugin '${o.name}' for the same route/service/consumer`);
    seen.add(key);
    plugins.push({
      id: entityId(where, o.id, `plugin:${key}`),
      name: o.name,
      instance_name: optStr(`${where}.instance_name`, o.instance_name),
      enabled: optBool(`${where}.enabled`, o.enabled, true),
      config: o.config ?? {},
      protocols: optStrList(`${where}.protocols`, o.protocols) ?? ['grpc', 'grpcs', 'http', 'https'],
      route: routeId ? { id: routeId } : null,
      service: serviceId ? { id: serviceId } : null,
      consumer: consumerId ? { id: consumerId } : null,
      tags: optStrList(`${where}.tags`, o.tags),
    });
  }

  const ids = new Set<string>();
  for (const e of [...services, ...routes, ...consumers, ...plugins]) {
    if (ids.has(e.id)) throw new DeckError(`duplicate entity id ${e.id} (give entities distinct names or ids)`);
    ids.add(e.id);
  }
  return { services, routes, consumers, plugins };
}
