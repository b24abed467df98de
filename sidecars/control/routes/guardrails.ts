/** GET /admin/guardrails/events?since=&until=&limit=: counts by detector and action, and the latest events (names only). */
import { guardrailCounts, recentGuardrailEvents } from '../../../lib/store/guardrail-events';
import type { Handler } from '../context';
import { queryInteger } from '../validate';
import { DAY_MS, rejectUnknownParams, timeRange } from './time-range';

export const guardrailEventsRoute: Handler = async (ctx, req) => {
  rejectUnknownParams(req.query, ['since', 'until', 'limit']);
  const { since, until } = timeRange(req.query, DAY_MS, 400 * DAY_MS);
  const limit = queryInteger(req.query, 'limit', 50, 1, 500);
  const [counts, events] = await Promise.all([guardrailCounts(ctx.pool, since, until), recentGuardrailEvents(ctx.pool, since, until, limit)]);
  return {
    status: 200,
    body: {
      object: 'guardrail_events',
      since: since.toISOString(),
      until: until.toISOString(),
      counts,
      total: counts.reduce((sum, c) => sum + c.count, 0),
      recent: events.map((e) => ({
        request_id: e.requestId,
        created_at: e.createdAt.toISOString(),
        key_id: e.keyId,
        key_alias: e.keyAlias,
        team_name: e.teamName,
        model: e.model,
        status: e.status,
        actions: e.actions,
      })),
    },
  };
};
