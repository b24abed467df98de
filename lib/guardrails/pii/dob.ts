import type { Finding } from '../types';

/** How far after a cue the date may start ("born on the 3rd of May 1990", "DOB: 1990-05-03"). */
const WINDOW = 24;
const CUE = /\b(?:born|d\.?o\.?b\b\.?|date of birth|birth ?date|birthday|geboren|n[ée]e? le)/gi;
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DATE = new RegExp(
  [
    '\\b\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})\\b',
    '\\b\\d{4}-\\d{2}-\\d{2}\\b',
    `\\b\\d{1,2}(?:st|nd|rd|th)?(?: of)? ${MONTH},? \\d{4}\\b`,
    `\\b${MONTH} \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}\\b`,
  ].join('|'),
  'i',
);

/** Dates of birth: a full date within a few characters after a cue such as "born", "DOB". */
export function findDatesOfBirth(text: string): Finding[] {
  const found: Finding[] = [];
  let after = 0;
  for (const cue of text.matchAll(CUE)) {
    const from = cue.index + cue[0].length;
    if (from < after) continue;
    const window = text.slice(from, from + WINDOW + 24);
    const date = DATE.exec(window);
    if (date === null || date.index > WINDOW) continue;
    found.push({ detector: 'pii', type: 'date_of_birth', start: from + date.index, end: from + date.index + date[0].length });
    after = from + date.index + date[0].length;
  }
  return found;
}
