import { countTextTokens } from '../../../../lib/tokens';
import { compressLlmlingua2, type Llmlingua2Options } from '../../../../sidecars/inference/llmlingua2/compress';
import { TableScorer } from './fake-scorer';

const base: Llmlingua2Options = { rate: 0.5, targetTokens: 0, forceTokens: [], forceReserveDigit: false, dropConsecutive: false, useContextLevelFilter: false };
const PROBS = { cat: 0.9, dog: 0.1, sun: 0.8, map: 0.2, tree: 0.95, fish: 0.05, '7': 0.01, ',': 0.3, '.': 0.4 };

const run = (segments: string[], options: Partial<Llmlingua2Options> = {}, scorer = new TableScorer(PROBS)) =>
  compressLlmlingua2(segments, { ...base, ...options }, scorer, countTextTokens);

describe('compressLlmlingua2 with a table scorer', () => {
  it('keeps the words above the percentile threshold at the rate (one o200k token each)', async () => {
    // Threshold = percentile([.1, .2, .8, .9], int(100 * 0.5 + 1) = 51) = 0.518.
    const r = await run(['cat dog sun map']);
    expect(r.segments).toEqual(['cat sun']);
    expect(r).toMatchObject({ originalTokens: 4, compressedTokens: 2 });
  });

  it('turns target_tokens into a rate over the original o200k tokens', async () => {
    const r = await run(['cat dog sun map'], { targetTokens: 1 });
    expect(r.segments).toEqual(['cat']);
  });

  it('keeps every word at rate 1 and returns the text untouched', async () => {
    const r = await run(['cat dog  sun'], { rate: 1 });
    expect(r.segments).toEqual(['cat dog  sun']);
  });

  it('keeps force tokens and, with force_reserve_digit, words holding a digit', async () => {
    // A forced word counts against the budget: [.9, 1, .8, .2] → threshold 0.853.
    expect((await run(['cat dog sun map'], { forceTokens: ['dog'] })).segments).toEqual(['cat dog']);
    expect((await run(['cat 7 sun map fish dog'], { forceReserveDigit: true })).segments).toEqual(['cat 7 sun']);
    expect((await run(['cat 7 sun map fish dog'])).segments).toEqual(['cat sun map']);
  });

  it('drop_consecutive drops a force token repeated with nothing kept between', async () => {
    // Without: [.9, 1, 1, .95] → threshold 0.9765 keeps both commas. With: the second comma
    // follows the first with nothing kept between, scores 0, and the threshold drops to 0.9265.
    expect((await run(['cat , , tree'], { forceTokens: [','] })).segments).toEqual([', ,']);
    expect((await run(['cat , , tree'], { forceTokens: [','], dropConsecutive: true })).segments).toEqual([', tree']);
  });

  it('averages sub-word pieces into one word', async () => {
    const scorer = new TableScorer({ ...PROBS, walk: 0.9, '##ing': 0.7 });
    expect((await run(['walk##ing dog map fish'], {}, scorer)).segments).toEqual(['walking map']);
  });

  it('scores each 510-token chunk on its own and joins the chunks', async () => {
    const scorer = new TableScorer(PROBS, 8);
    const r = await run(['cat dog sun map . tree fish'], {}, scorer);
    expect(scorer.scored).toEqual([
      ['cat', 'dog', 'sun', 'map', '.'],
      ['tree', 'fish'],
    ]);
    expect(r.segments).toEqual(['cat sun tree']);
  });

  it('the context-level filter drops the contexts below the (1 - (rate + 1) / 2) percentile first', async () => {
    const r = await run(['cat sun tree', 'dog fish map', 'sun cat'], { useContextLevelFilter: true, rate: 0.5 });
    expect(r.segments[1]).toBe('');
    expect(r.segments[0]).not.toBe('');
    expect(r.segments[2]).not.toBe('');
    // Without the filter every context keeps some words.
    const plain = await run(['cat sun tree', 'dog fish map', 'sun cat'], { rate: 0.5 });
    expect(plain.segments.every((s) => s.length > 0)).toBe(true);
  });
});
