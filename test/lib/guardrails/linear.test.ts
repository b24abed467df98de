/**
 * Linear time on adversarial input: every rule detector, the Kong patterns' engine, redaction and
 * the stream scanner, for n and 4n characters (or chunks). Growth must stay under 10× (quadratic
 * work grows 16×). Times are this process's CPU time, best of five each, the two sizes measured in
 * turn, so a busy shared machine weighs on both alike; a pair over the limit is measured again (up
 * to three times) before it fails, so one GC pause does not fail the run.
 */
import { compileLinearPattern, createRedactionSession, createStreamRestorer, createStreamScanner, ruleDetectors } from '../../../lib/guardrails';

const GROWTH_LIMIT = 10;
const NOISE_FLOOR_MS = 2;
const RUNS = 5;
const SMALL = 32 * 1024;

function cpuMs(work: () => void): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

function growth(small: () => void, large: () => void): { smallMs: number; largeMs: number; ratio: number } {
  let last = { smallMs: 0, largeMs: 0, ratio: Infinity };
  for (let attempt = 0; attempt < 3 && last.ratio >= GROWTH_LIMIT; attempt++) {
    let [smallMs, largeMs] = [Infinity, Infinity];
    for (let i = 0; i < RUNS; i++) {
      smallMs = Math.min(smallMs, cpuMs(small));
      largeMs = Math.min(largeMs, cpuMs(large));
    }
    last = { smallMs, largeMs, ratio: largeMs / Math.max(smallMs, NOISE_FLOOR_MS) };
  }
  return last;
}

const filled = (length: number, chunk: string): string => chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length);

let seed = 7;
const randomBase64 = (length: number): string => {
  let out = '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out += alphabet[(seed >>> 16) % 64];
  }
  return out;
};
const randomDigitRuns = (length: number): string => {
  let out = '';
  while (out.length < length) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out += `+1 ${String(seed).padStart(10, '7').slice(0, 10)} `;
  }
  return out.slice(0, length);
};

/** Inputs aimed at each detector's loops and regexes. */
const ADVERSARIAL: Record<string, (n: number) => string> = {
  'one letter': (n) => 'a'.repeat(n),
  spaces: (n) => ' '.repeat(n),
  digits: (n) => '7'.repeat(n),
  'digit groups': (n) => filled(n, '4 '),
  'phone-like runs, all different': randomDigitRuns,
  'at signs': (n) => filled(n, 'a@'),
  'dotted domain': (n) => 'x@' + filled(n, 'a.'),
  'key prefixes': (n) => filled(n, 'sk-'),
  'key prefix then a long body': (n) => 'sk-' + 'a'.repeat(n),
  'JWT-like headers': (n) => filled(n, 'eyJ-'),
  'JWT-like parts': (n) => filled(n, 'eyJhbGciOiJIUzI1NiJ9.'),
  'PEM headers without END': (n) => filled(n, '-----BEGIN PRIVATE KEY-----\n'),
  'AWS cues': (n) => filled(n, 'aws_secret_access_key '),
  'random base64': randomBase64,
  'IBAN-like': (n) => filled(n, 'DE89 '),
  'IPv6-like': (n) => filled(n, '::a'),
  'dotted numbers': (n) => filled(n, '1.1.1.1.'),
  'titles and names': (n) => filled(n, 'Mr Aaaa '),
  'first names': (n) => filled(n, 'John '),
  'street numbers': (n) => filled(n, '1 Aaaa '),
  'DOB cues': (n) => filled(n, 'born 1/1/1990 '),
  'SSN cues': (n) => filled(n, 'ssn 536221987 '),
  'injection phrases': (n) => filled(n, 'ignore all previous '),
  'spaced letters': (n) => filled(n, 'i g n o r e '),
  'zero-width and look-alikes': (n) => filled(n, 'і\u200bg'),
  'chat delimiters': (n) => filled(n, '<|im_start|>'),
  hashes: (n) => filled(n, '#'),
};

describe('rule detectors take linear time on adversarial input', () => {
  const detectors = ruleDetectors({ pii: { defaultCountry: 'US' } });
  it.each(Object.keys(ADVERSARIAL))('%s', (name) => {
    const make = ADVERSARIAL[name]!;
    const [small, large] = [make(SMALL), make(4 * SMALL)];
    const result = growth(
      () => detectors.forEach((d) => d.detect(small)),
      () => detectors.forEach((d) => d.detect(large)),
    );
    expect({ name, ...result, linear: result.ratio < GROWTH_LIMIT }).toMatchObject({ linear: true });
  });
});

describe('the rest of the library takes linear time too', () => {
  it('Kong patterns on the linear engine, with patterns that backtrack catastrophically elsewhere', () => {
    const patterns = ['(a*)*b', '(a|aa)+$', '.*a.*b.*c', '(?i)(x+x+)+y'].map(compileLinearPattern);
    const [small, large] = ['a'.repeat(SMALL), 'a'.repeat(4 * SMALL)];
    const result = growth(
      () => patterns.forEach((p) => p.test(small)),
      () => patterns.forEach((p) => p.test(large)),
    );
    expect(result.ratio).toBeLessThan(GROWTH_LIMIT);
  });

  it('redaction and restoration with a finding every few characters', () => {
    const run = (n: number) => () => {
      const text = filled(n, 'ab ');
      const findings = Array.from({ length: n / 3 }, (_, i) => ({ detector: 'pii' as const, type: 'email', start: i * 3, end: i * 3 + 2 }));
      const session = createRedactionSession();
      const redacted = session.redact(text, findings);
      const restorer = createStreamRestorer(session.restorations);
      for (let at = 0; at < redacted.length; at += 7) restorer.push(redacted.slice(at, at + 7));
      restorer.end();
    };
    expect(growth(run(SMALL / 4), run(SMALL)).ratio).toBeLessThan(GROWTH_LIMIT);
  });

  it('the stream scanner: constant work per chunk, however long the stream', () => {
    const detectors = ruleDetectors({ pii: { defaultCountry: 'US' } });
    const run = (chunks: number) => () => {
      const scanner = createStreamScanner(detectors);
      for (let i = 0; i < chunks; i++) scanner.push('sk-abcdef');
    };
    expect(growth(run(500), run(2000)).ratio).toBeLessThan(GROWTH_LIMIT);
  });
});
