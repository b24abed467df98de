/**
 * Words as retrieval terms: lower-cased, lightly stemmed (so "latencies" meets "latency" and
 * "deployed" meets "deployment"), stop words dropped. Linear in the text.
 */

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
/** Longest word treated as a term; longer runs (hashes, blobs) are cut so maps stay small. */
const MAX_TERM = 24;

const STOP_WORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those ' +
    'there here what which who whom whose when where why how do does did done has have had having i you he she we they ' +
    'me him her us them my your his our their so than then too very can could would should will shall may might must ' +
    'about into over under after before during up down out off again further once all any both each few more most other ' +
    'some such only own same just also s t'
  ).split(' '),
);

const SUFFIXES = ['ational', 'ization', 'ments', 'ment', 'ings', 'ing', 'ies', 'ied', 'ers', 'er', 'ed', 'es', 'ly', 's'];
const STEM_LENGTH = 7;

/** A crude stem: the longest listed suffix off (keeping 3 letters), then at most STEM_LENGTH letters. */
export function stem(word: string): string {
  let base = word;
  for (const suffix of SUFFIXES) {
    if (base.length - suffix.length >= 3 && base.endsWith(suffix)) {
      base = base.slice(0, base.length - suffix.length);
      break;
    }
  }
  return base.slice(0, STEM_LENGTH);
}

export function isStopWord(lowerWord: string): boolean {
  return STOP_WORDS.has(lowerWord);
}

/** The terms of a text, in order, repeats kept. */
export function terms(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const lower = match[0].slice(0, MAX_TERM).toLowerCase();
    if (!isStopWord(lower)) found.push(stem(lower));
  }
  return found;
}
