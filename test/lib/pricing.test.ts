import { nanoToUsdString } from '../../lib/money';
import { catalogPrice, costNano, type ModelPrice, worstCaseNano } from '../../lib/pricing';

const mini: ModelPrice = { input: 0.15, output: 0.6, cached_read: 0.075 };

describe('price catalogue', () => {
  it('finds exact names and dated variants, preferring the longest listed name', () => {
    expect(catalogPrice('gpt-4o-mini')?.input).toBe(0.15);
    expect(catalogPrice('gpt-4o-mini-2024-07-18')?.input).toBe(0.15);
    expect(catalogPrice('gpt-4o-2024-08-06')?.input).toBe(2.5);
    expect(catalogPrice('claude-sonnet-4-5-20250929')?.cached_write).toBe(3.75);
  });

  it('returns null for an unknown model rather than a zero price', () => {
    expect(catalogPrice('my-private-finetune')).toBeNull();
  });
});

describe('cost arithmetic in nano-USD', () => {
  it('bills 1M prompt + 1M completion tokens at list price exactly', () => {
    expect(costNano({ promptTokens: 1_000_000, completionTokens: 1_000_000, cachedTokens: 0 }, mini)).toBe(750_000_000);
  });

  it('bills cached prompt tokens at the cached rate', () => {
    // 1000 prompt of which 400 cached: 600*150 + 400*75 = 120000 nano; 100 completion * 600 = 60000.
    expect(costNano({ promptTokens: 1000, completionTokens: 100, cachedTokens: 400 }, mini)).toBe(180_000);
  });

  it('bills cache writes at the write rate and never more cached than prompt tokens', () => {
    const sonnet: ModelPrice = { input: 3, output: 15, cached_read: 0.3, cached_write: 3.75 };
    expect(costNano({ promptTokens: 100, completionTokens: 0, cachedTokens: 20, cacheWriteTokens: 50 }, sonnet)).toBe(30 * 3000 + 20 * 300 + 50 * 3750);
    expect(costNano({ promptTokens: 10, completionTokens: 0, cachedTokens: 50 }, mini)).toBe(10 * 75);
  });

  it("bills Anthropic's 1-hour cache writes at their own rate, 5-minute ones at cached_write, and reserves for the dearer", () => {
    const sonnet: ModelPrice = { input: 3, output: 15, cached_read: 0.3, cached_write: 3.75, cached_write_1h: 6 };
    // 100 prompt: 10 plain, 50 written for 5 minutes, 40 for an hour.
    expect(costNano({ promptTokens: 100, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 90, cacheWrite1hTokens: 40 }, sonnet)).toBe(
      10 * 3000 + 50 * 3750 + 40 * 6000,
    );
    // A 1-hour count above the writes is capped by them; without a 1-hour price they cost cached_write.
    expect(costNano({ promptTokens: 10, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 5, cacheWrite1hTokens: 50 }, sonnet)).toBe(5 * 3000 + 5 * 6000);
    expect(
      costNano({ promptTokens: 10, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 10, cacheWrite1hTokens: 10 }, { ...sonnet, cached_write_1h: null }),
    ).toBe(10 * 3750);
    expect(worstCaseNano(100, 0, sonnet)).toBe(100 * 6000);
    expect(catalogPrice('claude-sonnet-4-6')?.cached_write_1h).toBe(6);
  });

  it('rounds a fractional nano-USD up, never down', () => {
    expect(costNano({ promptTokens: 1, completionTokens: 0, cachedTokens: 0 }, { input: 0.0001, output: 0 })).toBe(1);
  });

  it('makes the worst case at least the cost of any usage within the allowance', () => {
    const worst = worstCaseNano(500, 200, mini);
    for (const [prompt, completion, cached] of [
      [500, 200, 0],
      [500, 200, 500],
      [1, 1, 0],
      [500, 0, 0],
    ]) {
      expect(costNano({ promptTokens: prompt, completionTokens: completion, cachedTokens: cached }, mini)).toBeLessThanOrEqual(worst);
    }
    expect(worstCaseNano(500, 201, mini)).toBeGreaterThan(worst);
  });

  it('formats nano-USD as a USD decimal string', () => {
    expect(nanoToUsdString(180_000)).toBe('0.00018');
    expect(nanoToUsdString(750_000_000)).toBe('0.75');
    expect(nanoToUsdString(0)).toBe('0');
  });
});
