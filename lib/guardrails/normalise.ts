/**
 * The text the injection rules read: lower-case Latin letters and single spaces, with what attackers
 * use to slip past a phrase list undone — zero-width and format characters removed, compatibility
 * forms folded (NFKC: full-width, mathematical letters), accents stripped, common Cyrillic and
 * Greek look-alikes mapped to Latin, and leetspeak digits read as letters. Each character keeps the
 * offsets of the original character it came from, so findings point into the original text.
 */

import { codeAt, isAsciiLetter, isDigit } from './text';

/** Invisible characters: zero-width space/joiners, marks, word joiner, BOM, soft hyphen, tags. */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|\udb40[\udc00-\udc7f]/;
const COMBINING = /[\u0300-\u036f]/g;

/** Cyrillic and Greek letters that render like Latin ones (a subset of Unicode's confusables). */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ɡ: 'g',
  ı: 'i',
  ℓ: 'l',
};
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

export interface NormalisedText {
  text: string;
  /** For each character of `text`, the [start, end) of the original character it came from. */
  starts: Int32Array;
  ends: Int32Array;
}

function fold(codePoint: string): string {
  const mapped = CONFUSABLES[codePoint.toLowerCase()] ?? codePoint;
  return mapped.normalize('NFKC').normalize('NFD').replace(COMBINING, '').toLowerCase();
}

export function normaliseForRules(original: string): NormalisedText {
  const out: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const emit = (ch: string, start: number, end: number): void => {
    if (ch === ' ' && (out.length === 0 || out[out.length - 1] === ' ')) return;
    out.push(ch);
    starts.push(start);
    ends.push(end);
  };
  let i = 0;
  for (const codePoint of original) {
    const start = i;
    i += codePoint.length;
    const code = codePoint.charCodeAt(0);
    // ASCII (nearly all text) takes the fast path; only the rest is folded through Unicode tables.
    if (code < 128) {
      if (isAsciiLetter(code)) emit(codePoint.toLowerCase(), start, i);
      else {
        const leet = LEET[codePoint];
        // A digit next to a letter is a letter ("1gn0r3"); a symbol only when a word goes on after it ("@ll", not "all!").
        const letterContext = isDigit(code)
          ? isAsciiLetter(codeAt(original, start - 1)) || isAsciiLetter(codeAt(original, i))
          : isAsciiLetter(codeAt(original, i));
        emit(leet !== undefined && letterContext ? leet : ' ', start, i);
      }
      continue;
    }
    if (INVISIBLE.test(codePoint)) continue;
    for (const ch of fold(codePoint)) emit(ch >= 'a' && ch <= 'z' ? ch : ' ', start, i);
  }
  return joinSpacedLetters({ text: out.join(''), starts: Int32Array.from(starts), ends: Int32Array.from(ends) });
}

/** "i g n o r e" → "ignore": three or more single letters in a row, separated by single spaces, are one word. */
function joinSpacedLetters(n: NormalisedText): NormalisedText {
  const { text } = n;
  const single = (i: number): boolean => text[i] !== ' ' && (i === 0 || text[i - 1] === ' ') && (i + 1 === text.length || text[i + 1] === ' ');
  const keep: number[] = [];
  let i = 0;
  while (i < text.length) {
    let run = 0;
    while (i + 2 * run < text.length && single(i + 2 * run)) run++;
    if (run >= 3) {
      for (let k = 0; k < run; k++) keep.push(i + 2 * k);
      i += 2 * run - 1; // continue at the space after the run's last letter
    } else {
      keep.push(i);
      i++;
    }
  }
  if (keep.length === text.length) return n;
  return {
    text: keep.map((k) => text[k]).join(''),
    starts: Int32Array.from(keep, (k) => n.starts[k]!),
    ends: Int32Array.from(keep, (k) => n.ends[k]!),
  };
}
