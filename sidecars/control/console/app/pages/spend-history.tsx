/** A key's or team's spend over the last 30 days, by model (and by key for a team), from GET /admin/spend. */
import { api, query } from '../api';
import { ShareBars } from '../components/charts';
import { Empty, Loaded } from '../components/states';
import { num, usd } from '../format';
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
            title={`Spend by ${groupBy} in the last 30 days (${usd(r.totals.cost_usd)}, ${num(r.totals.requests)} requests)`}
            rows={r.data.map((row) => ({ label: (groupBy === 'model' ? row.model : (row.key_alias ?? row.key_id)) ?? 'unknown', value: row.cost_usd }))}
            format={usd}
          />
        )
      }
    </Loaded>
  );
}
