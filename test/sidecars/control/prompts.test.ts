/**
 * /admin/prompts over real HTTP with real PostgreSQL and Redis: create, versions, labels, show,
 * render, diff; 400 naming the field, 404 for unknown templates, versions and labels, 409 for a
 * taken name, 403 for a non-admin identity; every write publishes the template's invalidation.
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '../../harness/wait-for';
import { type ControlUnderTest, startControlUnderTest } from './control-under-test';
import { bindingFor, call, identityHeaders } from './helpers';

let running: ControlUnderTest;
let messages: ControlUnderTest['messages'];
let base: string;

beforeAll(async () => {
  running = await startControlUnderTest();
  ({ messages } = running);
  base = running.control.url;
});

afterAll(async () => {
  await running?.close();
});

const tone = { kind: 'text', text: 'Be brief.' };
const support = (greeting: string) => ({
  kind: 'chat',
  messages: [
    { role: 'system', content: `{{> tone}} ${greeting}` },
    { role: 'user', content: 'Order {{order_id}}' },
  ],
  variables: [{ name: 'order_id', type: 'number' }],
  model: 'gpt-4o-mini',
});

async function templateMessages(name: string): Promise<number> {
  await waitFor(() => (messages.some((m) => m.type === 'template' && m.name === name) ? true : undefined), 5000);
  return messages.filter((m) => m.type === 'template' && m.name === name).length;
}

test('create, new version, label, show, render and diff; each write invalidates the template', async () => {
  expect((await call(base, 'POST', '/admin/prompts', { name: 'tone', definition: tone })).status).toBe(201);
  const created = await call(base, 'POST', '/admin/prompts', { name: 'support', description: 'Support', definition: support('Hi.'), labels: ['production'] });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ object: 'prompt_template', name: 'support', latest_version: 1, labels: { production: 1 }, version: { version: 1 } });
  expect(created.body.version.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(await templateMessages('support')).toBe(1);

  const second = await call(base, 'POST', '/admin/prompts/support/versions', { definition: support('Hello.'), labels: ['staging'] });
  expect(second.status).toBe(201);
  expect(second.body).toMatchObject({ latest_version: 2, labels: { production: 1, staging: 2 }, version: { version: 2 } });
  await waitFor(async () => ((await templateMessages('support')) === 2 ? true : undefined), 5000);

  const moved = await call(base, 'PUT', '/admin/prompts/support/labels/production', { version: 2 });
  expect(moved.status).toBe(200);
  expect(moved.body.labels).toEqual({ production: 2, staging: 2 });
  await waitFor(async () => ((await templateMessages('support')) === 3 ? true : undefined), 5000);

  const shown = await call(base, 'GET', '/admin/prompts/support?version=1');
  expect(shown.status).toBe(200);
  expect(shown.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  expect(shown.body.version).toMatchObject({ version: 1, definition: support('Hi.') });
  expect((await call(base, 'GET', '/admin/prompts/support/versions/staging')).body).toMatchObject({ version: 2 });

  const rendered = await call(base, 'POST', '/admin/prompts/support/render', { version: '1', variables: { order_id: '42' } });
  expect(rendered.status).toBe(200);
  expect(rendered.body).toMatchObject({
    version: 1,
    partials: ['tone'],
    rendered: {
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Be brief. Hi.' },
        { role: 'user', content: 'Order 42' },
      ],
    },
  });

  const diff = await call(base, 'GET', '/admin/prompts/support/diff?from=1&to=2');
  expect(diff.status).toBe(200);
  expect(diff.body.diff).toContain('-{{> tone}} Hi.');
  expect(diff.body.diff).toContain('+{{> tone}} Hello.');

  const list = await call(base, 'GET', '/admin/prompts');
  expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(['support', 'tone']);

  expect((await call(base, 'DELETE', '/admin/prompts/support/labels/staging')).status).toBe(200);
  expect((await call(base, 'GET', '/admin/prompts/support')).body.labels).toEqual({ production: 2 });
});

test('400 names the field, 404 the unknown, 409 the taken name', async () => {
  const expectError = (res: { status: number; body: { error: { param: string | null } } }, status: number, param: string | null) =>
    expect({ status: res.status, param: res.body.error.param }).toEqual({ status, param });
  expectError(
    await call(base, 'POST', '/admin/prompts', { name: 'x', definition: { kind: 'chat', messages: [{ role: 'robot', content: 'a' }] } }),
    400,
    'definition.messages.0.role',
  );
  expectError(await call(base, 'POST', '/admin/prompts', { name: 'x', definition: { kind: 'text', text: '{{#a}}' } }), 400, 'definition.text');
  expectError(await call(base, 'POST', '/admin/prompts', { name: 'x', definition: { kind: 'text', text: '{{> ghost}}' } }), 400, 'definition.text');
  expectError(await call(base, 'POST', '/admin/prompts', { name: '-bad', definition: tone }), 400, 'name');
  expectError(await call(base, 'POST', '/admin/prompts', { name: 'x' }), 400, 'definition');
  expectError(await call(base, 'POST', '/admin/prompts', { name: 'x', definition: tone, labels: ['latest'] }), 400, 'labels');
  expectError(await call(base, 'POST', '/admin/prompts', { name: 'x', definition: tone, extra: 1 }), 400, 'extra');
  expectError(await call(base, 'POST', '/admin/prompts', { name: 'tone', definition: tone }), 409, 'name');
  expectError(await call(base, 'PUT', '/admin/prompts/tone/labels/latest', { version: 1 }), 400, 'label');
  expectError(await call(base, 'PUT', '/admin/prompts/tone/labels/production', { version: 9 }), 404, 'version');
  expectError(await call(base, 'PUT', '/admin/prompts/tone/labels/production', {}), 400, 'version');
  expect((await call(base, 'GET', '/admin/prompts/nope')).status).toBe(404);
  expect((await call(base, 'POST', '/admin/prompts/nope/versions', { definition: tone })).status).toBe(404);
  expect((await call(base, 'GET', '/admin/prompts/tone?version=canary')).status).toBe(404);
  expect((await call(base, 'DELETE', '/admin/prompts/tone/labels/canary')).status).toBe(404);
  const missing = await call(base, 'POST', '/admin/prompts/support/render', { variables: {} });
  expectError(missing, 400, 'variables');
  expect(missing.body.error.message).toContain('order_id');
});

test('a non-admin identity is refused', async () => {
  const body = { name: 'y', definition: tone };
  const res = await fetch(`${base}/admin/prompts`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...identityHeaders({ role: 'user', ...bindingFor('POST', '/admin/prompts', body) }, { requestId: randomUUID() }),
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(403);
});
