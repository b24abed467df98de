/**
 * GET /admin/requests and /admin/requests/{id} over real HTTP with a real PostgreSQL: filters by
 * team (name or id), key (alias or id), model, status, error type and time; keyset pages; the
 * ledger's tokens and cost; 400 naming the bad field; 404 for an unknown id; admin only.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../lib/log';
import { insertLedgerRows } from '../../../lib/store/ledger';
import { insertRequestLogRows, type RequestLogRow } from '../../../lib/store/request-log';
import { NoInvalidator } from '../../../sidecars/control/invalidate';
import { MAX_LIMIT } from '../../../sidecars/control/routes/requests';
import { type RunningControl, startControl } from '../../../sidecars/control/server';
import { call, identityHeaders, requestLogRow, SECRET, startMigratedDb, type TestDb } from './helpers';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let db: TestDb;
let control: RunningControl;
let base: string;
let teamId: string;
let keyId: string;
const t0 = Date.parse('2026-03-01T12:00:00Z');
let rows: RequestLogRow[];
const row = (over: Partial<RequestLogRow>): RequestLogRow => requestLogRow({ createdAt: t0, attempts: [], ...over });

beforeAll(async () => {
  db = await startMigratedDb();
  control = await startControl({ host: '127.0.0.1', port: 0, planSecret: SECRET, pool: db.pool, invalidator: new NoInvalidator(), log });
  base = control.url;
  const team = await call(base, 'POST', '/admin/teams', { name: 'research' });
  teamId = team.body.id;
  const key = await call(base, 'POST', '/admin/keys', { team: 'research', key_alias: 'bot' });
  keyId = key.body.id;
  const attempts = [
    { provider: 'openai', model: 'a', result: 'server_error', status: 502, error_type: 'provider', ms: 30 },
    { provider: 'anthropic', model: 'b', result: 'ok', status: 200, error_type: null, ms: 40 },
  ] as RequestLogRow['attempts'];
  rows = [
    row({ createdAt: t0, teamId, keyId, attempts, provider: 'anthropic', providerModel: 'b' }),
    row({ createdAt: t0 + 1000, teamId, keyId, status: 429, errorType: 'policy', errorCode: 'rate_limit_exceeded', answeredBy: 'aigw-virtual-key' }),
    row({
      createdAt: t0 + 2000,
      model: 'claude',
      status: 502,
      errorType: 'provider',
      errorCode: 'upstream_error',
      templateName: 'support',
      templateVersion: 2,
      guardrailActions: 'pii:redact',
    }),
    row({ createdAt: t0 + 3000, teamId, keyId, status: 429, errorType: 'policy', errorCode: 'budget_exceeded', answeredBy: 'aigw-proxy' }),
  ];
  await insertRequestLogRows(db.pool, rows);
  await insertLedgerRows(db.pool, [
    {
      requestId: rows[0]!.requestId,
      keyId,
      teamId,
      userId: null,
      model: 'gpt-4o-mini',
      provider: 'anthropic',
      providerModel: 'b',
      promptTokens: 20,
      completionTokens: 10,
      cachedTokens: 0,
      reasoningTokens: 0,
      costNano: 2_500_000_000,
      status: 200,
      outcome: 'ok',
      stream: false,
      createdAt: t0,
    },
  ]);
});

afterAll(async () => {
  await control?.close();
  await db?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: a JSON body the test inspects freely
const idsOf = (body: any): string[] => body.data.map((r: { request_id: string }) => r.request_id);
const id = (i: number): string => rows[i]!.requestId;

describe('GET /admin/requests', () => {
  test('newest first, with the key alias, team name, attempts, tokens and cost', async () => {
    const res = await call(base, 'GET', '/admin/requests');
    expect(res.status).toBe(200);
    expect(idsOf(res.body)).toEqual([id(3), id(2), id(1), id(0)]);
    expect(res.body.has_more).toBe(false);
    const first = res.body.data[3];
    expect(first).toMatchObject({
      request_id: id(0),
      key_alias: 'bot',
      team_name: 'research',
      provider: 'anthropic',
      attempt_count: 2,
      usage: { prompt_tokens: 20, completion_tokens: 10 },
      cost_usd: 2.5,
      latency_ms: { first_byte: 5, total: 10, provider: 8, overhead: 2 },
    });
    expect(first.attempts.map((a: { result: string }) => a.result)).toEqual(['server_error', 'ok']);
    expect(res.body.data[0]).toMatchObject({ answered_by: 'aigw-proxy', error_type: 'policy', error_code: 'budget_exceeded', usage: null, cost_usd: null });
  });

  test.each([
    ['team=research', [3, 1, 0]],
    [`team_id=${'TEAM'}`, [3, 1, 0]],
    ['key=bot', [3, 1, 0]],
    [`key_id=${'KEY'}`, [3, 1, 0]],
    ['model=claude', [2]],
    ['status=429', [3, 1]],
    ['status=5xx', [2]],
    ['error_type=policy', [3, 1]],
    ['error_type=none', [0]],
    ['team=research&error_type=policy&status=4xx', [3, 1]],
    [`since=${new Date(t0 + 1000).toISOString()}&until=${new Date(t0 + 3000).toISOString()}`, [2, 1]],
  ])('filter %s', async (query, expected) => {
    const q = query.replace('TEAM', teamId).replace('KEY', keyId);
    const res = await call(base, 'GET', `/admin/requests?${q}`);
    expect(res.status).toBe(200);
    expect(idsOf(res.body)).toEqual(expected.map(id));
  });

  test('keyset pages: limit, has_more, next_before', async () => {
    const first = await call(base, 'GET', '/admin/requests?limit=3');
    expect(idsOf(first.body)).toEqual([id(3), id(2), id(1)]);
    expect(first.body).toMatchObject({ has_more: true, next_before: id(1) });
    const second = await call(base, 'GET', `/admin/requests?limit=3&before=${first.body.next_before}`);
    expect(idsOf(second.body)).toEqual([id(0)]);
    expect(second.body).toMatchObject({ has_more: false, next_before: null });
  });

  test.each([
    ['limit=0', 'limit'],
    [`limit=${MAX_LIMIT + 1}`, 'limit'],
    ['limit=ten', 'limit'],
    ['status=42', 'status'],
    ['status=6xx', 'status'],
    ['error_type=user', 'error_type'],
    ['since=yesterday', 'since'],
    ['until=2026-13-01', 'until'],
    [`since=${new Date(t0).toISOString()}&until=${new Date(t0).toISOString()}`, 'since'],
    ['team=nobody', 'team'],
    ['key=nobody', 'key'],
    ['before=unknown-request', 'before'],
    ['colour=red', 'colour'],
  ])('%s: 400 naming %s', async (query, param) => {
    const res = await call(base, 'GET', `/admin/requests?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  test('admin only: no identity, no answer', async () => {
    const res = await call(base, 'GET', '/admin/requests', undefined, {});
    expect(res.status).toBe(401);
    const wrong = await call(base, 'GET', '/admin/requests', undefined, identityHeaders({ role: 'user' }));
    expect([401, 403]).toContain(wrong.status);
  });
});

describe('GET /admin/requests/{id}', () => {
  test('one request in detail; an unknown id is a 404', async () => {
    const res = await call(base, 'GET', `/admin/requests/${id(1)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'request', request_id: id(1), status: 429, error_type: 'policy', error_code: 'rate_limit_exceeded' });
    expect(res.body).toMatchObject({ template: null, guardrail_actions: null });
    const missing = await call(base, 'GET', `/admin/requests/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('request_not_found');
  });

  test('the template and the guardrail actions, and ?template= finds the requests that rendered it', async () => {
    const res = await call(base, 'GET', '/admin/requests?template=support');
    expect(res.status).toBe(200);
    expect(idsOf(res.body)).toEqual([id(2)]);
    expect(res.body.data[0]).toMatchObject({ template: { name: 'support', version: 2 }, guardrail_actions: 'pii:redact' });
    expect(idsOf((await call(base, 'GET', '/admin/requests?template=other')).body)).toEqual([]);
  });
});
