/** Virtual keys: list with search and filters, budget utilisation, and creating a key (its secret shown once). */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { WindowBudget } from '../components/budget';
import { DataTable } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { Select, TextField } from '../components/fields';
import { SecretReveal } from '../components/secret';
import { Empty, Loaded } from '../components/states';
import { when } from '../format';
import { useResource } from '../hooks';
import { href } from '../router';
import type { Key, KeyWithSecret, List, Team } from '../types';
import { KeyForm } from './key-form';
import { Pager } from './teams';

const PAGE = 100;

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

export function KeysTable({ keys }: { keys: Key[] }) {
  return (
    <DataTable
      rows={keys}
      rowKey={(k) => k.id}
      columns={[
        {
          header: 'Alias',
          cell: (k) => (
            <>
              <a href={href('keys', k.id)}>{k.key_alias ?? '(no alias)'}</a>
              {k.role === 'admin' && <span class="badge">admin</span>}
            </>
          ),
        },
        { header: 'Prefix', cell: (k) => <code>{k.key_prefix}…</code> },
        { header: 'Team', cell: (k) => (k.team_id ? <a href={href('teams', k.team_id)}>{k.team_name ?? k.team_id}</a> : <span class="muted">none</span>) },
        { header: 'Status', cell: (k) => <StatusBadge status={k.status} /> },
        {
          header: 'Budget used',
          cell: (k) => (
            <WindowBudget
              path={`/admin/keys/${encodeURIComponent(k.id)}`}
              budget={k.max_budget}
              duration={k.budget_duration}
              label={`Budget used by ${k.key_alias ?? k.key_prefix}`}
            />
          ),
        },
        { header: 'Last used', cell: (k) => when(k.last_used_at) },
      ]}
    />
  );
}

export function KeysPage({ query: params }: { query: URLSearchParams }) {
  const [team, setTeam] = useState(params.get('team') ?? '');
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(params.get('new') === '1');
  const [created, setCreated] = useState<KeyWithSecret | null>(null);
  const teams = useResource((signal) => api<List<Team>>('GET', '/admin/teams?limit=1000', undefined, signal), []);
  const keys = useResource((signal) => api<List<Key>>('GET', `/admin/keys${query({ team, limit: PAGE, offset })}`, undefined, signal), [team, offset]);
  const needle = search.trim().toLowerCase();
  const matches = (k: Key) =>
    (!status || k.status === status) && (!needle || [k.key_alias, k.key_prefix, k.user_id, k.team_name, k.id].some((v) => v?.toLowerCase().includes(needle)));
  return (
    <section>
      <div class="page-head">
        <h1>Keys</h1>
        <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
          Create key
        </button>
      </div>
      <div class="toolbar">
        <TextField label="Search keys" name="search" type="search" value={search} onInput={setSearch} placeholder="Alias, prefix, user or team" />
        <Select
          label="Team"
          name="team"
          value={team}
          onChange={(v) => {
            setTeam(v);
            setOffset(0);
          }}
          options={[{ value: '', label: 'All teams' }, ...(teams.data?.data ?? []).map((t) => ({ value: t.id, label: t.name }))]}
        />
        <Select
          label="Status"
          name="status"
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: 'Any status' },
            { value: 'active', label: 'Active' },
            { value: 'revoked', label: 'Revoked' },
            { value: 'expired', label: 'Expired' },
          ]}
        />
      </div>
      <Loaded resource={keys} what="keys">
        {(list) => {
          if (list.data.length === 0)
            return (
              <Empty title={team ? 'This team has no keys' : 'No keys yet'}>
                A virtual key lets an application call models through the gateway. Create one.
              </Empty>
            );
          const shown = list.data.filter(matches);
          return (
            <>
              {shown.length ? <KeysTable keys={shown} /> : <Empty title="No key matches these filters" />}
              <Pager offset={offset} shown={list.data.length} total={list.total ?? 0} page={PAGE} onOffset={setOffset} />
            </>
          );
        }}
      </Loaded>
      {creating && !created && (
        <Dialog title="Create key" onClose={() => setCreating(false)} wide>
          <KeyForm
            keyRecord={null}
            team={params.get('team') ?? undefined}
            onCancel={() => setCreating(false)}
            onSaved={(k) => {
              setCreated(k as KeyWithSecret);
              keys.reload();
            }}
          />
        </Dialog>
      )}
      {created && (
        <Dialog
          title={`Key ${created.key_alias ?? created.key_prefix} created`}
          onClose={() => {
            setCreated(null);
            setCreating(false);
          }}
        >
          <SecretReveal secret={created.key} />
          <div class="dialog-actions">
            <a class="button" href={href('keys', created.id)} onClick={() => setCreated(null)}>
              Open the key
            </a>
            <button
              type="button"
              class="button button-primary"
              onClick={() => {
                setCreated(null);
                setCreating(false);
              }}
            >
              Done
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
