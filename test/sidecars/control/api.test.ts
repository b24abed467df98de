/**
 * The control API over real HTTP, with real PostgreSQL and Redis: every route's success path,
 * 400 naming the field, 401/403 for missing, forged, replayed, expired or non-admin identities,
 * 404, 409, the raw key shown once and stored only as a hash, and the invalidations published.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { hashKey, KEY_PATTERN } from '../../../lib/api-keys';
import { INVALIDATE_CHANNEL, KEY_CACHE_PREFIX } from '../../../lib/shared-key-cache';
import { signEnvelope } from '../../../lib/signing';
import { insertLedgerRows } from '../../../lib/store/ledger';
import { findKeyByHash } from '../../../lib/store/virtual-keys';
import { RedisInvalidator } from '../../../sidecars/control/invalidate';
import { startControl } from '../../../sidecars/control/server';
import { waitFor } from '../../harness/wait-for';
import { type ControlUnderTest, controlTestLog as log, startControlUnderTest } from './control-under-test';
import { bindingFor, call, identityHeaders, rawRequest, SECRET } from './helpers';

let running: ControlUnderTest;
let db: ControlUnderTest['db'];
let messages: ControlUnderTest['messages'];
let cacheClient: Redis;
let base: string;

beforeAll(async () => {
  running = await startControlUnderTest();
  ({ db, messages } = running);
  base = running.control.url;
  cacheClient = new Redis(running.redis.url);
});

afterAll(async () => {
  cacheClient?.disconnect();
  await running?.close();
});

const MARKER = 'test-marker';

/**
 * How many messages have arrived once everything published so far has: a marker published now
 * reaches the subscriber after them (Redis runs commands one at a time and delivers each
 * subscriber's messages in order), so no wait on the clock decides what counts.
 */
async function delivered(): Promise<number> {
  const id = randomUUID();
  await cacheClient.publish(INVALIDATE_CHANNEL, JSON.stringify({ type: MARKER, id }));
  await waitFor(() => (messages.some((m) => m.id === id) ? true : undefined), 10_000);
  return messages.length;
}

/** The messages published since `mark` (a `delivered()` count), the calls in between having returned. */
async function messagesSince(mark: number): Promise<Array<Record<string, string>>> {
  const end = await delivered();
  return messages.slice(mark, end).filter((m) => m.type !== MARKER);
}

// biome-ignore lint/suspicious/noExplicitAny: a JSON body the test inspects freely
function expectError(res: { status: number; body: any }, status: number, param?: string | null): void {
  expect({ status: res.status, param: res.body?.error?.param }).toEqual({ status, param: param === undefined ? res.body?.error?.param : param });
  expect(typeof res.body.error.message).toBe('string');
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
}

describe('authentication', () => {
  test('healthz needs no identity and reports the stores', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok', redis: 'ok', invalidation_failures: 0, invalidations_pending: 0 });
  });

  test('no identity → 401', async () => {
    const res = await call(base, 'GET', '/admin/keys', undefined, {});
    expectError(res, 401);
    expect(res.body.error).toMatchObject({ type: 'authentication_error', code: 'missing_identity' });
  });

  test('forged signature, wrong request id, tampered payload → 401', async () => {
    expectError(await call(base, 'GET', '/admin/keys', undefined, identityHeaders({}, { secret: 'x'.repeat(40) })), 401);
    // A captured envelope replayed under another Kong request id.
    expectError(await call(base, 'GET', '/admin/keys', undefined, identityHeaders({}, { signedFor: 'other-request' })), 401);
    const h = identityHeaders({ role: 'user' });
    const payload = JSON.parse(Buffer.from(h['x-aigw-identity'], 'base64url').toString());
    h['x-aigw-identity'] = Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url');
    const res = await call(base, 'GET', '/admin/keys', undefined, h);
    expectError(res, 401);
    expect(res.body.error.code).toBe('invalid_identity');
  });

  test('the signature must be exactly 64 lower-case hex characters', async () => {
    for (const mangle of [(sig: string) => sig.toUpperCase(), (sig: string) => sig + 'a', (sig: string) => sig + 'zz']) {
      const h = identityHeaders();
      h['x-aigw-identity-signature'] = mangle(h['x-aigw-identity-signature']);
      const res = await call(base, 'GET', '/admin/keys', undefined, h);
      expectError(res, 401);
      expect(res.body.error.code).toBe('invalid_identity');
    }
  });

  test('expired identity → 401', async () => {
    const res = await call(base, 'GET', '/admin/keys', undefined, identityHeaders({ expiresAt: Date.now() - 1 }));
    expectError(res, 401);
    expect(res.body.error.code).toBe('expired_identity');
  });

  test('valid non-admin identity → 403', async () => {
    const res = await call(
      base,
      'POST',
      '/admin/teams',
      { name: 'nope' },
      identityHeaders({ role: 'user', ...bindingFor('POST', '/admin/teams', { name: 'nope' }) }),
    );
    expectError(res, 403);
    expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'admin_required' });
  });

  test('unknown paths: 404 outside /admin; inside, only after authentication', async () => {
    expectError(await call(base, 'GET', '/nothing', undefined, {}), 404);
    expectError(await call(base, 'GET', '/admin/nothing', undefined, {}), 401);
    const res = await call(base, 'GET', '/admin/nothing');
    expectError(res, 404);
    expect(res.body.error.code).toBe('unknown_url');
    expect((await call(base, 'PUT', '/admin/keys')).status).toBe(405);
  });

  test('malformed percent-escapes in a path → 400 invalid_path, never a 500', async () => {
    for (const path of ['/admin/keys/%ZZ', '/admin/teams/%E0%A4%A', '/admin/keys/%/rotate']) {
      const res = await call(base, path.endsWith('rotate') ? 'POST' : 'GET', path);
      expectError(res, 400);
      expect(res.body.error.code).toBe('invalid_path');
    }
  });

  test('request-targets a URL parser refuses or reads as another host → 404, never a 500', async () => {
    for (const target of ['//[', '//admin/keys', 'http://control/admin/keys']) {
      const res = await rawRequest(base, 'GET', target, identityHeaders());
      expectError(res, 404);
      expect(res.body.error.code).toBe('unknown_url');
    }
  });

  test('a body that is not JSON → 400 invalid_json', async () => {
    const res = await call(base, 'POST', '/admin/teams', '{not json');
    expectError(res, 400);
    expect(res.body.error.code).toBe('invalid_json');
  });
});

