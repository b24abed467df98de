/**
 * Route matching with Kong 3.9's default `router_flavor = traditional_compatible`
 * (kong/router/compat.lua -> kong/router/atc.lua, expressions built by kong/router/transform.lua):
 * - a route with paths of mixed kinds/lengths is split into one sub-route per regex group and per
 *   prefix length (transform.lua split_routes_and_services_by_path), each with its own priority;
 * - priority (transform.lua get_priority): match weight (methods, hosts, paths present) << 61,
 *   plain-host-only bit 60, regex bit 51, regex_priority << 19 (regex routes only), prefix length;
 * - prefix paths are string-prefix matches (`http.path ^= "/p"`), regex paths are anchored at the
 *   start only (`"^" .. path:sub(2)`); hosts are exact, `*.x` suffix or `x.*` prefix matches;
 * - the path matched against is the request path without query, normalized
 *   (kong/router/utils.lua strip_uri_args -> kong/tools/uri.lua normalize with merge_slashes).
 * Ties between equal priorities: the ATC router keeps matchers in a map ordered by
 * (priority, uuid) and walks it from the top, so the larger uuid wins [inferred from atc-router's
 * `BTreeMap<MatcherKey>`; not observable unless two routes are truly ambiguous].
 */
import type { RouteEntity, ServiceEntity } from './deck';
import { uuidV5 } from './ids';

export interface RouteMatch {
  route: RouteEntity;
  service: ServiceEntity | null;
  /** matched path prefix to strip (strip_path), or null */
  prefix: string | null;
  /** regex captures: numeric keys from 0 and named groups, only when the regex captured something */
  uriCaptures: { unnamed: Record<number, string>; named: Record<string, string> } | null;
  /** upstream uri path (escaped), before the query string is appended */
  upstreamUri: string;
}

interface SubRoute {
  id: string;
  route: RouteEntity;
  service: ServiceEntity | null;
  paths: string[] | null;
  regexes: Array<RegExp | null>;
  priority: bigint;
}

// kong/router/transform.lua: uuid_generator = uuid.factory_v5('7f145bf9-0dce-4f91-98eb-debbce4b9f6b')
const SPLIT_NAMESPACE = '7f145bf9-0dce-4f91-98eb-debbce4b9f6b';

const RESERVED = new Set("!*'();:@&=+$,/?%#[]".split('').map((c) => c.charCodeAt(0)));

/** kong/tools/uri.lua normalize(uri, merge_slashes = true) on a raw path (no query). */
export function normalizePath(raw: string): string {
  if (raw === '' || raw === '/') return raw;
  let uri = raw;
  if (uri.includes('%')) {
    // decode %XX of non-reserved bytes; keep reserved ones (upper-cased)
    const bytes: number[] = [];
    for (let i = 0; i < uri.length; i++) {
      const m = /^%([0-9a-fA-F]{2})/.exec(uri.slice(i, i + 3));
      if (m) {
        const n = parseInt(m[1]!, 16);
        if (RESERVED.has(n)) for (const c of `%${m[1]!.toUpperCase()}`) bytes.push(c.charCodeAt(0));
        else bytes.push(n);
        i += 2;
      } else {
        for (const b of Buffer.from(uri[i]!, 'utf8')) bytes.push(b);
      }
    }
    uri = Buffer.from(bytes).toString('utf8');
  }
  const out: string[] = [];
  while (uri.length > 0) {
    if (uri === '/.') uri = '/';
    else if (uri === '/..') {
      uri = '/';
      out.pop();
    } else if (uri === '.' || uri === '..') uri = '';
    else if (uri.startsWith('../')) uri = uri.slice(3);
    else if (uri.startsWith('./')) uri = uri.slice(2);
    else if (uri.startsWith('/./')) uri = uri.slice(2);
    else if (uri.startsWith('/../')) {
      uri = uri.slice(3);
      out.pop();
    } else if (uri.startsWith('//')) uri = uri.slice(1);
    else {
      const i = uri.indexOf('/', 1);
      if (i >= 0) {
        out.push(uri.slice(0, i));
        uri = uri.slice(i);
      } else {
        out.push(uri);
        uri = '';
      }
    }
  }
  return out.join('');
}

