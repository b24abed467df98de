/**
 * `structured`: what agents send (tool results, API JSON, logs, listings, test output) made
 * smaller without a question and without losing data where that can be promised. Deterministic and
 * linear. `rate` and `targetTokens` are ignored: the result is as small as these rules make it.
 * - a segment that is JSON: compact JSON (json.ts), lossless;
 * - JSON in a text (```json fences, or a block from a line starting with { or [ to the last line
 *   ending in } or ]): the same, in place;
 * - other text, line by line: base64 blobs and long stack traces shortened (lossy, marked),
 *   passing-test runs counted (lossy, marked), a log's common date stated once (near-lossless,
 *   marked), repeated lines counted (exact: lossless; differing only in timestamps:
 *   near-lossless), paths grouped, trailing spaces trimmed.
 */
import { countTextTokens } from '../../tokens';
import { compressOutput, sumTokens } from '../budget';
import type { CompressInput, CompressOutput } from '../types';
import { shortenBlobs } from './blobs';
import { factorDates } from './dates';
import { compactJson } from './json';
import { shortenPassingTests } from './passing-tests';
import { groupPaths } from './paths';
import { collapseRepeats } from './repeats';
import { shortenStackTraces } from './stack-traces';

function compactLines(text: string): string {
  let lines = shortenBlobs(text)
    .split('\n')
    .map((line) => line.trimEnd());
  lines = shortenStackTraces(lines);
  lines = shortenPassingTests(lines);
  lines = factorDates(lines);
  lines = collapseRepeats(lines);
  lines = groupPaths(lines);
  return lines.join('\n');
}

const FENCE = '```';

/** The line ranges [start, end) of the one JSON block a text may hold outside fences. */
function jsonBlock(lines: readonly string[]): { start: number; end: number } | undefined {
  const start = lines.findIndex((line) => line.startsWith('{') || line.startsWith('['));
  if (start < 0) return undefined;
  for (let end = lines.length; end > start; end--) {
    const last = lines[end - 1].trimEnd();
    if (last.endsWith('}') || last.endsWith(']')) return { start, end };
  }
  return undefined;
}

/** Text with its JSON compacted in place and everything else compacted as lines. */
function compactText(text: string): string {
  const parts = text.split(FENCE);
  if (parts.length >= 3) {
    // Odd parts are fenced: ```json … ``` blocks hold JSON, other fences are code and stay as written.
    return parts
      .map((part, index) => {
        if (index % 2 === 0) return compactText(part);
        const body = part.replace(/^json[^\n]*\n/, '');
        const json = body === part ? undefined : compactJson(body);
        return json === undefined ? part : `json\n${json}\n`;
      })
      .join(FENCE);
  }
  const lines = text.split('\n');
  const block = jsonBlock(lines);
  const json = block && compactJson(lines.slice(block.start, block.end).join('\n'));
  if (!block || json === undefined) return compactLines(text);
  const before = lines.slice(0, block.start).join('\n');
  const after = lines.slice(block.end).join('\n');
  return [before && compactLines(before), json, after && compactLines(after)].filter((part) => part !== '').join('\n');
}

export function compactSegment(segment: string): string {
  const compacted = compactJson(segment) ?? compactText(segment);
  // Never more tokens than the input (a table header can cost more than the keys of two rows), never empty.
  return compacted.length > 0 && countTextTokens(compacted) <= countTextTokens(segment) ? compacted : segment;
}

export function compressStructured(input: CompressInput): CompressOutput {
  return compressOutput(input.segments.map(compactSegment), sumTokens(input.segments));
}
