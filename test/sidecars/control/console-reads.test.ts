/**
 * The console's read routes against seeded ledger and request-log rows on a real PostgreSQL and
 * Redis: overview totals, top lists and series; models from a decK file with routing stats from
 * Redis and recent attempts; guardrail counts; console links; and that each is admin only.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { TargetStats, targetId } from '../../../lib/routing';
import type { LedgerRow } from '../../../lib/store/ledger';
import { insertLedgerRows } from '../../../lib/store/ledger';
import { insertRequestLogRows, type RequestLogRow } from '../../../lib/store/request-log';
import { DeckFileModels } from '../../../sidecars/control/console/gateway-models';
import { browser, type ConsoleFolder, consoleConfig, consoleFolder } from './console-fixture';
import { type ControlUnderTest, startControlUnderTest } from './control-under-test';
import { call, requestLogRow } from './helpers';

let t: ControlUnderTest;
let folder: ConsoleFolder;
let base: string;
let stats: TargetStats;
let statsRedis: Redis;
const t0 = Date.parse('2026-03-01T10:00:00Z');
const H = 3600_000;
let teamA: string;
let teamB: string;
let keyA: string;
let keyB: string;

const ledger = (over: Partial<LedgerRow>): LedgerRow => ({
  requestId: randomUUID(),
  keyId: null,
  teamId: null,
  userId: null,
  model: 'gpt-4o-mini',
  provider: 'openai',
  providerModel: 'gpt-4o-mini',
  promptTokens: 10,
  completionTokens: 5,
  cachedTokens: 0,
  reasoningTokens: 0,
  costNano: 1_000_000,
  status: 200,
  outcome: 'ok',
  stream: false,
  createdAt: t0,
  ...over,
});

const DECK = {
  _format_version: '3.0',
  services: [
    {
      name: 'openai-chat',
      url: 'http://127.0.0.1:8787',
      routes: [{ name: 'chat', paths: ['/v1/chat/completions'] }],
      plugins: [
        {
          name: 'aigw-proxy',
          config: {
            signing_secret: 'x',
            models: [
              {
                name: 'smart',
                targets: [
                  {
                    provider: 'anthropic',
                    base_url: 'https://api.anthropic.com/v1/',
                    model: 'claude-sonnet-4-6',
                    credential: 'ANTHROPIC_API_KEY',
                    priority: 0,
                  },
                  { provider: 'openai', base_url: 'https://api.openai.com/v1', model: 'gpt-4o', credential: 'OPENAI_API_KEY', priority: 1 },
                ],
                fallback_models: ['private'],
              },
              { name: 'private', target: { provider: 'openai', base_url: 'http://10.0.0.5:11434/v1', model: 'llama', pricing: { input: 0.5, output: 1.5 } } },
            ],
          },
        },
      ],
    },
    {
      name: 'anthropic-messages',
      url: 'http://127.0.0.1:8787',
      routes: [
        {
          name: 'messages',
          paths: ['/v1/messages'],
          plugins: [
            {
              name: 'aigw-proxy',
              config: { models: [{ name: 'private', target: { provider: 'openai', base_url: 'http://10.0.0.5:11434/v1', model: 'llama' } }] },
            },
          ],
        },
      ],
    },
  ],
};

beforeAll(async () => {
  folder = consoleFolder();
  const deckFile = join(folder.dir, '..', 'deck.json');
  writeFileSync(deckFile, JSON.stringify(DECK));
  t = await startControlUnderTest({
    console: consoleConfig(folder.dir),
    gatewayModels: new DeckFileModels(deckFile),
    targetStats: (url) => {
      statsRedis = new Redis(url);
      stats = new TargetStats(statsRedis);
      return stats;
    },
  });
  base = t.control.url;
  teamA = (await call(base, 'POST', '/admin/teams', { name: 'alpha' })).body.id;
  teamB = (await call(base, 'POST', '/admin/teams', { name: 'beta' })).body.id;
  keyA = (await call(base, 'POST', '/admin/keys', { team: 'alpha', key_alias: 'a-bot' })).body.id;
  keyB = (await call(base, 'POST', '/admin/keys', { team: 'beta', key_alias: 'b-bot' })).body.id;
  const logRows: RequestLogRow[] = [
    requestLogRow({ createdAt: t0, teamId: teamA, keyId: keyA, durationMs: 100 }),
    requestLogRow({ createdAt: t0 + 10 * 60_000, teamId: teamA, keyId: keyA, durationMs: 200, guardrailActions: 'pii:redact' }),
    requestLogRow({ createdAt: t0 + H, teamId: teamB, keyId: keyB, durationMs: 300, guardrailActions: 'pii:redact,response:secrets:block' }),
    requestLogRow({ createdAt: t0 + H + 1, teamId: teamB, keyId: keyB, status: 502, errorType: 'provider', errorCode: 'upstream_error', durationMs: 400 }),
    requestLogRow({
      createdAt: t0 + 2 * H,
      teamId: teamB,
      keyId: keyB,
      status: 429,
      errorType: 'policy',
      errorCode: 'rate_limit_exceeded',
      durationMs: 1,
      guardrailActions: 'secrets:block',
    }),
    // Outside the range asked for below.
    requestLogRow({ createdAt: t0 + 5 * H, teamId: teamA, keyId: keyA, durationMs: 9999 }),
  ];
  await insertRequestLogRows(t.db.pool, logRows);
  await insertLedgerRows(t.db.pool, [
    ledger({ requestId: logRows[0]!.requestId, teamId: teamA, keyId: keyA, costNano: 1_000_000_000, createdAt: t0, cacheSavedNano: 0 }),
    ledger({
      requestId: logRows[1]!.requestId,
      teamId: teamA,
      keyId: keyA,
      costNano: 500_000_000,
      createdAt: t0 + 10 * 60_000,
      compressionSavedNano: 25_000_000,
    }),
    ledger({
      requestId: logRows[2]!.requestId,
      teamId: teamB,
      keyId: keyB,
      model: 'smart',
      costNano: 3_000_000_000,
      createdAt: t0 + H,
      cacheHit: 'exact',
      cacheSavedNano: 7_000_000_000,
    }),
    ledger({ requestId: randomUUID(), teamId: teamB, keyId: keyB, model: 'private', costNano: null, createdAt: t0 + H + 2 }),
    ledger({ requestId: logRows[5]!.requestId, teamId: teamA, keyId: keyA, costNano: 99_000_000_000, createdAt: t0 + 5 * H }),
  ]);
});

afterAll(async () => {
  statsRedis?.disconnect();
  await t?.close();
  folder?.remove();
});

const range = `since=${new Date(t0).toISOString()}&until=${new Date(t0 + 3 * H).toISOString()}`;

describe('GET /admin/overview', () => {
  test('totals, errors by type, latency percentiles and savings over the range', async () => {
    const res = await call(base, 'GET', `/admin/overview?${range}&bucket=hour`);
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({
      spend: { nano: 4_500_000_000, usd: 4.5 },
      billed_requests: 4,
      unpriced_requests: 1,
      requests: 5,
      errors: 2,
      error_rate: 0.4,
      errors_by_type: { provider: 1, policy: 1 },
      latency_ms: { p50: 200, p95: 380 },
      cache_savings: { nano: 7_000_000_000, usd: 7 },
      compression_savings: { nano: 25_000_000, usd: 0.025 },
    });
  });

  test('top teams, keys and models by spend, named', async () => {
    const { body } = await call(base, 'GET', `/admin/overview?${range}`);
    expect(body.top.teams).toEqual([
      { id: teamB, name: 'beta', spend: { nano: 3_000_000_000, usd: 3 }, requests: 2 },
      { id: teamA, name: 'alpha', spend: { nano: 1_500_000_000, usd: 1.5 }, requests: 2 },
    ]);
    expect(body.top.keys.map((k: { name: string }) => k.name)).toEqual(['b-bot', 'a-bot']);
    expect(body.top.models.map((m: { id: string; spend: { nano: number } }) => [m.id, m.spend.nano])).toEqual([
      ['smart', 3_000_000_000],
      ['gpt-4o-mini', 1_500_000_000],
      ['private', 0],
    ]);
  });

  test('a series with every bucket of the range, empty ones as zeros', async () => {
    const hourly = (await call(base, 'GET', `/admin/overview?${range}&bucket=hour`)).body.series;
    expect(hourly).toEqual([
      { at: '2026-03-01T10:00:00.000Z', requests: 2, errors: 0, spend: { nano: 1_500_000_000, usd: 1.5 } },
      { at: '2026-03-01T11:00:00.000Z', requests: 2, errors: 1, spend: { nano: 3_000_000_000, usd: 3 } },
      { at: '2026-03-01T12:00:00.000Z', requests: 1, errors: 1, spend: { nano: 0, usd: 0 } },
    ]);
    const daily = (await call(base, 'GET', `/admin/overview?since=2026-02-28T00:00:00Z&until=2026-03-02T00:00:00Z&bucket=day`)).body.series;
    expect(daily.map((p: { at: string; requests: number; spend: { nano: number } }) => [p.at, p.requests, p.spend.nano])).toEqual([
      ['2026-02-28T00:00:00.000Z', 0, 0],
      ['2026-03-01T00:00:00.000Z', 6, 103_500_000_000],
    ]);
  });

  test('a team’s or a key’s history: the same numbers for its requests only', async () => {
    const beta = (await call(base, 'GET', `/admin/overview?${range}&team=beta`)).body;
    expect(beta.team_id).toBe(teamB);
    expect(beta.totals).toMatchObject({
      spend: { nano: 3_000_000_000 },
      billed_requests: 2,
      requests: 3,
      errors: 2,
      errors_by_type: { provider: 1, policy: 1 },
    });
    expect(beta.top.teams.map((e: { id: string }) => e.id)).toEqual([teamB]);
    const alpha = (await call(base, 'GET', `/admin/overview?${range}&key=a-bot&bucket=hour`)).body;
    expect(alpha.key_id).toBe(keyA);
    expect(alpha.series.map((p: { requests: number; spend: { nano: number } }) => [p.requests, p.spend.nano])).toEqual([
      [2, 1_500_000_000],
      [0, 0],
      [0, 0],
    ]);
    expect((await call(base, 'GET', `/admin/overview?${range}&team=beta&key=a-bot`)).body.totals.requests).toBe(0);
    expect((await call(base, 'GET', '/admin/overview?team=nobody')).body.error).toMatchObject({ param: 'team', code: 'team_not_found' });
  });

  test('bad ranges and parameters are 400s naming the field', async () => {
    for (const [q, param] of [
      ['bucket=week', 'bucket'],
      [`since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z`, 'since'],
      [`since=2025-01-01T00:00:00Z&until=2026-03-01T00:00:00Z&bucket=hour`, 'since'],
      ['since=yesterday', 'since'],
      ['top=0', 'top'],
      ['model=x', 'model'],
    ]) {
      const res = await call(base, 'GET', `/admin/overview?${q}`);
      expect([q, res.status, res.body.error.param]).toEqual([q, 400, param]);
    }
  });
});

describe('GET /admin/models', () => {
  test('the deck’s model groups, each once with every place, targets with host, price and health', async () => {
    const smart = { provider: 'anthropic', baseUrl: 'https://api.anthropic.com/v1/', model: 'claude-sonnet-4-6' };
    for (let i = 0; i < 6; i++) await stats.recordOutcome(targetId(smart), { ok: false, kind: 'server' });
    await stats.recordLatency(targetId(smart), { ttftMs: 250, perTokenMs: null });
    await insertRequestLogRows(t.db.pool, [
      requestLogRow({
        createdAt: Date.now() - 60_000,
        attempts: [
          { provider: 'anthropic', model: 'claude-sonnet-4-6', result: 'server_error', status: 500, error_type: 'provider', ms: 40 },
          { provider: 'openai', model: 'gpt-4o', result: 'ok', status: 200, error_type: null, ms: 120 },
        ],
      }),
    ]);
    const res = await call(base, 'GET', '/admin/models');
    expect(res.status).toBe(200);
    expect(res.body.source).toContain('deck.json');
    expect(res.body.data.map((g: { name: string }) => g.name)).toEqual(['private', 'smart']);
    const [priv, smartGroup] = res.body.data;
    expect(priv.configured_on).toEqual(['service openai-chat', 'route messages']);
    expect(priv.targets[0]).toMatchObject({
      provider: 'openai',
      model: 'llama',
      base_url_host: '10.0.0.5:11434',
      pricing: { input_per_mtok_usd: 0.5, output_per_mtok_usd: 1.5 },
    });
    expect(smartGroup.fallback_models).toEqual(['private']);
    const [anthropic, openai] = smartGroup.targets;
    expect(anthropic).toMatchObject({ id: targetId(smart), base_url_host: 'api.anthropic.com', priority: 0 });
    expect(anthropic.pricing.input_per_mtok_usd).toBeGreaterThan(0);
    expect(anthropic.health.breaker).toBe('open');
    expect(anthropic.health.latency_ms).toEqual({ ttft: 250, per_token: null });
    expect(anthropic.health.recent).toMatchObject({ attempts: 1, failures: 1, error_rate: 1 });
    expect(openai.health).toMatchObject({ breaker: 'closed', recent: { attempts: 1, failures: 0, error_rate: 0, p50_ms: 120 } });
    // No credential or URL path reaches the answer.
    expect(JSON.stringify(res.body)).not.toMatch(/API_KEY|\/v1/);
  });
});

describe('GET /admin/guardrails/events', () => {
  test('counts by phase, detector and action, and the latest events without any matched text', async () => {
    const res = await call(base, 'GET', `/admin/guardrails/events?${range}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(4);
    expect(res.body.counts).toEqual(
      expect.arrayContaining([
        { phase: 'request', detector: 'pii', action: 'redact', count: 2 },
        { phase: 'request', detector: 'secrets', action: 'block', count: 1 },
        { phase: 'response', detector: 'secrets', action: 'block', count: 1 },
      ]),
    );
    expect(res.body.recent.map((e: { actions: string[] }) => e.actions)).toEqual([['secrets:block'], ['pii:redact', 'response:secrets:block'], ['pii:redact']]);
    expect(res.body.recent[0]).toMatchObject({ key_alias: 'b-bot', team_name: 'beta', status: 429 });
  });
});

describe('GET /admin/console/config', () => {
  test('the links from the environment', async () => {
    const res = await call(base, 'GET', '/admin/console/config');
    expect(res.body).toEqual({
      object: 'console_config',
      kong_manager_url: 'http://127.0.0.1:8002',
      grafana_url: 'http://127.0.0.1:3000',
      trace_url_template: 'http://127.0.0.1:16686/trace/{trace_id}',
    });
  });
});

test('every console read route is admin only', async () => {
  for (const path of ['/admin/overview', '/admin/models', '/admin/guardrails/events', '/admin/console/config', '/admin/audit']) {
    expect((await browser(base, 'GET', path)).status).toBe(401);
  }
});
