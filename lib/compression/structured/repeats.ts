/**
 * Repeated lines collapsed. Consecutive identical lines become the line once with " [×N]"
 * (lossless but for the marker). Consecutive lines that differ only in their timestamps become the
 * first with " [×N through <last timestamp>]" (near-lossless: the timestamps between are dropped).
 * Runs of blank lines become one blank line.
 */

const TIMESTAMP =
  /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?|\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?|\b\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z\b|\b)/g;
/** Lines longer than this are compared whole, never masked (bounded regex work per line). */
const MAX_MASKED_LINE = 2000;

function masked(line: string): string {
  return line.length > MAX_MASKED_LINE ? line : line.replace(TIMESTAMP, '<t>');
}

function lastTimestamp(line: string): string {
  const found = line.length > MAX_MASKED_LINE ? null : line.match(TIMESTAMP);
  return found ? found[found.length - 1] : '';
}

export function collapseRepeats(lines: readonly string[]): string[] {
  const out: string[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (line.trim() === '') {
      out.push('');
      while (index < lines.length && lines[index].trim() === '') index++;
      continue;
    }
    let exactEnd = index + 1;
    while (exactEnd < lines.length && lines[exactEnd] === line) exactEnd++;
    const key = masked(line);
    let similarEnd = exactEnd;
    if (key !== line) while (similarEnd < lines.length && masked(lines[similarEnd]) === key) similarEnd++;
    if (similarEnd > exactEnd) {
      out.push(`${line} [×${similarEnd - index} through ${lastTimestamp(lines[similarEnd - 1])}]`);
      index = similarEnd;
    } else {
      out.push(exactEnd - index > 1 ? `${line} [×${exactEnd - index}]` : line);
      index = exactEnd;
    }
  }
  return out;
}
