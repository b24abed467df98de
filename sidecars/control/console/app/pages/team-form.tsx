/** Create or edit a team: name, consumer, budget, limits, allowed models, cache policy, metadata. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { FormGrid, Select, TextArea, TextField } from '../components/fields';
import { FormFooter } from '../components/form-footer';
import { listOf, numberOrNull, parseJson, text, textOrNull } from '../form-values';
import { useAction } from '../hooks';
import type { Team } from '../types';

export function TeamForm({ team, onSaved, onCancel }: { team: Team | null; onSaved: (team: Team) => void; onCancel: () => void }) {
  const [name, setName] = useState(team?.name ?? '');
  const [consumer, setConsumer] = useState(team?.kong_consumer ?? '');
  const [budget, setBudget] = useState(text(team?.max_budget));
  const [duration, setDuration] = useState(team?.budget_duration ?? '');
  const [rpm, setRpm] = useState(text(team?.rpm_limit));
  const [tpm, setTpm] = useState(text(team?.tpm_limit));
  const [models, setModels] = useState(team?.models.join(', ') ?? '');
  const [cacheMode, setCacheMode] = useState<string>(team?.cache_mode ?? 'on');
  const [cacheTtl, setCacheTtl] = useState(text(team?.cache_ttl_seconds));
  const [metadata, setMetadata] = useState(team && Object.keys(team.metadata).length ? JSON.stringify(team.metadata, null, 2) : '');
  const [formError, setFormError] = useState<string | null>(null);
  const save = useAction((body: Record<string, unknown>) =>
    team ? api<Team>('PATCH', `/admin/teams/${encodeURIComponent(team.id)}`, body) : api<Team>('POST', '/admin/teams', body),
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    const meta = parseJson(metadata, 'Metadata');
    if (!meta.ok) return setFormError(meta.message);
    setFormError(null);
    const body: Record<string, unknown> = {
      name: name.trim(),
      kong_consumer: textOrNull(consumer),
      max_budget: numberOrNull(budget),
      budget_duration: textOrNull(duration),
      rpm_limit: numberOrNull(rpm),
      tpm_limit: numberOrNull(tpm),
      models: listOf(models),
      cache_mode: cacheMode,
      cache_ttl_seconds: numberOrNull(cacheTtl),
      metadata: meta.value ?? {},
    };
    // On create, an empty field means "not set": leave it out rather than send null.
    if (!team) for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
    const saved = await save.start(body);
    if (saved) onSaved(saved);
  };
  return (
    <form onSubmit={submit} class="form">
      <FormGrid>
        <TextField label="Name" name="name" value={name} onInput={setName} required />
        <TextField label="Kong consumer" name="kong_consumer" value={consumer} onInput={setConsumer} hint="Optional: the Kong consumer this team maps to" />
        <TextField label="Budget (USD)" name="max_budget" value={budget} onInput={setBudget} inputMode="decimal" hint="Empty: no budget" />
        <TextField label="Budget period" name="budget_duration" value={duration} onInput={setDuration} hint="30d, 1w, 24h… Empty: the budget never resets" />
        <TextField label="Requests per minute" name="rpm_limit" value={rpm} onInput={setRpm} inputMode="numeric" hint="Empty: no limit" />
        <TextField label="Tokens per minute" name="tpm_limit" value={tpm} onInput={setTpm} inputMode="numeric" hint="Empty: no limit" />
        <TextField label="Allowed models" name="models" value={models} onInput={setModels} hint="Comma-separated. Empty: every model" />
        <Select
          label="Semantic cache"
          name="cache_mode"
          value={cacheMode}
          onChange={setCacheMode}
          options={[
            { value: 'on', label: 'On (as the route configures it)' },
            { value: 'exact', label: 'Exact matches only' },
            { value: 'off', label: 'Off' },
          ]}
        />
        <TextField
          label="Cache TTL (seconds)"
          name="cache_ttl_seconds"
          value={cacheTtl}
          onInput={setCacheTtl}
          inputMode="numeric"
          hint="Empty: the route's TTL"
        />
      </FormGrid>
      <TextArea label="Metadata (JSON)" name="metadata" value={metadata} onInput={setMetadata} rows={3} />
      <FormFooter formError={formError} error={save.error} busy={save.busy} submitLabel={team ? 'Save team' : 'Create team'} onCancel={onCancel} />
    </form>
  );
}
