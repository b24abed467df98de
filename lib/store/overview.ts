/**
 * The console's overview over a time range: spend and savings from the ledger, requests, errors
 * and latency from the request log, the top spenders, and both per hour or day. Every query is
 * bounded by the range on an indexed created_at; sums are read as text (bigint nano-USD).
 */
import type { Queryable } from './sql';

export type Bucket = 'hour' | 'day';

export interface OverviewRange {
  since: Date;
  until: Date;
  bucket: Bucket;
  /** Rows in each top list. */
  top: number;
}

export interface TopEntry {
  id: string | null;
  name: string | null;
  spendNano: number;
  requests: number;
}

export interface SeriesPoint {
  at: Date;
  requests: number;
  errors: number;
  spendNano: number;
}

export interface Overview {
  spendNano: number;
  /** Ledger rows whose price was unknown (their cost is not in spendNano). */
  unpricedRequests: number;
  billedRequests: number;
  cacheSavedNano: number;
  compressionSavedNano: number;
  requests: number;
  errors: number;
  errorsByType: Record<string, number>;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  top: { teams: TopEntry[]; keys: TopEntry[]; models: TopEntry[] };
  series: SeriesPoint[];
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

async function ledgerTotals(
  db: Queryable,
  r: OverviewRange,
): Promise<Pick<Overview, 'spendNano' | 'unpricedRequests' | 'billedRequests' | 'cacheSavedNano' | 'compressionSavedNano'>> {
  const { rows } = await db.query(
    `SELECT count(*)::text AS billed, count(*) FILTER (WHERE cost_nano IS NULL)::text AS unpriced, coalesce(sum(cost_nano), 0)::text AS spend,
            coalesce(sum(cache_saved_nano), 0)::text AS cache_saved, coalesce(sum(compression_saved_nano), 0)::text AS compression_saved
       FROM aigw_spend_ledger WHERE created_at >= $1 AND created_at < $2`,
    [r.since, r.until],
  );
  const t = rows[0];
  return {
    spendNano: n(t.spend),
    unpricedRequests: n(t.unpriced),
    billedRequests: n(t.billed),
    cacheSavedNano: n(t.cache_saved),
    compressionSavedNano: n(t.compression_saved),
  };
}

async function requestTotals(
  db: Queryable,
  r: OverviewRange,
): Promise<Pick<Overview, 'requests' | 'errors' | 'errorsByType' | 'latencyP50Ms' | 'latencyP95Ms'>> {
  const [totals, byType] = await Promise.all([
    db.query(
      `SELECT count(*)::text AS requests, count(*) FILTER (WHERE error_type IS NOT NULL)::text AS errors,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
         FROM aigw_request_log WHERE created_at >= $1 AND created_at < $2`,
      [r.since, r.until],
    ),
    db.query(
      `SELECT error_type, count(*)::text AS c FROM aigw_request_log
        WHERE created_at >= $1 AND created_at < $2 AND error_type IS NOT NULL GROUP BY error_type`,
      [r.since, r.until],
    ),
  ]);
  const t = totals.rows[0];
  const ms = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));
  return {
    requests: n(t.requests),
    errors: n(t.errors),
    errorsByType: Object.fromEntries(byType.rows.map((row) => [row.error_type as string, n(row.c)])),
    latencyP50Ms: ms(t.p50),
    latencyP95Ms: ms(t.p95),
  };
}

const TOP_SQL: Record<'teams' | 'keys' | 'models', string> = {
  teams: `SELECT l.team_id::text AS id, t.name, coalesce(sum(l.cost_nano), 0)::text AS spend, count(*)::text AS requests
            FROM aigw_spend_ledger l LEFT JOIN aigw_teams t ON t.id = l.team_id
           WHERE l.created_at >= $1 AND l.created_at < $2 AND l.team_id IS NOT NULL GROUP BY l.team_id, t.name`,
  keys: `SELECT l.key_id::text AS id, k.key_alias AS name, coalesce(sum(l.cost_nano), 0)::text AS spend, count(*)::text AS requests
           FROM aigw_spend_ledger l LEFT JOIN aigw_keys k ON k.id = l.key_id
          WHERE l.created_at >= $1 AND l.created_at < $2 AND l.key_id IS NOT NULL GROUP BY l.key_id, k.key_alias`,
  models: `SELECT l.model AS id, l.model AS name, coalesce(sum(l.cost_nano), 0)::text AS spend, count(*)::text AS requests
             FROM aigw_spend_ledger l WHERE l.created_at >= $1 AND l.created_at < $2 GROUP BY l.model`,
};

async function top(db: Queryable, r: OverviewRange, what: keyof typeof TOP_SQL): Promise<TopEntry[]> {
  const { rows } = await db.query(`${TOP_SQL[what]} ORDER BY sum(l.cost_nano) DESC NULLS LAST, count(*) DESC, 1 LIMIT $3`, [r.since, r.until, r.top]);
  return rows.map((row) => ({ id: row.id, name: row.name, spendNano: n(row.spend), requests: n(row.requests) }));
}

/** Every bucket of the range, empty ones as zeros (UTC hours or days). */
async function series(db: Queryable, r: OverviewRange): Promise<SeriesPoint[]> {
  const [requests, spend] = await Promise.all([
    db.query(
      `SELECT (extract(epoch FROM date_trunc('${r.bucket}', created_at AT TIME ZONE 'UTC')) * 1000)::bigint::text AS b, count(*)::text AS requests,
              count(*) FILTER (WHERE error_type IS NOT NULL)::text AS errors
         FROM aigw_request_log WHERE created_at >= $1 AND created_at < $2 GROUP BY b`,
      [r.since, r.until],
    ),
    db.query(
      `SELECT (extract(epoch FROM date_trunc('${r.bucket}', created_at AT TIME ZONE 'UTC')) * 1000)::bigint::text AS b, coalesce(sum(cost_nano), 0)::text AS spend
         FROM aigw_spend_ledger WHERE created_at >= $1 AND created_at < $2 GROUP BY b`,
      [r.since, r.until],
    ),
  ]);
  // Buckets as epoch ms of the UTC hour or day (extract(epoch) reads a zoneless timestamp as UTC).
  const key = (b: string): number => Number(b);
  const points = new Map<number, SeriesPoint>();
  const step = r.bucket === 'hour' ? 3600_000 : 86_400_000;
  const first =
    r.bucket === 'hour' ? Math.floor(r.since.getTime() / step) * step : Date.UTC(r.since.getUTCFullYear(), r.since.getUTCMonth(), r.since.getUTCDate());
  for (let at = first; at < r.until.getTime(); at += step) points.set(at, { at: new Date(at), requests: 0, errors: 0, spendNano: 0 });
  for (const row of requests.rows) {
    const p = points.get(key(row.b));
    if (p) {
      p.requests = n(row.requests);
      p.errors = n(row.errors);
    }
  }
  for (const row of spend.rows) {
    const p = points.get(key(row.b));
    if (p) p.spendNano = n(row.spend);
  }
  return [...points.values()];
}

export async function overview(db: Queryable, r: OverviewRange): Promise<Overview> {
  const [ledger, req, teams, keys, models, points] = await Promise.all([
    ledgerTotals(db, r),
    requestTotals(db, r),
    top(db, r, 'teams'),
    top(db, r, 'keys'),
    top(db, r, 'models'),
    series(db, r),
  ]);
  return { ...ledger, ...req, top: { teams, keys, models }, series: points };
}
