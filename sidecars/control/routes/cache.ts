/**
 * The semantic cache's operations: `GET /admin/cache/stats` (entries, hits and dollars saved per
 * team, model and recent scope) and `POST /admin/cache/purge` (`{"team"}` by name or id,
 * `{"model"}` or `{"all": true}`: exactly one). Purges reach every node's index through the
 * cache's event stream. Admin keys only, like every /admin route.
 */
import { nanoToUsd } from '../../../lib/money';
import type { PurgeTarget } from '../../../lib/semantic-cache/store';
import { isUuid, resolveTeam } from '../../../lib/store/teams';
import { ApiError, badRequest } from '../api-error';
import type { ControlContext, Handler } from '../context';
import { asObject, optBool, optString, rejectUnknown } from '../validate';

const counted = (c: { entries: number; hits: number; savedNano: number }) => ({ entries: c.entries, hits: c.hits, saved_usd: nanoToUsd(c.savedNano) });

function cacheOf(ctx: ControlContext): NonNullable<ControlContext['cache']> {
  if (!ctx.cache) throw new ApiError(503, 'The semantic cache needs Redis (AIGW_REDIS_URL) and the control API has none.', 'cache_unavailable');
  return ctx.cache;
}

export const cacheStatsRoute: Handler = async (ctx) => {
  const stats = await cacheOf(ctx)
    .stats({ scopeLimit: 20 })
    .catch((error: unknown) => {
      throw new ApiError(503, `The cache store could not answer: ${(error as Error).message}`, 'cache_unavailable');
    });
  return {
    status: 200,
    body: {
      object: 'cache_stats',
      entries: stats.entries,
      teams: stats.byTeam.map((t) => ({ team_id: t.teamId, ...counted(t) })),
      models: stats.byModel.map((m) => ({ model: m.model, ...counted(m) })),
      recent_scopes: stats.byScope.map((s) => ({ scope_id: s.scopeId, ...counted(s) })),
    },
  };
};

export const cachePurgeRoute: Handler = async (ctx, req) => {
  const body = asObject(await req.body());
  rejectUnknown(body, ['team', 'model', 'all']);
  const team = optString(body, 'team');
  const model = optString(body, 'model', 256);
  const all = optBool(body, 'all');
  const chosen = [team, model, all === true ? true : undefined].filter((v) => v !== undefined && v !== null);
  if (chosen.length !== 1) throw badRequest(null, 'Name exactly one of team, model or all: true.', 'invalid_purge');
  let target: PurgeTarget;
  if (team) {
    const found = isUuid(team) ? { id: team } : await resolveTeam(ctx.pool, team);
    if (!found) throw badRequest('team', `No team with id or name ${team}`, 'team_not_found');
    target = { teamId: found.id };
  } else if (model) {
    target = { model };
  } else {
    target = { all: true };
  }
  const purged = await cacheOf(ctx)
    .purge(target)
    .catch((error: unknown) => {
      throw new ApiError(503, `The cache store could not purge: ${(error as Error).message}`, 'cache_unavailable');
    });
  ctx.log.info('cache purged', { ...target, purged, by: req.admin.keyId });
  return { status: 200, body: { object: 'cache_purge', purged } };
};
