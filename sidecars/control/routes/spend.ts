/** GET /admin/spend: ledger totals per key, team, model or UTC day over [from, to); `team` / `team_id` by name or id. */
import { nanoToUsd } from '../../../lib/money';
import { type SpendGroup, type SpendReportRow, spendReport } from '../../../lib/store/ledger';
import { isUuid } from '../../../lib/store/teams';
import { badRequest } from '../api-error';
import type { Handler } from '../context';
import { queryTime } from '../validate';
import { teamFilter } from './team-filter';

const GROUPS: SpendGroup[] = ['key', 'team', 'model', 'day'];
const DEFAULT_RANGE_MS = 30 * 86_400_000;

function totalsView(r: Omit<SpendReportRow, 'group' | 'label'>): Record<string, unknown> {
  return {
    requests: r.requests,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    cached_tokens: r.cachedTokens,
    reasoning_tokens: r.reasoningTokens,
    total_tokens: r.promptTokens + r.completionTokens,
    cost_usd: nanoToUsd(r.costNano),
    cost_nano: r.costNano,
    cost_unknown_requests: r.costUnknownRequests,
    compression_tokens_saved: r.compressionTokensSaved,
    compression_saved_usd: nanoToUsd(r.compressionSavedNano),
    cache_hits: r.cacheHits,
    cache_saved_usd: nanoToUsd(r.cacheSavedNano),
  };
}

export const spendRoute: Handler = async (ctx, req) => {
  const q = req.query;
  const groupBy = q.get('group_by') as SpendGroup;
  if (!GROUPS.includes(groupBy))
    throw badRequest('group_by', 'group_by must be key, team, model or day', q.has('group_by') ? 'invalid_value' : 'missing_required_parameter');
  const to = queryTime(q, 'to') ?? new Date();
  const from = queryTime(q, 'from') ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
  if (from.getTime() >= to.getTime()) throw badRequest('from', 'from must be before to');
  const keyId = q.get('key_id') || null;
  if (keyId && !isUuid(keyId)) throw badRequest('key_id', 'key_id must be a key id (uuid)');
  const teamId = await teamFilter(ctx, q, { pastIds: true });
  const rows = await spendReport(ctx.pool, { groupBy, from, to, keyId, teamId });
  const total = rows.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      promptTokens: t.promptTokens + r.promptTokens,
      completionTokens: t.completionTokens + r.completionTokens,
      cachedTokens: t.cachedTokens + r.cachedTokens,
      reasoningTokens: t.reasoningTokens + r.reasoningTokens,
      costNano: t.costNano + r.costNano,
      costUnknownRequests: t.costUnknownRequests + r.costUnknownRequests,
      compressionTokensSaved: t.compressionTokensSaved + r.compressionTokensSaved,
      compressionSavedNano: t.compressionSavedNano + r.compressionSavedNano,
      cacheHits: t.cacheHits + r.cacheHits,
      cacheSavedNano: t.cacheSavedNano + r.cacheSavedNano,
    }),
    {
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
      costNano: 0,
      costUnknownRequests: 0,
      compressionTokensSaved: 0,
      compressionSavedNano: 0,
      cacheHits: 0,
      cacheSavedNano: 0,
    },
  );
  const labelField = groupBy === 'key' ? 'key_alias' : groupBy === 'team' ? 'team_name' : null;
  return {
    status: 200,
    body: {
      object: 'spend_report',
      group_by: groupBy,
      from: from.toISOString(),
      to: to.toISOString(),
      data: rows.map((r) => ({
        [groupBy === 'model' || groupBy === 'day' ? groupBy : `${groupBy}_id`]: r.group,
        ...(labelField ? { [labelField]: r.label } : {}),
        ...totalsView(r),
      })),
      totals: totalsView(total),
    },
  };
};
