/** The audit log: every admin change and console sign-in (who, what, when, from where, how it ended), filtered and paged. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { TextField } from '../components/fields';
import { ActionError, Empty, Loaded } from '../components/states';
import { isoFromLocal, when } from '../format';
import { useAction, useResource } from '../hooks';
import type { AuditEntry, List } from '../types';

const EMPTY = { actor: '', action: '', target: '', since: '', until: '' };
type Filters = typeof EMPTY;

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [more, setMore] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const path = (before?: string) =>
    `/admin/audit${query({ ...applied, since: isoFromLocal(applied.since), until: isoFromLocal(applied.until), limit: 50, before })}`;
  const page = useResource(
    async (signal) => {
      const list = await api<List<AuditEntry>>('GET', path(), undefined, signal);
      setMore([]);
      setCursor(list.next_before ?? null);
      return list;
    },
    [JSON.stringify(applied)],
  );
  const loadMore = useAction(async () => {
    if (!cursor) return;
    const list = await api<List<AuditEntry>>('GET', path(cursor));
    setMore((m) => [...m, ...list.data]);
    setCursor(list.next_before ?? null);
  });
  const set = (name: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));
  return (
    <section>
      <div class="page-head">
        <h1>Audit log</h1>
        <button type="button" class="button" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <form
        class="toolbar toolbar-wrap"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <TextField label="Actor" name="actor" value={draft.actor} onInput={set('actor')} placeholder="key alias or id" />
        <TextField label="Action" name="action" value={draft.action} onInput={set('action')} placeholder="key.rotate or key.*" />
        <TextField label="Target" name="target" value={draft.target} onInput={set('target')} placeholder="id or name" />
        <TextField label="Since" name="since" type="datetime-local" value={draft.since} onInput={set('since')} />
        <TextField label="Until" name="until" type="datetime-local" value={draft.until} onInput={set('until')} />
        <div class="toolbar-actions">
          <button type="submit" class="button button-primary">
            Apply filters
          </button>
        </div>
      </form>
      <Loaded resource={page} what="the audit log">
        {(list) => {
          const rows = [...list.data, ...more];
          if (rows.length === 0)
            return <Empty title="No audit entries match">Every change made through the API, the CLI or this console is recorded here.</Empty>;
          return (
            <>
              <table class="table" data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Via</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Client</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((e) => (
                    <tr key={e.id}>
                      <td>{when(e.at)}</td>
                      <td>{e.actor.alias ?? e.actor.key_id ?? '—'}</td>
                      <td>{e.via}</td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td>{e.target.id ? `${e.target.type ?? ''} ${e.target.id}` : '—'}</td>
                      <td>
                        <span class={`badge ${e.outcome === 'ok' ? 'badge-active' : 'badge-revoked'}`}>{e.outcome}</span>
                      </td>
                      <td>{e.client_ip ?? '—'}</td>
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
