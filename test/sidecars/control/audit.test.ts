/**
 * The audit log over real HTTP on a real PostgreSQL: one row for every change an admin asks for,
 * through the CLI (a signed identity) or the console (a session), done or refused, with its
 * actor, action, target and outcome and no secret; GET /admin/audit's filters and keyset pages.
 */
import { browser, type ConsoleFolder, consoleConfig, consoleFolder, cookieFrom } from './console-fixture';
import { type ControlUnderTest, startControlUnderTest } from './control-under-test';
import { call } from './helpers';

let t: ControlUnderTest;
let folder: ConsoleFolder;
let base: string;

// biome-ignore lint/suspicious/noExplicitAny: audit entries as the API returns them
async function audit(query: string): Promise<any[]> {
  const res = await call(base, 'GET', `/admin/audit?${query}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  folder = consoleFolder();
  t = await startControlUnderTest({ console: consoleConfig(folder.dir) });
  base = t.control.url;
});

afterAll(async () => {
  await t?.close();
  folder?.remove();
});

test('every kind of change through the CLI is written once, with its action, target and outcome', async () => {
  const team = await call(base, 'POST', '/admin/teams', { name: 'audit-team' });
  const key = await call(base, 'POST', '/admin/keys', { team: 'audit-team', key_alias: 'audit-key' });
  const changes: Array<[string, string, unknown, string, string | null]> = [
    ['PATCH', `/admin/teams/${team.body.id}`, { rpm_limit: 10 }, 'team.update', team.body.id],
    ['PATCH', `/admin/keys/${key.body.id}`, { rpm_limit: 5 }, 'key.update', key.body.id],
    ['POST', `/admin/keys/${key.body.id}/rotate`, {}, 'key.rotate', key.body.id],
    ['POST', `/admin/keys/${key.body.id}/revoke`, undefined, 'key.revoke', key.body.id],
    ['DELETE', `/admin/keys/${key.body.id}`, undefined, 'key.delete', key.body.id],
    ['POST', '/admin/prompts', { name: 'audit-prompt', definition: { kind: 'text', text: 'Hello' } }, 'prompt.create', 'audit-prompt'],
    ['PUT', '/admin/prompts/audit-prompt/labels/prod', { version: 1 }, 'prompt.label', 'audit-prompt'],
    ['DELETE', '/admin/prompts/audit-prompt/labels/prod', undefined, 'prompt.unlabel', 'audit-prompt'],
    ['POST', '/admin/cache/purge', { all: true }, 'cache.purge', null],
    ['DELETE', `/admin/teams/${team.body.id}`, undefined, 'team.delete', team.body.id],
  ];
  const statuses = new Map<string, number>();
  for (const [method, path, body, action] of changes) {
    const res = await call(base, method, path, body);
    statuses.set(action, res.status);
    // This control API has no cache store: the purge is refused (503), and that is written too.
    expect([action, res.status < 300]).toEqual([action, action !== 'cache.purge']);
  }
  const rows = await audit('limit=100');
  const byAction = (action: string) => rows.filter((r) => r.action === action);
  expect(byAction('team.create')[0]).toMatchObject({
    via: 'cli',
    outcome: 'ok',
    status: 201,
    target: { type: 'team', id: team.body.id },
    details: { fields: ['name'] },
  });
  expect(byAction('key.create')[0]).toMatchObject({ outcome: 'ok', target: { type: 'key', id: key.body.id } });
  for (const [, , , action, target] of changes) {
    const written = byAction(action);
    expect([action, written.length]).toEqual([action, 1]);
    if (target) expect(written[0].target.id).toBe(target);
    expect(written[0]).toMatchObject({ via: 'cli', status: statuses.get(action), outcome: statuses.get(action)! < 300 ? 'ok' : expect.any(String) });
  }
  expect(byAction('prompt.label')[0].details).toMatchObject({ label: 'prod', fields: ['version'] });
  // The created key's secret and the rotated one appear nowhere in the log.
  expect(JSON.stringify(rows)).not.toContain('sk-aigw-');
  // Reads are not written.
  expect(rows.some((r) => r.action.startsWith('GET'))).toBe(false);
});

test('a refused change is written with the refusal as its outcome; an unauthenticated one is not', async () => {
  const missing = await call(base, 'PATCH', '/admin/teams/no-such-team', { rpm_limit: 1 });
  expect(missing.status).toBe(404);
  const invalid = await call(base, 'POST', '/admin/teams', { name: 'x', rpm_limit: -1 });
  expect(invalid.status).toBe(400);
  const anonymous = await browser(base, 'POST', '/admin/teams', { body: { name: 'anon' } });
  expect(anonymous.status).toBe(401);
  const rows = await audit('action=team.*');
  expect(rows.find((r) => r.action === 'team.update' && r.target.id === 'no-such-team')).toMatchObject({ outcome: 'team_not_found', status: 404 });
  expect(rows.find((r) => r.action === 'team.create' && r.status === 400)).toMatchObject({ outcome: 'invalid_value', details: { param: 'rpm_limit' } });
  expect(rows.some((r) => r.actor.key_id === null && r.action === 'team.create')).toBe(false);
});

test('console changes carry via=console, the actor alias, the client IP and the Kong request id', async () => {
  const admin = await call(base, 'POST', '/admin/keys', { key_alias: 'console-auditor', role: 'admin' });
  const login = await browser(base, 'POST', '/admin/session', { body: { key: admin.body.key } });
  const cookie = cookieFrom(login);
  const csrf = login.body.csrf_token;
  const made = await browser(base, 'POST', '/admin/teams', { cookie, csrf, body: { name: 'made-in-console' }, headers: { 'x-kong-request-id': 'kong-req-1' } });
  expect(made.status).toBe(201);
  await browser(base, 'DELETE', '/admin/session', { cookie, csrf });
  const mine = await audit(`actor=${admin.body.id}`);
  expect(mine.map((r) => r.action)).toEqual(['session.logout', 'team.create', 'session.login']);
  expect(mine[1]).toMatchObject({
    via: 'console',
    actor: { key_id: admin.body.id, alias: 'console-auditor' },
    target: { type: 'team', id: made.body.id },
    request_id: 'kong-req-1',
    client_ip: '192.0.2.10',
  });
  expect(await audit('actor=console-auditor')).toHaveLength(3);
});

test('GET /admin/audit pages by id, filters by time, and refuses bad filters', async () => {
  const first = await call(base, 'GET', '/admin/audit?limit=2');
  expect(first.body.has_more).toBe(true);
  const second = await call(base, 'GET', `/admin/audit?limit=2&before=${first.body.next_before}`);
  const ids = [...first.body.data, ...second.body.data].map((r: { id: string }) => Number(r.id));
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
  expect(new Set(ids).size).toBe(4);
  // Newest first by number across digit counts (9 before 10 would be a text sort).
  const all = (await audit('limit=500')).map((r) => Number(r.id));
  expect(all.length).toBeGreaterThan(10);
  expect(all).toEqual([...all].sort((a, b) => b - a));
  expect(await audit(`since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
  for (const [q, param] of [
    ['action=x;drop', 'action'],
    ['before=abc', 'before'],
    ['actor=nobody', 'actor'],
    ['limit=0', 'limit'],
    ['foo=1', 'foo'],
  ]) {
    const res = await call(base, 'GET', `/admin/audit?${q}`);
    expect([q, res.status, res.body.error.param]).toEqual([q, 400, param]);
  }
});
