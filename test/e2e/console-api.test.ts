/**
 * The console's side of the control API through the gateway (the Kong test ingress with the real
 * aigw-virtual-key): /console served by its own Kong route with the security headers; a login
 * with the admin key, then the cookie alone on /admin (aigw-virtual-key lets a keyless request
 * through, the control API checks the session); CSRF against the Origin Kong forwards; a request
 * made with the official openai client showing up in the overview and the request log; the
 * models the dev deck runs; logout.
 *
 * How it can fail: the key plugin refusing keyless requests (no console at all), Kong's forwarded
 * host not matching the browser's Origin (every change refused), the overview not reading the
 * rows the relay writes, the control API not knowing the deck.
 */
import OpenAI from 'openai';
import { CONSOLE_CSP } from '../../sidecars/control/console/security-headers';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { type ConsoleFolder, consoleFolder } from '../sidecars/control/console-fixture';

let stack: DevStack;
let folder: ConsoleFolder;

beforeAll(async () => {
  folder = consoleFolder();
  stack = await startDevStack({ env: { AIGW_CONSOLE_DIR: folder.dir } });
}, 90_000);

afterAll(async () => {
  await stack?.close();
  folder?.remove();
});

/** A browser on the gateway's origin: same-origin fetches with the cookie it was given. */
async function asBrowser(method: string, path: string, opts: { cookie?: string; csrf?: string; body?: unknown; origin?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  if (method !== 'GET') headers.origin = opts.origin ?? stack.url;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(stack.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text.startsWith('{') ? JSON.parse(text) : null };
}

const local = localOnly('serves a console folder this test writes');

local.describe('the console route and a session through Kong', () => {
  let cookie: string;
  let csrf: string;

  test('/console is served through Kong with the CSP; only GET and HEAD reach it', async () => {
    const page = await fetch(`${stack.url}/console/keys/123`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>aigw</title>');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // No console route for POST: another route (the key plugin's catch-all) refuses it.
    const post = await fetch(`${stack.url}/console/app.js`, { method: 'POST' });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(await post.text()).not.toContain('console.log');
  });

  test('no admin route answers a keyless request without a session', async () => {
    const res = await asBrowser('GET', '/admin/keys');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('missing_identity');
  });

  test('log in with the admin key; the cookie alone reads, and changes with the CSRF token from this origin', async () => {
    const login = await asBrowser('POST', '/admin/session', { body: { key: stack.adminKey } });
    expect(login.status).toBe(201);
    expect(login.text).not.toContain(stack.adminKey);
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    csrf = login.body.csrf_token;
    const keys = await asBrowser('GET', '/admin/keys', { cookie });
    expect(keys.status).toBe(200);
    expect(keys.text).not.toContain(stack.adminKey);
    expect((await asBrowser('POST', '/admin/teams', { cookie, body: { name: 'console-e2e' } })).body.error.code).toBe('csrf_failed');
    expect((await asBrowser('POST', '/admin/teams', { cookie, csrf, body: { name: 'console-e2e' }, origin: 'http://evil.example' })).status).toBe(403);
    const team = await asBrowser('POST', '/admin/teams', { cookie, csrf, body: { name: 'console-e2e' } });
    expect(team.status).toBe(201);
    const audit = await asBrowser('GET', '/admin/audit?action=team.create', { cookie });
    expect(audit.body.data[0]).toMatchObject({ via: 'console', outcome: 'ok', target: { id: team.body.id } });
    expect(audit.body.data[0].request_id).toMatch(/\S/);
  });

  test('a request made with the openai client appears in the overview, the top keys and the request log', async () => {
    const key = await asBrowser('POST', '/admin/keys', { cookie, csrf, body: { team: 'console-e2e', key_alias: 'console-e2e-key' } });
    expect(key.status).toBe(201);
    const since = new Date(Date.now() - 60_000).toISOString();
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key.body.key, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello console' }] });
    const overview = await waitFor(async () => {
      const o = await asBrowser('GET', `/admin/overview?since=${since}`, { cookie });
      return o.body.top.keys.some((k: { id: string }) => k.id === key.body.id) ? o.body : undefined;
    }, 15_000);
    expect(overview.totals.requests).toBeGreaterThanOrEqual(1);
    expect(overview.totals.spend.nano).toBeGreaterThan(0);
    expect(overview.series.reduce((sum: number, p: { requests: number }) => sum + p.requests, 0)).toBe(overview.totals.requests);
    const logged = await asBrowser('GET', `/admin/requests?key=${key.body.id}`, { cookie });
    expect(logged.body.data[0]).toMatchObject({ key_alias: 'console-e2e-key', team_name: 'console-e2e', status: 200 });
    expect(logged.body.data[0].cost_usd).toBeGreaterThan(0);
  });

  test('the models the gateway runs, from the deck make dev wrote', async () => {
    const models = await asBrowser('GET', '/admin/models', { cookie });
    expect(models.status).toBe(200);
    const mini = models.body.data.find((g: { name: string }) => g.name === 'gpt-4o-mini');
    expect(mini.targets[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(mini.targets[0].health.recent.attempts).toBeGreaterThanOrEqual(1);
  });

  test('logout ends the session through Kong', async () => {
    expect((await asBrowser('DELETE', '/admin/session', { cookie, csrf })).status).toBe(204);
    expect((await asBrowser('GET', '/admin/keys', { cookie })).status).toBe(401);
  });
});
