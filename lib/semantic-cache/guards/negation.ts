/**
 * Negation guard: the two queries must be negated the same number of times, modulo two ("how do I
 * not log X" and "how do I log X" ask opposite things; "why doesn't X start" and "why does X fail to
 * start" ask the same). A cue is a negating word (not, no, never, without, cannot, none, …), a
 * contraction in n't, the prefix word "non" (non-blocking), or a failure verb (fail, unable,
 * refuse), which negates the verb after it.
 */
import { words } from './text';

const CUES = new Set([
  'not',
  'no',
  'never',
  'without',
  'cannot',
  'none',
  'neither',
  'nor',
  'nobody',
  'nothing',
  'nowhere',
  'non',
  'fail',
  'fails',
  'failed',
  'failing',
  'unable',
  'refuse',
  'refuses',
  'refused',
  'refusing',
  // Contractions typed without the apostrophe.
  'dont',
  'doesnt',
  'didnt',
  'cant',
  'wont',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'shouldnt',
  'wouldnt',
  'couldnt',
  'havent',
  'hasnt',
]);

/** Negation cues counted in a bounded query. */
export function negationCount(text: string): number {
  let count = 0;
  for (const word of words(text)) if (CUES.has(word) || word.endsWith("n't")) count++;
  return count;
}

/** Null when both queries have the same negation parity, else why not. */
export function negationGuard(query: string, candidate: string): string | null {
  const a = negationCount(query);
  const b = negationCount(candidate);
  if (a % 2 === b % 2) return null;
  return `negation parity differs: ${a} vs ${b} cues`;
}
