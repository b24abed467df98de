/**
 * Log dates factored out: when most timestamped lines fall on one date, that date is stated once
 * in a header and dropped from their timestamps, which keep their time of day
 * ("2026-11-12T10:00:01Z" → "10:00:01Z", "[12/Nov/2026:10:00:01 +0000]" → "[10:00:01 +0000]").
 * Near-lossless, marked: the header says which date was dropped; other dates stay as written.
 */

/** A date immediately followed by a time of day: ISO 8601 or the common log format. */
const DATE_BEFORE_TIME = /\b(?:\d{4}-\d{2}-\d{2}[T ]|\d{2}\/[A-Z][a-z]{2}\/\d{4}:)(?=\d{2}:\d{2}:\d{2})/g;
const MIN_DATED_LINES = 5;
/** Lines longer than this keep their dates (bounded regex work per line). */
const MAX_DATED_LINE = 2000;

function firstDate(line: string): string | undefined {
  if (line.length > MAX_DATED_LINE) return undefined;
  DATE_BEFORE_TIME.lastIndex = 0;
  return DATE_BEFORE_TIME.exec(line)?.[0];
}

function commonDate(lines: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  let dated = 0;
  for (const line of lines) {
    const date = firstDate(line);
    if (date === undefined) continue;
    dated++;
    counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [date, count] of counts)
    if (count > bestCount) {
      best = date;
      bestCount = count;
    }
  return bestCount >= MIN_DATED_LINES && bestCount * 2 > dated ? best : undefined;
}

export function factorDates(lines: readonly string[]): string[] {
  const date = commonDate(lines);
  if (date === undefined) return [...lines];
  const shown = date.replace(/[T :]$/, '');
  const stripped = lines.map((line) => (line.length > MAX_DATED_LINE ? line : line.replace(DATE_BEFORE_TIME, (found) => (found === date ? '' : found))));
  return [`[dates omitted below: timestamps without a date are on ${shown}]`, ...stripped];
}
