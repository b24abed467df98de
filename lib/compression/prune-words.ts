/**
 * Fine pruning: which words of a segment may go. Only closed-class words (articles, prepositions,
 * auxiliaries, conjunctions, pronouns) whose self-information is at most MAX_PRUNED_BITS, written
 * in lower case, standing alone between spaces, outside code fences, inline code and quotes, and
 * not a question term. Everything else is kept: numbers and units, capitalised words (names),
 * identifiers, URLs, paths, JSON keys, and negations (none of them is in the closed class).
 * One pass over the segment.
 */
import { selfInformation } from './self-information';

export interface CharRange {
  start: number;
  end: number;
}

/** Frequent function words; negations (not, no, never, without, nor) deliberately absent. */
const CLOSED_CLASS = new Set(
  (
    'the a an of to in on at by for with from as into onto upon about than then that which this these those ' +
    'is are was were be been being am has have had do does did will would shall should can could may might ' +
    'and or but so also very just it its their there here they them he she his her we our you your'
  ).split(' '),
);

export const MAX_PRUNED_BITS = 10;

function isPrunable(word: string, keepTerms: ReadonlySet<string>): boolean {
  return CLOSED_CLASS.has(word) && !keepTerms.has(word) && selfInformation(word) <= MAX_PRUNED_BITS;
}

/**
 * The ranges to delete (each a word and one space next to it), in order. `keepTerms` are
 * lower-case words never pruned (the question's own words).
 */
export function prunableRanges(text: string, keepTerms: ReadonlySet<string>): CharRange[] {
  const ranges: CharRange[] = [];
  let inFence = false;
  let inInlineCode = false;
  let inQuote = false;
  let lineStart = true;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (lineStart && text.startsWith('```', index)) inFence = !inFence;
    if (char === '\n') {
      lineStart = true;
      inInlineCode = false;
      inQuote = false;
      index++;
      continue;
    }
    lineStart = false;
    if (char === '`') inInlineCode = !inInlineCode;
    else if (char === '"' || char === '“' || char === '”') inQuote = char === '”' ? false : char === '“' ? true : !inQuote;
    const wordStart = index;
    while (index < text.length && text.charCodeAt(index) >= 97 && text.charCodeAt(index) <= 122) index++;
    if (index === wordStart) {
      index++;
      continue;
    }
    const before = wordStart === 0 ? ' ' : text[wordStart - 1];
    const after = index >= text.length ? ' ' : text[index];
    const standsAlone = before === ' ' && (after === ' ' || index >= text.length);
    if (standsAlone && !inFence && !inInlineCode && !inQuote && index - wordStart <= 6 && isPrunable(text.slice(wordStart, index), keepTerms)) {
      // Take the space before the word (or after it at the very start) so no double space is left.
      ranges.push(wordStart > 0 ? { start: wordStart - 1, end: index } : { start: 0, end: Math.min(index + 1, text.length) });
    }
  }
  return ranges;
}

/** `text[start, end)` without the ranges that fall inside it (ranges sorted, from `from` on). */
export function withoutRanges(text: string, start: number, end: number, ranges: readonly CharRange[], from: number): { text: string; next: number } {
  let kept = '';
  let cursor = start;
  let next = from;
  while (next < ranges.length && ranges[next].end <= end) {
    const range = ranges[next];
    if (range.start >= cursor) {
      kept += text.slice(cursor, range.start);
      cursor = range.end;
    }
    next++;
  }
  return { text: kept + text.slice(cursor, end), next };
}
