/** The relay's metrics, derived from usage records and attempts, on a real prom-client registry. */
import { Pool } from 'pg';
import { gatewayError } from '../../../lib/errors';
import { createLogger } from '../../../lib/log';
import type { PlanTarget, RoutePlan } from '../../../lib/plan';
import { LedgerWriter } from '../../../lib/store/ledger-writer';
import { answered, failed, wrapAttempt } from '../../../sidecars/relay/attempt-outcome';
import { RelayMetrics, withAttemptMetrics } from '../../../sidecars/relay/metrics';
import type { UsageRecord } from '../../../sidecars/relay/usage';
import { waitFor } from '../../harness/wait-for';

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: 'r1',
    endpoint: 'chat.completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    providerModel: 'gpt-4o-mini',
    stream: true,
    status: 200,
    outcome: 'ok',
    usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120, cachedTokens: 40, cacheWriteTokens: 5, reasoningTokens: 3 },
    costNano: 2_000_000,
    keyId: 'k-1',
    teamId: 't-1',
    teamName: 'search',
    keyAlias: 'ci-bot',
    clientFormat: 'anthropic',
    providerMs: 1500,
    interTokenMs: 20,
    startedAt: 0,
    firstByteMs: 300,
    durationMs: 1600,
    ...overrides,
  };
}

test('a relayed request: requests (ours and Kong’s), tokens by type, cost by team, inter-token, provider time and overhead', async () => {
  const metrics = new RelayMetrics(false, { AIGW_METRICS_KEY_LABEL: 'alias' });
  metrics.record(record());
  metrics.record(record({ outcome: 'upstream_error', status: 503, usage: null, costNano: 0, interTokenMs: null, stream: false }));
  metrics.record(record({ usage: { promptTokens: 7, completionTokens: 2, totalTokens: 9, cachedTokens: 0, reasoningTokens: 0, estimated: true } }));
  const text = await metrics.registry.metrics();
  const who = 'team="search",key="ci-bot"';
  expect(text).toContain(
    `aigw_requests_total{answered_by="relay",route="chat.completions",endpoint="chat.completions",client_format="anthropic",model="gpt-4o-mini",provider="openai",status="200",error_type="",stream="true",${who}} 2`,
  );
  expect(text).toMatch(/aigw_requests_total\{[^}]*status="503",error_type="provider",stream="false"[^}]*\} 1/);
  expect(text).toMatch(/aigw_relay_requests_total\{[^}]*outcome="upstream_error",error_type="provider"\} 1/);
  const tokens = (type: string) => `aigw_relay_tokens_total{model="gpt-4o-mini",provider="openai",${who},type="${type}"}`;
  expect(text).toContain(`${tokens('prompt')} 107`);
  expect(text).toContain(`${tokens('cached_read')} 40`);
  expect(text).toContain(`${tokens('cached_write')} 5`);
  expect(text).toContain(`${tokens('reasoning')} 3`);
  expect(text).toContain(`${tokens('estimated')} 9`);
  expect(text).not.toContain('type="cached"');
  expect(text).toContain(`aigw_relay_cost_usd_total{model="gpt-4o-mini",provider="openai",${who}} 0.004`);
  // Two streams had content gaps: one observation each; the failed one had none.
  expect(text).toContain('aigw_relay_inter_token_seconds_count{model="gpt-4o-mini",provider="openai"} 2');
  expect(text).toContain('aigw_relay_provider_seconds_sum{model="gpt-4o-mini",provider="openai"} 4.5');
  expect(text).toMatch(/aigw_relay_overhead_seconds_sum\{stream="true"\} 0\.2\b/);
  expect(text).toContain(
    'kong_ai_llm_tokens_total{ai_provider="openai",ai_model="gpt-4o-mini",cache_status="",vector_db="",embeddings_provider="",embeddings_model="",workspace="default",token_type="total_tokens"} 129',
  );
  expect(text).toMatch(/kong_ai_llm_requests_total\{ai_provider="openai",[^}]*workspace="default"\} 3/);
});

