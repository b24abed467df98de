/** The request log: newest first, filtered by team, key, model, status, error type and time; "Load more" follows the keyset cursor. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { Select, TextField } from '../components/fields';
import { ActionError, Empty, Loaded } from '../components/states';
import { isoFromLocal, ms, num, usd, when } from '../format';
import { useAction, useResource } from '../hooks';
import { href } from '../router';
import type { List, RequestEntry } from '../types';

const FILTERS = ['team', 'key_id', 'model', 'status', 'error_type', 'since', 'until'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const fromQuery = (q: URLSearchParams): Filters => Object.fromEntries(FILTERS.map((f) => [f, q.get(f) ?? ''])) as Filters;

function StatusCell({ r }: { r: RequestEntry }) {
  return <span class={`badge ${r.status >= 400 ? 'badge-revoked' : 'badge-active'}`}>{r.status}</span>;
}

export function RequestsPage({ query: params }: { query: URLSearchParams }) {
  const applied = fromQuery(params);
  const [draft, setDraft] = useState<Filters>(applied);
  const [more, setMore] = useState<RequestEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const apiQuery = (before?: string) =>
    `/admin/requests${query({ ...applied, since: isoFromLocal(applied.since), until: isoFromLocal(applied.until), limit: 50, before })}`;
  const page = useResource(
    async (signal) => {
      const list = await api<List<RequestEntry>>('GET', apiQuery(), undefined, signal);
      setMore([]);
      setCursor(list.next_before ?? null);
      return list;
    },
    [params.toString()],
  );
  const loadMore = useAction(async () => {
    if (!cursor) return;
    const list = await api<List<RequestEntry>>('GET', apiQuery(cursor));
    setMore((m) => [...m, ...list.data]);
    setCursor(list.next_before ?? null);
  });
  const set = (name: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));
  const apply = (event: Event) => {
    event.preventDefault();
    window.location.hash = `/requests${query(draft)}`;
  };
  return (
    <section>
      <div class="page-head">
        <h1>Requests</h1>
        <button type="button" class="button" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <form class="toolbar toolbar-wrap" onSubmit={apply} aria-label="Filter requests">
        <TextField label="Team" name="team" value={draft.team} onInput={set('team')} placeholder="name or id" />
        <TextField label="Key" name="key_id" value={draft.key_id} onInput={set('key_id')} placeholder="alias or id" />
        <TextField label="Model" name="model" value={draft.model} onInput={set('model')} />
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
      <Loaded resource={page} what="requests">
        {(list) => {
          const rows = [...list.data, ...more];
          if (rows.length === 0)
            return <Empty title="No requests match">Requests appear here a few seconds after the gateway answers them. Widen the filters or time range.</Empty>;
          return (
            <>
              <table class="table" data-testid="requests-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Status</th>
                    <th scope="col">Model</th>
                    <th scope="col">Key</th>
                    <th scope="col">Team</th>
                    <th scope="col" class="num">
                      Tokens
                    </th>
                    <th scope="col" class="num">
                      Cost
                    </th>
                    <th scope="col" class="num">
                      Latency
                    </th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.request_id}>
                      <td>{when(r.created_at)}</td>
                      <td>
                        <StatusCell r={r} />
                        {r.error_type && <span class="muted"> {r.error_type}</span>}
                      </td>
                      <td>{r.model ?? '—'}</td>
                      <td>{r.key_alias ?? r.key_id ?? '—'}</td>
                      <td>{r.team_name ?? '—'}</td>
                      <td class="num">{r.usage ? num(r.usage.prompt_tokens + r.usage.completion_tokens) : '—'}</td>
                      <td class="num">{usd(r.cost_usd)}</td>
                      <td class="num">{ms(r.latency_ms.total)}</td>
                      <td>
                        <a href={href('requests', r.request_id)} aria-label={`Details of request ${r.request_id}`}>
                          Details
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {cursor && (
                <p>
                  <button type="button" class="button" onClick={() => loadMore.start()} disabled={loadMore.busy}>
                    {loadMore.busy ? 'Loading…' : 'Load more'}
                  </button>
                </p>
              )}
              <ActionError error={loadMore.error} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
