/** One key: its limits and budget window, its spend, and edit, rotate (with grace), revoke and delete. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { SpendCards } from '../components/budget';
import { Confirm, Dialog } from '../components/dialog';
import { Facts, TextField } from '../components/fields';
import { SecretReveal } from '../components/secret';
import { ActionError, Loaded } from '../components/states';
import { aliasesText } from '../form-values';
import { limitText, when } from '../format';
import { useAction, useResource } from '../hooks';
import { href, navigate } from '../router';
import type { Key, KeyWithSecret, SpendWindow } from '../types';
import { KeyForm } from './key-form';
import { StatusBadge } from './keys';
import { DailySpend, SpendHistory } from './spend-history';

type KeyInfo = Key & SpendWindow;
type Open = 'none' | 'edit' | 'rotate' | 'revoke' | 'delete';

export function KeyPage({ id }: { id: string }) {
  const path = `/admin/keys/${encodeURIComponent(id)}`;
  const key = useResource((signal) => api<KeyInfo>('GET', path, undefined, signal), [id]);
  const [open, setOpen] = useState<Open>('none');
  const [grace, setGrace] = useState('');
  const [rotated, setRotated] = useState<KeyWithSecret | null>(null);
  const close = () => setOpen('none');
  const rotate = useAction(() => api<KeyWithSecret>('POST', `${path}/rotate`, grace.trim() ? { grace_period: grace.trim() } : {}));
  const revoke = useAction(() => api<Key>('POST', `${path}/revoke`, {}));
  const remove = useAction(() => api<Key>('DELETE', path));
  return (
    <section>
      <p class="breadcrumb">
        <a href={href('keys')}>Keys</a> /
      </p>
      <Loaded resource={key} what="the key">
        {(k) => (
          <>
            <div class="page-head">
              <h1>
                {k.key_alias ?? '(no alias)'} <StatusBadge status={k.status} />
              </h1>
              <div class="actions">
                <button type="button" class="button" onClick={() => setOpen('edit')} disabled={k.revoked}>
                  Edit
                </button>
                <button type="button" class="button" onClick={() => setOpen('rotate')} disabled={k.revoked}>
                  Rotate
                </button>
                <button type="button" class="button button-danger" onClick={() => setOpen('revoke')} disabled={k.revoked}>
                  Revoke
                </button>
                <button type="button" class="button button-danger" onClick={() => setOpen('delete')}>
                  Delete
                </button>
              </div>
            </div>
            <SpendCards info={k} budget={k.max_budget} label={`Budget used by ${k.key_alias ?? k.key_prefix}`} />
            <Facts
              rows={[
                ['Prefix', <code key="p">{k.key_prefix}…</code>],
                ['Id', <code key="i">{k.id}</code>],
                ['Team', k.team_id ? <a href={href('teams', k.team_id)}>{k.team_name ?? k.team_id}</a> : 'none'],
                ['Role', k.role],
                ['User', k.user_id ?? '—'],
                ['Allowed models', k.models.length ? k.models.join(', ') : 'the team’s models, or every model'],
                ['Model aliases', Object.keys(k.model_aliases).length ? aliasesText(k.model_aliases) : '—'],
                ['Budget period', k.budget_duration ?? 'never resets'],
                [
                  'Rate limits',
                  `${limitText(k.rpm_limit, ' requests/min')} · ${limitText(k.tpm_limit, ' tokens/min')} · ${limitText(k.max_parallel_requests, ' in parallel')}`,
                ],
                ['Expires', k.expires_at ? when(k.expires_at) : 'never'],
                ['Previous secret valid until', k.previous_key_expires_at ? when(k.previous_key_expires_at) : '—'],
                ['Created', when(k.created_at)],
                ['Last used', when(k.last_used_at)],
                ['Metadata', Object.keys(k.metadata).length ? <code key="m">{JSON.stringify(k.metadata)}</code> : '—'],
              ]}
            />
            <p>
              <a href={href('requests') + query({ key_id: k.id })}>This key’s requests</a>
            </p>
            <h2>Spend history</h2>
            <div class="cards cards-wide">
              <DailySpend filter={{ key_id: k.id }} />
              <div class="card">
                <SpendHistory filter={{ key_id: k.id }} groupBy="model" />
              </div>
            </div>
            {open === 'edit' && (
              <Dialog title={`Edit key ${k.key_alias ?? k.key_prefix}`} onClose={close} wide>
                <KeyForm
                  keyRecord={k}
                  onCancel={close}
                  onSaved={() => {
                    close();
                    key.reload();
                  }}
                />
              </Dialog>
            )}
            {open === 'rotate' && !rotated && (
              <Confirm
                title="Rotate this key?"
                message={<p>A new secret replaces this one. With a grace period, the old secret keeps working until it ends; without one, it stops now.</p>}
                confirmLabel="Rotate key"
                busy={rotate.busy}
                onClose={close}
                onConfirm={async () => {
                  const r = await rotate.start();
                  if (r) setRotated(r);
                }}
              >
                <TextField label="Grace period" name="grace_period" value={grace} onInput={setGrace} hint="1h, 30m, 1d… Empty: the old secret stops at once" />
                <ActionError error={rotate.error} />
              </Confirm>
            )}
            {rotated && (
              <Dialog
                title="Key rotated"
                onClose={() => {
                  setRotated(null);
                  close();
                  key.reload();
                }}
              >
                <SecretReveal secret={rotated.key} />
                <div class="dialog-actions">
                  <button
                    type="button"
                    class="button button-primary"
                    onClick={() => {
                      setRotated(null);
                      close();
                      key.reload();
                    }}
                  >
                    Done
                  </button>
                </div>
              </Dialog>
            )}
            {open === 'revoke' && (
              <Confirm
                title="Revoke this key?"
                message={<p>Every gateway node refuses it within a second. A revoked key cannot be used or rotated again.</p>}
                confirmLabel="Revoke key"
                busy={revoke.busy}
                onClose={close}
                onConfirm={async () => {
                  if (await revoke.start()) {
                    close();
                    key.reload();
                  }
                }}
              >
                <ActionError error={revoke.error} />
              </Confirm>
            )}
            {open === 'delete' && (
              <Confirm
                title="Delete this key?"
                message={<p>The key is deleted and refused at once; its spend stays in the ledger and request log.</p>}
                confirmLabel="Delete key"
                busy={remove.busy}
                onClose={close}
                onConfirm={async () => {
                  if (await remove.start()) navigate('keys');
                }}
              >
                <ActionError error={remove.error} />
              </Confirm>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}
