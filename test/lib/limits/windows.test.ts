import { formatResetDuration, retryAfterSeconds } from '../../../lib/limits/headers';
import { budgetWindow, isDuration, parseDuration } from '../../../lib/limits/windows';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['30d', 30 * 86_400_000],
    ['1w', 7 * 86_400_000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '0d', '1mo', '1.5h', '-1h', ' 1h', '1h ', '1H', 'd', '1', '01d', '30 d', '1y', '99999999999d'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
    expect(isDuration(text)).toBe(false);
  });
});

describe('budgetWindow', () => {
  const anchor = '2025-01-01T00:00:00.000Z';
  const a = Date.parse(anchor);
  const day = 86_400_000;

  it('counts fixed-length windows from the anchor', () => {
    expect(budgetWindow(anchor, '30d', a)).toEqual({ start: a, end: a + 30 * day });
    expect(budgetWindow(anchor, '30d', a + 30 * day - 1)).toEqual({ start: a, end: a + 30 * day });
    expect(budgetWindow(anchor, '30d', a + 30 * day)).toEqual({ start: a + 30 * day, end: a + 60 * day });
    expect(budgetWindow(anchor, '1h', a + 5.5 * 3_600_000)).toEqual({ start: a + 5 * 3_600_000, end: a + 6 * 3_600_000 });
  });

  it('null duration is one window from the anchor forever', () => {
    expect(budgetWindow(anchor, null, a + 1000 * day)).toEqual({ start: a, end: null });
  });

  it('a clock before the anchor maps to the first window, not an earlier one', () => {
    expect(budgetWindow(anchor, '1d', a - 5000)).toEqual({ start: a, end: a + day });
  });

  it('rejects bad anchors and durations', () => {
    expect(() => budgetWindow('yesterday', '1d', a)).toThrow(/anchor/);
    expect(() => budgetWindow(anchor, '1 month', a)).toThrow(/duration/);
  });
});

describe('reset duration format (OpenAI / Go style)', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [120, '120ms'],
    [0.4, '1ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1250, '1.25s'],
    [17_280, '17.28s'],
    [360_000, '6m0s'],
    [79_456, '1m19.456s'],
    [3_600_000, '1h0m0s'],
    [3_723_250, '1h2m3.25s'],
  ])('%d ms → %s', (ms, text) => expect(formatResetDuration(ms)).toBe(text));

  it('Retry-After rounds up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(59_970)).toBe(60);
  });
});
