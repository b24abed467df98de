/**
 * Console sessions over real HTTP on a real PostgreSQL and Redis: an admin key exchanged for a
 * cookie (its flags), the cookie accepted on every /admin route, CSRF refused (missing, wrong,
 * cross-origin), the admin key never in an answer, logout, revocation, rotation and expiry ending
 * the session, failed logins slow and rate limited, the security headers on every answer.
 */
import Redis from 'ioredis';
import type { ConsoleConfig } from '../../../sidecars/control/console/config';
import { CONSOLE_CSP } from '../../../sidecars/control/console/security-headers';
import { FAILED_LOGIN_DELAY_MS } from '../../../sidecars/control/console/session-auth';
import { SessionStore } from '../../../sidecars/control/console/sessions';
import { ControlMetrics } from '../../../sidecars/control/metrics';
import { type RunningControl, startControl } from '../../../sidecars/control/server';
import { type BrowserResponse, browser, type ConsoleFolder, consoleConfig, consoleFolder, cookieFrom } from './console-fixture';
import { type ControlUnderTest, controlTestLog, startControlUnderTest } from './control-under-test';
import { call, SECRET } from './helpers';

let t: ControlUnderTest;
let folder: ConsoleFolder;
let base: string;
let adminKey: string;
let adminId: string;
let metrics: ControlMetrics;

async function newAdmin(alias: string): Promise<{ key: string; id: string }> {
  const res = await call(base, 'POST', '/admin/keys', { key_alias: alias, role: 'admin' });
  expect(res.status).toBe(201);
  return { key: res.body.key, id: res.body.id };
}

async function login(key: string, ip = '192.0.2.10'): Promise<{ res: BrowserResponse; cookie: string; csrf: string }> {
  const res = await browser(base, 'POST', '/admin/session', { body: { key }, headers: { 'x-real-ip': ip } });
  return { res, cookie: cookieFrom(res), csrf: res.body?.csrf_token };
}

async function auditRows(action: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await t.db.pool.query('SELECT * FROM aigw_audit_log WHERE action = $1 ORDER BY id', [action]);
  return rows;
}

beforeAll(async () => {
  folder = consoleFolder();
  t = await startControlUnderTest({
    console: consoleConfig(folder.dir),
    metrics: (pool) => {
      metrics = new ControlMetrics(pool);
      return metrics;
    },
  });
  base = t.control.url;
  ({ key: adminKey, id: adminId } = await newAdmin('console-admin'));
});

afterAll(async () => {
  await t?.close();
  folder?.remove();
});

describe('without a session', () => {
  test('no /admin route answers without an identity or a session cookie', async () => {
    for (const [method, path] of [
      ['GET', '/admin/keys'],
      ['GET', '/admin/overview'],
      ['GET', '/admin/audit'],
      ['POST', '/admin/teams'],
    ] as const) {
      const res = await browser(base, method, path, method === 'POST' ? { body: { name: 'x' } } : {});
      expect(res.status).toBe(401);
    }
    expect((await browser(base, 'GET', '/admin/session')).body.error.code).toBe('missing_session');
  });

  test('a forged or tampered cookie is refused', async () => {
    const { cookie } = await login(adminKey);
    const tampered = cookie.slice(0, -2) + (cookie.endsWith('AA') ? 'BB' : 'AA');
    for (const c of [tampered, 'aigw_session=abc', `aigw_session=${'A'.repeat(43)}.${'A'.repeat(43)}`]) {
      const res = await browser(base, 'GET', '/admin/keys', { cookie: c });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_session');
    }
  });
});

