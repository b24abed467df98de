import { luhnValid } from '../checksums';
import { codeAt, isAsciiLetter } from '../text';
import type { Finding } from '../types';
import { digitRuns } from './digit-groups';

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

/** Issuer (IIN) prefixes and the lengths each network issues, from the networks' public ranges. */
const NETWORKS: Array<{ prefixes: Array<[number, number]>; lengths: number[] }> = [
  { prefixes: [[4, 4]], lengths: [13, 16, 19] }, // Visa
  {
    prefixes: [
      [51, 55],
      [2221, 2720],
    ],
    lengths: [16],
  }, // Mastercard
  {
    prefixes: [
      [34, 34],
      [37, 37],
    ],
    lengths: [15],
  }, // American Express
  {
    prefixes: [
      [6011, 6011],
      [644, 649],
      [65, 65],
    ],
    lengths: [16, 17, 18, 19],
  }, // Discover
  { prefixes: [[3528, 3589]], lengths: [16, 17, 18, 19] }, // JCB
  {
    prefixes: [
      [300, 305],
      [36, 36],
      [38, 39],
    ],
    lengths: [14, 15, 16, 17, 18, 19],
  }, // Diners Club
  { prefixes: [[62, 62]], lengths: [16, 17, 18, 19] }, // UnionPay
  {
    prefixes: [
      [50, 50],
      [56, 58],
      [63, 63],
      [67, 67],
    ],
    lengths: [13, 14, 15, 16, 17, 18, 19],
  }, // Maestro
  { prefixes: [[2200, 2204]], lengths: [16, 17, 18, 19] }, // Mir
];

/** The lengths networks issue for numbers starting like `digits` (empty: no known issuer). */
export function issuedLengths(digits: string): number[] {
  const lengths: number[] = [];
  for (const n of NETWORKS) {
    const issued = n.prefixes.some(([low, high]) => {
      const prefix = Number(digits.slice(0, String(low).length));
      return prefix >= low && prefix <= high;
    });
    if (issued) lengths.push(...n.lengths);
  }
  return lengths;
}

/**
 * Payment card numbers: 13–19 digits, plain or grouped by one kind of separator (space or '-'),
 * passing Luhn and starting with a known issuer prefix. A grouped run longer than a card (a card
 * followed by an expiry year) is searched for the longest card made of whole groups.
 */
export function findCards(text: string): Finding[] {
  const found: Finding[] = [];
  for (const run of digitRuns(text, ' -')) {
    // Glued to letters (an order id like `A4111111111111111`) or to a decimal point: not a card.
    if (isAsciiLetter(codeAt(text, run.start - 1)) || isAsciiLetter(codeAt(text, run.end))) continue;
    if (codeAt(text, run.end) === 46 && /\d/.test(text[run.end + 1] ?? '')) continue;
    let from = 0;
    while (from < run.groups.length) {
      // Grow a card group by group from `from`: at most 19 digits, so a few steps whatever the run.
      let hit = -1;
      let digits = '';
      let separator: string | undefined;
      let lengths: number[] | undefined; // known once the issuer prefix is (13 digits is plenty)
      for (let to = from; to < run.groups.length; to++) {
        const [s, e] = run.groups[to]!;
        // Printed cards group digits by 3 to 6 (4-4-4-4, 4-6-5, 4-4-4-4-3): a shorter group is no card.
        if (run.groups.length > 1 && e - s < 3) break;
        digits += text.slice(s, e);
        if (digits.length > MAX_DIGITS) break;
        if (to > from) {
          separator ??= run.separators[to - 1];
          if (run.separators[to - 1] !== separator) break; // one kind of separator per number
        }
        if (digits.length < MIN_DIGITS) continue;
        lengths ??= issuedLengths(digits);
        if (lengths.length === 0) break;
        if (lengths.includes(digits.length) && luhnValid(digits)) hit = to;
      }
      if (hit < 0) {
        from++;
        continue;
      }
      found.push({ detector: 'pii', type: 'card', start: run.groups[from]![0], end: run.groups[hit]![1] });
      from = hit + 1;
    }
  }
  return found;
}