test('retries, failovers and all targets failed, each attempt with who its failure is on', async () => {
  const metrics = new RelayMetrics(false);
  const target = (provider: string): PlanTarget => ({ provider, model: `${provider}-m` }) as unknown as PlanTarget;
  const plan = { model: 'smart', routing: { algorithm: 'priority', reason: '' } } as unknown as RoutePlan;
  const outcomes = [
    failed({ kind: 'server', error: gatewayError(502, 'x'), outcome: 'upstream_error' }),
    failed({ kind: 'rate_limit', error: gatewayError(429, 'x'), outcome: 'upstream_error' }),
    answered(1, null),
  ];
  const attempt = wrapAttempt(async () => outcomes.shift()!, withAttemptMetrics(metrics, plan));
  await attempt(target('openai'), 0);
  await attempt(target('openai'), 0); // the same target again: a retry
  await attempt(target('anthropic'), 1); // the next one: a failover
  metrics.allTargetsFailed('smart');
  const text = await metrics.registry.metrics();
  expect(text).toContain('aigw_relay_attempts_total{provider="openai",model="openai-m",result="server",error_type="provider"} 1');
  expect(text).toContain('aigw_relay_attempts_total{provider="anthropic",model="anthropic-m",result="ok",error_type=""} 1');
  expect(text).toContain('aigw_relay_retries_total{provider="openai",model="openai-m"} 1');
  expect(text).toContain('aigw_relay_failovers_total{model="smart",from_provider="openai",to_provider="anthropic"} 1');
  expect(text).toContain('aigw_relay_all_targets_failed_total{model="smart"} 1');
});

test('a request without a valid plan is counted as answered by the relay and as an unverified identity', async () => {
  const metrics = new RelayMetrics(false);
  metrics.refused('/v1/chat/completions', gatewayError(401, 'Unauthorized: missing signed route plan. The relay only accepts…', 'invalid_route_plan'));
  metrics.refused('/v1/chat/completions', gatewayError(400, 'bad', 'invalid_json'));
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/aigw_requests_total\{answered_by="relay",[^}]*status="401",error_type="gateway"[^}]*\} 1/);
  expect(text).toMatch(/aigw_requests_total\{answered_by="relay",[^}]*status="400",error_type="caller"[^}]*\} 1/);
  expect(text).toContain('aigw_identity_unverified_total{component="relay",reason="missing"} 1');
});

test('the ledger backlog and its failed writes, from a writer whose PostgreSQL is unreachable', async () => {
  const metrics = new RelayMetrics(false);
  // Nothing listens on port 1: every batch write fails, and the rows stay queued.
  const pool = new Pool({ host: '127.0.0.1', port: 1, user: 'x', database: 'x', connectionTimeoutMillis: 500 });
  const ledger = new LedgerWriter(pool, createLogger('test', 'error'), {
    flushIntervalMs: 10,
    onWriteFailure: () => metrics.ledgerWriteFailed(),
  });
  metrics.watchLedger(() => ledger.pending);
  try {
    ledger.write({ requestId: 'r1' } as never);
    ledger.write({ requestId: 'r2' } as never);
    await waitFor(async () => ((await metrics.registry.metrics()).includes('aigw_ledger_write_failures_total 1') ? true : undefined), 5000, 'a failed write');
    const text = await metrics.registry.metrics();
    expect(text).toContain('aigw_ledger_backlog_rows 2');
    expect(text).toContain('aigw_store_errors_total{component="relay",store="postgres",operation="ledger_write"} 1');
  } finally {
    await ledger.close(0);
    await pool.end();
  }
});

test('request-log rows a full queue dropped are counted, and the count only grows', async () => {
  const metrics = new RelayMetrics(false);
  let dropped = 3;
  metrics.watchRequestLogDrops(() => dropped);
  expect(await metrics.registry.metrics()).toMatch(/^aigw_request_log_dropped_total 3$/m);
  dropped = 5;
  expect(await metrics.registry.metrics()).toMatch(/^aigw_request_log_dropped_total 5$/m);
});
