/**
 * Hostile inputs: every method finishes in time linear in the input. Each input is timed at two
 * sizes four times apart (best of five runs, CPU time, after a warm-up at the smaller size): linear
 * work takes about 4× as long, quadratic 16×. The bound is 10×: the process's CPU time includes the
 * JIT's and the collector's threads, and CI on a loaded two-core machine measured ratios of up to
 * 9.2× for work that takes 4.2× idle; anything quadratic still fails. The larger run must also
 * finish within a bound generous for such a machine.
 */
import { runTextMethod, TEXT_METHODS, type TextMethodName } from '../../../lib/compression';
import { bestCpuMs } from '../../harness/cpu-time';

const KB = 1024;
const METHODS = Object.keys(TEXT_METHODS) as TextMethodName[];

const HOSTILE: Record<string, (size: number) => string> = {
  'one character': (size) => 'a'.repeat(size),
  'no whitespace': (size) => Array.from({ length: size }, (_, index) => 'aZ9+/.'[index % 6]).join(''),
  'deep JSON': (size) => '['.repeat(size / 2) + ']'.repeat(size / 2),
  'huge JSON array': (size) => JSON.stringify(Array.from({ length: Math.floor(size / 24) }, (_, index) => ({ id: index, ok: index % 3 === 0 }))),
  'short sentences': (size) => 'The cat sat. '.repeat(Math.floor(size / 13)),
  'function words': (size) => 'the of and to '.repeat(Math.floor(size / 14)),
  'one long line of spaces': (size) => `${' '.repeat(size)}x`,
  'stack frames': (size) => '    at f (a.js:1:1)\n'.repeat(Math.floor(size / 20)),
  'path lines': (size) => 'src/lib/a.ts\n'.repeat(Math.floor(size / 13)),
};

describe.each(METHODS)('%s on hostile input', (method) => {
  test.each(Object.keys(HOSTILE))('%s: linear time', (name) => {
    const time = (size: number): number => {
      const text = HOSTILE[name](size);
      return bestCpuMs(() => runTextMethod(method, { segments: [text], options: { rate: 0.3, question: 'what did the cat do in a.js?' } }), 5);
    };
    time(64 * KB);
    const small = time(64 * KB);
    const large = time(256 * KB);
    // Five milliseconds of slack so timer noise and a GC pause on tiny runs cannot fail the ratio.
    expect(large).toBeLessThan(10 * small + 5);
    expect(large).toBeLessThan(1500);
  });
});

test('4 MB of one character and 1 MB without whitespace stay within seconds for every method', () => {
  const inputs = ['a'.repeat(4096 * KB), Array.from({ length: 1024 * KB }, (_, index) => 'aZ9+/.'[index % 6]).join('')];
  for (const method of METHODS)
    for (const text of inputs) {
      const started = performance.now();
      const output = runTextMethod(method, { segments: [text], options: { rate: 0.3, question: 'why?' } });
      expect(performance.now() - started).toBeLessThan(4000);
      expect(output.segments[0].length).toBeGreaterThan(0);
    }
});
