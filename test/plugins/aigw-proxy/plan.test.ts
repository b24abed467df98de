import { type AiProxyConfig, compileModels, type GroupTargetConfig, planTargets } from '../../../plugins/aigw-proxy/config';

/** As Kong delivers a target: a group's weight and priority defaulted (a single target ignores them). */
function t(model: string, extra: Partial<GroupTargetConfig> = {}): GroupTargetConfig {
  return { provider: 'openai', base_url: 'https://api.openai.com/v1/', model, credential: 'OPENAI_API_KEY', timeouts: null, weight: 1, priority: 0, ...extra };
}

function config(models: AiProxyConfig['models']): AiProxyConfig {
  return {
    relay_url: 'http://127.0.0.1:8787',
    signing_secret: 's'.repeat(32),
    plan_ttl_seconds: 30,
    require_key: true,
    redis_url: null,
    database_url: null,
    max_request_body_bytes: 1024,
    models,
  };
}

describe('model groups and plans', () => {
  it('turns a single target into a one-target plan with catalogue prices and trimmed URLs', () => {
    const models = compileModels(config([{ name: 'fast', target: t('gpt-4o-mini') }]));
    const plan = planTargets(models, 'fast');
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', pricing: { input: 0.15 } });
    expect(plan[0]).not.toHaveProperty('weight');
  });

  it('orders priority tiers first, weighted at random within a tier', () => {
    const models = compileModels(
      config([{ name: 'g', targets: [t('b', { priority: 1 }), t('a1', { priority: 0, weight: 3 }), t('a2', { priority: 0, weight: 1 })] }]),
    );
    // random() = 0 picks the first by weight; 0.99 picks the last.
    expect(planTargets(models, 'g', () => 0).map((x) => x.model)).toEqual(['a1', 'a2', 'b']);
    expect(planTargets(models, 'g', () => 0.99).map((x) => x.model)).toEqual(['a2', 'a1', 'b']);
    // Over many draws the heavier target leads about three times in four.
    let a1First = 0;
    for (let i = 0; i < 4000; i++) if (planTargets(models, 'g')[0].model === 'a1') a1First++;
    expect(a1First / 4000).toBeGreaterThan(0.7);
    expect(a1First / 4000).toBeLessThan(0.8);
  });

  it('appends fallback models once each, even when they refer back', () => {
    const models = compileModels(
      config([
        { name: 'smart', target: t('claude', { provider: 'anthropic' }), fallback_models: ['backup', 'smart'] },
        { name: 'backup', targets: [t('gpt-4o')], fallback_models: ['smart'] },
      ]),
    );
    expect(planTargets(models, 'smart').map((x) => x.model)).toEqual(['claude', 'gpt-4o']);
  });

  it('carries retry and failover settings into the plan', () => {
    const models = compileModels(
      config([
        {
          name: 'm',
          target: t('x'),
          retry: { max_retries: 0, base_delay_ms: 1, max_delay_ms: 2, max_retry_after_ms: 3 },
          failover: { on_context_window: false, on_content_policy: true },
        },
      ]),
    );
    expect(models.byName.get('m')!.retry).toEqual({
      maxRetries: 0,
      baseDelayMs: 1,
      maxDelayMs: 2,
      maxRetryAfterMs: 3,
      failoverOnContextWindow: false,
      failoverOnContentPolicy: true,
    });
  });

  it('refuses a model without targets or with an unknown fallback', () => {
    expect(() => compileModels(config([{ name: 'empty' }]))).toThrow(/neither target nor targets/);
    expect(() => compileModels(config([{ name: 'm', target: t('x'), fallback_models: ['nope'] }]))).toThrow(/unknown model nope/);
  });
});
