/**
 * Hostile queries: every guard finishes in time linear in its input. Inside the cap
 * (MAX_GUARD_CHARS) each guard is timed at half and full cap, best of three runs in CPU time of
 * this process (as test/lib/compression/linear.test.ts): twice the input may cost at most three
 * times as long. Past the cap nothing more is read, so 1 MB of digits or 100k negations cost what
 * 4,000 characters do.
 */
import { checkGuards, GUARD_NAMES } from '../../../../lib/semantic-cache/guards';
import { MAX_GUARD_CHARS } from '../../../../lib/semantic-cache/guards/text';
import { bestCpuMs } from '../../../harness/cpu-time';

const MB = 1024 * 1024;
const QUESTION = 'How do I enable streaming from Postgres to Redis before 3.9 without `maxTokens`?';

/** Generators of hostile text of (about) a given length. */
const HOSTILE: Record<string, (size: number) => string> = {
  digits: (size) => '1234567890'.repeat(Math.ceil(size / 10)).slice(0, size),
  'dotted digits': (size) => '1.'.repeat(Math.ceil(size / 2)).slice(0, size),
  'no whitespace': (size) => Array.from({ length: size }, (_, index) => 'aZ9+/._-`$'[index % 10]).join(''),
  'one long word': (size) => 'a'.repeat(size),
  negations: (size) => "not don't never ".repeat(Math.ceil(size / 16)).slice(0, size),
  'distinct words': (size) => Array.from({ length: Math.ceil(size / 7) }, (_, index) => `w${index.toString(36)}x`).join(' '),
  'opposites and prefixes': (size) => 'enable disable unlock lock encode decode import export '.repeat(Math.ceil(size / 56)).slice(0, size),
  'direction markers': (size) => 'a to b from c before d > e instead of f '.repeat(Math.ceil(size / 41)).slice(0, size),
  'identifier shapes': (size) => 'a.b_c dE `x` --f .ts Foo IPv6 '.repeat(Math.ceil(size / 30)).slice(0, size),
  'snake and dots': (size) => 'a_b.'.repeat(Math.ceil(size / 4)).slice(0, size),
  'numbers with units': (size) => '10 GB two hours 5% '.repeat(Math.ceil(size / 19)).slice(0, size),
};

beforeAll(() => {
  // Load WordNet once, outside the timings.
  checkGuards('How do I find large files?', 'How can I locate big files?');
});

describe.each([...GUARD_NAMES])('%s guard on hostile input', (guard) => {
  test.each(Object.keys(HOSTILE))('%s: linear time inside the cap', (name) => {
    const time = (size: number): number => {
      const a = HOSTILE[name](size);
      const b = `${QUESTION} ${HOSTILE[name](size - QUESTION.length - 1)}`;
      return bestCpuMs(() => {
        for (let repeat = 0; repeat < 5; repeat++) {
          checkGuards(a, b, [guard]);
          checkGuards(a, QUESTION, [guard]);
        }
      }, 5);
    };
    time(MAX_GUARD_CHARS / 8);
    const quarter = time(MAX_GUARD_CHARS / 4);
    const full = time(MAX_GUARD_CHARS);
    // Four times the input: linear is about 4×, quadratic 16×; 8× leaves room for a run slowed by a
    // loaded machine (as in test/lib/compression/linear.test.ts). These runs take about a millisecond
    // idle, and CI once measured one at 20 ms (a collection's CPU time counts): 25 ms of slack, which
    // quadratic work at the cap (hundreds of milliseconds) still exceeds.
    expect(full).toBeLessThan(8 * quarter + 25);
    expect(full).toBeLessThan(500);
  });
});

test('1 MB of digits, 1 MB without spaces and 100k negations cost no more than the cap', () => {
  const inputs = [HOSTILE.digits(MB), HOSTILE['no whitespace'](MB), 'not '.repeat(100_000), HOSTILE['distinct words'](MB)];
  for (const input of inputs) {
    const atCap = bestCpuMs(() => checkGuards(input.slice(0, MAX_GUARD_CHARS), QUESTION));
    const whole = bestCpuMs(() => checkGuards(input, QUESTION));
    const both = bestCpuMs(() => checkGuards(input, input));
    expect(whole).toBeLessThan(3 * atCap + 5);
    expect(both).toBeLessThan(100);
  }
});
