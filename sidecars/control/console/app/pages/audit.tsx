/** The audit log: every admin change and console sign-in (who, what, when, from where, how it ended), filtered and paged. */
import { useState } from 'preact/hooks';
import { TextField } from '../components/fields';
import { KeysetTable } from '../components/keyset-table';
import { PageHead } from '../components/page-head';
import { when } from '../format';
import { useKeysetList } from '../hooks';
import type { AuditEntry } from '../types';

const EMPTY = { actor: '', action: '', target: '', since: '', until: '' };
type Filters = typeof EMPTY;

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const list = useKeysetList<AuditEntry>('/admin/audit', applied);
  const set = (name: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));
  return (
    <section>
      <PageHead title="Audit log" onRefresh={list.first.reload} />
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
      <KeysetTable
        list={list}
        what="the audit log"
        emptyTitle="No audit entries match"
        emptyText="Every change made through the API, the CLI or this console is recorded here."
        testId="audit-table"
        rowKey={(e) => e.id}
        columns={[
          { header: 'Time', cell: (e) => when(e.at) },
          { header: 'Actor', cell: (e) => e.actor.alias ?? e.actor.key_id ?? '—' },
          { header: 'Via', cell: (e) => e.via },
          { header: 'Action', cell: (e) => <code>{e.action}</code> },
          { header: 'Target', cell: (e) => (e.target.id ? `${e.target.type ?? ''} ${e.target.id}` : '—') },
          { header: 'Outcome', cell: (e) => <span class={`badge ${e.outcome === 'ok' ? 'badge-active' : 'badge-revoked'}`}>{e.outcome}</span> },
          { header: 'Client', cell: (e) => e.client_ip ?? '—' },
        ]}
      />
    </section>
  );
}
