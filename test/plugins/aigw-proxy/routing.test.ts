import type Redis from 'ioredis';
import { type AiProxyConfig, compileModels } from '../../../plugins/aigw-proxy/config';
import { routeTargets } from '../../../plugins/aigw-proxy/routing';

const target = (model: string) => ({
  provider: 'openai' as const,
  base_url: 'https://api.openai.com/v1',
  model,
  credential: 'OPENAI_API_KEY',
  weight: 1,
  priority: 0,
});
const config = (models: AiProxyConfig['models']): AiProxyConfig => ({
  relay_url: 'http://127.0.0.1:8787',
  signing_secret: 's'.repeat(32),
  plan_ttl_seconds: 30,
  require_key: true,
  max_request_body_bytes: 1024,
  models,
});

/** A Redis any use of which fails the test: one target needs no shared stats. */
const untouchable = new Proxy(
  {},
  {
    get: (_, name) => {
      throw new Error(`redis.${String(name)} used`);
    },
  },
) as unknown as Redis;
const input = { requestId: 'r1', hashKey: null, promptTokens: 10, maxOutputTokens: 16 };

describe('routeTargets', () => {
  const models = compileModels(
    config([
      { name: 'mini', target: target('gpt-4o-mini'), fallback_models: ['pair'] },
      // Two tiers: the fallback's order is fixed, not weighted at random.
      { name: 'pair', targets: [target('a'), { ...target('b'), priority: 1 }] },
    ]),
  );

  it('a one-target model costs no Redis round trip; its fallbacks follow', async () => {
    const route = await routeTargets(models, models.byName.get('mini')!, untouchable, input);
    expect(route.targets.map((t) => t.model)).toEqual(['gpt-4o-mini', 'a', 'b']);
    expect(route.routing).toEqual({ algorithm: 'weighted-round-robin', reason: 'one target: nothing to order' });
  });

  it('a group of several still reads the shared stats', async () => {
    await expect(routeTargets(models, models.byName.get('pair')!, untouchable, input)).rejects.toThrow(/redis\./);
  });
});
