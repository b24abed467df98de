/** The spend report (as `aigw spend`): ledger totals per key, team, model or day over any range, for one key or team if asked. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { type Column, DataTable } from '../components/data-table';
import { Select, TextField } from '../components/fields';
import { PageHead } from '../components/page-head';
import { Empty, Loaded } from '../components/states';
import { count, isoFromLocal, num, usd } from '../format';
import { useResource } from '../hooks';
import { href } from '../router';
import type { SpendReport, SpendTotals } from '../types';

type Group = SpendReport['group_by'];
type Row = SpendReport['data'][number];

const EMPTY = { group_by: 'team' as Group, from: '', to: '', team: '', key_id: '' };

function groupCell(group: Group, r: Row) {
  if (group === 'key') return r.key_id ? <a href={href('keys', r.key_id)}>{r.key_alias ?? r.key_id}</a> : '(no key)';
  if (group === 'team') return r.team_id ? <a href={href('teams', r.team_id)}>{r.team_name ?? r.team_id}</a> : '(no team)';
  return (group === 'model' ? r.model : r.day) ?? '—';
}

const TOTALS: Column<SpendTotals>[] = [
  { header: 'Requests', numeric: true, cell: (r) => num(r.requests) },
  { header: 'Tokens', numeric: true, cell: (r) => num(r.total_tokens) },
  { header: 'Cost', numeric: true, cell: (r) => usd(r.cost_usd) },
  { header: 'Cache hits', numeric: true, cell: (r) => num(r.cache_hits) },
  { header: 'Cache saved', numeric: true, cell: (r) => usd(r.cache_saved_usd) },
  { header: 'Compression saved', numeric: true, cell: (r) => usd(r.compression_saved_usd) },
];

export function SpendPage() {
  const [draft, setDraft] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const report = useResource(
    (signal) =>
      api<SpendReport>('GET', `/admin/spend${query({ ...applied, from: isoFromLocal(applied.from), to: isoFromLocal(applied.to) })}`, undefined, signal),
    [JSON.stringify(applied)],
  );
  const set = (name: keyof typeof EMPTY) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));
  return (
    <section>
      <PageHead title="Spend report" onRefresh={report.reload} />
      <form
        class="toolbar toolbar-wrap"
        aria-label="Spend report"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <Select
          label="Group by"
          name="group_by"
          value={draft.group_by}
          onChange={set('group_by')}
          options={[
            { value: 'team', label: 'Team' },
            { value: 'key', label: 'Key' },
            { value: 'model', label: 'Model' },
            { value: 'day', label: 'Day (UTC)' },
          ]}
        />
        <TextField label="From" name="from" type="datetime-local" value={draft.from} onInput={set('from')} hint="Empty: 30 days back" />
        <TextField label="To" name="to" type="datetime-local" value={draft.to} onInput={set('to')} hint="Empty: now" />
        <TextField label="Team" name="team" value={draft.team} onInput={set('team')} placeholder="name or id" />
        <TextField label="Key id" name="key_id" value={draft.key_id} onInput={set('key_id')} />
        <div class="toolbar-actions">
          <button type="submit" class="button button-primary">
            Show
          </button>
        </div>
      </form>
      <Loaded resource={report} what="the spend report">
        {(r) =>
          r.data.length === 0 ? (
            <Empty title="No spend in this range">Billed requests appear here once the gateway has settled them.</Empty>
          ) : (
            <DataTable
              caption={`Total ${usd(r.totals.cost_usd)} over ${count(r.totals.requests, 'request')}`}
              rows={r.data}
              rowKey={(row) => row.key_id ?? row.team_id ?? row.model ?? row.day ?? 'none'}
              columns={[
                { header: r.group_by === 'day' ? 'Day' : r.group_by[0]!.toUpperCase() + r.group_by.slice(1), cell: (row) => groupCell(r.group_by, row) },
                ...TOTALS,
              ]}
            />
          )
        }
      </Loaded>
    </section>
  );
}
