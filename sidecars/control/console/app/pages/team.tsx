/** One team: its limits and budget window, its keys, its spend; edit and delete. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { SpendCards } from '../components/budget';
import { Confirm, Dialog } from '../components/dialog';
import { Checkbox, Facts } from '../components/fields';
import { ActionError, Empty, Loaded } from '../components/states';
import { limitText, when } from '../format';
import { useAction, useResource } from '../hooks';
import { href, navigate } from '../router';
import type { Key, List, SpendWindow, Team } from '../types';
import { KeysTable } from './keys';
import { DailySpend, SpendHistory } from './spend-history';
import { TeamForm } from './team-form';

type TeamInfo = Team & SpendWindow & { key_count: number };

export function TeamPage({ id }: { id: string }) {
  const team = useResource((signal) => api<TeamInfo>('GET', `/admin/teams/${encodeURIComponent(id)}`, undefined, signal), [id]);
  const keys = useResource((signal) => api<List<Key>>('GET', `/admin/keys${query({ team: id, limit: 100 })}`, undefined, signal), [id]);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [force, setForce] = useState(false);
  const remove = useAction(async () => {
    await api('DELETE', `/admin/teams/${encodeURIComponent(id)}${force ? '?force=true' : ''}`);
    return true;
  });
  return (
    <section>
      <p class="breadcrumb">
        <a href={href('teams')}>Teams</a> /
      </p>
      <Loaded resource={team} what="the team">
        {(t) => (
          <>
            <div class="page-head">
              <h1>{t.name}</h1>
              <div class="actions">
                <a class="button" href={href('keys') + `?team=${encodeURIComponent(t.id)}&new=1`}>
                  Create key in team
                </a>
                <button type="button" class="button" onClick={() => setEditing(true)}>
                  Edit team
                </button>
                <button type="button" class="button button-danger" onClick={() => setDeleting(true)}>
                  Delete team
                </button>
              </div>
            </div>
            <SpendCards info={t} budget={t.max_budget} label={`Budget used by ${t.name}`} />
            <Facts
              rows={[
                ['Id', <code key="id">{t.id}</code>],
                ['Kong consumer', t.kong_consumer ?? '—'],
                ['Budget period', t.budget_duration ?? 'never resets'],
                ['Rate limits', `${limitText(t.rpm_limit, ' requests/min')} · ${limitText(t.tpm_limit, ' tokens/min')}`],
                ['Allowed models', t.models.length ? t.models.join(', ') : 'every model'],
                ['Semantic cache', `${t.cache_mode}${t.cache_ttl_seconds ? `, ${t.cache_ttl_seconds} s TTL` : ''}`],
                ['Metadata', Object.keys(t.metadata).length ? <code key="m">{JSON.stringify(t.metadata)}</code> : '—'],
                ['Created', when(t.created_at)],
              ]}
            />
            <h2>Keys ({t.key_count})</h2>
            <Loaded resource={keys} what="the team's keys">
              {(list) => (list.data.length ? <KeysTable keys={list.data} /> : <Empty title="This team has no keys yet" />)}
            </Loaded>
            <h2>Spend history</h2>
            <DailySpend filter={{ team_id: t.id }} />
            <div class="cards cards-wide">
              <div class="card">
                <SpendHistory filter={{ team_id: t.id }} groupBy="model" />
              </div>
              <div class="card">
                <SpendHistory filter={{ team_id: t.id }} groupBy="key" />
              </div>
            </div>
            {editing && (
              <Dialog title={`Edit team ${t.name}`} onClose={() => setEditing(false)} wide>
                <TeamForm
                  team={t}
                  onCancel={() => setEditing(false)}
                  onSaved={() => {
                    setEditing(false);
                    team.reload();
                  }}
                />
              </Dialog>
            )}
            {deleting && (
              <Confirm
                title={`Delete team ${t.name}?`}
                message={<p>The team is deleted; its spend stays in the ledger. A team with unrevoked keys is refused unless you revoke them too.</p>}
                confirmLabel="Delete team"
                busy={remove.busy}
                onClose={() => setDeleting(false)}
                onConfirm={async () => {
                  if (await remove.start()) navigate('teams');
                }}
              >
                <Checkbox label="Also revoke the team's keys (force)" name="force" checked={force} onChange={setForce} />
                <ActionError error={remove.error} />
              </Confirm>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}
