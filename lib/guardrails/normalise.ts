/**
 * The text the injection rules read: lower-case Latin letters and single spaces, with what attackers
 * use to slip past a phrase list undone — zero-width and format characters removed, compatibility
 * forms folded (NFKC: full-width, mathematical letters), accents stripped, common Cyrillic and
 * Greek look-alikes mapped to Latin, and leetspeak digits read as letters. Each character keeps the
 * offsets of the original character it came from, so findings point into the original text.
 */

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
    if (INVISIBLE.test(codePoint)) continue;
    const isLetterContext = /[a-z]/i.test(original[start - 1] ?? '') || /[a-z]/i.test(original[i] ?? '');
    const leet = LEET[codePoint];
    const folded = leet !== undefined && isLetterContext ? leet : fold(codePoint);
    for (const ch of folded) emit(ch >= 'a' && ch <= 'z' ? ch : ' ', start, i);
  }
  return { text: out.join(''), starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}
