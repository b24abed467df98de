import { isDigit } from '../text';

/** A maximal run of digit groups joined by single separators, e.g. `4111 1111-1111 1111`. */
export interface DigitRun {
  start: number;
  end: number;
  /** Each group's [start, end) in the text. */
  groups: Array<[number, number]>;
  /** The separators between groups, in order (one fewer than groups). */
  separators: string;
}

/** Every maximal digit run whose separators are among `separators`; linear in the text. */
export function* digitRuns(text: string, separators: string): Generator<DigitRun> {
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text.charCodeAt(i)) || (i > 0 && isDigit(text.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    const groups: Array<[number, number]> = [];
    let seps = '';
    let j = i;
    for (;;) {
      const groupStart = j;
      while (j < text.length && isDigit(text.charCodeAt(j))) j++;
      groups.push([groupStart, j]);
      const sep = text[j];
      if (sep !== undefined && separators.includes(sep) && isDigit(text.charCodeAt(j + 1))) {
        seps += sep;
        j++;
      } else break;
    }
    yield { start: i, end: j, groups, separators: seps };
    i = j;
  }
}

export const digitsOf = (text: string, run: DigitRun, from = 0, to = run.groups.length): string =>
  run.groups
    .slice(from, to)
    .map(([s, e]) => text.slice(s, e))
    .join('');
