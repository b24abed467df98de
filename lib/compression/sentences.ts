/**
 * A linear sentence splitter. A sentence ends at a line break, or at . ! ? followed by space and
 * an upper-case letter, digit, quote or bracket, unless the word before is a known abbreviation or
 * a single initial. Decimals ("3.5") never split because no space follows the dot. No sentence is
 * longer than MAX_SENTENCE code units: a longer run is cut at its last space (or hard), so one
 * hostile 4 MB line still becomes many budget-sized pieces.
 * Spans cover the text exactly: concatenating every sentence's text gives the input back.
 */

export interface SentenceSpan {
  start: number;
  end: number;
}

export const MAX_SENTENCE = 1200;

const ABBREVIATIONS = new Set(
  'mr mrs ms dr prof sr jr st vs etc e.g i.e eg ie inc ltd co corp no fig approx dept est min max ref vol jan feb mar apr jun jul aug sep sept oct nov dec'.split(
    ' ',
  ),
);

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

function startsSentence(char: string): boolean {
  return /[\p{Lu}\p{N}"'“‘([`*-]/u.test(char);
}

/** The word just before position `dot`, lower-cased, at most 8 characters back. */
function wordBefore(text: string, dot: number): string {
  let start = dot;
  while (start > 0 && dot - start < 8 && /[\p{L}.]/u.test(text[start - 1])) start--;
  return text.slice(start, dot).toLowerCase();
}

function endsAtPunctuation(text: string, index: number): boolean {
  const char = text[index];
  if (char !== '.' && char !== '!' && char !== '?') return false;
  let next = index + 1;
  while (next < text.length && (text[next] === '"' || text[next] === ')' || text[next] === '’' || text[next] === '”')) next++;
  if (next >= text.length || !isSpace(text.charCodeAt(next))) return false;
  let after = next;
  while (after < text.length && isSpace(text.charCodeAt(after))) after++;
  if (after < text.length && !startsSentence(text[after]) && text[after] !== '\n') return false;
  if (char === '.') {
    const word = wordBefore(text, index);
    if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)) return false;
  }
  return true;
}

/** Where to cut a too-long sentence that began at `start`: after its last space, else hard. */
function forcedEnd(text: string, start: number): number {
  const limit = start + MAX_SENTENCE;
  // Searched by hand within the sentence: lastIndexOf would scan back to the start of the text.
  for (let index = limit - 1; index > start + MAX_SENTENCE / 2; index--) if (text[index] === ' ') return index + 1;
  return limit;
}

export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let start = 0;
  let index = 0;
  while (index < text.length) {
    if (index - start >= MAX_SENTENCE) {
      const end = forcedEnd(text, start);
      spans.push({ start, end });
      start = end;
      index = end;
      continue;
    }
    const char = text[index];
    if (char === '\n') {
      // The line break and any blank lines after it stay with the sentence they end.
      let end = index + 1;
      while (end < text.length && (text[end] === '\n' || text[end] === '\r') && end - start < MAX_SENTENCE) end++;
      spans.push({ start, end });
      start = end;
      index = end;
      continue;
    }
    if (endsAtPunctuation(text, index)) {
      let end = index + 1;
      while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
      // Trailing spaces go to the next sentence: o200k joins a space with the word after it.
      spans.push({ start, end });
      start = end;
      index = end;
      continue;
    }
    index++;
  }
  if (start < text.length) spans.push({ start, end: text.length });
  return spans;
}
