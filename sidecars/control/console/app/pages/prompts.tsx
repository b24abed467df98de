/** Prompt templates: list, and creating one (a definition as JSON, docs/prompt-templates.md). */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { DataTable } from '../components/data-table';
import { Dialog } from '../components/dialog';
import { TextArea, TextField } from '../components/fields';
import { FormFooter } from '../components/form-footer';
import { Empty, Loaded } from '../components/states';
import { listOf, parseJson } from '../form-values';
import { when } from '../format';
import { useAction, useResource } from '../hooks';
import { href, navigate } from '../router';
import type { List, PromptTemplate } from '../types';
import { Pager } from './teams';

const PAGE = 100;

export const EXAMPLE_DEFINITION = JSON.stringify(
  {
    kind: 'chat',
    messages: [
      { role: 'system', content: 'You help customers of {{company}}.' },
      { role: 'user', content: '{{question}}' },
    ],
    variables: [{ name: 'company', type: 'string', default: 'ACME' }, { name: 'question' }],
  },
  null,
  2,
);

export function Labels({ labels }: { labels: Record<string, number> }) {
  const entries = Object.entries(labels);
  if (!entries.length) return <span class="muted">none</span>;
  return (
    <>
      {entries.map(([label, version]) => (
        <span key={label} class="badge">
          {label} → v{version}
        </span>
      ))}
    </>
  );
}

function CreatePrompt({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [labels, setLabels] = useState('');
  const [definition, setDefinition] = useState(EXAMPLE_DEFINITION);
  const [formError, setFormError] = useState<string | null>(null);
  const create = useAction((body: Record<string, unknown>) => api<PromptTemplate>('POST', '/admin/prompts', body));
  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = parseJson(definition, 'The definition');
    if (!parsed.ok) return setFormError(parsed.message);
    setFormError(null);
    const body: Record<string, unknown> = { name: name.trim(), definition: parsed.value };
    if (description.trim()) body.description = description.trim();
    if (labels.trim()) body.labels = listOf(labels);
    const created = await create.start(body);
    if (created) navigate('prompts', created.name);
  };
  return (
    <Dialog title="Create prompt template" onClose={onClose} wide>
      <form class="form" onSubmit={submit}>
        <TextField label="Name" name="name" value={name} onInput={setName} required hint="Letters, digits, _ . / - (128 at most)" />
        <TextField label="Description" name="description" value={description} onInput={setDescription} />
        <TextField label="Labels for version 1" name="labels" value={labels} onInput={setLabels} hint="Comma-separated, e.g. production" />
        <TextArea label="Definition (JSON)" name="definition" value={definition} onInput={setDefinition} rows={14} required />
        <FormFooter formError={formError} error={create.error} busy={create.busy} submitLabel={'Create template'} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export function PromptsPage() {
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = useResource((signal) => api<List<PromptTemplate>>('GET', `/admin/prompts${query({ limit: PAGE, offset })}`, undefined, signal), [offset]);
  return (
    <section>
      <div class="page-head">
        <h1>Prompt templates</h1>
        <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
          Create template
        </button>
      </div>
      <Loaded resource={list} what="prompt templates">
        {(l) =>
          l.data.length === 0 ? (
            <Empty title="No prompt templates yet">Templates keep prompts in the gateway, versioned, with labels such as production.</Empty>
          ) : (
            <>
              <DataTable
                rows={l.data}
                rowKey={(t) => t.name}
                columns={[
                  { header: 'Name', cell: (t) => <a href={href('prompts', t.name)}>{t.name}</a> },
                  { header: 'Description', cell: (t) => t.description ?? '—' },
                  { header: 'Latest', cell: (t) => `v${t.latest_version}` },
                  { header: 'Labels', cell: (t) => <Labels labels={t.labels} /> },
                  { header: 'Updated', cell: (t) => when(t.updated_at) },
                ]}
              />
              <Pager offset={offset} shown={l.data.length} total={l.total ?? 0} page={PAGE} onOffset={setOffset} />
            </>
          )
        }
      </Loaded>
      {creating && <CreatePrompt onClose={() => setCreating(false)} />}
    </section>
  );
}
