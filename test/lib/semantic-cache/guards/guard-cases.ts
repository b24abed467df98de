/**
 * The shape every guard's test shares: the development set's traps of its category are refused by
 * the guard alone, every development paraphrase passes it (except the misses it documents), and
 * so do the test's own hand cases.
 */
import { checkGuards } from '../../../../lib/semantic-cache/guards';
import { CACHE_PAIRS, type PairLabel } from '../../../bench/cache-pairs';

export interface GuardCases {
  traps: [string, string][];
  paraphrases: [string, string][];
  /** Development paraphrases this guard refuses, by their first query, each a documented miss. */
  knownMisses?: string[];
  /** Development traps of the category this guard does not refuse (another guard or the threshold does), by their first query. */
  trapsLeft?: string[];
}

export function describeGuard(guard: string, label: PairLabel, cases: GuardCases): void {
  const refuses = (a: string, b: string): boolean => !checkGuards(a, b, [guard]).ok && !checkGuards(b, a, [guard]).ok;
  const passes = (a: string, b: string): boolean => checkGuards(a, b, [guard]).ok && checkGuards(b, a, [guard]).ok;
  const left = new Set(cases.trapsLeft ?? []);
  const devTraps = CACHE_PAIRS.filter((pair) => pair.label === label && !left.has(pair.a)).map((pair): [string, string] => [pair.a, pair.b]);
  const misses = new Set(cases.knownMisses ?? []);
  const devParaphrases = CACHE_PAIRS.filter((pair) => pair.label === 'paraphrase' && !misses.has(pair.a)).map((pair): [string, string] => [pair.a, pair.b]);

  describe(`${guard} guard`, () => {
    test.each(devTraps)(`refuses the ${label} trap: %s | %s`, (a, b) => expect(refuses(a, b)).toBe(true));
    test.each(cases.traps)('refuses: %s | %s', (a, b) => expect(refuses(a, b)).toBe(true));
    test.each(devParaphrases)('lets the paraphrase through: %s | %s', (a, b) => expect(passes(a, b)).toBe(true));
    test.each(cases.paraphrases)('lets through: %s | %s', (a, b) => expect(passes(a, b)).toBe(true));
    test('its documented exceptions are still in the development set and still exceptions', () => {
      for (const query of misses) {
        const pair = CACHE_PAIRS.find((candidate) => candidate.a === query && candidate.label === 'paraphrase');
        expect(pair && !passes(pair.a, pair.b)).toBe(true);
      }
      for (const query of left) {
        const pair = CACHE_PAIRS.find((candidate) => candidate.a === query && candidate.label === label);
        expect(pair && !refuses(pair.a, pair.b)).toBe(true);
      }
    });
  });
}