describe('the admin identity is bound to one request', () => {
  const keyCount = async (): Promise<number> => (await db.pool.query('SELECT count(*)::int AS n FROM aigw_keys')).rows[0].n;

  test('replaying a captured identity on the same request → 401 identity_replayed', async () => {
    const h = identityHeaders(bindingFor('GET', '/admin/teams?limit=5'));
    expect((await call(base, 'GET', '/admin/teams?limit=5', undefined, h)).status).toBe(200);
    const replay = await call(base, 'GET', '/admin/teams?limit=5', undefined, h);
    expectError(replay, 401);
    expect(replay.body.error.code).toBe('identity_replayed');
  });

  test('an identity from a GET cannot mint an admin key with a POST', async () => {
    const before = await keyCount();
    const res = await call(base, 'POST', '/admin/keys', { role: 'admin' }, identityHeaders(bindingFor('GET', '/admin/keys')));
    expectError(res, 401);
    expect(res.body.error.code).toBe('identity_mismatch');
    expect(await keyCount()).toBe(before);
  });

  test('another method, path, query or body → 401 identity_mismatch; nothing is changed', async () => {
    const before = await keyCount();
    const cases: Array<[string, string, unknown, ReturnType<typeof bindingFor>]> = [
      ['DELETE', `/admin/teams/${randomUUID()}`, undefined, bindingFor('GET', `/admin/teams/${randomUUID()}`)],
      ['GET', '/admin/teams', undefined, bindingFor('GET', '/admin/keys')],
      ['GET', '/admin/keys?limit=1000', undefined, bindingFor('GET', '/admin/keys?limit=1')],
      ['GET', '/admin/keys', undefined, bindingFor('GET', '/admin/keys?team=x')],
      ['POST', '/admin/keys', { key_alias: 'b', role: 'admin' }, bindingFor('POST', '/admin/keys', { key_alias: 'b' })],
      ['POST', '/admin/keys', { key_alias: 'c' }, bindingFor('POST', '/admin/keys')],
    ];
    for (const [method, path, body, binding] of cases) {
      const res = await call(base, method, path, body, identityHeaders(binding));
      expectError(res, 401);
      expect({ method, path, code: res.body.error.code }).toEqual({ method, path, code: 'identity_mismatch' });
    }
    expect(await keyCount()).toBe(before);
  });

  test('the target is compared as received: no normalisation the signer did not do; an empty query is no query', async () => {
    for (const target of ['/admin//keys', '/admin/./keys', '/admin/keys/', '/admin/%6Beys']) {
      const res = await rawRequest(base, 'GET', target, identityHeaders(bindingFor('GET', '/admin/keys')));
      expect({ target, status: res.status, code: res.body.error.code }).toEqual({ target, status: 401, code: 'identity_mismatch' });
    }
    expect((await rawRequest(base, 'GET', '/admin/keys?', identityHeaders(bindingFor('GET', '/admin/keys')))).status).toBe(200);
  });

  test('an identity without a binding (the earlier format) → 401 invalid_identity', async () => {
    const unbound = signEnvelope({ keyId: randomUUID(), role: 'admin', expiresAt: Date.now() + 30_000 }, 'req-1', SECRET);
    const res = await call(base, 'GET', '/admin/keys', undefined, {
      'x-aigw-identity': unbound.payload,
      'x-aigw-identity-signature': unbound.signature,
      'x-kong-request-id': 'req-1',
    });
    expectError(res, 401);
    expect(res.body.error.code).toBe('invalid_identity');
  });

  test('a body over 1 MiB → 413 request_too_large', async () => {
    const body = JSON.stringify({ metadata: { pad: 'x'.repeat(1024 * 1024) } });
    const res = await call(base, 'POST', '/admin/keys', body);
    expectError(res, 413);
    expect(res.body.error.code).toBe('request_too_large');
  });
});

