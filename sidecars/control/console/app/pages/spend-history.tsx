/** A key's or team's spend over the last 30 days, by model (and by key for a team), from GET /admin/spend. */
import { api, query } from '../api';
import { BarChart, ShareBars } from '../components/charts';
import { Empty, Loaded } from '../components/states';
import { count, usd } from '../format';
import { useResource } from '../hooks';
import type { SpendReport } from '../types';

const DAY = 86_400_000;

export function SpendHistory({ filter, groupBy }: { filter: { key_id?: string; team_id?: string }; groupBy: 'model' | 'key' }) {
  const report = useResource(
    (signal) =>
      api<SpendReport>('GET', `/admin/spend${query({ group_by: groupBy, from: new Date(Date.now() - 30 * DAY).toISOString(), ...filter })}`, undefined, signal),
    [groupBy, filter.key_id, filter.team_id],
  );
  return (
    <Loaded resource={report} what="spend">
      {(r) =>
        r.data.length === 0 ? (
          <Empty title="No spend in the last 30 days" />
        ) : (
          <ShareBars
            title={`Spend by ${groupBy} in the last 30 days (${usd(r.totals.cost_usd)}, ${count(r.totals.requests, 'request')})`}
            rows={r.data.map((row) => ({ label: (groupBy === 'model' ? row.model : (row.key_alias ?? row.key_id)) ?? 'unknown', value: row.cost_usd }))}
            format={usd}
          />
        )
      }
    </Loaded>
  );
}

/** The last 30 UTC days, every day present (a day without spend is a zero, not a gap). */
export function lastDays(count: number, now = Date.now()): string[] {
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY).toISOString().slice(0, 10));
}

/** Spend per UTC day over the last 30 days, as a bar chart (with its table). */
export function DailySpend({ filter }: { filter: { key_id?: string; team_id?: string } }) {
  const days = lastDays(30);
  const report = useResource(
    (signal) => api<SpendReport>('GET', `/admin/spend${query({ group_by: 'day', from: `${days[0]}T00:00:00.000Z`, ...filter })}`, undefined, signal),
    [filter.key_id, filter.team_id],
  );
  return (
    <Loaded resource={report} what="daily spend">
      {(r) => {
        const byDay = new Map(r.data.map((row) => [row.day, row.cost_usd]));
        return (
          <BarChart
            title={`Spend per day, last 30 days (${usd(r.totals.cost_usd)})`}
            valueLabel="Spend"
            format={usd}
            points={days.map((day) => ({ label: day.slice(5), value: byDay.get(day) ?? 0 }))}
          />
        );
      }}
    </Loaded>
  );
}
