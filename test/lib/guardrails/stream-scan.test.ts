import { createStreamScanner, type Detector, type Finding, STREAM_OVERLAP_DEFAULTS, secretsDetector } from '../../../lib/guardrails';

const key = 'sk-proj-' + 'aB3xY9kLm2Qz7Rt5'.repeat(5);
const answer = `Sure. Here is the config you asked for: OPENAI_API_KEY=${key} — keep it safe.`;
const keyStart = answer.indexOf(key);

const describeFinding = (f: Finding): string => `${f.type}@${f.start}-${f.end}`;

describe('stream scanner', () => {
  it('finds a key split at any point once, at its start in the whole stream, as soon as its format is complete', () => {
    // sk- and 32 key characters make the format; the rest of the key may still be on its way.
    const recognisable = keyStart + 'sk-'.length + 32;
    for (let cut = 1; cut < answer.length; cut++) {
      const scanner = createStreamScanner([secretsDetector({ highEntropy: false })]);
      const first = scanner.push(answer.slice(0, cut));
      const found = [...first, ...scanner.push(answer.slice(cut))];
      expect(found.map((f) => `${f.type}@${f.start}`)).toEqual([`openai_key@${keyStart}`]);
      // Reported by the first push exactly when that chunk already held the whole format.
      expect(first.length).toBe(cut >= recognisable ? 1 : 0);
      // Whole when the key was whole in the window that found it.
      if (cut >= keyStart + key.length + 1 || cut < recognisable) expect(describeFinding(found[0]!)).toBe(`openai_key@${keyStart}-${keyStart + key.length}`);
    }
  });

  it('finds a key arriving in 3-character deltas after a long answer', () => {
    const scanner = createStreamScanner([secretsDetector({ highEntropy: false })]);
    const stream = 'Lorem ipsum dolor sit amet. '.repeat(200) + answer;
    const found: Finding[] = [];
    for (let at = 0; at < stream.length; at += 3) found.push(...scanner.push(stream.slice(at, at + 3)));
    const start = stream.length - answer.length + keyStart;
    expect(found.filter((f) => f.type === 'openai_key').map((f) => f.start)).toEqual([start]);
    expect(scanner.offset).toBe(stream.length);
  });

  it('reads at most the overlap plus the chunk, whatever the stream so far', () => {
    const windows: number[] = [];
    const spy: Detector = {
      name: 'secrets',
      detect: (text) => {
        windows.push(text.length);
        return [];
      },
    };
    const scanner = createStreamScanner([spy]);
    // No whitespace at all: the overlap stretches to its maximum and no further.
    for (let i = 0; i < 2000; i++) scanner.push('abcdefghij');
    expect(Math.max(...windows)).toBeLessThanOrEqual(STREAM_OVERLAP_DEFAULTS.maxOverlap + 10);
    // Prose: the overlap is the context plus the rest of the cut word.
    windows.length = 0;
    const prose = createStreamScanner([spy]);
    for (let i = 0; i < 2000; i++) prose.push('word word ');
    expect(Math.max(...windows)).toBeLessThanOrEqual(STREAM_OVERLAP_DEFAULTS.context + 4 + 10);
  });

  it('does not report a finding again when later windows still see it', () => {
    const scanner = createStreamScanner([secretsDetector()]);
    const found: Finding[] = [];
    for (const ch of answer + ' and more text after it, chunk by chunk.') found.push(...scanner.push(ch));
    const keys = found.filter((f) => f.type === 'openai_key').map((f) => f.start);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
