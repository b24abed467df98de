/** The series every process shares (lib/metrics): labels, refusals by policy, plugin timing, Kong's AI series. */
import { Registry } from 'prom-client';
import { gatewayError } from '../../../lib/errors';
import { GatewaySeries, policyOf } from '../../../lib/metrics/gateway-series';
import { KongAiSeries, kongAiLabels } from '../../../lib/metrics/kong-ai';
import { keyLabelMode, modelLabel, routeOfPath, subjectLabels } from '../../../lib/metrics/labels';
import { PluginMetrics } from '../../../lib/metrics/plugin-metrics';

const subject = { teamName: 'search', keyId: 'k-123', keyAlias: 'ci-bot' };

test('the key label is empty unless AIGW_METRICS_KEY_LABEL asks for the alias or the id', () => {
  expect(subjectLabels(subject, keyLabelMode({}))).toEqual({ team: 'search', key: '' });
  expect(subjectLabels(subject, keyLabelMode({ AIGW_METRICS_KEY_LABEL: 'alias' }))).toEqual({ team: 'search', key: 'ci-bot' });
  expect(subjectLabels(subject, keyLabelMode({ AIGW_METRICS_KEY_LABEL: ' ID ' }))).toEqual({ team: 'search', key: 'k-123' });
  expect(keyLabelMode({ AIGW_METRICS_KEY_LABEL: 'everything' })).toBe('off');
  expect(subjectLabels({ teamName: null, keyId: null, keyAlias: null }, 'alias')).toEqual({ team: '', key: '' });
});

test('models outside the configuration and paths outside the endpoints are bounded', () => {
  const configured = new Set(['gpt-4o-mini']);
  expect(modelLabel('gpt-4o-mini', configured)).toBe('gpt-4o-mini');
  expect(modelLabel('my-random-model-8472', configured)).toBe('unknown');
  expect(modelLabel(undefined, configured)).toBe('unknown');
  expect(routeOfPath('/v1/chat/completions/')).toBe('chat.completions');
  expect(routeOfPath('/v1beta/models/gemini-2.0-flash:generateContent')).toBe('generateContent');
  expect(routeOfPath('/v1/models/gpt-4o')).toBe('models');
  expect(routeOfPath('/admin/keys/abc')).toBe('admin');
  expect(routeOfPath('/v1/some/path/9d8f7')).toBe('other');
});

test('the policy of a refusal comes from its code; a rate refusal names its limit', () => {
  expect(policyOf('rate_limit_exceeded', 'tpm')).toBe('tpm');
  expect(policyOf('rate_limit_exceeded')).toBe('rpm');
  expect(policyOf('budget_exceeded')).toBe('budget');
  expect(policyOf('parallel_limit_exceeded')).toBe('parallel');
  expect(policyOf('model_not_allowed')).toBe('model_allowlist');
  expect(policyOf('invalid_api_key')).toBeNull();
  expect(policyOf(null)).toBeNull();
});

test('a plugin counts its answers with error_type, its policy refusals, and the time of each phase', async () => {
  const registry = new Registry();
  const metrics = new PluginMetrics('aigw-virtual-key', registry, { AIGW_METRICS_KEY_LABEL: 'alias' });
  metrics.refused('/v1/chat/completions', gatewayError(401, 'Incorrect API key provided.', 'invalid_api_key'));
  metrics.refused('/v1/messages', gatewayError(429, 'slow down', 'rate_limit_exceeded'), subject, 'tpm');
  metrics.refused('/v1/chat/completions', gatewayError(503, 'down', 'auth_unavailable'), subject);
  await metrics.timed('access', async () => undefined);
  await expect(metrics.timed('access', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  const text = await registry.metrics();
  expect(text).toContain(
    'aigw_requests_total{answered_by="aigw-virtual-key",route="chat.completions",endpoint="chat.completions",client_format="openai",model="unknown",provider="",status="401",error_type="caller",stream="",team="",key=""} 1',
  );
  expect(text).toContain(
    'aigw_requests_total{answered_by="aigw-virtual-key",route="messages",endpoint="messages",client_format="anthropic",model="unknown",provider="",status="429",error_type="policy",stream="",team="search",key="ci-bot"} 1',
  );
  expect(text).toMatch(/aigw_requests_total\{[^}]*status="503",error_type="gateway"[^}]*\} 1/);
  expect(text).toContain('aigw_policy_refusals_total{policy="tpm",team="search",key="ci-bot"} 1');
  expect(text).not.toMatch(/aigw_policy_refusals_total\{policy="[^"]*",team=""/); // a 401 or a 503 is no policy's
  expect(text).toContain('aigw_plugin_duration_seconds_count{plugin="aigw-virtual-key",phase="access"} 2');
  // One set of shared series per registry, whoever asks.
  expect(GatewaySeries.of(registry)).toBe(metrics.series);
});

test("Kong's AI series carry Kong's labels and buckets, and count only what is positive", async () => {
  const registry = new Registry();
  const kong = new KongAiSeries(registry);
  kong.record(kongAiLabels('openai', 'gpt-4o-mini'), { costUsd: 0.25, promptTokens: 10, completionTokens: 0, totalTokens: 10, latencyMs: 1200 });
  kong.record(kongAiLabels('', 'gpt-4o-mini', { cache_status: 'Hit', vector_db: 'redis' }), {
    costUsd: null,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    latencyMs: null,
  });
  const text = await registry.metrics();
  const labels = 'ai_provider="openai",ai_model="gpt-4o-mini",cache_status="",vector_db="",embeddings_provider="",embeddings_model="",workspace="default"';
  expect(text).toContain(`kong_ai_llm_requests_total{${labels}} 1`);
  expect(text).toContain(`kong_ai_llm_cost_total{${labels}} 0.25`);
  expect(text).toContain(`kong_ai_llm_tokens_total{${labels},token_type="prompt_tokens"} 10`);
  expect(text).not.toContain('token_type="completion_tokens"');
  expect(text).toContain(`kong_ai_llm_provider_latency_ms_bucket{le="1000",${labels}} 0`);
  expect(text).toContain(`kong_ai_llm_provider_latency_ms_bucket{le="1500",${labels}} 1`);
  expect(text).toContain(
    'kong_ai_llm_requests_total{ai_provider="",ai_model="gpt-4o-mini",cache_status="Hit",vector_db="redis",embeddings_provider="",embeddings_model="",workspace="default"} 1',
  );
});
