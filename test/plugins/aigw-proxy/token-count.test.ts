/**
 * aigw-proxy's plan for /v1/messages/count_tokens: nothing is reserved against a budget, however
 * little is left of it, and the targets are ordered without taking a half-open target's probe
 * lease (the relay's counts report nothing back to free it).
 */
import { ANY_MODEL, type RequestIdentity } from '../../../lib/identity';
import type { Endpoint, PlanTarget } from '../../../lib/plan';
import { targetKeys } from '../../../lib/routing/redis-keys';
import { TargetStats } from '../../../lib/routing/target-stats';
import { reserveBudget } from '../../../plugins/aigw-proxy/budget';
import { type AiProxyConfig, compileModels } from '../../../plugins/aigw-proxy/config';
import { routeTargets } from '../../../plugins/aigw-proxy/routing';
import { type RedisFixture, redisFixture } from '../../lib/limits/fixture';

const identity: RequestIdentity = {
  requestId: 'req-count',
  contentLength: 100,
  keyId: 'key-1',
  keyAlias: null,
  role: 'user',
  teamId: null,
  userId: null,
  model: 'claude',
  promptTokensEstimate: 0,
  // One nano-USD: no request fits.
  budgets: [{ kind: 'key', id: 'key-1', maxNano: 1, periodStart: 0, periodEnd: null }],
  rateSubjects: [],
  admittedAt: 0,
  parallelLeaseMs: null,
  models: ANY_MODEL,
};
const claude: PlanTarget = {
  provider: 'anthropic',
  baseUrl: 'https://api.anthropic.com',
  model: 'claude-sonnet-4-6',
  credential: 'ANTHROPIC_API_KEY',
  timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 },
  pricing: { input: 3, output: 15, max_output_tokens: 64000 },
};
const body = { model: 'claude', messages: [{ role: 'user', content: 'How long is this?' }] };
const reserve = (endpoint: Endpoint) =>
  reserveBudget({ redis: null, pool: null }, { requestId: 'req-count', identity, endpoint, targets: [claude], body, now: Date.now() });

describe('budgets', () => {
  it('reserve nothing for a token count, with nothing left of the budget and no Redis to reserve in', async () => {
    const reservation = await reserve('messages.count_tokens');
    expect(reservation).toMatchObject({ ok: true, expiresAt: 0, billing: { keyId: 'key-1', reservedNano: 0, budgets: [] } });
  });

  it('still reserve for the Messages request it counts (which needs the Redis this setup lacks)', async () => {
    await expect(reserve('messages')).rejects.toThrow(/no redis_url/);
  });
});

describe('routing a token count', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await redisFixture();
  });
  afterAll(async () => fx?.close());

  const target = (model: string, priority: number) => ({
    provider: 'anthropic' as const,
    base_url: 'https://api.anthropic.com',
    model,
    credential: 'K',
    priority,
  });
  const config: AiProxyConfig = {
    relay_url: 'http://127.0.0.1:8787',
    signing_secret: 's'.repeat(32),
    plan_ttl_seconds: 30,
    require_key: true,
    max_request_body_bytes: 1024,
    models: [{ name: 'pair', targets: [target('recovering', 0), target('healthy', 1)] }],
  } as AiProxyConfig;
  const models = compileModels(config);
  const group = models.byName.get('pair')!;
  const recovering = group.targets[0].id;

  beforeEach(async () => {
    await fx.redis.flushall();
    // Five failures 31 s ago opened its breaker for 30 s: it is half-open now, waiting for one probe.
    const stats = new TargetStats(fx.redis);
    for (let i = 0; i < 5; i++) await stats.recordOutcome(recovering, { ok: false, kind: 'server', now: Date.now() - 31_000 });
  });

  const input = (probe?: boolean) => ({
    requestId: 'req-route',
    hashKey: null,
    promptTokens: 10,
    maxOutputTokens: null,
    ...(probe === undefined ? {} : { probe }),
  });

  it('takes no probe lease, and tries the half-open target after the healthy one', async () => {
    const route = await routeTargets(models, group, fx.redis, input(false));
    expect(route.targets.map((t) => t.model)).toEqual(['healthy', 'recovering']);
    expect(await fx.redis.exists(targetKeys(recovering).probe)).toBe(0);
  });

  it('where a request that reports back takes the lease and probes first', async () => {
    const route = await routeTargets(models, group, fx.redis, input());
    expect(route.targets.map((t) => t.model)).toEqual(['recovering', 'healthy']);
    expect(await fx.redis.get(targetKeys(recovering).probe)).toBe('req-route');
  });
});
