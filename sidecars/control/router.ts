/** The route table: method + path pattern → handler. */
import { badRequest } from './api-error';
import type { Handler } from './context';
import { listAuditRoute } from './routes/audit';
import * as cache from './routes/cache';
import { consoleConfigRoute } from './routes/console-config';
import { guardrailEventsRoute } from './routes/guardrails';
import * as keys from './routes/keys';
import { modelsRoute } from './routes/models';
import { overviewRoute } from './routes/overview';
import * as prompts from './routes/prompts';
import { listRequestsRoute, requestInfoRoute } from './routes/requests';
import { spendRoute } from './routes/spend';
import * as teams from './routes/teams';

interface Route {
  method: string;
  /** The route as written here (`/admin/keys/:id`): the metrics' `route` label. */
  path: string;
  pattern: RegExp;
  /** The names of the captured segments, in order. */
  params: string[];
  handler: Handler;
  /** What the audit log calls a change made here (`key.create`); GET routes have none. */
  action: string | null;
}

const ID = '([^/]+)';
/** `:id` and `:<name>` segments each capture one path segment, named in order. */
const PARAM = /:([a-z]+)/g;
const route = (method: string, path: string, handler: Handler, action: string | null = null): Route => ({
  method,
  path,
  pattern: new RegExp(`^${path.replace(PARAM, ID)}/?$`),
  params: [...path.matchAll(PARAM)].map((m) => m[1]),
  handler,
  action,
});

const ROUTES: Route[] = [
  route('POST', '/admin/keys', keys.createKeyRoute, 'key.create'),
  route('GET', '/admin/keys', keys.listKeysRoute),
  route('GET', '/admin/keys/:id', keys.keyInfoRoute),
  route('PATCH', '/admin/keys/:id', keys.updateKeyRoute, 'key.update'),
  route('DELETE', '/admin/keys/:id', keys.deleteKeyRoute, 'key.delete'),
  route('POST', '/admin/keys/:id/rotate', keys.rotateKeyRoute, 'key.rotate'),
  route('POST', '/admin/keys/:id/revoke', keys.revokeKeyRoute, 'key.revoke'),
  route('POST', '/admin/teams', teams.createTeamRoute, 'team.create'),
  route('GET', '/admin/teams', teams.listTeamsRoute),
  route('GET', '/admin/teams/:id', teams.teamInfoRoute),
  route('PATCH', '/admin/teams/:id', teams.updateTeamRoute, 'team.update'),
  route('DELETE', '/admin/teams/:id', teams.deleteTeamRoute, 'team.delete'),
  route('POST', '/admin/prompts', prompts.createPromptRoute, 'prompt.create'),
  route('GET', '/admin/prompts', prompts.listPromptsRoute),
  route('GET', '/admin/prompts/:id', prompts.promptInfoRoute),
  route('POST', '/admin/prompts/:id/versions', prompts.addVersionRoute, 'prompt.version'),
  route('GET', '/admin/prompts/:id/versions/:version', prompts.versionInfoRoute),
  route('PUT', '/admin/prompts/:id/labels/:label', prompts.setLabelRoute, 'prompt.label'),
  route('DELETE', '/admin/prompts/:id/labels/:label', prompts.deleteLabelRoute, 'prompt.unlabel'),
  route('POST', '/admin/prompts/:id/render', prompts.renderPromptRoute, 'prompt.render'),
  route('GET', '/admin/prompts/:id/diff', prompts.diffPromptRoute),
  route('GET', '/admin/spend', spendRoute),
  route('GET', '/admin/requests', listRequestsRoute),
  route('GET', '/admin/requests/:id', requestInfoRoute),
  route('GET', '/admin/cache/stats', cache.cacheStatsRoute),
  route('POST', '/admin/cache/purge', cache.cachePurgeRoute, 'cache.purge'),
  route('GET', '/admin/audit', listAuditRoute),
  route('GET', '/admin/overview', overviewRoute),
  route('GET', '/admin/models', modelsRoute),
  route('GET', '/admin/guardrails/events', guardrailEventsRoute),
  route('GET', '/admin/console/config', consoleConfigRoute),
];

export type Match =
  | { handler: Handler; params: Record<string, string>; route: string; action: string | null }
  | { methodNotAllowed: true; route: string }
  | null;

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
    if (r.method === method)
      return {
        handler: r.handler,
        params: Object.fromEntries(r.params.map((name, i) => [name, decodeSegment(m[i + 1])])),
        route: r.path,
        action: r.action,
      };
  }
  return known ? { methodNotAllowed: true, route: known } : null;
}
