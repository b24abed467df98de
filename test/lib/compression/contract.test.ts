import { COMPRESSION_METHODS, runTextMethod, TEXT_METHODS, type TextMethodName } from '../../../lib/compression';
import { countTextTokens } from '../../../lib/tokens';
import { qaSet } from '../../bench/compression-qa';

const METHODS = Object.keys(TEXT_METHODS) as TextMethodName[];
const item = qaSet(1, 1)[0];

describe('the text methods keep the contract', () => {
  test('the registry holds every method but llmlingua2', () => {
    expect(METHODS.sort()).toEqual(COMPRESSION_METHODS.filter((method) => method !== 'llmlingua2').sort());
  });

  test.each(METHODS)('%s: one non-empty output per input segment, in order, and honest token counts', (method) => {
    const segments = [item.context, '', 'Short note: version 2.4.1 is not supported.', '{"a": [1, 2]}'];
    const output = runTextMethod(method, { segments, options: { rate: 0.3, question: item.question } });
    expect(output.segments).toHaveLength(segments.length);
    output.segments.forEach((segment, index) => expect(segment === '').toBe(segments[index] === ''));
    expect(output.originalTokens).toBe(segments.reduce((sum, segment) => sum + countTextTokens(segment), 0));
    expect(output.compressedTokens).toBe(output.segments.reduce((sum, segment) => sum + countTextTokens(segment), 0));
  });

  test.each(['bm25', 'question_aware'] as const)('%s: the budget is rate × original tokens, or targetTokens when given', (method) => {
    for (const rate of [0.5, 0.33, 0.2, 0.05]) {
      const output = runTextMethod(method, { segments: [item.context], options: { rate, question: item.question } });
      // Slack of a few tokens: a kept sentence can join its neighbour differently than in the original.
      expect(output.compressedTokens).toBeLessThanOrEqual(rate * output.originalTokens + 4);
      expect(output.compressedTokens).toBeGreaterThan(0.6 * rate * output.originalTokens);
    }
    const targeted = runTextMethod(method, { segments: [item.context], options: { rate: 0.9, targetTokens: 300, question: item.question } });
    expect(targeted.compressedTokens).toBeLessThanOrEqual(304);
    const whole = runTextMethod(method, { segments: [item.context], options: { rate: 1, question: item.question } });
    expect(whole.segments[0]).toBe(item.context.trim());
  });

  test.each(METHODS)('%s: a rate outside (0, 1] is refused unless targetTokens overrides it', (method) => {
    for (const rate of [0, -1, Number.NaN])
      expect(() => runTextMethod(method === 'structured' ? 'bm25' : method, { segments: ['a b. c d.'], options: { rate } })).toThrow(RangeError);
    expect(() => runTextMethod(method, { segments: ['a b. c d.'], options: { rate: 0, targetTokens: 2 } })).not.toThrow();
    expect(runTextMethod(method, { segments: ['a b. c d.'], options: { rate: 7 } }).segments).toEqual(['a b. c d.']);
  });

  test('an unknown method name is refused', () => {
    expect(() => runTextMethod('llmlingua2' as TextMethodName, { segments: ['x'], options: { rate: 0.5 } })).toThrow(RangeError);
  });
});
