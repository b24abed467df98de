import { luhnValid } from '../checksums';
import { codeAt, isAsciiLetter } from '../text';
import type { Finding } from '../types';
import { digitRuns, digitsOf } from './digit-groups';

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

export function knownIssuer(digits: string): boolean {
  return NETWORKS.some(
    (n) =>
      n.lengths.includes(digits.length) &&
      n.prefixes.some(([low, high]) => {
        const prefix = Number(digits.slice(0, String(low).length));
        return prefix >= low && prefix <= high;
      }),
  );
}

const isCardNumber = (digits: string): boolean => digits.length >= MIN_DIGITS && digits.length <= MAX_DIGITS && luhnValid(digits) && knownIssuer(digits);

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
      let hit = -1;
      let digits = 0;
      for (let to = from; to < run.groups.length; to++) {
        digits += run.groups[to]![1] - run.groups[to]![0];
        if (digits > MAX_DIGITS) break;
        const separators = run.separators.slice(from, to);
        if (new Set(separators).size <= 1 && isCardNumber(digitsOf(text, run, from, to + 1))) hit = to;
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
