import { runTextMethod } from '../../../lib/compression';
import { prunableRanges, withoutRanges } from '../../../lib/compression/prune-words';
import { questionAware } from '../../../lib/compression/question-aware';

const pruned = (text: string, keep: string[] = []): string => {
  const ranges = prunableRanges(text, new Set(keep));
  return withoutRanges(text, 0, text.length, ranges, 0).text;
};

describe('question_aware fine pruning', () => {
  test('drops function words and keeps the protected classes', () => {
    const text =
      'The deploy of the build was not rolled back by the team, and it never ran without the flag at 870 ms on 3 March in the Oslo region; ' +
      'see https://status.example.com/the/incident for the notes, run `set the flag` or edit pool.max_size in the_config and the camelCaseName.';
    const out = pruned(text);
    expect(out.length).toBeLessThan(text.length);
    for (const kept of [
      'The deploy',
      'not',
      'never',
      'without',
      '870 ms',
      '3 March',
      'Oslo',
      'https://status.example.com/the/incident',
      '`set the flag`',
      'pool.max_size',
      'the_config',
      'camelCaseName',
    ])
      expect(out).toContain(kept);
    // Outside inline code no "the" is left standing alone.
    expect(out.replace(/`[^`]*`/g, '')).not.toMatch(/ the /);
    expect(out).not.toContain('  ');
  });

  test('keeps quoted strings, code fences and JSON keys word for word', () => {
    const text = 'He said "the answer is in the box" to us.\n```\nif the flag is on: run the job\n```\n{"the": "of the"}';
    const out = pruned(text);
    expect(out).toContain('"the answer is in the box"');
    expect(out).toContain('if the flag is on: run the job');
    expect(out).toContain('{"the": "of the"}');
    expect(out).toContain('He said');
  });

  test("the question's own words are never pruned", () => {
    expect(pruned('It was in the box', ['in'])).toContain(' in ');
  });
});

describe('question_aware coarse ranking', () => {
  const context = [
    'The platform team met on Monday to review the quarter.',
    'Checkout latency stayed at 210 ms for most of the week.',
    'Search latency averaged 95 ms after the index rebuild.',
    'The payments gateway p99 latency reached 1,450 ms on Thursday, which was not acceptable.',
    'Lunch was catered by the usual vendor.',
    'Everyone agreed to revisit alert thresholds.',
  ].join(' ');

  test('keeps the sentence answering the question, with its number and negation', () => {
    const output = runTextMethod('question_aware', { segments: [context], options: { rate: 0.35, question: 'How slow did the payments gateway get at p99?' } });
    expect(output.segments[0]).toContain('1,450 ms');
    expect(output.segments[0]).toContain('not acceptable');
    expect(output.segments[0]).not.toContain('Lunch');
  });

  test('word pruning can be switched off, and then every kept sentence is verbatim', () => {
    const output = questionAware({ pruneWords: false })({ segments: [context], options: { rate: 0.5, question: 'What was the checkout latency?' } });
    for (const sentence of output.segments[0].split(/(?<=\.) /)) expect(context).toContain(sentence);
  });
});
