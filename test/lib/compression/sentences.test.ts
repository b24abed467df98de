import { MAX_SENTENCE, splitSentences } from '../../../lib/compression/sentences';

const sentencesOf = (text: string): string[] => splitSentences(text).map((span) => text.slice(span.start, span.end));

describe('splitSentences', () => {
  test('splits at sentence ends and line breaks, not at abbreviations, initials or decimals', () => {
    const text = 'Dr. Smith met A. Ruiz at 10.30 today. Latency was 3.5 ms, e.g. fast! Next?\nA list item\nAnother one';
    expect(sentencesOf(text)).toEqual(['Dr. Smith met A. Ruiz at 10.30 today.', ' Latency was 3.5 ms, e.g. fast!', ' Next?\n', 'A list item\n', 'Another one']);
  });

  test('spans cover the text exactly and none is longer than MAX_SENTENCE', () => {
    const texts = ['x'.repeat(10_000), `${'word '.repeat(3000)}end.`, '\n\n\n. . . ! ? ...', 'a. b. C. D! e? F'];
    for (const text of texts) {
      const pieces = sentencesOf(text);
      expect(pieces.join('')).toBe(text);
      for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_SENTENCE);
    }
  });

  test('a long run is cut after a space when there is one', () => {
    const pieces = sentencesOf('word '.repeat(1000));
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces.slice(0, -1)) expect(piece.endsWith(' ')).toBe(true);
  });
});
