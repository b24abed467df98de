/**
 * Each upstream target's recent record from the request log's attempts: attempts, failures and
 * latency per provider and provider model, over a short window (the breaker's state itself is in
 * Redis: lib/routing).
 */
import type { Queryable } from './sql';

export interface TargetRecord {
  provider: string;
  model: string;
  attempts: number;
  failures: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export async function targetRecords(db: Queryable, since: Date): Promise<TargetRecord[]> {
  const { rows } = await db.query(
    `SELECT a->>'provider' AS provider, a->>'model' AS model, count(*)::text AS attempts,
            count(*) FILTER (WHERE a->>'result' IS DISTINCT FROM 'ok')::text AS failures,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY (a->>'ms')::numeric) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY (a->>'ms')::numeric) AS p95
       FROM aigw_request_log r, jsonb_array_elements(r.attempts) AS a
      WHERE r.created_at >= $1 AND jsonb_typeof(r.attempts) = 'array'
      GROUP BY 1, 2`,
    [since],
  );
  const ms = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));
  return rows.map((r) => ({
    provider: r.provider,
    model: r.model,
    attempts: Number(r.attempts),
    failures: Number(r.failures),
    p50Ms: ms(r.p50),
    p95Ms: ms(r.p95),
  }));
}
