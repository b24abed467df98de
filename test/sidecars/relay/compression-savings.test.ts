/** The relay prices what compression removed and counts it beside the bill (usage record, ledger, metrics). */
import type { CompressionReport } from '../../../lib/compression/report';
import { restoreCompressionReport } from '../../../lib/compression/report';
import { TARGET_TIMEOUTS_DEFAULT } from '../../../lib/gateway-defaults';
import type { PlanTarget } from '../../../lib/plan';
import { RelayMetrics } from '../../../sidecars/relay/metrics';
import { compressionSavings } from '../../../sidecars/relay/settlement';
import type { UsageRecord } from '../../../sidecars/relay/usage';

const target = (pricing: PlanTarget['pricing']): PlanTarget => ({
  provider: 'openai',
  baseUrl: 'http://127.0.0.1:1',
  model: 'gpt-4o',
  credential: null,
  timeouts: TARGET_TIMEOUTS_DEFAULT,
  pricing,
});

const compressed: CompressionReport = { methods: ['question_aware', 'structured'], outcome: 'compressed', originalTokens: 3000, compressedTokens: 1000 };

describe('compression savings', () => {
  test('tokens removed at the target input price, rounded down', () => {
    // 2,000 tokens at $2.50 per million = $0.005 = 5,000,000 nano-USD.
    expect(compressionSavings(compressed, target({ input: 2.5, output: 10 }))).toEqual({
      method: 'question_aware+structured',
      outcome: 'compressed',
      tokensSaved: 2000,
      savedNano: 5_000_000,
      ratio: 1000 / 3000,
    });
    // 3 tokens at $0.15 per million = 450 nano-USD; 1 token at $0.0001 = 0.1 nano → 0, never rounded up.
    expect(compressionSavings({ ...compressed, originalTokens: 4, compressedTokens: 1 }, target({ input: 0.15, output: 1 })).savedNano).toBe(450);
    expect(compressionSavings({ ...compressed, originalTokens: 2, compressedTokens: 1 }, target({ input: 0.0001, output: 1 })).savedNano).toBe(0);
  });

  test('unknown price: tokens counted, dollars unknown (null, not 0); failed open saves nothing', () => {
    expect(compressionSavings(compressed, target(null))).toMatchObject({ tokensSaved: 2000, savedNano: null });
    const failed: CompressionReport = { methods: ['llmlingua2'], outcome: 'failed_open', originalTokens: 0, compressedTokens: 0, reason: 'deadline_exceeded' };
    expect(compressionSavings(failed, target({ input: 3, output: 15 }))).toEqual({
      method: 'llmlingua2',
      outcome: 'failed_open',
      tokensSaved: 0,
      savedNano: 0,
    });
  });

  test('a report read back from kong.ctx.shared is sanitised: bad counts become 0, compressed never above original', () => {
    expect(restoreCompressionReport({ methods: ['bm25', 7], outcome: 'compressed', originalTokens: 10, compressedTokens: 99 })).toEqual({
      methods: ['bm25'],
      outcome: 'compressed',
      originalTokens: 10,
      compressedTokens: 10,
    });
    expect(restoreCompressionReport({ outcome: 'other' })).toBeUndefined();
    expect(restoreCompressionReport({ methods: [], outcome: 'compressed', originalTokens: -5, compressedTokens: 1.5 })).toMatchObject({
      originalTokens: 0,
      compressedTokens: 0,
    });
  });

  test('metrics: requests by outcome, tokens saved, dollars saved and the ratio of what was compressed (failed open: none)', async () => {
    const metrics = new RelayMetrics(false);
    const record = (compression: UsageRecord['compression']): UsageRecord => ({
      requestId: 'r',
      endpoint: 'chat.completions',
      model: 'gpt-4o',
      provider: 'openai',
      providerModel: 'gpt-4o',
      stream: false,
      status: 200,
      outcome: 'ok',
      usage: { promptTokens: 1000, completionTokens: 10, totalTokens: 1010, cachedTokens: 0, reasoningTokens: 0 },
      costNano: 100,
      keyId: null,
      teamId: null,
      startedAt: 0,
      firstByteMs: 1,
      durationMs: 2,
      compression,
    });
    metrics.record(record(compressionSavings(compressed, target({ input: 2.5, output: 10 }))));
    metrics.record(
      record(compressionSavings({ methods: ['question_aware', 'structured'], outcome: 'failed_open', originalTokens: 0, compressedTokens: 0 }, target(null))),
    );
    metrics.record(record(undefined));
    const text = await metrics.registry.metrics();
    expect(text).toContain('aigw_compression_requests_total{model="gpt-4o",method="question_aware+structured",outcome="compressed"} 1');
    expect(text).toContain('aigw_compression_requests_total{model="gpt-4o",method="question_aware+structured",outcome="failed_open"} 1');
    expect(text).toContain('aigw_compression_tokens_saved_total{model="gpt-4o",method="question_aware+structured"} 2000');
    expect(text).toContain('aigw_compression_saved_usd_total{model="gpt-4o",method="question_aware+structured",team="",key=""} 0.005');
    // 1000 of 3000 tokens left: one observation, from the compressed request only.
    expect(text).toContain('aigw_compression_ratio_count{model="gpt-4o",method="question_aware+structured"} 1');
    expect(text).toMatch(/aigw_compression_ratio_sum\{model="gpt-4o",method="question_aware\+structured"\} 0\.333/);
  });
});
