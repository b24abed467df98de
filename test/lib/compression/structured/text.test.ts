import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTextMethod } from '../../../../lib/compression';
import { countTextTokens } from '../../../../lib/tokens';
import { CORPUS_DIR } from '../../../bench/compression-corpus';

const structured = (text: string): string => runTextMethod('structured', { segments: [text], options: { rate: 1 } }).segments[0];

/** Expands "dir/{a,b}" back to lines, the inverse of path grouping. */
const expandPaths = (text: string): string[] =>
  text.split('\n').flatMap((line) => {
    const match = /^(.*\/)\{(.*)\}$/.exec(line);
    return match ? match[2].split(',').map((name) => match[1] + name) : [line];
  });

describe('structured text', () => {
  test('exact repeats are counted and can be expanded back', () => {
    const lines = ['start', ...Array(7).fill('GET /healthz 200'), 'end'];
    const compacted = structured(lines.join('\n'));
    expect(compacted).toBe('start\nGET /healthz 200 [×7]\nend');
    const expanded = compacted.split('\n').flatMap((line) => {
      const match = / \[×(\d+)\]$/.exec(line);
      return match ? Array(Number(match[1])).fill(line.slice(0, match.index)) : [line];
    });
    expect(expanded).toEqual(lines);
  });

  test('lines differing only in timestamps keep the first and name the last timestamp', () => {
    const lines = Array.from({ length: 5 }, (_, index) => `10:00:0${index}.250 WARN pool refused`);
    expect(structured(['boot', ...lines].join('\n'))).toBe('boot\n10:00:00.250 WARN pool refused [×5 through 10:00:04.250]');
  });

  test("a log's common date is stated once; other dates and the times of day stay", () => {
    const lines = Array.from({ length: 9 }, (_, index) => `2026-11-12T10:0${index}:00Z INFO request ${index}`);
    const compacted = structured([...lines, '2026-11-13T00:00:01Z INFO next day'].join('\n')).split('\n');
    expect(compacted[0]).toBe('[dates omitted below: timestamps without a date are on 2026-11-12]');
    expect(compacted.slice(1)).toEqual([...lines.map((line) => line.slice('2026-11-12T'.length)), '2026-11-13T00:00:01Z INFO next day']);
    const few = lines.slice(0, 4).join('\n');
    expect(structured(few)).toBe(few);
  });

  test('a find listing is grouped by folder and expands to the same lines', () => {
    const text = readFileSync(join(CORPUS_DIR, 'find.txt'), 'utf8').trimEnd();
    const compacted = structured(text);
    expect(expandPaths(compacted)).toEqual(text.split('\n'));
    expect(countTextTokens(compacted)).toBeLessThan(countTextTokens(text));
  });

  test('a long stack trace keeps its first three frames and the last, and counts the rest', () => {
    const frames = Array.from({ length: 20 }, (_, index) => `    at frame${index} (/app/f${index}.js:1:1)`);
    const compacted = structured(['Error: boom', ...frames, 'after'].join('\n')).split('\n');
    expect(compacted).toEqual(['Error: boom', ...frames.slice(0, 3), '    [… 16 frames elided …]', frames[19], 'after']);
  });

  test('a Python traceback elides whole frames (the File line with its source line)', () => {
    const frames = Array.from({ length: 8 }, (_, index) => [`  File "/srv/m${index}.py", line ${index}, in f${index}`, `    return g${index}()`]);
    const compacted = structured(['Traceback (most recent call last):', ...frames.flat(), "KeyError: 'x'"].join('\n')).split('\n');
    expect(compacted).toEqual(['Traceback (most recent call last):', ...frames.slice(0, 3).flat(), '  [… 4 frames elided …]', ...frames[7], "KeyError: 'x'"]);
  });

  test('passing tests are counted, failures kept word for word', () => {
    const passing = Array.from({ length: 9 }, (_, index) => `    ✓ case ${index} (${index} ms)`);
    const failure = '    ✕ resumes an upload (5012 ms)';
    expect(structured([...passing, failure].join('\n'))).toBe([passing[0], '    [… 8 more passing tests]', failure].join('\n'));
  });

  test('every corpus file comes out no larger than it went in, and never empty', () => {
    for (const file of readdirSync(CORPUS_DIR)) {
      const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
      const compacted = structured(text);
      expect(compacted.length).toBeGreaterThan(0);
      expect(countTextTokens(compacted)).toBeLessThanOrEqual(countTextTokens(text));
    }
  });

  test('rate is ignored: the same output at every rate', () => {
    const text = readFileSync(join(CORPUS_DIR, 'app-log-with-repeats.txt'), 'utf8');
    const at = (rate: number): string[] => runTextMethod('structured', { segments: [text], options: { rate } }).segments;
    expect(at(0.2)).toEqual(at(1));
  });
});

test('an already minified small array is returned as is when a table would cost more tokens', () => {
  const text = '[{"a":1,"b":2},{"a":3,"b":4}]';
  expect(runTextMethod('structured', { segments: [text], options: { rate: 1 } }).segments[0]).toBe(text);
});
