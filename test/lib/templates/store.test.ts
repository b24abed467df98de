/** The template store against a real PostgreSQL: versions, labels, partial resolution, and what a save refuses. */
import { ConflictError } from '../../../lib/store/errors';
import { renderTemplate, TemplateError } from '../../../lib/templates';
import {
  addTemplateVersion,
  createTemplate,
  getTemplate,
  getTemplateVersion,
  listTemplates,
  listTemplateVersions,
  loadTemplateForRender,
  loadTemplateVersions,
  prepareLoaded,
  setTemplateLabel,
} from '../../../lib/templates/store';
import { startMigratedDb, type TestDb } from '../../sidecars/control/helpers';

let db: TestDb;
beforeAll(async () => {
  db = await startMigratedDb();
});
afterAll(async () => {
  await db?.stop();
});

const chat = (content: string, variables: unknown[] = []) => ({ kind: 'chat', messages: [{ role: 'system', content }], variables });
const text = (source: string) => ({ kind: 'text', text: source });

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

test('versions are numbered from 1, labels point at them and move', async () => {
  const created = await createTemplate(db.pool, {
    name: 'greet',
    description: 'hello',
    definition: chat('Hi {{who}}', [{ name: 'who' }]),
    createdBy: 'k1',
    labels: ['production'],
  });
  expect(created.version.version).toBe(1);
  expect(created.template).toMatchObject({ name: 'greet', latestVersion: 1, labels: { production: 1 }, createdBy: 'k1' });
  const second = await addTemplateVersion(db.pool, 'greet', chat('Hello {{who}}!', [{ name: 'who' }]), { createdBy: 'k2', labels: ['staging'] });
  expect(second.version.version).toBe(2);
  expect(second.template.labels).toEqual({ production: 1, staging: 2 });
  expect(second.version.hash).not.toBe(created.version.hash);
  expect((await setTemplateLabel(db.pool, 'greet', 'production', 2, 'k3')).labels).toEqual({ production: 2, staging: 2 });
  const versions = await loadTemplateVersions(db.pool, 'greet');
  expect(versions?.latestVersion).toBe(2);
  expect(versions?.labels.get('production')).toBe(2);
  expect((await listTemplateVersions(db.pool, 'greet')).map((v) => [v.version, v.createdBy])).toEqual([
    [2, 'k2'],
    [1, 'k1'],
  ]);
  expect((await getTemplateVersion(db.pool, 'greet', 1))?.definition).toMatchObject({ messages: [{ content: 'Hi {{who}}' }] });
  expect((await listTemplates(db.pool, { limit: 10, offset: 0 })).templates.map((t) => t.name)).toContain('greet');
});

test('a taken name is a conflict; unknown templates and versions are 404s', async () => {
  await createTemplate(db.pool, { name: 'taken', description: null, definition: text('x'), createdBy: null });
  expect(await thrown(createTemplate(db.pool, { name: 'taken', description: null, definition: text('y'), createdBy: null }))).toBeInstanceOf(ConflictError);
  const unknown = await thrown(addTemplateVersion(db.pool, 'nope', text('x'), { createdBy: null }));
  expect(unknown).toMatchObject({ code: 'template_not_found', status: 404 });
  expect(await thrown(setTemplateLabel(db.pool, 'taken', 'production', 7, null))).toMatchObject({
    code: 'template_not_found',
    message: expect.stringContaining('no version 7'),
  });
  expect(await getTemplate(db.pool, 'nope')).toBeNull();
  expect(await loadTemplateVersions(db.pool, 'nope')).toBeUndefined();
});

test('partials use their production version, else their newest; the render hash follows the partial used', async () => {
  await createTemplate(db.pool, { name: 'tone', description: null, definition: text('Be brief.'), createdBy: null });
  await addTemplateVersion(db.pool, 'tone', text('Be very brief.'), { createdBy: null });
  await createTemplate(db.pool, {
    name: 'support',
    description: null,
    definition: chat('{{> tone}} Help with {{topic}}.', [{ name: 'topic' }]),
    createdBy: null,
  });
  const render = async () => {
    const loaded = (await loadTemplateForRender(db.pool, 'support', 1))!;
    const prepared = prepareLoaded(loaded);
    return { hash: prepared.hash, rendered: renderTemplate(prepared, { topic: 'keys' }, { param: 'prompt.variables' }) };
  };
  const newest = await render();
  expect(newest.rendered).toEqual({ kind: 'chat', messages: [{ role: 'system', content: 'Be very brief. Help with keys.' }] });
  await setTemplateLabel(db.pool, 'tone', 'production', 1, null);
  const labelled = await render();
  expect(labelled.rendered).toEqual({ kind: 'chat', messages: [{ role: 'system', content: 'Be brief. Help with keys.' }] });
  expect(labelled.hash).not.toBe(newest.hash);
});

test('a save is refused for a missing partial, a chat partial, a cycle and a bad definition', async () => {
  const missing = await thrown(createTemplate(db.pool, { name: 'm', description: null, definition: text('{{> ghost}}'), createdBy: null }));
  expect(missing).toMatchObject({ code: 'partial_missing' });
  expect(await getTemplate(db.pool, 'm')).toBeNull();
  await createTemplate(db.pool, { name: 'chatty', description: null, definition: chat('x'), createdBy: null });
  expect(await thrown(createTemplate(db.pool, { name: 'c2', description: null, definition: text('{{> chatty}}'), createdBy: null }))).toMatchObject({
    code: 'partial_missing',
    message: expect.stringContaining('chat template'),
  });
  await createTemplate(db.pool, { name: 'pa', description: null, definition: text('A'), createdBy: null });
  await createTemplate(db.pool, { name: 'pb', description: null, definition: text('B {{> pa}}'), createdBy: null });
  // pa's new version would include pb, which includes pa.
  const cycle = await thrown(addTemplateVersion(db.pool, 'pa', text('A {{> pb}}'), { createdBy: null }));
  expect(cycle).toBeInstanceOf(TemplateError);
  expect(cycle).toMatchObject({ code: 'partial_cycle' });
  expect((await getTemplate(db.pool, 'pa'))?.latestVersion).toBe(1);
  expect(await thrown(createTemplate(db.pool, { name: 'bad', description: null, definition: { kind: 'chat', messages: [] }, createdBy: null }))).toMatchObject({
    code: 'invalid_template',
    details: { param: 'messages' },
  });
});

test('concurrent saves get distinct version numbers', async () => {
  await createTemplate(db.pool, { name: 'busy', description: null, definition: text('v1'), createdBy: null });
  const saved = await Promise.all([2, 3, 4, 5].map((n) => addTemplateVersion(db.pool, 'busy', text(`v${n}`), { createdBy: null })));
  expect(saved.map((s) => s.version.version).sort()).toEqual([2, 3, 4, 5]);
});
