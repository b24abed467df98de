/** The semantic cache: entries, hits and dollars saved per team, model and recent scope; purge with confirmation. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { DataTable } from '../components/data-table';
import { Confirm } from '../components/dialog';
import { Select, TextField } from '../components/fields';
import { PageHead } from '../components/page-head';
import { ActionError, Empty, Loaded } from '../components/states';
import { num, usd } from '../format';
import { useAction, useResource } from '../hooks';
import { href } from '../router';
import type { CacheCount, CacheStats } from '../types';

function CountTable({ caption, name, rows }: { caption: string; name: string; rows: Array<CacheCount & { label: ComponentChildren; id: string }> }) {
  if (rows.length === 0) return <Empty title={`No cache entries by ${name} yet`} />;
  return (
    <DataTable
      caption={caption}
      rows={rows}
      rowKey={(r) => r.id}
      columns={[
        { header: name, cell: (r) => r.label },
        { header: 'Entries', numeric: true, cell: (r) => num(r.entries) },
        { header: 'Hits', numeric: true, cell: (r) => num(r.hits) },
        { header: 'Saved', numeric: true, cell: (r) => usd(r.saved_usd) },
      ]}
    />
  );
}

export function CachePage() {
  const stats = useResource((signal) => api<CacheStats>('GET', '/admin/cache/stats', undefined, signal), []);
  const [scope, setScope] = useState<'team' | 'model' | 'all'>('model');
  const [target, setTarget] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [purged, setPurged] = useState<number | null>(null);
  const purge = useAction(() => api<{ purged: number }>('POST', '/admin/cache/purge', scope === 'all' ? { all: true } : { [scope]: target.trim() }));
  return (
    <section>
      <PageHead title="Semantic cache" onRefresh={stats.reload} />
      <Loaded resource={stats} what="cache statistics">
        {(s) => (
          <>
            <div class="cards">
              <div class="card">
                <h2>Entries</h2>
                <p class="big">{num(s.entries)}</p>
              </div>
              <div class="card">
                <h2>Hits</h2>
                <p class="big">{num(s.models.reduce((t, m) => t + m.hits, 0))}</p>
              </div>
              <div class="card">
                <h2>Saved</h2>
                <p class="big">{usd(s.models.reduce((t, m) => t + m.saved_usd, 0))}</p>
              </div>
            </div>
            <CountTable
              caption="By team"
              name="Team"
              rows={s.teams.map((t) => ({ ...t, id: t.team_id, label: <a href={href('teams', t.team_id)}>{t.team_id}</a> }))}
            />
            <CountTable caption="By model" name="Model" rows={s.models.map((m) => ({ ...m, id: m.model, label: m.model }))} />
            <CountTable caption="Recent scopes" name="Scope" rows={s.recent_scopes.map((r) => ({ ...r, id: r.scope_id, label: <code>{r.scope_id}</code> }))} />
          </>
        )}
      </Loaded>
      <h2>Purge</h2>
      <form
        class="toolbar"
        aria-label="Purge the cache"
        onSubmit={(e) => {
          e.preventDefault();
          setPurged(null);
          setConfirming(true);
        }}
      >
        <Select
          label="What to purge"
          name="scope"
          value={scope}
          onChange={(v) => setScope(v as typeof scope)}
          options={[
            { value: 'model', label: 'One model' },
            { value: 'team', label: 'One team' },
            { value: 'all', label: 'Everything' },
          ]}
        />
        {scope !== 'all' && <TextField label={scope === 'team' ? 'Team (name or id)' : 'Model'} name="target" value={target} onInput={setTarget} required />}
        <div class="toolbar-actions">
          <button type="submit" class="button button-danger">
            Purge…
          </button>
        </div>
      </form>
      {purged !== null && (
        <p class="notice" role="status">
          Purged {num(purged)} entries.
        </p>
      )}
      {confirming && (
        <Confirm
          title="Purge the cache?"
          message={
            <p>{scope === 'all' ? 'Every cached answer is deleted on every node.' : `Every cached answer for ${scope} ${target} is deleted on every node.`}</p>
          }
          confirmLabel="Purge"
          busy={purge.busy}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const r = await purge.start();
            if (r) {
              setPurged(r.purged);
              setConfirming(false);
              stats.reload();
            }
          }}
        >
          <ActionError error={purge.error} />
        </Confirm>
      )}
    </section>
  );
}
