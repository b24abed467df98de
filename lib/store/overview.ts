/**
 * The console's overview over a time range: spend and savings from the ledger, requests, errors
 * and latency from the request log, the top spenders, and both per hour or day. Every query is
 * bounded by the range on an indexed created_at; sums are read as text (bigint nano-USD).
 */
import type { Pool } from 'pg';
import { inTransaction, type Queryable } from './sql';

export type Bucket = 'hour' | 'day';

export interface OverviewRange {
  since: Date;
  until: Date;
  bucket: Bucket;
  /** Rows in each top list. */
  top: number;
  /** Only this key's, or this team's, requests (a key's or a team's history). */
  keyId?: string | null;
  teamId?: string | null;
}

/** The range and the key or team filter on table alias `a`, with its parameters ($1, $2, ...). */
function scope(a: string, r: OverviewRange): { where: string; params: unknown[] } {
  const params: unknown[] = [r.since, r.until];
  const where = [`${a}.created_at >= $1`, `${a}.created_at < $2`];
  if (r.keyId) where.push(`${a}.key_id = $${params.push(r.keyId)}`);
  if (r.teamId) where.push(`${a}.team_id = $${params.push(r.teamId)}`);
  return { where: where.join(' AND '), params };
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
  const { where, params } = scope('l', r);
  const { rows } = await db.query(
    `SELECT count(*)::text AS billed, count(*) FILTER (WHERE cost_nano IS NULL)::text AS unpriced, coalesce(sum(cost_nano), 0)::text AS spend,
            coalesce(sum(cache_saved_nano), 0)::text AS cache_saved, coalesce(sum(compression_saved_nano), 0)::text AS compression_saved
       FROM aigw_spend_ledger l WHERE ${where}`,
    params,
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
  const { where, params } = scope('r', r);
  const [totals, byType] = await Promise.all([
    db.query(
      `SELECT count(*)::text AS requests, count(*) FILTER (WHERE error_type IS NOT NULL)::text AS errors,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
         FROM aigw_request_log r WHERE ${where}`,
      params,
    ),
    db.query(`SELECT error_type, count(*)::text AS c FROM aigw_request_log r WHERE ${where} AND error_type IS NOT NULL GROUP BY error_type`, params),
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
           WHERE {scope} AND l.team_id IS NOT NULL GROUP BY l.team_id, t.name`,
  keys: `SELECT l.key_id::text AS id, k.key_alias AS name, coalesce(sum(l.cost_nano), 0)::text AS spend, count(*)::text AS requests
           FROM aigw_spend_ledger l LEFT JOIN aigw_keys k ON k.id = l.key_id
          WHERE {scope} AND l.key_id IS NOT NULL GROUP BY l.key_id, k.key_alias`,
  models: `SELECT l.model AS id, l.model AS name, coalesce(sum(l.cost_nano), 0)::text AS spend, count(*)::text AS requests
             FROM aigw_spend_ledger l WHERE {scope} GROUP BY l.model`,
};

async function top(db: Queryable, r: OverviewRange, what: keyof typeof TOP_SQL): Promise<TopEntry[]> {
  const { where, params } = scope('l', r);
  const limit = `$${params.push(r.top)}`;
  const { rows } = await db.query(
    `${TOP_SQL[what].replace('{scope}', where)} ORDER BY sum(l.cost_nano) DESC NULLS LAST, count(*) DESC, 1 LIMIT ${limit}`,
    params,
  );
  return rows.map((row) => ({ id: row.id, name: row.name, spendNano: n(row.spend), requests: n(row.requests) }));
}

/** Every bucket of the range, empty ones as zeros (UTC hours or days). */
async function series(db: Queryable, r: OverviewRange): Promise<SeriesPoint[]> {
  const bucketOf = (a: string): string => `(extract(epoch FROM date_trunc('${r.bucket}', ${a}.created_at AT TIME ZONE 'UTC')) * 1000)::bigint::text`;
  const inRequests = scope('r', r);
  const inLedger = scope('l', r);
  const [requests, spend] = await Promise.all([
    db.query(
      `SELECT ${bucketOf('r')} AS b, count(*)::text AS requests, count(*) FILTER (WHERE error_type IS NOT NULL)::text AS errors
         FROM aigw_request_log r WHERE ${inRequests.where} GROUP BY b`,
      inRequests.params,
    ),
    db.query(
      `SELECT ${bucketOf('l')} AS b, coalesce(sum(cost_nano), 0)::text AS spend FROM aigw_spend_ledger l WHERE ${inLedger.where} GROUP BY b`,
      inLedger.params,
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

/**
 * One snapshot for every figure: the queries run in one read-only REPEATABLE READ transaction, so
 * a ledger row written meanwhile is in all of them or in none (a key in the top list with no spend
 * in the totals was seen when they ran on separate connections).
 */
export async function overview(pool: Pool, r: OverviewRange): Promise<Overview> {
  return inTransaction(pool, async (db) => {
    await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Queued on the one connection, in order.
    const [ledger, req, teams, keys, models, points] = await Promise.all([
      ledgerTotals(db, r),
      requestTotals(db, r),
      top(db, r, 'teams'),
      top(db, r, 'keys'),
      top(db, r, 'models'),
      series(db, r),
    ]);
    return { ...ledger, ...req, top: { teams, keys, models }, series: points };
  });
}