describe('login', () => {
  test('an admin key gets a session: the cookie is HttpOnly, SameSite=Strict, Secure, Path=/admin, Max-Age = the TTL', async () => {
    const { res, csrf } = await login(adminKey);
    expect(res.status).toBe(201);
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/^aigw_session=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; /);
    expect(set.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=3600', 'Path=/admin', 'SameSite=Strict', 'Secure']);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body).toEqual({
      object: 'session',
      csrf_token: csrf,
      expires_at: expect.any(String),
      key: { id: adminId, alias: 'console-admin', prefix: adminKey.slice(0, 12) },
    });
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(3590_000);
    expect(res.text).not.toContain(adminKey);
    expect(set).not.toContain(adminKey);
    expect((await auditRows('session.login')).some((r) => r.actor_key_id === adminId && r.outcome === 'ok' && r.via === 'console')).toBe(true);
  });

  test('a wrong, malformed or non-admin key: the same 401, no sooner than the delay, audited, no cookie', async () => {
    const user = await call(base, 'POST', '/admin/keys', { key_alias: 'not-admin' });
    for (const key of [`sk-aigw-${'x'.repeat(40)}`, 'nonsense', user.body.key]) {
      const started = Date.now();
      const { res } = await login(key, '198.51.100.1');
      expect(Date.now() - started).toBeGreaterThanOrEqual(FAILED_LOGIN_DELAY_MS - 5);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_credentials');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const failed = await auditRows('session.login_failed');
    expect(failed.map((r) => (r.details as { reason: string }).reason)).toEqual(expect.arrayContaining(['unknown_key', 'malformed_key', 'not_admin']));
    expect(failed.find((r) => (r.details as { reason: string }).reason === 'not_admin')!.actor_key_id).toBe(user.body.id);
    expect(JSON.stringify(failed)).not.toContain('sk-aigw-');
  });

  test('logins are counted by outcome', async () => {
    const count = async (outcome: string): Promise<number> =>
      Number(new RegExp(`^aigw_console_logins_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(await metrics.registry.metrics())?.[1] ?? 0);
    const [ok, refused] = [await count('ok'), await count('refused')];
    await login(adminKey, '192.0.2.50');
    await login('sk-aigw-nope', '192.0.2.50');
    expect([await count('ok'), await count('refused')]).toEqual([ok + 1, refused + 1]);
  });

  test('login attempts are rate limited per client IP', async () => {
    const attempts = await Promise.all(Array.from({ length: 12 }, () => login('sk-aigw-wrong', '203.0.113.99')));
    const statuses = attempts.map((a) => a.res.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(await metrics.registry.metrics()).toMatch(/^aigw_console_logins_total\{outcome="rate_limited"\} 2$/m);
    // Even the right key waits now: the address is locked out for the rest of the minute.
    expect((await login(adminKey, '203.0.113.99')).res.status).toBe(429);
    // Another address is not affected, and successful logins never count.
    for (let i = 0; i < 15; i++) expect((await login(adminKey, '203.0.113.100')).res.status).toBe(201);
  });

  test('bad login bodies are 400s in the API error shape', async () => {
    for (const body of [[], { key: 5 }, { key: adminKey, extra: 1 }, { key: 'x'.repeat(300) }]) {
      const res = await browser(base, 'POST', '/admin/session', { body, headers: { 'x-real-ip': '192.0.2.77' } });
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
      expect(res.text).not.toContain(adminKey);
    }
  });
});

describe('with a session', () => {
  test('every /admin read answers with the cookie alone, never showing the admin key, with the security headers', async () => {
    const { cookie } = await login(adminKey);
    const paths = [
      '/admin/keys',
      `/admin/keys/${adminId}`,
      '/admin/teams',
      '/admin/session',
      '/admin/requests',
      '/admin/spend?group_by=team',
      '/admin/overview',
      '/admin/models',
      '/admin/guardrails/events',
      '/admin/console/config',
      '/admin/audit?limit=500',
      '/admin/prompts',
    ];
    for (const path of paths) {
      const res = await browser(base, 'GET', path, { cookie });
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.text).not.toContain(adminKey);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  test('a change needs the CSRF token and a same-origin request', async () => {
    const { cookie, csrf } = await login(adminKey);
    const refusals: Array<{ csrf?: string; headers?: Record<string, string> }> = [
      {},
      { csrf: 'A'.repeat(43) },
      { csrf: csrf.slice(0, 20) },
      { csrf, headers: { origin: 'http://evil.example' } },
      { csrf, headers: { origin: 'http://127.0.0.2:8000' } },
      { csrf, headers: { origin: 'http://127.0.0.1.evil.example:8000' } },
      { csrf, headers: { origin: 'null' } },
      { csrf, headers: { 'sec-fetch-site': 'cross-site' } },
      { csrf, headers: { 'sec-fetch-site': 'same-site' } },
    ];
    for (const r of refusals) {
      const res = await browser(base, 'POST', '/admin/teams', { cookie, body: { name: 'csrf-victim' }, ...r });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_failed');
    }
    expect((await call(base, 'GET', '/admin/teams/csrf-victim')).status).toBe(404);
    const ok = await browser(base, 'POST', '/admin/teams', { cookie, csrf, body: { name: 'csrf-ok' } });
    expect(ok.status).toBe(201);
    // A request without Origin or Sec-Fetch-Site (not a browser) still needs the token, and passes with it.
    const bare = await browser(base, 'PATCH', '/admin/teams/csrf-ok', { cookie, csrf, body: { rpm_limit: 5 }, headers: { origin: '', 'sec-fetch-site': '' } });
    expect(bare.status).toBe(200);
    // Behind a TLS balancer the browser's Origin has https and 443 where Kong saw http and 8000: the name decides.
    const balanced = await browser(base, 'PATCH', '/admin/teams/csrf-ok', { cookie, csrf, body: { rpm_limit: 6 }, headers: { origin: 'https://127.0.0.1' } });
    expect(balanced.status).toBe(200);
    const created = await auditRows('team.create');
    expect(created.filter((r) => r.outcome === 'csrf_failed' && r.via === 'console' && r.actor_key_id === adminId)).toHaveLength(refusals.length);
    expect(created.find((r) => r.outcome === 'ok' && r.via === 'console')).toMatchObject({ target_type: 'team', target_id: ok.body.id, status: 201 });
  });

  test('logout ends the session and clears the cookie; a logout needs the CSRF token too', async () => {
    const { cookie, csrf } = await login(adminKey);
    expect((await browser(base, 'DELETE', '/admin/session', { cookie })).status).toBe(403);
    const out = await browser(base, 'DELETE', '/admin/session', { cookie, csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('aigw_session=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0; Secure');
    const after = await browser(base, 'GET', '/admin/keys', { cookie });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('session_expired');
    expect((await auditRows('session.logout')).some((r) => r.outcome === 'ok' && r.actor_key_id === adminId)).toBe(true);
  });

  test.each(['revoke', 'rotate', 'delete'])('%s of the admin key ends its sessions', async (action) => {
    const other = await newAdmin(`doomed-${action}`);
    const { cookie } = await login(other.key);
    expect((await browser(base, 'GET', '/admin/keys', { cookie })).status).toBe(200);
    const done =
      action === 'delete'
        ? await call(base, 'DELETE', `/admin/keys/${other.id}`)
        : await call(base, 'POST', `/admin/keys/${other.id}/${action}`, action === 'rotate' ? { grace_period: '1h' } : {});
    expect(done.status).toBe(200);
    const res = await browser(base, 'GET', '/admin/keys', { cookie });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('session_revoked');
    // Ended for good, not only refused once.
    expect((await browser(base, 'GET', '/admin/keys', { cookie })).body.error.code).toBe('session_expired');
  });

  test('a key inside its rotation grace period cannot log in (its sessions would end at once)', async () => {
    const other = await newAdmin('rotating');
    expect((await call(base, 'POST', `/admin/keys/${other.id}/rotate`, { grace_period: '1h' })).status).toBe(200);
    expect((await login(other.key, '192.0.2.200')).res.status).toBe(401);
  });
});

/** A second control API on the same stores, with its own session store and console settings. */
function controlWith(sessions: SessionStore, console: Partial<ConsoleConfig> = {}): Promise<RunningControl> {
  const { pool } = t.db;
  return startControl({
    host: '127.0.0.1',
    port: 0,
    planSecret: SECRET,
    pool,
    invalidator: t.invalidator,
    log: controlTestLog,
    sessions,
    console: consoleConfig(folder.dir, console),
  });
}

test('sessions fail closed with a 503 when Redis does not answer', async () => {
  const { cookie } = await login(adminKey);
  const dead = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const down = await controlWith(new SessionStore(dead, { ttlMs: 60_000, idleMs: 60_000 }));
  try {
    const read = await browser(down.url, 'GET', '/admin/keys', { cookie });
    expect([read.status, read.body.error.code]).toEqual([503, 'sessions_unavailable']);
    const again = await browser(down.url, 'POST', '/admin/session', { body: { key: adminKey }, headers: { 'x-real-ip': '192.0.2.88' } });
    expect([again.status, again.body.error.code]).toEqual([503, 'sessions_unavailable']);
    expect(again.headers.get('set-cookie')).toBeNull();
  } finally {
    await down.close();
    dead.disconnect();
  }
});

describe('expiry', () => {
  let short: RunningControl;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(t.redis.url);
    short = await controlWith(new SessionStore(redis, { ttlMs: 2000, idleMs: 1000 }), { sessionTtlSeconds: 1 });
  });
  afterAll(async () => {
    await short?.close();
    redis?.disconnect();
  });

  test('a session ends after its idle timeout, and after its TTL however active', async () => {
    const first = await browser(short.url, 'POST', '/admin/session', { body: { key: adminKey } });
    expect(first.headers.get('set-cookie')).toContain('Max-Age=1;');
    const idle = cookieFrom(first);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await browser(short.url, 'GET', '/admin/keys', { cookie: idle })).status).toBe(401);

    const active = cookieFrom(await browser(short.url, 'POST', '/admin/session', { body: { key: adminKey } }));
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 500));
      expect((await browser(short.url, 'GET', '/admin/session', { cookie: active })).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 600));
    expect((await browser(short.url, 'GET', '/admin/keys', { cookie: active })).status).toBe(401);
  });
});
