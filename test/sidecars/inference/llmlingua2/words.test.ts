import { tokensToWords, wordsToText } from '../../../../sidecars/inference/llmlingua2/words';

const options = { style: 'wordpiece' as const, forceTokens: new Set<string>(), forceReserveDigit: false, specialTokens: new Set(['[CLS]', '[SEP]', '[UNK]']) };

describe('tokensToWords', () => {
  it('merges ## pieces into words with the mean probability and skips special tokens', () => {
    const r = tokensToWords(['[CLS]', 'walk', '##ing', 'dog', '[UNK]', '[SEP]'], [0, 0.9, 0.1, 0.7, 0.2, 0], options);
    expect(r.words).toEqual(['walking', 'dog']);
    expect(r.probs[0]).toBeCloseTo(0.5, 10);
    expect(r.probs[1]).toBeCloseTo(0.7, 10);
  });

  it('forces force tokens and (with force_reserve_digit) tokens holding a digit to 1, but not in the unforced scores', () => {
    const r = tokensToWords(['cat', 'route', '##66', ','], [0.2, 0.2, 0.2, 0.1], { ...options, forceTokens: new Set([',']), forceReserveDigit: true });
    expect(r.words).toEqual(['cat', 'route66', ',']);
    expect(r.probs).toEqual([0.2, 0.6, 1]);
    expect(r.probsNoForce.map((p) => Number(p.toFixed(6)))).toEqual([0.2, 0.2, 0.1]);
  });

  it('starts a word on a SentencePiece ▁ or a punctuation mark', () => {
    const r = tokensToWords(['▁Hello', 'o', ',', '▁world'], [1, 0, 1, 1], { ...options, style: 'sentencepiece' });
    expect(r.words).toEqual(['▁Helloo', ',', '▁world']);
    expect(wordsToText(r.words, 'sentencepiece')).toBe('Helloo, world');
  });
});

describe('wordsToText', () => {
  it('joins BERT words with spaces', () => {
    expect(wordsToText(['alpha', 'bravo', '.'], 'wordpiece')).toBe('alpha bravo .');
  });
});
