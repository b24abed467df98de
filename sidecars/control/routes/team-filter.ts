/** A team named in a query (`team` or `team_id`), by name or id, as the filter's team id. */
import { isUuid, resolveTeam } from '../../../lib/store/teams';
import { badRequest } from '../api-error';
import type { ControlContext } from '../context';
import { queryName } from '../validate';

/**
 * `pastIds`: an id is taken as it is, even when its team no longer exists (the ledger keeps a
 * deleted team's rows); otherwise the team must exist.
 */
export async function teamFilter(ctx: ControlContext, query: URLSearchParams, opts: { pastIds: boolean }): Promise<string | null> {
  const field = query.get('team') ? 'team' : 'team_id';
  const ref = queryName(query, field);
  if (ref === undefined) return null;
  if (opts.pastIds && isUuid(ref)) return ref;
  const team = await resolveTeam(ctx.pool, ref);
  if (!team) throw badRequest(field, `No team with id or name ${ref}`, 'team_not_found');
  return team.id;
}
