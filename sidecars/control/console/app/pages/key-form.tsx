/** Create or edit a key: alias, owner, team and role (create only), allowed models and aliases, budget, limits, expiry, metadata. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { FormGrid, Select, TextArea, TextField } from '../components/fields';
import { FormFooter } from '../components/form-footer';
import { aliasesOf, aliasesText, listOf, numberOrNull, parseJson, text, textOrNull } from '../form-values';
import { useAction, useResource } from '../hooks';
import type { Key, KeyWithSecret, List, Team } from '../types';

export function KeyForm({
  keyRecord,
  team: presetTeam,
  onSaved,
  onCancel,
}: {
  keyRecord: Key | null;
  team?: string;
  onSaved: (key: Key | KeyWithSecret) => void;
  onCancel: () => void;
}) {
  const creating = keyRecord === null;
  const teams = useResource((signal) => (creating ? api<List<Team>>('GET', '/admin/teams?limit=1000', undefined, signal) : Promise.resolve(null)), [creating]);
  const [alias, setAlias] = useState(keyRecord?.key_alias ?? '');
  const [team, setTeam] = useState(presetTeam ?? '');
  const [role, setRole] = useState('user');
  const [user, setUser] = useState(keyRecord?.user_id ?? '');
  const [models, setModels] = useState(keyRecord?.models.join(', ') ?? '');
  const [aliases, setAliases] = useState(keyRecord ? aliasesText(keyRecord.model_aliases) : '');
  const [budget, setBudget] = useState(text(keyRecord?.max_budget));
  const [duration, setDuration] = useState(keyRecord?.budget_duration ?? '');
  const [rpm, setRpm] = useState(text(keyRecord?.rpm_limit));
  const [tpm, setTpm] = useState(text(keyRecord?.tpm_limit));
  const [parallel, setParallel] = useState(text(keyRecord?.max_parallel_requests));
  const [expires, setExpires] = useState(keyRecord?.expires_at ?? '');
  const [metadata, setMetadata] = useState(keyRecord && Object.keys(keyRecord.metadata).length ? JSON.stringify(keyRecord.metadata, null, 2) : '');
  const [formError, setFormError] = useState<string | null>(null);
  const save = useAction((body: Record<string, unknown>) =>
    keyRecord ? api<Key>('PATCH', `/admin/keys/${encodeURIComponent(keyRecord.id)}`, body) : api<KeyWithSecret>('POST', '/admin/keys', body),
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    const meta = parseJson(metadata, 'Metadata');
    if (!meta.ok) return setFormError(meta.message);
    setFormError(null);
    const expiry = expires.trim();
    const body: Record<string, unknown> = {
      key_alias: textOrNull(alias),
      user_id: textOrNull(user),
      models: listOf(models),
      model_aliases: aliasesOf(aliases),
      max_budget: numberOrNull(budget),
      budget_duration: textOrNull(duration),
      rpm_limit: numberOrNull(rpm),
      tpm_limit: numberOrNull(tpm),
      max_parallel_requests: numberOrNull(parallel),
      metadata: meta.value ?? {},
    };
    // "30d" is a duration from now; anything else an instant; empty never expires.
    if (/^\d+[smhdw]$/.test(expiry)) body.duration = expiry;
    else body.expires_at = expiry === '' || expiry === 'never' ? null : expiry;
    if (creating) {
      body.team = textOrNull(team);
      body.role = role;
      for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
    }
    const saved = await save.start(body);
    if (saved) onSaved(saved);
  };
  const teamOptions = [{ value: '', label: 'No team' }, ...(teams.data?.data ?? []).map((t) => ({ value: t.id, label: t.name }))];
  if (presetTeam && !teamOptions.some((o) => o.value === presetTeam)) teamOptions.push({ value: presetTeam, label: presetTeam });
  return (
    <form onSubmit={submit} class="form">
      <FormGrid>
        <TextField label="Alias" name="key_alias" value={alias} onInput={setAlias} hint="A name to find the key by (unique)" />
        {creating && <Select label="Team" name="team" value={team} onChange={setTeam} options={teamOptions} />}
        {creating && (
          <Select
            label="Role"
            name="role"
            value={role}
            onChange={setRole}
            options={[
              { value: 'user', label: 'User (calls models)' },
              { value: 'admin', label: 'Admin (manages the gateway)' },
            ]}
          />
        )}
        <TextField label="User id" name="user_id" value={user} onInput={setUser} hint="Optional: who the key belongs to" />
        <TextField label="Allowed models" name="models" value={models} onInput={setModels} hint="Comma-separated. Empty: the team's models, or every model" />
        <TextField label="Model aliases" name="model_aliases" value={aliases} onInput={setAliases} hint="fast=gpt-4o-mini, smart=gpt-4o" />
        <TextField label="Budget (USD)" name="max_budget" value={budget} onInput={setBudget} inputMode="decimal" hint="Empty: no budget" />
        <TextField label="Budget period" name="budget_duration" value={duration} onInput={setDuration} hint="30d, 1w, 24h… Empty: never resets" />
        <TextField label="Requests per minute" name="rpm_limit" value={rpm} onInput={setRpm} inputMode="numeric" hint="Empty: no limit" />
        <TextField label="Tokens per minute" name="tpm_limit" value={tpm} onInput={setTpm} inputMode="numeric" hint="Empty: no limit" />
        <TextField label="Parallel requests" name="max_parallel_requests" value={parallel} onInput={setParallel} inputMode="numeric" hint="Empty: no limit" />
        <TextField label="Expires" name="expires" value={expires} onInput={setExpires} hint="30d from now, an ISO time, or empty for never" />
      </FormGrid>
      <TextArea label="Metadata (JSON)" name="metadata" value={metadata} onInput={setMetadata} rows={3} />
      <FormFooter formError={formError} error={save.error} busy={save.busy} submitLabel={creating ? 'Create key' : 'Save key'} onCancel={onCancel} />
    </form>
  );
}
