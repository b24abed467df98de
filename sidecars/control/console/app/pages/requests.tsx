/**
 * The request log: newest first, filtered by team, key, model, template, status, error type and
 * time; "Load more" follows the keyset cursor; "Follow" reloads the newest page every few seconds.
 */
import { useEffect, useState } from 'preact/hooks';
import { query } from '../api';
import { Checkbox, Select, TextField } from '../components/fields';
import { KeysetTable } from '../components/keyset-table';
import { PageHead } from '../components/page-head';
import { ms, num, usd, when } from '../format';
import { useKeysetList } from '../hooks';
import { href } from '../router';
import type { RequestEntry } from '../types';

const FILTERS = ['team', 'key_id', 'model', 'template', 'status', 'error_type', 'since', 'until'] as const;
/** How often "Follow" reloads the newest page (as `aigw logs --follow` prints new requests). */
const FOLLOW_MS = 5000;
type Filters = Record<(typeof FILTERS)[number], string>;

const fromQuery = (q: URLSearchParams): Filters => Object.fromEntries(FILTERS.map((f) => [f, q.get(f) ?? ''])) as Filters;

function StatusCell({ r }: { r: RequestEntry }) {
  return <span class={`badge ${r.status >= 400 ? 'badge-revoked' : 'badge-active'}`}>{r.status}</span>;
}

export function RequestsPage({ query: params }: { query: URLSearchParams }) {
  const applied = fromQuery(params);
  const [draft, setDraft] = useState<Filters>(applied);
  const list = useKeysetList<RequestEntry>('/admin/requests', applied);
  const [follow, setFollow] = useState(false);
  const reload = list.first.reload;
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(reload, FOLLOW_MS);
    return () => clearInterval(timer);
  }, [follow, reload]);
  const set = (name: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));
  const apply = (event: Event) => {
    event.preventDefault();
    window.location.hash = `/requests${query(draft)}`;
  };
  return (
    <section>
      <PageHead title="Requests" onRefresh={list.first.reload}>
        <Checkbox label="Follow (every 5 s)" name="follow" checked={follow} onChange={setFollow} />
      </PageHead>
      <form class="toolbar toolbar-wrap" onSubmit={apply} aria-label="Filter requests">
        <TextField label="Team" name="team" value={draft.team} onInput={set('team')} placeholder="name or id" />
        <TextField label="Key" name="key_id" value={draft.key_id} onInput={set('key_id')} placeholder="alias or id" />
        <TextField label="Model" name="model" value={draft.model} onInput={set('model')} />
        <TextField label="Template" name="template" value={draft.template} onInput={set('template')} placeholder="prompt template" />
        <TextField label="Status" name="status" value={draft.status} onInput={set('status')} placeholder="429 or 5xx" />
        <Select
          label="Error type"
          name="error_type"
          value={draft.error_type}
          onChange={set('error_type')}
          options={[
            { value: '', label: 'Any' },
            { value: 'none', label: 'No error' },
            { value: 'caller', label: 'Caller' },
            { value: 'policy', label: 'Policy' },
            { value: 'provider', label: 'Provider' },
            { value: 'gateway', label: 'Gateway' },
          ]}
        />
        <TextField label="Since" name="since" type="datetime-local" value={draft.since} onInput={set('since')} />
        <TextField label="Until" name="until" type="datetime-local" value={draft.until} onInput={set('until')} />
        <div class="toolbar-actions">
          <button type="submit" class="button button-primary">
            Apply filters
          </button>
          <a class="button" href={href('requests')}>
            Clear
          </a>
        </div>
      </form>
      <KeysetTable
        list={list}
        what="requests"
        emptyTitle="No requests match"
        emptyText="Requests appear here a few seconds after the gateway answers them. Widen the filters or time range."
        testId="requests-table"
        rowKey={(r) => r.request_id}
        columns={[
          { header: 'Time', cell: (r) => when(r.created_at) },
          {
            header: 'Status',
            cell: (r) => (
              <>
                <StatusCell r={r} />
                {r.error_type && <span class="muted"> {r.error_type}</span>}
              </>
            ),
          },
          { header: 'Model', cell: (r) => r.model ?? '—' },
          { header: 'Key', cell: (r) => r.key_alias ?? r.key_id ?? '—' },
          { header: 'Team', cell: (r) => r.team_name ?? '—' },
          { header: 'Tokens', numeric: true, cell: (r) => (r.usage ? num(r.usage.prompt_tokens + r.usage.completion_tokens) : '—') },
          { header: 'Cost', numeric: true, cell: (r) => usd(r.cost_usd) },
          { header: 'Latency', numeric: true, cell: (r) => ms(r.latency_ms.total) },
          {
            header: 'Details',
            cell: (r) => (
              <a href={href('requests', r.request_id)} aria-label={`Details of request ${r.request_id}`}>
                Details
              </a>
            ),
          },
        ]}
      />
    </section>
  );
}
