/**
 * Linear time on adversarial input: for n and 4n characters the time must grow about 4× (a
 * quadratic step would grow 16×; the limit is 10× to absorb cache effects on 8 MB strings), and a
 * 4 MB body must stay under an absolute ceiling. Times are this process's CPU time, not the
 * clock's, so what other processes on a shared machine take does not count; the two sizes are
 * measured in turn, best of three each after one warm-up, so a busy moment weighs on both alike;
 * a pair that still grows too much (a GC pause) is measured again, up to three times, before it fails.
 */
import { estimatePromptTokens, promptShape, promptTokenBound } from '../../../lib/tokens';
import { countTextTokens, forEachPiece } from '../../../lib/tokens/o200k';
import { seeded } from './generators';

const MB = 1 << 20;
/** Measured on the 2-core development machine: 2–25 ms; the ceiling leaves room for CI. */
const CEILING_4MB_MS = 250;
const GROWTH_LIMIT = 10;
const JSON_CEILING_MS = 500;
/** Below this, timer and GC noise dominate: ratios are taken against at least this much. */
const NOISE_FLOOR_MS = 2;

/** Milliseconds of CPU this process spent on `work` (user and system). */
function cpuMs(work: () => void): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * How much more the large work costs than the small, best of `runs` each, measured in turn; a
 * pair at or above `limit` is measured again (up to three times) before the growth counts as real.
 */
function growth(runs: number, small: () => void, large: () => void, limit = GROWTH_LIMIT): { smallMs: number; largeMs: number; ratio: number } {
  let last = { smallMs: 0, largeMs: 0, ratio: Infinity };
  for (let attempt = 0; attempt < 3 && last.ratio >= limit; attempt++) {
    const { smallMs, largeMs } = bestOfEach(runs, small, large);
    last = { smallMs, largeMs, ratio: largeMs / Math.max(smallMs, NOISE_FLOOR_MS) };
  }
  return last;
}

/** The best of `runs` for each of two pieces of work, measured in turn. */
function bestOfEach(runs: number, small: () => void, large: () => void): { smallMs: number; largeMs: number } {
  let [smallMs, largeMs] = [Infinity, Infinity];
  for (let i = 0; i < runs; i++) {
    smallMs = Math.min(smallMs, cpuMs(small));
    largeMs = Math.min(largeMs, cpuMs(large));
  }
  return { smallMs, largeMs };
}

/** `length` UTF-16 units of `chunk` repeated (never ending inside a surrogate pair). */
function filled(length: number, chunk: string): string {
  const text = chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length);
  return /[\ud800-\udbff]$/.test(text) ? text.slice(0, -1) + 'x' : text;
}

const rand = seeded(42);
const randomCjk = (length: number): string => String.fromCharCode(...Array.from({ length }, () => 0x4e00 + Math.floor(rand() * 20000)));
const randomBase64 = (length: number): string =>
  Buffer.from(Array.from({ length: Math.ceil((length * 3) / 4) }, () => Math.floor(rand() * 256)))
    .toString('base64')
    .slice(0, length);

/** Adversarial text of a given length; `fresh` text is random throughout (no repeated chunk). */
const ADVERSARIAL: Record<string, (length: number, fresh?: boolean) => string> = {
  'one letter': (n) => 'a'.repeat(n),
  spaces: (n) => ' '.repeat(n - 1) + 'x',
  punctuation: (n) => '!'.repeat(n),
  digits: (n) => '7'.repeat(n),
  'combining marks': (n) => filled(n, 'e\u0301\u0327\u0300'),
  'emoji ZWJ sequences': (n) => filled(n, '👨‍👩‍👧‍👦🇫🇷'),
  'mixed case': (n) => filled(n, 'aBcD'),
  base64: (n, fresh) => (fresh ? randomBase64(n) : filled(n, randomBase64(64 * 1024))),
  CJK: (n, fresh) => (fresh ? filled(n, Array.from({ length: Math.ceil(n / 4096) }, () => randomCjk(4096)).join('')) : filled(n, randomCjk(16 * 1024))),
  'NFKC expansion': (n) => '\uFDFA'.repeat(n),
  'whitespace runs': (n) => filled(n, ' \t\n\r\n\u3000'),
};

function chat(text: string): Record<string, unknown> {
  return { model: 'm', messages: [{ role: 'user', content: text }] };
}

function admission(body: Record<string, unknown>): void {
  promptTokenBound(promptShape(body, 'chat.completions'), { provider: 'openai', contextWindow: 128_000 });
  estimatePromptTokens(body);
}

describe('bound and estimate of a request body: linear, 4 MB under the ceiling', () => {
  for (const [name, make] of Object.entries(ADVERSARIAL)) {
    it(name, () => {
      const small = chat(make(MB));
      const large = chat(make(4 * MB));
      admission(small);
      const { largeMs, ratio } = growth(
        3,
        () => admission(small),
        () => admission(large),
      );
      expect(largeMs).toBeLessThan(CEILING_4MB_MS);
      expect(ratio).toBeLessThan(GROWTH_LIMIT);
    });
  }

  it('a JSON-heavy body: tools with 400,000 tiny values (2 MB), and nesting 100,000 deep', () => {
    const values = (count: number) => ({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 't', parameters: { enum: Array.from({ length: count }, (_, i) => (i % 2 ? i : 'x')) } } }],
    });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const nested = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [deep] };
    const small = values(100_000);
    const large = values(400_000);
    admission(small);
    const { largeMs, ratio } = growth(
      3,
      () => admission(small),
      () => admission(large),
    );
    // About 50 ns a value in plain Node (test/bench/tokens.ts); several times that inside Jest's VM.
    expect(largeMs).toBeLessThan(JSON_CEILING_MS);
    expect(ratio).toBeLessThan(GROWTH_LIMIT);
    expect(() => admission(nested)).not.toThrow();
    expect(promptShape(nested, 'chat.completions').textTokens).toBeGreaterThan(100_000);
  });
});

describe('o200k pieces and counts of generated text: linear', () => {
  const KB = 1024;
  for (const [name, make] of Object.entries(ADVERSARIAL)) {
    it(name, () => {
      // Different text for each size, so a warm piece cache cannot flatter the larger one.
      const small = make(64 * KB, true);
      const large = make(256 * KB, true);
      const split = growth(
        2,
        () => forEachPiece(small, () => undefined),
        () => forEachPiece(large, () => undefined),
      );
      expect(split.ratio).toBeLessThan(GROWTH_LIMIT);
      const count = growth(
        1,
        () => countTextTokens(small),
        () => countTextTokens(large),
      );
      expect(count.ratio).toBeLessThan(GROWTH_LIMIT);
      // gpt-tokenizer alone took 14.6 s on 200,000 spaces and an "x", and 2.25 s on 100 KB of letters.
      expect(count.largeMs).toBeLessThan(1500);
    });
  }
});
