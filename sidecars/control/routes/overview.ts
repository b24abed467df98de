/**
 * GET /admin/overview?since=&until=&bucket=hour|day: spend, savings, requests, errors by type,
 * latency percentiles, top teams, keys and models, and a series per bucket (UTC).
 */
import { nanoToUsd } from '../../../lib/money';
import { type Bucket, overview, type SeriesPoint, type TopEntry } from '../../../lib/store/overview';
import { badRequest } from '../api-error';
import type { Handler } from '../context';
import { queryInteger } from '../validate';
import { DAY_MS, rejectUnknownParams, timeRange } from './time-range';

/** At most this many buckets in a series: 31 days of hours, 400 days of days. */
const MAX_RANGE_MS: Record<Bucket, number> = { hour: 31 * DAY_MS, day: 400 * DAY_MS };

const money = (nano: number): { nano: number; usd: number } => ({ nano, usd: nanoToUsd(nano) });
const topView = (e: TopEntry): Record<string, unknown> => ({ id: e.id, name: e.name, spend: money(e.spendNano), requests: e.requests });
const pointView = (p: SeriesPoint): Record<string, unknown> => ({ at: p.at.toISOString(), requests: p.requests, errors: p.errors, spend: money(p.spendNano) });

export const overviewRoute: Handler = async (ctx, req) => {
  rejectUnknownParams(req.query, ['since', 'until', 'bucket', 'top']);
  const bucketParam = req.query.get('bucket') ?? 'hour';
  if (bucketParam !== 'hour' && bucketParam !== 'day') throw badRequest('bucket', 'bucket must be hour or day');
  const bucket: Bucket = bucketParam;
  const { since, until } = timeRange(req.query, bucket === 'hour' ? DAY_MS : 30 * DAY_MS, MAX_RANGE_MS[bucket]);
  const o = await overview(ctx.pool, { since, until, bucket, top: queryInteger(req.query, 'top', 5, 1, 50) });
  return {
    status: 200,
    body: {
      object: 'overview',
      since: since.toISOString(),
      until: until.toISOString(),
      bucket,
      totals: {
        spend: money(o.spendNano),
        billed_requests: o.billedRequests,
        unpriced_requests: o.unpricedRequests,
        requests: o.requests,
        errors: o.errors,
        error_rate: o.requests === 0 ? 0 : o.errors / o.requests,
        errors_by_type: o.errorsByType,
        latency_ms: { p50: o.latencyP50Ms, p95: o.latencyP95Ms },
        cache_savings: money(o.cacheSavedNano),
        compression_savings: money(o.compressionSavedNano),
      },
      top: { teams: o.top.teams.map(topView), keys: o.top.keys.map(topView), models: o.top.models.map(topView) },
      series: o.series.map(pointView),
    },
  };
};
