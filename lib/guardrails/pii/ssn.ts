import { codeAt, isAsciiAlnum } from '../text';
import type { Finding } from '../types';
import { digitRuns, digitsOf } from './digit-groups';

/** An unformatted nine-digit number counts only this close after a cue. */
const CUE_WINDOW = 32;
const CUE = /\b(?:ssn|social security(?: number| no\.?| #)?|ss#)/gi;

/** Numbers the SSA never issues or that were published as examples (the Woolworth card, 078-05-1120). */
const NEVER_ISSUED = new Set(['078051120', '219099999', '123456789']);

/** The SSA's structural rules: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnValid(digits: string): boolean {
  const area = Number(digits.slice(0, 3));
  return (
    digits.length === 9 && area !== 0 && area !== 666 && area < 900 && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000' && !NEVER_ISSUED.has(digits)
  );
}

/** US Social Security numbers: `AAA-GG-SSSS` or `AAA GG SSSS`, or nine plain digits after a cue. */
export function findSsns(text: string): Finding[] {
  const cueEnds: number[] = [];
  for (const m of text.matchAll(CUE)) cueEnds.push(m.index + m[0].length);
  const found: Finding[] = [];
  let cue = 0;
  for (const run of digitRuns(text, '- ')) {
    if (isAsciiAlnum(codeAt(text, run.start - 1)) || isAsciiAlnum(codeAt(text, run.end))) continue;
    const shape = run.groups.map(([s, e]) => e - s).join(',');
    const digits = digitsOf(text, run);
    const grouped = shape === '3,2,4' && (run.separators === '--' || run.separators === '  ');
    while (cue < cueEnds.length && cueEnds[cue]! <= run.start - CUE_WINDOW) cue++;
    const nearCue = cue < cueEnds.length && cueEnds[cue]! <= run.start;
    if ((grouped || (shape === '9' && nearCue)) && ssnValid(digits)) found.push({ detector: 'pii', type: 'ssn', start: run.start, end: run.end });
  }
  return found;
}
