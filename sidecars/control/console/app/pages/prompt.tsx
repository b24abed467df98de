/** One prompt template: its versions and labels, a version's definition, saving a new version, moving labels, a render preview and a diff. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { Dialog } from '../components/dialog';
import { Select, TextArea, TextField } from '../components/fields';
import { FormFooter } from '../components/form-footer';
import { ActionError, Loaded } from '../components/states';
import { listOf, parseJson } from '../form-values';
import { when } from '../format';
import { useAction, useResource } from '../hooks';
import { href } from '../router';
import type { PromptDetail } from '../types';
import { Labels } from './prompts';

interface Rendered {
  version: number;
  hash: string;
  rendered: unknown;
}

interface Diff {
  from: number;
  to: number;
  diff: string;
}

export function PromptPage({ name }: { name: string }) {
  const path = `/admin/prompts/${encodeURIComponent(name)}`;
  const [version, setVersion] = useState('');
  const detail = useResource((signal) => api<PromptDetail>('GET', `${path}${query({ version })}`, undefined, signal), [name, version]);
  const [saving, setSaving] = useState(false);
  return (
    <section>
      <p class="breadcrumb">
        <a href={href('prompts')}>Prompts</a> /
      </p>
      <Loaded resource={detail} what="the prompt template">
        {(t) => (
          <>
            <div class="page-head">
              <h1>{t.name}</h1>
              <button type="button" class="button button-primary" onClick={() => setSaving(true)}>
                Save a new version
              </button>
            </div>
            <p>{t.description ?? <span class="muted">No description</span>}</p>
            <p>
              Labels: <Labels labels={t.labels} />
            </p>
            <div class="toolbar">
              <Select
                label="Version shown"
                name="version"
                value={version}
                onChange={setVersion}
                options={[
                  { value: '', label: 'Default (production, else latest)' },
                  ...t.versions.map((v) => ({ value: String(v.version), label: `v${v.version} · ${when(v.created_at)}` })),
                ]}
              />
            </div>
            <h2>Definition{t.version ? ` (v${t.version.version})` : ''}</h2>
            <pre class="code">{JSON.stringify(t.version?.definition ?? null, null, 2)}</pre>
            <div class="cards">
              <div class="card">
                <LabelEditor path={path} versions={t.versions.map((v) => v.version)} labels={t.labels} onChanged={detail.reload} />
              </div>
              <div class="card">
                <RenderPreview path={path} version={t.version?.version ?? t.latest_version} />
              </div>
            </div>
            <DiffView path={path} versions={t.versions.map((v) => v.version)} />
            {saving && (
              <NewVersion
                path={path}
                initial={JSON.stringify(t.version?.definition ?? {}, null, 2)}
                onClose={() => setSaving(false)}
                onSaved={() => {
                  setSaving(false);
                  setVersion('');
                  detail.reload();
                }}
              />
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

function NewVersion({ path, initial, onClose, onSaved }: { path: string; initial: string; onClose: () => void; onSaved: () => void }) {
  const [definition, setDefinition] = useState(initial);
  const [labels, setLabels] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const save = useAction((body: Record<string, unknown>) => api('POST', `${path}/versions`, body));
  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = parseJson(definition, 'The definition');
    if (!parsed.ok) return setFormError(parsed.message);
    setFormError(null);
    if (await save.start({ definition: parsed.value, ...(labels.trim() ? { labels: listOf(labels) } : {}) })) onSaved();
  };
  return (
    <Dialog title="Save a new version" onClose={onClose} wide>
      <form class="form" onSubmit={submit}>
        <TextArea label="Definition (JSON)" name="definition" value={definition} onInput={setDefinition} rows={14} required />
        <TextField label="Point these labels at it" name="labels" value={labels} onInput={setLabels} hint="Comma-separated, e.g. production" />
        <FormFooter formError={formError} error={save.error} busy={save.busy} submitLabel={'Save version'} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function LabelEditor({ path, versions, labels, onChanged }: { path: string; versions: number[]; labels: Record<string, number>; onChanged: () => void }) {
  const [label, setLabel] = useState('production');
  const [version, setVersion] = useState(String(Math.max(1, ...versions)));
  const set = useAction(() => api('PUT', `${path}/labels/${encodeURIComponent(label.trim())}`, { version: Number(version) }));
  const remove = useAction((name: string) => api('DELETE', `${path}/labels/${encodeURIComponent(name)}`));
  return (
    <form
      class="form"
      aria-labelledby="labels-title"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await set.start()) onChanged();
      }}
    >
      <h2 id="labels-title">Labels</h2>
      <ul class="plain">
        {Object.entries(labels).map(([name, v]) => (
          <li key={name}>
            <span class="badge">
              {name} → v{v}
            </span>{' '}
            <button
              type="button"
              class="button button-small"
              onClick={async () => (await remove.start(name)) && onChanged()}
              aria-label={`Remove label ${name}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <TextField label="Label" name="label" value={label} onInput={setLabel} required />
      <Select
        label="Version"
        name="label_version"
        value={version}
        onChange={setVersion}
        options={versions.map((v) => ({ value: String(v), label: `v${v}` }))}
      />
      <ActionError error={set.error ?? remove.error} />
      <button type="submit" class="button" disabled={set.busy}>
        Point label at version
      </button>
    </form>
  );
}

function RenderPreview({ path, version }: { path: string; version: number }) {
  const [variables, setVariables] = useState('{}');
  const [formError, setFormError] = useState<string | null>(null);
  const render = useAction((vars: unknown) => api<Rendered>('POST', `${path}/render`, { version, variables: vars ?? {} }));
  const [result, setResult] = useState<Rendered | null>(null);
  return (
    <form
      class="form"
      aria-labelledby="render-title"
      onSubmit={async (e) => {
        e.preventDefault();
        const parsed = parseJson(variables, 'The variables');
        if (!parsed.ok) return setFormError(parsed.message);
        setFormError(null);
        setResult((await render.start(parsed.value)) ?? null);
      }}
    >
      <h2 id="render-title">Render preview (v{version})</h2>
      <TextArea label="Variables (JSON)" name="variables" value={variables} onInput={setVariables} rows={4} />
      {formError && (
        <p class="form-error" role="alert">
          {formError}
        </p>
      )}
      <ActionError error={render.error} />
      <button type="submit" class="button" disabled={render.busy}>
        Render
      </button>
      {result && (
        <>
          <h3>Rendered</h3>
          <pre class="code">{JSON.stringify(result.rendered, null, 2)}</pre>
        </>
      )}
    </form>
  );
}

function DiffView({ path, versions }: { path: string; versions: number[] }) {
  const latest = Math.max(1, ...versions);
  const [from, setFrom] = useState(String(Math.max(1, latest - 1)));
  const [to, setTo] = useState(String(latest));
  const diff = useResource(
    (signal) => (versions.length > 1 ? api<Diff>('GET', `${path}/diff${query({ from, to })}`, undefined, signal) : Promise.resolve(null)),
    [path, from, to, versions.length],
  );
  if (versions.length < 2) return null;
  const options = versions.map((v) => ({ value: String(v), label: `v${v}` }));
  return (
    <>
      <h2>Compare versions</h2>
      <div class="toolbar">
        <Select label="From" name="diff_from" value={from} onChange={setFrom} options={options} />
        <Select label="To" name="diff_to" value={to} onChange={setTo} options={options} />
      </div>
      <Loaded resource={diff} what="the diff">
        {(d) => (d ? <pre class="code">{d.diff || 'No change.'}</pre> : null)}
      </Loaded>
    </>
  );
}
