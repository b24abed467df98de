/** The route table: method + path pattern → handler. */
import { badRequest } from './api-error';
import type { Handler } from './context';
import * as cache from './routes/cache';
import * as keys from './routes/keys';
import { listRequestsRoute, requestInfoRoute } from './routes/requests';
import { spendRoute } from './routes/spend';
import * as teams from './routes/teams';

interface Route {
  method: string;
  /** The route as written here (`/admin/keys/:id`): the metrics' `route` label. */
  path: string;
  pattern: RegExp;
  handler: Handler;
}

const ID = '([^/]+)';
const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  path,
  pattern: new RegExp(`^${path.replace(':id', ID)}/?$`),
  handler,
});

const ROUTES: Route[] = [
  route('POST', '/admin/keys', keys.createKeyRoute),
  route('GET', '/admin/keys', keys.listKeysRoute),
  route('GET', '/admin/keys/:id', keys.keyInfoRoute),
  route('PATCH', '/admin/keys/:id', keys.updateKeyRoute),
  route('DELETE', '/admin/keys/:id', keys.deleteKeyRoute),
  route('POST', '/admin/keys/:id/rotate', keys.rotateKeyRoute),
  route('POST', '/admin/keys/:id/revoke', keys.revokeKeyRoute),
  route('POST', '/admin/teams', teams.createTeamRoute),
  route('GET', '/admin/teams', teams.listTeamsRoute),
  route('GET', '/admin/teams/:id', teams.teamInfoRoute),
  route('PATCH', '/admin/teams/:id', teams.updateTeamRoute),
  route('DELETE', '/admin/teams/:id', teams.deleteTeamRoute),
  route('GET', '/admin/spend', spendRoute),
  route('GET', '/admin/requests', listRequestsRoute),
  route('GET', '/admin/requests/:id', requestInfoRoute),
  route('GET', '/admin/cache/stats', cache.cacheStatsRoute),
  route('POST', '/admin/cache/purge', cache.cachePurgeRoute),
];

export type Match = { handler: Handler; params: Record<string, string>; route: string } | { methodNotAllowed: true; route: string } | null;

/** A path segment decoded; a malformed escape (`%ZZ`, a cut UTF-8 sequence) is the caller's error. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(null, `Malformed percent-encoding in the path segment ${JSON.stringify(segment)}`, 'invalid_path');
  }
}

export function matchRoute(method: string, path: string): Match {
  let known: string | null = null;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    known = r.path;
    if (r.method === method) return { handler: r.handler, params: m[1] !== undefined ? { id: decodeSegment(m[1]) } : {}, route: r.path };
  }
  return known ? { methodNotAllowed: true, route: known } : null;
}
