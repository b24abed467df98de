/** Teams: searchable list with budget utilisation, and creating a team. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { WindowBudget } from '../components/budget';
import { DataTable } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { TextField } from '../components/fields';
import { Empty, Loaded } from '../components/states';
import { limitText, usd } from '../format';
import { useResource } from '../hooks';
import { href, navigate } from '../router';
import type { List, SpendReport, Team } from '../types';
import { TeamForm } from './team-form';

const PAGE = 100;

export function TeamsPage() {
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const teams = useResource((signal) => api<List<Team>>('GET', `/admin/teams${query({ limit: PAGE, offset })}`, undefined, signal), [offset]);
  // Spend in the current month per team (one request for the whole list).
  const spend = useResource((signal) => api<SpendReport>('GET', `/admin/spend${query({ group_by: 'team', from: monthStart() })}`, undefined, signal), []);
  const spendOf = (id: string) => spend.data?.data.find((r) => r.team_id === id)?.cost_usd ?? 0;
  return (
    <section>
      <div class="page-head">
        <h1>Teams</h1>
        <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
          Create team
        </button>
      </div>
      <div class="toolbar">
        <TextField label="Search teams" name="search" type="search" value={search} onInput={setSearch} placeholder="Name or id" />
      </div>
      <Loaded resource={teams} what="teams">
        {(list) => {
          const needle = search.trim().toLowerCase();
          const shown = list.data.filter((t) => !needle || t.name.toLowerCase().includes(needle) || t.id.includes(needle));
          if (list.data.length === 0)
            return <Empty title="No teams yet">Teams group keys under one budget, rate limits and model allow-list. Create the first one.</Empty>;
          if (shown.length === 0) return <Empty title="No team matches this search" />;
          return (
            <>
              <DataTable
                rows={shown}
                rowKey={(t) => t.id}
                columns={[
                  { header: 'Name', cell: (t) => <a href={href('teams', t.id)}>{t.name}</a> },
                  { header: 'Spend this month', numeric: true, cell: (t) => usd(spendOf(t.id)) },
                  {
                    header: 'Budget used',
                    cell: (t) => (
                      <WindowBudget
                        path={`/admin/teams/${encodeURIComponent(t.id)}`}
                        budget={t.max_budget}
                        duration={t.budget_duration}
                        label={`Budget used by ${t.name}`}
                      />
                    ),
                  },
                  { header: 'Limits', cell: (t) => `${limitText(t.rpm_limit, ' rpm')} · ${limitText(t.tpm_limit, ' tpm')}` },
                  { header: 'Models', cell: (t) => (t.models.length ? t.models.join(', ') : <span class="muted">all</span>) },
                  { header: 'Cache', cell: (t) => t.cache_mode },
                ]}
              />
              <Pager offset={offset} shown={list.data.length} total={list.total ?? 0} page={PAGE} onOffset={setOffset} />
              <p class="muted">
                Calendar month so far: {usd(spend.data?.totals.cost_usd ?? 0)} across all teams. Budgets are measured in each team's own budget period.
              </p>
            </>
          );
        }}
      </Loaded>
      {creating && (
        <Dialog title="Create team" onClose={() => setCreating(false)} wide>
          <TeamForm team={null} onCancel={() => setCreating(false)} onSaved={(t) => navigate('teams', t.id)} />
        </Dialog>
      )}
    </section>
  );
}

export function monthStart(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
}

export function Pager({ offset, shown, total, page, onOffset }: { offset: number; shown: number; total: number; page: number; onOffset: (o: number) => void }) {
  if (total <= page) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - page))}>
        Previous
      </button>
      <span>
        {offset + 1}–{offset + shown} of {total}
      </span>
      <button type="button" class="button" disabled={offset + shown >= total} onClick={() => onOffset(offset + page)}>
        Next
      </button>
    </nav>
  );
}