/** kong/tools/uri.lua escape: percent-encode bytes outside the safe set when forwarding. */
export function escapeUri(uri: string): string {
  let out = '';
  for (const b of Buffer.from(uri, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[!#$&'()*+,/:;=?@[\]A-Za-z0-9\-_.~%]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** kong/router/utils.lua sanitize_uri_postfix */
function sanitizePostfix(p: string): string {
  if (p === '') return p;
  if (p === '.' || p === '..') return '';
  if (p.startsWith('./')) return p.slice(2);
  if (p.startsWith('../')) return p.slice(3);
  return p;
}

/** kong/router/utils.lua get_upstream_uri_v0 (path_handling v0) */
export function upstreamUriV0(stripPath: boolean, postfix: string, reqUri: string, base: string): string {
  if (base.endsWith('/')) {
    if (stripPath) {
      if (postfix === '') {
        if (base === '/') return '/';
        if (reqUri.endsWith('/')) return base;
        return base.slice(0, -1);
      }
      if (postfix.startsWith('/')) return base.slice(0, -1) + postfix;
      return base + postfix;
    }
    return base + reqUri.slice(1);
  }
  if (stripPath) {
    if (postfix === '') {
      if (reqUri.length > 1 && reqUri.endsWith('/')) return `${base}/`;
      return base;
    }
    if (postfix.startsWith('/')) return base + postfix;
    return `${base}/${postfix}`;
  }
  if (reqUri === '/') return base;
  return base + reqUri;
}

function isRegexPath(p: string): boolean {
  return p.startsWith('~');
}

function priorityOf(route: RouteEntity, paths: string[] | null): bigint {
  let weight = 0n;
  if (route.methods) weight += 1n;
  if (route.hosts) weight += 1n;
  const plainHostOnly = route.hosts?.every((h) => !h.includes('*'));
  let uriLength = 0;
  let regex = false;
  if (paths?.length) {
    weight += 1n;
    if (isRegexPath(paths[0]!)) regex = true;
    else uriLength = Buffer.byteLength(paths[0]!, 'utf8');
  }
  const rp = regex ? BigInt.asUintN(64, BigInt(route.regex_priority) << 19n) : 0n;
  return BigInt.asUintN(64, (weight << 61n) | (plainHostOnly ? 1n << 60n : 0n) | (regex ? 1n << 51n : 0n) | rp | BigInt(uriLength & 0x7ffff));
}

function splitPaths(paths: string[]): string[][] {
  const groups = new Map<number, string[]>();
  for (const p of paths) {
    const k = isRegexPath(p) ? 0 : Buffer.byteLength(p, 'utf8');
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  return [...groups.values()];
}

function hostMatches(pattern: string, host: string, port: number): boolean {
  let h = pattern;
  let wantPort: number | null = null;
  const colon = h.indexOf(':');
  if (colon >= 0 && /^\d+$/.test(h.slice(colon + 1))) {
    wantPort = Number(h.slice(colon + 1));
    h = h.slice(0, colon);
  }
  // host:port in route.hosts compares the port with net.dst.port (the port Kong listens on)
  if (wantPort !== null && wantPort !== port) return false;
  if (h.startsWith('*')) return host.endsWith(h.slice(1));
  if (h.endsWith('*')) return host.startsWith(h.slice(0, -1));
  return host === h;
}

export class Router {
  private readonly subRoutes: SubRoute[] = [];

  constructor(routes: RouteEntity[], services: ServiceEntity[]) {
    for (const route of routes) {
      if (!route.protocols.includes('http')) {
        throw new Error(`router: route ${route.name ?? route.id} does not accept http; https-only routes are not emulated`);
      }
      const service = route.service ? (services.find((s) => s.id === route.service!.id) ?? null) : null;
      const groups = route.paths && route.paths.length > 1 ? splitPaths(route.paths) : [route.paths];
      groups.forEach((paths, i) => {
        this.subRoutes.push({
          id: groups.length > 1 ? uuidV5(`${route.id}#${i + 1}`, SPLIT_NAMESPACE) : route.id,
          route,
          service,
          paths,
          regexes: (paths ?? []).map((p) => (isRegexPath(p) ? new RegExp(`^${p.slice(1)}`) : null)),
          priority: priorityOf(route, paths),
        });
      });
    }
    this.subRoutes.sort((a, b) => (a.priority === b.priority ? (a.id < b.id ? 1 : -1) : a.priority < b.priority ? 1 : -1));
  }

  /**
   * @param method request method
   * @param rawPath request path as received, without the query string
   * @param hostHeader Host header value (may carry a port)
   * @param serverPort the port the ingress listens on (net.dst.port)
   */
  match(method: string, rawPath: string, hostHeader: string | undefined, serverPort: number): RouteMatch | null {
    const path = normalizePath(rawPath);
    const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
    for (const sr of this.subRoutes) {
      const r = sr.route;
      if (r.methods && !r.methods.includes(method)) continue;
      if (r.hosts && !r.hosts.some((h) => hostMatches(h, host, serverPort))) continue;
      let matchedPath: string | null = null;
      let captures: RouteMatch['uriCaptures'] = null;
      if (sr.paths) {
        for (let i = 0; i < sr.paths.length; i++) {
          const re = sr.regexes[i];
          if (re) {
            const m = re.exec(path);
            if (!m) continue;
            matchedPath = m[0];
            // kong/router/atc.lua has_capture: only when there is more than the full match
            if (m.length > 1 || (m.groups && Object.keys(m.groups).length)) {
              const unnamed: Record<number, string> = {};
              m.forEach((v, idx) => {
                if (v !== undefined) unnamed[idx] = v;
              });
              const named: Record<string, string> = {};
              for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) named[k] = v;
              captures = { unnamed, named };
            }
            break;
          } else if (path.startsWith(sr.paths[i]!)) {
            matchedPath = sr.paths[i]!;
            break;
          }
        }
        if (matchedPath === null) continue;
      }
      const prefix = r.strip_path && matchedPath !== null ? matchedPath : null;
      const postfix = sanitizePostfix(path.slice((prefix ?? '/').length));
      const base = sr.service?.path ?? '/';
      return {
        route: r,
        service: sr.service,
        prefix,
        uriCaptures: captures,
        upstreamUri: escapeUri(upstreamUriV0(r.strip_path, postfix, path, base)),
      };
    }
    return null;
  }
}
