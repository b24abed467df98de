/**
 * The Unicode facts the prompt bound rests on (lib/tokens/unicode-weights.ts, string-bound.ts),
 * checked over every code point with the runtime's own normalisation, plus adversarial strings.
 */
import { jsonStringBound, NORMALIZATION_BOUNDARY_SLACK, textBound } from '../../../lib/tokens/string-bound';
import { isUnstable, normalizedWeight } from '../../../lib/tokens/unicode-weights';
import { prng } from '../../harness/mock-provider/tokenizer';

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');
const FORMS = ['NFC', 'NFKC', 'NFD', 'NFKD'] as const;
/**
 * What billed tokenizers apply (Claude's legacy tokenizer NFKC, Qwen NFC, the rest none): the
 * bound covers these for any concatenation. NFD/NFKD only for strings normalisation changes.
 */
const COMPOSED_FORMS = ['NFC', 'NFKC'] as const;

function* codePoints(): Generator<number> {
  for (let cp = 0x80; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) yield cp;
}

/** Whether a code point has a non-zero canonical combining class, seen through reordering. */
function isNonStarter(char: string): boolean {
  // ccc ≥ 2 moves before U+0334 (ccc 1); 1 ≤ ccc < 230 moves before U+0301 (ccc 230).
  return (char + '\u0334').normalize('NFD') !== char.normalize('NFD') + '\u0334' || ('\u0301' + char).normalize('NFD') !== '\u0301' + char.normalize('NFD');
}

describe('per-code-point facts, every code point', () => {
  it('a composite that NFC can output is never longer in UTF-8 than its full decomposition', () => {
    const violations: string[] = [];
    for (const cp of codePoints()) {
      const char = String.fromCodePoint(cp);
      const decomposed = char.normalize('NFD');
      if (decomposed !== char && char.normalize('NFC') === char && utf8(char) > utf8(decomposed)) violations.push(cp.toString(16));
    }
    expect(violations).toEqual([]);
  });

  it('every character that can be the second half of a composition, or reorders, is unstable', () => {
    const missed: string[] = [];
    for (const cp of codePoints()) {
      const char = String.fromCodePoint(cp);
      const parts = [...char.normalize('NFD')];
      if (parts.length > 1 && char.normalize('NFC') === char) {
        for (const part of parts.slice(1)) if (!isUnstable(part.codePointAt(0)!)) missed.push(part.codePointAt(0)!.toString(16));
      }
      // parts[0] decomposes no further, so reordering shows its combining class.
      if (isNonStarter(parts[0]) && !isUnstable(cp)) missed.push(cp.toString(16));
    }
    expect([...new Set(missed)]).toEqual([]);
  });

  it('a stable character is its own NFC and NFKC, and grows by at most the boundary slack when decomposed', () => {
    let largestGrowth = 0;
    const underweight: string[] = [];
    for (const cp of codePoints()) {
      const char = String.fromCodePoint(cp);
      for (const form of FORMS) if (normalizedWeight(cp) < utf8(char.normalize(form))) underweight.push(`${cp.toString(16)} ${form}`);
      if (isUnstable(cp)) continue;
      if (char.normalize('NFC') !== char || char.normalize('NFKC') !== char) throw new Error(`U+${cp.toString(16)} is called stable`);
      largestGrowth = Math.max(largestGrowth, utf8(char.normalize('NFD')) - utf8(char));
    }
    expect(underweight).toEqual([]);
    expect(largestGrowth).toBeLessThanOrEqual(NORMALIZATION_BOUNDARY_SLACK);
  });
});

/** Characters that stress normalisation: marks, jamo, compatibility expansions, composites. */
const STRESS = [
  '\uFDFA',
  '\uFDFB',
  'ﬁ',
  'ﬃ',
  '½',
  '㍿',
  '㈱',
  '⑴',
  'Ａ',
  '𝐀',
  '²',
  'ǆ',
  'ẛ',
  'Å',
  'Ω',
  'Å',
  'é',
  'ệ',
  'ǖ',
  '\u0301',
  '\u0323',
  '\u0327',
  '\u0334',
  '\u0344',
  '\u0f73',
  '\u0958',
  '\ufb2c',
  '\u1100',
  '\u1161',
  '\u11a8',
  '한',
  '각',
  'e',
  'a',
  ' ',
  '\u0b47',
  '\u0b3e',
  '\ud834\udd5e',
  '\ud800',
  'x',
];

describe('textBound on adversarial strings', () => {
  const rand = prng(20251201);
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)];
  const randomString = (length: number): string =>
    Array.from({ length }, () => (rand() < 0.1 ? String.fromCodePoint(Math.floor(rand() * 0x2ffff)) : pick(STRESS))).join('');

  it('is at least the UTF-8 size of the text, its NFC and its NFKC, alone and concatenated', () => {
    for (let i = 0; i < 2000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => randomString(Math.floor(rand() * 40)));
      const whole = parts.join('');
      const bound = parts.reduce((sum, part) => sum + textBound(part), 0);
      expect(bound).toBeGreaterThanOrEqual(utf8(whole));
      for (const form of COMPOSED_FORMS) {
        const size = utf8(whole.normalize(form));
        if (bound < size) throw new Error(`${JSON.stringify(parts)}: bound ${bound} < ${form} ${size}`);
      }
      for (const part of parts) expect(jsonStringBound(part)).toBeGreaterThanOrEqual(utf8(JSON.stringify(part)));
    }
  });

  it('covers a composition undone by a following mark (é + U+0323 → ẹ + U+0301 is 5 bytes from 4)', () => {
    expect(utf8('é\u0323'.normalize('NFC'))).toBe(5);
    expect(textBound('é') + textBound('\u0323')).toBeGreaterThanOrEqual(5);
    expect(textBound('é\u0323'.repeat(1000))).toBeGreaterThanOrEqual(utf8('é\u0323'.repeat(1000).normalize('NFC')));
  });

  it('is exact for text normalisation cannot change, and counts U+FDFA at its NFKC size', () => {
    expect(textBound('hello')).toBe(5);
    expect(textBound('日本語のテキスト')).toBe(utf8('日本語のテキスト'));
    expect(textBound('한국어')).toBe(9);
    expect(textBound('\uFDFA')).toBeGreaterThanOrEqual(utf8('\uFDFA'.normalize('NFKC')));
    expect(utf8('\uFDFA'.normalize('NFKC'))).toBe(33);
  });

  it('escapes: a JSON string bound covers \\uXXXX escaping of every non-ASCII character', () => {
    expect(jsonStringBound('a"b')).toBeGreaterThanOrEqual(utf8(JSON.stringify('a"b')));
    expect(jsonStringBound('日本')).toBeGreaterThanOrEqual('"\\u65e5\\u672c"'.length);
    expect(jsonStringBound('😀')).toBeGreaterThanOrEqual('"\\ud83d\\ude00"'.length);
  });
});
