/**
 * Keeping the best-scored sentences within a token budget, in reading order. Greedy by score: a
 * sentence that does not fit is skipped and smaller ones after it may still fit.
 */
import { ELIDED_SEGMENT } from './budget';
import type { SentenceUnit } from './units';

export function selectWithinBudget(units: readonly SentenceUnit[], scores: readonly number[], budget: number): Set<number> {
  // Ties go to the earlier sentence so the result is deterministic.
  const order = units.map((unit) => unit.index).sort((a, b) => scores[b] - scores[a] || a - b);
  const kept = new Set<number>();
  let used = 0;
  for (const index of order) {
    const tokens = units[index].tokens;
    if (used + tokens > budget) continue;
    kept.add(index);
    used += tokens;
  }
  return kept;
}

const isWhitespace = (char: string | undefined): boolean => char === ' ' || char === '\n' || char === '\t' || char === '\r';

/** Kept sentences in order; a space between two that were not adjacent and would otherwise touch. */
function joinSentences(kept: readonly string[]): string {
  // Parts gathered in an array: reading the last character of a growing string flattens it each time.
  const parts: string[] = [];
  let previous = '';
  for (const text of kept) {
    if (previous !== '' && !isWhitespace(previous[previous.length - 1]) && !isWhitespace(text[0])) parts.push(' ');
    parts.push(text);
    previous = text;
  }
  return parts.join('');
}

/** Each segment's kept sentences joined in order; ELIDED_SEGMENT where none was kept. */
export function assembleSegments(segments: readonly string[], units: readonly SentenceUnit[], keptText: (unit: SentenceUnit) => string | undefined): string[] {
  const parts: string[][] = segments.map(() => []);
  for (const unit of units) {
    const text = keptText(unit);
    if (text !== undefined) parts[unit.segment].push(text);
  }
  return parts.map((kept, index) => {
    if (segments[index] === '') return '';
    const joined = joinSentences(kept).trim();
    return joined === '' ? ELIDED_SEGMENT : joined;
  });
}
