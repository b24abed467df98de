/**
 * Each budgeted team's spend: in its current budget window (for utilisation), today and this month
 * (UTC), from the spend ledger in one query. Bounded: only teams with a budget, at most `limit`.
 */
import { budgetWindow } from '../limits/windows';
import type { Queryable } from './sql';

export interface TeamBudgetSpend {
  name: string;
  maxBudgetNano: number;
  windowNano: number;
  dayNano: number;
  monthNano: number;
}

interface BudgetRow {
  id: string;
  name: string;
  max_budget_nano: string;
  budget_duration: string | null;
  budget_anchor: Date;
}

export async function teamBudgetSpend(db: Queryable, now: number, limit = 1000): Promise<TeamBudgetSpend[]> {
  const { rows } = await db.query<BudgetRow>(
    'SELECT id, name, max_budget_nano::text, budget_duration, budget_anchor FROM aigw_teams WHERE max_budget_nano IS NOT NULL ORDER BY name LIMIT $1',
    [limit],
  );
  if (rows.length === 0) return [];
  const today = new Date(now);
  const dayStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const monthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);
  const windowStarts = rows.map((row) => budgetWindow(row.budget_anchor, row.budget_duration, now).start);
  // Only rows since the earliest start are read: the ledger's (team_id, created_at) index serves it.
  const earliest = Math.min(monthStart, ...windowStarts);
  const spent = await db.query<{ id: string; in_window: string; day: string; month: string }>(
    `SELECT w.id::text AS id,
            COALESCE(sum(l.cost_nano) FILTER (WHERE l.created_at >= w.since), 0)::text AS in_window,
            COALESCE(sum(l.cost_nano) FILTER (WHERE l.created_at >= $3), 0)::text AS day,
            COALESCE(sum(l.cost_nano) FILTER (WHERE l.created_at >= $4), 0)::text AS month
       FROM unnest($1::uuid[], $2::timestamptz[]) AS w(id, since)
       LEFT JOIN aigw_spend_ledger l ON l.team_id = w.id AND l.created_at >= $5
      GROUP BY w.id`,
    [rows.map((r) => r.id), windowStarts.map((ms) => new Date(ms)), new Date(dayStart), new Date(monthStart), new Date(earliest)],
  );
  const byId = new Map(spent.rows.map((r) => [r.id, r]));
  return rows.map((row) => {
    const s = byId.get(row.id);
    return {
      name: row.name,
      maxBudgetNano: Number(row.max_budget_nano),
      windowNano: Number(s?.in_window ?? 0),
      dayNano: Number(s?.day ?? 0),
      monthNano: Number(s?.month ?? 0),
    };
  });
}