describe('teams', () => {
  let teamId: string;

  test('create → 201 and a team invalidation', async () => {
    const mark = await delivered();
    const res = await call(base, 'POST', '/admin/teams', {
      name: 'acme',
      kong_consumer: 'acme-consumer',
      max_budget: 100,
      budget_duration: '30d',
      rpm_limit: 600,
      tpm_limit: 1_000_000,
      models: ['gpt-4o-mini', 'gpt-4o'],
      metadata: { owner: 'ops' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      object: 'team',
      name: 'acme',
      kong_consumer: 'acme-consumer',
      max_budget: 100,
      max_budget_nano: 100e9,
      budget_duration: '30d',
      rpm_limit: 600,
      tpm_limit: 1_000_000,
      models: ['gpt-4o-mini', 'gpt-4o'],
      cache_mode: 'on',
      cache_ttl_seconds: null,
      metadata: { owner: 'ops' },
    });
    teamId = res.body.id;
    expect(await messagesSince(mark)).toEqual([{ type: 'team', id: teamId }]);
  });

  test('bad input → 400 naming the field', async () => {
    expectError(await call(base, 'POST', '/admin/teams', {}), 400, 'name');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'x', rpm_limit: -1 }), 400, 'rpm_limit');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'x', max_budget: '5' }), 400, 'max_budget');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'x', budget_duration: '1mo' }), 400, 'budget_duration');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'x', models: 'gpt-4o' }), 400, 'models');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'x', metadata: [] }), 400, 'metadata');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'x', max_budgte: 5 }), 400, 'max_budgte');
    expectError(await call(base, 'POST', '/admin/teams', []), 400, null);
    for (const cache_mode of ['semantic', 'ON', '', null, true, 1, ['off']]) {
      expectError(await call(base, 'POST', '/admin/teams', { name: 'x', cache_mode }), 400, 'cache_mode');
    }
    for (const cache_ttl_seconds of [0, -1, 1.5, 2_592_001, '60', true, {}]) {
      expectError(await call(base, 'POST', '/admin/teams', { name: 'x', cache_ttl_seconds }), 400, 'cache_ttl_seconds');
    }
    expect((await call(base, 'GET', '/admin/teams/x')).status).toBe(404);
  });

  test('duplicate name or consumer → 409', async () => {
    expectError(await call(base, 'POST', '/admin/teams', { name: 'acme' }), 409, 'name');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'acme2', kong_consumer: 'acme-consumer' }), 409, 'kong_consumer');
  });

  test('list, info, update', async () => {
    const list = await call(base, 'GET', '/admin/teams?limit=10');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ object: 'list', total: 1, limit: 10, offset: 0, has_more: false });
    expect(list.body.data[0].id).toBe(teamId);
    expectError(await call(base, 'GET', '/admin/teams?limit=0'), 400, 'limit');

    const info = await call(base, 'GET', `/admin/teams/${teamId}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ id: teamId, spend: 0, remaining_budget: 100, key_count: 0, budget_window_end: expect.any(String) });

    const mark = await delivered();
    const upd = await call(base, 'PATCH', `/admin/teams/${teamId}`, { rpm_limit: 60, metadata: { owner: 'dev' } });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ rpm_limit: 60, metadata: { owner: 'dev' }, name: 'acme', budget_anchor: info.body.budget_anchor });
    expect(await messagesSince(mark)).toEqual([{ type: 'team', id: teamId }]);
    const moved = await call(base, 'PATCH', `/admin/teams/${teamId}`, { max_budget: 200 });
    expect(moved.body.budget_anchor > info.body.budget_anchor).toBe(true);

    expectError(await call(base, 'PATCH', `/admin/teams/${teamId}`, { name: null }), 400, 'name');
    expectError(await call(base, 'PATCH', `/admin/teams/${teamId}`, { tpm_limit: 1.5 }), 400, 'tpm_limit');
  });

  test("cache settings: created, shown, updated alone (a team invalidation), the TTL cleared back to the route's", async () => {
    const created = await call(base, 'POST', '/admin/teams', { name: 'cached', cache_mode: 'exact', cache_ttl_seconds: 2_592_000 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ cache_mode: 'exact', cache_ttl_seconds: 2_592_000 });
    const id = created.body.id;
    expect((await call(base, 'GET', `/admin/teams/${id}`)).body).toMatchObject({ cache_mode: 'exact', cache_ttl_seconds: 2_592_000 });
    expect((await call(base, 'GET', '/admin/teams?limit=10')).body.data.find((t: { id: string }) => t.id === id)).toMatchObject({ cache_mode: 'exact' });

    const mark = await delivered();
    const off = await call(base, 'PATCH', `/admin/teams/${id}`, { cache_mode: 'off' });
    expect(off.body).toMatchObject({ cache_mode: 'off', cache_ttl_seconds: 2_592_000, budget_anchor: created.body.budget_anchor });
    expect(await messagesSince(mark)).toEqual([{ type: 'team', id }]);
    const mark2 = await delivered();
    expect((await call(base, 'PATCH', `/admin/teams/${id}`, { cache_ttl_seconds: 1 })).body).toMatchObject({ cache_mode: 'off', cache_ttl_seconds: 1 });
    expect(await messagesSince(mark2)).toEqual([{ type: 'team', id }]);
    expect((await call(base, 'PATCH', `/admin/teams/${id}`, { cache_ttl_seconds: null, cache_mode: 'on' })).body).toMatchObject({
      cache_mode: 'on',
      cache_ttl_seconds: null,
    });

    expectError(await call(base, 'PATCH', `/admin/teams/${id}`, { cache_mode: null }), 400, 'cache_mode');
    expectError(await call(base, 'PATCH', `/admin/teams/${id}`, { cache_ttl_seconds: 0 }), 400, 'cache_ttl_seconds');
    expect((await call(base, 'DELETE', `/admin/teams/${id}`)).status).toBe(200);
  });

  test('a team by name: info, update and delete take its name where they take its id', async () => {
    const info = await call(base, 'GET', '/admin/teams/acme');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ id: teamId, name: 'acme' });
    const mark = await delivered();
    const upd = await call(base, 'PATCH', '/admin/teams/acme', { tpm_limit: 2_000_000 });
    expect(upd.body).toMatchObject({ id: teamId, tpm_limit: 2_000_000 });
    expect(await messagesSince(mark)).toEqual([{ type: 'team', id: teamId }]);
    // Names travel percent-encoded in the path.
    const spaced = (await call(base, 'POST', '/admin/teams', { name: 'data science/ml' })).body;
    expect((await call(base, 'GET', `/admin/teams/${encodeURIComponent('data science/ml')}`)).body).toMatchObject({ id: spaced.id });
    const deleted = await call(base, 'DELETE', `/admin/teams/${encodeURIComponent('data science/ml')}`);
    expect(deleted.body).toEqual({ id: spaced.id, object: 'team', deleted: true, revoked_keys: [] });
    expectError(await call(base, 'GET', `/admin/teams/${encodeURIComponent('data science/ml')}`), 404);
  });

  test('unknown team id → 404 on info, update, delete', async () => {
    for (const [method, body] of [['GET'], ['PATCH', { rpm_limit: 1 }], ['DELETE']] as const) {
      expectError(await call(base, method, `/admin/teams/${randomUUID()}`, body), 404);
      expectError(await call(base, method, '/admin/teams/not-a-uuid', body), 404);
    }
  });
});

describe('keys', () => {
  let teamId: string;
  let keyId: string;
  let raw: string;

  beforeAll(async () => {
    teamId = (await call(base, 'POST', '/admin/teams', { name: 'keys-team', models: ['gpt-4o-mini', 'gpt-4o'] })).body.id;
  });

  test('create → 201 with the raw key once; only its hash and prefix are stored', async () => {
    const mark = await delivered();
    const res = await call(base, 'POST', '/admin/keys', {
      team: 'keys-team',
      key_alias: 'ci-bot',
      user_id: 'u-1',
      role: 'user',
      models: ['gpt-4o-mini'],
      model_aliases: { fast: 'gpt-4o-mini' },
      max_budget: 5,
      budget_duration: '30d',
      rpm_limit: 60,
      tpm_limit: 100_000,
      max_parallel_requests: 4,
      duration: '30d',
      metadata: { env: 'ci' },
    });
    expect(res.status).toBe(201);
    raw = res.body.key;
    keyId = res.body.id;
    expect(raw).toMatch(KEY_PATTERN);
    expect(res.body).toMatchObject({
      object: 'key',
      key_prefix: raw.slice(0, 12),
      key_alias: 'ci-bot',
      team_id: teamId,
      team_name: 'keys-team',
      user_id: 'u-1',
      role: 'user',
      models: ['gpt-4o-mini'],
      model_aliases: { fast: 'gpt-4o-mini' },
      max_budget: 5,
      max_budget_nano: 5e9,
      budget_duration: '30d',
      rpm_limit: 60,
      tpm_limit: 100_000,
      max_parallel_requests: 4,
      status: 'active',
      revoked: false,
      metadata: { env: 'ci' },
    });
    expect(Math.abs(new Date(res.body.expires_at).getTime() - (Date.now() + 30 * 86_400_000))).toBeLessThan(10_000);

    const { rows } = await db.pool.query('SELECT * FROM aigw_keys WHERE id = $1', [keyId]);
    expect(rows[0].key_hash).toBe(hashKey(raw));
    expect(rows[0].key_prefix).toBe(raw.slice(0, 12));
    const everything = JSON.stringify((await db.pool.query('SELECT * FROM aigw_keys')).rows);
    expect(everything).not.toContain(raw.slice(8));

    const info = await call(base, 'GET', `/admin/keys/${keyId}`);
    expect(JSON.stringify(info.body)).not.toContain(raw.slice(8));
    expect(info.body.key).toBeUndefined();
    expect(await messagesSince(mark)).toEqual([{ type: 'key', id: keyId, hash: hashKey(raw) }]);
  });

  test('bad input → 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ team: 'no-such-team' }, 'team'],
      [{ role: 'root' }, 'role'],
      [{ models: [1] }, 'models'],
      [{ team: 'keys-team', models: ['claude-3'] }, 'models'],
      [{ model_aliases: { fast: 3 } }, 'model_aliases'],
      [{ max_budget: -1 }, 'max_budget'],
      [{ budget_duration: 'monthly' }, 'budget_duration'],
      [{ rpm_limit: 0 }, 'rpm_limit'],
      [{ tpm_limit: 'many' }, 'tpm_limit'],
      [{ max_parallel_requests: 2.5 }, 'max_parallel_requests'],
      [{ expires_at: 'tomorrow' }, 'expires_at'],
      [{ expires_at: new Date(Date.now() - 1000).toISOString() }, 'expires_at'],
      [{ expires_at: new Date(Date.now() + 1e6).toISOString(), duration: '1d' }, 'duration'],
      [{ duration: '1y' }, 'duration'],
      [{ key_alias: '' }, 'key_alias'],
      [{ user_id: 5 }, 'user_id'],
      [{ metadata: 'x' }, 'metadata'],
      [{ aliases: {} }, 'aliases'],
    ];
    for (const [body, param] of cases) expectError(await call(base, 'POST', '/admin/keys', body), 400, param);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM aigw_keys')).rows[0].n).toBe(1);
  });

  test('duplicate alias → 409', async () => {
    expectError(await call(base, 'POST', '/admin/keys', { key_alias: 'ci-bot' }), 409, 'key_alias');
  });

  test('list filters by team and paginates', async () => {
    await call(base, 'POST', '/admin/keys', { key_alias: 'no-team' });
    await call(base, 'POST', '/admin/keys', { key_alias: 'second', team: teamId });
    const all = await call(base, 'GET', '/admin/keys?limit=2');
    expect(all.body).toMatchObject({ total: 3, limit: 2, has_more: true });
    expect(all.body.data).toHaveLength(2);
    const page2 = await call(base, 'GET', '/admin/keys?limit=2&offset=2');
    expect(page2.body).toMatchObject({ has_more: false });
    expect(page2.body.data).toHaveLength(1);
    const team = await call(base, 'GET', `/admin/keys?team=${teamId}`);
    expect(team.body.data.map((k: { key_alias: string }) => k.key_alias)).toEqual(['ci-bot', 'second']);
    const byName = await call(base, 'GET', '/admin/keys?team=keys-team');
    expect(byName.body.total).toBe(2);
    expect(JSON.stringify(all.body)).not.toMatch(/sk-aigw-[0-9A-Za-z]{40}/);
    expectError(await call(base, 'GET', '/admin/keys?team=nobody'), 400, 'team');
    expectError(await call(base, 'GET', '/admin/keys?offset=-1'), 400, 'offset');
  });

  test('info: spend in the current window and all time, from the ledger', async () => {
    const now = Date.now();
    await insertLedgerRows(db.pool, [
      {
        requestId: randomUUID(),
        keyId,
        teamId,
        userId: 'u-1',
        model: 'gpt-4o-mini',
        provider: 'openai',
        providerModel: 'gpt-4o-mini',
        promptTokens: 100,
        completionTokens: 50,
        cachedTokens: 10,
        reasoningTokens: 0,
        costNano: 1_250_000_000,
        status: 200,
        outcome: 'ok',
        stream: true,
        createdAt: now,
      },
      {
        requestId: randomUUID(),
        keyId,
        teamId,
        userId: 'u-1',
        model: 'gpt-4o',
        provider: 'openai',
        providerModel: 'gpt-4o',
        promptTokens: 5,
        completionTokens: 0,
        cachedTokens: 0,
        reasoningTokens: 0,
        costNano: null,
        status: 200,
        outcome: 'ok',
        stream: false,
        createdAt: now,
      },
      // Before the key existed, i.e. before its budget window: all time only.
      {
        requestId: randomUUID(),
        keyId,
        teamId,
        userId: 'u-1',
        model: 'gpt-4o',
        provider: 'openai',
        providerModel: 'gpt-4o',
        promptTokens: 1,
        completionTokens: 1,
        cachedTokens: 0,
        reasoningTokens: 0,
        costNano: 500_000_000,
        status: 200,
        outcome: 'ok',
        stream: false,
        createdAt: now - 86_400_000,
      },
    ]);
    const info = await call(base, 'GET', `/admin/keys/${keyId}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      spend: 1.75,
      spend_nano: 1_750_000_000,
      window_spend: 1.25,
      window_spend_nano: 1_250_000_000,
      remaining_budget: 3.75,
      remaining_budget_nano: 3_750_000_000,
      requests: 3,
      window_requests: 2,
      cost_unknown_requests: 1,
      last_used_at: null,
    });
    expect(new Date(info.body.budget_window_end).getTime() - new Date(info.body.budget_window_start).getTime()).toBe(30 * 86_400_000);
    expect(info.body.budget_window_start).toBe(info.body.budget_anchor);
  });

  test('update: limits, models, aliases, expiry; a budget change moves the anchor; invalidates', async () => {
    const before = (await call(base, 'GET', `/admin/keys/${keyId}`)).body;
    const mark = await delivered();
    const res = await call(base, 'PATCH', `/admin/keys/${keyId}`, {
      rpm_limit: 120,
      models: ['gpt-4o'],
      model_aliases: { smart: 'gpt-4o' },
      key_alias: 'ci-bot-2',
      expires_at: null,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rpm_limit: 120,
      models: ['gpt-4o'],
      model_aliases: { smart: 'gpt-4o' },
      key_alias: 'ci-bot-2',
      expires_at: null,
      budget_anchor: before.budget_anchor,
      tpm_limit: 100_000,
    });
    expect(await messagesSince(mark)).toEqual([{ type: 'key', id: keyId, hash: hashKey(raw) }]);
    const moved = await call(base, 'PATCH', `/admin/keys/${keyId}`, { max_budget: 10 });
    expect(moved.body.max_budget).toBe(10);
    expect(moved.body.budget_anchor > before.budget_anchor).toBe(true);
    const info = await call(base, 'GET', `/admin/keys/${keyId}`);
    expect(info.body).toMatchObject({ window_spend: 0, remaining_budget: 10, spend: 1.75 });

    expectError(await call(base, 'PATCH', `/admin/keys/${keyId}`, { models: ['claude-3'] }), 400, 'models');
    expectError(await call(base, 'PATCH', `/admin/keys/${keyId}`, { role: 'admin' }), 400, 'role');
    expectError(await call(base, 'PATCH', `/admin/keys/${keyId}`, { key_alias: 'second' }), 409, 'key_alias');
    // Expiring a key now is allowed.
    const expired = await call(base, 'PATCH', `/admin/keys/${keyId}`, { expires_at: new Date(Date.now() - 1000).toISOString() });
    expect(expired.body.status).toBe('expired');
    await call(base, 'PATCH', `/admin/keys/${keyId}`, { expires_at: null });
  });

  test('rotate with grace: new key once; the old one works until the grace ends; both hashes invalidated', async () => {
    await cacheClient.set(KEY_CACHE_PREFIX + hashKey(raw), '{"cached":true}');
    const mark = await delivered();
    const res = await call(base, 'POST', `/admin/keys/${keyId}/rotate`, { grace_period: '1h' });
    expect(res.status).toBe(200);
    const next = res.body.key as string;
    expect(next).toMatch(KEY_PATTERN);
    expect(next).not.toBe(raw);
    expect(res.body).toMatchObject({ id: keyId, key_prefix: next.slice(0, 12) });
    expect(Math.abs(new Date(res.body.previous_key_expires_at).getTime() - (Date.now() + 3_600_000))).toBeLessThan(10_000);
    expect((await findKeyByHash(db.pool, hashKey(raw)))?.id).toBe(keyId);
    expect((await findKeyByHash(db.pool, hashKey(next)))?.id).toBe(keyId);
    const got = await messagesSince(mark);
    expect(got).toEqual(
      expect.arrayContaining([
        { type: 'key', id: keyId, hash: hashKey(raw) },
        { type: 'key', id: keyId, hash: hashKey(next) },
      ]),
    );
    expect(await cacheClient.exists(KEY_CACHE_PREFIX + hashKey(raw))).toBe(0);

    const noGrace = await call(base, 'POST', `/admin/keys/${keyId}/rotate`, {});
    expect(noGrace.status).toBe(200);
    expect(noGrace.body.previous_key_expires_at).toBeNull();
    expect(await findKeyByHash(db.pool, hashKey(next))).toBeNull();
    expect(await findKeyByHash(db.pool, hashKey(raw))).toBeNull();
    raw = noGrace.body.key;

    expectError(await call(base, 'POST', `/admin/keys/${keyId}/rotate`, { grace_period: 'soon' }), 400, 'grace_period');
    expectError(await call(base, 'POST', `/admin/keys/${randomUUID()}/rotate`, {}), 404);
  });

  test('revoke: flagged, invalidated; a revoked key cannot be rotated (409)', async () => {
    const mark = await delivered();
    const res = await call(base, 'POST', `/admin/keys/${keyId}/revoke`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoked: true, status: 'revoked', revoked_at: expect.any(String) });
    expect((await findKeyByHash(db.pool, hashKey(raw)))?.revoked).toBe(true);
    expect(await messagesSince(mark)).toEqual([{ type: 'key', id: keyId, hash: hashKey(raw) }]);
    expectError(await call(base, 'POST', `/admin/keys/${keyId}/rotate`, {}), 409);
    expectError(await call(base, 'POST', `/admin/keys/${randomUUID()}/revoke`), 404);
  });

  test('delete: gone, invalidated, ledger kept; unknown ids → 404 everywhere', async () => {
    const mark = await delivered();
    const res = await call(base, 'DELETE', `/admin/keys/${keyId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: keyId, object: 'key', deleted: true });
    expect(await messagesSince(mark)).toEqual([{ type: 'key', id: keyId, hash: hashKey(raw) }]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM aigw_spend_ledger WHERE key_id = $1', [keyId])).rows[0].n).toBe(3);
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
    ] as const) {
      expectError(await call(base, method, `/admin/keys/${keyId}${path}`, method === 'PATCH' ? { rpm_limit: 1 } : undefined), 404);
    }
    expectError(await call(base, 'GET', '/admin/keys/sk-aigw-not-an-id'), 404);
  });

  test('team delete: 409 while unrevoked keys reference it; ?force=true revokes them', async () => {
    const second = (await call(base, 'GET', `/admin/keys?team=${teamId}`)).body.data[0];
    const refused = await call(base, 'DELETE', '/admin/teams/keys-team');
    expectError(refused, 409);
    // The API cannot know whether the CLI or a script called: both ways of forcing are named.
    expect(refused.body.error).toMatchObject({
      code: 'team_in_use',
      message: expect.stringMatching(/1 unrevoked key.*aigw teams delete --force.*\?force=true/),
    });
    const mark = await delivered();
    const res = await call(base, 'DELETE', `/admin/teams/${teamId}?force=true`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deleted: true, revoked_keys: [second.id] });
    const got = await messagesSince(mark);
    expect(got).toEqual(
      expect.arrayContaining([
        { type: 'team', id: teamId },
        { type: 'key', id: second.id, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ]),
    );
    const after = await call(base, 'GET', `/admin/keys/${second.id}`);
    expect(after.body).toMatchObject({ revoked: true, team_id: null });
  });
});

describe('numbers and times within what the stores and the budget arithmetic hold', () => {
  let keyId: string;
  let teamId: string;

  beforeAll(async () => {
    keyId = (await call(base, 'POST', '/admin/keys', { key_alias: 'bounds-key' })).body.id;
    teamId = (await call(base, 'POST', '/admin/teams', { name: 'bounds-team' })).body.id;
  });

  test('max_budget: at most $1,000,000 on keys and teams, created or updated; the 400 names the field and the limit', async () => {
    for (const [method, path] of [
      ['POST', '/admin/keys'],
      ['POST', '/admin/teams'],
      ['PATCH', `/admin/keys/${keyId}`],
      ['PATCH', `/admin/teams/${teamId}`],
    ] as const) {
      for (const max_budget of [1_000_000.01, 9_100_000, 1e12]) {
        const body = { max_budget, ...(path === '/admin/teams' ? { name: `too-rich-${max_budget}` } : {}) };
        const res = await call(base, method, path, body);
        expectError(res, 400, 'max_budget');
        expect(res.body.error.message).toMatch(/1,?000,?000/);
      }
    }
    const atLimit = await call(base, 'POST', '/admin/keys', { max_budget: 1_000_000 });
    expect(atLimit.status).toBe(201);
    expect(atLimit.body.max_budget_nano).toBe(1e15);
  });

  test('durations: at most 36500d for budget windows, key lifetimes and grace periods', async () => {
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['POST', '/admin/keys', { budget_duration: '36501d' }, 'budget_duration'],
      ['POST', '/admin/teams', { name: 'long-window', budget_duration: '9999999999s' }, 'budget_duration'],
      ['PATCH', `/admin/keys/${keyId}`, { budget_duration: '5215w' }, 'budget_duration'],
      ['POST', '/admin/keys', { duration: '999999999d' }, 'duration'],
      ['PATCH', `/admin/keys/${keyId}`, { duration: '36501d' }, 'duration'],
      ['POST', `/admin/keys/${keyId}/rotate`, { grace_period: '999999999w' }, 'grace_period'],
      ['POST', `/admin/keys/${keyId}/rotate`, { grace_period: '9999999999d' }, 'grace_period'],
    ];
    for (const [method, path, body, param] of cases) {
      const res = await call(base, method, path, body);
      expectError(res, 400, param);
      expect(res.body.error.message).toContain('36500d');
    }
    expect((await call(base, 'POST', '/admin/keys', { budget_duration: '36500d', duration: '5214w' })).status).toBe(201);
  });

  test('expires_at: from 1970 to the end of year 9999', async () => {
    for (const expires_at of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '0001-01-01', '9999-12-31T23:59:59.999-01:00']) {
      expectError(await call(base, 'PATCH', `/admin/keys/${keyId}`, { expires_at }), 400, 'expires_at');
    }
    const latest = await call(base, 'PATCH', `/admin/keys/${keyId}`, { expires_at: '9999-12-31T23:59:59.999Z' });
    expect(latest.body).toMatchObject({ expires_at: '9999-12-31T23:59:59.999Z', status: 'active' });
    const epoch = await call(base, 'PATCH', `/admin/keys/${keyId}`, { expires_at: '1970-01-01T00:00:00Z' });
    expect(epoch.body).toMatchObject({ status: 'expired' });
    expect((await call(base, 'GET', '/admin/keys?limit=1000')).status).toBe(200);
  });

  test('?limit and ?offset: decimal integers within range', async () => {
    for (const q of ['offset=1e20', 'offset=99999999999', 'offset=1.5', 'offset=0x10', 'offset=', 'limit=1e3', 'limit= 5', 'limit=1001', 'limit=-1']) {
      const param = q.split('=')[0];
      expectError(await call(base, 'GET', `/admin/keys?${q}`), 400, param);
      expectError(await call(base, 'GET', `/admin/teams?${q}`), 400, param);
    }
    const last = await call(base, 'GET', '/admin/keys?offset=2147483647&limit=1000');
    expect(last.body).toMatchObject({ data: [], has_more: false });
  });

  test('/admin/spend: from and to between 1970 and the end of year 9999', async () => {
    for (const q of ['from=0000-01-01', 'from=0001-01-01T00:00:00Z', 'from=1969-12-31T00:00:00Z', 'to=1970-01-01T00:00:00.000%2B00:01']) {
      expectError(await call(base, 'GET', `/admin/spend?group_by=key&${q}`), 400, q.split('=')[0]);
    }
    const whole = await call(base, 'GET', '/admin/spend?group_by=model&from=1970-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z');
    expect(whole.status).toBe(200);
    // A default `from` (30 days before `to`) may fall before 1970: only what was given is checked.
    expect((await call(base, 'GET', '/admin/spend?group_by=model&to=1970-01-02T00:00:00Z')).status).toBe(200);
  });

  test('text PostgreSQL cannot store (NUL, lone UTF-16 surrogates) → 400, never a 500 or a silently altered name', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/admin/keys', { metadata: { note: 'a\u0000b' } }, 'metadata'],
      ['POST', '/admin/keys', { metadata: { '\u0000': 1 } }, 'metadata'],
      ['POST', '/admin/keys', { metadata: { deep: [{ x: 'a\ud800' }] } }, 'metadata'],
      ['POST', '/admin/teams', { name: 'meta', metadata: { k: '\udc00' } }, 'metadata'],
      ['POST', '/admin/keys', { model_aliases: { fast: 'gpt\ud800' } }, 'model_aliases'],
      ['POST', '/admin/keys', { key_alias: 'x\ud800' }, 'key_alias'],
      ['POST', '/admin/teams', { name: 'x', models: ['a\udc00'] }, 'models'],
      ['GET', '/admin/keys?team=%00', undefined, 'team'],
      ['GET', '/admin/keys?team=a%0Ab', undefined, 'team'],
    ];
    for (const [method, path, body, param] of cases) expectError(await call(base, method, path, body), 400, param);
    // Paired surrogates are ordinary characters.
    const emoji = await call(base, 'POST', '/admin/keys', { key_alias: 'rocket-\ud83d\ude80', metadata: { note: '\ud83d\ude80' } });
    expect(emoji.body).toMatchObject({ key_alias: 'rocket-🚀', metadata: { note: '🚀' } });
  });

  test('models and model aliases: bounded lists of printable names', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `m-${i}`);
    expectError(await call(base, 'POST', '/admin/keys', { models: many }), 400, 'models');
    expectError(await call(base, 'POST', '/admin/teams', { name: 'many-models', models: many }), 400, 'models');
    expectError(await call(base, 'POST', '/admin/keys', { models: ['gpt\u0000x'] }), 400, 'models');
    expectError(await call(base, 'POST', '/admin/keys', { model_aliases: Object.fromEntries(many.map((m) => [m, 'gpt-4o'])) }), 400, 'model_aliases');
    expectError(await call(base, 'POST', '/admin/keys', { model_aliases: { ['a'.repeat(201)]: 'gpt-4o' } }), 400, 'model_aliases');
    expectError(await call(base, 'POST', '/admin/keys', { model_aliases: { fast: 'x'.repeat(201) } }), 400, 'model_aliases');
    expectError(await call(base, 'POST', '/admin/keys', { model_aliases: { 'fa\nst': 'gpt-4o' } }), 400, 'model_aliases');
    expect((await call(base, 'POST', '/admin/keys', { models: many.slice(0, 1000) })).status).toBe(201);
  });
});

describe('spend', () => {
  const teamA = randomUUID();
  const keyA = randomUUID();
  const keyB = randomUUID();
  beforeAll(async () => {
    const at = Date.parse('2026-03-10T12:00:00Z');
    const row = (over: object) => ({
      requestId: randomUUID(),
      keyId: keyA,
      teamId: teamA,
      userId: null,
      model: 'm1',
      provider: 'openai',
      providerModel: 'm1',
      promptTokens: 10,
      completionTokens: 20,
      cachedTokens: 1,
      reasoningTokens: 2,
      costNano: 1_000_000,
      status: 200,
      outcome: 'ok',
      stream: false,
      createdAt: at,
      ...over,
    });
    await insertLedgerRows(db.pool, [row({}), row({ model: 'm2' }), row({ keyId: keyB, costNano: null }), row({ createdAt: at + 86_400_000 * 5 })]);
  });

  test('compression and cache savings are summed per group and in the totals; unknown prices add no dollars', async () => {
    const at = Date.parse('2026-04-01T12:00:00Z');
    const saving = (tokens: number, nano: number | null) => ({
      requestId: randomUUID(),
      keyId: keyA,
      teamId: teamA,
      userId: null,
      model: 'm-compressed',
      provider: 'openai',
      providerModel: 'm',
      promptTokens: 10,
      completionTokens: 1,
      cachedTokens: 0,
      reasoningTokens: 0,
      costNano: 5,
      status: 200,
      outcome: 'ok',
      stream: false,
      createdAt: at,
      compressionMethod: 'question_aware',
      compressionTokensSaved: tokens,
      compressionSavedNano: nano,
    });
    const hit = {
      ...saving(0, null),
      compressionMethod: null,
      costNano: 0,
      promptTokens: 0,
      completionTokens: 0,
      outcome: 'cache_hit',
      cacheHit: 'semantic' as const,
      cacheSavedNano: 7_000_000,
    };
    await insertLedgerRows(db.pool, [saving(1200, 3_000_000), saving(800, 2_000_000), saving(50, null), hit]);
    const report = await call(base, 'GET', '/admin/spend?group_by=model&from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z');
    expect(report.body.data).toEqual([expect.objectContaining({ model: 'm-compressed', compression_tokens_saved: 2050, compression_saved_usd: 0.005 })]);
    expect(report.body.totals).toMatchObject({
      compression_tokens_saved: 2050,
      compression_saved_usd: 0.005,
      cache_hits: 1,
      cache_saved_usd: 0.007,
      requests: 4,
    });
  });

  test('group_by key, team and model within [from, to)', async () => {
    const range = 'from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z';
    const byKey = await call(base, 'GET', `/admin/spend?group_by=key&${range}&team_id=${teamA}`);
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({ object: 'spend_report', group_by: 'key', from: '2026-03-10T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' });
    expect(byKey.body.data).toEqual([
      {
        key_id: keyA,
        key_alias: null,
        requests: 2,
        prompt_tokens: 20,
        completion_tokens: 40,
        cached_tokens: 2,
        reasoning_tokens: 4,
        total_tokens: 60,
        cost_usd: 0.002,
        cost_nano: 2_000_000,
        cost_unknown_requests: 0,
        compression_tokens_saved: 0,
        compression_saved_usd: 0,
        cache_hits: 0,
        cache_saved_usd: 0,
      },
      {
        key_id: keyB,
        key_alias: null,
        requests: 1,
        prompt_tokens: 10,
        completion_tokens: 20,
        cached_tokens: 1,
        reasoning_tokens: 2,
        total_tokens: 30,
        cost_usd: 0,
        cost_nano: 0,
        cost_unknown_requests: 1,
        compression_tokens_saved: 0,
        compression_saved_usd: 0,
        cache_hits: 0,
        cache_saved_usd: 0,
      },
    ]);
    expect(byKey.body.totals).toMatchObject({ requests: 3, cost_nano: 2_000_000, cost_unknown_requests: 1 });
    const byModel = await call(base, 'GET', `/admin/spend?group_by=model&${range}&key_id=${keyA}`);
    expect(byModel.body.data.map((r: { model: string; requests: number }) => [r.model, r.requests])).toEqual([
      ['m1', 1],
      ['m2', 1],
    ]);
    // Days: UTC calendar days, oldest first, for one key (the console's spend history).
    const byDay = await call(base, 'GET', `/admin/spend?group_by=day&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&key_id=${keyA}`);
    expect(byDay.body.data.map((r: { day: string; requests: number; cost_nano: number }) => [r.day, r.requests, r.cost_nano])).toEqual([
      ['2026-03-10', 2, 2_000_000],
      ['2026-03-15', 1, 1_000_000],
    ]);
    const byTeam = await call(base, 'GET', `/admin/spend?group_by=team&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&team_id=${teamA}`);
    expect(byTeam.body.data).toEqual([expect.objectContaining({ team_id: teamA, team_name: null, requests: 4, cost_nano: 3_000_000 })]);
  });

  test('the team filter takes a name or an id (an id also after its team was deleted)', async () => {
    const team = (await call(base, 'POST', '/admin/teams', { name: 'spender' })).body;
    const at = Date.parse('2026-03-10T12:00:00Z');
    await insertLedgerRows(db.pool, [
      {
        requestId: randomUUID(),
        keyId: keyA,
        teamId: team.id,
        userId: null,
        model: 'm1',
        provider: 'openai',
        providerModel: 'm1',
        promptTokens: 1,
        completionTokens: 2,
        cachedTokens: 0,
        reasoningTokens: 0,
        costNano: 7,
        status: 200,
        outcome: 'ok',
        stream: false,
        createdAt: at,
      },
    ]);
    const range = 'from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z';
    for (const filter of ['team=spender', `team=${team.id}`, 'team_id=spender', `team_id=${team.id}`]) {
      const res = await call(base, 'GET', `/admin/spend?group_by=team&${range}&${filter}`);
      expect({ filter, data: res.body.data }).toEqual({
        filter,
        data: [expect.objectContaining({ team_id: team.id, team_name: 'spender', requests: 1, cost_nano: 7 })],
      });
    }
    expectError(await call(base, 'GET', '/admin/spend?group_by=team&team=nobody'), 400, 'team');
  });

  test('bad input → 400 naming the field', async () => {
    expectError(await call(base, 'GET', '/admin/spend'), 400, 'group_by');
    expectError(await call(base, 'GET', '/admin/spend?group_by=user'), 400, 'group_by');
    expectError(await call(base, 'GET', '/admin/spend?group_by=key&from=yesterday'), 400, 'from');
    expectError(await call(base, 'GET', '/admin/spend?group_by=key&to=2020-13-45'), 400, 'to');
    expectError(await call(base, 'GET', '/admin/spend?group_by=key&from=2026-02-01&to=2026-01-01'), 400, 'from');
    expectError(await call(base, 'GET', '/admin/spend?group_by=key&key_id=abc'), 400, 'key_id');
    expectError(await call(base, 'GET', '/admin/spend?group_by=key&team_id=abc'), 400, 'team_id');
  });
});

test('with Redis down the write still succeeds; the failure is counted', async () => {
  const logged: Array<[string, Record<string, unknown> | undefined]> = [];
  const capture = { debug() {}, info() {}, warn() {}, error: (msg: string, fields?: Record<string, unknown>) => void logged.push([msg, fields]) };
  const deadInvalidator = new RedisInvalidator('redis://127.0.0.1:1', capture);
  const other = await startControl({ host: '127.0.0.1', port: 0, planSecret: SECRET, pool: db.pool, invalidator: deadInvalidator, log });
  try {
    const res = await call(other.url, 'POST', '/admin/keys', { key_alias: 'while-redis-down' });
    expect(res.status).toBe(201);
    const health = await (await fetch(`${other.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'degraded', database: 'ok', redis: 'down', invalidation_failures: 1, invalidations_pending: 1 });
    expect(logged).toEqual([
      [
        'invalidation not published',
        expect.objectContaining({ failures_total: 1, invalidations: [{ type: 'key', id: res.body.id, hash: hashKey(res.body.key) }] }),
      ],
    ]);
    expect(JSON.stringify(logged)).not.toContain(res.body.key);
  } finally {
    await other.close();
    await deadInvalidator.close();
  }
});
