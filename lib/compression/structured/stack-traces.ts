/**
 * Long stack traces shortened: of a run of more than KEEP_FIRST + KEEP_LAST + 1 frames, the first
 * KEEP_FIRST (where it failed) and the last KEEP_LAST (the entry point) stay, with a marker counting
 * the frames between. JavaScript/Java frames ("    at …") and Python frames ("  File "…", line N"
 * with the indented source line after it). Lossy, marked.
 */

const KEEP_FIRST = 3;
const KEEP_LAST = 1;

const JS_FRAME = /^\s+at\s/;
const PYTHON_FRAME = /^\s+File "/;

function frameLength(lines: readonly string[], index: number): number {
  const line = lines[index];
  if (JS_FRAME.test(line)) return 1;
  if (!PYTHON_FRAME.test(line)) return 0;
  const next = lines[index + 1];
  const indent = line.length - line.trimStart().length;
  const sourceLine = next !== undefined && next.length - next.trimStart().length > indent && !PYTHON_FRAME.test(next) && next.trim() !== '';
  return sourceLine ? 2 : 1;
}

export function shortenStackTraces(lines: readonly string[]): string[] {
  const out: string[] = [];
  let index = 0;
  while (index < lines.length) {
    const frames: string[][] = [];
    let cursor = index;
    for (let length = frameLength(lines, cursor); length > 0; length = frameLength(lines, cursor)) {
      frames.push(lines.slice(cursor, cursor + length));
      cursor += length;
    }
    if (frames.length === 0) {
      out.push(lines[index]);
      index++;
      continue;
    }
    if (frames.length <= KEEP_FIRST + KEEP_LAST + 1) {
      for (const frame of frames) out.push(...frame);
    } else {
      for (const frame of frames.slice(0, KEEP_FIRST)) out.push(...frame);
      const indent = frames[KEEP_FIRST][0].match(/^\s*/)![0];
      out.push(`${indent}[… ${frames.length - KEEP_FIRST - KEEP_LAST} frames elided …]`);
      for (const frame of frames.slice(frames.length - KEEP_LAST)) out.push(...frame);
    }
    index = cursor;
  }
  return out;
}
