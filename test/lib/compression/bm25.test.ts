import { runTextMethod } from '../../../lib/compression';
import { bm25Scores } from '../../../lib/compression/bm25-score';
import { terms } from '../../../lib/compression/terms';

const SENTENCES = [
  'The quarterly report covers all regions.',
  'Revenue in the north region grew by 12%.',
  'Office plants were watered on Tuesday.',
  'The south region saw flat revenue and rising costs.',
  'Parking rules differ next month.',
  'North region revenue growth came from new customers in Oslo.',
];
const DOCUMENT = SENTENCES.join(' ');

describe('bm25', () => {
  test('scores sentences sharing rarer question terms higher', () => {
    const scores = bm25Scores(
      SENTENCES.map((sentence) => terms(sentence)),
      terms('How did north region revenue change?'),
    );
    const best = scores.indexOf(Math.max(...scores));
    expect([1, 5]).toContain(best);
    expect(scores[2]).toBe(0);
    expect(scores[4]).toBe(0);
  });

  test('keeps the best sentences, in their original order', () => {
    const output = runTextMethod('bm25', { segments: [DOCUMENT], options: { rate: 0.45, question: 'How did north region revenue change?' } });
    const kept = SENTENCES.filter((sentence) => output.segments[0].includes(sentence));
    expect(kept).toContain(SENTENCES[1]);
    expect(kept).toContain(SENTENCES[5]);
    expect(kept).not.toContain(SENTENCES[2]);
    // In reading order: each kept sentence appears after the one before it.
    const positions = kept.map((sentence) => output.segments[0].indexOf(sentence));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  test('without a question the leading sentences are kept', () => {
    const output = runTextMethod('bm25', { segments: [DOCUMENT], options: { rate: 0.35 } });
    expect(output.segments[0].startsWith(SENTENCES[0])).toBe(true);
    expect(output.segments[0]).not.toContain(SENTENCES[5]);
  });
});
