import { chunkTokenRanges } from '../../../../sidecars/inference/llmlingua2/chunks';

const END = new Set(['.', '\n']);

describe('chunkTokenRanges', () => {
  it('keeps a short text whole', () => {
    expect(chunkTokenRanges(['a', 'b', '.'], 512, END)).toEqual([[0, 3]]);
  });

  it('cuts after the last chunk-end token inside the window (max_seq_len - 2 tokens)', () => {
    const tokens = ['a', 'b', '.', 'c', 'd', '.', 'e', 'f', 'g', 'h'];
    // Window of 6 tokens: the last '.' inside it is at index 5.
    expect(chunkTokenRanges(tokens, 8, END)).toEqual([
      [0, 6],
      [6, 10],
    ]);
  });

  it('cuts at the window end when no chunk-end token is inside', () => {
    const tokens = Array.from({ length: 14 }, (_, i) => `t${i}`);
    const ranges = chunkTokenRanges(tokens, 8, END);
    expect(ranges).toEqual([
      [0, 6],
      [6, 12],
      [12, 14],
    ]);
    expect(ranges.every(([s, e]) => e - s <= 6)).toBe(true);
  });

  it('yields nothing for no tokens', () => {
    expect(chunkTokenRanges([], 512, END)).toEqual([]);
  });
});
